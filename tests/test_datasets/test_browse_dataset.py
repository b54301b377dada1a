"""tools/analysis_tools/browse_dataset.py draws the quads of the train pipeline's output."""
import os.path as osp

import cv2
import numpy as np

from textboxes_retina.testing import REPO_ROOT as ROOT
from textboxes_retina.testing import load_tool as load_script

TOY = osp.abspath(osp.join(ROOT, 'tests', 'data', 'icdar2015_toy'))
BASE = osp.abspath(
    osp.join(ROOT, 'configs', 'textboxes_retina', '_base_textboxes_retina_se-r50_fpn-c2.py'))


def load_tool():
    return load_script('tools/analysis_tools/browse_dataset.py')


def test_draw_quads_colours_cared_and_ignored_words():
    tool = load_tool()
    img = np.zeros((20, 40, 3), np.float32)
    quads = [
        np.array([2, 2, 12, 2, 12, 10, 2, 10], np.float32),
        np.array([20, 5, 35, 5, 35, 15, 20, 15], np.float32)
    ]
    canvas = tool.draw_words(img, quads, [False, True])
    assert canvas.dtype == np.uint8
    assert canvas[6, 2].tolist() == [0, 255, 0]  # left edge of the cared word
    assert canvas[10, 35].tolist() == [0, 0, 255]  # a corner of the don't-care word
    assert canvas[6, 7].tolist() == [0, 0, 0]  # inside stays as it was


def test_browse_writes_the_pipeline_output(tmp_path):
    config = tmp_path / 'browse_cfg.py'
    config.write_text(
        f"_base_ = ['{BASE}']\n"
        "default_scope = 'mmocr'\n"
        "custom_imports = dict(imports=['textboxes_retina'], allow_failed_imports=False)\n"
        "train_dataloader = dict(batch_size=1, dataset=dict(\n"
        f"    type='ICDAR2015Dataset', data_root='{TOY}', img_dir='imgs', ann_dir='gts',\n"
        "    pipeline=_base_.icdar2015_train_pipeline))\n")
    out = tmp_path / 'browse'
    tool = load_tool()
    tool.main([
        str(config), '--output-dir',
        str(out), '--num', '3', '--cfg-options', 'train_dataloader.dataset.limit=2'
    ])
    written = sorted(p.name for p in out.iterdir())
    assert written == ['0000_img_1.jpg', '0001_img_2.jpg']
    img = cv2.imread(str(out / written[0]))
    assert img.shape == (768, 768, 3)


def test_browse_test_split_scales_quads_to_the_resized_image(tmp_path):
    config = tmp_path / 'browse_test_cfg.py'
    config.write_text(
        f"_base_ = ['{BASE}']\n"
        "default_scope = 'mmocr'\n"
        "custom_imports = dict(imports=['textboxes_retina'], allow_failed_imports=False)\n"
        "pipeline = _base_.test_pipeline\n"
        "pipeline[1]['scale'] = (640, 640)\n"
        "test_dataloader = dict(batch_size=1, dataset=dict(\n"
        f"    type='ICDAR2015Dataset', data_root='{TOY}', img_dir='imgs', ann_dir='gts',\n"
        "    test_mode=True, pipeline=pipeline))\n")
    out = tmp_path / 'browse'
    load_tool().main([str(config), '--output-dir', str(out), '--split', 'test', '--num', '1'])
    img = cv2.imread(str(out / '0000_img_1.jpg')).astype(int)
    # the test pipeline resizes to a square, as training does (issue 15): 1280 x 720 -> 640 x 640
    assert img.shape == (640, 640, 3)
    # first word of img_1: (377, 117) ... in the 1280 x 720 original, drawn at x 1/2, y 640/720
    x, y = round(377 / 2), round(117 * 640 / 720)
    patch = img[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3)
    assert (patch[:, 1] - patch[:, [0, 2]].max(axis=1)).max() > 100  # green, not the photo

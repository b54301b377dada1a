"""tools/infer.py: input expansion, ICDAR lines, and a run of a random small model."""
import json
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch

SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'


@pytest.fixture
def image_folder(tmp_path, repo_root):
    """Two toy ICDAR2015 images, a text file and a sub-folder."""
    folder = tmp_path / 'imgs'
    folder.mkdir()
    for name in ('img_1.jpg', 'img_2.jpg'):
        shutil.copy(osp.join(repo_root, 'tests/data/icdar2015_toy/imgs', name), folder / name)
    (folder / 'notes.txt').write_text('not an image')
    (folder / 'sub').mkdir()
    return folder


def test_collect_images(infer_tool, image_folder):
    one, two = str(image_folder / 'img_1.jpg'), str(image_folder / 'img_2.jpg')
    assert infer_tool.collect_images([str(image_folder)]) == [one, two]
    assert infer_tool.collect_images([str(image_folder / 'img_*.jpg')]) == [one, two]
    assert infer_tool.collect_images([two, str(image_folder)]) == [two, one]
    with pytest.raises(FileNotFoundError, match='no image found for input .*missing'):
        infer_tool.collect_images([str(image_folder / 'missing*.png')])
    with pytest.raises(FileNotFoundError, match='notes.txt'):
        infer_tool.collect_images([str(image_folder / 'notes.txt')])


def test_icdar_lines(infer_tool):
    prediction = dict(polygons=[[10.4, 20.6, 30, 20, 30.5, 40, 10, 40.49]], scores=[0.87654])
    assert infer_tool.icdar_lines(prediction) == ['10,21,30,20,30,40,10,40,0.8765']


def test_infer_writes_json_txt_and_drawn_images(infer_tool, image_folder, tmp_path, repo_root,
                                               monkeypatch):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmengine.runner import save_checkpoint
    from mmocr.registry import MODELS

    monkeypatch.chdir(repo_root)
    cfg = Config.fromfile(SMALL_CONFIG)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg.model)
    model.init_weights()
    checkpoint = str(tmp_path / 'random.pth')
    save_checkpoint(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)

    out_dir = tmp_path / 'out'
    # A random model scores about 0.01 (the focal-loss prior): keep its top 5 quads per image.
    infer_tool.main([
        SMALL_CONFIG, checkpoint, str(image_folder), '--out-dir', str(out_dir),
        '--cfg-options', 'model.test_cfg.score_thr=0.0', 'model.test_cfg.nms_pre=20',
        'model.test_cfg.max_per_img=5'
    ])
    for name in ('img_1', 'img_2'):
        prediction = json.loads((out_dir / 'preds' / f'{name}.json').read_text())
        assert prediction['img_path'] == str(image_folder / f'{name}.jpg')
        polygons = np.array(prediction['polygons'])
        assert polygons.shape == (5, 8) and len(prediction['scores']) == 5
        assert np.isfinite(polygons).all()
        lines = (out_dir / 'txt' / f'res_{name}.txt').read_text().splitlines()
        assert len(lines) == 5
        for line, polygon in zip(lines, polygons):
            values = line.split(',')
            assert [int(v) for v in values[:8]] == np.round(polygon).astype(int).tolist()
        drawn = cv2.imread(str(out_dir / 'vis' / f'{name}.jpg'))
        original = cv2.imread(str(image_folder / f'{name}.jpg'))
        assert drawn.shape == original.shape
        changed = np.abs(drawn.astype(int) - original.astype(int)).sum(-1) > 60
        red = (drawn[..., 2] > 180) & (drawn[..., 1] < 90) & (drawn[..., 0] < 90)
        assert changed.sum() > 100 and (red & changed).sum() > 0.5 * changed.sum()

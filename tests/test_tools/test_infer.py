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


@pytest.mark.timeout(30)
def test_icdar_lines_follow_the_ic15_submission_format(infer_tool):
    """Hand-derived lines: coordinates truncated (not rounded), counter-clockwise quads
    (the official check: sum((x[i+1] - x[i]) * (y[i+1] + y[i])) > 0) reversed from their first
    vertex, and no score column unless asked."""
    prediction = dict(
        polygons=[[10.4, 20.6, 30, 20, 30.5, 40, 10.9, 40.49],
                  [10, 40, 30.7, 40, 30, 20, 10, 20.99]],
        scores=[0.87654, 0.5])
    assert infer_tool.icdar_lines(prediction) == [
        '10,20,30,20,30,40,10,40', '10,40,10,20,30,20,30,40'
    ]
    assert infer_tool.icdar_lines(
        prediction, with_confidence=True) == [
            '10,20,30,20,30,40,10,40,0.876540', '10,40,10,20,30,20,30,40,0.500000'
        ]
    assert infer_tool.icdar_lines(dict(polygons=[], scores=[])) == []


@pytest.mark.timeout(120)
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
        SMALL_CONFIG, checkpoint,
        str(image_folder), '--out-dir',
        str(out_dir), '--cfg-options', 'model.test_cfg.score_thr=0.0', 'model.test_cfg.nms_pre=20',
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
            values = [int(v) for v in line.split(',')]  # 8 integers, no score column
            assert len(values) == 8
            assert sorted(values) == sorted(np.trunc(polygon).astype(int).tolist())
        _assert_txt_equals_submission_writer(out_dir, image_folder, name, prediction, tmp_path)
        drawn = cv2.imread(str(out_dir / 'vis' / f'{name}.jpg'))
        original = cv2.imread(str(image_folder / f'{name}.jpg'))
        assert drawn.shape == original.shape
        changed = np.abs(drawn.astype(int) - original.astype(int)).sum(-1) > 60
        red = (drawn[..., 2] > 180) & (drawn[..., 1] < 90) & (drawn[..., 0] < 90)
        assert changed.sum() > 100 and (red & changed).sum() > 0.5 * changed.sum()


def _assert_txt_equals_submission_writer(out_dir, image_folder, name, prediction, tmp_path):
    """The infer txt file is byte for byte the file ICDARSubmissionWriter (tools/test.py
    --submission-zip) puts in its zip for the same predictions."""
    import zipfile

    from mmengine.structures import InstanceData
    from mmocr.structures import TextDetDataSample

    from textboxes_retina.evaluation import ICDARSubmissionWriter

    sample = TextDetDataSample(metainfo=dict(img_path=str(image_folder / f'{name}.jpg')))
    sample.pred_instances = InstanceData(
        polygons=[np.array(p, np.float32) for p in prediction['polygons']],
        scores=torch.tensor(prediction['scores']))
    zip_path = tmp_path / f'{name}_writer.zip'
    writer = ICDARSubmissionWriter(str(zip_path), protocol='ic15', score_thr=0.0)
    writer.process([], [sample.to_dict()])
    writer.compute_metrics(writer.results)
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.namelist() == [f'res_{name}.txt']
        expected = archive.read(f'res_{name}.txt').decode()
    assert (out_dir / 'txt' / f'res_{name}.txt').read_text() == expected

"""tools/test.py end to end: a random small model on 2 generated images, with every output."""
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import save_checkpoint
from mmocr.registry import MODELS

from textboxes_retina.evaluation import read_submission_zip

SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'


def test_test_tool_writes_metrics_predictions_drawings_and_submission(test_tool, tmp_path,
                                                                      repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    data = tmp_path / 'data'
    subprocess.run([
        sys.executable, 'tools/make_synthetic_dataset.py', '--out-dir',
        str(data), '--split', 'test', '--num-images', '2', '--img-size', '192', '--seed', '1',
        '--style', 'hershey', '--no-progress'
    ],
                   check=True,
                   capture_output=True)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(SMALL_CONFIG).model)
    model.init_weights()
    checkpoint = str(tmp_path / 'random.pth')
    save_checkpoint(dict(state_dict=model.state_dict(), meta=dict()), checkpoint)

    out, show_dir, zip_path = tmp_path / 'preds.pkl', tmp_path / 'shown', tmp_path / 'ic15.zip'
    # A random model scores about 0.01: keep its 3 best quads per image everywhere.
    test_tool.main([
        SMALL_CONFIG, checkpoint, '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(out), '--show-dir',
        str(show_dir), '--submission-zip',
        str(zip_path), '--cfg-options', f"test_dataloader.dataset.data_root={data / 'test'}",
        'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False',
        'model.test_cfg.score_thr=0.0', 'model.test_cfg.nms_pre=20', 'model.test_cfg.max_per_img=3',
        'test_evaluator.score_thr=0.0'
    ])
    with open(out, 'rb') as f:
        samples = pickle.load(f)
    assert [osp.basename(s['img_path']) for s in samples] == ['img_1.jpg', 'img_2.jpg']
    submitted = read_submission_zip(str(zip_path))
    for sample in samples:
        name = osp.splitext(osp.basename(sample['img_path']))[0]
        polygons = np.stack(sample['pred_instances']['polygons'])
        assert polygons.shape == (3, 8)
        # The same quads, as integers (the writer may start each quad at another vertex).
        assert submitted[name]['polygons'].shape == (3, 8)
        np.testing.assert_allclose(
            np.sort(submitted[name]['polygons'].ravel()), np.sort(polygons.ravel()), atol=1)
        assert (show_dir / f'{name}.jpg').is_file()
    metrics = list((tmp_path / 'work').glob('*/*.json'))
    assert metrics and 'ic15/hmean' in metrics[0].read_text()

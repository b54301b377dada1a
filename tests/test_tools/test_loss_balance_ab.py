"""tools/analysis_tools/loss_balance_ab.py: the three settings are what docs/loss_balance.md says
(each changes only the regression targets and loss of the small config), and a tiny run trains,
tests and tabulates every setting."""
import json
import os.path as osp

import pytest
from mmengine.config import Config

from textboxes_retina.testing import REPO_ROOT as REPO
from textboxes_retina.testing import load_tool
from textboxes_retina.testing.configs import SMALL_CONFIG as SMALL


def _tool():
    return load_tool('tools/analysis_tools/loss_balance_ab.py')


EXPECTED = {
    # setting: (encode_size, target_stds, smooth-L1 beta, loss weight)
    'retina': (12, [0.1, 0.1, 0.2, 0.2] + [0.1] * 8, 0.11, 1.0),
    'seed': (8, [1.0] * 8, 1.0, 0.5),
    'tbpp': (12, [0.1, 0.1, 0.2, 0.2] + [0.1] * 8, 1.0, 0.2),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_each_setting_changes_only_the_regression_loss(name):
    tool = _tool()
    leaf = Config.fromfile(osp.join(REPO, tool.SETTINGS[name])).to_dict()
    small = Config.fromfile(SMALL).to_dict()
    head = leaf['model']['bbox_head']
    size, stds, beta, weight = EXPECTED[name]
    assert head['bbox_coder']['encode_size'] == size
    assert head['bbox_coder']['target_stds'] == stds
    assert head['bbox_coder']['target_means'] == [0.0] * size
    assert head['loss_bbox'] == dict(type='mmdet.SmoothL1Loss', beta=beta, loss_weight=weight)
    for part in (leaf, small):
        part['model']['bbox_head'].pop('bbox_coder')
        part['model']['bbox_head'].pop('loss_bbox')
    assert leaf == small


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_tiny_run_reports_every_setting(tmp_path):
    tool = _tool()
    out = tmp_path / 'results.json'
    tool.main([
        '--iters', '2', '--num-train', '4', '--num-test', '2', '--batch-size', '2', '--data-dir',
        str(tmp_path / 'data'), '--work-dir',
        str(tmp_path / 'work'), '--out',
        str(out)
    ])
    results = json.loads(out.read_text())['results']
    assert [r['setting'] for r in results] == ['retina', 'seed', 'tbpp']
    for r in results:
        assert 0 <= r['metrics']['ic15/hmean'] <= 1
        assert r['losses']['loss_bbox']['first10'] >= 0
        assert r['train_cpu_s'] > 0
    assert 'retina' in tool.table(results)

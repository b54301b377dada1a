"""tools/analysis_tools/compare_detectors.py with a tiny CPU budget: both detectors train, stop
on the budget, are tested with both metrics and timed, and the table is written."""
import json
import os.path as osp

import pytest

from textboxes_retina.testing import REPO_ROOT, load_tool

compare_detectors = load_tool('tools/analysis_tools/compare_detectors.py')


@pytest.mark.timeout(900)
@pytest.mark.slow
def test_tiny_budget_run(tmp_path):
    results = compare_detectors.main([
        '--cpu-budget-s', '2', '--num-train', '4', '--num-test', '2', '--latency-images', '1',
        '--batch-size', '2', '--data-dir',
        str(tmp_path / 'data'), '--work-dir',
        str(tmp_path / 'work')
    ])
    assert [d['key'] for d in results['detectors']] == ['textboxes_retina_r18_small', 'dbnet_r18']
    for entry in results['detectors']:
        # The budget ends training long before the configs' 2000 iterations.
        assert 1 <= entry['iterations'] < 2000
        assert osp.isfile(entry['checkpoint'])
        assert entry['command_cpu_s'] > 2  # the budget, plus start-up and the test-free end
        metrics = entry['metrics']
        for key in ('ic15/precision', 'ic15/recall', 'ic15/hmean', 'icdar/hmean'):
            assert 0.0 <= metrics[key] <= 1.0, key
        assert entry['latency_ms']['images'] == 1 and entry['latency_ms']['median'] > 0
        assert 0 < entry['latency_ms']['cpu_median']
        config = (tmp_path / 'work' / f"{entry['key']}_budget.py").read_text()
        assert "CPUTimeBudgetHook', budget_s=2.0" in config and 'num_workers=0' in config
    saved = json.loads((tmp_path / 'work' / 'compare_detectors.json').read_text())
    assert saved['detectors'][1]['label'] == 'MMOCR DBNet-R18 (FPNC)'
    table = (tmp_path / 'work' / 'compare_detectors.md').read_text().splitlines()
    assert len(table) == 4 and table[2].startswith('| TextBoxes-Retina R18-small (ours) |')
    assert compare_detectors.main(['--render',
                                   str(tmp_path / 'work' / 'compare_detectors.json')
                                   ])['detectors'][0]['key'] == 'textboxes_retina_r18_small'


@pytest.mark.timeout(120)
def test_budget_config_changes_only_what_differs(tmp_path):
    args = compare_detectors.parse_args(
        ['--cpu-budget-s', '7', '--data-dir',
         str(tmp_path), '--work-dir',
         str(tmp_path / 'w')])
    from mmengine.config import Config
    cfg = Config.fromfile(compare_detectors.budget_config('textboxes_retina_r18_small', args))
    base = Config.fromfile(
        osp.join(REPO_ROOT, compare_detectors.DETECTORS['textboxes_retina_r18_small'][1]))
    assert cfg.model == base.model and cfg.optim_wrapper == base.optim_wrapper
    assert cfg.param_scheduler == base.param_scheduler and cfg.train_cfg == base.train_cfg
    assert cfg.train_dataloader.dataset.data_root == str(tmp_path / 'train')
    assert cfg.train_dataloader.num_workers == 0 and cfg.val_dataloader is None
    assert cfg.custom_hooks == [dict(type='CPUTimeBudgetHook', budget_s=7.0)]
    assert [m['type'] for m in cfg.test_evaluator] == ['IC15HmeanMetric', 'HmeanIOUMetric']

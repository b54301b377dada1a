"""tools/analysis_tools/tta_speed.py on one toy image with two small scales (4 TTA views)."""
from pathlib import Path

import pytest

from textboxes_retina.testing import load_tool

ROOT = Path(__file__).parents[3]
TTA_CONFIG = ROOT / 'configs/_base_/tta/icdar2015_quad_tta.py'
SMALL = ROOT / 'configs/refine_textboxes/refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py'


@pytest.fixture
def tta_speed():
    return load_tool('tools/analysis_tools/tta_speed.py')


def test_needs_tta_settings(tta_speed):
    with pytest.raises(ValueError, match='--tta-config'):
        tta_speed.load_config(tta_speed.parse_args([str(SMALL)]))


def test_times_single_scale_and_tta_on_the_toy_images(tta_speed, tmp_path, capsys):
    small_tta = tmp_path / 'small_tta.py'
    small_tta.write_text(
        f"_base_ = ['{TTA_CONFIG}']\n"
        'tta_pipeline = _base_.tta_pipeline\n'
        "tta_pipeline[1]['transforms'][0] = [\n"
        "    dict(type='Resize', scale=s, keep_ratio=True) for s in [(64, 64), (96, 96)]]\n")
    numbers = tta_speed.main([
        str(SMALL), '--tta-config',
        str(small_tta), '--num-images', '1', '--warmup', '0', '--data-root',
        str(ROOT / 'tests/data/icdar2015_toy'), '--img-dir', 'imgs', '--ann-dir', 'gts',
        '--cfg-options', 'test_dataloader.dataset.pipeline.1.scale=(64,64)',
        'model.test_cfg.score_thr=0', 'model.test_cfg.nms_pre=20'
    ])
    assert numbers['views'] == 4
    for mode in ('single', 'tta'):
        assert numbers[mode]['model'] > 0 and numbers[mode]['pipeline'] > 0
        assert 0 < numbers[mode]['detections'] <= 300
    out = capsys.readouterr().out
    assert '1 images, device cpu, random weights' in out
    assert 'TTA (4 views)' in out and 'TTA / single' in out

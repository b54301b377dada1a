"""tools/analysis_tools/train_step_speed.py: step times of a config and of a variant of it."""
import pytest

from textboxes_retina.testing import load_tool
from textboxes_retina.testing.configs import DEMO_CONFIG

speed = load_tool('tools/analysis_tools/train_step_speed.py')


@pytest.mark.timeout(240)
def test_times_both_and_the_variant_is_the_config_with_the_change(capsys):
    result = speed.main([
        DEMO_CONFIG, '--variant', 'model.backbone.channels_last=False', '--repeats', '2',
        '--warmup', '0', '--cfg-options', 'train_dataloader.batch_size=7',
        'train_dataloader.dataset.data_root=tests/data/icdar2015_toy'
    ])
    assert len(result['config_s']) == len(result['variant_s']) == 2
    assert all(s > 0 for s in result['config_s'] + result['variant_s'])
    ordered = sorted(result['variant_s']), sorted(result['config_s'])
    assert result['ratio'] == pytest.approx(sum(ordered[0]) / sum(ordered[1]))  # medians of 2
    config_model, variant_model = result['models']
    assert config_model.backbone.channels_last and not variant_model.backbone.channels_last
    # the same seeded start, then two Adam steps each: the head's weights moved the same way
    # (the same network, its float32 sums in another order; Adam's normalised step turns a
    # rounding-sized change of a near-zero gradient into a change of the step's size, in a few
    # of the 13440 weights: compared as a whole)
    fresh = speed.build_step(speed.Config.fromfile(DEMO_CONFIG), {}, 'cpu')[0]
    start = fresh.bbox_head.retina_cls.weight
    moved = [m.bbox_head.retina_cls.weight.detach() - start for m in result['models']]
    assert moved[0].abs().max() > 0
    assert (moved[1] - moved[0]).norm() < 0.05 * moved[0].norm()
    out = capsys.readouterr().out
    # 7 images from the 5 of the folder: it draws again from a dataset smaller than a batch
    assert '7 images a step' in out and 'variant / config' in out


@pytest.mark.timeout(60)
@pytest.mark.parametrize('args', [['--repeats', '0'], ['--warmup', '-1'], []])
def test_refuses_bad_counts_and_a_missing_variant(args):
    variant = [] if not args else ['--variant', 'model.backbone.channels_last=False']
    with pytest.raises(SystemExit):
        speed.parse_args([DEMO_CONFIG, *variant, *args])

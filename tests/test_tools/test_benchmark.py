"""Fast checks of tools/analysis_tools/benchmark.py and its benchmark_lib pieces (tiny sizes)."""
import json
import os.path as osp
import time

import numpy as np
import pytest
import torch

from textboxes_retina.testing import load_tool

benchmark = load_tool('tools/analysis_tools/benchmark.py')
data, evaluation, model_zoo, postprocess, report, timing = (
    load_tool('tools/analysis_tools', f'benchmark_lib.{name}')
    for name in ('data', 'evaluation', 'model_zoo', 'postprocess', 'report', 'timing'))


@pytest.fixture
def one_thread():
    """Run torch on one thread (robust on a shared machine), restoring the setting after."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_summarize_times_known_values():
    stats = timing.summarize_times([0.004, 0.001, 0.003, 0.002])
    assert stats['median_ms'] == pytest.approx(2.5)
    assert stats['p90_ms'] == pytest.approx(3.7)  # numpy's linear interpolation
    assert stats['min_ms'] == pytest.approx(1.0)
    assert stats['runs'] == 4


def test_time_runs_warmup_repeats_and_budget():
    calls = []
    seconds = timing.time_runs(lambda: calls.append(1), repeats=3, warmup=2)
    assert len(calls) == 5 and len(seconds) == 3
    calls.clear()
    seconds = timing.time_runs(
        lambda: (calls.append(1), time.sleep(0.02)), repeats=10, warmup=0, budget_s=0.01)
    assert len(seconds) == 1 and seconds[0] >= 0.02


class _Sleep(torch.nn.Module):

    def __init__(self, seconds):
        super().__init__()
        self.seconds = seconds

    def forward(self, x):
        time.sleep(self.seconds)
        return x


def test_stage_timer_times_each_module_and_resets():
    first, second = _Sleep(0.03), _Sleep(0.01)
    model = torch.nn.Sequential(first, second)
    timer = timing.StageTimer(dict(first=first, second=second))
    model(torch.zeros(1))
    assert 0.03 <= timer.totals['first'] < 0.5
    assert 0.01 <= timer.totals['second'] < timer.totals['first']
    timer.reset()
    assert timer.totals == dict(first=0.0, second=0.0)
    timer.remove()
    model(torch.zeros(1))
    assert timer.totals == dict(first=0.0, second=0.0)


def test_peak_rss_sees_a_large_allocation():
    with timing.peak_rss() as memory:
        block = np.ones(64 * 2**20 // 8)  # 64 MiB, touched
        del block
    assert memory['peak_mib'] - memory['start_mib'] >= 50


def test_strip_pretrained_removes_nested_pretrained_init():
    cfg = dict(
        backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='x')),
        neck=[dict(init_cfg=[dict(type='Pretrained'), dict(type='Xavier')])],
        head=dict(init_cfg=dict(type='Normal')))
    model_zoo.strip_pretrained(cfg)
    assert 'init_cfg' not in cfg['backbone']
    assert cfg['neck'][0]['init_cfg'] == [dict(type='Xavier')]
    assert cfg['head']['init_cfg'] == dict(type='Normal')


def test_packaged_models_load_without_pretrained_weights():
    specs = model_zoo.model_specs()
    assert list(specs) == ['ours_c2', 'ours_c3', 'ours_small', 'dbnet_r50', 'retinanet_r50']
    for name in ('dbnet_r50', 'retinanet_r50'):
        assert osp.isfile(specs[name].config)
        assert 'Pretrained' not in str(model_zoo.load_model_config(specs[name]))
    c3 = model_zoo.load_model_config(specs['ours_c3'])
    levels = len(c3.bbox_head.anchor_generator.strides)
    assert c3.neck.start_level == 1 and c3.neck.num_outs == levels == 5
    assert c3.bbox_head.anchor_generator.strides[0] == 8


@pytest.fixture(scope='module')
def small_head():
    torch.manual_seed(0)
    return model_zoo.build_detector(model_zoo.model_specs()['ours_small']).bbox_head


def test_plain_quad_repairs_concave_and_drops_tiny():
    square = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)]
    assert len(postprocess._plain_quad(square[::-1], 1.0)) == 4
    dart = [(0.0, 0.0), (10.0, 0.0), (2.0, 2.0), (0.0, 10.0)]  # concave
    repaired = np.array(postprocess._plain_quad(dart, 1.0))
    xs, ys = repaired[:, 0], repaired[:, 1]
    area = abs(np.dot(xs, np.roll(ys, -1)) - np.dot(ys, np.roll(xs, -1))) / 2
    assert area >= 50 - 1e-3  # the min-area rectangle holds the whole triangle hull
    assert postprocess._plain_quad([(0, 0), (1, 0), (1, 0.5), (0, 0.5)], 1.0) is None


def test_reference_matches_ours_on_axis_aligned_quads(small_head, one_thread):
    size = 128
    cls_scores, bbox_preds = postprocess.make_head_outputs(small_head, size, num_words=4, seed=1)
    bbox_preds = [torch.zeros_like(b) for b in bbox_preds]  # decoded quads = anchors
    ours = postprocess.ours(small_head, cls_scores, bbox_preds, size)
    shapes = [c.shape[-2:] for c in cls_scores]
    anchors = small_head.prior_generator.grid_priors(shapes, device='cpu')
    ref = postprocess.reference(cls_scores, bbox_preds, anchors, size, small_head.test_cfg,
                                small_head.bbox_coder.means, small_head.bbox_coder.stds)
    comparison = postprocess.compare_kept(ours, *ref)
    assert comparison['same'] and comparison['ours_kept'] > 0
    # A different answer is caught.
    ours.scores = ours.scores.clone()
    ours.scores[0] += 0.1
    assert not postprocess.compare_kept(ours, *ref)['same']


def test_make_head_outputs_words_light_up_clusters(small_head):
    cls_scores, bbox_preds = postprocess.make_head_outputs(small_head, 128, num_words=3)
    assert len(cls_scores) == len(small_head.prior_generator.strides)
    lit = sum(int((c.sigmoid() > 0.5).sum()) for c in cls_scores)
    assert 3 * small_head.num_base_priors <= lit <= 3 * 9 * small_head.num_base_priors
    assert bbox_preds[0].shape[1] == small_head.num_base_priors * 12


def test_metrics_on_shared_predictions():
    images = evaluation.images_with_words(num_images=3, num_words=6, size=256, seed=0)
    samples = evaluation.make_samples(images, seed=0)
    assert len(samples[0]['gt_instances']['polygons']) == 6
    results = evaluation.benchmark_metrics(samples)
    assert set(results) == {'ours_ic15', 'ours_ic15_sweep', 'ours_ic13', 'mmocr_hmean_iou'}
    assert results['mmocr_hmean_iou']['speedup_vs_mmocr'] == 1.0
    for result in results.values():
        hmean = [v for k, v in result['metrics'].items() if k.endswith('/hmean')][0]
        assert 0.5 < hmean <= 1.0


def test_report_formats_without_rounding_up():
    assert report.fmt(0.99996) == '0.9999'
    assert report.fmt(19.996) == '19.99'
    assert report.fmt(2.5) == '2.5' and report.fmt(0.000123456) == '0.0001234'
    assert report.fmt(22795.9) == '22795' and report.fmt(-1.23456) == '-1.234'
    assert report.fmt(None) == '-' and report.fmt(False) == 'NO' and report.fmt(3) == '3'
    assert report.table(['a', 'b'], [[1, 'x']]) == '| a | b |\n|---|---|\n| 1 | x |'


def test_parse_args_quick_keeps_explicit_options():
    args = benchmark.parse_args(['--quick', '--sizes', '256', '--out-dir', 'x'])
    assert args.sizes == [256] and args.repeats == 1 and args.post_sizes == [128]
    assert args.data_dir == osp.join('x', 'data')
    full = benchmark.parse_args([])
    assert full.sizes == [512, 768, 960, 1280] and full.models[0] == 'ours_c2'
    assert full.ort_models == ['ours_small', 'ours_c2'] and full.ort_sizes == [768]
    assert args.ort_models == ['ours_small'] and args.ort_sizes == [128]


def test_quick_run_writes_json_markdown_and_plot(tmp_path, one_thread):
    results = benchmark.main([
        '--quick', '--sections', 'evaluation', '--eval-images', '3', '--metric-images', '1',
        '--words', '2', '4', '--out-dir',
        str(tmp_path)
    ])
    assert results['evaluation']['num_images'] == 3
    with open(tmp_path / 'benchmark.json') as f:
        saved = json.load(f)
    assert saved['machine']['torch_threads'] == 1
    assert [row['num_words'] for row in saved['evaluation']['words']] == [2, 4]
    assert '### Evaluation' in (tmp_path / 'benchmark.md').read_text()
    assert (tmp_path / 'scaling.png').stat().st_size > 10000
    # Re-rendering the saved JSON measures nothing and writes the same tables.
    rendered = tmp_path / 'rendered'
    benchmark.main(['--render', str(tmp_path / 'benchmark.json'), '--out-dir', str(rendered)])
    assert (rendered / 'benchmark.md').read_text() == (tmp_path / 'benchmark.md').read_text()
    assert (rendered / 'scaling.png').exists()


@pytest.mark.timeout(180)
def test_quick_onnxruntime_section(tmp_path, one_thread):
    pytest.importorskip('onnxruntime')
    results = benchmark.main(
        ['--quick', '--sections', 'onnxruntime', '--repeats', '2', '--out-dir',
         str(tmp_path)])
    (row, ) = results['onnxruntime']
    assert row['model'] == 'ours_small' and row['input_shape'] == [128, 128]
    assert row['runs'] == 2 and row['threads'] == 1
    for key in ('pytorch', 'onnxruntime', 'pytorch_network', 'onnxruntime_network'):
        assert row[f'{key}_median_ms'] > 0
    assert row['ort_vs_pytorch'] == pytest.approx(row['onnxruntime_median_ms'] /
                                                  row['pytorch_median_ms'])
    # Same network up to float rounding (random weights tie scores near 0.01, so the kept
    # quads are compared in tests/test_tools/test_pytorch2onnx.py, not here).
    assert row['max_abs_diff'] < 1e-3
    assert min(row['num_detections'].values()) > 0
    assert (tmp_path / 'onnx' / 'ours_small.onnx').is_file()
    assert '### ONNX Runtime vs PyTorch' in (tmp_path / 'benchmark.md').read_text()

"""IC15HmeanMetric: the protocol through MMOCR data samples, thresholds, sweep, per-image JSON,
and agreement with MMOCR's HmeanIOUMetric."""
import json

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmocr.evaluation import HmeanIOUMetric
from oracles.ic15_per_image_reference import ic15_image_result, ic15_method_metrics, ic15_overlaps

from textboxes_retina.evaluation import IC15HmeanMetric


class PerImageIC15Metric(IC15HmeanMetric):
    """The metric interface implemented image by image with the per-image reference
    (``tests/oracles/ic15_per_image_reference.py``), as the metric was computed before the
    whole-dataset path (the test oracle)."""

    def prepare(self, results):
        prepared = []
        for result in results:
            iou, det_dontcare = ic15_overlaps(result['gt_polygons'], result['gt_ignored'],
                                              result['pred_polygons'], self.area_precision_thr)
            prepared.append(
                dict(
                    iou=iou,
                    gt_ignored=result['gt_ignored'],
                    det_dontcare=det_dontcare,
                    scores=result['scores']))
        return prepared

    def score_at(self, prepared, score_thr):
        return ic15_method_metrics(self.image_results(prepared, score_thr))

    def image_results(self, prepared, score_thr):
        return [self._evaluate_image(image, image['scores'] >= score_thr) for image in prepared]

    def _evaluate_image(self, prepared, keep):
        result = ic15_image_result(prepared['iou'][:, keep], prepared['gt_ignored'],
                                   prepared['det_dontcare'][keep], self.iou_thr)
        kept = self.kept_indices(keep)
        result['pairs'] = [[gt, int(kept[det])] for gt, det in result['pairs']]
        result['det_dontcare'] = kept[result['det_dontcare']].tolist()
        return result


def test_hand_worked_dataset(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [
        # g0 matched by d0 (IoU 0.9); d1 (score 0.3) is below the threshold; g1 missed.
        make([box(0, 0, 100, 50), box(200, 0, 300, 50)], [False, False],
             [box(10, 0, 100, 50), box(400, 400, 450, 420)], [0.9, 0.3], 'a/img_1.jpg'),
        # A don't-care word and a detection on it (don't care), plus a false positive.
        make([box(0, 0, 100, 10)], [True],
             [box(0, 0, 60, 10), box(300, 0, 400, 10)], [0.8, 0.7], 'a/img_2.jpg'),
        # No ground truth, no detections.
        make([], [], [], [], 'a/img_3.jpg'),
    ]
    # At 0.4: matched 1, gt 2, det 2 (d0 and the false positive): P = R = H = 0.5.
    metrics = sample_tools['run_metric'](IC15HmeanMetric(score_thr=0.4), samples)
    assert metrics == pytest.approx({
        'ic15/precision': 0.5,
        'ic15/recall': 0.5,
        'ic15/hmean': 0.5
    },
                                    abs=1e-6)
    # At 0.2 the low-score false positive counts too: P = 1/3, R = 1/2, H = 0.4.
    metrics = sample_tools['run_metric'](IC15HmeanMetric(score_thr=0.2), samples)
    assert metrics == pytest.approx({
        'ic15/precision': 1 / 3,
        'ic15/recall': 0.5,
        'ic15/hmean': 0.4
    },
                                    abs=1e-6)


def test_sweep_is_labelled_and_does_not_change_the_reported_numbers(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [
        make([box(0, 0, 100, 10)], [False],
             [box(0, 0, 100, 10), box(300, 0, 400, 10)], [0.9, 0.5])
    ]
    # At 0.4: P = 1/2, R = 1, H = 2/3. Sweep [0.3, 0.6, 0.95]: 2/3, 1 (best), 0.
    metric = IC15HmeanMetric(score_thr=0.4, score_thr_sweep=[0.3, 0.6, 0.95])
    metrics = sample_tools['run_metric'](metric, samples)
    assert metrics['ic15/hmean'] == pytest.approx(2 / 3)
    assert metrics['ic15/sweep_best_thr'] == 0.6
    assert metrics['ic15/sweep_best_hmean'] == pytest.approx(1.0)
    assert metrics['ic15/sweep_best_precision'] == pytest.approx(1.0)
    assert metrics['ic15/sweep_best_recall'] == pytest.approx(1.0)
    # The MMOCR-style dict form of the sweep.
    metric = IC15HmeanMetric(score_thr_sweep=dict(start=0.3, stop=0.91, step=0.1))
    assert metric.score_thr_sweep == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def test_per_image_json(tmp_path, sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [
        make([box(0, 0, 100, 10), box(200, 0, 300, 10)], [False, True],
             [box(0, 0, 10, 10), box(200, 0, 300, 10),
              box(0, 0, 100, 10)], [0.9, 0.9, 0.9], 'x/img_7.jpg'),
        make([box(0, 0, 100, 10)], [False], [], [], 'x/img_8.jpg'),
    ]
    path = tmp_path / 'out' / 'per_image.json'
    sample_tools['run_metric'](IC15HmeanMetric(per_image_json=str(path)), samples)
    dump = json.loads(path.read_text())
    assert dump['protocol'] == 'IC15' and dump['score_thr'] == 0.4
    first, second = dump['images']
    # img_7: d1 lies on the don't-care g1; g0 matches d2 (d0 is too small).
    assert first['name'] == 'img_7'
    assert first['pairs'] == [[0, 2]] and first['det_dontcare'] == [1]
    assert (first['precision'], first['recall']) == (0.5, 1.0)
    assert second == dict(second, name='img_8', precision=0.0, recall=0.0, num_matched=0)
    assert dump['metrics']['recall'] == pytest.approx(0.5)


def test_indices_in_per_image_results_refer_to_all_predictions(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    # d0 is below the threshold; the match is reported with the original index 1.
    metric = IC15HmeanMetric(score_thr=0.5)
    metric.process({}, [
        make([box(0, 0, 10, 10)], [False], [box(0, 0, 10, 10), box(0, 0, 10, 10)],
             [0.1, 0.9]).to_dict()
    ])
    (result, ) = metric.evaluate_at(metric.results, 0.5)
    assert result['pairs'] == [[0, 1]]


def test_same_results_as_the_per_image_reference(tmp_path, sample_tools):
    """Reported numbers, sweep and per-image JSON equal, bit for bit, those of the per-image
    path, on float quads with don't-care words, duplicates and a bow-tie."""
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = sample_tools['random_quad_samples'](seed=5, num_images=40)
    rng = np.random.default_rng(5)
    samples.append(
        make([box(0, 0, 12, 12), box(20, 0, 30, 9.5)], [False, True], [[0, 0, 12, 12, 12, 0, 0, 6],
                                                                       box(0.5, 0, 12, 12),
                                                                       box(20.7, 0, 30, 10),
                                                                       box(21, 0, 30, 10)],
             rng.uniform(0, 1, 4)))
    for sample in samples[::3]:
        sample.pred_instances.polygons = [
            polygon + rng.uniform(-1, 1, 8).astype(np.float32)
            for polygon in sample.pred_instances.polygons
        ]
    outputs = []
    for metric_type in (IC15HmeanMetric, PerImageIC15Metric):
        path = tmp_path / f'{metric_type.__name__}.json'
        metric = metric_type(
            score_thr=0.5, score_thr_sweep=[0.2, 0.4, 0.6, 0.8], per_image_json=str(path))
        outputs.append((sample_tools['run_metric'](metric, samples), path.read_text()))
    assert outputs[0] == outputs[1]
    assert 0 < outputs[0][0]['ic15/hmean'] < 1


def test_prefix_through_the_evaluator(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    with DefaultScope.overwrite_default_scope('mmocr'):  # configs use default_scope='mmocr'
        evaluator = Evaluator(dict(type='IC15HmeanMetric'))
    evaluator.process([make([box(0, 0, 10, 10)], [False], [box(0, 0, 10, 10)], [0.9])])
    assert evaluator.evaluate(1) == {'ic15/precision': 1.0, 'ic15/recall': 1.0, 'ic15/hmean': 1.0}


def test_non_quadrilateral_polygons_are_rejected(sample_tools):
    make = sample_tools['make_sample']
    metric = IC15HmeanMetric()
    with pytest.raises(ValueError, match='quadrilaterals'):
        metric.process({}, [make([[0, 0, 10, 0, 10, 10, 5, 15, 0, 10]], [False], [], [])])


@pytest.mark.parametrize('score_thr', [0.3, 0.5, 0.7])
def test_agrees_with_mmocr_hmean_iou_metric(score_thr, sample_tools):
    """Integer convex quads (where truncation and bow-ties cannot differ): same numbers as
    MMOCR's HmeanIOUMetric at the same fixed threshold with the vanilla strategy."""
    samples = sample_tools['random_quad_samples'](seed=int(score_thr * 10), num_images=15)
    ours = sample_tools['run_metric'](IC15HmeanMetric(score_thr=score_thr), samples)
    mmocr = sample_tools['run_metric'](HmeanIOUMetric(
        strategy='vanilla', pred_score_thrs=dict(start=score_thr, stop=score_thr + 0.01, step=0.1)),
                                       samples)
    assert 0 < ours['ic15/hmean'] < 1  # a case that exercises misses and false positives
    for key in ('precision', 'recall', 'hmean'):
        assert ours[f'ic15/{key}'] == pytest.approx(mmocr[f'icdar/{key}'], abs=1e-6)


def test_differs_from_mmocr_where_the_official_script_truncates(sample_tools):
    """Float detection [16.9, 117] x [0, 10] on gt [50, 150] x [0, 10]: IoU 0.5034 with floats
    (MMOCR matches) but exactly 0.5 on the script's integers (no match)."""
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [make([box(50, 0, 150, 10)], [False], [box(16.9, 0, 117, 10)], [0.9])]
    ours = sample_tools['run_metric'](IC15HmeanMetric(score_thr=0.5), samples)
    mmocr = sample_tools['run_metric'](HmeanIOUMetric(
        pred_score_thrs=dict(start=0.5, stop=0.51, step=0.1)), samples)
    assert ours['ic15/hmean'] == 0.0
    assert mmocr['icdar/hmean'] == pytest.approx(1.0)

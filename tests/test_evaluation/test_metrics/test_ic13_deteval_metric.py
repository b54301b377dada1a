"""IC13DetEvalMetric: DetEval through MMOCR data samples, on the boxes of quads."""
import json

import pytest

from textboxes_retina.evaluation import IC13DetEvalMetric


def test_hand_worked_dataset(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [
        # Split: g = [0,99]x[0,9] detected as two halves -> R credit 0.8, P credit 1.6.
        make([box(0, 0, 99, 9)], [False], [box(0, 0, 49, 9), box(50, 0, 99, 9)], [0.9, 0.9],
             'a/img_1.jpg'),
        # Merge: two words in one detection -> R credit 2, P credit 1. The tilted detection's
        # box is [0,109]x[0,9] after truncation.
        make([box(0, 0, 49, 9), box(60, 0, 109, 9)], [False, False],
             [[0.5, 0.2, 109.9, 0, 109.4, 9.8, 0, 9.3]], [0.8], 'a/img_2.jpg'),
        # A low-score false positive (0.3) and nothing else.
        make([], [], [box(0, 0, 9, 9)], [0.3], 'a/img_3.jpg'),
    ]
    # At 0.4: R = 2.8 / 3, P = 2.6 / 3, H = 2 * R * P / (R + P).
    recall, precision = 2.8 / 3, 2.6 / 3
    metrics = sample_tools['run_metric'](IC13DetEvalMetric(score_thr=0.4), samples)
    assert metrics == pytest.approx(
        {
            'ic13/precision': precision,
            'ic13/recall': recall,
            'ic13/hmean': 2 * recall * precision / (recall + precision)
        },
        abs=1e-6)
    # At 0.2 the false positive adds a detection: P = 2.6 / 4.
    metrics = sample_tools['run_metric'](IC13DetEvalMetric(score_thr=0.2), samples)
    assert metrics['ic13/precision'] == pytest.approx(2.6 / 4, abs=1e-6)
    assert metrics['ic13/recall'] == pytest.approx(recall, abs=1e-6)


def test_dropping_one_half_of_a_split_by_score(sample_tools, tmp_path):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [make([box(0, 0, 99, 9)], [False], [box(0, 0, 49, 9), box(50, 0, 99, 9)], [0.9, 0.5])]
    path = tmp_path / 'ic13.json'
    metric = IC13DetEvalMetric(score_thr=0.6, score_thr_sweep=[0.4, 0.6], per_image_json=path)
    metrics = sample_tools['run_metric'](metric, samples)
    # At 0.6 only the left half remains (recall 0.5): nothing matches. At 0.4: the split.
    assert (metrics['ic13/precision'], metrics['ic13/recall'], metrics['ic13/hmean']) == (0, 0, 0)
    assert metrics['ic13/sweep_best_thr'] == 0.4
    assert metrics['ic13/sweep_best_hmean'] == pytest.approx(0.8)
    (image, ) = json.loads(path.read_text())['images']
    assert image['name'] == 'img_1' and image['pairs'] == []


def test_dont_care_words_and_weights(sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    samples = [
        # d1 covers the don't-care word (precision 0.5 > 0.4): don't care. Merge d2 of g1, g2.
        make([box(0, 0, 99, 9),
              box(200, 0, 299, 9),
              box(400, 0, 449, 9),
              box(460, 0, 509, 9)], [False, True, False, False],
             [box(0, 0, 99, 9), box(250, 0, 349, 9),
              box(400, 0, 509, 9)], [0.9, 0.9, 0.9])
    ]
    # Official weights: R = (1 + 2) / 3, P = (1 + 1) / 2.
    metrics = sample_tools['run_metric'](IC13DetEvalMetric(), samples)
    assert (metrics['ic13/recall'], metrics['ic13/precision']) == pytest.approx((1.0, 1.0))
    # A merge weight of 0.5: R = (1 + 0.5 * 2) / 3, P = (1 + 0.5) / 2.
    metrics = sample_tools['run_metric'](IC13DetEvalMetric(weights=dict(om_m=0.5)), samples)
    assert (metrics['ic13/recall'], metrics['ic13/precision']) == pytest.approx((2 / 3, 0.75))

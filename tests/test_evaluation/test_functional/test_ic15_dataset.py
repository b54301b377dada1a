"""The whole-dataset IC15 protocol gives exactly what the per-image reference
(``tests/oracles/ic15_per_image_reference.py``) gives."""
import numpy as np
import pytest
from oracles.ic15_per_image_reference import evaluate_ic15_image, ic15_method_metrics, ic15_overlaps

from textboxes_retina.evaluation.functional import (ic15_dataset_image_results, ic15_dataset_match,
                                                    ic15_dataset_method_metrics,
                                                    ic15_dataset_overlaps)
from textboxes_retina.evaluation.functional import ic15_protocol as ic15_protocol_module

THRESHOLDS = (0.0, 0.3, 0.5, 0.7, 1.1)


def box(x1, y1, x2, y2):
    return [x1, y1, x2, y1, x2, y2, x1, y2]


def reference_results(images, score_thr, iou_thr=0.5, area_precision_thr=0.5):
    """The per-image protocol on the detections scoring at least ``score_thr``, detection
    indices mapped back to all detections."""
    results = []
    for gt, ignored, det, scores in images:
        kept = np.flatnonzero(scores >= score_thr)
        result = evaluate_ic15_image(gt, ignored, det[kept], iou_thr, area_precision_thr)
        results.append(
            dict(
                result,
                pairs=[[g, int(kept[d])] for g, d in result['pairs']],
                det_dontcare=kept[result['det_dontcare']].tolist()))
    return results


def dataset_results(images, score_thr, iou_thr=0.5, area_precision_thr=0.5):
    gts, ignored, dets, scores = zip(*images) if images else ([], [], [], [])
    overlaps = ic15_dataset_overlaps(gts, ignored, dets, iou_thr, area_precision_thr)
    match = ic15_dataset_match(overlaps, np.concatenate([np.zeros(0), *scores]) >= score_thr)
    return ic15_dataset_image_results(overlaps, match), ic15_dataset_method_metrics(match)


def assert_same_as_reference(images, **kwargs):
    for score_thr in THRESHOLDS:
        expected = reference_results(images, score_thr, **kwargs)
        image_results, metrics = dataset_results(images, score_thr, **kwargs)
        assert image_results == expected
        assert metrics == ic15_method_metrics(expected)


def random_image(rng):
    """Jittered copies of the words (some duplicated), false positives, odd quads, with float
    or integer coordinates, in random order."""
    num_gt = int(rng.integers(0, 7))
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    centres = rng.integers(20, 200, (num_gt, 1, 2))
    gt = (centres + corners * rng.integers(4, 30, (num_gt, 1, 2)) +
          rng.integers(-3, 4, (num_gt, 4, 2))).reshape(-1, 8).astype(float)
    copies = gt[rng.integers(0, max(num_gt, 1), int(rng.integers(0, 9)))] if num_gt else gt
    dets = [copies + rng.integers(-6, 7, copies.shape) * rng.integers(0, 2)]
    dets.append(rng.integers(0, 220, (int(rng.integers(0, 4)), 8)))  # anything: bow-ties...
    if num_gt:  # a word and copies slid by w/3, w/2, w/4: IoU 1/2 (the tie), 1/3, 3/5
        (x1, y1), width, height = rng.integers(0, 150, 2), 12 * rng.integers(1, 5), 8
        gt[0] = box(x1, y1, x1 + width, y1 + height)
        dets.append(
            np.array([
                box(x1 + width // shift, y1, x1 + width + width // shift, y1 + height)
                for shift in (3, 2, 4)
            ], float))
    dets.append(
        np.array(
            [
                [0, 0, 40, 0, 10, 10, 0, 40],  # concave
                [0, 0, 20, 0, 40, 0, 0, 30]
            ],
            float)[:int(rng.integers(0, 3))])
    det = np.concatenate(dets).astype(float)
    det = det[rng.permutation(len(det))]
    if rng.random() < 0.5:
        gt, det = gt + rng.uniform(0, 1, gt.shape), det + rng.uniform(0, 1, det.shape)
    scores = rng.choice([0.3, 0.5, 0.6, 0.9], len(det))
    return gt, rng.random(num_gt) < 0.25, det, scores


def test_random_datasets_give_the_reference_results():
    rng = np.random.default_rng(0)
    images = [random_image(rng) for _ in range(300)]
    # Exact IoU ties (1/2) and concave and bow-tie detections are among them.
    ties = sum(
        int(np.any(ic15_overlaps(gt, ignored, det)[0] == 0.5)) for gt, ignored, det, _ in images)
    assert ties > 50
    assert_same_as_reference(images)
    assert_same_as_reference(images[:40], iou_thr=0.3, area_precision_thr=0.2)


def test_rounding_of_the_fast_path_does_not_decide_ties(monkeypatch):
    """Areas off by a rounding error (1e-12 relative) still give the reference's decisions on
    exact ties (IoU 1/2, don't-care precision 1/2 on integer boxes): pairs within the tie
    tolerance are re-measured with shapely."""
    fast_areas = ic15_protocol_module.quad_intersection_areas
    monkeypatch.setattr(ic15_protocol_module, 'quad_intersection_areas',
                        lambda quads_a, quads_b: fast_areas(quads_a, quads_b) * (1 + 1e-12))
    rng = np.random.default_rng(1)
    images = [random_image(rng) for _ in range(100)]
    images = [(np.trunc(gt), ignored, np.trunc(det), scores) for gt, ignored, det, scores in images]
    assert_same_as_reference(images)


def test_bow_ties_duplicates_and_empty_images():
    bow_tie = [0, 0, 12, 12, 12, 0, 0, 6]
    symmetric_bow_tie = [0, 0, 10, 10, 10, 0, 0, 10]
    images = [
        (np.zeros((0, 8)), np.zeros(0, bool), np.zeros((0, 8)), np.zeros(0)),
        # Bow-tie detections against boxes (Polygon-library areas), one on a don't-care word.
        (np.array([box(4, 0, 12, 12), box(0, 0, 10, 10),
                   box(40, 0, 52, 12)], float), np.array([False, False, True]),
         np.array([bow_tie, symmetric_bow_tie,
                   np.add(bow_tie, [40, 0] * 4)], float), np.array([0.9, 0.9, 0.9])),
        (np.array([box(0, 0, 10, 10)], float), np.array([False]), np.zeros((0, 8)), np.zeros(0)),
        # Five identical detections of two identical words: a conflict the greedy rule solves.
        (np.array([box(0, 0, 10, 10)] * 2, float), np.array([False, False]),
         np.array([box(0, 0, 10, 10)] * 5, float), np.array([0.9, 0.2, 0.9, 0.9, 0.9])),
        (np.zeros((0, 8)), np.zeros(0, bool), np.array([box(0, 0, 10, 10)],
                                                       float), np.array([0.9])),
        # Greedy matching in gt order is not maximal (from the per-image tests).
        (np.array([box(0, 0, 100, 10), box(40, 0, 140, 10)], float), np.array([False, False]),
         np.array([box(20, 0, 120, 10), box(0, 0, 80, 10)], float), np.array([0.9, 0.9])),
    ]
    assert_same_as_reference(images)
    image_results, _ = dataset_results(images, 0.5)
    assert image_results[1]['pairs'] == [[0, 0], [1, 1]]
    assert image_results[1]['det_dontcare'] == [2]
    assert image_results[3]['pairs'] == [[0, 0], [1, 2]]
    # No images at all.
    assert dataset_results([], 0.5) == ([], {'precision': 0.0, 'recall': 0.0, 'hmean': 0.0})


def test_mismatched_ignore_flags_are_rejected():
    with pytest.raises(ValueError, match='ignore flags'):
        ic15_dataset_overlaps([np.zeros((2, 8))], [np.zeros(1, bool)], [np.zeros((0, 8))])

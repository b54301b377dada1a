"""IC15 (Challenge 4, IoU) protocol: hand-worked cases for every branch of the official script.

They check the RRC polygon measure of the package (``rrc_polygon_areas``,
``rrc_intersection_areas``) and the per-image reference the package's whole-dataset protocol
is tested against (``tests/oracles/ic15_per_image_reference.py``, see ``test_ic15_dataset.py``).
Every expected number below is worked out by hand in the comments (areas of integer boxes and
triangles), not produced by the code under test.
"""
import numpy as np
import pytest
from oracles.ic15_per_image_reference import (evaluate_ic15_image, ic15_match, ic15_method_metrics,
                                              ic15_overlaps, pairwise_intersection_areas)

from textboxes_retina.evaluation.functional import rrc_intersection_areas, rrc_polygon_areas


def box(x1, y1, x2, y2):
    """A clockwise quad (image coordinates) for the box [x1, x2] x [y1, y2]."""
    return [x1, y1, x2, y1, x2, y2, x1, y2]


def quads(*rows):
    return np.array(rows, dtype=np.float64).reshape(-1, 8)


def flags(*values):
    return np.array(values, dtype=bool)


# A bow-tie: edges (0,0)-(12,12) and (12,0)-(0,6) cross at (4,4). Lobes: triangle
# (0,0),(4,4),(0,6) of area 6*4/2 = 12 and triangle (4,4),(12,12),(12,0) of area 12*8/2 = 48.
BOW_TIE = [0, 0, 12, 12, 12, 0, 0, 6]
# A symmetric bow-tie: lobes (0,0),(5,5),(0,10) and (5,5),(10,10),(10,0), 25 each.
SYMMETRIC_BOW_TIE = [0, 0, 10, 10, 10, 0, 0, 10]


def assert_prh(result, precision, recall, hmean):
    assert result['precision'] == pytest.approx(precision, abs=1e-6)
    assert result['recall'] == pytest.approx(recall, abs=1e-6)
    assert result['hmean'] == pytest.approx(hmean, abs=1e-6)


def test_quad_areas_follow_the_polygon_library():
    # Simple box 100 x 50; the bow-ties: |48 - 12| = 36 and |25 - 25| = 0 (signed lobes cancel).
    areas = rrc_polygon_areas(quads(box(0, 0, 100, 50), BOW_TIE, SYMMETRIC_BOW_TIE))
    np.testing.assert_allclose(areas, [5000, 36, 0])
    # Orientation does not matter (counter-clockwise box).
    assert rrc_polygon_areas(quads([0, 0, 0, 50, 100, 50, 100, 0]))[0] == 5000


def test_intersections_cover_both_lobes_of_a_bow_tie():
    # Against the square [0,12]^2 both lobes are inside: 12 + 48 = 60; against [4,12]x[0,12]
    # only the right lobe: 48; boxes that only touch or are far apart: 0.
    inter = pairwise_intersection_areas(
        quads(box(0, 0, 12, 12), box(4, 0, 12, 12), box(12, 0, 20, 12), box(50, 50, 60, 60)),
        quads(BOW_TIE))
    np.testing.assert_allclose(inter[:, 0], [60, 48, 0, 0])
    # The package's aligned measure gives the same areas pair by pair.
    np.testing.assert_allclose(
        rrc_intersection_areas(
            quads(box(0, 0, 12, 12), box(4, 0, 12, 12), box(12, 0, 20, 12), box(50, 50, 60, 60)),
            quads(BOW_TIE, BOW_TIE, BOW_TIE, BOW_TIE)), [60, 48, 0, 0])
    assert rrc_intersection_areas(quads(), quads()).shape == (0, )
    # Empty inputs give empty matrices of the right shape.
    assert pairwise_intersection_areas(quads(), quads(BOW_TIE)).shape == (0, 1)
    assert pairwise_intersection_areas(quads(BOW_TIE), quads()).shape == (1, 0)


def test_collapsed_detection_has_no_area_and_no_overlap():
    # All four points on one line: area 0, intersection 0, IoU 0 (the script's union is the
    # gt area, so no division by zero).
    iou, dontcare = ic15_overlaps(
        quads(box(0, 0, 10, 10)), flags(False), quads([0, 0, 5, 5, 10, 10, 3, 3]))
    assert iou[0, 0] == 0 and not dontcare[0]


def test_one_to_one_match_miss_and_false_positive():
    # d0 = [10,100]x[0,50] lies inside g0 = [0,100]x[0,50]: IoU = 4500 / 5000 = 0.9 -> match.
    # g1 is missed, d1 is a false positive: P = 1/2, R = 1/2, H = 1/2.
    result = evaluate_ic15_image(
        quads(box(0, 0, 100, 50), box(200, 0, 300, 50)), flags(False, False),
        quads(box(10, 0, 100, 50), box(400, 400, 450, 420)))
    assert result['pairs'] == [[0, 0]]
    assert (result['num_gt_care'], result['num_det_care'], result['num_matched']) == (2, 2, 1)
    assert_prh(result, 0.5, 0.5, 0.5)


def test_coordinates_are_truncated_before_measuring():
    # g = [50,150]x[0,10]. With float coordinates d = [16.9,117]x[0,10] has
    # IoU = 67*10 / (1000 + 1001 - 670) = 670 / 1331 = 0.50338 > 0.5, but the script reads
    # int(16.9) = 16: IoU = 670 / (1000 + 1010 - 670) = 670 / 1340 = 0.5, not > 0.5: no match.
    gt, det = quads(box(50, 0, 150, 10)), quads(box(16.9, 0, 117.0, 10))
    iou, _ = ic15_overlaps(gt, flags(False), det)
    assert iou[0, 0] == pytest.approx(0.5, abs=1e-12)
    assert_prh(evaluate_ic15_image(gt, flags(False), det), 0.0, 0.0, 0.0)
    # Truncation is towards zero, like int(): 117.99 -> 117 gives the same IoU.
    iou_up, _ = ic15_overlaps(gt, flags(False), quads(box(16.99, 0.5, 117.99, 10.7)))
    assert iou_up[0, 0] == pytest.approx(0.5, abs=1e-12)


def test_dont_care_filtering_uses_area_precision_over_half():
    # g0 = [0,100]x[0,10] cared for, g1 = [200,300]x[0,10] don't care. Detections (area 1000
    # unless said):
    #   d0 = g0                       -> match
    #   d1 = [200,260] (area 600)     -> 600/600 = 1.0 of it on g1 -> don't care
    #   d2 = [240,340]                -> 600/1000 = 0.6 > 0.5       -> don't care
    #   d3 = [270,370]                -> 300/1000 = 0.3             -> false positive
    #   d4 = [250,350]                -> 500/1000 = 0.5, not > 0.5  -> false positive
    # Cared-for: 1 gt, 3 detections, 1 match: P = 1/3, R = 1, H = 2/3 / (4/3) = 0.5.
    result = evaluate_ic15_image(
        quads(box(0, 0, 100, 10), box(200, 0, 300, 10)), flags(False, True),
        quads(
            box(0, 0, 100, 10), box(200, 0, 260, 10), box(240, 0, 340, 10), box(270, 0, 370, 10),
            box(250, 0, 350, 10)))
    assert result['det_dontcare'] == [1, 2]
    assert result['gt_dontcare'] == [1]
    assert result['pairs'] == [[0, 0]]
    assert_prh(result, 1 / 3, 1.0, 0.5)


def test_a_dont_care_gt_is_never_matched():
    # The detection equals the don't-care word: it becomes don't care too; nothing is counted.
    result = evaluate_ic15_image(quads(box(0, 0, 10, 10)), flags(True), quads(box(0, 0, 10, 10)))
    assert (result['num_gt_care'], result['num_det_care'], result['num_matched']) == (0, 0, 0)
    assert_prh(result, 1.0, 1.0, 1.0)  # per-sample rule: no gt care, no det care


def test_greedy_matching_in_ground_truth_order_is_not_maximal():
    # g0 = [0,100], g1 = [40,140] (all boxes 10 high).
    # d0 = [20,120]: IoU 80/120 = 0.667 with g0 and with g1.  d1 = [0,80]: IoU 80/100 = 0.8 with
    # g0, 40/140 = 0.286 with g1. g0 takes the first free detection over 0.5, d0; g1 then has
    # none. One match (a maximum matching would find two): P = R = H = 1/2.
    result = evaluate_ic15_image(
        quads(box(0, 0, 100, 10), box(40, 0, 140, 10)), flags(False, False),
        quads(box(20, 0, 120, 10), box(0, 0, 80, 10)))
    assert result['pairs'] == [[0, 0]]
    assert_prh(result, 0.5, 0.5, 0.5)


def test_match_order_follows_detection_order():
    iou = np.array([[0.6, 0.9]])
    np.testing.assert_array_equal(ic15_match(iou, flags(False), flags(False, False)), [[0, 0]])
    np.testing.assert_array_equal(ic15_match(iou, flags(False), flags(True, False)), [[0, 1]])
    # IoU exactly at the threshold does not match (strict >).
    assert ic15_match(np.array([[0.5]]), flags(False), flags(False)).shape == (0, 2)


def test_bow_tie_detection_measured_like_the_polygon_library():
    # gt [4,12]x[0,12] (area 96) vs BOW_TIE (area 36): intersection = right lobe = 48,
    # IoU = 48 / (36 + 96 - 48) = 48 / 84 = 0.5714 > 0.5 -> match. (The true region of the
    # bow-tie, 60, would give 48 / 108 = 0.444: no match.)
    gt = quads(box(4, 0, 12, 12))
    iou, _ = ic15_overlaps(gt, flags(False), quads(BOW_TIE))
    assert iou[0, 0] == pytest.approx(48 / 84, abs=1e-9)
    assert_prh(evaluate_ic15_image(gt, flags(False), quads(BOW_TIE)), 1.0, 1.0, 1.0)
    # Square [0,12]^2 (144): IoU = 60 / (36 + 144 - 60) = 0.5, not > 0.5: no match.
    iou, _ = ic15_overlaps(quads(box(0, 0, 12, 12)), flags(False), quads(BOW_TIE))
    assert iou[0, 0] == pytest.approx(0.5, abs=1e-9)
    # Symmetric bow-tie (area 0) on [0,10]^2: IoU = 50 / (0 + 100 - 50) = 1.0.
    iou, _ = ic15_overlaps(quads(box(0, 0, 10, 10)), flags(False), quads(SYMMETRIC_BOW_TIE))
    assert iou[0, 0] == pytest.approx(1.0, abs=1e-9)


def test_bow_tie_dont_care_precision():
    # BOW_TIE on a don't-care [4,12]x[0,12]: precision = 48 / 36 = 1.33 > 0.5 -> don't care.
    # SYMMETRIC_BOW_TIE has area 0: the script sets precision to 0 -> it stays a false positive.
    _, dontcare = ic15_overlaps(
        quads(box(4, 0, 12, 12), box(0, 0, 10, 10)), flags(True, True),
        quads(BOW_TIE, SYMMETRIC_BOW_TIE))
    np.testing.assert_array_equal(dontcare, [True, False])


def test_empty_image_no_detections_and_no_ground_truth():
    empty = evaluate_ic15_image(quads(), flags(), quads())
    assert_prh(empty, 1.0, 1.0, 1.0)
    no_det = evaluate_ic15_image(
        quads(box(0, 0, 10, 10), box(20, 0, 30, 10)), flags(False, False), quads())
    assert_prh(no_det, 0.0, 0.0, 0.0)
    no_gt = evaluate_ic15_image(quads(), flags(),
                                quads(box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)))
    assert_prh(no_gt, 0.0, 1.0, 0.0)
    assert no_gt['num_det_care'] == 3


def test_dataset_numbers_come_from_global_counts():
    # Images: one match out of 2 gt / 2 det; empty; 2 gt without detections; 3 detections
    # without gt. Global: matched 1, gt 4, det 5 -> R = 0.25, P = 0.2,
    # H = 2 * 0.05 / 0.45 = 0.222222 (averaging per-image numbers would give something else).
    results = [
        evaluate_ic15_image(
            quads(box(0, 0, 100, 50), box(200, 0, 300, 50)), flags(False, False),
            quads(box(10, 0, 100, 50), box(400, 400, 450, 420))),
        evaluate_ic15_image(quads(), flags(), quads()),
        evaluate_ic15_image(
            quads(box(0, 0, 10, 10), box(20, 0, 30, 10)), flags(False, False), quads()),
        evaluate_ic15_image(quads(), flags(),
                            quads(box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10))),
    ]
    assert_prh(ic15_method_metrics(results), 0.2, 0.25, 2 * 0.05 / 0.45)
    # A dataset without ground truth or detections scores 0 (the script's method rule).
    assert_prh(ic15_method_metrics([results[1]]), 0.0, 0.0, 0.0)


def _reference_image(gt_quads, gt_ignored, det_quads):
    """A plain double-loop transcription of the official per-image algorithm (test oracle)."""
    inter = pairwise_intersection_areas(np.trunc(gt_quads), np.trunc(det_quads))
    gt_area = rrc_polygon_areas(np.trunc(gt_quads))
    det_area = rrc_polygon_areas(np.trunc(det_quads))
    det_dontcare = []
    for d in range(len(det_quads)):
        for g in range(len(gt_quads)):
            if gt_ignored[g]:
                precision = 0 if det_area[d] == 0 else inter[g, d] / det_area[d]
                if precision > 0.5:
                    det_dontcare.append(d)
                    break
    gt_taken, det_taken, matched = set(), set(), 0
    for g in range(len(gt_quads)):
        for d in range(len(det_quads)):
            if g in gt_taken or d in det_taken or gt_ignored[g] or d in det_dontcare:
                continue
            union = det_area[d] + gt_area[g] - inter[g, d]
            iou = inter[g, d] / union if union else 0
            if iou > 0.5:
                gt_taken.add(g)
                det_taken.add(d)
                matched += 1
    return matched, int((~gt_ignored).sum()), len(det_quads) - len(det_dontcare)


def test_vectorised_matching_agrees_with_a_plain_loop_on_random_images():
    rng = np.random.default_rng(0)
    for _ in range(30):
        num_gt, num_det = rng.integers(0, 8), rng.integers(0, 10)
        gt = _random_quads(rng, num_gt)
        # Detections: jittered copies of gts plus random ones, in shuffled order.
        det = np.concatenate([
            gt[:num_det] + rng.normal(0, 4, (min(num_gt, num_det), 8)),
            _random_quads(rng, max(0, num_det - num_gt))
        ])
        det = det[rng.permutation(len(det))]
        ignored = rng.random(num_gt) < 0.3
        result = evaluate_ic15_image(gt, ignored, det)
        expected = _reference_image(gt, ignored, det)
        assert (result['num_matched'], result['num_gt_care'], result['num_det_care']) == expected


def _random_quads(rng, n):
    centres = rng.uniform(20, 180, (n, 1, 2))
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    sizes = rng.uniform(5, 30, (n, 1, 2))
    return (centres + corners[None] * sizes + rng.normal(0, 1.5, (n, 4, 2))).reshape(n, 8)

"""IC13 DetEval protocol: hand-worked cases for every branch of the official script.

Boxes are inclusive integer boxes ``[xmin, ymin, xmax, ymax]``: ``[0, 0, 99, 9]`` covers
100 x 10 = 1000 pixels. Expected numbers are worked out in the comments.
"""
import numpy as np
import pytest

from textboxes_retina.evaluation.functional import (DETEVAL_WEIGHTS, deteval_area_matrices,
                                                    deteval_image_result, deteval_match,
                                                    deteval_method_metrics, deteval_rectangles,
                                                    evaluate_deteval_image)
from textboxes_retina.evaluation.functional.ic13_deteval_protocol import _centre_distances


def boxes(*rows):
    return np.array(rows, dtype=np.float64).reshape(-1, 4)


def flags(*values):
    return np.array(values, dtype=bool)


def assert_prh(result, precision, recall, hmean):
    assert result['precision'] == pytest.approx(precision, abs=1e-6)
    assert result['recall'] == pytest.approx(recall, abs=1e-6)
    assert result['hmean'] == pytest.approx(hmean, abs=1e-6)


def test_official_weights():
    assert DETEVAL_WEIGHTS == dict(oo_o=1.0, om_o=0.8, om_m=1.0)


def test_area_matrices_use_inclusive_pixels():
    # g = [0,0,99,9] (1000 px), d = [50,0,149,19] (2000 px): overlap 50 x 10 = 500.
    # Touching boxes ([100,...]) share no pixel: 0; [99,...] shares one column: 10 px.
    recall, precision = deteval_area_matrices(
        boxes([0, 0, 99, 9]), boxes([50, 0, 149, 19], [100, 0, 199, 9], [99, 0, 198, 9]))
    np.testing.assert_allclose(recall, [[0.5, 0.0, 0.01]])
    np.testing.assert_allclose(precision, [[0.25, 0.0, 0.01]])


def test_quads_become_truncated_boxes():
    quads = np.array([[0.7, 0.2, 99.9, 0.1, 99.5, 9.99, 0.2, 9.3]])
    np.testing.assert_array_equal(deteval_rectangles(quads), [[0, 0, 99, 9]])
    # Through the metric path: the box equals the gt -> one-to-one, P = R = H = 1.
    result = evaluate_deteval_image(boxes([0, 0, 99, 9]), flags(False), deteval_rectangles(quads))
    assert result['pairs'] == [dict(gt=[0], det=[0], type='OO')]
    assert_prh(result, 1.0, 1.0, 1.0)


def test_one_to_one_with_a_false_positive_and_a_miss():
    # g0 matched exactly, g1 missed, d1 far away: recall 1/2, precision 1/2.
    result = evaluate_deteval_image(
        boxes([0, 0, 99, 9], [200, 0, 299, 9]), flags(False, False),
        boxes([0, 0, 99, 9], [500, 500, 520, 510]))
    assert result['pairs'] == [dict(gt=[0], det=[0], type='OO')]
    assert (result['recall_accum'], result['precision_accum']) == (1.0, 1.0)
    assert_prh(result, 0.5, 0.5, 0.5)


def test_split_word_one_to_many():
    # g = [0,0,99,9]; d0 = [0,0,49,9], d1 = [50,0,99,9]: each recall 0.5 (< 0.8, so no
    # one-to-one), precision 1. Recalls sum to 1.0 >= 0.8 and g overlaps two detections:
    # recall credit 0.8, precision credit 0.8 * 2 = 1.6 -> R = 0.8, P = 1.6 / 2 = 0.8, H = 0.8.
    result = evaluate_deteval_image(
        boxes([0, 0, 99, 9]), flags(False), boxes([0, 0, 49, 9], [50, 0, 99, 9]))
    assert result['pairs'] == [dict(gt=[0], det=[0, 1], type='OM')]
    assert result['recall_accum'] == pytest.approx(0.8)
    assert result['precision_accum'] == pytest.approx(1.6)
    assert_prh(result, 0.8, 0.8, 0.8)


def test_split_sum_is_rounded_to_four_decimals():
    # One-pixel-high boxes: g = 100000 px; d0 covers 40000 (0.4), d1 covers 39996 (0.39996).
    # Sum 0.79996 < 0.8 but round(0.79996, 4) = 0.8 >= 0.8: a split match, R = P = 0.8.
    result = evaluate_deteval_image(
        boxes([0, 0, 99999, 0]), flags(False), boxes([0, 0, 39999, 0], [40000, 0, 79995, 0]))
    assert result['pairs'] == [dict(gt=[0], det=[0, 1], type='OM')]
    assert_prh(result, 0.8, 0.8, 0.8)
    # Two pixels less: sum 0.79994, rounded 0.7999 < 0.8: no match.
    result = evaluate_deteval_image(
        boxes([0, 0, 99999, 0]), flags(False), boxes([0, 0, 39999, 0], [40000, 0, 79993, 0]))
    assert result['pairs'] == []


def test_merged_words_many_to_one():
    # g0 = [0,0,49,9], g1 = [60,0,109,9] (500 px each), d = [0,0,109,9] (1100 px).
    # Each gt: recall 1, precision 500/1100 = 0.4545 -> both constraints, but d satisfies them
    # with two gts: no one-to-one. One-to-many fails (each gt overlaps only one detection).
    # Many-to-one: precisions sum to 0.909 >= 0.4 and d overlaps two gts: recall credit
    # 1 * 2, precision credit 1 -> R = 2/2, P = 1/1, H = 1.
    result = evaluate_deteval_image(
        boxes([0, 0, 49, 9], [60, 0, 109, 9]), flags(False, False), boxes([0, 0, 109, 9]))
    assert result['pairs'] == [dict(gt=[0, 1], det=[0], type='MO')]
    assert (result['recall_accum'], result['precision_accum']) == (2.0, 1.0)
    assert_prh(result, 1.0, 1.0, 1.0)


def test_merge_weights_are_applied():
    # With a penalty for merges (om_m = 0.5): recall credit 0.5 * 2 = 1 -> R = 0.5; precision
    # credit 0.5 -> P = 0.5.
    recall, precision = deteval_area_matrices(
        boxes([0, 0, 49, 9], [60, 0, 109, 9]), boxes([0, 0, 109, 9]))
    recall_accum, precision_accum, _ = deteval_match(
        boxes([0, 0, 49, 9], [60, 0, 109, 9]),
        boxes([0, 0, 109, 9]),
        recall,
        precision,
        flags(False, False),
        flags(False),
        weights=dict(oo_o=1.0, om_o=0.8, om_m=0.5))
    assert (recall_accum, precision_accum) == (1.0, 0.5)


def test_one_to_one_requires_a_single_overlap():
    # g = [0,0,99,9]; d0 = g; d1 = [95,0,150,9] grazes g (recall 50/1000 = 0.05 > 0, precision
    # 50/560). (g, d0) satisfies the constraints alone, but g overlaps two detections: no
    # one-to-one. The one-to-many stage then takes d0 alone (recall 1.0 >= 0.8, g overlaps 2
    # detections): a single detection, so credits 1 and 1, type 'OO'. d1 stays a false
    # positive: R = 1, P = 1/2, H = 2/3.
    result = evaluate_deteval_image(
        boxes([0, 0, 99, 9]), flags(False), boxes([0, 0, 99, 9], [95, 0, 150, 9]))
    assert result['pairs'] == [dict(gt=[0], det=[0], type='OO')]
    assert_prh(result, 0.5, 1.0, 2 / 3)


def test_centre_distance_rule():
    # g = [0,0,9,9]: centre (5,5), diagonal sqrt(200). d = [0,0,14,14]: centre (7.5,7.5),
    # diagonal sqrt(450). normDist = 2 * sqrt(12.5) / (sqrt(200) + sqrt(450)) = 0.2.
    dist = _centre_distances(boxes([0, 0, 9, 9]), boxes([0, 0, 14, 14]))
    assert dist[0, 0] == pytest.approx(0.2, abs=1e-12)
    # recall 1, precision 100/225 = 0.444: a one-to-one candidate, accepted at the official
    # threshold 1 but not at 0.15. Then one-to-many needs 2 overlaps: no match.
    recall, precision = deteval_area_matrices(boxes([0, 0, 9, 9]), boxes([0, 0, 14, 14]))
    args = (boxes([0, 0, 9, 9]), boxes([0, 0, 14,
                                        14]), recall, precision, flags(False), flags(False))
    assert deteval_match(*args)[2] == [dict(gt=[0], det=[0], type='OO')]
    assert deteval_match(*args, center_diff_thr=0.15)[2] == []


def test_dont_care_filtering_over_precision_point_four():
    # g0 = [0,0,99,9] cared for, g1 = [200,0,299,9] don't care. d0 = g0 (match);
    # d1 = [250,0,349,9]: precision on g1 = 500/1000 = 0.5 > 0.4 -> don't care;
    # d2 = [260,0,359,9]: 400/1000 = 0.4, not > 0.4 -> false positive. R = 1, P = 1/2.
    result = evaluate_deteval_image(
        boxes([0, 0, 99, 9], [200, 0, 299, 9]), flags(False, True),
        boxes([0, 0, 99, 9], [250, 0, 349, 9], [260, 0, 359, 9]))
    assert result['det_dontcare'] == [1]
    assert (result['num_gt_care'], result['num_det_care']) == (1, 2)
    assert_prh(result, 0.5, 1.0, 2 / 3)


def test_per_sample_values_for_empty_images_follow_the_script():
    # No gt, no detections: recall 1, precision 1 and hmean left at 0 (the script only computes
    # hmean when there are detections).
    assert_prh(evaluate_deteval_image(boxes(), flags(), boxes()), 1.0, 1.0, 0.0)
    # Ground truth, no detections: 0 / 0 / 0.
    assert_prh(evaluate_deteval_image(boxes([0, 0, 9, 9]), flags(False), boxes()), 0, 0, 0)
    # Detections, no ground truth: recall 1, precision 0.
    no_gt = evaluate_deteval_image(boxes(), flags(), boxes([0, 0, 9, 9], [20, 0, 29, 9]))
    assert_prh(no_gt, 0.0, 1.0, 0.0)
    assert no_gt['num_det_care'] == 2


def test_dataset_numbers_from_summed_credits():
    # split (R credit 0.8 of 1 gt, P credit 1.6 of 2 dets) + merge (2.0 of 2 gts, 1.0 of 1 det)
    # + a missed gt + 2 dets without gt. Global: R = 2.8 / 4 = 0.7, P = 2.6 / 5 = 0.52,
    # H = 2 * 0.7 * 0.52 / 1.22 = 0.596721.
    results = [
        evaluate_deteval_image(
            boxes([0, 0, 99, 9]), flags(False), boxes([0, 0, 49, 9], [50, 0, 99, 9])),
        evaluate_deteval_image(
            boxes([0, 0, 49, 9], [60, 0, 109, 9]), flags(False, False), boxes([0, 0, 109, 9])),
        evaluate_deteval_image(boxes([0, 0, 9, 9]), flags(False), boxes()),
        evaluate_deteval_image(boxes(), flags(), boxes([0, 0, 9, 9], [20, 0, 29, 9])),
    ]
    assert_prh(deteval_method_metrics(results), 0.52, 0.7, 2 * 0.7 * 0.52 / 1.22)
    assert_prh(deteval_method_metrics([]), 0.0, 0.0, 0.0)


def test_image_result_on_a_subset_of_detections():
    # Dropping d1 from the split case leaves d0 alone: recall 0.5, no match of any kind.
    gt, det = boxes([0, 0, 99, 9]), boxes([0, 0, 49, 9])
    recall, precision = deteval_area_matrices(gt, det)
    result = deteval_image_result(gt, flags(False), det, flags(False), recall, precision)
    assert result['pairs'] == []
    assert_prh(result, 0.0, 0.0, 0.0)


def _reference_credits(gt, ignored, det):
    """A plain loop transcription of the official per-image algorithm (test oracle)."""
    recall, precision = deteval_area_matrices(gt, det)
    num_gt, num_det = recall.shape
    dontcare = [
        d for d in range(num_det) if any(precision[g, d] > 0.4 for g in range(num_gt) if ignored[g])
    ]
    both = (recall >= 0.8) & (precision >= 0.4)
    gt_done, det_done = [False] * num_gt, [False] * num_det
    r_acc = p_acc = 0.0

    def overlaps_of_gt(g):
        return sum(recall[g, d] > 0 for d in range(num_det) if d not in dontcare)

    def overlaps_of_det(d):
        return sum(recall[g, d] > 0 for g in range(num_gt) if not ignored[g])

    for g in range(num_gt):
        for d in range(num_det):
            if gt_done[g] or det_done[d] or ignored[g] or d in dontcare:
                continue
            if both[g].sum() == 1 and both[:, d].sum() == 1 and both[g, d]:
                if overlaps_of_gt(g) == 1 and overlaps_of_det(d) == 1:
                    if _centre_distances(gt[g:g + 1], det[d:d + 1])[0, 0] < 1:
                        gt_done[g] = det_done[d] = True
                        r_acc += 1.0
                        p_acc += 1.0
    for g in range(num_gt):
        if ignored[g]:
            continue
        total, chosen = 0.0, []
        for d in range(num_det):
            if not gt_done[g] and not det_done[d] and d not in dontcare:
                if precision[g, d] >= 0.4:
                    total += recall[g, d]
                    chosen.append(d)
        if round(total, 4) >= 0.8 and overlaps_of_gt(g) >= 2:
            gt_done[g] = True
            r_acc += 1.0 if len(chosen) == 1 else 0.8
            p_acc += 1.0 if len(chosen) == 1 else 0.8 * len(chosen)
            for d in chosen:
                det_done[d] = True
    for d in range(num_det):
        if d in dontcare:
            continue
        total, chosen = 0.0, []
        for g in range(num_gt):
            if not gt_done[g] and not det_done[d] and not ignored[g]:
                if recall[g, d] >= 0.8:
                    total += precision[g, d]
                    chosen.append(g)
        if round(total, 4) >= 0.4 and overlaps_of_det(d) >= 2:
            det_done[d] = True
            r_acc += 1.0 if len(chosen) == 1 else 1.0 * len(chosen)
            p_acc += 1.0
            for g in chosen:
                gt_done[g] = True
    return r_acc, p_acc, num_det - len(dontcare)


def test_vectorised_matching_agrees_with_a_plain_loop_on_random_images():
    rng = np.random.default_rng(0)
    for _ in range(60):
        num_gt = int(rng.integers(0, 7))
        xy = rng.integers(0, 150, (num_gt, 2))
        gt = np.concatenate([xy, xy + rng.integers(5, 40, (num_gt, 2))], axis=1).astype(float)
        merge = num_gt >= 2 and rng.random() < 0.5
        if merge:  # two neighbouring words on one line, detected as one box
            gt[1] = gt[0] + [gt[0, 2] - gt[0, 0] + 3, 0, gt[0, 2] - gt[0, 0] + 3, 0]
        pieces = []
        for index, g in enumerate(gt):  # exact copies, halves (splits), jittered copies
            kind = 3 if merge and index < 2 else rng.integers(0, 4)
            if kind == 0:
                pieces.append(g)
            elif kind == 1:
                mid = (g[0] + g[2]) // 2
                pieces += [[g[0], g[1], mid, g[3]], [mid + 1, g[1], g[2], g[3]]]
            elif kind == 2:
                pieces.append(g + rng.integers(-3, 4, 4))
        if merge:
            pieces.append(np.concatenate([gt[:2, :2].min(0), gt[:2, 2:].max(0)]))
        xy = rng.integers(0, 150, (3, 2))
        pieces += list(np.concatenate([xy, xy + rng.integers(3, 30, (3, 2))], axis=1))
        det = np.array(pieces, float).reshape(-1, 4)
        det[:, 2:] = np.maximum(det[:, 2:], det[:, :2])
        det = det[rng.permutation(len(det))]
        ignored = rng.random(num_gt) < 0.2
        result = evaluate_deteval_image(gt, ignored, det)
        r_acc, p_acc, num_det_care = _reference_credits(gt, ignored, det)
        assert result['recall_accum'] == pytest.approx(r_acc, abs=1e-12)
        assert result['precision_accum'] == pytest.approx(p_acc, abs=1e-12)
        assert result['num_det_care'] == num_det_care

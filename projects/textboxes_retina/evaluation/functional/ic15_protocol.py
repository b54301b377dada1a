# Copyright (c) textboxes_retina authors.
"""The ICDAR 2015 Challenge 4 ("Incidental Scene Text") localisation protocol, on numpy arrays.

A faithful re-implementation of the Robust Reading Competition's official ``script.py`` for
Challenge 4 Task 1 (IoU criterion, with ``rrc_evaluation_funcs``), including its details:

- coordinates are truncated to integers (``int()``) before anything is measured;
- areas and intersections are those of the ``Polygon`` library the script uses
  (:mod:`.rrc_polygon`: a bow-tie's area is the difference of its lobes, its intersections
  cover both lobes);
- a detection is "don't care" when its intersection with some don't-care ground truth (``###``)
  is more than ``area_precision_thr`` (0.5) of the detection's area (``0`` when that area is 0);
- ``IoU = inter / (area_det + area_gt - inter)`` (``0`` when the union is 0); a pair matches when
  ``IoU > iou_thr`` (0.5), greedily: ground truths in order, each takes the first detection in
  order that is still free, neither being don't care;
- per image, precision and recall follow the script's per-sample rules
  (:func:`ic15_sample_metrics`); the dataset numbers come from global counts
  (:func:`ic15_dataset_method_metrics`).

The whole dataset is evaluated at once, on flat arrays, for speed:

- every image's ground truths and detections are concatenated; the same-image (gt, det) pairs
  whose bounding boxes overlap are listed in (image, gt, det) order, without a loop over images;
- their intersections are measured in one call: pairs of strictly convex quads (nearly all) by
  :func:`textboxes_retina.structures.quad_intersection_areas` (exact convex-quad clipping),
  the others (concave, bow-tie, collapsed quads) by :func:`.rrc_intersection_areas` (shapely).
  A pair whose IoU or don't-care precision lands within ``1e-9`` of its threshold is
  re-measured by shapely, so every comparison is the script's;
- the threshold-independent result keeps only the pairs with ``IoU > iou_thr`` and the
  don't-care detections; matching at a score threshold takes the pairs whose gt and detection
  have no other candidate directly, and runs the official greedy rule (ground truths in order,
  each taking the first free detection) over the remaining, conflicting pairs only.

The same protocol image by image, with dense matrices and the script's loops, is the test
oracle ``tests/oracles/ic15_per_image_reference.py``; the tests check this module against it
and against the official script run on Polygon3 (``tests/oracles/ic15_official_polygon3.py``).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from textboxes_retina.structures import convex_quads, quad_intersection_areas
from .rrc_common import harmonic_mean, method_metrics, truncate_coordinates
from .rrc_polygon import rrc_intersection_areas, rrc_polygon_areas

#: Ratios this close to their threshold are re-measured with shapely (the exact measure).
TIE_TOLERANCE = 1e-9


def _concat(arrays: Sequence[np.ndarray], dtype: type, width: int = 0) -> np.ndarray:
    """Concatenate per-image arrays (``(N, width)``, or ``(N,)`` for ``width == 0``)."""
    empty = np.zeros((0, width) if width else 0, dtype)
    try:  # per-image arrays of the right shape and kind, as the metric stores them
        return np.concatenate([empty, *arrays], dtype=dtype)
    except (TypeError, ValueError):
        shape = (-1, width) if width else (-1, )
        return np.concatenate([empty] +
                              [np.asarray(array, dtype).reshape(shape) for array in arrays])


def _same_image_pairs(gt_counts: np.ndarray, det_counts: np.ndarray) -> Tuple[np.ndarray, ...]:
    """All (gt, det) pairs of each image as global indices, in (image, gt, det) order.

    Args:
        gt_counts (np.ndarray): Ground truths per image ``(I,)``.
        det_counts (np.ndarray): Detections per image ``(I,)``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``pair_gt`` and ``pair_det``, int ``(P,)``.
    """
    pair_counts = gt_counts * det_counts
    image = np.repeat(np.arange(len(pair_counts)), pair_counts)
    first_pair = np.cumsum(pair_counts) - pair_counts
    local = np.arange(int(pair_counts.sum())) - first_pair[image]
    dets_in_image = det_counts[image]
    pair_gt = (np.cumsum(gt_counts) - gt_counts)[image] + local // dets_in_image
    pair_det = (np.cumsum(det_counts) - det_counts)[image] + local % dets_in_image
    return pair_gt, pair_det


def _boxes_overlap(gt_quads: np.ndarray, det_quads: np.ndarray, pair_gt: np.ndarray,
                   pair_det: np.ndarray) -> np.ndarray:
    """Whether the bounding boxes of each pair overlap (strictly, as the script's clipping
    needs)."""
    gt_columns, det_columns = np.ascontiguousarray(gt_quads.T), np.ascontiguousarray(det_quads.T)
    overlap = np.ones(len(pair_gt), dtype=bool)
    for axis in (0, 1):  # x, then y
        gt_coords, det_coords = gt_columns[axis::2], det_columns[axis::2]
        overlap &= gt_coords.min(axis=0)[pair_gt] < det_coords.max(axis=0)[pair_det]
        overlap &= det_coords.min(axis=0)[pair_det] < gt_coords.max(axis=0)[pair_gt]
    return overlap


def _ratios(inter: np.ndarray, gt_area: np.ndarray,
            det_area: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """IoU and don't-care precision of pairs, with the script's formulas (0 when undefined)."""
    union = (det_area + gt_area) - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    precision = np.divide(inter, det_area, out=np.zeros_like(inter), where=det_area != 0)
    return iou, precision


def ic15_sample_metrics(num_gt_care: int, num_det_care: int, num_matched: int) -> Dict:
    """Counts and precision/recall/hmean of one image by the official per-sample rules.

    Without cared-for ground truth, recall is 1 and precision is 0 if there are cared-for
    detections (else 1); otherwise ``recall = matched / num_gt_care`` and
    ``precision = matched / num_det_care`` (0 without cared-for detections).

    Args:
        num_gt_care (int): Cared-for ground truths.
        num_det_care (int): Cared-for detections.
        num_matched (int): Matched pairs.

    Returns:
        dict: ``num_gt_care``, ``num_det_care``, ``num_matched``, ``precision``, ``recall``,
        ``hmean``.
    """
    if num_gt_care == 0:
        recall = 1.0
        precision = 0.0 if num_det_care > 0 else 1.0
    else:
        recall = num_matched / num_gt_care
        precision = 0.0 if num_det_care == 0 else num_matched / num_det_care
    return dict(
        num_gt_care=num_gt_care,
        num_det_care=num_det_care,
        num_matched=num_matched,
        precision=precision,
        recall=recall,
        hmean=harmonic_mean(precision, recall))


def ic15_dataset_overlaps(gt_quads: Sequence[np.ndarray],
                          gt_ignored: Sequence[np.ndarray],
                          det_quads: Sequence[np.ndarray],
                          iou_thr: float = 0.5,
                          area_precision_thr: float = 0.5) -> Dict[str, np.ndarray]:
    """Threshold-independent part of the protocol for all images at once.

    Args:
        gt_quads (Sequence[np.ndarray]): Per image, ground-truth quads ``(G_i, 8)``.
        gt_ignored (Sequence[np.ndarray]): Per image, bool ``(G_i,)`` don't-care flags.
        det_quads (Sequence[np.ndarray]): Per image, detected quads ``(D_i, 8)``, in
            submission order.
        iou_thr (float): A pair can match when ``IoU > iou_thr``. Defaults to 0.5.
        area_precision_thr (float): Don't-care filtering threshold. Defaults to 0.5.

    Returns:
        dict: Over the ``G`` ground truths and ``D`` detections of the dataset:
        ``gt_offsets`` and ``det_offsets`` ``(I + 1,)`` (image ``i`` owns
        ``offsets[i]:offsets[i + 1]``), ``gt_image`` ``(G,)`` and ``det_image`` ``(D,)``,
        ``gt_ignored`` ``(G,)``, ``det_dontcare`` ``(D,)`` and the candidate pairs
        ``pair_gt``, ``pair_det`` ``(P,)`` (``IoU > iou_thr``, in (image, gt, det) order).
    """
    gt_counts = np.fromiter(map(len, gt_quads), np.int64, len(gt_quads))
    det_counts = np.fromiter(map(len, det_quads), np.int64, len(det_quads))
    gt_all = truncate_coordinates(_concat(gt_quads, np.float64, 8))
    det_all = truncate_coordinates(_concat(det_quads, np.float64, 8))
    ignored = _concat(gt_ignored, bool)
    if len(ignored) != len(gt_all):
        raise ValueError(f'{len(gt_all)} ground truths with {len(ignored)} ignore flags')

    pair_gt, pair_det = _same_image_pairs(gt_counts, det_counts)
    if min(iou_thr, area_precision_thr) >= 0:  # else pairs far apart (ratios 0) count too
        overlap = _boxes_overlap(gt_all, det_all, pair_gt, pair_det)
        pair_gt, pair_det = pair_gt[overlap], pair_det[overlap]
    pair_gt_quads, pair_det_quads = gt_all[pair_gt], det_all[pair_det]
    inter = np.zeros(len(pair_gt))
    fast = convex_quads(gt_all)[pair_gt] & convex_quads(det_all)[pair_det]
    inter[fast] = quad_intersection_areas(pair_gt_quads[fast], pair_det_quads[fast])
    inter[~fast] = rrc_intersection_areas(pair_gt_quads[~fast], pair_det_quads[~fast])
    gt_area, det_area = rrc_polygon_areas(gt_all)[pair_gt], rrc_polygon_areas(det_all)[pair_det]
    iou, precision = _ratios(inter, gt_area, det_area)
    pair_ignored = ignored[pair_gt]
    near_tie = fast & ((np.abs(iou - iou_thr) <= TIE_TOLERANCE) |
                       (pair_ignored & (np.abs(precision - area_precision_thr) <= TIE_TOLERANCE)))
    if near_tie.any():
        inter[near_tie] = rrc_intersection_areas(pair_gt_quads[near_tie], pair_det_quads[near_tie])
        iou, precision = _ratios(inter, gt_area, det_area)

    det_dontcare = np.zeros(len(det_all), dtype=bool)
    det_dontcare[pair_det[pair_ignored & (precision > area_precision_thr)]] = True
    candidate = iou > iou_thr
    return dict(
        gt_offsets=np.concatenate([[0], np.cumsum(gt_counts)]),
        det_offsets=np.concatenate([[0], np.cumsum(det_counts)]),
        gt_image=np.repeat(np.arange(len(gt_counts)), gt_counts),
        det_image=np.repeat(np.arange(len(det_counts)), det_counts),
        gt_ignored=ignored,
        det_dontcare=det_dontcare,
        pair_gt=pair_gt[candidate],
        pair_det=pair_det[candidate])


def ic15_dataset_match(overlaps: Dict[str, np.ndarray], keep: np.ndarray) -> Dict[str, np.ndarray]:
    """Match every image keeping only the detections in ``keep``, as the official matching loop
    does.

    Args:
        overlaps (dict): Output of :func:`ic15_dataset_overlaps`.
        keep (np.ndarray): Bool ``(D,)`` mask of the submitted detections of the dataset.

    Returns:
        dict: ``matched_gt`` and ``matched_det`` (global indices of the matched pairs, in
        (image, gt) order), ``det_dontcare`` (bool ``(D,)``, the submitted don't-care
        detections) and, per image ``(I,)``, ``num_gt_care``, ``num_det_care`` and
        ``num_matched``.
    """
    keep = np.asarray(keep, dtype=bool).reshape(-1)
    gt_ignored, det_dontcare = overlaps['gt_ignored'], overlaps['det_dontcare']
    det_care = keep & ~det_dontcare
    pair_gt, pair_det = overlaps['pair_gt'], overlaps['pair_det']
    candidate = ~gt_ignored[pair_gt] & det_care[pair_det]
    pair_gt, pair_det = pair_gt[candidate], pair_det[candidate]
    # A pair whose gt and detection have no other candidate is matched whatever the order.
    matched = ((np.bincount(pair_gt, minlength=len(gt_ignored))[pair_gt] == 1)
               & (np.bincount(pair_det, minlength=len(det_care))[pair_det] == 1))
    conflicts = np.flatnonzero(~matched)
    gt_taken, det_taken = set(), set()
    for index, gt, det in zip(conflicts.tolist(), pair_gt[conflicts].tolist(),
                              pair_det[conflicts].tolist()):
        if gt not in gt_taken and det not in det_taken:  # first free detection of this gt
            gt_taken.add(gt)
            det_taken.add(det)
            matched[index] = True
    num_images = len(overlaps['gt_offsets']) - 1
    matched_gt = pair_gt[matched]
    return dict(
        matched_gt=matched_gt,
        matched_det=pair_det[matched],
        det_dontcare=keep & det_dontcare,
        num_gt_care=np.bincount(overlaps['gt_image'][~gt_ignored], minlength=num_images),
        num_det_care=np.bincount(overlaps['det_image'][det_care], minlength=num_images),
        num_matched=np.bincount(overlaps['gt_image'][matched_gt], minlength=num_images))


def ic15_dataset_method_metrics(match: Dict[str, np.ndarray]) -> Dict[str, float]:
    """Dataset precision, recall and hmean from global counts (the official method rule).

    Args:
        match (dict): Output of :func:`ic15_dataset_match`.

    Returns:
        dict: ``precision``, ``recall``, ``hmean``.
    """
    matched = int(match['num_matched'].sum())
    return method_metrics(matched, matched, int(match['num_gt_care'].sum()),
                          int(match['num_det_care'].sum()))


def _local_indices(indices: np.ndarray, offsets: np.ndarray) -> List[List[int]]:
    """Split sorted global indices by image into lists of indices within each image."""
    bounds = np.searchsorted(indices, offsets).tolist()
    image = np.searchsorted(offsets, indices, side='right') - 1
    local = (indices - offsets[image]).tolist()
    return [local[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def ic15_dataset_image_results(overlaps: Dict[str, np.ndarray],
                               match: Dict[str, np.ndarray]) -> List[Dict]:
    """Per-image results, with the official per-sample numbers.

    Args:
        overlaps (dict): Output of :func:`ic15_dataset_overlaps`.
        match (dict): Output of :func:`ic15_dataset_match`.

    Returns:
        list[dict]: Per image ``num_gt_care``, ``num_det_care``, ``num_matched``,
        ``precision``, ``recall``, ``hmean``, ``pairs`` (``[gt, det]`` lists),
        ``gt_dontcare`` and ``det_dontcare``; indices count within the image, detections
        among all of its detections.
    """
    gt_offsets, det_offsets = overlaps['gt_offsets'], overlaps['det_offsets']
    pair_gts = _local_indices(match['matched_gt'], gt_offsets)
    # matched_det is not sorted, but it lies in the image of its gt: split it the same way.
    pair_image = overlaps['gt_image'][match['matched_gt']]
    pair_dets = (match['matched_det'] - det_offsets[pair_image]).tolist()
    bounds = np.searchsorted(match['matched_gt'], gt_offsets).tolist()
    gt_dontcare = _local_indices(np.flatnonzero(overlaps['gt_ignored']), gt_offsets)
    det_dontcare = _local_indices(np.flatnonzero(match['det_dontcare']), det_offsets)
    counts = zip(match['num_gt_care'].tolist(), match['num_det_care'].tolist(),
                 match['num_matched'].tolist())
    return [
        dict(
            ic15_sample_metrics(*image_counts),
            pairs=[list(pair) for pair in zip(gts, pair_dets[start:stop])],
            gt_dontcare=gt_ignored,
            det_dontcare=det_ignored)
        for image_counts, gts, start, stop, gt_ignored, det_ignored in zip(
            counts, pair_gts, bounds[:-1], bounds[1:], gt_dontcare, det_dontcare)
    ]

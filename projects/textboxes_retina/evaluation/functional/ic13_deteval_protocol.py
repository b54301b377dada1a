# Copyright (c) textboxes_retina authors.
"""The ICDAR 2013 Challenge 2 DetEval protocol (Wolf & Jolion, 2006), on numpy arrays.

A faithful re-implementation of the Robust Reading Competition's DetEval script for
axis-aligned boxes (Challenge 2 Task 1, ``xmin,ymin,xmax,ymax`` files), in the version that also
honours don't-care (``###``) ground truth:

- boxes are integer and inclusive: a box spans ``xmax - xmin + 1`` pixels, intersections are
  ``(min(xmax) - max(xmin) + 1) * (min(ymax) - max(ymin) + 1)`` when both factors are ``>= 0``;
  detections given as quads use their truncated axis-aligned boxes (:func:`deteval_rectangles`);
- ``recall_mat = inter / area_gt``, ``precision_mat = inter / area_det``;
- a detection whose ``precision`` against some don't-care box exceeds ``area_precision_thr``
  (0.4) is don't care;
- one-to-one: a ground truth and a detection that satisfy ``recall >= 0.8`` and
  ``precision >= 0.4`` with each other and with nothing else, that overlap (``recall > 0``)
  nothing else, and whose centres are closer than half the mean of their diagonals
  (``2 * dist / (diag_g + diag_d) < 1``) — credit ``MTYPE_OO_O = 1`` to both sides;
- one-to-many (split word): for each ground truth, the free detections with
  ``precision >= 0.4`` whose recalls sum (rounded to 4 decimals) to ``>= 0.8``, if the ground
  truth overlaps at least two detections — recall credit ``MTYPE_OM_O = 0.8`` and precision credit
  ``0.8`` per detection (``1``/``1`` when a single detection is involved);
- many-to-one (merged words): for each detection, the free ground truths with ``recall >= 0.8``
  whose precisions sum (rounded) to ``>= 0.4``, if the detection overlaps at least two ground
  truths — recall credit ``MTYPE_OM_M = 1`` per ground truth and precision credit ``1``;
- dataset recall = summed recall credit / cared-for ground truths, precision = summed precision
  credit / cared-for detections (:func:`deteval_method_metrics`).

The matrices and the one-to-one stage are vectorised; the split and merge stages depend on
earlier matches and loop over ground truths / detections (not over pairs).
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from textboxes_retina.structures import quads_to_bboxes
from .rrc_common import harmonic_mean, method_metrics, truncate_coordinates

#: The official match weights: one-to-one, one-to-many (per side), many-to-one (per side).
DETEVAL_WEIGHTS = dict(oo_o=1.0, om_o=0.8, om_m=1.0)


def deteval_rectangles(quads: np.ndarray) -> np.ndarray:
    """The rectangles DetEval evaluates for quads: their truncated axis-aligned boxes.

    The IC13 script reads integer ``xmin,ymin,xmax,ymax`` boxes; a quad detection (or a quad
    ground truth) is taken as its bounding box
    (:func:`textboxes_retina.structures.quads_to_bboxes`) truncated as the script's ``int()``
    would.

    Args:
        quads (np.ndarray): Quads ``(N, 8)`` as ``x1, y1, ..., x4, y4``.

    Returns:
        np.ndarray: Boxes ``(N, 4)`` as ``xmin, ymin, xmax, ymax`` (whole numbers, float64).
    """
    quads = np.asarray(quads, dtype=np.float64)
    if quads.size == 0:
        return np.zeros((0, 4))
    return truncate_coordinates(quads_to_bboxes(quads))


def _as_boxes(boxes: np.ndarray) -> np.ndarray:
    boxes = np.asarray(boxes, dtype=np.float64)
    return boxes.reshape(0, 4) if boxes.size == 0 else boxes


def _box_dimensions(boxes: np.ndarray) -> np.ndarray:
    return (boxes[:, 2] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 1] + 1)


def deteval_area_matrices(gt_boxes: np.ndarray,
                          det_boxes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Area recall and area precision of every (ground truth, detection) pair.

    Args:
        gt_boxes (np.ndarray): Inclusive integer boxes ``(G, 4)``.
        det_boxes (np.ndarray): Inclusive integer boxes ``(D, 4)``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``recall_mat`` and ``precision_mat``, both ``(G, D)``
        (``0`` where the box has zero size).
    """
    gt_boxes, det_boxes = _as_boxes(gt_boxes), _as_boxes(det_boxes)
    g, d = gt_boxes[:, None, :], det_boxes[None, :, :]
    dx = np.minimum(g[..., 2], d[..., 2]) - np.maximum(g[..., 0], d[..., 0]) + 1
    dy = np.minimum(g[..., 3], d[..., 3]) - np.maximum(g[..., 1], d[..., 1]) + 1
    inter = np.where((dx >= 0) & (dy >= 0), dx * dy, 0.0)
    gt_dims = _box_dimensions(gt_boxes)[:, None]
    det_dims = _box_dimensions(det_boxes)[None, :]
    recall_mat = np.divide(inter, gt_dims, out=np.zeros_like(inter), where=gt_dims != 0)
    precision_mat = np.divide(inter, det_dims, out=np.zeros_like(inter), where=det_dims != 0)
    return recall_mat, precision_mat


def deteval_dontcare(precision_mat: np.ndarray,
                     gt_ignored: np.ndarray,
                     area_precision_thr: float = 0.4) -> np.ndarray:
    """Detections covered by a don't-care box: ``precision > area_precision_thr`` with one.

    Args:
        precision_mat (np.ndarray): ``(G, D)`` from :func:`deteval_area_matrices`.
        gt_ignored (np.ndarray): Bool ``(G,)`` don't-care ground truths.
        area_precision_thr (float): Defaults to 0.4 (the script reuses its precision constraint).

    Returns:
        np.ndarray: Bool ``(D,)``.
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    return np.any(precision_mat[gt_ignored] > area_precision_thr, axis=0)


def _centre_distances(gt_boxes: np.ndarray, det_boxes: np.ndarray) -> np.ndarray:
    """``2 * centre distance / (diag_gt + diag_det)`` for every pair, ``(G, D)``."""

    def centres(boxes):
        return np.stack([
            boxes[:, 0] + (boxes[:, 2] - boxes[:, 0] + 1) / 2.0, boxes[:, 1] +
            (boxes[:, 3] - boxes[:, 1] + 1) / 2.0
        ],
                        axis=1)

    def diagonals(boxes):
        w, h = boxes[:, 2] - boxes[:, 0] + 1, boxes[:, 3] - boxes[:, 1] + 1
        return np.sqrt(h * h + w * w)

    delta = np.abs(centres(gt_boxes)[:, None] - centres(det_boxes)[None])
    dist = np.sqrt(delta[..., 0] * delta[..., 0] + delta[..., 1] * delta[..., 1])
    dist = dist / (diagonals(gt_boxes)[:, None] + diagonals(det_boxes)[None])
    return dist * 2.0


def _sequential_sum(values: np.ndarray) -> float:
    """Left-to-right float sum, as the script's ``+=`` loop (numpy's pairwise sum may differ)."""
    return float(np.cumsum(values)[-1]) if len(values) else 0.0


def deteval_match(gt_boxes: np.ndarray,
                  det_boxes: np.ndarray,
                  recall_mat: np.ndarray,
                  precision_mat: np.ndarray,
                  gt_ignored: np.ndarray,
                  det_dontcare: np.ndarray,
                  area_recall_thr: float = 0.8,
                  area_precision_thr: float = 0.4,
                  center_diff_thr: float = 1.0,
                  weights: Dict[str, float] = DETEVAL_WEIGHTS) -> Tuple[float, float, List[Dict]]:
    """One-to-one, one-to-many and many-to-one matching of one image.

    Args:
        gt_boxes (np.ndarray): Ground-truth boxes ``(G, 4)``.
        det_boxes (np.ndarray): Detection boxes ``(D, 4)``.
        recall_mat (np.ndarray): ``(G, D)`` area recall.
        precision_mat (np.ndarray): ``(G, D)`` area precision.
        gt_ignored (np.ndarray): Bool ``(G,)`` don't-care ground truths.
        det_dontcare (np.ndarray): Bool ``(D,)`` don't-care detections.
        area_recall_thr (float): Area recall constraint. Defaults to 0.8.
        area_precision_thr (float): Area precision constraint. Defaults to 0.4.
        center_diff_thr (float): One-to-one centre distance threshold. Defaults to 1.
        weights (dict): ``oo_o``, ``om_o``, ``om_m`` credits. Defaults to the official
            :data:`DETEVAL_WEIGHTS`.

    Returns:
        tuple: ``recall_accum`` (float), ``precision_accum`` (float) and ``pairs``: a list of
        ``dict(gt=[...], det=[...], type='OO' | 'OM' | 'MO')``.
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    det_dontcare = np.asarray(det_dontcare, dtype=bool).reshape(-1)
    num_gt, num_det = recall_mat.shape
    recall_accum, precision_accum = 0.0, 0.0
    pairs: List[Dict] = []
    if num_gt == 0 or num_det == 0:
        return recall_accum, precision_accum, pairs

    both = (recall_mat >= area_recall_thr) & (precision_mat >= area_precision_thr)
    overlaps = recall_mat > 0
    gt_overlaps = (overlaps & ~det_dontcare[None, :]).sum(axis=1)
    det_overlaps = (overlaps & ~gt_ignored[:, None]).sum(axis=0)

    # One-to-one: the candidate pairs are disjoint (each row and column holds one), so the
    # official loop's "still unmatched" checks cannot reject any of them.
    one_to_one = (
        both & (both.sum(axis=1) == 1)[:, None] & (both.sum(axis=0) == 1)[None, :]
        & ~gt_ignored[:, None] & ~det_dontcare[None, :]
        & (gt_overlaps == 1)[:, None] & (det_overlaps == 1)[None, :])
    one_to_one &= _centre_distances(_as_boxes(gt_boxes), _as_boxes(det_boxes)) < center_diff_thr
    gt_matched = one_to_one.any(axis=1)
    det_matched = one_to_one.any(axis=0)
    for gt_index, det_index in zip(*np.nonzero(one_to_one)):
        recall_accum += weights['oo_o']
        precision_accum += weights['oo_o']
        pairs.append(dict(gt=[int(gt_index)], det=[int(det_index)], type='OO'))

    # One-to-many (one word split into several detections). The script also requires the
    # ground truth to overlap two detections; testing that first skips hopeless loops.
    for gt_index in np.flatnonzero(~gt_ignored & (gt_overlaps >= 2)):
        free = np.zeros(num_det, bool) if gt_matched[gt_index] else ~det_matched
        dets = np.flatnonzero(free & ~det_dontcare
                              & (precision_mat[gt_index] >= area_precision_thr))
        many_sum = _sequential_sum(recall_mat[gt_index, dets])
        if round(many_sum, 4) >= area_recall_thr:
            gt_matched[gt_index] = True
            det_matched[dets] = True
            single = len(dets) == 1
            recall_accum += weights['oo_o'] if single else weights['om_o']
            precision_accum += weights['oo_o'] if single else weights['om_o'] * len(dets)
            pairs.append(dict(gt=[int(gt_index)], det=dets.tolist(), type='OO' if single else 'OM'))

    # Many-to-one (several words merged into one detection; the detection must overlap two
    # ground truths).
    for det_index in np.flatnonzero(~det_dontcare & (det_overlaps >= 2)):
        free = np.zeros(num_gt, bool) if det_matched[det_index] else ~gt_matched
        gts = np.flatnonzero(free & ~gt_ignored & (recall_mat[:, det_index] >= area_recall_thr))
        many_sum = _sequential_sum(precision_mat[gts, det_index])
        if round(many_sum, 4) >= area_precision_thr:
            det_matched[det_index] = True
            gt_matched[gts] = True
            single = len(gts) == 1
            recall_accum += weights['oo_o'] if single else weights['om_m'] * len(gts)
            precision_accum += weights['oo_o'] if single else weights['om_m']
            pairs.append(dict(gt=gts.tolist(), det=[int(det_index)], type='OO' if single else 'MO'))
    return recall_accum, precision_accum, pairs


def deteval_image_result(gt_boxes: np.ndarray, gt_ignored: np.ndarray, det_boxes: np.ndarray,
                         det_dontcare: np.ndarray, recall_mat: np.ndarray,
                         precision_mat: np.ndarray, **match_cfg) -> Dict:
    """Match one image and report its credits and per-sample precision/recall/hmean.

    Per-sample values follow the official script literally (it only fills them in when there
    are detections): no detections gives ``0/0/0``, or recall ``1``, precision ``1`` and hmean
    ``0`` when the image has no ground truth at all; with detections and no cared-for ground
    truth, recall is 1 and precision 0.

    Args:
        gt_boxes (np.ndarray): ``(G, 4)``.
        gt_ignored (np.ndarray): Bool ``(G,)``.
        det_boxes (np.ndarray): ``(D, 4)``.
        det_dontcare (np.ndarray): Bool ``(D,)``.
        recall_mat (np.ndarray): ``(G, D)``.
        precision_mat (np.ndarray): ``(G, D)``.
        **match_cfg: Thresholds and weights passed to :func:`deteval_match`.

    Returns:
        dict: ``num_gt_care``, ``num_det_care``, ``recall_accum``, ``precision_accum``,
        ``precision``, ``recall``, ``hmean``, ``pairs``, ``gt_dontcare``, ``det_dontcare``.
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    det_dontcare = np.asarray(det_dontcare, dtype=bool).reshape(-1)
    recall_accum, precision_accum, pairs = deteval_match(gt_boxes, det_boxes, recall_mat,
                                                         precision_mat, gt_ignored, det_dontcare,
                                                         **match_cfg)
    num_gt_care = int((~gt_ignored).sum())
    num_det_care = int((~det_dontcare).sum())
    precision = recall = hmean = 0.0
    if len(gt_ignored) == 0:
        recall, precision = 1.0, (0.0 if len(det_dontcare) > 0 else 1.0)
    if len(det_dontcare) > 0:
        if num_gt_care == 0:
            recall, precision = 1.0, 0.0
        else:
            recall = recall_accum / num_gt_care
            precision = 0.0 if num_det_care == 0 else precision_accum / num_det_care
        hmean = harmonic_mean(precision, recall)
    return dict(
        num_gt_care=num_gt_care,
        num_det_care=num_det_care,
        recall_accum=recall_accum,
        precision_accum=precision_accum,
        precision=precision,
        recall=recall,
        hmean=hmean,
        pairs=pairs,
        gt_dontcare=np.flatnonzero(gt_ignored).tolist(),
        det_dontcare=np.flatnonzero(det_dontcare).tolist())


def evaluate_deteval_image(gt_boxes: np.ndarray,
                           gt_ignored: np.ndarray,
                           det_boxes: np.ndarray,
                           area_recall_thr: float = 0.8,
                           area_precision_thr: float = 0.4,
                           center_diff_thr: float = 1.0,
                           weights: Dict[str, float] = DETEVAL_WEIGHTS) -> Dict:
    """The whole DetEval protocol for one image, on integer inclusive boxes.

    Args:
        gt_boxes (np.ndarray): Ground-truth boxes ``(G, 4)`` ``xmin, ymin, xmax, ymax``.
        gt_ignored (np.ndarray): Bool ``(G,)`` don't-care flags.
        det_boxes (np.ndarray): Detection boxes ``(D, 4)``, in submission order.
        area_recall_thr (float): Defaults to 0.8.
        area_precision_thr (float): Defaults to 0.4.
        center_diff_thr (float): Defaults to 1.
        weights (dict): Defaults to :data:`DETEVAL_WEIGHTS`.

    Returns:
        dict: See :func:`deteval_image_result`.
    """
    gt_boxes = truncate_coordinates(_as_boxes(gt_boxes))
    det_boxes = truncate_coordinates(_as_boxes(det_boxes))
    recall_mat, precision_mat = deteval_area_matrices(gt_boxes, det_boxes)
    det_dontcare = deteval_dontcare(precision_mat, gt_ignored, area_precision_thr)
    return deteval_image_result(
        gt_boxes,
        gt_ignored,
        det_boxes,
        det_dontcare,
        recall_mat,
        precision_mat,
        area_recall_thr=area_recall_thr,
        area_precision_thr=area_precision_thr,
        center_diff_thr=center_diff_thr,
        weights=weights)


def deteval_method_metrics(image_results: Sequence[Dict]) -> Dict[str, float]:
    """Dataset precision, recall and hmean from summed credits over summed cared-for counts.

    Args:
        image_results (Sequence[dict]): Results of :func:`deteval_image_result`.

    Returns:
        dict: ``precision``, ``recall``, ``hmean``.
    """
    return method_metrics(
        _sequential_sum(np.array([r['recall_accum'] for r in image_results])),
        _sequential_sum(np.array([r['precision_accum'] for r in image_results])),
        sum(result['num_gt_care'] for result in image_results),
        sum(result['num_det_care'] for result in image_results))

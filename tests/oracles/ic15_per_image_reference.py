"""The ICDAR 2015 Challenge 4 protocol image by image: the readable reference of the package's
whole-dataset implementation (a test oracle, not package code).

``textboxes_retina.evaluation.functional.ic15_protocol`` evaluates every image of a dataset at
once on flat arrays (candidate pairs, a convex fast path, greedy matching over conflicts only).
This module states the same protocol the way the official ``script.py`` reads, one image at a
time, with dense ``(G, D)`` matrices and the script's matching loop, so that tests can check the
fast path against it pair by pair:

- coordinates are truncated to integers before anything is measured;
- areas and intersections are the ``Polygon`` library's (:mod:`...functional.rrc_polygon`);
- a detection is don't care when its intersection with some don't-care ground truth is more than
  ``area_precision_thr`` of its own area (0 when that area is 0);
- ``IoU = inter / (area_det + area_gt - inter)`` (0 when the union is 0); ground truths in
  order each take the first free detection in order with ``IoU > iou_thr``, neither being
  don't care;
- per-image numbers follow the script's per-sample rules, dataset numbers global counts.

It shares the polygon measure with the package; the independent check of that measure is the
port of the official script onto Polygon3, :mod:`oracles.ic15_official_polygon3`.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np

from textboxes_retina.evaluation.functional import (ic15_sample_metrics, method_metrics,
                                                    rrc_intersection_areas, rrc_polygon_areas,
                                                    truncate_coordinates)


def _as_quads(quads: np.ndarray) -> np.ndarray:
    quads = np.asarray(quads, dtype=np.float64)
    if quads.size == 0:
        return quads.reshape(0, 8)
    if quads.ndim != 2 or quads.shape[1] != 8:
        raise ValueError(f'expected quads of shape (N, 8), got {quads.shape}')
    return quads


def pairwise_intersection_areas(quads_a: np.ndarray, quads_b: np.ndarray) -> np.ndarray:
    """Intersection areas of every pair of two sets of quads (even-odd regions, as GPC clips).

    Pairs whose bounding boxes do not overlap (strictly) are 0 without measuring.

    Args:
        quads_a (np.ndarray): Quads ``(N, 8)``.
        quads_b (np.ndarray): Quads ``(M, 8)``.

    Returns:
        np.ndarray: Intersection areas ``(N, M)``.
    """
    quads_a, quads_b = _as_quads(quads_a), _as_quads(quads_b)
    areas = np.zeros((len(quads_a), len(quads_b)))
    if areas.size == 0:
        return areas
    pts_a, pts_b = quads_a.reshape(-1, 4, 2), quads_b.reshape(-1, 4, 2)
    min_a, max_a = pts_a.min(axis=1), pts_a.max(axis=1)
    min_b, max_b = pts_b.min(axis=1), pts_b.max(axis=1)
    boxes_overlap = np.all((min_a[:, None] < max_b[None]) & (min_b[None] < max_a[:, None]), axis=-1)
    rows, cols = np.nonzero(boxes_overlap)
    if len(rows):
        areas[rows, cols] = rrc_intersection_areas(quads_a[rows], quads_b[cols])
    return areas


def ic15_overlaps(gt_quads: np.ndarray,
                  gt_ignored: np.ndarray,
                  det_quads: np.ndarray,
                  area_precision_thr: float = 0.5) -> Tuple[np.ndarray, np.ndarray]:
    """IoU matrix and don't-care detections of one image (threshold-independent part).

    Coordinates are truncated to integers first, as the official script reads them.

    Args:
        gt_quads (np.ndarray): Ground-truth quads ``(G, 8)``.
        gt_ignored (np.ndarray): Bool ``(G,)``, True for don't-care words (``###``).
        det_quads (np.ndarray): Detected quads ``(D, 8)``.
        area_precision_thr (float): A detection covering more than this fraction of its own
            area with one don't-care word is itself don't care. Defaults to 0.5.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``iou`` ``(G, D)`` and ``det_dontcare`` bool ``(D,)``.
    """
    gt_quads = truncate_coordinates(_as_quads(gt_quads))
    det_quads = truncate_coordinates(_as_quads(det_quads))
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    inter = pairwise_intersection_areas(gt_quads, det_quads)
    gt_area, det_area = rrc_polygon_areas(gt_quads), rrc_polygon_areas(det_quads)

    union = (det_area[None, :] + gt_area[:, None]) - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)

    dontcare_precision = np.divide(
        inter[gt_ignored],
        det_area[None, :],
        out=np.zeros((int(gt_ignored.sum()), len(det_area))),
        where=det_area[None, :] != 0)
    det_dontcare = np.any(dontcare_precision > area_precision_thr, axis=0)
    return iou, det_dontcare


def ic15_match(iou: np.ndarray,
               gt_ignored: np.ndarray,
               det_dontcare: np.ndarray,
               iou_thr: float = 0.5) -> np.ndarray:
    """One-to-one greedy matching in ground-truth order, as the official double loop does.

    Each cared-for ground truth, in order, takes the first cared-for detection (in order) that
    is still unmatched and whose IoU with it is strictly greater than ``iou_thr``.

    Args:
        iou (np.ndarray): IoU matrix ``(G, D)``.
        gt_ignored (np.ndarray): Bool ``(G,)`` don't-care ground truths.
        det_dontcare (np.ndarray): Bool ``(D,)`` don't-care detections.
        iou_thr (float): IoU threshold. Defaults to 0.5.

    Returns:
        np.ndarray: Matched ``(gt_index, det_index)`` pairs, int ``(K, 2)``.
    """
    candidates = ((iou > iou_thr) & ~np.asarray(gt_ignored, bool)[:, None]
                  & ~np.asarray(det_dontcare, bool)[None, :])
    det_taken = np.zeros(iou.shape[1], dtype=bool)
    pairs: List[Tuple[int, int]] = []
    for gt_index in np.flatnonzero(candidates.any(axis=1)):
        free = np.flatnonzero(candidates[gt_index] & ~det_taken)
        if len(free):
            det_taken[free[0]] = True
            pairs.append((int(gt_index), int(free[0])))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def ic15_image_result(iou: np.ndarray,
                      gt_ignored: np.ndarray,
                      det_dontcare: np.ndarray,
                      iou_thr: float = 0.5) -> Dict:
    """Match one image and report its counts and per-sample precision/recall/hmean.

    Args:
        iou (np.ndarray): IoU matrix ``(G, D)`` from :func:`ic15_overlaps`.
        gt_ignored (np.ndarray): Bool ``(G,)``.
        det_dontcare (np.ndarray): Bool ``(D,)``.
        iou_thr (float): IoU threshold. Defaults to 0.5.

    Returns:
        dict: ``num_gt_care``, ``num_det_care``, ``num_matched``, ``precision``, ``recall``,
        ``hmean`` (the official per-sample rules, ``ic15_sample_metrics``), ``pairs`` (list of
        ``[gt, det]``), ``gt_dontcare`` and ``det_dontcare`` (index lists).
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    det_dontcare = np.asarray(det_dontcare, dtype=bool).reshape(-1)
    pairs = ic15_match(iou, gt_ignored, det_dontcare, iou_thr)
    return dict(
        ic15_sample_metrics(int((~gt_ignored).sum()), int((~det_dontcare).sum()), len(pairs)),
        pairs=pairs.tolist(),
        gt_dontcare=np.flatnonzero(gt_ignored).tolist(),
        det_dontcare=np.flatnonzero(det_dontcare).tolist())


def evaluate_ic15_image(gt_quads: np.ndarray,
                        gt_ignored: np.ndarray,
                        det_quads: np.ndarray,
                        iou_thr: float = 0.5,
                        area_precision_thr: float = 0.5) -> Dict:
    """The whole IC15 protocol for one image.

    Args:
        gt_quads (np.ndarray): Ground-truth quads ``(G, 8)``.
        gt_ignored (np.ndarray): Bool ``(G,)`` don't-care flags.
        det_quads (np.ndarray): Detected quads ``(D, 8)``, in submission order.
        iou_thr (float): Match threshold on IoU. Defaults to 0.5.
        area_precision_thr (float): Don't-care filtering threshold. Defaults to 0.5.

    Returns:
        dict: See :func:`ic15_image_result`.
    """
    iou, det_dontcare = ic15_overlaps(gt_quads, gt_ignored, det_quads, area_precision_thr)
    return ic15_image_result(iou, gt_ignored, det_dontcare, iou_thr)


def ic15_method_metrics(image_results: Sequence[Dict]) -> Dict[str, float]:
    """Dataset precision, recall and hmean from the per-image counts (global, not averaged).

    Args:
        image_results (Sequence[dict]): Results of :func:`ic15_image_result`.

    Returns:
        dict: ``precision``, ``recall``, ``hmean``.
    """
    matched = sum(result['num_matched'] for result in image_results)
    return method_metrics(matched, matched, sum(result['num_gt_care'] for result in image_results),
                          sum(result['num_det_care'] for result in image_results))

"""The ICDAR 2015 Challenge 4 ("Incidental Scene Text") localisation protocol, on numpy arrays.

A faithful re-implementation of the Robust Reading Competition's official ``script.py`` for
Challenge 4 Task 1 (IoU criterion, with ``rrc_evaluation_funcs``), including its details:

- coordinates are truncated to integers (``int()``) before anything is measured;
- areas are those of the ``Polygon`` library the script uses: ``Polygon.area()`` is half the
  absolute shoelace sum of the vertex ring, so a self-intersecting (bow-tie) quad whose two lobes
  have areas ``A1`` and ``A2`` has area ``|A1 - A2|``, while intersections (``pD & pG``, computed
  by the GPC clipper with the even-odd rule) cover both lobes;
- a detection is "don't care" when its intersection with some don't-care ground truth (``###``)
  is more than ``area_precision_thr`` (0.5) of the detection's area (``0`` when that area is 0);
- ``IoU = inter / (area_det + area_gt - inter)`` (``0`` when the union is 0); a pair matches when
  ``IoU > iou_thr`` (0.5), greedily: ground truths in order, each takes the first detection in
  order that is still free, neither being don't care;
- per image, precision and recall follow the script's per-sample rules, and the dataset numbers
  come from global counts (:func:`ic15_method_metrics`).

The pairwise work is vectorised: polygons are built once as shapely 2 arrays and intersected pair
by pair in GEOS, only for pairs whose bounding boxes overlap.
"""
from typing import Dict, List, Sequence, Tuple

import numpy as np
import shapely

from textboxes_retina import structures
from .rrc_common import harmonic_mean, method_metrics, truncate_coordinates


def _as_quads(quads: np.ndarray) -> np.ndarray:
    quads = np.asarray(quads, dtype=np.float64)
    if quads.size == 0:
        return quads.reshape(0, 8)
    if quads.ndim != 2 or quads.shape[1] != 8:
        raise ValueError(f'expected quads of shape (N, 8), got {quads.shape}')
    return quads


def quad_areas(quads: np.ndarray) -> np.ndarray:
    """Areas as the ``Polygon`` library measures them: half the absolute shoelace sum.

    For a simple quad this is its area; for a bow-tie it is the difference of its two lobes.

    Args:
        quads (np.ndarray): Quads ``(N, 8)`` as ``x1, y1, ..., x4, y4``.

    Returns:
        np.ndarray: Areas ``(N,)``, float64 (:func:`textboxes_retina.structures.quad_areas`).
    """
    return structures.quad_areas(_as_quads(quads))


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Keep the areal part of a ``make_valid`` result (drop collapsed lines and points)."""
    parts = shapely.get_parts(geometry)
    areal = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return shapely.union_all(areal) if len(areal) else shapely.Polygon()


def quads_to_geometries(quads: np.ndarray) -> np.ndarray:
    """Shapely polygons of quads, self-intersections resolved to the even-odd region.

    A bow-tie becomes the multipolygon of its two lobes (the region GPC clips against), a
    collapsed quad an empty polygon.

    Args:
        quads (np.ndarray): Quads ``(N, 8)``.

    Returns:
        np.ndarray: Object array ``(N,)`` of valid shapely geometries.
    """
    quads = _as_quads(quads)
    geometries = shapely.polygons(quads.reshape(-1, 4, 2))
    invalid = np.flatnonzero(~shapely.is_valid(geometries))
    for index in invalid:  # rare: bow-ties and collapsed quads only
        geometries[index] = _polygonal(shapely.make_valid(geometries[index]))
    return geometries


def quad_intersection_areas(quads_a: np.ndarray, quads_b: np.ndarray) -> np.ndarray:
    """Pairwise intersection areas of two sets of quads (even-odd regions, as GPC clips).

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
    boxes_overlap = np.all(
        (min_a[:, None] < max_b[None]) & (min_b[None] < max_a[:, None]), axis=-1)
    rows, cols = np.nonzero(boxes_overlap)
    if len(rows):
        geoms_a, geoms_b = quads_to_geometries(quads_a), quads_to_geometries(quads_b)
        areas[rows, cols] = shapely.area(shapely.intersection(geoms_a[rows], geoms_b[cols]))
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
    inter = quad_intersection_areas(gt_quads, det_quads)
    gt_area, det_area = quad_areas(gt_quads), quad_areas(det_quads)

    union = (det_area[None, :] + gt_area[:, None]) - inter
    iou = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)

    dontcare_precision = np.divide(
        inter[gt_ignored], det_area[None, :],
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

    Precision, recall and hmean follow the official per-sample rules
    (:func:`ic15_sample_metrics`).

    Args:
        iou (np.ndarray): IoU matrix ``(G, D)`` from :func:`ic15_overlaps`.
        gt_ignored (np.ndarray): Bool ``(G,)``.
        det_dontcare (np.ndarray): Bool ``(D,)``.
        iou_thr (float): IoU threshold. Defaults to 0.5.

    Returns:
        dict: ``num_gt_care``, ``num_det_care``, ``num_matched``, ``precision``, ``recall``,
        ``hmean``, ``pairs`` (list of ``[gt, det]``), ``gt_dontcare`` and ``det_dontcare``
        (index lists).
    """
    gt_ignored = np.asarray(gt_ignored, dtype=bool).reshape(-1)
    det_dontcare = np.asarray(det_dontcare, dtype=bool).reshape(-1)
    pairs = ic15_match(iou, gt_ignored, det_dontcare, iou_thr)
    return dict(
        ic15_sample_metrics(int((~gt_ignored).sum()), int((~det_dontcare).sum()), len(pairs)),
        pairs=pairs.tolist(),
        gt_dontcare=np.flatnonzero(gt_ignored).tolist(),
        det_dontcare=np.flatnonzero(det_dontcare).tolist())


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
    return method_metrics(matched, matched,
                          sum(result['num_gt_care'] for result in image_results),
                          sum(result['num_det_care'] for result in image_results))

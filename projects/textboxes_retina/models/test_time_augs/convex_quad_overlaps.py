# Copyright (c) textboxes_retina authors.
"""Exact IoU and NMS of convex quads, on any device.

``mmcv.ops.box_iou_quadri`` / ``nms_quadri`` (mmcv 2.0.1) decide whether a
vertex of one quad lies inside the other with the rotated-*rectangle* test
(projections on two adjacent sides), so the IoU of quads that are not
rectangles, e.g. a perspective word and its one-pixel shift, can come out far
too small (0.38 instead of 0.90) and duplicates survive NMS. Here the
intersection of two convex quads is the convex polygon of: the vertices of
each quad inside the other (half-plane tests on all four edges) and the
crossings of their edges, ordered by angle around its centroid.

These functions belong with the quad operations of
:mod:`textboxes_retina.structures`; they live here until they move there.
"""
from typing import Optional

import numpy as np
import torch
from torch import Tensor

from textboxes_retina.structures import quad_nms, quads_to_bboxes

_EPS = 1e-6  # pixels (on coordinates centred on each pair)
_CHUNK = 65536  # pairs computed at once


def _cross(u: Tensor, v: Tensor) -> Tensor:
    """z component of ``u x v`` for ``(..., 2)`` vectors."""
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _polygon_areas(points: Tensor) -> Tensor:
    """Shoelace areas of closed polygons ``(P, K, 2)`` (vertices in order)."""
    return _cross(points, points.roll(-1, dims=1)).sum(-1).abs() / 2


def _inside(points: Tensor, quads: Tensor) -> Tensor:
    """Whether each of ``points`` (P, K, 2) lies in the convex quad (P, 4, 2)
    of its pair, boundary included; returns (P, K)."""
    edges = quads.roll(-1, dims=1) - quads  # (P, 4, 2)
    orientation = torch.sign(_cross(edges[:, 0], edges[:, 1]))[:, None, None]
    side = _cross(edges[:, None], points[:, :, None] - quads[:, None])
    lengths = edges.norm(dim=-1)[:, None].clamp(min=_EPS)
    inside = (side * orientation / lengths >= -_EPS).all(-1)
    # nothing is inside a flat quad
    return inside & (orientation[:, :, 0] != 0)


def _intersection_areas(quads1: Tensor, quads2: Tensor) -> Tensor:
    """Areas of the intersections of convex quads, pairwise aligned.

    Args:
        quads1 (Tensor): Points, shape (P, 4, 2), float64.
        quads2 (Tensor): Points, shape (P, 4, 2), float64.

    Returns:
        Tensor: Intersection areas, shape (P, ).
    """
    edges1 = quads1.roll(-1, dims=1) - quads1
    edges2 = quads2.roll(-1, dims=1) - quads2
    # edge i of quads1 against edge j of quads2: q1_i + t e1_i = q2_j + u e2_j
    det = _cross(edges1[:, :, None], edges2[:, None])  # (P, 4, 4)
    offset = quads2[:, None] - quads1[:, :, None]  # (P, 4, 4, 2)
    safe = torch.where(det.abs() > _EPS, det, torch.ones_like(det))
    t = _cross(offset, edges2[:, None]) / safe
    u = _cross(offset, edges1[:, :, None]) / safe
    crossing = (det.abs() > _EPS) & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    crossings = quads1[:, :, None] + t[..., None] * edges1[:, :, None]
    points = torch.cat([quads1, quads2, crossings.flatten(1, 2)], 1)
    valid = torch.cat([
        _inside(quads1, quads2),
        _inside(quads2, quads1),
        crossing.flatten(1)
    ], 1)  # (P, 24)
    count = valid.sum(1, keepdim=True)
    centre = (points * valid[..., None]).sum(1) / count.clamp(min=1)
    angles = torch.atan2(points[..., 1] - centre[:, None, 1],
                         points[..., 0] - centre[:, None, 0])
    order = angles.masked_fill(~valid, float('inf')).argsort(1)
    points = points.gather(1, order[..., None].expand(-1, -1, 2))
    valid = valid.gather(1, order)
    # invalid slots repeat the first point: they add no area and close the
    # polygon from its last valid point
    points = torch.where(valid[..., None], points, points[:, :1])
    return torch.where(count[:, 0] >= 3, _polygon_areas(points),
                       torch.zeros_like(centre[:, 0]))


def convex_quad_ious(quads1: Tensor,
                     quads2: Tensor,
                     aligned: bool = False) -> Tensor:
    """Exact IoU of convex quads (any vertex order, clockwise or not).

    Args:
        quads1 (Tensor): Quads, shape (N, 8).
        quads2 (Tensor): Quads, shape (M, 8) (``M == N`` if ``aligned``).
        aligned (bool): Whether to compare row ``i`` with row ``i`` only.
            Defaults to False.

    Returns:
        Tensor: IoUs, shape (N, M), or (N, ) if ``aligned``; 0 for quads of
        zero area. Same dtype as ``quads1``.
    """
    if not aligned:
        num1, num2 = len(quads1), len(quads2)
        ious = convex_quad_ious(
            quads1.repeat_interleave(num2, 0), quads2.repeat(num1, 1),
            aligned=True)
        return ious.view(num1, num2)
    assert quads1.shape == quads2.shape, 'aligned quads must pair up'
    if len(quads1) > _CHUNK:
        return torch.cat([
            convex_quad_ious(part1, part2, aligned=True) for part1, part2 in
            zip(quads1.split(_CHUNK), quads2.split(_CHUNK))
        ])
    points1 = quads1.double().reshape(-1, 4, 2)
    points2 = quads2.double().reshape(-1, 4, 2)
    # centre each pair for precision
    centre = (points1.mean(1, True) + points2.mean(1, True)) / 2
    points1, points2 = points1 - centre, points2 - centre
    inter = _intersection_areas(points1, points2)
    union = _polygon_areas(points1) + _polygon_areas(points2) - inter
    ious = torch.where(union > _EPS, inter / union.clamp(min=_EPS),
                       torch.zeros_like(union))
    return ious.to(quads1.dtype)


def overlapping_pairs(quads1: Tensor, quads2: Tensor) -> tuple:
    """Index pairs of quads whose axis-aligned bounding boxes overlap.

    Args:
        quads1 (Tensor): Quads, shape (N, 8).
        quads2 (Tensor): Quads, shape (M, 8).

    Returns:
        tuple[Tensor]: ``(rows, cols)``, shape (P, ) each, ``rows`` sorted.
    """
    boxes1 = quads_to_bboxes(quads1.float())
    boxes2 = quads_to_bboxes(quads2.float())
    overlap = ((boxes1[:, None, 0] <= boxes2[None, :, 2])
               & (boxes2[None, :, 0] <= boxes1[:, None, 2])
               & (boxes1[:, None, 1] <= boxes2[None, :, 3])
               & (boxes2[None, :, 1] <= boxes1[:, None, 3]))
    return overlap.nonzero(as_tuple=True)


def convex_quad_nms(quads: Tensor,
                    scores: Tensor,
                    iou_threshold: float,
                    labels: Optional[Tensor] = None) -> Tensor:
    """Greedy NMS of convex quads: :func:`textboxes_retina.structures.quad_nms`,
    the package's one exact quad NMS (chunked, bounding-box pruned).

    Args:
        quads (Tensor): Convex quads, shape (N, 8).
        scores (Tensor): Scores, shape (N, ).
        iou_threshold (float): A quad overlapping a kept, higher-scoring quad
            by more than this IoU is removed.
        labels (Tensor, optional): Labels, shape (N, ); quads of different
            labels never suppress each other. Defaults to None.

    Returns:
        Tensor: Indices of the kept quads by decreasing score, shape (K, ).
    """
    return quad_nms(quads, scores, iou_threshold, labels)

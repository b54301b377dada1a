# Copyright (c) textboxes_retina authors.
"""Exact IoU and NMS of convex quads, on any device, for the TTA merging.

Thin wrappers over :mod:`textboxes_retina.structures`, the package's one exact
convex-quad geometry (``mmcv.ops.box_iou_quadri`` / ``nms_quadri`` in mmcv
2.0.1 test "vertex inside" as for rectangles and misjudge general quads): IoUs
of aligned or all pairs in float64, bounding-box overlaps, and quad NMS.
"""
from typing import Optional

import torch
from torch import Tensor

from textboxes_retina.structures import (quad_areas, quad_intersection_areas,
                                         quad_nms, quads_to_bboxes)

_EPS = 1e-6  # square pixels: smaller areas count as empty
_CHUNK = 65536  # pairs computed at once


def convex_quad_ious(quads1: Tensor,
                     quads2: Tensor,
                     aligned: bool = False) -> Tensor:
    """Exact IoU of strictly convex quads (either vertex orientation).

    Args:
        quads1 (Tensor): Quads, shape (N, 8).
        quads2 (Tensor): Quads, shape (M, 8) (``M == N`` if ``aligned``).
        aligned (bool): Whether to compare row ``i`` with row ``i`` only.
            Defaults to False.

    Returns:
        Tensor: IoUs, shape (N, M), or (N, ) if ``aligned``; 0 when either
        quad has (nearly) zero area. Computed in float64, returned in the
        dtype of ``quads1``.
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
    quads1_64, quads2_64 = quads1.double(), quads2.double()
    areas1, areas2 = quad_areas(quads1_64), quad_areas(quads2_64)
    inter = quad_intersection_areas(quads1_64, quads2_64)
    union = areas1 + areas2 - inter
    defined = (torch.min(areas1, areas2) > _EPS) & (union > _EPS)
    ious = torch.where(defined, inter / union.clamp(min=_EPS),
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

# Copyright (c) textboxes_retina authors.
"""Greedy NMS of convex quads with the exact quad IoU, and box voting over its groups.

Both decide with :func:`~textboxes_retina.structures.quad_ious` on float32 quads, and voting
takes its groups from the NMS run itself, so a quad always joins the group of the quad that
suppressed it (no second IoU computation that could disagree at the threshold).
"""
from typing import Optional, Tuple

import numpy as np
import torch
from torch import Tensor

from .quad_arrays import quad_points
from .quad_conversion import canonicalize_quads, quads_to_bboxes
from .quad_overlaps import bounded_quad_ious
from .quad_validity import quad_areas

#: The ``type`` a config's ``nms`` dict gives to run :func:`quad_nms` (a head's ``test_cfg.nms``,
#: the TTA model's ``tta_cfg.nms``): the only NMS the package runs on quads.
QUAD_NMS_TYPE = 'quad_nms'


def check_quad_nms_cfg(nms_cfg: Optional[dict], where: str) -> None:
    """Check that a config's ``nms`` dict names the NMS that runs, :data:`QUAD_NMS_TYPE`.

    Args:
        nms_cfg (dict, optional): The ``nms`` dict, e.g. ``dict(type='quad_nms',
            iou_threshold=0.2)``.
        where (str): The dict holding it, for the message (``'test_cfg'``, ``'tta_cfg'``).

    Raises:
        ValueError: If ``nms_cfg`` is missing or names another type (e.g. mmcv's
            ``'nms_quadri'``, which the package does not run).
    """
    nms_type = (nms_cfg or {}).get('type')
    if nms_type != QUAD_NMS_TYPE:
        raise ValueError(f"{where}.nms.type must be '{QUAD_NMS_TYPE}' (exact quad NMS, the only "
                         f'one that runs), got {nms_type!r}')


def _greedy_quad_nms(quads: Tensor, scores: Tensor, iou_threshold: float, labels: Optional[Tensor],
                     max_num: int, chunk_size: int, first_chunk_size: int,
                     with_groups: bool) -> Tuple[Tensor, Optional[Tensor]]:
    """:func:`quad_nms`, also giving each quad's group when ``with_groups``.

    Returns:
        tuple: The kept indices, by decreasing score, shape (K, ), and (if ``with_groups``)
        for each input quad the position in them of the kept quad that suppressed it (its own
        position for a kept quad; -1 for quads never visited after ``max_num``), shape (N, ).
    """
    num = quads.shape[0]
    if num == 0:
        empty = torch.zeros(0, dtype=torch.long, device=quads.device)
        return empty, (empty if with_groups else None)
    quads = quads.float()
    if labels is not None:
        # Move each class far from the others, as mmcv's ``batched_nms``.
        span = quads.max() - quads.min() + 1
        quads = quads + (labels.to(quads) * span)[:, None]
    order = scores.argsort(descending=True, stable=True)
    quads = quads[order]
    boxes, areas = quads_to_bboxes(quads), quad_areas(quads)
    kept = torch.zeros(0, dtype=torch.long, device=quads.device)
    # groups[i]: position in ``kept`` of the group of the i-th quad by score
    groups = np.full(num, -1, dtype=np.int64) if with_groups else None
    start, size = 0, max(min(first_chunk_size, chunk_size), 1)
    while start < num:
        chunk = torch.arange(start, min(start + size, num), device=quads.device)
        start, size = start + size, min(2 * size, chunk_size)
        hits = bounded_quad_ious(quads[chunk], boxes[chunk], areas[chunk], quads[kept], boxes[kept],
                                 areas[kept], iou_threshold) > iou_threshold
        suppressed = hits.any(1)
        if with_groups and suppressed.any():
            # the first kept quad (the best-scoring) overlapping it suppressed it
            first = hits[suppressed].int().argmax(1)
            groups[chunk[suppressed].cpu().numpy()] = first.cpu().numpy()
        chunk = chunk[~suppressed]
        overlaps = (bounded_quad_ious(quads[chunk], boxes[chunk], areas[chunk], quads[chunk],
                                      boxes[chunk], areas[chunk], iou_threshold)
                    > iou_threshold).triu(1)
        overlaps = overlaps.cpu().numpy()
        positions = chunk.cpu().numpy()
        alive, new = np.ones(len(chunk), dtype=bool), []
        for i in range(len(chunk)):
            if alive[i]:
                new.append(i)
                if with_groups:
                    group = len(kept) + len(new) - 1
                    groups[positions[i]] = group
                    groups[positions[alive & overlaps[i]]] = group
                alive &= ~overlaps[i]
                if len(kept) + len(new) == max_num:
                    break
        kept = torch.cat([kept, chunk[new]])
        if len(kept) == max_num:
            break
    if not with_groups:
        return order[kept], None
    input_groups = torch.empty(num, dtype=torch.long, device=quads.device)
    input_groups[order] = torch.from_numpy(groups).to(quads.device)
    return order[kept], input_groups


def quad_nms(quads: Tensor,
             scores: Tensor,
             iou_threshold: float,
             labels: Optional[Tensor] = None,
             max_num: int = -1,
             chunk_size: int = 256,
             first_chunk_size: int = 32) -> Tensor:
    """Greedy non-maximum suppression on convex quads, exact polygon IoU.

    Quads are visited by decreasing score (ties in input order), a chunk at
    a time: a chunk is first checked against the quads kept so far, then its
    survivors suppress each other in score order. Chunks start small and
    double up to ``chunk_size``: the best-scoring quads, which do most of
    the suppressing, are settled before the crowded candidates below them
    are compared among themselves. It stops once ``max_num`` quads are
    kept, which gives full NMS truncated to ``max_num``. Quads should be
    convex (see :func:`sanitize_quads`). IoUs are :func:`quad_ious` of the
    quads in float32.

    Args:
        quads (Tensor): Quads, shape (N, 8).
        scores (Tensor): Scores, shape (N, ).
        iou_threshold (float): Quads overlapping a higher-scoring kept quad
            (of the same label) by more than this IoU are removed.
        labels (Tensor, optional): Class labels, shape (N, ); NMS runs per
            class when given. Defaults to None.
        max_num (int): Keep at most this many (-1: no limit). Defaults to -1.
        chunk_size (int): Most quads visited together. Defaults to 256.
        first_chunk_size (int): Quads in the first chunk. Defaults to 32.

    Returns:
        Tensor: Indices of the kept quads, by decreasing score, shape (K, ).
    """
    keep, _ = _greedy_quad_nms(
        quads,
        scores,
        iou_threshold,
        labels,
        max_num,
        chunk_size,
        first_chunk_size,
        with_groups=False)
    return keep


def quad_nms_groups(quads: Tensor,
                    scores: Tensor,
                    iou_threshold: float,
                    labels: Optional[Tensor] = None,
                    chunk_size: int = 256,
                    first_chunk_size: int = 32) -> Tuple[Tensor, Tensor]:
    """:func:`quad_nms` and the group of every quad: the kept quad that suppressed it.

    Args:
        quads, scores, iou_threshold, labels, chunk_size, first_chunk_size: As for
            :func:`quad_nms`.

    Returns:
        tuple[Tensor]: ``(keep, groups)``: the kept indices by decreasing score, shape (K, ),
        and for each input quad the position in ``keep`` of the kept quad that suppressed it
        (the first, by score, that it overlaps by more than ``iou_threshold``; its own
        position for a kept quad), shape (N, ).
    """
    return _greedy_quad_nms(
        quads, scores, iou_threshold, labels, -1, chunk_size, first_chunk_size, with_groups=True)


def _align_vertices(quads: Tensor, references: Tensor) -> Tensor:
    """Roll each quad's vertices to best match its reference quad.

    Args:
        quads (Tensor): Quads, shape (N, 8).
        references (Tensor): One reference quad per quad, shape (N, 8).

    Returns:
        Tensor: The quads with vertex ``i`` nearest to reference vertex
        ``i`` (over the 4 cyclic shifts), shape (N, 8).
    """
    points = quad_points(quads)
    rolls = torch.stack([points.roll(-shift, dims=1) for shift in range(4)])
    distances = ((rolls - references.reshape(1, -1, 4, 2))**2).sum((-1, -2))
    best = distances.argmin(0)
    return rolls[best, torch.arange(len(quads))].reshape(-1, 8)


def quad_box_voting(quads: Tensor,
                    scores: Tensor,
                    iou_threshold: float,
                    labels: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, Tensor]:
    """Quad NMS whose kept quads are score-weighted votes of their groups.

    Greedy quad NMS (:func:`quad_nms_groups`) picks the group leaders; every
    quad joins the first leader (by decreasing score, of its label) it
    overlaps by more than ``iou_threshold``, i.e. the one that suppressed it.
    Each leader's quad is replaced by the score-weighted average of its
    group's corners, after rolling each member's vertices onto the leader's;
    its score stays the group's best.

    Args:
        quads (Tensor): Convex quads, shape (N, 8).
        scores (Tensor): Scores, shape (N, ).
        iou_threshold (float): IoU above which a quad joins a leader.
        labels (Tensor, optional): Labels, shape (N, ); groups never mix
            labels. Defaults to None.

    Returns:
        tuple[Tensor]: ``(voted_quads, scores, keep)``: the voted canonical
        quads, shape (K, 8), their scores, shape (K, ), and the leaders'
        indices into the input, shape (K, ), by decreasing score.
    """
    keep, groups = quad_nms_groups(quads, scores, iou_threshold, labels)
    if len(keep) == 0:
        return quads.new_zeros((0, 8)), scores.new_zeros((0, )), keep
    quads, scores = quads.float(), scores.float()
    aligned = _align_vertices(quads, quads[keep][groups])
    weighted = quads.new_zeros((len(keep), 8)).index_add_(0, groups, aligned * scores[:, None])
    total = scores.new_zeros(len(keep)).index_add_(0, groups, scores)
    return canonicalize_quads(weighted / total[:, None]), scores[keep], keep

# Copyright (c) textboxes_retina authors.
"""Pure operations for merging quad detections of augmented views.

Quads are ``(N, 8)`` tensors in the package's canonical vertex order (see
:func:`textboxes_retina.structures.canonicalize_quads`).
"""
from typing import Optional, Sequence, Tuple

import torch
from torch import Tensor

from textboxes_retina.structures import canonicalize_quads
from .convex_quad_overlaps import (convex_quad_ious, convex_quad_nms,
                                   overlapping_pairs)

FLIP_DIRECTIONS = ('horizontal', 'vertical', 'diagonal')


def flip_quads(quads: Tensor, img_shape: Sequence[int],
               direction: str) -> Tensor:
    """Mirror quads in an image and restore the canonical vertex order.

    Mirroring reverses a quad's orientation (clockwise becomes
    counter-clockwise) and moves its first vertex, so the mirrored points are
    put back in canonical order. Flipping a view's detections back into the
    original image therefore gives the vertex order the model would have
    given for the unflipped quad; the function is its own inverse on
    canonical quads.

    Args:
        quads (Tensor): Quads, shape (N, 8).
        img_shape (Sequence[int]): ``(height, width)`` of the image the quads
            are mirrored in.
        direction (str): ``'horizontal'`` (x -> width - x), ``'vertical'``
            (y -> height - y) or ``'diagonal'`` (both).

    Returns:
        Tensor: Mirrored canonical quads, shape (N, 8).
    """
    assert direction in FLIP_DIRECTIONS, \
        f'direction must be one of {FLIP_DIRECTIONS}, got {direction!r}'
    height, width = img_shape[:2]
    flipped = quads.clone()
    if direction in ('horizontal', 'diagonal'):
        flipped[:, 0::2] = width - quads[:, 0::2]
    if direction in ('vertical', 'diagonal'):
        flipped[:, 1::2] = height - quads[:, 1::2]
    return canonicalize_quads(flipped)


def quad_short_sides(quads: Tensor) -> Tensor:
    """Size of each quad: the shorter of its two mean opposite-side lengths.

    For a word box this is the text height (in pixels), whatever the
    rotation.

    Args:
        quads (Tensor): Quads, shape (N, 8).

    Returns:
        Tensor: Sizes, shape (N, ).
    """
    points = quads.reshape(-1, 4, 2)
    sides = (points.roll(-1, dims=1) - points).norm(dim=-1)  # (N, 4)
    return torch.minimum((sides[:, 0] + sides[:, 2]) / 2,
                         (sides[:, 1] + sides[:, 3]) / 2)


def _align_vertices(quads: Tensor, references: Tensor) -> Tensor:
    """Roll each quad's vertices to best match its reference quad.

    Args:
        quads (Tensor): Quads, shape (N, 8).
        references (Tensor): One reference quad per quad, shape (N, 8).

    Returns:
        Tensor: The quads with vertex ``i`` nearest to reference vertex
        ``i`` (over the 4 cyclic shifts), shape (N, 8).
    """
    points = quads.reshape(-1, 4, 2)
    rolls = torch.stack([points.roll(-shift, dims=1) for shift in range(4)])
    distances = ((rolls - references.reshape(1, -1, 4, 2))**2).sum((-1, -2))
    best = distances.argmin(0)
    return rolls[best, torch.arange(len(quads))].reshape(-1, 8)


def quad_box_voting(
        quads: Tensor,
        scores: Tensor,
        iou_threshold: float,
        labels: Optional[Tensor] = None) -> Tuple[Tensor, Tensor, Tensor]:
    """Quad NMS whose kept quads are score-weighted votes of their groups.

    Greedy quad NMS (:func:`convex_quad_nms`) picks the group leaders; every
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
    keep = convex_quad_nms(quads, scores, iou_threshold, labels)
    if len(keep) == 0:
        return quads.new_zeros((0, 8)), scores.new_zeros((0, )), keep
    quads, scores = quads.float(), scores.float()
    rows, cols = overlapping_pairs(quads[keep], quads)
    joins = convex_quad_ious(
        quads[keep][rows], quads[cols], aligned=True) > iou_threshold
    joins |= cols == keep[rows]
    if labels is not None:
        joins &= labels[keep][rows] == labels[cols]
    # each quad's first leader (leaders are ranked by score)
    leader = cols.new_full((len(quads), ), len(keep))
    leader.scatter_reduce_(0, cols[joins], rows[joins], 'amin')
    member = leader < len(keep)
    aligned = _align_vertices(quads[member], quads[keep][leader[member]])
    weights = scores[member]
    weighted = quads.new_zeros((len(keep), 8)).index_add_(
        0, leader[member], aligned * weights[:, None])
    total = scores.new_zeros(len(keep)).index_add_(0, leader[member], weights)
    return canonicalize_quads(weighted / total[:, None]), scores[keep], keep

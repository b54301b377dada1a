# Copyright (c) textboxes_retina authors.
"""Pick the decoding candidates of one feature level without copying whole maps.

mmdet's ``BaseDenseHead._predict_by_feat_single`` permutes and reshapes every
level's regression map to ``(H * W * A, E)`` before choosing the ``nms_pre``
best anchors, and sorts every score above ``score_thr``. With TextBoxes++'s 14
anchors and 12 regression values per cell, the stride-4 map of a 768 px image
is 6.2 M floats copied to keep at most ``nms_pre`` rows of it. These helpers
select first (:func:`topk_candidates`, a partial selection) and read only the
selected rows from the map as the head produced it
(:func:`gather_level_deltas`).
"""
from typing import Tuple

import torch
from torch import Tensor


def topk_candidates(scores: Tensor, score_thr: float, topk: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Scores above ``score_thr``, the ``topk`` best, by decreasing score.

    The selection of mmdet's ``filter_scores_and_topk`` (``topk <= 0`` keeps
    every candidate above the threshold), found with a partial ``topk``
    instead of a full sort when more than ``topk`` candidates pass.

    Args:
        scores (Tensor): Scores of one level, shape (num_anchors, C).
        score_thr (float): Only ``score > score_thr`` are candidates.
        topk (int): Candidates kept; ``<= 0`` keeps all.

    Returns:
        tuple[Tensor, Tensor, Tensor]: ``scores`` (K, ), ``labels`` (K, ) and
        ``anchor_idxs`` (K, ) of the kept candidates, best first.
    """
    num_classes = scores.size(1)
    flat = scores.reshape(-1)
    valid = torch.nonzero(flat > score_thr).squeeze(1)
    values = flat[valid]
    if 0 < topk < valid.numel():
        values, order = values.topk(topk, sorted=True)
    else:
        values, order = values.sort(descending=True)
    flat_idxs = valid[order]
    return values, flat_idxs % num_classes, flat_idxs // num_classes


def gather_level_deltas(bbox_pred: Tensor, anchor_idxs: Tensor, num_base_priors: int) -> Tensor:
    """Rows ``anchor_idxs`` of ``bbox_pred.permute(1, 2, 0).reshape(-1, E)``.

    Anchor ``n`` of a level sits in cell ``n // A`` (row-major over
    ``H x W``) and is that cell's anchor ``n % A``, whose ``E`` values are
    channels ``a * E .. a * E + E - 1`` of the map.

    Args:
        bbox_pred (Tensor): One image's regression map of one level,
            shape (A * E, H, W).
        anchor_idxs (Tensor): Anchor indices in ``[0, H * W * A)``, (K, ).
        num_base_priors (int): Anchors per cell ``A``.

    Returns:
        Tensor: Deltas, shape (K, E).
    """
    channels = bbox_pred.size(0)
    deltas = bbox_pred.reshape(num_base_priors, channels // num_base_priors, -1)
    cells = anchor_idxs // num_base_priors
    bases = anchor_idxs % num_base_priors
    return deltas[bases, :, cells]

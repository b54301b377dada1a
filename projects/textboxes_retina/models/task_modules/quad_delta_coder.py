# Copyright (c) textboxes_retina authors.
from typing import Optional, Sequence

import torch
from mmdet.models.task_modules.coders.base_bbox_coder import BaseBBoxCoder
from mmdet.models.task_modules.coders.delta_xywh_bbox_coder import bbox2delta
from mmdet.structures.bbox import BaseBoxes, get_box_tensor
from mmocr.registry import TASK_UTILS
from torch import Tensor

from textboxes_retina.structures import (QuadBoxes, bboxes_to_quads, canonicalize_quads, clip_quads,
                                         quads_to_bboxes)


def _normalizers(deltas: Tensor, means: Sequence[float], stds: Sequence[float]) -> tuple:
    """Means and stds as tensors like ``deltas``, checked against its width."""
    means, stds = deltas.new_tensor(means), deltas.new_tensor(stds)
    assert means.numel() == stds.numel() == deltas.size(-1), \
        f'need {deltas.size(-1)} means and stds, got {means} and {stds}'
    return means, stds


def quad2delta(anchors: Tensor,
               quads: Tensor,
               means: Sequence[float] = (0., ) * 12,
               stds: Sequence[float] = (1., ) * 12,
               encode_size: int = 12) -> Tensor:
    """Encode quads as TextBoxes++ regression targets w.r.t. anchors.

    The 8 corner offsets are ``(qx_i - ax_i) / aw`` and ``(qy_i - ay_i) / ah``
    where ``(ax_i, ay_i)`` are the anchor corners TL, TR, BR, BL and
    ``aw, ah`` the anchor width and height, so quad vertex ``i`` is paired
    with anchor corner ``i`` (pass canonical quads). With ``encode_size``
    12 the offsets follow mmdet's ``(dx, dy, dw, dh)`` deltas of the quad's
    bounding box. Deltas are then normalised: ``(delta - means) / stds``.

    Args:
        anchors (Tensor): Anchors ``(x1, y1, x2, y2)``, shape (N, 4).
        quads (Tensor): Ground-truth quads, shape (N, 8).
        means (Sequence[float]): ``encode_size`` means. Defaults to zeros.
        stds (Sequence[float]): ``encode_size`` stds. Defaults to ones.
        encode_size (int): 12 (box deltas + corner offsets) or 8 (corner
            offsets only). Defaults to 12.

    Returns:
        Tensor: Normalised deltas, shape (N, encode_size).
    """
    assert encode_size in (8, 12), f'encode_size must be 8 or 12, got ' \
        f'{encode_size}'
    assert anchors.size(0) == quads.size(0)
    anchors, quads = anchors.float(), quads.float()
    anchor_quads = bboxes_to_quads(anchors)
    sizes = (anchors[:, 2:] - anchors[:, :2]).repeat(1, 4)
    deltas = (quads - anchor_quads) / sizes
    if encode_size == 12:
        box_deltas = bbox2delta(anchors, quads_to_bboxes(quads))
        deltas = torch.cat([box_deltas, deltas], dim=-1)
    means, stds = _normalizers(deltas, means, stds)
    return (deltas - means) / stds


def delta2quad(anchors: Tensor,
               deltas: Tensor,
               means: Sequence[float] = (0., ) * 12,
               stds: Sequence[float] = (1., ) * 12,
               max_shape: Optional[Sequence[int]] = None) -> Tensor:
    """Decode TextBoxes++ deltas into quads; inverse of :func:`quad2delta`.

    Only the 8 corner offsets (the last 8 columns) define the quad; the box
    deltas of a 12-wide encoding are an auxiliary target.

    Args:
        anchors (Tensor): Anchors ``(x1, y1, x2, y2)``, shape (N, 4).
        deltas (Tensor): Normalised deltas, shape (N, 8) or (N, 12).
        means (Sequence[float]): Means used to encode, one per column.
            Defaults to zeros.
        stds (Sequence[float]): Stds used to encode, one per column.
            Defaults to ones.
        max_shape (Sequence[int], optional): ``(height, width)`` to clamp the
            quads into. Defaults to None (no clamping).

    Returns:
        Tensor: Quads, vertex ``i`` from anchor corner ``i``, shape (N, 8).
    """
    means, stds = _normalizers(deltas, means, stds)
    offsets = (deltas * stds + means)[:, -8:]
    anchors = anchors.to(offsets)
    sizes = (anchors[:, 2:] - anchors[:, :2]).repeat(1, 4)
    quads = bboxes_to_quads(anchors) + offsets * sizes
    if max_shape is not None:
        quads = clip_quads(quads, max_shape)
    return quads


@TASK_UTILS.register_module()
class QuadDeltaCoder(BaseBBoxCoder):
    """TextBoxes++ quad coder for anchor heads.

    ``encode`` puts ground-truth quads in the canonical vertex order (see
    :func:`textboxes_retina.structures.canonicalize_quads`) and calls
    :func:`quad2delta`; ``decode`` calls :func:`delta2quad`. The head reads
    the regression width from ``encode_size``. Ground truth is typed: a
    :class:`~mmdet.structures.bbox.BaseBoxes` is converted to quads
    (``convert_to('quad')``: :class:`QuadBoxes` as they are, mmdet's
    ``HorizontalBoxes`` as their four corners); a plain tensor must hold
    quads. ``decode`` returns :class:`QuadBoxes` with ``use_box_type=True``
    (mmdet's coder convention), else their tensor.

    Args:
        encode_size (int): 12 (bounding-box ``dx, dy, dw, dh`` + 8 corner
            offsets) or 8 (corner offsets only). Defaults to 12.
        target_means (Sequence[float], optional): One mean per encoded
            column. Defaults to zeros.
        target_stds (Sequence[float], optional): One std per encoded column.
            Defaults to ones.
        clip_border (bool): Whether ``decode`` clamps quads into
            ``max_shape`` when one is given. Defaults to True.
        **kwargs: Arguments of :class:`BaseBBoxCoder` (``use_box_type``,
            default False).
    """

    def __init__(self,
                 encode_size: int = 12,
                 target_means: Optional[Sequence[float]] = None,
                 target_stds: Optional[Sequence[float]] = None,
                 clip_border: bool = True,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        assert encode_size in (8, 12), \
            f'encode_size must be 8 or 12, got {encode_size}'
        self.encode_size = encode_size
        self.means = tuple(target_means or (0., ) * encode_size)
        self.stds = tuple(target_stds or (1., ) * encode_size)
        assert len(self.means) == len(self.stds) == encode_size, \
            f'need {encode_size} target_means and target_stds'
        self.clip_border = clip_border

    def encode(self, bboxes: Tensor, gt_bboxes: Tensor) -> Tensor:
        """Encode ground truth w.r.t. anchors.

        Args:
            bboxes (Tensor | :obj:`BaseBoxes`): Anchors, shape (N, 4).
            gt_bboxes (Tensor | :obj:`BaseBoxes`): Ground truth in any vertex
                order: :class:`QuadBoxes` or a tensor of quads, shape (N, 8),
                or any box type with a converter to ``'quad'`` (mmdet's
                ``HorizontalBoxes``).

        Returns:
            Tensor: Deltas, shape (N, encode_size).
        """
        anchors = get_box_tensor(bboxes)
        if isinstance(gt_bboxes, BaseBoxes):
            gt = gt_bboxes.convert_to('quad').tensor
        else:
            gt = QuadBoxes(gt_bboxes, clone=False).tensor  # checks (N, 8)
        return quad2delta(anchors, canonicalize_quads(gt.float()), self.means, self.stds,
                          self.encode_size)

    def decode(self,
               bboxes: Tensor,
               pred_bboxes: Tensor,
               max_shape: Optional[Sequence[int]] = None) -> Tensor:
        """Decode predicted deltas into quads.

        Args:
            bboxes (Tensor | :obj:`BaseBoxes`): Anchors, shape (N, 4).
            pred_bboxes (Tensor): Deltas, shape (N, encode_size).
            max_shape (Sequence[int], optional): ``(height, width)`` of the
                image to clamp into (if ``clip_border``). Defaults to None.

        Returns:
            Tensor | :obj:`QuadBoxes`: Quads, shape (N, 8); :class:`QuadBoxes`
            if ``use_box_type``.
        """
        assert pred_bboxes.size(-1) == self.encode_size
        quads = delta2quad(
            get_box_tensor(bboxes), pred_bboxes, self.means, self.stds,
            max_shape if self.clip_border else None)
        return QuadBoxes(quads, clone=False) if self.use_box_type else quads

# Copyright (c) textboxes_retina authors.
from typing import List, Sequence

import torch
from mmdet.models.task_modules.prior_generators import AnchorGenerator
from torch import Tensor

from mmocr.registry import TASK_UTILS


@TASK_UTILS.register_module()
class TextBoxesAnchorGenerator(AnchorGenerator):
    """Anchors of TextBoxes++: long aspect ratios and vertical offsets.

    Each feature cell of a level with stride ``s`` gets every (aspect ratio,
    scale) anchor twice: centred at the cell centre ``(s/2, s/2)`` and shifted
    down by half a stride to ``(s/2, s)``, so that densely stacked text lines
    are covered. With 7 aspect ratios and one scale this gives 14 anchors per
    location: the first 7 at the cell centre, the next 7 shifted down, each
    half in ``aspect_ratios`` order. Everything else (grid placement, valid
    flags, multi-level lists) is mmdet's :class:`AnchorGenerator`.

    An anchor of base size ``b``, scale ``k`` and aspect ratio ``r = w / h``
    has width ``b * k * sqrt(r)`` and height ``b * k / sqrt(r)``.

    Args:
        strides (Sequence[int]): Anchor strides of the levels, e.g.
            ``(4, 8, 16, 32, 64, 128)`` for FPN P2..P7 (drop the first for a
            C3-start FPN).
        base_sizes (Sequence[int]): Base anchor size of each level.
            Defaults to ``(16, 32, 64, 128, 256, 512)``.
        aspect_ratios (Sequence[float]): Width / height ratios. Defaults to
            ``(1, 2, 3, 5, 1/2, 1/3, 1/5)``.
        scales (Sequence[float]): Scales relative to the base size.
            Defaults to ``(1.0, )``.
        vertical_offset (bool): Whether to add the copies shifted down by half
            a stride. Defaults to True.
        **kwargs: Other arguments of :class:`AnchorGenerator` (e.g.
            ``use_box_type``); ``centers``/``center_offset`` are set here.
    """

    def __init__(self,
                 strides: Sequence[int] = (4, 8, 16, 32, 64, 128),
                 base_sizes: Sequence[int] = (16, 32, 64, 128, 256, 512),
                 aspect_ratios: Sequence[float] = (1., 2., 3., 5., 1 / 2,
                                                   1 / 3, 1 / 5),
                 scales: Sequence[float] = (1., ),
                 vertical_offset: bool = True,
                 **kwargs) -> None:
        self.aspect_ratios = tuple(float(r) for r in aspect_ratios)
        self.vertical_offset = vertical_offset
        # mmdet's ``ratios`` are height / width.
        super().__init__(
            strides=list(strides),
            ratios=[1. / r for r in self.aspect_ratios],
            scales=list(scales),
            base_sizes=list(base_sizes),
            **kwargs)

    def gen_base_anchors(self) -> List[Tensor]:
        """Generate the base anchors of every level.

        Returns:
            list[Tensor]: Base anchors ``(x1, y1, x2, y2)`` of one cell whose
            top-left corner is the origin, one tensor of shape (A, 4) per
            level, ``A = len(ratios) * len(scales) * (2 if vertical_offset
            else 1)``.
        """
        multi_level_base_anchors = []
        for (stride_w, stride_h), base_size in zip(self.strides,
                                                   self.base_sizes):
            centres = [(stride_w / 2, stride_h / 2)]
            if self.vertical_offset:
                centres.append((stride_w / 2, float(stride_h)))
            multi_level_base_anchors.append(
                torch.cat([
                    self.gen_single_level_base_anchors(
                        base_size, self.scales, self.ratios, center=centre)
                    for centre in centres
                ]))
        return multi_level_base_anchors

    def __repr__(self) -> str:
        """str: The generator's settings."""
        return (f'{self.__class__.__name__}(strides={self.strides}, '
                f'base_sizes={self.base_sizes}, '
                f'aspect_ratios={self.aspect_ratios}, '
                f'scales={self.scales.tolist()}, '
                f'vertical_offset={self.vertical_offset})')

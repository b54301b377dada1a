# Copyright (c) textboxes_retina authors.
from collections import OrderedDict
from typing import List, Sequence, Tuple, Union

import torch
from mmdet.models.task_modules.prior_generators import AnchorGenerator
from mmocr.registry import TASK_UTILS
from torch import Tensor


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

    The anchors of a level are cached per feature-map size, dtype and device
    (the ``cache_size`` most recent ones, all levels together): inference at
    a fixed size and training with a few scales build every grid once.
    Callers must not modify the returned anchors in place.

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
        cache_size (int): Level grids kept in the cache; 0 disables it.
            Defaults to 36 (six input sizes of a six-level pyramid).
        **kwargs: Other arguments of :class:`AnchorGenerator` (e.g.
            ``use_box_type``); ``centers``/``center_offset`` are set here.
    """

    def __init__(self,
                 strides: Sequence[int] = (4, 8, 16, 32, 64, 128),
                 base_sizes: Sequence[int] = (16, 32, 64, 128, 256, 512),
                 aspect_ratios: Sequence[float] = (1., 2., 3., 5., 1 / 2, 1 / 3, 1 / 5),
                 scales: Sequence[float] = (1., ),
                 vertical_offset: bool = True,
                 cache_size: int = 36,
                 **kwargs) -> None:
        self.aspect_ratios = tuple(float(r) for r in aspect_ratios)
        self.vertical_offset = vertical_offset
        self.cache_size = cache_size
        self._grid_cache: OrderedDict = OrderedDict()
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
        for (stride_w, stride_h), base_size in zip(self.strides, self.base_sizes):
            centres = [(stride_w / 2, stride_h / 2)]
            if self.vertical_offset:
                centres.append((stride_w / 2, float(stride_h)))
            multi_level_base_anchors.append(
                torch.cat([
                    self.gen_single_level_base_anchors(
                        base_size, self.scales, self.ratios, center=centre) for centre in centres
                ]))
        return multi_level_base_anchors

    def single_level_grid_priors(self,
                                 featmap_size: Tuple[int, int],
                                 level_idx: int,
                                 dtype: torch.dtype = torch.float32,
                                 device: Union[torch.device, str] = 'cuda') -> Tensor:
        """mmdet's anchors of one level, from the cache when built before.

        Args:
            featmap_size (tuple[int, int]): ``(H, W)`` of the level.
            level_idx (int): Level index.
            dtype (torch.dtype): Anchor dtype. Defaults to torch.float32.
            device (torch.device | str): Device. Defaults to 'cuda'.

        Returns:
            Tensor: Anchors, shape (H * W * A, 4) (a box type with
            ``use_box_type``).
        """
        key = (level_idx, tuple(int(s) for s in featmap_size), dtype, str(torch.device(device)))
        anchors = self._grid_cache.get(key)
        if anchors is None:
            anchors = super().single_level_grid_priors(
                featmap_size, level_idx, dtype=dtype, device=device)
            if self.cache_size > 0:
                self._grid_cache[key] = anchors
                while len(self._grid_cache) > self.cache_size:
                    self._grid_cache.popitem(last=False)
        else:
            self._grid_cache.move_to_end(key)
        return anchors

    def clear_cache(self) -> None:
        """Forget the cached grids (they are rebuilt on the next call)."""
        self._grid_cache.clear()

    def __repr__(self) -> str:
        """str: The generator's settings."""
        return (f'{self.__class__.__name__}(strides={self.strides}, '
                f'base_sizes={self.base_sizes}, '
                f'aspect_ratios={self.aspect_ratios}, '
                f'scales={self.scales.tolist()}, '
                f'vertical_offset={self.vertical_offset})')

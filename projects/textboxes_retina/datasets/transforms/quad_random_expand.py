# Copyright (c) textboxes_retina authors.
"""Zoom-out augmentation (SSD "expand") that moves quads with the image."""
from typing import Optional, Sequence, Tuple

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmocr.registry import TRANSFORMS

from textboxes_retina.structures import translate_polygons


@TRANSFORMS.register_module()
class QuadRandomExpand(BaseTransform):
    """Place the image at a random position on a larger canvas filled with ``fill_value``.

    The canvas is ``ratio`` times the image on each side, ``ratio`` drawn from ``ratio_range``;
    quads and boxes are shifted by the image's offset on the canvas, so they stay aligned and
    inside the (larger) image. Followed by a crop and a resize, this makes small text.

    Required Keys:

    - img
    - img_shape
    - gt_polygons (optional)
    - gt_bboxes (optional)

    Modified Keys:

    - img
    - img_shape
    - gt_polygons (optional)
    - gt_bboxes (optional)

    Added Keys:

    - expand_offset (tuple[int, int]): ``(left, top)`` of the image on the canvas
      (``(0, 0)`` when not applied).

    Args:
        fill_value (Sequence[float]): Canvas colour in the image's channel order.
            Defaults to ``(104, 117, 123)`` (the ImageNet mean, BGR).
        ratio_range (tuple[float, float]): Range of the canvas / image side ratio (>= 1).
            Defaults to (1.0, 4.0).
        prob (float): Probability of expanding. Defaults to 0.5.
    """

    def __init__(self,
                 fill_value: Sequence[float] = (104, 117, 123),
                 ratio_range: Tuple[float, float] = (1.0, 4.0),
                 prob: float = 0.5) -> None:
        if not 1 <= ratio_range[0] <= ratio_range[1]:
            raise ValueError(f'ratio_range must satisfy 1 <= min <= max, got {ratio_range}')
        self.fill_value = tuple(fill_value)
        self.ratio_range = tuple(ratio_range)
        self.prob = prob

    @cache_randomness
    def _sample_canvas(self, height: int, width: int) -> Optional[Tuple[int, int, int, int]]:
        """Return ``(canvas_h, canvas_w, left, top)``, or None to leave the image as it is."""
        if np.random.rand() >= self.prob:
            return None
        ratio = np.random.uniform(*self.ratio_range)
        canvas_h, canvas_w = int(height * ratio), int(width * ratio)
        left = np.random.randint(canvas_w - width + 1)
        top = np.random.randint(canvas_h - height + 1)
        return canvas_h, canvas_w, int(left), int(top)

    def transform(self, results: dict) -> dict:
        """Expand the image and shift the annotations.

        Args:
            results (dict): Result dict with the required keys.

        Returns:
            dict: The expanded result.
        """
        img = results['img']
        height, width = img.shape[:2]
        canvas = self._sample_canvas(height, width)
        if canvas is None:
            results['expand_offset'] = (0, 0)
            return results
        canvas_h, canvas_w, left, top = canvas
        expanded = np.empty((canvas_h, canvas_w) + img.shape[2:], dtype=img.dtype)
        expanded[...] = np.asarray(self.fill_value, dtype=img.dtype)[:img.shape[2]] \
            if img.ndim == 3 else self.fill_value[0]
        expanded[top:top + height, left:left + width] = img
        results['img'] = expanded
        results['img_shape'] = expanded.shape[:2]
        results['expand_offset'] = (left, top)
        if results.get('gt_polygons') is not None:
            results['gt_polygons'] = translate_polygons(results['gt_polygons'], left, top)
        if results.get('gt_bboxes') is not None:
            results['gt_bboxes'] = (
                np.asarray(results['gt_bboxes'], dtype=np.float32) +
                np.array([left, top, left, top], dtype=np.float32))
        return results

    def __repr__(self) -> str:
        repr_str = self.__class__.__name__
        repr_str += f'(fill_value={self.fill_value}, '
        repr_str += f'ratio_range={self.ratio_range}, '
        repr_str += f'prob={self.prob})'
        return repr_str

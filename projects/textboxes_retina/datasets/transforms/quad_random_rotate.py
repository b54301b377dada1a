# Copyright (c) textboxes_retina authors.
"""Rotation of image and quads, on a canvas large enough to keep every word."""
from typing import Tuple

import numpy as np
from mmcv.transforms.utils import cache_randomness
from mmocr.datasets.transforms import RandomRotate
from mmocr.registry import TRANSFORMS

from textboxes_retina.structures import clamp_polygons, polygons_to_bboxes


@TRANSFORMS.register_module()
class QuadRandomRotate(RandomRotate):
    """MMOCR's ``RandomRotate`` on a canvas (``use_canvas=True``), applied with probability
    ``prob``, whose boxes stay the tight boxes of the rotated quads.

    MMOCR's transform rotates the polygons exactly (the same affine matrix as the image), but it
    rotates the corners of the axis-aligned boxes, which inflates them, and its integer canvas
    size can leave a rotated image corner up to a pixel outside. This subclass recomputes
    ``gt_bboxes`` from the rotated quads and clamps the quads into the canvas, so every output
    point lies inside the image. The canvas grows with the angle: no word is lost.

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

    - rotated_angle (float): degrees, counter-clockwise; 0 when not applied.

    Args:
        max_angle (int): Angles are drawn uniformly from ``[-max_angle, max_angle]``.
            Defaults to 10.
        prob (float): Probability of rotating. Defaults to 0.5.
        pad_with_fixed_color (bool): Fill the corners with ``pad_value`` instead of a stretched
            patch of the image. Defaults to True.
        pad_value (tuple[int, int, int]): Corner colour. Defaults to (0, 0, 0).
    """

    def __init__(self,
                 max_angle: int = 10,
                 prob: float = 0.5,
                 pad_with_fixed_color: bool = True,
                 pad_value: Tuple[int, int, int] = (0, 0, 0)) -> None:
        super().__init__(
            max_angle=max_angle,
            pad_with_fixed_color=pad_with_fixed_color,
            pad_value=pad_value,
            use_canvas=True)
        self.prob = prob

    @cache_randomness
    def _do_rotate(self) -> bool:
        """Whether this call rotates."""
        return np.random.rand() < self.prob

    def transform(self, results: dict) -> dict:
        """Rotate the image and quads, then tighten boxes and clamp quads.

        Args:
            results (dict): Result dict with the required keys.

        Returns:
            dict: The rotated result.
        """
        if not self._do_rotate():
            results['rotated_angle'] = 0.0
            return results
        results = super().transform(results)
        if results.get('gt_polygons') is not None:
            height, width = results['img_shape']
            results['gt_polygons'] = clamp_polygons(results['gt_polygons'], width, height)
            results['gt_bboxes'] = polygons_to_bboxes(results['gt_polygons'])
        return results

    def __repr__(self) -> str:
        repr_str = self.__class__.__name__
        repr_str += f'(max_angle={self.max_angle}, prob={self.prob}, '
        repr_str += f'pad_with_fixed_color={self.pad_with_fixed_color}, '
        repr_str += f'pad_value={self.pad_value})'
        return repr_str

# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""``QuadBoxes``: quadrilaterals as an mmdet box type (``'quad'``), with ``'hbox'`` converters."""
from typing import Tuple, Union

import cv2
import numpy as np
import torch
from mmdet.structures.bbox import BaseBoxes, HorizontalBoxes, register_box, register_box_converter
from mmdet.structures.mask import BitmapMasks, PolygonMasks
from torch import BoolTensor, Tensor

from .quad_conversion import bboxes_to_quads, polygons_to_quads, quads_to_bboxes
from .quad_overlaps import quad_intersection_areas, quad_ious
from .quad_validity import clip_quads, quad_areas

MaskType = Union[BitmapMasks, PolygonMasks]


@register_box('quad')
class QuadBoxes(BaseBoxes):
    """Quadrilaterals ``(x1, y1, x2, y2, x3, y3, x4, y4)``, registered as mmdet box type ``'quad'``.

    The package's quads (see :mod:`textboxes_retina.structures`) as a typed mmdet box, so that a
    ``bboxes`` field says what it holds instead of its width: ``gt_instances.bboxes`` of the
    head's targets are ``QuadBoxes``, and ``convert_to('hbox')`` gives their axis-aligned
    bounding boxes (mmrotate's ``QuadriBoxes`` plays the same part for oriented objects).
    Geometry is delegated to the package's quad functions: areas are shoelace areas, overlaps are
    exact convex-polygon IoUs, clipping clamps the coordinates into the image. Vertex order is
    kept by every operation (a flip reverses the orientation); use
    :func:`~textboxes_retina.structures.canonicalize_quads` on ``tensor`` for the canonical
    order. ``widths`` and ``heights`` are those of the bounding boxes.

    Args:
        data (Tensor | np.ndarray | Sequence): Quads, shape (..., 8).
        dtype (torch.dtype, optional): Data type. Defaults to None.
        device (str | torch.device, optional): Device. Defaults to None.
        clone (bool): Whether to copy ``data``. Defaults to True.
    """

    box_dim = 8

    @property
    def vertices(self) -> Tensor:
        """Vertices, shape (..., 4, 2)."""
        return self.tensor.reshape(*self.tensor.shape[:-1], 4, 2)

    @property
    def centers(self) -> Tensor:
        """Vertex means, shape (..., 2)."""
        return self.vertices.mean(dim=-2)

    @property
    def areas(self) -> Tensor:
        """Polygon (shoelace) areas, shape (..., ) (see :func:`quad_areas`)."""
        return quad_areas(self.tensor).reshape(self.tensor.shape[:-1])

    @property
    def widths(self) -> Tensor:
        """Widths of the bounding boxes, shape (..., )."""
        bboxes = quads_to_bboxes(self.tensor)
        return bboxes[..., 2] - bboxes[..., 0]

    @property
    def heights(self) -> Tensor:
        """Heights of the bounding boxes, shape (..., )."""
        bboxes = quads_to_bboxes(self.tensor)
        return bboxes[..., 3] - bboxes[..., 1]

    def flip_(self, img_shape: Tuple[int, int], direction: str = 'horizontal') -> None:
        """Flip the quads in place (vertex ``i`` stays vertex ``i``).

        Args:
            img_shape (tuple[int, int]): Image ``(height, width)``.
            direction (str): ``'horizontal'``, ``'vertical'`` or ``'diagonal'``. Defaults to
                ``'horizontal'``.
        """
        assert direction in ('horizontal', 'vertical', 'diagonal'), direction
        height, width = img_shape[:2]
        flipped = self.tensor
        if direction in ('horizontal', 'diagonal'):
            flipped[..., 0::2] = width - flipped[..., 0::2]
        if direction in ('vertical', 'diagonal'):
            flipped[..., 1::2] = height - flipped[..., 1::2]

    def translate_(self, distances: Tuple[float, float]) -> None:
        """Move the quads in place by ``(dx, dy)``."""
        assert len(distances) == 2
        self.tensor = self.tensor + self.tensor.new_tensor(distances).repeat(4)

    def clip_(self, img_shape: Tuple[int, int]) -> None:
        """Clamp the coordinates into ``img_shape`` ``(height, width)`` in place (see
        :func:`clip_quads`)."""
        self.tensor = clip_quads(self.tensor, img_shape)

    def rotate_(self, center: Tuple[float, float], angle: float) -> None:
        """Rotate the quads in place by ``angle`` degrees (positive: clockwise on screen, as
        mmdet's boxes) around ``center`` ``(x, y)``."""
        matrix = self.tensor.new_tensor(cv2.getRotationMatrix2D(center, -angle, 1))
        self._apply_affine(matrix)

    def project_(self, homography_matrix: Union[Tensor, np.ndarray]) -> None:
        """Apply a (3, 3) homography to the vertices in place."""
        matrix = self.tensor.new_tensor(homography_matrix) if isinstance(
            homography_matrix, np.ndarray) else homography_matrix.to(self.tensor)
        points = self._homogeneous() @ matrix.transpose(0, 1)
        self.tensor = (points[..., :2] / points[..., 2:]).flatten(-2)

    def _homogeneous(self) -> Tensor:
        """Vertices with a column of ones, shape (..., 4, 3)."""
        vertices = self.vertices
        return torch.cat([vertices, vertices.new_ones(*vertices.shape[:-1], 1)], dim=-1)

    def _apply_affine(self, matrix: Tensor) -> None:
        """Map the vertices by a (2, 3) affine matrix."""
        self.tensor = (self._homogeneous() @ matrix.transpose(0, 1)).flatten(-2)

    def rescale_(self, scale_factor: Tuple[float, float]) -> None:
        """Scale the coordinates (positions and sizes) by ``(sx, sy)`` in place."""
        assert len(scale_factor) == 2
        self.tensor = self.tensor * self.tensor.new_tensor(scale_factor).repeat(4)

    def resize_(self, scale_factor: Tuple[float, float]) -> None:
        """Scale the quads by ``(sx, sy)`` around their centers in place."""
        assert len(scale_factor) == 2
        centers = self.centers[..., None, :]
        vertices = (self.vertices - centers) * self.tensor.new_tensor(scale_factor) + centers
        self.tensor = vertices.flatten(-2)

    def is_inside(self,
                  img_shape: Tuple[int, int],
                  all_inside: bool = False,
                  allowed_border: int = 0) -> BoolTensor:
        """Whether the bounding boxes are inside the image, as for mmdet's
        :class:`HorizontalBoxes`.

        Args:
            img_shape (tuple[int, int]): Image ``(height, width)``.
            all_inside (bool): Whole boxes inside (True) or any part (False). Defaults to False.
            allowed_border (int): Margin around the image counted as inside. Defaults to 0.

        Returns:
            BoolTensor: Shape (..., ).
        """
        return self.convert_to('hbox').is_inside(img_shape, all_inside, allowed_border)

    def find_inside_points(self, points: Tensor, is_aligned: bool = False) -> BoolTensor:
        """Which points are strictly inside which (convex) quads.

        Args:
            points (Tensor): Points ``(x, y)``, shape (M, 2).
            is_aligned (bool): Test point ``i`` against quad ``i`` only (then M == N).
                Defaults to False.

        Returns:
            BoolTensor: Shape (M, N), or (M, ) if ``is_aligned``.
        """
        assert self.tensor.dim() == 2, 'QuadBoxes must be (N, 8)'
        starts = self.vertices
        ends = starts.roll(-1, dims=-2)
        if is_aligned:
            assert len(points) == len(starts)
            points = points[:, None, :]
        else:
            points = points[:, None, None, :]
        # side of each point w.r.t. each directed edge: all one sign means inside
        sides = ((ends[..., 0] - starts[..., 0]) * (points[..., 1] - starts[..., 1]) -
                 (ends[..., 1] - starts[..., 1]) * (points[..., 0] - starts[..., 0]))
        return (sides > 0).all(-1) | (sides < 0).all(-1)

    @staticmethod
    def overlaps(boxes1: BaseBoxes,
                 boxes2: BaseBoxes,
                 mode: str = 'iou',
                 is_aligned: bool = False,
                 eps: float = 1e-6) -> Tensor:
        """Exact overlaps of convex quads (both sides converted to ``'quad'``).

        Args:
            boxes1 (BaseBoxes): Shape (M, box_dim).
            boxes2 (BaseBoxes): Shape (N, box_dim).
            mode (str): ``'iou'`` or ``'iof'`` (intersection over the area of ``boxes1``).
                Defaults to ``'iou'``.
            is_aligned (bool): Compare row ``i`` with row ``i`` only (M == N). Defaults to
                False.
            eps (float): Lower bound of the denominators. Defaults to 1e-6.

        Returns:
            Tensor: Shape (M, N), or (M, ) if ``is_aligned``.
        """
        assert mode in ('iou', 'iof'), f"mode must be 'iou' or 'iof', got {mode!r}"
        quads1 = boxes1.convert_to('quad').tensor
        quads2 = boxes2.convert_to('quad').tensor
        if mode == 'iou' and not is_aligned:
            return quad_ious(quads1, quads2)
        areas1 = quad_areas(quads1)
        if is_aligned:
            assert len(quads1) == len(quads2)
            inter = quad_intersection_areas(quads1, quads2)
            union = areas1 + quad_areas(quads2) - inter if mode == 'iou' else areas1
            return inter / union.clamp(min=eps)
        # iof: intersections of the pairs whose bounding boxes meet
        bboxes1, bboxes2 = quads_to_bboxes(quads1), quads_to_bboxes(quads2)
        meet = ((torch.min(bboxes1[:, None, 2:], bboxes2[None, :, 2:]) -
                 torch.max(bboxes1[:, None, :2], bboxes2[None, :, :2])) > 0).all(-1)
        rows, cols = meet.nonzero(as_tuple=True)
        inter = quads1.new_zeros(len(quads1), len(quads2))
        inter[rows, cols] = quad_intersection_areas(quads1[rows], quads2[cols])
        return inter / areas1[:, None].clamp(min=eps)

    @staticmethod
    def from_instance_masks(masks: MaskType) -> 'QuadBoxes':
        """Quads of instance masks: a polygon of 4 vertices is kept, anything else (several
        polygons, more vertices, the pixels of a bitmap) gives its minimum-area rectangle, in
        canonical order (see :func:`polygons_to_quads`). Bitmap pixels count as unit squares.

        Args:
            masks (BitmapMasks | PolygonMasks): ``n`` instance masks.

        Returns:
            QuadBoxes: Shape (n, 8).
        """
        if isinstance(masks, PolygonMasks):
            polygons = [
                np.concatenate([np.asarray(p, np.float32).reshape(-1) for p in polygon])
                for polygon in masks.masks
            ]
        else:
            polygons = [_pixel_corners(mask) for mask in masks.to_ndarray()]
        return QuadBoxes(polygons_to_quads(polygons))


def _pixel_corners(mask: np.ndarray) -> np.ndarray:
    """The corners of a bitmap's set pixels as a flat ``(x1, y1, ...)`` array."""
    ys, xs = np.nonzero(mask)
    corners = [(xs + dx, ys + dy) for dx, dy in ((0, 0), (1, 0), (1, 1), (0, 1))]
    return np.stack([np.stack(c, -1) for c in corners], 1).reshape(-1).astype(np.float32)


@register_box_converter(QuadBoxes, HorizontalBoxes)
def quad2hbox(quads: Tensor) -> Tensor:
    """Axis-aligned bounding boxes of quads: (..., 8) -> (..., 4) (see
    :func:`quads_to_bboxes`)."""
    return quads_to_bboxes(quads)


@register_box_converter(HorizontalBoxes, QuadBoxes)
def hbox2quad(bboxes: Tensor) -> Tensor:
    """Boxes as quads (TL, TR, BR, BL): (..., 4) -> (..., 8) (see :func:`bboxes_to_quads`)."""
    return bboxes_to_quads(bboxes)


__all__ = ['QuadBoxes', 'hbox2quad', 'quad2hbox']

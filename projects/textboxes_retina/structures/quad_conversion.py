# Copyright (c) textboxes_retina authors.
"""Quads to and from other forms: boxes, polygon lists, the canonical vertex order, mirroring.

The *canonical* vertex order used everywhere in the package is clockwise on screen (top-left,
top-right, bottom-right, bottom-left for an upright box), starting from the vertex nearest the
top-left corner of the quad's axis-aligned bounding box (:func:`canonicalize_quads`).

The bounding box of quads or polygons is :func:`quads_to_bboxes`, and a list of 8-value
polygons becomes an ``(N, 8)`` array through :func:`stack_quads`: nothing else in the package
computes either.
"""
from typing import List, Sequence

import cv2
import numpy as np
import torch
from torch import Tensor

from .quad_arrays import ArrayLike, numpy_compatible, quad_points

FLIP_DIRECTIONS = ('horizontal', 'vertical', 'diagonal')


@numpy_compatible
def bboxes_to_quads(bboxes: ArrayLike) -> ArrayLike:
    """Turn axis-aligned boxes into canonical quads.

    Args:
        bboxes (Tensor | np.ndarray): Boxes ``(x1, y1, x2, y2)``, shape (N, 4).

    Returns:
        Tensor | np.ndarray: Quads (TL, TR, BR, BL), shape (N, 8).
    """
    x1, y1, x2, y2 = bboxes.unbind(-1)
    return torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1)


@numpy_compatible
def quads_to_bboxes(quads: ArrayLike) -> ArrayLike:
    """Axis-aligned bounding boxes of quads (or of polygons with any number of vertices).

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8), or polygons of ``k`` vertices,
            shape (N, 2k).

    Returns:
        Tensor | np.ndarray: Boxes ``(x1, y1, x2, y2)``, shape (N, 4), in the input's dtype.
    """
    xs, ys = quads[..., 0::2], quads[..., 1::2]
    return torch.stack([xs.min(-1).values,
                        ys.min(-1).values,
                        xs.max(-1).values,
                        ys.max(-1).values],
                       dim=-1)


@numpy_compatible
def canonicalize_quads(quads: ArrayLike) -> ArrayLike:
    """Put the vertices of each quad in the canonical order.

    Vertices are sorted by angle around their mean (clockwise on screen, as
    y points down), then rolled so that the vertex nearest the top-left corner
    of the bounding box comes first. Sorting by angle also untangles
    self-intersecting ("bow-tie") vertex orders.

    Args:
        quads (Tensor | np.ndarray): Quads in any vertex order, shape (N, 8).

    Returns:
        Tensor | np.ndarray: The same quads in canonical order, shape (N, 8).
    """
    pts = quad_points(quads)
    if pts.shape[0] == 0:
        return quads.reshape(0, 8).clone()
    centre = pts.mean(dim=1, keepdim=True)
    angles = torch.atan2(pts[..., 1] - centre[..., 1], pts[..., 0] - centre[..., 0])
    order = angles.argsort(dim=1)
    pts = pts.gather(1, order[..., None].expand(-1, -1, 2))
    top_left = pts.min(dim=1, keepdim=True).values
    start = ((pts - top_left)**2).sum(-1).argmin(dim=1)
    roll = (start[:, None] + torch.arange(4, device=pts.device)) % 4
    pts = pts.gather(1, roll[..., None].expand(-1, -1, 2))
    return pts.reshape(-1, 8)


def flip_quads(quads: Tensor, img_shape: Sequence[int], direction: str) -> Tensor:
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


def min_area_quad(points: np.ndarray) -> np.ndarray:
    """Minimum-area rectangle (OpenCV's ``minAreaRect``) around ``(K, 2)`` points.

    Args:
        points (np.ndarray): Points, shape (K, 2) (or (2K, )).

    Returns:
        np.ndarray: Its corners ``(x1, y1, ..., x4, y4)``, float32, shape (8, ).
    """
    rect = cv2.minAreaRect(np.asarray(points, dtype=np.float32).reshape(-1, 2))
    return cv2.boxPoints(rect).reshape(8)


def _flat_polygon(polygon: ArrayLike, dtype: type) -> np.ndarray:
    """One polygon (array or tensor, any shape) as a flat numpy array of ``dtype``."""
    if isinstance(polygon, Tensor):
        polygon = polygon.detach().cpu().numpy()
    return np.asarray(polygon, dtype=dtype).reshape(-1)


def stack_quads(polygons: Sequence[ArrayLike], dtype: type = np.float32) -> np.ndarray:
    """Stack 8-value polygons (MMOCR ``polygons`` of quads) into one array, vertices as given.

    Args:
        polygons (Sequence[np.ndarray | Tensor]): Quads, each 8 values ``(x1, y1, ..., x4, y4)``
            in any array shape, or one ``(N, 8)`` array.
        dtype (type): The output dtype. Defaults to ``np.float32``.

    Returns:
        np.ndarray: Quads, shape (N, 8); ``(0, 8)`` for no polygon.

    Raises:
        ValueError: If a polygon does not have 8 values (convert those with
            :func:`polygons_to_quads`).
    """
    flat = [_flat_polygon(polygon, dtype) for polygon in polygons]
    lengths = [len(polygon) for polygon in flat if len(polygon) != 8]
    if lengths:
        raise ValueError(f'expected quads of 8 values, got lengths {lengths[:5]} (convert '
                         'polygons with textboxes_retina.structures.polygons_to_quads)')
    if not flat:
        return np.zeros((0, 8), dtype=dtype)
    return np.stack(flat)


def polygons_to_quads(polygons: Sequence[ArrayLike]) -> np.ndarray:
    """Convert polygons (MMOCR ``gt_polygons`` style) into canonical quads.

    A polygon with 4 vertices keeps them; any other vertex count is replaced
    by its minimum-area rectangle (:func:`min_area_quad`).

    Args:
        polygons (Sequence[np.ndarray | Tensor]): Polygons, each a flat array
            ``(x1, y1, ..., xk, yk)`` of ``2k`` values.

    Returns:
        np.ndarray: Canonical quads, float32, shape (N, 8).
    """
    quads: List[np.ndarray] = []
    for polygon in polygons:
        points = _flat_polygon(polygon, np.float32).reshape(-1, 2)
        quads.append(points.reshape(8) if len(points) == 4 else min_area_quad(points))
    return canonicalize_quads(stack_quads(quads))

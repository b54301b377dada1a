# Copyright (c) textboxes_retina authors.
"""Measures and validity of quads: areas, sizes, self-intersection, convexity, repair, clamping.

:func:`clip_quads_to_box` is the package's one clamp of coordinates (into an image with
:func:`clip_quads`, into a crop box, or for polygon lists through
:func:`~textboxes_retina.structures.clamp_polygons`).
"""
from typing import Sequence, Tuple

import numpy as np
import torch
from torch import Tensor

from .quad_arrays import ArrayLike, cross, numpy_compatible, quad_points
from .quad_conversion import canonicalize_quads, min_area_quad


@numpy_compatible
def quad_areas(quads: ArrayLike) -> ArrayLike:
    """Polygon (shoelace) areas of quads.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Areas, shape (N, ). Correct for simple quads;
        for a self-intersecting vertex order it is the signed-lobe sum.
    """
    pts = quad_points(quads)
    nxt = pts.roll(-1, dims=1)
    twice = (pts[..., 0] * nxt[..., 1] - nxt[..., 0] * pts[..., 1]).sum(-1)
    return twice.abs() / 2


def quad_short_sides(quads: Tensor) -> Tensor:
    """Size of each quad: the shorter of its two mean opposite-side lengths.

    For a word box this is the text height (in pixels), whatever the
    rotation.

    Args:
        quads (Tensor): Quads, shape (N, 8).

    Returns:
        Tensor: Sizes, shape (N, ).
    """
    points = quad_points(quads)
    sides = (points.roll(-1, dims=1) - points).norm(dim=-1)  # (N, 4)
    return torch.minimum((sides[:, 0] + sides[:, 2]) / 2, (sides[:, 1] + sides[:, 3]) / 2)


@numpy_compatible
def self_intersecting_quads(quads: ArrayLike) -> ArrayLike:
    """Whether the boundary of each quad crosses itself.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Bool flags, shape (N, ).
    """
    p = quad_points(quads)

    def crossing(a, b, c, d):
        return ((cross(a, b, c) * cross(a, b, d) < 0) & (cross(c, d, a) * cross(c, d, b) < 0))

    return (crossing(p[:, 0], p[:, 1], p[:, 2], p[:, 3])
            | crossing(p[:, 1], p[:, 2], p[:, 3], p[:, 0]))


@numpy_compatible
def convex_quads(quads: ArrayLike) -> ArrayLike:
    """Whether each quad is strictly convex (all turns the same way).

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Bool flags, shape (N, ).
    """
    p = quad_points(quads)
    turns = cross(p, p.roll(-1, dims=1), p.roll(-2, dims=1))
    return (turns > 0).all(-1) | (turns < 0).all(-1)


@numpy_compatible
def valid_quads(quads: ArrayLike, min_area: float = 1e-2) -> ArrayLike:
    """Whether each quad is usable: finite, simple, with area above a floor.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).
        min_area (float): Smallest accepted area in pixels. Defaults to 1e-2.

    Returns:
        Tensor | np.ndarray: Bool flags, shape (N, ).
    """
    finite = torch.isfinite(quads).all(-1)
    safe = torch.where(finite[:, None], quads, torch.zeros_like(quads))
    return (finite & (quad_areas(safe) > min_area) & ~self_intersecting_quads(safe))


@numpy_compatible
def sanitize_quads(quads: ArrayLike, min_area: float = 1e-2) -> Tuple[ArrayLike, ArrayLike]:
    """Repair quads where possible and flag the ones to drop.

    Vertices are put in canonical order (which untangles self-intersecting
    orders); a concave quad is replaced by the minimum-area rectangle around
    its vertices, so every kept quad is convex (as :func:`quad_nms` and
    :func:`quad_ious` assume). Non-finite quads and quads whose area is
    not above ``min_area`` are flagged for dropping.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).
        min_area (float): Smallest accepted area in pixels. Defaults to 1e-2.

    Returns:
        tuple: ``(repaired, keep)``: repaired quads in canonical order, shape
        (N, 8) (rows to drop are zeros), and bool flags, shape (N, ).
    """
    finite = torch.isfinite(quads).all(-1)
    quads = torch.where(finite[:, None], quads, torch.zeros_like(quads))
    quads = canonicalize_quads(quads)
    concave = finite & ~convex_quads(quads) & (quad_areas(quads) > min_area)
    if concave.any():
        rects = np.stack([min_area_quad(q) for q in quads[concave].detach().cpu().numpy()])
        quads = quads.clone()
        quads[concave] = canonicalize_quads(torch.from_numpy(rects).to(quads))
    keep = valid_quads(quads, min_area) & finite
    return quads, keep


@numpy_compatible
def clip_quads_to_box(quads: ArrayLike, box: Sequence[float]) -> ArrayLike:
    """Clamp quad coordinates into an axis-aligned box.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8), or any ``(N, 2k)`` interleaved
            ``x, y`` coordinates (polygons, ``(x1, y1, x2, y2)`` boxes).
        box (Sequence[float]): ``(x1, y1, x2, y2)``.

    Returns:
        Tensor | np.ndarray: Clamped copies, same shape; x in ``[x1, x2]``, y in ``[y1, y2]``.
    """
    x1, y1, x2, y2 = box
    clipped = quads.clone()
    clipped[..., 0::2] = clipped[..., 0::2].clamp(x1, x2)
    clipped[..., 1::2] = clipped[..., 1::2].clamp(y1, y2)
    return clipped


def clip_quads(quads: ArrayLike, img_shape: Sequence[int]) -> ArrayLike:
    """Clamp quad coordinates into an image.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8) (or ``(N, 2k)``, e.g. boxes).
        img_shape (Sequence[int]): Image ``(height, width)``.

    Returns:
        Tensor | np.ndarray: Clamped quads, shape (N, 8); x in ``[0, width]``,
        y in ``[0, height]``.
    """
    height, width = img_shape[:2]
    return clip_quads_to_box(quads, (0, 0, width, height))

# Copyright (c) textboxes_retina authors.
"""Pure operations on quadrilaterals stored as ``(N, 8)`` arrays.

A quad is ``(x1, y1, x2, y2, x3, y3, x4, y4)`` in image coordinates (x to the
right, y down). The *canonical* vertex order used everywhere in the package is
clockwise on screen (top-left, top-right, bottom-right, bottom-left for an
upright box), starting from the vertex nearest the top-left corner of the
quad's axis-aligned bounding box.

Every function accepts a ``torch.Tensor`` or a ``np.ndarray`` and returns the
same kind it was given (``quad_nms`` works on tensors only).
"""
import functools
from typing import Callable, List, Optional, Sequence, Tuple, Union

import cv2
import numpy as np
import torch
from torch import Tensor

ArrayLike = Union[Tensor, np.ndarray]


def _numpy_compatible(func: Callable) -> Callable:
    """Let a tensor function take a numpy array and give numpy arrays back."""

    @functools.wraps(func)
    def wrapper(quads: ArrayLike, *args, **kwargs):
        if isinstance(quads, Tensor):
            return func(quads, *args, **kwargs)
        out = func(torch.from_numpy(np.asarray(quads)), *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o.numpy() for o in out)
        return out.numpy()

    return wrapper


def _points(quads: Tensor) -> Tensor:
    """View ``(N, 8)`` quads as ``(N, 4, 2)`` points."""
    return quads.reshape(-1, 4, 2)


def _cross(o: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """z component of ``(a - o) x (b - o)`` for ``(..., 2)`` points."""
    return ((a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) -
            (a[..., 1] - o[..., 1]) * (b[..., 0] - o[..., 0]))


@_numpy_compatible
def bboxes_to_quads(bboxes: ArrayLike) -> ArrayLike:
    """Turn axis-aligned boxes into canonical quads.

    Args:
        bboxes (Tensor | np.ndarray): Boxes ``(x1, y1, x2, y2)``, shape (N, 4).

    Returns:
        Tensor | np.ndarray: Quads (TL, TR, BR, BL), shape (N, 8).
    """
    x1, y1, x2, y2 = bboxes.unbind(-1)
    return torch.stack([x1, y1, x2, y1, x2, y2, x1, y2], dim=-1)


@_numpy_compatible
def quads_to_bboxes(quads: ArrayLike) -> ArrayLike:
    """Axis-aligned bounding boxes of quads.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Boxes ``(x1, y1, x2, y2)``, shape (N, 4).
    """
    xs, ys = quads[..., 0::2], quads[..., 1::2]
    return torch.stack([
        xs.min(-1).values, ys.min(-1).values, xs.max(-1).values,
        ys.max(-1).values
    ], dim=-1)


@_numpy_compatible
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
    pts = _points(quads)
    if pts.shape[0] == 0:
        return quads.reshape(0, 8).clone()
    centre = pts.mean(dim=1, keepdim=True)
    angles = torch.atan2(pts[..., 1] - centre[..., 1],
                         pts[..., 0] - centre[..., 0])
    order = angles.argsort(dim=1)
    pts = pts.gather(1, order[..., None].expand(-1, -1, 2))
    top_left = pts.min(dim=1, keepdim=True).values
    start = ((pts - top_left)**2).sum(-1).argmin(dim=1)
    roll = (start[:, None] + torch.arange(4, device=pts.device)) % 4
    pts = pts.gather(1, roll[..., None].expand(-1, -1, 2))
    return pts.reshape(-1, 8)


@_numpy_compatible
def quad_areas(quads: ArrayLike) -> ArrayLike:
    """Polygon (shoelace) areas of quads.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Areas, shape (N, ). Correct for simple quads;
        for a self-intersecting vertex order it is the signed-lobe sum.
    """
    pts = _points(quads)
    nxt = pts.roll(-1, dims=1)
    twice = (pts[..., 0] * nxt[..., 1] - nxt[..., 0] * pts[..., 1]).sum(-1)
    return twice.abs() / 2


@_numpy_compatible
def self_intersecting_quads(quads: ArrayLike) -> ArrayLike:
    """Whether the boundary of each quad crosses itself.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Bool flags, shape (N, ).
    """
    p = _points(quads)

    def crossing(a, b, c, d):
        return ((_cross(a, b, c) * _cross(a, b, d) < 0) &
                (_cross(c, d, a) * _cross(c, d, b) < 0))

    return (crossing(p[:, 0], p[:, 1], p[:, 2], p[:, 3])
            | crossing(p[:, 1], p[:, 2], p[:, 3], p[:, 0]))


@_numpy_compatible
def convex_quads(quads: ArrayLike) -> ArrayLike:
    """Whether each quad is strictly convex (all turns the same way).

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).

    Returns:
        Tensor | np.ndarray: Bool flags, shape (N, ).
    """
    p = _points(quads)
    turns = _cross(p, p.roll(-1, dims=1), p.roll(-2, dims=1))
    return (turns > 0).all(-1) | (turns < 0).all(-1)


@_numpy_compatible
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
    return (finite & (quad_areas(safe) > min_area)
            & ~self_intersecting_quads(safe))


def _min_area_rect(points: np.ndarray) -> np.ndarray:
    """Minimum-area rectangle around ``(K, 2)`` points, as 8 floats."""
    rect = cv2.minAreaRect(points.astype(np.float32).reshape(-1, 2))
    return cv2.boxPoints(rect).reshape(8)


@_numpy_compatible
def sanitize_quads(quads: ArrayLike,
                   min_area: float = 1e-2) -> Tuple[ArrayLike, ArrayLike]:
    """Repair quads where possible and flag the ones to drop.

    Vertices are put in canonical order (which untangles self-intersecting
    orders); a concave quad is replaced by the minimum-area rectangle around
    its vertices, so every kept quad is convex (as ``mmcv.ops.nms_quadri``
    and ``box_iou_quadri`` assume). Non-finite quads and quads whose area is
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
        rects = np.stack([
            _min_area_rect(q) for q in quads[concave].detach().cpu().numpy()
        ])
        quads = quads.clone()
        quads[concave] = canonicalize_quads(
            torch.from_numpy(rects).to(quads))
    keep = valid_quads(quads, min_area) & finite
    return quads, keep


@_numpy_compatible
def clip_quads(quads: ArrayLike, img_shape: Sequence[int]) -> ArrayLike:
    """Clamp quad coordinates into an image.

    Args:
        quads (Tensor | np.ndarray): Quads, shape (N, 8).
        img_shape (Sequence[int]): Image ``(height, width)``.

    Returns:
        Tensor | np.ndarray: Clamped quads, shape (N, 8); x in ``[0, width]``,
        y in ``[0, height]``.
    """
    height, width = img_shape[:2]
    clipped = quads.clone()
    clipped[..., 0::2] = clipped[..., 0::2].clamp(0, width)
    clipped[..., 1::2] = clipped[..., 1::2].clamp(0, height)
    return clipped


def polygons_to_quads(polygons: Sequence[ArrayLike]) -> np.ndarray:
    """Convert polygons (MMOCR ``gt_polygons`` style) into canonical quads.

    A polygon with 4 vertices keeps them; any other vertex count is replaced
    by its minimum-area rectangle.

    Args:
        polygons (Sequence[np.ndarray | Tensor]): Polygons, each a flat array
            ``(x1, y1, ..., xk, yk)`` of ``2k`` values.

    Returns:
        np.ndarray: Canonical quads, float32, shape (N, 8).
    """
    quads: List[np.ndarray] = []
    for polygon in polygons:
        if isinstance(polygon, Tensor):
            polygon = polygon.detach().cpu().numpy()
        points = np.asarray(polygon, dtype=np.float32).reshape(-1, 2)
        quads.append(points.reshape(8) if len(points) == 4 else
                     _min_area_rect(points))
    if not quads:
        return np.zeros((0, 8), dtype=np.float32)
    return canonicalize_quads(np.stack(quads).astype(np.float32))


def quad_nms(quads: Tensor,
             scores: Tensor,
             iou_threshold: float,
             labels: Optional[Tensor] = None) -> Tensor:
    """Non-maximum suppression on quads with ``mmcv.ops.nms_quadri``.

    Quads should be convex (see :func:`sanitize_quads`).

    Args:
        quads (Tensor): Quads, shape (N, 8).
        scores (Tensor): Scores, shape (N, ).
        iou_threshold (float): Quads overlapping a higher-scoring kept quad
            (of the same label) by more than this IoU are removed.
        labels (Tensor, optional): Class labels, shape (N, ); NMS runs per
            class when given (on any device). Defaults to None.

    Returns:
        Tensor: Indices of the kept quads, by decreasing score, shape (K, ).
    """
    from mmcv.ops import nms_quadri

    if quads.shape[0] == 0:
        return torch.zeros(0, dtype=torch.long, device=quads.device)
    quads = quads.float()
    if labels is not None:
        # mmcv's CPU kernel ignores labels: move each class far from the
        # others instead, as mmcv's ``batched_nms`` does for boxes.
        span = quads.max() - quads.min() + 1
        quads = quads + (labels.to(quads) * span)[:, None]
    _, keep = nms_quadri(quads.contiguous(), scores.float().contiguous(),
                         float(iou_threshold))
    keep = keep.long()
    return keep[scores[keep].argsort(descending=True, stable=True)]

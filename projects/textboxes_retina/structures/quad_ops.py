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


def quad_intersection_areas(quads1: Tensor, quads2: Tensor) -> Tensor:
    """Exact intersection areas of aligned pairs of convex quads.

    The intersection of two convex polygons is the convex polygon whose
    vertices are the vertices of each quad lying inside the other and the
    crossings of their edges; those (at most 24) points are ordered by angle
    around their mean and measured with the shoelace formula, all pairs at
    once.

    Args:
        quads1 (Tensor): Convex quads (either vertex orientation), (M, 8).
        quads2 (Tensor): Convex quads, shape (M, 8).

    Returns:
        Tensor: Areas, shape (M, ).
    """
    p, q = _points(quads1), _points(quads2)
    num = p.shape[0]

    def inside(points: Tensor, poly: Tensor) -> Tensor:
        """(M, 4): points (M, 4, 2) inside or on convex quads (M, 4, 2)."""
        area = (poly[..., 0] * poly.roll(-1, 1)[..., 1] -
                poly.roll(-1, 1)[..., 0] * poly[..., 1]).sum(-1)
        side = _cross(poly[:, None], poly.roll(-1, 1)[:, None], points[:, :, None])
        return (side * torch.sign(area)[:, None, None] >= 0).all(-1)

    # Edge i of p, a + t * r, crossing edge j of q, c + u * s: shape (M, 4, 4).
    a, r = p[:, :, None], (p.roll(-1, 1) - p)[:, :, None]
    c, s = q[:, None], (q.roll(-1, 1) - q)[:, None]
    denom = r[..., 0] * s[..., 1] - r[..., 1] * s[..., 0]
    parallel = denom.abs() <= 1e-12
    denom = torch.where(parallel, torch.ones_like(denom), denom)
    ca = c - a
    t = (ca[..., 0] * s[..., 1] - ca[..., 1] * s[..., 0]) / denom
    u = (ca[..., 0] * r[..., 1] - ca[..., 1] * r[..., 0]) / denom
    crosses = ~parallel & (t >= 0) & (t <= 1) & (u >= 0) & (u <= 1)
    points = torch.cat([p, q, (a + t[..., None] * r).reshape(num, 16, 2)], 1)
    valid = torch.cat([inside(p, q), inside(q, p), crosses.reshape(num, 16)], 1)
    count = valid.sum(1)
    centre = ((points * valid[..., None]).sum(1) /
              count.clamp(min=1)[:, None].to(points))
    angles = torch.atan2(points[..., 1] - centre[:, None, 1],
                         points[..., 0] - centre[:, None, 0])
    order = angles.masked_fill(~valid, 10.).argsort(1)
    points = points.gather(1, order[..., None].expand(-1, -1, 2))
    valid = valid.gather(1, order)
    # Unused slots repeat the first point: the polygon closes through it and
    # the repeats add no area.
    points = torch.where(valid[..., None], points, points[:, :1])
    nxt = points.roll(-1, 1)
    area = (points[..., 0] * nxt[..., 1] - nxt[..., 0] * points[..., 1]).sum(1)
    return torch.where(count >= 3, area.abs() / 2, torch.zeros_like(area))


def _bounded_ious(quads1: Tensor, boxes1: Tensor, areas1: Tensor,
                  quads2: Tensor, boxes2: Tensor, areas2: Tensor,
                  min_iou: float) -> Tensor:
    """:func:`quad_ious` with the bounding boxes and areas given."""
    ious = quads1.new_zeros(quads1.shape[0], quads2.shape[0])
    if ious.numel() == 0:
        return ious
    wh = (torch.min(boxes1[:, None, 2:], boxes2[None, :, 2:]) -
          torch.max(boxes1[:, None, :2], boxes2[None, :, :2])).clamp(min=0)
    overlap = torch.min(wh[..., 0] * wh[..., 1],
                        torch.min(areas1[:, None], areas2[None, :]))
    bound_union = areas1[:, None] + areas2[None, :] - overlap
    rows, cols = (overlap > min_iou * bound_union).nonzero(as_tuple=True)
    if rows.numel():
        inter = quad_intersection_areas(quads1[rows], quads2[cols])
        union = (areas1[rows] + areas2[cols] - inter).clamp(min=1e-6)
        ious[rows, cols] = inter / union
    return ious


def quad_ious(quads1: Tensor, quads2: Tensor, min_iou: float = 0.) -> Tensor:
    """Exact IoU matrix of convex quads (a replacement for
    ``mmcv.ops.box_iou_quadri``, whose mmcv 2.0.1 kernel tests "vertex
    inside" as for a rectangle and is wrong for general quads).

    Pairs whose IoU cannot exceed ``min_iou`` (bounded by their bounding
    boxes' overlap and their areas) are left at 0 without the polygon work.

    Args:
        quads1 (Tensor): Convex quads, shape (M, 8).
        quads2 (Tensor): Convex quads, shape (N, 8).
        min_iou (float): Only IoUs above this are computed. Defaults to 0.

    Returns:
        Tensor: IoUs, shape (M, N).
    """
    return _bounded_ious(quads1, quads_to_bboxes(quads1), quad_areas(quads1),
                         quads2, quads_to_bboxes(quads2), quad_areas(quads2),
                         min_iou)


def quad_nms(quads: Tensor,
             scores: Tensor,
             iou_threshold: float,
             labels: Optional[Tensor] = None,
             max_num: int = -1,
             chunk_size: int = 256,
             first_chunk_size: int = 32) -> Tensor:
    """Greedy non-maximum suppression on convex quads, exact polygon IoU.

    Quads are visited by decreasing score (ties in input order), a chunk at
    a time: a chunk is first checked against the quads kept so far, then its
    survivors suppress each other in score order. Chunks start small and
    double up to ``chunk_size``: the best-scoring quads, which do most of
    the suppressing, are settled before the crowded candidates below them
    are compared among themselves. It stops once ``max_num`` quads are
    kept, which gives full NMS truncated to ``max_num``. Quads should be
    convex (see :func:`sanitize_quads`).

    Args:
        quads (Tensor): Quads, shape (N, 8).
        scores (Tensor): Scores, shape (N, ).
        iou_threshold (float): Quads overlapping a higher-scoring kept quad
            (of the same label) by more than this IoU are removed.
        labels (Tensor, optional): Class labels, shape (N, ); NMS runs per
            class when given. Defaults to None.
        max_num (int): Keep at most this many (-1: no limit). Defaults to -1.
        chunk_size (int): Most quads visited together. Defaults to 256.
        first_chunk_size (int): Quads in the first chunk. Defaults to 32.

    Returns:
        Tensor: Indices of the kept quads, by decreasing score, shape (K, ).
    """
    if quads.shape[0] == 0:
        return torch.zeros(0, dtype=torch.long, device=quads.device)
    quads = quads.float()
    if labels is not None:
        # Move each class far from the others, as mmcv's ``batched_nms``.
        span = quads.max() - quads.min() + 1
        quads = quads + (labels.to(quads) * span)[:, None]
    order = scores.argsort(descending=True, stable=True)
    quads = quads[order]
    boxes, areas = quads_to_bboxes(quads), quad_areas(quads)
    kept = torch.zeros(0, dtype=torch.long, device=quads.device)
    start, size = 0, max(min(first_chunk_size, chunk_size), 1)
    while start < quads.shape[0]:
        chunk = torch.arange(start, min(start + size, quads.shape[0]),
                             device=quads.device)
        start, size = start + size, min(2 * size, chunk_size)
        suppressed = (_bounded_ious(quads[chunk], boxes[chunk], areas[chunk],
                                    quads[kept], boxes[kept], areas[kept],
                                    iou_threshold) > iou_threshold).any(1)
        chunk = chunk[~suppressed]
        overlaps = (_bounded_ious(quads[chunk], boxes[chunk], areas[chunk],
                                  quads[chunk], boxes[chunk], areas[chunk],
                                  iou_threshold) > iou_threshold).triu(1)
        overlaps = overlaps.cpu().numpy()
        alive, new = np.ones(len(chunk), dtype=bool), []
        for i in range(len(chunk)):
            if alive[i]:
                new.append(i)
                alive &= ~overlaps[i]
                if len(kept) + len(new) == max_num:
                    break
        kept = torch.cat([kept, chunk[new]])
        if len(kept) == max_num:
            break
    return order[kept]

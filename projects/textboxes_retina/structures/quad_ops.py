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
    """Let a tensor function take numpy arrays (positional) and give numpy arrays back."""

    @functools.wraps(func)
    def wrapper(quads: ArrayLike, *args, **kwargs):
        if isinstance(quads, Tensor):
            return func(quads, *args, **kwargs)
        args = tuple(torch.from_numpy(arg) if isinstance(arg, np.ndarray) else arg
                     for arg in args)
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


def _next(values: Tensor) -> Tensor:
    """Values of vertex ``k + 1`` (mod 4) at row ``k`` of vertex-major ``(4, ...)``."""
    return values.roll(-1, 0)


def _counterclockwise(xs: Tensor, ys: Tensor) -> Tuple[Tensor, Tensor]:
    """Reverse the quads ``(4, M)`` (vertex-major) whose shoelace sum is negative."""
    negative = (xs * _next(ys) - _next(xs) * ys).sum(0) < 0
    return (torch.where(negative, xs.flip(0), xs),
            torch.where(negative, ys.flip(0), ys))


def _clipped_edge_terms(xs: Tensor, ys: Tensor, clip_xs: Tensor,
                        clip_ys: Tensor, keep_shared: bool) -> Tensor:
    """Twice the area contribution of the edges of quads inside other quads.

    Each edge of ``(xs, ys)`` is clipped (Cyrus-Beck) by the four half-planes
    of the clipping quad; the kept segment ``(x0, y0)-(x1, y1)`` contributes
    ``x0 * y1 - x1 * y0``.

    Args:
        xs, ys (Tensor): Vertices of counter-clockwise (positive shoelace)
            convex quads, vertex-major ``(4, M)``.
        clip_xs, clip_ys (Tensor): The clipping quads, the same way.
        keep_shared (bool): Whether an edge stretch lying on an edge of the
            clipping quad with the same direction counts (it must count for
            exactly one of the two quads).

    Returns:
        Tensor: Sums over the four edges, shape (M, ).
    """
    dxs, dys = _next(xs) - xs, _next(ys) - ys
    clip_dxs, clip_dys = _next(clip_xs) - clip_xs, _next(clip_ys) - clip_ys
    # side[k, j] >= 0: vertex k is inside half-plane j, shape (4, 4, M).
    side = (clip_dxs[None] * (ys[:, None] - clip_ys[None]) -
            clip_dys[None] * (xs[:, None] - clip_xs[None]))
    side_end = _next(side)  # the same for the end vertex of edge k
    parallel = side == side_end
    leaving = side > side_end
    crossing = side / torch.where(parallel, torch.ones_like(side),
                                  side - side_end)
    t_start = torch.where(~parallel & ~leaving, crossing,
                          torch.zeros_like(side)).amax(1)
    t_end = torch.where(~parallel & leaving, crossing,
                        torch.ones_like(side)).amin(1)
    collinear = parallel & (side == 0)
    outside = parallel & (side < 0)
    if keep_shared:
        same_direction = (dxs[:, None] * clip_dxs[None] +
                          dys[:, None] * clip_dys[None]) > 0
        outside |= collinear & ~same_direction
    else:
        outside |= collinear
    start_xs, start_ys = xs + t_start * dxs, ys + t_start * dys
    end_xs, end_ys = xs + t_end * dxs, ys + t_end * dys
    terms = start_xs * end_ys - end_xs * start_ys
    empty = outside.any(1) | (t_start >= t_end)
    return torch.where(empty, torch.zeros_like(terms), terms).sum(0)


@_numpy_compatible
def quad_intersection_areas(quads1: ArrayLike, quads2: ArrayLike) -> ArrayLike:
    """Exact intersection areas of aligned pairs of strictly convex quads.

    The area of ``P & Q`` is half the boundary integral of ``x dy - y dx``
    (Green's theorem, the continuous shoelace formula). For convex quads of
    the same orientation that boundary is the part of each edge of ``P``
    inside ``Q`` plus the part of each edge of ``Q`` inside ``P``, one
    segment per edge (Cyrus-Beck clipping by the four half-planes). A stretch
    both quads share is counted once when both interiors lie on its side and
    not at all when they lie on opposite sides (the quads only touch), so
    identical, nested, touching and edge-sharing pairs are exact too. Fixed
    shapes, no sorting: every pair at once. Coordinates are taken relative
    to a vertex of each pair, so float32 keeps its precision far from the
    origin; on integer coordinates in float64 (the ICDAR protocols) every
    side test is exact and areas agree with GEOS to about 1e-12 relative.

    Args:
        quads1 (Tensor | np.ndarray): Strictly convex quads (see
            :func:`convex_quads`), either vertex orientation, shape (M, 8).
        quads2 (Tensor | np.ndarray): Strictly convex quads, shape (M, 8).

    Returns:
        Tensor | np.ndarray: Areas, shape (M, ), in the input's dtype.
    """
    if quads1.shape != quads2.shape:
        raise ValueError('expected aligned pairs of (M, 8) quads, got '
                         f'{tuple(quads1.shape)} and {tuple(quads2.shape)}')
    # Vertex-major (4, M) coordinates: contiguous rows for elementwise work.
    columns1 = quads1.reshape(-1, 8).t().contiguous()
    columns2 = quads2.reshape(-1, 8).t().contiguous()
    origin_x, origin_y = columns1[0], columns1[1]
    xs1, ys1 = _counterclockwise(columns1[0::2] - origin_x,
                                 columns1[1::2] - origin_y)
    xs2, ys2 = _counterclockwise(columns2[0::2] - origin_x,
                                 columns2[1::2] - origin_y)
    twice = (_clipped_edge_terms(xs1, ys1, xs2, ys2, keep_shared=True) +
             _clipped_edge_terms(xs2, ys2, xs1, ys1, keep_shared=False))
    return (twice / 2).clamp(min=0)


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

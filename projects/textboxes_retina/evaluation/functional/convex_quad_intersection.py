"""Intersection areas of aligned pairs of strictly convex quads, vectorised in numpy.

The area of ``P & Q`` is half the boundary integral of ``x dy - y dx`` around it (Green's
theorem, the continuous shoelace formula). For convex ``P`` and ``Q`` with the same orientation
that boundary is made of the part of each edge of ``P`` inside ``Q`` and the part of each edge of
``Q`` inside ``P``; each part is one segment, found by clipping the edge with the four half-planes
of the other quad (Cyrus-Beck). A boundary stretch that ``P`` and ``Q`` share is counted once,
from ``P``, when both interiors lie on its side, and not at all when they lie on opposite sides
(the two quads then only touch there). All pairs are processed at once, with fixed shapes.

On integer coordinates, as the ICDAR protocols read them, every side test is exact (products of
integers well below 2 ** 53); only the crossing parameters are rounded, so areas agree with
GEOS's to about 1e-12 relative.
"""
from typing import Tuple

import numpy as np

_NEXT = [1, 2, 3, 0]  # vertex k + 1 (mod 4)


def _positively_oriented(xs: np.ndarray, ys: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Reverse the vertex order of the quads whose shoelace sum is negative.

    Args:
        xs (np.ndarray): x of the vertices ``(4, M)`` (vertex first, for contiguous rows).
        ys (np.ndarray): y of the vertices ``(4, M)``.

    Returns:
        tuple[np.ndarray, np.ndarray]: ``xs``, ``ys`` of the same quads, all with a positive
        shoelace sum.
    """
    negative = (xs * ys[_NEXT] - xs[_NEXT] * ys).sum(axis=0) < 0
    return np.where(negative, xs[::-1], xs), np.where(negative, ys[::-1], ys)


def _clipped_edge_terms(xs: np.ndarray, ys: np.ndarray, clip_xs: np.ndarray,
                        clip_ys: np.ndarray, keep_shared: bool) -> np.ndarray:
    """Twice the signed area contribution of the edges of a quad lying inside another.

    Args:
        xs (np.ndarray): x of the vertices of positively oriented convex quads ``(4, M)``.
        ys (np.ndarray): Their y ``(4, M)``.
        clip_xs (np.ndarray): x of the vertices of the positively oriented convex quads to
            clip with ``(4, M)``.
        clip_ys (np.ndarray): Their y ``(4, M)``.
        keep_shared (bool): Whether an edge stretch lying on an edge of the clipping quad with
            the same direction counts (it must count for exactly one of the two quads).

    Returns:
        np.ndarray: ``sum(x0 * y1 - x1 * y0)`` over the clipped edges ``(x0, y0)-(x1, y1)``,
        shape ``(M,)``.
    """
    dxs, dys = xs[_NEXT] - xs, ys[_NEXT] - ys  # edge k, (4, M)
    clip_dxs, clip_dys = clip_xs[_NEXT] - clip_xs, clip_ys[_NEXT] - clip_ys  # half-plane j
    # side[k, j] >= 0: vertex k is inside half-plane j, shape (4, 4, M).
    side = (clip_dxs[None] * (ys[:, None] - clip_ys[None]) -
            clip_dys[None] * (xs[:, None] - clip_xs[None]))
    side_end = side[_NEXT]  # the same for the end vertex of edge k
    parallel = side == side_end
    leaving = side > side_end
    with np.errstate(divide='ignore', invalid='ignore'):
        crossing = side / (side - side_end)
    t_start = np.where(~parallel & ~leaving, crossing, 0.0).max(axis=1)
    t_end = np.where(~parallel & leaving, crossing, 1.0).min(axis=1)
    outside = parallel & (side < 0)
    collinear = parallel & (side == 0)
    if keep_shared:
        same_direction = (dxs[:, None] * clip_dxs[None] + dys[:, None] * clip_dys[None]) > 0
        outside |= collinear & ~same_direction
    else:
        outside |= collinear
    start_xs, start_ys = xs + t_start * dxs, ys + t_start * dys
    end_xs, end_ys = xs + t_end * dxs, ys + t_end * dys
    terms = start_xs * end_ys - end_xs * start_ys
    empty = outside.any(axis=1) | (t_start >= t_end)
    return np.where(empty, 0.0, terms).sum(axis=0)


def convex_quad_intersection_areas(quads_a: np.ndarray, quads_b: np.ndarray) -> np.ndarray:
    """Intersection areas of aligned pairs of strictly convex quads.

    Quads may have either vertex orientation. Pairs that only touch, share edges, coincide or
    nest are measured exactly like overlapping ones. Quads that are not strictly convex
    (concave, self-intersecting, with repeated or collinear vertices) are not supported.

    Args:
        quads_a (np.ndarray): Strictly convex quads ``(M, 8)`` as ``x1, y1, ..., x4, y4``.
        quads_b (np.ndarray): Strictly convex quads ``(M, 8)``.

    Returns:
        np.ndarray: Areas ``(M,)``, float64.
    """
    quads_a = np.asarray(quads_a, dtype=np.float64).reshape(-1, 8)
    quads_b = np.asarray(quads_b, dtype=np.float64).reshape(-1, 8)
    if len(quads_a) != len(quads_b):
        raise ValueError(f'expected aligned pairs, got {len(quads_a)} and {len(quads_b)} quads')
    # Vertex-major (4, M) coordinates (contiguous rows: fast elementwise work), around a
    # vertex of each pair (smaller products, smaller rounding).
    columns_a, columns_b = np.ascontiguousarray(quads_a.T), np.ascontiguousarray(quads_b.T)
    origin_x, origin_y = columns_a[0], columns_a[1]
    xs_a, ys_a = _positively_oriented(columns_a[0::2] - origin_x, columns_a[1::2] - origin_y)
    xs_b, ys_b = _positively_oriented(columns_b[0::2] - origin_x, columns_b[1::2] - origin_y)
    twice_area = (_clipped_edge_terms(xs_a, ys_a, xs_b, ys_b, keep_shared=True) +
                  _clipped_edge_terms(xs_b, ys_b, xs_a, ys_a, keep_shared=False))
    return np.maximum(twice_area / 2, 0.0)


def strictly_convex_quads(quads: np.ndarray) -> np.ndarray:
    """Whether each quad is strictly convex: its four turns are all left or all right.

    Such a quad is simple with four distinct, non-collinear vertices, as
    :func:`convex_quad_intersection_areas` needs.

    Args:
        quads (np.ndarray): Quads ``(N, 8)``.

    Returns:
        np.ndarray: Bool ``(N,)``.
    """
    columns = np.ascontiguousarray(np.asarray(quads, dtype=np.float64).reshape(-1, 8).T)
    dxs, dys = columns[0::2][_NEXT] - columns[0::2], columns[1::2][_NEXT] - columns[1::2]
    turns = dxs * dys[_NEXT] - dys * dxs[_NEXT]  # edge k x edge k + 1
    return (turns > 0).all(axis=0) | (turns < 0).all(axis=0)

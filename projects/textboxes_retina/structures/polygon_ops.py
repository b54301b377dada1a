# Copyright (c) textboxes_retina authors.
"""Lists of polygons (MMOCR ``gt_polygons``: flat ``(2k,)`` arrays) for the data pipeline:
boxes, clamping, shifting, and cropping to a box with shapely, keeping quads as quads.

Boxes and clamping are the quad functions (:func:`quads_to_bboxes`, :func:`clip_quads_to_box`)
applied to the polygons, stacked by vertex count.
"""
import itertools
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np
import shapely

from .quad_conversion import quads_to_bboxes
from .quad_validity import clip_quads, clip_quads_to_box


def _map_stacked(func: Callable[[np.ndarray], np.ndarray],
                 polygons: Sequence[np.ndarray]) -> List[np.ndarray]:
    """``func`` (rows in, rows out) applied to float32 copies of polygons, one call per vertex
    count; the result rows in the order of ``polygons``."""
    flat = [np.asarray(polygon, dtype=np.float32).reshape(-1) for polygon in polygons]
    out: List[Optional[np.ndarray]] = [None] * len(flat)
    for length in sorted({len(polygon) for polygon in flat}):
        indices = [i for i, polygon in enumerate(flat) if len(polygon) == length]
        for i, row in zip(indices, func(np.stack([flat[i] for i in indices]))):
            out[i] = row
    return out


def polygon_shape(polygon: np.ndarray) -> shapely.Geometry:
    """A valid shapely polygon for ``[x1, y1, ..., xn, yn]``.

    A self-intersecting vertex order (a "bow tie", e.g. two vertices swapped) is replaced by the
    convex hull of the points, which is the region such a quad was meant to mark.
    """
    points = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    shape = shapely.Polygon(points)
    if not shape.is_valid:
        shape = shapely.MultiPoint(points).convex_hull
    return shape


def polygons_to_bboxes(polygons: Sequence[np.ndarray]) -> np.ndarray:
    """Axis-aligned boxes of polygons (:func:`quads_to_bboxes` of each).

    Args:
        polygons (Sequence[np.ndarray]): N arrays ``[x1, y1, ..., xn, yn]``.

    Returns:
        np.ndarray: ``(N, 4)`` float32 ``[x1, y1, x2, y2]``.
    """
    boxes = _map_stacked(quads_to_bboxes, polygons)
    return np.stack(boxes) if boxes else np.zeros((0, 4), dtype=np.float32)


def clamp_polygons(polygons: Sequence[np.ndarray], width: float, height: float) -> List[np.ndarray]:
    """Clamp every vertex into ``[0, width] x [0, height]`` (:func:`clip_quads` of each).

    Args:
        polygons (Sequence[np.ndarray]): Polygons ``[x1, y1, ..., xn, yn]``.
        width (float): Image width.
        height (float): Image height.

    Returns:
        list[np.ndarray]: New float32 arrays.
    """
    return _map_stacked(lambda rows: clip_quads(rows, (height, width)), polygons)


def translate_polygons(polygons: Sequence[np.ndarray], dx: float, dy: float) -> List[np.ndarray]:
    """Shift polygons by ``(dx, dy)``.

    Args:
        polygons (Sequence[np.ndarray]): Polygons ``[x1, y1, ..., xn, yn]``.
        dx (float): Shift along x.
        dy (float): Shift along y.

    Returns:
        list[np.ndarray]: New float32 arrays.
    """
    out = []
    for polygon in polygons:
        polygon = np.array(polygon, dtype=np.float32)
        polygon[0::2] += dx
        polygon[1::2] += dy
        out.append(polygon)
    return out


def overlaps_with_box(polygons: Sequence[np.ndarray],
                      box: Sequence[float],
                      mode: str = 'coverage') -> np.ndarray:
    """Overlap of each polygon with an axis-aligned box.

    Args:
        polygons (Sequence[np.ndarray]): N polygons.
        box (Sequence[float]): ``[x1, y1, x2, y2]``.
        mode (str): ``'coverage'``: area inside the box / polygon area; ``'iou'``: intersection
            over union. Defaults to 'coverage'.

    Returns:
        np.ndarray: ``(N,)`` float64 in ``[0, 1]`` (0 for a polygon without area).
    """
    region = shapely.box(*box)
    shapes = [polygon_shape(p) for p in polygons]
    areas = np.array([s.area for s in shapes], dtype=np.float64)
    inter = np.array([s.intersection(region).area for s in shapes], dtype=np.float64)
    if mode == 'coverage':
        denominator = areas
    elif mode == 'iou':
        denominator = areas + region.area - inter
    else:
        raise ValueError(f"mode must be 'coverage' or 'iou', got {mode!r}")
    return np.divide(inter, denominator, out=np.zeros_like(inter), where=denominator > 0)


def crop_polygons(polygons: Sequence[np.ndarray],
                  box: Sequence[float]) -> Tuple[List[Optional[np.ndarray]], np.ndarray]:
    """Cut polygons by an axis-aligned box (a crop), keeping quads as 8-value quads.

    A polygon inside the box is returned unchanged; one with no area inside gives None. For a
    polygon cut by the box, the visible part is usually a 3- to 8-gon, and the result is the quad
    inside the box that best matches it (highest IoU) among: the visible part itself when it
    has 4 vertices (exact), its minimum-area rectangle with the vertices clamped into the box,
    and its axis-aligned bounding box (:func:`best_quad_inside`). Unlike :func:`clip_quads`,
    which clamps vertices, this keeps the visible region.

    Args:
        polygons (Sequence[np.ndarray]): N polygons ``[x1, y1, ..., xn, yn]``.
        box (Sequence[float]): ``[x1, y1, x2, y2]``.

    Returns:
        tuple[list[np.ndarray | None], np.ndarray]: The cut float32 polygons, and ``(N,)``
        the fraction of each polygon's area inside the box (1 for untouched ones).
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    region = shapely.box(x1, y1, x2, y2)
    cropped, kept = [], np.zeros(len(polygons), dtype=np.float64)
    for i, polygon in enumerate(polygons):
        polygon = np.asarray(polygon, dtype=np.float32)
        bx1, by1, bx2, by2 = quads_to_bboxes(polygon[None])[0]
        if bx1 >= x1 and bx2 <= x2 and by1 >= y1 and by2 <= y2:
            cropped.append(polygon)
            kept[i] = 1.0
            continue
        shape = polygon_shape(polygon)
        visible = shape.intersection(region)
        if shape.area <= 0 or visible.area <= 0:
            cropped.append(None)
            continue
        quad = best_quad_inside(visible, (x1, y1, x2, y2))
        cropped.append(follow_vertex_order(quad, polygon))
        kept[i] = visible.area / shape.area
    return cropped, kept


def best_quad_inside(region: shapely.Geometry, box: Sequence[float]) -> np.ndarray:
    """The quad inside ``box`` with the highest IoU with ``region`` (a part of the box).

    Candidates: the largest quad on the vertices of the region's convex hull (the hull itself
    when it has 4 vertices), the minimum-area rectangle clamped into the box, and the
    axis-aligned bounding box.

    Args:
        region (shapely.Geometry): A polygon with area, inside ``box``.
        box (Sequence[float]): ``[x1, y1, x2, y2]``.

    Returns:
        np.ndarray: ``(8,)`` float32.
    """
    candidates = []
    outline = shapely.convex_hull(region).simplify(0)
    if isinstance(outline, shapely.Polygon) and len(outline.exterior.coords) >= 5:
        candidates.append(largest_vertex_quad(np.asarray(outline.exterior.coords[:-1])))
    rect = np.asarray(shapely.oriented_envelope(region).exterior.coords[:4])
    candidates.append(clip_quads_to_box(rect.reshape(1, 8), box).reshape(4, 2))
    bx1, by1, bx2, by2 = region.bounds
    candidates.append(np.array([[bx1, by1], [bx2, by1], [bx2, by2], [bx1, by2]]))

    def iou(quad: np.ndarray) -> float:
        hull = shapely.MultiPoint(quad).convex_hull
        inter = hull.intersection(region).area
        return inter / (hull.area + region.area - inter)

    return max(candidates, key=iou).reshape(-1).astype(np.float32)


def doubled_signed_area(points: np.ndarray) -> float:
    """Twice the signed (shoelace) area of a polygon of any vertex count, positive when its
    vertices turn clockwise in image coordinates (y down).

    Args:
        points (np.ndarray): ``(n, 2)`` vertices in order.

    Returns:
        float: The doubled signed area.
    """
    x, y = points[:, 0], points[:, 1]
    return float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def largest_vertex_quad(points: np.ndarray) -> np.ndarray:
    """The largest-area quad whose vertices are 4 of ``points`` (a convex polygon, in order).

    Args:
        points (np.ndarray): ``(n, 2)`` with ``n >= 4``; the visible part of a clipped quad has
            at most 8 vertices, so all ``C(n, 4)`` subsets are tried.

    Returns:
        np.ndarray: ``(4, 2)``, in the order of ``points``.
    """
    subsets = (list(idx) for idx in itertools.combinations(range(len(points)), 4))
    return points[max(subsets, key=lambda idx: abs(doubled_signed_area(points[idx])))]


def follow_vertex_order(quad: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Reorder the vertices of ``quad`` to turn the same way as ``reference`` and start at the
    vertex nearest to the reference's first vertex (same quad, comparable vertex order).

    Args:
        quad (np.ndarray): ``(8,)`` quad.
        reference (np.ndarray): ``(2k,)`` polygon, e.g. the word ``quad`` was cut from.

    Returns:
        np.ndarray: ``(8,)`` float32.
    """
    points = np.asarray(quad, dtype=np.float32).reshape(-1, 2)
    ref = np.asarray(reference, dtype=np.float64).reshape(-1, 2)
    if doubled_signed_area(points) * doubled_signed_area(ref) < 0:
        points = points[::-1]
    start = int(np.argmin(np.sum((points - ref[0])**2, axis=1)))
    return np.roll(points, -start, axis=0).reshape(-1)

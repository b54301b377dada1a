"""Pure geometry shared by the quad transforms: shapes, clipping to a box, boxes of polygons."""
import itertools
from typing import List, Optional, Sequence, Tuple

import numpy as np
import shapely


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
    """Axis-aligned boxes of polygons.

    Args:
        polygons (Sequence[np.ndarray]): N arrays ``[x1, y1, ..., xn, yn]``.

    Returns:
        np.ndarray: ``(N, 4)`` float32 ``[x1, y1, x2, y2]``.
    """
    boxes = [[p[0::2].min(), p[1::2].min(), p[0::2].max(), p[1::2].max()] for p in polygons]
    return np.asarray(boxes, dtype=np.float32).reshape(-1, 4)


def overlaps_with_box(polygons: Sequence[np.ndarray], box: Sequence[float],
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


def clip_polygons(polygons: Sequence[np.ndarray],
                  box: Sequence[float]) -> Tuple[List[Optional[np.ndarray]], np.ndarray]:
    """Clip polygons to an axis-aligned box, keeping quads as 8-value quads.

    A polygon inside the box is returned unchanged; one with no area inside gives None. For a
    polygon cut by the box, the visible part is usually a 3- to 8-gon, and the result is the quad
    inside the box that best matches it (highest IoU) among: the visible part itself when it
    has 4 vertices (exact), its minimum-area rectangle with the vertices clamped into the box,
    and its axis-aligned bounding box.

    Args:
        polygons (Sequence[np.ndarray]): N polygons ``[x1, y1, ..., xn, yn]``.
        box (Sequence[float]): ``[x1, y1, x2, y2]``.

    Returns:
        tuple[list[np.ndarray | None], np.ndarray]: The clipped float32 polygons, and ``(N,)``
        the fraction of each polygon's area inside the box (1 for untouched ones).
    """
    x1, y1, x2, y2 = (float(v) for v in box)
    region = shapely.box(x1, y1, x2, y2)
    clipped, kept = [], np.zeros(len(polygons), dtype=np.float64)
    for i, polygon in enumerate(polygons):
        polygon = np.asarray(polygon, dtype=np.float32)
        xs, ys = polygon[0::2], polygon[1::2]
        if xs.min() >= x1 and xs.max() <= x2 and ys.min() >= y1 and ys.max() <= y2:
            clipped.append(polygon)
            kept[i] = 1.0
            continue
        shape = polygon_shape(polygon)
        visible = shape.intersection(region)
        if shape.area <= 0 or visible.area <= 0:
            clipped.append(None)
            continue
        quad = best_quad_inside(visible, (x1, y1, x2, y2))
        clipped.append(follow_vertex_order(quad, polygon))
        kept[i] = visible.area / shape.area
    return clipped, kept


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
    x1, y1, x2, y2 = box
    candidates = []
    outline = shapely.convex_hull(region).simplify(0)
    if isinstance(outline, shapely.Polygon) and len(outline.exterior.coords) >= 5:
        candidates.append(largest_vertex_quad(np.asarray(outline.exterior.coords[:-1])))
    rect = np.asarray(shapely.oriented_envelope(region).exterior.coords[:4])
    rect[:, 0] = rect[:, 0].clip(x1, x2)
    rect[:, 1] = rect[:, 1].clip(y1, y2)
    candidates.append(rect)
    bx1, by1, bx2, by2 = region.bounds
    candidates.append(np.array([[bx1, by1], [bx2, by1], [bx2, by2], [bx1, by2]]))

    def iou(quad: np.ndarray) -> float:
        hull = shapely.MultiPoint(quad).convex_hull
        inter = hull.intersection(region).area
        return inter / (hull.area + region.area - inter)

    return max(candidates, key=iou).reshape(-1).astype(np.float32)


def largest_vertex_quad(points: np.ndarray) -> np.ndarray:
    """The largest-area quad whose vertices are 4 of ``points`` (a convex polygon, in order).

    Args:
        points (np.ndarray): ``(n, 2)`` with ``n >= 4``; the visible part of a clipped quad has
            at most 8 vertices, so all ``C(n, 4)`` subsets are tried.

    Returns:
        np.ndarray: ``(4, 2)``, in the order of ``points``.
    """

    def area(quad: np.ndarray) -> float:
        x, y = quad[:, 0], quad[:, 1]
        return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y)))

    subsets = (list(idx) for idx in itertools.combinations(range(len(points)), 4))
    return points[max(subsets, key=lambda idx: area(points[idx]))]


def follow_vertex_order(quad: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Reorder the vertices of ``quad`` to turn the same way as ``reference`` and start at the
    vertex nearest to the reference's first vertex (same quad, comparable vertex order).

    Args:
        quad (np.ndarray): ``(8,)`` quad.
        reference (np.ndarray): ``(2k,)`` polygon, e.g. the word ``quad`` was clipped from.

    Returns:
        np.ndarray: ``(8,)`` float32.
    """
    points = np.asarray(quad, dtype=np.float32).reshape(-1, 2)
    ref = np.asarray(reference, dtype=np.float64).reshape(-1, 2)

    def signed_area(p: np.ndarray) -> float:
        return float(np.sum(p[:, 0] * np.roll(p[:, 1], -1) - np.roll(p[:, 0], -1) * p[:, 1]))

    if signed_area(points) * signed_area(ref) < 0:
        points = points[::-1]
    start = int(np.argmin(np.sum((points - ref[0])**2, axis=1)))
    return np.roll(points, -start, axis=0).reshape(-1)


def clamp_polygons(polygons: Sequence[np.ndarray], width: float,
                   height: float) -> List[np.ndarray]:
    """Clamp every vertex into ``[0, width] x [0, height]`` (for sub-pixel rounding overshoot).

    Args:
        polygons (Sequence[np.ndarray]): Polygons ``[x1, y1, ..., xn, yn]``.
        width (float): Image width.
        height (float): Image height.

    Returns:
        list[np.ndarray]: New float32 arrays.
    """
    out = []
    for polygon in polygons:
        polygon = np.array(polygon, dtype=np.float32)
        polygon[0::2] = polygon[0::2].clip(0, width)
        polygon[1::2] = polygon[1::2].clip(0, height)
        out.append(polygon)
    return out


def translate_polygons(polygons: Sequence[np.ndarray], dx: float,
                       dy: float) -> List[np.ndarray]:
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


INSTANCE_KEYS = ('gt_polygons', 'gt_bboxes', 'gt_bboxes_labels', 'gt_ignored', 'gt_texts')


def keep_instances(results: dict, keep: np.ndarray) -> dict:
    """Keep the instances where ``keep`` is True in every per-instance key of ``results``.

    Unlike ``mmocr.utils.remove_pipeline_elements``, removing every instance is fine: arrays keep
    their trailing shape (``gt_bboxes`` becomes ``(0, 4)``).

    Args:
        results (dict): Result dict with some of ``gt_polygons``, ``gt_bboxes``,
            ``gt_bboxes_labels``, ``gt_ignored``, ``gt_texts``.
        keep (np.ndarray): ``(N,)`` bool.

    Returns:
        dict: ``results``, modified in place.
    """
    keep = np.asarray(keep, dtype=bool)
    for key in INSTANCE_KEYS:
        if key not in results:
            continue
        if isinstance(results[key], np.ndarray):
            results[key] = results[key][keep]
        else:
            results[key] = [item for item, kept in zip(results[key], keep) if kept]
    return results

# Copyright (c) textboxes_retina authors.
"""Quads measured as the Robust Reading Competition's IC15 script measures them.

The official Challenge 4 ``script.py`` builds each quad as a ``Polygon.Polygon`` (the GPC-based
``Polygon`` library) and measures:

- areas with ``Polygon.area()``: half the absolute shoelace sum of the vertex ring, so a
  self-intersecting (bow-tie) quad whose two lobes have areas ``A1`` and ``A2`` has area
  ``|A1 - A2|`` (:func:`rrc_polygon_areas`);
- intersections with ``pD & pG``, clipped by GPC with the even-odd rule, so they cover both
  lobes of a bow-tie (:func:`rrc_intersection_areas`, on :func:`rrc_polygon_geometries`).

These are protocol semantics, not geometry the detector uses: the package's quad geometry
(canonical, convex quads) is :mod:`textboxes_retina.structures`, whose ``quad_areas`` and
``quad_intersection_areas`` agree with these functions on simple, convex quads only.
"""
import numpy as np
import shapely

from textboxes_retina import structures


def _as_quads(quads: np.ndarray) -> np.ndarray:
    """float64 ``(N, 8)`` quads (``(0, 8)`` when empty); ``ValueError`` for other shapes."""
    quads = np.asarray(quads, dtype=np.float64)
    if quads.size == 0:
        return quads.reshape(0, 8)
    if quads.ndim != 2 or quads.shape[1] != 8:
        raise ValueError(f'expected quads of shape (N, 8), got {quads.shape}')
    return quads


def rrc_polygon_areas(quads: np.ndarray) -> np.ndarray:
    """Areas as the ``Polygon`` library measures them: half the absolute shoelace sum.

    For a simple quad this is its area; for a bow-tie it is the difference of its two lobes.

    Args:
        quads (np.ndarray): Quads ``(N, 8)`` as ``x1, y1, ..., x4, y4``.

    Returns:
        np.ndarray: Areas ``(N,)``, float64 (the shoelace formula of
        :func:`textboxes_retina.structures.quad_areas`).
    """
    return structures.quad_areas(_as_quads(quads))


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """Keep the areal part of a ``make_valid`` result (drop collapsed lines and points)."""
    parts = shapely.get_parts(geometry)
    areal = parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]
    return shapely.union_all(areal) if len(areal) else shapely.Polygon()


def rrc_polygon_geometries(quads: np.ndarray) -> np.ndarray:
    """Shapely polygons of quads, self-intersections resolved to the even-odd region.

    A bow-tie becomes the multipolygon of its two lobes (the region GPC clips against), a
    collapsed quad an empty polygon.

    Args:
        quads (np.ndarray): Quads ``(N, 8)``.

    Returns:
        np.ndarray: Object array ``(N,)`` of valid shapely geometries.
    """
    quads = _as_quads(quads)
    geometries = shapely.polygons(quads.reshape(-1, 4, 2))
    invalid = np.flatnonzero(~shapely.is_valid(geometries))
    for index in invalid:  # rare: bow-ties and collapsed quads only
        geometries[index] = _polygonal(shapely.make_valid(geometries[index]))
    return geometries


def rrc_intersection_areas(quads_a: np.ndarray, quads_b: np.ndarray) -> np.ndarray:
    """Intersection areas of aligned pairs of quads, as GPC clips them (even-odd regions).

    Exact for any quad (concave, bow-tie, collapsed), at the cost of one GEOS intersection per
    pair; the IC15 protocol uses it where the exact convex clipping of
    :func:`textboxes_retina.structures.quad_intersection_areas` does not apply.

    Args:
        quads_a (np.ndarray): Quads ``(N, 8)``.
        quads_b (np.ndarray): Quads ``(N, 8)``, ``quads_b[i]`` paired with ``quads_a[i]``.

    Returns:
        np.ndarray: Intersection areas ``(N,)``, float64.
    """
    return shapely.area(
        shapely.intersection(rrc_polygon_geometries(quads_a), rrc_polygon_geometries(quads_b)))

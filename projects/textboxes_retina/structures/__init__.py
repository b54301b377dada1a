# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Quad geometry, the package's only home of it, one module per concept.

- :mod:`.quad_conversion`: boxes <-> quads, the bounding box, polygon lists -> ``(N, 8)``,
  the canonical vertex order, mirroring.
- :mod:`.quad_validity`: areas and sizes, self-intersection, convexity, repair, the clamp.
- :mod:`.quad_overlaps`: exact intersection areas, the quad IoU (one dtype policy, bounding-box
  prefilter), bounding-box overlapping pairs.
- :mod:`.quad_nms`: greedy quad NMS and box voting over its groups.
- :mod:`.polygon_ops`: lists of polygons in the data pipeline (boxes, clamp, shift, crop).
- :mod:`.quad_boxes`: :class:`QuadBoxes`, the quads as mmdet's registered box type ``'quad'``.
"""
from .polygon_ops import (best_quad_inside, clamp_polygons, crop_polygons, follow_vertex_order,
                          largest_vertex_quad, overlaps_with_box, polygon_shape, polygons_to_bboxes,
                          translate_polygons)
from .quad_boxes import QuadBoxes
from .quad_conversion import (bboxes_to_quads, canonicalize_quads, flip_quads, min_area_quad,
                              polygons_to_quads, quads_to_bboxes, stack_quads)
from .quad_nms import QUAD_NMS_TYPE, check_quad_nms_cfg, quad_box_voting, quad_nms, quad_nms_groups
from .quad_overlaps import overlapping_pairs, quad_intersection_areas, quad_ious
from .quad_validity import (clip_quads, clip_quads_to_box, convex_quads, quad_areas,
                            quad_short_sides, sanitize_quads, self_intersecting_quads, valid_quads)

__all__ = [
    'bboxes_to_quads', 'canonicalize_quads', 'clip_quads', 'convex_quads', 'polygons_to_quads',
    'quad_areas', 'quad_intersection_areas', 'quad_ious', 'quad_nms', 'quads_to_bboxes',
    'sanitize_quads', 'self_intersecting_quads', 'valid_quads', 'best_quad_inside',
    'clamp_polygons', 'clip_quads_to_box', 'crop_polygons', 'flip_quads', 'follow_vertex_order',
    'largest_vertex_quad', 'min_area_quad', 'overlapping_pairs', 'overlaps_with_box',
    'polygon_shape', 'polygons_to_bboxes', 'quad_box_voting', 'quad_nms_groups', 'quad_short_sides',
    'stack_quads', 'translate_polygons', 'QuadBoxes', 'QUAD_NMS_TYPE', 'check_quad_nms_cfg'
]

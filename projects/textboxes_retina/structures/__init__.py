# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Quad geometry: canonical vertex order, validity, repair, clipping, overlaps, NMS."""
from .quad_ops import (bboxes_to_quads, canonicalize_quads, clip_quads, convex_quads,
                       polygons_to_quads, quad_areas, quad_intersection_areas, quad_ious,
                       quad_nms, quads_to_bboxes, sanitize_quads, self_intersecting_quads,
                       valid_quads)

__all__ = [
    'bboxes_to_quads', 'canonicalize_quads', 'clip_quads', 'convex_quads', 'polygons_to_quads',
    'quad_areas', 'quad_intersection_areas', 'quad_ious', 'quad_nms', 'quads_to_bboxes',
    'sanitize_quads', 'self_intersecting_quads', 'valid_quads'
]
from .quad_boxes import QuadBoxes  # noqa: E402 (registers mmdet's box type 'quad')
__all__ += ['QuadBoxes']

# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Test-time augmentation for quads: flip-back, size limits, exact quad NMS / box voting."""
from .convex_quad_overlaps import convex_quad_ious, convex_quad_nms, overlapping_pairs
from .quad_merging import flip_quads, quad_box_voting, quad_short_sides
from .quad_tta_model import QuadTTAModel

__all__ = [
    'QuadTTAModel', 'convex_quad_ious', 'convex_quad_nms', 'flip_quads', 'overlapping_pairs',
    'quad_box_voting', 'quad_short_sides'
]

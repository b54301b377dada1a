# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Test-time augmentation for quads: flip-back, size limits, quad NMS / box voting merging."""
from .quad_merging import flip_quads, quad_box_voting, quad_short_sides
from .quad_tta_model import QuadTTAModel

__all__ = ['QuadTTAModel', 'flip_quads', 'quad_box_voting', 'quad_short_sides']

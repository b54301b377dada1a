# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Task modules: TextBoxes++ anchors, the quad coder, quad-aware IoU and assignment."""
from .quad_bbox_overlaps import QuadBboxOverlaps2D
from .quad_delta_coder import QuadDeltaCoder, delta2quad, quad2delta
from .quad_max_iou_assigner import QuadMaxIoUAssigner
from .textboxes_anchor_generator import TextBoxesAnchorGenerator

__all__ = [
    'QuadBboxOverlaps2D', 'QuadDeltaCoder', 'QuadMaxIoUAssigner', 'TextBoxesAnchorGenerator',
    'delta2quad', 'quad2delta'
]

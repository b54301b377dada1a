# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Test-time augmentation for quads: flip-back, size limits, then quad NMS or box voting (the
geometry is in :mod:`textboxes_retina.structures`)."""
from .quad_tta_model import QuadTTAModel

__all__ = ['QuadTTAModel']

# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Detectors."""
from .textboxes_retina import MapRescoredTextBoxesRetina, TextBoxesRetina

__all__ = ['TextBoxesRetina', 'MapRescoredTextBoxesRetina']

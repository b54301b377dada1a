# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Dense heads."""
from .refine_textboxes_head import RefineTextBoxesHead
from .textboxes_retina_head import TextBoxesRetinaHead

__all__ = ['RefineTextBoxesHead', 'TextBoxesRetinaHead']

# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Dense heads."""
from .textboxes_retina_head import TextBoxesRetinaHead
from .refine_textboxes_head import RefineTextBoxesHead

__all__ = ['RefineTextBoxesHead', 'TextBoxesRetinaHead']

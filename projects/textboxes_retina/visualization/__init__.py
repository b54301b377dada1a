# Copyright (c) textboxes_retina authors.
"""Drawing quads on images (validation hook, ``tools/infer.py``, ``browse_dataset.py``)."""
from .draw_quads import GT_COLOR, IGNORED_COLOR, PRED_COLOR, Color, draw_quads, draw_text_det_sample

__all__ = ['GT_COLOR', 'IGNORED_COLOR', 'PRED_COLOR', 'Color', 'draw_quads', 'draw_text_det_sample']

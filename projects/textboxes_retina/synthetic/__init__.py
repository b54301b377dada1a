# Copyright (c) textboxes_retina authors.
"""Synthetic scene text: fonts from installed packages, backgrounds, rendering, dataset writing.

- :mod:`.text_render`, :mod:`.fonts`, :mod:`.backgrounds`: the ``typeset`` style (real fonts).
- :mod:`.hershey`: the ``hershey`` style (OpenCV's stroke fonts; the tests' and benchmarks' data).
- :mod:`.styled_split`: one split in either style; :mod:`.icdar_writer`: the ICDAR 2015 layout.
"""
from .backgrounds import BACKGROUNDS, draw_distractor, make_background
from .fonts import find_font_families
from .text_render import random_word, render_block, render_image, select_fonts

__all__ = [
    'BACKGROUNDS', 'draw_distractor', 'make_background', 'find_font_families', 'random_word',
    'render_block', 'render_image', 'select_fonts'
]

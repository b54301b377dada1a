# Copyright (c) textboxes_retina authors.
"""Synthetic scene text: fonts from installed packages, backgrounds, rendering, dataset writing."""
from .backgrounds import BACKGROUNDS, draw_distractor, make_background
from .fonts import find_font_families
from .text_render import random_word, render_block, render_image, select_fonts

__all__ = ['BACKGROUNDS', 'draw_distractor', 'make_background', 'find_font_families',
           'random_word', 'render_block', 'render_image', 'select_fonts']

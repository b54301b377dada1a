# Copyright (c) textboxes_retina authors.
"""Pure tensor helpers shared by the models."""
from .level_candidates import gather_level_deltas, topk_candidates
from .quad_map_max import quad_map_max

__all__ = ['gather_level_deltas', 'topk_candidates', 'quad_map_max']

# Copyright (c) textboxes_retina authors.
"""Pure tensor helpers shared by the models."""
from .level_candidates import gather_level_deltas, topk_candidates

__all__ = ['gather_level_deltas', 'topk_candidates']

# Copyright (c) textboxes_retina authors.
"""Data preprocessor parts: quad-aware batch augmentations for ``mmdet.DetDataPreprocessor``."""
from .batch_sync_quad_random_resize import BatchSyncQuadRandomResize

__all__ = ['BatchSyncQuadRandomResize']

# Copyright (c) textboxes_retina authors.
"""Quad-aware transforms. Resize, flip, padding and photometric distortion reuse MMOCR's
``Resize`` / ``RandomFlip``, mmcv's ``Pad`` and mmdet's ``PhotoMetricDistortion`` (their handling
of polygons is tested in ``tests/test_datasets/test_transforms``). Their geometry is in
:mod:`textboxes_retina.structures`."""
from .instances import keep_instances
from .quad_random_crop import QuadRandomCrop
from .quad_random_expand import QuadRandomExpand
from .quad_random_rotate import QuadRandomRotate

__all__ = ['QuadRandomCrop', 'QuadRandomExpand', 'QuadRandomRotate', 'keep_instances']

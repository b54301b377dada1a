"""Quad-aware transforms. Resize, flip, padding and photometric distortion reuse MMOCR's
``Resize`` / ``RandomFlip``, mmcv's ``Pad`` and mmdet's ``PhotoMetricDistortion`` (their handling
of polygons is tested in ``tests/test_datasets/test_transforms``). Their geometry is in
:mod:`textboxes_retina.structures` (re-exported here for the callers of the old names)."""
from textboxes_retina.structures import (clamp_polygons, overlaps_with_box, polygon_shape,
                                         polygons_to_bboxes, translate_polygons)
from .instances import keep_instances
from .quad_random_crop import QuadRandomCrop
from .quad_random_expand import QuadRandomExpand
from .quad_random_rotate import QuadRandomRotate

__all__ = [
    'QuadRandomCrop', 'QuadRandomExpand', 'QuadRandomRotate', 'clamp_polygons',
    'keep_instances', 'overlaps_with_box', 'polygon_shape', 'polygons_to_bboxes',
    'translate_polygons'
]

"""Quad-aware transforms. Resize, flip, padding and photometric distortion reuse MMOCR's
``Resize`` / ``RandomFlip``, mmcv's ``Pad`` and mmdet's ``PhotoMetricDistortion`` (their handling
of polygons is tested in ``tests/test_datasets/test_transforms``)."""
from .quad_geometry import (clamp_polygons, clip_polygons, keep_instances, overlaps_with_box,
                            polygon_shape, polygons_to_bboxes, translate_polygons)
from .quad_random_crop import QuadRandomCrop
from .quad_random_expand import QuadRandomExpand
from .quad_random_rotate import QuadRandomRotate

__all__ = [
    'QuadRandomCrop', 'QuadRandomExpand', 'QuadRandomRotate', 'clamp_polygons', 'clip_polygons',
    'keep_instances', 'overlaps_with_box', 'polygon_shape', 'polygons_to_bboxes',
    'translate_polygons'
]

"""The MMOCR / mmcv / mmdet transforms the pipelines reuse keep quads right (no wrapper needed):
``Resize`` (clip_object_border=False), ``RandomFlip``, ``Pad`` and ``mmdet.PhotoMetricDistortion``.
"""
import copy

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from mmocr.registry import TRANSFORMS

from textboxes_retina.testing.painted_samples import (assert_paint_at_centres, assert_quads_inside,
                                                      painted_samples)

SETTINGS = settings(max_examples=30, deadline=None, database=None, derandomize=True)
STEP_TOLERANCE = 20  # half the paint step between words: which word's paint is unambiguous


@SETTINGS
@given(painted_samples(min_side=48), st.integers(24, 160), st.integers(24, 160), st.booleans())
def test_resize_scales_quads_with_the_image(results, width, height, keep_ratio):
    original = copy.deepcopy(results)
    resize = TRANSFORMS.build(
        dict(type='Resize', scale=(width, height), keep_ratio=keep_ratio, clip_object_border=False))
    out = resize(results)
    assert_quads_inside(out)
    scale_w, scale_h = out['scale_factor']
    out_h, out_w = out['img'].shape[:2]
    assert (out_w, out_h) == (round(original['img'].shape[1] * scale_w),
                              round(original['img'].shape[0] * scale_h))
    for polygon, source in zip(out['gt_polygons'], original['gt_polygons']):
        assert polygon.shape == (8, )
        np.testing.assert_allclose(polygon / np.tile([scale_w, scale_h], 4), source, atol=1e-3)
    # bilinear resampling keeps the paint at the centre of words that stay big enough
    big = {
        k
        for k in original['unique'] if min(scale_w, scale_h) *
        min(np.ptp(original['gt_polygons'][k][0::2]), np.ptp(original['gt_polygons'][k][1::2])) >= 8
    }
    assert_paint_at_centres(out, big, tolerance=STEP_TOLERANCE)


@SETTINGS
@given(painted_samples(), st.sampled_from(['horizontal', 'vertical', 'diagonal']))
def test_flip_mirrors_quads_with_the_image(results, direction):
    original = copy.deepcopy(results)
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0, direction=direction))
    out = flip(results)
    assert_quads_inside(out)
    height, width = original['img'].shape[:2]
    for polygon, source in zip(out['gt_polygons'], original['gt_polygons']):
        back = polygon.copy()
        if direction in ('horizontal', 'diagonal'):
            back[0::2] = width - back[0::2]
        if direction in ('vertical', 'diagonal'):
            back[1::2] = height - back[1::2]
        np.testing.assert_allclose(back, source, atol=1e-4)
    assert_paint_at_centres(out, set(original['unique']))


@SETTINGS
@given(painted_samples(), st.sampled_from([32, 128]))
def test_pad_keeps_quads_where_they_are(results, divisor):
    original = copy.deepcopy(results)
    pad = TRANSFORMS.build(dict(type='Pad', size_divisor=divisor))
    out = pad(results)
    assert_quads_inside(out)
    assert out['img'].shape[0] % divisor == 0 and out['img'].shape[1] % divisor == 0
    for polygon, source in zip(out['gt_polygons'], original['gt_polygons']):
        np.testing.assert_array_equal(polygon, source)
    assert_paint_at_centres(out, set(original['unique']))


def test_photometric_distortion_touches_only_pixels():
    np.random.seed(0)
    polygons = [np.array([2, 3, 20, 3, 20, 9, 2, 9], np.float32)]
    results = dict(
        img=np.random.randint(0, 255, (16, 24, 3)).astype(np.uint8),
        img_shape=(16, 24),
        gt_polygons=copy.deepcopy(polygons),
        gt_bboxes=np.array([[2, 3, 20, 9]], np.float32))
    out = TRANSFORMS.build(dict(type='mmdet.PhotoMetricDistortion'))(copy.deepcopy(results))
    assert out['img'].shape == (16, 24, 3) and out['img'].dtype == np.float32
    np.testing.assert_array_equal(out['gt_polygons'][0], polygons[0])
    np.testing.assert_array_equal(out['gt_bboxes'], [[2, 3, 20, 9]])

"""QuadRandomRotate (MMOCR's RandomRotate on a canvas): exact quads, tight boxes, properties."""
import copy

import numpy as np
from hypothesis import given, settings
from mmocr.registry import TRANSFORMS

from textboxes_retina.datasets.transforms import QuadRandomRotate
from textboxes_retina.testing.painted_samples import (assert_paint_at_centres, assert_quads_inside,
                                                      painted_samples, rotated_rect)


def unrotate(polygon, angle, out_shape, in_shape):
    """Map output points back: undo the canvas shift, rotate by -angle about the centre."""
    (out_h, out_w), (in_h, in_w) = out_shape, in_shape
    shift = np.array([int((out_w - in_w) / 2), int((out_h - in_h) / 2)])
    centre = np.array([in_w / 2, in_h / 2])
    a = np.deg2rad(angle)  # counter-clockwise on screen = clockwise in y-down maths
    inverse = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    points = polygon.reshape(-1, 2) - shift - centre
    return (points @ inverse.T + centre).reshape(-1)


def test_known_90_degree_rotation():
    img = np.zeros((20, 40, 3), np.uint8)
    word = np.array([2, 4, 12, 4, 12, 8, 2, 8], np.float32)
    results = dict(
        img=img,
        img_shape=(20, 40),
        gt_polygons=[word.copy()],
        gt_bboxes=np.array([[2, 4, 12, 8]], np.float32))
    transform = QuadRandomRotate(max_angle=90, prob=1.0)
    transform._sample_angle = lambda max_angle: 90.0
    out = transform(results)
    assert out['img'].shape[:2] == (40, 20) and out['img_shape'] == (40, 20)
    # counter-clockwise on screen: the top-left corner goes to the bottom-left
    np.testing.assert_allclose(out['gt_polygons'][0], [4, 38, 4, 28, 8, 28, 8, 38], atol=1e-4)
    np.testing.assert_allclose(out['gt_bboxes'], [[4, 28, 8, 38]], atol=1e-4)
    assert out['rotated_angle'] == 90.0


def test_boxes_are_tight_around_rotated_quads():
    word = rotated_rect(50, 50, 40, 10, 0)
    results = dict(
        img=np.zeros((100, 100, 3), np.uint8),
        img_shape=(100, 100),
        gt_polygons=[word],
        gt_bboxes=np.array([[30, 45, 70, 55]], np.float32))
    transform = QuadRandomRotate(max_angle=45, prob=1.0)
    transform._sample_angle = lambda max_angle: 45.0
    out = transform(results)
    quad = out['gt_polygons'][0]
    np.testing.assert_allclose(
        out['gt_bboxes'][0],
        [quad[0::2].min(), quad[1::2].min(), quad[0::2].max(), quad[1::2].max()])
    # MMOCR alone would rotate the box corners: a box 25*sqrt(2) wide instead of this one
    assert out['gt_bboxes'][0, 2] - out['gt_bboxes'][0, 0] < 40 * np.cos(np.pi / 4) + 10 + 1e-3


def test_probability_and_repr():
    results = dict(img=np.zeros((8, 8, 3), np.uint8), img_shape=(8, 8))
    out = QuadRandomRotate(prob=0.0)(results)
    assert out['rotated_angle'] == 0.0 and out['img'].shape == (8, 8, 3)
    transform = TRANSFORMS.build(dict(type='QuadRandomRotate', max_angle=15, prob=0.3))
    assert repr(transform) == ('QuadRandomRotate(max_angle=15, prob=0.3, '
                               'pad_with_fixed_color=True, pad_value=(0, 0, 0))')


@settings(max_examples=30, deadline=None, database=None, derandomize=True)
@given(painted_samples())
def test_property_quads_inside_aligned_and_mapped_back(results):
    np.random.seed(results['seed'])
    original = copy.deepcopy(results)
    out = QuadRandomRotate(max_angle=60, prob=1.0)(results)
    assert_quads_inside(out)
    assert out['gt_texts'] == original['gt_texts']  # the canvas keeps every word
    for polygon, source in zip(out['gt_polygons'], original['gt_polygons']):
        back = unrotate(polygon, out['rotated_angle'], out['img'].shape[:2],
                        original['img'].shape[:2])
        np.testing.assert_allclose(back, source, atol=1.5)  # clamping moves at most a pixel
    assert_paint_at_centres(out, set(original['unique']))

"""QuadRandomExpand: known offsets and properties on random words."""
import copy

import numpy as np
from hypothesis import given, settings
from mmocr.registry import TRANSFORMS

from textboxes_retina.datasets.transforms import QuadRandomExpand
from textboxes_retina.testing.painted_samples import (assert_paint_at_centres, assert_quads_inside,
                                                      painted_samples)


def test_known_expand():
    img = np.full((10, 20, 3), 200, np.uint8)
    results = dict(
        img=img,
        img_shape=(10, 20),
        gt_polygons=[np.array([1, 2, 5, 2, 5, 6, 1, 6], np.float32)],
        gt_bboxes=np.array([[1, 2, 5, 6]], np.float32))
    transform = QuadRandomExpand(fill_value=(1, 2, 3), ratio_range=(2, 2), prob=1.0)
    transform._sample_canvas = lambda h, w: (20, 40, 7, 3)
    out = transform(results)
    assert out['img'].shape == (20, 40, 3) and out['img_shape'] == (20, 40)
    assert out['img'][0, 0].tolist() == [1, 2, 3]
    np.testing.assert_array_equal(out['img'][3:13, 7:27], img)
    np.testing.assert_array_equal(out['gt_polygons'][0], [8, 5, 12, 5, 12, 9, 8, 9])
    np.testing.assert_array_equal(out['gt_bboxes'], [[8, 5, 12, 9]])
    assert out['expand_offset'] == (7, 3)


def test_probability_zero_leaves_results_alone_and_repr():
    results = dict(img=np.zeros((4, 4, 3), np.uint8), img_shape=(4, 4))
    out = QuadRandomExpand(prob=0.0)(copy.deepcopy(results))
    assert out['img'].shape == (4, 4, 3) and out['expand_offset'] == (0, 0)
    transform = TRANSFORMS.build(dict(type='QuadRandomExpand', ratio_range=(1, 2), prob=0.3))
    assert repr(transform) == ('QuadRandomExpand(fill_value=(104, 117, 123), '
                               'ratio_range=(1, 2), prob=0.3)')


@settings(max_examples=30, deadline=None, database=None, derandomize=True)
@given(painted_samples())
def test_property_quads_inside_aligned_and_mapped_back(results):
    np.random.seed(results['seed'])
    original = copy.deepcopy(results)
    out = QuadRandomExpand(fill_value=(0, 0, 0), ratio_range=(1.0, 3.0), prob=0.7)(results)
    assert_quads_inside(out)
    left, top = out['expand_offset']
    height, width = original['img'].shape[:2]
    np.testing.assert_array_equal(out['img'][top:top + height, left:left + width], original['img'])
    for polygon, source in zip(out['gt_polygons'], original['gt_polygons']):
        np.testing.assert_allclose(polygon - np.tile([left, top], 4), source, atol=1e-4)
    assert out['gt_texts'] == original['gt_texts']
    assert_paint_at_centres(out, set(original['unique']))

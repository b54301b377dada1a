"""BatchSyncQuadRandomResize inside mmdet's DetDataPreprocessor: sizes, quads, shapes, metas."""
from unittest import mock

import cv2
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from mmengine.logging import MessageHub
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS, TRANSFORMS

import textboxes_retina  # noqa: F401
from textboxes_retina.models.data_preprocessors import BatchSyncQuadRandomResize

STEP = 60  # word k is painted with STEP * (k + 1)


@pytest.fixture(autouse=True)
def mmocr_scope():
    with DefaultScope.overwrite_default_scope('mmocr'):
        yield


def packed(height, width, quads):
    """A data dict as the dataloader gives it, with the quads painted in channel 0."""
    img = np.zeros((height, width, 3), np.uint8)
    for k, quad in enumerate(quads):
        cv2.fillPoly(img, [np.round(quad.reshape(-1, 2)).astype(np.int32)], (STEP * (k + 1), 0, 0))
    pack = TRANSFORMS.build(
        dict(type='PackTextDetInputs', meta_keys=('img_shape', 'ori_shape', 'scale_factor')))
    return pack(
        dict(
            img=img,
            img_shape=(height, width),
            ori_shape=(height, width),
            scale_factor=(1.0, 1.0),
            gt_polygons=[q.astype(np.float32) for q in quads],
            gt_bboxes=np.array([[q[0::2].min(), q[1::2].min(), q[0::2].max(), q[1::2].max()]
                                for q in quads], np.float32).reshape(-1, 4),
            gt_bboxes_labels=np.zeros(len(quads), np.int64),
            gt_ignored=np.zeros(len(quads), bool)))


def preprocessor(**aug):
    cfg = dict(type='BatchSyncQuadRandomResize', random_size_range=(64, 256), size_divisor=32)
    cfg.update(aug)
    return MODELS.build(
        dict(type='mmdet.DetDataPreprocessor', pad_size_divisor=32, batch_augments=[cfg]))


def collate(samples):
    return dict(
        inputs=[s['inputs'] for s in samples], data_samples=[s['data_samples'] for s in samples])


def set_iter(i):
    MessageHub.get_current_instance().update_info('iter', i)


def test_known_resize_scales_everything_consistently():
    quad = np.array([8, 4, 40, 4, 40, 20, 8, 20], np.float32)
    model = preprocessor()
    aug = model.batch_augments[0]
    aug._input_size = (128, 192)  # the size drawn at the previous interval
    set_iter(0)
    out = model(collate([packed(64, 96, [quad])]), training=True)
    sample = out['data_samples'][0]
    assert out['inputs'].shape == (1, 3, 128, 192)
    np.testing.assert_allclose(sample.gt_instances.polygons[0], quad * 2)
    np.testing.assert_allclose(sample.gt_instances.bboxes.numpy(), [[16, 8, 80, 40]])
    assert sample.img_shape == (128, 192) and sample.pad_shape == (128, 192)
    assert sample.batch_input_shape == (128, 192)
    assert sample.scale_factor == (2.0, 2.0)
    assert sample.ori_shape == (64, 96)


def test_first_batch_and_evaluation_are_not_resized():
    model = preprocessor()
    set_iter(0)
    quad = np.array([8, 4, 40, 4, 40, 20, 8, 20], np.float32)
    out = model(collate([packed(64, 96, [quad])]), training=True)
    np.testing.assert_array_equal(out['data_samples'][0].gt_instances.polygons[0], quad)
    model.batch_augments[0]._input_size = (128, 192)
    out = model(collate([packed(64, 96, [quad])]), training=False)
    assert out['inputs'].shape == (1, 3, 64, 96)


def test_size_range_is_rounded_inwards_and_synchronised():
    aug = BatchSyncQuadRandomResize((608, 960), size_divisor=128)
    assert aug._random_size_range == (5, 7)
    assert BatchSyncQuadRandomResize((960, 1280), size_divisor=128)._random_size_range == (8, 10)
    with pytest.raises(ValueError, match='contains no multiple of size_divisor 128'):
        BatchSyncQuadRandomResize((600, 620), size_divisor=128)
    heights = set()
    with mock.patch('mmdet.models.data_preprocessors.data_preprocessor.broadcast') as broadcast:
        for _ in range(60):
            height, width = aug._get_random_size(aspect_ratio=1.0, device=torch.device('cpu'))
            heights.add(height)
            assert height == width
    assert heights == {640, 768, 896}
    assert broadcast.call_count == 60  # rank 0's draw is sent to every rank


def test_interval_sets_when_the_size_changes():
    model = preprocessor(interval=2)
    aug = model.batch_augments[0]
    quad = np.array([8, 4, 40, 4, 40, 20, 8, 20], np.float32)
    sizes = []
    for i in range(4):
        set_iter(i)
        model(collate([packed(64, 64, [quad])]), training=True)
        sizes.append(aug._input_size)
    assert sizes[0] == (64, 64)  # iteration 0: keeps the first size
    assert sizes[2] == sizes[1] and sizes[1][0] % 32 == 0 and 64 <= sizes[1][0] <= 256


@settings(max_examples=30, deadline=None, database=None, derandomize=True)
@given(
    st.lists(st.tuples(st.integers(48, 96), st.integers(48, 96)), min_size=1, max_size=3),
    st.integers(2, 8), st.integers(2, 8), st.data())
def test_property_quads_follow_the_batch(shapes, target_h, target_w, data):
    samples, sources = [], []
    for height, width in shapes:
        quads = []
        for _ in range(data.draw(st.integers(1, 3))):
            w, h = data.draw(st.floats(12, width / 2)), data.draw(st.floats(12, height / 2))
            x, y = data.draw(st.floats(0, width - w)), data.draw(st.floats(0, height - h))
            quads.append(np.array([x, y, x + w, y, x + w, y + h, x, y + h], np.float32))
        samples.append(packed(height, width, quads))
        sources.append(quads)
    model = preprocessor()
    model.batch_augments[0]._input_size = (target_h * 32, target_w * 32)
    set_iter(0)
    out = model(collate(samples), training=True)
    inputs = out['inputs']
    assert inputs.shape[-2:] == (target_h * 32, target_w * 32)
    pad_h, pad_w = max(h for h, _ in shapes), max(w for _, w in shapes)
    pad_h, pad_w = -(-pad_h // 32) * 32, -(-pad_w // 32) * 32
    scale_x, scale_y = target_w * 32 / pad_w, target_h * 32 / pad_h
    for b, (sample, quads) in enumerate(zip(out['data_samples'], sources)):
        img_h, img_w = sample.img_shape
        assert sample.batch_input_shape == tuple(inputs.shape[-2:])
        assert sample.scale_factor == pytest.approx((scale_x, scale_y))
        for k, (polygon, quad) in enumerate(zip(sample.gt_instances.polygons, quads)):
            assert polygon.shape == (8, ) and np.isfinite(polygon).all()
            assert polygon[0::2].min() >= 0 and polygon[0::2].max() <= img_w
            assert polygon[1::2].min() >= 0 and polygon[1::2].max() <= img_h
            # maps back to the input quad (the clamp to the rounded-down img_shape moves < 1 px)
            np.testing.assert_allclose(
                polygon / np.tile([scale_x, scale_y], 4), quad, atol=1 / min(scale_x, scale_y))
            np.testing.assert_allclose(
                sample.gt_instances.bboxes[k].numpy(), [
                    polygon[0::2].min(), polygon[1::2].min(), polygon[0::2].max(),
                    polygon[1::2].max()
                ],
                atol=1e-3)
            # the image moved with it: the centre still shows this word's paint (the last word
            # painted wins where words overlap, so check only words no later word covers there)
            cx, cy = polygon[0::2].mean(), polygon[1::2].mean()
            x, y = cx / scale_x, cy / scale_y
            if any(q[0] - 2 <= x <= q[2] + 2 and q[1] - 2 <= y <= q[5] + 2 for q in quads[k + 1:]):
                continue
            if min(np.ptp(polygon[0::2]), np.ptp(polygon[1::2])) < 8:
                continue
            value = float(inputs[b, 0, int(cy), int(cx)])
            assert abs(value - STEP * (k + 1)) <= STEP / 2

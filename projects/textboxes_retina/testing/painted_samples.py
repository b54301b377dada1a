# Copyright (c) textboxes_retina authors.
"""Hypothesis samples for quad transforms: tiny images whose words are painted in, so that the
alignment of image and labels can be checked after a transform."""
import numpy as np
from hypothesis import strategies as st

from textboxes_retina.structures import polygons_to_bboxes

STEP = 40  # word k is painted with value STEP * (k + 1) in channel 0


def rotated_rect(cx: float, cy: float, w: float, h: float, angle: float) -> np.ndarray:
    """(8,) float32 rectangle centred on (cx, cy), clockwise from its top-left."""
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]], np.float64) / 2
    a = np.deg2rad(angle)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    return (corners @ rot.T + [cx, cy]).reshape(-1).astype(np.float32)


@st.composite
def painted_samples(draw, min_side=32, max_side=96, max_words=4, rotated=True):
    """A results dict (as after ``LoadOCRAnnotations``) with words painted in the image.

    Word ``k`` has text ``str(k)`` (to follow it through the transform) and is painted with value
    ``STEP * (k + 1)``; ``unique`` lists the words whose paint can be checked: no other word
    covers the 5x5 pixels around their centre (nearest or bilinear resampling there reads their
    own paint).
    """
    height = draw(st.integers(min_side, max_side))
    width = draw(st.integers(min_side, max_side))
    polygons = []
    for _ in range(draw(st.integers(1, max_words))):
        w = draw(st.floats(8, width * 0.6))
        h = draw(st.floats(8, height * 0.5))
        angle = draw(st.floats(-40, 40)) if rotated else 0.0
        quad = rotated_rect(0, 0, w, h, angle).reshape(4, 2)
        low, high = -quad.min(axis=0), np.array([width, height]) - quad.max(axis=0)
        if np.any(high <= low):
            continue
        cx = draw(st.floats(float(low[0]), float(high[0])))
        cy = draw(st.floats(float(low[1]), float(high[1])))
        polygons.append((quad + [cx, cy]).reshape(-1).astype(np.float32))
    labels = paint(height, width, polygons)
    img = np.stack([labels * STEP, np.full_like(labels, 7), np.full_like(labels, 9)], axis=-1)
    unique = [k for k, p in enumerate(polygons) if is_alone_at_centre(labels, p, k + 1)]
    n = len(polygons)
    return dict(
        img=img.astype(np.uint8),
        img_shape=(height, width),
        ori_shape=(height, width),
        gt_polygons=polygons,
        gt_bboxes=polygons_to_bboxes(polygons),
        gt_bboxes_labels=np.zeros(n, np.int64),
        gt_ignored=np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool),
        gt_texts=[str(k) for k in range(n)],
        unique=unique,
        seed=draw(st.integers(0, 2**31 - 1)))


def paint(height, width, polygons):
    """Label map: word k's pixels hold k + 1 (later words on top)."""
    import cv2
    labels = np.zeros((height, width), np.int32)
    for k, polygon in enumerate(polygons):
        cv2.fillPoly(labels, [np.round(polygon.reshape(-1, 2)).astype(np.int32)], k + 1)
    return labels


def is_alone_at_centre(labels, polygon, label, margin=2):
    row, col = pixel_at(centre(polygon))
    around = labels[max(row - margin, 0):row + margin + 1, max(col - margin, 0):col + margin + 1]
    return bool((around == label).all())


def centre(polygon):
    return polygon.reshape(-1, 2).mean(axis=0)


def pixel_at(point):
    return int(np.floor(point[1])), int(np.floor(point[0]))


def assert_quads_inside(results):
    """8 finite values per quad, every point inside the image; boxes match the quads."""
    height, width = results['img'].shape[:2]
    assert tuple(results['img_shape']) == (height, width)
    n = len(results['gt_polygons'])
    for key in ('gt_bboxes', 'gt_bboxes_labels', 'gt_ignored', 'gt_texts'):
        assert len(results[key]) == n, key
    for polygon in results['gt_polygons']:
        assert polygon.shape == (8, ) and np.isfinite(polygon).all()
        assert polygon[0::2].min() >= 0 and polygon[0::2].max() <= width
        assert polygon[1::2].min() >= 0 and polygon[1::2].max() <= height
    np.testing.assert_allclose(
        results['gt_bboxes'], polygons_to_bboxes(results['gt_polygons']), atol=1e-3)


def assert_paint_at_centres(results, words, tolerance=0):
    """The image at the centre of each listed output word holds that word's paint."""
    height, width = results['img'].shape[:2]
    for index, polygon in enumerate(results['gt_polygons']):
        k = int(results['gt_texts'][index])
        if k not in words:
            continue
        row, col = pixel_at(centre(polygon))
        value = float(results['img'][min(row, height - 1), min(col, width - 1), 0])
        assert abs(value - STEP * (k + 1)) <= tolerance, (k, value)

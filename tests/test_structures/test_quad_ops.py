"""Quad geometry: canonical order, validity, repair, clipping, conversion and NMS."""
import itertools
import math

import numpy as np
import pytest
import torch

from textboxes_retina.structures import (bboxes_to_quads, canonicalize_quads, clip_quads,
                                         convex_quads, polygons_to_quads, quad_areas, quad_nms,
                                         quads_to_bboxes, sanitize_quads,
                                         self_intersecting_quads, valid_quads)

RECT = np.array([[0, 0, 10, 0, 10, 5, 0, 5]], dtype=np.float32)  # TL, TR, BR, BL


def _rotated_rect(cx, cy, w, h, degrees):
    """Corners TL, TR, BR, BL of a w x h rectangle rotated clockwise on screen."""
    t = math.radians(degrees)
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return (corners @ rot.T + [cx, cy]).astype(np.float32)  # (4, 2)


@pytest.mark.parametrize('perm', list(itertools.permutations(range(4))))
def test_canonical_order_of_shuffled_rectangle(perm):
    shuffled = RECT.reshape(4, 2)[list(perm)].reshape(1, 8)
    np.testing.assert_array_equal(canonicalize_quads(shuffled), RECT)


def test_canonical_order_of_rotated_rectangles():
    # 30 degrees: the rotated top-left corner (-12.32, -18.66) is 10 px from the box corner
    # (-22.32, -18.66), the rotated bottom-left 17.32 px, so the order stays TL, TR, BR, BL.
    quad30 = _rotated_rect(50, 50, 40, 20, 30)
    np.testing.assert_allclose(quad30[0], [50 - 12.32, 50 - 18.66], atol=0.01)
    out = canonicalize_quads(quad30[[2, 0, 3, 1]].reshape(1, 8))
    np.testing.assert_allclose(out, quad30.reshape(1, 8), atol=1e-4)
    # 60 degrees: now the rotated bottom-left (-18.66, -12.32) is nearest (10 px vs 17.32 px)
    # to the box corner (-18.66, -22.32): the order starts there and goes on clockwise.
    quad60 = _rotated_rect(50, 50, 40, 20, 60)
    out = canonicalize_quads(quad60[[1, 3, 0, 2]].reshape(1, 8))
    np.testing.assert_allclose(out, quad60[[3, 0, 1, 2]].reshape(1, 8), atol=1e-4)
    np.testing.assert_allclose(out[0, :2], [50 - 18.66, 50 - 12.32], atol=0.01)


def test_canonical_order_of_flipped_quad_is_clockwise_again():
    quad = np.array([[0, 0, 10, 2, 10, 7, 0, 5]], dtype=np.float32)
    flipped = quad.copy()
    flipped[:, 0::2] = 20 - flipped[:, 0::2]  # horizontal flip: now counter-clockwise
    np.testing.assert_array_equal(
        canonicalize_quads(flipped), [[10, 2, 20, 0, 20, 5, 10, 7]])
    vflipped = quad.copy()
    vflipped[:, 1::2] = 10 - vflipped[:, 1::2]
    np.testing.assert_array_equal(
        canonicalize_quads(vflipped), [[0, 5, 10, 3, 10, 8, 0, 10]])


def test_canonical_order_is_idempotent_and_permutation_invariant():
    rng = np.random.default_rng(0)
    quads = np.concatenate([
        _rotated_rect(*rng.uniform(20, 80, 2), *rng.uniform(5, 40, 2),
                      rng.uniform(-89, 89)).reshape(1, 8) for _ in range(50)
    ])
    canon = canonicalize_quads(quads)
    np.testing.assert_array_equal(canonicalize_quads(canon), canon)
    for perm in itertools.permutations(range(4)):
        shuffled = quads.reshape(-1, 4, 2)[:, list(perm)].reshape(-1, 8)
        np.testing.assert_array_equal(canonicalize_quads(shuffled), canon)
    # clockwise on screen: positive shoelace sum with y pointing down
    pts = canon.reshape(-1, 4, 2)
    nxt = np.roll(pts, -1, axis=1)
    assert ((pts[..., 0] * nxt[..., 1] - nxt[..., 0] * pts[..., 1]).sum(-1) > 0).all()


def test_functions_keep_the_array_kind():
    assert isinstance(canonicalize_quads(RECT), np.ndarray)
    out = canonicalize_quads(torch.from_numpy(RECT))
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float32
    assert canonicalize_quads(np.zeros((0, 8), np.float32)).shape == (0, 8)


def test_boxes_and_quads_convert_both_ways():
    boxes = torch.tensor([[1., 2., 11., 7.]])
    np.testing.assert_array_equal(bboxes_to_quads(boxes), [[1, 2, 11, 2, 11, 7, 1, 7]])
    quad = np.array([[5, 0, 10, 5, 5, 10, 0, 5]], np.float32)
    np.testing.assert_array_equal(quads_to_bboxes(quad), [[0, 0, 10, 10]])


def test_area_self_intersection_and_convexity():
    bow_tie = RECT[:, [0, 1, 4, 5, 2, 3, 6, 7]]  # TL, BR, TR, BL
    concave = np.array([[0, 0, 10, 0, 3, 3, 0, 10]], np.float32)
    quads = np.concatenate([RECT, bow_tie, concave])
    np.testing.assert_allclose(quad_areas(quads), [50, 0, 30])
    np.testing.assert_array_equal(self_intersecting_quads(quads), [False, True, False])
    np.testing.assert_array_equal(convex_quads(quads), [True, False, False])


def test_valid_quads_rejects_non_finite_flat_and_crossed():
    quads = np.array([
        [0, 0, 10, 0, 10, 5, 0, 5],
        [0, 0, np.nan, 0, 10, 5, 0, 5],
        [0, 0, np.inf, 0, 10, 5, 0, 5],
        [0, 0, 1, 1, 2, 2, 3, 3],  # collinear
        [0, 0, 10, 5, 10, 0, 0, 5],  # bow tie
    ], np.float32)
    np.testing.assert_array_equal(valid_quads(quads), [True, False, False, False, False])


def test_sanitize_repairs_order_and_concavity_and_drops_the_rest():
    quads = np.array([
        [0, 0, 10, 5, 10, 0, 0, 5],  # bow tie -> the rectangle
        [0, 0, 10, 0, 3, 3, 0, 10],  # concave -> min-area rectangle around it
        [0, 0, np.nan, 0, 10, 5, 0, 5],
        [0, 0, 1, 1, 2, 2, 3, 3],
    ], np.float32)
    repaired, keep = sanitize_quads(quads)
    np.testing.assert_array_equal(keep, [True, True, False, False])
    np.testing.assert_array_equal(repaired[0], RECT[0])
    assert convex_quads(repaired[1:2])[0]
    assert quad_areas(repaired[1:2])[0] >= 50 - 1e-3  # hull of the dart is a 50 px triangle
    assert np.isfinite(repaired).all()
    assert valid_quads(repaired[keep]).all()


def test_clip_quads_into_image():
    quads = torch.tensor([[-5., -2., 30., 1., 25., 40., 3., 12.]])
    np.testing.assert_array_equal(clip_quads(quads, (20, 28)), [[0, 0, 28, 1, 25, 20, 3, 12]])


def test_polygons_to_quads():
    polygons = [
        np.array([10, 5, 0, 5, 0, 0, 10, 0], np.float32),  # 4 vertices, other order
        np.array([0, 0, 5, 0, 10, 0, 10, 4, 5, 4, 0, 4], np.float32),  # 6 vertices
    ]
    quads = polygons_to_quads(polygons)
    assert quads.dtype == np.float32 and quads.shape == (2, 8)
    np.testing.assert_array_equal(quads[0], RECT[0])
    np.testing.assert_allclose(quads[1], [0, 0, 10, 0, 10, 4, 0, 4], atol=1e-5)
    assert polygons_to_quads([]).shape == (0, 8)


def test_quad_nms_uses_quad_iou():
    square = [0., 0., 10., 0., 10., 10., 0., 10.]
    diamond = _rotated_rect(5, 5, 10, 10, 45).reshape(8).tolist()  # IoU 0.707 with square
    shifted = [1., 0., 11., 0., 11., 10., 1., 10.]  # IoU 90 / 110 = 0.818 with square
    far = [50., 50., 60., 50., 60., 60., 50., 60.]
    quads = torch.tensor([square, diamond, shifted, far])
    scores = torch.tensor([0.9, 0.6, 0.8, 0.7])
    # the diamond's bounding box has IoU 0.5 with the square; its quad IoU is 0.707
    assert quad_nms(quads, scores, 0.70).tolist() == [0, 3]
    assert quad_nms(quads, scores, 0.75).tolist() == [0, 3, 1]
    assert quad_nms(quads, scores, 0.85).tolist() == [0, 2, 3, 1]
    labels = torch.tensor([0, 1, 1, 0])
    assert quad_nms(quads, scores, 0.5, labels).tolist() == [0, 2, 3]
    assert quad_nms(quads[:0], scores[:0], 0.5).shape == (0, )


def test_quad_ious_exact_for_general_quads():
    from textboxes_retina.structures.quad_ops import quad_ious
    square = torch.tensor([[0., 0., 10., 0., 10., 10., 0., 10.]])
    shifted = torch.tensor([[5., 0., 15., 0., 15., 10., 5., 10.]])
    assert quad_ious(square, shifted).item() == pytest.approx(50 / 150)
    # A non-rectangular quad inside another: IoU = area(inner) / area(outer) = 0.2096340
    # (mmcv 2.0.1's box_iou_quadri returns 0.0760 here).
    outer = torch.tensor([[327.8, 0., 512., 17.253693, 512., 512., 311.5701, 512.]])
    inner = torch.tensor([[434.95828, 180.07133, 500.67566, 125.78344, 494.8859, 494.4739,
                           430.53415, 435.56396]])
    assert quad_ious(outer, inner).item() == pytest.approx(0.2096340, abs=1e-5)
    assert quad_ious(inner, outer.view(4, 2).flip(0).reshape(1, 8)).item() == pytest.approx(
        0.2096340, abs=1e-5)
    assert quad_ious(square, square + 100).item() == 0
    assert quad_ious(square[:0], square).shape == (0, 1)


def test_quad_nms_max_num_equals_truncated_full_nms():
    generator = torch.Generator().manual_seed(0)
    centres = torch.rand(400, 1, 2, generator=generator) * 100
    corners = torch.tensor([[-8., -3.], [8., -3.], [8., 3.], [-8., 3.]])
    quads = (centres + corners + torch.rand(400, 4, 2, generator=generator)).reshape(400, 8)
    scores = torch.rand(400, generator=generator)
    full = quad_nms(quads, scores, 0.2, chunk_size=64)
    assert torch.equal(quad_nms(quads, scores, 0.2, max_num=10, chunk_size=64), full[:10])
    assert torch.equal(quad_nms(quads, scores, 0.2, chunk_size=1000), full)
    # The chunk schedule (small first chunks doubling up to chunk_size) never changes the result.
    one_chunk = quad_nms(quads, scores, 0.2, chunk_size=1000, first_chunk_size=1000)
    assert torch.equal(one_chunk, full)
    for first, most in ((1, 7), (5, 5), (32, 256), (3, 1000)):
        assert torch.equal(
            quad_nms(quads, scores, 0.2, chunk_size=most, first_chunk_size=first), full)

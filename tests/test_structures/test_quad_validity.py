"""Quad measures and validity: areas, sizes, self-intersection, convexity, repair, clamping."""
import numpy as np
import torch

from textboxes_retina.structures import (canonicalize_quads, clip_quads, clip_quads_to_box,
                                         convex_quads, quad_areas, quad_short_sides, sanitize_quads,
                                         self_intersecting_quads, valid_quads)

RECT = np.array([[0, 0, 10, 0, 10, 5, 0, 5]], dtype=np.float32)  # TL, TR, BR, BL


def test_area_self_intersection_and_convexity():
    bow_tie = RECT[:, [0, 1, 4, 5, 2, 3, 6, 7]]  # TL, BR, TR, BL
    concave = np.array([[0, 0, 10, 0, 3, 3, 0, 10]], np.float32)
    quads = np.concatenate([RECT, bow_tie, concave])
    np.testing.assert_allclose(quad_areas(quads), [50, 0, 30])
    np.testing.assert_array_equal(self_intersecting_quads(quads), [False, True, False])
    np.testing.assert_array_equal(convex_quads(quads), [True, False, False])


def test_valid_quads_rejects_non_finite_flat_and_crossed():
    quads = np.array(
        [
            [0, 0, 10, 0, 10, 5, 0, 5],
            [0, 0, np.nan, 0, 10, 5, 0, 5],
            [0, 0, np.inf, 0, 10, 5, 0, 5],
            [0, 0, 1, 1, 2, 2, 3, 3],  # collinear
            [0, 0, 10, 5, 10, 0, 0, 5],  # bow tie
        ],
        np.float32)
    np.testing.assert_array_equal(valid_quads(quads), [True, False, False, False, False])


def test_sanitize_repairs_order_and_concavity_and_drops_the_rest():
    quads = np.array(
        [
            [0, 0, 10, 5, 10, 0, 0, 5],  # bow tie -> the rectangle
            [0, 0, 10, 0, 3, 3, 0, 10],  # concave -> min-area rectangle around it
            [0, 0, np.nan, 0, 10, 5, 0, 5],
            [0, 0, 1, 1, 2, 2, 3, 3],
        ],
        np.float32)
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


def test_short_side_is_the_word_height_at_any_angle():
    rect = torch.tensor([[0., 0., 40., 0., 40., 10., 0., 10.]])
    rotated = canonicalize_quads(torch.tensor([[0., 0., 30., 40., 22., 46., -8., 6.]]))
    torch.testing.assert_close(
        quad_short_sides(torch.cat([rect, rotated])), torch.tensor([10., 10.]))


def test_clip_quads_to_a_box_and_boxes_into_an_image():
    quads = np.array([[-5., -2., 30., 1., 25., 40., 3., 12.]], np.float32)
    np.testing.assert_array_equal(
        clip_quads_to_box(quads, (2, 1, 20, 30)), [[2, 1, 20, 1, 20, 30, 3, 12]])
    boxes = torch.tensor([[-3., 4., 50., 25.]])  # (x1, y1, x2, y2): x and y interleaved too
    torch.testing.assert_close(clip_quads(boxes, (20, 28)), torch.tensor([[0., 4., 28., 20.]]))
    assert torch.equal(boxes, torch.tensor([[-3., 4., 50., 25.]]))  # a copy, not in place

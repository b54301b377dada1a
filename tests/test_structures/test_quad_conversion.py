"""Quad conversion: boxes, polygon lists, the canonical vertex order, mirroring."""
import itertools
import math

import numpy as np
import pytest
import torch

from textboxes_retina.structures import (bboxes_to_quads, canonicalize_quads, flip_quads,
                                         polygons_to_quads, quads_to_bboxes, stack_quads)

RECT = np.array([[0, 0, 10, 0, 10, 5, 0, 5]], dtype=np.float32)  # TL, TR, BR, BL
QUAD = torch.tensor([[10., 20., 50., 10., 55., 30., 15., 40.]])  # canonical, tilted
SHAPE = (60, 100)  # height, width


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
    np.testing.assert_array_equal(canonicalize_quads(flipped), [[10, 2, 20, 0, 20, 5, 10, 7]])
    vflipped = quad.copy()
    vflipped[:, 1::2] = 10 - vflipped[:, 1::2]
    np.testing.assert_array_equal(canonicalize_quads(vflipped), [[0, 5, 10, 3, 10, 8, 0, 10]])


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


def test_horizontal_flip_gives_the_canonical_mirrored_quad():
    # mirrored points (90, 20), (50, 10), (45, 30), (85, 40); the vertex nearest the
    # bounding box's top-left (45, 10) is (50, 10), then clockwise
    torch.testing.assert_close(
        flip_quads(QUAD, SHAPE, 'horizontal'),
        torch.tensor([[50., 10., 90., 20., 85., 40., 45., 30.]]))
    torch.testing.assert_close(
        flip_quads(QUAD, SHAPE, 'vertical'), torch.tensor([[15., 20., 55., 30., 50., 50., 10.,
                                                            40.]]))


@pytest.mark.parametrize('direction', ['horizontal', 'vertical', 'diagonal'])
def test_flipping_back_restores_the_vertex_order(direction):
    gen = torch.Generator().manual_seed(0)
    # rotated rectangles at many angles, canonical as the model predicts them
    angles = torch.linspace(0, math.pi, 37)[:, None]
    corners = torch.tensor([[-20., -6.], [20., -6.], [20., 6.], [-20., 6.]])
    rot = torch.stack(
        [torch.cat([angles.cos(), -angles.sin()], 1),
         torch.cat([angles.sin(), angles.cos()], 1)], 1)  # (37, 2, 2)
    centres = 30 + 40 * torch.rand(37, 1, 2, generator=gen)
    quads = canonicalize_quads((corners @ rot.transpose(1, 2) + centres).reshape(-1, 8))
    # what the model sees in the flipped image: the mirrored quads in canonical order
    seen = flip_quads(quads, SHAPE, direction)
    assert not torch.allclose(seen, quads)
    torch.testing.assert_close(flip_quads(seen, SHAPE, direction), quads)
    with pytest.raises(AssertionError):
        flip_quads(quads, SHAPE, 'sideways')


def test_bounding_boxes_of_polygons_with_any_vertex_count():
    hexagon = np.array([[0, 0, 5, -1, 10, 0, 10, 4, 5, 6, 0, 4]], np.float64)
    boxes = quads_to_bboxes(hexagon)
    assert boxes.dtype == np.float64
    np.testing.assert_array_equal(boxes, [[0, -1, 10, 6]])


def test_stack_quads_is_the_one_list_to_array_conversion():
    quads = [
        np.arange(8, dtype=np.float64),
        torch.arange(8.).reshape(4, 2),
        np.arange(8, dtype=np.float32).reshape(1, 8)
    ]
    stacked = stack_quads(quads)
    assert stacked.dtype == np.float32 and stacked.shape == (3, 8)
    np.testing.assert_array_equal(stacked, np.tile(np.arange(8), (3, 1)))
    assert stack_quads(quads, np.float64).dtype == np.float64
    assert stack_quads([]).shape == (0, 8)
    with pytest.raises(ValueError, match='polygons_to_quads'):
        stack_quads([np.arange(8), np.arange(12)])

"""Intersection areas of strictly convex quads: hand-worked cases and agreement with shapely."""
import numpy as np
import pytest
import shapely
import torch

from textboxes_retina.structures import convex_quads, quad_intersection_areas

convex_quad_intersection_areas = quad_intersection_areas  # numpy in, numpy out
strictly_convex_quads = convex_quads


def quads_to_geometries(quads):
    return shapely.polygons(np.asarray(quads, float).reshape(-1, 4, 2))


def box(x1, y1, x2, y2):
    return [x1, y1, x2, y1, x2, y2, x1, y2]


def reversed_order(quad):
    return np.asarray(quad, float).reshape(4, 2)[::-1].ravel().tolist()


SQUARE = box(0, 0, 10, 10)


@pytest.mark.parametrize(
    'other, area',
    [
        (SQUARE, 100),  # identical
        (reversed_order(SQUARE), 100),  # identical, other orientation
        (box(5, 0, 15, 10), 50),  # shares the top and bottom edges over [5, 10]
        (box(2, 2, 8, 8), 36),  # nested
        (box(-5, -5, 15, 15), 100),  # nesting
        (box(0, 0, 5, 10), 50),  # nested, sharing three edges
        (box(10, 0, 20, 10), 0),  # touching along an edge
        (box(10, 10, 20, 20), 0),  # touching at a corner
        (box(20, 20, 30, 30), 0),  # apart
        ([5, 0, 10, 5, 5, 10, 0, 5], 50),  # inscribed diamond, vertices on the edges
        ([10, 0, 15, 5, 10, 10, 5, 5], 25),  # diamond across the right edge: triangle 10 * 5 / 2
    ])
def test_hand_worked_areas(other, area):
    for first, second in ((SQUARE, other), (other, SQUARE)):
        result = convex_quad_intersection_areas(np.array([first], float), np.array([second], float))
        assert result.shape == (1, ) and result[0] == pytest.approx(area, abs=1e-12)


def test_agrees_with_shapely_on_random_integer_quads():
    rng = np.random.default_rng(0)
    num = 4000
    centres = rng.integers(0, 40, (2, num, 1, 2))
    sizes = rng.integers(1, 20, (2, num, 1, 2))
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
    quads_a, quads_b = (centres + corners * sizes +
                        rng.integers(-5, 6, (2, num, 4, 2))).reshape(2, num, 8).astype(float)
    # Identical, shifted and reversed copies: shared edges and vertices.
    quads_b[:500] = quads_a[:500]
    quads_b[500:1000] = quads_a[500:1000] + rng.integers(-2, 3, (500, 1)) * np.tile([1, 0], 4)
    quads_b[1000:1500] = quads_a[1000:1500].reshape(-1, 4, 2)[:, ::-1].reshape(-1, 8)
    convex = strictly_convex_quads(quads_a) & strictly_convex_quads(quads_b)
    quads_a, quads_b = quads_a[convex], quads_b[convex]
    assert len(quads_a) > 2000
    expected = shapely.area(
        shapely.intersection(quads_to_geometries(quads_a), quads_to_geometries(quads_b)))
    np.testing.assert_allclose(
        convex_quad_intersection_areas(quads_a, quads_b), expected, rtol=1e-9, atol=1e-9)
    assert convex_quad_intersection_areas(np.zeros((0, 8)), np.zeros((0, 8))).shape == (0, )
    # float32 tensors far from the origin (as NMS sees them): coordinates are taken relative to
    # each pair, so the error stays far below a pixel.
    far = quad_intersection_areas(
        torch.from_numpy(quads_a + 1000).float(),
        torch.from_numpy(quads_b + 1000).float())
    assert far.dtype == torch.float32
    np.testing.assert_allclose(far.numpy(), expected, rtol=1e-4, atol=1e-2)
    with pytest.raises(ValueError, match='aligned pairs'):
        quad_intersection_areas(torch.zeros(2, 8), torch.zeros(3, 8))


def test_strictly_convex_quads():
    quads = np.array(
        [
            SQUARE,
            reversed_order(SQUARE),
            [0, 0, 12, 12, 12, 0, 0, 6],  # bow-tie
            [0, 0, 10, 0, 3, 3, 0, 10],  # concave (arrow head)
            [0, 0, 5, 0, 10, 0, 0, 10],  # three collinear vertices
            [0, 0, 0, 0, 10, 10, 0, 10],  # repeated vertex
        ],
        float)
    np.testing.assert_array_equal(
        strictly_convex_quads(quads), [True, True, False, False, False, False])

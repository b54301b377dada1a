"""Polygon-list geometry of the data pipeline, with known values."""
import numpy as np
import pytest

from textboxes_retina.structures import (clamp_polygons, crop_polygons, follow_vertex_order,
                                         largest_vertex_quad, overlaps_with_box, polygon_shape,
                                         polygons_to_bboxes, translate_polygons)


def quad(*values):
    return np.array(values, np.float32)


def test_polygon_shape_repairs_bow_tie_order():
    assert polygon_shape(quad(0, 0, 10, 0, 10, 10, 0, 10)).area == 100
    assert polygon_shape(quad(0, 0, 10, 10, 10, 0, 0, 10)).area == 100  # hull, not 0


def test_polygons_to_bboxes():
    np.testing.assert_array_equal(
        polygons_to_bboxes([quad(4, 2, 10, 3, 9, 8, 3, 7)]), [[3, 2, 10, 8]])
    assert polygons_to_bboxes([]).shape == (0, 4)


def test_overlaps_with_box():
    words = [
        quad(0, 0, 10, 0, 10, 10, 0, 10),
        quad(5, 0, 15, 0, 15, 10, 5, 10),
        quad(0, 0, 0, 0, 0, 0, 0, 0)
    ]
    np.testing.assert_allclose(overlaps_with_box(words, [0, 0, 10, 10]), [1, 0.5, 0])
    np.testing.assert_allclose(overlaps_with_box(words, [0, 0, 20, 10], mode='iou'), [0.5, 0.5, 0])
    with pytest.raises(ValueError, match="'coverage' or 'iou'"):
        overlaps_with_box(words, [0, 0, 1, 1], mode='dice')


def test_crop_polygons_known_cases():
    inside = quad(1, 1, 5, 1, 5, 4, 1, 4)
    straddling = quad(8, 2, 14, 2, 14, 6, 8, 6)  # a third inside
    outside = quad(20, 20, 25, 20, 25, 25, 20, 25)
    corner = quad(8, 8, 12, 8, 12, 12, 8, 12)  # a quarter inside: a 2x2 square
    clipped, kept = crop_polygons([inside, straddling, outside, corner], [0, 0, 10, 10])
    assert clipped[0] is inside or np.array_equal(clipped[0], inside)
    np.testing.assert_allclose(clipped[1], [8, 2, 10, 2, 10, 6, 8, 6])  # same start, same turn
    assert clipped[2] is None
    np.testing.assert_allclose(clipped[3], [8, 8, 10, 8, 10, 10, 8, 10])
    np.testing.assert_allclose(kept, [1, 1 / 3, 0, 0.25])


def test_crop_rotated_word_keeps_a_quad_inside_the_box():
    diamond = quad(5, -3, 13, 5, 5, 13, -3, 5)  # cut by all four sides: an octagon remains
    (clipped, ), kept = crop_polygons([diamond], [0, 0, 10, 10])
    assert clipped.shape == (8, )
    assert clipped.min() >= 0 and clipped.max() <= 10
    assert 0 < kept[0] < 1


def test_largest_vertex_quad_drops_the_smallest_corners():
    hexagon = np.array([[0, 0], [10, 0], [10.5, 1], [10, 5], [0, 5], [-0.5, 4]])
    np.testing.assert_array_equal(largest_vertex_quad(hexagon), [[0, 0], [10, 0], [10, 5], [0, 5]])


def test_follow_vertex_order():
    reference = quad(0, 0, 4, 0, 4, 2, 0, 2)
    reversed_rolled = quad(4, 2, 4, 0, 0, 0, 0, 2)
    np.testing.assert_array_equal(follow_vertex_order(reversed_rolled, reference), reference)


def test_clamp_and_translate():
    np.testing.assert_array_equal(
        clamp_polygons([quad(-1, 2, 11, -0.5, 5, 21, 3, 3)], 10, 20)[0], [0, 2, 10, 0, 5, 20, 3, 3])
    np.testing.assert_array_equal(translate_polygons([quad(1, 2, 3, 4)], 10, -1)[0], [11, 1, 13, 3])

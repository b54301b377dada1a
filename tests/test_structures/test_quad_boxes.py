"""QuadBoxes: mmdet's box type 'quad', its 'hbox' converters and geometry, against hand-derived
values, mmdet's HorizontalBoxes and shapely."""
import math

import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes, bbox_overlaps, convert_box_type, get_box_type
from mmdet.structures.mask import BitmapMasks, PolygonMasks
from shapely.geometry import Point, Polygon

from textboxes_retina.structures import QuadBoxes

SQUARE = [0., 0., 10., 0., 10., 10., 0., 10.]  # clockwise on screen, from the top left
DIAMOND = [5., 0., 10., 5., 5., 10., 0., 5.]
TRAPEZOID = [10., 20., 110., 20., 100., 50., 20., 50.]


def _quads(*rows):
    return QuadBoxes(torch.tensor(rows, dtype=torch.float64))


def _shapely(quad):
    return Polygon(np.asarray(quad, np.float64).reshape(4, 2))


def test_registered_as_quad_with_hbox_converters():
    assert get_box_type('quad') == ('quad', QuadBoxes)
    assert get_box_type(QuadBoxes) == ('quad', QuadBoxes)
    assert QuadBoxes.box_dim == 8
    quads = _quads(DIAMOND, TRAPEZOID)
    hboxes = quads.convert_to('hbox')
    assert isinstance(hboxes, HorizontalBoxes)
    assert hboxes.tensor.tolist() == [[0., 0., 10., 10.], [10., 20., 110., 50.]]
    back = hboxes.convert_to('quad')
    assert isinstance(back, QuadBoxes)
    assert back.tensor.tolist() == [SQUARE, [10., 20., 110., 20., 110., 50., 10., 50.]]
    # tensors and arrays convert by name, shapes (..., 8) <-> (..., 4)
    raw = torch.tensor([[DIAMOND, TRAPEZOID]])
    assert convert_box_type(raw, src_type='quad', dst_type='hbox').shape == (1, 2, 4)
    assert convert_box_type(
        np.zeros((3, 4), np.float32), src_type='hbox', dst_type='quad').shape == (3, 8)
    with pytest.raises(AssertionError):
        QuadBoxes(torch.zeros(2, 4))  # boxes are not quads
    assert QuadBoxes([]).shape == (0, 8)


def test_centers_areas_widths_heights():
    quads = _quads(SQUARE, DIAMOND, TRAPEZOID)
    assert quads.centers.tolist() == [[5., 5.], [5., 5.], [60., 35.]]
    expected = [_shapely(q).area for q in (SQUARE, DIAMOND, TRAPEZOID)]
    assert expected == [100., 50., 2700.]
    torch.testing.assert_close(quads.areas, torch.tensor(expected, dtype=torch.float64))
    assert quads.widths.tolist() == [10., 10., 100.]
    assert quads.heights.tolist() == [10., 10., 30.]
    # any leading shape
    assert QuadBoxes(torch.zeros(2, 3, 8)).areas.shape == (2, 3)


@pytest.mark.parametrize('direction,expected', [
    ('horizontal', [90., 20., -10., 20., 0., 50., 80., 50.]),
    ('vertical', [10., 60., 110., 60., 100., 30., 20., 30.]),
    ('diagonal', [90., 60., -10., 60., 0., 30., 80., 30.]),
])
def test_flip_keeps_the_vertex_correspondence(direction, expected):
    quads = _quads(TRAPEZOID)
    quads.flip_((80, 100), direction)  # (height, width)
    assert quads.tensor.tolist() == [expected]


def test_translate_rescale_resize():
    quads = _quads(TRAPEZOID)
    quads.translate_((1., -2.))
    assert quads.tensor.tolist() == [[11., 18., 111., 18., 101., 48., 21., 48.]]
    quads = _quads(TRAPEZOID)
    quads.rescale_((0.5, 2.))
    assert quads.tensor.tolist() == [[5., 40., 55., 40., 50., 100., 10., 100.]]
    quads = _quads(SQUARE)
    quads.resize_((2., 0.5))  # around the centre (5, 5)
    assert quads.tensor.tolist() == [[-5., 2.5, 15., 2.5, 15., 7.5, -5., 7.5]]


def test_clip_clamps_the_coordinates():
    quads = _quads([-5., -1., 120., 3., 130., 90., 4., 70.])
    quads.clip_((80, 100))
    assert quads.tensor.tolist() == [[0., 0., 100., 3., 100., 80., 4., 70.]]


def test_rotate_matches_mmdets_boxes_and_geometry():
    quads = _quads(SQUARE)
    quads.rotate_((5., 5.), 90.)  # clockwise on screen (y down): top left -> top right
    torch.testing.assert_close(
        quads.tensor, torch.tensor([[10., 0., 10., 10., 0., 10., 0., 0.]], dtype=torch.float64))
    # mmdet's HorizontalBoxes rotate the corners the same way (then take their bounding box)
    rectangle = [10., 20., 110., 20., 110., 50., 10., 50.]
    quads, boxes = _quads(rectangle), HorizontalBoxes(torch.tensor([[10., 20., 110., 50.]]))
    quads.rotate_((30., 40.), 30.)
    boxes.rotate_((30., 40.), 30.)
    torch.testing.assert_close(
        quads.convert_to('hbox').tensor.float(), boxes.tensor, atol=1e-4, rtol=0)
    # 45 degrees: the square becomes a diamond of the same area
    quads = _quads(SQUARE)
    quads.rotate_((5., 5.), 45.)
    half = 5 * math.sqrt(2)
    torch.testing.assert_close(
        quads.tensor,
        torch.tensor([[5., 5. - half, 5. + half, 5., 5., 5. + half, 5. - half, 5.]],
                     dtype=torch.float64))
    torch.testing.assert_close(quads.areas, torch.tensor([100.], dtype=torch.float64))


def test_project_applies_the_homography():
    quads = _quads(TRAPEZOID)
    quads.project_(np.array([[2., 0., 1.], [0., 1., -3.], [0., 0., 1.]]))
    assert quads.tensor.tolist() == [[21., 17., 221., 17., 201., 47., 41., 47.]]
    # a perspective division: w = 1 + x / 100
    quads = _quads(SQUARE)
    quads.project_(torch.tensor([[1., 0., 0.], [0., 1., 0.], [0.01, 0., 1.]]))
    torch.testing.assert_close(
        quads.tensor,
        torch.tensor([[0., 0., 10 / 1.1, 0., 10 / 1.1, 10 / 1.1, 0., 10.]], dtype=torch.float64))


def test_is_inside_as_the_bounding_boxes():
    quads = _quads(SQUARE, [90., 5., 105., 5., 105., 20., 90., 20.],
                   [110., 0., 120., 0., 120., 5., 110., 5.])
    hboxes = quads.convert_to('hbox')
    for kwargs in (dict(), dict(all_inside=True), dict(allowed_border=15)):
        assert quads.is_inside((50, 100), **kwargs).tolist() == hboxes.is_inside((50, 100),
                                                                                 **kwargs).tolist()
    assert quads.is_inside((50, 100)).tolist() == [True, True, False]
    assert quads.is_inside((50, 100), all_inside=True).tolist() == [True, False, False]


def test_find_inside_points_as_shapely():
    quads = _quads(DIAMOND, TRAPEZOID)
    flipped = _quads(DIAMOND, TRAPEZOID)
    flipped.flip_((100, 200))  # counter-clockwise vertex order
    gen = np.random.default_rng(0)
    points = np.concatenate([gen.uniform(-5, 120, (300, 2)), [[5., 5.], [5., 0.], [11., 5.]]])
    expected = np.array([[_shapely(q).contains(Point(p)) for q in (DIAMOND, TRAPEZOID)]
                         for p in points])
    assert expected.sum() > 50
    inside = quads.find_inside_points(torch.from_numpy(points))
    assert inside.tolist() == expected.tolist()
    mirrored = points * [-1, 1] + [200, 0]
    assert flipped.find_inside_points(torch.from_numpy(mirrored)).tolist() == expected.tolist()
    aligned = quads.find_inside_points(torch.tensor([[5., 5.], [5., 5.]]), is_aligned=True)
    assert aligned.tolist() == [True, False]


def test_overlaps_are_exact_polygon_overlaps():
    quads1 = _quads(DIAMOND, TRAPEZOID, SQUARE)
    quads2 = _quads(SQUARE, [5., 5., 15., 5., 15., 15., 5., 15.],
                    [50., 10., 90., 40., 60., 80., 20., 50.])
    inter = np.array([[_shapely(a).intersection(_shapely(b)).area for b in quads2.tensor]
                      for a in quads1.tensor])
    areas1 = np.array([_shapely(a).area for a in quads1.tensor])
    areas2 = np.array([_shapely(b).area for b in quads2.tensor])
    iou = inter / (areas1[:, None] + areas2[None] - inter)
    assert (iou > 0).sum() >= 4
    torch.testing.assert_close(QuadBoxes.overlaps(quads1, quads2), torch.from_numpy(iou))
    torch.testing.assert_close(
        QuadBoxes.overlaps(quads1, quads2, mode='iof'), torch.from_numpy(inter / areas1[:, None]))
    torch.testing.assert_close(
        QuadBoxes.overlaps(quads1, quads2, is_aligned=True),
        torch.from_numpy(iou.diagonal().copy()))
    torch.testing.assert_close(
        QuadBoxes.overlaps(quads1, quads2, 'iof', is_aligned=True),
        torch.from_numpy((inter / areas1[:, None]).diagonal().copy()))
    # boxes convert to quads: the same as mmdet's box IoU
    boxes1 = HorizontalBoxes(torch.tensor([[0., 0., 10., 10.], [2., 3., 12., 9.]]))
    boxes2 = HorizontalBoxes(torch.tensor([[5., 5., 15., 15.], [0., 0., 4., 4.]]))
    torch.testing.assert_close(
        QuadBoxes.overlaps(boxes1, boxes2), bbox_overlaps(boxes1.tensor, boxes2.tensor))
    assert QuadBoxes.overlaps(quads1, quads2[:0]).shape == (3, 0)


def test_from_instance_masks():
    polygons = PolygonMasks([[np.array(TRAPEZOID)],
                             [np.array([0., 0., 5., 0., 10., 0., 10., 4., 5., 4., 0., 4.])]], 100,
                            120)
    quads = QuadBoxes.from_instance_masks(polygons)
    assert isinstance(quads, QuadBoxes)
    torch.testing.assert_close(
        quads.tensor,
        torch.tensor([TRAPEZOID, [0., 0., 10., 0., 10., 4., 0., 4.]]),
        atol=1e-4,
        rtol=0)
    bitmaps = np.zeros((2, 20, 30), np.uint8)
    bitmaps[0, 2:6, 3:10] = 1  # rows 2..5, columns 3..9
    bitmaps[1, 7, 8] = 1
    quads = QuadBoxes.from_instance_masks(BitmapMasks(bitmaps, 20, 30))
    # pixels are unit squares: the same extent as mmdet's HorizontalBoxes
    hboxes = HorizontalBoxes.from_instance_masks(BitmapMasks(bitmaps, 20, 30))
    torch.testing.assert_close(quads.convert_to('hbox').tensor, hboxes.tensor)
    torch.testing.assert_close(
        quads.tensor,
        torch.tensor([[3., 2., 10., 2., 10., 6., 3., 6.], [8., 7., 9., 7., 9., 8., 8., 8.]]))
    assert QuadBoxes.from_instance_masks(PolygonMasks([], 10, 10)).shape == (0, 8)


def test_indexing_cat_and_instance_data():
    from mmengine.structures import InstanceData
    quads = _quads(SQUARE, DIAMOND, TRAPEZOID)
    assert isinstance(quads[1:], QuadBoxes) and quads[torch.tensor(
        [2, 0])].tensor.tolist() == [TRAPEZOID, SQUARE]
    assert QuadBoxes.cat([quads, quads[:1]]).shape == (4, 8)
    data = InstanceData(bboxes=quads, labels=torch.arange(3))
    kept = data[torch.tensor([True, False, True])]
    assert isinstance(kept.bboxes, QuadBoxes) and kept.bboxes.tensor.tolist() == [SQUARE, TRAPEZOID]

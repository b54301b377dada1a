"""Exact convex quad IoU and NMS against hand-computed areas and shapely."""
import numpy as np
import torch
from shapely.geometry import Polygon

from textboxes_retina.models.test_time_augs import convex_quad_overlaps
from textboxes_retina.models.test_time_augs import (convex_quad_ious, convex_quad_nms,
                                                    overlapping_pairs)
from textboxes_retina.structures import sanitize_quads

SQUARE = torch.tensor([[0., 0., 10., 0., 10., 10., 0., 10.]])
TRAPEZOID = torch.tensor([[0., 0., 100., 0., 90., 30., 10., 30.]])  # area 2700


def test_hand_computed_ious():
    quads = torch.cat([
        SQUARE + torch.tensor([5., 0.] * 4),  # half overlapping: 50 / 150
        torch.tensor([[5., 0., 10., 5., 5., 10., 0., 5.]]),  # inscribed diamond: 50 / 100
        torch.tensor([[3., 3., 5., 3., 5., 5., 3., 5.]]),  # inside: 4 / 100
        SQUARE + 20,  # disjoint
        SQUARE + torch.tensor([10., 0.] * 4),  # sharing an edge only
    ])
    torch.testing.assert_close(convex_quad_ious(SQUARE, quads),
                               torch.tensor([[1 / 3, 0.5, 0.04, 0., 0.]]))
    # a trapezoid and its copy 3 px lower: the intersection is the trapezoid above y = 3,
    # 2700 - 297 = 2403, the union 2997 (mmcv 2.0.1's box_iou_quadri misjudges such quads)
    lower = TRAPEZOID + torch.tensor([0., 3.] * 4)
    torch.testing.assert_close(convex_quad_ious(TRAPEZOID, lower, aligned=True),
                               torch.tensor([2403 / 2997]))


def test_vertex_order_and_degenerate_quads():
    lower = TRAPEZOID + torch.tensor([0., 3.] * 4)
    reversed_order = lower.view(4, 2).flip(0).reshape(1, 8)  # counter-clockwise
    rolled = lower.view(4, 2).roll(1, 0).reshape(1, 8)
    ious = convex_quad_ious(TRAPEZOID, torch.cat([lower, reversed_order, rolled]))
    torch.testing.assert_close(ious, torch.full((1, 3), 2403 / 2997))
    flat = torch.tensor([[0., 0., 5., 5., 10., 10., 2., 2.]])
    assert convex_quad_ious(flat, SQUARE).item() == convex_quad_ious(SQUARE, flat).item() == 0
    assert convex_quad_ious(torch.zeros(0, 8), SQUARE).shape == (0, 1)


def test_random_convex_quads_match_shapely(monkeypatch):
    gen = torch.Generator().manual_seed(0)
    points = torch.rand(80, 1, 2, generator=gen) * 40 + torch.rand(80, 4, 2, generator=gen) * 30
    quads, keep = sanitize_quads(points.reshape(-1, 8), 1.0)  # convex, canonical
    quads = quads[keep]
    polygons = [Polygon(q.reshape(4, 2)) for q in quads.double().numpy()]
    expected = np.array([[a.intersection(b).area / a.union(b).area for b in polygons]
                         for a in polygons])
    assert 0.2 < (expected > 0).mean() < 0.9  # overlapping and disjoint pairs
    np.testing.assert_allclose(convex_quad_ious(quads, quads).numpy(), expected, atol=1e-5)
    monkeypatch.setattr(convex_quad_overlaps, '_CHUNK', 7)  # chunked computation agrees
    np.testing.assert_allclose(convex_quad_ious(quads, quads).numpy(), expected, atol=1e-5)


def test_overlapping_pairs_are_bounding_box_overlaps():
    rows, cols = overlapping_pairs(SQUARE, torch.cat([SQUARE + 9, SQUARE + 11, SQUARE]))
    assert rows.tolist() == [0, 0] and cols.tolist() == [0, 2]


def test_nms_suppresses_shifted_trapezoids_per_label():
    shifted = TRAPEZOID + torch.tensor([1., 0.] * 4)  # IoU 0.97
    far = TRAPEZOID + 200
    quads = torch.cat([shifted, TRAPEZOID, far])
    scores = torch.tensor([0.5, 0.9, 0.7])
    assert convex_quad_nms(quads, scores, 0.5).tolist() == [1, 2]
    assert convex_quad_nms(quads, scores, 0.99).tolist() == [1, 2, 0]
    assert convex_quad_nms(quads, scores, 0.5, labels=torch.tensor([1, 0, 0])).tolist() == [1, 2, 0]
    assert convex_quad_nms(torch.zeros(0, 8), torch.zeros(0), 0.5).tolist() == []
    # a chain: a suppresses b, b would suppress c, but a removed b first so c stays
    a, b, c = (SQUARE + torch.tensor([dx, 0.] * 4) for dx in (0., 3., 6.))
    chain = convex_quad_nms(torch.cat([c, b, a]), torch.tensor([0.7, 0.8, 0.9]), 0.5)
    assert chain.tolist() == [2, 0]

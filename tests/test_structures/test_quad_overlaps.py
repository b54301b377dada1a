"""Exact convex quad IoU and bounding-box overlapping pairs, against hand-computed areas and
shapely."""
import numpy as np
import pytest
import torch
from shapely.geometry import Polygon

from textboxes_retina.structures import overlapping_pairs, quad_ious, sanitize_quads

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
    torch.testing.assert_close(quad_ious(SQUARE, quads), torch.tensor([[1 / 3, 0.5, 0.04, 0., 0.]]))
    # a trapezoid and its copy 3 px lower: the intersection is the trapezoid above y = 3,
    # 2700 - 297 = 2403, the union 2997 (mmcv 2.0.1's box_iou_quadri misjudges such quads)
    lower = TRAPEZOID + torch.tensor([0., 3.] * 4)
    torch.testing.assert_close(
        quad_ious(TRAPEZOID, lower, aligned=True), torch.tensor([2403 / 2997]))


def test_vertex_order_and_degenerate_quads():
    lower = TRAPEZOID + torch.tensor([0., 3.] * 4)
    reversed_order = lower.view(4, 2).flip(0).reshape(1, 8)  # counter-clockwise
    rolled = lower.view(4, 2).roll(1, 0).reshape(1, 8)
    ious = quad_ious(TRAPEZOID, torch.cat([lower, reversed_order, rolled]))
    torch.testing.assert_close(ious, torch.full((1, 3), 2403 / 2997))
    flat = torch.tensor([[0., 0., 5., 5., 10., 10., 2., 2.]])
    assert quad_ious(flat, SQUARE).item() == quad_ious(SQUARE, flat).item() == 0
    assert quad_ious(torch.zeros(0, 8), SQUARE).shape == (0, 1)


def test_random_convex_quads_match_shapely():
    gen = torch.Generator().manual_seed(0)
    points = torch.rand(80, 1, 2, generator=gen) * 40 + torch.rand(80, 4, 2, generator=gen) * 30
    quads, keep = sanitize_quads(points.reshape(-1, 8), 1.0)  # convex, canonical
    quads = quads[keep]
    polygons = [Polygon(q.reshape(4, 2)) for q in quads.double().numpy()]
    expected = np.array([[a.intersection(b).area / a.union(b).area for b in polygons]
                         for a in polygons])
    assert 0.2 < (expected > 0).mean() < 0.9  # overlapping and disjoint pairs
    np.testing.assert_allclose(quad_ious(quads, quads).numpy(), expected, atol=1e-5)
    # aligned pairs (the other code path) agree; so does the matrix in float64
    rows, cols = torch.meshgrid(torch.arange(len(quads)), torch.arange(len(quads)), indexing='ij')
    aligned = quad_ious(quads[rows.reshape(-1)], quads[cols.reshape(-1)], aligned=True)
    np.testing.assert_allclose(aligned.view(len(quads), -1).numpy(), expected, atol=1e-5)
    ious64 = quad_ious(quads.double(), quads.double())
    assert ious64.dtype == torch.float64
    np.testing.assert_allclose(ious64.numpy(), expected, atol=1e-9)


def test_overlapping_pairs_are_bounding_box_overlaps():
    rows, cols = overlapping_pairs(SQUARE, torch.cat([SQUARE + 9, SQUARE + 11, SQUARE]))
    assert rows.tolist() == [0, 0] and cols.tolist() == [0, 2]


def test_quad_ious_exact_for_general_quads():
    square = torch.tensor([[0., 0., 10., 0., 10., 10., 0., 10.]])
    shifted = torch.tensor([[5., 0., 15., 0., 15., 10., 5., 10.]])
    assert quad_ious(square, shifted).item() == pytest.approx(50 / 150)
    # A non-rectangular quad inside another: IoU = area(inner) / area(outer) = 0.2096340
    # (mmcv 2.0.1's box_iou_quadri returns 0.0760 here).
    outer = torch.tensor([[327.8, 0., 512., 17.253693, 512., 512., 311.5701, 512.]])
    inner = torch.tensor(
        [[434.95828, 180.07133, 500.67566, 125.78344, 494.8859, 494.4739, 430.53415, 435.56396]])
    assert quad_ious(outer, inner).item() == pytest.approx(0.2096340, abs=1e-5)
    assert quad_ious(inner,
                     outer.view(4, 2).flip(0).reshape(1, 8)).item() == pytest.approx(
                         0.2096340, abs=1e-5)
    assert quad_ious(square, square + 100).item() == 0
    assert quad_ious(square[:0], square).shape == (0, 1)


def test_min_iou_prefilter_and_dtype_policy():
    quads = torch.cat([SQUARE, SQUARE + torch.tensor([5., 0.] * 4), SQUARE + 20])
    ious = quad_ious(quads, quads)
    # pairs that cannot exceed min_iou by their boxes are left at 0; the others are exact
    pruned = quad_ious(quads, quads, min_iou=0.4)
    torch.testing.assert_close(pruned, torch.where(ious > 0.4, ious, torch.zeros_like(ious)))
    assert quad_ious(quads, quads, aligned=True).tolist() == [1, 1, 1]
    assert ious.dtype == quad_ious(quads.half(), quads.int()).dtype == torch.float32
    assert quad_ious(quads, quads.double()).dtype == torch.float64
    with pytest.raises(ValueError, match='same shape'):
        quad_ious(quads, quads[:2], aligned=True)

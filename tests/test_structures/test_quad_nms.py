"""Quad NMS and box voting: hand-worked cases, and voting groups that are the NMS's own."""
import math

import numpy as np
import pytest
import torch

from textboxes_retina.structures import (canonicalize_quads, quad_box_voting, quad_ious, quad_nms,
                                         quad_nms_groups)

SQUARE = torch.tensor([[0., 0., 10., 0., 10., 10., 0., 10.]])
TRAPEZOID = torch.tensor([[0., 0., 100., 0., 90., 30., 10., 30.]])  # area 2700
QUAD = torch.tensor([[10., 20., 50., 10., 55., 30., 15., 40.]])  # canonical, tilted


def _rotated_rect(cx, cy, w, h, degrees):
    """Corners TL, TR, BR, BL of a w x h rectangle rotated clockwise on screen."""
    t = math.radians(degrees)
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    rot = np.array([[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]])
    return (corners @ rot.T + [cx, cy]).astype(np.float32)  # (4, 2)


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


def test_nms_suppresses_shifted_trapezoids_per_label():
    shifted = TRAPEZOID + torch.tensor([1., 0.] * 4)  # IoU 0.97
    far = TRAPEZOID + 200
    quads = torch.cat([shifted, TRAPEZOID, far])
    scores = torch.tensor([0.5, 0.9, 0.7])
    assert quad_nms(quads, scores, 0.5).tolist() == [1, 2]
    assert quad_nms(quads, scores, 0.99).tolist() == [1, 2, 0]
    assert quad_nms(quads, scores, 0.5, labels=torch.tensor([1, 0, 0])).tolist() == [1, 2, 0]
    assert quad_nms(torch.zeros(0, 8), torch.zeros(0), 0.5).tolist() == []
    # a chain: a suppresses b, b would suppress c, but a removed b first so c stays
    a, b, c = (SQUARE + torch.tensor([dx, 0.] * 4) for dx in (0., 3., 6.))
    chain = quad_nms(torch.cat([c, b, a]), torch.tensor([0.7, 0.8, 0.9]), 0.5)
    assert chain.tolist() == [2, 0]


def test_voting_of_identical_quads_returns_that_quad():
    quads = QUAD.repeat(3, 1)
    voted, scores, keep = quad_box_voting(quads, torch.tensor([0.3, 0.9, 0.6]), 0.5)
    torch.testing.assert_close(voted, QUAD)
    assert scores.tolist() == [pytest.approx(0.9)] and keep.tolist() == [1]


def test_voting_averages_corners_by_score_within_groups():
    a = torch.tensor([0., 0., 40., 0., 40., 10., 0., 10.])
    b = a + torch.tensor([4., 0.] * 4)  # IoU 36/44 with a
    c = a + 100  # far away: its own group
    # b's vertices listed from another start: they are rolled onto a's before averaging
    b_rolled = b.view(4, 2).roll(1, 0).reshape(8)
    voted, scores, keep = quad_box_voting(
        torch.stack([b_rolled, a, c]), torch.tensor([0.25, 0.75, 0.5]), 0.5)
    torch.testing.assert_close(voted, torch.stack([a + torch.tensor([1., 0.] * 4), c]))
    assert keep.tolist() == [1, 2]
    torch.testing.assert_close(scores, torch.tensor([0.75, 0.5]))
    # groups never mix labels
    voted, _, keep = quad_box_voting(
        torch.stack([b, a]), torch.tensor([0.25, 0.75]), 0.5, labels=torch.tensor([1, 0]))
    torch.testing.assert_close(voted, torch.stack([a, b]))
    # nothing in, nothing out
    voted, scores, keep = quad_box_voting(torch.zeros(0, 8), torch.zeros(0), 0.5)
    assert voted.shape == (0, 8) and scores.shape == keep.shape == (0, )


def _margin_pair():
    """Two quads whose float32 IoU (what NMS compares) lies just below a float32 threshold that
    their float64 IoU (the old TTA voting's) exceeds: the margin where the two disagreed."""
    gen = torch.Generator().manual_seed(0)
    for _ in range(200):
        a = SQUARE + torch.rand(1, 8, generator=gen)
        b = a + torch.rand(1, 8, generator=gen) * 3
        iou32 = quad_ious(a, b)[0, 0]
        iou64 = quad_ious(a.double(), b.double())[0, 0]
        if iou64 > iou32.double():
            return torch.cat([a, b]), float(iou32)
    raise AssertionError('no margin pair found')


def test_voting_group_is_the_suppressor_at_the_margin():
    quads, threshold = _margin_pair()
    assert quad_ious(quads[:1].double(), quads[1:].double()).item() > threshold  # float64 joins
    scores = torch.tensor([0.9, 0.8])
    # NMS compares the float32 IoU: not above the threshold, so both quads lead a group ...
    assert quad_nms(quads, scores, threshold).tolist() == [0, 1]
    keep, groups = quad_nms_groups(quads, scores, threshold)
    assert keep.tolist() == [0, 1] and groups.tolist() == [0, 1]
    # ... and voting keeps each quad in its own group (no empty group, no NaN)
    voted, voted_scores, voted_keep = quad_box_voting(quads, scores, threshold)
    assert voted_keep.tolist() == [0, 1] and torch.isfinite(voted).all()
    torch.testing.assert_close(voted, canonicalize_quads(quads))
    # just below the float32 IoU the second quad joins the first's group
    below = float(np.nextafter(np.float32(threshold), np.float32(0)))
    keep, groups = quad_nms_groups(quads, scores, below)
    assert keep.tolist() == [0] and groups.tolist() == [0, 0]


@pytest.mark.parametrize('threshold', [0.1, 0.3, 0.5, 0.7])
@pytest.mark.parametrize('with_labels', [False, True])
def test_every_quad_joins_the_quad_that_suppressed_it(threshold, with_labels):
    gen = torch.Generator().manual_seed(1)
    centres = torch.rand(60, 1, 2, generator=gen) * 60
    corners = torch.tensor([[-8., -3.], [8., -3.], [8., 3.], [-8., 3.]])
    quads = (centres.repeat_interleave(5, 0) + corners +
             torch.rand(300, 4, 2, generator=gen) * 2).reshape(300, 8)
    scores = torch.rand(300, generator=gen)
    labels = torch.randint(0, 2, (300, ), generator=gen) if with_labels else None
    keep, groups = quad_nms_groups(
        quads, scores, threshold, labels, chunk_size=16, first_chunk_size=4)
    assert torch.equal(keep, quad_nms(quads, scores, threshold, labels))
    assert torch.equal(groups[keep], torch.arange(len(keep)))  # leaders lead their own group
    ious = quad_ious(quads, quads)
    if labels is not None:
        ious[labels[:, None] != labels[None]] = 0
    order = {int(k): rank for rank, k in enumerate(scores.argsort(descending=True, stable=True))}
    tol = 1e-5  # float32 IoUs of the same pair in either argument order
    for member in range(len(quads)):
        leader = int(keep[groups[member]])
        if leader == member:
            continue
        # suppressed by its leader: ranked before it, overlapping it above the threshold ...
        assert order[leader] < order[member]
        assert ious[leader, member] > threshold - tol
        # ... and by no better-ranked leader (that one would have suppressed it first)
        before = keep[:int(groups[member])]
        assert (ious[before, member] <= threshold + tol).all()
    voted, voted_scores, voted_keep = quad_box_voting(quads, scores, threshold, labels)
    assert torch.equal(voted_keep, keep) and torch.isfinite(voted).all()

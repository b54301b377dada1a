"""flip_quads, quad_short_sides and quad_box_voting against hand-computed values."""
import math

import pytest
import torch

from textboxes_retina.models.test_time_augs import flip_quads, quad_box_voting, quad_short_sides
from textboxes_retina.structures import canonicalize_quads

QUAD = torch.tensor([[10., 20., 50., 10., 55., 30., 15., 40.]])  # canonical, tilted
SHAPE = (60, 100)  # height, width


def test_horizontal_flip_gives_the_canonical_mirrored_quad():
    # mirrored points (90, 20), (50, 10), (45, 30), (85, 40); the vertex nearest the
    # bounding box's top-left (45, 10) is (50, 10), then clockwise
    torch.testing.assert_close(flip_quads(QUAD, SHAPE, 'horizontal'),
                               torch.tensor([[50., 10., 90., 20., 85., 40., 45., 30.]]))
    torch.testing.assert_close(flip_quads(QUAD, SHAPE, 'vertical'),
                               torch.tensor([[15., 20., 55., 30., 50., 50., 10., 40.]]))


@pytest.mark.parametrize('direction', ['horizontal', 'vertical', 'diagonal'])
def test_flipping_back_restores_the_vertex_order(direction):
    gen = torch.Generator().manual_seed(0)
    # rotated rectangles at many angles, canonical as the model predicts them
    angles = torch.linspace(0, math.pi, 37)[:, None]
    corners = torch.tensor([[-20., -6.], [20., -6.], [20., 6.], [-20., 6.]])
    rot = torch.stack([torch.cat([angles.cos(), -angles.sin()], 1),
                       torch.cat([angles.sin(), angles.cos()], 1)], 1)  # (37, 2, 2)
    centres = 30 + 40 * torch.rand(37, 1, 2, generator=gen)
    quads = canonicalize_quads((corners @ rot.transpose(1, 2) + centres).reshape(-1, 8))
    # what the model sees in the flipped image: the mirrored quads in canonical order
    seen = flip_quads(quads, SHAPE, direction)
    assert not torch.allclose(seen, quads)
    torch.testing.assert_close(flip_quads(seen, SHAPE, direction), quads)
    with pytest.raises(AssertionError):
        flip_quads(quads, SHAPE, 'sideways')


def test_short_side_is_the_word_height_at_any_angle():
    rect = torch.tensor([[0., 0., 40., 0., 40., 10., 0., 10.]])
    rotated = canonicalize_quads(torch.tensor([[0., 0., 30., 40., 22., 46., -8., 6.]]))
    torch.testing.assert_close(quad_short_sides(torch.cat([rect, rotated])),
                               torch.tensor([10., 10.]))


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
    voted, scores, keep = quad_box_voting(torch.stack([b_rolled, a, c]),
                                          torch.tensor([0.25, 0.75, 0.5]), 0.5)
    torch.testing.assert_close(voted, torch.stack([a + torch.tensor([1., 0.] * 4), c]))
    assert keep.tolist() == [1, 2]
    torch.testing.assert_close(scores, torch.tensor([0.75, 0.5]))
    # groups never mix labels
    voted, _, keep = quad_box_voting(torch.stack([b, a]), torch.tensor([0.25, 0.75]), 0.5,
                                     labels=torch.tensor([1, 0]))
    torch.testing.assert_close(voted, torch.stack([a, b]))
    # nothing in, nothing out
    voted, scores, keep = quad_box_voting(torch.zeros(0, 8), torch.zeros(0), 0.5)
    assert voted.shape == (0, 8) and scores.shape == keep.shape == (0, )

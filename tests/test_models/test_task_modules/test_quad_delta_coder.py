"""TextBoxes++ quad coder: hand-computed deltas, exact round trips, clamping, canonical order."""
import math

import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmocr.registry import TASK_UTILS

from textboxes_retina.models.task_modules import QuadDeltaCoder, delta2quad, quad2delta
from textboxes_retina.structures import QuadBoxes, canonicalize_quads

ANCHOR = torch.tensor([[0., 0., 10., 20.]])  # w = 10, h = 20
# canonical: (1, 2) is nearest the bounding-box corner (-1, 0), then clockwise
QUAD = torch.tensor([[1., 2., 12., 0., 11., 22., -1., 18.]])
OFFSETS = [0.1, 0.1, 0.2, 0.0, 0.1, 0.1, -0.1, -0.1]  # (q - anchor corner) / (w or h)
# bounding box (-1, 0, 12, 22) vs anchor centre (5, 10), size 10 x 20
BOX_DELTAS = [0.5 / 10, 1 / 20, math.log(13 / 10), math.log(22 / 20)]
STDS = [0.1, 0.1, 0.2, 0.2] + [0.1] * 8


def _random_case(n=200, seed=0):
    gen = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=gen) * 200
    wh = torch.rand(n, 2, generator=gen) * 60 + 4
    anchors = torch.cat([xy, xy + wh], 1)
    quads = anchors[:, [0, 1, 2, 1, 2, 3, 0, 3]] + torch.randn(n, 8, generator=gen) * 3
    return anchors, canonicalize_quads(quads)


def test_quad2delta_by_hand_12_and_8():
    deltas = quad2delta(ANCHOR, QUAD)
    torch.testing.assert_close(deltas, torch.tensor([BOX_DELTAS + OFFSETS]))
    torch.testing.assert_close(
        quad2delta(ANCHOR, QUAD, [0.] * 8, [1.] * 8, encode_size=8), torch.tensor([OFFSETS]))
    normalised = quad2delta(ANCHOR, QUAD, [0.] * 12, STDS)
    expected = [0.5, 0.5, math.log(1.3) / 0.2, math.log(1.1) / 0.2] + [10 * o for o in OFFSETS]
    torch.testing.assert_close(normalised, torch.tensor([expected]))
    means = [0.1] * 12
    torch.testing.assert_close(
        quad2delta(ANCHOR, QUAD, means, STDS),
        (torch.tensor([BOX_DELTAS + OFFSETS]) - 0.1) / torch.tensor(STDS))


def test_delta2quad_by_hand():
    torch.testing.assert_close(delta2quad(ANCHOR, torch.tensor([BOX_DELTAS + OFFSETS])), QUAD)
    torch.testing.assert_close(
        delta2quad(ANCHOR, torch.tensor([OFFSETS]), [0.] * 8, [1.] * 8), QUAD)
    # zero deltas decode to the anchor's corners TL, TR, BR, BL
    torch.testing.assert_close(
        delta2quad(ANCHOR, torch.zeros(1, 12)), torch.tensor([[0., 0., 10., 0., 10., 20., 0.,
                                                               20.]]))


@pytest.mark.parametrize('encode_size', [12, 8])
def test_exact_round_trips(encode_size):
    anchors, quads = _random_case()
    coder = QuadDeltaCoder(
        encode_size=encode_size, target_stds=STDS[-encode_size:], target_means=[0.05] * encode_size)
    deltas = coder.encode(anchors, quads)
    assert deltas.shape == (200, encode_size)
    torch.testing.assert_close(coder.decode(anchors, deltas), quads, atol=1e-4, rtol=0)
    # and the corner part back again: decode then encode returns the same corner deltas
    torch.testing.assert_close(
        coder.encode(anchors, coder.decode(anchors, deltas)), deltas, atol=1e-4, rtol=0)


def test_encode_puts_ground_truth_in_canonical_order_first():
    coder = QuadDeltaCoder()
    shuffled = QUAD[:, [4, 5, 0, 1, 6, 7, 2, 3]]  # BR, TL, BL, TR
    torch.testing.assert_close(coder.encode(ANCHOR, shuffled), coder.encode(ANCHOR, QUAD))
    # typed quads are the same as their tensor
    torch.testing.assert_close(
        coder.encode(ANCHOR, QuadBoxes(shuffled)), coder.encode(ANCHOR, QUAD))
    # typed boxes are taken as their four corners
    box = HorizontalBoxes(torch.tensor([[1., 2., 9., 18.]]))
    torch.testing.assert_close(
        coder.encode(ANCHOR, box),
        coder.encode(ANCHOR, torch.tensor([[1., 2., 9., 2., 9., 18., 1., 18.]])))
    # an untyped tensor must hold quads: no guessing boxes from the width
    with pytest.raises(AssertionError):
        coder.encode(ANCHOR, box.tensor)


def test_decode_returns_quad_boxes_with_use_box_type():
    deltas = QuadDeltaCoder().encode(ANCHOR, QUAD)
    typed = QuadDeltaCoder(use_box_type=True).decode(ANCHOR, deltas)
    assert isinstance(typed, QuadBoxes)
    assert torch.equal(typed.tensor, QuadDeltaCoder().decode(ANCHOR, deltas))


def test_decode_ignores_box_deltas_and_clamps_when_asked():
    coder = QuadDeltaCoder()
    deltas = torch.tensor([BOX_DELTAS + OFFSETS])
    other_box = deltas.clone()
    other_box[:, :4] = 3.
    torch.testing.assert_close(coder.decode(ANCHOR, other_box), QUAD)
    torch.testing.assert_close(
        coder.decode(ANCHOR, deltas, max_shape=(21, 11)),
        torch.tensor([[1., 2., 11., 0., 11., 21., 0., 18.]]))
    no_clip = QuadDeltaCoder(clip_border=False)
    torch.testing.assert_close(no_clip.decode(ANCHOR, deltas, max_shape=(21, 11)), QUAD)


def test_registered_and_validated():
    coder = TASK_UTILS.build(dict(type='QuadDeltaCoder', encode_size=8))
    assert isinstance(coder, QuadDeltaCoder) and coder.encode_size == 8
    with pytest.raises(AssertionError):
        QuadDeltaCoder(encode_size=4)
    with pytest.raises(AssertionError):
        QuadDeltaCoder(encode_size=8, target_stds=[1.] * 12)
    with pytest.raises(AssertionError):
        QuadDeltaCoder(encode_size=12).decode(ANCHOR, torch.zeros(1, 8))
    assert quad2delta(ANCHOR[:0], QUAD[:0]).shape == (0, 12)

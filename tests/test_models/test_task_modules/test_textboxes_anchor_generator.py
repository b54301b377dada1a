"""TextBoxes++ anchors: sizes, aspect ratios, vertical offsets, grid layout, valid flags."""
import math

import pytest
import torch
from mmocr.registry import TASK_UTILS

from textboxes_retina.models.task_modules import TextBoxesAnchorGenerator


def _wh(anchors):
    return anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]


def test_defaults_give_14_anchors_per_location_on_six_levels():
    gen = TASK_UTILS.build(dict(type='TextBoxesAnchorGenerator'))
    assert isinstance(gen, TextBoxesAnchorGenerator)
    assert gen.num_levels == 6
    assert [s[0] for s in gen.strides] == [4, 8, 16, 32, 64, 128]
    assert gen.base_sizes == [16, 32, 64, 128, 256, 512]
    assert gen.num_base_priors == [14] * 6


def test_base_anchors_of_the_first_level_by_hand():
    gen = TextBoxesAnchorGenerator()
    base = gen.base_anchors[0]  # stride 4, base size 16
    # ratio 1: 16 x 16 around the cell centre (2, 2), then around (2, 4)
    torch.testing.assert_close(base[0], torch.tensor([-6., -6., 10., 10.]))
    torch.testing.assert_close(base[7], torch.tensor([-6., -4., 10., 12.]))
    # ratio w/h = 2: 16*sqrt(2) x 16/sqrt(2) = 22.627 x 11.314
    r2 = 8 * math.sqrt(2)
    torch.testing.assert_close(base[1], torch.tensor([2 - r2, 2 - r2 / 2, 2 + r2, 2 + r2 / 2]))
    # ratio 1/5: 7.155 wide, 35.777 high
    w, h = 16 / math.sqrt(5), 16 * math.sqrt(5)
    torch.testing.assert_close(base[6], torch.tensor([2 - w / 2, 2 - h / 2, 2 + w / 2, 2 + h / 2]))
    widths, heights = _wh(base)
    ratios = torch.tensor([1, 2, 3, 5, 1 / 2, 1 / 3, 1 / 5]).repeat(2)
    torch.testing.assert_close(widths / heights, ratios)
    torch.testing.assert_close(widths * heights, torch.full((14, ), 256.))
    # the second half is the first moved down by half a stride (2 px), nothing else
    torch.testing.assert_close(base[7:] - base[:7], torch.tensor([[0., 2., 0., 2.]]).expand(7, 4))


def test_centres_of_grid_anchors_including_vertical_offsets():
    gen = TextBoxesAnchorGenerator()
    sizes = [(2, 3), (1, 2), (1, 1), (1, 1), (1, 1), (1, 1)]
    anchors = gen.grid_priors(sizes, device='cpu')
    assert [len(a) for a in anchors] == [2 * 3 * 14, 2 * 14, 14, 14, 14, 14]
    centres_x = (anchors[0][:, 0] + anchors[0][:, 2]) / 2
    centres_y = (anchors[0][:, 1] + anchors[0][:, 3]) / 2
    # cell (row 1, col 2) of the stride-4 level: index (1 * 3 + 2) * 14 + a
    first = (1 * 3 + 2) * 14
    torch.testing.assert_close(centres_x[first:first + 14], torch.full((14, ), 10.))
    torch.testing.assert_close(centres_y[first:first + 14], torch.tensor([6.] * 7 + [8.] * 7))
    # stride 8 level, cell (0, 1): centre (12, 4) and shifted (12, 8)
    cx = (anchors[1][14:28, 0] + anchors[1][14:28, 2]) / 2
    cy = (anchors[1][14:28, 1] + anchors[1][14:28, 3]) / 2
    torch.testing.assert_close(cx, torch.full((14, ), 12.))
    torch.testing.assert_close(cy, torch.tensor([4.] * 7 + [8.] * 7))
    # the largest level: 512-px anchors around (64, 64) and (64, 128)
    widths, heights = _wh(anchors[5])
    torch.testing.assert_close(widths * heights, torch.full((14, ), 512. * 512.))
    torch.testing.assert_close((anchors[5][:, 1] + anchors[5][:, 3]) / 2,
                               torch.tensor([64.] * 7 + [128.] * 7))


def test_multi_level_counts_and_valid_flags_come_from_mmdet():
    gen = TextBoxesAnchorGenerator()
    sizes = [(16, 16), (8, 8), (4, 4), (2, 2), (1, 1), (1, 1)]  # a 64 x 64 input
    anchors = gen.grid_priors(sizes, device='cpu')
    assert [len(a) for a in anchors] == [14 * n for n in (256, 64, 16, 4, 1, 1)]
    # an image padded to 64 x 64 but only 40 x 64 of it real: rows below 40 are invalid
    flags = gen.valid_flags(sizes, (40, 64), device='cpu')
    level0 = flags[0].view(16, 16, 14)
    assert level0[:10].all() and not level0[10:].any()
    assert flags[5].all()


def test_c3_start_config_and_options():
    gen = TextBoxesAnchorGenerator(strides=[8, 16, 32, 64, 128], base_sizes=[32, 64, 128, 256, 512])
    assert gen.num_levels == 5 and gen.num_base_priors == [14] * 5
    torch.testing.assert_close(gen.base_anchors[0][0], torch.tensor([-12., -12., 20., 20.]))
    plain = TextBoxesAnchorGenerator(aspect_ratios=[1, 4], scales=[1, 2], vertical_offset=False)
    assert plain.num_base_priors == [4] * 6
    widths, heights = _wh(plain.base_anchors[0])
    torch.testing.assert_close(widths, torch.tensor([16., 32., 32., 64.]))
    torch.testing.assert_close(heights, torch.tensor([16., 32., 8., 16.]))
    assert 'aspect_ratios=(1.0, 4.0)' in repr(plain)


def test_mismatched_levels_are_rejected():
    with pytest.raises(AssertionError):
        TextBoxesAnchorGenerator(strides=[8, 16], base_sizes=[32])


def test_grid_priors_are_cached_per_size_and_equal_mmdets():
    from mmdet.models.task_modules.prior_generators import AnchorGenerator
    generator = TextBoxesAnchorGenerator(strides=(8, 16), base_sizes=(32, 64), cache_size=3)
    first = generator.grid_priors([(4, 5), (2, 3)], device='cpu')
    again = generator.grid_priors([(4, 5), (2, 3)], device='cpu')
    assert all(a is b for a, b in zip(first, again))  # built once
    for level, (size, anchors) in enumerate(zip([(4, 5), (2, 3)], first)):
        uncached = AnchorGenerator.single_level_grid_priors(generator, size, level, device='cpu')
        assert torch.equal(anchors, uncached)
    # another size and dtype are other entries; the least recently used one is evicted
    generator.grid_priors([(6, 6), (3, 3)], device='cpu')
    assert len(generator._grid_cache) == 3
    assert generator.grid_priors([(4, 5), (2, 3)], device='cpu')[0] is not first[0]
    half = generator.single_level_grid_priors((4, 5), 0, dtype=torch.float64, device='cpu')
    assert half.dtype == torch.float64 and torch.equal(half.float(), first[0])
    uncached = TextBoxesAnchorGenerator(strides=(8, ), base_sizes=(32, ), cache_size=0)
    assert (uncached.grid_priors([(4, 5)], device='cpu')[0]
            is not uncached.grid_priors([(4, 5)], device='cpu')[0])
    assert len(uncached._grid_cache) == 0

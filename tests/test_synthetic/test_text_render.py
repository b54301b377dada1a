"""textboxes_retina.synthetic: fonts found, determinism, ground truth = the drawn glyphs' extent."""
import string

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textboxes_retina.synthetic import (BACKGROUNDS, draw_distractor, find_font_families,
                                        make_background, render_block, render_image, select_fonts)
from textboxes_retina.synthetic.text_render import block_homography, warp_block


@pytest.fixture(scope='module')
def families():
    return find_font_families()


@pytest.mark.timeout(60)
def test_fonts_found_in_packages_and_draw_every_character(families):
    # matplotlib (an mmocr dependency) ships DejaVu; requirements/demo.txt adds font-* packages
    assert {
        'DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Lato', 'Caladea', 'Source Sans Pro',
        'Source Serif Pro'
    } <= set(families)
    assert len(families) >= 12 and list(families) == sorted(families)
    # oracle: PIL draws each character of every font with some ink, and distinct letters differ
    for files in families.values():
        font = ImageFont.truetype(files[0], 24)
        glyphs = {}
        for char in string.ascii_letters + string.digits:
            img = Image.new('L', (40, 40))
            ImageDraw.Draw(img).text((8, 4), char, font=font, fill=255)
            ink = np.asarray(img)
            assert ink.max() > 128, (files[0], char)
            glyphs[char] = ink.tobytes()
        assert len(set(glyphs.values())) >= 55, files[0]  # not one box for every character


@pytest.mark.timeout(60)
def test_select_fonts_holds_out_a_family(families):
    held_out = select_fonts(families, include=['Lato'])
    others = select_fonts(families, exclude=['Lato'])
    assert held_out and set(held_out) == set(families['Lato'])
    assert not set(held_out) & set(others)
    assert set(held_out) | set(others) == {f for files in families.values() for f in files}
    with pytest.raises(KeyError, match='not found'):
        select_fonts(families, include=['No Such Family'])


@pytest.mark.timeout(60)
def test_block_ink_boxes_match_each_word_drawn_alone(families):
    """The word boxes of a line are the ink extents of the words drawn on their own by PIL."""
    path = families['DejaVu Serif'][0]
    rng = np.random.default_rng(0)
    words = ['Hello', 'gypsy', '$12.50', 'WiFi']
    alpha, boxes = render_block(rng, path, 23, [words[:2], words[2:]])
    font = ImageFont.truetype(path, 23)
    assert [text for _, text in boxes] == words
    for box, text in boxes:
        img = Image.new('L', (400, 100))
        ImageDraw.Draw(img).text((50, 30), text, font=font, fill=255)
        ys, xs = np.nonzero(np.asarray(img) > 96)
        width, height = xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()
        x0, y0 = box[0]
        x1, y1 = box[2]
        assert (x1 - x0, y1 - y0) == (width, height), text
        # the box holds that word's ink and nothing is left outside the boxes of the block
        assert alpha[int(y0):int(y1), int(x0):int(x1)].max() > 0.9
    covered = np.zeros(alpha.shape, bool)
    for box, _ in boxes:
        covered[int(box[0, 1]):int(box[2, 1]), int(box[0, 0]):int(box[2, 0])] = True
    assert not (alpha[~covered] > 96 / 255).any()
    # the descender of 'gypsy' reaches lower than the baseline-sitting 'Hello'
    assert boxes[1][0][2, 1] > boxes[0][0][2, 1]


@pytest.mark.timeout(60)
@pytest.mark.parametrize('seed', range(6))
def test_warped_quads_enclose_the_warped_glyphs_tightly(families, seed):
    rng = np.random.default_rng(seed)
    path = families['Source Sans Pro'][seed % len(families['Source Sans Pro'])]
    alpha, words = render_block(rng, path, int(rng.integers(14, 40)), [['Market', 'Street']])
    matrix = block_homography(rng, alpha.shape, max_angle=30, max_perspective=0.12)
    matrix = np.array([[1, 0, 150], [0, 1, 120], [0, 0, 1]]) @ matrix
    warped, quads = warp_block(alpha, words, matrix, (400, 500))
    for quad in quads:
        # the warped ink within the word's neighbourhood (the two words are well apart)
        region = np.zeros(warped.shape, np.uint8)
        cv2.fillPoly(region, [np.round(quad).astype(np.int32)], 1)
        near = cv2.dilate(region, np.ones((7, 7), np.uint8)).astype(bool)
        inside = cv2.dilate(region, np.ones((3, 3), np.uint8)).astype(bool)
        ink = (warped > 0.5) & near
        assert ink.sum() > 20
        assert not (ink & ~inside).any()  # no glyph pixel beyond 1 px outside its quad
        ys, xs = np.nonzero(ink)
        points = np.stack([xs, ys], axis=1).astype(np.float64)
        # signed distance of the ink pixels to each side's line (> 0 inside, clockwise quad):
        # the quad is tight, every side within 1.5 px of some glyph pixel
        for i in range(4):
            edge = quad[(i + 1) % 4] - quad[i]
            offset = points - quad[i]
            distance = (edge[0] * offset[:, 1] - edge[1] * offset[:, 0]) / np.hypot(*edge)
            assert -1.0 < distance.min() < 1.5, (i, distance.min())


@pytest.mark.timeout(60)
def test_render_image_deterministic_and_seed_dependent(families):
    fonts = select_fonts(families)
    styles = list(BACKGROUNDS)
    first = render_image(np.random.default_rng([3, 7]), (200, 320), fonts, styles)
    again = render_image(np.random.default_rng([3, 7]), (200, 320), fonts, styles)
    other = render_image(np.random.default_rng([4, 7]), (200, 320), fonts, styles)
    assert np.array_equal(first[0], again[0])
    assert [(q.tolist(), t) for q, t, _ in first[1]] == [(q.tolist(), t) for q, t, _ in again[1]]
    assert not np.array_equal(first[0], other[0])


@pytest.mark.timeout(120)
def test_images_have_words_in_bounds_clockwise_and_many_small(families):
    fonts = select_fonts(families)
    heights, counts = [], []
    for seed in range(30):
        img, words = render_image(np.random.default_rng(seed), (320, 512), fonts, list(BACKGROUNDS))
        assert img.dtype == np.uint8 and 320 <= min(img.shape[:2])
        counts.append(sum(not dc for _, _, dc in words))
        for quad, text, dont_care in words:
            assert quad.shape == (4, 2)
            size = np.array([img.shape[1], img.shape[0]])
            assert quad.min() >= -1 and np.all(quad.max(axis=0) <= size + 1)
            x, y = quad[:, 0], quad[:, 1]
            assert np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y) > 0  # clockwise
            assert (text == '###') == dont_care
            if not dont_care:
                heights.append(np.linalg.norm(quad[3] - quad[0]))
    heights = np.array(heights)
    assert sum(counts) > 60
    assert np.mean((heights >= 7) & (heights <= 20)) > 0.3  # many small words, IC15-like


@pytest.mark.timeout(60)
@pytest.mark.parametrize('style', sorted(BACKGROUNDS))
def test_backgrounds_and_distractors(style):
    rng = np.random.default_rng(1)
    img = make_background(rng, style, 120, 200)
    assert img.shape == (120, 200, 3) and img.dtype == np.float32
    assert 0 <= img.min() and img.max() <= 255 and img.std() > 1
    assert np.array_equal(img, make_background(np.random.default_rng(1), style, 120, 200))
    before = img.copy()
    for _ in range(5):
        draw_distractor(rng, img)
    assert not np.array_equal(before, img)
    with pytest.raises(KeyError, match='unknown background style'):
        make_background(rng, 'nope', 10, 10)

"""textboxes_retina.synthetic: fonts found, determinism, ground truth = the drawn glyphs' extent."""
import os.path as osp
import string

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from textboxes_retina.synthetic import (BACKGROUNDS, draw_distractor, find_font_families,
                                        make_background, render_block, render_image, select_fonts)
from textboxes_retina.synthetic.text_render import (block_homography, stroke_half_width,
                                                    thinned_word_ink, warp_block)


@pytest.fixture(scope='module')
def families():
    return find_font_families()


@pytest.mark.timeout(60)
def test_fonts_found_in_packages_and_draw_every_character(families):
    # matplotlib (an mmocr dependency) ships DejaVu; requirements/demo.txt adds font-* packages
    assert {
        'DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'Lato', 'Caladea', 'Source Sans Pro',
        'Source Serif Pro', 'Roboto', 'Amatic SC'
    } <= set(families)
    assert len(families) >= 18 and list(families) == sorted(families)
    # Roboto brings a hairline weight (100) that no other training family has
    assert any(path.endswith('Roboto-Thin.ttf') for path in families['Roboto'])
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
def test_each_face_is_one_file(families):
    """A face that a package ships as .otf and .ttf is drawn from one file, as often as the
    other faces: the full names (the fonts' own name table, ID 4) in a family are distinct."""
    from fontTools.ttLib import TTFont
    source_sans = osp.dirname(families['Source Sans Pro'][0])
    assert osp.isfile(osp.join(source_sans, 'SourceSansPro-Regular.otf'))  # both formats shipped
    assert osp.isfile(osp.join(source_sans, 'SourceSansPro-Regular.ttf'))
    for name, files in families.items():
        full_names = [TTFont(path, lazy=True)['name'].getDebugName(4) for path in files]
        assert len(set(full_names)) == len(files), (name, sorted(full_names))
    assert len(families['Source Sans Pro']) == 12  # 6 weights, upright and italic


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
def test_stroke_half_width_of_drawn_bars():
    # hand-derived: a bar of width w and length L has area w*L and an outline of about 2*L px
    for width in (4, 10, 17):
        bar = np.zeros((60, 260), np.uint8)
        bar[20:20 + width, 30:230] = 255
        assert stroke_half_width(bar) == pytest.approx(width / 2, rel=0.1)
    assert stroke_half_width(np.zeros((8, 8), np.uint8)) == 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize('size', [9, 16, 31])
def test_thinned_ink_is_a_lighter_weight_of_the_word(families, size):
    """The thinned word has the bitmap and offset of the word drawn by PIL, its ink inside
    the PIL word's extent, strokes thinner and less ink; keeping all the width draws the PIL
    word (up to the hinting of the small size)."""
    path = families['DejaVu Sans'][0]
    font = ImageFont.truetype(path, size)
    left, top, right, bottom = font.getbbox('Hamburg')
    # oracle: PIL's own drawing of the word at its size
    pil = Image.new('L', (right - left + 4, bottom - top + 4), 0)
    ImageDraw.Draw(pil).text((2 - left, 2 - top), 'Hamburg', font=font, fill=255)
    pil = np.asarray(pil)
    whole, offset = thinned_word_ink('Hamburg', path, size, 1.0)
    thin, thin_offset = thinned_word_ink('Hamburg', path, size, 0.3)
    assert whole.shape == thin.shape == pil.shape
    assert offset == thin_offset == (left - 2, top - 2)
    ys, xs = np.nonzero(pil > 96)
    extent = np.zeros(pil.shape, bool)
    extent[max(ys.min() - 1, 0):ys.max() + 2, max(xs.min() - 1, 0):xs.max() + 2] = True
    for ink in (whole, thin):
        assert (ink > 96).any() and not (ink[~extent] > 96).any()
    assert abs(whole.astype(float).sum() / pil.astype(float).sum() - 1) < 0.15
    assert thin.astype(float).sum() < 0.8 * whole.astype(float).sum()
    # no glyph vanishes: each connected piece of PIL's ink keeps ink of the thinned word
    count, labels = cv2.connectedComponents((pil > 96).astype(np.uint8))
    assert count - 1 >= 6  # H, a, m, b, u, r, g (some may touch)
    for label in range(1, count):
        piece = cv2.dilate((labels == label).astype(np.uint8), np.ones((3, 3), np.uint8))
        assert thin[piece.astype(bool)].max() > 96, label


@pytest.mark.timeout(60)
def test_thin_block_boxes_are_the_thinned_ink_extents(families):
    path = families['Source Serif Pro'][0]
    words = ['Coffee', 'Hello']
    alpha, boxes = render_block(np.random.default_rng(0), path, 20, [words], stroke_keep=0.4)
    _, normal = render_block(np.random.default_rng(0), path, 20, [words])
    for (box, text), (normal_box, _) in zip(boxes, normal):
        ink, _ = thinned_word_ink(text, path, 20, 0.4)
        ys, xs = np.nonzero(ink > 96)
        x0, y0 = box[0]
        x1, y1 = box[2]
        assert (x1 - x0, y1 - y0) == (xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min())
        # thinning takes ink off the edges: the box is inside the font's own one (1 px hinting)
        assert (box[0] >= normal_box[0] - 1).all() and (box[2] <= normal_box[2] + 1).all()
    covered = np.zeros(alpha.shape, bool)
    for box, _ in boxes:
        covered[int(box[0, 1]):int(box[2, 1]), int(box[0, 0]):int(box[2, 0])] = True
    assert not (alpha[~covered] > 96 / 255).any()


@pytest.mark.timeout(60)
@pytest.mark.parametrize('stroke_keep', [None, 0.5])
def test_letter_spaced_words_widen_by_the_added_space(families, stroke_keep):
    """Spacing 0.3 em at 20 px adds 6 px after each letter but the last: 'WELCOME' (7 letters)
    is 36 px wider, as high, and the next word starts 6 * 6 + 2 * 6 px further right."""
    path = families['DejaVu Sans'][0]
    words = [['WELCOME', 'to']]
    plain_alpha, plain = render_block(
        np.random.default_rng(1), path, 20, words, stroke_keep=stroke_keep)
    alpha, spaced = render_block(
        np.random.default_rng(1), path, 20, words, stroke_keep=stroke_keep, letter_spacing=0.3)
    assert [text for _, text in spaced] == ['WELCOME', 'to']
    (box, _), (next_box, _) = spaced
    (plain_box, _), (plain_next, _) = plain
    assert (box[2] - box[0])[0] == pytest.approx((plain_box[2] - plain_box[0])[0] + 36, abs=2)
    assert (box[2] - box[0])[1] == pytest.approx((plain_box[2] - plain_box[0])[1], abs=1)
    shift = (next_box[0, 0] - box[0, 0]) - (plain_next[0, 0] - plain_box[0, 0])
    assert shift == pytest.approx(36 + 12, abs=2)
    # the letters are apart: the ink of 'WELCOME' has gaps of about 6 px between letters
    row = (alpha[int(box[0, 1]):int(box[2, 1]), int(box[0, 0]):int(box[2, 0])] > 0.4).any(0)
    plain_row = (plain_alpha[int(plain_box[0, 1]):int(plain_box[2, 1]),
                             int(plain_box[0, 0]):int(plain_box[2, 0])] > 0.4).any(0)
    assert (~row).sum() >= (~plain_row).sum() + 30
    covered = np.zeros(alpha.shape, bool)
    for quad, _ in spaced:
        covered[int(quad[0, 1]):int(quad[2, 1]), int(quad[0, 0]):int(quad[2, 0])] = True
    assert not (alpha[~covered] > 96 / 255).any()


@pytest.mark.timeout(60)
@pytest.mark.parametrize('seed', range(6))
def test_warped_quads_enclose_the_warped_glyphs_tightly(families, seed):
    rng = np.random.default_rng(seed)
    # the Black, Black Italic and Bold faces (strokes that stay above 0.5 once warped)
    path = families['Source Sans Pro'][seed // 2]
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
    # thin strokes: deterministic too, and (drawing at random) other images than without
    thin = render_image(np.random.default_rng([3, 7]), (200, 320), fonts, styles, thin_strokes=1)
    thin_again = render_image(
        np.random.default_rng([3, 7]), (200, 320), fonts, styles, thin_strokes=1)
    assert np.array_equal(thin[0], thin_again[0])
    assert not np.array_equal(thin[0], first[0])
    spaced = render_image(np.random.default_rng([3, 7]), (200, 320), fonts, styles, letter_spaced=1)
    assert np.array_equal(
        spaced[0],
        render_image(np.random.default_rng([3, 7]), (200, 320), fonts, styles, letter_spaced=1)[0])
    assert not np.array_equal(spaced[0], first[0])
    unchanged = render_image(
        np.random.default_rng([3, 7]), (200, 320), fonts, styles, thin_strokes=0, letter_spaced=0)
    assert np.array_equal(unchanged[0], first[0])


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

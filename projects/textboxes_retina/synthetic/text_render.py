# Copyright (c) textboxes_retina authors.
"""Scene-text-like images drawn with real fonts, with word quads that match the drawn glyphs.

One image: a background of one style (:mod:`.backgrounds`), a few text-like distractors, then
text blocks (a word, a line of words or a small paragraph) drawn with PIL in a font of the
allowed families at a realistic size (many words 8-20 px high), warped by a rotation and a
perspective, with an optional outline or shadow, composited, then occlusion, blur, noise and
(when written) JPEG compression. Each word's ground truth is the tight box of its drawn pixels
in the block, mapped through the block's homography. Words under 7 px high, faint or mostly
occluded are marked don't care (``###``).
"""
import string
from functools import lru_cache
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from .backgrounds import draw_distractor, make_background

VOCABULARY = ('OPEN', 'SALE', 'EXIT', 'STOP', 'CAFE', 'HOTEL', 'PARKING', 'TAXI', 'BANK', 'Street',
              'Market', 'Coffee', 'Station', 'Welcome', 'Books', 'Pizza', 'Music', 'Garden',
              'Store', 'Center', 'Hello', 'Fresh', 'Daily', 'Sport', 'Travel', 'the', 'and', 'for',
              'New', 'City', 'Road', 'Shop', 'FOOD', 'Bar', 'Hair', 'Salon', 'Tel', 'Floor',
              'Level', 'PUSH', 'PULL', 'Office', 'Sale', 'Only', 'Today', 'Free', 'WiFi', 'Toilet',
              'Lift', 'Fashion', 'Beauty', 'Mall', 'Gate', 'No', 'Entry')

#: (quad (4, 2) float32 clockwise from the word's top-left, transcription, don't care)
Word = Tuple[np.ndarray, str, bool]


def random_word(rng: np.random.Generator) -> str:
    """A vocabulary word (any case), a random letter string, a number or a price/code."""
    kind = rng.integers(6)
    if kind <= 1:
        word = str(rng.choice(VOCABULARY))
        case = rng.integers(4)
        return word.upper() if case == 0 else word.lower() if case == 1 else word
    if kind == 2:
        letters = string.ascii_lowercase if rng.random() < 0.5 else string.ascii_uppercase
        word = ''.join(rng.choice(list(letters), size=int(rng.integers(2, 10))))
        return word.capitalize() if rng.random() < 0.3 else word
    if kind == 3:
        return str(int(rng.integers(0, 100000)))
    if kind == 4:
        return f'${rng.integers(1, 999)}.{rng.integers(0, 100):02d}' if rng.random() < 0.5 \
            else f'{rng.integers(1, 99)}-{rng.integers(100, 9999)}'
    return str(rng.choice(VOCABULARY)) + str(rng.choice(list('.,:!?')))


@lru_cache(maxsize=512)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _draw_word(draw: ImageDraw.ImageDraw, xy: Tuple[float, float], word: str,
               font: ImageFont.FreeTypeFont, tracking: float) -> None:
    """Draw ``word`` white with its pen at ``xy``, ``tracking`` px added after each letter."""
    if not tracking:
        draw.text(xy, word, font=font, fill=255)
        return
    for i, char in enumerate(word):
        draw.text((xy[0] + font.getlength(word[:i]) + i * tracking, xy[1]),
                  char,
                  font=font,
                  fill=255)


def _spacing_advance(word: str, tracking: float) -> float:
    """What ``tracking`` px after each letter but the last adds to the pen's advance."""
    return tracking * max(len(word) - 1, 0)


def word_length(word: str, font: ImageFont.FreeTypeFont, tracking: float = 0.0) -> float:
    """The pen's advance over ``word`` with ``tracking`` px after each letter but the last."""
    return font.getlength(word) + _spacing_advance(word, tracking)


def _word_canvas(word: str, font: ImageFont.FreeTypeFont,
                 tracking: float) -> Tuple[Tuple[int, int], Tuple[int, int]]:
    """The ``(width, height)`` of the bitmap of :func:`_word_ink` and its offset from the pen."""
    left, top, right, bottom = font.getbbox(word)
    extra = int(np.ceil(_spacing_advance(word, tracking)))
    return (right - left + 4 + extra, bottom - top + 4), (left - 2, top - 2)


def _word_ink(word: str,
              font: ImageFont.FreeTypeFont,
              tracking: float = 0.0) -> Tuple[np.ndarray, Tuple[int, int]]:
    """The word drawn white on black (letter-spaced by ``tracking`` px) and the offset of that
    bitmap from the pen position."""
    size, offset = _word_canvas(word, font, tracking)
    canvas = Image.new('L', size, 0)
    _draw_word(ImageDraw.Draw(canvas), (-offset[0], -offset[1]), word, font, tracking)
    return np.asarray(canvas), offset


def stroke_half_width(ink: np.ndarray) -> float:
    """Half the mean stroke width of a white-on-black bitmap, in px: the ink's area over its
    outline's length (a stroke of width w and length L has area wL and outline about 2L)."""
    mask = (ink > 127).astype(np.uint8)
    outline = mask - cv2.erode(mask, np.ones((3, 3), np.uint8))
    return float(mask.sum()) / max(float(outline.sum()), 1.0)


def thinned_word_ink(word: str,
                     font_path: str,
                     size: int,
                     keep: float,
                     tracking: float = 0.0) -> Tuple[np.ndarray, Tuple[int, int]]:
    """:func:`_word_ink` with strokes ``keep`` (0-1) times their width: a lighter weight of the
    font.

    The word is drawn at ``s`` times the size (``s * size`` >= 64 px, ``s`` <= 8), eroded by
    ``(1 - keep)`` of its strokes' half width (:func:`stroke_half_width`), then reduced by
    ``s`` (area averaging): the bitmap and its offset are those of the word at ``size``, and
    every stroke keeps at least one px of the large drawing's width on each side, so no glyph
    vanishes.
    """
    (width, height), offset = _word_canvas(word, _font(font_path, size), tracking)
    scale = int(min(8, max(2, -(-64 // size))))
    big_font = _font(font_path, size * scale)
    canvas = Image.new('L', (width * scale, height * scale), 0)
    # the large word's pen at the small one's, scaled: the same offset convention
    _draw_word(
        ImageDraw.Draw(canvas), (-offset[0] * scale, -offset[1] * scale), word, big_font,
        tracking * scale)
    big = np.asarray(canvas)
    half_width = stroke_half_width(big)
    radius = min(int(round((1 - keep) * half_width)), max(0, int(half_width) - 1))
    if radius > 0:
        big = cv2.erode(
            big, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1)))
    small = cv2.resize(big, (width, height), interpolation=cv2.INTER_AREA)
    return small, offset


def render_block(rng: np.random.Generator,
                 font_path: str,
                 size: int,
                 lines: Sequence[Sequence[str]],
                 stroke_keep: Optional[float] = None,
                 letter_spacing: float = 0.0) -> Tuple[np.ndarray, List[Tuple[np.ndarray, str]]]:
    """Draw lines of words in one font; return the alpha mask and each word's ink box.

    Args:
        rng (np.random.Generator): For spacing.
        font_path (str): Font file.
        size (int): Font size in px (the em; capitals are about 0.7 of it).
        lines (Sequence[Sequence[str]]): Words of each line.
        stroke_keep (float, optional): Draw the strokes this fraction (0-1) of their width
            (:func:`thinned_word_ink`). Defaults to None: the font's own weight.
        letter_spacing (float): Space added after each letter, in em (signs' letter-spaced
            capitals); the spaces between words grow by twice that. Defaults to 0.

    Returns:
        tuple: ``(alpha, words)``: the float32 ``(h, w)`` alpha in [0, 1], and per word its
        ``(4, 2)`` ink box (pixel edges, clockwise from the top-left) and text.
    """
    font = _font(font_path, size)
    tracking = letter_spacing * size
    space = font.getlength(' ') * rng.uniform(0.9, 1.8) + 2 * tracking
    line_step = size * rng.uniform(1.1, 1.6)
    inks, pos = [], []
    for row, line in enumerate(lines):
        x = 0.0
        for word in line:
            ink, (dx, dy) = _word_ink(word, font, tracking) if stroke_keep is None else \
                thinned_word_ink(word, font_path, size, stroke_keep, tracking)
            inks.append((ink, word))
            pos.append((int(round(x)) + dx, int(round(row * line_step)) + dy))
            x += word_length(word, font, tracking) + space
    pos = np.array(pos)
    pos -= pos.min(axis=0) - 2
    height = max(p[1] + ink.shape[0] for p, (ink, _) in zip(pos, inks)) + 2
    width = max(p[0] + ink.shape[1] for p, (ink, _) in zip(pos, inks)) + 2
    alpha = np.zeros((height, width), np.uint8)
    words = []
    for (x, y), (ink, word) in zip(pos, inks):
        region = alpha[y:y + ink.shape[0], x:x + ink.shape[1]]
        np.maximum(region, ink, out=region)
        ys, xs = np.nonzero(ink > 96)
        if len(xs) == 0:
            continue
        x0, y0 = x + xs.min(), y + ys.min()
        x1, y1 = x + xs.max() + 1, y + ys.max() + 1
        words.append((np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32), word))
    return alpha.astype(np.float32) / 255, words


def random_lines(rng: np.random.Generator) -> List[List[str]]:
    """A word (50 %), a line of 2-5 words (30 %) or a paragraph of 2-4 short lines (20 %)."""
    layout = rng.random()
    if layout < 0.5:
        return [[random_word(rng)]]
    if layout < 0.8:
        return [[random_word(rng) for _ in range(int(rng.integers(2, 6)))]]
    return [[random_word(rng) for _ in range(int(rng.integers(1, 5)))]
            for _ in range(int(rng.integers(2, 5)))]


def random_font_size(rng: np.random.Generator, max_size: int) -> int:
    """Log-uniform between 10 and ``max_size`` px, half the words under 26 px (IC15-like)."""
    if rng.random() < 0.5:
        return int(rng.integers(10, 26))
    return int(np.exp(rng.uniform(np.log(26), np.log(max(27, max_size)))))


def block_homography(rng: np.random.Generator, shape: Tuple[int, int], max_angle: float,
                     max_perspective: float) -> np.ndarray:
    """A random rotation + perspective of a ``(h, w)`` block around its centre (3 x 3)."""
    h, w = shape
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    angle = rng.uniform(-max_angle, max_angle) if rng.random() < 0.6 else rng.normal(0, 2)
    angle = np.deg2rad(angle)
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = (src - src.mean(axis=0)) @ rot.T
    dst += rng.uniform(-max_perspective, max_perspective, size=(4, 2)) * min(h, w)
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def _warp_points(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2).astype(np.float64),
                                    matrix).reshape(-1, 2)


def warp_block(alpha: np.ndarray, words: Sequence[Tuple[np.ndarray, str]], matrix: np.ndarray,
               shape: Tuple[int, int]) -> Tuple[np.ndarray, List[np.ndarray]]:
    """Warp a block's alpha into the image and its words' ink boxes into quads.

    Pixel ``(i, j)`` of the block covers ``[j - 0.5, j + 0.5] x [i - 0.5, i + 0.5]`` in OpenCV's
    warp (pixel centres at integers), so an ink box ``[x0, x1) x [y0, y1)`` of pixel indices is
    the region from ``(x0 - 0.5, y0 - 0.5)`` to ``(x1 - 0.5, y1 - 0.5)``.

    Args:
        alpha (np.ndarray): float32 ``(h, w)`` block alpha.
        words (Sequence[tuple]): Each word's ``(4, 2)`` ink box (pixel indices, clockwise from
            the top-left) and text, from :func:`render_block`.
        matrix (np.ndarray): ``3 x 3`` homography from block to image coordinates.
        shape (tuple[int, int]): Image ``(height, width)``.

    Returns:
        tuple: The float32 ``(height, width)`` alpha in the image and a float32 ``(4, 2)`` quad
        per word, clockwise from the word's top-left.
    """
    warped = cv2.warpPerspective(alpha, matrix, (shape[1], shape[0]), flags=cv2.INTER_LINEAR)
    quads = [_warp_points(box - 0.5, matrix).astype(np.float32) for box, _ in words]
    return warped, quads


def _text_colour(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    """A colour with contrast against ``background`` (mean BGR), usually strong."""
    for _ in range(20):
        colour = rng.uniform(0, 255, size=3)
        if rng.random() < 0.5:  # black/white-ish
            colour = np.full(
                3,
                rng.uniform(0, 60)
                if background.mean() > 127 else rng.uniform(195, 255)) + rng.normal(
                    0, 8, size=3)
        if abs(colour.mean() - background.mean()) > rng.uniform(50, 110):
            return np.clip(colour, 0, 255)
    return np.full(3, 0.0 if background.mean() > 127 else 255.0)


def render_image(rng: np.random.Generator,
                 size_range: Tuple[int, int],
                 font_files: Sequence[str],
                 background_styles: Sequence[str],
                 max_blocks: int = 5,
                 thin_strokes: float = 0.0,
                 letter_spaced: float = 0.0) -> Tuple[np.ndarray, List[Word]]:
    """Render one image and its words.

    Args:
        rng (np.random.Generator): The image's random generator (the only source of randomness).
        size_range (tuple[int, int]): Range of the image height and width (drawn separately).
        font_files (Sequence[str]): Fonts to draw with (e.g. the files of some families of
            :func:`~.fonts.find_font_families`).
        background_styles (Sequence[str]): Styles to draw the background from.
        max_blocks (int): At most this many text blocks. Defaults to 5.
        thin_strokes (float): The probability that a block is drawn in a lighter weight than
            its font's, its strokes 0.2-0.6 of their width (:func:`thinned_word_ink`): the
            thin and light weights that the installed fonts hardly have. Defaults to 0 (the
            random draws, hence the images, are then those of before the option).
        letter_spaced (float): The probability that a block's letters are spaced out by
            0.05-0.35 em (``render_block``'s ``letter_spacing``): words whose letter gaps are
            wide, as on signs and in thin fonts. Defaults to 0 (as ``thin_strokes``).

    Returns:
        tuple[np.ndarray, list[Word]]: A uint8 BGR image and its words.
    """
    height, width = (int(rng.integers(size_range[0], size_range[1] + 1)) for _ in range(2))
    img = make_background(rng, str(rng.choice(list(background_styles))), height, width)
    for _ in range(int(rng.integers(0, 5))):
        draw_distractor(rng, img)
    placed = np.zeros((height, width), np.uint8)
    words: List[Word] = []
    for _ in range(int(rng.integers(1, max_blocks + 1))):
        font_path = str(rng.choice(list(font_files)))
        lines = random_lines(rng)
        size = random_font_size(rng, max_size=min(height, width) // (2 + len(lines)))
        stroke_keep = None
        if thin_strokes > 0 and rng.random() < thin_strokes:
            stroke_keep = float(rng.uniform(0.2, 0.6))
        letter_spacing = 0.0
        if letter_spaced > 0 and rng.random() < letter_spaced:
            letter_spacing = float(rng.uniform(0.05, 0.35))
        alpha, block_words = render_block(rng, font_path, size, lines, stroke_keep, letter_spacing)
        if not block_words:
            continue
        matrix = block_homography(rng, alpha.shape, max_angle=30, max_perspective=0.12)
        corners = _warp_points(
            np.array([[0, 0], [alpha.shape[1], 0], [alpha.shape[1], alpha.shape[0]],
                      [0, alpha.shape[0]]], np.float32), matrix)
        # scale down blocks that do not fit, then find a free place
        span = corners.max(axis=0) - corners.min(axis=0)
        fit = min(1.0, 0.95 * width / span[0], 0.95 * height / span[1])
        if fit < 1.0:
            matrix = np.diag([fit, fit, 1.0]) @ matrix
            corners = corners * fit
        quad_region = None
        for _attempt in range(8):
            low = -corners.min(axis=0)
            high = np.array([width, height]) - corners.max(axis=0)
            if np.any(high < low):
                break
            shift = rng.uniform(low, high)
            region = np.zeros_like(placed)
            cv2.fillPoly(region, [np.round(corners + shift).astype(np.int32)], 1)
            if not (region & placed).any():
                quad_region = shift, region
                break
        if quad_region is None:
            continue
        shift, region = quad_region
        placed |= region
        # composite in the block's bounding rectangle (with room for an outline or a shadow)
        pad = 2 + size // 4
        x0, y0 = np.maximum(np.floor((corners + shift).min(axis=0)).astype(int) - pad, 0)
        x1, y1 = np.minimum(
            np.ceil((corners + shift).max(axis=0)).astype(int) + pad, [width, height])
        matrix = np.array([[1, 0, shift[0] - x0], [0, 1, shift[1] - y0], [0, 0, 1]]) @ matrix
        warped, quads = warp_block(alpha, block_words, matrix, (y1 - y0, x1 - x0))
        quads = [quad + np.array([x0, y0], np.float32) for quad in quads]
        roi = img[y0:y1, x0:x1]
        background = roi[region[y0:y1, x0:x1].astype(bool)].mean(axis=0)
        colour = _text_colour(rng, background)
        effect = rng.random()
        if effect < 0.15:  # outline in a contrasting colour
            radius = max(1, int(round(size / rng.uniform(10, 20))))
            outline = cv2.dilate(warped, np.ones((2 * radius + 1, 2 * radius + 1), np.uint8))
            edge = 255.0 - colour if rng.random() < 0.7 else _text_colour(rng, colour)
            roi = roi * (1 - outline[..., None]) + edge * outline[..., None]
        elif effect < 0.3:  # soft drop shadow
            off = rng.uniform(0.05, 0.12, size=2) * size
            shadow = cv2.warpAffine(warped, np.float32([[1, 0, off[0]], [0, 1, off[1]]]),
                                    (x1 - x0, y1 - y0))
            shadow = cv2.GaussianBlur(shadow, (0, 0), max(0.5, size / 20)) * rng.uniform(0.4, 0.9)
            roi = roi * (1 - shadow[..., None])
        img[y0:y1, x0:x1] = roi * (1 - warped[..., None]) + colour * warped[..., None]
        contrast = abs(float(np.mean(colour)) - float(np.mean(background)))
        for quad, (_, text) in zip(quads, block_words):
            letter_h = min(np.linalg.norm(quad[3] - quad[0]), np.linalg.norm(quad[2] - quad[1]))
            dont_care = letter_h < 7 or contrast < 25
            words.append((quad, '###' if dont_care else text, dont_care))
    img = _occlude(rng, img, words)
    img = np.clip(_degrade(rng, img), 0, 255).astype(np.uint8)
    return img, _mark_illegible(img, words)


def _mark_illegible(img: np.ndarray, words: List[Word], min_spread: float = 32) -> List[Word]:
    """Mark don't care the words whose pixels barely differ: the spread (95th - 5th percentile)
    of the grey values inside the quad under ``min_spread`` (faint, blurred or hidden)."""
    grey = img.mean(axis=2)
    out = []
    for quad, text, dont_care in words:
        if not dont_care:
            x0, y0 = np.maximum(np.floor(quad.min(axis=0)).astype(int), 0)
            x1, y1 = np.ceil(quad.max(axis=0)).astype(int) + 1
            mask = np.zeros((max(y1 - y0, 1), max(x1 - x0, 1)), np.uint8)
            cv2.fillPoly(mask, [np.round(quad - [x0, y0]).astype(np.int32)], 1)
            inside = grey[y0:y1,
                          x0:x1][mask[:grey[y0:y1,
                                            x0:x1].shape[0], :grey[y0:y1,
                                                                   x0:x1].shape[1]].astype(bool)]
            if inside.size == 0 or np.percentile(inside, 95) - np.percentile(inside, 5) \
                    < min_spread:
                text, dont_care = '###', True
        out.append((quad, text, dont_care))
    return out


def _occlude(rng: np.random.Generator, img: np.ndarray, words: List[Word]) -> np.ndarray:
    """Draw a pole or a blob over some words; a word covered over 40 % becomes don't care."""
    height, width = img.shape[:2]
    for _ in range(int(rng.integers(0, 3)) if rng.random() < 0.4 else 0):
        mask = np.zeros((height, width), np.uint8)
        if rng.random() < 0.5:
            x = int(rng.integers(width))
            cv2.line(mask, (x, 0), (x + int(rng.integers(-40, 41)), height), 1,
                     int(rng.integers(3, 16)))
        else:
            cv2.circle(mask, (int(rng.integers(width)), int(rng.integers(height))),
                       int(rng.integers(5, 30)), 1, -1)
        colour = rng.uniform(0, 255, size=3)
        img = np.where(mask[..., None].astype(bool), colour, img)
        for i, (quad, text, dont_care) in enumerate(words):
            word_mask = np.zeros_like(mask)
            cv2.fillPoly(word_mask, [np.round(quad).astype(np.int32)], 1)
            area = word_mask.sum()
            if not dont_care and area and (word_mask & mask).sum() > 0.4 * area:
                words[i] = (quad, '###', True)
    return img


def _degrade(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    """Lighting, blur (focus or motion), resolution loss and sensor noise."""
    height, width = img.shape[:2]
    if rng.random() < 0.5:  # uneven lighting
        light = 1 + np.tanh(
            cv2.resize(
                rng.normal(0, 0.3, size=(3, 3)).astype(np.float32), (width, height),
                interpolation=cv2.INTER_CUBIC))
        img = img * light[..., None] * 0.8
    blur = rng.random()
    if blur < 0.3:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.4))
    elif blur < 0.4:
        length = int(rng.integers(3, 8))
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2] = 1 / length
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), rng.uniform(0, 180), 1)
        img = cv2.filter2D(img, -1, cv2.warpAffine(kernel, rot, (length, length)))
    if rng.random() < 0.2:  # resolution loss
        factor = rng.uniform(0.5, 0.8)
        small = cv2.resize(
            img, (max(1, int(width * factor)), max(1, int(height * factor))),
            interpolation=cv2.INTER_AREA)
        img = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        img = img + rng.normal(0, rng.uniform(1, 8), size=img.shape).astype(np.float32)
    return img


def select_fonts(families: dict,
                 include: Optional[Sequence[str]] = None,
                 exclude: Sequence[str] = ()) -> List[str]:
    """Font files of ``include`` families (all when None) less the ``exclude`` ones.

    Raises:
        KeyError: A named family is not among ``families``.
    """
    for name in list(include or ()) + list(exclude):
        if name not in families:
            raise KeyError(f'font family {name!r} not found; installed: {sorted(families)}')
    names = [n for n in (include or families) if n not in exclude]
    files = [f for n in names for f in families[n]]
    if not files:
        raise ValueError('no fonts left to draw with')
    return files

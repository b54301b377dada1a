"""Generate a synthetic scene-text dataset in the ICDAR 2015 format.

Two styles:

- ``typeset`` (default): words, lines and small paragraphs drawn with real TrueType/OpenType
  fonts that installed packages ship (matplotlib's DejaVu, STIX and Computer Modern, plus the
  ``font-*`` packages of ``requirements/demo.txt``), at realistic sizes (half of them 10-25 px),
  rotated and in perspective, with outlines, shadows, occlusion, blur, noise and JPEG
  artefacts, on gradients, noise, shapes, photographs and textures shipped by scikit-image, and
  procedural tiles, among text-like distractors (stripes, grids, barcodes, repeated marks).
  The logic is :mod:`textboxes_retina.synthetic`.
- ``hershey``: the original toy words in OpenCV's Hershey stroke fonts on procedural
  backgrounds.

For an out-of-distribution test, ``--holdout-family`` and ``--holdout-background`` name a font
family and a background style that only the ``--holdout-splits`` use (and all other splits
never use). A few tiny, faint or occluded words are marked ``###`` (don't care). The output is
deterministic from ``--seed``: image ``i`` of a split depends only on ``(seed, split, i)`` and
the options, not on how many images are asked for. Layout::

    <out-dir>/<split>/imgs/img_1.jpg ...
    <out-dir>/<split>/gts/gt_img_1.txt ...   UTF-8 with BOM, CRLF,
                                             x1,y1,x2,y2,x3,y3,x4,y4,transcription
                                             (clockwise from the word's top-left)

which ``ICDAR2015Dataset(data_root='<out-dir>/<split>', img_dir='imgs', ann_dir='gts')`` reads.

Example::

    python tools/make_synthetic_dataset.py --out-dir data/synthetic_text \\
        --split train val test_ood --num-images 600 60 60 --seed 0 \\
        --holdout-family Lato --holdout-background tiles --holdout-splits test_ood
"""
import argparse
import functools
import os.path as osp
import string
from typing import List, Tuple

import cv2
import numpy as np

from textboxes_retina.synthetic import BACKGROUNDS, find_font_families, select_fonts
from textboxes_retina.synthetic import render_image as render_typeset_image
from textboxes_retina.synthetic.icdar_writer import format_gt, image_rng  # noqa: F401
from textboxes_retina.synthetic.icdar_writer import write_split as _write_split

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN)
VOCABULARY = ('OPEN', 'SALE', 'EXIT', 'STOP', 'CAFE', 'HOTEL', 'PARKING', 'TAXI', 'BANK',
              'Street', 'Market', 'Coffee', 'Station', 'Welcome', 'Books', 'Pizza', 'Music',
              'Garden', 'Store', 'Center', 'Hello', 'Fresh', 'Daily', 'Sport', 'Travel')

# (quad (4, 2) float32 clockwise from the word's top-left, transcription, don't care)
Word = Tuple[np.ndarray, str, bool]


def random_text(rng: np.random.Generator) -> str:
    """A vocabulary word, a random letter string, a number or a word with a comma."""
    kind = rng.integers(4)
    if kind == 0:
        return str(rng.choice(VOCABULARY))
    if kind == 1:
        letters = string.ascii_letters if rng.random() < 0.5 else string.ascii_uppercase
        return ''.join(rng.choice(list(letters), size=int(rng.integers(3, 9))))
    if kind == 2:
        return str(int(rng.integers(10, 100000)))
    return str(rng.choice(VOCABULARY)) + ','


def make_background(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A float32 BGR background: a linear or radial gradient, noise, and random shapes."""
    colours = rng.uniform(0, 255, size=(2, 3))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * np.pi)
        t = xs * np.cos(angle) + ys * np.sin(angle)
    else:
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        t = np.hypot(xs - cx, ys - cy)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    img = colours[0] * (1 - t[..., None]) + colours[1] * t[..., None]
    noise = rng.normal(0, rng.uniform(2, 15), size=(height // 4 + 1, width // 4 + 1, 3))
    img += cv2.resize(noise, (width, height), interpolation=cv2.INTER_LINEAR)
    for _ in range(int(rng.integers(0, 6))):
        colour = tuple(float(c) for c in rng.uniform(0, 255, size=3))
        x, y = int(rng.integers(width)), int(rng.integers(height))
        size = int(rng.integers(10, max(11, min(height, width) // 3)))
        shape = rng.integers(3)
        if shape == 0:
            cv2.rectangle(img, (x, y), (x + size, y + size // 2), colour, -1)
        elif shape == 1:
            cv2.circle(img, (x, y), size // 2, colour, -1)
        else:
            x2, y2 = int(rng.integers(width)), int(rng.integers(height))
            cv2.line(img, (x, y), (x2, y2), colour, int(rng.integers(1, 4)))
    return np.clip(img, 0, 255).astype(np.float32)


def render_word_mask(text: str, font: int, height: int,
                     thickness: int) -> Tuple[np.ndarray, np.ndarray]:
    """Draw ``text`` white on black with its letters about ``height`` px tall.

    Returns:
        tuple[np.ndarray, np.ndarray]: The uint8 mask and the ``(4, 2)`` tight box of the drawn
        pixels, clockwise from the top-left.
    """
    (unit_w, unit_h), _ = cv2.getTextSize(text, font, 1.0, thickness)
    scale = height / max(unit_h, 1)
    (text_w, text_h), baseline = cv2.getTextSize(text, font, scale, thickness)
    pad = thickness + 4
    mask = np.zeros((text_h + baseline + 2 * pad, text_w + 2 * pad), np.uint8)
    cv2.putText(mask, text, (pad, pad + text_h), font, scale, 255, thickness, cv2.LINE_AA)
    ys, xs = np.nonzero(mask > 64)
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    box = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)
    return mask, box


def place_word(rng: np.random.Generator, box: np.ndarray, width: int, height: int,
               max_angle: float, max_perspective: float) -> np.ndarray:
    """Random rotation, perspective and position of ``box``; returns the destination quad."""
    centre = box.mean(axis=0)
    angle = np.deg2rad(rng.uniform(-max_angle, max_angle))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    quad = (box - centre) @ rotation.T
    size = np.ptp(box, axis=0)
    quad += rng.uniform(-max_perspective, max_perspective, size=(4, 2)) * size.min()
    low, high = -quad.min(axis=0) + 2, np.array([width, height]) - quad.max(axis=0) - 2
    if np.any(high <= low):
        return None
    return (quad + rng.uniform(low, high)).astype(np.float32)


def find_place(rng: np.random.Generator, placed: np.ndarray, text: str, font: int,
               letter_h: int, thickness: int, min_height: int):
    """Render a word and find it a free place, with smaller letters when it does not fit.

    Returns:
        tuple: ``(quad, mask, box, region)``; ``quad`` is None when no place was found.
    """
    height, width = placed.shape
    while letter_h >= min_height:
        mask, box = render_word_mask(text, font, letter_h, thickness)
        for _attempt in range(10):
            quad = place_word(rng, box, width, height, max_angle=20, max_perspective=0.15)
            if quad is None:  # too big for the image
                break
            region = np.zeros_like(placed)
            cv2.fillPoly(region, [np.round(quad).astype(np.int32)], 1)
            if not (cv2.dilate(region, np.ones((7, 7), np.uint8)) & placed).any():
                return quad, mask, box, region
        letter_h = int(letter_h * 0.8)
    return None, None, None, None


def render_image(rng: np.random.Generator, size_range: Tuple[int, int],
                 max_words: int = 5) -> Tuple[np.ndarray, List[Word]]:
    """Render one image and its words.

    Args:
        rng (np.random.Generator): The image's random generator.
        size_range (tuple[int, int]): Range of the image height and width (drawn separately).
        max_words (int): At most this many words. Defaults to 5.

    Returns:
        tuple[np.ndarray, list[Word]]: A uint8 BGR image and its words.
    """
    height, width = (int(rng.integers(size_range[0], size_range[1] + 1)) for _ in range(2))
    img = make_background(rng, height, width)
    placed, words = np.zeros((height, width), np.uint8), []
    for index in range(int(rng.integers(1, max_words + 1))):
        dont_care = index > 0 and rng.random() < 0.15  # the first word is always a cared one
        text = random_text(rng)
        font = int(rng.choice(FONTS))
        letter_h = int(rng.integers(6, 11)) if dont_care else int(rng.integers(16, 61))
        thickness = max(1, int(round(letter_h / rng.uniform(8, 14))))
        quad, mask, box, region = find_place(rng, placed, text, font, letter_h, thickness,
                                             min_height=6 if dont_care else 16)
        if quad is None:
            continue
        placed |= region
        warp = cv2.getPerspectiveTransform(box, quad)
        alpha = cv2.warpPerspective(mask, warp, (width, height)).astype(np.float32) / 255
        blur = rng.uniform(0, 1.2)
        if blur > 0.3:
            alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
        inside = region.astype(bool)
        background = img[inside].mean(axis=0)
        if dont_care and rng.random() < 0.5:  # faint: little contrast
            colour = background + rng.uniform(-30, 30, size=3)
        elif background.mean() > 127:
            colour = rng.uniform(0, 70, size=3)
        else:
            colour = rng.uniform(185, 255, size=3)
        img = img * (1 - alpha[..., None]) + np.clip(colour, 0, 255) * alpha[..., None]
        words.append((quad, '###' if dont_care else text, dont_care))
    if rng.random() < 0.2:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(0.5, 1.0))
    return np.clip(img, 0, 255).astype(np.uint8), words


def typeset_renderer(holdout: bool, holdout_family=None, holdout_background=None):
    """The ``typeset`` renderer of a split: only the held-out family and background when
    ``holdout``, else every installed family and style less the held-out ones."""
    families = find_font_families()
    if holdout:
        if not (holdout_family and holdout_background):
            raise SystemExit('--holdout-splits needs --holdout-family and --holdout-background')
        fonts = select_fonts(families, include=[holdout_family])
        styles = [holdout_background]
    else:
        fonts = select_fonts(families, exclude=[holdout_family] if holdout_family else [])
        styles = [s for s in BACKGROUNDS if s != holdout_background]
    return functools.partial(render_typeset_image, font_files=fonts, background_styles=styles)


def write_split(out_dir: str, split: str, num_images: int, size_range: Tuple[int, int],
                seed: int, progress: bool = True, style: str = 'hershey', holdout: bool = False,
                holdout_family: str = None, holdout_background: str = None,
                workers: int = 1) -> str:
    """Write one split (see :func:`textboxes_retina.synthetic.icdar_writer.write_split`).

    ``style`` defaults to ``'hershey'`` here (what the benchmarks call and were measured on);
    the command line defaults to ``'typeset'``.

    Returns:
        str: The split folder (``<out_dir>/<split>``).
    """
    if style == 'hershey':
        return _write_split(out_dir, split, num_images, size_range, seed, render_image,
                            progress=progress, workers=workers)
    render = typeset_renderer(holdout, holdout_family, holdout_background)
    return _write_split(out_dir, split, num_images, size_range, seed, render,
                        jpeg_quality=(40, 96), progress=progress, workers=workers)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate a synthetic ICDAR2015-format text detection dataset.')
    parser.add_argument('--out-dir', default='data/synthetic_text', help='output folder')
    parser.add_argument('--split', nargs='+', default=['train'],
                        help='split names, each written to <out-dir>/<split>/{imgs,gts}')
    parser.add_argument('--num-images', nargs='+', type=int, default=[200],
                        help='images per split (one value for all splits, or one per split)')
    parser.add_argument('--img-size', nargs='+', type=int, default=[320, 512],
                        help='image side in px: a fixed size, or a min and max')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--style', choices=('typeset', 'hershey'), default='hershey',
                        help='typeset: real fonts on realistic backgrounds (the demo\'s data); '
                        'hershey: OpenCV\'s Hershey toy words (the tests\' and benchmarks\' '
                        'data, kept as the default so their measured figures reproduce)')
    parser.add_argument('--holdout-family', default=None,
                        help='a font family (e.g. Lato) that only --holdout-splits use')
    parser.add_argument('--holdout-background', default=None, choices=sorted(BACKGROUNDS),
                        help='a background style that only --holdout-splits use')
    parser.add_argument('--holdout-splits', nargs='*', default=[],
                        help='splits drawn with only the held-out family and background')
    parser.add_argument('--workers', type=int, default=1,
                        help='processes drawing images (the output does not depend on it)')
    parser.add_argument('--list-fonts', action='store_true',
                        help='print the font families found and exit')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.list_fonts:
        return args
    if args.style == 'hershey' and (args.holdout_family or args.holdout_background):
        parser.error('--holdout-* work with --style typeset')
    if args.holdout_splits and not (args.holdout_family and args.holdout_background):
        parser.error('--holdout-splits needs --holdout-family and --holdout-background')
    unknown = set(args.holdout_splits) - set(args.split)
    if unknown:
        parser.error(f'--holdout-splits {sorted(unknown)} are not among --split')
    if args.holdout_family and args.holdout_family not in find_font_families():
        parser.error(f'--holdout-family {args.holdout_family!r} not found; installed families: '
                     f'{list(find_font_families())}')
    if len(args.num_images) not in (1, len(args.split)):
        parser.error('--num-images takes one value or one per --split')
    if len(args.img_size) not in (1, 2) or min(args.img_size) < 64:
        parser.error('--img-size takes one or two values >= 64')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.list_fonts:
        for family, files in find_font_families().items():
            print(f'{family}: {len(files)} files ({osp.dirname(files[0])})')
        return
    counts = args.num_images * len(args.split) if len(args.num_images) == 1 else args.num_images
    size_range = (min(args.img_size), max(args.img_size))
    for split, count in zip(args.split, counts):
        root = write_split(args.out_dir, split, count, size_range, args.seed,
                           progress=not args.no_progress, style=args.style,
                           holdout=split in args.holdout_splits,
                           holdout_family=args.holdout_family,
                           holdout_background=args.holdout_background,
                           workers=args.workers)
        print(f'{split}: {count} images in {root}')


if __name__ == '__main__':
    main()

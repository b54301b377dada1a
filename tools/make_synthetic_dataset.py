# Copyright (c) textboxes_retina authors.
"""Generate a synthetic scene-text dataset in the ICDAR 2015 format.

Two styles:

- ``typeset`` (what ``tools/demo.py`` asks for): words, lines and small paragraphs drawn with
  real TrueType/OpenType fonts that installed packages ship (matplotlib's DejaVu, STIX and
  Computer Modern, plus the ``font-*`` packages of ``requirements/demo.txt``), at realistic
  sizes (half of them 10-25 px),
  rotated and in perspective, with outlines, shadows, occlusion, blur, noise and JPEG
  artefacts, on gradients, noise, shapes, photographs and textures shipped by scikit-image, and
  procedural tiles, among text-like distractors (stripes, grids, barcodes, repeated marks).
- ``hershey`` (the default, what the tests and benchmarks use): the original toy words in
  OpenCV's Hershey stroke fonts on procedural backgrounds.

The logic is :mod:`textboxes_retina.synthetic` (``styled_split.write_split``); this script parses
the command line.

For an out-of-distribution test, ``--holdout-family`` and ``--holdout-background`` name a font
family and a background style that only the ``--holdout-splits`` use (and all other splits
never use); ``--holdout-files`` narrows the held-out family to some of its files (a diagnosis by
weight, e.g. ``Thin``). ``--thin-strokes`` and ``--letter-spaced`` draw some blocks of the other
splits in lighter weights or letter-spaced. A few tiny, faint or occluded words are marked
``###`` (don't care); an image is drawn again until it has a word. The output is
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
import os.path as osp
import re

from textboxes_retina.synthetic import BACKGROUNDS, find_font_families
from textboxes_retina.synthetic.styled_split import typeset_renderer, write_split  # noqa: F401


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate a synthetic ICDAR2015-format text detection dataset.')
    parser.add_argument('--out-dir', default='data/synthetic_text', help='output folder')
    parser.add_argument(
        '--split',
        nargs='+',
        default=['train'],
        help='split names, each written to <out-dir>/<split>/{imgs,gts}')
    parser.add_argument(
        '--num-images',
        nargs='+',
        type=int,
        default=[200],
        help='images per split (one value for all splits, or one per split)')
    parser.add_argument(
        '--img-size',
        nargs='+',
        type=int,
        default=[320, 512],
        help='image side in px: a fixed size, or a min and max')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument(
        '--style',
        choices=('typeset', 'hershey'),
        default='hershey',
        help='typeset: real fonts on realistic backgrounds (the demo\'s data); '
        'hershey: OpenCV\'s Hershey toy words (the tests\' and benchmarks\' '
        'data, kept as the default so their measured figures reproduce)')
    parser.add_argument(
        '--holdout-family',
        default=None,
        help='a font family (e.g. Lato) that only --holdout-splits use')
    parser.add_argument(
        '--holdout-background',
        default=None,
        choices=sorted(BACKGROUNDS),
        help='a background style that only --holdout-splits use')
    parser.add_argument(
        '--holdout-splits',
        nargs='*',
        default=[],
        help='splits drawn with only the held-out family and background')
    parser.add_argument(
        '--holdout-files',
        default=None,
        help='a regular expression: the --holdout-splits use only the held-out family\'s font '
        'files whose names match it (e.g. Thin, or \'^(?!.*Thin)\' for the others)')
    parser.add_argument(
        '--thin-strokes',
        type=float,
        default=0.0,
        help='typeset: the probability that a text block is drawn in a lighter weight than its '
        'font\'s (strokes 0.2-0.6 of their width), in the splits other than --holdout-splits; '
        '0 (the default) leaves the images as they were without the option')
    parser.add_argument(
        '--letter-spaced',
        type=float,
        default=0.0,
        help='typeset: the probability that a text block\'s letters are spaced out (by 0.05-0.35 '
        'em, the word spaces by twice that), in the splits other than --holdout-splits; 0 (the '
        'default) as for --thin-strokes')
    parser.add_argument(
        '--workers',
        type=int,
        default=1,
        help='processes drawing images (the output does not depend on it)')
    parser.add_argument(
        '--list-fonts', action='store_true', help='print the font families found and exit')
    parser.add_argument('--no-progress', action='store_true', help='hide the progress bar')
    args = parser.parse_args(argv)
    if args.list_fonts:
        return args
    if args.style == 'hershey' and (args.holdout_family or args.holdout_background):
        parser.error('--holdout-* work with --style typeset')
    if args.holdout_splits and not (args.holdout_family and args.holdout_background):
        parser.error('--holdout-splits needs --holdout-family and --holdout-background')
    if args.holdout_files is not None:
        if not args.holdout_splits:
            parser.error('--holdout-files needs --holdout-splits')
        try:
            re.compile(args.holdout_files)
        except re.error as error:
            parser.error(f'--holdout-files {args.holdout_files!r}: {error}')
    unknown = set(args.holdout_splits) - set(args.split)
    if unknown:
        parser.error(f'--holdout-splits {sorted(unknown)} are not among --split')
    if args.holdout_family and args.holdout_family not in find_font_families():
        parser.error(f'--holdout-family {args.holdout_family!r} not found; installed families: '
                     f'{list(find_font_families())}')
    if args.holdout_files is not None:
        try:  # the renderer's own check: some file of the held-out family matches
            typeset_renderer(
                True,
                args.holdout_family,
                args.holdout_background,
                holdout_files=args.holdout_files)
        except ValueError as error:
            parser.error(f'--holdout-files: {error}')
    for name in ('thin_strokes', 'letter_spaced'):
        option, value = '--' + name.replace('_', '-'), getattr(args, name)
        if not 0 <= value <= 1:
            parser.error(f'{option} must be a probability (0-1), got {value}')
        if args.style == 'hershey' and value:
            parser.error(f'{option} works with --style typeset')
    if len(args.num_images) not in (1, len(args.split)):
        parser.error('--num-images takes one value or one per --split')
    if len(args.img_size) not in (1, 2) or min(args.img_size) < 64:
        parser.error('--img-size takes one or two values >= 64')
    return args


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.list_fonts:
        for family, files in find_font_families().items():
            plural = 's' if len(files) > 1 else ''
            print(f'{family}: {len(files)} file{plural} ({osp.dirname(files[0])})')
        return
    counts = args.num_images * len(args.split) if len(args.num_images) == 1 else args.num_images
    size_range = (min(args.img_size), max(args.img_size))
    for split, count in zip(args.split, counts):
        root = write_split(
            args.out_dir,
            split,
            count,
            size_range,
            args.seed,
            progress=not args.no_progress,
            style=args.style,
            holdout=split in args.holdout_splits,
            holdout_family=args.holdout_family,
            holdout_background=args.holdout_background,
            workers=args.workers,
            thin_strokes=args.thin_strokes,
            letter_spaced=args.letter_spaced,
            holdout_files=args.holdout_files)
        print(f'{split}: {count} images in {root}')


if __name__ == '__main__':
    main()

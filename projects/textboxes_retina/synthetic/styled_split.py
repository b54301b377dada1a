# Copyright (c) textboxes_retina authors.
"""A generated split in one of the two styles, ``typeset`` (:mod:`.text_render`) or ``hershey``
(:mod:`.hershey`), written in the ICDAR 2015 layout by :mod:`.icdar_writer`."""
import functools
import os.path as osp
import re
from typing import Optional, Tuple

from .backgrounds import BACKGROUNDS
from .fonts import find_font_families
from .hershey import render_image as render_hershey_image
from .icdar_writer import write_split as _write_split
from .text_render import render_image as render_typeset_image
from .text_render import select_fonts


def typeset_renderer(holdout: bool,
                     holdout_family=None,
                     holdout_background=None,
                     thin_strokes: float = 0.0,
                     letter_spaced: float = 0.0,
                     holdout_files: Optional[str] = None):
    """The ``typeset`` renderer of a split: only the held-out family and background when
    ``holdout`` (only the family's files whose names match the regular expression
    ``holdout_files`` when given, e.g. ``'Thin'``: a diagnosis by weight), else every installed
    family and style less the held-out ones, with blocks drawn in lighter weights at the rate
    ``thin_strokes`` and letter-spaced at the rate ``letter_spaced``
    (:func:`~.text_render.render_image`; not in a held-out split: its fonts keep their own
    weights and spacing)."""
    families = find_font_families()
    if holdout:
        if not (holdout_family and holdout_background):
            raise SystemExit('--holdout-splits needs --holdout-family and --holdout-background')
        fonts = select_fonts(families, include=[holdout_family])
        if holdout_files is not None:
            fonts = [f for f in fonts if re.search(holdout_files, osp.basename(f))]
            if not fonts:
                raise ValueError(f'no file of the font family {holdout_family!r} matches '
                                 f'{holdout_files!r}')
        styles = [holdout_background]
    else:
        fonts = select_fonts(families, exclude=[holdout_family] if holdout_family else [])
        styles = [s for s in BACKGROUNDS if s != holdout_background]
    return functools.partial(
        render_typeset_image,
        font_files=fonts,
        background_styles=styles,
        thin_strokes=0.0 if holdout else thin_strokes,
        letter_spaced=0.0 if holdout else letter_spaced)


def write_split(out_dir: str,
                split: str,
                num_images: int,
                size_range: Tuple[int, int],
                seed: int,
                progress: bool = True,
                style: str = 'hershey',
                holdout: bool = False,
                holdout_family: str = None,
                holdout_background: str = None,
                workers: int = 1,
                thin_strokes: float = 0.0,
                letter_spaced: float = 0.0,
                holdout_files: Optional[str] = None) -> str:
    """Write one split (see :func:`textboxes_retina.synthetic.icdar_writer.write_split`).

    ``style`` defaults to ``'hershey'``, here and on the command line (what the tests and
    benchmarks use and were measured on); the demo asks for ``'typeset'``, whose images are
    saved at JPEG qualities 40-96 (artefacts are part of its look). ``thin_strokes``,
    ``letter_spaced`` and ``holdout_files``: see :func:`typeset_renderer`.

    Returns:
        str: The split folder (``<out_dir>/<split>``).
    """
    if style == 'hershey':
        render, extra = render_hershey_image, {}
    else:
        render = typeset_renderer(holdout, holdout_family, holdout_background, thin_strokes,
                                  letter_spaced, holdout_files)
        extra = dict(jpeg_quality=(40, 96))
    return _write_split(
        out_dir,
        split,
        num_images,
        size_range,
        seed,
        render,
        progress=progress,
        workers=workers,
        **extra)

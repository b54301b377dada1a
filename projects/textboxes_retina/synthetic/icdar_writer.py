# Copyright (c) textboxes_retina authors.
"""Write generated images and their words in the ICDAR 2015 layout, deterministically."""
import functools
import multiprocessing
import os
import os.path as osp
import zlib
from typing import Callable, List, Optional, Sequence, Tuple

import cv2
import numpy as np

#: (quad (4, 2) float32 clockwise from the word's top-left, transcription, don't care)
Word = Tuple[np.ndarray, str, bool]
#: How many times an image is drawn until it has a word.
_MAX_DRAWS = 20
#: ``render(rng, size_range) -> (uint8 BGR image, words)``
Renderer = Callable[[np.random.Generator, Tuple[int, int]], Tuple[np.ndarray, List[Word]]]


def format_gt(words: Sequence[Word],
              width: Optional[int] = None,
              height: Optional[int] = None) -> bytes:
    """ICDAR 2015 ground truth: UTF-8 BOM, CRLF, the lines of :func:`gt_lines`."""
    return _gt_file(gt_lines(words, width, height))


def _gt_file(lines: Sequence[str]) -> bytes:
    return ('\ufeff' + '\r\n'.join(lines) + '\r\n').encode('utf-8')


def gt_lines(words: Sequence[Word],
             width: Optional[int] = None,
             height: Optional[int] = None) -> List[str]:
    """ICDAR 2015 ground-truth lines ``x1,y1,...,x4,y4,text``: integer clockwise quads.

    A don't-care quad that the readers would reject once rounded to integers
    (:func:`~textboxes_retina.datasets.icdar_parsers.check_quad`: e.g. the 1-px box of a word
    whose only dark pixel is a dot of a thin font) is left out; a legible one raises
    ``ValueError`` (legible words are at least 7 px high: a generator bug).
    """
    from textboxes_retina.datasets.icdar_parsers import check_quad
    lines = []
    for quad, text, dont_care in words:
        values = [int(round(v)) for v in np.asarray(quad).reshape(-1)]
        problem = check_quad(values, width, height)
        if problem:
            if dont_care:
                continue
            raise ValueError(f'legible word {text!r} at {values}: {problem}')
        coords = ','.join(map(str, values))
        lines.append(f'{coords},{text}')
    return lines


def image_rng(seed: int, split: str, index: int) -> np.random.Generator:
    """The generator of image ``index`` of ``split``: independent of the number of images."""
    return np.random.default_rng([seed, zlib.crc32(split.encode()), index])


def _write_image(root: str, split: str, index: int, size_range: Tuple[int, int], seed: int,
                 render: Renderer, jpeg_quality: Tuple[int, int]) -> None:
    rng = image_rng(seed, split, index)
    # an image without a single word would need an empty ground-truth file, which the readers
    # report: draw again (from the same generator, so still deterministic) until one has words
    for _attempt in range(_MAX_DRAWS):
        img, words = render(rng, size_range)
        lines = gt_lines(words, img.shape[1], img.shape[0])
        if lines:
            break
    else:
        raise RuntimeError(f'{split} image {index + 1}: no words in {_MAX_DRAWS} drawings')
    name = f'img_{index + 1}'
    cv2.imwrite(
        osp.join(root, 'imgs', f'{name}.jpg'), img,
        [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(*jpeg_quality))])
    with open(osp.join(root, 'gts', f'gt_{name}.txt'), 'wb') as f:
        f.write(_gt_file(lines))


def write_split(out_dir: str,
                split: str,
                num_images: int,
                size_range: Tuple[int, int],
                seed: int,
                render: Renderer,
                jpeg_quality: Tuple[int, int] = (85, 96),
                progress: bool = True,
                workers: int = 1) -> str:
    """Write ``num_images`` images and ground-truth files of one split.

    Layout: ``<out_dir>/<split>/imgs/img_<i>.jpg`` and ``<out_dir>/<split>/gts/gt_img_<i>.txt``
    (``i`` from 1). Image ``i`` depends only on ``(seed, split, i)`` and ``render``.

    Args:
        out_dir (str): Parent folder.
        split (str): Split name.
        num_images (int): Images to write.
        size_range (tuple[int, int]): Image side range in pixels.
        seed (int): Seed.
        render (Renderer): Draws one image and its words from a generator.
        jpeg_quality (tuple[int, int]): JPEG quality drawn from ``[low, high)``.
            Defaults to (85, 96).
        progress (bool): Show a progress bar. Defaults to True.
        workers (int): Processes drawing images (the files do not depend on it). Defaults to 1.

    Returns:
        str: The split folder (``<out_dir>/<split>``).
    """
    root = osp.join(out_dir, split)
    os.makedirs(osp.join(root, 'imgs'), exist_ok=True)
    os.makedirs(osp.join(root, 'gts'), exist_ok=True)
    bar = None
    if progress:
        from mmengine.utils import ProgressBar
        bar = ProgressBar(num_images)
    job = functools.partial(
        _write_image,
        root,
        split,
        size_range=size_range,
        seed=seed,
        render=render,
        jpeg_quality=jpeg_quality)
    if workers > 1 and num_images > 1:
        with multiprocessing.get_context('fork').Pool(workers) as pool:
            for _ in pool.imap_unordered(job, range(num_images), chunksize=4):
                if bar is not None:
                    bar.update()
    else:
        for index in range(num_images):
            job(index)
            if bar is not None:
                bar.update()
    if bar is not None:
        print()
    return root

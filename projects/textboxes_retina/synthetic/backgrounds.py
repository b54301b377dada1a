# Copyright (c) textboxes_retina authors.
"""Backgrounds and text-like distractors for the synthetic text generator.

Every function draws from the ``np.random.Generator`` it is given, so an image is a function of
its generator's seed. Backgrounds are float32 BGR ``(H, W, 3)`` arrays in ``[0, 255]``.
"""
import importlib.util
import os.path as osp
from functools import lru_cache
from typing import Callable, Dict, Tuple

import cv2
import numpy as np
from PIL import Image

#: Photographs (CC0 or no known copyright restrictions, see ``skimage.data``'s docstrings) and
#: textures (CC0) that scikit-image ships in its wheel; none shows text.
SKIMAGE_PHOTOS = ('camera.png', 'chelsea.png', 'coffee.png', 'hubble_deep_field.jpg', 'ihc.png',
                  'retina.jpg', 'motorcycle_left.png')
SKIMAGE_TEXTURES = ('brick.png', 'grass.png', 'gravel.png')


@lru_cache(maxsize=None)
def _skimage_image(name: str) -> np.ndarray:
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError('scikit-image is not installed (it ships the photo backgrounds)')
    path = osp.join(list(spec.submodule_search_locations)[0], 'data', name)
    if not osp.isfile(path):
        raise FileNotFoundError(f'{path} (a scikit-image data file) does not exist')
    with Image.open(path) as img:  # PIL: libpng would warn about these files' colour profile
        rgb = np.asarray(img.convert('RGB'), dtype=np.float32)
    return np.ascontiguousarray(rgb[..., ::-1])


def _random_colour(rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(0, 255, size=3).astype(np.float32)


def _crop_resized(rng: np.random.Generator, src: np.ndarray, height: int, width: int) -> np.ndarray:
    """A random crop of ``src`` at a random scale, flipped at random, resized to the target."""
    scale = rng.uniform(0.6, 2.0)
    ch = min(src.shape[0], max(8, int(round(height / scale))))
    cw = min(src.shape[1], max(8, int(round(width / scale))))
    y = int(rng.integers(0, src.shape[0] - ch + 1))
    x = int(rng.integers(0, src.shape[1] - cw + 1))
    crop = src[y:y + ch, x:x + cw]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return cv2.resize(np.ascontiguousarray(crop), (width, height), interpolation=cv2.INTER_LINEAR)


def gradient_background(rng, height, width):
    """A linear or radial two-colour gradient with low-frequency noise."""
    colours = rng.uniform(0, 255, size=(2, 3)).astype(np.float32)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if rng.random() < 0.5:
        angle = rng.uniform(0, 2 * np.pi)
        t = xs * np.cos(angle) + ys * np.sin(angle)
    else:
        t = np.hypot(xs - rng.uniform(0, width), ys - rng.uniform(0, height))
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    img = colours[0] * (1 - t[..., None]) + colours[1] * t[..., None]
    return img + fractal_noise(rng, height, width, octaves=2, amplitude=rng.uniform(2, 12))


def fractal_noise(rng, height, width, octaves=4, amplitude=40.0, colour=True):
    """Sum of bicubically upsampled random grids (a cheap value noise), zero mean."""
    out = np.zeros((height, width, 3), np.float32)
    cell = max(height, width) / rng.uniform(2, 6)
    for octave in range(octaves):
        gh, gw = max(2, int(height / cell) + 2), max(2, int(width / cell) + 2)
        grid = rng.normal(0, 1, size=(gh, gw, 3 if colour else 1)).astype(np.float32)
        if not colour:
            grid = np.repeat(grid, 3, axis=2)
        out += cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC) / (2**octave)
        cell /= 2
    return out * amplitude


def noise_background(rng, height, width):
    """Coloured multi-octave noise around a random colour (plaster, foliage, asphalt)."""
    base = _random_colour(rng)
    return base + fractal_noise(
        rng,
        height,
        width,
        octaves=int(rng.integers(3, 6)),
        amplitude=rng.uniform(10, 50),
        colour=rng.random() < 0.5)


def shapes_background(rng, height, width):
    """A gradient with panels, discs and lines: signs, windows, poles."""
    img = gradient_background(rng, height, width)
    for _ in range(int(rng.integers(3, 12))):
        colour = tuple(float(c) for c in _random_colour(rng))
        x, y = int(rng.integers(width)), int(rng.integers(height))
        size = int(rng.integers(10, max(11, min(height, width) // 2)))
        kind = rng.integers(4)
        if kind == 0:
            cv2.rectangle(img, (x, y), (x + size, y + int(size * rng.uniform(0.3, 1.5))), colour,
                          -1)
        elif kind == 1:
            cv2.circle(img, (x, y), size // 2, colour, -1)
        elif kind == 2:
            cv2.line(img, (x, y), (int(rng.integers(width)), int(rng.integers(height))), colour,
                     int(rng.integers(1, 8)))
        else:
            pts = rng.integers(0, [width, height], size=(int(rng.integers(3, 7)), 2))
            cv2.fillPoly(img, [pts.astype(np.int32)], colour)
    return img


def photo_background(rng, height, width):
    """A crop of a photograph shipped by scikit-image, colour-jittered."""
    img = _crop_resized(rng, _skimage_image(str(rng.choice(SKIMAGE_PHOTOS))), height, width)
    gain = rng.uniform(0.6, 1.3, size=3).astype(np.float32)
    return img * gain + rng.uniform(-30, 30)


def texture_background(rng, height, width):
    """A CC0 texture shipped by scikit-image (brick, grass, gravel), tinted."""
    img = _crop_resized(rng, _skimage_image(str(rng.choice(SKIMAGE_TEXTURES))), height, width)
    grey = img.mean(axis=2, keepdims=True) / 255
    dark, light = _random_colour(rng), _random_colour(rng)
    return dark * (1 - grey) + light * grey


def tiles_background(rng, height, width):
    """Procedural tiles or bricks: a grid of jittered cells with mortar lines."""
    mortar, tile = _random_colour(rng), _random_colour(rng)
    img = np.empty((height, width, 3), np.float32)
    img[:] = mortar
    th = int(rng.integers(12, max(13, height // 3)))
    tw = int(th * rng.uniform(1, 3))
    gap = int(rng.integers(1, 5))
    for row, y in enumerate(range(-th, height + th, th)):
        shift = (tw // 2) * (row % 2) if rng.random() < 0.7 else 0
        for x in range(-tw - shift, width + tw, tw):
            colour = tile + rng.normal(0, 12, size=3)
            cv2.rectangle(img, (x + gap, y + gap), (x + tw - gap, y + th - gap),
                          tuple(float(c) for c in colour), -1)
    return img + fractal_noise(rng, height, width, octaves=3, amplitude=rng.uniform(3, 15))


#: Background style name -> function ``(rng, height, width) -> float32 BGR image``.
BACKGROUNDS: Dict[str, Callable] = {
    'gradient': gradient_background,
    'noise': noise_background,
    'shapes': shapes_background,
    'photo': photo_background,
    'texture': texture_background,
    'tiles': tiles_background,
}


def make_background(rng: np.random.Generator, style: str, height: int, width: int) -> np.ndarray:
    """A float32 BGR ``(height, width, 3)`` background of ``style`` (see :data:`BACKGROUNDS`)."""
    if style not in BACKGROUNDS:
        raise KeyError(f'unknown background style {style!r}; choose from {sorted(BACKGROUNDS)}')
    img = BACKGROUNDS[style](rng, height, width)
    return np.clip(img, 0, 255).astype(np.float32)


def _rect(rng, height, width, min_size=12) -> Tuple[int, int, int, int]:
    w = int(rng.integers(min_size, max(min_size + 1, width // 2)))
    h = int(rng.integers(min_size, max(min_size + 1, height // 3)))
    return int(rng.integers(0, max(1, width - w))), int(rng.integers(0, max(1, height - h))), w, h


def draw_distractor(rng: np.random.Generator, img: np.ndarray) -> None:
    """Draw one text-like non-text pattern in place: stripes, a grid, a barcode or marks.

    These look like strokes in a row (high-frequency, oriented, repeated) but are not words,
    and are never annotated: they teach the detector what text is not.
    """
    height, width = img.shape[:2]
    x, y, w, h = _rect(rng, height, width)
    colour = tuple(float(c) for c in _random_colour(rng))
    kind = int(rng.integers(5))
    if kind == 0:  # parallel stripes (railings, blinds)
        period, thick = int(rng.integers(3, 14)), int(rng.integers(1, 4))
        vertical = rng.random() < 0.5
        for t in range(0, w if vertical else h, period):
            p0 = (x + t, y) if vertical else (x, y + t)
            p1 = (x + t, y + h) if vertical else (x + w, y + t)
            cv2.line(img, p0, p1, colour, thick)
    elif kind == 1:  # grid (windows, fences)
        period, thick = int(rng.integers(6, 24)), int(rng.integers(1, 3))
        for t in range(0, w, period):
            cv2.line(img, (x + t, y), (x + t, y + h), colour, thick)
        for t in range(0, h, period):
            cv2.line(img, (x, y + t), (x + w, y + t), colour, thick)
    elif kind == 2:  # barcode
        h = max(8, min(h, 60))
        cx = x
        while cx < x + w:
            bar = int(rng.integers(1, 5))
            if rng.random() < 0.5:
                cv2.rectangle(img, (cx, y), (cx + bar - 1, y + h), colour, -1)
            cx += bar
    elif kind == 3:  # a row of repeated marks (dots, dashes, rings)
        size = int(rng.integers(2, 9))
        step = size * int(rng.integers(2, 4))
        mark = int(rng.integers(3))
        for cx in range(x, x + w, step):
            if mark == 0:
                cv2.circle(img, (cx, y), size // 2 + 1, colour, -1)
            elif mark == 1:
                cv2.line(img, (cx, y), (cx + size, y), colour, max(1, size // 3))
            else:
                cv2.circle(img, (cx, y), size // 2 + 1, colour, 1)
    else:  # zig-zag / wave line
        pts = [(int(cx), int(y + h / 2 + (h / 3) * np.sin(cx / rng.uniform(2, 8))))
               for cx in range(x, x + w, 2)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, colour, int(rng.integers(1, 3)))

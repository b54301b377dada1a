# Copyright (c) textboxes_retina authors.
"""The ``hershey`` style of generated text: toy words in OpenCV's Hershey stroke fonts on
procedural backgrounds (what the tests' and benchmarks' generated data use)."""
import string
from typing import List, Tuple

import cv2
import numpy as np

FONTS = (cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX, cv2.FONT_HERSHEY_COMPLEX,
         cv2.FONT_HERSHEY_TRIPLEX, cv2.FONT_HERSHEY_PLAIN)
VOCABULARY = ('OPEN', 'SALE', 'EXIT', 'STOP', 'CAFE', 'HOTEL', 'PARKING', 'TAXI', 'BANK', 'Street',
              'Market', 'Coffee', 'Station', 'Welcome', 'Books', 'Pizza', 'Music', 'Garden',
              'Store', 'Center', 'Hello', 'Fresh', 'Daily', 'Sport', 'Travel')

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


def place_word(rng: np.random.Generator, box: np.ndarray, width: int, height: int, max_angle: float,
               max_perspective: float) -> np.ndarray:
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


def find_place(rng: np.random.Generator, placed: np.ndarray, text: str, font: int, letter_h: int,
               thickness: int, min_height: int):
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


def render_image(rng: np.random.Generator,
                 size_range: Tuple[int, int],
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
        quad, mask, box, region = find_place(
            rng, placed, text, font, letter_h, thickness, min_height=6 if dont_care else 16)
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

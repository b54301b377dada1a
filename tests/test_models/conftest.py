"""Helpers of the model tests: images of drawn words with their quads."""
import time
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
from mmengine.registry import DefaultScope

from mmocr.registry import TRANSFORMS

FONT = cv2.FONT_HERSHEY_SIMPLEX


def draw_words(words, seed, height, width):
    """An image with dark words on a noisy light background, and the words' quads."""
    rng = np.random.default_rng(seed)
    img = rng.integers(150, 230, (height, width, 3)).astype(np.uint8)
    img = cv2.GaussianBlur(img, (5, 5), 0)
    quads = []
    for text, (cx, cy), scale, angle in words:
        thickness = max(1, round(2 * scale))
        (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
        mask = np.zeros((height, width), np.uint8)
        cv2.putText(mask, text, (round(cx - w / 2), round(cy + h / 2)), FONT, scale, 255,
                    thickness, cv2.LINE_AA)
        rot = cv2.getRotationMatrix2D((cx, cy), -angle, 1.0)
        mask = cv2.warpAffine(mask, rot, (width, height))
        img[mask > 127] = rng.integers(0, 60, 3)
        left, right, top, bottom = cx - w / 2 - 3, cx + w / 2 + 3, cy - h / 2 - 3, cy + h / 2 + base
        corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
        quads.append((np.c_[corners, np.ones(4)] @ rot.T).reshape(8).astype(np.float32))
    return img, quads


def pack_drawn_images(images, height, width):
    """``images`` (lists of words) drawn and packed by MMOCR's ``PackTextDetInputs``."""
    inputs, samples = [], []
    with DefaultScope.overwrite_default_scope('mmocr'):
        pack = TRANSFORMS.build(dict(type='PackTextDetInputs',
                                     meta_keys=('img_path', 'ori_shape', 'img_shape',
                                                'scale_factor')))
    for seed, words in enumerate(images):
        img, quads = draw_words(words, seed, height, width)
        packed = pack(dict(
            img=img, img_path=f'drawn_{seed}.png', ori_shape=(height, width),
            img_shape=(height, width), scale_factor=(1.0, 1.0), gt_polygons=quads,
            gt_bboxes=np.array([[q[0::2].min(), q[1::2].min(), q[0::2].max(), q[1::2].max()]
                                for q in quads]),
            gt_bboxes_labels=np.zeros(len(quads), np.int64),
            gt_ignored=np.zeros(len(quads), bool)))
        inputs.append(packed['inputs'])
        samples.append(packed['data_samples'])
    return dict(inputs=inputs, data_samples=samples)


def overfit(model, data, optimizer, score, max_iterations, eval_from, eval_every, target=0.9):
    """Train ``model`` on the one batch ``data`` until ``score(model, data) >= target``.

    Returns:
        dict: ``score``, ``iterations``, ``first_loss``, ``loss`` and the ``wall`` and process
        ``cpu`` seconds of the loop.
    """
    wall, cpu = time.perf_counter(), time.process_time()
    result = dict(score=0.0, first_loss=None)
    for iteration in range(1, max_iterations + 1):
        model.train()
        batch = model.data_preprocessor(data, training=True)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        result['first_loss'] = result['first_loss'] or loss.item()
        if iteration >= eval_from and iteration % eval_every == 0:
            result['score'] = score(model, data)
            if result['score'] >= target:
                break
    return dict(result, iterations=iteration, loss=loss.item(),
                wall=time.perf_counter() - wall, cpu=time.process_time() - cpu)


@pytest.fixture
def drawn_text():
    """``draw(words, seed, height, width)`` -> (image, quads),
    ``pack(images, height, width)`` -> a model batch (a word is
    ``(text, (centre x, centre y), font scale, clockwise degrees)``) and
    ``overfit(model, data, optimizer, score, ...)`` (see :func:`overfit`)."""
    return SimpleNamespace(draw=draw_words, pack=pack_drawn_images, overfit=overfit)

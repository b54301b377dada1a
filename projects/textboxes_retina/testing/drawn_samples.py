# Copyright (c) textboxes_retina authors.
"""Images of drawn words with their quads, packed as model batches, and the overfitting loop of
the learning tests.

A word is ``(text, (centre x, centre y), font scale, clockwise degrees)``, drawn with OpenCV's
Hershey font; its quad is the rotated text box, clockwise from its top-left.
"""
import time

import cv2
import numpy as np
import torch

FONT = cv2.FONT_HERSHEY_SIMPLEX

#: The learning test's two 256 x 128 images, two or three words each (one rotated).
LEARNING_HEIGHT, LEARNING_WIDTH = 128, 256
LEARNING_IMAGES = [
    [('HELLO', (72, 32), 1.2, 0), ('RETINA', (170, 84), 1.0, 15)],
    [('TEXT', (60, 88), 1.4, 0), ('BOXES', (170, 44), 1.1, -12), ('42', (220, 104), 0.8, 0)],
]
#: hmean reaches 1.0 after about 30 iterations (1 to 3 s each on 2 CPU cores).
LEARNING_MAX_ITERATIONS = 60
LEARNING_EVAL_FROM, LEARNING_EVAL_EVERY = 20, 10


def draw_words(words, seed, height, width):
    """An image with dark words on a noisy light background, and the words' quads.

    Returns:
        tuple[np.ndarray, list[np.ndarray]]: The ``(height, width, 3)`` uint8 image and one (8,)
        float32 quad per word.
    """
    rng = np.random.default_rng(seed)
    img = rng.integers(150, 230, (height, width, 3)).astype(np.uint8)
    img = cv2.GaussianBlur(img, (5, 5), 0)
    quads = []
    for text, (cx, cy), scale, angle in words:
        thickness = max(1, round(2 * scale))
        (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
        mask = np.zeros((height, width), np.uint8)
        cv2.putText(mask, text, (round(cx - w / 2), round(cy + h / 2)), FONT, scale, 255, thickness,
                    cv2.LINE_AA)
        rot = cv2.getRotationMatrix2D((cx, cy), -angle, 1.0)
        mask = cv2.warpAffine(mask, rot, (width, height))
        img[mask > 127] = rng.integers(0, 60, 3)
        left, right, top, bottom = cx - w / 2 - 3, cx + w / 2 + 3, cy - h / 2 - 3, cy + h / 2 + base
        corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
        quads.append((np.c_[corners, np.ones(4)] @ rot.T).reshape(8).astype(np.float32))
    return img, quads


def pack_drawn_images(images, height, width):
    """``images`` (lists of words) drawn (image ``i`` with seed ``i``) and packed by MMOCR's
    ``PackTextDetInputs``: a model batch ``dict(inputs=..., data_samples=...)``."""
    from mmengine.registry import DefaultScope
    from mmocr.registry import TRANSFORMS
    inputs, samples = [], []
    with DefaultScope.overwrite_default_scope('mmocr'):
        pack = TRANSFORMS.build(
            dict(
                type='PackTextDetInputs',
                meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')))
    for seed, words in enumerate(images):
        img, quads = draw_words(words, seed, height, width)
        packed = pack(
            dict(
                img=img,
                img_path=f'drawn_{seed}.png',
                ori_shape=(height, width),
                img_shape=(height, width),
                scale_factor=(1.0, 1.0),
                gt_polygons=quads,
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
    return dict(
        result,
        iterations=iteration,
        loss=loss.item(),
        wall=time.perf_counter() - wall,
        cpu=time.process_time() - cpu)


def mmocr_hmean(model, data) -> float:
    """MMOCR's ``HmeanIOUMetric`` (``icdar/hmean``) of ``model.test_step(data)`` on ``data``."""
    from mmengine.evaluator import Evaluator
    from mmengine.registry import DefaultScope
    model.eval()
    with torch.no_grad():
        outputs = model.test_step(data)
    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(dict(type='HmeanIOUMetric'))
    evaluator.process(data_samples=outputs, data_batch=data)
    return evaluator.evaluate(len(outputs))['icdar/hmean']


def assert_overfits_learning_images(config: str) -> dict:
    """The learning test: ``config``'s model, seed 0, from scratch, scores hmean < 0.5 on
    :data:`LEARNING_IMAGES`, then a plain Adam loop (lr 1e-3) over ``model.loss`` on them reaches
    hmean >= 0.9 within :data:`LEARNING_MAX_ITERATIONS` and cuts the loss below 0.3 of its first
    value. Raises ``AssertionError`` otherwise; returns :func:`overfit`'s result."""
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmocr.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(str(config)).model)
    model.init_weights()
    data = pack_drawn_images(LEARNING_IMAGES, LEARNING_HEIGHT, LEARNING_WIDTH)
    assert mmocr_hmean(model, data) < 0.5
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    run = overfit(model, data, optimizer, mmocr_hmean, LEARNING_MAX_ITERATIONS, LEARNING_EVAL_FROM,
                  LEARNING_EVAL_EVERY)
    assert run['score'] >= 0.9, (f"hmean {run['score']:.3f} after {run['iterations']} "
                                 f"iterations, {run['wall']:.0f} s")
    assert run['loss'] < 0.3 * run['first_loss']
    return run

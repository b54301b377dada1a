"""The small model learns: it overfits two drawn images to hmean >= 0.9 on the CPU.

Two 256 x 128 images with two or three words each (one rotated, so the quads are not boxes) go
through MMOCR's ``PackTextDetInputs`` and the model's data preprocessor; a plain Adam loop over
``model.loss`` trains the ``textboxes_retina_r18-small`` config from scratch, then MMOCR's
``HmeanIOUMetric`` scores ``model.test_step`` on the same images.
"""
import math
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope

from mmocr.registry import MODELS, TRANSFORMS

import textboxes_retina  # noqa: F401  (registers the modules)

CONFIG = Path(__file__).parents[2] / 'configs/_base_/models/textboxes_retina_r18-small.py'
HEIGHT, WIDTH = 128, 256
FONT = cv2.FONT_HERSHEY_SIMPLEX
# (text, centre, font scale, clockwise rotation in degrees)
IMAGES = [
    [('HELLO', (72, 32), 1.2, 0), ('RETINA', (170, 84), 1.0, 15)],
    [('TEXT', (60, 88), 1.4, 0), ('BOXES', (170, 44), 1.1, -12), ('42', (220, 104), 0.8, 0)],
]
MAX_ITERATIONS = 60  # hmean reaches 1.0 after about 30 (1 to 3 s each on 2 CPU cores)
EVAL_FROM, EVAL_EVERY = 20, 10


def _draw(words, seed):
    """An image with dark words on a noisy light background, and the words' quads."""
    rng = np.random.default_rng(seed)
    img = rng.integers(150, 230, (HEIGHT, WIDTH, 3)).astype(np.uint8)
    img = cv2.GaussianBlur(img, (5, 5), 0)
    quads = []
    for text, (cx, cy), scale, angle in words:
        thickness = max(1, round(2 * scale))
        (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
        mask = np.zeros((HEIGHT, WIDTH), np.uint8)
        cv2.putText(mask, text, (round(cx - w / 2), round(cy + h / 2)), FONT, scale, 255,
                    thickness, cv2.LINE_AA)
        rot = cv2.getRotationMatrix2D((cx, cy), -angle, 1.0)
        mask = cv2.warpAffine(mask, rot, (WIDTH, HEIGHT))
        img[mask > 127] = rng.integers(0, 60, 3)
        left, right, top, bottom = cx - w / 2 - 3, cx + w / 2 + 3, cy - h / 2 - 3, cy + h / 2 + base
        corners = np.array([[left, top], [right, top], [right, bottom], [left, bottom]])
        quads.append((np.c_[corners, np.ones(4)] @ rot.T).reshape(8).astype(np.float32))
    return img, quads


def _packed_batch():
    inputs, samples = [], []
    with DefaultScope.overwrite_default_scope('mmocr'):
        pack = TRANSFORMS.build(dict(type='PackTextDetInputs',
                                     meta_keys=('img_path', 'ori_shape', 'img_shape',
                                                'scale_factor')))
    for seed, words in enumerate(IMAGES):
        img, quads = _draw(words, seed)
        packed = pack(dict(
            img=img, img_path=f'drawn_{seed}.png', ori_shape=(HEIGHT, WIDTH),
            img_shape=(HEIGHT, WIDTH), scale_factor=(1.0, 1.0), gt_polygons=quads,
            gt_bboxes=np.array([[q[0::2].min(), q[1::2].min(), q[0::2].max(), q[1::2].max()]
                                for q in quads]),
            gt_bboxes_labels=np.zeros(len(quads), np.int64),
            gt_ignored=np.zeros(len(quads), bool)))
        inputs.append(packed['inputs'])
        samples.append(packed['data_samples'])
    return dict(inputs=inputs, data_samples=samples)


def _hmean(model, data):
    model.eval()
    with torch.no_grad():
        outputs = model.test_step(data)
    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(dict(type='HmeanIOUMetric'))
    evaluator.process(data_samples=outputs, data_batch=data)
    return evaluator.evaluate(len(outputs))['icdar/hmean']


def test_drawn_quads_are_the_rotated_words():
    img, quads = _draw(IMAGES[0], 0)
    assert len(quads) == 2
    # the rotated word's quad is tilted by 15 degrees and holds the dark pixels
    q = quads[1].reshape(4, 2)
    assert math.degrees(math.atan2(q[1, 1] - q[0, 1], q[1, 0] - q[0, 0])) == pytest.approx(15)
    dark = np.argwhere(img[..., 0] < 60)[:, ::-1].astype(np.float32)
    inside = [cv2.pointPolygonTest(q.reshape(4, 1, 2), tuple(map(float, p)), False) >= 0
              for p in dark]
    assert np.mean(inside) > 0.3  # a third of the dark pixels belong to this word


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_small_model_overfits_two_images():
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(str(CONFIG)).model)
    model.init_weights()
    data = _packed_batch()
    assert _hmean(model, data) < 0.5
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    start, first_loss, hmean = time.perf_counter(), None, 0.0
    for iteration in range(1, MAX_ITERATIONS + 1):
        model.train()
        batch = model.data_preprocessor(data, training=True)
        loss, _ = model.parse_losses(model(**batch, mode='loss'))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        first_loss = first_loss or loss.item()
        if iteration >= EVAL_FROM and iteration % EVAL_EVERY == 0:
            hmean = _hmean(model, data)
            if hmean >= 0.9:
                break
    seconds = time.perf_counter() - start
    assert hmean >= 0.9, f'hmean {hmean:.3f} after {iteration} iterations, {seconds:.0f} s'
    assert loss.item() < 0.3 * first_loss

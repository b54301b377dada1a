"""The small model learns: it overfits two drawn images to hmean >= 0.9 on the CPU.

Two 256 x 128 images with two or three words each (one rotated, so the quads are not boxes) go
through MMOCR's ``PackTextDetInputs`` and the model's data preprocessor; a plain Adam loop over
``model.loss`` trains the ``textboxes_retina_r18-small`` config from scratch, then MMOCR's
``HmeanIOUMetric`` scores ``model.test_step`` on the same images.
"""
import math
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope

from mmocr.registry import MODELS

import textboxes_retina  # noqa: F401  (registers the modules)

CONFIG = Path(__file__).parents[2] / 'configs/_base_/models/textboxes_retina_r18-small.py'
HEIGHT, WIDTH = 128, 256
# (text, centre, font scale, clockwise rotation in degrees)
IMAGES = [
    [('HELLO', (72, 32), 1.2, 0), ('RETINA', (170, 84), 1.0, 15)],
    [('TEXT', (60, 88), 1.4, 0), ('BOXES', (170, 44), 1.1, -12), ('42', (220, 104), 0.8, 0)],
]
MAX_ITERATIONS = 60  # hmean reaches 1.0 after about 30 (1 to 3 s each on 2 CPU cores)
EVAL_FROM, EVAL_EVERY = 20, 10


def _hmean(model, data):
    model.eval()
    with torch.no_grad():
        outputs = model.test_step(data)
    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(dict(type='HmeanIOUMetric'))
    evaluator.process(data_samples=outputs, data_batch=data)
    return evaluator.evaluate(len(outputs))['icdar/hmean']


def test_drawn_quads_are_the_rotated_words(drawn_text):
    img, quads = drawn_text.draw(IMAGES[0], 0, HEIGHT, WIDTH)
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
def test_small_model_overfits_two_images(drawn_text):
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(str(CONFIG)).model)
    model.init_weights()
    data = drawn_text.pack(IMAGES, HEIGHT, WIDTH)
    assert _hmean(model, data) < 0.5
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    run = drawn_text.overfit(model, data, optimizer, _hmean, MAX_ITERATIONS, EVAL_FROM,
                             EVAL_EVERY)
    assert run['score'] >= 0.9, (f"hmean {run['score']:.3f} after {run['iterations']} "
                                 f"iterations, {run['wall']:.0f} s")
    assert run['loss'] < 0.3 * run['first_loss']

"""The small model learns: it overfits two drawn images to hmean >= 0.9 on the CPU.

Two 256 x 128 images with two or three words each (one rotated, so the quads are not boxes) go
through MMOCR's ``PackTextDetInputs`` and the model's data preprocessor; a plain Adam loop over
``model.loss`` trains the ``textboxes_retina_r18-small`` config from scratch, then MMOCR's
``HmeanIOUMetric`` scores ``model.test_step`` on the same images
(:func:`textboxes_retina.testing.drawn_samples.assert_overfits_learning_images`).
"""
import math

import cv2
import numpy as np
import pytest

import textboxes_retina  # noqa: F401  (registers the modules)
from textboxes_retina.testing.configs import SMALL_MODEL_CONFIG as CONFIG
from textboxes_retina.testing.drawn_samples import LEARNING_HEIGHT as HEIGHT
from textboxes_retina.testing.drawn_samples import LEARNING_IMAGES as IMAGES
from textboxes_retina.testing.drawn_samples import LEARNING_WIDTH as WIDTH
from textboxes_retina.testing.drawn_samples import assert_overfits_learning_images


def test_drawn_quads_are_the_rotated_words(drawn_text):
    img, quads = drawn_text.draw(IMAGES[0], 0, HEIGHT, WIDTH)
    assert len(quads) == 2
    # the rotated word's quad is tilted by 15 degrees and holds the dark pixels
    q = quads[1].reshape(4, 2)
    assert math.degrees(math.atan2(q[1, 1] - q[0, 1], q[1, 0] - q[0, 0])) == pytest.approx(15)
    dark = np.argwhere(img[..., 0] < 60)[:, ::-1].astype(np.float32)
    inside = [
        cv2.pointPolygonTest(q.reshape(4, 1, 2), tuple(map(float, p)), False) >= 0 for p in dark
    ]
    assert np.mean(inside) > 0.3  # a third of the dark pixels belong to this word


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_small_model_overfits_two_images():
    # from scratch: hmean < 0.5 before, >= 0.9 after at most 60 Adam steps, loss below 0.3 of
    # the first (the assertions are textboxes_retina.testing's, shared with the refine head's)
    assert_overfits_learning_images(CONFIG)

"""Helpers of the model tests: images of drawn words with their quads."""
from types import SimpleNamespace

import pytest

from textboxes_retina.testing.drawn_samples import draw_words, overfit, pack_drawn_images


@pytest.fixture
def drawn_text():
    """``draw(words, seed, height, width)`` -> (image, quads),
    ``pack(images, height, width)`` -> a model batch (a word is
    ``(text, (centre x, centre y), font scale, clockwise degrees)``) and
    ``overfit(model, data, optimizer, score, ...)`` (see
    :mod:`textboxes_retina.testing.drawn_samples`)."""
    return SimpleNamespace(draw=draw_words, pack=pack_drawn_images, overfit=overfit)

"""Fixtures of the deployment tests: small detectors whose scores spread over (0, 1)."""
import pytest

from textboxes_retina.testing.configs import (REFINE_SMALL_CONFIG, SMALL_CONFIG,
                                              build_spread_detector)


@pytest.fixture(scope='module')
def small_detector():
    """The small synthetic-data config's detector (TextBoxesRetinaHead, P3-P7)."""
    return build_spread_detector(SMALL_CONFIG)


@pytest.fixture(scope='module')
def refine_detector():
    """The small refine config's detector (RefineTextBoxesHead)."""
    return build_spread_detector(REFINE_SMALL_CONFIG)

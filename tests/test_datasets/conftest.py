"""Build transforms and datasets in MMOCR's scope, as configs do (``default_scope = 'mmocr'``)."""
import pytest
from mmengine.registry import DefaultScope

import textboxes_retina  # noqa: F401  (registers the package)


@pytest.fixture(autouse=True)
def mmocr_default_scope():
    with DefaultScope.overwrite_default_scope('mmocr'):
        yield

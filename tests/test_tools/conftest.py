"""Fixtures of the tools tests: the scripts of tools/ as modules, a short training config."""
import pytest

from textboxes_retina.testing import REPO_ROOT, load_tool
from textboxes_retina.testing.configs import write_small_train_config


@pytest.fixture(autouse=True)
def _restore_local_rank(monkeypatch):
    """The tools set LOCAL_RANK when it is unset; undo that after each test."""
    monkeypatch.delenv('LOCAL_RANK', raising=False)


@pytest.fixture(scope='session')
def repo_root() -> str:
    """The repository root."""
    return REPO_ROOT


@pytest.fixture(scope='session')
def kmeans_anchors():
    """tools/analysis_tools/kmeans_anchors.py as a module."""
    return load_tool('tools/analysis_tools/kmeans_anchors.py')


@pytest.fixture(scope='session')
def train_tool():
    """tools/train.py as a module."""
    return load_tool('tools/train.py')


@pytest.fixture(scope='session')
def test_tool():
    """tools/test.py as a module."""
    return load_tool('tools/test.py')


@pytest.fixture(scope='session')
def infer_tool():
    """tools/infer.py as a module."""
    return load_tool('tools/infer.py')


@pytest.fixture(scope='session')
def gpu_check_tool():
    """tools/gpu_check.py as a module."""
    return load_tool('tools/gpu_check.py')


@pytest.fixture(scope='session')
def small_train_config():
    """:func:`textboxes_retina.testing.configs.write_small_train_config`."""
    return write_small_train_config

"""Helpers of the tools tests: import a script of tools/ as a module."""
import importlib.util
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(relative_path: str):
    """Import ``tools/<relative_path>`` (a script, not a package) as a module."""
    path = osp.join(REPO_ROOT, 'tools', relative_path)
    name = 'tool_' + relative_path.replace('/', '_').replace('.py', '')
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    return load_tool('analysis_tools/kmeans_anchors.py')


@pytest.fixture(scope='session')
def train_tool():
    """tools/train.py as a module."""
    return load_tool('train.py')


@pytest.fixture(scope='session')
def test_tool():
    """tools/test.py as a module."""
    return load_tool('test.py')


@pytest.fixture(scope='session')
def infer_tool():
    """tools/infer.py as a module."""
    return load_tool('infer.py')


@pytest.fixture(scope='session')
def gpu_check_tool():
    """tools/gpu_check.py as a module."""
    return load_tool('gpu_check.py')

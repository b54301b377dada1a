"""Helpers of the tools tests: import a script of tools/ as a module."""
import importlib.util
import os.path as osp

import pytest

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'


def write_small_train_config(folder, max_iters: int, checkpoint_interval: int, **cfg_updates):
    """Write ``folder/small_train.py``: the small config on 4 generated 192 px training images
    (``folder/data``) resized to 128 px, batch 2, no validation, seed 0, a log line and
    checkpoint every ``checkpoint_interval`` iterations; ``cfg_updates`` are set on top.
    Returns its path."""
    import subprocess
    import sys

    from mmengine.config import Config
    data = folder / 'data'
    subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'make_synthetic_dataset.py'),
                    '--out-dir', str(data), '--split', 'train', '--num-images', '4',
                    '--img-size', '192', '--seed', '0', '--no-progress'],
                   check=True, capture_output=True)
    cfg = Config.fromfile(osp.join(REPO_ROOT, SMALL_CONFIG))
    cfg.train_dataloader.update(batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.data_root = str(data / 'train')
    for transform in cfg.train_dataloader.dataset.pipeline:
        if transform['type'] == 'Resize':
            transform['scale'] = (128, 128)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.train_cfg.update(max_iters=max_iters, val_interval=1000)
    cfg.default_hooks.checkpoint.update(interval=checkpoint_interval, max_keep_ckpts=-1)
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    for key, value in cfg_updates.items():
        cfg[key] = value
    path = folder / 'small_train.py'
    cfg.dump(str(path))
    return str(path)


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


@pytest.fixture(scope='session')
def small_train_config():
    """:func:`write_small_train_config` (test modules cannot import a conftest)."""
    return write_small_train_config

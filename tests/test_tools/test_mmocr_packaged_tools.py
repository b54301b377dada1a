"""MMOCR's own ``tools/train.py`` and ``tools/test.py`` (shipped inside the installed mmocr
package, ``mmocr/.mim/tools``, what ``mim train mmocr`` runs) on our small config, unchanged.

The runs work in a folder holding the config's default data root, ``data/synthetic_text``
(4 generated training and 2 test images, as ``tools/make_synthetic_dataset.py`` writes them);
only the run length and the loaders are set on the command line (``--cfg-options``), as a user
would. The config loads our package through its ``custom_imports``, which also lets mmengine's
checkpoints load under torch >= 2.6 in MMOCR's tools.

1. ``train.py``: 2 iterations, a validation at iteration 2 (our IC15 metric), checkpoints;
2. ``train.py --resume``, launched by ``mim train mmocr`` (where openmim is installed): on to
   iteration 3 from the latest checkpoint (Adam's step count in the checkpoint proves the
   optimizer state travelled);
3. ``test.py``: the IC15 protocol on the test images with the last checkpoint, drawn images;
4. ``mim test mmocr`` on the same checkpoint.
"""
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys

import mmocr
import pytest
import torch

import textboxes_retina  # noqa: F401  (checkpoint loading under torch >= 2.6)

MMOCR_TOOLS = osp.join(osp.dirname(mmocr.__file__), '.mim', 'tools')
SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'
LOADERS = [
    f'{loader}.{key}' for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    for key in ('num_workers=0', 'persistent_workers=False')
]
TRAIN_OPTIONS = [
    'train_dataloader.batch_size=2', 'val_dataloader.batch_size=2', 'train_cfg.val_interval=2',
    'default_hooks.checkpoint.interval=1', 'default_hooks.logger.interval=1', 'randomness.seed=0',
    *LOADERS
]


def _run(command, cwd, timeout=300):
    """Run a command in ``cwd`` with this interpreter's environment; returns its output."""
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [osp.dirname(osp.dirname(textboxes_retina.__file__))] +
            [p for p in os.environ.get('PYTHONPATH', '').split(os.pathsep) if p]))
    result = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-5000:]
    return log


def _adam_state(path):
    checkpoint = torch.load(path, map_location='cpu')
    steps = {int(state['step']) for state in checkpoint['optimizer']['state'].values()}
    return checkpoint['meta']['iter'], steps


def _test_metrics(work_dir):
    """The metrics mmengine's test loop wrote (``<work_dir>/<timestamp>/<timestamp>.json``)."""
    paths = sorted(glob.glob(osp.join(str(work_dir), '*', '*.json')))
    assert paths, f'no metrics file under {work_dir}'
    with open(paths[-1]) as f:
        return json.load(f)


@pytest.fixture(scope='module')
def workspace(tmp_path_factory, repo_root):
    """A folder with ``data/synthetic_text/{train,test}`` (the small config's data root)."""
    root = tmp_path_factory.mktemp('mmocr_tools')
    subprocess.run([
        sys.executable,
        osp.join(repo_root, 'tools', 'make_synthetic_dataset.py'), '--out-dir',
        str(root / 'data' / 'synthetic_text'), '--split', 'train', 'test', '--num-images', '4', '2',
        '--img-size', '192', '--seed', '0', '--no-progress'
    ],
                   check=True,
                   capture_output=True,
                   timeout=120)
    return root


@pytest.fixture(scope='module')
def config(repo_root):
    return osp.join(repo_root, SMALL_CONFIG)


MIM = shutil.which('mim', path=osp.dirname(sys.executable)) or shutil.which('mim')
NO_MIM = 'openmim is not installed (requirements/tests.txt)'


@pytest.fixture(scope='module')
def trained(workspace, config):
    """MMOCR's train.py for 2 iterations, then ``--resume`` to 3 through ``mim train mmocr``
    (which runs the same script; directly where openmim is missing)."""
    work_dir = workspace / 'work'
    first = _run([
        sys.executable,
        osp.join(MMOCR_TOOLS, 'train.py'), config, '--work-dir',
        str(work_dir), '--cfg-options', 'train_cfg.max_iters=2', *TRAIN_OPTIONS
    ], workspace)
    launcher = [MIM, 'train', 'mmocr', config, '--gpus', '0'] if MIM else \
        [sys.executable, osp.join(MMOCR_TOOLS, 'train.py'), config]
    resumed = _run([
        *launcher, '--work-dir',
        str(work_dir), '--resume', '--cfg-options', 'train_cfg.max_iters=3', *TRAIN_OPTIONS
    ], workspace)
    return work_dir, first, resumed


@pytest.mark.timeout(30)
def test_mmocr_ships_the_tools():
    for tool in ('train.py', 'test.py'):
        assert osp.isfile(osp.join(MMOCR_TOOLS, tool)), MMOCR_TOOLS


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_mmocr_train_validates_and_resumes(trained):
    work_dir, first, resumed = trained
    assert 'ic15/hmean' in first  # our metric ran in the validation at iteration 2
    assert _adam_state(work_dir / 'iter_2.pth') == (2, {2})
    assert f"Auto resumed from the latest checkpoint {work_dir / 'iter_2.pth'}" in resumed
    assert 'resumed epoch: 0, iter: 2' in resumed
    assert _adam_state(work_dir / 'iter_3.pth') == (3, {3})


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_mmocr_test_evaluates_a_checkpoint(trained, workspace, config):
    work_dir, _, _ = trained
    test_dir = workspace / 'test'
    shown = workspace / 'shown'
    _run([
        sys.executable,
        osp.join(MMOCR_TOOLS, 'test.py'), config,
        str(work_dir / 'iter_3.pth'), '--work-dir',
        str(test_dir), '--cfg-options', *LOADERS,
        f'default_hooks.visualization.test_out_dir={shown}'
    ], workspace)
    metrics = _test_metrics(test_dir)
    assert {'ic15/precision', 'ic15/recall', 'ic15/hmean'} <= set(metrics)
    assert all(0.0 <= metrics[f'ic15/{key}'] <= 1.0 for key in ('precision', 'recall', 'hmean'))
    assert sorted(os.listdir(shown)) == ['img_1.jpg', 'img_2.jpg']


@pytest.mark.slow
@pytest.mark.timeout(400)
@pytest.mark.skipif(MIM is None, reason=NO_MIM)
def test_mim_train_resumed_and_mim_test_evaluates(trained, workspace, config):
    work_dir, _, resumed = trained
    assert 'Training command is' in resumed and f".mim/tools/train.py {config}" in resumed
    assert 'Training finished successfully' in resumed
    test_dir = workspace / 'mim_test'
    log = _run([
        MIM, 'test', 'mmocr', config, '--checkpoint',
        str(work_dir / 'iter_3.pth'), '--gpus', '0', '--work-dir',
        str(test_dir), '--cfg-options', *LOADERS
    ], workspace)
    assert 'Testing finished successfully' in log
    assert 'ic15/hmean' in _test_metrics(test_dir)

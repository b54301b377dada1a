"""tools/train.py end to end on a few generated images: an exploding run stops with a message,
resumed training equals uninterrupted training, and the same seed gives the same weights.

Runs of the small config on 4 generated 192 px images resized to 128 px, batch 2, constant
learning rate, on CPU:

- lr = 1e3: the guard stops the run with a clear message and a non-zero exit, before the
  weights explode into a checkpoint (issue 14: the run used to exit 0 with weights of 1e11);
- 4 iterations in one run == 2 iterations, then ``--resume`` for 2 more (weights equal);
- two separate runs with the same seed give equal weights after 2 iterations.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import textboxes_retina  # noqa: F401  (checkpoint loading under torch >= 2.6)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope='module')
def config_file(tmp_path_factory, small_train_config):
    folder = tmp_path_factory.mktemp('reliability_runs')
    return folder, small_train_config(
        folder,
        max_iters=4,
        checkpoint_interval=2,
        param_scheduler=[dict(type='ConstantLR', factor=1.0, by_epoch=False)])


def _train(repo_root, args):
    command = [sys.executable, osp.join(repo_root, 'tools', 'train.py'), *args]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(command, capture_output=True, text=True, timeout=500, env=env)


def _weights(path):
    return torch.load(path, map_location='cpu')['state_dict']


def test_exploding_learning_rate_stops_with_a_message(config_file, repo_root):
    folder, config = config_file
    work_dir = folder / 'lr1e3'
    result = _train(repo_root, [
        config, '--work-dir',
        str(work_dir), '--cfg-options', 'optim_wrapper.optimizer.lr=1000.0',
        'train_cfg.max_iters=20', 'default_hooks.checkpoint.interval=1'
    ])
    log = result.stdout + result.stderr
    assert result.returncode != 0, log[-3000:]
    assert 'FloatingPointError: Bad training step at iteration' in log, log[-3000:]
    assert 'Training was stopped before the optimizer step' in log
    saved = sorted(work_dir.glob('iter_*.pth'), key=lambda p: int(p.stem.split('_')[1]))
    assert len(saved) < 20  # stopped long before the end
    for path in saved:  # nothing non-finite was written
        assert all(
            torch.isfinite(t).all() for t in _weights(path).values() if t.is_floating_point())


@pytest.fixture(scope='module')
def four_iterations(config_file, repo_root):
    folder, config = config_file
    result = _train(repo_root, [config, '--work-dir', str(folder / 'four')])
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    return folder / 'four'


@pytest.fixture(scope='module')
def two_then_two(config_file, repo_root):
    folder, config = config_file
    first = _train(
        repo_root,
        [config, '--work-dir',
         str(folder / 'two'), '--cfg-options', 'train_cfg.max_iters=2'])
    assert first.returncode == 0, (first.stdout + first.stderr)[-3000:]
    resumed = _train(repo_root, [
        config, '--work-dir',
        str(folder / 'resumed'), '--resume',
        str(folder / 'two' / 'iter_2.pth')
    ])
    assert resumed.returncode == 0, (resumed.stdout + resumed.stderr)[-3000:]
    return folder / 'two', folder / 'resumed'


def _max_difference(a, b):
    assert a.keys() == b.keys()
    return max((a[key].double() - b[key].double()).abs().max().item() for key in a)


def test_resumed_training_equals_uninterrupted_training(four_iterations, two_then_two):
    uninterrupted = _weights(four_iterations / 'iter_4.pth')
    resumed = _weights(two_then_two[1] / 'iter_4.pth')
    # The weights moved (a real comparison), and equally in both.
    assert _max_difference(uninterrupted, _weights(four_iterations / 'iter_2.pth')) > 1e-4
    assert _max_difference(uninterrupted, resumed) == 0


def test_same_seed_gives_the_same_weights(four_iterations, two_then_two):
    assert _max_difference(
        _weights(four_iterations / 'iter_2.pth'), _weights(two_then_two[0] / 'iter_2.pth')) == 0

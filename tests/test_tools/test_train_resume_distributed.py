"""End-to-end runs of tools/train.py on a few generated images: resume, and 2-process gloo runs.

These runs are about the CPU path (gloo): the GPUs of a CUDA machine are hidden from them
(``CUDA_VISIBLE_DEVICES=``). Where CUDA and nccl exist, one more run trains through
tools/dist_train.sh on the GPUs with nccl.

One chain of small runs (128 px inputs, batch 2, Adam), each checked on its checkpoint:

1. 1 process, 1 iteration                                           -> single/iter_1.pth
2. 2 processes (tools/dist_train.sh, gloo), ``--resume single/iter_1.pth``, to iteration 2
                                                                     -> dist/iter_2.pth
3. 1 process, ``--resume`` (the latest checkpoint of dist/), to iteration 3
                                                                     -> dist/iter_3.pth

Adam's per-parameter ``step`` count in a checkpoint equals the number of optimizer steps since
the start, so it proves that the optimizer state travelled through every resume.
"""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

import textboxes_retina  # noqa: F401  (checkpoint loading under torch >= 2.6)

# Three training runs chained through module fixtures: the first test pays for them.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope='module')
def run_dir(tmp_path_factory):
    return tmp_path_factory.mktemp('train_runs')


@pytest.fixture(scope='module')
def config_file(run_dir, small_train_config):
    """The small config on 4 generated 192 px training images resized to 128 px, without
    validation."""
    return small_train_config(run_dir, max_iters=1, checkpoint_interval=1)


def _train(repo_root, args, nproc=1, gpus=False):
    """Run tools/train.py (through tools/dist_train.sh for nproc > 1, or with ``gpus``); returns
    its log. Without ``gpus`` the run sees no GPU."""
    env = dict(os.environ)
    if not gpus:
        env['CUDA_VISIBLE_DEVICES'] = ''
    if nproc == 1 and not gpus:
        command = [sys.executable, osp.join(repo_root, 'tools', 'train.py'), *args]
    else:
        # PORT=0: torchrun binds a free port for the rendezvous and holds it (no race).
        env.update(PYTHON=sys.executable, PORT='0', OMP_NUM_THREADS='1')
        command = [
            'bash',
            osp.join(repo_root, 'tools', 'dist_train.sh'), args[0],
            str(nproc), *args[1:]
        ]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return log


def _state(path):
    """Iteration, Adam step counts and weights of a checkpoint."""
    checkpoint = torch.load(path, map_location='cpu')
    steps = {int(state['step']) for state in checkpoint['optimizer']['state'].values()}
    return checkpoint['meta']['iter'], steps, checkpoint['state_dict']


@pytest.fixture(scope='module')
def single_run(config_file, run_dir, repo_root):
    work_dir = run_dir / 'single'
    log = _train(repo_root, [config_file, '--work-dir', str(work_dir)])
    return work_dir, log


@pytest.fixture(scope='module')
def dist_run(single_run, config_file, run_dir, repo_root):
    work_dir = run_dir / 'dist'
    log = _train(
        repo_root, [
            config_file, '--work-dir',
            str(work_dir), '--resume',
            str(single_run[0] / 'iter_1.pth'), '--cfg-options', 'train_cfg.max_iters=2'
        ],
        nproc=2)
    return work_dir, log


def test_one_process_run_saves_its_state(single_run):
    work_dir, log = single_run
    assert "dist_cfg: {'backend': 'gloo'" in log and 'Distributed training: False' in log
    iteration, steps, weights = _state(work_dir / 'iter_1.pth')
    assert (iteration, steps) == (1, {1})
    assert all(torch.isfinite(t).all() for t in weights.values())


def test_two_process_gloo_run_resumes_a_one_process_checkpoint(dist_run):
    work_dir, log = dist_run
    assert "dist_cfg: {'backend': 'gloo'" in log
    assert 'Distributed launcher: pytorch' in log and 'Distributed training: True' in log
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'resumed epoch: 0, iter: 1' in log
    iteration, steps, _ = _state(work_dir / 'iter_2.pth')
    assert (iteration, steps) == (2, {2})


def test_one_process_auto_resumes_a_two_process_checkpoint(dist_run, config_file, repo_root):
    work_dir, _ = dist_run
    _, _, before = _state(work_dir / 'iter_2.pth')
    log = _train(repo_root, [
        config_file, '--work-dir',
        str(work_dir), '--resume', '--cfg-options', 'train_cfg.max_iters=3'
    ])
    assert f"Auto resumed from the latest checkpoint {work_dir / 'iter_2.pth'}" in log
    assert 'resumed epoch: 0, iter: 2' in log
    iteration, steps, after = _state(work_dir / 'iter_3.pth')
    assert (iteration, steps) == (3, {3})
    assert any(not torch.equal(after[key], before[key]) for key in before)


@pytest.mark.timeout(300)
@pytest.mark.skipif(
    not (torch.cuda.is_available() and torch.distributed.is_nccl_available()),
    reason='needs a CUDA GPU and nccl (tools/gpu_check.sh runs it)')
def test_dist_train_on_gpus_uses_nccl(config_file, run_dir, repo_root):
    nproc = min(2, torch.cuda.device_count())
    work_dir = run_dir / 'nccl'
    log = _train(
        repo_root,
        [config_file, '--work-dir',
         str(work_dir), '--cfg-options', 'train_cfg.max_iters=2'],
        nproc=nproc,
        gpus=True)
    assert "dist_cfg: {'backend': 'nccl'" in log
    assert 'Distributed training: True' in log and f'GPU number: {nproc}' in log
    iteration, steps, weights = _state(work_dir / 'iter_2.pth')
    assert (iteration, steps) == (2, {2})
    assert all(torch.isfinite(t).all() for t in weights.values())

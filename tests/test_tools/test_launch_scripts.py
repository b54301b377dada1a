"""The dist_*/slurm_* scripts build the launcher command lines of MMDetection's scripts."""
import os
import os.path as osp
import subprocess


def _run(repo_root, script, args, tmp_path, **env):
    """Run a tools/ script with `python` and `srun` replaced by `echo`-like stubs."""
    srun = tmp_path / 'srun'
    srun.write_text('#!/bin/sh\necho srun "$@"\n')
    srun.chmod(0o755)
    full_env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}', PYTHON='echo', **env)
    result = subprocess.run(['bash', osp.join(repo_root, 'tools', script), *args],
                            env=full_env,
                            capture_output=True,
                            text=True,
                            check=True)
    return result.stdout.split()


def test_dist_train(repo_root, tmp_path):
    words = _run(
        repo_root,
        'dist_train.sh', ['cfg.py', '2', '--resume', '--amp'],
        tmp_path,
        PORT='29511',
        NNODES='2',
        NODE_RANK='1',
        MASTER_ADDR='10.0.0.1')
    assert words[:7] == [
        '-m', 'torch.distributed.run', '--nnodes=2', '--node_rank=1', '--master_addr=10.0.0.1',
        '--nproc_per_node=2', '--master_port=29511'
    ]
    assert osp.basename(words[7]) == 'train.py'
    assert words[8:] == ['cfg.py', '--resume', '--amp', '--launcher', 'pytorch']


def test_dist_test(repo_root, tmp_path):
    words = _run(repo_root, 'dist_test.sh', ['cfg.py', 'ckpt.pth', '3', '--out', 'r.pkl'], tmp_path)
    assert '--nproc_per_node=3' in words and '--master_port=29500' in words
    assert osp.basename(words[7]) == 'test.py'
    assert words[8:] == ['cfg.py', 'ckpt.pth', '--out', 'r.pkl', '--launcher', 'pytorch']


def test_slurm_train_and_test(repo_root, tmp_path):
    words = _run(
        repo_root, 'slurm_train.sh', ['part', 'job', 'cfg.py', 'wd', '--amp'], tmp_path, GPUS='4')
    assert words[:8] == [
        'srun', '-p', 'part', '--job-name=job', '--gres=gpu:8', '--ntasks=4', '--ntasks-per-node=8',
        '--cpus-per-task=5'
    ]
    tool = words.index('-u') + 1
    assert osp.basename(words[tool]) == 'train.py'
    assert words[tool + 1:] == ['cfg.py', '--work-dir=wd', '--amp', '--launcher=slurm']
    words = _run(repo_root, 'slurm_test.sh', ['part', 'job', 'cfg.py', 'ckpt.pth', '--tta'],
                 tmp_path)
    tool = words.index('-u') + 1
    assert osp.basename(words[tool]) == 'test.py'
    assert words[tool + 1:] == ['cfg.py', 'ckpt.pth', '--tta', '--launcher=slurm']


def test_port_zero_lets_torchrun_bind_the_rendezvous_port(repo_root, tmp_path):
    words = _run(repo_root, 'dist_train.sh', ['cfg.py', '2'], tmp_path, PORT='0')
    assert words[:6] == [
        '-m', 'torch.distributed.run', '--nnodes=1', '--node_rank=0', '--nproc_per_node=2',
        '--rdzv-backend=c10d'
    ]
    assert words[6] == '--rdzv-endpoint=127.0.0.1:0'
    assert not any(word.startswith('--master_port') for word in words)

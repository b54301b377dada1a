"""tools/gpu_check.sh: its dry run (``--device cpu --quick``) end to end, and its parsers."""
import json
import os
import os.path as osp
import subprocess
import sys

import pytest


@pytest.mark.timeout(30)
def test_training_stats_from_mmengine_scalars(gpu_check_tool, tmp_path):
    run_dir = tmp_path / '20260101_000000' / 'vis_data'
    run_dir.mkdir(parents=True)
    rows = [
        dict(iter=5 * (i + 1), loss=loss, time=t, memory=m, lr=0.01)
        for i, (loss, t, m) in enumerate(
            zip([4.0, 3.0, 2.5, 2.0, 1.5, 1.0, 0.9, 0.8, 0.7, 0.6],
                [9.0, 0.5, 0.25, 0.25, 0.3, 0.2, 0.25, 0.25, 0.25, 0.4],
                [900, 1200, 1100, 1000, 1000, 1000, 1000, 1000, 1000, 1000]))
    ]
    with open(run_dir / 'scalars.json', 'w') as f:
        f.write(json.dumps({'ic15/hmean': 0.5, 'step': 50}) + '\n')  # a validation line
        for row in rows:
            f.write(json.dumps(row) + '\n')
    stats = gpu_check_tool._training_stats(str(tmp_path))
    # 10 logged losses: the first fifth is (4.0 + 3.0) / 2, the last (0.7 + 0.6) / 2.
    assert stats['loss_first_fifth'] == pytest.approx(3.5)
    assert stats['loss_last_fifth'] == pytest.approx(0.65)
    assert stats['loss_fell'] is True and stats['iterations_logged'] == 50
    # times after the first line, sorted: 0.2, 0.25 x 5, 0.3, 0.4, 0.5; median 0.25 s.
    assert stats['seconds_per_iter_median'] == 0.25 and stats['iters_per_s'] == 4.0
    assert stats['peak_memory_mib'] == 1200
    assert gpu_check_tool._training_stats(str(tmp_path / 'empty')) == dict(iterations_logged=0)


@pytest.mark.timeout(30)
def test_junit_counts(gpu_check_tool, tmp_path):
    path = tmp_path / 'tests.xml'
    path.write_text(
        '<?xml version="1.0"?><testsuites><testsuite tests="4" failures="1" errors="0" '
        'skipped="2"><testcase classname="tests.a" name="test_ok"/>'
        '<testcase classname="tests.a" name="test_bad[cuda]"><failure message="x"/></testcase>'
        '<testcase classname="tests.b" name="test_s1"><skipped/></testcase>'
        '<testcase classname="tests.b" name="test_s2"><skipped/></testcase>'
        '</testsuite></testsuites>')
    counts = gpu_check_tool._junit_counts(str(path))
    assert counts == dict(
        tests=4,
        failures=1,
        errors=0,
        skipped=2,
        passed=1,
        failed_tests=['tests.a::test_bad[cuda]'])


@pytest.mark.timeout(30)
def test_without_an_environment_it_says_what_to_run(tmp_path, repo_root):
    env = {k: v for k, v in os.environ.items() if k != 'PYTHON'}
    env['TEXTBOXES_VENV'] = str(tmp_path / 'missing')
    result = subprocess.run(['bash', osp.join(repo_root, 'tools', 'gpu_check.sh')],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=30)
    assert result.returncode == 2 and 'tools/setup_env.sh' in result.stderr


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_cpu_dry_run_writes_every_step(tmp_path, repo_root):
    out = tmp_path / 'gpu_check'
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        TEXTBOXES_VENV=str(tmp_path / 'no_venv'),
        OMP_NUM_THREADS='1')
    result = subprocess.run([
        'bash',
        osp.join(repo_root, 'tools', 'gpu_check.sh'), '--device', 'cpu', '--quick', '--out-dir',
        str(out)
    ],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=580)
    log = result.stdout + result.stderr
    with open(out / 'gpu_check.json') as f:
        report = json.load(f)
    assert result.returncode == 0 and report['ok'], log[-5000:]
    steps = report['steps']
    assert list(steps) == ['environment', 'tests', 'training', 'inference']
    assert steps['environment']['mmcv'] == '2.0.1'
    assert steps['tests']['tests'] > 0 and steps['tests']['failures'] == 0
    training = steps['training']
    assert training['iterations_logged'] == 4 and training['amp'] is False
    assert len(training['losses']) == 4 and training['iters_per_s'] > 0
    assert (out / 'train' / 'iter_4.pth').exists()
    latency = {(row['model'], row['size']) for row in steps['inference']['latency']}
    assert latency == {('ours_small', 128), ('dbnet_r50', 128)}
    assert '[gpu_check' in log and 'step training: passed' in log

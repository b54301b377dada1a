"""The README's main command (tools/demo.py) runs every step end to end, here at toy size, and a
correct short run learns: a quality floor that a broken pipeline (features, ground truth, colour
order, threshold hand-over) does not reach."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from textboxes_retina.testing import load_tool

REPO = Path(__file__).parents[2]
ITERS = 240
VAL_FLOOR = 0.4


@pytest.mark.slow
@pytest.mark.timeout(960)  # the demo subprocess may take up to 900 s
def test_demo_runs_end_to_end_and_learns(tmp_path):
    work_dir, data_dir = tmp_path / 'demo', tmp_path / 'data'
    proc = subprocess.run([
        sys.executable, 'tools/demo.py', '--work-dir',
        str(work_dir), '--data-dir',
        str(data_dir), '--num-train', '96', '--num-val', '24', '--num-ood', '24', '--iters',
        str(ITERS)
    ],
                          cwd=REPO,
                          capture_output=True,
                          text=True,
                          timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert 'demo finished in' in out and 'real-image hmean:' in out
    assert 'process CPU time' in out
    summary = json.loads((work_dir / 'demo_metrics.json').read_text())
    assert {'val', 'test_ood', 'real', 'score_thr', 'timings', 'cpu_times'} <= set(summary)
    # every child process is one of the steps, so the total is their sum (up to the rounding of
    # float subtraction: the steps' deltas and the total's delta round differently)
    steps_cpu_s = sum(summary['cpu_times'].values())
    assert steps_cpu_s > 0
    assert summary['total_cpu_s'] == pytest.approx(steps_cpu_s, rel=1e-9), summary['cpu_times']
    for split in ('val', 'test_ood', 'real'):
        assert 0.0 <= summary[split]['hmean'] <= 1.0
    # the threshold handed to the later steps is the one picked on val
    assert f'score threshold {summary["score_thr"]:.2f}' in out
    assert (work_dir / f'iter_{ITERS}.pth').exists()
    assert len(list((data_dir / 'train' / 'imgs').glob('*.jpg'))) == 96
    infer = work_dir / 'infer'
    assert len(list((infer / 'vis').glob('*.jpg'))) == 5  # the five toy ICDAR 2015 images
    assert len(list((infer / 'preds').glob('*.json'))) == 5
    # quality floor: this run (seed 0, the demo config's batches of 4) measured val hmean 0.793
    # (P 0.855, R 0.740, threshold 0.35 of the sweep; 0.563 for 120 batches of 8 before); a
    # model that learns nothing, or boxes that miss the words, scores ~0
    assert summary['val']['hmean'] >= VAL_FLOOR, summary


@pytest.mark.timeout(60)
def test_step_cpu_time_is_the_subprocess_own(tmp_path, capsys):
    """run() reports a step's process CPU time: here a child that burns about 0.5 CPU-s and
    writes down its own measure (time.process_time, the oracle), and a grandchild 0.3 CPU-s."""
    demo = load_tool('tools/demo.py')
    burn = ('import time\n'
            'def burn(s):\n'
            '    t = time.process_time()\n'
            '    while time.process_time() - t < s: pass\n')
    out_file = tmp_path / 'own.txt'
    child = (
        burn + 'import subprocess, sys\n'
        f'subprocess.run([sys.executable, "-c", {burn + "burn(0.3)"!r}], check=True)\n'
        f'burn(0.5)\nopen({str(out_file)!r}, "w").write(str(time.process_time()))\n')
    cpu_times = {}
    wall = demo.run('burn', [sys.executable, '-c', child], cpu_times=cpu_times, key='burn')
    own = float(out_file.read_text())
    assert own >= 0.5
    # the child's own CPU time plus its grandchild's (0.3 s), plus interpreter start-ups
    assert own + 0.3 <= cpu_times['burn'] <= own + 0.3 + 1.0, (own, cpu_times)
    assert wall > 0 and 'process CPU' in capsys.readouterr().out

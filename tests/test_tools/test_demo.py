"""The README's main command (tools/demo.py) runs every step end to end, here at toy size."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


@pytest.mark.slow
@pytest.mark.timeout(960)  # the demo subprocess may take up to 900 s
def test_demo_runs_end_to_end_at_toy_size(tmp_path):
    work_dir, data_dir = tmp_path / 'demo', tmp_path / 'data'
    proc = subprocess.run(
        [sys.executable, 'tools/demo.py', '--work-dir', str(work_dir), '--data-dir',
         str(data_dir), '--num-train', '8', '--num-test', '4', '--iters', '2'],
        cwd=REPO, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert 'demo finished in' in out and 'hmean:' in out
    # every artefact the summary points at exists
    metrics = json.loads((work_dir / 'test_metrics.json').read_text())
    assert {'ic15/precision', 'ic15/recall', 'ic15/hmean'} <= set(metrics)
    assert 0.0 <= metrics['ic15/hmean'] <= 1.0
    assert (work_dir / 'iter_2.pth').exists()
    assert len(list((data_dir / 'train' / 'imgs').glob('*.jpg'))) == 8
    infer = work_dir / 'infer'
    assert len(list((infer / 'vis').glob('*.jpg'))) == 5  # the five toy ICDAR 2015 images
    assert len(list((infer / 'preds').glob('*.json'))) == 5
    assert len(list(work_dir.rglob('test_vis/*.jpg'))) == 4

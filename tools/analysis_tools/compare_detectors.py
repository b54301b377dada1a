# Copyright (c) textboxes_retina authors.
"""Our small detector next to MMOCR's DBNet-R18, trained on the same data for the same CPU time.

Both detectors train on the demo's generated data (``tools/make_synthetic_dataset.py``) with
their own configs:

- ``configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py``;
- ``configs/dbnet/dbnet_resnet18_fpnc_1xb8-2k_synthetic.py`` (MMOCR's DBNet-R18 model and
  pipelines, same data, batch 8, no ImageNet weights).

Each training is ``tools/train.py`` (both run at the same time) on a config written into the
work dir that inherits the detector's config and changes only: the data roots,
``num_workers=0`` (data loading runs in the training process, so it counts in its CPU time), no
validation, and a ``CPUTimeBudgetHook``
that makes an iteration the last once the training process has used ``--cpu-budget-s`` seconds
of CPU time (``time.process_time``: every thread, user + system). CPU time rather than wall
time keeps the comparison fair on a shared machine. Each keeps its own learning-rate schedule
(both are 2k-iteration schedules; a short budget stops early in them).

Then, in this process, each checkpoint is tested on the generated test split with our
``IC15HmeanMetric`` (the official IC15 protocol, at ``score_thr=0.4`` and over MMOCR's
threshold sweep 0.3-0.9) and MMOCR's ``HmeanIOUMetric`` (best hmean over the same sweep), and
its latency is timed (``test_step``: preprocessing, network, post-processing; median wall
time over ``--latency-images`` test images after one warm-up, and the median process CPU time,
which a shared machine inflates less) with ``--threads`` torch threads.

Writes ``<work-dir>/compare_detectors.json`` and ``<work-dir>/compare_detectors.md``.

Usage::

    nice -n 10 python tools/analysis_tools/compare_detectors.py --cpu-budget-s 300
    python tools/analysis_tools/compare_detectors.py --cpu-budget-s 5 --num-train 8 \\
        --num-test 4 --latency-images 2 --batch-size 2 --work-dir /tmp/compare   # a smoke run
    python tools/analysis_tools/compare_detectors.py \\
        --render work_dirs/compare_detectors/compare_detectors.json     # the table again
"""
import argparse
import datetime
import json
import os
import os.path as osp
import resource
import shlex
import subprocess
import sys
import time
from typing import Dict, List, Optional

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DETECTORS = {
    'textboxes_retina_r18_small':
    ('TextBoxes-Retina R18-small (ours)',
     'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'),
    'dbnet_r18':
    ('MMOCR DBNet-R18 (FPNC)', 'configs/dbnet/dbnet_resnet18_fpnc_1xb8-2k_synthetic.py'),
}
#: MMOCR's HmeanIOUMetric default score thresholds (np.arange gives 0.3, 0.4, ..., 0.9: 7 of
#: them); ours sweeps the same.
SWEEP = dict(start=0.3, stop=0.9, step=0.1)


def parse_args(argv=None) -> argparse.Namespace:
    """Parse the command line (``argv`` defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--cpu-budget-s',
        type=float,
        default=300.0,
        help='process CPU seconds of training per detector')
    parser.add_argument('--detectors', nargs='+', choices=list(DETECTORS), default=list(DETECTORS))
    parser.add_argument(
        '--data-dir',
        default='data/synthetic_text',
        help='generated data (made with tools/make_synthetic_dataset.py when '
        'missing; reused when present)')
    parser.add_argument('--num-train', type=int, default=600, help='generated training images')
    parser.add_argument('--num-test', type=int, default=100, help='generated test images')
    parser.add_argument('--seed', type=int, default=0, help='data and training seed')
    parser.add_argument(
        '--threads',
        type=int,
        default=1,
        help='torch threads of training (OMP_NUM_THREADS) and of the latency')
    parser.add_argument(
        '--latency-images', type=int, default=20, help='test images timed per detector')
    parser.add_argument(
        '--batch-size',
        type=int,
        default=None,
        help='training batch size of both (default: the configs\' own, 8); '
        'for smoke runs')
    parser.add_argument('--work-dir', default='work_dirs/compare_detectors')
    parser.add_argument(
        '--render',
        metavar='JSON',
        default=None,
        help='run nothing: print the table of a saved compare_detectors.json')
    return parser.parse_args(argv)


def _run(cmd: List[str], env: Optional[Dict] = None) -> Dict[str, float]:
    """Run a command in the repo root, echoing it; return its wall and CPU seconds."""
    print(f'$ {" ".join(shlex.quote(c) for c in cmd)}', flush=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO, env=env)
    wall = time.time() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f'compare_detectors: {cmd[1]} failed (exit {proc.returncode}); see above')
    return dict(
        wall_s=wall, cpu_s=(after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def ensure_data(args) -> None:
    """Generate the train and test splits unless they exist."""
    root = osp.join(REPO, args.data_dir)
    if all(osp.isdir(osp.join(root, split, 'imgs')) for split in ('train', 'test')):
        print(f'data: reusing {args.data_dir}')
        return
    _run([
        sys.executable, 'tools/make_synthetic_dataset.py', '--out-dir', args.data_dir, '--split',
        'train', 'test', '--num-images',
        str(args.num_train),
        str(args.num_test), '--seed',
        str(args.seed)
    ])


def budget_config(key: str, args) -> str:
    """Write ``<work-dir>/<key>_budget.py``: the detector's config with only the data
    roots, workers, validation, budget hook, evaluators and seed changed. Returns its path."""
    data_root = osp.abspath(osp.join(REPO, args.data_dir))
    base = osp.join(REPO, DETECTORS[key][1])
    loader = 'dict(num_workers=0, persistent_workers=False, dataset=dict(data_root={!r}))'
    batch = f', batch_size={args.batch_size})' if args.batch_size else ')'
    text = f"""# Written by tools/analysis_tools/compare_detectors.py: {DETECTORS[key][1]}
# trained for {args.cpu_budget_s:g} s of process CPU time on {args.data_dir}.
_base_ = [{base!r}]

train_dataloader = {loader.format(data_root + '/train')[:-1] + batch}
test_dataloader = {loader.format(data_root + '/test')}
val_dataloader = None
val_cfg = None
val_evaluator = None
test_evaluator = [
    dict(type='IC15HmeanMetric', score_thr=0.4, score_thr_sweep={SWEEP!r}),
    dict(type='HmeanIOUMetric', pred_score_thrs={SWEEP!r}),
]
custom_hooks = [dict(type='CPUTimeBudgetHook', budget_s={args.cpu_budget_s!r})]
default_hooks = dict(checkpoint=dict(interval=100000, save_last=True, max_keep_ckpts=1))
randomness = dict(seed={args.seed})
"""

    # Beside the run's work dir, not in it: mmengine dumps the full config there under the
    # same name.
    os.makedirs(osp.join(REPO, args.work_dir), exist_ok=True)
    path = osp.join(REPO, args.work_dir, f'{key}_budget.py')
    with open(path, 'w') as f:
        f.write(text)
    return path


def train_all(configs: Dict[str, str], args) -> Dict[str, Dict]:
    """``tools/train.py`` on each budget config, all at once (a CPU-time budget does not depend
    on what else runs, so concurrent runs get the same work and take half the wall time); the
    iterations each reached, its checkpoint and the command's wall and CPU seconds."""
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    running = {}
    for key, config in configs.items():
        cmd = [
            sys.executable, 'tools/train.py', config, '--work-dir',
            osp.join(REPO, args.work_dir, key)
        ]
        print(f'$ {" ".join(shlex.quote(c) for c in cmd)}', flush=True)
        running[key] = (subprocess.Popen(cmd, cwd=REPO, env=env), time.time())
    results = {}
    for key, (proc, start) in running.items():
        _, status, usage = os.wait4(proc.pid, 0)  # the child's own CPU time
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            sys.exit(f'compare_detectors: training {key} failed (exit {proc.returncode}); '
                     'see above')
        work_dir = osp.join(REPO, args.work_dir, key)
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
        iters = int(osp.splitext(osp.basename(checkpoint))[0].split('_')[-1])
        results[key] = dict(
            checkpoint=checkpoint,
            iterations=iters,
            command_wall_s=time.time() - start,
            command_cpu_s=usage.ru_utime + usage.ru_stime,
            final_loss=_final_loss(work_dir))
    return results


def _final_loss(work_dir: str) -> Optional[float]:
    """The last logged training loss (mmengine's ``vis_data/scalars.json``), if any."""
    runs = sorted(
        d for d in os.listdir(work_dir)
        if d[:8].isdigit() and osp.isfile(osp.join(work_dir, d, 'vis_data', 'scalars.json')))
    loss = None
    if runs:
        with open(osp.join(work_dir, runs[-1], 'vis_data', 'scalars.json')) as f:
            for line in f:
                loss = json.loads(line).get('loss', loss)
    return loss


def test_and_time(key: str, config: str, checkpoint: str, args) -> Dict:
    """Both metrics on the test split, then the latency of ``test_step`` on test images."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmengine.runner import Runner

    cfg = Config.fromfile(config)
    cfg.work_dir = osp.join(REPO, args.work_dir, key, 'test')
    cfg.load_from = checkpoint
    cfg.visualizer.name = f'compare_detectors_{key}'
    cfg.default_hooks.visualization.enable = False
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    model = runner.model.eval()
    dataset = runner.test_dataloader.dataset
    count = min(args.latency_images, len(dataset))
    times, cpu_times, shapes = [], [], []
    with torch.no_grad():
        for index in [0] + list(range(count)):  # the first run warms up
            batch = pseudo_collate([dataset[index]])
            start, cpu_start = time.perf_counter(), time.process_time()
            model.test_step(batch)
            times.append(time.perf_counter() - start)
            cpu_times.append(time.process_time() - cpu_start)
            shapes.append(list(batch['inputs'][0].shape[-2:]))
    latency, cpu = np.array(times[1:]) * 1e3, np.array(cpu_times[1:]) * 1e3
    return dict(
        metrics={
            k: float(v)
            for k, v in metrics.items()
        },
        latency_ms=dict(
            median=float(np.median(latency)),
            p90=float(np.percentile(latency, 90)),
            images=count,
            cpu_median=float(np.median(cpu))),
        input_shapes=sorted({tuple(s)
                             for s in shapes[1:]}),
        params_m=sum(p.numel() for p in model.parameters()) / 1e6)


def markdown(results: Dict) -> str:
    """The side-by-side table."""
    header = [
        'detector', 'iterations', 'train CPU s (command)', 'train wall s',
        'IC15 (ours) P / R / H @0.4', 'IC15 (ours) best H, 0.3-0.9',
        'MMOCR HmeanIOU best H, 0.3-0.9', 'latency ms (median, p90)', 'CPU ms / image (median)',
        'input', 'params M'
    ]
    rows = []
    for entry in results['detectors']:
        m = entry['metrics']

        def f(value, spec='.4f'):
            return '-' if value is None else format(value, spec)

        ours = ' / '.join(f(m.get(f'ic15/{k}')) for k in ('precision', 'recall', 'hmean'))
        rows.append([
            entry['label'],
            str(entry['iterations']), f"{entry['command_cpu_s']:.0f}",
            f"{entry['command_wall_s']:.0f}", ours,
            f(m.get('ic15/sweep_best_hmean')),
            f(m.get('icdar/hmean')),
            f"{entry['latency_ms']['median']:.1f}, {entry['latency_ms']['p90']:.1f}",
            f(entry['latency_ms'].get('cpu_median'),
              '.1f'), ', '.join('x'.join(map(str, s))
                                for s in entry['input_shapes'][:2]), f"{entry['params_m']:.2f}"
        ])
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines += ['| ' + ' | '.join(row) + ' |' for row in rows]
    return '\n'.join(lines)


def main(argv=None) -> Dict:
    args = parse_args(argv)
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        print(markdown(results))
        return results
    import torch
    torch.set_num_threads(args.threads)
    start = time.time()
    ensure_data(args)
    results = dict(
        started=datetime.datetime.now().isoformat(timespec='seconds'),
        args=vars(args),
        load_before=os.getloadavg(),
        detectors=[])
    configs = {key: budget_config(key, args) for key in args.detectors}
    print(f'\n=== train {", ".join(configs)} for {args.cpu_budget_s:g} CPU s each', flush=True)
    trained = train_all(configs, args)
    for key, config in configs.items():
        print(f'=== {key}: test and latency', flush=True)
        entry = dict(key=key, label=DETECTORS[key][0], config=DETECTORS[key][1], **trained[key])
        entry.update(test_and_time(key, config, entry['checkpoint'], args))
        results['detectors'].append(entry)
    results['load_after'] = os.getloadavg()
    results['wall_s'] = time.time() - start
    table = markdown(results)
    out_dir = osp.join(REPO, args.work_dir)
    with open(osp.join(out_dir, 'compare_detectors.json'), 'w') as f:
        json.dump(results, f, indent=1)
    with open(osp.join(out_dir, 'compare_detectors.md'), 'w') as f:
        f.write(table + '\n')
    print('\n' + table)
    print(f'\nresults in {osp.join(args.work_dir, "compare_detectors.json")} and .md')
    return results


if __name__ == '__main__':
    main()

# Copyright (c) textboxes_retina authors.
"""The end-to-end demo: from nothing to a quad text detector that finds real text, on a CPU.

1. generate synthetic ICDAR2015-format data with real fonts (tools/make_synthetic_dataset.py):
   ``train`` and ``val`` (the same font families and backgrounds) and ``test_ood`` (a font
   family and a background style that ``train`` never uses);
2. train the demo config (a pretrained text detector, PP-OCRv4's, fine-tuned at the step size
   of the trainable FPN and quad head: its features for the head, its text probability map by
   DB's own loss of it) on ``train`` (tools/train.py); its last validation on ``val`` sweeps
   the score threshold;
3. pick the threshold with the best hmean on ``val``, then evaluate with it, IC15 protocol
   (tools/test.py), on ``test_ood`` and on the real ICDAR 2015 images bundled in
   ``tests/data/icdar2015_toy`` (never trained or tuned on: they are the test);
4. draw the detections on those real images at that threshold (tools/infer.py);
5. print the metrics and where everything is.

Every step runs the same command a user would run, and prints it first. ::

    python tools/demo.py                                   # what `make demo` runs
    python tools/demo.py --iters 60 --num-train 64 --num-val 16 --num-ood 16   # a quick look
"""
import argparse
import json
import os
import os.path as osp
import resource
import shlex
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = ('configs/textboxes_retina/'
          'textboxes_retina_ppocrv4-det-dbft_fpn-c3_1xb4-adam_synthetic.py')
REAL_DATA = ('../shared/data/icdar2015_toy', 'tests/data/icdar2015_toy')
HOLDOUT_FAMILY, HOLDOUT_BACKGROUND = 'Lato', 'tiles'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='End-to-end demo on CPU')
    parser.add_argument('--config', default=CONFIG, help='the config to train')
    parser.add_argument('--work-dir', default='work_dirs/demo', help='where everything goes')
    parser.add_argument(
        '--data-dir',
        default='data/synthetic_text',
        help='where the synthetic dataset is generated')
    parser.add_argument('--num-train', type=int, default=800, help='generated training images')
    parser.add_argument(
        '--num-val',
        type=int,
        default=100,
        help='generated validation images (picks the score threshold)')
    parser.add_argument(
        '--num-ood',
        type=int,
        default=100,
        help=f'generated held-out images in a font family ({HOLDOUT_FAMILY}) and '
        f'background style ({HOLDOUT_BACKGROUND}) that training never sees')
    parser.add_argument('--iters', type=int, default=800, help='training iterations')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--real-data',
        default=None,
        help='ICDAR 2015 layout folder (imgs/, gts/) of real images to evaluate '
        'and draw (default: the bundled toy set)')
    return parser.parse_args(argv)


def children_cpu_s():
    """Process CPU seconds (user + system) of the finished subprocesses so far, their own
    children (data loader workers, generator processes) included."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(step, cmd, cpu_times=None, key=None):
    """Run one step as a subprocess in the repo root, echoing the command; stop on failure.

    Returns the wall seconds; with ``cpu_times``, stores the step's process CPU seconds there
    under ``key``."""
    print(f'\n=== {step}\n$ {" ".join(shlex.quote(c) for c in cmd)}', flush=True)
    start, cpu_start = time.time(), children_cpu_s()
    proc = subprocess.run(cmd, cwd=REPO)
    if proc.returncode != 0:
        sys.exit(f'demo: step "{step}" failed (exit {proc.returncode}); see the output above')
    elapsed, cpu = time.time() - start, children_cpu_s() - cpu_start
    if cpu_times is not None:
        cpu_times[key] = cpu
    print(f'=== {step}: done in {elapsed:.0f} s ({cpu:.0f} s of process CPU)', flush=True)
    return elapsed


def main(argv=None):
    args = parse_args(argv)
    if args.iters < 2:
        sys.exit('demo: --iters must be at least 2 (1 warm-up iteration, then the cosine decay)')
    py = sys.executable
    work_dir, data_dir = args.work_dir, args.data_dir
    real = args.real_data or next(
        (path for path in REAL_DATA if osp.isdir(osp.join(REPO, path, 'gts'))), REAL_DATA[-1])
    splits = {'train': args.num_train, 'val': args.num_val, 'test_ood': args.num_ood}
    timings, cpu_times = {}, {}
    start, cpu_start = time.time(), children_cpu_s()

    if all(osp.isdir(osp.join(REPO, data_dir, split)) for split in splits):
        print(f'=== generate data: reusing {data_dir} (delete it to regenerate)')
    else:
        timings['generate'] = run(
            'generate data',
            cpu_times=cpu_times,
            key='generate',
            cmd=[
                py, 'tools/make_synthetic_dataset.py', '--out-dir', data_dir, '--split', *splits,
                '--num-images', *map(str, splits.values()), '--seed',
                str(args.seed), '--style', 'typeset', '--holdout-family', HOLDOUT_FAMILY,
                '--holdout-background', HOLDOUT_BACKGROUND, '--holdout-splits', 'test_ood',
                '--workers',
                str(min(2,
                        os.cpu_count() or 1))
            ])

    warmup = max(1, min(100, args.iters // 10))
    checkpoint = osp.join(work_dir, f'iter_{args.iters}.pth')
    if osp.exists(osp.join(REPO, checkpoint)):
        print(f'=== train: reusing {checkpoint} and its validation (delete it to retrain)')
    else:
        timings['train'] = run(
            'train (validates on val at the end: the score-threshold sweep)',
            cpu_times=cpu_times,
            key='train',
            cmd=[
                py,
                'tools/train.py',
                args.config,
                '--work-dir',
                work_dir,
                '--cfg-options',
                f'train_dataloader.dataset.data_root={data_dir}/train',
                f'val_dataloader.dataset.data_root={data_dir}/val',
                f'train_cfg.max_iters={args.iters}',
                f'train_cfg.val_interval={args.iters}',
                f'param_scheduler.0.end={warmup}',
                f'param_scheduler.1.begin={warmup}',
                f'param_scheduler.1.end={args.iters}',
                f'param_scheduler.1.T_max={args.iters - warmup}',
                f'default_hooks.checkpoint.interval={args.iters}',
                f'randomness.seed={args.seed}',
            ])
    val = _latest_run_metrics(osp.join(REPO, work_dir), training=True)
    thr = val['ic15/sweep_best_thr']
    print(f'\n=== score threshold picked on {args.num_val} generated val images: {thr:.2f} '
          f'(val hmean {val["ic15/sweep_best_hmean"]:.4f} there)')

    results = {
        'val': {
            k.split('/')[-1]: val[f'ic15/sweep_best_{k.split("/")[-1]}']
            for k in ('precision', 'recall', 'hmean')
        }
    }
    for name, root, label in (('test_ood', f'{data_dir}/test_ood',
                               f'{args.num_ood} held-out generated images '
                               f'({HOLDOUT_FAMILY} font, {HOLDOUT_BACKGROUND} backgrounds)'),
                              ('real', real, f'the real ICDAR 2015 images in {real}')):
        timings[name] = run(
            f'evaluate (IC15 protocol, threshold {thr:.2f}) on {label}',
            cpu_times=cpu_times,
            key=name,
            cmd=[
                py, 'tools/test.py', args.config, checkpoint, '--work-dir', work_dir,
                '--cfg-options', f'test_dataloader.dataset.data_root={root}',
                f'test_evaluator.score_thr={thr}',
                f'test_evaluator.per_image_json={work_dir}/{name}_per_image.json'
            ])
        metrics = _latest_run_metrics(osp.join(REPO, work_dir))
        results[name] = {k: metrics[f'ic15/{k}'] for k in ('precision', 'recall', 'hmean')}

    infer_dir = osp.join(work_dir, 'infer')
    timings['infer'] = run(
        f'draw the detections on the real images (threshold {thr:.2f})',
        cpu_times=cpu_times,
        key='infer',
        cmd=[
            py, 'tools/infer.py', args.config, checkpoint,
            osp.join(real, 'imgs'), '--out-dir', infer_dir, '--formats', 'json', 'txt',
            '--score-thr',
            str(thr)
        ])
    summary = dict(
        score_thr=thr,
        timings=timings,
        total_s=time.time() - start,
        cpu_times=cpu_times,
        total_cpu_s=children_cpu_s() - cpu_start,
        **results)
    with open(osp.join(REPO, work_dir, 'demo_metrics.json'), 'w') as f:
        json.dump(summary, f, indent=2)

    print('\n' + '=' * 72)
    print('demo finished in %.0f s (%s)' %
          (summary['total_s'], ', '.join(f'{k} {v:.0f} s' for k, v in timings.items())))
    print('process CPU time %.0f s (%s; an idle 2-core machine gives at most 2 CPU-seconds a '
          'second)' % (summary['total_cpu_s'], ', '.join(f'{k} {v:.0f} s'
                                                         for k, v in cpu_times.items())))
    print(f'IC15 protocol, score threshold {thr:.2f} (picked on the generated val images):')
    for name, label in (('val', f'generated val ({args.num_val}, picks the threshold)'),
                        ('test_ood', f'generated held-out ({args.num_ood}, unseen font+bg)'),
                        ('real', 'real ICDAR 2015 images')):
        m = results[name]
        print(f'  {label:<48} precision={m["precision"]:.4f} recall={m["recall"]:.4f} '
              f'hmean={m["hmean"]:.4f}')
    print(f'real-image hmean: {results["real"]["hmean"]:.4f}')
    print(f'metrics:           {work_dir}/demo_metrics.json')
    print(f'checkpoint:        {checkpoint}')
    print(f'real-image quads:  {infer_dir}/ (drawn images in vis/, JSON and ICDAR txt)')


def _latest_run_metrics(work_dir, training=False):
    """The last IC15 metrics of the newest test run (mmengine's ``<ts>/<ts>.json``), or with
    ``training`` of the newest training run (its ``<ts>/vis_data/<ts>.json``, with losses)."""
    runs = sorted(
        d for d in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, d)) and d[:8].isdigit())
    for run_dir in reversed(runs):
        path = (
            osp.join(work_dir, run_dir, 'vis_data', f'{run_dir}.json') if training else osp.join(
                work_dir, run_dir, f'{run_dir}.json'))
        if not osp.exists(path):
            continue
        with open(path) as f:
            lines = [json.loads(line) for line in f if line.strip()]
        if training and not any('loss' in line for line in lines):
            continue
        lines = [line for line in lines if 'ic15/hmean' in line]
        if lines:
            return lines[-1]
    raise SystemExit(f'demo: no IC15 metrics of a {"training" if training else "test"} run '
                     f'under {work_dir}')


if __name__ == '__main__':
    main()

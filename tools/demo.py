"""The end-to-end demo: from nothing to a trained quad text detector, on a CPU.

1. generate a synthetic ICDAR2015-format dataset (tools/make_synthetic_dataset.py);
2. train the small config on it (tools/train.py);
3. evaluate with the IC15 protocol on held-out generated images (tools/test.py);
4. detect text in the bundled real ICDAR 2015 images (tools/infer.py);
5. print where the drawn images and the metrics are.

Every step runs the same command a user would run, and prints it first. ::

    python tools/demo.py                       # what `make demo` runs
    python tools/demo.py --iters 200 --num-train 64 --num-test 16   # a quick look
"""
import argparse
import json
import os
import os.path as osp
import shlex
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'
TOY_IMAGES = ('../shared/data/icdar2015_toy/imgs', 'tests/data/icdar2015_toy/imgs')


def parse_args():
    parser = argparse.ArgumentParser(description='End-to-end demo on CPU')
    parser.add_argument('--work-dir', default='work_dirs/demo', help='where everything goes')
    parser.add_argument('--data-dir', default='data/synthetic_text',
                        help='where the synthetic dataset is generated')
    parser.add_argument('--num-train', type=int, default=600, help='generated training images')
    parser.add_argument('--num-test', type=int, default=100, help='generated held-out images')
    parser.add_argument('--iters', type=int, default=900, help='training iterations')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--images', default=None,
                        help='images for the inference step (default: the toy ICDAR 2015 set)')
    return parser.parse_args()


def run(step, cmd):
    """Run one step as a subprocess in the repo root, echoing the command; stop on failure."""
    print(f'\n=== {step}\n$ {" ".join(shlex.quote(c) for c in cmd)}', flush=True)
    start = time.time()
    proc = subprocess.run(cmd, cwd=REPO)
    if proc.returncode != 0:
        sys.exit(f'demo: step "{step}" failed (exit {proc.returncode}); see the output above')
    elapsed = time.time() - start
    print(f'=== {step}: done in {elapsed:.0f} s', flush=True)
    return elapsed


def main():
    args = parse_args()
    if args.iters < 2:
        sys.exit('demo: --iters must be at least 2 (1 warm-up iteration, then the cosine decay)')
    py = sys.executable
    work_dir = args.work_dir
    data_dir = args.data_dir
    images = args.images or next(
        (path for path in TOY_IMAGES if osp.isdir(osp.join(REPO, path))), TOY_IMAGES[-1])
    data_opts = [
        f'train_dataloader.dataset.data_root={data_dir}/train',
        f'val_dataloader.dataset.data_root={data_dir}/test',
        f'test_dataloader.dataset.data_root={data_dir}/test',
    ]
    timings = {}
    start = time.time()

    if osp.isdir(osp.join(REPO, data_dir, 'train')) and osp.isdir(osp.join(REPO, data_dir, 'test')):
        print(f'=== generate data: reusing {data_dir} (delete it to regenerate)')
    else:
        timings['generate'] = run('generate data', [
            py, 'tools/make_synthetic_dataset.py', '--out-dir', data_dir, '--split', 'train',
            'test', '--num-images', str(args.num_train), str(args.num_test), '--seed',
            str(args.seed)
        ])

    warmup = max(1, min(100, args.iters // 10))
    train_opts = [
        f'train_cfg.max_iters={args.iters}',
        f'train_cfg.val_interval={args.iters}',
        f'param_scheduler.0.end={warmup}',
        f'param_scheduler.1.begin={warmup}',
        f'param_scheduler.1.end={args.iters}',
        f'param_scheduler.1.T_max={args.iters - warmup}',
        f'default_hooks.checkpoint.interval={args.iters}',
        f'randomness.seed={args.seed}',
    ]
    timings['train'] = run('train', [
        py, 'tools/train.py', CONFIG, '--work-dir', work_dir, '--cfg-options', *data_opts,
        *train_opts
    ])
    checkpoint = osp.join(work_dir, f'iter_{args.iters}.pth')

    metrics_json = osp.join(work_dir, 'test_metrics.json')
    per_image_json = osp.join(work_dir, 'test_per_image.json')
    timings['test'] = run('evaluate (IC15 protocol, held-out generated images)', [
        py, 'tools/test.py', CONFIG, checkpoint, '--work-dir', work_dir, '--show-dir',
        'test_vis', '--cfg-options', *data_opts,
        f'test_evaluator.per_image_json={per_image_json}'
    ])
    metrics = _latest_test_metrics(osp.join(REPO, work_dir))
    with open(osp.join(REPO, metrics_json), 'w') as f:
        json.dump(metrics, f, indent=2)

    infer_dir = osp.join(work_dir, 'infer')
    timings['infer'] = run('detect text in real ICDAR 2015 images', [
        py, 'tools/infer.py', CONFIG, checkpoint, images, '--out-dir', infer_dir,
        '--formats', 'json', 'txt'
    ])

    total = time.time() - start
    hmean = next((v for k, v in metrics.items() if k.endswith('hmean')), None)
    print('\n' + '=' * 72)
    print('demo finished in %.0f s (%s)' % (total, ', '.join(
        f'{k} {v:.0f} s' for k, v in timings.items())))
    print(f'IC15 protocol on {args.num_test} held-out generated images: ' +
          ', '.join(f'{k.split("/")[-1]}={v:.4f}' for k, v in metrics.items()
                    if isinstance(v, float)))
    if hmean is not None:
        print(f'hmean: {hmean:.4f}')
    print(f'metrics:           {metrics_json} (per image: {per_image_json})')
    print(f'checkpoint:        {checkpoint}')
    print(f'drawn test images: {_find_dir(osp.join(REPO, work_dir), "test_vis")}')
    print(f'real-image quads:  {infer_dir}/ (drawn images, JSON and ICDAR txt)')


def _latest_test_metrics(work_dir):
    """The metrics of the newest test run, from mmengine's ``<timestamp>/<timestamp>.json``."""
    runs = sorted(d for d in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, d))
                  and d[:8].isdigit())
    for run_dir in reversed(runs):
        path = osp.join(work_dir, run_dir, f'{run_dir}.json')
        if osp.exists(path):
            with open(path) as f:
                lines = [json.loads(line) for line in f if line.strip()]
            if lines:
                return {k: v for k, v in lines[-1].items() if k != 'step'}
    raise SystemExit(f'demo: no test metrics found under {work_dir}')


def _find_dir(root, name):
    for dirpath, dirnames, _ in os.walk(root):
        if name in dirnames:
            return osp.join(dirpath, name)
    return osp.join(root, '<timestamp>', name)


if __name__ == '__main__':
    main()

# Copyright (c) textboxes_retina authors.
"""A/B of the regression/classification loss balance on a CPU, in one run.

Trains the small model (``textboxes_retina_r18-small``) once per loss setting on the same
generated images (``tools/make_synthetic_dataset.py``), with the same seed, iterations and
schedule, then evaluates each on the same held-out generated images with the IC15 protocol
(``IC15HmeanMetric``) and prints the table written to ``docs/loss_balance.md``::

    nice -n 10 python tools/analysis_tools/loss_balance_ab.py            # the docs' table
    python tools/analysis_tools/loss_balance_ab.py --iters 20 --num-train 16 --num-test 8

Each setting is a config that inherits the small synthetic config and changes only the
regression targets and loss (``configs/textboxes_retina/*-loss-{retina,seed,tbpp}_*``).
The settings run one after another in this process, or side by side in ``--jobs`` processes, each
with ``--threads`` torch threads and the data pipeline in its main process (``num_workers=0``),
so wall and CPU times are comparable between settings; on a shared machine they are upper bounds.
"""
import argparse
import json
import os.path as osp
import subprocess
import sys
import time
from typing import Dict, List

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SETTINGS = {
    'retina':
    'configs/textboxes_retina/'
    'textboxes_retina_r18-small-loss-retina_1xb8-adam-2k_synthetic.py',
    'seed':
    'configs/textboxes_retina/'
    'textboxes_retina_r18-small-loss-seed_1xb8-adam-2k_synthetic.py',
    'tbpp':
    'configs/textboxes_retina/'
    'textboxes_retina_r18-small-loss-tbpp_1xb8-adam-2k_synthetic.py',
}


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='CPU A/B of the loss balance settings')
    parser.add_argument(
        '--settings',
        nargs='+',
        default=list(SETTINGS),
        help=f'settings to compare, from {list(SETTINGS)}, or CONFIG paths')
    parser.add_argument(
        '--data-dir',
        default='data/synthetic_text_ab',
        help='generated dataset (made if missing; delete it to regenerate)')
    parser.add_argument('--num-train', type=int, default=300, help='generated training images')
    parser.add_argument('--num-test', type=int, default=60, help='generated held-out images')
    parser.add_argument('--iters', type=int, default=200, help='training iterations per setting')
    parser.add_argument('--batch-size', type=int, default=8)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--threads', type=int, default=1, help='torch threads per setting')
    parser.add_argument(
        '--jobs',
        type=int,
        default=1,
        help='settings trained at the same time, in separate processes')
    parser.add_argument('--work-dir', default='work_dirs/loss_balance_ab')
    parser.add_argument(
        '--out', default=None, help='JSON file for the results (default: WORK_DIR/results.json)')
    return parser.parse_args(argv)


def make_data(args) -> None:
    """Generate the train/test images with ``tools/make_synthetic_dataset.py`` if missing."""
    root = osp.join(REPO, args.data_dir)
    if osp.isdir(osp.join(root, 'train')) and osp.isdir(osp.join(root, 'test')):
        print(f'reusing {args.data_dir}')
        return
    cmd = [
        sys.executable, 'tools/make_synthetic_dataset.py', '--out-dir', args.data_dir, '--split',
        'train', 'test', '--num-images',
        str(args.num_train),
        str(args.num_test), '--seed',
        str(args.seed)
    ]
    print('$ ' + ' '.join(cmd), flush=True)
    subprocess.run(cmd, cwd=REPO, check=True)


def setting_config(name: str, args):
    """The config of one setting, set to this run's data, length, seed and work dir."""
    from mmengine.config import Config
    path = SETTINGS.get(name, name)
    cfg = Config.fromfile(osp.join(REPO, path))
    iters = args.iters
    warmup = max(1, min(100, iters // 10))
    tag = osp.splitext(osp.basename(path))[0] if name not in SETTINGS else name
    cfg.work_dir = osp.join(REPO, args.work_dir, tag)
    cfg.train_cfg.max_iters = iters
    # No validation: the held-out images are evaluated once, by runner.test().
    cfg.train_cfg.val_interval = iters + 1
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.param_scheduler[0].end = warmup
    cfg.param_scheduler[1].update(begin=warmup, end=iters, T_max=iters - warmup)
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = max(1, iters // 10)
    cfg.randomness = dict(seed=args.seed)
    cfg.visualizer.name = f'loss_balance_ab_{tag}'
    for split, loader in (('train', cfg.train_dataloader), ('test', cfg.test_dataloader)):
        loader.dataset.data_root = osp.join(REPO, args.data_dir, split)
        loader.num_workers = 0
        loader.persistent_workers = False
    cfg.train_dataloader.batch_size = args.batch_size
    return tag, path, cfg


def run_setting(name: str, args) -> Dict:
    """Train and test one setting; returns its metrics and times."""
    import torch
    from mmengine.runner import Runner
    tag, path, cfg = setting_config(name, args)
    torch.set_num_threads(args.threads)
    print(f'\n=== {tag}: {path}', flush=True)
    wall, cpu = time.time(), time.process_time()
    runner = Runner.from_cfg(cfg)
    runner.train()
    train_wall, train_cpu = time.time() - wall, time.process_time() - cpu
    losses = {}
    for key in ('loss_cls', 'loss_bbox'):
        history = runner.message_hub.log_scalars.get(f'train/{key}')
        if history is not None:
            values = history.data[0]
            losses[key] = dict(first10=float(values[:10].mean()), last10=float(values[-10:].mean()))
    metrics = runner.test()
    return dict(
        setting=tag,
        config=path,
        metrics={
            k: float(v)
            for k, v in metrics.items()
        },
        losses=losses,
        train_wall_s=train_wall,
        train_cpu_s=train_cpu,
        total_wall_s=time.time() - wall,
        total_cpu_s=time.process_time() - cpu)


def table(results: List[Dict]) -> str:
    """A Markdown table of the results, one row per setting."""
    lines = [
        '| setting | precision | recall | hmean | loss_cls / loss_bbox, first 10 iters | '
        'last 10 iters | train wall / CPU s |', '| --- | --- | --- | --- | --- | --- | --- |'
    ]
    nan = float('nan')
    for r in results:
        m = {k.split('/')[-1]: v for k, v in r['metrics'].items()}
        cls, bbox = r['losses'].get('loss_cls', {}), r['losses'].get('loss_bbox', {})
        lines.append(
            f"| {r['setting']} | {m.get('precision', nan):.4f} | {m.get('recall', nan):.4f} | "
            f"{m.get('hmean', nan):.4f} | {cls.get('first10', nan):.3f} / "
            f"{bbox.get('first10', nan):.3f} | {cls.get('last10', nan):.3f} / "
            f"{bbox.get('last10', nan):.3f} | {r['train_wall_s']:.0f} / {r['train_cpu_s']:.0f} |")
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    unknown = [s for s in args.settings if s not in SETTINGS and not osp.isfile(osp.join(REPO, s))]
    if unknown:
        sys.exit(f'loss_balance_ab: unknown settings {unknown}: use {list(SETTINGS)} or configs')
    if args.iters < 2:
        sys.exit('loss_balance_ab: --iters must be at least 2 (warm-up, then the cosine decay)')
    make_data(args)
    if args.jobs > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        context = multiprocessing.get_context('spawn')
        with ProcessPoolExecutor(args.jobs, mp_context=context) as pool:
            results = list(pool.map(run_setting, args.settings, [args] * len(args.settings)))
    else:
        results = [run_setting(name, args) for name in args.settings]
    out = args.out or osp.join(REPO, args.work_dir, 'results.json')
    with open(out, 'w') as f:
        json.dump(dict(args=vars(args), results=results), f, indent=2)
    print('\n' + table(results))
    print(f'\nresults: {out}')


if __name__ == '__main__':
    main()

# Copyright (c) textboxes_retina authors.
"""Seconds per training step of a config and of a variant of it, measured side by side.

Builds the config's model twice (the same seed, so the same initial weights), once as the
config says and once with ``--variant`` overrides on top, draws one batch from the config's
training dataset (its pipeline, ``train_dataloader.batch_size`` images) and times
``model.train_step`` with the config's optimizer wrapper, alternating the two models step by
step so that both see the same machine load. Prints the median seconds per step of each and
their ratio. The weights are initialised as for training (``init_weights``: a ``Pretrained``
``init_cfg`` loads its checkpoint; offline, point it at a local copy, e.g. for the SE-ResNet50
configs ``--cfg-options model.backbone.init_cfg.checkpoint=/path/to/se_resnet50-ce0d4300.pth``,
as their base config says). ::

    # the demo config with the converted graph channels-last (its setting) and without
    python tools/analysis_tools/train_step_speed.py \\
        configs/textboxes_retina/textboxes_retina_ppocrv4-det-dbft_fpn-c3_1xb4-adam_synthetic.py \\
        --variant model.backbone.channels_last=False \\
        --cfg-options train_dataloader.dataset.data_root=data/synthetic_text/train
"""
import argparse
from typing import Dict, List, Optional

import torch
# benchmark_lib sits beside this script (Python puts the script's folder first on sys.path).
from benchmark_lib.timing import summarize_times, time_runs
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmocr.registry import DATASETS, MODELS

import textboxes_retina  # noqa: F401  (registers the modules)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='training config')
    parser.add_argument(
        '--variant',
        nargs='+',
        action=DictAction,
        required=True,
        help='the settings the variant changes, xxx=yyy (on top of --cfg-options)')
    parser.add_argument('--repeats', type=int, default=10, help='timed steps of each (default 10)')
    parser.add_argument(
        '--warmup', type=int, default=2, help='untimed steps of each first (default 2)')
    parser.add_argument('--device', default='cpu', help='device (default cpu)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='override config settings, xxx=yyy')
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.warmup < 0:
        parser.error('--repeats must be at least 1 and --warmup at least 0')
    return args


def build_step(cfg: Config, batch: dict, device: str):
    """The config's model (seeded) and a function running one ``train_step`` of it on
    ``batch``."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model = model.to(device).train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)

    def step() -> Dict[str, torch.Tensor]:
        return model.train_step(batch, optim_wrapper)

    return model, step


def main(argv: Optional[List[str]] = None) -> dict:
    """Measure and print; returns ``config_s`` and ``variant_s`` (the step times), ``ratio``
    (the variant's median over the config's) and ``models`` (the two, trained by the steps)."""
    args = parse_args(argv)
    # the optimizer constructor logs every parameter's settings at INFO
    MMLogger.get_instance('train_step_speed', log_level='WARNING')
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    variant = cfg.copy()
    variant.merge_from_dict(args.variant)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    # a dataset smaller than a batch is drawn from again, through its random pipeline
    batch = pseudo_collate(
        [dataset[index % len(dataset)] for index in range(cfg.train_dataloader.batch_size)])
    models, steps = zip(*(build_step(c, batch, args.device) for c in (cfg, variant)))
    for _ in range(args.warmup):
        for step in steps:
            step()
    # one timed step of each in turn (time_runs synchronises the device around it)
    seconds: List[List[float]] = [[], []]
    for _ in range(args.repeats):
        for step, times in zip(steps, seconds):
            times += time_runs(step, repeats=1, warmup=0, device=args.device)
    config_s, variant_s = seconds
    stats = [summarize_times(times) for times in seconds]
    ratio = stats[1]['median_ms'] / stats[0]['median_ms']
    changes = ' '.join(f'{key}={value}' for key, value in args.variant.items())
    print(f'{args.config}: {len(batch["inputs"])} images a step, device {args.device}, '
          f'{args.repeats} timed steps each, alternating')
    for name, stat in zip(('config', f'variant ({changes})'), stats):
        print(f'  {name}: median {stat["median_ms"] / 1e3:.3f} s a step '
              f'(min {stat["min_ms"] / 1e3:.3f} s, p90 {stat["p90_ms"] / 1e3:.3f} s)')
    print(f'  variant / config: {ratio:.3f}')
    return dict(config_s=config_s, variant_s=variant_s, ratio=ratio, models=models)


if __name__ == '__main__':
    main()

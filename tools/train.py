# Copyright (c) textboxes_retina authors.
"""Train a text detector: MMDetection's tools/train.py with this package's start-up checks.

Usage::

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp] [--auto-scale-lr]
        [--cfg-options KEY=VALUE ...] [--launcher {none,pytorch,slurm,mpi}]

Before the model is built, every dataset path of the train/val dataloaders is checked, and the
distributed backend is chosen ('gloo' on CPU, 'nccl' with CUDA, unless the config names one);
see :mod:`textboxes_retina.engine.runner_setup`.
"""
import argparse
import logging

from mmengine.config import Config
from mmengine.logging import print_log

from textboxes_retina.engine import (add_runner_arguments, build_runner, load_config,
                                     teardown_distributed)

#: Optimizer wrappers that ``--amp`` replaces, and their mixed-precision variants (the guard
#: keeps its checks and settings).
AMP_VARIANTS = {
    'OptimWrapper': 'AmpOptimWrapper',
    'NonFiniteLossGuardOptimWrapper': 'AmpNonFiniteLossGuardOptimWrapper',
}


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Train a text detector')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--amp',
        action='store_true',
        default=False,
        help='enable automatic-mixed-precision training (CUDA only)')
    parser.add_argument(
        '--auto-scale-lr', action='store_true', help='enable automatically scaling LR.')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='If specify checkpoint path, resume from it, while if not specify, try to auto '
        'resume from the latest checkpoint in the work directory.')
    add_runner_arguments(parser)
    return parser.parse_args(argv)


def build_config(args) -> Config:
    """The config of ``args.config`` with the command-line settings applied."""
    cfg = load_config(args)

    if args.amp:
        optim_wrapper = cfg.optim_wrapper.type
        if optim_wrapper in AMP_VARIANTS.values():
            print_log(
                'AMP training is already enabled in your config.',
                logger='current',
                level=logging.WARNING)
        else:
            assert optim_wrapper in AMP_VARIANTS, (
                f'`--amp` is only supported when the optimizer wrapper type is one of '
                f'{tuple(AMP_VARIANTS)} but got {optim_wrapper}.')
            cfg.optim_wrapper.type = AMP_VARIANTS[optim_wrapper]
            cfg.optim_wrapper.loss_scale = 'dynamic'

    if args.auto_scale_lr:
        if 'auto_scale_lr' in cfg and 'enable' in cfg.auto_scale_lr and \
                'base_batch_size' in cfg.auto_scale_lr:
            cfg.auto_scale_lr.enable = True
        else:
            raise RuntimeError('Can not find "auto_scale_lr" or "auto_scale_lr.enable" or '
                               '"auto_scale_lr.base_batch_size" in your configuration file.')

    # resume is determined in this priority: resume from > auto_resume
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        cfg.resume = True
        cfg.load_from = args.resume
    return cfg


def main(argv=None):
    cfg = build_config(parse_args(argv))
    build_runner(cfg, ('train_dataloader', 'val_dataloader')).train()
    teardown_distributed()


if __name__ == '__main__':
    main()

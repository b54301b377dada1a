# Copyright (c) textboxes_retina authors.
"""Test (and evaluate) a text detector: MMDetection's tools/test.py with this package's checks.

Usage::

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out RESULT.pkl] [--show]
        [--show-dir DIR] [--wait-time S] [--cfg-options KEY=VALUE ...]
        [--launcher {none,pytorch,slurm,mpi}] [--tta] [--submission-zip PATH.zip]
        [--no-strict-load]

Before the model is built, every dataset path of the test dataloader is checked, and the
distributed backend is chosen ('gloo' on CPU, 'nccl' with CUDA, unless the config names one);
see :mod:`textboxes_retina.engine.runner_setup`. A checkpoint whose parameters do not fit the
model (another config) is refused before testing, naming the keys, unless ``--no-strict-load``;
a ``--submission-zip`` that is a folder is refused before anything runs.
"""
import argparse
import os.path as osp

from mmengine.config import Config, ConfigDict

from textboxes_retina.engine import (add_runner_arguments, build_runner, load_config,
                                     teardown_distributed)
from textboxes_retina.evaluation import with_metric, with_submission_writer
from textboxes_retina.utils import add_strict_load_argument, check_checkpoint_fits


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Test (and eval) a text detector')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', type=str, help='dump predictions to a pickle file for offline evaluation')
    parser.add_argument('--show', action='store_true', help='show prediction results')
    parser.add_argument(
        '--show-dir',
        help='directory where every test image is written with predictions (red), ground '
        'truth (green) and don\'t-care words (yellow); a relative path is taken under the work '
        'dir')
    parser.add_argument('--wait-time', type=float, default=2, help='the interval of show (s)')
    parser.add_argument(
        '--tta',
        action='store_true',
        help='test-time augmentation: use the config\'s tta_model and tta_pipeline '
        '(see the *_tta.py configs)')
    parser.add_argument(
        '--submission-zip',
        help='also write the predictions as an ICDAR submission zip (one res_img_N.txt per '
        'image, IC15 quads or IC13 boxes after the config\'s metric) at this path')
    add_strict_load_argument(parser)
    add_runner_arguments(parser)
    args = parser.parse_args(argv)
    if args.submission_zip is not None and osp.isdir(args.submission_zip):
        parser.error(f'--submission-zip {args.submission_zip} is a folder; give the path of the '
                     'zip file to write, e.g. results/submit.zip')
    return args


def trigger_visualization_hook(cfg: Config, args) -> Config:
    """Turn on the ``visualization`` hook of ``default_hooks`` for ``--show`` /
    ``--show-dir`` (predictions and ground truth drawn on every test image)."""
    if 'visualization' not in cfg.default_hooks:
        raise RuntimeError('A visualization hook must be included in default_hooks, e.g. '
                           '"visualization=dict(type=\'QuadVisualizationHook\')"')
    hook = cfg.default_hooks.visualization
    hook.update(enable=True, draw_gt=True, draw_pred=True)
    if args.show:
        hook.update(show=True, wait_time=args.wait_time)
    if args.show_dir:
        if hook.type.split('.')[-1] == 'QuadVisualizationHook':
            hook.test_out_dir = osp.join(cfg.work_dir, args.show_dir)
        else:  # MMOCR's VisualizationHook saves through the visualiser's backends
            cfg.visualizer.save_dir = args.show_dir
            cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    return cfg


def build_config(args) -> Config:
    """The config of ``args.config`` with the command-line settings applied."""
    cfg = load_config(args)
    cfg.load_from = args.checkpoint

    if args.show or args.show_dir:
        cfg = trigger_visualization_hook(cfg, args)

    if args.tta:
        if 'tta_model' not in cfg or 'tta_pipeline' not in cfg:
            raise RuntimeError(
                f'--tta needs `tta_model` and `tta_pipeline` in the config; {args.config} has '
                'no such entries (use a *_tta.py config).')
        cfg.model = ConfigDict(**cfg.tta_model, module=cfg.model)
        cfg.test_dataloader.dataset.pipeline = cfg.tta_pipeline

    if args.out is not None:
        assert args.out.endswith(('.pkl', '.pickle')), 'The dump file must be a pkl file.'
        cfg.test_evaluator = with_metric(cfg.test_evaluator,
                                         dict(type='DumpResults', out_file_path=args.out))
    if args.submission_zip is not None:
        cfg.test_evaluator = with_submission_writer(cfg.test_evaluator, args.submission_zip)
    return cfg


def main(argv=None):
    args = parse_args(argv)
    cfg = build_config(args)
    runner = build_runner(cfg, ('test_dataloader', ))
    if args.strict_load:
        check_checkpoint_fits(runner.model, args.checkpoint)
    runner.test()
    teardown_distributed()


if __name__ == '__main__':
    main()

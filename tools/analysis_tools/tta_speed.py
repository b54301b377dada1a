# Copyright (c) textboxes_retina authors.
"""Time per image of single-scale testing vs multi-scale + flip test-time augmentation.

Runs the config's test pipeline (what ``tools/test.py`` runs) and its ``tta_pipeline`` +
``tta_model`` (what ``tools/test.py --tta`` runs) on the same images with the same model, and prints
seconds per image for each (data pipeline and model separately), the slowdown and the mean number
of detections. Without a checkpoint the model is randomly initialised: lower
``model.test_cfg.score_thr`` (``--cfg-options model.test_cfg.score_thr=0``) so that post-processing
and merging see as many candidates as a trained model would give.

Example (the small model with the refinement head on the toy ICDAR 2015 images at 1280)::

    python tools/analysis_tools/tta_speed.py \\
        configs/refine_textboxes/refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py \\
        --tta-config configs/_base_/tta/icdar2015_quad_tta.py \\
        --data-root tests/data/icdar2015_toy --img-dir imgs --ann-dir gts \\
        --cfg-options 'test_dataloader.dataset.pipeline.1.scale=(1280,1280)' \\
        model.test_cfg.score_thr=0
"""
import argparse
import time
from typing import List, Optional

import torch
from mmengine.config import Config, DictAction
from mmengine.dataset import pseudo_collate
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmocr.registry import DATASETS, MODELS


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description='Time single-scale testing vs TTA per image')
    parser.add_argument(
        'config', help='test config (with tta_model and tta_pipeline, or see '
        '--tta-config)')
    parser.add_argument('--checkpoint', help='weights; randomly initialised without')
    parser.add_argument(
        '--tta-config',
        help='a *_tta.py config merged in when the config has '
        'no tta_model / tta_pipeline')
    parser.add_argument('--data-root', help='override the test dataset\'s data_root')
    parser.add_argument('--img-dir', help='override the test dataset\'s img_dir')
    parser.add_argument('--ann-dir', help='override the test dataset\'s ann_dir')
    parser.add_argument('--num-images', type=int, default=5, help='images timed (default 5)')
    parser.add_argument(
        '--warmup',
        type=int,
        default=1,
        help='untimed runs on the first image before timing (default 1)')
    parser.add_argument('--device', default='cpu', help='device (default cpu)')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction, help='override config settings, xxx=yyy')
    return parser.parse_args(argv)


def load_config(args: argparse.Namespace) -> Config:
    """The config with the TTA settings and command-line overrides applied."""
    cfg = Config.fromfile(args.config)
    if 'tta_model' not in cfg or 'tta_pipeline' not in cfg:
        if args.tta_config is None:
            raise ValueError(f'{args.config} has no tta_model / tta_pipeline: pass --tta-config')
        tta = Config.fromfile(args.tta_config)
        cfg.merge_from_dict(dict(tta_model=tta.tta_model, tta_pipeline=tta.tta_pipeline))
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    dataset = cfg.test_dataloader.dataset
    for key in ('data_root', 'img_dir', 'ann_dir'):
        if getattr(args, key) is not None:
            dataset[key] = getattr(args, key)
    return cfg


def time_per_image(model: torch.nn.Module, dataset, num_images: int, warmup: int) -> dict:
    """Mean seconds per image of the pipeline and of ``model.test_step``, and mean detections."""
    with torch.no_grad():
        for _ in range(warmup):
            model.test_step(pseudo_collate([dataset[0]]))
        pipeline_s = model_s = detections = 0.
        for index in range(num_images):
            start = time.perf_counter()
            data = pseudo_collate([dataset[index]])
            loaded = time.perf_counter()
            results = model.test_step(data)
            if torch.cuda.is_available():
                torch.cuda.synchronize()
            pipeline_s += loaded - start
            model_s += time.perf_counter() - loaded
            detections += len(results[0].pred_instances.scores)
    return dict(
        pipeline=pipeline_s / num_images,
        model=model_s / num_images,
        detections=detections / num_images)


def main(argv: Optional[List[str]] = None) -> dict:
    """Measure and print; returns the numbers (``single``, ``tta``, ``views``)."""
    args = parse_args(argv)
    cfg = load_config(args)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(model, args.checkpoint, map_location='cpu')
    else:
        model.init_weights()
    model = model.to(args.device).eval()
    tta_model = MODELS.build(dict(**cfg.tta_model, module=model)).eval()

    single_set = DATASETS.build(cfg.test_dataloader.dataset)
    tta_set = DATASETS.build(dict(cfg.test_dataloader.dataset, pipeline=cfg.tta_pipeline))
    num_images = min(args.num_images, len(single_set))
    views = len(tta_set[0]['inputs'])

    single = time_per_image(model, single_set, num_images, args.warmup)
    tta = time_per_image(tta_model, tta_set, num_images, args.warmup)
    print(f'{num_images} images, device {args.device}, '
          f'{"checkpoint " + args.checkpoint if args.checkpoint else "random weights"}')
    for name, result in (('single-scale', single), (f'TTA ({views} views)', tta)):
        total = result['pipeline'] + result['model']
        print(f'{name:>18}: {total:7.3f} s/image (pipeline {result["pipeline"]:.3f} s, model '
              f'{result["model"]:.3f} s), {result["detections"]:.1f} detections/image')
    slowdown = (tta['pipeline'] + tta['model']) / (single['pipeline'] + single['model'])
    print(f'{"TTA / single":>18}: {slowdown:.1f}x')
    return dict(single=single, tta=tta, views=views)


if __name__ == '__main__':
    main()

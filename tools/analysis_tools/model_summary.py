# Copyright (c) textboxes_retina authors.
"""Parameters, GFLOPs and CPU latency of a text detector built from a config.

Usage::

    python tools/analysis_tools/model_summary.py \
        [CONFIG] [--size 768] [--runs 5] [--threads N] [--cfg-options KEY=VALUE ...]

``CONFIG`` defaults to ``configs/_base_/models/textboxes_retina_se-r50_fpn-c2.py`` (a model-only
config is enough). GFLOPs count the network forward (backbone, neck, head; multiply-adds, as
mmengine's analyzer counts them) on one ``size x size`` image; latency is the median wall time of
``--runs`` full predictions on that image (data preprocessing, network, decoding, quad NMS) after
one warm-up run, on the CPU, printed with the median network forward alone (with random weights
the post-processing sees many more candidates than a trained model gives it).
"""
import argparse
import statistics
import time
from pathlib import Path

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import Config, DictAction
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

import textboxes_retina  # noqa: F401  (registers the modules)

DEFAULT_CONFIG = (
    Path(__file__).parents[2] / 'configs' / '_base_' / 'models' /
    'textboxes_retina_se-r50_fpn-c2.py')


class _NetworkForward(torch.nn.Module):
    """The detector's tensor forward (backbone, neck, head), for FLOP counting."""

    def __init__(self, detector: torch.nn.Module) -> None:
        super().__init__()
        self.detector = detector

    def forward(self, inputs: torch.Tensor):
        return self.detector._forward(inputs)


def parse_args(argv=None):
    """Parse the command line (``argv``, defaults to ``sys.argv[1:]``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('config', nargs='?', default=str(DEFAULT_CONFIG), help='config file')
    parser.add_argument('--size', type=int, default=768, help='square input side in pixels')
    parser.add_argument('--runs', type=int, default=5, help='timed prediction runs')
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        default={},
        help='override config entries, e.g. model.backbone.depth=101')
    return parser.parse_args(argv)


def build_model(config: str, cfg_options: dict) -> torch.nn.Module:
    """Build the detector of ``config`` in evaluation mode on the CPU."""
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(cfg_options)
    if cfg.model.backbone.get('type') == 'SEResNet':
        # random weights, nothing downloaded (SEResNet refuses zero residual branches under
        # frozen batch norm without pretrained weights, hence zero_init_residual=False)
        cfg.model.backbone.update(init_cfg=None, zero_init_residual=False)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmocr')):
        model = MODELS.build(cfg.model)
    model.init_weights()
    return model.eval()


def summarize(model: torch.nn.Module, size: int = 768, runs: int = 5) -> dict:
    """Measure a detector on one random ``size x size`` image on the CPU.

    Args:
        model (nn.Module): A detector in eval mode.
        size (int): Image side in pixels. Defaults to 768.
        runs (int): Timed prediction runs. Defaults to 5.

    Returns:
        dict: ``params`` (count), ``gflops`` (network forward), ``forward_ms``
        (median network forward) and ``latency_ms`` (median full prediction).
    """
    torch.manual_seed(0)
    image = torch.randint(0, 256, (3, size, size), dtype=torch.uint8)
    with torch.no_grad():
        batch = model.data_preprocessor(
            dict(inputs=[image], data_samples=[_sample(size)]), training=False)
        complexity = get_model_complexity_info(
            _NetworkForward(model), inputs=(batch['inputs'], ), show_table=False, show_arch=False)
        forward_ms = _median_ms(lambda: model._forward(batch['inputs']), runs)
        latency_ms = _median_ms(
            lambda: model.test_step(dict(inputs=[image], data_samples=[_sample(size)])), runs)
    return dict(
        params=sum(p.numel() for p in model.parameters()),
        gflops=complexity['flops'] / 1e9,
        forward_ms=forward_ms,
        latency_ms=latency_ms)


def _median_ms(func, runs: int) -> float:
    """Median wall time of ``runs`` calls of ``func`` after one warm-up call."""
    func()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _sample(size: int) -> TextDetDataSample:
    """An unannotated sample of a ``size x size`` image at scale 1."""
    sample = TextDetDataSample(
        metainfo=dict(img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0)))
    sample.gt_instances = InstanceData()
    return sample


def main(argv=None) -> dict:
    """Build the model of the config and print its summary."""
    args = parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model = build_model(args.config, args.cfg_options)
    summary = summarize(model, args.size, args.runs)
    print(f'config:       {args.config}')
    print(f'input:        1 x 3 x {args.size} x {args.size} (CPU, {torch.get_num_threads()} '
          f'threads)')
    print(f'parameters:   {summary["params"] / 1e6:.2f} M ({summary["params"]})')
    print(f'GFLOPs:       {summary["gflops"]:.1f} (network forward, multiply-adds)')
    print(f'CPU latency:  {summary["latency_ms"]:.0f} ms (median of {args.runs} predictions; '
          f'network forward alone {summary["forward_ms"]:.0f} ms)')
    return summary


if __name__ == '__main__':
    main()

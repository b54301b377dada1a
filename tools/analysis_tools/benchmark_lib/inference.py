# Copyright (c) textboxes_retina authors.
"""Inference latency, where the time goes, and FLOP efficiency of whole detectors."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch

from .model_zoo import ModelSpec, build_detector, make_batch, stage_modules
from .timing import StageTimer, summarize_times, time_runs

STAGES = ('preprocess', 'backbone', 'neck', 'head')
NETWORK_STAGES = ('backbone', 'neck', 'head')


@torch.no_grad()
def count_gmacs(model: torch.nn.Module, inputs: torch.Tensor) -> Dict[str, float]:
    """Multiply-adds of the network forward with mmengine's ``FlopAnalyzer``.

    mmengine (like fvcore) counts one fused multiply-add as one "flop"; these are GMACs. The
    trace runs the network once on ``inputs`` (``model(inputs)``: mmdet's and MMOCR's
    detectors default to ``mode='tensor'``, the forward without post-processing).

    Args:
        model (nn.Module): The detector.
        inputs (Tensor): Preprocessed batch, shape (1, 3, H, W).

    Returns:
        dict: ``total`` and per stage (``backbone``, ``neck``, ``head``) GMACs.
    """
    from mmengine.analysis import FlopAnalyzer
    analyzer = FlopAnalyzer(model, (inputs, ))
    analyzer.unsupported_ops_warnings(False)
    analyzer.uncalled_modules_warnings(False)
    analyzer.tracer_warnings('none')
    by_module = analyzer.by_module()
    modules = stage_modules(model)
    names = {module: name for name, module in model.named_children()}
    gmacs = dict(total=analyzer.total() / 1e9)
    for stage in NETWORK_STAGES:
        gmacs[stage] = by_module.get(names[modules[stage]], 0) / 1e9
    return gmacs


def synthetic_image(size: int, seed: int = 0) -> torch.Tensor:
    """A ``(3, size, size)`` uint8 BGR image with text-like strokes on a smooth background.

    Args:
        size (int): Side in pixels.
        seed (int): Random seed. Defaults to 0.

    Returns:
        Tensor: The image.
    """
    import cv2
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) / size
    img = np.stack([80 + 120 * xs, 60 + 100 * ys, 150 - 60 * xs * ys], -1)
    img += rng.normal(0, 8, img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(12):
        x, y = (int(v) for v in rng.integers(0, max(size - size // 4, 1), 2))
        cv2.putText(img, 'TEXT %d' % rng.integers(100), (x, y + size // 16),
                    cv2.FONT_HERSHEY_SIMPLEX, size / 400, (255, 255, 255), max(size // 200, 1))
    return torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))


def _row(spec: ModelSpec, size: int, input_shape, records: List[Dict], totals: List[float],
         gmacs: Optional[Dict], num_detections: int) -> Dict:
    """One table row from the per-run stage times and totals."""
    stats = summarize_times(totals)
    total_ms = stats['median_ms']
    stages_ms = {stage: float(np.median([r[stage] for r in records])) * 1e3 for stage in STAGES}
    stages_ms['post'] = float(np.median([t - sum(r.values())
                                         for t, r in zip(totals, records)])) * 1e3
    row = dict(
        model=spec.name,
        label=spec.label,
        size=size,
        input_shape=list(input_shape),
        images_per_s=1e3 / total_ms,
        num_detections=num_detections,
        **stats,
        stages_ms=stages_ms,
        stage_shares={
            k: v / total_ms
            for k, v in stages_ms.items()
        })
    if gmacs is not None:
        network_s = sum(stages_ms[s] for s in NETWORK_STAGES) / 1e3
        row['gmacs'] = gmacs
        row['achieved_gflops'] = 2 * gmacs['total'] / network_s
        row['stage_gflops'] = {
            s: 2 * gmacs[s] / (stages_ms[s] / 1e3)
            for s in NETWORK_STAGES if stages_ms[s] > 0
        }
    return row


def benchmark_model(spec: ModelSpec,
                    sizes: Sequence[int],
                    repeats: int,
                    warmup: int = 1,
                    device: str = 'cpu',
                    budget_s: float = float('inf'),
                    count_flops: bool = True,
                    all_candidates: bool = True,
                    log=print) -> List[Dict]:
    """Time ``test_step`` (preprocessing, network, decoding, NMS) of one detector.

    With ``all_candidates`` anchor heads run with ``score_thr = 0`` (see
    :func:`build_detector`), so decoding and NMS handle the full ``nms_pre`` candidates of every
    level: the worst case (random weights score below any configured threshold).

    Args:
        spec (ModelSpec): The detector.
        sizes (Sequence[int]): Square input sides.
        repeats (int): Timed runs per size.
        warmup (int): Untimed runs per size (after the FLOP-count trace, itself a network
            run). Defaults to 1.
        device (str): Device. Defaults to 'cpu'.
        budget_s (float): Per size, stop adding timed runs past this many seconds.
        count_flops (bool): Count GMACs with mmengine. Defaults to True.
        all_candidates (bool): Anchor heads with ``score_thr = 0``. Defaults to True.
        log (Callable): Progress printer. Defaults to ``print``.

    Returns:
        list[dict]: One row per size (see :func:`_row`).
    """
    model = build_detector(spec, device, all_candidates=all_candidates)
    timer = StageTimer(stage_modules(model), device)
    rows = []
    try:
        for size in sizes:
            image = synthetic_image(size).to(device)
            with torch.no_grad():
                inputs = model.data_preprocessor(make_batch(spec, image), False)['inputs']
            gmacs = count_gmacs(model, inputs) if count_flops else None
            records: List[Dict] = []
            outputs: List = []

            def run():
                timer.reset()
                with torch.no_grad():
                    outputs[:] = model.test_step(make_batch(spec, image))
                records.append(dict(timer.totals))

            totals = time_runs(run, repeats, warmup, device, budget_s)
            records = records[warmup:]
            rows.append(
                _row(spec, size, inputs.shape[-2:], records, totals, gmacs,
                     len(outputs[0].pred_instances)))
            log(f'  {spec.name} @ {size}: median {rows[-1]["median_ms"]:.0f} ms '
                f'over {rows[-1]["runs"]} runs')
    finally:
        timer.remove()
    return rows


def add_ratios(rows: List[Dict],
               peak_gflops: Optional[float] = None,
               reference: str = 'dbnet_r50') -> None:
    """Add, in place, ``latency_vs_<reference>`` (latency / the reference's at the same size)
    and ``fraction_of_peak`` (achieved GFLOP/s / ``peak_gflops``) to each row."""
    ref = {row['size']: row['median_ms'] for row in rows if row['model'] == reference}
    for row in rows:
        if row['size'] in ref:
            row[f'latency_vs_{reference}'] = row['median_ms'] / ref[row['size']]
        if peak_gflops and 'achieved_gflops' in row:
            row['fraction_of_peak'] = row['achieved_gflops'] / peak_gflops

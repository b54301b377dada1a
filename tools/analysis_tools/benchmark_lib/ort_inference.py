# Copyright (c) textboxes_retina authors.
"""ONNX Runtime latency next to PyTorch's, for the same detector, input and post-processing."""
import os
import os.path as osp
import time
from typing import Dict, List, Sequence

import torch

from .inference import synthetic_image
from .model_zoo import ModelSpec, build_detector, load_model_config, make_batch
from .timing import summarize_times, synchronize


def _alternate(runs: Dict[str, callable], repeats: int, warmup: int, device: str,
               budget_s: float) -> Dict[str, List[float]]:
    """Time each function in turn, ``warmup`` untimed then ``repeats`` timed rounds (fewer
    once the rounds have used ``budget_s``), so both backends see the same machine load."""
    seconds: Dict[str, List[float]] = {name: [] for name in runs}
    for round_index in range(warmup + max(repeats, 1)):
        for name, fn in runs.items():
            synchronize(device)
            start = time.perf_counter()
            fn()
            synchronize(device)
            if round_index >= warmup:
                seconds[name].append(time.perf_counter() - start)
        timed = sum(sum(values) for values in seconds.values())
        if round_index >= warmup and timed > budget_s:
            break
    return seconds


def benchmark_onnxruntime(spec: ModelSpec,
                          sizes: Sequence[int],
                          repeats: int,
                          warmup: int,
                          out_dir: str,
                          device: str = 'cpu',
                          budget_s: float = float('inf'),
                          log=print) -> List[Dict]:
    """Export one of our detectors (random weights) to ONNX and time ``test_step`` (and the
    network alone) in PyTorch and in ONNX Runtime (CPU provider, as many intra-op threads as
    torch uses), alternating run by run.

    Both backends use the same data preprocessor and the same head post-processing
    (:class:`textboxes_retina.deployment.ONNXRuntimeTextDetector`), with ``score_thr=0``
    (every level's ``nms_pre`` candidates decoded and suppressed, as in the inference section).

    Args:
        spec (ModelSpec): One of our detectors.
        sizes (Sequence[int]): Square input sides.
        repeats (int): Timed runs per size and backend.
        warmup (int): Untimed runs per size and backend.
        out_dir (str): Where the ``.onnx`` file is written.
        device (str): PyTorch's device (ONNX Runtime runs on the CPU). Defaults to 'cpu'.
        budget_s (float): Per size, stop adding timed rounds past this many seconds.
        log (Callable): Progress printer. Defaults to ``print``.

    Returns:
        list[dict]: One row per size: medians of both backends, their ratios, detections and
        the largest absolute difference of the network outputs.
    """
    from textboxes_retina.deployment import ONNXRuntimeTextDetector, export_onnx
    model = build_detector(spec, device, all_candidates=True)
    model_cfg = load_model_config(spec)
    model_cfg.test_cfg.score_thr = 0.0
    threads = torch.get_num_threads()
    os.makedirs(out_dir, exist_ok=True)
    onnx_file = osp.join(out_dir, f'{spec.name}.onnx')
    rows = []
    ort_model = None
    for size in sizes:
        image = synthetic_image(size)
        with torch.no_grad():
            inputs = model.data_preprocessor(make_batch(spec, image.to(device)), False)['inputs']
        if ort_model is None:
            start = time.perf_counter()
            export_onnx(model, onnx_file, inputs.shape[-2:])
            export_s = time.perf_counter() - start
            ort_model = ONNXRuntimeTextDetector(onnx_file, model_cfg, num_threads=threads)
        outputs = {}

        def step(name, detector, image_device):

            def run():
                with torch.no_grad():
                    outputs[name] = detector.test_step(make_batch(spec, image.to(image_device)))

            return run

        def network(detector):

            def run():
                with torch.no_grad():
                    detector._forward(inputs)

            return run

        seconds = _alternate(
            dict(
                pytorch=step('pytorch', model, device),
                onnxruntime=step('onnxruntime', ort_model, 'cpu'),
                pytorch_network=network(model),
                onnxruntime_network=network(ort_model)), repeats, warmup, device, budget_s)
        with torch.no_grad():
            torch_maps = [m for group in model._forward(inputs) for m in group]
            ort_maps = [m for group in ort_model._forward(inputs) for m in group]
        stats = {name: summarize_times(values) for name, values in seconds.items()}
        row = dict(
            model=spec.name,
            label=spec.label,
            size=size,
            input_shape=list(inputs.shape[-2:]),
            threads=threads,
            export_s=export_s if not rows else None,
            **{
                f'{name}_median_ms': s['median_ms']
                for name, s in stats.items()
            },
            runs=stats['pytorch']['runs'],
            num_detections=dict(
                pytorch=len(outputs['pytorch'][0].pred_instances),
                onnxruntime=len(outputs['onnxruntime'][0].pred_instances)),
            max_abs_diff=max(
                float((t.cpu() - o.cpu()).abs().max()) for t, o in zip(torch_maps, ort_maps)))
        row['ort_vs_pytorch'] = row['onnxruntime_median_ms'] / row['pytorch_median_ms']
        row['ort_vs_pytorch_network'] = (
            row['onnxruntime_network_median_ms'] / row['pytorch_network_median_ms'])
        rows.append(row)
        log(f"  {spec.name} @ {size}: PyTorch {row['pytorch_median_ms']:.0f} ms, ONNX Runtime "
            f"{row['onnxruntime_median_ms']:.0f} ms (x{row['ort_vs_pytorch']:.3f}); network "
            f"x{row['ort_vs_pytorch_network']:.3f}; max |diff| {row['max_abs_diff']:.2g}")
    return rows

# Copyright (c) textboxes_retina authors.
"""What the benchmark ran on, and the dense matmul / convolution rates it can reach."""
import os
import platform
from typing import Dict

import torch

from .timing import summarize_times, time_runs


def cpu_model() -> str:
    """The ``model name`` of ``/proc/cpuinfo`` (or the platform's processor string)."""
    try:
        with open('/proc/cpuinfo') as cpuinfo:
            for line in cpuinfo:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or 'unknown'


def load_average() -> list:
    """1, 5 and 15 minute load averages (empty where the OS has none)."""
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def describe_machine(device: str = 'cpu') -> Dict:
    """Hardware and software the numbers were taken on.

    Args:
        device (str): The benchmark device. Defaults to 'cpu'.

    Returns:
        dict: CPU model, logical cores, cores this process may use, torch threads, versions
        and (on CUDA) the GPU name.
    """
    import mmcv
    import mmdet
    import mmengine
    import mmocr
    info = dict(
        cpu_model=cpu_model(),
        logical_cpus=os.cpu_count(),
        usable_cpus=len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else None,
        torch_threads=torch.get_num_threads(),
        torch_interop_threads=torch.get_num_interop_threads(),
        python=platform.python_version(),
        torch=torch.__version__,
        mmengine=mmengine.__version__,
        mmcv=mmcv.__version__,
        mmdet=mmdet.__version__,
        mmocr=mmocr.__version__,
        device=device,
    )
    if str(device).startswith('cuda'):
        info['gpu'] = torch.cuda.get_device_name(device)
    return info


@torch.no_grad()
def peak_gflops(device: str = 'cpu',
                matmul_size: int = 2048,
                conv_size: int = 96,
                conv_channels: int = 256,
                repeats: int = 5) -> Dict[str, Dict[str, float]]:
    """Reachable dense float32 throughput: a square matmul and a 3x3 convolution.

    FLOPs count a multiply-add as two operations (``2 n^3`` for an ``n x n`` matmul).

    Args:
        device (str): Device. Defaults to 'cpu'.
        matmul_size (int): Side of the square matrices. Defaults to 2048.
        conv_size (int): Side of the convolution's feature map. Defaults to 96.
        conv_channels (int): Input and output channels of the 3x3 convolution (256 as in the
            FPN and head towers). Defaults to 256.
        repeats (int): Timed runs of each (the best is the reachable peak). Defaults to 5.

    Returns:
        dict: ``matmul`` and ``conv3x3``, each with ``gflop`` (per run), ``best_gflops`` (from
        the fastest run) and ``median_gflops``.
    """
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(matmul_size, matmul_size, generator=generator).to(device)
    b = torch.randn(matmul_size, matmul_size, generator=generator).to(device)
    conv = torch.nn.Conv2d(conv_channels, conv_channels, 3, padding=1).to(device)
    x = torch.randn(1, conv_channels, conv_size, conv_size, generator=generator).to(device)
    work = dict(
        matmul=(lambda: a @ b, 2 * matmul_size**3),
        conv3x3=(lambda: conv(x), 2 * conv_channels**2 * 9 * conv_size**2))
    results = {}
    for name, (fn, flop) in work.items():
        stats = summarize_times(time_runs(fn, repeats, warmup=2, device=device))
        results[name] = dict(
            gflop=flop / 1e9,
            best_gflops=flop / 1e9 / (stats['min_ms'] / 1e3),
            median_gflops=flop / 1e9 / (stats['median_ms'] / 1e3))
    return results


def best_of(*measurements: Dict[str, Dict[str, float]]) -> Dict[str, Dict[str, float]]:
    """Per kernel, the measurement with the highest ``best_gflops`` (the reachable peak)."""
    return {
        name: max((m[name] for m in measurements), key=lambda r: r['best_gflops'])
        for name in measurements[0]
    }

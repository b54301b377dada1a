# Copyright (c) textboxes_retina authors.
"""Wall-clock timing, per-module stage timing and peak resident memory."""
import time
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Sequence

import numpy as np
import torch


def synchronize(device: str) -> None:
    """Wait for queued kernels on ``device`` (a no-op on the CPU)."""
    if str(device).startswith('cuda'):
        torch.cuda.synchronize()


def summarize_times(seconds: Sequence[float]) -> Dict[str, float]:
    """Median, p90, mean, min and count of run times.

    Args:
        seconds (Sequence[float]): Wall times of the timed runs, in seconds.

    Returns:
        dict: ``median_ms``, ``p90_ms`` (linear interpolation, numpy's default), ``mean_ms``,
        ``min_ms`` and ``runs``.
    """
    times = np.asarray(seconds, dtype=np.float64) * 1e3
    return dict(
        median_ms=float(np.median(times)),
        p90_ms=float(np.percentile(times, 90)),
        mean_ms=float(times.mean()),
        min_ms=float(times.min()),
        runs=len(times))


def time_runs(fn: Callable[[], object],
              repeats: int,
              warmup: int = 1,
              device: str = 'cpu',
              budget_s: float = float('inf')) -> List[float]:
    """Time ``fn`` after warm-up runs.

    Args:
        fn (Callable): What to time; called without arguments.
        repeats (int): Timed runs wanted.
        warmup (int): Untimed runs first. Defaults to 1.
        device (str): Device to synchronise before each clock read. Defaults to 'cpu'.
        budget_s (float): Stop adding timed runs once their total exceeds this (at least one
            timed run is always made). Defaults to no limit.

    Returns:
        list[float]: Seconds of each timed run.
    """
    for _ in range(warmup):
        fn()
    synchronize(device)
    seconds: List[float] = []
    while len(seconds) < max(repeats, 1):
        start = time.perf_counter()
        fn()
        synchronize(device)
        seconds.append(time.perf_counter() - start)
        if sum(seconds) > budget_s:
            break
    return seconds


class StageTimer:
    """Wall time spent inside named sub-modules, read with forward hooks.

    A pre-hook and a hook on each module (e.g. ``backbone``, ``neck``, ``bbox_head``) add the
    time between them to the module's running total, so any call path that goes through the
    modules (``test_step``, ``predict``) is timed without changing it.

    Args:
        modules (dict[str, nn.Module]): Stage name -> module.
        device (str): Device to synchronise at each boundary. Defaults to 'cpu'.
    """

    def __init__(self, modules: Dict[str, torch.nn.Module], device: str = 'cpu') -> None:
        self.device = device
        self.totals: Dict[str, float] = {name: 0.0 for name in modules}
        self._starts: Dict[str, float] = {}
        self._handles = []
        for name, module in modules.items():
            self._handles.append(module.register_forward_pre_hook(self._pre_hook(name)))
            self._handles.append(module.register_forward_hook(self._post_hook(name)))

    def _pre_hook(self, name: str) -> Callable:

        def hook(module, args):
            synchronize(self.device)
            self._starts[name] = time.perf_counter()

        return hook

    def _post_hook(self, name: str) -> Callable:

        def hook(module, args, output):
            synchronize(self.device)
            self.totals[name] += time.perf_counter() - self._starts.pop(name)

        return hook

    def reset(self) -> None:
        """Zero the running totals."""
        self.totals = {name: 0.0 for name in self.totals}

    def remove(self) -> None:
        """Detach the hooks."""
        for handle in self._handles:
            handle.remove()
        self._handles = []


def _status_kib(key: str) -> int:
    """A ``kB`` field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``), or -1."""
    try:
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def release_freed_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc ``malloc_trim``), so
    the next measurement starts from what is really in use."""
    import ctypes
    import gc
    gc.collect()
    try:
        ctypes.CDLL('libc.so.6').malloc_trim(0)
    except (OSError, AttributeError):
        pass


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark of this process (``VmHWM``).

    Writing ``5`` to ``/proc/self/clear_refs`` (Linux >= 4.0) sets the mark to the current RSS,
    so successive measurements in one process do not inherit an earlier peak.

    Returns:
        bool: Whether the reset worked (otherwise peaks are process-lifetime peaks).
    """
    try:
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
        return True
    except OSError:
        return False


@contextmanager
def peak_rss() -> Iterator[Dict[str, float]]:
    """Measure the peak resident set size of the block.

    Yields:
        dict: Filled on exit with ``start_mib`` (RSS at entry, after freed heap memory was
        returned to the OS), ``peak_mib`` (highest RSS during
        the block) and ``peak_is_lifetime`` (True if the mark could not be reset, so the peak
        may be older than the block).
    """
    stats: Dict[str, float] = {}
    release_freed_memory()
    reset = reset_peak_rss()
    stats['start_mib'] = _status_kib('VmRSS') / 1024
    yield stats
    if not reset or _status_kib('VmHWM') < 0:
        import resource
        stats['peak_mib'] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    else:
        stats['peak_mib'] = _status_kib('VmHWM') / 1024
    stats['peak_is_lifetime'] = not reset

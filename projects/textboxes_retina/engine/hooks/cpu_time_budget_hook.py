# Copyright (c) textboxes_retina authors.
"""End training once the process has used a given amount of CPU time."""
import time
from typing import Optional, Sequence

from mmengine.hooks import Hook
from mmocr.registry import HOOKS


@HOOKS.register_module()
class CPUTimeBudgetHook(Hook):
    """Make the current iteration the last one once training has used ``budget_s`` seconds of
    process CPU time (all threads of the process, user + system: ``time.process_time``).

    CPU time, not wall time, so that runs on a shared machine get the same amount of work
    whatever else runs there. Data loading counts only when it happens in the training process
    (``num_workers=0``); with worker processes their CPU time is not counted. The last
    iteration is then treated as the schedule's last: ``CheckpointHook(save_last=True)`` saves
    it and a configured validation runs. The learning-rate schedule is not changed.

    Args:
        budget_s (float): Process CPU seconds of training (counted from ``before_train``).
    """

    priority = 'HIGH'  # before CheckpointHook (VERY_LOW) sees the iteration

    def __init__(self, budget_s: float) -> None:
        if budget_s <= 0:
            raise ValueError(f'budget_s must be positive, got {budget_s}')
        self.budget_s = float(budget_s)
        self._start: Optional[float] = None
        self.used_s = 0.0
        self.stopped_at: Optional[int] = None

    def before_train(self, runner) -> None:
        """Start counting."""
        self._start = time.process_time()

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[Sequence] = None,
                         outputs: Optional[dict] = None) -> None:
        """End the loop after this iteration if the budget is spent."""
        self.used_s = time.process_time() - self._start
        if self.used_s >= self.budget_s and self.stopped_at is None:
            self.stopped_at = runner.iter + 1
            # IterBasedTrainLoop stops when its iteration count reaches max_iters; the hooks of
            # this iteration that run later see it as the last one.
            runner.train_loop._max_iters = runner.iter + 1
            runner.logger.info(f'CPU time budget spent: {self.used_s:.1f} s >= '
                               f'{self.budget_s:.1f} s; iteration {runner.iter + 1} is the last')

    def after_train(self, runner) -> None:
        """Log the CPU time used."""
        runner.logger.info(f'training used {self.used_s:.1f} s of process CPU time '
                           f'(budget {self.budget_s:.1f} s)')

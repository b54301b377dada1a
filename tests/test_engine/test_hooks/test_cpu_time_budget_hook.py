"""CPUTimeBudgetHook: a real mmengine run stops at the iteration that spends the budget, and
that iteration is saved as the last checkpoint."""
import os.path as osp
import time

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner

from textboxes_retina.engine.hooks import CPUTimeBudgetHook

BURN_S = 0.02  # process CPU seconds each training iteration spends


class _BusyModel(BaseModel):
    """One parameter; every training step keeps the CPU busy for BURN_S seconds."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        start = time.process_time()
        while time.process_time() - start < BURN_S:
            pass
        inputs = inputs if isinstance(inputs, torch.Tensor) else torch.stack(inputs)
        return dict(loss=(self.weight * inputs).sum())


@pytest.mark.timeout(120)
def test_stops_when_the_cpu_budget_is_spent(tmp_path):
    hook = CPUTimeBudgetHook(budget_s=10 * BURN_S)
    runner = Runner(
        model=_BusyModel(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=[torch.ones(1)] * 4,
            sampler=dict(type='DefaultSampler'),
            batch_size=1,
            collate_fn=dict(type='pseudo_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        train_cfg=dict(by_epoch=False, max_iters=10000),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=100000, save_last=True),
            logger=dict(type='LoggerHook', interval=1000)),
        custom_hooks=[hook])
    start = time.process_time()
    runner.train()
    used = time.process_time() - start
    # Each iteration burns at least BURN_S, so the budget is spent by the 10th; the optimiser
    # and hooks add far less than BURN_S an iteration, so not before the 5th.
    assert 5 <= hook.stopped_at <= 10 and runner.iter == hook.stopped_at
    assert hook.used_s >= 10 * BURN_S and used < 10 * BURN_S + 5
    assert osp.isfile(tmp_path / f'iter_{hook.stopped_at}.pth')
    with open(tmp_path / 'last_checkpoint') as f:
        assert f.read().strip().endswith(f'iter_{hook.stopped_at}.pth')


@pytest.mark.timeout(30)
def test_refuses_a_non_positive_budget():
    with pytest.raises(ValueError, match='budget_s must be positive'):
        CPUTimeBudgetHook(budget_s=0)

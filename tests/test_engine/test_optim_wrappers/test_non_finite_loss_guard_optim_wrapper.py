import copy
import os
import socket

import pytest
import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapper, build_optim_wrapper
from mmengine.registry import DefaultScope
from mmengine.runner import Runner
from torch import nn

import textboxes_retina  # noqa: F401  (registration)
from textboxes_retina.engine import NonFiniteLossGuardOptimWrapper


def _model():
    torch.manual_seed(0)
    return nn.Linear(3, 1)


def _loss(model, value=None):
    """A finite loss of the model, or ``value`` (e.g. nan) carrying its graph."""
    loss = model(torch.ones(2, 3)).pow(2).mean()
    return loss if value is None else loss * 0 + value


def _wrapper(model, **kwargs):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return NonFiniteLossGuardOptimWrapper(optimizer, **kwargs)


def test_registered_and_built_from_config():
    model = _model()
    with DefaultScope.overwrite_default_scope('mmocr'):
        wrapper = build_optim_wrapper(
            model,
            dict(type='NonFiniteLossGuardOptimWrapper', on_non_finite='skip',
                 optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, NonFiniteLossGuardOptimWrapper)
    assert wrapper.on_non_finite == 'skip'


def test_rejects_unknown_action():
    with pytest.raises(ValueError, match="'raise', 'skip'"):
        _wrapper(_model(), on_non_finite='ignore')


def test_finite_steps_match_plain_optim_wrapper():
    guarded_model, plain_model = _model(), _model()
    guarded = _wrapper(guarded_model, clip_grad=dict(max_norm=1.0))
    plain = OptimWrapper(torch.optim.SGD(plain_model.parameters(), lr=0.1, momentum=0.9),
                         clip_grad=dict(max_norm=1.0))
    for _ in range(3):
        guarded.update_params(_loss(guarded_model))
        plain.update_params(_loss(plain_model))
    for a, b in zip(guarded_model.parameters(), plain_model.parameters()):
        torch.testing.assert_close(a, b)
    assert guarded.skipped_steps == 0


@pytest.mark.parametrize('value', [float('nan'), float('inf')])
def test_raise_before_the_step(value):
    model = _model()
    wrapper = _wrapper(model)
    wrapper.update_params(_loss(model))
    before = copy.deepcopy(model.state_dict())
    MessageHub.get_current_instance().update_info('iter', 41)
    with pytest.raises(FloatingPointError, match='at iteration 42 .*loss = (nan|inf)'):
        wrapper.update_params(_loss(model, value))
    for key, tensor in model.state_dict().items():
        torch.testing.assert_close(tensor, before[key])
    assert all(p.grad is None or torch.isfinite(p.grad).all() for p in model.parameters())


def test_skip_leaves_weights_and_optimizer_state_unchanged():
    model = _model()
    wrapper = _wrapper(model, on_non_finite='skip')
    wrapper.update_params(_loss(model))
    weights = copy.deepcopy(model.state_dict())
    momentum = copy.deepcopy(wrapper.optimizer.state_dict())
    wrapper.update_params(_loss(model, float('nan')))
    for key, tensor in model.state_dict().items():
        torch.testing.assert_close(tensor, weights[key])
    for state, saved in zip(wrapper.optimizer.state_dict()['state'].values(),
                            momentum['state'].values()):
        torch.testing.assert_close(state['momentum_buffer'], saved['momentum_buffer'])
    assert wrapper.skipped_steps == 1
    assert MessageHub.get_current_instance().get_scalar(
        'train/skipped_steps').current() == 1
    # Training goes on with the next finite loss.
    wrapper.update_params(_loss(model))
    assert not torch.equal(model.weight, weights['weight'])
    assert torch.isfinite(model.weight).all()


def test_non_finite_gradient_with_finite_loss():
    model = _model()
    wrapper = _wrapper(model)
    # sqrt'(0) is inf: a finite loss (0) with an infinite gradient.
    loss = torch.sqrt(model.weight.sum() * 0).sum()
    assert torch.isfinite(loss)
    with pytest.raises(FloatingPointError, match='non-finite gradient'):
        wrapper.update_params(loss)

    skipping = _wrapper(model, on_non_finite='skip')
    before = model.weight.detach().clone()
    skipping.update_params(torch.sqrt(model.weight.sum() * 0).sum())
    torch.testing.assert_close(model.weight, before)
    assert skipping.skipped_steps == 1
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())


def test_skip_drops_the_whole_accumulation_window():
    model = _model()
    wrapper = _wrapper(model, on_non_finite='skip', accumulative_counts=2)
    before = model.weight.detach().clone()
    wrapper.update_params(_loss(model, float('nan')))
    wrapper.update_params(_loss(model))  # end of the window: no step
    torch.testing.assert_close(model.weight, before)
    assert all(p.grad is None or not p.grad.any() for p in model.parameters())
    wrapper.update_params(_loss(model))
    wrapper.update_params(_loss(model))  # a clean window steps
    assert not torch.equal(model.weight, before)


class _ToyModel(BaseModel):
    """Loss of a linear layer; the loss is NaN from iteration ``nan_from``."""

    def __init__(self, nan_from):
        super().__init__()
        self.linear = nn.Linear(2, 1)
        self.nan_from = nan_from
        self.calls = 0

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.calls += 1
        loss = self.linear(inputs).pow(2).mean()
        if mode == 'loss':
            return dict(loss=loss * float('nan') if self.calls >= self.nan_from else loss)
        return loss


def test_runner_stops_without_corrupting_checkpoints(tmp_path):
    runner = Runner(
        model=_ToyModel(nan_from=3),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=[dict(inputs=torch.ones(2))] * 8,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate'),
            batch_size=1),
        optim_wrapper=dict(type='NonFiniteLossGuardOptimWrapper',
                           optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=5),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1)),
        default_scope='mmocr')
    with pytest.raises(FloatingPointError, match='at iteration 3 '):
        runner.train()
    saved = sorted(p.name for p in tmp_path.glob('iter_*.pth'))
    assert saved == ['iter_1.pth', 'iter_2.pth']
    state = torch.load(tmp_path / 'iter_2.pth', map_location='cpu')['state_dict']
    assert all(torch.isfinite(t).all() for t in state.values())


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _two_rank_worker(rank, port, out_dir):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch_dist.init_process_group('gloo', rank=rank, world_size=2)
    try:
        model = _model()
        wrapper = _wrapper(model, on_non_finite='skip')
        before = model.weight.detach().clone()
        # Only rank 0 sees a NaN loss; both ranks must skip the same step.
        wrapper.update_params(_loss(model, float('nan') if rank == 0 else None))
        result = f'{wrapper.skipped_steps},{torch.equal(model.weight, before)}'
        (out_dir / f'rank{rank}.txt').write_text(result)
    finally:
        torch_dist.destroy_process_group()


def test_ranks_agree_on_skipping(tmp_path):
    # fork: the workers inherit the imported modules instead of importing them again.
    mp.start_processes(_two_rank_worker, args=(_free_port(), tmp_path), nprocs=2,
                       start_method='fork')
    assert [(tmp_path / f'rank{rank}.txt').read_text() for rank in (0, 1)] == ['1,True'] * 2

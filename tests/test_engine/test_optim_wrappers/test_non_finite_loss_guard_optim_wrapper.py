import copy

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
from textboxes_retina.engine import (AmpNonFiniteLossGuardOptimWrapper,
                                     NonFiniteLossGuardOptimWrapper)

pytestmark = pytest.mark.timeout(120)


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
            dict(
                type='NonFiniteLossGuardOptimWrapper',
                on_non_finite='skip',
                optimizer=dict(type='SGD', lr=0.1)))
    assert isinstance(wrapper, NonFiniteLossGuardOptimWrapper)
    assert wrapper.on_non_finite == 'skip'


def test_rejects_unknown_action():
    with pytest.raises(ValueError, match="'raise', 'skip'"):
        _wrapper(_model(), on_non_finite='ignore')


def test_finite_steps_match_plain_optim_wrapper():
    guarded_model, plain_model = _model(), _model()
    guarded = _wrapper(guarded_model, clip_grad=dict(max_norm=1.0))
    plain = OptimWrapper(
        torch.optim.SGD(plain_model.parameters(), lr=0.1, momentum=0.9),
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
    assert MessageHub.get_current_instance().get_scalar('train/skipped_steps').current() == 1
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
    with pytest.raises(FloatingPointError, match='gradient norm = nan'):  # inf * 0 in the chain
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
        optim_wrapper=dict(
            type='NonFiniteLossGuardOptimWrapper', optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=5),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1)),
        default_scope='mmocr')
    with pytest.raises(FloatingPointError, match='at iteration 3 '):
        runner.train()
    saved = sorted(p.name for p in tmp_path.glob('iter_*.pth'))
    assert saved == ['iter_1.pth', 'iter_2.pth']
    state = torch.load(tmp_path / 'iter_2.pth', map_location='cpu')['state_dict']
    assert all(torch.isfinite(t).all() for t in state.values())


def _two_rank_worker(rank, store_file, out_dir):
    # A file store: no TCP port to pick, so nothing for another process to take meanwhile.
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{store_file}', rank=rank, world_size=2)
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
    mp.start_processes(
        _two_rank_worker, args=(tmp_path / 'store', tmp_path), nprocs=2, start_method='fork')
    assert [(tmp_path / f'rank{rank}.txt').read_text() for rank in (0, 1)] == ['1,True'] * 2


def test_absurd_finite_loss_is_a_bad_step():
    model = _model()
    wrapper = _wrapper(model, max_loss=100.0)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(FloatingPointError, match=r'loss = 1e\+33 > max_loss = 100'):
        wrapper.update_params(_loss(model, 1e33))
    for key, tensor in model.state_dict().items():
        torch.testing.assert_close(tensor, before[key])
    # At the ceiling is still fine; None checks finiteness only.
    wrapper.update_params(_loss(model, 100.0))
    unbounded = _wrapper(model, max_loss=None)
    unbounded.update_params(_loss(model, 1e33))
    with pytest.raises(FloatingPointError, match='loss = inf'):
        unbounded.update_params(_loss(model, float('inf')))


def test_gradient_norm_overflowing_float32_is_a_bad_step():
    """Every gradient is finite (1e20) but the sum of their squares overflows float32: the
    ``grad_norm: inf`` that mmengine's clipping logged in an exploding run."""
    model = _model()
    loss = model.weight.sum() * 1e20 + model.bias.sum()
    loss.backward()
    assert all(torch.isfinite(p.grad).all() for p in model.parameters())
    # The oracle: torch's own clipping, what OptimWrapper(clip_grad=...) logs.
    assert torch.nn.utils.clip_grad_norm_(model.parameters(), 35) == float('inf')
    model.zero_grad()
    wrapper = _wrapper(model, max_loss=None, max_grad_norm=None, clip_grad=dict(max_norm=35))
    with pytest.raises(FloatingPointError, match='gradient norm = inf'):
        wrapper.update_params(model.weight.sum() * 1e20 + model.bias.sum())


def test_absurd_finite_gradient_norm_is_skipped_when_asked():
    model = _model()
    wrapper = _wrapper(model, on_non_finite='skip', max_grad_norm=1e3)
    before = model.weight.detach().clone()
    # d/dw of 1e4 * sum(w) is 1e4 per weight: norm sqrt(3) * 1e4 > 1e3.
    wrapper.update_params(model.weight.sum() * 1e4 + model.bias.sum())
    torch.testing.assert_close(model.weight, before)
    assert wrapper.skipped_steps == 1
    wrapper.update_params(model.weight.sum() * 1e2 + model.bias.sum())  # norm 173: a step
    assert not torch.equal(model.weight, before)
    assert wrapper.consecutive_skips == 0


def test_defaults_and_validation():
    wrapper = _wrapper(_model())
    assert (wrapper.max_loss, wrapper.max_grad_norm, wrapper.max_consecutive_skips) == \
        (1e4, 1e5, 100)
    with pytest.raises(ValueError, match='max_loss must be positive'):
        _wrapper(_model(), max_loss=0)
    with pytest.raises(ValueError, match='max_consecutive_skips'):
        _wrapper(_model(), max_consecutive_skips=0)


def test_skipping_forever_stops():
    model = _model()
    wrapper = _wrapper(model, on_non_finite='skip', max_consecutive_skips=3)
    wrapper.update_params(_loss(model, float('nan')))
    wrapper.update_params(_loss(model))  # a good step resets the count
    wrapper.update_params(_loss(model, float('nan')))
    wrapper.update_params(_loss(model, float('nan')))
    with pytest.raises(FloatingPointError, match='3 training steps in a row were bad'):
        wrapper.update_params(_loss(model, float('nan')))
    assert wrapper.skipped_steps == 4


@pytest.fixture
def amp_on_cpu(monkeypatch):
    """mmengine 0.10.7's AmpOptimWrapper asserts a CUDA/NPU/MLU/MUSA device at construction;
    pretend one exists. On CPU its ``torch.cuda.amp.GradScaler`` disables itself (scale() and
    unscale_() do nothing) and ``optim_context`` autocasts to bfloat16."""
    import mmengine.optim.optimizer.amp_optimizer_wrapper as amp_module
    monkeypatch.setattr(amp_module, 'is_cuda_available', lambda: True)


def _amp_wrapper(model, **kwargs):
    with DefaultScope.overwrite_default_scope('mmocr'):
        return build_optim_wrapper(
            model,
            dict(
                type='AmpNonFiniteLossGuardOptimWrapper',
                dtype='bfloat16',
                optimizer=dict(type='SGD', lr=0.1, momentum=0.9),
                **kwargs))


def test_amp_variant_keeps_the_guard(amp_on_cpu):
    model = _model()
    wrapper = _amp_wrapper(model, clip_grad=dict(max_norm=1.0))
    assert isinstance(wrapper, AmpNonFiniteLossGuardOptimWrapper)
    assert not wrapper.loss_scaler.is_enabled()  # CPU
    plain_model = _model()
    plain = OptimWrapper(
        torch.optim.SGD(plain_model.parameters(), lr=0.1, momentum=0.9),
        clip_grad=dict(max_norm=1.0))
    for _ in range(2):  # bfloat16 autocast of a Linear: same steps within bf16 precision
        with wrapper.optim_context(model):
            loss = _loss(model)
        wrapper.update_params(loss)
        plain.update_params(_loss(plain_model))
    for a, b in zip(model.parameters(), plain_model.parameters()):
        torch.testing.assert_close(a, b, atol=2e-2, rtol=2e-2)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(FloatingPointError, match='loss = nan'):
        wrapper.update_params(_loss(model, float('nan')))
    with pytest.raises(FloatingPointError, match=r'loss = 1e\+06 > max_loss'):
        wrapper.update_params(_loss(model, 1e6))
    with pytest.raises(FloatingPointError, match='gradient norm = nan'):
        wrapper.update_params(torch.sqrt(model.weight.sum() * 0).sum())
    for key, tensor in model.state_dict().items():
        torch.testing.assert_close(tensor, before[key])

    skipping = _amp_wrapper(model, on_non_finite='skip', max_grad_norm=1e3)
    skipping.update_params(model.weight.sum() * 1e4)
    assert skipping.skipped_steps == 1
    for key, tensor in model.state_dict().items():
        torch.testing.assert_close(tensor, before[key])


def test_amp_scaler_overflow_is_left_to_the_scaler_until_scale_one(amp_on_cpu):
    """With an enabled dynamic scaler (torch's CPU GradScaler stands in for the CUDA one), an
    infinite gradient first looks like a float16 overflow: the scaler skips the step and halves
    the scale. At scale 1 it is a real non-finite gradient and the guard raises."""
    model = _model()
    wrapper = _amp_wrapper(model)
    wrapper.loss_scaler = torch.amp.GradScaler('cpu', init_scale=8.0)
    before = model.weight.detach().clone()
    scales = []
    with pytest.raises(FloatingPointError, match='gradient norm = nan'):
        for _ in range(10):
            scales.append(wrapper.loss_scaler.get_scale())
            wrapper.update_params(torch.sqrt(model.weight.sum() * 0).sum())
    assert scales == [8.0, 4.0, 2.0, 1.0]  # 3 scaler skips, then the guard
    torch.testing.assert_close(model.weight, before)
    assert wrapper.skipped_steps == 0
    # A finite step goes through the scaler: gradients unscaled before clipping and stepping.
    scaled, plain_model = _model(), _model()
    scaled_wrapper = _amp_wrapper(scaled, clip_grad=dict(max_norm=1.0))
    scaled_wrapper.loss_scaler = torch.amp.GradScaler('cpu', init_scale=1024.0)
    plain = OptimWrapper(
        torch.optim.SGD(plain_model.parameters(), lr=0.1, momentum=0.9),
        clip_grad=dict(max_norm=1.0))
    scaled_wrapper.update_params(_loss(scaled))
    plain.update_params(_loss(plain_model))
    for a, b in zip(scaled.parameters(), plain_model.parameters()):
        torch.testing.assert_close(a, b)


def test_runner_with_amp_guard_stops(tmp_path, amp_on_cpu):
    runner = Runner(
        model=_ToyModel(nan_from=2),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            dataset=[dict(inputs=torch.ones(2))] * 4,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='default_collate'),
            batch_size=1),
        optim_wrapper=dict(
            type='AmpNonFiniteLossGuardOptimWrapper',
            dtype='bfloat16',
            optimizer=dict(type='SGD', lr=0.1)),
        train_cfg=dict(by_epoch=False, max_iters=4),
        default_scope='mmocr')
    with pytest.raises(FloatingPointError, match='at iteration 2 '):
        runner.train()

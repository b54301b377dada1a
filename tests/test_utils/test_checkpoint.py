"""mmengine checkpoints save, load and resume under torch >= 2.6 once the package is imported."""
import io
import os
import pickle

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner

import textboxes_retina  # noqa: F401  (registers the safe globals)
from textboxes_retina.utils import allow_mmengine_checkpoints


class _TinyRegressor(BaseModel):
    """y = w x + b, fitted with MSE: enough to give an optimizer and schedulers state."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(2, 1)

    def forward(self, inputs, targets=None, mode='tensor'):
        inputs = torch.stack(inputs) if isinstance(inputs, list) else inputs
        pred = self.linear(inputs)
        if mode == 'loss':
            targets = torch.stack(targets) if isinstance(targets, list) else targets
            return dict(loss=((pred - targets)**2).mean())
        return pred


class _LineDataset(torch.utils.data.Dataset):

    def __len__(self):
        return 16

    def __getitem__(self, idx):
        x = torch.tensor([idx / 16.0, 1.0 - idx / 16.0])
        return dict(inputs=x, targets=torch.tensor([2 * x[0] - x[1]]))


def _runner(work_dir, max_iters, resume=False):
    return Runner(
        model=_TinyRegressor(),
        work_dir=str(work_dir),
        train_dataloader=dict(
            dataset=_LineDataset(),
            sampler=dict(type='DefaultSampler', shuffle=True),
            batch_size=4,
            num_workers=0),
        train_cfg=dict(by_epoch=False, max_iters=max_iters),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[3, 5], by_epoch=False),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', interval=4, by_epoch=False),
            logger=dict(type='LoggerHook', interval=1)),
        randomness=dict(seed=0),
        resume=resume,
        default_scope='mmengine',
        experiment_name=f'ckpt_{work_dir.name}_{max_iters}_{resume}')


def test_checkpoint_loads_with_safe_loader(tmp_path):
    runner = _runner(tmp_path, max_iters=4)
    runner.train()
    ckpt = tmp_path / 'iter_4.pth'
    assert ckpt.exists()
    # the default torch.load (weights_only=True) reads the whole mmengine checkpoint
    state = torch.load(ckpt)
    assert state['meta']['iter'] == 4
    assert 'message_hub' in state and 'param_schedulers' in state


def test_resume_restores_training_state(tmp_path):
    first = _runner(tmp_path, max_iters=4)
    first.train()
    weights_at_4 = first.model.linear.weight.detach().clone()
    optimizer_state = first.optim_wrapper.optimizer.state_dict()['state']
    momentum_at_4 = optimizer_state[0]['momentum_buffer'].clone()

    resumed = _runner(tmp_path, max_iters=6, resume=True)
    resumed.load_or_resume()
    assert resumed.iter == 4
    torch.testing.assert_close(resumed.model.linear.weight, weights_at_4)
    torch.testing.assert_close(
        resumed.optim_wrapper.optimizer.state_dict()['state'][0]['momentum_buffer'], momentum_at_4)
    # the scheduler state (a collections.Counter of milestones) came back too
    assert dict(resumed.param_schedulers[0].milestones) == {3: 1, 5: 1}
    # the loss history (HistoryBuffer with numpy arrays) came back
    assert len(resumed.message_hub.get_scalar('train/loss').data[0]) == 4
    resumed.train()
    assert resumed.iter == 6
    assert (tmp_path / 'iter_6.pth').exists()


def test_load_from_checkpoint(tmp_path):
    _runner(tmp_path, max_iters=4).train()
    fresh = _runner(tmp_path / 'b', max_iters=4)
    fresh._load_from = str(tmp_path / 'iter_4.pth')
    fresh.load_or_resume()
    ref = torch.load(tmp_path / 'iter_4.pth')['state_dict']['linear.weight']
    torch.testing.assert_close(fresh.model.linear.weight.detach(), ref)


class _Evil:

    def __reduce__(self):
        return (os.getcwd, ())


def test_untrusted_globals_are_still_refused(tmp_path):
    allow_mmengine_checkpoints()  # idempotent
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'payload': _Evil()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path)


def test_allow_is_idempotent():
    before = len(torch.serialization.get_safe_globals())
    allow_mmengine_checkpoints()
    allow_mmengine_checkpoints()
    assert len(torch.serialization.get_safe_globals()) == before
    buf = io.BytesIO()
    import numpy as np
    torch.save({'a': np.arange(3, dtype=np.float32), 'b': np.float64(2.5)}, buf)
    buf.seek(0)
    loaded = torch.load(buf)
    assert loaded['a'].tolist() == [0.0, 1.0, 2.0] and float(loaded['b']) == 2.5


def test_without_the_package_the_checkpoint_is_refused(tmp_path):
    """The fix is what makes loading work: a bare interpreter still refuses the checkpoint."""
    import subprocess
    import sys
    _runner(tmp_path, max_iters=4).train()
    code = ('import pickle, sys, torch\n'
            'try:\n'
            f'    torch.load({str(tmp_path / "iter_4.pth")!r})\n'
            'except pickle.UnpicklingError as e:\n'
            '    print("refused:", str(e).splitlines()[0]); sys.exit(3)\n')
    proc = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert 'refused' in proc.stdout


def test_getattr_is_allowed_only_for_history_buffer_statistics():
    from mmengine.logging import HistoryBuffer

    from textboxes_retina.utils.checkpoint import history_buffer_getattr
    assert history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError, match='refused'):
        history_buffer_getattr(HistoryBuffer, '__init__')
    with pytest.raises(pickle.UnpicklingError, match='refused'):
        history_buffer_getattr(os, 'system')


def test_a_getattr_payload_is_refused(tmp_path):
    """A file that uses getattr to reach os.system through an allowed object still fails."""

    class _Sneaky:

        def __reduce__(self):
            return (getattr, (np.ndarray, 'tofile'))

    import numpy as np
    path = tmp_path / 'sneaky.pth'
    torch.save({'x': _Sneaky()}, path)
    with pytest.raises(pickle.UnpicklingError, match='refused'):
        torch.load(path)

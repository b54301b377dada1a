"""An optimizer wrapper that never lets a non-finite loss or gradient reach the weights."""
import logging

import torch
from mmengine.dist import all_reduce
from mmengine.logging import MessageHub, print_log
from mmengine.optim import OptimWrapper
from mmocr.registry import OPTIM_WRAPPERS

_ACTIONS = ('raise', 'skip')


@OPTIM_WRAPPERS.register_module()
class NonFiniteLossGuardOptimWrapper(OptimWrapper):
    """:class:`~mmengine.optim.OptimWrapper` that stops at, or skips, a non-finite step.

    Before back-propagating it checks that the loss is finite, and before
    stepping that every gradient is; the verdict is agreed across ranks (one
    scalar ``all_reduce``), so all processes of a distributed run take the same
    branch and none is left waiting in a collective. A bad step either

    - ``'raise'`` (default): stops training with a :class:`FloatingPointError`
      that names the iteration. The optimizer has not stepped, so the weights
      in memory and every checkpoint already written are untouched; resume
      from the last checkpoint with ``tools/train.py --resume`` after fixing the
      cause (learning rate, data), or
    - ``'skip'``: drops the step (no backward of the bad loss, no optimizer
      update; with gradient accumulation the whole window is dropped), logs a
      warning and counts the skipped steps in the ``train/skipped_steps``
      scalar of the log.

    Only :meth:`backward` and :meth:`step` are overridden, so
    :meth:`~mmengine.optim.OptimWrapper.update_params`, gradient accumulation
    and ``clip_grad`` work as in the parent. Mixed precision is not combined
    with this wrapper: ``tools/train.py --amp`` replaces it by
    :class:`~mmengine.optim.AmpOptimWrapper`, whose loss scaler already skips
    steps with non-finite gradients.

    Example config::

        optim_wrapper = dict(
            type='NonFiniteLossGuardOptimWrapper',
            on_non_finite='skip',
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

    Args:
        *args: Positional arguments of :class:`~mmengine.optim.OptimWrapper`
            (the optimizer).
        on_non_finite (str): ``'raise'`` or ``'skip'``. Defaults to ``'raise'``.
        **kwargs: Keyword arguments of :class:`~mmengine.optim.OptimWrapper`
            (``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self, *args, on_non_finite: str = 'raise', **kwargs) -> None:
        if on_non_finite not in _ACTIONS:
            raise ValueError(
                f'on_non_finite must be one of {_ACTIONS}, got {on_non_finite!r}')
        super().__init__(*args, **kwargs)
        self.on_non_finite = on_non_finite
        self.skipped_steps = 0
        self._skip_pending = False

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """Back-propagate ``loss`` if it is finite on every rank.

        Args:
            loss (torch.Tensor): The (scaled) loss of this iteration, a scalar.
            **kwargs: Passed to :meth:`torch.Tensor.backward`.
        """
        locally_finite = torch.isfinite(loss.detach()).all()
        if _finite_on_all_ranks(locally_finite):
            super().backward(loss, **kwargs)
            return
        self._on_non_finite(f'loss = {loss.detach().float().item()}'
                            if not locally_finite else 'non-finite loss on another rank')
        # The parent's contract: every backward call advances the inner count.
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        """Step the optimizer unless this step was marked bad or a gradient is
        not finite.

        Args:
            **kwargs: Passed to :meth:`torch.optim.Optimizer.step`.
        """
        if not self._skip_pending and not _finite_on_all_ranks(self._grads_finite()):
            self._on_non_finite('non-finite gradient')
        if self._skip_pending:
            self._skip_pending = False
            return
        super().step(**kwargs)

    def _grads_finite(self) -> torch.Tensor:
        """Returns a bool scalar tensor: every parameter gradient is finite."""
        grads = [
            param.grad for group in self.optimizer.param_groups
            for param in group['params'] if param.grad is not None
        ]
        if not grads:
            return torch.tensor(True)
        return torch.stack([torch.isfinite(grad).all() for grad in grads]).all()

    def _on_non_finite(self, what: str) -> None:
        """Raise, or mark the current step to be skipped, for a bad ``what``."""
        iteration = MessageHub.get_current_instance().get_info('iter', -1) + 1
        where = f'at iteration {iteration}' if iteration > 0 else 'in this step'
        if self.on_non_finite == 'raise':
            raise FloatingPointError(
                f'Non-finite training step {where} ({what}). Training was stopped '
                'before the optimizer step, so the weights and the checkpoints '
                'already saved are not corrupted. Lower the learning rate, check '
                'the data, or set optim_wrapper.on_non_finite="skip" to skip such '
                'steps, then resume with tools/train.py --resume.')
        self._skip_pending = True
        self.skipped_steps += 1
        self.message_hub.update_scalar('train/skipped_steps', self.skipped_steps)
        print_log(
            f'Skipped a non-finite training step {where} ({what}); '
            f'{self.skipped_steps} skipped so far.',
            logger='current',
            level=logging.WARNING)


def _finite_on_all_ranks(finite: torch.Tensor) -> bool:
    """Agree across ranks: True only if ``finite`` (bool scalar) is True on all."""
    flag = finite.to(torch.float32).reshape(1)
    all_reduce(flag, op='min')
    return bool(flag.item() > 0)

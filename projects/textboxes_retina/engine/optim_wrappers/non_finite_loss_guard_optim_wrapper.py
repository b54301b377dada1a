# Copyright (c) textboxes_retina authors.
"""An optimizer wrapper that keeps non-finite or absurd losses and gradients from the weights."""
import logging
import math
from typing import Optional

import torch
from mmengine.dist import all_reduce
from mmengine.logging import MessageHub, print_log
from mmengine.optim import OptimWrapper
from mmocr.registry import OPTIM_WRAPPERS

_ACTIONS = ('raise', 'skip')


@OPTIM_WRAPPERS.register_module()
class NonFiniteLossGuardOptimWrapper(OptimWrapper):
    """:class:`~mmengine.optim.OptimWrapper` that stops at, or skips, a bad step.

    A step is bad when its loss is not finite or above ``max_loss``, or when the
    L2 norm of all its gradients (taken before clipping, the value mmengine logs
    as ``grad_norm``) is not finite or above ``max_grad_norm``. The norm is
    infinite as soon as the sum of squares overflows float32, even when every
    gradient is finite: that is the ``grad_norm: inf`` of an exploding run.
    The loss is checked before back-propagating, the gradients before
    stepping; the verdict is agreed across ranks (one scalar ``all_reduce``), so
    all processes of a distributed run take the same branch and none is left
    waiting in a collective. A bad step either

    - ``'raise'`` (default): stops training with a :class:`FloatingPointError`
      that names the iteration and the value. The optimizer has not stepped, so
      the weights in memory and every checkpoint already written are those of
      the last good step; resume from the last checkpoint with
      ``tools/train.py --resume`` after fixing the cause (learning rate, data),
      or
    - ``'skip'``: drops the step (no backward of the bad loss, no optimizer
      update; with gradient accumulation the whole window is dropped), logs a
      warning and counts the skipped steps in the ``train/skipped_steps``
      scalar of the log. ``max_consecutive_skips`` skipped steps in a row stop
      training as in ``'raise'``: a run that can no longer take a step is
      broken, not unlucky.

    The ceilings are far above what a healthy run sees, so they never trip on
    normal training: the detection losses are normalised by the number of
    positives (the small config starts at a loss of 21 and a gradient norm
    before clipping of 1.3, and stayed at or below 21 and 40 over 30 iterations
    at its peak learning rate, see ``docs/reliability.md``), while an exploding
    run passes 1e4 within a step (lr = 1e3: a loss of 1.3e33 at iteration 2).
    Set a ceiling to None to check finiteness only.

    Only :meth:`backward` and :meth:`step` are overridden, so
    :meth:`~mmengine.optim.OptimWrapper.update_params`, gradient accumulation
    and ``clip_grad`` work as in the parent. ``tools/train.py --amp`` replaces
    this wrapper by :class:`AmpNonFiniteLossGuardOptimWrapper`, which keeps the
    guard.

    Example config::

        optim_wrapper = dict(
            type='NonFiniteLossGuardOptimWrapper',
            on_non_finite='skip',
            max_loss=1e4,
            max_grad_norm=1e5,
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

    Args:
        *args: Positional arguments of :class:`~mmengine.optim.OptimWrapper`
            (the optimizer).
        on_non_finite (str): What to do with a bad step, ``'raise'`` or
            ``'skip'``. Defaults to ``'raise'``.
        max_loss (float, optional): Largest accepted loss (the loss handed to
            :meth:`backward`). Defaults to 1e4.
        max_grad_norm (float, optional): Largest accepted L2 norm of all
            gradients, before clipping. Defaults to 1e5.
        max_consecutive_skips (int): In ``'skip'`` mode, stop after this many
            skipped steps in a row. Defaults to 100.
        **kwargs: Keyword arguments of :class:`~mmengine.optim.OptimWrapper`
            (``accumulative_counts``, ``clip_grad``).
    """

    def __init__(self,
                 *args,
                 on_non_finite: str = 'raise',
                 max_loss: Optional[float] = 1e4,
                 max_grad_norm: Optional[float] = 1e5,
                 max_consecutive_skips: int = 100,
                 **kwargs) -> None:
        if on_non_finite not in _ACTIONS:
            raise ValueError(f'on_non_finite must be one of {_ACTIONS}, got {on_non_finite!r}')
        for name, value in (('max_loss', max_loss), ('max_grad_norm', max_grad_norm)):
            if value is not None and not value > 0:
                raise ValueError(f'{name} must be positive or None, got {value!r}')
        if max_consecutive_skips < 1:
            raise ValueError(
                f'max_consecutive_skips must be at least 1, got {max_consecutive_skips!r}')
        super().__init__(*args, **kwargs)
        self.on_non_finite = on_non_finite
        self.max_loss = max_loss
        self.max_grad_norm = max_grad_norm
        self.max_consecutive_skips = max_consecutive_skips
        self.skipped_steps = 0
        self.consecutive_skips = 0
        self._skip_pending = False

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        """Back-propagate ``loss`` if it is finite and at most ``max_loss`` on every rank.

        Args:
            loss (torch.Tensor): The loss of this iteration, a scalar (before any
                loss scaling of mixed precision).
            **kwargs: Passed to :meth:`torch.Tensor.backward`.
        """
        if self._check('loss', loss.detach(), self.max_loss):
            super().backward(loss, **kwargs)
            return
        # The parent's contract: every backward call advances the inner count.
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        """Step the optimizer unless this step was marked bad or the gradient
        norm is not finite or above ``max_grad_norm``.

        Args:
            **kwargs: Passed to :meth:`torch.optim.Optimizer.step`.
        """
        if self._step_allowed():
            super().step(**kwargs)

    def _step_allowed(self, grad_norm: Optional[torch.Tensor] = None) -> bool:
        """Check the gradients (``grad_norm``, computed if None) unless the step
        is already marked bad; False: the step is skipped."""
        if not self._skip_pending:
            self._check('gradient norm',
                        self._grad_norm() if grad_norm is None else grad_norm, self.max_grad_norm)
        if self._skip_pending:
            self._skip_pending = False
            return False
        self.consecutive_skips = 0
        return True

    def _grad_norm(self) -> torch.Tensor:
        """Returns the float32 L2 norm of all parameter gradients (0 without any)."""
        grads = [
            param.grad for group in self.optimizer.param_groups for param in group['params']
            if param.grad is not None
        ]
        if not grads:  # on the parameters' device: nccl reduces CUDA tensors only
            device = self.optimizer.param_groups[0]['params'][0].device
            return torch.zeros((), device=device)
        return torch.nn.utils.get_total_norm(grads, 2.0).float()

    def _check(self, what: str, value: torch.Tensor, ceiling: Optional[float]) -> bool:
        """True if ``value`` (scalar) is finite and at most ``ceiling`` on every
        rank; otherwise raise or mark the step to be skipped, and return False."""
        value = value.float()
        bad = ~torch.isfinite(value)
        if ceiling is not None:
            bad |= value.abs() > ceiling
        flag = bad.to(torch.float32).reshape(1)
        all_reduce(flag, op='max')
        if flag.item() == 0:
            return True
        if bad:
            number = value.item()
            option = 'max_loss' if what == 'loss' else 'max_grad_norm'
            reason = f'{what} = {number:.4g}' + ('' if not math.isfinite(number) else
                                                 f' > {option} = {ceiling:g}')
        else:
            reason = f'bad {what} on another rank'
        self._on_bad_step(reason)
        return False

    def _on_bad_step(self, reason: str) -> None:
        """Raise, or mark the current step to be skipped, for a bad ``reason``."""
        iteration = MessageHub.get_current_instance().get_info('iter', -1) + 1
        where = f'at iteration {iteration}' if iteration > 0 else 'in this step'
        ceilings = (f'max_loss={self.max_loss:g}' if self.max_loss else 'max_loss=None',
                    f'max_grad_norm={self.max_grad_norm:g}'
                    if self.max_grad_norm else 'max_grad_norm=None')
        if self.on_non_finite == 'raise':
            raise FloatingPointError(
                f'Bad training step {where} ({reason}). Training was stopped before the '
                'optimizer step, so the weights and the checkpoints already saved are '
                'not corrupted. Lower the learning rate, check the data, or set '
                'optim_wrapper.on_non_finite="skip" to skip such steps (ceilings: '
                f'optim_wrapper.{ceilings[0]}, optim_wrapper.{ceilings[1]}), then resume '
                'with tools/train.py --resume.')
        if self._skip_pending:  # a window already dropped counts once
            return
        self._skip_pending = True
        self.skipped_steps += 1
        self.consecutive_skips += 1
        self.message_hub.update_scalar('train/skipped_steps', self.skipped_steps)
        print_log(
            f'Skipped a bad training step {where} ({reason}); '
            f'{self.skipped_steps} skipped so far.',
            logger='current',
            level=logging.WARNING)
        if self.consecutive_skips >= self.max_consecutive_skips:
            raise FloatingPointError(
                f'{self.consecutive_skips} training steps in a row were bad, the last '
                f'{where} ({reason}); training was stopped (optim_wrapper.'
                f'max_consecutive_skips={self.max_consecutive_skips}). Lower the learning '
                'rate or check the data, then resume from a checkpoint written before the '
                'skips began.')

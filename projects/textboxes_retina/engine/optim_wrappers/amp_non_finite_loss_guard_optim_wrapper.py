# Copyright (c) textboxes_retina authors.
"""Mixed-precision training that keeps the guard against non-finite and absurd steps."""
import logging

from mmengine.logging import print_log
from mmengine.optim import AmpOptimWrapper
from mmocr.registry import OPTIM_WRAPPERS

from .non_finite_loss_guard_optim_wrapper import NonFiniteLossGuardOptimWrapper


@OPTIM_WRAPPERS.register_module()
class AmpNonFiniteLossGuardOptimWrapper(NonFiniteLossGuardOptimWrapper, AmpOptimWrapper):
    """:class:`~mmengine.optim.AmpOptimWrapper` with the checks of
    :class:`NonFiniteLossGuardOptimWrapper`.

    ``tools/train.py --amp`` selects it for configs that use the guard. The loss
    is checked before it is scaled, the gradient norm after the loss scaler
    has unscaled the gradients, so ``max_loss`` and ``max_grad_norm`` mean the
    same as without mixed precision.

    A dynamic loss scaler overflows now and then by design: a float16 gradient
    of ``loss * scale`` is infinite, the scaler skips that step and halves the
    scale. Such an overflow while the scale is still above 1 is left to the
    scaler (logged at INFO level, not counted as a bad step); a gradient that is
    not finite at a scale of 1 or below, a finite gradient norm above
    ``max_grad_norm`` and a bad loss are bad steps, raised or skipped as
    ``on_non_finite`` says. When the scaler is disabled (no CUDA device; on CPU
    mmengine autocasts to bfloat16), every non-finite gradient is a bad step.

    Example config::

        optim_wrapper = dict(
            type='AmpNonFiniteLossGuardOptimWrapper',
            loss_scale='dynamic',
            on_non_finite='raise',
            optimizer=dict(type='SGD', lr=0.01, momentum=0.9))

    Args:
        *args: Positional arguments of :class:`NonFiniteLossGuardOptimWrapper`.
        **kwargs: Keyword arguments of :class:`NonFiniteLossGuardOptimWrapper`
            (``on_non_finite``, ``max_loss``, ``max_grad_norm``,
            ``max_consecutive_skips``) and of
            :class:`~mmengine.optim.AmpOptimWrapper` (``loss_scale``, ``dtype``).
    """

    def step(self, **kwargs) -> None:
        """Unscale the gradients, check them, clip them and step through the
        loss scaler, unless the step is bad.

        Args:
            **kwargs: Passed to :meth:`torch.optim.Optimizer.step`.
        """
        scaler = self.loss_scaler
        if self._skip_pending:  # a bad loss in this window: nothing was unscaled
            self._step_allowed()
            return
        scaler.unscale_(self.optimizer)  # a no-op when the scaler is disabled
        grad_norm = self._grad_norm()
        if scaler.is_enabled() and not grad_norm.isfinite() and scaler.get_scale() > 1:
            print_log(
                f'Mixed precision: gradient overflow at loss scale {scaler.get_scale():g}; '
                'the loss scaler skips this step and lowers the scale.',
                logger='current',
                level=logging.INFO)
            scaler.step(self.optimizer, **kwargs)  # skipped by the scaler (inf found)
            scaler.update(self._scale_update_param)
            return
        if not self._step_allowed(grad_norm):
            if scaler.is_enabled():
                scaler.update(self._scale_update_param)  # closes this step's unscale_
            return
        if self.clip_grad_kwargs:
            self._clip_grad()
        scaler.step(self.optimizer, **kwargs)
        scaler.update(self._scale_update_param)

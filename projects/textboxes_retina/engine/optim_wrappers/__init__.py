# Copyright (c) textboxes_retina authors.
"""Optimizer wrappers."""
from .amp_non_finite_loss_guard_optim_wrapper import AmpNonFiniteLossGuardOptimWrapper
from .non_finite_loss_guard_optim_wrapper import NonFiniteLossGuardOptimWrapper

__all__ = ['AmpNonFiniteLossGuardOptimWrapper', 'NonFiniteLossGuardOptimWrapper']

"""Optimizer wrappers."""
from .non_finite_loss_guard_optim_wrapper import NonFiniteLossGuardOptimWrapper

__all__ = ['NonFiniteLossGuardOptimWrapper']

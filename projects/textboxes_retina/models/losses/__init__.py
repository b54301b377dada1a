"""Losses registered in ``mmocr.registry.MODELS``."""
from .focal_loss_star import FocalLossStar, focal_loss_star

__all__ = ['FocalLossStar', 'focal_loss_star']

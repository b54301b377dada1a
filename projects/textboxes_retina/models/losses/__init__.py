# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Losses registered in ``mmocr.registry.MODELS``."""
from .db_prob_map_loss import DBProbMapLoss
from .device_agnostic_focal_loss import DeviceAgnosticFocalLoss
from .focal_loss_star import FocalLossStar, focal_loss_star

__all__ = ['DBProbMapLoss', 'DeviceAgnosticFocalLoss', 'FocalLossStar', 'focal_loss_star']

# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Losses."""
from .device_agnostic_focal_loss import DeviceAgnosticFocalLoss

__all__ = ['DeviceAgnosticFocalLoss']

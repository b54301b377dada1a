# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Backbones."""
from .se_resnet import SEResNet

__all__ = ['SEResNet']

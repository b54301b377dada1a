# Copyright (c) textboxes_retina authors. Importing this module registers its classes.
"""Backbones."""
from .ppocr_det_features import PPOCRDetFeatures
from .se_resnet import SEResNet

__all__ = ['PPOCRDetFeatures', 'SEResNet']

# Copyright (c) textboxes_retina authors.
"""textboxes_retina: a RetinaNet + TextBoxes++ quadrilateral text detector for OpenMMLab.

Importing the package registers every module into MMOCR's registries (default scope ``mmocr``;
MMDetection parts are named with their scope in configs, e.g. ``'mmdet.SmoothL1Loss'``) and makes
mmengine checkpoints loadable under torch >= 2.6 (see :mod:`textboxes_retina.utils.checkpoint`).
Configs load it with::

    custom_imports = dict(imports=['textboxes_retina'], allow_failed_imports=False)
"""
from .utils.checkpoint import allow_mmengine_checkpoints
from .version import __version__

allow_mmengine_checkpoints()

from . import datasets, deployment, engine, evaluation, models, structures  # noqa: E402,F401

__all__ = ['__version__', 'allow_mmengine_checkpoints']

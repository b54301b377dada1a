# Copyright (c) textboxes_retina authors.
"""ImageNet SE-ResNet checkpoints in our :class:`SEResNet`'s names.

Three layouts of the same network are understood, recognised by their keys:

* ``'cadene'``: Cadene's ``pretrainedmodels`` files (``se_resnet50-ce0d4300.pth``,
  ``se_resnet101-7e38fcc6.pth``, the seed's ImageNet weights), also timm's
  ``legacy_seresnet50/101``: a flat state dict with ``layer0.conv1``, ``layer0.bn1``,
  ``layerN.i.se_module.fc1/fc2`` and the classifier ``last_linear``. Trained with the stride on
  the bottleneck's first 1x1 conv (mmdet ``style='caffe'``) and a stem max-pool without padding
  and with ``ceil_mode`` (``stem_pool='caffe'``).
* ``'mmpretrain'``: OpenMMLab's mmpretrain (mmcls) ``SEResNet`` checkpoints
  (``se-resnet50_batch256_imagenet_20200804-ae206104.pth``): ``{'state_dict': {'backbone.*',
  'head.*'}}`` with ``layerN.i.se_layer.conv1.conv``. Trained with ``style='pytorch'`` (stride on
  the 3x3 conv) and mmdet's stem (``stem_pool='pytorch'``).
* ``'textboxes_retina'``: our own names (a file written by
  ``tools/model_converters/se_resnet_to_textboxes_retina.py``, or the ``backbone.*`` part of a
  detector checkpoint).

:func:`convert_se_resnet_state_dict` maps any of them to our names; :func:`load_se_resnet_weights`
loads the result strictly and says what is missing, unexpected or of another shape.
"""
import re
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

import torch
from torch import nn

# The architecture each family was trained with: SEResNet(style=..., stem_pool=...).
SE_RESNET_FAMILIES = {
    'cadene': dict(style='caffe', stem_pool='caffe'),
    'mmpretrain': dict(style='pytorch', stem_pool='pytorch'),
    'textboxes_retina': None,  # our names: the file does not say which (the converter's meta may)
}

_CADENE_RULES = [
    (re.compile(r'^layer0\.conv1\.'), 'conv1.'),
    (re.compile(r'^layer0\.bn1\.'), 'bn1.'),
    (re.compile(r'\.se_module\.fc1\.'), '.se.conv1.conv.'),
    (re.compile(r'\.se_module\.fc2\.'), '.se.conv2.conv.'),
]
_MMPRETRAIN_RULES = [(re.compile(r'\.se_layer\.'), '.se.')]


def checkpoint_state_dict(checkpoint: dict) -> Dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint: its ``state_dict`` (or ``model``) entry, or the
    checkpoint itself when it is a flat state dict (Cadene's files)."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def detect_se_resnet_family(state_dict: Dict[str, torch.Tensor]) -> str:
    """Which layout a state dict is in: ``'cadene'``, ``'mmpretrain'`` or ``'textboxes_retina'``.

    Raises:
        ValueError: When the keys are none of them (e.g. a plain ResNet without SE layers).
    """
    keys = [key[len('backbone.'):] if key.startswith('backbone.') else key for key in state_dict]
    if any(key.startswith('layer0.conv1.') for key in keys) and any('.se_module.' in key
                                                                    for key in keys):
        return 'cadene'
    if any('.se_layer.conv' in key for key in keys):
        return 'mmpretrain'
    if any('.se.conv' in key for key in keys):
        return 'textboxes_retina'
    raise ValueError(
        'not an SE-ResNet checkpoint: expected the keys of Cadene/timm (layer0.conv1, '
        'layerN.i.se_module.fc1), mmpretrain (backbone.layerN.i.se_layer.conv1.conv) or '
        f'textboxes_retina (layerN.i.se.conv1.conv); the first keys are {list(keys)[:5]}')


def convert_se_resnet_state_dict(
        state_dict: Dict[str, torch.Tensor],
        family: Optional[str] = None) -> Tuple['OrderedDict[str, torch.Tensor]', str, List[str]]:
    """Rename an ImageNet SE-ResNet state dict to :class:`SEResNet`'s names.

    Args:
        state_dict (dict[str, Tensor]): The checkpoint's tensors, in one of the layouts of
            :data:`SE_RESNET_FAMILIES`.
        family (str, optional): The layout; detected from the keys when None.

    Returns:
        tuple: ``(backbone_state_dict, family, ignored_keys)``: the renamed backbone tensors,
        the layout and the checkpoint keys that are not backbone weights (the classifier:
        ``last_linear.*``, ``head.*``; a detector's neck and head).
    """
    family = family or detect_se_resnet_family(state_dict)
    if family not in SE_RESNET_FAMILIES:
        raise ValueError(f'unknown SE-ResNet checkpoint family {family!r}; '
                         f'known: {sorted(SE_RESNET_FAMILIES)}')
    has_backbone_prefix = any(key.startswith('backbone.') for key in state_dict)
    rules = dict(cadene=_CADENE_RULES, mmpretrain=_MMPRETRAIN_RULES).get(family, [])
    converted, ignored = OrderedDict(), []
    for key, value in state_dict.items():
        if has_backbone_prefix:
            if not key.startswith('backbone.'):
                ignored.append(key)
                continue
            key = key[len('backbone.'):]
        elif family == 'cadene' and key.startswith('last_linear.'):
            ignored.append(key)
            continue
        for pattern, replacement in rules:
            key = pattern.sub(replacement, key)
        converted[key] = value
    return converted, family, ignored


def _to_group_norm_names(module: nn.Module,
                         state_dict: Dict[str, torch.Tensor]) -> Tuple[dict, List[str]]:
    """Batch-norm tensors renamed for ``module``'s GroupNorms (mmdet names them ``gnK``, not
    ``bnK``), and the batch-norm statistics they have no use for (dropped)."""
    group_norms = {name for name, m in module.named_modules() if isinstance(m, nn.GroupNorm)}
    if not group_norms:
        return state_dict, []
    renamed, unused = {}, []
    for key, value in state_dict.items():
        name, _, leaf = key.rpartition('.')
        gn_name = re.sub(r'(^|\.)bn(\d)$', r'\1gn\2', name)
        if gn_name in group_norms:
            if leaf in ('running_mean', 'running_var', 'num_batches_tracked'):
                unused.append(key)
                continue
            key = f'{gn_name}.{leaf}'
        renamed[key] = value
    return renamed, unused


def load_se_resnet_weights(backbone: nn.Module,
                           state_dict: Dict[str, torch.Tensor],
                           source: str = 'the checkpoint') -> Tuple[List[str], List[str]]:
    """Load a converted state dict into ``backbone``; every parameter and buffer must come from it.

    Two things are allowed and returned, nothing else: ``num_batches_tracked`` counters missing
    from the file (files saved before PyTorch 0.4 have none; batch norm then starts the counter at
    0, as ``torch.nn.BatchNorm2d`` does), and, when ``backbone`` uses GroupNorm, the file's
    batch-norm running statistics (GroupNorm normalises each image by its own statistics; the
    affine weights are loaded into the ``gnK`` layers that stand where the ``bnK`` were).

    Args:
        backbone (nn.Module): The network to fill.
        state_dict (dict[str, Tensor]): Tensors in ``backbone``'s names
            (:func:`convert_se_resnet_state_dict`).
        source (str): Where the tensors come from, for the error message.

    Returns:
        tuple[list[str], list[str]]: The file's batch-norm statistics not used by GroupNorm, and
        the ``num_batches_tracked`` counters the file did not have.

    Raises:
        KeyError: Listing every missing key, unexpected key and shape mismatch.
    """
    own = backbone.state_dict()
    state_dict, unused = _to_group_norm_names(backbone, state_dict)
    missing = [k for k in own if k not in state_dict]
    counters = [k for k in missing if k.endswith('.num_batches_tracked')]
    missing = [k for k in missing if k not in counters]
    unexpected = [k for k in state_dict if k not in own]
    mismatched = [
        f'{k}: {tuple(state_dict[k].shape)} in the file, {tuple(own[k].shape)} here' for k in own
        if k in state_dict and state_dict[k].shape != own[k].shape
    ]
    if missing or unexpected or mismatched:
        lines = [
            f'{source} does not fit {type(backbone).__name__}'
            f'(depth={getattr(backbone, "depth", "?")}):'
        ]
        for title, keys in (('missing', missing), ('unexpected', unexpected), ('of another shape',
                                                                               mismatched)):
            if keys:
                more = f', ... ({len(keys)} in all)' if len(keys) > 8 else ''
                shown = ', '.join(keys[:8]) + more
                lines.append(f'  {len(keys)} keys {title}: {shown}')
        lines.append('Use an SE-ResNet ImageNet checkpoint of the same depth (Cadene/timm '
                     'legacy_seresnet or mmpretrain SEResNet), or convert it with '
                     'tools/model_converters/se_resnet_to_textboxes_retina.py.')
        raise KeyError('\n'.join(lines))
    # Without the file's _metadata, batch norm starts a missing counter at 0 itself.
    backbone.load_state_dict(state_dict, strict=True)
    return unused, counters

# Copyright (c) textboxes_retina authors.
"""Refuse a checkpoint whose parameters do not fit the model, naming the keys that differ."""
import re
from typing import Dict, List

import torch
from torch import nn

#: mmengine's default ``revise_keys`` of ``Runner.load_checkpoint``: DDP's ``module.`` prefix.
_REVISE_KEYS = ((r'^module\.', ''), )


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model that receives the weights: inside DDP wrappers and test-time augmentation
    (mmengine's ``load_state_dict`` unwraps the same ones)."""
    from mmengine.model import BaseTTAModel, is_model_wrapper
    while is_model_wrapper(model) or isinstance(model, BaseTTAModel):
        model = model.module
    return model


def state_dict_mismatches(model_state: Dict[str, torch.Tensor],
                          checkpoint_state: Dict[str, torch.Tensor],
                          max_listed: int = 10) -> List[str]:
    """Say how a checkpoint's state dict differs from a model's.

    Args:
        model_state (dict[str, Tensor]): ``model.state_dict()``.
        checkpoint_state (dict[str, Tensor]): The checkpoint's ``state_dict`` (keys already
            revised, e.g. without ``module.``).
        max_listed (int): Keys quoted per kind of difference. Defaults to 10.

    Returns:
        list[str]: One sentence per kind of difference (shape, missing, unexpected); empty when
        the checkpoint fits. BatchNorm's ``num_batches_tracked`` is not required (mmengine
        ignores it too).
    """

    def listed(keys: List[str]) -> str:
        more = f' and {len(keys) - max_listed} more' if len(keys) > max_listed else ''
        return ', '.join(keys[:max_listed]) + more

    problems = []
    shapes = [
        f'{key}: checkpoint {tuple(value.shape)}, model {tuple(model_state[key].shape)}'
        for key, value in checkpoint_state.items() if key in model_state
        and hasattr(value, 'shape') and tuple(value.shape) != tuple(model_state[key].shape)
    ]
    if shapes:
        problems.append(f'{len(shapes)} parameter(s) differ in shape: {listed(shapes)}')
    missing = [
        key for key in model_state
        if key not in checkpoint_state and not key.endswith('num_batches_tracked')
    ]
    if missing:
        problems.append(f'{len(missing)} missing from the checkpoint: {listed(missing)}')
    unexpected = [key for key in checkpoint_state if key not in model_state]
    if unexpected:
        problems.append(f'{len(unexpected)} not in the model: {listed(unexpected)}')
    return problems


def check_checkpoint_fits(model: nn.Module, filename: str) -> None:
    """Raise if the checkpoint ``filename`` does not fit ``model`` exactly.

    ``tools/test.py`` and ``tools/infer.py`` call it (``--strict-load``, the default) because
    mmengine loads checkpoints non-strictly: a checkpoint of another config only logs
    size-mismatch lines and leaves those layers randomly initialised.

    Args:
        model (nn.Module): The built model (DDP / TTA wrappers are looked through).
        filename (str): The checkpoint, as mmengine loads it.

    Raises:
        RuntimeError: The checkpoint's parameters differ in shape, are missing or are
            unexpected; the message lists the keys.
    """
    from mmengine.runner.checkpoint import _load_checkpoint
    checkpoint = _load_checkpoint(filename, map_location='cpu')
    state = checkpoint.get('state_dict', checkpoint) if isinstance(checkpoint, dict) else {}
    for pattern, replacement in _REVISE_KEYS:
        state = {re.sub(pattern, replacement, key): value for key, value in state.items()}
    problems = state_dict_mismatches(unwrap_model(model).state_dict(), state)
    if problems:
        raise RuntimeError(
            f'checkpoint {filename} does not fit the model of this config: ' + '; '.join(problems) +
            '. It was probably trained with another config; pass '
            '--no-strict-load to load only the matching parameters (the others keep their '
            'random initialisation).')

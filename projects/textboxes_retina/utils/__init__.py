# Copyright (c) textboxes_retina authors.
"""Package utilities."""
from .checkpoint import allow_mmengine_checkpoints, mmengine_checkpoint_globals
from .cli import CfgOptionsAction, add_strict_load_argument, positive_int
from .strict_load import check_checkpoint_fits, state_dict_mismatches, unwrap_model

__all__ = [
    'CfgOptionsAction', 'add_strict_load_argument', 'allow_mmengine_checkpoints',
    'check_checkpoint_fits', 'mmengine_checkpoint_globals', 'positive_int', 'state_dict_mismatches',
    'unwrap_model'
]

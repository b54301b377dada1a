# Copyright (c) textboxes_retina authors.
"""Datasets reading the official ICDAR / MLT / SynthText files, and quad-aware transforms."""
from .bad_input_policy import BadInputPolicy, BadInputWarning, DatasetInputError
from .base_icdar_dataset import BaseICDARDataset
from .folder_or_zip import FolderOrZip
from .icdar2013_dataset import ICDAR2013Dataset
from .icdar2015_dataset import ICDAR2015Dataset
from .mlt2017_dataset import MLT2017Dataset
from .synthtext_dataset import SynthTextDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'BadInputPolicy', 'BadInputWarning', 'BaseICDARDataset', 'DatasetInputError', 'FolderOrZip',
    'ICDAR2013Dataset', 'ICDAR2015Dataset', 'MLT2017Dataset', 'SynthTextDataset'
]

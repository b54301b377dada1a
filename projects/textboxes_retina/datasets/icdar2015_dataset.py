# Copyright (c) textboxes_retina authors.
"""ICDAR 2015 Incidental Scene Text (Robust Reading Challenge 4), read from the official files."""
from mmocr.registry import DATASETS

from .base_icdar_dataset import BaseICDARDataset
from .icdar_parsers import parse_icdar2015_line


@DATASETS.register_module()
class ICDAR2015Dataset(BaseICDARDataset):
    """ICDAR 2015 text detection: ``img_N.jpg`` + ``gt_img_N.txt``.

    Ground-truth lines are ``x1,y1,x2,y2,x3,y3,x4,y4,transcription`` (UTF-8 with or without BOM,
    CRLF or LF; the transcription may contain commas; ``###`` = don't care). Official layout::

        data/icdar2015/
        ├── ch4_training_images/                         (or ch4_training_images.zip)
        ├── ch4_training_localization_transcription_gt/  (or ..._gt.zip)
        ├── ch4_test_images/                             (or ch4_test_images.zip)
        └── Challenge4_Test_Task1_GT/                    (or Challenge4_Test_Task1_GT.zip)

    Example:
        >>> dataset = ICDAR2015Dataset(
        ...     data_root='data/icdar2015',
        ...     img_dir='ch4_training_images',
        ...     ann_dir='ch4_training_localization_transcription_gt')

    See :class:`BaseICDARDataset` for the arguments, the ``data_info`` keys and the handling of
    bad input.
    """

    IMG_SUFFIXES = ('.jpg', '.jpeg', '.png')
    parse_line = staticmethod(parse_icdar2015_line)

# Copyright (c) textboxes_retina authors.
"""ICDAR 2013 Focused Scene Text (Robust Reading Challenge 2), read from the official files."""
from mmocr.registry import DATASETS

from .base_icdar_dataset import BaseICDARDataset
from .icdar_parsers import parse_icdar2013_line


@DATASETS.register_module()
class ICDAR2013Dataset(BaseICDARDataset):
    """ICDAR 2013 text detection with axis-aligned word boxes turned into 4-point quads.

    Training ground truth is ``gt_N.txt`` for ``N.jpg`` with ``xmin ymin xmax ymax "text"``; test
    ground truth is ``gt_img_N.txt`` for ``img_N.jpg`` with ``xmin, ymin, xmax, ymax, "text"``.
    Both are read by the same parser (the separator is detected per line). Official layout::

        data/icdar2013/
        ├── Challenge2_Training_Task12_Images/   (or .zip)
        ├── Challenge2_Training_Task1_GT/        (or .zip)
        ├── Challenge2_Test_Task12_Images/       (or .zip)
        └── Challenge2_Test_Task1_GT/            (or .zip)

    See :class:`BaseICDARDataset` for the arguments, the ``data_info`` keys and the handling of
    bad input.
    """

    IMG_SUFFIXES = ('.jpg', '.jpeg', '.png')
    parse_line = staticmethod(parse_icdar2013_line)

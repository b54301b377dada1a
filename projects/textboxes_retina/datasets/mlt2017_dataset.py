# Copyright (c) textboxes_retina authors.
"""ICDAR 2017 MLT (multi-lingual scene text), read from the official files."""
from mmocr.registry import DATASETS

from .base_icdar_dataset import BaseICDARDataset
from .icdar_parsers import parse_mlt2017_line


@DATASETS.register_module()
class MLT2017Dataset(BaseICDARDataset):
    """ICDAR 2017 MLT text detection: ``img_N.{jpg,png,gif}`` + ``gt_img_N.txt``.

    Ground-truth lines are ``x1,y1,...,x4,y4,script,transcription`` (``###`` = don't care); the
    script (``Latin``, ``Arabic``, ...) is kept in each instance as ``script``. The training
    images come in eight archives, so ``img_dir`` takes a list. Official layout::

        data/mlt2017/
        ├── ch8_training_images_1.zip ... ch8_training_images_8.zip   (or folders)
        ├── ch8_training_localization_transcription_gt_v2.zip         (or folder)
        ├── ch8_validation_images.zip
        └── ch8_validation_localization_transcription_gt_v2.zip

    OpenCV cannot decode GIF: load the images with
    ``dict(type='LoadImageFromFile', imdecode_backend='pillow')``.

    See :class:`BaseICDARDataset` for the arguments, the ``data_info`` keys and the handling of
    bad input.
    """

    IMG_SUFFIXES = ('.jpg', '.jpeg', '.png', '.gif')
    parse_line = staticmethod(parse_mlt2017_line)

# Copyright (c) textboxes_retina authors.
"""Seeded inputs of the head tests: feature maps of a 128 px image and MMOCR samples."""
from typing import Sequence, Tuple

import numpy as np
import torch

#: Side of the square image of the head tests, in pixels.
HEAD_IMG = 128
#: (H, W) of the feature maps :func:`head_feats` returns: strides 4 .. 128 on :data:`HEAD_IMG`.
HEAD_SIZES = [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
#: A slightly rotated word, (8,) clockwise from its top-left, inside :data:`HEAD_IMG`.
WORD = [20, 30, 80, 26, 82, 46, 22, 50]
#: An axis-aligned word used as a don't-care one.
DONT_CARE = [60, 80, 110, 80, 110, 100, 60, 100]


def head_feats(channels: int = 8) -> Tuple[torch.Tensor, ...]:
    """Uniform random feature maps (seed 1), one ``(1, channels, H, W)`` per
    :data:`HEAD_SIZES` entry."""
    gen = torch.Generator().manual_seed(1)
    return tuple(torch.rand(1, channels, h, w, generator=gen) for h, w in HEAD_SIZES)


def head_sample(polygons: Sequence = (), ignored: Sequence = (), scale: float = 1.0):
    """A ``TextDetDataSample`` of a :data:`HEAD_IMG` square image resized by ``scale`` from its
    original, with ``polygons`` ((8,) each) as text (label 0) and ``ignored`` flags."""
    from mmengine.structures import InstanceData
    from mmocr.structures import TextDetDataSample
    sample = TextDetDataSample(
        metainfo=dict(
            img_shape=(HEAD_IMG, HEAD_IMG),
            pad_shape=(HEAD_IMG, HEAD_IMG),
            ori_shape=(round(HEAD_IMG / scale), ) * 2,
            scale_factor=(scale, scale)))
    sample.gt_instances = InstanceData(
        polygons=[np.asarray(p, np.float32) for p in polygons],
        ignored=torch.tensor(list(ignored), dtype=torch.bool),
        labels=torch.zeros(len(polygons), dtype=torch.long))
    return sample

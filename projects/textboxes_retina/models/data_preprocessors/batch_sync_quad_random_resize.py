# Copyright (c) textboxes_retina authors.
"""Multi-scale training: one random size per batch, the same on every rank, quads included."""
import math
from typing import List, Tuple

import numpy as np
from mmdet.models.data_preprocessors import BatchSyncRandomResize
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from torch import Tensor

from textboxes_retina.structures import clamp_polygons, clip_quads


@MODELS.register_module()
class BatchSyncQuadRandomResize(BatchSyncRandomResize):
    """mmdet's ``BatchSyncRandomResize`` that also rescales quads and ``scale_factor``.

    Used as a ``batch_augments`` entry of ``mmdet.DetDataPreprocessor``. Every ``interval``
    iterations rank 0 draws a new size (a multiple of ``size_divisor`` within
    ``random_size_range``, the width following the batch's aspect ratio) and broadcasts it, so
    all ranks agree; each batch is bilinearly resized to the current size. The parent rescales
    ``gt_instances.bboxes`` and sets ``img_shape``, ``pad_shape`` and ``batch_input_shape``; this
    class also rescales ``gt_instances.polygons``, multiplies ``scale_factor`` by the same factors
    and clamps the quads into the new ``img_shape`` (which the parent rounds down), so images and
    labels stay aligned.

    Unlike the parent, the size range is rounded inwards (``ceil(min / d)`` to
    ``floor(max / d)`` multiples of ``d``), so drawn sizes never leave ``random_size_range``:
    ``(608, 960)`` with ``size_divisor=128`` gives 640, 768 or 896.

    Args:
        random_size_range (tuple[int, int]): Range of the batch height, in pixels.
        interval (int): Iterations between size changes. Defaults to 1.
        size_divisor (int): Drawn sizes are multiples of it; 128 matches the stride of P7.
            Defaults to 128.
    """

    def __init__(self,
                 random_size_range: Tuple[int, int],
                 interval: int = 1,
                 size_divisor: int = 128) -> None:
        super().__init__(random_size_range, interval=interval, size_divisor=size_divisor)
        low = math.ceil(random_size_range[0] / size_divisor)
        high = math.floor(random_size_range[1] / size_divisor)
        if low < 1 or low > high:
            raise ValueError(f'random_size_range {random_size_range} contains no multiple of '
                             f'size_divisor {size_divisor}')
        self._random_size_range = (low, high)

    def forward(self, inputs: Tensor,
                data_samples: List[TextDetDataSample]) -> Tuple[Tensor, List[TextDetDataSample]]:
        """Resize the batch to the current size and rescale every annotation with it.

        Args:
            inputs (Tensor): ``(N, C, H, W)`` batch.
            data_samples (list[TextDetDataSample]): With ``gt_instances.polygons`` (list of
                ``(2k,)`` arrays) and ``gt_instances.bboxes`` (``(M, 4)``).

        Returns:
            tuple[Tensor, list[TextDetDataSample]]: The resized batch and the updated samples.
        """
        height, width = inputs.shape[-2:]
        target_h, target_w = self._input_size or (height, width)
        scale_x, scale_y = target_w / width, target_h / height
        inputs, data_samples = super().forward(inputs, data_samples)
        if scale_x == 1 and scale_y == 1:
            return inputs, data_samples
        for data_sample in data_samples:
            img_h, img_w = data_sample.img_shape
            if 'scale_factor' in data_sample:
                factor_w, factor_h = data_sample.scale_factor
                data_sample.set_metainfo(
                    dict(scale_factor=(factor_w * scale_x, factor_h * scale_y)))
            gt_instances = data_sample.gt_instances
            if 'polygons' in gt_instances:
                scale = np.array([scale_x, scale_y], dtype=np.float32)
                gt_instances.polygons = clamp_polygons(
                    [(np.asarray(p, np.float32).reshape(-1, 2) * scale).reshape(-1)
                     for p in gt_instances.polygons], img_w, img_h)
            if 'bboxes' in gt_instances:
                gt_instances.bboxes = clip_quads(gt_instances.bboxes, (img_h, img_w))
        return inputs, data_samples

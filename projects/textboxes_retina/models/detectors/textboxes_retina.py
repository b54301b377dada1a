# Copyright (c) textboxes_retina authors.
from typing import List, Sequence

import numpy as np
from mmdet.models.detectors import SingleStageDetector
from mmdet.structures.bbox import BaseBoxes
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

from textboxes_retina.structures import QuadBoxes


@MODELS.register_module()
class TextBoxesRetina(SingleStageDetector):
    """Single-stage quadrilateral text detector (RetinaNet + TextBoxes++).

    mmdet's :class:`SingleStageDetector` (backbone, neck, dense head) fed
    with MMOCR's packed inputs: ``TextDetDataSample`` with
    ``gt_instances.polygons`` / ``.ignored`` (``PackTextDetInputs``). The head
    (e.g. :class:`~textboxes_retina.models.dense_heads.TextBoxesRetinaHead`)
    returns quads in ``bboxes`` (:class:`QuadBoxes`, or their tensor); this
    class turns them into MMOCR results, so MMOCR's metrics, visualiser and
    inferencer take them unchanged: the quads become ``polygons`` and
    ``bboxes`` holds their axis-aligned bounding boxes (MMOCR's meaning).
    Arguments are those of :class:`SingleStageDetector`.
    """

    def add_pred_to_datasample(self, data_samples: Sequence[TextDetDataSample],
                               results_list: List[InstanceData]) -> Sequence[TextDetDataSample]:
        """Store each image's results as MMOCR text detection predictions.

        Args:
            data_samples (list[TextDetDataSample]): The batch's samples.
            results_list (list[InstanceData]): Head results per image:
                ``bboxes`` (:class:`QuadBoxes`, or a tensor of quads, shape
                (N, 8)), ``scores``, ``labels``.

        Returns:
            list[TextDetDataSample]: The samples with ``pred_instances``:
            ``polygons`` (list of N float32 arrays of 8 values), ``scores``
            and ``labels`` (shape (N, )) and ``bboxes`` (the quads' bounding
            boxes, shape (N, 4)).
        """
        for data_sample, results in zip(data_samples, results_list):
            quads = results.bboxes
            quads = (quads.convert_to('quad') if isinstance(quads, BaseBoxes) else QuadBoxes(
                quads, clone=False)).detach()
            pred = InstanceData()
            pred.polygons = list(quads.tensor.cpu().numpy().astype(np.float32))
            pred.scores = results.scores
            pred.labels = results.labels
            pred.bboxes = quads.convert_to('hbox').tensor
            data_sample.pred_instances = pred
        return data_samples

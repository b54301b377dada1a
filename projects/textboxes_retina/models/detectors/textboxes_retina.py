# Copyright (c) textboxes_retina authors.
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from mmdet.models.detectors import SingleStageDetector
from mmdet.structures.bbox import BaseBoxes
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from torch import Tensor

from textboxes_retina.structures import QuadBoxes
from ..utils import quad_map_max


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


@MODELS.register_module()
class MapRescoredTextBoxesRetina(TextBoxesRetina):
    """:class:`TextBoxesRetina` whose quads are rescored by a text probability map.

    The backbone returns, after its features, a dense ``(N, 1, H, W)`` text probability map at
    the input resolution: e.g. ``PPOCRDetFeatures(return_maps=True)``, the pretrained PP-OCRv4
    DB detector's own map. The features go to the neck and the head as in
    :class:`TextBoxesRetina`; at test time each quad's score becomes the head's score times the
    map's maximum inside the quad (:func:`~textboxes_retina.models.utils.quad_map_max`): the
    product of the two detectors' confidences, so a quad needs both the head and the map to
    see text. (PaddleOCR's DB post-processing scores its boxes from the same map.) The quads
    are then sorted by the new scores (a stable sort: ties keep the head's order). Training is
    :class:`TextBoxesRetina`'s, unless ``map_loss`` is given: then the map learns too, from
    the same ground truth (e.g. :class:`~textboxes_retina.models.losses.DBProbMapLoss`, DB's
    own loss of its probability map), its losses added to the head's. Only :meth:`predict`
    rescores: ``mode='tensor'`` (and an ONNX export of it) gives the head's raw outputs.

    Args:
        map_loss (dict, optional): The loss of the map, called as ``loss(map,
            batch_data_samples)`` and returning a dict of losses. The backbone's map must then
            carry gradients (``PPOCRDetFeatures(frozen=False)`` without ``frozen_maps``).
            Defaults to None: the map does not learn from this model's losses.
        rescore (bool): Rescore the quads at test time. False gives the head's own scores
            (the plain detector's predictions, from the same checkpoint:
            ``--cfg-options model.rescore=False``). Defaults to True.
        Others: those of :class:`TextBoxesRetina`.
    """

    def __init__(self,
                 *args,
                 map_loss: Optional[dict] = None,
                 rescore: bool = True,
                 **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.map_loss = MODELS.build(map_loss) if map_loss is not None else None
        self.rescore = rescore

    def _features_and_map(self, batch_inputs: Tensor) -> Tuple[Tuple[Tensor, ...], Tensor]:
        """The neck's features of the backbone's outputs less the last, and that last output
        (the map)."""
        outs = self.backbone(batch_inputs)
        if not isinstance(outs, (tuple, list)) or len(outs) < 2 or outs[-1].dim() != 4 or \
                outs[-1].size(1) != 1 or outs[-1].shape[-2:] != batch_inputs.shape[-2:]:
            raise ValueError(
                f'{type(self).__name__} needs a backbone whose last output is the (N, 1, H, W) '
                f'text probability map at the input size {tuple(batch_inputs.shape[-2:])} '
                f'(e.g. PPOCRDetFeatures with map_tensors and return_maps=True)')
        feats = tuple(outs[:-1])
        return (self.neck(feats) if self.with_neck else feats), outs[-1]

    def extract_feat(self, batch_inputs: Tensor) -> Tuple[Tensor, ...]:
        """The neck's features of the backbone's outputs less the map."""
        return self._features_and_map(batch_inputs)[0]

    def loss(self, batch_inputs: Tensor,
             batch_data_samples: Sequence[TextDetDataSample]) -> Union[dict, list]:
        """The head's losses (:meth:`TextBoxesRetina.loss`), with ``map_loss``'s added."""
        if self.map_loss is None:
            return super().loss(batch_inputs, batch_data_samples)
        x, prob_maps = self._features_and_map(batch_inputs)
        if not prob_maps.requires_grad:
            raise ValueError(
                f'{type(self).__name__}: map_loss is set but the backbone\'s map has no '
                f'gradient (a frozen backbone, or frozen_maps=True): the map cannot learn')
        losses = self.bbox_head.loss(x, batch_data_samples)
        losses.update(self.map_loss(prob_maps, batch_data_samples))
        return losses

    def predict(self,
                batch_inputs: Tensor,
                batch_data_samples: Sequence[TextDetDataSample],
                rescale: bool = True) -> Sequence[TextDetDataSample]:
        """:meth:`TextBoxesRetina.predict`, with the scores rescored by the map (unless
        ``rescore`` is False)."""
        x, prob_maps = self._features_and_map(batch_inputs)
        results_list = self.bbox_head.predict(x, batch_data_samples, rescale=rescale)
        if not self.rescore:
            return self.add_pred_to_datasample(batch_data_samples, results_list)
        rescored = []
        for results, data_sample, prob_map in zip(results_list, batch_data_samples, prob_maps):
            quads = results.bboxes
            quads = quads.tensor if isinstance(quads, BaseBoxes) else quads
            if rescale:  # back to input pixels, where the map is
                quads = quads * quads.new_tensor(data_sample.metainfo['scale_factor']).repeat(4)
            results.scores = results.scores * quad_map_max(prob_map[0], quads)
            rescored.append(results[torch.sort(results.scores, descending=True, stable=True)[1]])
        return self.add_pred_to_datasample(batch_data_samples, rescored)

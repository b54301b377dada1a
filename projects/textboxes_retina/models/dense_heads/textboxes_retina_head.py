# Copyright (c) textboxes_retina authors.
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.dense_heads import RetinaHead
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import cat_boxes, get_box_tensor
from mmdet.utils import ConfigType, InstanceList, OptInstanceList
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from torch import Tensor

from textboxes_retina.structures import (QuadBoxes, bboxes_to_quads, check_quad_nms_cfg, clip_quads,
                                         polygons_to_quads, quad_nms, sanitize_quads)
from ..utils import gather_level_deltas, topk_candidates
from .call_state import CallState


def check_test_cfg(cfg: Optional[ConfigDict]) -> None:
    """Check that a head ``test_cfg`` (None passes) names the NMS the head runs.

    Raises:
        ValueError: If ``cfg.nms.type`` is not ``'quad_nms'``
            (:func:`~textboxes_retina.structures.check_quad_nms_cfg`).
    """
    if cfg is not None:
        check_quad_nms_cfg(cfg.get('nms'), 'test_cfg')


@MODELS.register_module()
class TextBoxesRetinaHead(RetinaHead):
    """RetinaNet head regressing TextBoxes++ quadrilaterals.

    mmdet's :class:`RetinaHead` (stacked 3x3 towers, targets, losses, top-k
    decoding) with five small changes:

    - the final classification and regression convs use TextBoxes++'s
      ``head_kernel_size`` (3x5 by default, padded to keep the size), and the
      regression width is the coder's ``encode_size`` (8 or 12);
    - :meth:`loss` turns MMOCR ground truth (``gt_instances.polygons`` and
      ``.ignored``) into mmdet ground truth whose ``bboxes`` are canonical
      ``(N, 8)`` quads; don't-care quads become ``ignored_instances``, so
      ``MaxIoUAssigner(ignore_iof_thr=...)`` with
      :class:`~textboxes_retina.models.task_modules.QuadBboxOverlaps2D`
      leaves anchors mostly covering them out of the loss;
    - with ``train_cfg.neg_pos_ratio`` set, SSD-style hard negative mining
      keeps per image only the ``neg_pos_ratio * max(num_pos, 1)``
      negatives with the largest softmax cross-entropy (use
      ``loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False)``);
    - :meth:`loss_by_feat_single` computes the regression loss on the
      assigned anchors only (mmdet's, on every anchor with zero weights for
      the others, gives the same sum at a cost that grows with the anchors);
    - :meth:`_predict_by_feat_single` selects each level's ``nms_pre`` best
      anchors before reading their deltas (mmdet copies whole regression
      maps first), and :meth:`_bbox_post_process` rescales the decoded
      quads, repairs or drops degenerate ones and runs quad NMS
      (``test_cfg.nms.iou_threshold``), keeping ``test_cfg.max_per_img``.
      Results keep the quads, shape (N, 8), in ``bboxes``: a
      :class:`~textboxes_retina.structures.QuadBoxes` when the coder has
      ``use_box_type=True`` (as mmdet's boxes), else its tensor.

    Test config (``test_cfg``), every key read: ``nms_pre`` (best anchors per
    level, -1 all; default -1), ``score_thr`` (default 0), ``nms=dict(
    type='quad_nms', iou_threshold=...)`` (any other type raises a
    ``ValueError``), ``max_per_img``, ``min_quad_area`` (pixels, default 1.0).

    mmdet call chain the head relies on: ``loss`` -> :meth:`loss_by_feat`
    -> ``AnchorHead.loss_by_feat`` -> ``self.get_anchors`` and
    :meth:`get_targets`. With hard negative mining, :meth:`loss_by_feat`
    provides the classification scores through ``self._mining`` (a
    :class:`~textboxes_retina.models.dense_heads.call_state.CallState`) for
    the duration of that call, and :meth:`get_targets` reads them; if mmdet
    stops calling :meth:`get_targets` from there, the loss raises.

    Args:
        num_classes (int): Number of text classes. Defaults to 1.
        in_channels (int): Channels of the input feature maps.
        head_kernel_size (tuple[int, int]): ``(height, width)`` of the final
            classification and regression kernels. Defaults to ``(3, 5)``.
        min_gt_area (float): Ground-truth quads with a smaller area (in
            pixels) are dropped before assignment. Defaults to 1e-2.
        anchor_generator (dict): Anchor generator config. Defaults to
            ``TextBoxesAnchorGenerator`` on strides 4..128.
        bbox_coder (dict): Coder config. Defaults to ``QuadDeltaCoder`` with
            ``encode_size=12``.
        loss_cls (dict): Classification loss config. Defaults to
            :class:`~textboxes_retina.models.losses.DeviceAgnosticFocalLoss`
            (mmdet's sigmoid focal loss on any device; gamma 2, alpha 0.25).
        loss_bbox (dict): Regression loss config. Defaults to mmdet's
            ``SmoothL1Loss`` (beta 0.11).
        **kwargs: Other arguments of :class:`RetinaHead` (``stacked_convs``,
            ``feat_channels``, ``train_cfg``, ``test_cfg``, ...).
    """

    def __init__(self,
                 num_classes: int = 1,
                 in_channels: int = 256,
                 head_kernel_size: Sequence[int] = (3, 5),
                 min_gt_area: float = 1e-2,
                 anchor_generator: ConfigType = dict(type='mmocr.TextBoxesAnchorGenerator'),
                 bbox_coder: ConfigType = dict(type='mmocr.QuadDeltaCoder', encode_size=12),
                 loss_cls: ConfigType = dict(
                     type='mmocr.DeviceAgnosticFocalLoss',
                     use_sigmoid=True,
                     gamma=2.0,
                     alpha=0.25,
                     loss_weight=1.0),
                 loss_bbox: ConfigType = dict(
                     type='mmdet.SmoothL1Loss', beta=0.11, loss_weight=1.0),
                 **kwargs) -> None:
        self.head_kernel_size = tuple(head_kernel_size)
        assert all(k % 2 == 1 for k in self.head_kernel_size), \
            f'head_kernel_size must be odd, got {head_kernel_size}'
        self.min_gt_area = min_gt_area
        self._mining = CallState(f'{type(self).__name__}.get_targets', 'AnchorHead.loss_by_feat')
        super().__init__(
            num_classes,
            in_channels,
            anchor_generator=anchor_generator,
            bbox_coder=bbox_coder,
            loss_cls=loss_cls,
            loss_bbox=loss_bbox,
            **kwargs)
        if self._neg_pos_ratio is not None:
            assert not self.use_sigmoid_cls, \
                'hard negative mining needs a softmax loss_cls'
        check_test_cfg(self.test_cfg)

    @property
    def _neg_pos_ratio(self) -> Optional[float]:
        """Negatives kept per positive in hard negative mining, or None."""
        return (self.train_cfg or {}).get('neg_pos_ratio', None)

    def _init_layers(self) -> None:
        """Build RetinaNet's towers, then the wide final convs."""
        super()._init_layers()
        padding = tuple(k // 2 for k in self.head_kernel_size)
        for name in ('retina_cls', 'retina_reg'):
            conv = getattr(self, name)
            setattr(
                self, name,
                nn.Conv2d(
                    conv.in_channels, conv.out_channels, self.head_kernel_size, padding=padding))

    def loss(self, x: Tuple[Tensor], batch_data_samples: list) -> dict:
        """Compute losses from MMOCR (or mmdet) data samples.

        Args:
            x (tuple[Tensor]): Multi-level features, each (B, C, H, W).
            batch_data_samples (list[TextDetDataSample]): Samples whose
                ``gt_instances`` hold ``polygons`` (or ``bboxes``) and
                optionally ``ignored`` and ``labels``.

        Returns:
            dict: ``loss_cls`` and ``loss_bbox``, one tensor per level each.
        """
        device = x[0].device
        return super().loss(x, [self._quad_targets(s, device) for s in batch_data_samples])

    def _quad_targets(self, data_sample, device: torch.device) \
            -> DetDataSample:
        """mmdet sample with canonical quads as ``gt_instances.bboxes`` and
        don't-care quads as ``ignored_instances.bboxes``, both
        :class:`QuadBoxes`."""
        gt = data_sample.gt_instances
        if 'polygons' in gt:
            quads = torch.from_numpy(polygons_to_quads(gt.polygons))
        else:
            quads = bboxes_to_quads(gt.bboxes.float())
        quads = quads.to(device)
        num = quads.size(0)
        ignored = (
            gt.ignored.to(device).bool() if 'ignored' in gt else torch.zeros(
                num, dtype=torch.bool, device=device))
        labels = (
            gt.labels.to(device).long() if 'labels' in gt else torch.zeros(
                num, dtype=torch.long, device=device))
        quads, valid = sanitize_quads(quads, self.min_gt_area)
        sample = DetDataSample(metainfo=data_sample.metainfo)
        for field, mask in (('gt_instances', valid & ~ignored), ('ignored_instances',
                                                                 valid & ignored)):
            setattr(sample, field,
                    InstanceData(bboxes=QuadBoxes(quads[mask], clone=False), labels=labels[mask]))
        return sample

    def loss_by_feat(self,
                     cls_scores: List[Tensor],
                     bbox_preds: List[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict],
                     batch_gt_instances_ignore: OptInstanceList = None) \
            -> dict:
        """mmdet's loss; with hard negative mining, the scores are provided
        to :meth:`get_targets` (``self._mining``) while it runs."""
        args = (cls_scores, bbox_preds, batch_gt_instances, batch_img_metas,
                batch_gt_instances_ignore)
        if not self._neg_pos_ratio:
            return super().loss_by_feat(*args)
        with self._mining.provide(cls_scores):
            return super().loss_by_feat(*args)

    def loss_by_feat_single(self, cls_score: Tensor, bbox_pred: Tensor, anchors: Tensor,
                            labels: Tensor, label_weights: Tensor, bbox_targets: Tensor,
                            bbox_weights: Tensor, avg_factor: int) -> tuple:
        """mmdet's losses of one level, the regression loss computed on the anchors whose
        regression weights are not all zero (the assigned ones) instead of on every anchor:
        the same sum, without the element-wise loss of the (many) others. Arguments and
        returns are those of ``AnchorHead.loss_by_feat_single``."""
        loss_cls = self.loss_cls(
            cls_score.permute(0, 2, 3, 1).reshape(-1, self.cls_out_channels),
            labels.reshape(-1),
            label_weights.reshape(-1),
            avg_factor=avg_factor)
        target_dim = bbox_targets.size(-1)
        bbox_weights = bbox_weights.reshape(-1, target_dim)
        rows = bbox_weights.any(dim=1).nonzero().squeeze(1)
        bbox_pred = bbox_pred.permute(0, 2, 3, 1).reshape(-1, self.bbox_coder.encode_size)[rows]
        if self.reg_decoded_bbox:
            bbox_pred = get_box_tensor(
                self.bbox_coder.decode(anchors.reshape(-1, anchors.size(-1))[rows], bbox_pred))
        loss_bbox = self.loss_bbox(
            bbox_pred,
            bbox_targets.reshape(-1, target_dim)[rows],
            bbox_weights[rows],
            avg_factor=avg_factor)
        return loss_cls, loss_bbox

    def get_targets(self, *args, **kwargs) -> tuple:
        """mmdet's targets; with hard negative mining, the label weights of
        all but the hardest negatives are zeroed."""
        targets = super().get_targets(*args, **kwargs)
        mining_scores = self._mining.read()
        if mining_scores is None:
            return targets
        labels_list, label_weights_list = targets[:2]
        label_weights_list = self._mine_hard_negatives(mining_scores, labels_list,
                                                       label_weights_list)
        return (labels_list, label_weights_list) + tuple(targets[2:])

    def _mine_hard_negatives(self, cls_scores: List[Tensor],
                             labels_list: List[Tensor],
                             label_weights_list: List[Tensor]) \
            -> List[Tensor]:
        """Zero the weights of the easy negatives of each image.

        Args:
            cls_scores (list[Tensor]): Per level (B, A * C, H, W).
            labels_list (list[Tensor]): Per level (B, H * W * A).
            label_weights_list (list[Tensor]): Per level (B, H * W * A).

        Returns:
            list[Tensor]: New label weights, per level (B, H * W * A).
        """
        num_imgs = labels_list[0].size(0)
        scores = torch.cat([
            s.detach().permute(0, 2, 3, 1).reshape(num_imgs, -1, self.cls_out_channels)
            for s in cls_scores
        ], 1)
        labels = torch.cat(labels_list, 1)
        weights = torch.cat(label_weights_list, 1)
        losses = F.cross_entropy(
            scores.flatten(0, 1), labels.flatten(), reduction='none').view(num_imgs, -1)
        negative = (labels == self.num_classes) & (weights > 0)
        num_pos = ((labels < self.num_classes) & (weights > 0)).sum(1)
        quota = self._neg_pos_ratio * num_pos.clamp(min=1)
        rank = losses.masked_fill(~negative, -1).argsort(1, descending=True).argsort(1)
        easy = negative & (rank >= quota[:, None])
        weights = weights.masked_fill(easy, 0)
        return list(weights.split([w.size(1) for w in label_weights_list], 1))

    def _predict_by_feat_single(self,
                                cls_score_list: List[Tensor],
                                bbox_pred_list: List[Tensor],
                                score_factor_list: List[Optional[Tensor]],
                                mlvl_priors: List[Tensor],
                                img_meta: dict,
                                cfg: Optional[ConfigDict] = None,
                                rescale: bool = False,
                                with_nms: bool = True) -> InstanceData:
        """Decode one image: mmdet's selection, without whole-map copies.

        Per level, the scores above ``cfg.score_thr`` and their
        ``cfg.nms_pre`` best are chosen as in mmdet's
        ``BaseDenseHead._predict_by_feat_single``, then only those anchors'
        deltas are read from the map (:func:`gather_level_deltas`) and
        decoded together; :meth:`_bbox_post_process` does the rest.

        Args:
            cls_score_list (list[Tensor]): Per level (A * C, H, W).
            bbox_pred_list (list[Tensor]): Per level (A * E, H, W).
            score_factor_list (list[None]): Unused (no centerness branch).
            mlvl_priors (list[Tensor]): Per level anchors, (H * W * A, 4).
            img_meta (dict): Image meta info.
            cfg (ConfigDict, optional): Test config; ``self.test_cfg`` if
                None. Defaults to None.
            rescale (bool): Map the quads to the original image. Defaults to
                False.
            with_nms (bool): Whether to run quad NMS. Defaults to True.

        Returns:
            InstanceData: ``bboxes`` (quads, (N, 8), see :meth:`_bbox_post_process`),
            ``scores``, ``labels``.
        """
        assert all(factor is None for factor in score_factor_list), \
            'TextBoxesRetinaHead has no score factors'
        cfg = self.test_cfg if cfg is None else cfg
        score_thr, nms_pre = cfg.get('score_thr', 0), cfg.get('nms_pre', -1)
        mlvl_scores, mlvl_labels, mlvl_deltas, mlvl_anchors = [], [], [], []
        for cls_score, bbox_pred, priors in zip(cls_score_list, bbox_pred_list, mlvl_priors):
            cls_score = cls_score.permute(1, 2, 0).reshape(-1, self.cls_out_channels)
            scores = (
                cls_score.sigmoid() if self.use_sigmoid_cls else cls_score.softmax(-1)[:, :-1])
            scores, labels, anchor_idxs = topk_candidates(scores, score_thr, nms_pre)
            mlvl_scores.append(scores)
            mlvl_labels.append(labels)
            mlvl_deltas.append(gather_level_deltas(bbox_pred, anchor_idxs, self.num_base_priors))
            mlvl_anchors.append(priors[anchor_idxs])
        # the coder's quads (typed or not), as a tensor until the end
        results = InstanceData(
            bboxes=get_box_tensor(
                self.bbox_coder.decode(
                    cat_boxes(mlvl_anchors),
                    torch.cat(mlvl_deltas),
                    max_shape=img_meta['img_shape'])),
            scores=torch.cat(mlvl_scores),
            labels=torch.cat(mlvl_labels))
        return self._bbox_post_process(results, cfg, rescale, with_nms, img_meta)

    def _bbox_post_process(self,
                           results: InstanceData,
                           cfg: ConfigDict,
                           rescale: bool = False,
                           with_nms: bool = True,
                           img_meta: Optional[dict] = None) -> InstanceData:
        """Rescale, repair and suppress decoded quads.

        Args:
            results (InstanceData): ``bboxes`` (decoded quads, shape (N, 8)),
                ``scores`` and ``labels`` (shape (N, )).
            cfg (ConfigDict): Test config: ``nms`` (``type='quad_nms'``,
                ``iou_threshold``), ``max_per_img`` and optional
                ``min_quad_area`` (pixels, defaults to 1.0).
            rescale (bool): Map the quads to the original image with
                ``img_meta['scale_factor']``. Defaults to False.
            with_nms (bool): Whether to run quad NMS. Defaults to True.
            img_meta (dict, optional): Image meta info. Defaults to None.

        Returns:
            InstanceData: Kept results by decreasing score; ``bboxes`` are
            convex canonical quads, shape (K, 8): :class:`QuadBoxes` if the
            coder has ``use_box_type``, else a tensor.
        """
        check_test_cfg(cfg)
        quads = get_box_tensor(results.bboxes)
        if rescale:
            scale = quads.new_tensor(img_meta['scale_factor'])[:2].repeat(4)
            quads = quads / scale
            if 'ori_shape' in img_meta:
                quads = clip_quads(quads, img_meta['ori_shape'])
        quads, keep = sanitize_quads(quads, cfg.get('min_quad_area', 1.0))
        results.bboxes = quads
        results = results[keep]
        if with_nms and len(results) > 0:
            keep = quad_nms(
                results.bboxes,
                results.scores,
                cfg.nms.iou_threshold,
                results.labels,
                max_num=cfg.max_per_img)
            results = results[keep]
        if self.bbox_coder.use_box_type:
            results.bboxes = QuadBoxes(results.bboxes, clone=False)
        return results

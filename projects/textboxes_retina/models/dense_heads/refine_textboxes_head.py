# Copyright (c) textboxes_retina authors.
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmdet.models.utils import select_single_mlvl
from mmdet.structures.bbox import get_box_tensor
from mmdet.utils import InstanceList, OptInstanceList, OptMultiConfig
from mmengine.config import ConfigDict
from mmengine.model import ModuleList
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from torch import Tensor

from textboxes_retina.structures import QuadBoxes
from .call_state import CallState
from .textboxes_retina_head import TextBoxesRetinaHead
from .transfer_connection_block import TransferConnectionBlock

MultiLevelAnchors = List[List[Tensor]]


@MODELS.register_module()
class RefineTextBoxesHead(TextBoxesRetinaHead):
    """RefineDet-style two-step quad head on TextBoxes++ anchors.

    :class:`TextBoxesRetinaHead` (its anchors, quad coder, assigner, losses
    and quad post-processing) becomes the object detection module (ODM); three
    parts are added:

    - **ARM** (anchor refinement module): per anchor a binary text/background
      score (``arm_cls``) and a coarse regression with the same coder
      (``arm_reg``), both with ``head_kernel_size`` kernels on the input
      pyramid features. Each anchor is *refined* to the bounding box of the
      quad its ARM deltas decode to.
    - **TCB** (:class:`TransferConnectionBlock`, one per level): the pyramid
      features plus the deconvolved TCB output of the next coarser level,
      feeding the ODM towers (``cls_convs``/``reg_convs``, ``retina_cls``/
      ``retina_reg``).
    - **Negative anchor filtering**: anchors whose ARM background probability
      exceeds ``neg_filter_thr`` (and refined anchors that are not finite or
      narrower/lower than 1 pixel) are left out of the ODM: in training they
      are invalid anchors of mmdet's target assignment (no loss, never seen
      by the assigner; an image keeps at least its most text-like anchor), in
      inference their ODM scores are zero.

    Training: the ARM loss is the base head's loss on the plain anchors
    (keys ``loss_arm_cls``, ``loss_arm_bbox``); the ODM targets are assigned
    against the refined anchors (detached), giving ``loss_cls`` and
    ``loss_bbox``; all four are summed by the detector. Focal loss, or SSD
    hard negative mining with ``train_cfg.neg_pos_ratio``, apply to both.
    Inference: quads are decoded twice, anchor -> ARM -> refined anchor ->
    ODM -> quad; the ``test_cfg.nms_top_k`` best (5000 by default, -1 for
    all; RefineDet's COCO value, 400, drops words on dense text images) are
    rescaled and repaired by the base head, then suppressed by exact
    quad NMS (see :meth:`_bbox_post_process`). ``test_cfg`` holds the base
    head's keys and ``nms_top_k``.

    mmdet call chain the head relies on: :meth:`loss_by_feat` calls the base
    head's ``loss_by_feat`` twice, for the ARM and for the ODM; mmdet's
    ``AnchorHead.loss_by_feat`` calls ``self.get_anchors`` (then
    ``self.get_targets``). For the ODM call, :meth:`loss_by_feat` provides the
    refined anchors and kept flags through ``self._odm_anchors`` (a
    :class:`~textboxes_retina.models.dense_heads.call_state.CallState`, the
    mechanism the base head uses for hard negative mining) and the override
    :meth:`get_anchors` returns them; if mmdet stops calling
    :meth:`get_anchors` from there, the loss raises.

    Args:
        num_classes (int): Number of text classes; the ARM is binary, so
            only 1 is supported. Defaults to 1.
        in_channels (int): Channels of the input feature maps (and of the
            TCB outputs). Defaults to 256.
        neg_filter_thr (float): ARM background probability above which an
            anchor is filtered out of the ODM. Defaults to 0.99.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to RetinaNet's (``Normal`` std 0.01, prior probability
            0.01 on the ``retina_cls`` and ``arm_cls`` biases); the TCBs then
            apply their own (Kaiming).
        **kwargs: Arguments of :class:`TextBoxesRetinaHead`
            (``head_kernel_size``, ``anchor_generator``, ``bbox_coder``,
            ``stacked_convs``, ``feat_channels``, losses, ``train_cfg``,
            ``test_cfg``, ...).
    """

    def __init__(self,
                 num_classes: int = 1,
                 in_channels: int = 256,
                 neg_filter_thr: float = 0.99,
                 init_cfg: OptMultiConfig = dict(
                     type='Normal',
                     layer='Conv2d',
                     std=0.01,
                     override=[
                         dict(type='Normal', name=name, std=0.01, bias_prob=0.01)
                         for name in ('retina_cls', 'arm_cls')
                     ]),
                 **kwargs) -> None:
        assert num_classes == 1, \
            'RefineTextBoxesHead has a binary ARM: num_classes must be 1'
        self.neg_filter_thr = neg_filter_thr
        self._odm_anchors = CallState(f'{type(self).__name__}.get_anchors',
                                      'AnchorHead.loss_by_feat')
        super().__init__(num_classes, in_channels, init_cfg=init_cfg, **kwargs)

    def _init_layers(self) -> None:
        """Build the ODM (the base head's layers), the ARM convs and the
        TCBs."""
        super()._init_layers()
        padding = tuple(k // 2 for k in self.head_kernel_size)
        for name, width in (('arm_cls', self.cls_out_channels), ('arm_reg',
                                                                 self.bbox_coder.encode_size)):
            setattr(
                self, name,
                nn.Conv2d(
                    self.in_channels,
                    self.num_base_priors * width,
                    self.head_kernel_size,
                    padding=padding))
        num_levels = self.prior_generator.num_levels
        # mmengine's ModuleList runs the blocks' own init_cfg after the head's
        self.transfer_blocks = ModuleList(
            TransferConnectionBlock(
                self.in_channels,
                with_upsample=level < num_levels - 1,
                conv_cfg=self.conv_cfg,
                norm_cfg=self.norm_cfg) for level in range(num_levels))

    def forward(self, x: Tuple[Tensor]) -> Tuple[List[Tensor], ...]:
        """Run the ARM on the pyramid, the TCBs top-down, the ODM on them.

        Args:
            x (tuple[Tensor]): Pyramid features, each (B, C, H, W), finest
                first.

        Returns:
            tuple[list[Tensor]]: ``(cls_scores, bbox_preds, arm_cls_scores,
            arm_bbox_preds)``, one tensor per level each: scores (B, A * K,
            H, W) with ``K = cls_out_channels``, deltas (B, A * D, H, W) with
            ``D = bbox_coder.encode_size``.
        """
        arm_cls_scores = [self.arm_cls(feat) for feat in x]
        arm_bbox_preds = [self.arm_reg(feat) for feat in x]
        tcb_feats: List[Tensor] = []
        coarser = None
        for feat, block in zip(reversed(x), reversed(self.transfer_blocks)):
            coarser = block(feat, coarser)
            tcb_feats.insert(0, coarser)
        cls_scores, bbox_preds = super().forward(tuple(tcb_feats))
        return cls_scores, bbox_preds, arm_cls_scores, arm_bbox_preds

    def refine_anchors(self, arm_cls_scores: List[Tensor],
                       arm_bbox_preds: List[Tensor]) -> Tuple[MultiLevelAnchors, MultiLevelAnchors]:
        """Refine the anchors with the ARM and flag those the ODM keeps.

        Args:
            arm_cls_scores (list[Tensor]): ARM scores per level, each
                (B, A * K, H, W).
            arm_bbox_preds (list[Tensor]): ARM deltas per level, each
                (B, A * D, H, W).

        Returns:
            tuple: ``(refined, keep)``, each a list over images of lists over
            levels: refined anchors ``(x1, y1, x2, y2)``, (H * W * A, 4),
            the bounding boxes of the ARM-decoded quads (no gradient); and
            bool flags, (H * W * A, ), False for filtered anchors.
        """
        num_imgs = arm_cls_scores[0].size(0)
        anchors = self.prior_generator.grid_priors([score.shape[-2:] for score in arm_cls_scores],
                                                   dtype=arm_bbox_preds[0].dtype,
                                                   device=arm_bbox_preds[0].device)
        num_level_anchors = [len(level) for level in anchors]
        anchors = torch.cat(anchors)
        deltas = torch.cat([
            pred.detach().permute(0, 2, 3, 1).reshape(num_imgs, -1, self.bbox_coder.encode_size)
            for pred in arm_bbox_preds
        ], 1)
        background = torch.cat([self._background_probs(score) for score in arm_cls_scores], 1)
        quads = QuadBoxes(
            get_box_tensor(
                self.bbox_coder.decode(anchors.repeat(num_imgs, 1), deltas.flatten(0, 1))),
            clone=False)
        refined = quads.convert_to('hbox').tensor.view(num_imgs, -1, 4)
        sizes = refined[..., 2:] - refined[..., :2]
        usable = torch.isfinite(refined).all(-1) & (sizes >= 1).all(-1)
        keep = (background <= self.neg_filter_thr) & usable
        # mmdet's target assignment needs an anchor per image
        most_text_like = background.masked_fill(~usable, 2.).argmin(1)
        lost = ~keep.any(1)
        keep[lost, most_text_like[lost]] = True
        return ([list(r.split(num_level_anchors))
                 for r in refined], [list(k.split(num_level_anchors)) for k in keep])

    def _background_probs(self, arm_cls_score: Tensor) -> Tensor:
        """ARM background probabilities, (B, H * W * A), from scores
        (B, A * K, H, W)."""
        scores = arm_cls_score.detach().permute(0, 2, 3, 1).reshape(
            arm_cls_score.size(0), -1, self.cls_out_channels)
        if self.use_sigmoid_cls:
            return 1 - scores.sigmoid().squeeze(-1)
        return scores.softmax(-1)[..., -1]

    def get_anchors(self,
                    featmap_sizes: List[tuple],
                    batch_img_metas: List[dict],
                    device='cuda') -> Tuple[MultiLevelAnchors, MultiLevelAnchors]:
        """mmdet's anchors and valid flags; for the ODM loss (while
        ``self._odm_anchors`` provides them), the refined anchors, valid where
        mmdet's flags and the ARM filter keep them."""
        anchor_list, valid_flag_list = super().get_anchors(featmap_sizes, batch_img_metas, device)
        odm_anchors = self._odm_anchors.read()
        if odm_anchors is None:
            return anchor_list, valid_flag_list
        refined, keep = odm_anchors
        valid_flag_list = [[flag & kept for flag, kept in zip(*per_image)]
                           for per_image in zip(valid_flag_list, keep)]
        return refined, valid_flag_list

    def loss_by_feat(self,
                     cls_scores: List[Tensor],
                     bbox_preds: List[Tensor],
                     arm_cls_scores: List[Tensor],
                     arm_bbox_preds: List[Tensor],
                     batch_gt_instances: InstanceList,
                     batch_img_metas: List[dict],
                     batch_gt_instances_ignore: OptInstanceList = None) \
            -> dict:
        """ARM loss on the anchors, ODM loss on the refined anchors.

        Args:
            cls_scores, bbox_preds (list[Tensor]): ODM outputs per level
                (see :meth:`forward`).
            arm_cls_scores, arm_bbox_preds (list[Tensor]): ARM outputs per
                level.
            batch_gt_instances (list[InstanceData]): ``bboxes`` (quads, (N,
                8)) and ``labels`` per image.
            batch_img_metas (list[dict]): Image meta info.
            batch_gt_instances_ignore (list[InstanceData], optional):
                Don't-care quads per image. Defaults to None.

        Returns:
            dict: ``loss_arm_cls``, ``loss_arm_bbox``, ``loss_cls`` and
            ``loss_bbox``, one tensor per level each.
        """
        targets = (batch_gt_instances, batch_img_metas, batch_gt_instances_ignore)
        arm_losses = super().loss_by_feat(arm_cls_scores, arm_bbox_preds, *targets)
        with self._odm_anchors.provide(self.refine_anchors(arm_cls_scores, arm_bbox_preds)):
            losses = super().loss_by_feat(cls_scores, bbox_preds, *targets)
        losses.update(loss_arm_cls=arm_losses['loss_cls'], loss_arm_bbox=arm_losses['loss_bbox'])
        return losses

    def predict_by_feat(self,
                        cls_scores: List[Tensor],
                        bbox_preds: List[Tensor],
                        arm_cls_scores: List[Tensor],
                        arm_bbox_preds: List[Tensor],
                        batch_img_metas: Optional[List[dict]] = None,
                        cfg: Optional[ConfigDict] = None,
                        rescale: bool = False,
                        with_nms: bool = True) -> InstanceList:
        """Decode the ODM outputs on each image's refined, kept anchors.

        Args:
            cls_scores, bbox_preds (list[Tensor]): ODM outputs per level.
            arm_cls_scores, arm_bbox_preds (list[Tensor]): ARM outputs per
                level.
            batch_img_metas (list[dict]): Image meta info.
            cfg (ConfigDict, optional): Test config; ``self.test_cfg`` if
                None. Defaults to None.
            rescale (bool): Map the quads to the original image. Defaults to
                False.
            with_nms (bool): Run top-k and quad NMS. Defaults to True.

        Returns:
            list[InstanceData]: Per image ``bboxes`` (quads, (N, 8)),
            ``scores`` and ``labels`` (N, ).
        """
        refined, keep = self.refine_anchors(arm_cls_scores, arm_bbox_preds)
        results_list = []
        for img_id, img_meta in enumerate(batch_img_metas):
            scores = [
                self._drop_filtered(score, kept) for score, kept in zip(
                    select_single_mlvl(cls_scores, img_id, detach=True), keep[img_id])
            ]
            results_list.append(
                self._predict_by_feat_single(
                    cls_score_list=scores,
                    bbox_pred_list=select_single_mlvl(bbox_preds, img_id, detach=True),
                    score_factor_list=[None] * len(scores),
                    mlvl_priors=refined[img_id],
                    img_meta=img_meta,
                    cfg=cfg,
                    rescale=rescale,
                    with_nms=with_nms))
        return results_list

    def _drop_filtered(self, cls_score: Tensor, keep: Tensor) -> Tensor:
        """Set the text logits of filtered anchors to -inf (score 0).

        Args:
            cls_score (Tensor): One image's level scores, (A * K, H, W).
            keep (Tensor): Kept flags, (H * W * A, ).

        Returns:
            Tensor: Scores, (A * K, H, W); a softmax head's background logit
            is left as is.
        """
        height, width = cls_score.shape[-2:]
        dropped = ~keep.view(height, width, self.num_base_priors, 1)
        is_text = torch.arange(self.cls_out_channels, device=keep.device) < self.num_classes
        mask = (dropped & is_text).flatten(2).permute(2, 0, 1)
        return cls_score.masked_fill(mask, float('-inf'))

    def _bbox_post_process(self,
                           results: InstanceData,
                           cfg: ConfigDict,
                           rescale: bool = False,
                           with_nms: bool = True,
                           img_meta: Optional[dict] = None) -> InstanceData:
        """Top-k, then the base head's rescaling, repair and exact quad NMS.

        Keeps the ``cfg.nms_top_k`` best candidates of the image (5000 by
        default, -1 for all) before
        :meth:`TextBoxesRetinaHead._bbox_post_process`.
        """
        top_k = cfg.get('nms_top_k', 5000)
        if with_nms and 0 <= top_k < len(results):
            results = results[results.scores.topk(top_k).indices]
        return super()._bbox_post_process(results, cfg, rescale, with_nms, img_meta)

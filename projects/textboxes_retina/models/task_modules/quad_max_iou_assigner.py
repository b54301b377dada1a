# Copyright (c) textboxes_retina authors.
from typing import Optional

from mmdet.models.task_modules.assigners import AssignResult, MaxIoUAssigner
from mmengine.structures import InstanceData
from mmocr.registry import TASK_UTILS

from .quad_bbox_overlaps import QuadBboxOverlaps2D


@TASK_UTILS.register_module()
class QuadMaxIoUAssigner(MaxIoUAssigner):
    """mmdet's :class:`MaxIoUAssigner` for quads, honouring don't-care regions
    in images without any other ground truth.

    Overlaps are computed on the quads' bounding boxes
    (:class:`QuadBboxOverlaps2D` by default). mmdet's assigner leaves out the
    priors whose IoF with an ignored instance exceeds ``ignore_iof_thr`` only
    when the image has ground truth: with none, every prior becomes a negative,
    so an image holding only ``###`` words would teach that text is
    background. Here such priors are ignored (``gt_inds == -1``) in that case
    too; otherwise the result is mmdet's.

    Args:
        iou_calculator (dict): IoU calculator config. Defaults to
            :class:`QuadBboxOverlaps2D`.
        **kwargs: Arguments of :class:`MaxIoUAssigner` (``pos_iou_thr``,
            ``neg_iou_thr``, ``min_pos_iou``, ``ignore_iof_thr``, ...).
    """

    def __init__(self, iou_calculator: dict = dict(type=QuadBboxOverlaps2D), **kwargs) -> None:
        super().__init__(iou_calculator=iou_calculator, **kwargs)

    def assign(self,
               pred_instances: InstanceData,
               gt_instances: InstanceData,
               gt_instances_ignore: Optional[InstanceData] = None,
               **kwargs) -> AssignResult:
        """Assign ground truth to priors (see :meth:`MaxIoUAssigner.assign`).

        Args:
            pred_instances (InstanceData): ``priors``, shape (N, 4).
            gt_instances (InstanceData): ``bboxes`` (typed, e.g.
                :class:`~textboxes_retina.structures.QuadBoxes` (K, 8), or
                boxes (K, 4)) and ``labels`` (K, ).
            gt_instances_ignore (InstanceData, optional): ``bboxes`` of
                don't-care instances, typed as ``gt_instances``. Defaults to
                None.

        Returns:
            AssignResult: ``gt_inds`` per prior: 0 negative, -1 ignored,
            ``i + 1`` matched to ground truth ``i``.
        """
        result = super().assign(pred_instances, gt_instances, gt_instances_ignore, **kwargs)
        if (len(gt_instances) == 0 and self.ignore_iof_thr > 0 and gt_instances_ignore is not None
                and len(gt_instances_ignore) > 0 and len(pred_instances) > 0):
            priors, ignored = pred_instances.priors, gt_instances_ignore.bboxes
            if self.ignore_wrt_candidates:
                iof = self.iou_calculator(priors, ignored, mode='iof').max(1)
            else:
                iof = self.iou_calculator(ignored, priors, mode='iof').max(0)
            iof = iof.values
            result.gt_inds[iof > self.ignore_iof_thr] = -1
        return result

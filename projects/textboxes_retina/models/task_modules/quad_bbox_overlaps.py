# Copyright (c) textboxes_retina authors.
from mmdet.models.task_modules.assigners import BboxOverlaps2D
from mmdet.structures.bbox import get_box_tensor
from torch import Tensor

from mmocr.registry import TASK_UTILS
from textboxes_retina.structures import quads_to_bboxes


@TASK_UTILS.register_module()
class QuadBboxOverlaps2D(BboxOverlaps2D):
    """mmdet's 2D IoU calculator that also takes quads.

    Quads (8 columns, or 9 with a score) are replaced by their axis-aligned
    bounding boxes; boxes (4 columns, or 5 with a score) pass through. This
    lets an anchor head keep ``(N, 8)`` ground-truth quads in
    ``gt_instances.bboxes`` while mmdet's ``MaxIoUAssigner`` matches anchors
    to their bounding rectangles (and ignores anchors by IoF with don't-care
    quads). In configs under the ``mmocr`` scope, name it
    ``'mmocr.QuadBboxOverlaps2D'`` inside ``'mmdet.MaxIoUAssigner'``.
    """

    def __call__(self,
                 bboxes1: Tensor,
                 bboxes2: Tensor,
                 mode: str = 'iou',
                 is_aligned: bool = False) -> Tensor:
        """Compute overlaps of the boxes or quads' bounding boxes.

        Args:
            bboxes1 (Tensor): Shape (M, 4), (M, 5), (M, 8) or (M, 9).
            bboxes2 (Tensor): Shape (N, 4), (N, 5), (N, 8) or (N, 9).
            mode (str): ``'iou'``, ``'iof'`` or ``'giou'``. Defaults to
                ``'iou'``.
            is_aligned (bool): Whether to compare row ``i`` with row ``i``
                only. Defaults to False.

        Returns:
            Tensor: Shape (M, N), or (M, ) if ``is_aligned``.
        """
        return super().__call__(
            self._to_bboxes(bboxes1), self._to_bboxes(bboxes2), mode,
            is_aligned)

    @staticmethod
    def _to_bboxes(boxes: Tensor) -> Tensor:
        """Bounding boxes of quads (dropping a score column); boxes as is."""
        boxes = get_box_tensor(boxes)
        if boxes.size(-1) in (8, 9):
            return quads_to_bboxes(boxes[..., :8])
        return boxes

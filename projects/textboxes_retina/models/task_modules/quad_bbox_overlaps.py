# Copyright (c) textboxes_retina authors.
from mmdet.models.task_modules.assigners import BboxOverlaps2D
from mmdet.structures.bbox import BaseBoxes
from mmocr.registry import TASK_UTILS
from torch import Tensor


@TASK_UTILS.register_module()
class QuadBboxOverlaps2D(BboxOverlaps2D):
    """mmdet's 2D IoU calculator that also takes typed quads.

    Typed boxes (:class:`~mmdet.structures.bbox.BaseBoxes`, e.g.
    :class:`~textboxes_retina.structures.QuadBoxes`) are converted to their
    axis-aligned bounding boxes (``convert_to('hbox')``); tensors are boxes
    (4 columns, or 5 with a score) as in mmdet. This lets an anchor head keep
    ground-truth ``QuadBoxes`` in ``gt_instances.bboxes`` while mmdet's
    ``MaxIoUAssigner`` matches anchors to their bounding rectangles (and
    ignores anchors by IoF with don't-care quads). In configs under the
    ``mmocr`` scope, name it ``'mmocr.QuadBboxOverlaps2D'`` inside
    ``'mmdet.MaxIoUAssigner'``.
    """

    def __call__(self,
                 bboxes1: Tensor,
                 bboxes2: Tensor,
                 mode: str = 'iou',
                 is_aligned: bool = False) -> Tensor:
        """Compute overlaps of the boxes or quads' bounding boxes.

        Args:
            bboxes1 (Tensor | :obj:`BaseBoxes`): Boxes (M, 4) or (M, 5), or
                typed boxes (e.g. :class:`QuadBoxes` (M, 8)).
            bboxes2 (Tensor | :obj:`BaseBoxes`): Boxes (N, 4) or (N, 5), or
                typed boxes.
            mode (str): ``'iou'``, ``'iof'`` or ``'giou'``. Defaults to
                ``'iou'``.
            is_aligned (bool): Whether to compare row ``i`` with row ``i``
                only. Defaults to False.

        Returns:
            Tensor: Shape (M, N), or (M, ) if ``is_aligned``.
        """
        return super().__call__(
            self._to_bboxes(bboxes1), self._to_bboxes(bboxes2), mode, is_aligned)

    @staticmethod
    def _to_bboxes(boxes: Tensor) -> Tensor:
        """Bounding boxes of typed boxes; tensors as they are."""
        if isinstance(boxes, BaseBoxes):
            return boxes.convert_to('hbox').tensor
        return boxes

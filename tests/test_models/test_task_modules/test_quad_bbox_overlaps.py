"""IoU calculator on boxes or on quads' bounding boxes, inside mmdet's MaxIoUAssigner."""
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import TASK_UTILS

from textboxes_retina.models.task_modules import QuadBboxOverlaps2D
from textboxes_retina.structures import QuadBoxes

DIAMOND = [5., 0., 10., 5., 5., 10., 0., 5.]  # bounding box (0, 0, 10, 10)


def test_quads_are_compared_by_their_bounding_boxes():
    calc = QuadBboxOverlaps2D()
    boxes = torch.tensor([[0., 0., 10., 10.], [5., 0., 15., 10.]])
    quads = QuadBoxes(torch.tensor([DIAMOND]))
    torch.testing.assert_close(calc(quads, boxes), torch.tensor([[1.0, 50 / 150]]))
    torch.testing.assert_close(calc(boxes, quads, mode='iof'), torch.tensor([[1.0], [0.5]]))
    torch.testing.assert_close(calc(quads, HorizontalBoxes(boxes)), calc(quads, boxes))
    # quads travel typed: an untyped 8- or 9-wide tensor is not read as quads (mmdet's check)
    for untyped in (quads.tensor, torch.tensor([DIAMOND + [0.9]])):
        with pytest.raises(AssertionError):
            calc(untyped, boxes)
    torch.testing.assert_close(
        calc(boxes, boxes[:, [0, 1, 2, 3]]), torch.tensor([[1.0, 1 / 3], [1 / 3, 1.0]]))
    assert calc(quads, boxes[:0]).shape == (1, 0)


def test_max_iou_assigner_takes_quads_and_ignores_dont_care_by_iof():
    with DefaultScope.overwrite_default_scope('mmocr'):
        assigner = TASK_UTILS.build(
            dict(
                type='mmdet.MaxIoUAssigner',
                pos_iou_thr=0.5,
                neg_iou_thr=0.4,
                min_pos_iou=1e-4,
                ignore_iof_thr=0.5,
                iou_calculator=dict(type='mmocr.QuadBboxOverlaps2D')))
    assert isinstance(assigner.iou_calculator, QuadBboxOverlaps2D)
    priors = torch.tensor([
        [0., 0., 10., 10.],  # IoU 1 with the diamond's box: positive
        [0., 0., 10., 14.],  # IoU 100 / 140 = 0.71: positive
        [0., 0., 10., 22.],  # IoU 0.45: ignored (between thresholds)
        [40., 40., 50., 50.],  # no overlap: negative
        [60., 60., 70., 70.],  # inside the don't-care quad: ignored by IoF
    ])
    gt = InstanceData(bboxes=QuadBoxes([DIAMOND]), labels=torch.tensor([0]))
    ignore = InstanceData(bboxes=QuadBoxes([[58., 58., 80., 58., 80., 80., 58., 80.]]))
    result = assigner.assign(InstanceData(priors=priors), gt, ignore)
    assert result.gt_inds.tolist() == [1, 1, -1, 0, -1]

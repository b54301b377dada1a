"""QuadMaxIoUAssigner: mmdet's assignment on quads, with don't-care regions even without gt."""
import torch
from mmdet.models.task_modules.assigners import MaxIoUAssigner
from mmengine.structures import InstanceData
from mmocr.registry import TASK_UTILS

from textboxes_retina.models.task_modules import QuadBboxOverlaps2D, QuadMaxIoUAssigner
from textboxes_retina.structures import QuadBoxes

PRIORS = torch.tensor([
    [0., 0., 10., 10.],  # IoU 1 with the word's box
    [0., 0., 10., 22.],  # IoU 0.45: between the thresholds
    [40., 40., 50., 50.],  # far from everything: negative
    [60., 60., 70., 70.],  # inside the don't-care quad
    [50., 60., 70., 70.],  # IoF 0.5 with the don't-care quad: not above the threshold
])
WORD = InstanceData(
    bboxes=QuadBoxes([[5., 0., 10., 5., 5., 10., 0., 5.]]), labels=torch.tensor([0]))
DONT_CARE = InstanceData(bboxes=QuadBoxes([[60., 58., 80., 58., 80., 80., 60., 80.]]))
NO_GT = InstanceData(bboxes=QuadBoxes(torch.zeros(0, 8)), labels=torch.zeros(0, dtype=torch.long))
ARGS = dict(pos_iou_thr=0.5, neg_iou_thr=0.4, min_pos_iou=1e-4, ignore_iof_thr=0.5)


def _assign(assigner, gt, ignore):
    return assigner.assign(InstanceData(priors=PRIORS), gt, ignore).gt_inds.tolist()


def test_same_as_mmdet_when_there_is_ground_truth():
    assigner = TASK_UTILS.build(dict(type='QuadMaxIoUAssigner', **ARGS))
    assert isinstance(assigner.iou_calculator, QuadBboxOverlaps2D)
    mmdet = MaxIoUAssigner(iou_calculator=dict(type=QuadBboxOverlaps2D), **ARGS)
    assert _assign(assigner, WORD, DONT_CARE) == _assign(mmdet, WORD,
                                                         DONT_CARE) == [1, -1, 0, -1, 0]


def test_dont_care_priors_are_ignored_when_there_is_no_other_ground_truth():
    assigner = QuadMaxIoUAssigner(**ARGS)
    assert _assign(assigner, NO_GT, DONT_CARE) == [0, 0, 0, -1, 0]
    # mmdet's assigner makes them all negatives here
    mmdet = MaxIoUAssigner(iou_calculator=dict(type=QuadBboxOverlaps2D), **ARGS)
    assert _assign(mmdet, NO_GT, DONT_CARE) == [0, 0, 0, 0, 0]
    # the IoF can also be taken w.r.t. the don't-care region, as in mmdet
    wrt_region = QuadMaxIoUAssigner(ignore_wrt_candidates=False, **ARGS)
    assert _assign(wrt_region, NO_GT, DONT_CARE) == [0, 0, 0, 0, 0]  # 100 / 440 of it
    assert _assign(assigner, NO_GT, None) == [0, 0, 0, 0, 0]
    off = QuadMaxIoUAssigner(**dict(ARGS, ignore_iof_thr=-1))
    assert _assign(off, NO_GT, DONT_CARE) == [0, 0, 0, 0, 0]

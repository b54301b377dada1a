"""TextBoxesRetinaHead: layers, MMOCR ground truth, losses, hard negatives, post-processing."""
import math
import sys

import pytest
import torch
from mmdet.models.dense_heads import AnchorHead
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

from textboxes_retina.models.dense_heads import TextBoxesRetinaHead
from textboxes_retina.structures import QuadBoxes, convex_quads, valid_quads
# the tiny head (8 channels, one stacked conv) on a 128 px image, strides 4 .. 128
from textboxes_retina.testing.configs import build_tiny_head as _build
from textboxes_retina.testing.configs import tiny_head_cfg as _head_cfg
from textboxes_retina.testing.inputs import DONT_CARE
from textboxes_retina.testing.inputs import HEAD_IMG as IMG
from textboxes_retina.testing.inputs import HEAD_SIZES as SIZES
from textboxes_retina.testing.inputs import WORD
from textboxes_retina.testing.inputs import head_feats as _feats
from textboxes_retina.testing.inputs import head_sample as _sample


def test_layers_use_3x5_kernels_and_the_coder_width():
    head = _build()
    assert isinstance(head, TextBoxesRetinaHead)
    assert head.retina_cls.kernel_size == (3, 5) and head.retina_cls.padding == (1, 2)
    assert head.retina_reg.kernel_size == (3, 5) and head.retina_reg.padding == (1, 2)
    assert len(head.cls_convs) == len(head.reg_convs) == 1
    assert head.cls_convs[0].conv.kernel_size == (3, 3)
    cls_scores, bbox_preds = head(_feats())
    for (h, w), cls, reg in zip(SIZES, cls_scores, bbox_preds):
        assert cls.shape == (1, 14, h, w)
        assert reg.shape == (1, 14 * 12, h, w)
    head8 = _build(
        bbox_coder=dict(
            type='QuadDeltaCoder', encode_size=8, target_means=[0.] * 8, target_stds=[0.1] * 8))
    assert head8(_feats())[1][0].shape == (1, 14 * 8, 32, 32)
    # the RetinaNet prior on the classifier bias survives the conv swap
    torch.testing.assert_close(
        head.retina_cls.bias, torch.full((14, ), -math.log(99.)), atol=1e-4, rtol=0)


def test_mmocr_ground_truth_becomes_quads_and_ignored_instances():
    head = _build()
    hexagon = [0, 0, 5, 0, 10, 0, 10, 4, 5, 4, 0, 4]
    flat = [0, 0, 5, 5, 10, 10, 15, 15]
    sample = _sample([WORD, DONT_CARE, hexagon, flat], [False, True, False, False])
    det = head._quad_targets(sample, torch.device('cpu'))
    # quads travel typed
    assert isinstance(det.gt_instances.bboxes, QuadBoxes)
    assert isinstance(det.ignored_instances.bboxes, QuadBoxes)
    assert det.gt_instances.bboxes.shape == (2, 8)  # the flat quad is dropped
    gt_quads = det.gt_instances.bboxes.tensor
    torch.testing.assert_close(gt_quads[0], torch.tensor(WORD, dtype=torch.float))
    torch.testing.assert_close(
        gt_quads[1], torch.tensor([0., 0., 10., 0., 10., 4., 0., 4.]), atol=1e-5, rtol=0)
    torch.testing.assert_close(det.ignored_instances.bboxes.tensor,
                               torch.tensor([DONT_CARE], dtype=torch.float))
    assert det.metainfo['pad_shape'] == (IMG, IMG)
    # mmdet-style samples (boxes only, no ignore flags) work too
    boxes_only = TextDetDataSample(metainfo=sample.metainfo)
    boxes_only.gt_instances = InstanceData(bboxes=torch.tensor([[1., 2., 30., 12.]]))
    det = head._quad_targets(boxes_only, torch.device('cpu'))
    assert det.gt_instances.bboxes.tensor.tolist() == [[1., 2., 30., 2., 30., 12., 1., 12.]]
    assert len(det.ignored_instances) == 0


def _losses(head, sample):
    losses = head.loss(_feats(), [sample])
    return sum(losses['loss_cls']), sum(losses['loss_bbox'])


def test_loss_without_ground_truth():
    cls, reg = _losses(_build(), _sample())
    assert cls.item() > 0
    assert reg.item() == 0


def test_loss_with_one_ground_truth():
    head = _build()
    cls, reg = _losses(head, _sample([WORD], [False]))
    assert cls.item() > 0 and reg.item() > 0
    cls.backward()
    assert head.retina_cls.weight.grad.abs().sum() > 0


@pytest.mark.timeout(60)
@pytest.mark.parametrize('reg_decoded_bbox', [False, True])
def test_regression_loss_on_assigned_anchors_equals_mmdets_dense_loss(monkeypatch,
                                                                      reg_decoded_bbox):
    """The override computes the regression loss on the assigned anchors only; mmdet's own
    ``AnchorHead.loss_by_feat_single`` (every anchor, zero weights) is the oracle, losses and
    gradients."""
    head = _build()
    head.reg_decoded_bbox = reg_decoded_bbox
    sample = _sample([WORD, DONT_CARE], [False, True])
    results = []
    for method in (None, AnchorHead.loss_by_feat_single):
        if method is not None:
            monkeypatch.setattr(type(head), 'loss_by_feat_single', method)
        head.zero_grad()
        losses = head.loss(_feats(), [sample])
        reg = sum(losses['loss_bbox'])
        (sum(losses['loss_cls']) + reg).backward()
        results.append((torch.stack(losses['loss_cls']), torch.stack(losses['loss_bbox']),
                        head.retina_reg.weight.grad.clone(), head.retina_cls.weight.grad.clone()))
    assert results[0][1].sum() > 0  # the word has assigned anchors
    for ours, mmdet in zip(*results):
        torch.testing.assert_close(ours, mmdet)


def test_loss_with_only_dont_care_ground_truth():
    head = _build()
    cls_empty, _ = _losses(head, _sample())
    cls, reg = _losses(head, _sample([DONT_CARE], [True]))
    assert reg.item() == 0
    # never a positive, and the anchors mostly inside it leave the classification loss
    assert 0 < cls.item() < cls_empty.item()


def test_dont_care_anchors_get_no_weight_and_are_never_positive():
    head = _build()
    sample = head._quad_targets(_sample([WORD, DONT_CARE], [False, True]), torch.device('cpu'))
    anchors, flags = head.get_anchors(SIZES, [sample.metainfo], device='cpu')
    labels, weights, _, bbox_weights, _ = head.get_targets(anchors, flags, [sample.gt_instances],
                                                           [sample.metainfo],
                                                           [sample.ignored_instances])
    anchors = torch.cat(anchors[0])
    labels, weights = torch.cat(labels, 1)[0], torch.cat(weights, 1)[0]
    # anchors at least half inside the don't-care box (IoF > 0.5)
    ix = (anchors[:, 2].clamp(max=110) - anchors[:, 0].clamp(min=60)).clamp(min=0)
    iy = (anchors[:, 3].clamp(max=100) - anchors[:, 1].clamp(min=80)).clamp(min=0)
    area = (anchors[:, 2] - anchors[:, 0]) * (anchors[:, 3] - anchors[:, 1])
    inside = ix * iy / area > 0.5
    assert inside.sum() > 10
    assert (weights[inside] == 0).all()
    positives = labels == 0
    assert positives.sum() > 0
    # every positive anchor matched the word: its box overlaps the word's box (20..82, 26..50)
    pos = anchors[positives]
    assert ((pos[:, 0] < 82) & (pos[:, 2] > 20) & (pos[:, 1] < 50) & (pos[:, 3] > 26)).all()
    assert (torch.cat(bbox_weights, 1)[0][positives] == 1).all()


def _mining_head():
    return _build(
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        train_cfg=dict(_head_cfg()['train_cfg'], neg_pos_ratio=3))


def test_hard_negative_mining_keeps_the_hardest_three_per_positive():
    head = _mining_head()
    assert head.cls_out_channels == 2
    # one image, two levels of 3 and 4 anchors; anchor 1 positive, anchor 6 ignored
    labels = [torch.tensor([[1, 0, 1]]), torch.tensor([[1, 1, 1, 1]])]
    weights = [torch.tensor([[1., 1., 1.]]), torch.tensor([[1., 1., 1., 0.]])]
    # background logit minus text logit: smaller means a harder negative
    margins = torch.tensor([5., 0., -1., 2., -3., 4., -9.])
    logits = torch.stack([-margins / 2, margins / 2], -1)  # (7, 2): (text, background)
    scores = [logits[:3].T.reshape(1, 2, 1, 3), logits[3:].T.reshape(1, 2, 1, 4)]
    mined = head._mine_hard_negatives(scores, labels, weights)
    # hardest negatives: anchor 4 (-3), anchor 2 (-1), anchor 3 (2); anchor 6 stays ignored
    assert torch.cat(mined, 1).tolist() == [[0., 1., 1., 1., 1., 0., 0.]]
    # an image without positives still keeps neg_pos_ratio negatives: anchors 4, 2 and 1 (0)
    mined = head._mine_hard_negatives(scores, [torch.ones(1, 3).long(), labels[1]], weights)
    assert torch.cat(mined, 1).tolist() == [[0., 1., 1., 0., 1., 0., 0.]]


def test_loss_with_hard_negative_mining():
    head = _mining_head()
    cls, reg = _losses(head, _sample())
    assert cls.item() > 0 and reg.item() == 0
    cls, reg = _losses(head, _sample([WORD], [False]))
    assert cls.item() > 0 and reg.item() > 0
    with pytest.raises(AssertionError):
        _build(train_cfg=dict(_head_cfg()['train_cfg'], neg_pos_ratio=3))  # focal loss


def test_predict_by_feat_decodes_rescales_repairs_and_suppresses():
    head = _build()
    cls_scores = [torch.full((1, 14, h, w), -10.) for h, w in SIZES]
    bbox_preds = [torch.zeros(1, 14 * 12, h, w) for h, w in SIZES]
    # stride 8, cell (row 2, col 3): anchor 0 is 32 x 32 around (28, 20) = (12, 4, 44, 36)
    cls_scores[1][0, 0, 2, 3] = 5.
    # anchor 7 of the same cell is shifted down 4 px: IoU 0.78, suppressed by NMS (0.2)
    cls_scores[1][0, 7, 2, 3] = 3.
    # stride 4, cell (row 20, col 20): anchor 0 = (74, 74, 90, 90), kept
    cls_scores[0][0, 0, 20, 20] = 4.
    # stride 16, cell (0, 0): anchor 0 (-24, -24, 40, 40) with all corners pulled to its centre
    cls_scores[2][0, 0, 0, 0] = 6.
    stds = 0.1  # corner stds of the config's coder
    bbox_preds[2][0, 4:12, 0, 0] = torch.tensor([.5, .5, -.5, .5, -.5, -.5, .5, -.5]) / stds
    meta = dict(img_shape=(IMG, IMG), ori_shape=(64, 64), scale_factor=(2., 2.))
    results = head.predict_by_feat(cls_scores, bbox_preds, batch_img_metas=[meta], rescale=True)[0]
    torch.testing.assert_close(results.scores, torch.sigmoid(torch.tensor([5., 4.])))
    torch.testing.assert_close(
        results.bboxes,
        torch.tensor([[6., 2., 22., 2., 22., 18., 6., 18.],
                      [37., 37., 45., 37., 45., 45., 37., 45.]]))
    assert results.labels.tolist() == [0, 0]


def test_predict_returns_valid_quads_in_original_image_coordinates():
    head = _build()
    head.retina_cls.bias.data.zero_()  # scores near 0.5: many candidates to post-process
    samples = [_sample(scale=2.0)]  # a 64 x 64 image resized to 128 x 128
    results = head.predict(_feats(), samples, rescale=True)[0]
    assert len(results) > 0
    assert len(results) <= head.test_cfg.max_per_img
    quads = results.bboxes
    assert quads.shape[1] == 8
    assert valid_quads(quads).all() and convex_quads(quads).all()
    assert quads.min() >= 0 and quads.max() <= 64
    assert (results.scores >= head.test_cfg.score_thr).all()
    assert (results.scores[:-1] >= results.scores[1:]).all()


@pytest.mark.parametrize('scope,name', [('mmocr', 'TextBoxesRetinaHead'),
                                        ('mmdet', 'mmocr.TextBoxesRetinaHead')])
def test_defaults_build_under_either_scope(scope, name):
    with DefaultScope.overwrite_default_scope(scope):
        head = MODELS.build(dict(type=name))
    assert type(head.loss_cls).__name__ == 'DeviceAgnosticFocalLoss' and head.use_sigmoid_cls
    assert type(head.loss_bbox).__name__ == 'SmoothL1Loss'
    assert head.num_base_priors == 14 and head.bbox_coder.encode_size == 12
    assert head.in_channels == 256 and head.cls_out_channels == 1


@pytest.mark.parametrize('overrides', [
    dict(),
    dict(loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False), num_classes=1),
])
def test_decoding_matches_mmdets_whole_map_implementation(overrides):
    """The override reads only the selected deltas; results equal mmdet's permute-all path."""
    from mmdet.models.dense_heads.base_dense_head import BaseDenseHead
    head = _build(**overrides)
    generator = torch.Generator().manual_seed(3)
    channels = head.num_base_priors * head.cls_out_channels
    cls_scores = [torch.randn(1, channels, h, w, generator=generator) for h, w in SIZES]
    bbox_preds = [
        torch.randn(1, head.num_base_priors * 12, h, w, generator=generator) * 0.5 for h, w in SIZES
    ]
    meta = dict(img_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1., 1.))
    for cfg in (head.test_cfg, Config(dict(head.test_cfg, nms_pre=20, score_thr=0.3))):
        ours = head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=[meta], cfg=cfg, rescale=True)[0]
        priors = head.prior_generator.grid_priors(SIZES, device='cpu')
        mmdet = BaseDenseHead._predict_by_feat_single(
            head, [c[0] for c in cls_scores], [b[0] for b in bbox_preds], [None] * len(SIZES),
            priors,
            meta,
            cfg,
            rescale=True)
        assert len(ours) > 0
        torch.testing.assert_close(ours.scores, mmdet.scores)
        torch.testing.assert_close(ours.bboxes, mmdet.bboxes)
        assert torch.equal(ours.labels, mmdet.labels)


@pytest.mark.parametrize('nms', [
    dict(type='nms_quadri', iou_threshold=0.2),
    dict(type='nms', iou_threshold=0.2),
    dict(iou_threshold=0.2)
])
def test_test_cfg_must_name_the_nms_that_runs(nms):
    test_cfg = dict(_head_cfg()['test_cfg'], nms=nms)
    with pytest.raises(ValueError, match="'quad_nms'"):
        _build(test_cfg=test_cfg)
    # a test config given at prediction time is checked too
    head = _build()
    cls_scores, bbox_preds = head(_feats())
    meta = dict(img_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1., 1.))
    with pytest.raises(ValueError, match="'quad_nms'"):
        head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=[meta], cfg=ConfigDict(test_cfg))


def test_test_cfg_keys_are_read():
    head = _build()
    head.retina_cls.bias.data.zero_()  # scores near 0.5: many candidates
    cls_scores, bbox_preds = head(_feats())
    meta = dict(img_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1., 1.))

    def predict(**overrides):
        cfg = ConfigDict(head.test_cfg.to_dict(), **overrides)
        return head.predict_by_feat(cls_scores, bbox_preds, batch_img_metas=[meta], cfg=cfg)[0]

    results = predict()
    assert 3 < len(results) <= head.test_cfg.max_per_img
    assert len(predict(max_per_img=3)) == 3
    assert len(predict(score_thr=1.0)) == 0
    assert len(predict(min_quad_area=IMG * IMG * 4)) == 0  # larger than any decoded quad
    assert len(predict(nms_pre=1)) <= len(SIZES)  # one candidate per level
    loose = predict(nms=dict(type='quad_nms', iou_threshold=0.99), max_per_img=10000)
    assert len(loose) > len(predict(max_per_img=10000))


def test_predictions_are_quad_boxes_with_a_typed_coder():
    head = _build()
    typed = _build(bbox_coder=dict(_head_cfg()['bbox_coder'], use_box_type=True))
    for model in (head, typed):
        model.retina_cls.bias.data.zero_()  # scores near 0.5: many candidates
    samples = [_sample(scale=2.0)]
    plain = head.predict(_feats(), samples, rescale=True)[0]
    boxes = typed.predict(_feats(), samples, rescale=True)[0]
    assert isinstance(boxes.bboxes, QuadBoxes) and isinstance(plain.bboxes, torch.Tensor)
    assert len(plain) > 0 and torch.equal(boxes.bboxes.tensor, plain.bboxes)
    assert torch.equal(boxes.scores, plain.scores)


def _caller():
    """(function name, file) of the caller of the caller."""
    frame = sys._getframe(2)
    return frame.f_code.co_name, frame.f_code.co_filename


def test_mining_scores_reach_get_targets_only_from_mmdets_loss_by_feat(monkeypatch):
    """The hard negative mining relies on mmdet's ``AnchorHead.loss_by_feat`` calling
    ``self.get_targets``: fails if mmdet stops calling it from there."""
    head = _mining_head()
    get_targets, calls = head.get_targets, []

    def spy(*args, **kwargs):
        calls.append((_caller(), head._mining.active))
        return get_targets(*args, **kwargs)

    monkeypatch.setattr(head, 'get_targets', spy)
    losses = _losses(head, _sample([WORD], [False]))
    anchor_head_file = sys.modules[AnchorHead.__module__].__file__
    assert calls == [(('loss_by_feat', anchor_head_file), True)]
    assert not head._mining.active and head._mining.read() is None
    assert losses[0] > 0
    # the scores are those of the call, and the state is cleared after an exception too
    seen = []
    monkeypatch.setattr(head, '_mine_hard_negatives',
                        lambda scores, *args: seen.append(scores) or 1 / 0)
    cls_scores, bbox_preds = head(_feats())
    sample = head._quad_targets(_sample([WORD], [False]), torch.device('cpu'))
    with pytest.raises(ZeroDivisionError):
        head.loss_by_feat(cls_scores, bbox_preds, [sample.gt_instances], [sample.metainfo],
                          [sample.ignored_instances])
    assert seen[0] is cls_scores
    assert not head._mining.active
    # if mmdet stopped calling get_targets there, the mining would be skipped: the loss raises
    monkeypatch.setattr(AnchorHead, 'loss_by_feat', lambda self, *args, **kwargs: {})
    with pytest.raises(RuntimeError, match='get_targets was not called'):
        head.loss_by_feat(cls_scores, bbox_preds, [sample.gt_instances], [sample.metainfo],
                          [sample.ignored_instances])
    assert not head._mining.active

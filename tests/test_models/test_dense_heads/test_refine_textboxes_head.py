"""RefineTextBoxesHead: ARM/TCB/ODM layers, two-step decoding, negative filtering, losses, learning.

Inputs, ground truth and the tiny head config are the base head tests' ones, the learning test
is ``test_learning.py``'s: all come from :mod:`textboxes_retina.testing`, not copied.
"""
import sys
from pathlib import Path

import pytest
import torch
from mmdet.models.dense_heads import AnchorHead
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from textboxes_retina.models.dense_heads import RefineTextBoxesHead
from textboxes_retina.models.dense_heads.transfer_connection_block import TransferConnectionBlock
from textboxes_retina.models.task_modules import delta2quad
from textboxes_retina.structures import convex_quads, quads_to_bboxes, valid_quads
from textboxes_retina.testing.configs import build_tiny_head, tiny_head_cfg
from textboxes_retina.testing.drawn_samples import assert_overfits_learning_images
from textboxes_retina.testing.inputs import DONT_CARE
from textboxes_retina.testing.inputs import HEAD_IMG as IMG
from textboxes_retina.testing.inputs import HEAD_SIZES as SIZES
from textboxes_retina.testing.inputs import WORD, head_feats, head_sample

CONFIGS = Path(__file__).parents[3] / 'configs'
REFINE_SMALL = CONFIGS / 'refine_textboxes/refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py'
PLAIN_SMALL = CONFIGS / 'textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'

NUM_ANCHORS = sum(h * w for h, w in SIZES) * 14
LOGIT_99 = torch.logit(torch.tensor(0.01, dtype=torch.float64)).item()  # text prob 0.01


def _build(**overrides):
    return build_tiny_head(type='RefineTextBoxesHead', **overrides)


def _outputs(head, arm_logit=-10., odm_logit=-10.):
    """Zero deltas and constant logits, as forward() would return them."""
    cls = [torch.full((1, 14, h, w), odm_logit) for h, w in SIZES]
    reg = [torch.zeros(1, 14 * 12, h, w) for h, w in SIZES]
    arm_cls = [torch.full((1, 14, h, w), arm_logit) for h, w in SIZES]
    arm_reg = [torch.zeros(1, 14 * 12, h, w) for h, w in SIZES]
    return cls, reg, arm_cls, arm_reg


def test_arm_tcb_and_odm_shapes():
    head = _build()
    assert isinstance(head, RefineTextBoxesHead)
    for conv in (head.arm_cls, head.arm_reg, head.retina_cls, head.retina_reg):
        assert conv.kernel_size == (3, 5) and conv.padding == (1, 2)
    assert len(head.transfer_blocks) == len(SIZES)
    assert [b.upsample is None for b in head.transfer_blocks] == [False] * 5 + [True]
    cls, reg, arm_cls, arm_reg = head(head_feats())
    for (h, w), *level in zip(SIZES, cls, reg, arm_cls, arm_reg):
        assert [t.shape for t in level] == [(1, 14, h, w), (1, 168, h, w)] * 2
    # the RetinaNet prior on both classifiers' biases
    for conv in (head.arm_cls, head.retina_cls):
        torch.testing.assert_close(
            conv.bias, torch.full((14, ), LOGIT_99, dtype=torch.float), atol=1e-4, rtol=0)
    head8 = _build(
        bbox_coder=dict(
            type='QuadDeltaCoder', encode_size=8, target_means=[0.] * 8, target_stds=[0.1] * 8))
    outs = head8(head_feats())
    assert outs[1][0].shape == outs[3][0].shape == (1, 14 * 8, 32, 32)
    with pytest.raises(AssertionError, match='num_classes must be 1'):
        _build(num_classes=2)


def test_builds_from_its_defaults():
    with DefaultScope.overwrite_default_scope('mmocr'):
        head = MODELS.build(dict(type='RefineTextBoxesHead'))
    assert head.in_channels == 256 and head.neg_filter_thr == 0.99
    assert head.bbox_coder.encode_size == 12 and head.num_base_priors == 14
    assert len(head.transfer_blocks) == 6
    # the blocks' Kaiming init is applied after the head's Normal(std=0.01)
    head.init_weights()
    conv = head.transfer_blocks[0].lateral_convs[0].conv
    assert conv.weight.std().item() == pytest.approx((2 / (256 * 9))**0.5, rel=0.05)
    assert head.cls_convs[0].conv.weight.std().item() == pytest.approx(0.01, rel=0.05)


def test_transfer_connection_block_adds_the_upsampled_coarser_level():
    torch.manual_seed(0)
    block = TransferConnectionBlock(2)
    # lateral path off, deconv = nearest 2x upsampling, out conv = identity (+ ReLU)
    for module in block.lateral_convs:
        module.conv.weight.data.zero_()
        module.conv.bias.data.zero_()
    block.upsample.weight.data.zero_()
    block.upsample.weight.data[[0, 1], [0, 1]] = 1.
    block.upsample.bias.data.zero_()
    block.out_conv.conv.weight.data.zero_()
    block.out_conv.conv.weight.data[[0, 1], [0, 1], 1, 1] = 1.
    block.out_conv.conv.bias.data.zero_()
    coarser = torch.tensor([[1., -2., 3.], [4., 5., -6.], [7., 8., 9.]]).expand(1, 2, 3, 3)
    out = block(torch.rand(1, 2, 5, 5), coarser)  # 3 x 3 -> 6 x 6, cropped to 5 x 5
    expected = coarser.repeat_interleave(2, -1).repeat_interleave(2, -2)[..., :5, :5].relu()
    torch.testing.assert_close(out, expected)
    with pytest.raises(AssertionError):
        block(torch.rand(1, 2, 5, 5))
    top = TransferConnectionBlock(2, with_upsample=False)
    assert top(torch.rand(1, 2, 3, 4)).shape == (1, 2, 3, 4)


def test_decoding_applies_the_arm_then_the_odm_deltas():
    head = _build()
    cls, reg, arm_cls, arm_reg = _outputs(head, arm_logit=-10., odm_logit=5.)
    # stride 8, cell (row 2, col 3): anchor 0 is (12, 4, 44, 36), 32 x 32
    arm_cls[1][0, 0, 2, 3] = 3.
    arm_deltas = torch.tensor([0., 0., 0., 0.] + [.25, 0.] * 4)  # corners right by w / 4
    odm_deltas = torch.tensor([0., 0., 0., 0.] + [0., .125] * 4)  # corners down by h / 8
    stds = torch.tensor([.1, .1, .2, .2] + [.1] * 8)
    arm_reg[1][0, :12, 2, 3] = arm_deltas / stds
    reg[1][0, :12, 2, 3] = odm_deltas / stds
    meta = dict(img_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1., 1.))
    results = head.predict_by_feat(cls, reg, arm_cls, arm_reg, batch_img_metas=[meta])[0]
    # every other anchor is filtered by the ARM (background 0.99995), whatever its ODM score
    assert len(results) == 1
    torch.testing.assert_close(results.scores, torch.sigmoid(torch.tensor([5.])))
    # anchor -> refined anchor (20, 4, 52, 36) -> quad moved down by 4
    torch.testing.assert_close(results.bboxes, torch.tensor([[20., 8., 52., 8., 52., 40., 20.,
                                                              40.]]))
    anchor = torch.tensor([[12., 4., 44., 36.]])
    refined = quads_to_bboxes(delta2quad(anchor, (arm_deltas / stds)[None], stds=stds))
    sequential = delta2quad(refined, (odm_deltas / stds)[None], stds=stds)
    torch.testing.assert_close(results.bboxes, sequential)


def test_negative_filtering_drops_exactly_the_anchors_above_the_threshold():
    head = _build()
    assert head.neg_filter_thr == 0.99
    _, _, arm_cls, arm_reg = _outputs(head)
    gen = torch.Generator().manual_seed(0)
    arm_cls = [LOGIT_99 + 0.5 * torch.randn(s.shape, generator=gen) for s in arm_cls]
    refined, keep = head.refine_anchors(arm_cls, arm_reg)
    background = torch.cat([1 - s.permute(0, 2, 3, 1).reshape(-1).sigmoid() for s in arm_cls])
    keep = torch.cat(keep[0])
    assert keep.tolist() == (background <= 0.99).tolist()
    assert 0.3 < keep.float().mean() < 0.7  # random logits around the threshold
    # zero deltas: the refined anchors are the anchors
    anchors = torch.cat(head.prior_generator.grid_priors(SIZES, device='cpu'))
    torch.testing.assert_close(torch.cat(refined[0]), anchors)
    # an image with every anchor filtered keeps its most text-like one
    arm_cls = [torch.full_like(s, -10.) for s in arm_cls]
    arm_cls[2][0, 5, 1, 1] = -8.
    keep = torch.cat(head.refine_anchors(arm_cls, arm_reg)[1][0])
    assert keep.sum() == 1 and keep[SIZES[0][0]**2 * 14 + SIZES[1][0]**2 * 14 + 14 * 9 + 5]


def test_negative_filtering_with_a_softmax_arm():
    head = _build(
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        train_cfg=dict(tiny_head_cfg()['train_cfg'], neg_pos_ratio=3))
    # (text, background) logits per anchor: background probabilities 0.5, 0.995 and 0.98
    arm_cls = [torch.zeros(1, 28, h, w) for h, w in SIZES]
    arm_cls[5][0, 2:4, 0, 0] = torch.tensor([0., 5.2933])  # anchor 1: log(0.995 / 0.005)
    arm_cls[5][0, 4:6, 0, 0] = torch.tensor([0., 3.8918])  # anchor 2: log(0.98 / 0.02)
    keep = head.refine_anchors(arm_cls, _outputs(head)[3])[1][0][5]
    assert keep[:3].tolist() == [True, False, True]
    assert keep.sum() == 13


def test_the_odm_assigner_sees_the_refined_anchors(monkeypatch):
    head = _build()
    cls, reg, arm_cls, arm_reg = _outputs(head)
    gen = torch.Generator().manual_seed(0)
    arm_cls = [LOGIT_99 + torch.randn(s.shape, generator=gen) for s in arm_cls]
    arm_reg = [0.5 * torch.randn(s.shape, generator=gen) for s in arm_reg]
    seen = []
    assign = head.assigner.assign
    monkeypatch.setattr(
        head.assigner, 'assign',
        lambda pred, *args, **kw: seen.append(pred.priors) or assign(pred, *args, **kw))
    sample = head._quad_targets(head_sample([WORD], [False]), torch.device('cpu'))
    losses = head.loss_by_feat(cls, reg, arm_cls, arm_reg, [sample.gt_instances], [sample.metainfo],
                               [sample.ignored_instances])
    assert len(seen) == 2
    arm_priors, odm_priors = seen
    anchors = torch.cat(head.prior_generator.grid_priors(SIZES, device='cpu'))
    torch.testing.assert_close(arm_priors, anchors)
    refined, keep = head.refine_anchors(arm_cls, arm_reg)
    keep = torch.cat(keep[0])
    torch.testing.assert_close(odm_priors, torch.cat(refined[0])[keep])
    assert 0 < len(odm_priors) < NUM_ANCHORS
    assert set(losses) == {'loss_cls', 'loss_bbox', 'loss_arm_cls', 'loss_arm_bbox'}


def test_filtered_anchors_leave_the_odm_loss():
    head = _build()
    cls, reg, arm_cls, arm_reg = _outputs(head)
    arm_cls = [torch.full_like(s, 3.) for s in arm_cls]
    arm_cls[0][0, :7] = -10.  # the centred anchors of the finest level are filtered
    refined, keep = head.refine_anchors(arm_cls, arm_reg)
    sample = head._quad_targets(head_sample([WORD], [False]), torch.device('cpu'))
    with head._odm_anchors.provide((refined, keep)):
        labels, weights, _, bbox_weights, _ = head.get_targets(
            *head.get_anchors(SIZES, [sample.metainfo], 'cpu'), [sample.gt_instances],
            [sample.metainfo], [sample.ignored_instances])
    filtered = ~torch.cat(keep[0])
    assert filtered.sum() == 32 * 32 * 7
    assert (torch.cat(weights, 1)[0][filtered] == 0).all()
    assert (torch.cat(bbox_weights, 1)[0][filtered] == 0).all()
    assert torch.cat(weights, 1)[0][~filtered].sum() > 0
    # outside the context the anchors are the plain ones again
    assert not head._odm_anchors.active and head._odm_anchors.read() is None
    anchors = head.get_anchors(SIZES, [sample.metainfo], 'cpu')[0][0]
    torch.testing.assert_close(
        torch.cat(anchors), torch.cat(head.prior_generator.grid_priors(SIZES, device='cpu')))


def test_refined_anchors_reach_get_anchors_only_from_mmdets_loss_by_feat(monkeypatch):
    """The ODM loss relies on mmdet's ``AnchorHead.loss_by_feat`` calling ``self.get_anchors``:
    fails if mmdet stops calling it from there (the ODM would train on the plain anchors)."""
    head = _build()
    cls, reg, arm_cls, arm_reg = _outputs(head)
    get_anchors, calls = head.get_anchors, []

    def spy(*args, **kwargs):
        caller = sys._getframe(1).f_code
        calls.append((caller.co_name, caller.co_filename, head._odm_anchors.active))
        return get_anchors(*args, **kwargs)

    monkeypatch.setattr(head, 'get_anchors', spy)
    sample = head._quad_targets(head_sample([WORD], [False]), torch.device('cpu'))
    args = ([sample.gt_instances], [sample.metainfo], [sample.ignored_instances])
    head.loss_by_feat(cls, reg, arm_cls, arm_reg, *args)
    anchor_head_file = sys.modules[AnchorHead.__module__].__file__
    # the ARM loss on the plain anchors, then the ODM loss on the provided refined ones
    assert calls == [('loss_by_feat', anchor_head_file, False),
                     ('loss_by_feat', anchor_head_file, True)]
    assert not head._odm_anchors.active
    # cleared after an exception too: the ODM assignment (the second one) fails
    assign, active = head.assigner.assign, []

    def failing(*a, **kw):
        active.append(head._odm_anchors.active)
        return 1 / 0 if len(active) > 1 else assign(*a, **kw)

    monkeypatch.setattr(head.assigner, 'assign', failing)
    with pytest.raises(ZeroDivisionError):
        head.loss_by_feat(cls, reg, arm_cls, arm_reg, *args)
    assert active == [False, True]
    assert not head._odm_anchors.active
    # if mmdet stopped calling get_anchors there, the loss raises instead of ignoring the ARM
    monkeypatch.setattr(AnchorHead, 'loss_by_feat',
                        lambda self, *a, **kw: dict(loss_cls=[], loss_bbox=[]))
    with pytest.raises(RuntimeError, match='get_anchors was not called'):
        head.loss_by_feat(cls, reg, arm_cls, arm_reg, *args)
    assert not head._odm_anchors.active


def _losses(head, sample):
    losses = head.loss(head_feats(), [sample])
    return {key: sum(value) for key, value in losses.items()}


def test_losses_without_and_with_ground_truth():
    head = _build()
    losses = _losses(head, head_sample())
    assert losses['loss_cls'] > 0 and losses['loss_arm_cls'] > 0
    assert losses['loss_bbox'] == 0 and losses['loss_arm_bbox'] == 0
    losses = _losses(head, head_sample([WORD], [False]))
    assert all(value > 0 for value in losses.values()), losses
    # the refined anchors are detached: the ODM box loss does not train the ARM regression
    losses['loss_bbox'].backward(retain_graph=True)
    assert head.arm_reg.weight.grad is None or not head.arm_reg.weight.grad.any()
    assert head.retina_reg.weight.grad.abs().sum() > 0
    losses['loss_arm_bbox'].backward()
    assert head.arm_reg.weight.grad.abs().sum() > 0


def test_losses_with_only_dont_care_and_with_hard_negative_mining():
    head = _build()
    losses = _losses(head, head_sample([DONT_CARE], [True]))
    assert losses['loss_bbox'] == 0 and losses['loss_arm_bbox'] == 0
    assert losses['loss_cls'] > 0 and losses['loss_arm_cls'] > 0
    mining = _build(
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0),
        train_cfg=dict(tiny_head_cfg()['train_cfg'], neg_pos_ratio=3))
    losses = _losses(mining, head_sample([WORD], [False]))
    assert all(torch.isfinite(v) and v > 0 for v in losses.values()), losses


def test_predict_keeps_the_top_k_before_nms_and_returns_valid_quads():
    head = _build()
    head.retina_cls.bias.data.zero_()  # ODM scores near 0.5
    head.arm_cls.bias.data.fill_(2.)  # nothing filtered
    samples = [head_sample(scale=2.0)]  # a 64 x 64 image resized to 128 x 128
    results = head.predict(head_feats(), samples, rescale=True)[0]
    assert 1 < len(results) <= head.test_cfg.max_per_img
    quads = results.bboxes
    assert valid_quads(quads).all() and convex_quads(quads).all()
    assert quads.min() >= 0 and quads.max() <= 64
    assert (results.scores[:-1] >= results.scores[1:]).all()
    head.test_cfg.nms_top_k = 1
    top = head.predict(head_feats(), samples, rescale=True)[0]
    assert len(top) == 1 and top.scores[0] == results.scores[0]


def test_nms_is_exact_for_non_rectangular_duplicates():
    head = _build()
    head.test_cfg.nms.iou_threshold = 0.5
    cls, reg, arm_cls, arm_reg = _outputs(head, arm_logit=-10., odm_logit=-10.)
    # stride 32, cell (0, 0): anchor 0 is (-48, -48, 80, 80), anchor 7 the same 16 px lower
    trapezoid = torch.tensor([10., 20., 110., 20., 100., 50., 20., 50.])
    shifted = trapezoid + torch.tensor([2., 1.] * 4)  # exact IoU 0.90
    for anchor, y0, quad, score in ((0, -48., trapezoid, 4.), (7, -32., shifted, 3.)):
        arm_cls[3][0, anchor, 0, 0] = 3.
        cls[3][0, anchor, 0, 0] = score
        corners = torch.tensor([-48., y0, 80., y0, 80., y0 + 128, -48., y0 + 128])
        reg[3][0, 12 * anchor + 4:12 * anchor + 12, 0, 0] = (quad - corners) / 128 / 0.1
    meta = dict(img_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1., 1.))
    results = head.predict_by_feat(cls, reg, arm_cls, arm_reg, batch_img_metas=[meta])[0]
    assert len(results) == 1
    torch.testing.assert_close(results.bboxes, trapezoid[None])


def test_the_small_refine_config_swaps_only_the_head():
    refine = Config.fromfile(str(REFINE_SMALL)).to_dict()
    plain = Config.fromfile(str(PLAIN_SMALL)).to_dict()
    assert refine['model']['bbox_head'].pop('type') == 'RefineTextBoxesHead'
    assert refine['model']['bbox_head'].pop('neg_filter_thr') == 0.99
    assert refine['model']['test_cfg'].pop('nms_top_k') == 5000
    plain['model']['bbox_head'].pop('type')
    assert refine == plain


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_small_refine_model_overfits_two_images():
    """``test_learning.py``'s learning test, run on the small config with the refinement head."""
    assert_overfits_learning_images(REFINE_SMALL)

"""MapRescoredTextBoxesRetina, built from the demo's config: the plain detector's quads, each
score times the maximum of ONNX Runtime's PP-OCRv4 text probability map inside the quad."""
import copy

import cv2
import numpy as np
import onnxruntime as ort
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS, TRANSFORMS

from textboxes_retina.models.backbones.ppocr_det_features import (PPOCRV4_DET_ONNX,
                                                                  resolve_package_file)
from textboxes_retina.models.utils import quad_map_max
from textboxes_retina.testing.configs import DEMO_CONFIG

META_KEYS = ('img_path', 'ori_shape', 'img_shape', 'scale_factor')


def _build(model_cfg, detector, return_maps):
    cfg = copy.deepcopy(model_cfg)
    cfg.type = detector
    if detector == 'TextBoxesRetina':
        cfg.pop('map_loss', None)  # the plain detector has no map to train
    cfg.backbone.return_maps = return_maps
    # untrained head: every candidate through, a few per image (quad NMS at IoU 0.2, not the
    # demo's 0.05, which leaves fewer than 30 of the untrained head's overlapping candidates)
    cfg.test_cfg.update(
        score_thr=0.0, nms_pre=200, max_per_img=30, nms=dict(type='quad_nms', iou_threshold=0.2))
    with DefaultScope.overwrite_default_scope('mmocr'):
        return MODELS.build(cfg).eval()


@pytest.fixture(scope='module')
def models():
    model_cfg = Config.fromfile(DEMO_CONFIG).model
    torch.manual_seed(0)
    plain = _build(model_cfg, 'TextBoxesRetina', return_maps=False)
    plain.init_weights()
    plain.bbox_head.retina_cls.bias.data.zero_()
    rescored = _build(model_cfg, 'MapRescoredTextBoxesRetina', return_maps=True)
    rescored.load_state_dict(plain.state_dict(), strict=True)
    return plain, rescored


def _packed():
    """Two words on a 150 x 230 image, resized by 1.4 and packed (MMOCR's transforms)."""
    img = np.full((150, 230, 3), 200, np.uint8)
    cv2.putText(img, 'OPEN', (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (20, 20, 20), 3)
    cv2.putText(img, 'Cafe 24', (60, 120), cv2.FONT_HERSHEY_DUPLEX, 0.9, (30, 30, 90), 2)
    results = dict(img=img, img_path='words.png', ori_shape=img.shape[:2], img_shape=img.shape[:2])
    with DefaultScope.overwrite_default_scope('mmocr'):
        for step in (dict(type='Resize', scale_factor=1.4,
                          keep_ratio=True), dict(type='PackTextDetInputs', meta_keys=META_KEYS)):
            results = TRANSFORMS.build(step)(results)
    return dict(inputs=[results['inputs']], data_samples=[results['data_samples']])


@pytest.mark.timeout(180)
def test_scores_are_head_scores_times_the_map_max_inside_the_quad(models):
    plain, rescored = models
    with torch.no_grad():
        expected = plain.test_step(_packed())[0]
        got = rescored.test_step(_packed())[0]
        inputs = plain.data_preprocessor(_packed(), training=False)['inputs']
    scale = np.array(got.metainfo['scale_factor'])
    assert scale == pytest.approx((1.4, 1.4), rel=0.01)
    # the oracle's map: ONNX Runtime's own output on the same (padded) input
    session = ort.InferenceSession(
        resolve_package_file(PPOCRV4_DET_ONNX), providers=['CPUExecutionProvider'])
    prob = session.run(['sigmoid_0.tmp_0'], {'x': inputs.numpy()})[0][0, 0]
    assert prob.shape == tuple(inputs.shape[-2:]) and prob.max() > 0.5  # it sees the words

    quads = np.stack(expected.pred_instances.polygons)
    assert len(quads) == 30
    gate = quad_map_max(torch.from_numpy(prob), torch.from_numpy(quads * np.tile(scale, 4)))
    scores = (expected.pred_instances.scores * gate).numpy()
    pred = got.pred_instances
    # each rescored quad is one of the plain detector's, with its score times its gate
    got_quads = np.stack(pred.polygons)
    match = np.abs(got_quads[:, None] - quads[None]).max(axis=2).argmin(axis=1)
    np.testing.assert_allclose(got_quads, quads[match], atol=1e-4)
    assert sorted(match) == list(range(len(quads)))
    np.testing.assert_allclose(pred.scores.numpy(), scores[match], rtol=1e-4, atol=1e-6)
    assert (pred.scores[:-1] >= pred.scores[1:]).all()  # sorted by the new scores
    np.testing.assert_allclose(pred.bboxes[:, 0].numpy(), got_quads[:, 0::2].min(1), atol=1e-4)
    assert 0 < (gate > 0.5).sum() < len(gate)  # some quads on the words, some off them


@pytest.mark.timeout(180)
def test_rescore_false_gives_the_plain_detectors_predictions(models):
    plain, rescored = models
    unrescored = copy.deepcopy(rescored)
    unrescored.rescore = False
    with torch.no_grad():
        expected = plain.test_step(_packed())[0].pred_instances
        got = unrescored.test_step(_packed())[0].pred_instances
        rescored_scores = rescored.test_step(_packed())[0].pred_instances.scores
    np.testing.assert_array_equal(np.stack(got.polygons), np.stack(expected.polygons))
    np.testing.assert_array_equal(got.scores.numpy(), expected.scores.numpy())
    assert not torch.equal(torch.sort(got.scores)[0], torch.sort(rescored_scores)[0])
    # from the config, as a user asks for it
    cfg = copy.deepcopy(Config.fromfile(DEMO_CONFIG).model)
    cfg.rescore = False
    with DefaultScope.overwrite_default_scope('mmocr'):
        assert MODELS.build(cfg).rescore is False


@pytest.mark.timeout(180)
def test_loss_is_the_plain_detectors(models):
    plain, rescored = models
    data = _packed()
    data['data_samples'][0].gt_instances.polygons = [
        np.array([25, 30, 110, 30, 110, 66, 25, 66], np.float32) * 1.4
    ]
    data['data_samples'][0].gt_instances.ignored = torch.tensor([False])
    data['data_samples'][0].gt_instances.bboxes = torch.tensor([[25., 30, 110, 66]]) * 1.4
    data['data_samples'][0].gt_instances.labels = torch.tensor([0])
    losses = []
    for model in (plain, rescored):
        torch.manual_seed(0)
        batch = model.data_preprocessor(copy.deepcopy(data), training=True)
        losses.append(model(**batch, mode='loss'))
    for key in ('loss_cls', 'loss_bbox'):
        assert torch.allclose(sum(losses[0][key]), sum(losses[1][key]))


def _with_one_word(data):
    sample = data['data_samples'][0]
    sample.gt_instances.polygons = [np.array([25, 30, 110, 30, 110, 66, 25, 66], np.float32) * 1.4]
    sample.gt_instances.ignored = torch.tensor([False])
    sample.gt_instances.bboxes = torch.tensor([[25., 30, 110, 66]]) * 1.4
    sample.gt_instances.labels = torch.tensor([0])
    return data


@pytest.mark.timeout(240)
def test_map_loss_is_db_loss_of_the_pretrained_map_and_trains_it():
    """With ``map_loss`` (the demo config) the loss adds DBProbMapLoss of the map,
    which at the start is PP-OCRv4's own (ONNX Runtime's output on the same padded input: the
    batch norms stay in eval mode, ``norm_eval``); its gradient reaches the DB head."""
    cfg = Config.fromfile(DEMO_CONFIG).model
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
        loss_fn = MODELS.build(dict(type='DBProbMapLoss'))
    model.init_weights()
    model.train()
    data = _with_one_word(_packed())
    batch = model.data_preprocessor(copy.deepcopy(data), training=True)
    losses = model(**batch, mode='loss')
    assert {'loss_cls', 'loss_bbox', 'loss_map_prob', 'loss_map_dice'} <= set(losses)

    # in training mode the map is still PP-OCRv4's own (ONNX Runtime's output on the same padded
    # input: the batch norms stay in eval mode)
    session = ort.InferenceSession(
        resolve_package_file(PPOCRV4_DET_ONNX), providers=['CPUExecutionProvider'])
    prob = session.run(['sigmoid_0.tmp_0'], {'x': batch['inputs'].numpy()})[0]
    with torch.no_grad():
        own = model.backbone(batch['inputs'])[-1]
    np.testing.assert_allclose(own.numpy(), prob, atol=1e-4)
    # the losses are DBProbMapLoss of that map; the Dice term against ONNX Runtime's map (the
    # BCE's log of probabilities near 0 magnifies float differences of 1e-30: compared on the
    # model's own map)
    on_ort = loss_fn(torch.from_numpy(prob), batch['data_samples'])
    on_own = loss_fn(own, batch['data_samples'])
    assert losses['loss_map_dice'].item() == pytest.approx(on_ort['loss_map_dice'].item(), rel=1e-3)
    assert losses['loss_map_prob'].item() == pytest.approx(on_own['loss_map_prob'].item(), rel=1e-4)
    assert losses['loss_map_prob'].item() > 0 and losses['loss_map_dice'].item() > 0

    (losses['loss_map_prob'] + losses['loss_map_dice']).backward()
    deconvs = [m for m in model.backbone.graph.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert deconvs and all(m.weight.grad is not None and m.weight.grad.abs().sum() > 0
                           for m in deconvs)


@pytest.mark.timeout(120)
def test_map_loss_refuses_a_map_without_gradient():
    cfg = Config.fromfile(DEMO_CONFIG).model
    cfg.backbone.frozen_maps = True  # the demo's frozen map copy: it cannot learn
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
    model.init_weights()
    batch = model.data_preprocessor(_with_one_word(_packed()), training=True)
    with pytest.raises(ValueError, match='map cannot learn'):
        model(**batch, mode='loss')


@pytest.mark.timeout(120)
def test_refuses_a_backbone_without_the_map(models):
    plain, _ = models
    model_cfg = Config.fromfile(DEMO_CONFIG).model
    wrong = _build(model_cfg, 'MapRescoredTextBoxesRetina', return_maps=False)
    with pytest.raises(ValueError, match='text probability map'):
        wrong.test_step(_packed())
    with pytest.raises(ValueError, match='return_maps=True needs map_tensors'):
        with DefaultScope.overwrite_default_scope('mmocr'):
            MODELS.build(dict(type='PPOCRDetFeatures', return_maps=True))

"""TextBoxesRetina from the model configs: MMOCR inputs in, MMOCR text detection results out."""
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmdet.structures.bbox import HorizontalBoxes
from mmengine.config import Config
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS, TRANSFORMS
from mmocr.structures import TextDetDataSample
from mmocr.visualization import TextDetLocalVisualizer

from textboxes_retina.models.detectors import TextBoxesRetina
from textboxes_retina.structures import QuadBoxes, canonicalize_quads, convex_quads, valid_quads

CONFIGS = Path(__file__).parents[3] / 'configs/_base_/models'
META_KEYS = ('img_path', 'ori_shape', 'img_shape', 'scale_factor')
WORDS = [[10, 10, 50, 12, 49, 24, 9, 22], [60, 40, 90, 40, 90, 52, 60, 52]]


def _build(name):
    torch.manual_seed(0)
    cfg = Config.fromfile(str(CONFIGS / name)).model
    if cfg.backbone.type == 'SEResNet':  # random weights: no ImageNet download, explicitly
        cfg.backbone.update(init_cfg=None, zero_init_residual=False)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def small_model():
    return _build('textboxes_retina_r18-small.py')


def _packed(ignored=(False, True)):
    """A 64 x 96 image with two words, through MMOCR's Resize and PackTextDetInputs."""
    img = np.full((64, 96, 3), 30, np.uint8)
    for word in WORDS:
        cv2.fillPoly(img, [np.array(word, np.int32).reshape(4, 2)], (230, 230, 230))
    polygons = [np.array(w, np.float32) for w in WORDS]
    results = dict(
        img=img,
        img_path='words.png',
        ori_shape=(64, 96),
        img_shape=(64, 96),
        gt_polygons=polygons,
        gt_bboxes=np.array([[min(p[0::2]), min(p[1::2]),
                             max(p[0::2]), max(p[1::2])] for p in polygons], np.float32),
        gt_bboxes_labels=np.zeros(2, np.int64),
        gt_ignored=np.array(ignored))
    with DefaultScope.overwrite_default_scope('mmocr'):
        for step in (dict(type='Resize', scale=(128, 128),
                          keep_ratio=True), dict(type='PackTextDetInputs', meta_keys=META_KEYS)):
            results = TRANSFORMS.build(step)(results)
    return dict(inputs=[results['inputs']], data_samples=[results['data_samples']])


def test_builds_from_the_small_config(small_model):
    assert isinstance(small_model, TextBoxesRetina)
    assert type(small_model.data_preprocessor).__name__ == 'DetDataPreprocessor'
    assert small_model.bbox_head.prior_generator.num_base_priors == [14] * 6
    assert small_model.bbox_head.bbox_coder.encode_size == 12


def test_loss_from_packed_mmocr_inputs(small_model):
    small_model.train()
    data = small_model.data_preprocessor(_packed(), training=True)
    assert data['inputs'].shape == (1, 3, 128, 128)  # 85 x 128 padded to a multiple of 128
    losses = small_model(**data, mode='loss')
    assert set(losses) == {'loss_cls', 'loss_bbox'}
    total = sum(sum(v) for v in losses.values())
    assert torch.isfinite(total) and sum(losses['loss_bbox']).item() > 0
    total.backward()
    assert small_model.backbone.conv1.weight.grad is not None


def test_predict_gives_mmocr_results_in_original_coordinates(small_model, tmp_path):
    small_model.eval()
    small_model.bbox_head.retina_cls.bias.data.zero_()  # untrained: let candidates through
    data = _packed()
    with torch.no_grad():
        outputs = small_model.test_step(data)
    sample = outputs[0]
    assert isinstance(sample, TextDetDataSample)
    assert sample.metainfo['scale_factor'] == pytest.approx((128 / 96, 128 / 96), rel=0.02)
    pred = sample.pred_instances
    assert 0 < len(pred.polygons) <= 300
    assert all(
        isinstance(p, np.ndarray) and p.dtype == np.float32 and p.shape == (8, )
        for p in pred.polygons)
    quads = np.stack(pred.polygons)
    assert valid_quads(quads).all() and convex_quads(quads).all()
    np.testing.assert_array_equal(canonicalize_quads(quads), quads)
    assert quads[:, 0::2].min() >= 0 and quads[:, 0::2].max() <= 96
    assert quads[:, 1::2].min() >= 0 and quads[:, 1::2].max() <= 64
    assert pred.scores.shape == (len(quads), ) and pred.bboxes.shape == (len(quads), 4)

    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(dict(type='HmeanIOUMetric'))
    evaluator.process(data_samples=outputs, data_batch=data)
    metrics = evaluator.evaluate(1)
    assert set(metrics) >= {'icdar/precision', 'icdar/recall', 'icdar/hmean'}
    assert all(0 <= v <= 1 for v in metrics.values())

    visualizer = TextDetLocalVisualizer.get_instance('test_textboxes_retina_vis')
    out_file = tmp_path / 'vis.jpg'
    image = np.zeros((64, 96, 3), np.uint8)
    visualizer.add_datasample('words', image, sample, out_file=str(out_file), pred_score_thr=0.0)
    assert cv2.imread(str(out_file)).shape == (64, 2 * 96, 3)


def test_se_resnet50_c2_p7_model_builds_and_predicts():
    model = _build('textboxes_retina_se-r50_fpn-c2.py').eval()
    assert type(model.backbone).__name__ == 'SEResNet' and model.backbone.depth == 50
    assert model.neck.num_outs == 6 and model.neck.start_level == 0
    feats = model.extract_feat(torch.rand(1, 3, 128, 128))
    assert [f.shape[-1] for f in feats] == [32, 16, 8, 4, 2, 1]
    with torch.no_grad():
        outputs = model.test_step(_packed())
    assert isinstance(outputs[0].pred_instances.polygons, list)


def test_head_quads_become_polygons_and_bounding_boxes(small_model):
    """``bboxes`` holds quads in the head's results (typed or not) and boxes in MMOCR's."""
    quads = torch.tensor(WORDS, dtype=torch.float)
    expected_boxes = [[9., 10., 50., 24.], [60., 40., 90., 52.]]
    for bboxes in (QuadBoxes(quads), quads):
        results = InstanceData(
            bboxes=bboxes, scores=torch.tensor([0.9, 0.8]), labels=torch.zeros(2, dtype=torch.long))
        pred = small_model.add_pred_to_datasample([TextDetDataSample()],
                                                  [results])[0].pred_instances
        assert [p.tolist() for p in pred.polygons] == WORDS
        assert isinstance(pred.bboxes, torch.Tensor)
        assert pred.bboxes.tolist() == expected_boxes
    # typed boxes of another kind are converted to quads (their corners)
    results = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor(expected_boxes)),
        scores=torch.tensor([0.9, 0.8]),
        labels=torch.zeros(2).long())
    pred = small_model.add_pred_to_datasample([TextDetDataSample()], [results])[0].pred_instances
    assert pred.polygons[0].tolist() == [9., 10., 50., 10., 50., 24., 9., 24.]
    # an untyped tensor is quads: boxes are not guessed from the width
    results = InstanceData(
        bboxes=torch.tensor(expected_boxes),
        scores=torch.tensor([0.9, 0.8]),
        labels=torch.zeros(2).long())
    with pytest.raises(AssertionError):
        small_model.add_pred_to_datasample([TextDetDataSample()], [results])

"""ONNXRuntimeTextDetector: the same pred_instances as the PyTorch detector (plain and refine
heads), refusals with a clear message."""
import numpy as np
import pytest
import torch
from mmocr.structures import TextDetDataSample

# textboxes_retina.deployment imports onnx and onnxruntime only when it exports or runs a model.
from textboxes_retina.deployment import (ONNXRuntimeTextDetector, export_onnx,
                                         onnxruntime_model_config)

pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')


def _batch(size_hw, seed=0):
    """A ``test_step`` batch of one random uint8 image, scale factor 1."""
    rng = np.random.default_rng(seed)
    image = torch.from_numpy(rng.integers(0, 256, (3, *size_hw), dtype=np.uint8))
    meta = dict(img_shape=size_hw, ori_shape=size_hw, scale_factor=(1.0, 1.0))
    return dict(inputs=[image], data_samples=[TextDetDataSample(metainfo=meta)])


def _assert_same_predictions(expected, got):
    """Same number of quads in the same order, scores within 1e-4, vertices within 1e-2 px."""
    assert len(expected) == len(got) > 0
    np.testing.assert_allclose(got.scores.numpy(), expected.scores.numpy(), atol=1e-4)
    np.testing.assert_allclose(np.stack(got.polygons), np.stack(expected.polygons), atol=1e-2)


@pytest.mark.timeout(120)
@pytest.mark.parametrize('which', ['small_detector', 'refine_detector'])
def test_same_predictions_as_pytorch(which, request, tmp_path):
    model, cfg = request.getfixturevalue(which)
    cfg.model.test_cfg.score_thr = 0.3
    model.bbox_head.test_cfg.score_thr = 0.3
    onnx_file = str(tmp_path / 'model.onnx')
    export_onnx(model, onnx_file, shape=(256, 256))
    ort_model = ONNXRuntimeTextDetector(onnx_file, cfg.model, num_threads=1)
    assert ort_model.groups == (['cls_scores', 'bbox_preds'] if which == 'small_detector' else
                                ['cls_scores', 'bbox_preds', 'arm_cls_scores', 'arm_bbox_preds'])
    with torch.no_grad():
        expected = model.test_step(_batch((300, 420)))[0].pred_instances
        got = ort_model.test_step(_batch((300, 420)))[0].pred_instances
    _assert_same_predictions(expected, got)
    # The raw maps, as the PyTorch head returns them.
    inputs = torch.randn(1, 3, 128, 384)
    with torch.no_grad():
        for torch_group, ort_group in zip(model._forward(inputs), ort_model._forward(inputs)):
            for torch_map, ort_map in zip(torch_group, ort_group):
                assert ort_map.shape == torch_map.shape
                torch.testing.assert_close(ort_map, torch_map, atol=1e-4, rtol=1e-4)


@pytest.mark.timeout(120)
def test_refuses_a_file_of_another_head_and_training(small_detector, refine_detector, tmp_path):
    model, cfg = small_detector
    onnx_file = str(tmp_path / 'small.onnx')
    export_onnx(model, onnx_file, shape=(128, 128))
    with pytest.raises(
            ValueError,
            match='exported from a TextBoxesRetinaHead .* config builds '
            'a RefineTextBoxesHead'):
        ONNXRuntimeTextDetector(onnx_file, refine_detector[1].model)
    ort_model = ONNXRuntimeTextDetector(onnx_file, cfg.model)
    with pytest.raises(RuntimeError, match='runs inference only'):
        ort_model(torch.zeros(1, 3, 128, 128), [], mode='loss')
    # A file without our metadata.
    plain = str(tmp_path / 'plain.onnx')
    torch.onnx.export(
        torch.nn.Conv2d(3, 3, 1), (torch.zeros(1, 3, 8, 8), ),
        plain,
        dynamo=False,
        input_names=['inputs'])
    with pytest.raises(ValueError, match='export the model with tools/deployment'):
        ONNXRuntimeTextDetector(plain, cfg.model)


@pytest.mark.timeout(30)
def test_model_config():
    cfg = dict(type='TextBoxesRetina', backbone=dict(type='X'))
    built = onnxruntime_model_config(cfg, 'm.onnx', num_threads=2)
    assert built == dict(
        type='ONNXRuntimeTextDetector', onnx_file='m.onnx', detector=cfg, num_threads=2)
    assert built['detector'] is not cfg

"""export_onnx: named per-level outputs, dynamic height and width, the checker, metadata."""
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

# textboxes_retina.deployment imports onnx and onnxruntime only when it exports or runs a model.
from textboxes_retina.deployment import ONNX_OPSET, export_onnx, head_output_groups, verify_onnx
from textboxes_retina.deployment.onnx_export import read_metadata
from textboxes_retina.testing.configs import DEMO_CONFIG

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')


@pytest.mark.timeout(120)
def test_export_small_model(small_detector, tmp_path):
    model, _ = small_detector
    out = str(tmp_path / 'small.onnx')
    info = export_onnx(model, out, shape=(128, 256))
    assert not any(module.training for module in model.modules())  # still in eval mode
    levels = model.bbox_head.prior_generator.num_levels
    assert levels == 5  # P3-P7 in the synthetic small config
    assert info['groups'] == ['cls_scores', 'bbox_preds'] and info['num_levels'] == levels
    assert info['output_names'] == [f'cls_scores_{i}' for i in range(levels)
                                    ] + [f'bbox_preds_{i}' for i in range(levels)]
    graph = onnx.load(out)
    assert graph.opset_import[0].version == ONNX_OPSET == info['opset']
    onnx.checker.check_model(graph, full_check=True)
    # Batch, height and width are symbolic, channels fixed: A * C and A * 12 (14 anchors).
    dims = [[d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
            for o in graph.graph.output]
    assert dims[0] == ['batch', 14, 'height_0', 'width_0']
    assert dims[levels] == ['batch', 14 * 12, 'height_0', 'width_0']
    input_dims = [d.dim_param for d in graph.graph.input[0].type.tensor_type.shape.dim]
    assert input_dims == ['batch', '', 'height', 'width']
    assert read_metadata(out) == {
        'textboxes_retina.output_groups': 'cls_scores,bbox_preds',
        'textboxes_retina.num_levels': '5',
        'textboxes_retina.head_type': 'TextBoxesRetinaHead'
    }
    # Other sizes than the traced one, including a non-square and a batch of 1.
    rows = verify_onnx(model, out, shapes=[(256, 128), (384, 512)])
    for row in rows:
        assert row['max_abs_diff'] < 1e-4 * max(1.0, row['max_abs_value'])


@pytest.mark.timeout(180)
def test_head_output_groups_follow_predict_by_feat(small_detector, refine_detector):
    assert head_output_groups(small_detector[0].bbox_head, 2) == ['cls_scores', 'bbox_preds']
    assert head_output_groups(refine_detector[0].bbox_head, 4) == [
        'cls_scores', 'bbox_preds', 'arm_cls_scores', 'arm_bbox_preds'
    ]


@pytest.mark.timeout(30)
def test_export_refuses_models_without_bbox_head(tmp_path):
    with pytest.raises(TypeError, match='single-stage detectors with a bbox_head'):
        export_onnx(torch.nn.Conv2d(3, 3, 1), str(tmp_path / 'x.onnx'))


@pytest.mark.timeout(120)
def test_export_refuses_the_map_rescored_demo_detector(tmp_path):
    """The demo's detector rescores at predict time, which the exported network would not."""
    cfg = Config.fromfile(DEMO_CONFIG).model
    with DefaultScope.overwrite_default_scope('mmocr'):
        detector = MODELS.build(cfg).eval()
    with pytest.raises(TypeError, match='multiplies its scores by a text probability map'):
        export_onnx(detector, str(tmp_path / 'demo.onnx'))
    assert not (tmp_path / 'demo.onnx').exists()

"""The model base's FPN makes P6 and P7 as mmdet's RetinaNet and the seed's fpn.py do:
P6 = conv3x3/2(C5), P7 = conv3x3/2(ReLU(P6)); checked against that formula written out with
torch's functional conv, using the module's own weights."""
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

CONFIGS = Path(__file__).parents[3] / 'configs/_base_/models'


@pytest.mark.timeout(60)
def test_p6_from_c5_and_relu_before_p7():
    neck_cfg = Config.fromfile(str(CONFIGS / 'textboxes_retina_se-r50_fpn-c2.py')).model.neck
    assert neck_cfg.add_extra_convs == 'on_input' and neck_cfg.relu_before_extra_convs
    # Small channels: the formula, not the width, is under test.
    neck_cfg.update(in_channels=[4, 6, 8, 10], out_channels=5)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        neck = MODELS.build(neck_cfg)
    inputs = [torch.randn(1, c, s, s) for c, s in zip([4, 6, 8, 10], [32, 16, 8, 4])]
    outs = neck(inputs)
    assert len(outs) == 6 and [o.shape[-1] for o in outs] == [32, 16, 8, 4, 2, 1]
    conv6, conv7 = neck.fpn_convs[4].conv, neck.fpn_convs[5].conv
    assert conv6.in_channels == 10  # from C5, not from P5 (5 channels)
    p6 = F.conv2d(inputs[3], conv6.weight, conv6.bias, stride=2, padding=1)
    p7 = F.conv2d(F.relu(p6), conv7.weight, conv7.bias, stride=2, padding=1)
    torch.testing.assert_close(outs[4], p6)
    torch.testing.assert_close(outs[5], p7)


@pytest.mark.timeout(60)
def test_the_small_demo_model_keeps_p6_from_p5():
    neck_cfg = Config.fromfile(str(CONFIGS / 'textboxes_retina_r18-small.py')).model.neck
    assert neck_cfg.add_extra_convs == 'on_output' and not neck_cfg.relu_before_extra_convs

"""SE-ResNet: SE in every bottleneck, frozen BN by default, GroupNorm option, Pretrained init."""
import pytest
import torch
from mmdet.models.backbones import ResNet
from mmengine.registry import DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

from mmocr.registry import MODELS
from textboxes_retina.models.backbones import SEResNet


def _se_layers(model):
    return [m for name, m in model.named_modules() if name.endswith('.se')]


def test_se_in_every_bottleneck_and_output_shapes():
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(dict(type='SEResNet', depth=50))
    assert isinstance(model, SEResNet)
    se = _se_layers(model)
    assert len(se) == 3 + 4 + 6 + 3
    # reduction 16: the last stage squeezes 2048 channels to 128
    assert se[-1].conv1.conv.in_channels == 2048 and se[-1].conv1.conv.out_channels == 128
    model.eval()
    with torch.no_grad():
        outs = model(torch.rand(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 256, 16, 16), (1, 512, 8, 8),
                                            (1, 1024, 4, 4), (1, 2048, 2, 2)]


def test_se_rescales_the_residual_branch():
    torch.manual_seed(0)
    model = SEResNet(depth=50, zero_init_residual=False)
    block = model.layer1[0].eval()
    x = torch.rand(1, 64, 8, 8)
    with torch.no_grad():
        with_se = block(x)
        block.se.conv2.conv.bias.fill_(1e4)  # gate -> 1: the plain bottleneck
        torch.nn.init.zeros_(block.se.conv2.conv.weight)
        plain = block(x)
        torch.nn.init.constant_(block.se.conv2.conv.bias, -1e4)  # gate -> 0: identity only
        identity = block(x)
    assert not torch.allclose(with_se, plain)
    torch.testing.assert_close(identity, torch.relu(block.downsample(x)))


def test_depth_101_and_invalid_depths():
    model = SEResNet(depth=101)
    assert len(model.layer3) == 23 and len(_se_layers(model)) == 3 + 4 + 23 + 3
    with pytest.raises(KeyError):
        SEResNet(depth=18)


def test_batch_norm_is_frozen_by_default():
    model = SEResNet(depth=50)
    model.train()
    norms = [m for m in model.modules() if isinstance(m, _BatchNorm)]
    assert norms and all(not m.training for m in norms)
    assert all(not p.requires_grad for m in norms for p in m.parameters())
    assert any(p.requires_grad for p in model.layer4.parameters())


def test_group_norm_option():
    model = SEResNet(depth=50, norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
                     norm_eval=False)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.GroupNorm)]
    assert len(norms) > 50 and all(m.num_groups == 32 for m in norms)
    assert not any(isinstance(m, _BatchNorm) for m in model.modules())
    assert all(p.requires_grad for m in norms for p in m.parameters())
    model.train()
    assert all(m.training for m in norms)
    with torch.no_grad():
        assert model(torch.rand(1, 3, 32, 32))[-1].shape == (1, 2048, 1, 1)


def test_pretrained_init_cfg_loads_a_resnet_checkpoint(tmp_path):
    torch.manual_seed(0)
    resnet = ResNet(depth=50)
    torch.nn.init.normal_(resnet.conv1.weight)
    torch.nn.init.normal_(resnet.layer4[2].conv3.weight)
    path = tmp_path / 'resnet50.pth'
    torch.save(resnet.state_dict(), path)
    model = SEResNet(depth=50, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    assert not torch.equal(model.conv1.weight, resnet.conv1.weight)
    model.init_weights()
    torch.testing.assert_close(model.conv1.weight, resnet.conv1.weight)
    torch.testing.assert_close(model.layer4[2].conv3.weight, resnet.layer4[2].conv3.weight)

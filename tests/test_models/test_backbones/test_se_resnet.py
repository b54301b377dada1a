"""SE-ResNet: SE in every bottleneck, frozen BN by default, GroupNorm option, Pretrained init."""
from pathlib import Path

import pytest
import torch
from mmdet.models.backbones import ResNet
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS
from torch.nn.modules.batchnorm import _BatchNorm

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
    assert [tuple(o.shape) for o in outs] == [(1, 256, 16, 16), (1, 512, 8, 8), (1, 1024, 4, 4),
                                              (1, 2048, 2, 2)]


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
    model = SEResNet(
        depth=50, norm_cfg=dict(type='GN', num_groups=32, requires_grad=True), norm_eval=False)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.GroupNorm)]
    assert len(norms) > 50 and all(m.num_groups == 32 for m in norms)
    assert not any(isinstance(m, _BatchNorm) for m in model.modules())
    assert all(p.requires_grad for m in norms for p in m.parameters())
    model.train()
    assert all(m.training for m in norms)
    with torch.no_grad():
        assert model(torch.rand(1, 3, 32, 32))[-1].shape == (1, 2048, 1, 1)


def test_a_plain_resnet_checkpoint_is_refused(tmp_path):
    """The SE layers would keep their random init: not an ImageNet SE-ResNet."""
    path = tmp_path / 'resnet50.pth'
    torch.save(ResNet(depth=50).state_dict(), path)
    model = SEResNet(depth=50, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(ValueError, match='not an SE-ResNet checkpoint'):
        model.init_weights()


def _last_norms(model):
    return [block.norm3 for stage in model.res_layers for block in getattr(model, stage)]


FIXES = ("init_cfg=dict(type='Pretrained'", "norm_cfg=dict(type='GN'",
         "norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False",
         'zero_init_residual=False')


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    'frozen,reason',
    [
        (dict(), 'requires_grad=False'),  # the defaults: frozen affine and statistics
        (dict(norm_cfg=dict(type='BN', requires_grad=False),
              norm_eval=False), 'requires_grad=False'),
        (dict(norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True), 'norm_eval=True'),
        (dict(norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False,
              frozen_stages=1), 'frozen_stages=1'),
        (dict(
            norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
            norm_eval=False,
            frozen_stages=2), 'frozen_stages=2'),
    ])
def test_frozen_norms_without_pretrained_weights_are_refused(frozen, reason):
    model = SEResNet(depth=50, **frozen)
    with pytest.raises(ValueError, match='dead residual branches') as error:
        model.init_weights()
    assert reason in str(error.value)
    for fix in FIXES:
        assert fix in str(error.value)


@pytest.mark.timeout(60)
@pytest.mark.parametrize('escape', [
    dict(zero_init_residual=False),
    dict(norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False),
    dict(norm_cfg=dict(type='GN', num_groups=32, requires_grad=True), norm_eval=False),
])
def test_explicit_escapes_initialise_live_residual_branches(escape):
    """Each escape the message names: the last norms are non-zero or can learn."""
    model = SEResNet(depth=50, **escape)
    model.init_weights()
    model.train()
    for norm in _last_norms(model):
        assert norm.weight.requires_grad or bool(norm.weight.abs().min() > 0)
    # the branch learns: gradient reaches its conv, or its zero last norm (which then opens it)
    model(torch.rand(2, 3, 32, 32))[-1].sum().backward()
    block = model.layer3[1]
    assert block.conv2.weight.grad.abs().sum() > 0 or block.norm3.weight.grad.abs().sum() > 0


@pytest.mark.timeout(60)
def test_the_faithful_model_without_imagenet_weights_is_refused_at_init():
    """What ``Runner.train()`` does first (``model.init_weights()``), on the shipped config."""
    from mmengine.config import Config
    config = Path(__file__).parents[3] / 'configs/_base_/models/textboxes_retina_se-r50_fpn-c2.py'
    cfg = Config.fromfile(str(config)).model
    assert cfg.backbone.init_cfg.type == 'Pretrained'
    cfg.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
    with pytest.raises(ValueError, match='dead residual branches'):
        model.init_weights()


def test_caffe_stem_pool_is_unpadded_and_rounds_up():
    """Cadene's stem pool: windows start at 0, not -1; the same size on even inputs."""
    caffe, pytorch = SEResNet(depth=50, stem_pool='caffe'), SEResNet(depth=50)
    x = torch.arange(16.).reshape(1, 1, 4, 4)
    # hand-derived: windows [0:3] and [2:4] (ceil mode) in each direction
    assert caffe.maxpool(x).flatten().tolist() == [10., 11., 14., 15.]
    # mmdet's: windows [-1:2] and [1:4]
    assert pytorch.maxpool(x).flatten().tolist() == [5., 7., 13., 15.]
    with pytest.raises(ValueError, match='stem_pool'):
        SEResNet(depth=50, stem_pool='tf')

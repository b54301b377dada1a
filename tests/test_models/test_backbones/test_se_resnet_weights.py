"""ImageNet SE-ResNet checkpoints load completely into SEResNet and compute the same features.

Nothing downloads here: the source networks (timm's ``legacy_seresnet50/101``, which is Cadene's
``pretrainedmodels`` SENet with the same keys, and mmpretrain's ``SEResNet``) are built with random
weights and saved as the published files are laid out (Cadene: a flat state dict with
``layer0.*`` and ``last_linear.*``, no ``num_batches_tracked``; mmpretrain:
``{'state_dict': {'backbone.*', 'head.*'}, 'meta': ...}``). The files go through the configs'
``init_cfg``; the oracle is the source network's own forward pass.
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

import textboxes_retina  # noqa: F401  (registers the modules)
from textboxes_retina.models.backbones.se_resnet_weights import (convert_se_resnet_state_dict,
                                                                 detect_se_resnet_family)
from textboxes_retina.testing import load_tool

timm = pytest.importorskip('timm')
mmpretrain_backbones = pytest.importorskip('mmpretrain.models.backbones')

CONFIGS = Path(__file__).parents[3] / 'configs'
BASE_MODEL = CONFIGS / '_base_/models/textboxes_retina_se-r50_fpn-c2.py'
ABLATIONS = CONFIGS / 'textboxes_retina/ablations'
MMPRETRAIN_STEP1 = (
    ABLATIONS / 'textboxes_retina_se-r50-mmpretrain_fpn-c2_8xb2-608-100k_synthtext.py')
R101_STEP1 = ABLATIONS / 'textboxes_retina_se-r101_fpn-c2_8xb2-608-100k_synthtext.py'


def _randomise(module, seed):
    """Random values in every parameter and buffer (batch-norm variances positive)."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, tensor in module.state_dict().items():
            if not tensor.is_floating_point():
                continue
            if name.endswith('running_var'):
                tensor.copy_(torch.rand(tensor.shape, generator=generator) + 0.5)
            elif tensor.dim() == 1:  # norm weights and biases, conv biases, running means
                tensor.copy_(
                    torch.rand(tensor.shape, generator=generator) * 0.4 + 0.1 if name.
                    endswith('weight') else torch.randn(tensor.shape, generator=generator) * 0.1)
            else:  # conv weights and the classifier: fan-in scaled
                fan_in = tensor[0].numel()
                tensor.copy_(torch.randn(tensor.shape, generator=generator) / fan_in**0.5)
    module.eval()  # (mmdet's and mmpretrain's ResNet.train return None)
    return module


def _cadene(depth, path, seed=0):
    """timm's legacy SE-ResNet saved as Cadene's file (flat, pre-0.4: no counters)."""
    net = _randomise(timm.create_model(f'legacy_seresnet{depth}', pretrained=False), seed)
    state = {k: v for k, v in net.state_dict().items() if not k.endswith('num_batches_tracked')}
    assert 'layer0.conv1.weight' in state and 'last_linear.weight' in state
    torch.save(state, path)

    def features(x):
        x = net.pool0(net.layer0(x))
        outs = []
        for layer in (net.layer1, net.layer2, net.layer3, net.layer4):
            x = layer(x)
            outs.append(x)
        return outs

    return features, state


def _mmpretrain(depth, path, seed=0):
    """mmpretrain's SEResNet saved as its ImageNet checkpoint (backbone + classifier head)."""
    net = _randomise(mmpretrain_backbones.SEResNet(depth=depth, out_indices=(0, 1, 2, 3)), seed)
    state = {f'backbone.{k}': v for k, v in net.state_dict().items()}
    generator = torch.Generator().manual_seed(seed + 1)
    state['head.fc.weight'] = torch.randn(1000, 2048, generator=generator)
    state['head.fc.bias'] = torch.randn(1000, generator=generator)
    torch.save(
        dict(meta=dict(mmcls_version='0.1.0', CLASSES=['tench', 'goldfish']), state_dict=state),
        path)
    return lambda x: list(net(x)), state


def _backbone(config, checkpoint, **changes):
    cfg = Config.fromfile(str(config)).model.backbone
    cfg.init_cfg.checkpoint = str(checkpoint)
    cfg.update(changes)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg)
    with torch.no_grad():  # NaN everywhere: a tensor the checkpoint does not fill stays NaN
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.fill_(float('nan'))
    model.init_weights()
    model.eval()
    return model


CASES = {
    # family, depth: (source builder, config whose init path loads it, backbone changes)
    ('cadene', 50): (_cadene, BASE_MODEL, {}),
    ('cadene', 101): (_cadene, R101_STEP1, {}),
    ('mmpretrain', 50): (_mmpretrain, MMPRETRAIN_STEP1, {}),
    ('mmpretrain', 101): (_mmpretrain, MMPRETRAIN_STEP1, dict(depth=101)),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize('family,depth', list(CASES), ids=lambda v: str(v))
def test_published_layout_loads_completely_and_computes_the_same_features(tmp_path, family, depth):
    build_source, config, changes = CASES[family, depth]
    path = tmp_path / f'{family}{depth}.pth'
    source_features, source_state = build_source(depth, path)
    assert detect_se_resnet_family(source_state) == family

    model = _backbone(config, path, **changes)
    assert model.depth == depth
    own = model.state_dict()
    # every parameter and buffer came from the file (none left NaN), all of its backbone used
    nan = [k for k, v in own.items() if v.is_floating_point() and torch.isnan(v).any()]
    assert nan == []
    floats = [v for v in source_state.values() if v.is_floating_point()]
    backbone_floats = (len(floats) - 2)  # less the classifier's weight and bias
    assert sum(v.is_floating_point() for v in own.values()) == backbone_floats

    x = torch.rand(2, 3, 96, 128, generator=torch.Generator().manual_seed(1)) * 4 - 2
    with torch.no_grad():
        expected = source_features(x)
        actual = model(x)
    assert [tuple(a.shape) for a in actual] == [tuple(e.shape) for e in expected]
    assert [a.shape[1] for a in actual] == [256, 512, 1024, 2048]
    for level, (a, e) in enumerate(zip(actual, expected), start=2):
        scale = e.abs().max().item()
        assert scale > 1e-3, f'C{level} vanished: the comparison would be vacuous'
        torch.testing.assert_close(a, e, rtol=1e-5, atol=1e-5 * scale, msg=f'C{level}')


@pytest.mark.timeout(60)
def test_cadene_weights_in_the_pytorch_style_network_are_refused(tmp_path):
    _cadene(50, tmp_path / 'cadene.pth')
    with pytest.raises(
            ValueError, match=r"model.backbone.style=caffe model.backbone.stem_pool="
            r"caffe"):
        _backbone(MMPRETRAIN_STEP1, tmp_path / 'cadene.pth')
    _mmpretrain(50, tmp_path / 'mmpretrain.pth')
    with pytest.raises(ValueError, match='style=pytorch'):
        _backbone(BASE_MODEL, tmp_path / 'mmpretrain.pth')


@pytest.mark.timeout(60)
def test_missing_unexpected_and_misshapen_keys_are_listed(tmp_path):
    _, state = _cadene(50, tmp_path / 'full.pth')
    state = dict(state)
    del state['layer2.1.se_module.fc1.bias']
    state['layer4.2.extra.weight'] = torch.zeros(3)
    state['layer1.0.bn2.weight'] = torch.zeros(65)
    torch.save(state, tmp_path / 'broken.pth')
    with pytest.raises(KeyError) as error:
        _backbone(BASE_MODEL, tmp_path / 'broken.pth')
    message = str(error.value)
    assert '1 keys missing: layer2.1.se.conv1.conv.bias' in message
    assert '1 keys unexpected: layer4.2.extra.weight' in message
    assert 'layer1.0.bn2.weight: (65,) in the file, (64,) here' in message
    # an SE-ResNet101 file is not an SE-ResNet50
    _cadene(101, tmp_path / 'r101.pth')
    with pytest.raises(KeyError, match=r'keys unexpected: layer3\.6\.'):
        _backbone(BASE_MODEL, tmp_path / 'r101.pth')


def test_a_plain_resnet_is_not_an_se_resnet_checkpoint():
    state = {'conv1.weight': torch.zeros(1), 'layer1.0.conv1.weight': torch.zeros(1)}
    with pytest.raises(ValueError, match='not an SE-ResNet checkpoint'):
        convert_se_resnet_state_dict(state)


def test_cadene_names_map_to_mmdet_names():
    """Hand-written expectations for each renaming rule."""
    names = [
        'layer0.conv1.weight', 'layer0.bn1.running_var', 'layer1.0.conv1.weight',
        'layer1.0.bn3.weight', 'layer1.0.downsample.1.bias', 'layer3.5.se_module.fc1.weight',
        'layer3.5.se_module.fc2.bias', 'last_linear.bias'
    ]
    converted, family, ignored = convert_se_resnet_state_dict({n: torch.zeros(1) for n in names})
    assert family == 'cadene' and ignored == ['last_linear.bias']
    assert list(converted) == [
        'conv1.weight', 'bn1.running_var', 'layer1.0.conv1.weight', 'layer1.0.bn3.weight',
        'layer1.0.downsample.1.bias', 'layer3.5.se.conv1.conv.weight', 'layer3.5.se.conv2.conv.bias'
    ]
    converted, family, ignored = convert_se_resnet_state_dict({
        'backbone.layer2.0.se_layer.conv2.conv.weight':
        torch.zeros(1),
        'backbone.bn1.weight':
        torch.zeros(1),
        'head.fc.weight':
        torch.zeros(1)
    })
    assert family == 'mmpretrain' and ignored == ['head.fc.weight']
    assert list(converted) == ['layer2.0.se.conv2.conv.weight', 'bn1.weight']


@pytest.mark.timeout(60)
def test_a_missing_file_fails_with_mmengines_error(tmp_path):
    with pytest.raises(FileNotFoundError, match='can not be found'):
        _backbone(BASE_MODEL, tmp_path / 'nowhere.pth')


@pytest.mark.timeout(60)
def test_group_norm_takes_the_weights_but_not_the_statistics(tmp_path):
    _, state = _cadene(50, tmp_path / 'cadene.pth')
    gn_step1 = ABLATIONS / 'textboxes_retina_se-r50-gn_fpn-c2_8xb2-608-100k_synthtext.py'
    model = _backbone(gn_step1, tmp_path / 'cadene.pth')
    assert isinstance(model.layer1[0].norm3, torch.nn.GroupNorm)  # named gn3 by mmdet
    torch.testing.assert_close(model.layer1[0].norm3.weight, state['layer1.0.bn3.weight'])
    torch.testing.assert_close(model.norm1.bias, state['layer0.bn1.bias'])
    torch.testing.assert_close(model.conv1.weight, state['layer0.conv1.weight'])
    assert not any(torch.isnan(p).any() for p in model.parameters())


@pytest.mark.timeout(60)
def test_converter_tool_writes_our_names_and_the_family(tmp_path):
    tool = load_tool('tools/model_converters/se_resnet_to_textboxes_retina.py')
    features, _ = _mmpretrain(50, tmp_path / 'mmpretrain.pth')
    result = tool.main([str(tmp_path / 'mmpretrain.pth'), str(tmp_path / 'ours.pth')])
    assert result['family'] == 'mmpretrain' and result['depth'] == 50
    assert result['ignored'] == ['head.fc.weight', 'head.fc.bias']
    saved = torch.load(tmp_path / 'ours.pth')
    assert saved['meta'] == {'se_resnet_family': 'mmpretrain'}
    assert 'layer4.2.se.conv2.conv.bias' in saved['state_dict']
    # the converted file loads through the init path and still computes the source's features
    model = _backbone(MMPRETRAIN_STEP1, tmp_path / 'ours.pth')
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model(x)[-1], features(x)[-1], rtol=1e-5, atol=1e-5)
    # and its family is still checked against the architecture
    with pytest.raises(ValueError, match='style=pytorch'):
        _backbone(BASE_MODEL, tmp_path / 'ours.pth')

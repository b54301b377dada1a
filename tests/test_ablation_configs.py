"""The three-step ablations and the ImageNet initialisation of the faithful configs.

Each README ablation row runs the main path (ImageNet -> SynthText step 1 -> ICDAR 2015 step 2 ->
step 3) with one mixin (``configs/_base_/ablations/``) applied to each step: the step configs load,
differ from the main step config only where the mixin says, and load the previous step of the
same ablation. Every faithful config (SE-ResNet backbone) starts from a published ImageNet
SE-ResNet, and after ``init_weights()`` with a local stand-in of that file no bottleneck keeps an
all-zero frozen last norm (the issue's reproduction).
"""
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

import textboxes_retina  # noqa: F401  (registers the modules)

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = osp.join(REPO, 'configs')
MAIN = osp.join(CONFIGS, 'textboxes_retina')
STEPS = ('608-100k_synthtext', '768-20k_icdar2015', '960-10k_icdar2015')
# mixin (configs/_base_/ablations/NAME.py): the leaf name's prefix
ABLATIONS = {
    'se-r101': 'textboxes_retina_se-r101_fpn-c2_8xb2-',
    'fpn-c3': 'textboxes_retina_se-r50_fpn-c3_8xb2-',
    'reg8': 'textboxes_retina_se-r50_fpn-c2-reg8_8xb2-',
    'kmeans-anchors': 'textboxes_retina_se-r50_fpn-c2-kmeans-anchors_8xb2-',
    'gn': 'textboxes_retina_se-r50-gn_fpn-c2_8xb2-',
    'ohem-softmax': 'textboxes_retina_se-r50_fpn-c2-ohem-softmax_8xb2-',
    'se-r50-mmpretrain-imagenet': 'textboxes_retina_se-r50-mmpretrain_fpn-c2_8xb2-',
    'loss-seed': 'textboxes_retina_se-r50_fpn-c2-loss-seed_8xb2-',
    'loss-tbpp': 'textboxes_retina_se-r50_fpn-c2-loss-tbpp_8xb2-',
    'focal-star': 'textboxes_retina_se-r50_fpn-c2-focal-star_8xb2-',
}
# The published ImageNet SE-ResNets: file name -> (layout, depth)
PUBLISHED = {
    'se_resnet50-ce0d4300.pth': ('cadene', 50),
    'se_resnet101-7e38fcc6.pth': ('cadene', 101),
    'se-resnet50_batch256_imagenet_20200804-ae206104.pth': ('mmpretrain', 50),
}
MISSING = object()


def _step(mixin, step):
    return osp.join(MAIN, 'ablations', f'{ABLATIONS[mixin]}{step}.py')


def _flatten(node, prefix=''):
    """``{'a.b.c': leaf}``; a dict with ``_delete_`` is one leaf (it replaces what it meets)."""
    if isinstance(node, (dict, ConfigDict)) and not node.get('_delete_'):
        flat = {}
        for key, value in node.items():
            flat.update(_flatten(value, f'{prefix}{key}.'))
        return flat
    if isinstance(node, (dict, ConfigDict)):
        node = {k: v for k, v in node.items() if k != '_delete_'}
    return {prefix[:-1]: node}


def test_every_readme_row_has_a_mixin_and_three_steps():
    readme = open(osp.join(REPO, 'README.md')).read()
    for mixin, prefix in ABLATIONS.items():
        assert osp.isfile(osp.join(CONFIGS, '_base_/ablations', f'{mixin}.py'))
        for step in STEPS:
            assert osp.isfile(_step(mixin, step)), _step(mixin, step)
        assert f'`{prefix}`' in readme and f'`{mixin}.py`' in readme, f'{mixin} not in README'
    found = glob.glob(osp.join(MAIN, 'ablations', '*.py'))
    assert len(found) == len(ABLATIONS) * len(STEPS)


@pytest.mark.timeout(60)
@pytest.mark.parametrize('step', STEPS)
@pytest.mark.parametrize('mixin', list(ABLATIONS))
def test_an_ablation_step_changes_only_its_one_thing(mixin, step):
    ablation = Config.fromfile(_step(mixin, step)).to_dict()
    main = Config.fromfile(osp.join(MAIN, f'textboxes_retina_se-r50_fpn-c2_8xb2-{step}.py'))
    changes = _flatten(
        Config.fromfile(osp.join(CONFIGS, '_base_/ablations', f'{mixin}.py')).ablation_model,
        'model.')
    ablation.pop('ablation_model')
    ours, theirs = _flatten(ablation), _flatten(main.to_dict())
    differ = {
        key
        for key in ours.keys() | theirs.keys()
        if ours.get(key, MISSING) != theirs.get(key, MISSING)
    } - {'load_from'}
    outside = [
        key for key in differ
        if not any(key == path or key.startswith(path + '.') for path in changes)
    ]
    assert differ and outside == [], f'{mixin} {step} also changes {outside}'
    for path, value in changes.items():
        if isinstance(value, dict):  # it replaced the whole dict: nothing of the old one is left
            assert {
                k: v
                for k, v in ours.items() if k.startswith(path + '.')
            } == _flatten(value, path + '.'), path
        else:
            assert ours.get(path, MISSING) == value, path


@pytest.mark.timeout(60)
@pytest.mark.parametrize('mixin', list(ABLATIONS))
def test_each_step_loads_the_previous_step_of_the_same_ablation(mixin):
    configs = [Config.fromfile(_step(mixin, step)) for step in STEPS]
    assert configs[0].load_from is None
    assert configs[0].model.backbone.init_cfg.type == 'Pretrained'
    assert osp.basename(configs[0].model.backbone.init_cfg.checkpoint) in PUBLISHED
    for previous, (step, cfg) in zip(configs, zip(STEPS[1:], configs[1:])):
        # tools/train.py's default work dir is work_dirs/<config name>
        work_dir = osp.splitext(osp.basename(previous.filename))[0]
        assert work_dir.startswith(ABLATIONS[mixin])
        expected = f'work_dirs/{work_dir}/iter_{previous.train_cfg.max_iters}.pth'
        assert cfg.load_from == expected, f'{mixin} {step}'


@pytest.fixture(scope='module')
def faithful():
    """Every leaf config whose backbone is the SE-ResNet."""
    paths = sorted(glob.glob(osp.join(CONFIGS, '**', '*.py'), recursive=True))
    return [
        p for p in paths
        if '/_base_/' not in p and Config.fromfile(p).model.backbone.type == 'SEResNet'
    ]


@pytest.mark.timeout(120)
def test_no_icdar_training_starts_from_random_weights(faithful):
    icdar = [p for p in faithful if '_icdar' in osp.basename(p)]
    assert len(icdar) >= 2 * len(ABLATIONS) + 5
    for path in icdar:
        assert Config.fromfile(path).load_from, osp.relpath(path, REPO)


@pytest.fixture(scope='module')
def published_stand_ins(tmp_path_factory):
    """Random networks saved as the published ImageNet files (timm's legacy SE-ResNets have
    Cadene's names; mmpretrain's SEResNet under ``backbone.`` with its classifier)."""
    timm = pytest.importorskip('timm')
    backbones = pytest.importorskip('mmpretrain.models.backbones')
    folder = tmp_path_factory.mktemp('imagenet')
    for name, (family, depth) in PUBLISHED.items():
        torch.manual_seed(depth)
        if family == 'cadene':
            state = timm.create_model(f'legacy_seresnet{depth}').state_dict()
        else:
            state = {
                f'backbone.{k}': v
                for k, v in backbones.SEResNet(depth=depth, out_indices=(0, 1, 2,
                                                                         3)).state_dict().items()
            }
            state = dict(state_dict=state)
        torch.save(state, folder / name)
    return folder


@pytest.mark.timeout(240)
def test_faithful_configs_start_from_imagenet_with_live_residual_branches(
        faithful, published_stand_ins):
    assert len(faithful) >= 3 * len(ABLATIONS) + 14
    results = {}
    for path in faithful:
        backbone = Config.fromfile(path).model.backbone
        init = backbone.init_cfg
        assert init.type == 'Pretrained', osp.relpath(path, REPO)
        assert osp.basename(init.checkpoint) in PUBLISHED, init.checkpoint
        assert init.checkpoint.startswith('https://'), init.checkpoint
        init.checkpoint = str(published_stand_ins / osp.basename(init.checkpoint))
        key = repr(backbone.to_dict())
        if key not in results:  # many configs share a backbone: build each kind once
            with DefaultScope.overwrite_default_scope('mmocr'):
                model = MODELS.build(backbone)
            model.init_weights()
            model.train()
            blocks = [b for stage in model.res_layers for b in getattr(model, stage)]
            dead = [
                b for b in blocks if not b.norm3.weight.any() and (
                    not b.norm3.weight.requires_grad or not b.norm3.training)
            ]
            results[key] = (len(blocks), len(dead))
        blocks, dead = results[key]
        assert blocks in (16, 33) and dead == 0, f'{osp.relpath(path, REPO)}: {dead}/{blocks}'
    assert len(results) >= 4

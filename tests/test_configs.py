"""Every config loads, builds its model, and names only registered components."""
import ast
import glob
import os.path as osp

import pytest
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

import textboxes_retina  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    path for path in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    if '/_base_/' not in path)


def _registry(name):
    import mmocr.registry
    return getattr(mmocr.registry, name)


def _types(node):
    """All ``type`` strings in a (nested) config node."""
    if isinstance(node, (dict, ConfigDict)):
        if isinstance(node.get('type'), str):
            yield node['type']
        for value in node.values():
            yield from _types(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            yield from _types(value)


def _datasets(node):
    """Dataset configs, through ConcatDataset/RepeatDataset-style wrappers."""
    yield node
    for key in ('dataset', 'datasets'):
        inner = node.get(key)
        for child in (inner if isinstance(inner, (list, tuple)) else [inner]):
            if isinstance(child, (dict, ConfigDict)):
                yield from _datasets(child)


def _assert_registered(registry_name, type_name, config):
    with DefaultScope.overwrite_default_scope('mmocr'):
        assert _registry(registry_name).get(type_name) is not None, (
            f'{osp.relpath(config, REPO)}: {type_name} is not in the {registry_name} registry')


def test_configs_found():
    assert len(CONFIGS) >= 15
    for folder in ('textboxes_retina', 'refine_textboxes', 'dbnet'):
        assert any(f'/configs/{folder}/' in path for path in CONFIGS), folder


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_config_builds_and_names_registered_types(config):
    cfg = Config.fromfile(config)
    assert cfg.default_scope == 'mmocr'
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if 'dataset' not in cfg.get(loader, {}):
            continue
        for dataset in _datasets(cfg[loader].dataset):
            _assert_registered('DATASETS', dataset.type, config)
            for transform in dataset.get('pipeline', []) or []:
                _assert_registered('TRANSFORMS', transform.type, config)
    for evaluator in ('val_evaluator', 'test_evaluator'):
        for metric in (cfg.get(evaluator)
                       if isinstance(cfg.get(evaluator), list) else [cfg.get(evaluator)]):
            if metric:
                _assert_registered('METRICS', metric.type, config)
    for hook in list(cfg.get('default_hooks', {}).values()) + list(cfg.get('custom_hooks', [])):
        _assert_registered('HOOKS', hook.type, config)
    for name in ('tta_model', ):
        if name in cfg:
            _assert_registered('MODELS', cfg[name].type, config)
    for transform in cfg.get('tta_pipeline', []):
        for name in _types(transform):
            _assert_registered('TRANSFORMS', name, config)

    with DefaultScope.overwrite_default_scope('mmocr'):
        model = _registry('MODELS').build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


def _pipeline_subscripts(source):
    """Every subscript of a name ending in ``pipeline`` in config source text:
    ``train_pipeline[-2] = ...``, ``_base_.test_pipeline[1]``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Subscript):
            value = node.value
            name = value.attr if isinstance(value, ast.Attribute) else getattr(value, 'id', '')
            if name.endswith('pipeline'):
                found.append(ast.get_source_segment(source, node))
    return found


def test_no_config_changes_a_pipeline_by_position():
    """Leaves change a size by name (``train_scale``) and rebuild the pipeline from named parts;
    a positional patch (``train_pipeline[-2] = dict(type='Resize', ...)``) silently hits the
    wrong step when a base pipeline changes."""
    paths = glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
    assert len(paths) > len(CONFIGS)
    found = {osp.relpath(p, REPO): _pipeline_subscripts(open(p).read()) for p in paths}
    assert {path: hits for path, hits in found.items() if hits} == {}
    # the check finds what it looks for
    probe = ("train_pipeline[-2] = dict(type='Resize', scale=(960, 960))\n"
             'resize = _base_.test_pipeline[1]\n'
             'steps = [*_base_.icdar2015_train_augment, train_resize]\n')
    assert _pipeline_subscripts(probe) == ['train_pipeline[-2]', '_base_.test_pipeline[1]']


LEAVES = osp.join(REPO, 'configs', 'textboxes_retina')


def _resizes(pipeline):
    return [step for step in pipeline if 'Resize' in step['type']]


def _train_datasets(cfg):
    dataset = cfg.train_dataloader.dataset
    return dataset.get('datasets', [dataset])


@pytest.mark.parametrize('config, train_scale, test_scale', [
    ('textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py', 608, 1280),
    ('textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py', 768, 1280),
    ('textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2013-mlt.py', 768, 1280),
    ('textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py', 960, 1280),
    ('textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py', 384, 384),
])
def test_the_named_sizes_are_the_resolved_resizes(config, train_scale, test_scale):
    cfg = Config.fromfile(osp.join(LEAVES, config))
    assert (cfg.train_scale, cfg.test_scale) == (train_scale, test_scale)
    for dataset in _train_datasets(cfg):
        (resize, ) = _resizes(dataset.pipeline)
        assert resize == dict(
            type='Resize',
            scale=(train_scale, train_scale),
            keep_ratio=False,
            clip_object_border=False)
    for loader in ('val_dataloader', 'test_dataloader'):
        (resize, ) = _resizes(cfg[loader].dataset.pipeline)
        assert resize == dict(type='Resize', scale=(test_scale, test_scale), keep_ratio=False)


@pytest.mark.parametrize('config', [
    'textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-100k_synthtext.py',
    'textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015.py',
    'textboxes_retina_se-r50_fpn-c2_8xb2-ms960-1280-10k_icdar2015.py',
])
def test_the_named_multi_scale_sizes_are_the_resolved_resize(config):
    cfg = Config.fromfile(osp.join(LEAVES, config))
    (resize, ) = _resizes(cfg.train_dataloader.dataset.pipeline)
    assert resize.type == 'RandomChoiceResize'
    assert resize.scales == [(s, s) for s in cfg.multi_scale_sizes]


def test_a_leaf_changes_the_train_size_by_name(tmp_path):
    """The pattern the algorithm base documents: set ``train_scale``, re-derive ``train_resize``
    and the pipeline by name; only the resize's size changes."""
    parent = osp.join(LEAVES, 'textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py')
    leaf = tmp_path / 'textboxes_retina_640.py'
    leaf.write_text(f"_base_ = ['{parent}']\n"
                    'train_scale = 640\n'
                    'train_resize = dict(_base_.train_resize, scale=(train_scale, train_scale))\n'
                    'icdar2015_train_pipeline = [\n'
                    '    *_base_.icdar2015_train_augment, train_resize, _base_.pack_inputs]\n'
                    'icdar2015_textdet_train = _base_.icdar2015_textdet_train\n'
                    'icdar2015_textdet_train.pipeline = icdar2015_train_pipeline\n'
                    'train_dataloader = dict(dataset=icdar2015_textdet_train)\n')
    before, after = Config.fromfile(parent), Config.fromfile(str(leaf))
    old, new = before.train_dataloader.dataset.pipeline, after.train_dataloader.dataset.pipeline
    assert [step.type for step in old] == [step.type for step in new]
    changed = [(a, b) for a, b in zip(old, new) if a != b]
    assert changed == [
        (dict(type='Resize', scale=(768, 768), keep_ratio=False, clip_object_border=False),
         dict(type='Resize', scale=(640, 640), keep_ratio=False, clip_object_border=False))
    ]
    for key in ('val_dataloader', 'test_dataloader', 'model'):
        assert after[key] == before[key], key
    # Setting only the size re-derives nothing (mmengine evaluates each file on its own): the
    # rebuild by name above is what a leaf writes.
    only_size = tmp_path / 'textboxes_retina_640_size_only.py'
    only_size.write_text(f"_base_ = ['{parent}']\ntrain_scale = 640\n")
    assert Config.fromfile(str(only_size)).train_dataloader.dataset.pipeline == old


TEST_CFG_KEYS = {'nms_pre', 'score_thr', 'nms', 'max_per_img', 'min_quad_area'}


@pytest.mark.parametrize('config', CONFIGS, ids=lambda p: osp.relpath(p, REPO))
def test_every_test_time_key_the_head_reads_is_written(config):
    """The configs say what runs at test time: quad NMS by its name, and every key the heads read
    (the refinement head also ``nms_top_k``), at the values of the code defaults they replace."""
    model = Config.fromfile(config).model
    if model.type != 'TextBoxesRetina':
        return
    test_cfg = model.test_cfg
    keys = TEST_CFG_KEYS | ({'nms_top_k'}
                            if model.bbox_head.type == 'RefineTextBoxesHead' else set())
    assert set(test_cfg) == keys
    assert set(test_cfg.nms) == {'type', 'iou_threshold'} and test_cfg.nms.type == 'quad_nms'
    assert test_cfg.min_quad_area == 1.0
    assert test_cfg.get('nms_top_k', 5000) == 5000

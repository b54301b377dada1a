"""Every config loads, builds its model, and names only registered components."""
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
        for metric in (cfg.get(evaluator) if isinstance(cfg.get(evaluator), list) else
                       [cfg.get(evaluator)]):
            if metric:
                _assert_registered('METRICS', metric.type, config)
    for hook in list(cfg.get('default_hooks', {}).values()) + list(cfg.get('custom_hooks', [])):
        _assert_registered('HOOKS', hook.type, config)
    for name in ('tta_model',):
        if name in cfg:
            _assert_registered('MODELS', cfg[name].type, config)
    for transform in cfg.get('tta_pipeline', []):
        for name in _types(transform):
            _assert_registered('TRANSFORMS', name, config)

    with DefaultScope.overwrite_default_scope('mmocr'):
        model = _registry('MODELS').build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0

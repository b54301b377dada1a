# Copyright (c) textboxes_retina authors.
"""The detectors compared, built randomly initialised from their own configs."""
import copy
import glob
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional

import torch
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))
OUR_C2_CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'models',
                         'textboxes_retina_se-r50_fpn-c2.py')
OUR_SMALL_CONFIG = osp.join(REPO_ROOT, 'configs', '_base_', 'models',
                            'textboxes_retina_r18-small.py')

# FPN from C3 (P3..P7): the stride-4 level and its anchors are dropped.
C3_OVERRIDES = dict(
    model=dict(
        neck=dict(start_level=1, num_outs=5),
        bbox_head=dict(
            anchor_generator=dict(strides=[8, 16, 32, 64, 128], base_sizes=[32, 64, 128, 256, 512
                                                                            ]))))


def packaged_config(package: str, *parts: str) -> str:
    """Path of a config shipped inside an installed OpenMMLab package (``<pkg>/.mim/configs``).

    Args:
        package (str): ``'mmocr'`` or ``'mmdet'``.
        *parts (str): Path under ``configs``.

    Returns:
        str: The config file.
    """
    module = __import__(package)
    return osp.join(osp.dirname(module.__file__), '.mim', 'configs', *parts)


@dataclass
class ModelSpec:
    """How to build one detector of the comparison.

    Args:
        name (str): Key used on the command line and in the JSON.
        label (str): Human-readable name for tables and plots.
        config (str): Config file.
        scope (str): Registry scope the model is built in.
        overrides (dict): Merged into the config (``Config.merge_from_dict`` style).
        anchor_head (bool): Whether the head is an mmdet anchor head (``bbox_head`` with
            ``test_cfg.score_thr``).
    """
    name: str
    label: str
    config: str
    scope: str
    overrides: Dict = field(default_factory=dict)
    anchor_head: bool = True


def _c3_config() -> Optional[str]:
    """An SE-ResNet50 C3-P7 config written by the project (model base first, then leaves), if
    any (other C3 models, such as the demo's PP-OCR backbone, are not this one)."""
    for pattern in (('_base_', 'models', '*se-r50*c3*.py'),
                    ('textboxes_retina', '*se-r50*fpn-c3*.py'), ('textboxes_retina', 'ablations',
                                                                 '*se-r50*fpn-c3*.py')):
        found = sorted(glob.glob(osp.join(REPO_ROOT, 'configs', *pattern)))
        if found:
            return found[0]
    return None


def model_specs() -> Dict[str, ModelSpec]:
    """Every detector the benchmark knows, by key (in table order)."""
    c3_config = _c3_config()
    specs = [
        ModelSpec('ours_c2', 'TextBoxes-Retina SE-R50 C2-P7', OUR_C2_CONFIG, 'mmocr'),
        ModelSpec('ours_c3', 'TextBoxes-Retina SE-R50 C3-P7', c3_config or OUR_C2_CONFIG, 'mmocr',
                  {} if c3_config else C3_OVERRIDES),
        ModelSpec('ours_small', 'TextBoxes-Retina R18-small', OUR_SMALL_CONFIG, 'mmocr'),
        ModelSpec(
            'dbnet_r50',
            'MMOCR DBNet-R50',
            packaged_config('mmocr', 'textdet', 'dbnet', 'dbnet_resnet50_1200e_icdar2015.py'),
            'mmocr',
            anchor_head=False),
        ModelSpec('retinanet_r50', 'mmdet RetinaNet-R50 (COCO, hbox)',
                  packaged_config('mmdet', 'retinanet', 'retinanet_r50_fpn_1x_coco.py'), 'mmdet'),
    ]
    return {spec.name: spec for spec in specs}


def strip_pretrained(cfg):
    """Remove every ``init_cfg`` of type ``Pretrained`` (in place) so nothing is downloaded.

    Args:
        cfg (dict | list): A (nested) config.

    Returns:
        The same object, for chaining.
    """
    if isinstance(cfg, dict):
        init_cfg = cfg.get('init_cfg')
        if cfg.get('type') == 'SEResNet' and init_cfg:
            # random weights on purpose: SEResNet refuses zero-initialised residual branches
            # under frozen batch norm without pretrained weights
            cfg['zero_init_residual'] = False
        if isinstance(init_cfg, dict) and init_cfg.get('type') == 'Pretrained':
            cfg.pop('init_cfg')
        elif isinstance(init_cfg, list):
            cfg['init_cfg'] = [
                c for c in init_cfg if not (isinstance(c, dict) and c.get('type') == 'Pretrained')
            ]
        for value in cfg.values():
            strip_pretrained(value)
    elif isinstance(cfg, (list, tuple)):
        for value in cfg:
            strip_pretrained(value)
    return cfg


def load_model_config(spec: ModelSpec, extra: Optional[Dict] = None) -> ConfigDict:
    """The spec's ``model`` config with its overrides, without pretrained weights.

    Args:
        spec (ModelSpec): The detector.
        extra (dict, optional): More overrides of the whole config. Defaults to None.

    Returns:
        ConfigDict: The model config.
    """
    cfg = Config.fromfile(spec.config)
    cfg.merge_from_dict(copy.deepcopy(spec.overrides))
    if extra:
        cfg.merge_from_dict(copy.deepcopy(extra))
    return strip_pretrained(cfg.model)


def build_detector(spec: ModelSpec,
                   device: str = 'cpu',
                   all_candidates: bool = False,
                   extra: Optional[Dict] = None) -> torch.nn.Module:
    """Build, randomly initialise and put into eval mode one detector.

    Args:
        spec (ModelSpec): The detector.
        device (str): Device. Defaults to 'cpu'.
        all_candidates (bool): For anchor heads, set ``test_cfg.score_thr`` to 0 so every
            level's ``nms_pre`` best candidates are decoded and go through NMS (random weights
            score below the configured threshold everywhere, which would leave post-processing
            with nothing to do). Defaults to False.
        extra (dict, optional): More overrides of the whole config. Defaults to None.

    Returns:
        nn.Module: The detector.
    """
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmocr.registry import MODELS as MMOCR_MODELS

    import textboxes_retina  # noqa: F401  (registers our modules)
    model_cfg = load_model_config(spec, extra)
    if all_candidates and spec.anchor_head:
        model_cfg.test_cfg.score_thr = 0.0
    registry = MMOCR_MODELS if spec.scope == 'mmocr' else MMDET_MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(spec.scope):
        model = registry.build(model_cfg)
    _quiet_init_weights(model)
    return model.to(device).eval()


def _quiet_init_weights(model: torch.nn.Module) -> None:
    """``model.init_weights()`` without mmengine's per-parameter log lines."""
    import logging

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        model.init_weights()
    finally:
        logger.setLevel(level)


def head_of(model: torch.nn.Module) -> torch.nn.Module:
    """The dense head (``bbox_head`` of mmdet detectors, ``det_head`` of MMOCR's)."""
    return model.bbox_head if hasattr(model, 'bbox_head') else model.det_head


def stage_modules(model: torch.nn.Module) -> Dict[str, torch.nn.Module]:
    """Stage name -> module, in call order: preprocess, backbone, neck, head."""
    return dict(
        preprocess=model.data_preprocessor,
        backbone=model.backbone,
        neck=model.neck,
        head=head_of(model))


def make_batch(spec: ModelSpec, image: torch.Tensor) -> Dict[str, List]:
    """A ``test_step`` batch of one image for the spec's detector.

    Args:
        spec (ModelSpec): The detector (picks mmdet's or MMOCR's data sample class).
        image (Tensor): ``(3, H, W)`` uint8 BGR image.

    Returns:
        dict: ``inputs`` and ``data_samples`` lists of one element each.
    """
    if spec.scope == 'mmdet':
        from mmdet.structures import DetDataSample as SampleClass
    else:
        from mmocr.structures import TextDetDataSample as SampleClass
    height, width = image.shape[-2:]
    sample = SampleClass(
        metainfo=dict(
            img_shape=(height, width), ori_shape=(height, width), scale_factor=(1.0, 1.0)))
    return dict(inputs=[image], data_samples=[sample])

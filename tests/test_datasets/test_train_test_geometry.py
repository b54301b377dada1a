"""Train and test geometry agree: a word reaches the head with the same aspect ratio in training
(after the train pipeline and the data preprocessor), at test, in each TTA view and in
``tools/infer.py``'s pipeline (MMOCR's ``TextDetInferencer``, built from the config's test
pipeline), for the same image.

The image is a real 1280 x 720 ICDAR 2015 image with one known axis-aligned word, 200 x 50 px
(aspect 4). Every training resize is square (``keep_ratio=False``), so the word reaches the head
with aspect 4 * 720 / 1280 = 2.25 (worked by hand); test, TTA and inference must give the same
2.25, not the 4.0 of a keep-ratio resize. The training randomness that changes the aspect on
purpose (crop shape, rotation, photometric noise) is switched off; the multi-scale resize is
left on: any square side gives 2.25.
"""
import copy
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from textboxes_retina.datasets import ICDAR2015Dataset

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIGS = osp.join(ROOT, 'configs')
TOY = osp.join(ROOT, 'tests', 'data', 'icdar2015_toy')
WORD = [100.0, 200.0, 300.0, 200.0, 300.0, 250.0, 100.0, 250.0]  # 200 x 50 px
HEAD_ASPECT = 4.0 * 720 / 1280  # 2.25

LEAVES = [
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py',
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py',
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015.py',
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-ms960-1280-10k_icdar2015.py',
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py',
    'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2013-mlt.py',
    'textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py',
]


def _info():
    """The toy image img_1 (1280 x 720) with the one known word."""
    info = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts').get_data_info(0)
    assert (info['width'], info['height']) == (1280, 720)
    info['instances'] = [
        dict(
            polygon=list(WORD),
            bbox=[100.0, 200.0, 300.0, 250.0],
            bbox_label=0,
            ignore=False,
            text='WORD')
    ]
    return info


def _aspect(quad):
    quad = np.asarray(quad, np.float64)
    return np.ptp(quad[0::2]) / np.ptp(quad[1::2])


def _deterministic(pipeline):
    """The train pipeline without the steps that change a word's shape at random."""
    steps = []
    for step in copy.deepcopy(pipeline):
        kind = step['type']
        if kind.endswith('PhotoMetricDistortion'):
            continue
        if kind == 'QuadRandomCrop':
            step.update(min_overlaps=(None, ), min_words_inside=None)
        elif kind in ('QuadRandomRotate', 'QuadRandomExpand'):
            step.update(prob=0.0)
        steps.append(step)
    return steps


def _train_pipelines(cfg):
    dataset = cfg.train_dataloader.dataset
    children = dataset.get('datasets', [dataset])
    return [child.pipeline for child in children]


def _preprocess(cfg, packed, training):
    with DefaultScope.overwrite_default_scope('mmocr'):
        preprocessor = MODELS.build(cfg.model.data_preprocessor)
    return preprocessor(pseudo_collate([packed]), training=training)


@pytest.mark.timeout(120)
@pytest.mark.parametrize('leaf', LEAVES)
def test_word_aspect_at_the_head_is_the_same_at_train_and_test(leaf):
    cfg = Config.fromfile(osp.join(CONFIGS, leaf))
    with DefaultScope.overwrite_default_scope('mmocr'):
        for pipeline in _train_pipelines(cfg):
            for seed in range(3):  # multi-scale configs draw a different side each time
                np.random.seed(seed)
                packed = Compose(_deterministic(pipeline))(_info())
                data = _preprocess(cfg, packed, training=True)
                (polygon, ) = data['data_samples'][0].gt_instances.polygons
                assert _aspect(polygon) == pytest.approx(HEAD_ASPECT, rel=2e-3), leaf

        packed = Compose(cfg.test_dataloader.dataset.pipeline)(_info())
        sample = _preprocess(cfg, packed, training=False)['data_samples'][0]
        scale_w, scale_h = sample.scale_factor
        (polygon, ) = sample.gt_instances.polygons  # original-image coordinates at test
        at_head = np.asarray(polygon, np.float64).reshape(4, 2) * [scale_w, scale_h]
        assert _aspect(at_head.reshape(-1)) == pytest.approx(HEAD_ASPECT, rel=2e-3), leaf
        height, width = sample.img_shape
        assert height == width, 'test inputs are square like the training resize'


@pytest.mark.timeout(120)
def test_tta_views_keep_the_training_aspect():
    cfg = Config.fromfile(
        osp.join(CONFIGS,
                 'textboxes_retina/textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py'))
    with DefaultScope.overwrite_default_scope('mmocr'):
        views = Compose(cfg.tta_pipeline)(_info())
    assert len(views['data_samples']) == 12
    for sample in views['data_samples']:
        scale_w, scale_h = sample.scale_factor
        quad = np.asarray(WORD).reshape(4, 2) * [scale_w, scale_h]
        assert _aspect(quad.reshape(-1)) == pytest.approx(HEAD_ASPECT, rel=2e-3)
        assert sample.img_shape[0] == sample.img_shape[1]


@pytest.mark.timeout(180)
def test_infer_pipeline_is_the_configs_square_test_resize():
    """tools/infer.py runs MMOCR's TextDetInferencer, whose pipeline comes from the config."""
    from mmocr.apis import TextDetInferencer
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'))
    cfg.visualizer.vis_backends = None
    torch.manual_seed(0)
    inferencer = TextDetInferencer(model=cfg, weights=None, device='cpu')
    image = osp.join(TOY, 'imgs', 'img_1.jpg')
    packed = inferencer.pipeline(image)
    sample = packed['data_samples']
    assert tuple(sample.img_shape) == (384, 384)
    scale_w, scale_h = sample.scale_factor
    quad = np.asarray(WORD).reshape(4, 2) * [scale_w, scale_h]
    assert _aspect(quad.reshape(-1)) == pytest.approx(HEAD_ASPECT, rel=2e-3)

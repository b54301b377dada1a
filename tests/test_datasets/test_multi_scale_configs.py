"""Multi-scale training as the seed's datagen.py: square sides in 32-px steps (608..960 for steps 1
and 2, 960..1280 for step 3), each sample resized from its own (cropped) original image, not a
resampled batch; the preprocessor only pads the batch to a multiple of 128."""
import copy
import os.path as osp

import mmcv
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from textboxes_retina.datasets import ICDAR2015Dataset

ROOT = osp.join(osp.dirname(__file__), '..', '..')
CONFIGS = osp.join(ROOT, 'configs', 'textboxes_retina')
TOY = osp.join(ROOT, 'tests', 'data', 'icdar2015_toy')
SEED_STEPS_1_2 = [608, 640, 672, 704, 736, 768, 800, 832, 864, 896, 928, 960]
SEED_STEP_3 = [960, 992, 1024, 1056, 1088, 1120, 1152, 1184, 1216, 1248, 1280]

CASES = [
    ('textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-100k_synthtext.py', SEED_STEPS_1_2),
    ('textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015.py', SEED_STEPS_1_2),
    ('textboxes_retina_se-r50_fpn-c2_8xb2-ms960-1280-10k_icdar2015.py', SEED_STEP_3),
]


def _load_and_resize(cfg):
    """The config's train loading steps and its resize step (random crop etc. left out)."""
    pipeline = cfg.train_dataloader.dataset.pipeline
    loads = [step for step in pipeline if step['type'].startswith('Load')]
    (resize, ) = [step for step in pipeline if 'Resize' in step['type']]
    pack = pipeline[-1]
    return loads, resize, pack


@pytest.mark.timeout(120)
@pytest.mark.parametrize('leaf, sizes', CASES)
def test_sizes_are_the_seeds_32px_set_and_resized_from_the_original(leaf, sizes):
    cfg = Config.fromfile(osp.join(CONFIGS, leaf))
    loads, resize, pack = _load_and_resize(cfg)
    assert resize['keep_ratio'] is False
    # No batch resampling in the preprocessor: it only pads.
    assert not cfg.model.data_preprocessor.get('batch_augments')
    assert cfg.model.data_preprocessor.pad_size_divisor == 128

    info = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts').get_data_info(1)
    with DefaultScope.overwrite_default_scope('mmocr'):
        load = Compose(copy.deepcopy(loads))
        resize = Compose([copy.deepcopy(resize)])
        original = load(copy.deepcopy(info))
        for seed in range(8):
            np.random.seed(seed)
            out = resize(copy.deepcopy(original))
            side = out['img'].shape[0]
            assert out['img'].shape[:2] == (side, side) and side in sizes
            # Pixel for pixel a direct resize of the original image (mmcv's bilinear), ...
            direct = mmcv.imresize(original['img'], (side, side), interpolation='bilinear')
            np.testing.assert_array_equal(out['img'], direct)
            # ... and the words scaled from their original coordinates.
            height, width = original['img'].shape[:2]
            for before, after in zip(original['gt_polygons'], out['gt_polygons']):
                np.testing.assert_allclose(after[0::2], before[0::2] * side / width, rtol=1e-5)
                np.testing.assert_allclose(after[1::2], before[1::2] * side / height, rtol=1e-5)
        # Every side of the set is drawn (the draw alone, without resizing 300 images).
        chooser = resize.transforms[0]
        seen = {chooser._random_select()[0] for _ in range(300)}
    assert seen == {(side, side) for side in sizes}


@pytest.mark.timeout(120)
def test_a_mixed_batch_is_padded_to_128_without_resampling():
    cfg = Config.fromfile(osp.join(CONFIGS, CASES[1][0]))
    loads, resize, pack = _load_and_resize(cfg)
    info = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts').get_data_info(1)
    with DefaultScope.overwrite_default_scope('mmocr'):
        pipeline = Compose(copy.deepcopy(loads + [resize, pack]))
        preprocessor = MODELS.build(cfg.model.data_preprocessor)
        packed = []
        for seed in (0, 1, 2, 3):
            np.random.seed(seed)
            packed.append(pipeline(copy.deepcopy(info)))
    sides = [p['inputs'].shape[-1] for p in packed]
    assert len(set(sides)) > 1, sides
    data = preprocessor(pseudo_collate(packed), training=True)
    pad = int(np.ceil(max(sides) / 128) * 128)
    assert data['inputs'].shape[-2:] == (pad, pad)
    for p, sample, side in zip(packed, data['data_samples'], sides):
        assert tuple(sample.img_shape) == (side, side)
        for before, after in zip(p['data_samples'].gt_instances.polygons,
                                 sample.gt_instances.polygons):
            np.testing.assert_array_equal(before, after)

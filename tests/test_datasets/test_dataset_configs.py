"""configs/_base_/datasets: every base loads, holds data only and points at the official layout;
the algorithm configs' pipelines for each dataset turn real images into what the detector takes
(quads inside the image, 8 values each)."""
import copy
import os.path as osp
import shutil

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmocr.registry import DATASETS

from textboxes_retina.datasets import ICDAR2015Dataset

ROOT = osp.join(osp.dirname(__file__), '..', '..')
BASES = osp.join(ROOT, 'configs', '_base_', 'datasets')
ALGORITHM = osp.join(ROOT, 'configs', 'textboxes_retina', '_base_textboxes_retina_se-r50_fpn-c2.py')
SMALL = osp.join(ROOT, 'configs', 'textboxes_retina',
                 'textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py')
LEAVES = osp.join(ROOT, 'configs', 'textboxes_retina')
TOY = osp.join(ROOT, 'tests', 'data', 'icdar2015_toy')

# base file -> (train dataset variable, train type, train folders, test variable or None)
EXPECTED = {
    'icdar2015_textdet.py':
    ('icdar2015_textdet_train', 'ICDAR2015Dataset',
     ['ch4_training_images',
      'ch4_training_localization_transcription_gt'], 'icdar2015_textdet_test'),
    'icdar2013_textdet.py': ('icdar2013_textdet_train', 'ICDAR2013Dataset',
                             ['Challenge2_Training_Task12_Images',
                              'Challenge2_Training_Task1_GT'], 'icdar2013_textdet_test'),
    'mlt2017_textdet.py':
    ('mlt2017_textdet_train', 'MLT2017Dataset', [[f'ch8_training_images_{i}' for i in range(1, 9)],
                                                 'ch8_training_localization_transcription_gt_v2'],
     'mlt2017_textdet_test'),
    'synthtext_textdet.py': ('synthtext_textdet_train', 'SynthTextDataset', [], None),
    'synthetic_textdet.py':
    ('synthetic_textdet_train', 'ICDAR2015Dataset', ['imgs', 'gts'], 'synthetic_textdet_test'),
}


def load(name):
    return Config.fromfile(osp.join(BASES, name))


def toy_infos():
    dataset = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts')
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def check_packed(packed, shape=None):
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.ndim == 3 and inputs.shape[0] == 3
    height, width = inputs.shape[1:]
    if shape is not None:
        assert (height, width) == shape
    assert tuple(sample.img_shape) == (height, width)
    assert {'img_path', 'ori_shape', 'img_shape', 'scale_factor'} <= set(sample.metainfo)
    gt = sample.gt_instances
    assert len(gt.polygons) == len(gt.bboxes) == len(gt.ignored) == len(gt.labels)
    for polygon in gt.polygons:
        assert polygon.shape == (8, ) and np.isfinite(polygon).all()
        assert 0 <= polygon[0::2].min() and polygon[0::2].max() <= width
        assert 0 <= polygon[1::2].min() and polygon[1::2].max() <= height
    return gt


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_base_points_at_the_official_layout(name):
    cfg = load(name)
    train_key, train_type, folders, test_key = EXPECTED[name]
    train = cfg[train_key]
    assert train.type == train_type and DATASETS.get(train_type) is not None
    if folders:
        assert [train.img_dir, train.ann_dir] == folders
    # Data only (MMOCR's layering): the algorithm configs give each set its pipeline.
    assert train.pipeline is None
    assert not any(key.endswith('pipeline') for key in cfg), sorted(cfg)
    if test_key is not None:
        assert cfg[test_key].test_mode is True
        assert cfg[test_key].pipeline is None


# The algorithm configs' pipelines, for every dataset base (the ICDAR 2015 and 2013 test sets
# share `test_pipeline`).
PIPELINES = [
    (ALGORITHM, 'icdar2015_train_pipeline'),
    (ALGORITHM, 'icdar2013_train_pipeline'),
    (ALGORITHM, 'mlt2017_train_pipeline'),
    (ALGORITHM, 'synthtext_train_pipeline'),
    (ALGORITHM, 'test_pipeline'),
    (ALGORITHM, 'mlt2017_test_pipeline'),
    (SMALL, 'train_pipeline'),
    (SMALL, 'test_pipeline'),
]


@pytest.mark.parametrize('config,key', PIPELINES)
def test_every_dataset_has_a_pipeline_that_packs_its_inputs(config, key):
    assert Config.fromfile(config)[key][-1].type == 'PackTextDetInputs'


def test_icdar2013_mlt_concatenates_both_training_sets():
    cfg = Config.fromfile(
        osp.join(LEAVES, 'textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2013-mlt.py'))
    train = cfg.train_dataloader.dataset
    assert train.type == 'ConcatDataset'
    assert [d.type for d in train.datasets] == ['ICDAR2013Dataset', 'MLT2017Dataset']
    assert cfg.test_dataloader.dataset.type == 'ICDAR2013Dataset'
    # each training set with its own pipeline (only MLT's has GIFs, decoded by Pillow)
    assert [d.pipeline
            for d in train.datasets] == [cfg.icdar2013_train_pipeline, cfg.mlt2017_train_pipeline]


@pytest.mark.parametrize('config,key', [
    (ALGORITHM, 'icdar2015_train_pipeline'),
    (ALGORITHM, 'icdar2013_train_pipeline'),
    (ALGORITHM, 'mlt2017_train_pipeline'),
    (ALGORITHM, 'synthtext_train_pipeline'),
    (SMALL, 'train_pipeline'),
])
def test_train_pipelines_on_real_images(config, key):
    pipeline = Compose(Config.fromfile(config)[key])
    np.random.seed(0)
    size = 384 if config == SMALL else 768
    for _ in range(3):
        for info in toy_infos():
            gt = check_packed(pipeline(copy.deepcopy(info)), (size, size))
            assert gt.ignored.dtype == torch.bool


@pytest.mark.parametrize(
    'config,key,shape',
    [
        # Square inputs, like the training resize (tests/test_datasets/test_train_test_geometry.py).
        # The ICDAR 2015 and 2013 test sets share `test_pipeline`.
        (ALGORITHM, 'test_pipeline', (1280, 1280)),
        (ALGORITHM, 'mlt2017_test_pipeline', (1280, 1280)),
        (SMALL, 'test_pipeline', (384, 384)),
    ])
def test_test_pipelines_keep_ground_truth_in_original_coordinates(config, key, shape):
    info = toy_infos()[0]
    packed = Compose(Config.fromfile(config)[key])(copy.deepcopy(info))
    assert tuple(packed['inputs'].shape[1:]) == shape
    polygons = packed['data_samples'].gt_instances.polygons
    np.testing.assert_array_equal(polygons[0], info['instances'][0]['polygon'])


def test_icdar2015_base_builds_on_the_official_folders(tmp_path):
    root = tmp_path / 'icdar2015'
    for images, gts in (('ch4_training_images', 'ch4_training_localization_transcription_gt'),
                        ('ch4_test_images', 'Challenge4_Test_Task1_GT')):
        shutil.copytree(osp.join(TOY, 'imgs'), root / images)
        shutil.copytree(osp.join(TOY, 'gts'), root / gts)
    # The ICDAR 2015 base's sets with the pipelines a leaf gives them.
    cfg = Config.fromfile(
        osp.join(LEAVES, 'textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py'))
    for key in ('icdar2015_textdet_train', 'icdar2015_textdet_test'):
        dataset_cfg = copy.deepcopy(cfg[key])
        dataset_cfg.data_root = str(root)
        dataset = DATASETS.build(dataset_cfg)
        assert len(dataset) == 5
        check_packed(dataset[0])

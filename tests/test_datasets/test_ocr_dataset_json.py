"""MMOCR's own JSON format keeps working: ``OCRDataset`` data goes through the quad pipeline."""
import copy
import json
import os.path as osp

import numpy as np
from mmocr.registry import DATASETS

from textboxes_retina.datasets import ICDAR2015Dataset

TOY = osp.join(osp.dirname(__file__), '..', 'data', 'icdar2015_toy')


def test_ocr_dataset_json_with_the_quad_pipeline(tmp_path):
    ours = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts')
    data_list = []
    for i in range(len(ours)):
        info = copy.deepcopy(ours.get_data_info(i))
        info['img_path'] = osp.relpath(info['img_path'], osp.join(TOY, 'imgs'))
        data_list.append({k: info[k] for k in ('img_path', 'height', 'width', 'instances')})
    ann_file = tmp_path / 'textdet_train.json'
    ann_file.write_text(
        json.dumps(
            dict(
                metainfo=dict(
                    dataset_name='icdar2015',
                    task_name='textdet',
                    category=[dict(id=0, name='text')]),
                data_list=data_list)))
    dataset = DATASETS.build(
        dict(
            type='OCRDataset',
            data_root=str(tmp_path),
            ann_file='textdet_train.json',
            data_prefix=dict(img_path=osp.abspath(osp.join(TOY, 'imgs'))),
            pipeline=[
                dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
                dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
                dict(type='QuadRandomCrop', min_overlaps=(0.3, )),
                dict(type='Resize', scale=(256, 256), keep_ratio=False, clip_object_border=False),
                dict(type='PackTextDetInputs', meta_keys=('img_path', 'img_shape', 'scale_factor')),
            ]))
    assert len(dataset) == 5
    assert dataset.get_data_info(2)['instances'] == ours.get_data_info(2)['instances']
    np.random.seed(0)
    for i in range(len(dataset)):
        packed = dataset[i]
        assert tuple(packed['inputs'].shape) == (3, 256, 256)
        for polygon in packed['data_samples'].gt_instances.polygons:
            assert polygon.shape == (8, ) and 0 <= polygon.min() and polygon.max() <= 256

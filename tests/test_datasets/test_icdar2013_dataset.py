"""ICDAR2013Dataset on fixtures written in the official layout (training and test formats)."""
import os.path as osp
import zipfile

import cv2
import numpy as np
import pytest

from textboxes_retina.datasets import BadInputWarning, DatasetInputError, ICDAR2013Dataset

TRAIN_GT = {
    'gt_100.txt': '38 43 92 61 "Tiredness"\r\n10 5 30 20 "kills"\r\n',
    'gt_101.txt': '1 2 30 40 "New York"\n',
}
TEST_GT = {'gt_img_1.txt': '\ufeff38, 43, 92, 61, "Hi, there"\r\n5, 6, 20, 30, "###"\r\n'}


def write_folder(folder, images=(), texts=None):
    folder.mkdir(parents=True)
    for name in images:
        cv2.imwrite(str(folder / name), np.full((64, 96, 3), 127, np.uint8))
    for name, text in (texts or {}).items():
        (folder / name).write_bytes(text.encode('utf-8'))


@pytest.fixture
def ic13_root(tmp_path):
    root = tmp_path / 'icdar2013'
    write_folder(root / 'Challenge2_Training_Task12_Images', ['100.jpg', '101.jpg'])
    write_folder(root / 'Challenge2_Training_Task1_GT', texts=TRAIN_GT)
    write_folder(root / 'Challenge2_Test_Task12_Images', ['img_1.jpg'])
    with zipfile.ZipFile(root / 'Challenge2_Test_Task1_GT.zip', 'w') as archive:
        for name, text in TEST_GT.items():
            archive.writestr(name, text.encode('utf-8'))
    return root


def test_training_format(ic13_root):
    dataset = ICDAR2013Dataset(
        data_root=str(ic13_root),
        img_dir='Challenge2_Training_Task12_Images',
        ann_dir='Challenge2_Training_Task1_GT',
        strict=True)
    assert len(dataset) == 2
    info = dataset.get_data_info(0)
    assert osp.basename(info['img_path']) == '100.jpg'
    assert (info['height'], info['width']) == (64, 96)
    assert info['instances'] == [
        dict(
            polygon=[38., 43., 92., 43., 92., 61., 38., 61.],
            bbox=[38., 43., 92., 61.],
            bbox_label=0,
            ignore=False,
            text='Tiredness'),
        dict(
            polygon=[10., 5., 30., 5., 30., 20., 10., 20.],
            bbox=[10., 5., 30., 20.],
            bbox_label=0,
            ignore=False,
            text='kills'),
    ]
    assert [i['text'] for i in dataset.get_data_info(1)['instances']] == ['New York']


def test_test_format_from_zip_with_commas_and_dont_care(ic13_root):
    dataset = ICDAR2013Dataset(
        data_root=str(ic13_root),
        img_dir='Challenge2_Test_Task12_Images',
        ann_dir='Challenge2_Test_Task1_GT',
        strict=True)  # finds the .zip
    instances = dataset.get_data_info(0)['instances']
    assert [(i['text'], i['ignore']) for i in instances] == [('Hi, there', False), ('###', True)]
    assert instances[0]['polygon'] == [38., 43., 92., 43., 92., 61., 38., 61.]


def test_bad_box_is_reported_with_file_and_line(ic13_root):
    gt = ic13_root / 'Challenge2_Training_Task1_GT' / 'gt_101.txt'
    gt.write_bytes(b'1 2 30 40 "ok"\n50 2 30 40 "swapped"\n')
    kwargs = dict(
        data_root=str(ic13_root),
        img_dir='Challenge2_Training_Task12_Images',
        ann_dir='Challenge2_Training_Task1_GT')
    with pytest.warns(
            BadInputWarning,
            match=r'gt_101.txt: 1 bad input\(s\): line 2: degenerate '
            r'box \(needs xmin < xmax and ymin < ymax\)'):
        dataset = ICDAR2013Dataset(**kwargs)
    assert [len(dataset.get_data_info(i)['instances']) for i in range(2)] == [2, 1]
    with pytest.raises(DatasetInputError, match=f'{gt}: line 2: degenerate box'):
        ICDAR2013Dataset(strict=True, **kwargs)

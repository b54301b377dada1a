"""MLT2017Dataset on fixtures in the official layout: several image zips, GIF images, scripts."""
import os.path as osp
import zipfile

import cv2
import numpy as np
import pytest
from PIL import Image

from textboxes_retina.datasets import DatasetInputError, MLT2017Dataset

GT = {
    'gt_img_1.txt': '\ufeff10,10,50,10,50,30,10,30,Latin,Hello, you\r\n'
    '60,5,90,5,90,25,60,25,Arabic,\u0645\u0631\u062d\u0628\u0627\r\n',
    'gt_img_2.txt': '5,5,40,5,40,20,5,20,Chinese,\u4e2d\u6587\n'
    '50,30,70,30,70,40,50,40,Symbols,###\n',
    'gt_img_3.txt': '20,10,60,10,60,40,20,40,Latin,GIF\n',
}


@pytest.fixture
def mlt_root(tmp_path):
    root = tmp_path / 'mlt2017'
    root.mkdir()
    image = np.zeros((48, 96, 3), np.uint8)
    image[10:40, 20:60] = (0, 0, 255)  # a red block where the GIF's word is (BGR)
    ok, jpg = cv2.imencode('.jpg', image)
    ok, png = cv2.imencode('.png', image)
    gif = root / 'img_3.gif'
    Image.fromarray(image[..., ::-1]).save(gif)
    with zipfile.ZipFile(root / 'ch8_training_images_1.zip', 'w') as archive:
        archive.writestr('img_1.jpg', jpg.tobytes())
        archive.writestr('img_2.png', png.tobytes())
    with zipfile.ZipFile(root / 'ch8_training_images_2.zip', 'w') as archive:
        archive.write(gif, 'img_3.gif')
    gif.unlink()
    with zipfile.ZipFile(root / 'ch8_training_localization_transcription_gt_v2.zip', 'w') as z:
        for name, text in GT.items():
            z.writestr(name, text.encode('utf-8'))
    return root


def make_dataset(root, **kwargs):
    return MLT2017Dataset(
        data_root=str(root),
        img_dir=['ch8_training_images_1', 'ch8_training_images_2'],
        ann_dir='ch8_training_localization_transcription_gt_v2',
        **kwargs)


def test_parses_scripts_commas_and_dont_care_across_archives(mlt_root):
    dataset = make_dataset(mlt_root, strict=True)
    names = [osp.basename(dataset.get_data_info(i)['img_path']) for i in range(len(dataset))]
    assert names == ['img_1.jpg', 'img_2.png', 'img_3.gif']
    words = [[(inst['script'], inst['text'], inst['ignore'])
              for inst in dataset.get_data_info(i)['instances']] for i in range(3)]
    assert words == [
        [('Latin', 'Hello, you', False), ('Arabic', '\u0645\u0631\u062d\u0628\u0627', False)],
        [('Chinese', '\u4e2d\u6587', False), ('Symbols', '###', True)],
        [('Latin', 'GIF', False)],
    ]
    assert dataset.get_data_info(2)['img_path'] == str(
        mlt_root / 'ch8_training_images_2_extracted' / 'img_3.gif')
    assert (dataset.get_data_info(2)['height'], dataset.get_data_info(2)['width']) == (48, 96)


def test_gif_goes_through_the_pipeline_with_pillow(mlt_root):
    pipeline = [
        dict(
            type='LoadImageFromFile',
            color_type='color_ignore_orientation',
            imdecode_backend='pillow',
            ignore_empty=True),
        dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    ]
    results = make_dataset(mlt_root, pipeline=pipeline, test_mode=True)[2]
    assert results['img'].shape == (48, 96, 3)
    x1, y1, x2, y2 = results['gt_bboxes'][0].astype(int)
    inside = results['img'][y1:y2, x1:x2].reshape(-1, 3).mean(axis=0)
    assert inside[2] > 200 and inside[:2].max() < 60  # the red block, BGR order


def test_wrong_field_count(mlt_root):
    with zipfile.ZipFile(mlt_root / 'ch8_training_localization_transcription_gt_v2.zip',
                         'a') as archive:
        archive.writestr('gt_img_4.txt', b'1,1,9,1,9,9,1,9,Latin\n')
    with zipfile.ZipFile(mlt_root / 'ch8_training_images_2.zip', 'a') as archive:
        ok, jpg = cv2.imencode('.jpg', np.zeros((16, 16, 3), np.uint8))
        archive.writestr('img_4.jpg', jpg.tobytes())
    gt = osp.join(
        str(mlt_root / 'ch8_training_localization_transcription_gt_v2.zip'), 'gt_img_4.txt')
    with pytest.raises(DatasetInputError) as info:
        make_dataset(mlt_root, strict=True)
    assert str(info.value) == (f'{gt}: line 1: expected 8 coordinates, a script and a '
                               "transcription, got 9 values: '1,1,9,1,9,9,1,9,Latin'")

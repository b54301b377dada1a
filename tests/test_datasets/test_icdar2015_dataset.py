"""ICDAR2015Dataset on the real toy files, archives, subsets and every kind of bad input."""
import os
import os.path as osp
import shutil
import zipfile

import numpy as np
import pytest

from textboxes_retina.datasets import BadInputWarning, DatasetInputError, ICDAR2015Dataset

TOY = osp.join(osp.dirname(__file__), '..', 'data', 'icdar2015_toy')
# words and don't-cares per file of the toy set (counted in the files)
EXPECTED = {'img_1': (7, 3), 'img_2': (2, 0), 'img_3': (13, 11), 'img_4': (3, 3), 'img_5': (2, 2)}
TRAIN_LOADING = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
]


def stem(info):
    return osp.splitext(osp.basename(info['img_path']))[0]


@pytest.fixture
def toy_copy(tmp_path):
    root = tmp_path / 'icdar2015'
    shutil.copytree(TOY, root)
    return root


def test_toy_set_parses_to_the_exact_words(recwarn):
    dataset = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts', strict=True)
    assert [stem(dataset.get_data_info(i)) for i in range(len(dataset))] == list(EXPECTED)
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        words, dont_care = EXPECTED[stem(info)]
        assert len(info['instances']) == words
        assert sum(inst['ignore'] for inst in info['instances']) == dont_care
        assert (info['height'], info['width']) == (720, 1280)
        assert osp.isfile(info['img_path'])
    first = dataset.get_data_info(0)['instances'][0]
    assert first == dict(
        polygon=[377., 117., 463., 117., 465., 130., 378., 130.],
        bbox=[377., 117., 465., 130.],
        bbox_label=0,
        ignore=False,
        text='TEXT')
    assert not [w for w in recwarn if issubclass(w.category, BadInputWarning)]


def test_pipeline_output_matches_ocr_dataset_contract():
    dataset = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts', pipeline=TRAIN_LOADING)
    results = dataset[1]
    assert results['img'].shape == (720, 1280, 3)
    np.testing.assert_array_equal(results['gt_polygons'][0],
                                  np.array([602, 173, 635, 175, 634, 197, 602, 196], np.float32))
    np.testing.assert_array_equal(results['gt_bboxes'][1], [734, 310, 792, 364])
    assert results['gt_ignored'].tolist() == [False, False]
    assert results['gt_bboxes_labels'].tolist() == [0, 0]


def test_official_zip_archives(tmp_path):
    for folder, name in (('imgs', 'ch4_training_images.zip'),
                         ('gts', 'ch4_training_localization_transcription_gt.zip')):
        with zipfile.ZipFile(tmp_path / name, 'w') as archive:
            for file in sorted(os.listdir(osp.join(TOY, folder))):
                archive.write(osp.join(TOY, folder, file), file)
    from_zip = ICDAR2015Dataset(
        data_root=str(tmp_path),
        img_dir='ch4_training_images.zip',
        ann_dir='ch4_training_localization_transcription_gt.zip')
    # the official folder names without .zip find the archives too
    by_name = ICDAR2015Dataset(
        data_root=str(tmp_path),
        img_dir='ch4_training_images',
        ann_dir='ch4_training_localization_transcription_gt')
    from_folder = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts')
    assert len(from_zip) == len(by_name) == 5
    for i in range(5):
        zipped, plain = from_zip.get_data_info(i), from_folder.get_data_info(i)
        assert zipped['instances'] == plain['instances']
        assert zipped['img_path'] == str(tmp_path / 'ch4_training_images_extracted' /
                                         osp.basename(plain['img_path']))
        with open(zipped['img_path'], 'rb') as a, open(plain['img_path'], 'rb') as b:
            assert a.read() == b.read()
        assert by_name.get_data_info(i)['img_path'] == zipped['img_path']


def test_file_list_and_limit(tmp_path):

    def stems(**kwargs):
        dataset = ICDAR2015Dataset(data_root=TOY, img_dir='imgs', ann_dir='gts', **kwargs)
        return [stem(dataset.get_data_info(i)) for i in range(len(dataset))]

    assert stems(file_list=['img_3.jpg', 'img_1']) == ['img_1', 'img_3']
    assert stems(limit=2) == ['img_1', 'img_2']
    list_file = tmp_path / 'subset.txt'
    list_file.write_text('img_5.jpg\nimg_4.jpg\n')
    assert stems(file_list=str(list_file), limit=1) == ['img_4']
    with pytest.warns(
            BadInputWarning,
            match=r"file_list: 1 bad input\(s\): 'img_9.jpg' is not "
            r'in the dataset \(name skipped\)'):
        assert stems(file_list=['img_9.jpg', 'img_2.jpg']) == ['img_2']
    with pytest.raises(DatasetInputError, match="'img_9.jpg' is not in the dataset"):
        stems(file_list=['img_9.jpg'], strict=True)


@pytest.mark.parametrize('kwargs,missing', [
    (dict(data_root='/nonexistent/icdar2015', img_dir='imgs',
          ann_dir='gts'), '/nonexistent/icdar2015'),
    (dict(data_root=TOY, img_dir='ch4_training_images',
          ann_dir='gts'), osp.join(TOY, 'ch4_training_images')),
    (dict(data_root=TOY, img_dir='imgs', ann_dir='no_gts'), osp.join(TOY, 'no_gts')),
])
def test_missing_root_or_folder_fails_at_construction(kwargs, missing):
    with pytest.raises(FileNotFoundError) as info:
        ICDAR2015Dataset(lazy_init=True, **kwargs)
    assert missing in str(info.value)


def corrupt_gt_line(root, line):
    """Append ``line`` to gt_img_2.txt (as its line 3)."""
    with open(root / 'gts' / 'gt_img_2.txt', 'ab') as f:
        f.write(line.encode('utf-8') + b'\r\n')


BAD_WORDS = [
    ('602,173,635,175,634,197,602,TEXT',
     'expected 8 coordinates and a transcription, got 8 values'),
    ('602,173,635,175,634,197,602,1o6,TEXT', "non-numeric coordinate '1o6'"),
    ('602,173,635,175,634,nan,602,196,TEXT', "non-finite coordinate 'nan'"),
    ('600,100,600,100,600,100,600,100,TEXT', 'degenerate quad (area 0.00 px^2 < 1.0)'),
    ('1400,100,1500,100,1500,150,1400,150,TEXT', 'quad outside the image (1280x720)'),
]


@pytest.mark.parametrize('line,reason', BAD_WORDS)
def test_bad_word_lenient_skips_that_word_only(toy_copy, line, reason):
    corrupt_gt_line(toy_copy, line)
    gt_path = osp.join(str(toy_copy), 'gts', 'gt_img_2.txt')
    with pytest.warns(BadInputWarning) as record:
        dataset = ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts')
    messages = [str(w.message) for w in record if issubclass(w.category, BadInputWarning)]
    assert messages == [f'{gt_path}: 1 bad input(s): line 3: {reason}: {line!r} (word skipped)']
    counts = {
        stem(dataset.get_data_info(i)): len(dataset.get_data_info(i)['instances'])
        for i in range(len(dataset))
    }
    assert counts == {name: words for name, (words, _) in EXPECTED.items()}
    for i in range(len(dataset)):
        for inst in dataset.get_data_info(i)['instances']:
            assert np.isfinite(inst['polygon']).all()


@pytest.mark.parametrize('line,reason', BAD_WORDS)
def test_bad_word_strict_raises_naming_file_and_line(toy_copy, line, reason):
    corrupt_gt_line(toy_copy, line)
    with pytest.raises(DatasetInputError) as info:
        ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts', strict=True)
    assert str(info.value) == (f"{osp.join(str(toy_copy), 'gts', 'gt_img_2.txt')}: line 3: "
                               f'{reason}: {line!r}')


def test_empty_gt_file(toy_copy):
    (toy_copy / 'gts' / 'gt_img_4.txt').write_bytes(b'\xef\xbb\xbf')
    with pytest.warns(
            BadInputWarning,
            match=r'gt_img_4.txt: 1 bad input\(s\): empty annotation '
            r'file \(image kept without words\)'):
        dataset = ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts')
    assert [len(dataset.get_data_info(i)['instances']) for i in range(5)] == [7, 2, 13, 0, 2]
    with pytest.raises(DatasetInputError, match='gt_img_4.txt: empty annotation file'):
        ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts', strict=True)


@pytest.mark.parametrize('damage,reason', [
    (lambda root: (root / 'imgs' / 'img_3.jpg').write_bytes(b'not a jpeg at all'),
     ('img_3.jpg', r'unreadable image \(cannot identify image file', 'image skipped')),
    (lambda root: (root / 'imgs' / 'img_3.jpg').unlink(),
     ('gt_img_3.txt', r'no image img_3\.\{jpg,jpeg,png\} in ', 'ground truth skipped')),
    (lambda root: (root / 'gts' / 'gt_img_3.txt').unlink(),
     ('img_3.jpg', r'no ground truth gt_img_3\.txt in ', 'image skipped')),
])
def test_bad_image_or_missing_pair(toy_copy, damage, reason):
    damage(toy_copy)
    file, problem, consequence = reason
    warning = rf'{file}: 1 bad input\(s\): {problem}.*\({consequence}\)$'
    with pytest.warns(BadInputWarning, match=warning) as record:
        dataset = ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts')
    assert sum(issubclass(w.category, BadInputWarning) for w in record) == 1
    assert [stem(dataset.get_data_info(i)) for i in range(len(dataset))] == \
        ['img_1', 'img_2', 'img_4', 'img_5']
    assert len(dataset.get_data_info(1)['instances']) == 2
    with pytest.raises(DatasetInputError, match=rf'{file}: {problem}'):
        ICDAR2015Dataset(data_root=str(toy_copy), img_dir='imgs', ann_dir='gts', strict=True)


def test_image_corrupted_after_construction_does_not_stop_training(toy_copy):
    dataset = ICDAR2015Dataset(
        data_root=str(toy_copy), img_dir='imgs', ann_dir='gts', pipeline=TRAIN_LOADING)
    (toy_copy / 'imgs' / 'img_2.jpg').write_bytes(b'\xff\xd8 truncated')
    np.random.seed(0)
    with pytest.warns(UserWarning, match='img_2.jpg'):
        results = dataset[1]  # the loader returns None, the dataset fetches another image
    assert osp.basename(results['img_path']) != 'img_2.jpg'
    assert results['img'].shape == (720, 1280, 3)
    assert len(results['gt_polygons']) == EXPECTED[osp.basename(results['img_path'])[:-4]][0]

"""SynthTextDataset on a tiny gt.mat written with scipy in the official structure."""
import os.path as osp
import zipfile

import cv2
import numpy as np
import pytest
import scipy.io

from textboxes_retina.datasets import BadInputWarning, DatasetInputError, SynthTextDataset
from textboxes_retina.datasets.synthtext_dataset import word_quads, words_of

# wordBB of 2 words: [0] holds the x, [1] the y of the 4 corners
TWO_WORDS = np.stack([
    np.array([[1, 20, 20, 1], [30, 50, 50, 30]], float).T,  # x: word 0, word 1
    np.array([[2, 2, 12, 12], [5, 5, 15, 15]], float).T,  # y
])  # (2, 4, 2)
ONE_WORD = np.array([[3, 40, 40, 3], [4, 4, 24, 24]], float)  # (2, 4): MATLAB drops K = 1


def cell(values):
    array = np.empty((1, len(values)), dtype=object)
    for i, value in enumerate(values):
        array[0, i] = value
    return array


def write_synthtext(root, names, word_bbs, txts):
    root.mkdir(parents=True, exist_ok=True)
    scipy.io.savemat(
        str(root / 'gt.mat'),
        dict(
            imnames=cell(names),
            wordBB=cell(word_bbs),
            txt=cell(txts),
            charBB=cell([np.zeros((2, 4, 1)) for _ in names])))
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / name), np.zeros((32, 64, 3), np.uint8))


@pytest.fixture
def synth_root(tmp_path):
    root = tmp_path / 'synthtext'
    three = np.concatenate([TWO_WORDS, TWO_WORDS[:, :, :1] + 1], axis=2)
    three[0, 0, 2] = np.nan
    write_synthtext(root, ['1/ant_1_0.jpg', '1/ant_1_1.jpg', '2/bee_2_0.jpg'],
                    [TWO_WORDS, ONE_WORD, three],
                    [np.array(['Hello  ', 'world  ']),
                     np.array(['Single']),
                     np.array(['a b\nc'])])
    return root


def test_word_quads_and_words_of():
    np.testing.assert_array_equal(
        word_quads(TWO_WORDS), [[1, 2, 20, 2, 20, 12, 1, 12], [30, 5, 50, 5, 50, 15, 30, 15]])
    np.testing.assert_array_equal(word_quads(ONE_WORD), [[3, 4, 40, 4, 40, 24, 3, 24]])
    with pytest.raises(ValueError, match=r'wordBB must have shape \(2, 4, K\) or \(2, 4\)'):
        word_quads(np.zeros((3, 4)))
    assert words_of(np.array(['Lines:\nI lost ', 'Kevin  '])) == ['Lines:', 'I', 'lost', 'Kevin']


def test_parses_gt_mat_including_single_word_entries(synth_root):
    with pytest.warns(BadInputWarning) as record:
        dataset = SynthTextDataset(data_root=str(synth_root))
    messages = [str(w.message) for w in record if issubclass(w.category, BadInputWarning)]
    assert messages == [
        f"{synth_root / 'gt.mat'}: 1 bad input(s): 2/bee_2_0.jpg: word 2: "
        'non-finite coordinate (word skipped)'
    ]
    assert len(dataset) == 3
    first = dataset.get_data_info(0)
    assert first['img_path'] == str(synth_root / '1' / 'ant_1_0.jpg')
    assert first['instances'] == [
        dict(
            polygon=[1., 2., 20., 2., 20., 12., 1., 12.],
            bbox=[1., 2., 20., 12.],
            bbox_label=0,
            ignore=False,
            text='Hello'),
        dict(
            polygon=[30., 5., 50., 5., 50., 15., 30., 15.],
            bbox=[30., 5., 50., 15.],
            bbox_label=0,
            ignore=False,
            text='world'),
    ]
    single = dataset.get_data_info(1)['instances']
    assert [(i['polygon'], i['text']) for i in single] == [([3., 4., 40., 4., 40., 24., 3.,
                                                             24.], 'Single')]
    assert [i['text'] for i in dataset.get_data_info(2)['instances']] == ['a', 'b']
    with pytest.raises(DatasetInputError, match='bee_2_0.jpg: word 2: non-finite coordinate'):
        SynthTextDataset(data_root=str(synth_root), strict=True)


def test_limit_and_file_list_select_before_reading_images(synth_root):
    (synth_root / '2' / 'bee_2_0.jpg').unlink()  # not selected: never looked at
    assert len(SynthTextDataset(data_root=str(synth_root), limit=2, strict=True)) == 2
    dataset = SynthTextDataset(data_root=str(synth_root), file_list=['1/ant_1_1.jpg'], strict=True)
    assert [osp.basename(dataset.get_data_info(i)['img_path']) for i in range(len(dataset))] \
        == ['ant_1_1.jpg']


def test_missing_image_and_word_count_mismatch(tmp_path):
    root = tmp_path / 'synthtext'
    write_synthtext(root, ['a.jpg', 'b.jpg', 'c.jpg'], [ONE_WORD, TWO_WORDS, ONE_WORD],
                    [np.array(['x']), np.array(['only_one']),
                     np.array(['z'])])
    (root / 'c.jpg').unlink()
    with pytest.warns(BadInputWarning) as record:
        dataset = SynthTextDataset(data_root=str(root))
    message = str([w.message for w in record if issubclass(w.category, BadInputWarning)][0])
    assert 'b.jpg: 2 word boxes but 1 words (image skipped)' in message
    assert f"c.jpg: image not found ({root / 'c.jpg'}) (image skipped)" in message
    assert len(dataset) == 1
    with pytest.raises(DatasetInputError, match='b.jpg: 2 word boxes but 1 words'):
        SynthTextDataset(data_root=str(root), strict=True)


def test_out_of_image_word_with_image_size(tmp_path):
    root = tmp_path / 'synthtext'
    far = ONE_WORD + np.array([[100.], [0.]])  # images are 64 px wide
    write_synthtext(root, ['a.jpg'], [np.stack([ONE_WORD, far], axis=2)], [np.array(['in out'])])
    dataset = SynthTextDataset(data_root=str(root), with_image_size=False, strict=True)
    assert len(dataset.get_data_info(0)['instances']) == 2
    with pytest.raises(DatasetInputError, match=r'a.jpg: word 1: quad outside the image \(64x32\)'):
        SynthTextDataset(data_root=str(root), with_image_size=True, strict=True)


def test_official_zip(synth_root, tmp_path):
    archive_path = tmp_path / 'SynthText.zip'
    with zipfile.ZipFile(archive_path, 'w') as archive:
        for name in ('gt.mat', '1/ant_1_0.jpg', '1/ant_1_1.jpg', '2/bee_2_0.jpg'):
            archive.write(synth_root / name, f'SynthText/{name}')
    dataset = SynthTextDataset(
        data_root=str(archive_path),
        ann_file='SynthText/gt.mat',
        img_dir='SynthText',
        limit=2,
        strict=True)
    assert len(dataset) == 2
    img_path = dataset.get_data_info(1)['img_path']
    assert img_path == str(tmp_path / 'SynthText_extracted' / 'SynthText' / '1' / 'ant_1_1.jpg')
    assert osp.isfile(img_path)
    assert not osp.exists(tmp_path / 'SynthText_extracted' / 'SynthText' / '2')  # not selected


def test_missing_root_or_annotation(tmp_path):
    with pytest.raises(FileNotFoundError, match=str(tmp_path / 'nowhere')):
        SynthTextDataset(data_root=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match=str(tmp_path / 'gt.mat')):
        SynthTextDataset(data_root=str(tmp_path), lazy_init=True)

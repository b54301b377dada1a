"""tools/make_synthetic_dataset.py: format, determinism, labels that match the pixels, a fixed
image size, hold-out splits (the demo's style, typeset; the rendering itself:
tests/test_synthetic)."""
import os.path as osp

import cv2
import numpy as np
import pytest

from textboxes_retina.datasets import ICDAR2015Dataset
from textboxes_retina.testing import load_tool


@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/make_synthetic_dataset.py')


@pytest.fixture(scope='module')
def generated(tool, tmp_path_factory):
    out = tmp_path_factory.mktemp('synthetic')
    tool.main([
        '--out-dir',
        str(out), '--split', 'train', 'test', '--num-images', '12', '3', '--seed', '3', '--style',
        'typeset', '--no-progress'
    ])
    return out


def test_icdar2015_layout_bom_crlf(generated):
    for split, count in (('train', 12), ('test', 3)):
        for i in range(1, count + 1):
            assert osp.isfile(generated / split / 'imgs' / f'img_{i}.jpg')
            data = (generated / split / 'gts' / f'gt_img_{i}.txt').read_bytes()
            assert data.startswith(b'\xef\xbb\xbf') and data.endswith(b'\r\n')
            assert b'\n' not in data.replace(b'\r\n', b'')
    assert not osp.exists(generated / 'train' / 'imgs' / 'img_13.jpg')


def test_strict_parse_and_labels_inside_images(generated):
    dataset = ICDAR2015Dataset(
        data_root=str(generated / 'train'), img_dir='imgs', ann_dir='gts', strict=True)
    assert len(dataset) == 12
    words = dont_care = 0
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        assert 320 <= info['height'] <= 512 and 320 <= info['width'] <= 512
        for inst in info['instances']:
            poly = np.array(inst['polygon']).reshape(4, 2)
            assert poly.min() >= 0 and (poly[:, 0].max() <= info['width']) and \
                (poly[:, 1].max() <= info['height'])
            # clockwise in image coordinates (y down): positive shoelace sum
            x, y = poly[:, 0], poly[:, 1]
            assert np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y) > 0
            words += 1
            dont_care += inst['ignore']
    assert words >= 12 and 0 < dont_care < words / 2


def test_words_are_visible_inside_their_quads(generated):
    dataset = ICDAR2015Dataset(data_root=str(generated / 'train'), img_dir='imgs', ann_dir='gts')
    contrasts = []
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        img = cv2.imread(info['img_path']).astype(np.float32)
        for inst in info['instances']:
            if inst['ignore']:
                continue
            mask = np.zeros(img.shape[:2], np.uint8)
            cv2.fillPoly(mask, [np.round(np.reshape(inst['polygon'], (4, 2))).astype(np.int32)], 1)
            # letters against their background: a wide spread of values inside the quad
            inside = img[mask.astype(bool)].mean(axis=1)
            contrasts.append(np.percentile(inside, 95) - np.percentile(inside, 5))
    assert np.median(contrasts) > 80 and min(contrasts) > 30


def test_deterministic_from_seed_and_independent_of_count(tool, tmp_path):
    first, second, other = tmp_path / 'a', tmp_path / 'b', tmp_path / 'c'
    tool.main([
        '--out-dir',
        str(first), '--num-images', '3', '--seed', '5', '--style', 'typeset', '--no-progress'
    ])
    tool.main([
        '--out-dir',
        str(second), '--num-images', '2', '--seed', '5', '--style', 'typeset', '--no-progress'
    ])
    tool.main([
        '--out-dir',
        str(other), '--num-images', '2', '--seed', '6', '--style', 'typeset', '--no-progress'
    ])
    for name in ('imgs/img_1.jpg', 'imgs/img_2.jpg', 'gts/gt_img_2.txt'):
        assert (first / 'train' / name).read_bytes() == (second / 'train' / name).read_bytes()
    assert (first / 'train' / 'imgs/img_1.jpg').read_bytes() != \
        (other / 'train' / 'imgs/img_1.jpg').read_bytes()


@pytest.mark.timeout(120)  # about 30 images a second on one busy core; `make demo` times it
def test_fixed_image_size(tool, tmp_path):
    tool.main([
        '--out-dir',
        str(tmp_path), '--num-images', '40', '--img-size', '384', '--style', 'typeset',
        '--no-progress'
    ])
    for name in ('img_1.jpg', 'img_40.jpg'):
        img = cv2.imread(str(tmp_path / 'train' / 'imgs' / name))
        assert img.shape == (384, 384, 3)


def test_argument_errors(tool):
    with pytest.raises(SystemExit):
        tool.parse_args(['--split', 'a', 'b', 'c', '--num-images', '1', '2'])
    with pytest.raises(SystemExit):
        tool.parse_args(['--img-size', '32'])


@pytest.mark.timeout(120)
def test_hershey_style_still_available(tool, tmp_path):
    tool.main(
        ['--out-dir',
         str(tmp_path), '--num-images', '2', '--style', 'hershey', '--no-progress'])
    assert len(list((tmp_path / 'train' / 'imgs').glob('*.jpg'))) == 2


@pytest.mark.timeout(120)
def test_holdout_splits_use_only_the_held_out_family_and_background(tool):
    held_out = tool.typeset_renderer(True, 'Lato', 'tiles').keywords
    others = tool.typeset_renderer(False, 'Lato', 'tiles').keywords
    assert held_out['background_styles'] == ['tiles']
    assert held_out['font_files'] and all('Lato' in osp.basename(f) for f in held_out['font_files'])
    assert 'tiles' not in others['background_styles'] and len(others['background_styles']) == 5
    assert not set(held_out['font_files']) & set(others['font_files'])
    with pytest.raises(SystemExit):  # a held-out split needs both
        tool.parse_args(['--split', 'a', 'b', '--holdout-splits', 'b'])
    with pytest.raises(SystemExit):  # not a split
        tool.parse_args([
            '--split', 'a', '--holdout-family', 'Lato', '--holdout-background', 'tiles',
            '--holdout-splits', 'b'
        ])
    with pytest.raises(SystemExit):  # not an installed family
        tool.parse_args(['--holdout-family', 'No Such Family'])


@pytest.mark.timeout(120)
def test_workers_do_not_change_the_files(tool, tmp_path):
    args = [
        '--split', 'train', 'ood', '--num-images', '6', '--seed', '2', '--no-progress', '--style',
        'typeset', '--holdout-family', 'Lato', '--holdout-background', 'tiles', '--holdout-splits',
        'ood'
    ]
    tool.main(['--out-dir', str(tmp_path / 'one'), *args])
    tool.main(['--out-dir', str(tmp_path / 'two'), '--workers', '2', *args])
    for split in ('train', 'ood'):
        for sub, pattern in (('imgs', '*.jpg'), ('gts', '*.txt')):
            files = sorted((tmp_path / 'one' / split / sub).glob(pattern))
            assert len(files) == 6
            for f in files:
                assert f.read_bytes() == (tmp_path / 'two' / split / sub / f.name).read_bytes()


@pytest.mark.timeout(120)
@pytest.mark.parametrize('option', ['--thin-strokes', '--letter-spaced'])
def test_styles_change_the_training_splits_not_the_held_out_ones(tool, tmp_path, option):
    args = [
        '--split', 'train', 'ood', '--num-images', '4', '--seed', '5', '--no-progress', '--style',
        'typeset', '--holdout-family', 'Lato', '--holdout-background', 'tiles', '--holdout-splits',
        'ood'
    ]
    tool.main(['--out-dir', str(tmp_path / 'plain'), *args])
    tool.main(['--out-dir', str(tmp_path / 'thin'), option, '1', *args])

    def files(root, split):
        return [f.read_bytes() for f in sorted((root / split / 'imgs').glob('*.jpg'))]

    assert files(tmp_path / 'plain', 'ood') == files(tmp_path / 'thin', 'ood')
    plain, thin = files(tmp_path / 'plain', 'train'), files(tmp_path / 'thin', 'train')
    assert len(plain) == len(thin) == 4 and all(a != b for a, b in zip(plain, thin))
    key = option[2:].replace('-', '_')
    assert tool.typeset_renderer(False, **{key: 0.3}).keywords[key] == 0.3
    assert tool.typeset_renderer(True, 'Lato', 'tiles', **{key: 0.3}).keywords[key] == 0
    for bad in ([option, '1.5'], [option, '-0.1'], [option, '0.2', '--style', 'hershey']):
        with pytest.raises(SystemExit):
            tool.parse_args(bad)


@pytest.mark.timeout(60)
def test_holdout_files_pick_the_held_out_family_files_by_name(tool):
    lato = {osp.basename(f) for f in tool.find_font_families()['Lato']}
    thin = tool.typeset_renderer(True, 'Lato', 'tiles', holdout_files='Thin').keywords
    others = tool.typeset_renderer(True, 'Lato', 'tiles', holdout_files='^(?!.*Thin)').keywords
    thin_names = {osp.basename(f) for f in thin['font_files']}
    other_names = {osp.basename(f) for f in others['font_files']}
    assert thin_names == {name for name in lato if 'Thin' in name} and len(thin_names) == 2
    assert other_names == lato - thin_names
    with pytest.raises(ValueError, match='no file of the font family'):
        tool.typeset_renderer(True, 'Lato', 'tiles', holdout_files='Hairline')
    held_out = ['--holdout-family', 'Lato', '--holdout-background', 'tiles']
    with pytest.raises(SystemExit):  # a held-out split to draw
        tool.parse_args([*held_out, '--holdout-files', 'Thin'])
    with pytest.raises(SystemExit):  # not a regular expression
        tool.parse_args([*held_out, '--holdout-splits', 'train', '--holdout-files', '(Thin'])
    with pytest.raises(SystemExit):  # no file matches: said on the command line
        tool.parse_args([*held_out, '--holdout-splits', 'train', '--holdout-files', 'Hairline'])

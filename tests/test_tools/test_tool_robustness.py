"""tools/infer.py and tools/test.py with bad inputs: a broken image among good ones, clashing
output names, EXIF-rotated photos, output paths that cannot be written, bad arguments, and a
checkpoint of another config. See docs/reliability.md."""
import json
import os.path as osp
import shutil

import cv2
import numpy as np
import pytest
import torch
from PIL import Image, ImageOps

pytestmark = pytest.mark.timeout(180)

SMALL_CONFIG = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'
# A random model scores about 0.01: keep its best quads.
TOP_QUADS = [
    '--cfg-options', 'model.test_cfg.score_thr=0.0', 'model.test_cfg.nms_pre=100',
    'model.test_cfg.max_per_img=50'
]


@pytest.fixture(scope='module')
def small_model(repo_root):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmocr.registry import MODELS
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(Config.fromfile(osp.join(repo_root, SMALL_CONFIG)).model)
    model.init_weights()
    return model


@pytest.fixture(scope='module')
def checkpoints(small_model, tmp_path_factory):
    """A checkpoint of the small model, and one that does not fit it (another head width, a
    missing and an extra key)."""
    from mmengine.runner import save_checkpoint
    folder = tmp_path_factory.mktemp('checkpoints')
    state = small_model.state_dict()
    save_checkpoint(dict(state_dict=state, meta=dict()), str(folder / 'good.pth'))
    other = dict(state)
    cls_key = next(key for key in other if key.endswith('retina_cls.weight'))
    other[cls_key] = torch.zeros(other[cls_key].shape[0] * 2, *other[cls_key].shape[1:])
    missing = next(key for key in other if key.endswith('retina_reg.bias'))
    del other[missing]
    other['neck.extra.weight'] = torch.zeros(3)
    save_checkpoint(dict(state_dict=other, meta=dict()), str(folder / 'other.pth'))
    return dict(
        good=str(folder / 'good.pth'),
        other=str(folder / 'other.pth'),
        cls_key=cls_key,
        missing=missing)


@pytest.fixture
def images(tmp_path, repo_root):
    folder = tmp_path / 'imgs'
    folder.mkdir()
    for name in ('img_1.jpg', 'img_2.jpg'):
        image = cv2.imread(osp.join(repo_root, 'tests/data/icdar2015_toy/imgs', name))
        cv2.imwrite(str(folder / name), cv2.resize(image, (320, 180)))
    return folder


def test_broken_images_are_reported_and_skipped_the_rest_is_written(infer_tool, checkpoints, images,
                                                                    tmp_path, repo_root,
                                                                    monkeypatch, capsys):
    monkeypatch.chdir(repo_root)
    (images / 'empty.jpg').write_bytes(b'')
    (images / 'broken.png').write_bytes(b'\x89PNG\r\n\x1a\n not really')
    out_dir = tmp_path / 'out'
    skipped = infer_tool.main([
        SMALL_CONFIG, checkpoints['good'],
        str(images), '--out-dir',
        str(out_dir), '--batch-size', '2', *TOP_QUADS
    ])
    assert skipped == 2
    err = capsys.readouterr().err
    for name in ('empty.jpg', 'broken.png'):
        assert f'cannot read {images / name}' in err
    for name in ('img_1', 'img_2'):  # the good images' outputs are all there
        assert len(json.loads((out_dir / 'preds' / f'{name}.json').read_text())['scores']) > 0
        assert (out_dir / 'txt' / f'res_{name}.txt').is_file()
        assert (out_dir / 'vis' / f'{name}.jpg').is_file()
    assert not (out_dir / 'preds' / 'empty.json').exists()


def test_same_stem_inputs_fail_before_any_work(infer_tool, images, tmp_path):
    other = tmp_path / 'other'
    other.mkdir()
    shutil.copy(images / 'img_1.jpg', other / 'img_1.png')
    # The config does not exist: the clash must be found before it is even read.
    with pytest.raises(ValueError) as info:
        infer_tool.main(['missing_config.py', 'missing.pth', str(images), str(other)])
    assert str(info.value).startswith(
        f'1 output name(s) shared by several input images, whose outputs would overwrite each '
        f'other: img_1: {images / "img_1.jpg"}, {other / "img_1.png"}.')


def test_exif_rotated_photo_is_predicted_and_drawn_upright(infer_tool, checkpoints, tmp_path,
                                                           repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    stored = Image.open(osp.join(repo_root, 'tests/data/icdar2015_toy/imgs/img_1.jpg'))
    stored = stored.resize((320, 160))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 degrees clockwise to display
    photo = tmp_path / 'photo.jpg'
    stored.save(photo, exif=exif, quality=95)
    upright = np.asarray(ImageOps.exif_transpose(Image.open(photo)))  # the oracle: PIL
    assert upright.shape == (320, 160, 3)

    array = infer_tool.read_image(str(photo))
    assert array.shape == upright.shape
    assert np.abs(array[..., ::-1].astype(int) - upright).mean() < 3

    out_dir = tmp_path / 'out'
    assert infer_tool.main(
        [SMALL_CONFIG, checkpoints['good'],
         str(photo), '--out-dir',
         str(out_dir), *TOP_QUADS]) == 0
    assert cv2.imread(str(out_dir / 'vis' / 'photo.jpg')).shape == upright.shape
    polygons = np.array(json.loads((out_dir / 'preds' / 'photo.json').read_text())['polygons'])
    # Quads lie in the upright 160 x 320 frame (clipped there), not in the stored 320 x 160 one.
    assert polygons[:, 0::2].max() <= 160 and polygons[:, 1::2].max() > 160


@pytest.mark.parametrize('argv,message', [
    (['--batch-size', '0'], 'argument --batch-size: must be at least 1, got 0'),
    (['--batch-size', 'two'], "argument --batch-size: expected a whole number, got 'two'"),
    (['--cfg-options', 'model.test_cfg.score_thr'
      ], "argument --cfg-options: expected KEY=VALUE, got 'model.test_cfg.score_thr'"),
])
def test_infer_argument_errors(infer_tool, capsys, argv, message):
    with pytest.raises(SystemExit) as info:
        infer_tool.parse_args(['cfg.py', 'ckpt.pth', 'img.jpg', *argv])
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_out_dir_that_is_a_file_fails_before_inference(infer_tool, tmp_path, capsys):
    out = tmp_path / 'results'
    out.write_text('a file')
    with pytest.raises(SystemExit):
        infer_tool.parse_args(['cfg.py', 'ckpt.pth', 'img.jpg', '--out-dir', str(out)])
    assert f'--out-dir {out} exists and is not a folder' in capsys.readouterr().err


@pytest.mark.parametrize('tool', ['train_tool', 'test_tool'])
def test_cfg_options_without_equals_sign(tool, request, capsys):
    module = request.getfixturevalue(tool)
    argv = ['cfg.py'] + (['ckpt.pth'] if tool == 'test_tool' else [])
    with pytest.raises(SystemExit):
        module.parse_args(argv + ['--cfg-options', 'a=1', 'train_cfg.max_iters'])
    assert "expected KEY=VALUE, got 'train_cfg.max_iters'" in capsys.readouterr().err


def test_submission_zip_that_is_a_folder_fails_before_testing(test_tool, tmp_path, capsys):
    with pytest.raises(SystemExit):
        test_tool.parse_args(['cfg.py', 'ckpt.pth', '--submission-zip', str(tmp_path)])
    assert f'--submission-zip {tmp_path} is a folder' in capsys.readouterr().err
    assert test_tool.parse_args(['cfg.py', 'ckpt.pth']).strict_load is True
    assert test_tool.parse_args(['cfg.py', 'ckpt.pth', '--no-strict-load']).strict_load is False


def test_checkpoint_of_another_config_is_refused_naming_the_keys(small_model, checkpoints):
    from textboxes_retina.utils import check_checkpoint_fits
    check_checkpoint_fits(small_model, checkpoints['good'])
    with pytest.raises(RuntimeError) as info:
        check_checkpoint_fits(small_model, checkpoints['other'])
    message = str(info.value)
    shape = tuple(small_model.state_dict()[checkpoints['cls_key']].shape)
    wrong = (shape[0] * 2, *shape[1:])
    assert f"1 parameter(s) differ in shape: {checkpoints['cls_key']}: checkpoint {wrong}, " \
        f'model {shape}' in message
    assert f"1 missing from the checkpoint: {checkpoints['missing']}" in message
    assert '1 not in the model: neck.extra.weight' in message
    assert '--no-strict-load' in message


def test_infer_refuses_a_checkpoint_of_another_config(infer_tool, checkpoints, images, tmp_path,
                                                      repo_root, monkeypatch):
    monkeypatch.chdir(repo_root)
    out_dir = tmp_path / 'out'
    with pytest.raises(RuntimeError, match=checkpoints['cls_key']):
        infer_tool.main(
            [SMALL_CONFIG, checkpoints['other'],
             str(images), '--out-dir',
             str(out_dir)])
    assert not out_dir.exists()  # nothing was inferred
    assert infer_tool.main([
        SMALL_CONFIG, checkpoints['other'],
        str(images / 'img_1.jpg'), '--out-dir',
        str(out_dir), '--no-strict-load', '--no-save-vis'
    ]) == 0
    assert (out_dir / 'preds' / 'img_1.json').is_file()


def test_test_tool_refuses_a_checkpoint_of_another_config(test_tool, checkpoints, tmp_path,
                                                          repo_root, monkeypatch):
    import subprocess
    import sys
    monkeypatch.chdir(repo_root)
    data = tmp_path / 'data'
    subprocess.run([
        sys.executable, 'tools/make_synthetic_dataset.py', '--out-dir',
        str(data), '--split', 'test', '--num-images', '1', '--img-size', '128', '--seed', '1',
        '--no-progress'
    ],
                   check=True,
                   capture_output=True)
    with pytest.raises(RuntimeError, match=checkpoints['cls_key']):
        test_tool.main([
            SMALL_CONFIG, checkpoints['other'], '--work-dir',
            str(tmp_path / 'w'), '--cfg-options',
            f"test_dataloader.dataset.data_root={data / 'test'}", 'test_dataloader.num_workers=0',
            'test_dataloader.persistent_workers=False'
        ])
    assert not list((tmp_path / 'w').glob('*/*.json'))  # no metrics: nothing was tested

"""tools/train.py and tools/test.py: MMDetection's arguments and their effect on the config."""
import os.path as osp

import pytest

TRAIN_FLAGS = {
    '--work-dir', '--resume', '--amp', '--auto-scale-lr', '--cfg-options', '--launcher',
    '--local_rank', '--local-rank'
}
TEST_FLAGS = {
    '--work-dir', '--out', '--show', '--show-dir', '--wait-time', '--cfg-options', '--launcher',
    '--tta', '--submission-zip', '--local_rank', '--local-rank'
}


@pytest.fixture
def config_file(tmp_path, repo_root):
    """A config on the runtime and Adam schedule bases, with a test dataset at tmp_path."""
    path = tmp_path / 'toy_config.py'
    base = osp.join(repo_root, 'configs', '_base_')
    path.write_text(
        f"_base_ = [{osp.join(base, 'default_runtime.py')!r}, "
        f"{osp.join(base, 'schedules', 'schedule_adam_2k.py')!r}]\n"
        "model = dict(type='ModelThatMustNotBeBuilt')\n"
        f"test_dataloader = dict(dataset=dict(type='OCRDataset', data_root={str(tmp_path)!r}, "
        "pipeline=[dict(type='LoadImageFromFile'), dict(type='PackTextDetInputs')]))\n"
        "test_evaluator = dict(type='HmeanIOUMetric')\n")
    return str(path)


def _flags(capsys, module, argv):
    """The option strings a tool's parser accepts, read from its --help."""
    with pytest.raises(SystemExit):
        module.parse_args(argv + ['--help'])
    help_text = capsys.readouterr().out
    return {token.rstrip(',') for token in help_text.split() if token.startswith('--')}


def test_train_accepts_mmdetection_flags(train_tool, capsys):
    assert TRAIN_FLAGS <= _flags(capsys, train_tool, ['cfg.py'])
    args = train_tool.parse_args(['cfg.py', '--launcher', 'pytorch', '--local-rank', '1'])
    assert (args.launcher, args.local_rank, args.resume) == ('pytorch', 1, None)
    with pytest.raises(SystemExit):
        train_tool.parse_args(['cfg.py', '--launcher', 'ray'])


def test_test_accepts_mmdetection_flags(test_tool, capsys):
    assert TEST_FLAGS <= _flags(capsys, test_tool, ['cfg.py', 'ckpt.pth'])
    args = test_tool.parse_args(['cfg.py', 'ckpt.pth', '--local_rank', '2', '--tta'])
    assert (args.checkpoint, args.local_rank, args.tta, args.wait_time) == ('ckpt.pth', 2, True, 2)


def test_train_config_work_dir_and_cfg_options(train_tool, config_file):
    cfg = train_tool.build_config(
        train_tool.parse_args(
            [config_file, '--cfg-options', 'train_cfg.max_iters=7', 'randomness.seed=3']))
    assert cfg.work_dir == osp.join('./work_dirs', 'toy_config')
    assert (cfg.train_cfg.max_iters, cfg.randomness.seed, cfg.launcher) == (7, 3, 'none')
    cfg = train_tool.build_config(train_tool.parse_args([config_file, '--work-dir', 'w']))
    assert cfg.work_dir == 'w'


def test_train_resume(train_tool, config_file):
    cfg = train_tool.build_config(train_tool.parse_args([config_file, '--resume']))
    assert cfg.resume is True and cfg.load_from is None  # latest checkpoint of work_dir
    cfg = train_tool.build_config(train_tool.parse_args([config_file, '--resume', 'a.pth']))
    assert cfg.resume is True and cfg.load_from == 'a.pth'
    cfg = train_tool.build_config(train_tool.parse_args([config_file]))
    assert cfg.resume is False


def test_train_amp_and_auto_scale_lr(train_tool, config_file):
    cfg = train_tool.build_config(train_tool.parse_args([config_file]))
    assert cfg.optim_wrapper.type == 'NonFiniteLossGuardOptimWrapper'
    assert cfg.auto_scale_lr == dict(base_batch_size=8, enable=False)
    cfg = train_tool.build_config(train_tool.parse_args([config_file, '--amp', '--auto-scale-lr']))
    # The guard keeps its settings under mixed precision (issue 12).
    assert cfg.optim_wrapper.type == 'AmpNonFiniteLossGuardOptimWrapper'
    assert cfg.optim_wrapper.loss_scale == 'dynamic'
    assert cfg.optim_wrapper.on_non_finite == 'raise'
    assert cfg.auto_scale_lr.enable is True


def test_test_config(test_tool, config_file, tmp_path):
    out = str(tmp_path / 'preds.pkl')
    cfg = test_tool.build_config(
        test_tool.parse_args(
            [config_file, 'ckpt.pth', '--out', out, '--show-dir', 'shown', '--work-dir', 'w']))
    assert cfg.load_from == 'ckpt.pth'
    assert cfg.test_evaluator == [
        dict(type='HmeanIOUMetric'),
        dict(type='DumpResults', out_file_path=out)
    ]
    hook = cfg.default_hooks.visualization
    assert (hook.type, hook.enable, hook.draw_gt,
            hook.draw_pred, hook.test_out_dir) == ('QuadVisualizationHook', True, True, True,
                                                   osp.join('w', 'shown'))
    assert 'show' not in hook
    cfg = test_tool.build_config(
        test_tool.parse_args([config_file, 'ckpt.pth', '--show-dir',
                              str(tmp_path / 'abs')]))
    assert cfg.default_hooks.visualization.test_out_dir == str(tmp_path / 'abs')
    with pytest.raises(AssertionError, match='pkl'):
        test_tool.build_config(test_tool.parse_args([config_file, 'c.pth', '--out', 'x.json']))


def test_test_show_and_submission_zip(test_tool, config_file, tmp_path):
    zip_path = str(tmp_path / 'submit.zip')
    cfg = test_tool.build_config(
        test_tool.parse_args([
            config_file, 'c.pth', '--show', '--wait-time', '0.5', '--submission-zip', zip_path,
            '--cfg-options', 'test_evaluator.type=IC13DetEvalMetric', 'test_evaluator.score_thr=0.5'
        ]))
    hook = cfg.default_hooks.visualization
    assert (hook.enable, hook.show, hook.wait_time) == (True, True, 0.5)
    assert 'test_out_dir' not in hook
    assert cfg.test_evaluator == [
        dict(type='IC13DetEvalMetric', score_thr=0.5),
        dict(type='ICDARSubmissionWriter', zip_path=zip_path, protocol='ic13', score_thr=0.5)
    ]


def test_test_tta(test_tool, config_file, tmp_path):
    with pytest.raises(RuntimeError, match='tta_model'):
        test_tool.build_config(test_tool.parse_args([config_file, 'c.pth', '--tta']))
    tta_config = tmp_path / 'toy_tta.py'
    tta_config.write_text(
        "_base_ = 'toy_config.py'\n"
        "tta_model = dict(type='SomeTTAModel')\n"
        "tta_pipeline = [dict(type='LoadImageFromFile'), dict(type='TestTimeAug')]\n")
    cfg = test_tool.build_config(test_tool.parse_args([str(tta_config), 'c.pth', '--tta']))
    assert cfg.model == dict(type='SomeTTAModel', module=dict(type='ModelThatMustNotBeBuilt'))
    assert cfg.test_dataloader.dataset.pipeline[-1] == dict(type='TestTimeAug')


def test_wrong_data_path_fails_before_the_model_is_built(train_tool, test_tool, config_file,
                                                         tmp_path):
    missing = str(tmp_path / 'no_such_icdar2015')
    options = ['--cfg-options', f'test_dataloader.dataset.data_root={missing}']
    # The model type is not registered: building it would raise a KeyError instead.
    with pytest.raises(FileNotFoundError, match='test_dataloader.dataset.data_root: ' + missing):
        test_tool.main([config_file, 'c.pth', '--work-dir', str(tmp_path)] + options)
    train_config = tmp_path / 'toy_train.py'
    train_config.write_text(
        "_base_ = 'toy_config.py'\n"
        "train_dataloader = dict(batch_size=1, dataset=dict(type='RepeatDataset', times=2, "
        "dataset=dict(type='ConcatDataset', datasets=[{{_base_.test_dataloader.dataset}}, "
        f"dict(type='OCRDataset', data_root={missing!r}, pipeline=[])])))\n")
    with pytest.raises(FileNotFoundError) as error:
        train_tool.main([str(train_config), '--work-dir', str(tmp_path)])
    assert f'train_dataloader.dataset.dataset.datasets[1].data_root: {missing}' in str(error.value)
    assert 'datasets[0]' not in str(error.value)

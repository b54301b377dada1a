from pathlib import Path

import pytest
import torch
import torch.distributed as torch_dist
from mmengine.config import Config

from textboxes_retina.engine import check_data_paths, setup_distributed, teardown_distributed


def _dataloader(dataset):
    return dict(batch_size=1, dataset=dataset)


def test_check_data_paths_accepts_existing_paths(tmp_path):
    (tmp_path / 'imgs').mkdir()
    (tmp_path / 'ann.json').write_text('{}')
    cfg = Config(
        dict(
            train_dataloader=_dataloader(
                dict(
                    type='OCRDataset',
                    data_root=str(tmp_path),
                    ann_file='ann.json',
                    data_prefix=dict(img_path='imgs/'))),
            val_dataloader=None,
            test_dataloader=_dataloader(
                dict(
                    type='OCRDataset',
                    data_root='s3://bucket/icdar2015',
                    ann_file='',
                    data_prefix={}))))
    check_data_paths(cfg, ('train_dataloader', 'val_dataloader', 'test_dataloader', 'absent'))


def test_check_data_paths_accepts_archives(tmp_path):
    (tmp_path / 'ch4_training_images.zip').write_bytes(b'PK')
    (tmp_path / 'gts').mkdir()
    (tmp_path / 'SynthText.zip').write_bytes(b'PK')
    cfg = Config(
        dict(
            train_dataloader=_dataloader(
                dict(
                    type='ConcatDataset',
                    datasets=[
                        dict(
                            type='ICDAR2015Dataset',
                            data_root=str(tmp_path),
                            img_dir=['ch4_training_images', 'gts'],
                            ann_dir='gts'),
                        # members of the archive, not checked
                        dict(
                            type='SynthTextDataset',
                            data_root=str(tmp_path / 'SynthText.zip'),
                            ann_file='SynthText/gt.mat',
                            img_dir='SynthText')
                    ]))))
    check_data_paths(cfg, ('train_dataloader', ))
    cfg.train_dataloader.dataset.datasets[0].img_dir.append('more_images')
    with pytest.raises(FileNotFoundError, match=r'datasets\[0\].img_dir\[2\]: .*more_images'):
        check_data_paths(cfg, ('train_dataloader', ))


def test_file_list_names_are_not_paths_but_a_file_list_file_is(tmp_path):
    (tmp_path / 'ch4_test_images').mkdir()
    dataset = dict(
        type='ICDAR2015Dataset',
        data_root=str(tmp_path),
        img_dir='ch4_test_images',
        file_list=['img_1', 'img_2.jpg'])
    check_data_paths(Config(dict(test_dataloader=_dataloader(dataset))), ('test_dataloader', ))
    dataset['file_list'] = 'subset.txt'
    with pytest.raises(FileNotFoundError, match=r'test_dataloader.dataset.file_list: .*subset'):
        check_data_paths(Config(dict(test_dataloader=_dataloader(dataset))), ('test_dataloader', ))
    (tmp_path / 'subset.txt').write_text('img_1\n')
    check_data_paths(Config(dict(test_dataloader=_dataloader(dataset))), ('test_dataloader', ))


def test_check_data_paths_names_every_missing_path_through_wrappers(tmp_path):
    (tmp_path / 'ok').mkdir()
    good = dict(type='OCRDataset', data_root=str(tmp_path / 'ok'))
    missing_root = str(tmp_path / 'icdar2013')
    cfg = Config(
        dict(
            train_dataloader=_dataloader(
                dict(
                    type='RepeatDataset',
                    times=3,
                    dataset=dict(
                        type='ConcatDataset',
                        datasets=[
                            good,
                            dict(type='OCRDataset', data_root=missing_root, ann_file='gt.json'),
                            dict(
                                type='OCRDataset',
                                data_root=str(tmp_path / 'ok'),
                                ann_file='missing.json',
                                data_prefix=dict(img_path=str(tmp_path / 'abs_imgs'))),
                        ])))))
    with pytest.raises(FileNotFoundError) as error:
        check_data_paths(cfg, ('train_dataloader', ))
    lines = str(error.value).splitlines()[1:]
    where = 'train_dataloader.dataset.dataset.datasets'
    assert [line.split(' (not found')[0].strip() for line in lines] == [
        # gt.json under the missing root is not listed again
        f'{where}[1].data_root: {missing_root}',
        f"{where}[2].ann_file: {tmp_path / 'ok' / 'missing.json'}",
        f"{where}[2].data_prefix.img_path: {tmp_path / 'abs_imgs'}",
    ]


@pytest.fixture(params=[False, True], ids=['no-cuda', 'cuda'])
def cuda(request, monkeypatch):
    """Whether CUDA is available, as ``setup_distributed`` sees it (both on every machine)."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: request.param)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2 if request.param else 0)
    return request.param


@pytest.mark.timeout(30)
def test_backend_resolution(cuda):
    auto = 'nccl' if cuda else 'gloo'
    for dist_cfg, expected in [(dict(backend='auto'), auto), (dict(), auto),
                               (dict(backend=None), auto), (dict(backend='nccl'), auto),
                               (dict(backend='gloo'), 'gloo'), (dict(backend='mpi'), 'mpi')]:
        cfg = Config(dict(launcher='none', env_cfg=dict(dist_cfg=dist_cfg)))
        setup_distributed(cfg)
        assert cfg.env_cfg.dist_cfg.backend == expected, dist_cfg
        assert 'model_wrapper_cfg' not in cfg
    cfg = Config(dict(launcher='none'))
    setup_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == auto


@pytest.mark.timeout(30)
def test_default_runtime_names_nccl_as_openmmlab_tools_expect():
    """MMOCR's own tools pass the config's backend to torch unchanged: it must be a real one."""
    cfg = Config.fromfile(str(Path(__file__).parents[2] / 'configs/_base_/default_runtime.py'))
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'


@pytest.mark.timeout(30)
@pytest.mark.parametrize('launcher', ['pytorch', 'slurm', 'mpi'])
def test_with_cuda_the_runner_initialises_nccl_itself(launcher, monkeypatch):
    """With CUDA, nothing is initialised here and DDP keeps mmengine's ``device_ids``."""
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.setenv('LOCAL_RANK', '1')
    cfg = Config(dict(launcher=launcher, env_cfg=dict(dist_cfg=dict(backend='nccl'))))
    setup_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'nccl' and 'model_wrapper_cfg' not in cfg
    assert not torch_dist.is_initialized()


@pytest.mark.timeout(30)
def test_more_processes_than_gpus_are_refused_clearly(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(torch.cuda, 'device_count', lambda: 2)
    monkeypatch.setenv('LOCAL_RANK', '2')
    with pytest.raises(RuntimeError, match=r'LOCAL_RANK=2 needs GPU 2, but 2 GPU\(s\)'):
        setup_distributed(Config(dict(launcher='pytorch')))


@pytest.mark.timeout(30)
@pytest.mark.parametrize('launcher', ['slurm', 'mpi'])
def test_cpu_cluster_launchers_are_refused(launcher, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    with pytest.raises(RuntimeError, match='torchrun'):
        setup_distributed(Config(dict(launcher=launcher)))


def test_cpu_pytorch_launcher_initialises_gloo(monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)  # also on a GPU machine
    # Port 0: rank 0's store binds a free port itself (no bind-then-release race).
    for key, value in dict(
            RANK='0', WORLD_SIZE='1', LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
            MASTER_PORT='0').items():
        monkeypatch.setenv(key, value)
    cfg = Config(
        dict(
            launcher='pytorch',
            find_unused_parameters=True,
            env_cfg=dict(dist_cfg=dict(backend='nccl', timeout=60))))
    try:
        setup_distributed(cfg)
        assert torch_dist.is_initialized()
        assert torch_dist.get_backend() == 'gloo'
        assert cfg.model_wrapper_cfg == dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=True,
            device_ids=None)
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()


@pytest.mark.timeout(120)
@pytest.mark.skipif(
    not (torch.cuda.is_available() and torch_dist.is_nccl_available()),
    reason='needs a CUDA GPU and nccl (tools/gpu_check.sh runs it)')
def test_nccl_process_group_on_cuda(monkeypatch):
    """The nccl branch for real: the resolved backend, initialised as mmengine's ``init_dist``
    does (without its process-wide ``set_start_method('spawn')``)."""
    # Port 0: rank 0's store binds a free port itself.
    for key, value in dict(
            RANK='0', WORLD_SIZE='1', LOCAL_RANK='0', MASTER_ADDR='127.0.0.1',
            MASTER_PORT='0').items():
        monkeypatch.setenv(key, value)
    cfg = Config(dict(launcher='pytorch', env_cfg=dict(dist_cfg=dict(backend='auto'))))
    setup_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'nccl' and not torch_dist.is_initialized()
    torch.cuda.set_device(0)
    torch_dist.init_process_group(backend=cfg.env_cfg.dist_cfg.backend)
    try:
        assert torch_dist.get_backend() == 'nccl'
        value = torch.ones(2, device='cuda')
        torch_dist.all_reduce(value)
        assert value.tolist() == [1.0, 1.0]
    finally:
        teardown_distributed()


def test_teardown_destroys_the_process_group_and_is_a_no_op_without_one(tmp_path):
    teardown_distributed()  # nothing initialised: must not raise
    torch_dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path / "store"}', rank=0, world_size=1)
    try:
        teardown_distributed()
        assert not torch_dist.is_initialized()
    finally:
        if torch_dist.is_initialized():
            torch_dist.destroy_process_group()

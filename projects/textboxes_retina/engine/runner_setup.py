# Copyright (c) textboxes_retina authors.
"""What ``tools/train.py`` and ``tools/test.py`` share: their common arguments, loading the
config, and the checks and settings applied before the Runner is built.

- :func:`add_runner_arguments` / :func:`load_config`: MMDetection's ``--work-dir``,
  ``--cfg-options``, ``--launcher``, ``--local_rank`` and their effect on the config.
- :func:`build_runner`: :func:`check_data_paths`, :func:`setup_distributed`, then
  ``Runner.from_cfg`` (or the config's ``runner_type``).
- :func:`check_data_paths` fails fast, before the model is built, when a dataset config names a
  data root, annotation file or image folder that does not exist.
- :func:`setup_distributed` picks the communication backend (``'gloo'`` on CPU, ``'nccl'`` with
  CUDA), makes CPU-only distributed runs work with mmengine's Runner and refuses more processes
  than GPUs with a clear message.
- :func:`teardown_distributed` waits for every rank and destroys the process group once the run
  is over, so that no rank exits while gloo's threads still run (which aborts the process with
  ``terminate called without an active exception``).
"""
import argparse
import datetime
import os
import os.path as osp
from typing import List, Sequence

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.runner import Runner
from mmocr.registry import RUNNERS

from ..utils.cli import CfgOptionsAction

#: Dataset-config keys naming a path, joined with ``data_root`` when relative (as mmengine's
#: ``BaseDataset`` does for ``ann_file`` and the values of ``data_prefix``).
PATH_KEYS = ('ann_file', 'img_dir', 'gt_dir', 'ann_dir', 'img_prefix', 'file_list')
#: Keys of :data:`PATH_KEYS` whose list value names images (``file_list=['img_1', ...]``)
#: rather than paths; only their string value (a text file) is a path.
NAME_LIST_KEYS = ('file_list', )
#: Dataset-config keys holding other dataset configs (ConcatDataset, RepeatDataset, ...).
WRAPPED_DATASET_KEYS = ('dataset', 'datasets')

__all__ = [
    'add_runner_arguments', 'build_runner', 'check_data_paths', 'load_config', 'setup_distributed',
    'teardown_distributed'
]


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add MMDetection's ``--work-dir``, ``--cfg-options``, ``--launcher`` and
    ``--local_rank``/``--local-rank`` (torch's launchers pass either) to ``parser``."""
    parser.add_argument('--work-dir', help='the dir to save logs, models and metrics')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override some settings in the used config, the key-value pair in xxx=yyy format '
        'will be merged into config file. If the value to be overwritten is a list, it should '
        'be like key="[a,b]" or key=a,b It also allows nested list/tuple values, e.g. '
        'key="[(a,b),(c,d)]" Note that the quotation marks are necessary and that no white '
        'space is allowed.')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def load_config(args: argparse.Namespace) -> Config:
    """Load ``args.config`` and apply the arguments of :func:`add_runner_arguments`.

    Sets ``LOCAL_RANK`` from ``--local_rank`` when the launcher did not, and
    ``cfg.work_dir`` with the priority: ``--work-dir`` > the config's
    ``work_dir`` > ``./work_dirs/<config name>``.

    Args:
        args (argparse.Namespace): Parsed arguments with ``config``,
            ``work_dir``, ``cfg_options``, ``launcher`` and ``local_rank``.

    Returns:
        Config: The config with ``launcher``, the ``--cfg-options`` and ``work_dir``.
    """
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    return cfg


def build_runner(cfg: Config, dataloader_keys: Sequence[str]) -> Runner:
    """Check the data paths of ``dataloader_keys``, set up distribution, build the Runner.

    Args:
        cfg (Config): The full config.
        dataloader_keys (Sequence[str]): Dataloaders whose dataset paths must
            exist, e.g. ``('test_dataloader', )``.

    Returns:
        Runner: ``Runner.from_cfg(cfg)``, or the config's ``runner_type`` built
        from the registry.
    """
    check_data_paths(cfg, dataloader_keys)
    setup_distributed(cfg)
    if 'runner_type' in cfg:
        return RUNNERS.build(cfg)
    return Runner.from_cfg(cfg)


def check_data_paths(cfg: Config, dataloader_keys: Sequence[str]) -> None:
    """Raise if a path named by a dataset config does not exist.

    Walks ``cfg[key].dataset`` for every key in ``dataloader_keys`` (skipping
    dataloaders that are absent or ``None``), through dataset wrappers
    (``dataset`` / ``datasets`` entries, e.g. ``ConcatDataset``,
    ``RepeatDataset``), and checks ``data_root``, the values of
    ``data_prefix`` and the keys in :data:`PATH_KEYS` (a ``file_list`` only
    when it is a string, i.e. a text file), joined with
    ``data_root`` like mmengine's ``BaseDataset`` does. A path also counts as
    present when its archive ``path + '.zip'`` exists, and a ``data_root``
    that is a file (an archive) is checked alone, as the dataset classes of
    this package read official zips in place. Empty strings and URLs
    (``'s3://...'``) are not checked.

    Args:
        cfg (Config): The full config.
        dataloader_keys (Sequence[str]): E.g. ``('train_dataloader',
            'val_dataloader')``.

    Raises:
        FileNotFoundError: Listing every missing path with the config entry
            that names it, e.g. ``train_dataloader.dataset.datasets[1].data_root:
            data/icdar2015 (not found: /abs/data/icdar2015)``.
    """
    missing = []
    for key in dataloader_keys:
        dataloader = cfg.get(key)
        if dataloader and isinstance(dataloader.get('dataset'), dict):
            missing += _missing_paths(dataloader['dataset'], f'{key}.dataset')
    if missing:
        raise FileNotFoundError(
            'Dataset paths in the config do not exist (fix the data_root/paths, e.g. with '
            '--cfg-options, or put the data there):\n' + '\n'.join(missing))


def _missing_paths(dataset: dict, where: str) -> List[str]:
    """Describe the missing paths of one dataset config and its wrapped
    datasets; paths under a missing ``data_root`` are not listed again."""
    missing = []
    for key in WRAPPED_DATASET_KEYS:
        wrapped = dataset.get(key)
        subs = wrapped if isinstance(wrapped, (list, tuple)) else [wrapped]
        for i, sub in enumerate(subs):
            if isinstance(sub, dict):
                index = f'[{i}]' if isinstance(wrapped, (list, tuple)) else ''
                missing += _missing_paths(sub, f'{where}.{key}{index}')
    data_root = dataset.get('data_root') or ''
    if _is_local(data_root):
        if not _exists(data_root):
            return missing + [_describe(f'{where}.data_root', data_root)]
        if osp.isfile(data_root):  # an archive: the other paths are its members
            return missing
    named = []
    for key in PATH_KEYS:
        value = dataset.get(key)
        if isinstance(value, (list, tuple)):
            if key not in NAME_LIST_KEYS:
                named += [(f'{key}[{i}]', item) for i, item in enumerate(value)]
        else:
            named.append((key, value))
    prefix = dataset.get('data_prefix')
    if isinstance(prefix, dict):
        named += [(f'data_prefix.{key}', value) for key, value in prefix.items()]
    for entry, path in named:
        if _is_local(path):
            path = path if osp.isabs(path) else osp.join(data_root, path)
            if not _exists(path):
                missing.append(_describe(f'{where}.{entry}', path))
    return missing


def _is_local(path) -> bool:
    """True for a non-empty string without a URL scheme."""
    return isinstance(path, str) and bool(path) and '://' not in path


def _exists(path: str) -> bool:
    """``path`` exists, or its zip archive ``path + '.zip'`` does (the dataset
    classes of this package read official archives in place)."""
    return osp.exists(path) or (not path.lower().endswith('.zip') and osp.isfile(path + '.zip'))


def _describe(entry: str, path: str) -> str:
    return f'  {entry}: {path} (not found: {osp.abspath(path)})'


def setup_distributed(cfg: Config) -> None:
    """Resolve the distributed backend and prepare CPU-only distributed runs.

    ``cfg.env_cfg.dist_cfg.backend``:

    - ``'auto'`` or unset becomes ``'nccl'`` when CUDA is available and ``'gloo'`` otherwise;
    - ``'nccl'`` (OpenMMLab's value, the default runtime's, so that MMOCR's own tools and
      ``mim`` launch our configs unchanged) becomes ``'gloo'`` without CUDA, where nccl cannot
      run;
    - any other named backend is kept.

    With CUDA, mmengine's Runner initialises the process group itself (one GPU per process,
    ``torch.cuda.set_device(LOCAL_RANK)``); a ``--launcher pytorch`` run with more processes on
    a node than it has GPUs is refused here with a clear message.

    For ``cfg.launcher == 'pytorch'`` without CUDA (e.g. ``torchrun`` on CPU)
    two things of mmengine 0.10.7's Runner assume a GPU: ``init_dist`` calls
    ``torch.cuda.set_device`` and the model wrapper gets
    ``device_ids=[LOCAL_RANK]``. So this function initialises the process
    group itself (from torchrun's ``env://`` variables; the Runner skips its
    own initialisation when a group exists) and sets
    ``model_wrapper_cfg.device_ids=None``, as DDP requires for CPU modules.

    Args:
        cfg (Config): The full config; ``cfg.launcher`` is one of ``'none'``,
            ``'pytorch'``, ``'slurm'``, ``'mpi'``.

    Raises:
        RuntimeError: For the ``'slurm'`` or ``'mpi'`` launcher without CUDA,
            or ``'pytorch'`` with a ``LOCAL_RANK`` beyond the visible GPUs.
    """
    if cfg.get('env_cfg') is None:
        cfg.env_cfg = dict()
    if cfg.env_cfg.get('dist_cfg') is None:
        cfg.env_cfg.dist_cfg = dict()
    dist_cfg = cfg.env_cfg.dist_cfg
    cuda = torch.cuda.is_available()
    if dist_cfg.get('backend') in (None, 'auto') or (dist_cfg['backend'] == 'nccl' and not cuda):
        dist_cfg['backend'] = 'nccl' if cuda else 'gloo'
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none':
        return
    if cuda:
        local_rank, gpus = int(os.environ.get('LOCAL_RANK', 0)), torch.cuda.device_count()
        if launcher == 'pytorch' and local_rank >= gpus:
            raise RuntimeError(
                f'process LOCAL_RANK={local_rank} needs GPU {local_rank}, but {gpus} GPU(s) '
                'are visible: launch at most one process per GPU (tools/dist_train.sh CONFIG '
                f'{gpus}), or hide the GPUs (CUDA_VISIBLE_DEVICES=) to run the processes on CPU.')
        return
    if launcher != 'pytorch':
        raise RuntimeError(
            f'--launcher {launcher} needs CUDA (mmengine selects a GPU per process); on CPU, '
            'launch the processes with torchrun and --launcher pytorch (tools/dist_train.sh).')
    wrapper_cfg = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel',
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper_cfg['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper_cfg
    if not torch_dist.is_initialized():
        timeout = dist_cfg.get('timeout')
        kwargs = {} if timeout is None else dict(timeout=datetime.timedelta(seconds=timeout))
        torch_dist.init_process_group(
            backend=dist_cfg['backend'],
            rank=int(os.environ['RANK']),
            world_size=int(os.environ['WORLD_SIZE']),
            **kwargs)


def teardown_distributed() -> None:
    """End a distributed run cleanly: a barrier, then destroy the process group.

    mmengine's Runner never destroys the process group it initialises. A rank
    that leaves the interpreter while its gloo threads are alive (e.g. while
    rank 0 still writes the last checkpoint) can be aborted in the static
    destructors, so the launcher reports a failed run after a successful one.
    Call this after ``runner.train()`` / ``runner.test()`` returned; it does
    nothing when no process group is initialised.
    """
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    torch_dist.barrier()
    torch_dist.destroy_process_group()

"""Every model the configs build trains and predicts without an mmcv op.

``tools/setup_env.sh`` builds mmcv with CPU kernels only (``FORCE_CUDA=0``), so on a GPU any
compiled mmcv op fails (``... implementation for device cuda:0 not found``). These tests run one
training step (forward, loss, backward, optimizer step) and one inference step of each model
family of ``configs/`` (configs whose models differ only in numbers and ``init_cfg`` form one
family, found automatically; plus test-time augmentation) with every mmcv op patched to raise:

- every public callable of ``mmcv.ops`` (``__all__``): functions wherever a module bound them
  (``from mmcv.ops import batched_nms``), ``forward`` of its ``nn.Module`` classes and
  ``__init__`` of its other classes;
- every function of the compiled extension ``mmcv._ext``, through which all of them run.

On the CPU, libraries that choose a CUDA kernel only for CUDA tensors (mmdet's ``FocalLoss``:
``torch.cuda.is_available() and pred.is_cuda``) would never take that branch, so the CPU run
simulates CUDA for exactly those checks: ``torch.cuda.is_available()`` and ``Tensor.is_cuda``
return True (a ``TorchFunctionMode`` answers the ``is_cuda`` property), while the tensors stay on
the CPU. The control test shows the harness catches mmdet's own ``FocalLoss`` that way.

Where a GPU exists (``tools/gpu_check.sh``), the ``[cuda]`` cases run the same steps on it for
real, and an AMP training step of each family.
"""
import contextlib
import copy
import glob
import importlib
import inspect
import json
import os.path as osp
import sys
from typing import Dict, List

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS, TRANSFORMS
from torch.overrides import TorchFunctionMode

import textboxes_retina  # noqa: F401  (registers the modules)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SIZE = 128  # input side: the SE-ResNet configs pad to multiples of 128
SMALL = 'configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py'
SMALL_REFINE = 'configs/refine_textboxes/refine_textboxes_r18-small_1xb8-adam-2k_synthetic.py'
#: Configs whose model is wrapped in ``QuadTTAModel`` (the TTA code is the same for every model).
TTA_CONFIGS = {'r18-small': SMALL, 'r18-small-refine': SMALL_REFINE}


def config_paths() -> List[str]:
    """Every leaf config of ``configs/``."""
    return sorted(
        p for p in glob.glob(osp.join(REPO, 'configs', '**', '*.py'), recursive=True)
        if '/_base_/' not in p and not osp.basename(p).startswith('_base_'))


def family_key(model_cfg: ConfigDict) -> str:
    """What decides which code a model runs: its config without weight initialisation
    (``init_cfg``) and with every number replaced by ``0`` (depths, sizes, strides, thresholds
    change how much runs, not which operations), as sorted JSON."""

    def strip(node):
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k != 'init_cfg'}
        if isinstance(node, (list, tuple)):
            return [strip(v) for v in node]
        if isinstance(node, (int, float)) and not isinstance(node, bool):
            return 0
        return node

    return json.dumps(strip(model_cfg.to_dict()), sort_keys=True, default=str)


def model_families() -> Dict[str, str]:
    """One config per model family of ``configs/``, the one with the shallowest backbone (then
    the first by path): ``{name: path}``."""
    chosen: Dict[str, tuple] = {}
    for path in config_paths():
        model = Config.fromfile(path).model
        candidate = (model.get('backbone', {}).get('depth', 0), path)
        key = family_key(model)
        chosen[key] = min(chosen.get(key, candidate), candidate)
    return {
        osp.relpath(path, osp.join(REPO, 'configs'))[:-3]: path
        for _, path in sorted(chosen.values(), key=lambda c: c[1])
    }


FAMILIES = model_families()
DEVICES = [
    'cpu',
    pytest.param(
        'cuda',
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason='needs a CUDA GPU (tools/gpu_check.sh runs it)')),
]


class MmcvOpReached(AssertionError):
    """An mmcv op was called while :func:`mmcv_ops_raise` was active."""


def _raiser(name: str):

    def raise_reached(*args, **kwargs):
        raise MmcvOpReached(
            f'{name} was called: a CPU-only mmcv (tools/setup_env.sh builds it with '
            'FORCE_CUDA=0) has no CUDA kernel for it. Use a PyTorch implementation instead.')

    return raise_reached


def patch_mmcv_ops(monkeypatch) -> List[str]:
    """Make every mmcv op raise :class:`MmcvOpReached` (undone by ``monkeypatch``).

    Returns:
        list[str]: The names patched (``mmcv._ext.*`` and ``mmcv.ops.*``).
    """
    import mmcv.ops
    ext = importlib.import_module('mmcv._ext')
    patched = []
    for name in dir(ext):
        if not name.startswith('_') and callable(getattr(ext, name)):
            monkeypatch.setattr(ext, name, _raiser(f'mmcv._ext.{name}'))
            patched.append(f'mmcv._ext.{name}')
    functions = {}
    for name in mmcv.ops.__all__:
        op = getattr(mmcv.ops, name)
        if inspect.isclass(op):
            method = 'forward' if issubclass(op, torch.nn.Module) else '__init__'
            monkeypatch.setattr(op, method, _raiser(f'mmcv.ops.{name}.{method}'))
        elif callable(op):
            functions[id(op)] = (op, name)
        patched.append(f'mmcv.ops.{name}')
    for module in list(sys.modules.values()):
        namespace = getattr(module, '__dict__', None)
        if not isinstance(namespace, dict):
            continue
        for attr, value in list(namespace.items()):
            found = functions.get(id(value))
            if found is not None and found[0] is value:
                monkeypatch.setattr(module, attr, _raiser(f'mmcv.ops.{found[1]}'))
    return patched


class _TensorsSayCuda(TorchFunctionMode):
    """``Tensor.is_cuda`` is True for every tensor; everything else runs unchanged."""

    IS_CUDA = torch.Tensor.is_cuda.__get__

    def __torch_function__(self, func, types, args=(), kwargs=None):
        if func == self.IS_CUDA:
            return True
        return func(*args, **(kwargs or {}))


@contextlib.contextmanager
def cuda_branches(device: str, monkeypatch):
    """On ``'cpu'``: code asking ``torch.cuda.is_available()`` or ``tensor.is_cuda`` hears yes
    (tensors stay on the CPU). On a real GPU: nothing to simulate."""
    if device != 'cpu':
        yield
        return
    with monkeypatch.context() as patch:
        patch.setattr(torch.cuda, 'is_available', lambda: True)
        with _TensorsSayCuda():
            yield


def _model_cfg(path: str, **overrides) -> ConfigDict:
    """The model of a config, with multi-scale training at 128-256 px (the same code as at
    608-960 px, at a size the CPU runs quickly)."""
    cfg = Config.fromfile(osp.join(REPO, path))
    if overrides:
        cfg.merge_from_dict(dict(model=overrides))
    for augment in cfg.model.get('data_preprocessor', {}).get('batch_augments') or []:
        if 'random_size_range' in augment:
            augment.random_size_range = (128, 256)
    return cfg.model


def _build(model_cfg: ConfigDict, device: str) -> torch.nn.Module:
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(copy.deepcopy(model_cfg))
    return model.to(device)


def _quad(cx, cy, w, h, angle):
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    corners = np.array([[-w, -h], [w, -h], [w, h], [-w, h]]) / 2
    return (corners @ np.array([[c, s], [-s, c]]) + [cx, cy]).reshape(8).astype(np.float32)


def _batch(size: int = SIZE, flip: bool = False, num: int = 1) -> Dict[str, list]:
    """``num`` packed images of ``size`` x ``size`` with dark quads (one a don't-care word)."""
    with DefaultScope.overwrite_default_scope('mmocr'):
        pack = TRANSFORMS.build(
            dict(
                type='PackTextDetInputs',
                meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor', 'scale', 'flip',
                           'flip_direction')))
    rng = np.random.default_rng(0)
    inputs, samples = [], []
    for index in range(num):
        img = rng.integers(150, 230, (size, size, 3)).astype(np.uint8)
        quads = [
            _quad(size * 0.3, size * 0.3, size * 0.4, size * 0.12, 10 * index),
            _quad(size * 0.6, size * 0.7, size * 0.5, size * 0.15, -8),
            _quad(size * 0.8, size * 0.2, size * 0.2, size * 0.1, 0)
        ]
        for quad in quads[:2]:
            cv2.fillPoly(img, [quad.reshape(4, 2).round().astype(np.int32)], (20, 20, 20))
        packed = pack(
            dict(
                img=img,
                img_path=f'generated_{index}.png',
                ori_shape=(size, size),
                img_shape=(size, size),
                scale_factor=(1.0, 1.0),
                scale=(size, size),
                flip=flip,
                flip_direction='horizontal' if flip else None,
                gt_polygons=quads,
                gt_bboxes=np.array([[q[0::2].min(), q[1::2].min(), q[0::2].max(), q[1::2].max()]
                                    for q in quads], np.float32),
                gt_bboxes_labels=np.zeros(len(quads), np.int64),
                gt_ignored=np.array([False, False, True])))
        inputs.append(packed['inputs'])
        samples.append(packed['data_samples'])
    return dict(inputs=inputs, data_samples=samples)


def _train_and_predict(model: torch.nn.Module, optim_wrapper) -> None:
    """One ``train_step`` and one ``test_step``; the loss and predictions are checked."""
    MessageHub.get_current_instance().update_info('iter', 0)  # read by batch augments
    model.train()
    log_vars = model.train_step(_batch(), optim_wrapper)
    assert torch.isfinite(log_vars['loss']), log_vars
    model.eval()
    with torch.no_grad():
        results = model.test_step(_batch(num=2))
    assert len(results) == 2
    for result in results:
        assert len(result.pred_instances.polygons) == len(result.pred_instances.scores)


def _sgd(model):
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-4))


@pytest.mark.timeout(120)
@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('family', list(FAMILIES))
def test_training_and_inference_reach_no_mmcv_op(family, device, monkeypatch):
    model = _build(_model_cfg(FAMILIES[family]), device)
    optim_wrapper = _sgd(model)
    patched = patch_mmcv_ops(monkeypatch)
    assert 'mmcv._ext.sigmoid_focal_loss_forward' in patched and 'mmcv.ops.nms' in patched
    with cuda_branches(device, monkeypatch):
        _train_and_predict(model, optim_wrapper)


@pytest.mark.timeout(120)
@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('family', list(TTA_CONFIGS))
def test_test_time_augmentation_reaches_no_mmcv_op(family, device, monkeypatch):
    tta = Config.fromfile(osp.join(REPO, 'configs/_base_/tta/icdar2015_quad_tta.py')).tta_model
    tta.tta_cfg.size_limits = []
    module = _model_cfg(TTA_CONFIGS[family], test_cfg=dict(score_thr=0.0))
    model = _build(dict(tta, module=module), device)
    model.eval()
    patch_mmcv_ops(monkeypatch)
    views = [_batch(num=2), _batch(flip=True, num=2)]
    data = {key: [view[key] for view in views] for key in ('inputs', 'data_samples')}
    with cuda_branches(device, monkeypatch), torch.no_grad():
        results = model.test_step(data)
    assert len(results) == 2 and all(len(r.pred_instances.scores) > 0 for r in results)


@pytest.mark.timeout(60)
@pytest.mark.parametrize('device', DEVICES)
def test_harness_catches_mmdets_focal_loss(device, monkeypatch):
    """Control: mmdet's FocalLoss sends CUDA tensors to ``mmcv.ops.sigmoid_focal_loss``."""
    model = _build(_model_cfg(SMALL, bbox_head=dict(loss_cls=dict(type='mmdet.FocalLoss'))), device)
    optim_wrapper = _sgd(model)
    patch_mmcv_ops(monkeypatch)
    with cuda_branches(device, monkeypatch):
        with pytest.raises(MmcvOpReached, match='sigmoid_focal_loss'):
            model.train()
            model.train_step(_batch(), optim_wrapper)
    # Without the simulation the CPU takes mmdet's PyTorch branch: no op is reached.
    if device == 'cpu':
        model.train_step(_batch(), optim_wrapper)


@pytest.mark.timeout(60)
def test_harness_catches_an_op_bound_by_name(monkeypatch):
    """Control: a function imported by name (mmdet's ``batched_nms``) and a compiled op called
    through an mmcv.ops class are both caught."""
    from mmcv.ops import RoIAlign
    from mmdet.models.dense_heads import base_dense_head
    patch_mmcv_ops(monkeypatch)
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 11., 11.]])
    with pytest.raises(MmcvOpReached, match='batched_nms'):
        base_dense_head.batched_nms(boxes, torch.tensor([0.9, 0.8]), torch.zeros(2),
                                    dict(type='nms', iou_threshold=0.5))
    with pytest.raises(MmcvOpReached, match='RoIAlign'):
        RoIAlign((2, 2))(torch.zeros(1, 1, 8, 8), torch.tensor([[0., 0., 0., 4., 4.]]))
    nms_module = importlib.import_module('mmcv.ops.nms')  # (mmcv.ops.nms is the function)
    with pytest.raises(MmcvOpReached, match='mmcv._ext.nms'):
        nms_module.NMSop.apply(boxes, torch.tensor([0.9, 0.8]), 0.5, 0, -1, -1)


@pytest.mark.timeout(60)
def test_simulated_cuda_is_only_seen_by_the_checks(monkeypatch):
    x = torch.ones(3)
    with cuda_branches('cpu', monkeypatch):
        assert x.is_cuda and (x * 2).is_cuda and torch.cuda.is_available()
        assert x.device.type == 'cpu' and (x * 2).sum().item() == 6.0
    assert not x.is_cuda


@pytest.mark.timeout(60)
def test_families_cover_every_kind_of_model():
    """The automatic grouping finds each kind of model the configs build, and numbers do not
    split a family while component names do."""
    keys = [family_key(_model_cfg(path)) for path in FAMILIES.values()]
    for kind in ('"mmdet.ResNet"', '"SEResNet"', '"TextBoxesRetinaHead"', '"RefineTextBoxesHead"',
                 '"GN"', '"mmdet.CrossEntropyLoss"', '"DeviceAgnosticFocalLoss"', '"FocalLossStar"',
                 '"PPOCRDetFeatures"', '"DBNet"'):
        assert any(kind in key for key in keys), kind
    assert len(set(keys)) == len(keys) >= 7
    small = Config.fromfile(osp.join(REPO, SMALL)).model
    wider = copy.deepcopy(small)
    wider.bbox_head.feat_channels *= 2
    assert family_key(wider) == family_key(small)
    wider.bbox_head.loss_cls.type = 'mmdet.FocalLoss'
    assert family_key(wider) != family_key(small)


@pytest.mark.timeout(120)
@pytest.mark.parametrize('family', list(FAMILIES))
@pytest.mark.skipif(
    not torch.cuda.is_available(),
    reason='needs a CUDA GPU: mmengine\'s '
    'AmpOptimWrapper refuses the CPU (tools/gpu_check.sh runs it)')
def test_amp_training_step_on_cuda(family, monkeypatch):
    from mmengine.optim import AmpOptimWrapper
    model = _build(_model_cfg(FAMILIES[family]), 'cuda')
    optim_wrapper = AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=1e-4), loss_scale='dynamic')
    patch_mmcv_ops(monkeypatch)
    _train_and_predict(model, optim_wrapper)

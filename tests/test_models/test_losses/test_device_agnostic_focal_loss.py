"""DeviceAgnosticFocalLoss equals mmdet's FocalLoss CPU computation and a hand formula."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmdet.models.losses import FocalLoss
from mmdet.models.losses.focal_loss import py_sigmoid_focal_loss
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from textboxes_retina.models.losses import DeviceAgnosticFocalLoss

DEVICES = [
    'cpu',
    pytest.param(
        'cuda',
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason='needs a CUDA GPU (tools/gpu_check.sh runs it)')),
]
NUM, CLASSES = 37, 3
EPS = float(torch.finfo(torch.float32).eps)  # mmdet's guard of the avg_factor division


def _inputs(seed=0):
    generator = torch.Generator().manual_seed(seed)
    logits = torch.randn(NUM, CLASSES, generator=generator, dtype=torch.float64) * 3
    labels = torch.randint(0, CLASSES + 1, (NUM, ), generator=generator)  # CLASSES: background
    return logits, labels


def _hand_focal(logits, labels, gamma, alpha, activated=False):
    """Per element: -alpha (1 - p)^gamma log p for the label's class, -(1 - alpha) p^gamma
    log(1 - p) for the others (numpy, float64)."""
    x = logits.numpy()
    p = x if activated else 1 / (1 + np.exp(-x))
    target = labels.numpy()[:, None] == np.arange(x.shape[1])[None]
    return np.where(target, -alpha * (1 - p)**gamma * np.log(p),
                    -(1 - alpha) * p**gamma * np.log(1 - p))


@pytest.mark.timeout(30)
@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('gamma,alpha', [(2.0, 0.25), (1.5, 0.5), (0.0, 0.75)])
def test_elementwise_loss_is_the_focal_loss_formula(device, gamma, alpha):
    logits, labels = _inputs()
    loss = DeviceAgnosticFocalLoss(
        gamma=gamma, alpha=alpha, reduction='none')(logits.to(device), labels.to(device))
    assert loss.device.type == device and loss.shape == (NUM, CLASSES)
    np.testing.assert_allclose(
        loss.cpu().numpy(), _hand_focal(logits, labels, gamma, alpha), rtol=1e-10, atol=1e-12)


def _weights(kind, generator):
    if kind is None:
        return None
    shape = dict(sample=(NUM, ), element=(NUM, CLASSES), flat=(NUM * CLASSES, ))[kind]
    return torch.rand(shape, generator=generator, dtype=torch.float64)


@pytest.mark.timeout(30)
@pytest.mark.parametrize('device', DEVICES)
@pytest.mark.parametrize('weight', [None, 'sample', 'element', 'flat'])
@pytest.mark.parametrize('reduction,avg_factor', [('mean', None), ('mean', 7.5), ('sum', None),
                                                  ('none', None)])
def test_equals_mmdets_cpu_path_and_the_hand_formula(device, weight, reduction, avg_factor):
    logits, labels = _inputs(1)
    weights = _weights(weight, torch.Generator().manual_seed(2))
    ours_pred = logits.clone().to(device).requires_grad_()
    ours = DeviceAgnosticFocalLoss(
        loss_weight=2.0, reduction=reduction)(
            ours_pred,
            labels.to(device),
            None if weights is None else weights.to(device),
            avg_factor=avg_factor)
    # Oracle 1: mmdet's FocalLoss on the CPU (its PyTorch branch).
    mmdet_pred = logits.clone().requires_grad_()
    mmdet = FocalLoss(
        loss_weight=2.0, reduction=reduction)(
            mmdet_pred, labels, weights, avg_factor=avg_factor)
    # Oracle 2: mmdet's py_sigmoid_focal_loss with one-hot targets.
    one_hot = F.one_hot(labels, CLASSES + 1)[:, :CLASSES]
    py = 2.0 * py_sigmoid_focal_loss(
        logits, one_hot, weights, reduction=reduction, avg_factor=avg_factor)
    # Oracle 3: the hand formula, weighted and reduced as documented.
    hand = 2.0 * _hand_focal(logits, labels, 2.0, 0.25)
    if weights is not None:
        hand = hand * weights.numpy().reshape(NUM, -1)
    hand = dict(
        none=hand,
        sum=hand.sum(),
        mean=hand.mean() if avg_factor is None else hand.sum() / (avg_factor + EPS))[reduction]
    for oracle in (mmdet, py):
        torch.testing.assert_close(ours.cpu(), oracle.detach(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.detach().cpu().numpy(), hand, rtol=1e-9)
    ours.sum().backward()
    mmdet.sum().backward()
    torch.testing.assert_close(ours_pred.grad.cpu(), mmdet_pred.grad, rtol=1e-12, atol=1e-12)


@pytest.mark.timeout(30)
@pytest.mark.parametrize('device', DEVICES)
def test_reduction_override_one_hot_targets_and_probabilities(device):
    logits, labels = _inputs(3)
    loss = DeviceAgnosticFocalLoss(reduction='mean')
    pred, target = logits.to(device), labels.to(device)
    assert torch.isclose(
        loss(pred, target, reduction_override='sum').cpu(),
        torch.tensor(_hand_focal(logits, labels, 2.0, 0.25).sum(), dtype=torch.float64))
    one_hot = F.one_hot(target, CLASSES + 1)[:, :CLASSES]
    torch.testing.assert_close(loss(pred, one_hot), loss(pred, target))
    probs = logits.sigmoid()
    activated = DeviceAgnosticFocalLoss(activated=True, reduction='none')
    np.testing.assert_allclose(
        activated(probs.to(device), target).cpu().numpy(),
        _hand_focal(probs, labels, 2.0, 0.25, activated=True),
        rtol=1e-9)
    with pytest.raises(ValueError, match='avg_factor can not be used with reduction="sum"'):
        DeviceAgnosticFocalLoss(reduction='sum')(pred, target, avg_factor=3.0)


@pytest.mark.timeout(30)
def test_no_mmcv_op_even_when_cuda_is_claimed(monkeypatch):
    """mmdet's FocalLoss calls mmcv's op for CUDA predictions; ours never reaches it."""
    import mmdet.models.losses.focal_loss as mmdet_focal

    def unavailable(*args, **kwargs):
        raise RuntimeError('sigmoid_focal_loss_forward_impl: implementation for device cuda:0 '
                           'not found')

    monkeypatch.setattr(mmdet_focal, 'sigmoid_focal_loss', unavailable)
    monkeypatch.setattr(mmdet_focal, '_sigmoid_focal_loss', unavailable)
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: True)
    logits, labels = _inputs(4)

    class CudaLooking(torch.Tensor):
        """A CPU tensor that says it is on CUDA, like mmdet's branch asks."""
        is_cuda = True

    pred = logits.as_subclass(CudaLooking)
    with pytest.raises(RuntimeError, match='implementation for device cuda'):
        FocalLoss()(pred, labels)
    ours = DeviceAgnosticFocalLoss()(pred, labels)
    torch.testing.assert_close(ours.as_subclass(torch.Tensor), FocalLoss()(logits, labels))


@pytest.mark.timeout(30)
@pytest.mark.parametrize('scope,name', [('mmocr', 'DeviceAgnosticFocalLoss'),
                                        ('mmdet', 'mmocr.DeviceAgnosticFocalLoss')])
def test_registered_with_mmdets_arguments(scope, name):
    with DefaultScope.overwrite_default_scope(scope):
        loss = MODELS.build(
            dict(
                type=name, use_sigmoid=True, gamma=1.0, alpha=0.5, reduction='sum',
                loss_weight=0.5))
    assert isinstance(loss, FocalLoss)
    assert (loss.gamma, loss.alpha, loss.reduction, loss.loss_weight) == (1.0, 0.5, 'sum', 0.5)

"""FL* (the seed's ``focal_loss_alt``) against values worked by hand.

The seed (qjadud1994/Text_Detector, Pytorch/loss.py) computes, per anchor with logit x and
target t in {0, 1}:

    xt = x if t else -x;   pt = sigmoid(2 * xt + 1);   w = 0.25 if t else 0.75
    loss = -w * log(pt) / 2,    summed, then divided by the number of positives.

Values used below (sigmoid(z) = 1 / (1 + e^-z), -log sigmoid(z) = log(1 + e^-z)):

- z = 1:  log(1 + e^-1) = log(1.3678794412) = 0.3132616875
- z = -1: log(1 + e^1)  = 1 + log(1 + e^-1) = 1.3132616875
- z = 0:  log(2)        = 0.6931471806
- z = 5:  log(1 + e^-5) = log(1.0067379470) = 0.0067153485

  logit x | t | xt   | z = 2 xt + 1 | -log pt      | loss = w * (-log pt) / 2
  0       | 1 | 0    | 1            | 0.3132616875 | 0.25 * 0.1566308438 = 0.0391577109
  0       | 0 | 0    | 1            | 0.3132616875 | 0.75 * 0.1566308438 = 0.1174731328
  1       | 0 | -1   | -1           | 1.3132616875 | 0.75 * 0.6566308438 = 0.4924731328
  -0.5    | 1 | -0.5 | 0            | 0.6931471806 | 0.25 * 0.3465735903 = 0.0866433976
  2       | 1 | 2    | 5            | 0.0067153485 | 0.25 * 0.0033576742 = 0.0008394186

Sum = 0.7365867927, over three positives (t = 1 on rows 1, 4 and 5). Float32 arithmetic: the
assertions allow 1e-6.
"""
import pytest
import torch
from mmocr.registry import MODELS

from textboxes_retina.models.losses import FocalLossStar

LOGITS = torch.tensor([[0.0], [0.0], [1.0], [-0.5], [2.0]])
# One text class: label 0 is text (t = 1), label 1 (= num_classes) is background (t = 0).
LABELS = torch.tensor([0, 1, 1, 0, 0])
BY_HAND = torch.tensor([0.0391577109, 0.1174731328, 0.4924731328, 0.0866433976, 0.0008394186])


@pytest.mark.timeout(30)
def test_elementwise_values_match_the_seed_formula_by_hand():
    loss = MODELS.build(dict(type='FocalLossStar', reduction='none'))
    assert isinstance(loss, FocalLossStar)
    values = loss(LOGITS, LABELS)
    assert values.shape == (5, 1)
    torch.testing.assert_close(values[:, 0], BY_HAND, rtol=0, atol=1e-6)


@pytest.mark.timeout(30)
def test_sum_over_positives_like_the_seed():
    # The head calls loss_cls(cls_score, labels, label_weights, avg_factor=num_pos); the seed
    # divides its summed loss by the number of positives: 0.7365867927 / 3 = 0.2455289309.
    loss = MODELS.build(dict(type='FocalLossStar'))
    value = loss(LOGITS, LABELS, torch.ones(5), avg_factor=3.0)
    assert value.item() == pytest.approx(0.2455289309, abs=1e-6)


@pytest.mark.timeout(30)
def test_label_weights_and_loss_weight():
    # Dropping row 3 (0.4924731328) leaves 0.2441136599; loss_weight 2 doubles it.
    loss = MODELS.build(dict(type='FocalLossStar', reduction='sum', loss_weight=2.0))
    weights = torch.tensor([1.0, 1.0, 0.0, 1.0, 1.0])
    assert loss(LOGITS, LABELS, weights).item() == pytest.approx(2 * 0.2441136599, abs=1e-6)


@pytest.mark.timeout(30)
def test_one_hot_targets_and_large_logits_are_finite():
    loss = MODELS.build(dict(type='FocalLossStar', reduction='none'))
    one_hot = torch.tensor([[1.0], [0.0], [0.0], [1.0], [1.0]])
    torch.testing.assert_close(loss(LOGITS, one_hot), loss(LOGITS, LABELS))
    # A confident wrong negative (x = 100, t = 0): z = -199, -log sigmoid(-199) = 199 + tiny,
    # loss = 0.75 * 199 / 2 = 74.625, finite (no log(0)).
    big = loss(torch.tensor([[100.0]]), torch.tensor([1]))
    assert big.item() == pytest.approx(74.625, rel=1e-6)


@pytest.mark.timeout(30)
def test_needs_sigmoid():
    with pytest.raises(ValueError, match='use_sigmoid'):
        MODELS.build(dict(type='FocalLossStar', use_sigmoid=False))

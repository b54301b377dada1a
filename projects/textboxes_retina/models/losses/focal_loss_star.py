# Copyright (c) textboxes_retina authors.
"""FL*, the focal loss variant of the RetinaNet paper's appendix (the seed's ``focal_loss_alt``)."""
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.losses.utils import weight_reduce_loss
from mmocr.registry import MODELS
from torch import Tensor


def focal_loss_star(pred: Tensor,
                    target: Tensor,
                    gamma: float = 2.0,
                    beta: float = 1.0,
                    alpha: float = 0.25) -> Tensor:
    """Element-wise FL* of sigmoid logits.

    With ``x_t = x`` for a positive and ``-x`` for a negative,
    ``FL* = -w * log(sigmoid(gamma * x_t + beta)) / gamma``, where ``w`` is
    ``alpha`` for a positive and ``1 - alpha`` for a negative (Lin et al.,
    "Focal Loss for Dense Object Detection", appendix A; the seed's
    ``loss.py: focal_loss_alt`` is ``gamma=2, beta=1, alpha=0.25``).

    Args:
        pred (Tensor): Logits, shape (N, C).
        target (Tensor): Binary targets (0 or 1), shape (N, C).
        gamma (float): Slope of ``x_t``. Defaults to 2.0.
        beta (float): Shift of ``x_t``. Defaults to 1.0.
        alpha (float): Weight of the positives. Defaults to 0.25.

    Returns:
        Tensor: Loss per element, shape (N, C).
    """
    target = target.type_as(pred)
    x_t = pred * (2 * target - 1)
    weight = alpha * target + (1 - alpha) * (1 - target)
    return -weight * F.logsigmoid(gamma * x_t + beta) / gamma


@MODELS.register_module()
class FocalLossStar(nn.Module):
    """FL* as a drop-in replacement for mmdet's sigmoid ``FocalLoss``.

    Takes the same call as ``mmdet.FocalLoss`` in a dense head:
    ``loss(cls_score, labels, label_weights, avg_factor=num_pos)``, where
    ``labels`` are class indices with ``C`` meaning background (or already
    one-hot, shape (N, C)). See :func:`focal_loss_star` for the formula.

    Args:
        use_sigmoid (bool): Must be True (sigmoid classification, as the
            head reads it). Defaults to True.
        gamma (float): Defaults to 2.0.
        beta (float): Defaults to 1.0.
        alpha (float): Defaults to 0.25.
        reduction (str): 'none', 'mean' or 'sum'. Defaults to 'mean'.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self,
                 use_sigmoid: bool = True,
                 gamma: float = 2.0,
                 beta: float = 1.0,
                 alpha: float = 0.25,
                 reduction: str = 'mean',
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if not use_sigmoid:
            raise ValueError('FocalLossStar is a sigmoid loss: use_sigmoid must be True')
        if gamma <= 0:
            raise ValueError(f'FocalLossStar: gamma must be positive, got {gamma}')
        self.use_sigmoid = use_sigmoid
        self.gamma = gamma
        self.beta = beta
        self.alpha = alpha
        self.reduction = reduction
        self.loss_weight = loss_weight

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits, shape (N, C).
            target (Tensor): Labels (N, ) in ``[0, C]`` (``C`` is
                background), or binary targets (N, C).
            weight (Tensor, optional): Per-sample (N, ) or per-element
                (N, C) weights. Defaults to None.
            avg_factor (float, optional): Divides the summed loss (the number
                of positives in a dense head). Defaults to None.
            reduction_override (str, optional): Overrides ``reduction``.

        Returns:
            Tensor: The loss.
        """
        reduction = reduction_override or self.reduction
        num_classes = pred.size(1)
        if target.dim() == 1:
            target = F.one_hot(target, num_classes + 1)[:, :num_classes]
        loss = focal_loss_star(pred, target, self.gamma, self.beta, self.alpha)
        if weight is not None and weight.dim() == 1:
            weight = weight.view(-1, 1)
        return self.loss_weight * weight_reduce_loss(loss, weight, reduction, avg_factor)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(gamma={self.gamma}, beta={self.beta}, '
                f'alpha={self.alpha}, reduction={self.reduction!r}, '
                f'loss_weight={self.loss_weight})')

# Copyright (c) textboxes_retina authors.
from typing import Optional

import torch.nn.functional as F
from mmdet.models.losses import FocalLoss
from mmocr.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class DeviceAgnosticFocalLoss(FocalLoss):
    """mmdet's sigmoid :class:`~mmdet.models.losses.FocalLoss`, computed
    with PyTorch operations on every device.

    mmdet's ``FocalLoss`` sends a CUDA prediction with class-index targets
    to ``mmcv.ops.sigmoid_focal_loss``, a compiled op that the mmcv built by
    ``tools/setup_env.sh`` (``FORCE_CUDA=0``, CPU ops only) lacks, so
    training on a GPU would stop at the first loss. This subclass turns
    class-index targets into one-hot targets exactly as mmdet's CPU branch
    does, which makes the parent take its PyTorch path
    (``py_sigmoid_focal_loss``, or ``py_focal_loss_with_prob`` with
    ``activated=True``) on CPU and GPU alike: same arguments, same values
    (and gradients) as mmdet's CPU computation.

    Args:
        use_sigmoid (bool): Must be True (as in mmdet). Defaults to True.
        gamma (float): Focusing parameter. Defaults to 2.0.
        alpha (float): Weight of the positives. Defaults to 0.25.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``. Defaults to
            ``'mean'``.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        activated (bool): Whether ``pred`` holds probabilities rather than
            logits. Defaults to False.
    """

    def forward(self,
                pred: Tensor,
                target: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Logits (or probabilities with ``activated``),
                shape (N, C).
            target (Tensor): Class indices in ``[0, C]`` (``C`` is the
                background), shape (N, ), or one-hot targets, shape (N, C).
            weight (Tensor, optional): Per-sample weights, shape (N, ), or
                per-element weights, shape (N, C) or (N * C, ). Defaults to
                None.
            avg_factor (float, optional): Divisor of the ``'mean'``
                reduction. Defaults to None.
            reduction_override (str, optional): ``'none'``, ``'mean'`` or
                ``'sum'`` instead of ``self.reduction``. Defaults to None.

        Returns:
            Tensor: The loss, a scalar, or shape (N, C) for ``'none'``.
        """
        if pred.dim() != target.dim():
            num_classes = pred.size(1)
            target = F.one_hot(target, num_classes=num_classes + 1)[:, :num_classes]
        return super().forward(pred, target, weight, avg_factor, reduction_override)

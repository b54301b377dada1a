# Copyright (c) textboxes_retina authors.
from typing import Dict, Sequence, Tuple, Union

import numpy as np
import torch
from mmocr.models.textdet.module_losses import DBModuleLoss
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from torch import Tensor
from torch.nn import functional as F


@MODELS.register_module()
class DBProbMapLoss(DBModuleLoss):
    """DBNet's loss of the text probability map alone, for a map given as probabilities.

    A pretrained DB detector exported for inference (e.g. PP-OCRv4's, converted by
    :class:`~textboxes_retina.models.backbones.PPOCRDetFeatures`) outputs only the probability
    map, after its sigmoid: no threshold or binary map. This loss supervises that map as MMOCR's
    :class:`~mmocr.models.textdet.module_losses.DBModuleLoss` supervises its probability map
    (the same targets: each legible polygon shrunk by DB's ratio, ignored and too small polygons
    masked out), with ``weight_prob`` times a balanced BCE (hard negatives at most
    ``negative_ratio`` times the positives) plus ``weight_dice`` times a Dice loss. The
    ``gt_instances`` of the samples are not changed (``DBModuleLoss`` marks the polygons it
    finds too small as ignored in place; here they are masked out of this loss only; a polygon
    with a NaN or infinite coordinate is left out of the targets and the mask). On
    probabilities, a text pixel the map puts under about 1e-12 (a logit under -27) gets almost no
    gradient (torch's BCE clamps its denominator there).

    Args:
        loss_prob (dict): The BCE on probabilities. Defaults to
            ``dict(type='MaskedBalancedBCELoss')``.
        loss_dice (dict): The Dice loss. Defaults to ``dict(type='MaskedDiceLoss')``.
        weight_prob (float): Weight of ``loss_prob`` (DB's alpha). Defaults to 5.
        weight_dice (float): Weight of ``loss_dice``. Defaults to 1.
        shrink_ratio (float): DB's shrink ratio (PaddleOCR's and MMOCR's: 0.4).
        min_sidelength (int or float): Polygons whose minimum rotated rectangle has a shorter
            side are masked out. Defaults to 4 (DBModuleLoss: 8; generated words go down to
            8 px high, whose shrunk kernel is still 4-5 px).
    """

    def __init__(self,
                 loss_prob: Dict = dict(type='MaskedBalancedBCELoss'),
                 loss_dice: Dict = dict(type='MaskedDiceLoss'),
                 weight_prob: float = 5.,
                 weight_dice: float = 1.,
                 shrink_ratio: float = 0.4,
                 min_sidelength: Union[int, float] = 4) -> None:
        super().__init__(
            loss_prob=loss_prob,
            loss_db=loss_dice,
            weight_prob=weight_prob,
            shrink_ratio=shrink_ratio,
            min_sidelength=min_sidelength)
        del self.loss_thr
        self.weight_dice = weight_dice

    def forward(self, prob_map: Tensor, data_samples: Sequence[TextDetDataSample]) -> Dict:
        """Args:
            prob_map (Tensor): ``(N, 1, H, W)`` or ``(N, H, W)`` probabilities at the padded
                batch's size (each image at its top left, as the data preprocessor pads).
            data_samples (list[TextDetDataSample]): With ``gt_instances.polygons`` and
                ``.ignored`` in input pixels.

        Returns:
            dict: ``loss_map_prob`` and ``loss_map_dice``.
        """
        if prob_map.dim() == 4:
            if prob_map.size(1) != 1:
                raise ValueError(f'{type(self).__name__} takes one map channel, got '
                                 f'{prob_map.size(1)}')
            prob_map = prob_map[:, 0]
        gt_shrinks, gt_masks = self.get_targets(data_samples, tuple(prob_map.shape[-2:]))
        gt_shrinks, gt_masks = gt_shrinks.to(prob_map), gt_masks.to(prob_map)
        return dict(
            loss_map_prob=self.weight_prob * self.loss_prob(prob_map, gt_shrinks, gt_masks),
            loss_map_dice=self.weight_dice * self.loss_db(prob_map, gt_shrinks, gt_masks))

    def get_targets(self, data_samples: Sequence[TextDetDataSample],
                    size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """The shrunk text kernels and the loss masks, ``(N, H, W)`` each, at the padded
        ``size``: the pixels outside each image (its padding) are masked out."""
        shrinks, masks = [], []
        for data_sample in data_samples:
            shrink, mask = self._get_target_single(data_sample)
            pad = (0, size[1] - shrink.shape[-1], 0, size[0] - shrink.shape[-2])
            if min(pad) < 0:
                raise ValueError(f'image shape {tuple(shrink.shape)} exceeds the map size {size}')
            shrinks.append(F.pad(shrink, pad))
            masks.append(F.pad(mask, pad))
        return torch.stack(shrinks), torch.stack(masks)

    def _get_target_single(self, data_sample: TextDetDataSample) -> Tuple[Tensor, Tensor]:
        """One image's ``(h, w)`` kernel and mask (``img_shape``)."""
        gt_instances = data_sample.gt_instances
        ignored = torch.as_tensor(gt_instances.ignored).cpu().numpy().astype(bool)
        # a polygon with a non-finite coordinate has no place to draw: left out altogether
        finite = [np.isfinite(np.asarray(p, dtype=np.float64)).all() for p in gt_instances.polygons]
        polygons = [p for p, keep in zip(gt_instances.polygons, finite) if keep]
        ignored = ignored[np.array(finite, dtype=bool)]
        for idx, polygon in enumerate(polygons):
            if not ignored[idx] and self._is_poly_invalid(polygon):
                ignored[idx] = True
        img_shape = tuple(data_sample.img_shape[:2])
        shrink, ignored = self._generate_kernels(
            img_shape, polygons, self.shrink_ratio, ignore_flags=ignored)
        mask = self._generate_effective_mask(img_shape,
                                             [p for p, ign in zip(polygons, ignored) if ign])
        return torch.from_numpy(shrink > 0).float(), torch.from_numpy(mask).float()

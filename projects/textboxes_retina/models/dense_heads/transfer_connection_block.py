# Copyright (c) textboxes_retina authors.
from typing import Optional

import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmdet.utils import OptConfigType, OptMultiConfig
from mmengine.model import BaseModule
from torch import Tensor


class TransferConnectionBlock(BaseModule):
    """RefineDet's transfer connection block (TCB) for one pyramid level.

    Two 3x3 convs turn the level's ARM features into ODM features; the TCB
    output of the next coarser level, upsampled by a stride-2 deconvolution
    and cropped to this level's size, is added element-wise; a ReLU and a
    third 3x3 conv follow::

        x ─ conv ─ relu ─ conv ─┐
                                + ─ relu ─ conv ─ relu ─> out
        coarser ─ deconv 2x2/2 ─┘   (coarsest level: no coarser input)

    Args:
        channels (int): Input and output channels.
        with_upsample (bool): Whether this level takes a coarser level's TCB
            output (all levels but the coarsest). Defaults to True.
        conv_cfg (dict, optional): Config of the convs. Defaults to None.
        norm_cfg (dict, optional): Config of the norm layers. Defaults to
            None.
        init_cfg (dict or list[dict], optional): Initialization config.
            Defaults to Kaiming for every conv and deconv, applied after the
            head's own initialization (a head's ``Normal(std=0.01)`` on these
            three extra convs would shrink the ODM's input 4-fold per conv).
    """

    def __init__(
        self,
        channels: int,
        with_upsample: bool = True,
        conv_cfg: OptConfigType = None,
        norm_cfg: OptConfigType = None,
        init_cfg: OptMultiConfig = dict(type='Kaiming', layer=['Conv2d', 'ConvTranspose2d'])
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        conv_args = dict(padding=1, conv_cfg=conv_cfg, norm_cfg=norm_cfg)
        self.lateral_convs = nn.Sequential(
            ConvModule(channels, channels, 3, **conv_args),
            ConvModule(channels, channels, 3, act_cfg=None, **conv_args))
        self.upsample = (
            nn.ConvTranspose2d(channels, channels, 2, stride=2) if with_upsample else None)
        self.relu = nn.ReLU(inplace=True)
        self.out_conv = ConvModule(channels, channels, 3, **conv_args)

    def forward(self, x: Tensor, coarser: Optional[Tensor] = None) -> Tensor:
        """Fuse a level's features with the coarser level's TCB output.

        Args:
            x (Tensor): ARM features of this level, shape (B, C, H, W).
            coarser (Tensor, optional): TCB output of the next coarser level,
                shape (B, C, H', W') with ``2 * H' >= H`` (e.g. ``H' =
                ceil(H / 2)``). Required iff ``with_upsample``.

        Returns:
            Tensor: ODM features, shape (B, C, H, W).
        """
        assert (coarser is None) == (self.upsample is None), \
            'the coarser input must be given exactly when with_upsample'
        out = self.lateral_convs(x)
        if coarser is not None:
            up = self.upsample(coarser)
            # negative padding crops: a 2x upsampled ceil(H / 2) grid is
            # aligned with this level's grid at the top-left corner
            height, width = out.shape[-2:]
            up = F.pad(up, (0, width - up.size(-1), 0, height - up.size(-2)))
            out = out + up
        return self.out_conv(self.relu(out))

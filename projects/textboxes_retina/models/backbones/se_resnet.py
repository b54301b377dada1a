# Copyright (c) textboxes_retina authors.
from typing import List, Optional

from mmdet.models.backbones import ResNet
from mmdet.models.layers.se_layer import SELayer
from mmdet.utils import ConfigType

from mmocr.registry import MODELS


class _BottleneckSE(SELayer):
    """:class:`SELayer` with the ``in_channels`` signature of a ResNet plugin.

    mmdet's ``Bottleneck`` builds plugins with ``in_channels``; placed
    ``after_conv3`` the layer rescales the residual branch (after its last
    norm, before the identity is added), as in SENet.
    """

    _abbr_ = 'se'

    def __init__(self, in_channels: int, ratio: int = 16, **kwargs) -> None:
        super().__init__(channels=in_channels, ratio=ratio, **kwargs)


@MODELS.register_module()
class SEResNet(ResNet):
    """SE-ResNet: mmdet's ResNet with squeeze-and-excitation in every
    bottleneck (`SENet <https://arxiv.org/abs/1709.01507>`_).

    The SE layer is attached through mmdet's bottleneck plugin hook
    (``position='after_conv3'``), so blocks, stages, freezing and
    ``init_cfg`` (e.g. ``dict(type='Pretrained',
    checkpoint='torchvision://resnet50')``; the SE weights then start from
    their default init) are all mmdet's. Defaults freeze batch norm: its
    statistics (``norm_eval``) and its affine parameters (no grad). Pass
    ``norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
    norm_eval=False`` for GroupNorm.

    Args:
        depth (int): 50, 101 or 152.
        se_ratio (int): Channel reduction inside the SE layers. Defaults to 16.
        norm_cfg (dict): Norm layer config. Defaults to
            ``dict(type='BN', requires_grad=False)``.
        norm_eval (bool): Keep norm layers in eval mode while training.
            Defaults to True.
        plugins (list[dict], optional): Extra bottleneck plugins, added after
            the SE ones. Defaults to None.
        **kwargs: Other arguments of mmdet's :class:`ResNet` (``out_indices``,
            ``frozen_stages``, ``init_cfg``, ...).
    """

    arch_settings = {
        depth: ResNet.arch_settings[depth]
        for depth in (50, 101, 152)
    }

    def __init__(self,
                 depth: int,
                 se_ratio: int = 16,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=False),
                 norm_eval: bool = True,
                 plugins: Optional[List[dict]] = None,
                 **kwargs) -> None:
        self.se_ratio = se_ratio
        se_plugin = dict(
            cfg=dict(type=_BottleneckSE, ratio=se_ratio),
            position='after_conv3')
        super().__init__(
            depth=depth,
            norm_cfg=norm_cfg,
            norm_eval=norm_eval,
            plugins=[se_plugin] + list(plugins or []),
            **kwargs)

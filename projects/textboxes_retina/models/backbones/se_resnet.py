# Copyright (c) textboxes_retina authors.
from typing import List, Optional

from mmdet.models.backbones import ResNet
from mmdet.models.layers.se_layer import SELayer
from mmdet.utils import ConfigType
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from mmocr.registry import MODELS
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from .se_resnet_weights import (SE_RESNET_FAMILIES, checkpoint_state_dict,
                                convert_se_resnet_state_dict, load_se_resnet_weights)


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
    (``position='after_conv3'``), so blocks, stages and freezing are
    mmdet's. Defaults freeze batch norm: its statistics (``norm_eval``) and
    its affine parameters (no grad). Pass
    ``norm_cfg=dict(type='GN', num_groups=32, requires_grad=True),
    norm_eval=False`` for GroupNorm.

    ImageNet weights: ``init_cfg=dict(type='Pretrained', checkpoint=URL or
    PATH)`` takes the published files as they are (Cadene's/timm's
    ``se_resnet50-ce0d4300.pth`` or mmpretrain's
    ``se-resnet50_batch256_imagenet_20200804-ae206104.pth``, see
    :mod:`.se_resnet_weights`): :meth:`init_weights` recognises the layout by
    its keys, renames it and loads it strictly (every parameter and buffer
    from the file, else a ``KeyError`` listing what differs), after checking
    that ``style`` and ``stem_pool`` are those the weights were trained with.
    An optional ``prefix`` takes the keys under it (``'backbone.'``).

    Without pretrained weights, frozen batch norm would keep the
    zero-initialised last norm of every residual branch
    (``zero_init_residual``) at zero for the whole run: :meth:`init_weights`
    refuses that combination with what to do.

    Args:
        depth (int): 50, 101 or 152.
        se_ratio (int): Channel reduction inside the SE layers. Defaults to 16.
        norm_cfg (dict): Norm layer config. Defaults to
            ``dict(type='BN', requires_grad=False)``.
        norm_eval (bool): Keep norm layers in eval mode while training.
            Defaults to True.
        stem_pool (str): ``'pytorch'``: mmdet's stem max-pool (3x3, stride 2,
            padding 1); ``'caffe'``: Caffe's and Cadene's (3x3, stride 2, no
            padding, ``ceil_mode=True``; the same output size on even inputs,
            windows shifted by one pixel). Defaults to ``'pytorch'``.
        plugins (list[dict], optional): Extra bottleneck plugins, added after
            the SE ones. Defaults to None.
        **kwargs: Other arguments of mmdet's :class:`ResNet` (``style``,
            ``out_indices``, ``frozen_stages``, ``zero_init_residual``,
            ``init_cfg``, ...).
    """

    arch_settings = {depth: ResNet.arch_settings[depth] for depth in (50, 101, 152)}

    def __init__(self,
                 depth: int,
                 se_ratio: int = 16,
                 norm_cfg: ConfigType = dict(type='BN', requires_grad=False),
                 norm_eval: bool = True,
                 stem_pool: str = 'pytorch',
                 plugins: Optional[List[dict]] = None,
                 **kwargs) -> None:
        if stem_pool not in ('pytorch', 'caffe'):
            raise ValueError(f"stem_pool must be 'pytorch' or 'caffe', not {stem_pool!r}")
        self.se_ratio = se_ratio
        self.stem_pool = stem_pool
        se_plugin = dict(cfg=dict(type=_BottleneckSE, ratio=se_ratio), position='after_conv3')
        super().__init__(
            depth=depth,
            norm_cfg=norm_cfg,
            norm_eval=norm_eval,
            plugins=[se_plugin] + list(plugins or []),
            **kwargs)
        if stem_pool == 'caffe':
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=0, ceil_mode=True)

    def _pretrained_cfg(self) -> Optional[dict]:
        """The ``Pretrained`` entry of ``init_cfg``, if there is one."""
        cfgs = self.init_cfg if isinstance(self.init_cfg, list) else [self.init_cfg]
        found = [cfg for cfg in cfgs if cfg and cfg.get('type') == 'Pretrained']
        return found[0] if found else None

    def init_weights(self) -> None:
        """Load the ``Pretrained`` checkpoint (see the class docstring), or
        mmdet's initialisation after checking that the residual branches can
        learn."""
        pretrained = self._pretrained_cfg()
        if pretrained is None:
            self.check_residual_branches_can_learn()
            super().init_weights()
            return
        init_cfg = self.init_cfg
        others = [
            cfg for cfg in (init_cfg if isinstance(init_cfg, list) else [init_cfg])
            if cfg is not pretrained
        ]
        self.init_cfg = others or None  # the SE layers and the rest: their own init, then
        try:  # every tensor is overwritten from the file
            super().init_weights()
        finally:
            self.init_cfg = init_cfg
        self.load_imagenet_checkpoint(pretrained['checkpoint'], pretrained.get('prefix'))

    def load_imagenet_checkpoint(self, filename: str, prefix: Optional[str] = None) -> str:
        """Load an SE-ResNet checkpoint of any layout in
        :data:`SE_RESNET_FAMILIES` (a path or URL, read by mmengine).

        Args:
            filename (str): Local path or URL (downloaded once by mmengine).
            prefix (str, optional): Take only the keys under this prefix
                (e.g. ``'backbone.'``). Defaults to None (detected).

        Returns:
            str: The checkpoint's family.
        """
        checkpoint = _load_checkpoint(filename, map_location='cpu', logger='current')
        state_dict = checkpoint_state_dict(checkpoint)
        if prefix:
            prefix = prefix if prefix.endswith('.') else prefix + '.'
            state_dict = {k[len(prefix):]: v for k, v in state_dict.items() if k.startswith(prefix)}
        state_dict, family, ignored = convert_se_resnet_state_dict(state_dict)
        meta = checkpoint.get('meta') if isinstance(checkpoint.get('meta'), dict) else {}
        trained_as = SE_RESNET_FAMILIES.get(meta.get('se_resnet_family', family))
        mine = dict(style=self.style, stem_pool=self.stem_pool)
        if trained_as and trained_as != mine:
            setting = ' '.join(f'model.backbone.{k}={v}' for k, v in trained_as.items())
            raise ValueError(
                f'{filename} holds {meta.get("se_resnet_family", family)} SE-ResNet weights, '
                f'trained with {trained_as}; this backbone is built with {mine}, where they '
                f'would compute other features. Set {setting} (e.g. with --cfg-options), or '
                'use a checkpoint of the other family.')
        unused, counters = load_se_resnet_weights(self, state_dict, source=filename)
        print_log(
            f'SEResNet: every tensor loaded from {family} checkpoint {filename}'
            f' ({len(state_dict) - len(unused)} tensors; not backbone, left out: '
            f'{len(ignored)} keys {ignored[:2]}' +
            (f'; batch-norm statistics unused by GroupNorm: {len(unused)}' if unused else '') +
            (f'; no num_batches_tracked in the file: {len(counters)} counters start at 0'
             if counters else '') + ')',
            logger='current')
        return family

    def check_residual_branches_can_learn(self) -> None:
        """Refuse frozen batch norm with zero-initialised residual branches
        and no pretrained weights (called by :meth:`init_weights` when
        ``init_cfg`` has no ``Pretrained`` entry).

        Raises:
            ValueError: Saying why and what to do.
        """
        if not self.zero_init_residual:
            return
        reasons = []
        if not self.norm_cfg.get('requires_grad', True):
            reasons.append("norm_cfg has requires_grad=False: the norms' weights never change")
        if self.norm_eval and any(isinstance(m, _BatchNorm) for m in self.modules()):
            reasons.append('norm_eval=True keeps batch norm in eval mode: its statistics stay '
                           'at their initial mean 0 / variance 1, nothing is normalised')
        if self.frozen_stages >= 1:
            reasons.append(f'frozen_stages={self.frozen_stages} freezes the random weights of '
                           f'stages 1-{self.frozen_stages}, zero norms included')
        if not reasons:
            return
        raise ValueError(
            f'SEResNet(depth={self.depth}) would train with dead residual branches: it has no '
            'pretrained weights (init_cfg has no Pretrained entry), so zero_init_residual=True '
            "sets every bottleneck's last norm (bn3) weight to 0, and " + '; '.join(reasons) +
            '. Do one of: load ImageNet weights '
            "(model.backbone.init_cfg=dict(type='Pretrained', checkpoint=URL_OR_PATH), as the "
            'faithful configs do); use GroupNorm (norm_cfg=dict(type=\'GN\', num_groups=32, '
            'requires_grad=True), norm_eval=False, frozen_stages=-1); unfreeze batch norm '
            "(norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False, frozen_stages=-1); "
            'or, for random weights on purpose (tests, speed measurements), set '
            'zero_init_residual=False.')

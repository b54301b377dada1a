# Copyright (c) textboxes_retina authors.
"""Convert an ImageNet SE-ResNet checkpoint to textboxes_retina's ``SEResNet`` names.

Not needed for training: ``init_cfg=dict(type='Pretrained', checkpoint=URL_OR_PATH)`` reads the
published files as they are. Use it to inspect a file, to check it fits before a run, or to keep
a converted copy (e.g. for a machine that only has mmengine's plain ``load_checkpoint``)::

    python tools/model_converters/se_resnet_to_textboxes_retina.py \
        se_resnet50-ce0d4300.pth se_resnet50_textboxes_retina.pth [--depth 50]

Understands Cadene's ``pretrainedmodels`` / timm ``legacy_seresnet`` files and mmpretrain's
``SEResNet`` checkpoints (``textboxes_retina.models.backbones.se_resnet_weights``), loads the
result strictly into an ``SEResNet`` of the architecture the weights were trained with (so a
missing, unexpected or misshapen key fails here, naming it), and saves
``{'state_dict': ..., 'meta': {'se_resnet_family': ...}}``: ``SEResNet`` later checks ``style``
and ``stem_pool`` against that family.
"""
import argparse

import torch
from mmengine.runner.checkpoint import _load_checkpoint

from textboxes_retina.models.backbones import SEResNet
from textboxes_retina.models.backbones.se_resnet_weights import (SE_RESNET_FAMILIES,
                                                                 checkpoint_state_dict,
                                                                 convert_se_resnet_state_dict,
                                                                 load_se_resnet_weights)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('src', help='checkpoint path or URL (Cadene/timm or mmpretrain)')
    parser.add_argument('dst', help='where to save the converted checkpoint')
    parser.add_argument(
        '--depth',
        type=int,
        default=None,
        help='SE-ResNet depth (50, 101, 152); guessed from layer3 by default')
    return parser.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    checkpoint = _load_checkpoint(args.src, map_location='cpu')
    state_dict, family, ignored = convert_se_resnet_state_dict(checkpoint_state_dict(checkpoint))
    if family == 'textboxes_retina':
        family = (checkpoint.get('meta') or {}).get('se_resnet_family', family)
    blocks = {int(key.split('.')[1]) for key in state_dict if key.startswith('layer3.')}
    depth = args.depth or {6: 50, 23: 101, 36: 152}.get(len(blocks))
    if depth is None:
        raise SystemExit(f'{args.src}: layer3 has {len(blocks)} blocks; pass --depth')
    backbone = SEResNet(depth=depth, **(SE_RESNET_FAMILIES.get(family) or {}))
    load_se_resnet_weights(backbone, state_dict, source=args.src)
    torch.save(dict(state_dict=state_dict, meta=dict(se_resnet_family=family)), args.dst)
    print(f'{args.src}: {family} SE-ResNet{depth}, {len(state_dict)} backbone tensors -> '
          f'{args.dst} (left out, not backbone: {", ".join(ignored) or "nothing"})')
    return dict(family=family, depth=depth, tensors=len(state_dict), ignored=ignored)


if __name__ == '__main__':
    main()

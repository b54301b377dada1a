# Ablation mixin: SE-ResNet101 instead of SE-ResNet50, from the seed's ImageNet SE-ResNet101
# (Cadene's se_resnet101-7e38fcc6.pth, timm's GitHub copy; originally
# http://data.lip6.fr/cadene/pretrainedmodels/se_resnet101-7e38fcc6.pth).
# A leaf applies it to a step config with `model = _base_.ablation_model`.
ablation_model = dict(
    backbone=dict(
        depth=101,
        init_cfg=dict(checkpoint='https://github.com/rwightman/pytorch-image-models/releases/'
                      'download/v0.1-cadene/se_resnet101-7e38fcc6.pth')))

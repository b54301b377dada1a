# Variant mixin: ImageNet weights from OpenMMLab's mmpretrain SE-ResNet50 (77.74% top-1, on
# OpenMMLab's download server like every mmdet/MMOCR checkpoint) instead of the seed's Cadene
# weights. That network puts the stride on the bottleneck's 3x3 conv (style='pytorch') and pools
# the stem with padding (stem_pool='pytorch'): all three steps must use this architecture, so
# the whole three-step path is applied, not only step 1. A leaf applies it to a step config with
# `model = _base_.ablation_model`.
ablation_model = dict(
    backbone=dict(
        style='pytorch',
        stem_pool='pytorch',
        init_cfg=dict(checkpoint='https://download.openmmlab.com/mmclassification/v0/se-resnet/'
                      'se-resnet50_batch256_imagenet_20200804-ae206104.pth')))

# Ablation mixin: GroupNorm(32) in the backbone and the head instead of frozen batch norm.
# The backbone still starts from the ImageNet SE-ResNet (no GroupNorm SE-ResNet is published): its
# convolutions and the norms' affine weights are loaded, the batch-norm running statistics are not
# used (GroupNorm normalises every image by its own statistics). A leaf applies it to a step
# config with `model = _base_.ablation_model`.
ablation_model = dict(
    backbone=dict(norm_cfg=dict(type='GN', num_groups=32, requires_grad=True), norm_eval=False),
    bbox_head=dict(norm_cfg=dict(type='GN', num_groups=32, requires_grad=True)))

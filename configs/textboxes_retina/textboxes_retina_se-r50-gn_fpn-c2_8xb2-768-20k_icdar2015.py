# Ablation: GroupNorm(32) in the backbone and the head instead of frozen batch norm.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = None
norm_cfg = dict(type='GN', num_groups=32, requires_grad=True)
model = dict(
    backbone=dict(norm_cfg=norm_cfg, norm_eval=False),
    bbox_head=dict(norm_cfg=norm_cfg))

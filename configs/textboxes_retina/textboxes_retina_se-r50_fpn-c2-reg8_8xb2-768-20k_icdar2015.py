# Ablation: 8-d regression (the 4 corner offsets only) instead of 12-d (xywh + corners).
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = None
model = dict(
    bbox_head=dict(
        bbox_coder=dict(encode_size=8, target_means=[0.0] * 8, target_stds=[0.1] * 8)))

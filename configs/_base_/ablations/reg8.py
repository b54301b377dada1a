# Ablation mixin: 8-d regression (the 4 corner offsets only) instead of 12-d (xywh + corners).
# A leaf applies it to a step config with `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(bbox_coder=dict(encode_size=8, target_means=[0.0] * 8, target_stds=[0.1] * 8)))

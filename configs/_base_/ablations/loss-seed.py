# Ablation mixin: the seed's loss balance (docs/loss_balance.md): 8-d targets (corner offsets
# divided by the anchor's width/height, no stds), smooth-L1 beta 1, weight 0.5, as
# qjadud1994/Text_Detector's loss.py. A leaf applies it to a step config with
# `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(
        bbox_coder=dict(encode_size=8, target_means=[0.0] * 8, target_stds=[1.0] * 8),
        loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=1.0, loss_weight=0.5)))

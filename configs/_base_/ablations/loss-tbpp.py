# Ablation mixin: TextBoxes++'s loss balance (docs/loss_balance.md): the default 12-d targets
# (SSD's variances 0.1/0.2) with alpha 0.2: smooth-L1 beta 1, weight 0.2. A leaf applies it to a
# step config with `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=1.0, loss_weight=0.2)))

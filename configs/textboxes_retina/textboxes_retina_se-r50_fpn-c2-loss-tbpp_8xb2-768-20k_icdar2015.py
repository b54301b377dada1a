# Loss balance "tbpp" (docs/loss_balance.md) on step 2: the default 12-d targets (SSD's variances
# 0.1/0.2) with TextBoxes++'s alpha 0.2: smooth-L1 beta 1, weight 0.2.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

model = dict(bbox_head=dict(loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=1.0, loss_weight=0.2)))

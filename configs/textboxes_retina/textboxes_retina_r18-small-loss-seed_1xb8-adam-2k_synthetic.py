# Loss balance "seed" on the small model (docs/loss_balance.md), as qjadud1994/Text_Detector:
# 8-d targets (corner offsets divided by the anchor's width/height, no further normalisation),
# smooth-L1 beta 1, weight 0.5 (its loss.py: `loc_loss *= 0.5`).
_base_ = ['textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py']

model = dict(
    bbox_head=dict(
        bbox_coder=dict(encode_size=8, target_means=[0.0] * 8, target_stds=[1.0] * 8),
        loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=1.0, loss_weight=0.5)))

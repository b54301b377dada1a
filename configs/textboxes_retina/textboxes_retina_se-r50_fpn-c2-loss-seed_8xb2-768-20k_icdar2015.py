# Loss balance "seed" (docs/loss_balance.md) on step 2: 8-d targets (corner offsets divided by the
# anchor's width/height), smooth-L1 beta 1, weight 0.5, as qjadud1994/Text_Detector's loss.py.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

model = dict(
    bbox_head=dict(
        bbox_coder=dict(encode_size=8, target_means=[0.0] * 8, target_stds=[1.0] * 8),
        loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=1.0, loss_weight=0.5)))

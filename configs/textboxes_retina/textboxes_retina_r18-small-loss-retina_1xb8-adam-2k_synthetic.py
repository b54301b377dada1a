# Loss balance "retina" on the small model (docs/loss_balance.md): 12-d targets (quad box deltas
# + corner offsets) normalised by stds 0.1/0.2, smooth-L1 beta 0.11 (mmdet RetinaNet's), weight 1.
_base_ = ['textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py']

model = dict(
    bbox_head=dict(
        bbox_coder=dict(
            encode_size=12, target_means=[0.0] * 12, target_stds=[0.1, 0.1, 0.2, 0.2] + [0.1] * 8),
        loss_bbox=dict(type='mmdet.SmoothL1Loss', beta=0.11, loss_weight=1.0)))

# A small CPU-friendly variant of textboxes_retina_se-r50_fpn-c2.py (3.4 M parameters, 2.6 GFLOPs
# at 256 x 256): ResNet-18 at half width (base_channels=32) trained from scratch with live batch
# norm, a 64-channel FPN (P2..P7) and a 2-conv, 64-channel head; anchors, coder, losses,
# assignment and test settings are the full model's.
_base_ = ['textboxes_retina_se-r50_fpn-c2.py']

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.ResNet',
        depth=18,
        base_channels=32,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch'),
    # P6 from P5 (no ReLU before P7), unlike the faithful SE-ResNet configs: what the demo's
    # figures and the 20-iteration smoke test were measured with.
    neck=dict(
        in_channels=[32, 64, 128, 256],
        out_channels=64,
        add_extra_convs='on_output',
        relu_before_extra_convs=False),
    bbox_head=dict(in_channels=64, feat_channels=64, stacked_convs=2))

# Ablation: SSD-style hard negative mining (3 negatives per positive) with softmax cross-entropy
# instead of the focal loss.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = None
model = dict(
    bbox_head=dict(
        loss_cls=dict(
            _delete_=True, type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(neg_pos_ratio=3))

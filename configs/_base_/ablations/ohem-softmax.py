# Ablation mixin: SSD-style hard negative mining (3 negatives per positive) with softmax
# cross-entropy instead of the focal loss. A leaf applies it to a step config with
# `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(
        loss_cls=dict(
            _delete_=True, type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(neg_pos_ratio=3))

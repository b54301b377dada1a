# Ablation mixin: the seed's classification loss, FL* (its loss.py `focal_loss_alt`: gamma 2,
# beta 1, alpha 0.25), instead of the standard focal loss. A leaf applies it to a step config
# with `model = _base_.ablation_model`.
ablation_model = dict(
    bbox_head=dict(
        loss_cls=dict(
            _delete_=True,
            type='FocalLossStar',
            use_sigmoid=True,
            gamma=2.0,
            beta=1.0,
            alpha=0.25,
            loss_weight=1.0)))

# Option: the seed's classification loss, FL* (its loss.py `focal_loss_alt`: gamma 2, beta 1,
# alpha 0.25), instead of the standard focal loss; everything else as step 2 on ICDAR 2015.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

model = dict(
    bbox_head=dict(
        loss_cls=dict(
            _delete_=True, type='FocalLossStar', use_sigmoid=True, gamma=2.0, beta=1.0,
            alpha=0.25, loss_weight=1.0)))

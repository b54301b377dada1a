# Loss balance "tbpp" on the small model (docs/loss_balance.md), as TextBoxes++ (SSD's loss with
# alpha 0.2): the "retina" setting's 12-d targets (normalised by SSD's variances 0.1/0.2) with
# smooth-L1 beta 1 and weight 0.2.
_base_ = ['textboxes_retina_r18-small-loss-retina_1xb8-adam-2k_synthetic.py']

model = dict(bbox_head=dict(loss_bbox=dict(beta=1.0, loss_weight=0.2)))

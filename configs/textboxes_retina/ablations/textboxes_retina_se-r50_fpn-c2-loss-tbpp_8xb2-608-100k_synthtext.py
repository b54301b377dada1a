# Ablation TextBoxes++'s loss balance, step 1: SynthText at 608 from ImageNet
# (the main step config + configs/_base_/ablations/loss-tbpp.py).
_base_ = [
    '../textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py',
    '../../_base_/ablations/loss-tbpp.py',
]

model = _base_.ablation_model

# Ablation TextBoxes++'s loss balance, step 2: ICDAR 2015 at 768 from step 1
# (the main step config + configs/_base_/ablations/loss-tbpp.py).
_base_ = [
    '../textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py',
    '../../_base_/ablations/loss-tbpp.py',
]

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2-loss-tbpp_8xb2-608-100k_synthtext/'
             'iter_100000.pth')
model = _base_.ablation_model

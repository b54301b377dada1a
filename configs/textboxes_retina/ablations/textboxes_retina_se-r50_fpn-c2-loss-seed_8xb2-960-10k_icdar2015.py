# Ablation the seed's loss balance, step 3: ICDAR 2015 at 960 from step 2
# (the main step config + configs/_base_/ablations/loss-seed.py).
_base_ = [
    '../textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py',
    '../../_base_/ablations/loss-seed.py',
]

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2-loss-seed_8xb2-768-20k_icdar2015/'
             'iter_20000.pth')
model = _base_.ablation_model

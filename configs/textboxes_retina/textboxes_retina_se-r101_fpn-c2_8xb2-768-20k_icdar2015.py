# Ablation: SE-ResNet101 instead of SE-ResNet50 (step 2 setting).
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = None
model = dict(backbone=dict(depth=101))

# Step 2 of the single-scale schedule: fine-tuning on ICDAR 2015 at 768x768 from step 1.
_base_ = [
    '_base_textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/datasets/icdar2015_textdet.py',
    '../_base_/schedules/schedule_sgd_20k.py',
]

load_from = 'work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext/iter_100000.pth'

# The base's train_scale (768) and test_scale (1280).
icdar2015_textdet_train = _base_.icdar2015_textdet_train
icdar2015_textdet_train.pipeline = _base_.icdar2015_train_pipeline
icdar2015_textdet_test = _base_.icdar2015_textdet_test
icdar2015_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(dataset=icdar2015_textdet_train)
val_dataloader = dict(dataset=icdar2015_textdet_test)
test_dataloader = val_dataloader
# Validation every 2000 iterations keeps the checkpoint with the best IC15 hmean
# (best_ic15_hmean_iter_N.pth) besides the last ones.
default_hooks = dict(checkpoint=dict(interval=2000, save_best='ic15/hmean', rule='greater'))

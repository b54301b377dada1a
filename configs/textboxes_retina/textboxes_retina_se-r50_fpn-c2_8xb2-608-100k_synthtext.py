# Step 1 of the single-scale schedule: pre-training on SynthText at 608x608.
_base_ = [
    '_base_textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/datasets/synthtext_textdet.py',
    '../_base_/datasets/icdar2015_textdet.py',
    '../_base_/schedules/schedule_sgd_100k.py',
]

train_scale = 608
train_resize = dict(_base_.train_resize, scale=(train_scale, train_scale))
synthtext_train_pipeline = [*_base_.synthtext_train_augment, train_resize, _base_.pack_inputs]

synthtext_textdet_train = _base_.synthtext_textdet_train
synthtext_textdet_train.pipeline = synthtext_train_pipeline
# SynthText has no test split: progress is watched on ICDAR 2015's test set.
icdar2015_textdet_test = _base_.icdar2015_textdet_test
icdar2015_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(dataset=synthtext_textdet_train)
val_dataloader = dict(dataset=icdar2015_textdet_test)
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(interval=10000))

# Step 1 of the single-scale schedule: pre-training on SynthText at 608x608.
_base_ = [
    '_base_textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/datasets/synthtext_textdet.py',
    '../_base_/datasets/icdar2015_textdet.py',
    '../_base_/schedules/schedule_sgd_100k.py',
]

train_pipeline = _base_.synthtext_textdet_train_pipeline
train_pipeline[-2] = dict(type='Resize', scale=(608, 608), keep_ratio=False,
                          clip_object_border=False)
synthtext_textdet_train = _base_.synthtext_textdet_train
synthtext_textdet_train.pipeline = train_pipeline

train_dataloader = dict(dataset=synthtext_textdet_train)
# SynthText has no test split: progress is watched on ICDAR 2015's test set.
val_dataloader = dict(dataset=_base_.icdar2015_textdet_test)
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(interval=10000))

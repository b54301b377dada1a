# MMOCR's DBNet (its own packaged model and pipelines) on our ICDAR 2015 dataset class and our IC15
# protocol metric: a side-by-side baseline for the TextBoxes++ configs. Iteration-based SGD with
# DBNet's poly learning rate, 16 images a batch.
_base_ = [
    'mmocr::textdet/dbnet/_base_dbnet_resnet18_fpnc.py',
    '../_base_/datasets/icdar2015_textdet.py',
    '../_base_/default_runtime.py',
]

icdar2015_textdet_train = _base_.icdar2015_textdet_train
icdar2015_textdet_train.pipeline = _base_.train_pipeline
icdar2015_textdet_test = _base_.icdar2015_textdet_test
icdar2015_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=icdar2015_textdet_train)
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=icdar2015_textdet_test)
test_dataloader = val_dataloader

# The same protocol and operating point as the TextBoxes++ configs.
val_evaluator = dict(type='IC15HmeanMetric', score_thr=0.4)
test_evaluator = val_evaluator

optim_wrapper = dict(
    type='OptimWrapper', optimizer=dict(type='SGD', lr=0.007, momentum=0.9, weight_decay=0.0001))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=20000, val_interval=2000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=1e-7, by_epoch=False, end=20000)]
default_hooks = dict(checkpoint=dict(interval=2000))
auto_scale_lr = dict(base_batch_size=16, enable=False)

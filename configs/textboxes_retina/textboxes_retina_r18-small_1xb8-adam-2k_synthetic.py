# The small CPU model on the generated synthetic text (tools/make_synthetic_dataset.py): what the
# demo (tools/demo.py) trains and evaluates on a laptop. 384 px inputs, batch 8, Adam. The FPN
# starts at C3 (P3..P7, no stride-4 level): a quarter of the anchors and about half the time of
# an iteration on a CPU, and the generated words (16-60 px high) still meet anchors of their size.
_base_ = [
    '../_base_/models/textboxes_retina_r18-small.py',
    '../_base_/datasets/synthetic_textdet.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_adam_2k.py',
]

model = dict(
    neck=dict(start_level=1, num_outs=5),
    bbox_head=dict(
        anchor_generator=dict(strides=[8, 16, 32, 64, 128], base_sizes=[32, 64, 128, 256, 512])))

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=_base_.synthetic_textdet_train)
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=_base_.synthetic_textdet_test)
test_dataloader = val_dataloader

val_evaluator = dict(type='IC15HmeanMetric', score_thr=0.4)
test_evaluator = val_evaluator

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=500))
auto_scale_lr = dict(base_batch_size=8)

# SGD base for the three-step TextBoxes++/RetinaNet schedule (RetinaNet's recipe: lr 0.01 for a
# total batch of 16 images, e.g. 8 GPUs x 2). All schedules are iteration-based; the step
# schedules below only set the length, the learning rate and the LR policy.
optim_wrapper = dict(
    # An OptimWrapper that stops with a clear message on a non-finite loss or gradient, before
    # the optimizer step (on_non_finite='skip' skips such steps instead).
    type='NonFiniteLossGuardOptimWrapper',
    on_non_finite='raise',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=100000, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(
        type='MultiStepLR',
        by_epoch=False,
        begin=0,
        end=100000,
        milestones=[70000, 90000],
        gamma=0.1),
]

# `tools/train.py --auto-scale-lr` scales lr by (total batch size) / base_batch_size.
auto_scale_lr = dict(base_batch_size=16, enable=False)

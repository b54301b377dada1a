# A short Adam schedule for small models and CPU runs (the demo): 2k iterations at lr 1e-3 for a
# batch of 8, linear warm-up then cosine decay. Adam needs no per-dataset tuning of the step
# sizes, which suits runs too short for SGD's warm-up and decay steps.
optim_wrapper = dict(
    type='NonFiniteLossGuardOptimWrapper',
    on_non_finite='raise',
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000, val_interval=500)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=2000, T_max=1900, eta_min=1e-5),
]

auto_scale_lr = dict(base_batch_size=8, enable=False)

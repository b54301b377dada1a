# Step 2: fine-tuning on ICDAR (2015, or 2013+MLT) from step 1's checkpoint, 20k iterations at
# lr 0.005 (batch 16), decayed x0.1 at 15k.
_base_ = 'schedule_sgd_base.py'

optim_wrapper = dict(optimizer=dict(lr=0.005))
train_cfg = dict(max_iters=20000, val_interval=2000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=20000, milestones=[15000], gamma=0.1),
]

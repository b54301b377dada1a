# Step 2: fine-tuning on ICDAR (2015, or 2013+MLT) from step 1's checkpoint, 20k iterations at
# lr 0.005 (batch 16), decayed x0.1 at 15k.
# The seed: SGD lr 1e-3, batch 16 (12 multi-scale), lr x0.5^k at the k-th of 2k, 4k, 6k, 8k, 10k
# (compounding: 1.25e-4 from 4k, 1.6e-5 from 6k), its step 3 starting from 10k.
_base_ = 'schedule_sgd_base.py'

optim_wrapper = dict(optimizer=dict(lr=0.005))
train_cfg = dict(max_iters=20000, val_interval=2000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=20000, milestones=[15000], gamma=0.1),
]

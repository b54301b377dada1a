# Step 3: fine-tuning on ICDAR2015 at the largest scale from step 2's checkpoint, 10k iterations at
# lr 0.002 (batch 16), decayed x0.1 at 7.5k.
# The seed: as its step 2 (lr 1e-3, x0.5^k at 2k, 4k, ...), batch 8 (6 multi-scale); its reported
# IC15 hmean (0.8065) is the step-3 checkpoint at 4k iterations.
_base_ = 'schedule_sgd_base.py'

optim_wrapper = dict(optimizer=dict(lr=0.002))
train_cfg = dict(max_iters=10000, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.01, by_epoch=False, begin=0, end=200),
    dict(type='MultiStepLR', by_epoch=False, begin=0, end=10000, milestones=[7500], gamma=0.1),
]

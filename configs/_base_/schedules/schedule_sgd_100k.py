# Step 1: pre-training on SynthText, 100k iterations at lr 0.01 (batch 16), decayed x0.1 at 70k
# and 90k.
# The seed (train.py, README): SGD lr 1e-3, batch 16 (12 multi-scale), lr x0.5^k at the k-th of
# 10k, 20k, 30k, 40k, 50k (compounding: 1e-3 / 1024 by 40k), its step 2 starting from 35k-40k.
_base_ = 'schedule_sgd_base.py'

train_cfg = dict(max_iters=100000, val_interval=10000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=1000),
    dict(
        type='MultiStepLR',
        by_epoch=False,
        begin=0,
        end=100000,
        milestones=[70000, 90000],
        gamma=0.1),
]

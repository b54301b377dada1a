# What every TextBoxes++/RetinaNet leaf config shares: the SE-ResNet50 C2-P7 model, the runtime,
# the data loaders (8 GPUs x 2 images, as in the names "8xb2") and the ICDAR 2015 protocol.
# Leaves pick the datasets, the input size and the schedule.
_base_ = [
    '../_base_/models/textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/default_runtime.py',
]

train_dataloader = dict(
    batch_size=2,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True))

val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False))
test_dataloader = val_dataloader

# IC15 (Challenge 4) protocol at the seed's operating point: score 0.4, quad NMS 0.2.
val_evaluator = dict(type='IC15HmeanMetric', score_thr=0.4)
test_evaluator = val_evaluator

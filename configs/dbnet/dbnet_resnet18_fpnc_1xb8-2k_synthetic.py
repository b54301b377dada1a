# DBNet on the demo's generated synthetic text, next to
# configs/textboxes_retina/textboxes_retina_r18-small_1xb8-adam-2k_synthetic.py: same data, same
# metric, same number of iterations and batch size. No ImageNet weights (offline demo).
_base_ = [
    'dbnet_resnet18_fpnc_1xb16-20k_icdar2015.py',
    '../_base_/datasets/synthetic_textdet.py',
]

model = dict(backbone=dict(init_cfg=None))

synthetic_textdet_train = _base_.synthetic_textdet_train
synthetic_textdet_train.pipeline = _base_.train_pipeline
synthetic_textdet_test = _base_.synthetic_textdet_test
synthetic_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(batch_size=8, num_workers=2, dataset=synthetic_textdet_train)
val_dataloader = dict(num_workers=2, dataset=synthetic_textdet_test)
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=0.007))
train_cfg = dict(max_iters=2000, val_interval=500)
param_scheduler = [dict(type='PolyLR', power=0.9, eta_min=1e-7, by_epoch=False, end=2000)]
default_hooks = dict(checkpoint=dict(interval=500))
auto_scale_lr = dict(base_batch_size=8)

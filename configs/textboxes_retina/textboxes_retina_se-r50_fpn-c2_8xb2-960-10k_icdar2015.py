# Step 3 of the single-scale schedule: ICDAR 2015 at 960x960 from step 2; tested at 1280, and
# with multi-scale + flip test-time augmentation under `tools/test.py --tta`.
_base_ = [
    '_base_textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/datasets/icdar2015_textdet.py',
    '../_base_/schedules/schedule_sgd_10k.py',
    '../_base_/tta/icdar2015_quad_tta.py',
]

load_from = 'work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015/iter_20000.pth'

train_scale = 960
train_resize = dict(_base_.train_resize, scale=(train_scale, train_scale))
icdar2015_train_pipeline = [*_base_.icdar2015_train_augment, train_resize, _base_.pack_inputs]

icdar2015_textdet_train = _base_.icdar2015_textdet_train
icdar2015_textdet_train.pipeline = icdar2015_train_pipeline
icdar2015_textdet_test = _base_.icdar2015_textdet_test
icdar2015_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(dataset=icdar2015_textdet_train)
val_dataloader = dict(dataset=icdar2015_textdet_test)
test_dataloader = val_dataloader
# Validation every 1000 iterations keeps the checkpoint with the best IC15 hmean
# (best_ic15_hmean_iter_N.pth) besides the last ones.
default_hooks = dict(checkpoint=dict(interval=1000, save_best='ic15/hmean', rule='greater'))
# The seed's IC15 test setting (test_scale 1280 from the base): score 0.4, quad NMS 0.2.
model = dict(test_cfg=dict(score_thr=0.4, nms=dict(iou_threshold=0.2)))

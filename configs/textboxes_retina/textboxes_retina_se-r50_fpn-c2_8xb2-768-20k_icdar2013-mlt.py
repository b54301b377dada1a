# Step 2 alternative: fine-tuning on ICDAR 2013 + MLT 2017 at 768x768 from step 1, evaluated on
# ICDAR 2013 with DetEval at the seed's IC13 setting (score 0.5, quad NMS 0.35).
_base_ = [
    '_base_textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/datasets/icdar2013_textdet.py',
    '../_base_/datasets/mlt2017_textdet.py',
    '../_base_/schedules/schedule_sgd_20k.py',
]

load_from = 'work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext/iter_100000.pth'

icdar2013_textdet_train = _base_.icdar2013_textdet_train
icdar2013_textdet_train.pipeline = _base_.icdar2013_train_pipeline
mlt2017_textdet_train = _base_.mlt2017_textdet_train
mlt2017_textdet_train.pipeline = _base_.mlt2017_train_pipeline
icdar2013_textdet_test = _base_.icdar2013_textdet_test
icdar2013_textdet_test.pipeline = _base_.test_pipeline

# Both training sets together, each with its own pipeline.
train_dataloader = dict(
    dataset=dict(type='ConcatDataset', datasets=[icdar2013_textdet_train, mlt2017_textdet_train]))
val_dataloader = dict(dataset=icdar2013_textdet_test)
test_dataloader = val_dataloader
val_evaluator = dict(_delete_=True, type='IC13DetEvalMetric', score_thr=0.5)
test_evaluator = val_evaluator
# Keeps the checkpoint with the best IC13 DetEval hmean besides the last ones.
default_hooks = dict(checkpoint=dict(interval=2000, save_best='ic13/hmean', rule='greater'))
model = dict(test_cfg=dict(score_thr=0.5, nms=dict(iou_threshold=0.35)))

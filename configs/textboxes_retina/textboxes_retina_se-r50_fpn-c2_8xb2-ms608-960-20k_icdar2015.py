# Step 2 of the multi-scale schedule: ICDAR 2015, each sample resized from its (cropped) original
# image to a square side drawn from 608-960 in steps of 32 (the seed's MULTI_SCALES for steps 1
# and 2), from the multi-scale step 1; the data preprocessor pads the batch to a multiple of 128.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-768-20k_icdar2015.py']

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-100k_synthtext/'
             'iter_100000.pth')
multi_scale_sizes = list(range(608, 961, 32))
# In place of the single-scale `train_resize` (the base's, unused here).
multi_scale_resize = dict(
    type='RandomChoiceResize',
    scales=[(s, s) for s in multi_scale_sizes],
    keep_ratio=False,
    clip_object_border=False)
icdar2015_train_pipeline = [*_base_.icdar2015_train_augment, multi_scale_resize, _base_.pack_inputs]

icdar2015_textdet_train = _base_.icdar2015_textdet_train
icdar2015_textdet_train.pipeline = icdar2015_train_pipeline
train_dataloader = dict(dataset=icdar2015_textdet_train)

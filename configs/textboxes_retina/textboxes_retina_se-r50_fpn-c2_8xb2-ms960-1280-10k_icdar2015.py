# Step 3 of the multi-scale schedule: ICDAR 2015, each sample resized from its (cropped) original
# image to a square side drawn from 960-1280 in steps of 32 (the seed's step-3 MULTI_SCALES), from
# the multi-scale step 2; tested at 1280x1280 like the single-scale step 3.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py']

load_from = ('work_dirs/textboxes_retina_se-r50_fpn-c2_8xb2-ms608-960-20k_icdar2015/'
             'iter_20000.pth')
multi_scale_sizes = list(range(960, 1281, 32))
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

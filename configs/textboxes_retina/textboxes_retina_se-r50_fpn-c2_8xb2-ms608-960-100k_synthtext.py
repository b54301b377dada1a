# Step 1 of the multi-scale schedule: as the single-scale step 1, but each sample is resized from
# its (cropped) original image to a square side drawn from 608-960 in steps of 32, as the seed's
# datagen.py (MULTI_SCALES); the data preprocessor pads the batch to a multiple of 128.
_base_ = ['textboxes_retina_se-r50_fpn-c2_8xb2-608-100k_synthtext.py']

multi_scale_sizes = list(range(608, 961, 32))
# In place of the single-scale `train_resize` (the base's, unused here).
multi_scale_resize = dict(
    type='RandomChoiceResize',
    scales=[(s, s) for s in multi_scale_sizes],
    keep_ratio=False,
    clip_object_border=False)
synthtext_train_pipeline = [*_base_.synthtext_train_augment, multi_scale_resize, _base_.pack_inputs]

synthtext_textdet_train = _base_.synthtext_textdet_train
synthtext_textdet_train.pipeline = synthtext_train_pipeline
train_dataloader = dict(dataset=synthtext_textdet_train)

# What every TextBoxes++/RetinaNet leaf config shares: the SE-ResNet50 C2-P7 model, the runtime,
# the data pipelines, the data loaders (8 GPUs x 2 images, as in the names "8xb2") and the ICDAR
# 2015 protocol. As in MMOCR, the dataset bases (configs/_base_/datasets/) hold data only: a leaf
# picks the datasets, gives each the pipeline defined here, and picks the schedule.
#
# Input sizes are named. mmengine evaluates every base file on its own, so what is derived here
# from a size keeps this file's value; a leaf that changes a size re-derives what it uses, by name:
#   train_scale = 960
#   train_resize = dict(_base_.train_resize, scale=(train_scale, train_scale))
#   icdar2015_train_pipeline = [*_base_.icdar2015_train_augment, train_resize, _base_.pack_inputs]
#   icdar2015_textdet_train = _base_.icdar2015_textdet_train
#   icdar2015_textdet_train.pipeline = icdar2015_train_pipeline
_base_ = [
    '../_base_/models/textboxes_retina_se-r50_fpn-c2.py',
    '../_base_/default_runtime.py',
]

# Square sides in pixels. Every training crop is resized to a square, and so is every test image
# (the seed tests at 1280 x 1280): a word's aspect ratio reaching the head is the same at train
# and test (tests/test_datasets/test_train_test_geometry.py).
train_scale = 768
test_scale = 1280

train_resize = dict(
    type='Resize', scale=(train_scale, train_scale), keep_ratio=False, clip_object_border=False)
test_resize = dict(type='Resize', scale=(test_scale, test_scale), keep_ratio=False)
load_image = dict(type='LoadImageFromFile', color_type='color_ignore_orientation')
load_annotations = dict(
    type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True)
pack_inputs = dict(
    type='PackTextDetInputs', meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))

# Training: each dataset's loading and augmentation (everything before the resize), then
# `train_resize` and `pack_inputs`. A corrupt image makes the loader (ignore_empty=True) return
# None and the dataset fetch another sample.
icdar2015_train_augment = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    load_annotations,
    dict(type='mmdet.PhotoMetricDistortion'),
    # No zoom-out (QuadRandomExpand): ICDAR 2015's words are small, and the seed has none.
    dict(type='QuadRandomRotate', max_angle=10, prob=0.3),
    # The seed's crop: side down to 0.1 of the image, "more than k words >90% inside" modes;
    # words cut by the patch are clipped (don't care under half their area).
    dict(
        type='QuadRandomCrop',
        min_words_inside=(None, 1, 3, 5, 7, 9),
        scale_range=(0.1, 1.0),
        aspect_ratio_range=(0.5, 2.0),
        min_kept_area_ratio=0.5,
        cut_word_mode='ignore'),
]
# ICDAR 2013's words are horizontal boxes: no rotation.
icdar2013_train_augment = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    load_annotations,
    dict(type='mmdet.PhotoMetricDistortion'),
    dict(type='QuadRandomExpand', ratio_range=(1.0, 2.0), prob=0.3),
    dict(type='QuadRandomCrop', min_kept_area_ratio=0.5, cut_word_mode='ignore'),
]
# Some MLT 2017 images are GIFs, which OpenCV cannot decode: Pillow decodes them.
mlt2017_train_augment = [
    dict(
        type='LoadImageFromFile',
        color_type='color_ignore_orientation',
        imdecode_backend='pillow',
        ignore_empty=True),
    load_annotations,
    dict(type='mmdet.PhotoMetricDistortion'),
    dict(type='QuadRandomExpand', ratio_range=(1.0, 2.0), prob=0.3),
    dict(type='QuadRandomRotate', max_angle=10, prob=0.3),
    dict(type='QuadRandomCrop', min_kept_area_ratio=0.5, cut_word_mode='ignore'),
]
synthtext_train_augment = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    load_annotations,
    dict(type='mmdet.PhotoMetricDistortion'),
    # The seed's crop (side down to 0.1, "more than k words >90% inside" modes); also clips the
    # word boxes that reach outside the image.
    dict(
        type='QuadRandomCrop',
        min_words_inside=(None, 1, 3, 5, 7, 9),
        scale_range=(0.1, 1.0),
        aspect_ratio_range=(0.5, 2.0),
        min_kept_area_ratio=0.5,
        cut_word_mode='ignore'),
]
icdar2015_train_pipeline = [*icdar2015_train_augment, train_resize, pack_inputs]
icdar2013_train_pipeline = [*icdar2013_train_augment, train_resize, pack_inputs]
mlt2017_train_pipeline = [*mlt2017_train_augment, train_resize, pack_inputs]
synthtext_train_pipeline = [*synthtext_train_augment, train_resize, pack_inputs]

# Test (ICDAR 2015 and 2013): annotations are loaded after the resize, so they stay in
# original-image coordinates, like the predictions after rescaling.
test_pipeline = [load_image, test_resize, load_annotations, pack_inputs]
mlt2017_test_pipeline = [
    dict(load_image, imdecode_backend='pillow'), test_resize, load_annotations, pack_inputs
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

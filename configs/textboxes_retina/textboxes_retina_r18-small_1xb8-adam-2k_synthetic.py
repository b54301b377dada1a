# The small CPU model on the generated synthetic text (tools/make_synthetic_dataset.py): what the
# demo (tools/demo.py) trains and evaluates on a laptop. 384 px inputs, batch 8, Adam. The FPN
# starts at C3 (P3..P7, no stride-4 level): a quarter of the anchors and about half the time of
# an iteration on a CPU, and the generated words (16-60 px high) still meet anchors of their size.
_base_ = [
    '../_base_/models/textboxes_retina_r18-small.py',
    '../_base_/datasets/synthetic_textdet.py',
    '../_base_/default_runtime.py',
    '../_base_/schedules/schedule_adam_2k.py',
]

model = dict(
    neck=dict(start_level=1, num_outs=5),
    bbox_head=dict(
        anchor_generator=dict(strides=[8, 16, 32, 64, 128], base_sizes=[32, 64, 128, 256, 512])))

# Square sides in pixels, as the SE-ResNet configs (configs/textboxes_retina/
# _base_textboxes_retina_se-r50_fpn-c2.py): test images are resized to a square like the training
# crops (the generated images are not square: 320-512 px per side, drawn separately), so words
# reach the head with the training aspect ratio. A config inheriting this one that changes a size
# re-derives the resize and the pipeline that use it, by name.
train_scale = 384
test_scale = 384

train_resize = dict(
    type='Resize', scale=(train_scale, train_scale), keep_ratio=False, clip_object_border=False)
test_resize = dict(type='Resize', scale=(test_scale, test_scale), keep_ratio=False)
load_image = dict(type='LoadImageFromFile', color_type='color_ignore_orientation')
load_annotations = dict(
    type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True)
pack_inputs = dict(
    type='PackTextDetInputs', meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))

# Loading and augmentation (everything before the resize); a corrupt image makes the loader
# (ignore_empty=True) return None and the dataset fetch another sample.
train_augment = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    load_annotations,
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=16, hue_delta=9),
    dict(
        type='QuadRandomCrop',
        min_overlaps=(None, 0.5, 0.7, 0.9),
        scale_range=(0.5, 1.0),
        min_kept_area_ratio=0.5,
        cut_word_mode='ignore'),
]
train_pipeline = [*train_augment, train_resize, pack_inputs]
# Annotations are loaded after the resize: they stay in original-image coordinates, like the
# predictions after rescaling.
test_pipeline = [load_image, test_resize, load_annotations, pack_inputs]

synthetic_textdet_train = _base_.synthetic_textdet_train
synthetic_textdet_train.pipeline = train_pipeline
synthetic_textdet_test = _base_.synthetic_textdet_test
synthetic_textdet_test.pipeline = test_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=synthetic_textdet_train)
val_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=synthetic_textdet_test)
test_dataloader = val_dataloader

val_evaluator = dict(type='IC15HmeanMetric', score_thr=0.4)
test_evaluator = val_evaluator

default_hooks = dict(logger=dict(interval=20), checkpoint=dict(interval=500))
auto_scale_lr = dict(base_batch_size=8)

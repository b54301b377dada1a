# ICDAR 2017 MLT read from the official zips (or the folders of the same names):
#   data/mlt2017/ch8_training_images_{1..8}[.zip], ch8_training_localization_transcription_gt_v2,
#   data/mlt2017/ch8_validation_images[.zip], ch8_validation_localization_transcription_gt_v2
# Some images are GIFs, which OpenCV cannot decode: images are decoded with Pillow.
mlt2017_textdet_data_root = 'data/mlt2017'

mlt2017_textdet_train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation',
         imdecode_backend='pillow', ignore_empty=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='mmdet.PhotoMetricDistortion'),
    dict(type='QuadRandomExpand', ratio_range=(1.0, 2.0), prob=0.3),
    dict(type='QuadRandomRotate', max_angle=10, prob=0.3),
    dict(type='QuadRandomCrop', min_kept_area_ratio=0.5, cut_word_mode='ignore'),
    dict(type='Resize', scale=(768, 768), keep_ratio=False, clip_object_border=False),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

mlt2017_textdet_test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation',
         imdecode_backend='pillow'),
    # Square, like training (every train crop is resized to a square): a word's aspect
    # ratio reaching the head is the same at train and test (the seed tests at 1280x1280).
    dict(type='Resize', scale=(1280, 1280), keep_ratio=False),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

mlt2017_textdet_train = dict(
    type='MLT2017Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=mlt2017_textdet_data_root,
    img_dir=[f'ch8_training_images_{i}' for i in range(1, 9)],
    ann_dir='ch8_training_localization_transcription_gt_v2',
    pipeline=mlt2017_textdet_train_pipeline)

mlt2017_textdet_test = dict(
    type='MLT2017Dataset',
    data_root=mlt2017_textdet_data_root,
    img_dir='ch8_validation_images',
    ann_dir='ch8_validation_localization_transcription_gt_v2',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=mlt2017_textdet_test_pipeline)

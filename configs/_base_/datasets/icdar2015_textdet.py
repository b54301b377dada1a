# ICDAR 2015 (Challenge 4) read from the official folders or zips, no conversion step:
#   data/icdar2015/ch4_training_images[.zip], ch4_training_localization_transcription_gt[.zip],
#   data/icdar2015/ch4_test_images[.zip], Challenge4_Test_Task1_GT[.zip]
icdar2015_textdet_data_root = 'data/icdar2015'

icdar2015_textdet_train_pipeline = [
    # A corrupt image makes the loader return None and the dataset fetch another sample.
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='mmdet.PhotoMetricDistortion'),
    # No zoom-out (QuadRandomExpand): ICDAR 2015's words are small, and the seed has none.
    dict(type='QuadRandomRotate', max_angle=10, prob=0.3),
    # The seed's crop: side down to 0.1 of the image, "more than k words >90% inside" modes;
    # words cut by the patch are clipped (don't care under half their area).
    dict(type='QuadRandomCrop', min_words_inside=(None, 1, 3, 5, 7, 9), scale_range=(0.1, 1.0),
         aspect_ratio_range=(0.5, 2.0), min_kept_area_ratio=0.5, cut_word_mode='ignore'),
    dict(type='Resize', scale=(768, 768), keep_ratio=False, clip_object_border=False),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

# Annotations are loaded after the resize: they stay in original-image coordinates, like the
# predictions after rescaling.
icdar2015_textdet_test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    # Square, like training (every train crop is resized to a square): a word's aspect
    # ratio reaching the head is the same at train and test (the seed tests at 1280x1280).
    dict(type='Resize', scale=(1280, 1280), keep_ratio=False),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

icdar2015_textdet_train = dict(
    type='ICDAR2015Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=icdar2015_textdet_data_root,
    img_dir='ch4_training_images',
    ann_dir='ch4_training_localization_transcription_gt',
    pipeline=icdar2015_textdet_train_pipeline)

icdar2015_textdet_test = dict(
    type='ICDAR2015Dataset',
    data_root=icdar2015_textdet_data_root,
    img_dir='ch4_test_images',
    ann_dir='Challenge4_Test_Task1_GT',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=icdar2015_textdet_test_pipeline)

# ICDAR 2013 (Challenge 2) read from the official folders or zips, no conversion step:
#   data/icdar2013/Challenge2_Training_Task12_Images[.zip], Challenge2_Training_Task1_GT[.zip],
#   data/icdar2013/Challenge2_Test_Task12_Images[.zip], Challenge2_Test_Task1_GT[.zip]
# Words are horizontal boxes (turned into quads); no rotation augmentation.
icdar2013_textdet_data_root = 'data/icdar2013'

icdar2013_textdet_train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='mmdet.PhotoMetricDistortion'),
    dict(type='QuadRandomExpand', ratio_range=(1.0, 2.0), prob=0.3),
    dict(type='QuadRandomCrop', min_kept_area_ratio=0.5, cut_word_mode='ignore'),
    dict(type='Resize', scale=(768, 768), keep_ratio=False, clip_object_border=False),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

icdar2013_textdet_test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    # Square, like training (every train crop is resized to a square): a word's aspect
    # ratio reaching the head is the same at train and test (the seed tests at 1280x1280).
    dict(type='Resize', scale=(1280, 1280), keep_ratio=False),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

icdar2013_textdet_train = dict(
    type='ICDAR2013Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=icdar2013_textdet_data_root,
    img_dir='Challenge2_Training_Task12_Images',
    ann_dir='Challenge2_Training_Task1_GT',
    pipeline=icdar2013_textdet_train_pipeline)

icdar2013_textdet_test = dict(
    type='ICDAR2013Dataset',
    data_root=icdar2013_textdet_data_root,
    img_dir='Challenge2_Test_Task12_Images',
    ann_dir='Challenge2_Test_Task1_GT',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=icdar2013_textdet_test_pipeline)

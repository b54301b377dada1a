# SynthText read from the official gt.mat (data/synthtext/gt.mat + data/synthtext/<n>/*.jpg, or
# SynthText.zip as downloaded: data_root='data/SynthText.zip', ann_file='SynthText/gt.mat',
# img_dir='SynthText'). Pre-training only: there is no test split. Set `limit` for a subset.
synthtext_textdet_data_root = 'data/synthtext'

synthtext_textdet_train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation', ignore_empty=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True, with_label=True),
    dict(type='mmdet.PhotoMetricDistortion'),
    # The seed's crop (side down to 0.1, "more than k words >90% inside" modes); also clips the
    # word boxes that reach outside the image.
    dict(type='QuadRandomCrop', min_words_inside=(None, 1, 3, 5, 7, 9), scale_range=(0.1, 1.0),
         aspect_ratio_range=(0.5, 2.0), min_kept_area_ratio=0.5, cut_word_mode='ignore'),
    dict(type='Resize', scale=(768, 768), keep_ratio=False, clip_object_border=False),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

synthtext_textdet_train = dict(
    type='SynthTextDataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=synthtext_textdet_data_root,
    ann_file='gt.mat',
    pipeline=synthtext_textdet_train_pipeline)

# ICDAR 2015 (Challenge 4) read from the official folders or zips, no conversion step:
#   data/icdar2015/ch4_training_images[.zip], ch4_training_localization_transcription_gt[.zip],
#   data/icdar2015/ch4_test_images[.zip], Challenge4_Test_Task1_GT[.zip]
# Data only, as MMOCR's dataset bases: a leaf config gives each set its algorithm's pipeline
# (configs/textboxes_retina/_base_textboxes_retina_se-r50_fpn-c2.py), e.g.
#   icdar2015_textdet_train.pipeline = _base_.icdar2015_train_pipeline
icdar2015_textdet_data_root = 'data/icdar2015'

icdar2015_textdet_train = dict(
    type='ICDAR2015Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=icdar2015_textdet_data_root,
    img_dir='ch4_training_images',
    ann_dir='ch4_training_localization_transcription_gt',
    pipeline=None)

icdar2015_textdet_test = dict(
    type='ICDAR2015Dataset',
    data_root=icdar2015_textdet_data_root,
    img_dir='ch4_test_images',
    ann_dir='Challenge4_Test_Task1_GT',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=None)

# ICDAR 2017 MLT read from the official zips (or the folders of the same names):
#   data/mlt2017/ch8_training_images_{1..8}[.zip], ch8_training_localization_transcription_gt_v2,
#   data/mlt2017/ch8_validation_images[.zip], ch8_validation_localization_transcription_gt_v2
# Some images are GIFs, which OpenCV cannot decode: the algorithm's MLT pipelines decode images
# with Pillow. Data only: a leaf config gives each set its algorithm's pipeline
# (configs/textboxes_retina/_base_textboxes_retina_se-r50_fpn-c2.py).
mlt2017_textdet_data_root = 'data/mlt2017'

mlt2017_textdet_train = dict(
    type='MLT2017Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=mlt2017_textdet_data_root,
    img_dir=[f'ch8_training_images_{i}' for i in range(1, 9)],
    ann_dir='ch8_training_localization_transcription_gt_v2',
    pipeline=None)

mlt2017_textdet_test = dict(
    type='MLT2017Dataset',
    data_root=mlt2017_textdet_data_root,
    img_dir='ch8_validation_images',
    ann_dir='ch8_validation_localization_transcription_gt_v2',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=None)

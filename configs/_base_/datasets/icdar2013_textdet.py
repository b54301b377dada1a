# ICDAR 2013 (Challenge 2) read from the official folders or zips, no conversion step:
#   data/icdar2013/Challenge2_Training_Task12_Images[.zip], Challenge2_Training_Task1_GT[.zip],
#   data/icdar2013/Challenge2_Test_Task12_Images[.zip], Challenge2_Test_Task1_GT[.zip]
# Words are horizontal boxes (turned into quads). Data only: a leaf config gives each set its
# algorithm's pipeline (configs/textboxes_retina/_base_textboxes_retina_se-r50_fpn-c2.py).
icdar2013_textdet_data_root = 'data/icdar2013'

icdar2013_textdet_train = dict(
    type='ICDAR2013Dataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=icdar2013_textdet_data_root,
    img_dir='Challenge2_Training_Task12_Images',
    ann_dir='Challenge2_Training_Task1_GT',
    pipeline=None)

icdar2013_textdet_test = dict(
    type='ICDAR2013Dataset',
    data_root=icdar2013_textdet_data_root,
    img_dir='Challenge2_Test_Task12_Images',
    ann_dir='Challenge2_Test_Task1_GT',
    test_mode=True,
    # A bad file stops the run, naming it: a silently shorter test set changes the hmean.
    strict=True,
    pipeline=None)

# SynthText read from the official gt.mat (data/synthtext/gt.mat + data/synthtext/<n>/*.jpg, or
# SynthText.zip as downloaded: data_root='data/SynthText.zip', ann_file='SynthText/gt.mat',
# img_dir='SynthText'). Pre-training only: there is no test split. Set `limit` for a subset.
# Data only: a leaf config gives the set its algorithm's pipeline
# (configs/textboxes_retina/_base_textboxes_retina_se-r50_fpn-c2.py).
synthtext_textdet_data_root = 'data/synthtext'

synthtext_textdet_train = dict(
    type='SynthTextDataset',
    # Bad words/images are skipped with one warning per file (strict=True: stop instead).
    strict=False,
    data_root=synthtext_textdet_data_root,
    ann_file='gt.mat',
    pipeline=None)

# ICDAR 2013 + ICDAR 2017 MLT training sets together (fine-tuning for horizontal and
# multi-lingual text), tested on ICDAR 2013.
_base_ = ['./icdar2013_textdet.py', './mlt2017_textdet.py']

icdar2013_mlt_textdet_train = dict(
    type='ConcatDataset',
    datasets=[{{_base_.icdar2013_textdet_train}}, {{_base_.mlt2017_textdet_train}}])

icdar2013_mlt_textdet_test = {{_base_.icdar2013_textdet_test}}

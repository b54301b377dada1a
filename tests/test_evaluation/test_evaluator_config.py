"""Evaluator configs in their three forms (one metric, a list, an ``Evaluator`` with
``metrics``): the normalisation ``tools/test.py`` and ``with_submission_writer`` share."""
from textboxes_retina.evaluation import metric_configs, with_metric


def test_with_metric_handles_every_evaluator_form():
    dump = dict(type='DumpResults', out_file_path='x.pkl')
    one, two = dict(type='A'), dict(type='B')
    assert with_metric(one, dump) == [one, dump]
    assert with_metric([one, two], dump) == [one, two, dump]
    assert with_metric(dict(type='Evaluator', metrics=one), dump) == dict(
        type='Evaluator', metrics=[one, dump])


def test_metric_configs_and_inputs_left_unchanged():
    one, two = dict(type='A'), dict(type='B')
    assert metric_configs(one) == [one]
    assert metric_configs((one, two)) == [one, two]
    evaluator = dict(type='Evaluator', metrics=[one, two])
    assert metric_configs(evaluator) == [one, two]
    with_metric(evaluator, dict(type='C'))
    assert evaluator == dict(type='Evaluator', metrics=[one, two])

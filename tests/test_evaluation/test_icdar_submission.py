"""Submission files: format, zip round trip, and the zip gives the in-process numbers."""
import os.path as osp
import re
import zipfile

import numpy as np
import pytest
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope

from textboxes_retina.evaluation import (IC13DetEvalMetric, IC15HmeanMetric, ICDARSubmissionWriter,
                                         clockwise_quads, format_submission_lines,
                                         parse_submission_lines, read_submission_zip,
                                         submission_file_name, with_submission_writer,
                                         write_submission_zip)


def official_clockwise(quad):
    """The official validate_clockwise_points test: the quad is rejected if the sum > 0."""
    points = np.asarray(quad, int).reshape(4, 2)
    return sum((points[(i + 1) % 4, 0] - points[i, 0]) * (points[(i + 1) % 4, 1] + points[i, 1])
               for i in range(4)) <= 0


def test_file_names():
    assert submission_file_name('data/icdar2015/imgs/test/img_12.jpg') == 'res_img_12.txt'
    assert submission_file_name('img_3') == 'res_img_3.txt'


def test_ic15_lines_are_truncated_clockwise_integers():
    # Counter-clockwise (in image coordinates) input is reversed, keeping the first vertex.
    ccw = [10.7, 20.2, 10.1, 40.9, 50.5, 40.0, 50.9, 20.99]
    assert not official_clockwise(np.trunc(ccw))
    (line, ) = format_submission_lines(np.array([ccw]))
    assert line == '10,20,50,20,50,40,10,40'
    assert official_clockwise([int(v) for v in line.split(',')])
    # Clockwise input keeps its order; confidences get 6 decimals.
    assert format_submission_lines(np.array([[0, 0, 9.9, 0, 9.9, 5, 0, 5]]), np.array([0.25])) \
        == ['0,0,9,0,9,5,0,5,0.250000']
    np.testing.assert_array_equal(
        clockwise_quads(np.array([ccw])), [[10, 20, 50, 20, 50, 40, 10, 40]])


def test_ic13_lines_are_truncated_boxes():
    quad = [[0.5, 2.7, 30.9, 1.2, 31.5, 20.8, 1.1, 19.9]]
    assert format_submission_lines(np.array(quad), protocol='ic13') == ['0,1,31,20']
    quads, scores = parse_submission_lines('0,1,31,20\n5,6,7,8,0.5\n', protocol='ic13')
    np.testing.assert_array_equal(quads, [[0, 1, 31, 1, 31, 20, 0, 20], [5, 6, 7, 6, 7, 8, 5, 8]])
    np.testing.assert_array_equal(scores, [1.0, 0.5])


def test_parse_errors_and_protocol_check():
    with pytest.raises(ValueError, match='line 2'):
        parse_submission_lines('0,0,1,0,1,1,0,1\n0,0,1\n')
    with pytest.raises(ValueError, match='protocol'):
        format_submission_lines(np.zeros((1, 8)), protocol='ic17')


def test_zip_round_trip(tmp_path):
    path = tmp_path / 'sub' / 'submit.zip'
    predictions = {
        'img_1': (np.array([[0, 0, 10, 0, 10, 10, 0, 10], [20, 0, 30, 0, 30, 10, 20,
                                                           10.]]), np.array([0.9, 0.8])),
        'img_2': (np.zeros((0, 8)), np.zeros(0)),
    }
    names = write_submission_zip(str(path), predictions, with_confidence=True)
    assert names == ['res_img_1.txt', 'res_img_2.txt']
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == names
        assert archive.read('res_img_1.txt').decode() == \
            '0,0,10,0,10,10,0,10,0.900000\n20,0,30,0,30,10,20,10,0.800000\n'
        assert archive.read('res_img_2.txt') == b''
    back = read_submission_zip(str(path))
    assert sorted(back) == ['img_1', 'img_2']
    np.testing.assert_array_equal(back['img_1']['polygons'], predictions['img_1'][0])
    np.testing.assert_allclose(back['img_1']['scores'], [0.9, 0.8])
    assert back['img_2']['polygons'].shape == (0, 8)


@pytest.mark.parametrize('protocol, metric_type', [('ic15', IC15HmeanMetric),
                                                   ('ic13', IC13DetEvalMetric)])
def test_zip_read_back_gives_the_in_process_numbers(tmp_path, sample_tools, protocol, metric_type):
    """Evaluate in process and write the zip in the same run (as tools/test.py does), then
    evaluate the zip's detections against the same ground truth with the metric code."""
    samples = sample_tools['random_quad_samples'](seed=7, num_images=12)
    for sample in samples:  # float coordinates, as the model outputs: truncation matters
        sample.pred_instances.polygons = [
            p + np.float32(0.6) for p in sample.pred_instances.polygons
        ]
    path = tmp_path / f'{protocol}.zip'
    metric = metric_type(score_thr=0.5)
    writer = ICDARSubmissionWriter(zip_path=str(path), protocol=protocol, score_thr=0.5)
    for sample in samples:
        metric.process({}, [sample.to_dict()])
        writer.process({}, [sample.to_dict()])
    in_process = metric.evaluate(len(samples))
    assert writer.evaluate(len(samples)) == {}
    assert 0 < in_process[f'{protocol}/hmean'] < 1

    submitted = read_submission_zip(str(path), protocol)
    assert sorted(submitted) == sorted(f'img_{i + 1}' for i in range(len(samples)))
    read_back = []
    for sample in samples:
        name = sample.img_path.split('/')[-1][:-len('.jpg')]
        read_back.append(sample_tools['make_sample'](sample.gt_instances.polygons,
                                                     sample.gt_instances.ignored,
                                                     list(submitted[name]['polygons']),
                                                     submitted[name]['scores'], sample.img_path))
    from_zip = sample_tools['run_metric'](metric_type(score_thr=0.5), read_back)
    assert from_zip == in_process  # exactly: same integers, same order


def test_with_submission_writer_takes_protocol_and_threshold_from_the_metric():
    assert with_submission_writer(dict(type='IC13DetEvalMetric', score_thr=0.7), 'a.zip') == [
        dict(type='IC13DetEvalMetric', score_thr=0.7),
        dict(type='ICDARSubmissionWriter', zip_path='a.zip', protocol='ic13', score_thr=0.7)
    ]
    evaluator = [dict(type='mmocr.IC15HmeanMetric'), dict(type='DumpResults', out_file_path='x')]
    assert with_submission_writer(
        evaluator, 'b.zip', with_confidence=True)[-1] == dict(
            type='ICDARSubmissionWriter',
            zip_path='b.zip',
            protocol='ic15',
            score_thr=0.4,
            with_confidence=True)
    assert len(evaluator) == 2  # the input is left alone
    wrapped = with_submission_writer(dict(type='Evaluator', metrics=dict(type='X')), 'c.zip')
    assert wrapped['metrics'] == [
        dict(type='X'), dict(type='ICDARSubmissionWriter', zip_path='c.zip')
    ]


def test_writer_builds_from_a_config_and_writes_through_the_evaluator(tmp_path, sample_tools):
    box, make = sample_tools['box'], sample_tools['make_sample']
    path = tmp_path / 'submit.zip'
    cfg = with_submission_writer(dict(type='IC15HmeanMetric', score_thr=0.5), str(path))
    with DefaultScope.overwrite_default_scope('mmocr'):
        evaluator = Evaluator(cfg)
    evaluator.process([
        make([box(0, 0, 10, 10)], [False],
             [box(0, 0, 10, 10), box(50, 50, 60, 60)], [0.9, 0.2], 'imgs/img_5.jpg')
    ])
    assert evaluator.evaluate(1) == {'ic15/precision': 1.0, 'ic15/recall': 1.0, 'ic15/hmean': 1.0}
    with zipfile.ZipFile(path) as archive:
        assert archive.read('res_img_5.txt').decode() == '0,0,10,0,10,10,0,10\n'


def test_toy_icdar2015_ground_truth_as_predictions(tmp_path, sample_tools):
    """The real toy ICDAR 2015 ground truth, submitted as detections: every line passes the
    official format and clockwise checks, and the zip scores P = R = H = 1 like the in-process
    metric (detections on ``###`` words become don't care)."""
    from textboxes_retina.datasets import ICDAR2015Dataset
    dataset = ICDAR2015Dataset(
        data_root='tests/data/icdar2015_toy',
        img_dir='imgs',
        ann_dir='gts',
        test_mode=True,
        pipeline=[])
    samples = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        polygons = [instance['polygon'] for instance in info['instances']]
        samples.append(sample_tools['make_sample'](
            polygons, [instance['ignore'] for instance in info['instances']], polygons,
            [1.0] * len(polygons), info['img_path']))
    path = tmp_path / 'toy.zip'
    metrics = sample_tools['run_metric'](
        [IC15HmeanMetric(), ICDARSubmissionWriter(zip_path=str(path))], samples)
    assert metrics == {'ic15/precision': 1.0, 'ic15/recall': 1.0, 'ic15/hmean': 1.0}
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [f'res_img_{n}.txt' for n in range(1, 6)]
        for name in archive.namelist():
            for line in archive.read(name).decode().splitlines():
                assert re.fullmatch(r'-?\d+(,-?\d+){7}', line)
                assert official_clockwise([int(v) for v in line.split(',')])
    submitted = read_submission_zip(str(path))
    read_back = [
        sample_tools['make_sample'](
            s.gt_instances.polygons, s.gt_instances.ignored,
            list(submitted[osp.splitext(osp.basename(s.img_path))[0]]['polygons']),
            submitted[osp.splitext(osp.basename(s.img_path))[0]]['scores'], s.img_path)
        for s in samples
    ]
    assert sample_tools['run_metric'](IC15HmeanMetric(), read_back) == metrics

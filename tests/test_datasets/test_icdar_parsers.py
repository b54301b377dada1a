"""Line parsers of the official ground-truth formats, with known values."""
import pytest

from textboxes_retina.datasets import BadInputPolicy, BadInputWarning, DatasetInputError
from textboxes_retina.datasets.icdar_parsers import (check_quad, decode_annotation_lines,
                                                     make_instance, parse_annotation_lines,
                                                     parse_icdar2013_line, parse_icdar2015_line,
                                                     parse_mlt2017_line)


def test_decode_bom_crlf_and_blank_lines():
    data = '\ufeff1,2,3,4,5,6,7,8,a\r\n\r\n9,9,9,9,9,9,9,9,b\r\n'.encode('utf-8')
    assert decode_annotation_lines(data) == [(1, '1,2,3,4,5,6,7,8,a'), (3, '9,9,9,9,9,9,9,9,b')]
    assert decode_annotation_lines(b'1,2\n3,4') == [(1, '1,2'), (2, '3,4')]
    assert decode_annotation_lines('x,\u00e9\n'.encode('latin-1')) == [(1, 'x,\u00e9')]
    assert decode_annotation_lines(b'') == []
    assert decode_annotation_lines('\ufeff\r\n'.encode('utf-8')) == []


def test_icdar2015_line_keeps_commas_in_transcription():
    word = parse_icdar2015_line('377,117,463,117,465,130,378,130,Hello, world,!')
    assert word == dict(
        polygon=[377., 117., 463., 117., 465., 130., 378., 130.], text='Hello, world,!')
    assert parse_icdar2015_line('1.5,2,3,4,5,6,7,8,###')['text'] == '###'


@pytest.mark.parametrize('line,reason', [
    ('1,2,3,4,5,6,7,TEXT', 'expected 8 coordinates and a transcription, got 8 values'),
    ('1,2,3,4,5,6,7,x8,TEXT', "non-numeric coordinate 'x8'"),
    ('1,2,3,nan,5,6,7,8,TEXT', "non-finite coordinate 'nan'"),
    ('1,2,3,4,5,6,7,inf,TEXT', "non-finite coordinate 'inf'"),
])
def test_icdar2015_line_errors_name_file_and_line(line, reason):
    with pytest.raises(DatasetInputError) as info:
        parse_icdar2015_line(line, 'gts/gt_img_7.txt', 4)
    assert str(info.value) == f'gts/gt_img_7.txt: line 4: {reason}: {line!r}'
    assert (info.value.path, info.value.line_no) == ('gts/gt_img_7.txt', 4)


def test_mlt2017_line_keeps_script():
    word = parse_mlt2017_line('10,20,30,20,30,40,10,40,Arabic,\u0645\u0631\u062d\u0628\u0627,x')
    assert word == dict(
        polygon=[10., 20., 30., 20., 30., 40., 10., 40.],
        script='Arabic',
        text='\u0645\u0631\u062d\u0628\u0627,x')
    with pytest.raises(
            DatasetInputError,
            match='expected 8 coordinates, a script and a '
            'transcription, got 9 values'):
        parse_mlt2017_line('10,20,30,20,30,40,10,40,Latin', 'gt.txt', 2)


def test_icdar2013_training_and_test_formats():
    train = parse_icdar2013_line('38 43 920 215 "Tiredness"')
    assert train == dict(polygon=[38., 43., 920., 43., 920., 215., 38., 215.], text='Tiredness')
    test = parse_icdar2013_line('38, 43, 920, 215, "Hi, there"')
    assert test == dict(polygon=[38., 43., 920., 43., 920., 215., 38., 215.], text='Hi, there')
    # spaces inside the quoted text of the training format
    assert parse_icdar2013_line('1 2 30 40 "New York"')['text'] == 'New York'


@pytest.mark.parametrize('line,reason', [
    ('38 43 920 "Tiredness"', 'expected 4 box coordinates and a transcription, got 4 values'),
    ('38, 43, abc, 215, "x"', "non-numeric coordinate 'abc'"),
    ('50 43 40 215 "x"', 'degenerate box (needs xmin < xmax and ymin < ymax)'),
])
def test_icdar2013_line_errors(line, reason):
    with pytest.raises(DatasetInputError) as info:
        parse_icdar2013_line(line, 'gt_100.txt', 3)
    assert str(info.value) == f'gt_100.txt: line 3: {reason}: {line!r}'


def test_check_quad():
    square = [0, 0, 10, 0, 10, 10, 0, 10]
    assert check_quad(square) is None
    assert check_quad(square, width=20, height=20) is None
    # partly outside is fine (the train pipeline clips), entirely outside is not
    assert check_quad([-5, -5, 5, -5, 5, 5, -5, 5], width=20, height=20) is None
    assert check_quad([30, 0, 40, 0, 40, 10, 30, 10], 20, 20) == 'quad outside the image (20x20)'
    assert check_quad([1, 1, 1, 1, 1, 1, 1, 1]).startswith('degenerate quad (area 0.00')
    assert check_quad([0, 0, 10, 0, 20, 0, 30, 0]).startswith('degenerate quad')
    # a "bow tie" vertex order is not degenerate: its hull has area
    assert check_quad([0, 0, 10, 10, 10, 0, 0, 10]) is None


def test_make_instance():
    inst = make_instance([4, 2, 10, 3, 9, 8, 3, 7], '###', script='Latin')
    assert inst == dict(
        polygon=[4., 2., 10., 3., 9., 8., 3., 7.],
        bbox=[3., 2., 10., 8.],
        bbox_label=0,
        ignore=True,
        text='###',
        script='Latin')
    assert make_instance([0, 0, 1, 0, 1, 1, 0, 1], 'a')['ignore'] is False


def test_parse_annotation_lines_lenient_skips_only_bad_words():
    lines = [(1, '0,0,10,0,10,10,0,10,good'), (2, '0,0,10,0,10,10,0,TEXT'),
             (3, '0,0,10,0,10,10,0,10,###'), (4, '5,5,5,5,5,5,5,5,flat'),
             (5, '50,50,60,50,60,60,50,60,far')]
    policy = BadInputPolicy(strict=False)
    instances = parse_annotation_lines(
        lines, parse_icdar2015_line, 'gt_img_1.txt', policy, width=20, height=20)
    assert [(i['text'], i['ignore']) for i in instances] == [('good', False), ('###', True)]
    with pytest.warns(BadInputWarning) as record:
        policy.flush()
    assert len(record) == 1  # once per file
    message = str(record[0].message)
    assert message.startswith('gt_img_1.txt: 3 bad input(s): line 2: expected 8 coordinates')
    assert 'line 4: degenerate quad' in message and 'line 5: quad outside the image' in message
    assert message.count('(word skipped)') == 3


def test_parse_annotation_lines_strict_raises_at_first_bad_line():
    lines = [(1, '0,0,10,0,10,10,0,10,good'), (7, '0,0,10,0,10,10,0,1x0,bad')]
    with pytest.raises(
            DatasetInputError, match=r"^gt_img_1.txt: line 7: non-numeric "
            r"coordinate '1x0'"):
        parse_annotation_lines(lines, parse_icdar2015_line, 'gt_img_1.txt',
                               BadInputPolicy(strict=True))


def test_empty_file_is_reported_and_keeps_the_image_without_words():
    policy = BadInputPolicy(strict=False)
    assert parse_annotation_lines([], parse_icdar2015_line, 'gt_img_9.txt', policy) == []
    with pytest.warns(
            BadInputWarning,
            match=r'gt_img_9.txt: 1 bad input\(s\): empty annotation '
            r'file \(image kept without words\)'):
        policy.flush()
    with pytest.raises(DatasetInputError, match='gt_img_9.txt: empty annotation file'):
        parse_annotation_lines([], parse_icdar2015_line, 'gt_img_9.txt', BadInputPolicy(True))


def test_policy_lists_at_most_max_listed():
    policy = BadInputPolicy(strict=False, max_listed=2)
    for no in range(5):
        policy.report(DatasetInputError('f.txt', 'bad', no + 1), 'word skipped')
    with pytest.warns(BadInputWarning) as record:
        policy.flush()
    assert str(record[0].message) == ('f.txt: 5 bad input(s): line 1: bad (word skipped); '
                                      'line 2: bad (word skipped); and 3 more')
    assert policy.num_reported == 5

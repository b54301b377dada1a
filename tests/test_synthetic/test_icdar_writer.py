"""textboxes_retina.synthetic.icdar_writer: the ground truth it writes, the readers accept."""
import numpy as np
import pytest

from textboxes_retina.datasets.bad_input_policy import BadInputPolicy
from textboxes_retina.datasets.icdar_parsers import (decode_annotation_lines,
                                                     parse_annotation_lines, parse_icdar2015_line)
from textboxes_retina.synthetic.icdar_writer import format_gt


def _quad(x0, y0, x1, y1):
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32)


@pytest.mark.timeout(60)
def test_format_gt_leaves_out_dont_care_quads_the_readers_reject():
    words = [
        (_quad(10, 10, 60, 30), 'Hello', False),
        # a thin font's word whose only dark pixel is a dot: 1 x 0.6 px once rounded, 0 px^2
        (_quad(213.2, 248.7, 214.1, 249.3), '###', True),
        (_quad(100, 10, 130, 20), '###', True),
    ]
    text = format_gt(words, 320, 240).decode('utf-8-sig')
    assert text.split('\r\n') == [
        '10,10,60,10,60,30,10,30,Hello', '100,10,130,10,130,20,100,20,###', ''
    ]
    # oracle: the strict dataset reader parses every line written (and rejects the dropped one)
    instances = parse_annotation_lines(
        decode_annotation_lines(format_gt(words, 320, 240)), parse_icdar2015_line, 'gt.txt',
        BadInputPolicy(strict=True), 320, 240)
    assert [inst['ignore'] for inst in instances] == [False, True]
    with pytest.raises(ValueError, match='degenerate'):
        parse_annotation_lines(
            decode_annotation_lines(b'213,249,214,248,214,249,213,249,###\r\n'),
            parse_icdar2015_line, 'gt.txt', BadInputPolicy(strict=True), 320, 240)


@pytest.mark.timeout(60)
def test_format_gt_refuses_a_degenerate_legible_word():
    with pytest.raises(ValueError, match="'Hi'.*degenerate"):
        format_gt([(_quad(5, 5, 5.2, 30), 'Hi', False)], 100, 100)
    with pytest.raises(ValueError, match='outside the image'):
        format_gt([(_quad(150, 10, 180, 30), 'Far', False)], 100, 100)


@pytest.mark.timeout(60)
def test_an_image_without_words_is_drawn_again(tmp_path):
    """A renderer whose first drawing has no word: the split gets the second drawing, from the
    same generator (deterministic), never an empty ground-truth file."""
    from textboxes_retina.synthetic.icdar_writer import write_split

    def render(rng, size_range):
        first = rng.random() < 2  # always: count the drawings through the generator's state
        img = np.full((40, 60, 3), int(rng.integers(256)), np.uint8)
        words = [] if render.calls == 0 else [(_quad(5, 5, 30, 20), 'Hi', False)]
        render.calls += first
        return img, words

    render.calls = 0
    root = write_split(str(tmp_path), 'train', 1, (40, 60), 0, render, progress=False)
    assert render.calls == 2
    gt = (tmp_path / 'train' / 'gts' / 'gt_img_1.txt').read_bytes().decode('utf-8-sig')
    assert gt == '5,5,30,5,30,20,5,20,Hi\r\n' and root.endswith('train')

    def never(rng, size_range):
        return np.zeros((40, 60, 3), np.uint8), []

    with pytest.raises(RuntimeError, match='no words in 20 drawings'):
        write_split(str(tmp_path), 'empty', 1, (40, 60), 0, never, progress=False)

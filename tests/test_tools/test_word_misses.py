"""tools/analysis_tools/word_misses.py: why each legible word was missed."""
import pickle
import re

import numpy as np
import pytest
import torch

from textboxes_retina.testing import load_tool


def box(x0, y0, x1, y1):
    return [x0, y0, x1, y0, x1, y1, x0, y1]


# Legible words (axis-aligned, so IoUs are hand-checkable) and what the detector did near each:
FOUND = box(0, 0, 100, 20)  # a reported copy: found
LOW = box(0, 100, 100, 110)  # a copy at score 0.3 < 0.5: scored low
PART = box(0, 200, 100, 230)  # reported left 30 %: IoU 0.3: partly covered
NOTHING = box(300, 0, 360, 8)  # nothing near: nothing
UNSEEN = box(300, 100, 400, 114)  # a copy at 0.3, and the map misses it: unseen by the map
DONT_CARE = box(300, 200, 400, 220)  # a don't-care word under a reported quad: left out


def sample(gts, ignored, preds, scores):
    return dict(
        img_path='img_1.jpg',
        gt_instances=dict(polygons=[np.array(q, np.float32) for q in gts], ignored=ignored),
        pred_instances=dict(
            polygons=[np.array(q, np.float32) for q in preds],
            scores=torch.tensor(scores, dtype=torch.float32)))


SAMPLES = [
    sample([FOUND, LOW, PART], torch.tensor([False, False, False]),
           [FOUND, LOW, box(0, 200, 30, 230)], [0.9, 0.3, 0.8]),
    sample([], torch.zeros(0, dtype=torch.bool), [box(0, 0, 5, 5)], [0.9]),  # no legible word
    sample([NOTHING, UNSEEN, DONT_CARE], torch.tensor([False, False, True]), [UNSEEN, DONT_CARE],
           [0.3, 0.9]),
]


@pytest.mark.timeout(60)
def test_every_legible_word_gets_its_kind():
    tool = load_tool('tools/analysis_tools/word_misses.py')
    kind = {name: index for index, name in enumerate(tool.KINDS)}
    maxima = np.array([0.9, 0.9, 0.9, 0.9, 0.1])  # the five legible words, in order
    words = tool.word_kinds(SAMPLES, score_thr=0.5, map_maxima=maxima)
    assert words['kinds'].tolist() == [
        kind['found'], kind['scored low'], kind['partly covered'], kind['nothing'],
        kind['unseen by the map']
    ]
    np.testing.assert_allclose(words['heights'], [20, 10, 30, 8, 14])
    # without the map, the unseen word is one with a low-scored copy
    assert tool.word_kinds(SAMPLES, score_thr=0.5)['kinds'][-1] == kind['scored low']
    # a lower threshold reports the low-scored copies
    assert tool.word_kinds(
        SAMPLES, score_thr=0.3)['kinds'].tolist() == [
            kind['found'], kind['found'], kind['partly covered'], kind['nothing'], kind['found']
        ]


@pytest.mark.timeout(60)
def test_summary_and_command_line(tmp_path, capsys):
    tool = load_tool('tools/analysis_tools/word_misses.py')
    path = tmp_path / 'results.pkl'
    with open(path, 'wb') as f:
        pickle.dump(SAMPLES, f)
    tool.main([str(path), '--score-thr', '0.5'])
    assert capsys.readouterr().out.splitlines() == [
        '5 legible words',
        '  found: 1 words, median height 20.0 px, 0.00 under 12 px',
        '  scored low: 2 words, median height 12.0 px, 0.50 under 12 px',
        '  partly covered: 1 words, median height 30.0 px, 0.00 under 12 px',
        '  nothing: 1 words, median height 8.0 px, 1.00 under 12 px',
    ]


@pytest.mark.timeout(60)
def test_map_maxima_of_another_folder_are_refused():
    tool = load_tool('tools/analysis_tools/word_misses.py')
    with pytest.raises(ValueError, match='4 map maxima for 5 legible words'):
        tool.word_kinds(SAMPLES, score_thr=0.5, map_maxima=np.ones(4))


@pytest.mark.timeout(60)
def test_a_pickle_that_is_not_test_results_is_refused_by_name(tmp_path):
    tool = load_tool('tools/analysis_tools/word_misses.py')
    path = tmp_path / 'checkpoint.pkl'
    with open(path, 'wb') as f:
        pickle.dump({'state_dict': {}}, f)
    with pytest.raises(
            SystemExit, match=re.escape(f'{path}: not the predictions of tools/test.py --out')):
        tool.main([str(path), '--score-thr', '0.5'])

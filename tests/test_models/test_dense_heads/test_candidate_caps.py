"""Candidate caps (``nms_pre``, ``max_per_img``, the refinement head's ``nms_top_k``) keep every
word of a dense image: 150 words, 30 candidates each, through decoding and quad NMS.

The head outputs are constructed: each word lights 30 anchors of the stride-8 level (a 6 x 5 cell
block around its centre) with scores that fall from the first word to the last (as strong and
weak words in one image), and their regression deltas encode the word itself, so every
candidate of a word decodes to that word. The oracle is the list of words (checked with shapely):
after NMS each word must be found exactly once. The old caps (``nms_pre=1000``, RefineDet's 400
top-k) keep only the strongest words' candidates, which the test also checks, so it can fail.
"""
from pathlib import Path

import numpy as np
import pytest
import shapely
import torch
from mmengine.config import Config, ConfigDict

from textboxes_retina.testing.configs import build_tiny_head

CONFIGS = Path(__file__).parents[3] / 'configs'
IMG = 1024
COLS, ROWS = 15, 10  # 150 words
CELLS = [(dy, dx) for dy in range(-2, 3) for dx in range(-3, 3)]  # 30 candidates per word


def _words():
    """150 axis-aligned 48 x 20 px words on a 15 x 10 grid, (150, 8) clockwise from top-left."""
    words = []
    for row in range(ROWS):
        for col in range(COLS):
            cx, cy = (col + 0.5) * IMG / COLS, (row + 0.5) * IMG / ROWS
            x1, y1, x2, y2 = cx - 24, cy - 10, cx + 24, cy + 10
            words.append([x1, y1, x2, y1, x2, y2, x1, y2])
    return torch.tensor(words, dtype=torch.float32)


def _outputs(head, words):
    """Per level ``cls_scores`` (1, A, H, W) and ``bbox_preds`` (1, A * E, H, W)."""
    sizes = [(IMG // s, IMG // s) for s in (4, 8, 16, 32, 64, 128)]
    num_anchors, width = head.num_base_priors, head.bbox_coder.encode_size
    cls = [torch.full((1, num_anchors, h, w), -20.0) for h, w in sizes]
    reg = [torch.zeros(1, num_anchors * width, h, w) for h, w in sizes]
    level, stride = 1, 8
    priors = head.prior_generator.grid_priors(sizes, device='cpu')[level]
    h, w = sizes[level]
    ys, xs, probs, owners = [], [], [], []
    for k, word in enumerate(words):
        cx, cy = int(word[0::2].mean() // stride), int(word[1::2].mean() // stride)
        for j, (dy, dx) in enumerate(CELLS):
            ys.append(cy + dy)
            xs.append(cx + dx)
            # Word k's candidates score from 0.97 (k = 0) down to about 0.45 (k = 149).
            probs.append(0.97 - 0.0035 * k - 0.0001 * j)
            owners.append(k)
    ys, xs, probs = torch.tensor(ys), torch.tensor(xs), torch.tensor(probs)
    # Anchor 0 of each cell (mmdet's prior order: cell-major, then anchor).
    anchors = priors[(ys * w + xs) * num_anchors]
    deltas = head.bbox_coder.encode(anchors, words[owners])
    cls[level][0, 0, ys, xs] = torch.logit(probs)
    reg[level][0, :width, ys, xs] = deltas.t()
    return cls, reg


def _found_once(quads, words):
    """Per word, how many kept quads match it (IoU > 0.9, shapely)."""
    kept = shapely.polygons(np.asarray(quads, np.float64).reshape(-1, 4, 2))
    truth = shapely.polygons(words.numpy().astype(np.float64).reshape(-1, 4, 2))
    inter = shapely.area(shapely.intersection(truth[:, None], kept[None, :]))
    union = shapely.area(shapely.union(truth[:, None], kept[None, :]))
    return ((inter / union) > 0.9).sum(1).tolist()


def _meta():
    return dict(
        img_shape=(IMG, IMG), pad_shape=(IMG, IMG), ori_shape=(IMG, IMG), scale_factor=(1.0, 1.0))


def _test_cfg(path):
    return Config.fromfile(str(path)).model.test_cfg


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_150_words_survive_the_default_caps():
    test_cfg = _test_cfg(CONFIGS / '_base_/models/textboxes_retina_se-r50_fpn-c2.py')
    test_cfg.update(score_thr=0.4)  # the IC15 operating point
    head = build_tiny_head(test_cfg=test_cfg)
    words = _words()
    cls, reg = _outputs(head, words)
    results = head.predict_by_feat(cls, reg, batch_img_metas=[_meta()], rescale=False)[0]
    assert len(results) == 150
    assert _found_once(results.bboxes, words) == [1] * 150

    # The old caps: 1000 candidates per level are the 34 strongest words' 30 each (the last one
    # partly): the other 116 words are lost before NMS.
    old = head.predict_by_feat(
        cls,
        reg,
        batch_img_metas=[_meta()],
        rescale=False,
        cfg=ConfigDict(test_cfg, nms_pre=1000, max_per_img=300))[0]
    assert sum(c == 1 for c in _found_once(old.bboxes, words)) == 34


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_150_words_survive_the_refinement_heads_top_k():
    refine_cfg = _test_cfg(
        CONFIGS / 'refine_textboxes/refine_textboxes_se-r50_fpn-c2_8xb2-960-10k_icdar2015.py')
    assert refine_cfg.nms_top_k >= 150 * len(CELLS)
    head = build_tiny_head(
        type='RefineTextBoxesHead',
        neg_filter_thr=0.99,
        test_cfg=ConfigDict(refine_cfg, score_thr=0.4))
    words = _words()
    cls, reg = _outputs(head, words)
    # ARM: text probability 0.5 everywhere (nothing filtered), zero deltas (refined = plain
    # anchors), so the ODM outputs decode as in the plain head.
    arm_cls = [torch.zeros_like(c) for c in cls]
    arm_reg = [torch.zeros_like(r) for r in reg]
    results = head.predict_by_feat(
        cls, reg, arm_cls, arm_reg, batch_img_metas=[_meta()], rescale=False)[0]
    assert _found_once(results.bboxes, words) == [1] * 150 and len(results) == 150
    # The code default (no nms_top_k in test_cfg) is as large.
    head.test_cfg.pop('nms_top_k')
    default = head.predict_by_feat(
        cls, reg, arm_cls, arm_reg, batch_img_metas=[_meta()], rescale=False)[0]
    assert len(default) == 150
    # RefineDet's 400 keeps the 13 strongest words' 30 candidates (and 10 of the 14th).
    old = head.predict_by_feat(
        cls,
        reg,
        arm_cls,
        arm_reg,
        batch_img_metas=[_meta()],
        rescale=False,
        cfg=ConfigDict(refine_cfg, score_thr=0.4, nms_top_k=400))[0]
    assert sum(c == 1 for c in _found_once(old.bboxes, words)) == 14

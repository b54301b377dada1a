"""quad_nms and the head's decode + NMS against an outside oracle: brute-force greedy NMS with
shapely (GEOS) polygon IoUs in float64, on random general convex quads (rotated, perspective,
clustered so that they overlap), not only axis-aligned boxes.

The oracle: visit the quads by decreasing score (ties in input order), keep one unless its IoU
with an already kept quad (of its label) is above the threshold. Quads whose IoU with a kept
one lies so close to the threshold that float32 and float64 disagree could go either way; such
sets (where float32 round-off flips a comparison) are counted and left out.
"""
import os.path as osp

import numpy as np
import pytest
import shapely
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmocr.registry import MODELS

from textboxes_retina.structures import convex_quads, quad_ious, quad_nms

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

CONFIG = osp.join(
    osp.dirname(__file__), '..', '..', 'configs', '_base_', 'models',
    'textboxes_retina_r18-small.py')


def shapely_ious(quads):
    polygons = shapely.polygons(np.asarray(quads, np.float64).reshape(-1, 4, 2))
    inter = shapely.area(shapely.intersection(polygons[:, None], polygons[None, :]))
    areas = shapely.area(polygons)
    union = areas[:, None] + areas[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def brute_force_nms(quads, scores, iou_thr, labels=None, max_num=-1):
    """Greedy NMS by the definition, IoUs in float64 by shapely.

    Returns:
        tuple: the kept indices, and whether a decision is ambiguous: some compared IoU lies on
        the other side of the threshold (or within 1e-6 of it) when the same pair is measured in
        float32 by ``quad_ious`` (itself checked against shapely to about 1e-4): float32
        round-off may then legitimately flip that decision.
    """
    polygons = shapely.polygons(np.asarray(quads, np.float64).reshape(-1, 4, 2))
    areas = shapely.area(polygons)
    tensor = torch.from_numpy(np.asarray(quads, np.float32))
    labels = np.zeros(len(quads), int) if labels is None else np.asarray(labels)
    order = sorted(range(len(quads)), key=lambda i: (-float(scores[i]), i))
    kept, ambiguous = [], False
    for i in order:
        same = np.array([k for k in kept if labels[k] == labels[i]], int)
        if len(same):
            inter = shapely.area(shapely.intersection(polygons[i], polygons[same]))
            ious = inter / (areas[i] + areas[same] - inter)
            ious32 = quad_ious(tensor[i:i + 1], tensor[same])[0].double().numpy()
            ambiguous |= bool(((ious > iou_thr) != (ious32 > iou_thr)).any()
                              or (np.abs(ious - iou_thr) < 1e-6).any())
            if ious.max() > iou_thr:
                continue
        kept.append(i)
        if len(kept) == max_num:
            break
    return kept, ambiguous


def random_convex_quads(rng, count, clusters):
    centres = rng.uniform(0, 300, (clusters, 2))[rng.integers(0, clusters, count)]
    centres = centres + rng.normal(0, 6, (count, 2))
    width, height = rng.uniform(10, 60, count), rng.uniform(5, 25, count)
    angle = rng.uniform(-np.pi / 2, np.pi / 2, count)
    corners = np.stack([
        np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * [w / 2, h / 2]
        for w, h in zip(width, height)
    ])
    corners = corners + rng.normal(0, 0.08, (count, 4, 2)) * height[:, None, None]
    rotation = np.stack([np.cos(angle), -np.sin(angle),
                         np.sin(angle), np.cos(angle)], -1).reshape(-1, 2, 2)
    quads = (np.einsum('nij,nkj->nki', rotation, corners) + centres[:, None]).reshape(-1, 8)
    quads = quads[convex_quads(torch.from_numpy(quads)).numpy()]
    return quads.astype(np.float32)


def test_quad_nms_equals_brute_force_shapely_nms():
    rng = np.random.default_rng(14)
    cases = skipped = candidates = 0
    worst_iou = 0.0
    for case in range(50):
        quads = random_convex_quads(rng, int(rng.integers(20, 100)), int(rng.integers(2, 10)))
        scores = rng.random(len(quads)).astype(np.float32)
        if case % 5 == 0:  # ties: input order decides
            scores = np.round(scores, 1)
        labels = rng.integers(0, 2, len(quads)) if case % 3 == 0 else None
        iou_thr = float(rng.choice([0.1, 0.2, 0.3, 0.5, 0.7]))
        max_num = int(rng.choice([-1, 5, 30]))
        expected, ambiguous = brute_force_nms(quads, scores, iou_thr, labels, max_num)
        worst_iou = max(
            worst_iou,
            float(
                np.abs(
                    quad_ious(torch.from_numpy(quads), torch.from_numpy(quads)).double().numpy() -
                    shapely_ious(quads)).max()))
        if ambiguous:
            skipped += 1
            continue
        kept = quad_nms(
            torch.from_numpy(quads),
            torch.from_numpy(scores),
            iou_thr,
            None if labels is None else torch.from_numpy(labels),
            max_num=max_num)
        assert kept.tolist() == expected, f'case {case}'
        cases += 1
        candidates += len(quads)
    print(f'quad_nms vs shapely brute force: {cases} sets ({candidates} quads) equal, '
          f'{skipped} left out (float32 flips a comparison); worst |IoU - shapely| '
          f'{worst_iou:.2e}')
    # float32 areas of quads 300 px from the origin: IoU within about 1e-4 of float64
    assert cases >= 45 and worst_iou < 1e-3


def test_head_decode_and_nms_equals_brute_force_shapely_nms():
    """The head's predictions with NMS == its candidates without NMS (decoded, rescaled,
    repaired) suppressed by the brute-force oracle; random deltas make general quads."""
    model = Config.fromfile(CONFIG)
    cfg = model.model.bbox_head.to_dict()
    cfg.update(in_channels=8, feat_channels=8, stacked_convs=1, test_cfg=model.model.test_cfg)
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope('mmocr'):
        head = MODELS.build(cfg)
    sizes = [(32, 32), (16, 16), (8, 8), (4, 4), (2, 2), (1, 1)]
    meta = dict(img_shape=(128, 128), ori_shape=(96, 96), scale_factor=(128 / 96, 128 / 96))
    generator = torch.Generator().manual_seed(5)
    cases = skipped = general = 0
    for case in range(10):
        cls_scores = [
            torch.randn(1, head.num_base_priors, h, w, generator=generator) * 2 for h, w in sizes
        ]
        bbox_preds = [
            torch.randn(1, head.num_base_priors * 12, h, w, generator=generator) for h, w in sizes
        ]
        test_cfg = Config(
            dict(
                head.test_cfg,
                score_thr=0.3,
                nms_pre=60,
                max_per_img=100,
                nms=dict(type='quad_nms', iou_threshold=float([0.2, 0.5][case % 2]))))
        with_nms = head.predict_by_feat(
            cls_scores, bbox_preds, batch_img_metas=[meta], cfg=test_cfg, rescale=True)[0]
        candidates = head.predict_by_feat(
            cls_scores,
            bbox_preds,
            batch_img_metas=[meta],
            cfg=test_cfg,
            rescale=True,
            with_nms=False)[0]
        quads = candidates.bboxes.numpy()
        points = quads.reshape(-1, 4, 2)
        axis_aligned = np.isclose(points[:, 0, 1], points[:, 1, 1]) & \
            np.isclose(points[:, 1, 0], points[:, 2, 0])
        general += int((~axis_aligned).sum())
        expected, ambiguous = brute_force_nms(quads,
                                              candidates.scores.numpy(), test_cfg.nms.iou_threshold,
                                              candidates.labels.numpy(), test_cfg.max_per_img)
        if ambiguous:
            skipped += 1
            continue
        torch.testing.assert_close(with_nms.bboxes, candidates.bboxes[expected])
        torch.testing.assert_close(with_nms.scores, candidates.scores[expected])
        cases += 1
    print(f'head decode + NMS vs shapely brute force: {cases} images equal, {skipped} left out, '
          f'{general} general (not axis-aligned) candidate quads')
    assert cases >= 9 and general > 1500

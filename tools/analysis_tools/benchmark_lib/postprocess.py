# Copyright (c) textboxes_retina authors.
"""Decode + quad NMS of our head against a plain reference (Python loops, shapely polygons).

Both sides take the same head outputs (per-level classification logits and regression deltas)
and the same anchors, and apply the same rules: per level the ``nms_pre`` best candidates
scoring above ``score_thr``, TextBoxes++ corner-offset decoding, clipping to the image, vertex
reordering, repair of non-convex quads by their minimum-area rectangle, dropping quads of at most
``min_quad_area`` px, greedy NMS at ``nms.iou_threshold`` and ``max_per_img``.
"""
import math
import time
from typing import Dict, List, Sequence, Tuple

import cv2
import numpy as np
import torch

from .timing import summarize_times, time_runs


def featmap_sizes(head, size: int, pad_size_divisor: int = 128) -> List[Tuple[int, int]]:
    """Feature map sizes of a square ``size`` input padded to ``pad_size_divisor``."""
    padded = int(math.ceil(size / pad_size_divisor) * pad_size_divisor)
    return [(padded // stride[1], padded // stride[0]) for stride in head.prior_generator.strides]


def make_head_outputs(head,
                      size: int,
                      num_words: int = 0,
                      seed: int = 0,
                      pad_size_divisor: int = 128) -> Tuple[List, List]:
    """Head outputs of one image with a known amount of post-processing work.

    With ``num_words == 0`` every anchor scores between 0.06 and 0.94 (all pass ``score_thr``,
    so each level hands ``nms_pre`` candidates to decoding and NMS: the worst case). With
    ``num_words > 0`` the background scores ~3e-4 and each word lights up a 3x3 cell
    neighbourhood (all anchors) of one random level with scores between 0.6 and 0.95: clusters
    of overlapping candidates, as around real words. Scores are all distinct (spread evenly,
    shuffled), so the greedy NMS order is the same on any implementation; regression deltas
    are N(0, 1).

    Args:
        head (nn.Module): The anchor head (reads anchors per cell, classes and coder width).
        size (int): Square input side in pixels.
        num_words (int): Words to draw, or 0 for the dense worst case. Defaults to 0.
        seed (int): Random seed. Defaults to 0.
        pad_size_divisor (int): Padding of the data preprocessor. Defaults to 128.

    Returns:
        tuple[list[Tensor], list[Tensor]]: ``cls_scores`` (1, A * C, H, W) and ``bbox_preds``
        (1, A * E, H, W) per level.
    """
    generator = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    channels = head.num_base_priors * head.cls_out_channels
    width = head.bbox_coder.encode_size
    sizes = featmap_sizes(head, size, pad_size_divisor)
    lit = [torch.full((1, channels, h, w), num_words == 0) for h, w in sizes]
    for _ in range(num_words):
        level = int(rng.integers(len(sizes)))
        h, w = sizes[level]
        y, x = int(rng.integers(h)), int(rng.integers(w))
        lit[level][:, :, max(y - 1, 0):y + 2, max(x - 1, 0):x + 2] = True
    total = int(sum(mask.sum() for mask in lit))
    low, high = (0.06, 0.94) if num_words == 0 else (0.6, 0.95)
    scores = low + (high - low) * torch.randperm(total, generator=generator).double() / total
    values = torch.logit(scores).float().split([int(mask.sum()) for mask in lit])
    cls_scores = [
        torch.full(mask.shape, -8.0).masked_scatter(mask, value)
        for mask, value in zip(lit, values)
    ]
    bbox_preds = [
        torch.randn(1, head.num_base_priors * width, h, w, generator=generator) for h, w in sizes
    ]
    return cls_scores, bbox_preds


def image_meta(size: int) -> Dict:
    """Meta of an unscaled square image."""
    return dict(img_shape=(size, size), ori_shape=(size, size), scale_factor=(1.0, 1.0))


@torch.no_grad()
def ours(head, cls_scores: List, bbox_preds: List, size: int):
    """Our head's decoding and quad NMS (``predict_by_feat``, anchors included).

    Returns:
        InstanceData: Kept ``bboxes`` (K, 8) and ``scores`` (K, ).
    """
    return head.predict_by_feat(
        cls_scores, bbox_preds, batch_img_metas=[image_meta(size)], rescale=True)[0]


def _plain_quad(points: List[Tuple[float, float]], min_area: float):
    """Reorder, repair and check one quad with plain Python; None to drop it."""
    cx = sum(p[0] for p in points) / 4
    cy = sum(p[1] for p in points) / 4
    points = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))

    def area(pts):
        return abs(
            sum(pts[i][0] * pts[(i + 1) % 4][1] - pts[(i + 1) % 4][0] * pts[i][1]
                for i in range(4))) / 2

    def turn(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    turns = [turn(points[i], points[(i + 1) % 4], points[(i + 2) % 4]) for i in range(4)]
    convex = all(t > 0 for t in turns) or all(t < 0 for t in turns)
    if not convex and area(points) > min_area:
        rect = cv2.boxPoints(cv2.minAreaRect(np.array(points, dtype=np.float32)))
        return _plain_quad([(float(x), float(y)) for x, y in rect], min_area)
    if not all(math.isfinite(v) for p in points for v in p) or area(points) <= min_area:
        return None
    return points


def reference(cls_scores: List, bbox_preds: List, anchors: List, size: int, cfg,
              means: Sequence[float], stds: Sequence[float]) -> Tuple[np.ndarray, np.ndarray]:
    """Plain decode + greedy quad NMS: Python loops over candidates, shapely polygon IoU.

    Args:
        cls_scores (list[Tensor]): Per level (1, A, H, W) logits (one class).
        bbox_preds (list[Tensor]): Per level (1, A * E, H, W) normalised deltas.
        anchors (list[Tensor]): Per level (H * W * A, 4) anchors.
        size (int): Square image side (for clipping).
        cfg (ConfigDict): The head's ``test_cfg``.
        means (Sequence[float]): Coder means (E values).
        stds (Sequence[float]): Coder stds (E values).

    Returns:
        tuple[np.ndarray, np.ndarray]: Kept quads (K, 4, 2) and scores (K, ), by decreasing
        score.
    """
    from shapely.geometry import Polygon
    min_area = cfg.get('min_quad_area', 1.0)
    candidates = []
    for cls, reg, anc in zip(cls_scores, bbox_preds, anchors):
        logits = cls[0].permute(1, 2, 0).reshape(-1).numpy().astype(np.float64)
        scores = 1 / (1 + np.exp(-logits))
        deltas = reg[0].permute(1, 2, 0).reshape(len(scores), -1).numpy().astype(np.float64)
        anc = anc.numpy().astype(np.float64)
        order = [i for i in np.argsort(-scores, kind='stable') if scores[i] > cfg.score_thr]
        for i in order[:cfg.nms_pre]:
            x1, y1, x2, y2 = anc[i]
            w, h = x2 - x1, y2 - y1
            points = []
            for k, (cx, cy) in enumerate(((x1, y1), (x2, y1), (x2, y2), (x1, y2))):
                dx = deltas[i, -8 + 2 * k] * stds[-8 + 2 * k] + means[-8 + 2 * k]
                dy = deltas[i, -7 + 2 * k] * stds[-7 + 2 * k] + means[-7 + 2 * k]
                points.append((min(max(cx + dx * w, 0.0), size), min(max(cy + dy * h, 0.0), size)))
            quad = _plain_quad(points, min_area)
            if quad is not None:
                candidates.append((scores[i], quad))
    candidates.sort(key=lambda c: -c[0])
    kept: List = []
    for score, quad in candidates:
        polygon = Polygon(quad)
        if all(
                polygon.intersection(other).area /
                polygon.union(other).area <= cfg.nms.iou_threshold for _, _, other in kept):
            kept.append((score, quad, polygon))
            if len(kept) == cfg.max_per_img:
                break
    quads = np.array([q for _, q, _ in kept], dtype=np.float64).reshape(-1, 4, 2)
    return quads, np.array([s for s, _, _ in kept], dtype=np.float64)


def _by_score_then_centre(quads: np.ndarray, scores: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Quads (K, 4, 2) and scores (K, ) by decreasing score, ties by centre x then y."""
    centres = quads.mean(1) if len(quads) else np.zeros((0, 2))
    order = np.lexsort((centres[:, 1].round(2), centres[:, 0].round(2), -scores.astype(np.float32)))
    return quads[order], scores[order]


def compare_kept(results,
                 ref_quads: np.ndarray,
                 ref_scores: np.ndarray,
                 atol_px: float = 1e-2) -> Dict:
    """Check that both sides kept the same quads (same scores, same vertices).

    Args:
        results (InstanceData): Our kept ``bboxes`` (K, 8) and ``scores``.
        ref_quads (np.ndarray): Reference quads (K', 4, 2).
        ref_scores (np.ndarray): Reference scores (K', ).
        atol_px (float): Largest vertex distance accepted, in pixels. Defaults to 1e-2.

    Returns:
        dict: ``same`` (bool), ``ours_kept``, ``reference_kept``, ``max_vertex_error_px``.
    """
    quads = results.bboxes.numpy().astype(np.float64).reshape(-1, 4, 2)
    scores = results.scores.numpy().astype(np.float64)
    # Equal float32 scores may come in either order: sort by score, then by centre.
    quads, scores = _by_score_then_centre(quads, scores)
    ref_quads, ref_scores = _by_score_then_centre(ref_quads, ref_scores)
    report = dict(
        ours_kept=len(scores), reference_kept=len(ref_scores), max_vertex_error_px=None, same=False)
    if len(scores) != len(ref_scores) or not np.allclose(scores, ref_scores, rtol=1e-5):
        return report
    if len(scores):
        # Distance of every vertex to the nearest vertex of the matching reference quad.
        distances = np.linalg.norm(quads[:, :, None] - ref_quads[:, None], axis=-1)
        error = max(distances.min(2).max(), distances.min(1).max())
        report['max_vertex_error_px'] = float(error)
        report['same'] = bool(error <= atol_px)
    else:
        report['same'] = True
    return report


def benchmark_case(head,
                   size: int,
                   num_words: int,
                   repeats: int,
                   reference_repeats: int = 1,
                   seed: int = 0,
                   check: bool = True) -> Dict:
    """Time ours and the reference on the same synthetic head outputs.

    Args:
        head (nn.Module): Our head (with ``test_cfg``).
        size (int): Square input side.
        num_words (int): Words per image (0: dense worst case).
        repeats (int): Timed runs of ours.
        reference_repeats (int): Timed runs of the reference. Defaults to 1.
        seed (int): Random seed. Defaults to 0.
        check (bool): Raise if the kept quads differ. Defaults to True.

    Returns:
        dict: Times (ms) of ours, its anchor generation and NMS alone, the reference, the
        speed-up and the comparison.
    """
    from textboxes_retina.structures import quad_nms
    cls_scores, bbox_preds = make_head_outputs(head, size, num_words, seed)
    shapes = [c.shape[-2:] for c in cls_scores]
    ours_stats = summarize_times(
        time_runs(lambda: ours(head, cls_scores, bbox_preds, size), repeats, warmup=1))
    device = cls_scores[0].device
    generator = head.prior_generator

    def build_anchors():
        # The cost of the first image of a size; later images reuse the cached grids.
        if hasattr(generator, 'clear_cache'):
            generator.clear_cache()
        return generator.grid_priors(shapes, device=device)

    anchor_stats = summarize_times(time_runs(build_anchors, repeats, warmup=1))
    results = ours(head, cls_scores, bbox_preds, size)
    anchors = head.prior_generator.grid_priors(shapes, device=device)
    cfg = head.test_cfg
    ref_times, ref = [], None
    for _ in range(max(reference_repeats, 1)):
        start = time.perf_counter()
        ref = reference(cls_scores, bbox_preds, anchors, size, cfg, head.bbox_coder.means,
                        head.bbox_coder.stds)
        ref_times.append(time.perf_counter() - start)
    ref_stats = summarize_times(ref_times)
    comparison = compare_kept(results, *ref)
    if check and not comparison['same']:
        raise AssertionError(f'decode + NMS differs from the reference at size {size}, '
                             f'{num_words} words: {comparison}')
    # NMS alone on ours' candidates before suppression (stopping at max_per_img, as the head
    # does), for the split.
    candidates = head.predict_by_feat(
        cls_scores, bbox_preds, batch_img_metas=[image_meta(size)], rescale=True, with_nms=False)[0]
    nms_stats = summarize_times(
        time_runs(
            lambda: quad_nms(
                candidates.bboxes,
                candidates.scores,
                cfg.nms.iou_threshold,
                candidates.labels,
                max_num=cfg.max_per_img),
            repeats,
            warmup=1))
    return dict(
        size=size,
        num_words=num_words,
        nms_pre=cfg.nms_pre,
        candidates=len(candidates),
        ours_ms=ours_stats['median_ms'],
        ours_p90_ms=ours_stats['p90_ms'],
        ours_runs=ours_stats['runs'],
        anchors_ms=anchor_stats['median_ms'],
        nms_ms=nms_stats['median_ms'],
        reference_ms=ref_stats['median_ms'],
        reference_runs=ref_stats['runs'],
        speedup=ref_stats['median_ms'] / ours_stats['median_ms'],
        **comparison)

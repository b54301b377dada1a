# Copyright (c) textboxes_retina authors.
"""Our IC15 / IC13 metrics against MMOCR's ``HmeanIOUMetric`` on the same predictions."""
import time
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch

from .data import grid_quads

# MMOCR's default threshold search; ours evaluates the same thresholds when asked to sweep.
MMOCR_THRESHOLDS = dict(start=0.3, stop=0.9, step=0.1)


def predictions_from_gt(rng,
                        gt_quads: np.ndarray,
                        gt_ignored: np.ndarray,
                        size: float,
                        recall: float = 0.9,
                        jitter_px: float = 2.0,
                        false_positives: float = 1.0) -> Dict[str, np.ndarray]:
    """Plausible detections of one image: jittered ground truth, misses and false positives.

    Args:
        rng (np.random.Generator): Random generator.
        gt_quads (np.ndarray): Ground truth (G, 8).
        gt_ignored (np.ndarray): Don't-care flags (G, ).
        size (float): Image side, for false positives.
        recall (float): Chance that a word is detected. Defaults to 0.9.
        jitter_px (float): Vertex noise std in pixels. Defaults to 2.
        false_positives (float): Mean number of false positives (Poisson). Defaults to 1.

    Returns:
        dict: ``polygons`` (D, 8) float32 and ``scores`` (D, ) float32.
    """
    from textboxes_retina.structures import clip_quads
    found = rng.random(len(gt_quads)) < np.where(gt_ignored, 0.5, recall)
    hits = gt_quads[found] + rng.normal(0, jitter_px, (int(found.sum()), 8))
    misses = grid_quads(rng, int(size), int(rng.poisson(false_positives)))
    misses += np.tile(rng.uniform(-size / 8, size / 8, (len(misses), 2)), (1, 4))
    polygons = np.concatenate([hits, misses]).astype(np.float32).reshape(-1, 8)
    scores = np.concatenate([rng.uniform(0.5, 1.0, len(hits)),
                             rng.uniform(0.3, 0.6, len(misses))]).astype(np.float32)
    order = np.argsort(-scores, kind='stable')
    return dict(polygons=clip_quads(polygons[order], (size, size)), scores=scores[order])


def make_samples(images: Sequence[Dict], seed: int = 0) -> List[Dict]:
    """Evaluator-style sample dicts (what mmengine passes to ``Metric.process``).

    Args:
        images (Sequence[dict]): Per image ``gt_quads`` (G, 8), ``gt_ignored`` (G, ),
            ``size`` and optionally ``img_path``.
        seed (int): Seed of the simulated detections. Defaults to 0.

    Returns:
        list[dict]: ``TextDetDataSample.to_dict()`` of each image with ``gt_instances``
        (``polygons``, ``ignored``) and ``pred_instances`` (``polygons``, ``scores``).
    """
    from mmengine.structures import InstanceData
    from mmocr.structures import TextDetDataSample
    rng = np.random.default_rng(seed)
    samples = []
    for image in images:
        pred = predictions_from_gt(rng, image['gt_quads'], image['gt_ignored'], image['size'])
        sample = TextDetDataSample(metainfo=dict(img_path=image.get('img_path', '')))
        sample.gt_instances = InstanceData(
            polygons=list(image['gt_quads'].astype(np.float32)),
            ignored=torch.from_numpy(np.asarray(image['gt_ignored'], dtype=bool)))
        sample.pred_instances = InstanceData(
            polygons=list(pred['polygons']), scores=torch.from_numpy(pred['scores']))
        samples.append(sample.to_dict())
    return samples


def images_from_annotations(data_infos: Sequence[Dict]) -> List[Dict]:
    """Per-image ground truth of generated images (``data_info`` dicts of the dataset)."""
    from textboxes_retina.evaluation import stack_quads
    images = []
    for info in data_infos:
        instances = info['instances']
        images.append(
            dict(
                img_path=info['img_path'],
                size=float(max(info['height'], info['width'])),
                gt_quads=stack_quads([i['polygon'] for i in instances], 'ground-truth polygons'),
                gt_ignored=np.array([i['ignore'] for i in instances], dtype=bool)))
    return images


def images_with_words(num_images: int,
                      num_words: int,
                      size: int = 1024,
                      seed: int = 0) -> List[Dict]:
    """Images holding exactly ``num_words`` grid words each (for the scaling curve)."""
    rng = np.random.default_rng(seed)
    return [
        dict(
            gt_quads=grid_quads(rng, size, num_words).astype(np.float64),
            gt_ignored=np.zeros(num_words, dtype=bool),
            size=float(size)) for _ in range(num_images)
    ]


def metric_factories() -> Dict[str, Callable]:
    """Metric name -> constructor, ours and MMOCR's."""
    from mmocr.evaluation import HmeanIOUMetric

    import textboxes_retina  # noqa: F401
    from textboxes_retina.evaluation import IC13DetEvalMetric, IC15HmeanMetric
    return dict(
        ours_ic15=lambda: IC15HmeanMetric(score_thr=0.4),
        ours_ic15_sweep=lambda: IC15HmeanMetric(score_thr=0.4, score_thr_sweep=MMOCR_THRESHOLDS),
        ours_ic13=lambda: IC13DetEvalMetric(score_thr=0.4),
        mmocr_hmean_iou=lambda: HmeanIOUMetric(pred_score_thrs=MMOCR_THRESHOLDS),
    )


def time_metric(factory: Callable, samples: Sequence[Dict], warmup: int = 10) -> Dict:
    """Seconds to ``process`` every sample (one per batch, as in the evaluator loop) and
    ``evaluate``, and the metrics it returned; an untimed run of a fresh metric on the first
    ``warmup`` samples first (lazy imports and first-call set-up are not the metric's speed)."""
    import logging

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        if warmup:
            metric = factory()
            for sample in samples[:warmup]:
                metric.process([], [sample])
            metric.evaluate(min(warmup, len(samples)))
        metric = factory()
        start = time.perf_counter()
        for sample in samples:
            metric.process([], [sample])
        values = metric.evaluate(len(samples))
        seconds = time.perf_counter() - start
    finally:
        logger.setLevel(level)
    return dict(
        seconds=seconds,
        ms_per_image=seconds * 1e3 / max(len(samples), 1),
        metrics={
            k: float(v)
            for k, v in values.items()
        })


def benchmark_metrics(samples: Sequence[Dict], names: Sequence[str] = None) -> Dict[str, Dict]:
    """Time each metric on the same samples; ratios are against ``mmocr_hmean_iou``.

    Args:
        samples (Sequence[dict]): From :func:`make_samples`.
        names (Sequence[str], optional): Metrics to run. Defaults to all.

    Returns:
        dict: Name -> ``seconds``, ``ms_per_image``, ``metrics`` and ``speedup_vs_mmocr``.
    """
    factories = metric_factories()
    results = {name: time_metric(factories[name], samples) for name in (names or factories)}
    if 'mmocr_hmean_iou' in results:
        reference = results['mmocr_hmean_iou']['seconds']
        for result in results.values():
            result['speedup_vs_mmocr'] = reference / result['seconds']
    return results

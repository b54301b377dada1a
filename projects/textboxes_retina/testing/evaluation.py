# Copyright (c) textboxes_retina authors.
"""MMOCR text-detection samples for the metric tests, and feeding them to metrics."""
from typing import List, Sequence

import numpy as np
import torch


def box(x1, y1, x2, y2) -> list:
    """A clockwise quad for the box [x1, x2] x [y1, y2]."""
    return [x1, y1, x2, y1, x2, y2, x1, y2]


def make_sample(gt_polygons, gt_ignored, pred_polygons, scores, img_path='img_1.jpg'):
    """A ``TextDetDataSample`` as the model returns it (float32 polygons, float scores)."""
    from mmengine.structures import InstanceData
    from mmocr.structures import TextDetDataSample
    sample = TextDetDataSample(metainfo=dict(img_path=img_path))
    gt = InstanceData()
    gt.polygons = [np.asarray(p, np.float32) for p in gt_polygons]
    gt.ignored = torch.tensor(gt_ignored, dtype=torch.bool).reshape(-1)
    sample.gt_instances = gt
    pred = InstanceData()
    pred.polygons = [np.asarray(p, np.float32) for p in pred_polygons]
    pred.scores = torch.tensor(scores, dtype=torch.float32).reshape(-1)
    sample.pred_instances = pred
    return sample


def run_metric(metrics, samples: Sequence, batch_size: int = 2) -> dict:
    """Feed samples the way mmengine's Evaluator does (as dicts) to one metric or a list of
    them and evaluate; returns the merged results."""
    metrics = metrics if isinstance(metrics, list) else [metrics]
    for start in range(0, len(samples), batch_size):
        batch = [sample.to_dict() for sample in samples[start:start + batch_size]]
        for metric in metrics:
            metric.process({}, batch)
    results = {}
    for metric in metrics:
        results.update(metric.evaluate(len(samples)))
    return results


def random_quad_samples(seed: int, num_images: int = 12) -> List:
    """Images with integer convex quads: jittered copies of the gt as detections, random false
    positives, don't-care words, random scores."""
    rng = np.random.default_rng(seed)
    samples = []
    for index in range(num_images):
        num_gt = int(rng.integers(0, 6))
        centres = rng.integers(40, 400, (num_gt, 1, 2))
        sizes = rng.integers(12, 40, (num_gt, 1, 2))
        corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]])
        gt = (centres + corners * sizes).reshape(-1, 8)
        dets = gt + rng.integers(-4, 5, gt.shape)
        extra = rng.integers(0, 400, (int(rng.integers(0, 4)), 2))
        fps = np.concatenate([extra, extra + rng.integers(10, 50, extra.shape)], axis=1)
        dets = np.concatenate([dets, np.array([box(*b) for b in fps]).reshape(-1, 8)])
        dets = dets[rng.permutation(len(dets))]
        samples.append(
            make_sample(
                gt,
                rng.random(num_gt) < 0.25,
                dets,
                rng.uniform(0.2, 1.0, len(dets)),
                img_path=f'data/imgs/img_{index + 1}.jpg'))
    return samples

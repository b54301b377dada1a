# Copyright (c) textboxes_retina authors.
"""Conventions shared by the Robust Reading Competition (RRC) evaluation scripts.

The official scripts (``rrc_evaluation_funcs`` and the per-challenge ``script.py``) read integer
coordinates (``int()`` of the parsed values, i.e. truncation towards zero), accumulate matches
over the whole dataset and only then divide. These helpers implement those two conventions once
for the IC15 (IoU) and IC13 (DetEval) protocols.
"""
from typing import Dict

import numpy as np


def truncate_coordinates(coordinates: np.ndarray) -> np.ndarray:
    """Truncate coordinates towards zero, as the official scripts' ``int()`` does.

    Args:
        coordinates (np.ndarray): Any-shape array of coordinates, e.g. quads ``(N, 8)``.

    Returns:
        np.ndarray: float64 array of the same shape holding whole numbers.
    """
    return np.trunc(np.asarray(coordinates, dtype=np.float64))


def harmonic_mean(precision: float, recall: float) -> float:
    """The official ``hmean``: ``0`` when precision and recall are both ``0``.

    Args:
        precision (float): Precision.
        recall (float): Recall.

    Returns:
        float: ``2 * precision * recall / (precision + recall)``, or ``0.0``.
    """
    if precision + recall == 0:
        return 0.0
    return 2.0 * precision * recall / (precision + recall)


def method_metrics(recall_hits: float, precision_hits: float, num_gt: int,
                   num_det: int) -> Dict[str, float]:
    """Dataset-level precision, recall and hmean from global counts (the "method" result).

    ``recall = recall_hits / num_gt`` (``0`` without ground truth) and
    ``precision = precision_hits / num_det`` (``0`` without detections); the hmean is computed
    from these two, exactly as the official ``evaluate_method`` does after its loop over images.

    Args:
        recall_hits (float): Summed recall credit (IC15: matched pairs; DetEval: weighted sum).
        precision_hits (float): Summed precision credit.
        num_gt (int): Number of cared-for ground-truth words over the dataset.
        num_det (int): Number of cared-for detections over the dataset.

    Returns:
        dict: ``precision``, ``recall`` and ``hmean`` as Python floats.
    """
    recall = 0.0 if num_gt == 0 else float(recall_hits) / num_gt
    precision = 0.0 if num_det == 0 else float(precision_hits) / num_det
    return dict(precision=precision, recall=recall, hmean=harmonic_mean(precision, recall))

# Copyright (c) textboxes_retina authors.
"""Per-instance bookkeeping of the results dict shared by the quad transforms."""
import numpy as np

INSTANCE_KEYS = ('gt_polygons', 'gt_bboxes', 'gt_bboxes_labels', 'gt_ignored', 'gt_texts')


def keep_instances(results: dict, keep: np.ndarray) -> dict:
    """Keep the instances where ``keep`` is True in every per-instance key of ``results``.

    Unlike ``mmocr.utils.remove_pipeline_elements``, removing every instance is fine: arrays keep
    their trailing shape (``gt_bboxes`` becomes ``(0, 4)``).

    Args:
        results (dict): Result dict with some of ``gt_polygons``, ``gt_bboxes``,
            ``gt_bboxes_labels``, ``gt_ignored``, ``gt_texts``.
        keep (np.ndarray): ``(N,)`` bool.

    Returns:
        dict: ``results``, modified in place.
    """
    keep = np.asarray(keep, dtype=bool)
    for key in INSTANCE_KEYS:
        if key not in results:
            continue
        if isinstance(results[key], np.ndarray):
            results[key] = results[key][keep]
        else:
            results[key] = [item for item, kept in zip(results[key], keep) if kept]
    return results

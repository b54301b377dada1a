"""Read the arrays the ICDAR metrics need out of an MMOCR text-detection data sample."""
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Sequence

import numpy as np
import torch


def _get(container: Any, key: str, default: Any = None) -> Any:
    """``container.get(key)`` for dicts and mmengine data elements alike."""
    if container is None:
        return default
    value = container.get(key, None)
    return default if value is None else value


def _to_numpy(values: Any, dtype: type) -> np.ndarray:
    if isinstance(values, torch.Tensor):
        values = values.numpy(force=True)  # detached, on the CPU
    return np.asarray(values, dtype=dtype).reshape(-1)


def stack_quads(polygons: Optional[Sequence[np.ndarray]], what: str = 'polygons') -> np.ndarray:
    """Stack 8-value polygons into a ``(N, 8)`` float64 array.

    Args:
        polygons (Sequence[np.ndarray], optional): Polygons, each ``x1, y1, ..., x4, y4``.
        what (str): What they are, for the error message. Defaults to 'polygons'.

    Returns:
        np.ndarray: Quads ``(N, 8)``; ``(0, 8)`` for ``None`` or an empty list.

    Raises:
        ValueError: If a polygon does not have exactly 4 vertices (the ICDAR quad protocols and
            submission formats are defined on quadrilaterals).
    """
    if polygons is None or len(polygons) == 0:
        return np.zeros((0, 8))
    try:  # fast path: a list of equal-length arrays (or one array) in a single conversion
        quads = np.array(polygons, dtype=np.float64)
    except (TypeError, ValueError, RuntimeError):  # ragged, odd or gradient-tracking input
        quads = None
    if quads is not None and quads.ndim == 2 and quads.shape[1] == 8:
        return quads
    flat = [_to_numpy(polygon, np.float64) for polygon in polygons]
    bad = [len(polygon) for polygon in flat if len(polygon) != 8]
    if bad:
        raise ValueError(f'{what} must be quadrilaterals of 8 values; got lengths {bad[:5]} '
                         '(convert polygons with textboxes_retina.structures.polygons_to_quads)')
    return np.stack(flat)


def text_det_sample_arrays(data_sample: Mapping, index: int = 0) -> Dict[str, Any]:
    """Ground truth, predictions and image name of one ``TextDetDataSample`` (or its dict).

    The sample is what the model returns (``pred_instances.polygons`` and ``scores`` in
    original-image coordinates) with the packed annotations (``gt_instances.polygons`` and
    ``ignored``), as MMOCR's ``HmeanIOUMetric`` consumes it. Missing ground truth (a test set
    without annotations) gives empty arrays.

    Args:
        data_sample (Mapping): A ``TextDetDataSample`` or the dict mmengine's evaluator makes
            of it.
        index (int): Position in the dataset, used to name images without ``img_path``.
            Defaults to 0.

    Returns:
        dict: ``name`` (image file stem, e.g. ``'img_1'``), ``gt_polygons`` ``(G, 8)``,
        ``gt_ignored`` bool ``(G,)``, ``pred_polygons`` ``(D, 8)`` and ``scores`` ``(D,)``
        (float64 holding the model's float32 values).
    """
    img_path = _get(data_sample, 'img_path')
    name = (osp.splitext(osp.basename(img_path))[0] if img_path else f'img_{index + 1}')
    gt_instances = _get(data_sample, 'gt_instances')
    pred_instances = _get(data_sample, 'pred_instances')
    gt_polygons = stack_quads(_get(gt_instances, 'polygons'), 'ground-truth polygons')
    gt_ignored = _get(gt_instances, 'ignored')
    gt_ignored = (np.zeros(len(gt_polygons), dtype=bool)
                  if gt_ignored is None else _to_numpy(gt_ignored, bool))
    pred_polygons = stack_quads(_get(pred_instances, 'polygons'), 'predicted polygons')
    scores = _get(pred_instances, 'scores')
    scores = (np.ones(len(pred_polygons)) if scores is None else _to_numpy(scores, np.float64))
    if len(gt_ignored) != len(gt_polygons) or len(scores) != len(pred_polygons):
        raise ValueError(f'{name}: {len(gt_polygons)} gt polygons with {len(gt_ignored)} '
                         f'ignore flags, {len(pred_polygons)} predictions with {len(scores)} '
                         'scores')
    return dict(name=name, gt_polygons=gt_polygons, gt_ignored=gt_ignored,
                pred_polygons=pred_polygons, scores=scores)

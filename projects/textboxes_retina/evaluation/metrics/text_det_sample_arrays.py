# Copyright (c) textboxes_retina authors.
"""Read the arrays the ICDAR metrics need out of an MMOCR text-detection data sample."""
import os.path as osp
from typing import Any, Dict, Mapping, Optional, Sequence, Union

import numpy as np
import torch

#: Values of one quad, ``x1, y1, ..., x4, y4``.
QUAD_VALUES = 8


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


def stack_quads(polygons: Optional[Union[Sequence[Any], np.ndarray, torch.Tensor]],
                what: str = 'polygons') -> np.ndarray:
    """Stack quadrilateral polygons into a ``(N, 8)`` float64 array.

    ``polygons`` is an MMOCR polygon field: a sequence of ``N`` polygons (arrays or tensors of
    ``x1, y1, x2, y2, ...`` in any shape, e.g. ``(8,)`` or ``(4, 2)``), or one array or tensor
    whose first axis counts the ``N`` polygons. Every polygon is flattened and must then have
    exactly 8 values (4 vertices): the ICDAR quad protocols and submission formats are defined
    on quadrilaterals. Nothing is inferred from the width of the input.

    Args:
        polygons (Sequence | np.ndarray | Tensor, optional): The polygons.
        what (str): What they are, for the error message. Defaults to 'polygons'.

    Returns:
        np.ndarray: Quads ``(N, 8)`` (a new array); ``(0, 8)`` for ``None`` or no polygon.

    Raises:
        ValueError: If a polygon does not have exactly 4 vertices.
    """
    if polygons is None or len(polygons) == 0:
        return np.zeros((0, QUAD_VALUES))
    try:  # the usual case, equal-length polygons, in one conversion
        if isinstance(polygons, torch.Tensor):
            polygons = polygons.numpy(force=True)  # detached, on the CPU
        rows = np.array(polygons, dtype=np.float64).reshape(len(polygons), -1)
    except (TypeError, ValueError, RuntimeError):  # ragged, on a GPU or tracking gradients
        rows = [_to_numpy(polygon, np.float64) for polygon in polygons]
    if isinstance(rows, np.ndarray):
        bad = [] if rows.shape[1] == QUAD_VALUES else [rows.shape[1]] * len(rows)
    else:
        bad = [len(row) for row in rows if len(row) != QUAD_VALUES]
    if bad:
        raise ValueError(f'{what} must be quadrilaterals of 8 values; got lengths {bad[:5]} '
                         '(convert polygons with textboxes_retina.structures.polygons_to_quads)')
    return rows if isinstance(rows, np.ndarray) else np.stack(rows)


def text_det_sample_arrays(data_sample: Mapping, index: int = 0) -> Dict[str, Any]:
    """Ground truth, predictions and image name of one ``TextDetDataSample`` (or its dict).

    The sample is what the model returns (``pred_instances.polygons`` and ``scores`` in
    original-image coordinates) with the packed annotations (``gt_instances.polygons`` and
    ``ignored``), as MMOCR's ``HmeanIOUMetric`` consumes it. Quads are read from these named
    ``polygons`` fields only (:func:`stack_quads`), never from ``bboxes``, whose width says
    nothing certain about what they hold. Missing ground truth (a test set without
    annotations) gives empty arrays.

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
    gt_ignored = (
        np.zeros(len(gt_polygons), dtype=bool) if gt_ignored is None else _to_numpy(
            gt_ignored, bool))
    pred_polygons = stack_quads(_get(pred_instances, 'polygons'), 'predicted polygons')
    scores = _get(pred_instances, 'scores')
    scores = (np.ones(len(pred_polygons)) if scores is None else _to_numpy(scores, np.float64))
    if len(gt_ignored) != len(gt_polygons) or len(scores) != len(pred_polygons):
        raise ValueError(f'{name}: {len(gt_polygons)} gt polygons with {len(gt_ignored)} '
                         f'ignore flags, {len(pred_polygons)} predictions with {len(scores)} '
                         'scores')
    return dict(
        name=name,
        gt_polygons=gt_polygons,
        gt_ignored=gt_ignored,
        pred_polygons=pred_polygons,
        scores=scores)

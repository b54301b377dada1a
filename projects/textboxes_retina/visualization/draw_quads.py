# Copyright (c) textboxes_retina authors.
"""Draw quads on images: the one drawing function of the hook, ``tools/infer.py`` and
``tools/analysis_tools/browse_dataset.py``."""
from typing import Any, Mapping, Sequence, Tuple, Union

import cv2
import numpy as np
import torch

from ..evaluation.metrics import text_det_sample_arrays

Color = Tuple[int, int, int]

#: RGB colours of predictions, cared-for ground truth and don't-care ground truth.
PRED_COLOR: Color = (255, 0, 0)
GT_COLOR: Color = (0, 255, 0)
IGNORED_COLOR: Color = (255, 255, 0)


def _vertices(polygon: Union[np.ndarray, torch.Tensor, Sequence[float]]) -> np.ndarray:
    """Integer pixel vertices ``(K, 2)`` of one polygon ``x1, y1, ..., xK, yK``."""
    if isinstance(polygon, torch.Tensor):
        polygon = polygon.numpy(force=True)
    return np.round(np.asarray(polygon, dtype=np.float64).reshape(-1, 2)).astype(np.int32)


def draw_quads(image: np.ndarray,
               polygons: Union[Sequence[Any], np.ndarray],
               color: Color,
               line_width: int = 2,
               vertex_radius: int = 0) -> np.ndarray:
    """Outline polygons (quads) on a copy of an image.

    Vertices are rounded to whole pixels and joined by closed ``cv2.polylines`` (no
    anti-aliasing: every drawn pixel has exactly ``color``). The image's channel order is the
    caller's: give ``color`` in the same order (RGB for mmengine visualisers, BGR for OpenCV).

    Args:
        image (np.ndarray): ``(H, W, 3)`` image of any dtype (clipped to uint8).
        polygons (Sequence | np.ndarray): ``N`` polygons ``x1, y1, ..., xK, yK`` (arrays,
            tensors or lists, flat or ``(K, 2)``), or one array whose first axis counts them.
        color (tuple[int, int, int]): Outline colour, in the image's channel order.
        line_width (int): Outline thickness in pixels. Defaults to 2.
        vertex_radius (int): Radius of a filled dot on each polygon's first vertex, to show
            the vertex order; 0 for none. Defaults to 0.

    Returns:
        np.ndarray: The drawn image, ``(H, W, 3)`` uint8 (``image`` is not modified).
    """
    canvas = np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))
    color = tuple(int(channel) for channel in color)
    vertices = [_vertices(polygon) for polygon in polygons]
    if vertices:
        cv2.polylines(canvas, vertices, True, color, int(line_width))
    if vertex_radius > 0:
        for points in vertices:
            cv2.circle(canvas, tuple(int(v) for v in points[0]), int(vertex_radius), color, -1)
    return canvas


def draw_text_det_sample(image: np.ndarray,
                         data_sample: Mapping,
                         score_thr: float = 0.4,
                         draw_gt: bool = True,
                         draw_pred: bool = True,
                         pred_color: Color = PRED_COLOR,
                         gt_color: Color = GT_COLOR,
                         ignored_color: Color = IGNORED_COLOR,
                         line_width: int = 2) -> np.ndarray:
    """Outline the quads of a text-detection sample: ground truth, don't care, predictions.

    Quads are read by :func:`textboxes_retina.evaluation.text_det_sample_arrays`
    (``gt_instances.polygons`` / ``ignored``, ``pred_instances.polygons`` / ``scores``), in
    the coordinates of ``image``; predictions scoring below ``score_thr`` are left out.
    Predictions are drawn last, on top.

    Args:
        image (np.ndarray): RGB image ``(H, W, 3)`` (default colours are RGB).
        data_sample (TextDetDataSample | dict): Model output, with annotations for the
            ground truth.
        score_thr (float): Predictions with ``score >= score_thr`` are drawn. Defaults to 0.4.
        draw_gt (bool): Draw the ground truth and don't-care words. Defaults to True.
        draw_pred (bool): Draw the predictions. Defaults to True.
        pred_color (tuple): Colour of predictions. Defaults to red.
        gt_color (tuple): Colour of cared-for ground truth. Defaults to green.
        ignored_color (tuple): Colour of don't-care ground truth. Defaults to yellow.
        line_width (int): Outline thickness in pixels. Defaults to 2.

    Returns:
        np.ndarray: The drawn image ``(H, W, 3)`` uint8.
    """
    arrays = text_det_sample_arrays(data_sample)
    layers = []
    if draw_gt:
        layers += [(arrays['gt_polygons'][~arrays['gt_ignored']], gt_color),
                   (arrays['gt_polygons'][arrays['gt_ignored']], ignored_color)]
    if draw_pred:
        layers.append((arrays['pred_polygons'][arrays['scores'] >= score_thr], pred_color))
    canvas = np.ascontiguousarray(np.clip(image, 0, 255).astype(np.uint8))
    for quads, color in layers:
        canvas = draw_quads(canvas, quads, color, line_width)
    return canvas

# Copyright (c) textboxes_retina authors.
"""The ICDAR 2015 Challenge 4 (IoU) metric."""
from typing import Dict, List, Optional

import numpy as np
from mmocr.registry import METRICS

from ..functional import (ic15_dataset_image_results, ic15_dataset_match,
                          ic15_dataset_method_metrics, ic15_dataset_overlaps)
from .icdar_protocol_metric import ICDARProtocolMetric


@METRICS.register_module()
class IC15HmeanMetric(ICDARProtocolMetric):
    """Precision, recall and hmean exactly as the official ICDAR 2015 Challenge 4 script.

    Integer-truncated quads, the ``Polygon`` library's areas (bow-ties included), don't-care
    filtering at area precision > 0.5, IoU > 0.5, one-to-one greedy matching in ground-truth
    order, global counts, computed for the whole dataset at once (see
    :mod:`textboxes_retina.evaluation.functional.ic15_protocol`).

    Config example::

        val_evaluator = dict(type='IC15HmeanMetric', score_thr=0.4,
                             score_thr_sweep=dict(start=0.3, stop=0.91, step=0.1))

    Args:
        iou_thr (float): A match needs ``IoU > iou_thr``. Defaults to 0.5.
        area_precision_thr (float): Don't-care filtering threshold. Defaults to 0.5.
        **kwargs: ``score_thr`` (0.4), ``score_thr_sweep``, ``per_image_json``,
            ``collect_device`` and ``prefix`` (``'ic15'``: keys ``ic15/hmean``, ...), see
            :class:`ICDARProtocolMetric`.
    """
    default_prefix: Optional[str] = 'ic15'
    protocol = 'IC15'

    def __init__(self, iou_thr: float = 0.5, area_precision_thr: float = 0.5, **kwargs) -> None:
        super().__init__(**kwargs)
        self.iou_thr = iou_thr
        self.area_precision_thr = area_precision_thr

    def prepare(self, results: List[Dict]) -> Dict[str, np.ndarray]:
        """Candidate pairs and don't-care detections of the whole dataset, with the scores."""
        overlaps = ic15_dataset_overlaps([result['gt_polygons'] for result in results],
                                         [result['gt_ignored'] for result in results],
                                         [result['pred_polygons'] for result in results],
                                         self.iou_thr, self.area_precision_thr)
        scores = np.concatenate([np.zeros(0)] + [result['scores'] for result in results])
        return dict(overlaps, scores=scores)

    def score_at(self, prepared: Dict[str, np.ndarray], score_thr: float) -> Dict[str, float]:
        """Global-count precision, recall and hmean at ``score_thr``."""
        return ic15_dataset_method_metrics(
            ic15_dataset_match(prepared, prepared['scores'] >= score_thr))

    def image_results(self, prepared: Dict[str, np.ndarray], score_thr: float) -> List[Dict]:
        """Per-image results (greedy matching of the detections scoring at least
        ``score_thr``)."""
        return ic15_dataset_image_results(
            prepared, ic15_dataset_match(prepared, prepared['scores'] >= score_thr))

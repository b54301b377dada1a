"""The ICDAR 2015 Challenge 4 (IoU) metric."""
from typing import Dict, List, Optional

import numpy as np
from mmocr.registry import METRICS

from ..functional import ic15_image_result, ic15_method_metrics, ic15_overlaps
from .icdar_protocol_metric import ICDARProtocolMetric


@METRICS.register_module()
class IC15HmeanMetric(ICDARProtocolMetric):
    """Precision, recall and hmean exactly as the official ICDAR 2015 Challenge 4 script.

    Integer-truncated quads, the ``Polygon`` library's areas (bow-ties included), don't-care
    filtering at area precision > 0.5, IoU > 0.5, one-to-one greedy matching in ground-truth
    order, global counts (see :mod:`textboxes_retina.evaluation.functional.ic15_protocol`).

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

    def __init__(self,
                 iou_thr: float = 0.5,
                 area_precision_thr: float = 0.5,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.iou_thr = iou_thr
        self.area_precision_thr = area_precision_thr

    def prepare_image(self, gt_polygons: np.ndarray, gt_ignored: np.ndarray,
                      pred_polygons: np.ndarray) -> Dict:
        """IoU matrix ``(G, D)`` and don't-care detections ``(D,)`` of one image."""
        iou, det_dontcare = ic15_overlaps(gt_polygons, gt_ignored, pred_polygons,
                                          self.area_precision_thr)
        return dict(iou=iou, gt_ignored=gt_ignored, det_dontcare=det_dontcare)

    def evaluate_image(self, prepared: Dict, keep: np.ndarray) -> Dict:
        """Greedy one-to-one matching of the kept detections of one image."""
        result = ic15_image_result(prepared['iou'][:, keep], prepared['gt_ignored'],
                                   prepared['det_dontcare'][keep], self.iou_thr)
        kept = self.kept_indices(keep)
        result['pairs'] = [[gt, int(kept[det])] for gt, det in result['pairs']]
        result['det_dontcare'] = kept[result['det_dontcare']].tolist()
        return result

    def method_metrics(self, image_results: List[Dict]) -> Dict[str, float]:
        """Global-count precision, recall and hmean."""
        return ic15_method_metrics(image_results)

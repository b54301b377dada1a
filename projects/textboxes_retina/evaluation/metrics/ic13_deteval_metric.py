# Copyright (c) textboxes_retina authors.
"""The ICDAR 2013 Challenge 2 DetEval metric."""
from typing import Dict, List, Optional

import numpy as np
from mmocr.registry import METRICS

from ..functional import (DETEVAL_WEIGHTS, deteval_area_matrices, deteval_dontcare,
                          deteval_image_result, deteval_method_metrics, deteval_rectangles)
from .icdar_protocol_metric import ICDARProtocolMetric


@METRICS.register_module()
class IC13DetEvalMetric(ICDARProtocolMetric):
    """DetEval precision, recall and hmean exactly as the official ICDAR 2013 script.

    Works on the truncated axis-aligned boxes of the ground-truth and predicted quads, with
    inclusive pixel areas, area recall >= 0.8 and area precision >= 0.4, one-to-one, split
    (one-to-many) and merge (many-to-one) matches with the official weights, don't-care
    filtering at area precision > 0.4 and global sums (see
    :mod:`textboxes_retina.evaluation.functional.ic13_deteval_protocol`). Ground-truth polygons
    must carry the official inclusive corner coordinates (``xmax`` is the last pixel column).

    Config example::

        test_evaluator = dict(type='IC13DetEvalMetric', score_thr=0.4)

    Args:
        area_recall_thr (float): Area recall constraint. Defaults to 0.8.
        area_precision_thr (float): Area precision constraint (also the don't-care threshold).
            Defaults to 0.4.
        center_diff_thr (float): One-to-one centre distance constraint. Defaults to 1.
        weights (dict, optional): ``oo_o``, ``om_o``, ``om_m`` credits. Defaults to the
            official ``dict(oo_o=1.0, om_o=0.8, om_m=1.0)``.
        **kwargs: ``score_thr`` (0.4), ``score_thr_sweep``, ``per_image_json``,
            ``collect_device`` and ``prefix`` (``'ic13'``: keys ``ic13/hmean``, ...), see
            :class:`ICDARProtocolMetric`.
    """
    default_prefix: Optional[str] = 'ic13'
    protocol = 'IC13 DetEval'

    def __init__(self,
                 area_recall_thr: float = 0.8,
                 area_precision_thr: float = 0.4,
                 center_diff_thr: float = 1.0,
                 weights: Optional[Dict[str, float]] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.area_precision_thr = area_precision_thr
        self.match_cfg = dict(
            area_recall_thr=area_recall_thr,
            area_precision_thr=area_precision_thr,
            center_diff_thr=center_diff_thr,
            weights=dict(DETEVAL_WEIGHTS, **(weights or {})))

    def prepare(self, results: List[Dict]) -> List[Dict]:
        """Per image: boxes, area recall/precision matrices, don't-care detections, scores."""
        gt_boxes = self._rectangles([result['gt_polygons'] for result in results])
        det_boxes = self._rectangles([result['pred_polygons'] for result in results])
        return [
            dict(self._prepare_image(gt, result['gt_ignored'], det), scores=result['scores'])
            for result, gt, det in zip(results, gt_boxes, det_boxes)
        ]

    def score_at(self, prepared: List[Dict], score_thr: float) -> Dict[str, float]:
        """Summed credits over global cared-for counts at ``score_thr``."""
        return deteval_method_metrics(self.image_results(prepared, score_thr))

    def image_results(self, prepared: List[Dict], score_thr: float) -> List[Dict]:
        """One-to-one, split and merge matching of each image's detections scoring at least
        ``score_thr``."""
        return [self._evaluate_image(image, image['scores'] >= score_thr) for image in prepared]

    @staticmethod
    def _rectangles(quads: List[np.ndarray]) -> List[np.ndarray]:
        """DetEval rectangles ``(N_i, 4)`` of per-image quads ``(N_i, 8)``, in one call."""
        counts = np.cumsum([len(image_quads) for image_quads in quads])
        boxes = deteval_rectangles(np.concatenate([np.zeros((0, 8)), *quads]))
        return np.split(boxes, counts[:-1])

    def _prepare_image(self, gt_boxes: np.ndarray, gt_ignored: np.ndarray,
                       det_boxes: np.ndarray) -> Dict:
        """Area recall/precision matrices and don't-care detections of one image."""
        recall_mat, precision_mat = deteval_area_matrices(gt_boxes, det_boxes)
        return dict(
            gt_boxes=gt_boxes,
            det_boxes=det_boxes,
            recall_mat=recall_mat,
            precision_mat=precision_mat,
            gt_ignored=gt_ignored,
            det_dontcare=deteval_dontcare(precision_mat, gt_ignored, self.area_precision_thr))

    def _evaluate_image(self, prepared: Dict, keep: np.ndarray) -> Dict:
        """Match one image keeping the detections in ``keep`` (bool ``(D,)``); detection
        indices of the result count all ``D`` predictions."""
        result = deteval_image_result(prepared['gt_boxes'], prepared['gt_ignored'],
                                      prepared['det_boxes'][keep], prepared['det_dontcare'][keep],
                                      prepared['recall_mat'][:, keep],
                                      prepared['precision_mat'][:, keep], **self.match_cfg)
        kept = self.kept_indices(keep)
        for pair in result['pairs']:
            pair['det'] = kept[pair['det']].tolist()
        result['det_dontcare'] = kept[result['det_dontcare']].tolist()
        return result

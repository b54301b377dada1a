# Copyright (c) textboxes_retina authors.
"""A metric-like evaluator component that writes the ICDAR submission zip."""
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmocr.registry import METRICS

from ..icdar_submission import check_protocol, write_submission_zip
from .text_det_sample_arrays import text_det_sample_arrays


@METRICS.register_module()
class ICDARSubmissionWriter(BaseMetric):
    """Write the predictions as an official ICDAR submission zip at the end of a test run.

    Collects the predictions scoring at least ``score_thr`` of every image and, in
    ``compute_metrics``, writes one ``res_<image stem>.txt`` per image (IC15 quads or IC13
    boxes, see :mod:`textboxes_retina.evaluation.icdar_submission`) into ``zip_path``. It
    reports no numbers. Use it next to the protocol metric::

        test_evaluator = [
            dict(type='IC15HmeanMetric', score_thr=0.4),
            dict(type='ICDARSubmissionWriter', zip_path='work_dirs/ic15_submit.zip',
                 protocol='ic15', score_thr=0.4),
        ]

    (``textboxes_retina.evaluation.with_submission_writer`` builds this from a config.)

    Args:
        zip_path (str): Output zip.
        protocol (str): ``'ic15'`` (quads) or ``'ic13'`` (boxes). Defaults to 'ic15'.
        score_thr (float): Detections with ``score >= score_thr`` are written. Defaults to 0.4.
        with_confidence (bool): Append each detection's score. Defaults to False (the official
            scripts reject the column unless run with confidences).
        collect_device (str): Defaults to 'cpu'.
        prefix (str, optional): Defaults to ``'submission'``.
    """
    default_prefix: Optional[str] = 'submission'

    def __init__(self,
                 zip_path: str,
                 protocol: str = 'ic15',
                 score_thr: float = 0.4,
                 with_confidence: bool = False,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.zip_path = zip_path
        self.protocol = check_protocol(protocol)
        self.score_thr = float(score_thr)
        self.with_confidence = with_confidence

    def process(self, data_batch: Sequence[Dict], data_samples: Sequence[Dict]) -> None:
        """Keep the submitted detections of every image of a batch.

        Args:
            data_batch (Sequence[dict]): The batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs.
        """
        for data_sample in data_samples:
            arrays = text_det_sample_arrays(data_sample, index=len(self.results))
            keep = arrays['scores'] >= self.score_thr
            self.results.append(
                dict(
                    name=arrays['name'],
                    polygons=arrays['pred_polygons'][keep],
                    scores=arrays['scores'][keep]))

    def compute_metrics(self, results: List[Dict]) -> Dict:
        """Write the zip.

        Args:
            results (list[dict]): Submitted detections of every image.

        Returns:
            dict: Empty: the writer reports no numbers.
        """
        names = write_submission_zip(
            self.zip_path,
            {result['name']: (result['polygons'], result['scores'])
             for result in results}, self.protocol, self.with_confidence)
        MMLogger.get_current_instance().info(
            f'{self.protocol.upper()} submission: {len(names)} result files written to '
            f'{self.zip_path}')
        return {}

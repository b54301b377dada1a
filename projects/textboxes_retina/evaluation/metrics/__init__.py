# Copyright (c) textboxes_retina authors.
"""Registered metrics: the official ICDAR protocols and the submission writer."""
from .ic13_deteval_metric import IC13DetEvalMetric
from .ic15_hmean_metric import IC15HmeanMetric
from .icdar_protocol_metric import ICDARProtocolMetric
from .icdar_submission_writer import ICDARSubmissionWriter
from .text_det_sample_arrays import stack_quads, text_det_sample_arrays

__all__ = [
    'IC13DetEvalMetric', 'IC15HmeanMetric', 'ICDARProtocolMetric', 'ICDARSubmissionWriter',
    'stack_quads', 'text_det_sample_arrays'
]

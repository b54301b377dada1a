# Copyright (c) textboxes_retina authors.
"""Evaluation: the official ICDAR 2015 (IoU) and ICDAR 2013 (DetEval) protocols, submission
files. Importing this module registers ``IC15HmeanMetric``, ``IC13DetEvalMetric`` and
``ICDARSubmissionWriter`` in MMOCR's ``METRICS``."""
from .evaluator_config import metric_configs, with_metric
from .functional import *  # noqa: F401,F403
from .icdar_submission import (check_protocol, clockwise_quads, format_submission_lines,
                               image_name_from_submission_file, parse_submission_lines,
                               read_submission_zip, submission_file_name, with_submission_writer,
                               write_submission_zip)
from .metrics import (IC13DetEvalMetric, IC15HmeanMetric, ICDARProtocolMetric,
                      ICDARSubmissionWriter, stack_quads, text_det_sample_arrays)

__all__ = [
    'check_protocol', 'clockwise_quads', 'format_submission_lines',
    'image_name_from_submission_file', 'metric_configs', 'parse_submission_lines',
    'read_submission_zip', 'submission_file_name', 'with_metric', 'with_submission_writer',
    'write_submission_zip', 'IC13DetEvalMetric', 'IC15HmeanMetric', 'ICDARProtocolMetric',
    'ICDARSubmissionWriter', 'stack_quads', 'text_det_sample_arrays'
]

# Copyright (c) textboxes_retina authors.
"""Robust Reading Competition submission files: write, zip, read back.

One ``res_<image stem>.txt`` per image (``res_img_1.txt`` for ``img_1.jpg``), one detection per
line, in the format the official scripts parse:

- IC15 (Challenge 4): ``x1,y1,x2,y2,x3,y3,x4,y4[,confidence]``: integers (truncated, as the
  scripts would read them), clockwise in image coordinates (the scripts reject counter-clockwise
  quads: ``sum((x[i+1] - x[i]) * (y[i+1] + y[i])) > 0``);
- IC13 (Challenge 2): ``xmin,ymin,xmax,ymax[,confidence]``: the truncated axis-aligned box.

The official scripts accept a confidence column only when run with ``CONFIDENCES``; leave
``with_confidence`` off for an upload unless the task asks for it.
"""
import os
import os.path as osp
import zipfile
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .evaluator_config import metric_configs, with_metric
from .functional import deteval_rectangles, truncate_coordinates

PROTOCOLS = ('ic15', 'ic13')
#: Metric types whose protocol and score threshold a submission writer can take over.
METRIC_PROTOCOLS = {'IC15HmeanMetric': 'ic15', 'IC13DetEvalMetric': 'ic13'}


def check_protocol(protocol: str) -> str:
    """Return ``protocol`` if it is ``'ic15'`` or ``'ic13'``, else raise ``ValueError``."""
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got {protocol!r}')
    return protocol


def submission_file_name(image_name: str) -> str:
    """``'img_1.jpg'`` (or a path, or the stem ``'img_1'``) -> ``'res_img_1.txt'``."""
    return f'res_{osp.splitext(osp.basename(image_name))[0]}.txt'


def image_name_from_submission_file(file_name: str) -> str:
    """``'res_img_1.txt'`` -> ``'img_1'``."""
    stem = osp.splitext(osp.basename(file_name))[0]
    return stem[len('res_'):] if stem.startswith('res_') else stem


def clockwise_quads(quads: np.ndarray) -> np.ndarray:
    """Truncate quads and reverse the vertex order of those the official check calls
    counter-clockwise (the first vertex stays first).

    Args:
        quads (np.ndarray): ``(N, 8)``.

    Returns:
        np.ndarray: int64 ``(N, 8)``.
    """
    quads = truncate_coordinates(np.asarray(quads, np.float64).reshape(-1, 8)).astype(np.int64)
    xs, ys = quads[:, 0::2], quads[:, 1::2]
    edge_sum = ((np.roll(xs, -1, axis=1) - xs) * (np.roll(ys, -1, axis=1) + ys)).sum(axis=1)
    points = quads.reshape(-1, 4, 2)
    points[edge_sum > 0] = points[edge_sum > 0][:, [0, 3, 2, 1]]
    return points.reshape(-1, 8)


def format_submission_lines(quads: np.ndarray,
                            scores: Optional[np.ndarray] = None,
                            protocol: str = 'ic15') -> List[str]:
    """Lines of one result file.

    Args:
        quads (np.ndarray): Detections ``(N, 8)`` in original-image coordinates.
        scores (np.ndarray, optional): ``(N,)`` confidences to append (6 decimals).
            Defaults to None (no confidence column).
        protocol (str): ``'ic15'`` (quads) or ``'ic13'`` (boxes). Defaults to 'ic15'.

    Returns:
        list[str]: One line per detection, without newline.
    """
    values = (
        clockwise_quads(quads) if check_protocol(protocol) == 'ic15' else deteval_rectangles(
            np.asarray(quads, np.float64).reshape(-1, 8)).astype(np.int64))
    lines = [','.join(str(int(value)) for value in row) for row in values]
    if scores is not None:
        lines = [f'{line},{float(score):.6f}' for line, score in zip(lines, scores)]
    return lines


def write_submission_zip(zip_path: str,
                         predictions: Mapping[str, Tuple[np.ndarray, Optional[np.ndarray]]],
                         protocol: str = 'ic15',
                         with_confidence: bool = False) -> List[str]:
    """Write one result file per image into a zip ready for upload.

    Args:
        zip_path (str): Output ``.zip`` (parent folders are created).
        predictions (Mapping[str, tuple]): Image name (stem or file name) ->
            ``(quads (N, 8), scores (N,))`` of the detections to submit, in order.
        protocol (str): ``'ic15'`` or ``'ic13'``. Defaults to 'ic15'.
        with_confidence (bool): Append the confidence column. Defaults to False.

    Returns:
        list[str]: The file names written, in order.
    """
    check_protocol(protocol)
    os.makedirs(osp.dirname(osp.abspath(zip_path)), exist_ok=True)
    names = []
    with zipfile.ZipFile(zip_path, 'w', compression=zipfile.ZIP_DEFLATED) as archive:
        for image_name, (quads, scores) in predictions.items():
            lines = format_submission_lines(quads, scores if with_confidence else None, protocol)
            names.append(submission_file_name(image_name))
            archive.writestr(names[-1], ''.join(line + '\n' for line in lines))
    return names


def parse_submission_lines(text: str, protocol: str = 'ic15') -> Tuple[np.ndarray, np.ndarray]:
    """Parse one result file.

    Args:
        text (str): File contents (``\\n`` or ``\\r\\n`` line ends).
        protocol (str): ``'ic15'`` (8 coordinates) or ``'ic13'`` (4). Defaults to 'ic15'.

    Returns:
        tuple[np.ndarray, np.ndarray]: Quads ``(N, 8)`` (IC13 boxes as their 4 corners,
        clockwise from the top-left) and scores ``(N,)`` (1.0 where no confidence is given).

    Raises:
        ValueError: On a line that is not in the protocol's format.
    """
    num_coords = 8 if check_protocol(protocol) == 'ic15' else 4
    quads, scores = [], []
    for number, line in enumerate(text.replace('\r', '').split('\n'), start=1):
        if not line.strip():
            continue
        fields = [field.strip() for field in line.split(',')]
        if len(fields) not in (num_coords, num_coords + 1):
            raise ValueError(f'line {number}: expected {num_coords} integers and an optional '
                             f'confidence, got {line!r}')
        coords = [int(field) for field in fields[:num_coords]]
        if num_coords == 4:
            xmin, ymin, xmax, ymax = coords
            coords = [xmin, ymin, xmax, ymin, xmax, ymax, xmin, ymax]
        quads.append(coords)
        scores.append(float(fields[num_coords]) if len(fields) > num_coords else 1.0)
    return np.array(quads, np.float64).reshape(-1, 8), np.array(scores, np.float64)


def read_submission_zip(zip_path: str, protocol: str = 'ic15') -> Dict[str, Dict[str, np.ndarray]]:
    """Load a submission zip back into predictions.

    Args:
        zip_path (str): A zip of ``res_*.txt`` files.
        protocol (str): ``'ic15'`` or ``'ic13'``. Defaults to 'ic15'.

    Returns:
        dict: Image stem (``'img_1'``) -> ``dict(polygons=(N, 8) array, scores=(N,) array)``,
        the form of ``TextDetDataSample.pred_instances``.
    """
    predictions = {}
    with zipfile.ZipFile(zip_path) as archive:
        for file_name in archive.namelist():
            if file_name.endswith('/'):
                continue
            text = archive.read(file_name).decode('utf-8-sig')
            try:
                polygons, scores = parse_submission_lines(text, protocol)
            except ValueError as error:
                raise ValueError(f'{zip_path}:{file_name}: {error}') from error
            predictions[image_name_from_submission_file(file_name)] = dict(
                polygons=polygons, scores=scores)
    return predictions


def with_submission_writer(evaluator: Union[Dict, Sequence[Dict]], zip_path: str,
                           **writer_cfg) -> Union[Dict, List[Dict]]:
    """Add an :class:`ICDARSubmissionWriter` to an evaluator config (for ``tools/test.py``).

    The writer takes its protocol and ``score_thr`` from the first ``IC15HmeanMetric`` /
    ``IC13DetEvalMetric`` of the evaluator (``'ic15'`` and 0.4 when there is none), unless
    given in ``writer_cfg``.

    Args:
        evaluator (dict | Sequence[dict]): ``cfg.test_evaluator``: one metric config, a list of
            them, or ``dict(type='Evaluator', metrics=...)``.
        zip_path (str): Where to write the zip.
        **writer_cfg: Other :class:`ICDARSubmissionWriter` arguments (``protocol``,
            ``score_thr``, ``with_confidence``).

    Returns:
        dict | list[dict]: The new evaluator config (the input is not modified).
    """
    writer = dict(type='ICDARSubmissionWriter', zip_path=zip_path)
    for metric in metric_configs(evaluator):
        protocol = METRIC_PROTOCOLS.get(str(metric.get('type', '')).split('.')[-1])
        if protocol is not None:
            writer.update(protocol=protocol, score_thr=metric.get('score_thr', 0.4))
            break
    writer.update(writer_cfg)
    return with_metric(evaluator, writer)

# Copyright (c) textboxes_retina authors.
"""Pure functions that parse the official ICDAR / MLT ground-truth formats into OCR instances.

Every line parser takes one line of text (already decoded, without its line end) plus the file
name and line number used in error messages, and returns ``dict(polygon=[x1, y1, ..., x4, y4],
text=str, **extra)`` or raises :class:`DatasetInputError` naming file and line.

Formats:

- ICDAR 2015 (Challenge 4): ``x1,y1,x2,y2,x3,y3,x4,y4,transcription``; the transcription may
  contain commas.
- ICDAR 2013 (Challenge 2): training ``xmin ymin xmax ymax "text"``, test
  ``xmin, ymin, xmax, ymax, "text"``; the box becomes a clockwise quad.
- ICDAR 2017 MLT: ``x1,y1,...,x4,y4,script,transcription``.

In all of them ``###`` marks a don't-care region.
"""
import codecs
import re
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import shapely

from textboxes_retina.structures import quads_to_bboxes
from .bad_input_policy import BadInputPolicy, DatasetInputError

LineParser = Callable[[str, str, Optional[int]], Dict]

_LINE_END = re.compile(r'\r\n|\n|\r')
# A plain decimal number: what the official files and the RRC scripts write. Python's float()
# also takes '1_0', 'nan', 'infinity' and surrounding whitespace of any kind.
_NUMBER = re.compile(r'[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?')
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
_BOMS = ((codecs.BOM_UTF32_LE, 'utf-32-le'), (codecs.BOM_UTF32_BE, 'utf-32-be'),
         (codecs.BOM_UTF8, 'utf-8'), (codecs.BOM_UTF16_LE, 'utf-16-le'), (codecs.BOM_UTF16_BE,
                                                                          'utf-16-be'))


def decode_annotation_text(data: bytes) -> str:
    """Decode a ground-truth file.

    Args:
        data (bytes): File content: UTF-8, UTF-16 or UTF-32 with a byte-order mark, or UTF-8
            without one (Latin-1 is accepted as a fallback for old files).

    Returns:
        str: The text without its byte-order mark.

    Raises:
        ValueError: The data is not text in one of these encodings, e.g. UTF-16 without a
            byte-order mark (NUL bytes), or bytes invalid after a byte-order mark.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding)
            except UnicodeDecodeError as error:
                raise ValueError(f'not valid {encoding.upper()} after its byte-order mark '
                                 f'({error.reason} at byte {error.start + len(bom)})') from None
    if b'\x00' in data:
        raise ValueError('NUL bytes in a text file without byte-order mark (UTF-16 or UTF-32 '
                         'without BOM?); save it as UTF-8')
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError:
        return data.decode('latin-1')


def decode_annotation_lines(data: bytes) -> List[Tuple[int, str]]:
    """Decode a ground-truth file and split it into numbered, non-blank lines.

    Args:
        data (bytes): File content (see :func:`decode_annotation_text`), CRLF, LF or CR line
            ends.

    Returns:
        list[tuple[int, str]]: ``(line_no, line)`` with 1-based line numbers of the original file
        and the line end removed; blank lines are left out.

    Raises:
        ValueError: See :func:`decode_annotation_text`.
    """
    text = decode_annotation_text(data)
    return [(no, line) for no, line in enumerate(_LINE_END.split(text), start=1) if line.strip()]


def parse_coordinates(tokens: Sequence[str],
                      path: str = '',
                      line_no: Optional[int] = None,
                      line: Optional[str] = None) -> List[float]:
    """Convert coordinate strings to floats, finite in float32.

    A coordinate is a plain decimal number (``12``, ``-3.5``, ``1e2``): Python-only syntax such
    as ``1_0`` is refused like any other non-number.

    Args:
        tokens (Sequence[str]): Coordinate strings, surrounding spaces allowed.
        path (str): File name for the error message. Defaults to ''.
        line_no (int, optional): Line number for the error message. Defaults to None.
        line (str, optional): The whole line for the error message. Defaults to None.

    Returns:
        list[float]: The values.

    Raises:
        DatasetInputError: A token is not a number, is NaN / infinite, or is beyond the float32
            range (about 3.4e38) that the pipeline computes in.
    """
    values = []
    for token in tokens:
        text = token.strip()
        if not _NUMBER.fullmatch(text):
            try:
                value = float(text)
            except ValueError:
                value = None
            kind = 'non-finite' if value is not None and not np.isfinite(value) else 'non-numeric'
            raise DatasetInputError(path, f'{kind} coordinate {text!r}', line_no, line)
        value = float(text)
        if not abs(value) <= _FLOAT32_MAX:
            raise DatasetInputError(path, f'coordinate {text!r} beyond the float32 range', line_no,
                                    line)
        values.append(value)
    return values


def _split_fields(line: str, num_fields: int, what: str, path: str,
                  line_no: Optional[int]) -> List[str]:
    """Split ``line`` at its first ``num_fields - 1`` commas; the last field keeps its commas."""
    fields = line.split(',', num_fields - 1)
    if len(fields) != num_fields:
        raise DatasetInputError(path, f'expected {what}, got {len(fields)} values', line_no, line)
    return fields


def parse_icdar2015_line(line: str, path: str = '', line_no: Optional[int] = None) -> Dict:
    """Parse ``x1,y1,x2,y2,x3,y3,x4,y4,transcription``.

    Args:
        line (str): One line without its line end.
        path (str): File name for error messages. Defaults to ''.
        line_no (int, optional): Line number for error messages. Defaults to None.

    Returns:
        dict: ``polygon`` (8 floats) and ``text`` (may contain commas).
    """
    fields = _split_fields(line, 9, '8 coordinates and a transcription', path, line_no)
    return dict(polygon=parse_coordinates(fields[:8], path, line_no, line), text=fields[8])


def parse_mlt2017_line(line: str, path: str = '', line_no: Optional[int] = None) -> Dict:
    """Parse ``x1,y1,x2,y2,x3,y3,x4,y4,script,transcription``.

    Args:
        line (str): One line without its line end.
        path (str): File name for error messages. Defaults to ''.
        line_no (int, optional): Line number for error messages. Defaults to None.

    Returns:
        dict: ``polygon`` (8 floats), ``script`` (e.g. ``'Latin'``) and ``text``.
    """
    fields = _split_fields(line, 10, '8 coordinates, a script and a transcription', path, line_no)
    return dict(
        polygon=parse_coordinates(fields[:8], path, line_no, line),
        script=fields[8].strip(),
        text=fields[9])


def parse_icdar2013_line(line: str, path: str = '', line_no: Optional[int] = None) -> Dict:
    """Parse ``xmin ymin xmax ymax "text"`` (training) or ``xmin, ymin, xmax, ymax, "text"``
    (test) into a clockwise quad ``(xmin, ymin), (xmax, ymin), (xmax, ymax), (xmin, ymax)``.

    The separator is detected per line: commas if the part before the transcription has one.

    Args:
        line (str): One line without its line end.
        path (str): File name for error messages. Defaults to ''.
        line_no (int, optional): Line number for error messages. Defaults to None.

    Returns:
        dict: ``polygon`` (8 floats) and ``text`` without its surrounding quotes.
    """
    head = line.split('"', 1)[0]
    if ',' in head:
        fields = [field.strip() for field in line.split(',', 4)]
    else:
        fields = line.strip().split(None, 4)
    if len(fields) != 5:
        raise DatasetInputError(
            path, f'expected 4 box coordinates and a transcription, '
            f'got {len(fields)} values', line_no, line)
    xmin, ymin, xmax, ymax = parse_coordinates(fields[:4], path, line_no, line)
    if xmax <= xmin or ymax <= ymin:
        raise DatasetInputError(path, 'degenerate box (needs xmin < xmax and ymin < ymax)', line_no,
                                line)
    text = fields[4].strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    return dict(polygon=[xmin, ymin, xmax, ymin, xmax, ymax, xmin, ymax], text=text)


def check_quad(polygon: Sequence[float],
               width: Optional[int] = None,
               height: Optional[int] = None,
               min_area: float = 1.0) -> Optional[str]:
    """Say what is wrong with a quad, if anything.

    Args:
        polygon (Sequence[float]): ``[x1, y1, ..., x4, y4]``, any vertex order.
        width (int, optional): Image width; with ``height``, enables the out-of-image check.
        height (int, optional): Image height.
        min_area (float): Smallest convex-hull area (in px^2) of a valid quad, also the smallest
            area it must have inside the image. Defaults to 1.0.

    A vertex farther outside the image than the image's own width (in x) or height (in y) is
    not a word cut by the border but a wrong coordinate, even when part of the quad is inside.

    Returns:
        str or None: ``'non-finite coordinate'`` (also beyond float32), ``'degenerate quad ...'``,
        ``'quad outside the image ...'``, ``'vertex far outside the image ...'`` or None.
    """
    points = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    if not (np.isfinite(points).all() and (np.abs(points) <= _FLOAT32_MAX).all()):
        return 'non-finite coordinate (or beyond the float32 range)'
    points = points.astype(np.float32)
    area = float(cv2.contourArea(cv2.convexHull(points)))
    if area < min_area:
        return f'degenerate quad (area {area:.2f} px^2 < {min_area})'
    if width is None or height is None:
        return None
    x1, y1, x2, y2 = quads_to_bboxes(points.reshape(1, -1))[0]
    if x1 >= 0 and y1 >= 0 and x2 <= width and y2 <= height:
        return None
    inside = shapely.MultiPoint(points.astype(np.float64)).convex_hull.intersection(
        shapely.box(0, 0, width, height)).area
    if inside < min_area:
        return f'quad outside the image ({width}x{height})'
    if x1 < -width or x2 > 2 * width or y1 < -height or y2 > 2 * height:
        return (f'vertex far outside the image ({width}x{height}; more than the image size '
                'beyond its border)')
    return None


def make_instance(polygon: Sequence[float], text: str, ignore_text: str = '###', **extra) -> Dict:
    """Build an MMOCR ``OCRDataset`` instance.

    Args:
        polygon (Sequence[float]): ``[x1, y1, ..., x4, y4]``.
        text (str): Transcription; ``ignore_text`` marks a don't-care word.
        ignore_text (str): The don't-care transcription. Defaults to '###'.
        **extra: Additional keys kept in the instance, e.g. ``script``.

    Returns:
        dict: ``polygon``, ``bbox`` ``[x1, y1, x2, y2]``, ``bbox_label`` (0), ``ignore``,
        ``text`` and the extra keys.
    """
    polygon = [float(v) for v in polygon]
    return dict(
        polygon=polygon,
        bbox=quads_to_bboxes(np.array([polygon], dtype=np.float64))[0].tolist(),
        bbox_label=0,
        ignore=text == ignore_text,
        text=text,
        **extra)


def parse_annotation_lines(lines: Sequence[Tuple[int, str]],
                           parse_line: LineParser,
                           path: str,
                           policy: BadInputPolicy,
                           width: Optional[int] = None,
                           height: Optional[int] = None,
                           ignore_text: str = '###',
                           min_area: float = 1.0) -> List[Dict]:
    """Parse the lines of one ground-truth file into instances, reporting bad words to ``policy``.

    Args:
        lines (Sequence[tuple[int, str]]): Output of :func:`decode_annotation_lines`.
        parse_line (callable): One of the ``parse_*_line`` functions.
        path (str): The file name used in messages.
        policy (BadInputPolicy): Raises (strict) or collects (lenient) each problem.
        width (int, optional): Image width for the out-of-image check. Defaults to None.
        height (int, optional): Image height. Defaults to None.
        ignore_text (str): The don't-care transcription. Defaults to '###'.
        min_area (float): See :func:`check_quad`. Defaults to 1.0.

    Returns:
        list[dict]: One instance (see :func:`make_instance`) per good line. An empty file is
        reported and gives an empty list: the image is kept without words.
    """
    if not lines:
        policy.report(
            DatasetInputError(path, 'empty annotation file'), 'image kept without words',
            'empty ground truth')
        return []
    instances = []
    for line_no, line in lines:
        try:
            word = parse_line(line, path, line_no)
            problem = check_quad(word['polygon'], width, height, min_area)
            if problem is not None:
                raise DatasetInputError(path, problem, line_no, line)
        except DatasetInputError as error:
            policy.report(error, 'word skipped', 'bad word')
            continue
        instances.append(make_instance(ignore_text=ignore_text, **word))
    return instances

# Copyright (c) textboxes_retina authors.
"""Strict or lenient handling of bad dataset input (corrupt files, malformed ground truth)."""
import warnings
from collections import Counter, OrderedDict
from typing import Dict, List, Optional


class DatasetInputError(ValueError):
    """A problem with one dataset file, optionally at one line of it.

    Args:
        path (str): The file the problem is in (for a zip member, ``archive.zip!member``).
        reason (str): What is wrong, e.g. ``'expected 8 coordinates, got 7'``.
        line_no (int, optional): 1-based line number in ``path``. Defaults to None.
        line (str, optional): The offending line, quoted in the message. Defaults to None.
    """

    def __init__(self,
                 path: str,
                 reason: str,
                 line_no: Optional[int] = None,
                 line: Optional[str] = None) -> None:
        self.path = path
        self.reason = reason
        self.line_no = line_no
        self.line = line
        super().__init__(self.describe())

    def describe(self) -> str:
        """Return ``"path: line N: reason: 'line'"`` (the parts that are known)."""
        return f'{self.path}: {self.detail()}'

    def detail(self) -> str:
        """Return the message without the path: ``"line N: reason: 'line'"``."""
        text = '' if self.line_no is None else f'line {self.line_no}: '
        text += self.reason
        if self.line is not None:
            text += f': {self.line!r}'
        return text


class BadInputWarning(UserWarning):
    """Warning category of the lenient mode: something was skipped, the rest was kept."""


class BadInputPolicy:
    """Raise on bad input (strict) or collect it and warn once per file (lenient).

    Parsers call :meth:`report` for every problem; in strict mode the first one raises. In lenient
    mode problems are grouped by file and :meth:`flush` emits one :class:`BadInputWarning` per file
    that lists every line skipped in it.

    Args:
        strict (bool): Raise :class:`DatasetInputError` at the first problem. Defaults to False.
        max_listed (int): How many problems of one file the warning quotes. Defaults to 10.
    """

    def __init__(self, strict: bool = False, max_listed: int = 10) -> None:
        self.strict = strict
        self.max_listed = max_listed
        self._pending: Dict[str, List[str]] = OrderedDict()
        self.num_reported = 0
        #: How many problems of each kind were reported, e.g. ``{'no ground truth': 3}``.
        self.counts: Counter = Counter()

    def report(self,
               error: DatasetInputError,
               consequence: str,
               kind: Optional[str] = None) -> None:
        """Raise ``error`` (strict) or remember it for the warning of its file (lenient).

        Args:
            error (DatasetInputError): The problem.
            consequence (str): What lenient mode does about it, e.g. ``'word skipped'``.
            kind (str, optional): Short name of the problem, counted in :attr:`counts`
                (e.g. ``'unreadable image'``). Defaults to None: ``consequence``.
        """
        self.num_reported += 1
        self.counts[kind or consequence] += 1
        if self.strict:
            raise error
        self._pending.setdefault(error.path, []).append(f'{error.detail()} ({consequence})')

    def flush(self) -> None:
        """Emit one warning per file with pending problems and forget them."""
        for path, details in self._pending.items():
            listed = '; '.join(details[:self.max_listed])
            if len(details) > self.max_listed:
                listed += f'; and {len(details) - self.max_listed} more'
            warnings.warn(
                f'{path}: {len(details)} bad input(s): {listed}', BadInputWarning, stacklevel=2)
        self._pending.clear()

    def summary(self) -> str:
        """``'kind: count, ...'`` of every problem reported so far (``'none'`` without any)."""
        listed = ', '.join(f'{kind}: {count}' for kind, count in sorted(self.counts.items()))
        return listed or 'none'

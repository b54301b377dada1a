# Copyright (c) textboxes_retina authors.
"""Make mmengine checkpoints loadable under torch >= 2.6.

torch 2.6 changed ``torch.load``'s default to ``weights_only=True``: only tensors, containers and
an allowlist of types may be unpickled. mmengine 0.10.7 calls ``torch.load`` without the argument,
and the checkpoints it writes also hold its message hub (``HistoryBuffer`` objects with numpy
arrays) and parameter-scheduler states (``collections.Counter``), so ``--resume`` and ``load_from``
fail with an ``UnpicklingError`` out of the box. ``HistoryBuffer`` also pickles its statistics
methods (``HistoryBuffer.min`` ...), which pickle writes as
``builtins.getattr(HistoryBuffer, 'min')``.

Rather than turning the safe loader off (``weights_only=False`` would run arbitrary code from an
untrusted file), :func:`allow_mmengine_checkpoints` adds exactly the types an mmengine checkpoint
contains to torch's allowlist, through the public ``torch.serialization.add_safe_globals``. A file
with any other global is still refused. ``getattr`` is not allowed as such: the name
``builtins.getattr`` is bound to :func:`history_buffer_getattr`, which resolves only
``HistoryBuffer``'s statistics methods.
"""
import collections
import pickle
from typing import List

import numpy as np
import torch

_STATISTICS_METHODS = ('min', 'max', 'current', 'mean')


def history_buffer_getattr(obj: type, name: str) -> object:
    """``getattr`` restricted to what an mmengine checkpoint needs.

    Args:
        obj (type): must be mmengine's ``HistoryBuffer``.
        name (str): one of its statistics methods (min, max, current, mean).

    Returns:
        The method.

    Raises:
        pickle.UnpicklingError: for any other object or attribute.
    """
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and name in _STATISTICS_METHODS:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'weights-only load refused getattr({obj!r}, {name!r}): textboxes_retina allows only '
        f'HistoryBuffer.{{{",".join(_STATISTICS_METHODS)}}} in checkpoints')


def mmengine_checkpoint_globals() -> List[object]:
    """The globals an mmengine 0.10 checkpoint pickles, beyond torch's own allowlist.

    Returns:
        list: classes and reconstruction functions to allow: mmengine's ``HistoryBuffer``, numpy
        arrays, scalars and dtypes (the message hub stores them), ``collections.Counter`` and
        ``defaultdict`` (parameter schedulers store them), and :func:`history_buffer_getattr`
        under the name ``builtins.getattr``.
    """
    from mmengine.logging import HistoryBuffer

    dtype_classes = {type(np.dtype(code)) for code in np.typecodes['All']}
    return [
        HistoryBuffer,
        np.core.multiarray._reconstruct,
        np.core.multiarray.scalar,
        np.ndarray,
        np.dtype,
        *sorted(dtype_classes, key=lambda cls: cls.__name__),
        collections.Counter,
        collections.defaultdict,
        (history_buffer_getattr, 'builtins.getattr'),
    ]


def allow_mmengine_checkpoints() -> None:
    """Allow the types of :func:`mmengine_checkpoint_globals` in ``weights_only`` loading.

    Idempotent (torch keeps the allowlist as a set); a no-op on a torch without
    ``add_safe_globals`` (< 2.4), which does not need it.
    """
    add_safe_globals = getattr(torch.serialization, 'add_safe_globals', None)
    if add_safe_globals is not None:
        add_safe_globals(mmengine_checkpoint_globals())

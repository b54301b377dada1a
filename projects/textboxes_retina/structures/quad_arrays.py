# Copyright (c) textboxes_retina authors.
"""The array convention shared by the quad geometry modules.

A quad is ``(x1, y1, x2, y2, x3, y3, x4, y4)`` in image coordinates (x to the right, y down),
and ``N`` quads are an ``(N, 8)`` ``torch.Tensor`` or ``np.ndarray``. Functions decorated with
:func:`numpy_compatible` are written once, for tensors, and return the kind they were given.
"""
import functools
from typing import Callable, Union

import numpy as np
import torch
from torch import Tensor

ArrayLike = Union[Tensor, np.ndarray]


def numpy_compatible(func: Callable) -> Callable:
    """Let a tensor function take numpy arrays (positional) and give numpy arrays back."""

    @functools.wraps(func)
    def wrapper(quads: ArrayLike, *args, **kwargs):
        if isinstance(quads, Tensor):
            return func(quads, *args, **kwargs)
        args = tuple(torch.from_numpy(arg) if isinstance(arg, np.ndarray) else arg for arg in args)
        out = func(torch.from_numpy(np.asarray(quads)), *args, **kwargs)
        if isinstance(out, tuple):
            return tuple(o.numpy() for o in out)
        return out.numpy()

    return wrapper


def quad_points(quads: Tensor) -> Tensor:
    """View ``(N, 8)`` quads as ``(N, 4, 2)`` points."""
    return quads.reshape(-1, 4, 2)


def cross(o: Tensor, a: Tensor, b: Tensor) -> Tensor:
    """z component of ``(a - o) x (b - o)`` for ``(..., 2)`` points."""
    return ((a[..., 0] - o[..., 0]) * (b[..., 1] - o[..., 1]) - (a[..., 1] - o[..., 1]) *
            (b[..., 0] - o[..., 0]))

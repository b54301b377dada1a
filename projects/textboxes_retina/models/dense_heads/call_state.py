# Copyright (c) textboxes_retina authors.
"""``CallState``: a value a head method hands to an override that mmdet calls beneath it."""
from contextlib import contextmanager
from typing import Any, Iterator


class CallState:
    """Per-call state for an overridden method that mmdet calls with fixed arguments.

    mmdet's ``AnchorHead.loss_by_feat`` calls ``self.get_anchors(...)`` and
    ``self.get_targets(...)`` with arguments of its own choosing. A head that needs more there
    (the classification scores for hard negative mining, the refined anchors of a two-step head)
    provides it around its ``super().loss_by_feat(...)`` call with :meth:`provide`, and the
    override reads it with :meth:`read`. The state exists only inside the ``with`` block (it is
    cleared on exit, also on an exception), and leaving the block without one :meth:`read` raises
    a ``RuntimeError``: if mmdet stops calling the override from there, training fails loudly
    instead of silently losing the state.

    Args:
        reader (str): The overridden method that reads the state, e.g.
            ``'TextBoxesRetinaHead.get_targets'`` (for messages).
        caller (str): The mmdet method expected to call it, e.g.
            ``'AnchorHead.loss_by_feat'`` (for messages).

    Example:
        >>> state = CallState('Head.get_targets', 'AnchorHead.loss_by_feat')
        >>> with state.provide(scores):
        ...     losses = super().loss_by_feat(...)  # calls self.get_targets -> state.read()
    """

    def __init__(self, reader: str, caller: str) -> None:
        self.reader = reader
        self.caller = caller
        self._value: Any = None
        self._active = False
        self._reads = 0

    @property
    def active(self) -> bool:
        """Whether a :meth:`provide` block is running."""
        return self._active

    @contextmanager
    def provide(self, value: Any) -> Iterator[None]:
        """Make ``value`` readable inside the block.

        Raises:
            RuntimeError: On entry if a block is already running (no nesting), on a normal exit
                if nothing read the value.
        """
        if self._active:
            raise RuntimeError(f'state for {self.reader} is already provided (nested call)')
        self._value, self._active, self._reads = value, True, 0
        try:
            yield
            if self._reads == 0:
                raise RuntimeError(
                    f'{self.reader} was not called while its state was provided: mmdet\'s '
                    f'{self.caller} no longer calls it there, so the state would be ignored')
        finally:
            self._value, self._active, self._reads = None, False, 0

    def read(self, default: Any = None) -> Any:
        """The provided value inside a :meth:`provide` block, ``default`` outside."""
        if not self._active:
            return default
        self._reads += 1
        return self._value

    def __repr__(self) -> str:
        return f'{type(self).__name__}(reader={self.reader!r}, active={self._active})'

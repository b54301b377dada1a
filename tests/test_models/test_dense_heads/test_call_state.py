"""CallState: per-call state handed from a head method to an override mmdet calls beneath it."""
import pytest

from textboxes_retina.models.dense_heads.call_state import CallState


def test_the_value_exists_only_inside_the_block():
    state = CallState('Head.get_targets', 'AnchorHead.loss_by_feat')
    assert not state.active and state.read() is None and state.read('x') == 'x'
    with state.provide([1, 2]):
        assert state.active and state.read() == [1, 2]
    assert not state.active and state.read() is None


def test_cleared_after_an_exception():
    state = CallState('Head.get_targets', 'AnchorHead.loss_by_feat')
    with pytest.raises(KeyError):
        with state.provide(3):
            state.read()
            raise KeyError('boom')
    assert not state.active and state.read() is None


def test_an_unread_state_raises_and_nesting_is_refused():
    state = CallState('Head.get_targets', 'AnchorHead.loss_by_feat')
    with pytest.raises(
            RuntimeError, match='Head.get_targets was not called.*'
            'AnchorHead.loss_by_feat'):
        with state.provide(3):
            pass
    assert not state.active
    with state.provide(1):
        with pytest.raises(RuntimeError, match='nested'):
            with state.provide(2):
                pass
        assert state.read() == 1
    assert not state.active

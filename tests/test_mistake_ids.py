"""Stable mistake ids: every failure of a check names its mistake by an id that does not change with the values."""
from __future__ import annotations

import numpy as np
import pytest

from autograder import remote
from checks.assertions import CheckFailed, call, check_close, check_shape, check_tuple, mistake_slug, static_part
from week1 import rnn_checks
from week1.rnn_utils import softmax


def _failure(fn, *args, **kwargs) -> CheckFailed:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value


def _rnn_cell(scale=1.0, bias=True, transpose=False):
    def rnn_cell_forward(xt, a_prev, parameters):
        p = parameters
        a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + (p["ba"] if bias else 0)) * scale
        yt_pred = softmax(p["Wya"] @ a_next + p["by"])
        return (a_next.T if transpose else a_next), yt_pred, (a_next, a_prev, xt, parameters)
    return rnn_cell_forward


def test_a_known_mistake_is_named_by_the_check_and_its_cause():
    exc = _failure(rnn_checks.check_rnn_cell_forward, _rnn_cell(bias=False))
    assert exc.mistake.startswith("week1.rnn_checks.check_rnn_cell_forward:")
    assert "likely cause" in str(exc) and mistake_slug(static_part(str(exc))) in exc.mistake


def test_the_same_mistake_with_other_values_has_one_id():
    first = _failure(rnn_checks.check_rnn_cell_forward, _rnn_cell(scale=2.0))
    second = _failure(rnn_checks.check_rnn_cell_forward, _rnn_cell(scale=3.0))
    assert str(first) != str(second)  # the sentences show other values
    assert first.mistake == second.mistake == "week1.rnn_checks.check_rnn_cell_forward:a_next-value"


def test_other_mistakes_have_other_ids():
    ids = {_failure(rnn_checks.check_rnn_cell_forward, fn).mistake
           for fn in (_rnn_cell(scale=2.0), _rnn_cell(bias=False), _rnn_cell(transpose=True))}
    assert len(ids) == 3


def test_ids_of_the_kit_helpers_say_what_was_checked():
    def site():
        return [_failure(check_shape, "a_next", np.zeros((3, 2)), (2, 3)).mistake,
                _failure(check_shape, "a_next", np.zeros((4, 4)), (2, 3)).mistake,
                _failure(check_tuple, "out", (1, 2), 3).mistake,
                _failure(check_close, "y", np.ones(2), np.zeros(2), mistakes={"the sign is flipped.": np.ones(2)}).mistake,
                _failure(call, lambda: 1 / 0, name="rnn_forward").mistake]
    swapped, shape, length, cause, crash = site()
    prefix = f"{__name__}.site:"
    assert swapped == prefix + "a_next-shape:the-axes-are-swapped-check-for-a-transposed"
    assert shape == prefix + "a_next-shape"
    assert length == prefix + "out-length:check-the-return-statement"
    assert cause == prefix + "the-sign-is-flipped"
    assert crash == prefix + "rnn_forward-raised-zerodivisionerror"


def test_an_explicit_id_is_kept_and_a_plain_message_gets_its_static_part():
    assert CheckFailed("x: wrong").tagged("my-check:my-mistake").mistake == "my-check:my-mistake"
    one = CheckFailed("last_dino_name: expected 'Abc' but got 'Xy'.").mistake
    two = CheckFailed("last_dino_name: expected 'Qq' but got 'Zz'.").mistake
    assert one == two == f"{__name__}.test_an_explicit_id_is_kept_and_a_plain_message_gets_its_static_part:" \
                         "last_dino_name-expected"


def test_existing_messages_are_unchanged():
    exc = _failure(check_shape, "a_next", np.zeros((3, 2)), (2, 3))
    assert str(exc) == "a_next: expected shape (2, 3) but got shape (3, 2); the axes are swapped: check for a " \
                       "transposed matrix."
    assert exc._render_traceback_() == [f"\u2718 {exc}"]


def _in_test_cell(code: str, **names) -> BaseException:
    namespace = {"np": np, "check_close": check_close, **names}
    try:
        exec(compile(code, "<test cell>", "exec"), namespace)  # noqa: S102 - the way the grader runs a test cell
    except BaseException as exc:  # noqa: BLE001
        return exc
    raise AssertionError("the cell passed")


def test_hidden_test_failures_get_ids():
    check = _in_test_cell("check_close('hidden a', np.ones(2), np.zeros(2))")
    assert remote.mistake_id(check) == "hidden:hidden-a-value"
    with_message = _in_test_cell("x = 3\nassert x == 2, f'the hidden case {x} failed: expected 2'")
    assert remote.mistake_id(with_message) == "hidden:assert:the-hidden-case"
    bare = _in_test_cell("x = 3\n\nassert x == 2")
    assert remote.mistake_id(bare) == "hidden:assert:line-3"
    assert remote.mistake_id(NotImplementedError("Not implemented yet")) == "unfinished"
    assert remote.mistake_id(_in_test_cell("rnn_forward(1)")) == "undefined:rnn_forward"
    assert remote.mistake_id(ValueError("bad")) == "error:valueerror"


def test_the_recorded_output_round_trips_and_shows_nothing():
    output = remote.mistake_output("week1.rnn_checks.check_rnn_forward:a-value")
    assert output["data"] == {"text/plain": ""}
    assert remote.recorded_mistake([{"output_type": "stream", "text": "x"}, output]) == \
        "week1.rnn_checks.check_rnn_forward:a-value"
    assert remote.recorded_mistake([{"output_type": "stream", "text": "x"}]) is None

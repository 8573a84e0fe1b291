"""Public checks of assignment w1a1 (RNN step by step), one per graded function.

``check_<function>(<function>, sizes..., seed=...)`` draws its own small seeded inputs (never square
where a transposed weight could hide), calls the function on private copies, and verifies type ->
return order -> shapes -> values -> cache against the values stored for those inputs in
``week1/fixtures/w1a1_rnn_step_by_step.json`` (see :mod:`checks.fixtures`). Backward checks compare
every returned gradient with the stored numerical gradient (central differences, float64) of
L = sum(da * a) (+ sum(dc * c) for the LSTM cell).  When a wrong value is exactly what a classic
mistake produces (its stored output), the message names that mistake.
"""
from __future__ import annotations

import copy

import numpy as np

from checks.assertions import (CheckFailed, article, call, check_close, check_gradient, check_keys, check_shape,
                               check_tuple, passed, relative_error, tolerance_for)
from checks.fixtures import Fixtures
from week1.rnn_utils import gru_parameters, lstm_parameters, random_arrays, rnn_inputs, rnn_parameters

FIXTURES = Fixtures("w1a1_rnn_step_by_step")

GRAD_TOL = 1e-7  # relative error allowed between an analytic and the numerical gradient
RNN_CACHE = ("a_next", "a_prev", "xt", "parameters")
LSTM_CACHE = ("a_next", "c_next", "a_prev", "c_prev", "ft", "it", "cct", "ot", "xt", "parameters")
GRU_CACHE = ("a_next", "a_prev", "xt", "gu", "gr", "cct", "parameters")
LSTM_WEIGHTS = ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")
CONCAT_MISTAKE = "the gates read [xt; a_prev]; concatenate [a_prev; xt] (a_prev on top, as the weights expect)."


# ------------------------------------------------------------------ the checks' inputs (seeded)

def rnn_cell_inputs(n_x, n_a, n_y, m, seed):
    rng = np.random.default_rng(seed)
    p = rnn_parameters(n_x, n_a, n_y, rng)
    xt, a_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m)).values()
    return xt, a_prev, p


def lstm_cell_inputs(n_x, n_a, n_y, m, seed):
    rng = np.random.default_rng(seed)
    p = lstm_parameters(n_x, n_a, n_y, rng)
    xt, a_prev, c_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m), c_prev=(n_a, m)).values()
    return xt, a_prev, c_prev, p


def gru_cell_inputs(n_x, n_a, n_y, m, seed):
    rng = np.random.default_rng(seed)
    p = gru_parameters(n_x, n_a, n_y, rng)
    xt, a_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m)).values()
    return xt, a_prev, p


_PARAMETERS = {"rnn": rnn_parameters, "lstm": lstm_parameters, "gru": gru_parameters}


def _sequence_inputs(kind, n_x, n_a, n_y, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p = _PARAMETERS[kind](n_x, n_a, n_y, rng)
    x, a0 = rnn_inputs(n_x, n_a, m, T_x, rng)
    return p, x, a0, rng


def sequence_inputs(kind, n_x, n_a, n_y, m, T_x, seed):
    """Seeded parameters of a ``kind`` ("rnn", "lstm", "gru") cell, x (n_x, m, T_x) and a0 (n_a, m)."""
    return _sequence_inputs(kind, n_x, n_a, n_y, m, T_x, seed)[:3]


def bidirectional_inputs(n_x, n_a, n_y, m, T_x, seed):
    rng = np.random.default_rng(seed)
    p_f, p_b = rnn_parameters(n_x, n_a, n_y, rng), rnn_parameters(n_x, n_a, n_y, rng)
    x, a0_f = rnn_inputs(n_x, n_a, m, T_x, rng)
    a0_b, Wy, by = random_arrays(rng, a0_b=(n_a, m), Wy=(n_y, 2 * n_a), by=(n_y, 1)).values()
    return x, a0_f, a0_b, p_f, p_b, Wy, by


def deep_inputs(n_x, n_as, n_y, m, T_x, seed):
    rng = np.random.default_rng(seed)
    ps = [rnn_parameters(n_in, n_a, n_y, rng) for n_in, n_a in zip((n_x, *n_as), n_as)]
    x, a0 = rnn_inputs(n_x, n_as[0], m, T_x, rng)
    a0s = [a0] + [random_arrays(rng, a0=(n_a, m))["a0"] for n_a in n_as[1:]]
    return x, a0s, ps


def rnn_cell_backward_inputs(n_x, n_a, m, seed):
    rng = np.random.default_rng(seed)
    p = rnn_parameters(n_x, n_a, 2, rng)
    xt, a_prev, da_next = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m), da_next=(n_a, m)).values()
    return xt, a_prev, da_next, p


def lstm_cell_backward_inputs(n_x, n_a, m, seed):
    rng = np.random.default_rng(seed)
    p = lstm_parameters(n_x, n_a, 2, rng)
    xt, a_prev, c_prev, da_next, dc_next = random_arrays(
        rng, xt=(n_x, m), a_prev=(n_a, m), c_prev=(n_a, m), da_next=(n_a, m), dc_next=(n_a, m)).values()
    return xt, a_prev, c_prev, da_next, dc_next, p


def bptt_inputs(kind, n_x, n_a, m, T_x, seed):
    """Parameters, x, a0 and the upstream gradients da (n_a, m, T_x) of a backward-through-time check."""
    p, x, a0, rng = _sequence_inputs(kind, n_x, n_a, 2, m, T_x, seed)
    return p, x, a0, random_arrays(rng, da=(n_a, m, T_x))["da"]


# ------------------------------------------------------------------ comparison helpers

def _call(fn, fname, *args, hint=None):
    """Call a student's function on private copies of its inputs; add ``hint`` to a crash.

    While grading, the reference stands in for the other graded functions it calls (one bug, one function)."""
    try:
        with FIXTURES.stand_ins(fn, fname):
            return call(fn, *copy.deepcopy(args), name=fname)
    except CheckFailed as exc:
        if hint:
            raise CheckFailed(f"{exc} {hint}") from exc
        raise


def _kind(v) -> str:
    """What a value looks like, for messages: 'shape (5, 10)', 'a sequence of 4', 'a dict'."""
    if isinstance(v, np.ndarray):
        return f"shape {v.shape}"
    if isinstance(v, (tuple, list)):
        return f"a sequence of {len(v)}"
    return article(type(v).__name__)  # "an int", "a float"


def _same(got, want) -> bool:
    """Arrays by value, dicts key by key, sequences by length."""
    if isinstance(want, np.ndarray):
        return (isinstance(got, np.ndarray) and got.shape == want.shape
                and np.allclose(got, want, *tolerance_for(got, want, 1e-6, 1e-8)))
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _same(got[k], w) for k, w in want.items())
    return isinstance(got, (tuple, list)) and len(got) == len(want)


def _find(got, expected: dict, skip: str):
    """The name of another expected value that ``got`` equals, if any."""
    return next((name for name, want in expected.items() if name != skip and _same(got, want)), None)


def _check_order(fname, out, expected: dict):
    """A tuple of the expected length, with no value sitting in another value's place."""
    check_tuple(f"{fname}'s return value", out, len(expected), list(expected))
    order = f"the return order is ({', '.join(expected)})"
    for i, (name, want) in enumerate(expected.items()):
        got = out[i]
        if _same(got, want):
            continue
        other = _find(got, expected, name)
        if other is None and _kind(got) != _kind(want):
            other = next((n for n, w in expected.items() if _kind(w) == _kind(got)), None)
        if other:
            raise CheckFailed(f"{fname}: return value {i} should be {name} ({_kind(want)}) "
                              f"but looks like {other} ({_kind(got)}); {order}.")


def _check_values(expected: dict, out, mistakes: dict, hint=None):
    """check_close every returned array, in return order, naming known mistakes."""
    for (name, want), got in zip(expected.items(), out):
        if isinstance(want, np.ndarray):
            check_close(name, got, want, mistakes=mistakes.get(name), hint=hint)


def _check_cache(label, cache, expected: dict):
    """A cache tuple: its length, then each position, naming an element found in the wrong place."""
    layout = f"({', '.join(expected)})"
    if not isinstance(cache, (tuple, list)) or len(cache) != len(expected):
        raise CheckFailed(f"{label}: expected a tuple of {len(expected)} elements {layout} but got {_kind(cache)}.")
    for i, (name, want) in enumerate(expected.items()):
        got = cache[i]
        if _same(got, want):
            continue
        other = _find(got, expected, name)
        if other is None and isinstance(want, np.ndarray):
            check_close(f"{label}[{i}] ({name})", got, want, hint=f"The cache layout is {layout}.")
            continue
        raise CheckFailed(f"{label}[{i}] should be {name}{f' but holds {other}' if other else ''}: the cache layout is "
                          f"{layout}, as the docstring gives it.")


def _check_sequence_caches(caches, x, cell_caches, layout):
    """caches = (list of cell caches, x): every step's cache in time order."""
    if isinstance(caches, (tuple, list)) and len(caches) == 2 and isinstance(caches[0], (tuple, list)) \
            and len(caches[0]) != len(cell_caches):
        got = "an empty list" if not caches[0] else f"a list of {len(caches[0])}"
        raise CheckFailed(f"caches[0]: expected a list of the {len(cell_caches)} cell caches, one per time step, but "
                          f"got {got}; likely cause: the cache of each step is not appended to caches inside the loop "
                          f"(section 1.2: store every step's cache, in time order).")
    _check_cache("caches", caches, {"cell_caches": cell_caches, "x": x})
    for t, cache in enumerate(cell_caches):
        _check_cache(f"caches[0][{t}]", caches[0][t], dict(zip(layout, cache)))


def _check_gradients(fname, grads, numeric: dict, mistakes: dict, hints: dict):
    """Every key of ``numeric``: present, right shape, relative error < GRAD_TOL.

    mistakes -- {cause: {key: the gradient that mistake produces}}; hints -- {key: how to compute it}.
    """
    check_keys(f"{fname}'s return value", grads, list(numeric), hint="Return a dict of gradients.")
    for key, expected in numeric.items():
        name, got = f"gradients['{key}']", grads[key]
        check_shape(name, got, expected.shape, hints.get(key))
        if relative_error(got, expected) < GRAD_TOL:
            continue
        for cause, wrong in mistakes.items():
            if key in wrong and relative_error(got, wrong[key]) < 1e-6:
                raise CheckFailed(f"{name}: expected the numerical gradient but got the values that this mistake "
                                  f"produces; likely cause: {cause}")
        check_gradient(name, got, expected, tol=GRAD_TOL, hint=hints.get(key))


def _dims(**dims) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims.items())


def _builds_on(fname, inner):
    return f"{fname} builds on {inner}: make its check pass first, then compare your loop with the docstring."


# ------------------------------------------------------------------ forward checks

def _check_cell(fn, fname, args, case, layout, dims: dict):
    """Shared by the one-step checks: call, return order, values (naming mistakes), cache layout, one line."""
    expected = case["expected"]
    out = _call(fn, fname, *args)
    _check_order(fname, out, expected)
    _check_values(expected, out, case["mistakes"])
    _check_cache("cache", out[-1], dict(zip(layout, expected["cache"])))  # the cache is returned last
    passed(f"{fname} ({_dims(**dims)})")


def check_rnn_cell_forward(rnn_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One RNN step: return order, a_next and yt_pred values, cache layout."""
    case = FIXTURES.case("rnn_cell_forward", n_x=n_x, n_a=n_a, n_y=n_y, m=m, seed=seed)
    _check_cell(rnn_cell_forward, "rnn_cell_forward", rnn_cell_inputs(n_x, n_a, n_y, m, seed), case, RNN_CACHE,
                dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def check_lstm_cell_forward(lstm_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One LSTM step: return order, a_next, c_next, yt_pred values, cache layout (gates included)."""
    case = FIXTURES.case("lstm_cell_forward", n_x=n_x, n_a=n_a, n_y=n_y, m=m, seed=seed)
    _check_cell(lstm_cell_forward, "lstm_cell_forward", lstm_cell_inputs(n_x, n_a, n_y, m, seed), case,
                LSTM_CACHE, dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def check_gru_cell_forward(gru_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One GRU step: return order, a_next and yt_pred values, cache layout."""
    case = FIXTURES.case("gru_cell_forward", n_x=n_x, n_a=n_a, n_y=n_y, m=m, seed=seed)
    _check_cell(gru_cell_forward, "gru_cell_forward", gru_cell_inputs(n_x, n_a, n_y, m, seed), case, GRU_CACHE,
                dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def _check_unrolled(fname, fn, kind, layout, n_x, n_a, n_y, m, T_x, seed):
    """Shared by the forward-over-time checks: return order, values (naming loop bugs), every step's cache."""
    case = FIXTURES.case(fname, n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x, seed=seed)
    p, x, a0 = sequence_inputs(kind, n_x, n_a, n_y, m, T_x, seed)
    expected = case["expected"]
    out = _call(fn, fname, x, a0, p)
    _check_order(fname, out, expected)
    _check_values(expected, out, case["mistakes"],
                  hint=_builds_on(fname, fname.replace("_forward", "_cell_forward")))
    _check_sequence_caches(out[-1], x, expected["caches"][0], layout)
    passed(f"{fname} ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_rnn_forward(rnn_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=4, seed=1):
    """RNN over a sequence: return order, a and y_pred, every step's cache."""
    _check_unrolled("rnn_forward", rnn_forward, "rnn", RNN_CACHE, n_x, n_a, n_y, m, T_x, seed)


def check_lstm_forward(lstm_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=7, seed=1):
    """LSTM over a sequence (c0 = 0): return order, a, y and c, every step's cache."""
    _check_unrolled("lstm_forward", lstm_forward, "lstm", LSTM_CACHE, n_x, n_a, n_y, m, T_x, seed)


def check_gru_forward(gru_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=4, seed=1):
    """GRU over a sequence: return order, a and y, every step's cache."""
    _check_unrolled("gru_forward", gru_forward, "gru", GRU_CACHE, n_x, n_a, n_y, m, T_x, seed)


def check_bidirectional_rnn_forward(bidirectional_rnn_forward, n_x=3, n_a=5, n_y=2, m=4, T_x=6, seed=1):
    """Two RNNs reading x forwards and backwards: a_f, a_b aligned with x, and y from [a_f; a_b]."""
    fname = "bidirectional_rnn_forward"
    case = FIXTURES.case(fname, n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x, seed=seed)
    out = _call(bidirectional_rnn_forward, fname, *bidirectional_inputs(n_x, n_a, n_y, m, T_x, seed),
                hint="Wy is (n_y, 2 n_a) and multiplies [a_f[:, :, t]; a_b[:, :, t]] of shape (2 n_a, m).")
    _check_order(fname, out, case["expected"])
    _check_values(case["expected"], out, case["mistakes"], hint=_builds_on(fname, "rnn_forward"))
    passed(f"{fname} ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_deep_rnn_forward(deep_rnn_forward, n_x=3, n_as=(5, 4), n_y=2, m=7, T_x=6, seed=1):
    """A stack of RNN layers: layer l reads layer l-1's states; y comes from the last layer."""
    fname = "deep_rnn_forward"
    case = FIXTURES.case(fname, n_x=n_x, n_as=tuple(n_as), n_y=n_y, m=m, T_x=T_x, seed=seed)
    a_list, y = case["expected"]["a_list"], case["expected"]["y"]
    out = _call(deep_rnn_forward, fname, *deep_inputs(n_x, n_as, n_y, m, T_x, seed),
                hint="Layer l reads the states of layer l-1, shape (n_a[l-1], m, T_x), and starts from a0s[l].")
    _check_order(fname, out, case["expected"])
    if not _same(out[0], a_list):
        raise CheckFailed(f"a_list: expected a list of {len(a_list)} arrays, one per layer, but got {_kind(out[0])}.")
    hint = _builds_on(fname, "rnn_forward")
    for layer, (got, want) in enumerate(zip(out[0], a_list)):
        check_close(f"a_list[{layer}] (layer {layer + 1})", got, want, hint=hint)
    check_close("y", out[1], y, hint=hint, mistakes=case["mistakes"]["y"])
    passed(f"{fname} ({_dims(n_x=n_x, n_as=tuple(n_as), n_y=n_y, m=m, T_x=T_x)})")


# ------------------------------------------------------------------ backward checks

def _sum_hint(key, section):
    return (f"{key} is the gradient of the pre-activation summed over the m examples (axis 1), kept as a column of "
            f"shape (n_a, 1): see the equations of section {section}.")


def check_rnn_cell_backward(rnn_cell_backward, n_x=3, n_a=4, m=2, seed=1):
    """One RNN step backwards: every gradient against the numerical gradient of sum(da_next * a_next)."""
    case = FIXTURES.case("rnn_cell_backward", n_x=n_x, n_a=n_a, m=m, seed=seed)
    da_next = rnn_cell_backward_inputs(n_x, n_a, m, seed)[2]
    see = "see the equations of section 5.1"
    hints = {"dxt": f"dxt is Waxᵀ times the gradient through tanh (dtanh), shape (n_x, m): {see}.",
             "da_prev": f"da_prev is Waaᵀ times the gradient through tanh (dtanh), shape (n_a, m): {see}.",
             "dWax": f"dWax is dtanh times xtᵀ, which also sums over the m examples, shape (n_a, n_x): {see}.",
             "dWaa": f"dWaa is dtanh times a_prevᵀ, which also sums over the m examples, shape (n_a, n_a): {see}.",
             "dba": _sum_hint("dba", "5.1")}
    grads = _call(rnn_cell_backward, "rnn_cell_backward", da_next, case["cache"])
    _check_gradients("rnn_cell_backward", grads, case["numeric"], case["mistakes"], hints)
    passed(f"rnn_cell_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m)})")


def check_lstm_cell_backward(lstm_cell_backward, n_x=3, n_a=4, m=2, seed=1):
    """One LSTM step backwards: every gradient against the numerical gradient of
    sum(da_next * a_next) + sum(dc_next * c_next)."""
    case = FIXTURES.case("lstm_cell_backward", n_x=n_x, n_a=n_a, m=m, seed=seed)
    da_next, dc_next = lstm_cell_backward_inputs(n_x, n_a, m, seed)[3:5]
    see = "see the equations of section 5.3"
    rows = (f"dconcat, the gradient of concat = [a_prev; xt], adds up what flows back from all four gates (each "
            f"weight matrix transposed times its pre-activation's gradient); the first n_a rows of dconcat belong to "
            f"a_prev, the rest to xt: {see}.")
    hints = {"dxt": rows, "da_prev": rows,
             "dc_prev": f"dc_prev is the memory's whole gradient dc (dc_next plus the share of da_next that flows "
                        f"through tanh(c_next)) times the forget gate: {see}."}
    hints |= {f"dW{g}": f"dW{g} is the gradient of the gate's pre-activation (d{g}t) times concatᵀ: {see}."
              for g in "fio"}
    hints |= {"dWc": f"dWc is the gradient of the candidate's pre-activation (dcct) times concatᵀ: {see}."}
    hints |= {f"db{g}": _sum_hint(f"db{g}", "5.3") for g in "fico"}
    grads = _call(lstm_cell_backward, "lstm_cell_backward", da_next, dc_next, case["cache"])
    _check_gradients("lstm_cell_backward", grads, case["numeric"], case["mistakes"], hints)
    passed(f"lstm_cell_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m)})")


def _check_bptt(fname, fn, kind, n_x, n_a, m, T_x, seed):
    """Shared by rnn_backward and lstm_backward: gradients of sum(da * a) through the whole sequence."""
    case = FIXTURES.case(fname, n_x=n_x, n_a=n_a, m=m, T_x=T_x, seed=seed)
    da = bptt_inputs(kind, n_x, n_a, m, T_x, seed)[3]
    inner = fname.replace("_backward", "_cell_backward")
    numeric = case["numeric"]
    hints = {key: f"{key} adds up the contributions of every time step. {_builds_on(fname, inner)}" for key in numeric}
    hints |= {"dx": f"dx[:, :, t] is dxt of step t. {_builds_on(fname, inner)}",
              "da0": f"da0 is da_prev of the first step (t = 0). {_builds_on(fname, inner)}"}
    grads = _call(fn, fname, da, case["caches"])
    _check_gradients(fname, grads, numeric, case["mistakes"], hints)
    passed(f"{fname} matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m, T_x=T_x)})")


CARRY_A = ("da_prev from step t+1 is not added: a_t also feeds step t+1, so step t receives its own da[:, :, t] plus "
           "the da_prev of step t+1 (sections 5.2 and 5.4).")
CARRY_C = "dc_prev from step t+1 is not passed on: it is the dc_next of step t (it starts at zeros)."


def check_rnn_backward(rnn_backward, n_x=3, n_a=4, m=2, T_x=3, seed=1):
    """Backpropagation through time in the RNN, against numerical gradients of sum(da * a)."""
    _check_bptt("rnn_backward", rnn_backward, "rnn", n_x, n_a, m, T_x, seed)


def check_lstm_backward(lstm_backward, n_x=3, n_a=4, m=2, T_x=3, seed=1):
    """Backpropagation through time in the LSTM (c0 = 0), against numerical gradients of sum(da * a)."""
    _check_bptt("lstm_backward", lstm_backward, "lstm", n_x, n_a, m, T_x, seed)

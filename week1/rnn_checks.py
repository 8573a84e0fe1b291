"""Public checks of assignment w1a1 (RNN step by step), one per graded function.

``check_<function>(<function>, sizes..., seed=...)`` draws its own small seeded inputs (never square
where a transposed weight could hide), calls the function on private copies, and verifies type ->
return order -> shapes -> values -> cache against the private reference implementations below.
Backward checks compare every returned gradient with a numerical gradient (central differences,
float64) of L = sum(da * a) (+ sum(dc * c) for the LSTM cell).  When a wrong value is exactly what
a classic mistake produces, the message names that mistake.
"""
from __future__ import annotations

import copy

import numpy as np

from autograder.checks import (CheckFailed, call, check_close, check_gradient, check_keys, check_shape, check_tuple,
                               numerical_gradient, passed, relative_error)
from week1.rnn_utils import (gru_parameters, lstm_parameters, random_arrays, rnn_inputs, rnn_parameters, sigmoid,
                             softmax)

GRAD_TOL = 1e-7  # relative error allowed between an analytic and the numerical gradient
RNN_CACHE = ("a_next", "a_prev", "xt", "parameters")
LSTM_CACHE = ("a_next", "c_next", "a_prev", "c_prev", "ft", "it", "cct", "ot", "xt", "parameters")
GRU_CACHE = ("a_next", "a_prev", "xt", "gu", "gr", "cct", "parameters")
LSTM_WEIGHTS = ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")
CONCAT_MISTAKE = "the gates read [xt; a_prev]; concatenate [a_prev; xt] (a_prev on top, as the weights expect)."


def _stack(a, x):
    return np.vstack([a, x])  # (n_a + n_x, m)


def _swapped(a, x):
    return np.vstack([x, a])  # the classic wrong order, to name it


# ------------------------------------------------------------------ reference implementations

def _ref_rnn_cell_forward(xt, a_prev, p):
    a_next = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])  # (n_a, m)
    return a_next, softmax(p["Wya"] @ a_next + p["by"]), (a_next, a_prev, xt, p)


def _lstm_preactivations(concat, p):
    """The four gates' pre-activations from the stacked weights: zf, zi, zc, zo, each (n_a, m)."""
    W = np.vstack([p["Wf"], p["Wi"], p["Wc"], p["Wo"]])  # (4 n_a, n_a + n_x)
    b = np.vstack([p["bf"], p["bi"], p["bc"], p["bo"]])
    return np.split(W @ concat + b, 4)


def _ref_lstm_cell_forward(xt, a_prev, c_prev, p, stack=_stack):
    zf, zi, zc, zo = _lstm_preactivations(stack(a_prev, xt), p)
    ft, it, cct, ot = sigmoid(zf), sigmoid(zi), np.tanh(zc), sigmoid(zo)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def _ref_gru_cell_forward(xt, a_prev, p, stack=_stack):
    gu = sigmoid(p["Wu"] @ stack(a_prev, xt) + p["bu"])
    gr = sigmoid(p["Wr"] @ stack(a_prev, xt) + p["br"])
    cct = np.tanh(p["Wc"] @ stack(gr * a_prev, xt) + p["bc"])
    a_next = gu * cct + (1 - gu) * a_prev
    return a_next, softmax(p["Wy"] @ a_next + p["by"]), (a_next, a_prev, xt, gu, gr, cct, p)


def _ref_unroll(cell, x, states, p, restart=False):
    """Run ``cell`` over the T_x steps of x from ``states`` = (a0,) or (a0, c0).

    Returns ([a] or [a, c], each (n_a, m, T_x); y (n_y, m, T_x); (cell caches, x)).
    ``restart=True`` reproduces a classic bug: every step starts from the initial states again.
    """
    initial, history, ys, caches = states, [], [], []
    for t in range(x.shape[2]):
        *states, y_t, cache = cell(x[:, :, t], *(initial if restart else states), p)
        history.append(states)
        ys.append(y_t)
        caches.append(cache)
    return [np.stack(s, axis=2) for s in zip(*history)], np.stack(ys, axis=2), (caches, x)


def _rnn_states(x, a0, p):
    return _ref_unroll(_ref_rnn_cell_forward, x, (a0,), p)[0][0]  # (n_a, m, T_x)


def _bi_output(a_top, a_bottom, Wy, by):
    """softmax(Wy [a_top; a_bottom] + by) at every time step: (n_y, m, T_x)."""
    return softmax(np.einsum("yk,kmt->ymt", Wy, np.concatenate([a_top, a_bottom])) + by[:, :, None])


def _ref_deep(x, a0s, ps):
    """Stacked RNN: the hidden states of every layer, and every layer's own output y."""
    a_list, ys, inputs = [], [], x
    for a0, p in zip(a0s, ps):
        (a,), y, _ = _ref_unroll(_ref_rnn_cell_forward, inputs, (a0,), p)
        a_list.append(a)
        ys.append(y)
        inputs = a  # the next layer reads this layer's states
    return a_list, ys


# Analytic gradients: used only to recognise wrong answers; right answers are judged numerically.

def _rnn_grads_from_dz(dz, cache):
    """Gradients of one RNN step given dz (n_a, m), the gradient of its pre-activation."""
    a_next, a_prev, xt, p = cache
    return {"dxt": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": dz.sum(axis=1, keepdims=True)}


def _rnn_cell_grads(da_next, dc_next, cache):  # dc_next unused: same signature as the LSTM's
    return _rnn_grads_from_dz(da_next * (1 - cache[0] ** 2), cache)


def _lstm_cell_grads(da_next, dc_next, cache):
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * ot * (1 - tanh_c ** 2)  # both paths into c_next
    dz = {"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it),
          "c": dc * it * (1 - cct ** 2), "o": da_next * tanh_c * ot * (1 - ot)}
    concat = _stack(a_prev, xt)
    grads = {f"dW{g}": dz[g] @ concat.T for g in "fico"} | {f"db{g}": dz[g].sum(1, keepdims=True) for g in "fico"}
    dconcat = sum(p[f"W{g}"].T @ dz[g] for g in "fico")  # (n_a + n_x, m)
    n_a = a_prev.shape[0]
    return grads | {"da_prev": dconcat[:n_a], "dxt": dconcat[n_a:], "dc_prev": dc * ft}


def _bptt(cell_grads, da, cell_caches, carried):
    """Analytic BPTT in which only the state gradients named in ``carried`` ("a", "c") flow from
    step t+1 back to step t; leaving one out reproduces the classic bug."""
    n_a, m, T_x = da.shape
    flow = {"a": np.zeros((n_a, m)), "c": np.zeros((n_a, m))}  # gradients arriving from step t+1
    totals, dx = {}, [None] * T_x
    for t in reversed(range(T_x)):
        g = cell_grads(da[:, :, t] + flow["a"], flow["c"], cell_caches[t])
        flow = {s: g[f"d{s}_prev"] if s in carried else np.zeros((n_a, m)) for s in flow}
        dx[t] = g["dxt"]
        for key in g:
            if key[:2] in ("dW", "db"):
                totals[key] = totals.get(key, 0) + g[key]
    return totals | {"dx": np.stack(dx, axis=2), "da0": g["da_prev"]}


# ------------------------------------------------------------------ comparison helpers

def _call(fn, fname, *args, hint=None):
    """Call a student's function on private copies of its inputs; add ``hint`` to a crash."""
    try:
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
    return f"a {type(v).__name__}"


def _same(got, want) -> bool:
    """Arrays by value, dicts key by key, sequences by length."""
    if isinstance(want, np.ndarray):
        return (isinstance(got, np.ndarray) and got.shape == want.shape
                and np.allclose(got, want, rtol=1e-6, atol=1e-8))
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
        raise CheckFailed(f"{label}[{i}] should be {name}{f' but holds {other}' if other else ''}. "
                          f"The cache layout is {layout}.")


def _check_sequence_caches(caches, x, cell_caches, layout):
    """caches = (list of cell caches, x): every step's cache in time order."""
    _check_cache("caches", caches, {"cell_caches": cell_caches, "x": x})
    for t, cache in enumerate(cell_caches):
        _check_cache(f"caches[0][{t}]", caches[0][t], dict(zip(layout, cache)))


def _numeric_grads(loss, arrays: dict) -> dict:
    """{'d' + name: numerical gradient of loss() w.r.t. arrays[name]}; loss must read these very arrays."""
    return {f"d{name}": numerical_gradient(loss, arr) for name, arr in arrays.items()}


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
                                  f"produces. Likely cause: {cause}")
        check_gradient(name, got, expected, tol=GRAD_TOL, hint=hints.get(key))


def _dims(**dims) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims.items())


def _builds_on(fname, inner):
    return f"{fname} builds on {inner}: make its check pass first, then compare your loop with the docstring."


# ------------------------------------------------------------------ forward checks

def _check_cell(fn, fname, args, expected: dict, mistakes: dict, layout, dims: dict):
    """Shared by the one-step checks: call, return order, values (naming mistakes), cache layout, one line."""
    out = _call(fn, fname, *args)
    _check_order(fname, out, expected)
    _check_values(expected, out, mistakes)
    _check_cache("cache", out[-1], dict(zip(layout, expected["cache"])))  # the cache is returned last
    passed(f"{fname} ({_dims(**dims)})")


def check_rnn_cell_forward(rnn_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One RNN step: return order, a_next and yt_pred values, cache layout."""
    rng = np.random.default_rng(seed)
    p = rnn_parameters(n_x, n_a, n_y, rng)
    xt, a_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m)).values()
    a_next, yt_pred, cache = _ref_rnn_cell_forward(xt, a_prev, p)
    z = p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"]  # pre-activation, (n_a, m)
    mistakes = {
        "a_next": {"Waa is transposed: use Waa @ a_prev.": np.tanh(z + (p["Waa"].T - p["Waa"]) @ a_prev),
                   "the bias ba is missing.": np.tanh(z - p["ba"]),
                   "sigmoid is used where tanh belongs: a_next = tanh(Waa a_prev + Wax xt + ba).": sigmoid(z),
                   "the tanh is missing: a_next = tanh(Waa a_prev + Wax xt + ba).": z},
        "yt_pred": {"yt_pred is computed from a_prev; use the new state a_next.": softmax(p["Wya"] @ a_prev + p["by"]),
                    "the bias by is missing.": softmax(p["Wya"] @ a_next),
                    "the softmax is missing: yt_pred = softmax(Wya a_next + by).": p["Wya"] @ a_next + p["by"]}}
    expected = {"a_next": a_next, "yt_pred": yt_pred, "cache": cache}
    _check_cell(rnn_cell_forward, "rnn_cell_forward", (xt, a_prev, p), expected, mistakes, RNN_CACHE,
                dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def check_lstm_cell_forward(lstm_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One LSTM step: return order, a_next, c_next, yt_pred values, cache layout (gates included)."""
    rng = np.random.default_rng(seed)
    p = lstm_parameters(n_x, n_a, n_y, rng)
    xt, a_prev, c_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m), c_prev=(n_a, m)).values()
    a_next, c_next, yt_pred, cache = _ref_lstm_cell_forward(xt, a_prev, c_prev, p)
    ft, it, cct, ot = cache[4:8]
    zc = _lstm_preactivations(_stack(a_prev, xt), p)[2]
    swapped = _ref_lstm_cell_forward(xt, a_prev, c_prev, p, stack=_swapped)
    c_mistakes = {CONCAT_MISTAKE: swapped[1],
                  "the forget gate is missing: c_next = ft * c_prev + it * cct.": c_prev + it * cct,
                  "the input gate is missing: c_next = ft * c_prev + it * cct.": ft * c_prev + cct,
                  "sigmoid is used where tanh belongs: cct = tanh(Wc [a_prev; xt] + bc).":
                      ft * c_prev + it * sigmoid(zc)}
    # a_next = ot * tanh(c_next) inherits every mistake in c_next
    a_mistakes = {cause: ot * np.tanh(c) for cause, c in c_mistakes.items()} | {
        CONCAT_MISTAKE: swapped[0],
        "the tanh is missing: a_next = ot * tanh(c_next).": ot * c_next,
        "a_next reads c_prev; use the new memory c_next.": ot * np.tanh(c_prev)}
    expected = {"a_next": a_next, "c_next": c_next, "yt_pred": yt_pred, "cache": cache}
    _check_cell(lstm_cell_forward, "lstm_cell_forward", (xt, a_prev, c_prev, p), expected,
                {"a_next": a_mistakes, "c_next": c_mistakes}, LSTM_CACHE, dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def check_gru_cell_forward(gru_cell_forward, n_x=3, n_a=5, n_y=2, m=10, seed=1):
    """One GRU step: return order, a_next and yt_pred values, cache layout."""
    rng = np.random.default_rng(seed)
    p = gru_parameters(n_x, n_a, n_y, rng)
    xt, a_prev = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m)).values()
    a_next, yt_pred, cache = _ref_gru_cell_forward(xt, a_prev, p)
    gu, gr, cct = cache[3:6]
    cct_without_gr = np.tanh(p["Wc"] @ _stack(a_prev, xt) + p["bc"])
    cct_gates_swapped = np.tanh(p["Wc"] @ _stack(gu * a_prev, xt) + p["bc"])
    mistakes = {"a_next": {
        CONCAT_MISTAKE: _ref_gru_cell_forward(xt, a_prev, p, stack=_swapped)[0],
        "Γu and 1 - Γu are swapped (PyTorch's convention); here c = Γu * c̃ + (1 - Γu) * c_prev.":
            gu * a_prev + (1 - gu) * cct,
        "the relevance gate is missing: c̃ reads [Γr * c_prev; xt].": gu * cct_without_gr + (1 - gu) * a_prev,
        "Γu and Γr are swapped: Γr scales c_prev inside c̃, Γu mixes c̃ with c_prev.":
            gr * cct_gates_swapped + (1 - gr) * a_prev}}
    expected = {"a_next": a_next, "yt_pred": yt_pred, "cache": cache}
    _check_cell(gru_cell_forward, "gru_cell_forward", (xt, a_prev, p), expected, mistakes, GRU_CACHE,
                dict(n_x=n_x, n_a=n_a, n_y=n_y, m=m))


def _check_unrolled(fname, fn, cell, p, x, states, layout, names):
    """Shared by the forward-over-time checks; ``names`` is the return order (y_pred or y; with c or not)."""
    (a, *c), y, caches = _ref_unroll(cell, x, states, p)
    values = {"a": a, "y": y, "y_pred": y, "c": c[0] if c else None, "caches": caches}
    expected = {name: values[name] for name in names}
    a0 = states[0]
    mistakes = {"a": {
        "every step starts from a0; pass each step's new state to the next step.":
            _ref_unroll(cell, x, states, p, restart=True)[0][0],
        "a[:, :, t] holds the state before step t; store the state after it.":
            np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2)}}
    if c:
        mistakes["a"]["c0 must start at zeros, not at a0."] = _ref_unroll(cell, x, (a0, a0), p)[0][0]
    out = _call(fn, fname, x, a0, p)
    _check_order(fname, out, expected)
    _check_values(expected, out, mistakes, hint=_builds_on(fname, fname.replace("_forward", "_cell_forward")))
    _check_sequence_caches(out[-1], x, caches[0], layout)


def _sequence_inputs(parameters, n_x, n_a, n_y, m, T_x, seed):
    """Seeded parameters, x (n_x, m, T_x) and a0 (n_a, m), and the generator to draw more from."""
    rng = np.random.default_rng(seed)
    p = parameters(n_x, n_a, n_y, rng)
    x, a0 = rnn_inputs(n_x, n_a, m, T_x, rng)
    return p, x, a0, rng


def check_rnn_forward(rnn_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=4, seed=1):
    """RNN over a sequence: return order, a and y_pred, every step's cache."""
    p, x, a0, _ = _sequence_inputs(rnn_parameters, n_x, n_a, n_y, m, T_x, seed)
    _check_unrolled("rnn_forward", rnn_forward, _ref_rnn_cell_forward, p, x, (a0,), RNN_CACHE,
                    ("a", "y_pred", "caches"))
    passed(f"rnn_forward ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_lstm_forward(lstm_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=7, seed=1):
    """LSTM over a sequence (c0 = 0): return order, a, y and c, every step's cache."""
    p, x, a0, _ = _sequence_inputs(lstm_parameters, n_x, n_a, n_y, m, T_x, seed)
    _check_unrolled("lstm_forward", lstm_forward, _ref_lstm_cell_forward, p, x, (a0, np.zeros_like(a0)), LSTM_CACHE,
                    ("a", "y", "c", "caches"))
    passed(f"lstm_forward ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_gru_forward(gru_forward, n_x=3, n_a=5, n_y=2, m=10, T_x=4, seed=1):
    """GRU over a sequence: return order, a and y, every step's cache."""
    p, x, a0, _ = _sequence_inputs(gru_parameters, n_x, n_a, n_y, m, T_x, seed)
    _check_unrolled("gru_forward", gru_forward, _ref_gru_cell_forward, p, x, (a0,), GRU_CACHE, ("a", "y", "caches"))
    passed(f"gru_forward ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_bidirectional_rnn_forward(bidirectional_rnn_forward, n_x=3, n_a=5, n_y=2, m=4, T_x=6, seed=1):
    """Two RNNs reading x forwards and backwards: a_f, a_b aligned with x, and y from [a_f; a_b]."""
    fname = "bidirectional_rnn_forward"
    rng = np.random.default_rng(seed)
    p_f, p_b = rnn_parameters(n_x, n_a, n_y, rng), rnn_parameters(n_x, n_a, n_y, rng)
    x, a0_f = rnn_inputs(n_x, n_a, m, T_x, rng)
    a0_b, Wy, by = random_arrays(rng, a0_b=(n_a, m), Wy=(n_y, 2 * n_a), by=(n_y, 1)).values()
    a_f = _rnn_states(x, a0_f, p_f)
    a_b_reversed = _rnn_states(x[:, :, ::-1], a0_b, p_b)  # a_b_reversed[:, :, s] has read x[T_x-1-s:]
    a_b = a_b_reversed[:, :, ::-1]
    mistakes = {
        "a_b": {"a_b is still in reversed order: flip it back so that a_b[:, :, t] belongs to x[:, :, t].":
                    a_b_reversed,
                "the backward RNN reads x in forward order; feed it x[:, :, ::-1].": _rnn_states(x, a0_b, p_b),
                "the backward RNN uses parameters_f; it has its own parameters_b.":
                    _rnn_states(x[:, :, ::-1], a0_b, p_f)[:, :, ::-1]},
        "y": {"y reads [a_b; a_f]; the output concatenates [a_f; a_b].": _bi_output(a_b, a_f, Wy, by)}}
    expected = {"a_f": a_f, "a_b": a_b, "y": _bi_output(a_f, a_b, Wy, by)}
    out = _call(bidirectional_rnn_forward, fname, x, a0_f, a0_b, p_f, p_b, Wy, by,
                hint="Wy is (n_y, 2 n_a) and multiplies [a_f[:, :, t]; a_b[:, :, t]] of shape (2 n_a, m).")
    _check_order(fname, out, expected)
    _check_values(expected, out, mistakes, hint=_builds_on(fname, "rnn_forward"))
    passed(f"{fname} ({_dims(n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)})")


def check_deep_rnn_forward(deep_rnn_forward, n_x=3, n_as=(5, 4), n_y=2, m=7, T_x=6, seed=1):
    """A stack of RNN layers: layer l reads layer l-1's states; y comes from the last layer."""
    fname = "deep_rnn_forward"
    rng = np.random.default_rng(seed)
    ps = [rnn_parameters(n_in, n_a, n_y, rng) for n_in, n_a in zip((n_x, *n_as), n_as)]
    x, a0 = rnn_inputs(n_x, n_as[0], m, T_x, rng)
    a0s = [a0] + [random_arrays(rng, a0=(n_a, m))["a0"] for n_a in n_as[1:]]
    a_list, ys = _ref_deep(x, a0s, ps)
    expected = {"a_list": a_list, "y": ys[-1]}
    out = _call(deep_rnn_forward, fname, x, a0s, ps,
                hint="Layer l reads the states of layer l-1, shape (n_a[l-1], m, T_x), and starts from a0s[l].")
    _check_order(fname, out, expected)
    if not _same(out[0], a_list):
        raise CheckFailed(f"a_list: expected a list of {len(a_list)} arrays, one per layer, but got {_kind(out[0])}.")
    hint = _builds_on(fname, "rnn_forward")
    for layer, (got, want) in enumerate(zip(out[0], a_list)):
        check_close(f"a_list[{layer}] (layer {layer + 1})", got, want, hint=hint)
    check_close("y", out[1], ys[-1], hint=hint, mistakes={
        "y comes from the first layer; the prediction uses the last layer's states and parameters.": ys[0]})
    passed(f"{fname} ({_dims(n_x=n_x, n_as=n_as, n_y=n_y, m=m, T_x=T_x)})")


# ------------------------------------------------------------------ backward checks

def _sum_hint(key):
    return f"{key} sums over the m examples: np.sum(..., axis=1, keepdims=True)."


def check_rnn_cell_backward(rnn_cell_backward, n_x=3, n_a=4, m=2, seed=1):
    """One RNN step backwards: every gradient against the numerical gradient of sum(da_next * a_next)."""
    rng = np.random.default_rng(seed)
    p = rnn_parameters(n_x, n_a, 2, rng)
    xt, a_prev, da_next = random_arrays(rng, xt=(n_x, m), a_prev=(n_a, m), da_next=(n_a, m)).values()
    numeric = _numeric_grads(lambda: np.sum(da_next * _ref_rnn_cell_forward(xt, a_prev, p)[0]),
                             {"xt": xt, "a_prev": a_prev, "Wax": p["Wax"], "Waa": p["Waa"], "ba": p["ba"]})
    cache = _ref_rnn_cell_forward(xt, a_prev, p)[2]
    dtanh = da_next * (1 - cache[0] ** 2)
    mistakes = {
        "the tanh derivative is missing: dtanh = (1 - a_next**2) * da_next.": _rnn_grads_from_dz(da_next, cache),
        "tanh is applied twice: a_next already is tanh(z), so its derivative is 1 - a_next**2.":
            _rnn_grads_from_dz(da_next * (1 - np.tanh(cache[0]) ** 2), cache),
        "Waa is not transposed: da_prev = Waa.T @ dtanh.": {"da_prev": p["Waa"] @ dtanh}}
    hints = {"dxt": "dxt = Wax.T @ dtanh, shape (n_x, m).", "da_prev": "da_prev = Waa.T @ dtanh, shape (n_a, m).",
             "dWax": "dWax = dtanh @ xt.T.", "dWaa": "dWaa = dtanh @ a_prev.T.", "dba": _sum_hint("dba")}
    grads = _call(rnn_cell_backward, "rnn_cell_backward", da_next, cache)
    _check_gradients("rnn_cell_backward", grads, numeric, mistakes, hints)
    passed(f"rnn_cell_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m)})")


def check_lstm_cell_backward(lstm_cell_backward, n_x=3, n_a=4, m=2, seed=1):
    """One LSTM step backwards: every gradient against the numerical gradient of
    sum(da_next * a_next) + sum(dc_next * c_next)."""
    rng = np.random.default_rng(seed)
    p = lstm_parameters(n_x, n_a, 2, rng)
    xt, a_prev, c_prev, da_next, dc_next = random_arrays(
        rng, xt=(n_x, m), a_prev=(n_a, m), c_prev=(n_a, m), da_next=(n_a, m), dc_next=(n_a, m)).values()

    def loss():
        a_next, c_next, _, _ = _ref_lstm_cell_forward(xt, a_prev, c_prev, p)
        return np.sum(da_next * a_next) + np.sum(dc_next * c_next)

    numeric = _numeric_grads(loss, {"xt": xt, "a_prev": a_prev, "c_prev": c_prev} | {k: p[k] for k in LSTM_WEIGHTS})
    cache = _ref_lstm_cell_forward(xt, a_prev, c_prev, p)[3]
    mistakes = {
        "dc_next is ignored: the memory's gradient is dc_next + da_next * ot * (1 - tanh(c_next)**2).":
            _lstm_cell_grads(da_next, 0 * dc_next, cache)}
    rows = "concat = [a_prev; xt], so the first n_a rows of dconcat = Σ W.T @ dgate belong to a_prev, the rest to xt."
    hints = {"dxt": rows, "da_prev": rows,
             "dc_prev": "dc_prev = (dc_next + da_next * ot * (1 - tanh(c_next)**2)) * ft."}
    hints |= {f"dW{g}": f"dW{g} = d{g}t @ concat.T, with d{g}t the gradient of the gate's pre-activation."
              for g in "fio"}
    hints |= {"dWc": "dWc = dcct @ concat.T, with dcct the gradient of the candidate's pre-activation."}
    hints |= {f"db{g}": _sum_hint(f"db{g}") for g in "fico"}
    grads = _call(lstm_cell_backward, "lstm_cell_backward", da_next, dc_next, cache)
    _check_gradients("lstm_cell_backward", grads, numeric, mistakes, hints)
    passed(f"lstm_cell_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m)})")


def _check_bptt(fname, fn, cell, cell_grads, p, weights, x, states, da, carry_mistakes):
    """Shared by rnn_backward and lstm_backward: gradients of sum(da * a) through the whole sequence.

    carry_mistakes -- {cause: the state gradients that bug still carries from step t+1}.
    """
    loss = lambda: np.sum(da * _ref_unroll(cell, x, states, p)[0][0])  # noqa: E731
    numeric = _numeric_grads(loss, {"x": x, "a0": states[0]} | {k: p[k] for k in weights})
    caches = _ref_unroll(cell, x, states, p)[2]
    mistakes = {cause: _bptt(cell_grads, da, caches[0], carried) for cause, carried in carry_mistakes.items()}
    inner = fname.replace("_backward", "_cell_backward")
    hints = {key: f"{key} adds up the contributions of every time step. {_builds_on(fname, inner)}" for key in numeric}
    hints |= {"dx": f"dx[:, :, t] is dxt of step t. {_builds_on(fname, inner)}",
              "da0": f"da0 is da_prev of the first step (t = 0). {_builds_on(fname, inner)}"}
    grads = _call(fn, fname, da, caches)
    _check_gradients(fname, grads, numeric, mistakes, hints)


_CARRY_A = "da_prev from step t+1 is not added: a_t also feeds step t+1, so step t receives da[:, :, t] + da_prev."


def check_rnn_backward(rnn_backward, n_x=3, n_a=4, m=2, T_x=3, seed=1):
    """Backpropagation through time in the RNN, against numerical gradients of sum(da * a)."""
    p, x, a0, rng = _sequence_inputs(rnn_parameters, n_x, n_a, 2, m, T_x, seed)
    da = random_arrays(rng, da=(n_a, m, T_x))["da"]
    _check_bptt("rnn_backward", rnn_backward, _ref_rnn_cell_forward, _rnn_cell_grads, p, ("Wax", "Waa", "ba"),
                x, (a0,), da, {_CARRY_A: ()})
    passed(f"rnn_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m, T_x=T_x)})")


def check_lstm_backward(lstm_backward, n_x=3, n_a=4, m=2, T_x=3, seed=1):
    """Backpropagation through time in the LSTM (c0 = 0), against numerical gradients of sum(da * a)."""
    p, x, a0, rng = _sequence_inputs(lstm_parameters, n_x, n_a, 2, m, T_x, seed)
    da = random_arrays(rng, da=(n_a, m, T_x))["da"]
    carry_c = "dc_prev from step t+1 is not passed on: it is the dc_next of step t (it starts at zeros)."
    _check_bptt("lstm_backward", lstm_backward, _ref_lstm_cell_forward, _lstm_cell_grads, p, LSTM_WEIGHTS,
                x, (a0, np.zeros_like(a0)), da,
                {_CARRY_A: ("c",), carry_c: ("a",),
                 "neither da_prev nor dc_prev from step t+1 is passed back to step t.": ()})
    passed(f"lstm_backward matches numerical gradients ({_dims(n_x=n_x, n_a=n_a, m=m, T_x=T_x)})")

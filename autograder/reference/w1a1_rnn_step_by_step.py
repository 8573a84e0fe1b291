"""Reference for w1a1 (RNN step by step): the graded functions, and the cases behind the checks in
:mod:`week1.rnn_checks` (expected values, numerical gradients, and the values classic mistakes produce)."""
from __future__ import annotations

import numpy as np

from checks.assertions import numerical_gradient
from week1 import rnn_checks as checks
from week1.rnn_utils import sigmoid, softmax

CHECKS = "week1.rnn_checks"
CONCAT_MISTAKE = checks.CONCAT_MISTAKE


def _stack(a, x):
    return np.vstack([a, x])  # (n_a + n_x, m)


def _swapped(a, x):
    return np.vstack([x, a])  # the classic wrong order, to name it


# ------------------------------------------------------------------ the graded functions

def rnn_cell_forward(xt, a_prev, p):
    a_next = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])  # (n_a, m)
    return a_next, softmax(p["Wya"] @ a_next + p["by"]), (a_next, a_prev, xt, p)


def _lstm_preactivations(concat, p):
    """The four gates' pre-activations from the stacked weights: zf, zi, zc, zo, each (n_a, m)."""
    W = np.vstack([p["Wf"], p["Wi"], p["Wc"], p["Wo"]])  # (4 n_a, n_a + n_x)
    b = np.vstack([p["bf"], p["bi"], p["bc"], p["bo"]])
    return np.split(W @ concat + b, 4)


def lstm_cell_forward(xt, a_prev, c_prev, p, stack=_stack):
    zf, zi, zc, zo = _lstm_preactivations(stack(a_prev, xt), p)
    ft, it, cct, ot = sigmoid(zf), sigmoid(zi), np.tanh(zc), sigmoid(zo)
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p)


def gru_cell_forward(xt, a_prev, p, stack=_stack):
    gu = sigmoid(p["Wu"] @ stack(a_prev, xt) + p["bu"])
    gr = sigmoid(p["Wr"] @ stack(a_prev, xt) + p["br"])
    cct = np.tanh(p["Wc"] @ stack(gr * a_prev, xt) + p["bc"])
    a_next = gu * cct + (1 - gu) * a_prev
    return a_next, softmax(p["Wy"] @ a_next + p["by"]), (a_next, a_prev, xt, gu, gr, cct, p)


def _unroll(cell, x, states, p, restart=False, first_input=False):
    """Run ``cell`` over the T_x steps of x from ``states`` = (a0,) or (a0, c0).

    Returns ([a] or [a, c], each (n_a, m, T_x); y (n_y, m, T_x); (cell caches, x)).
    ``restart=True`` reproduces a classic bug: every step starts from the initial states again;
    ``first_input=True`` another: every step reads x[:, :, 0].
    """
    initial, history, ys, caches = states, [], [], []
    for t in range(x.shape[2]):
        *states, y_t, cache = cell(x[:, :, 0 if first_input else t], *(initial if restart else states), p)
        history.append(states)
        ys.append(y_t)
        caches.append(cache)
    return [np.stack(s, axis=2) for s in zip(*history)], np.stack(ys, axis=2), (caches, x)


def rnn_forward(x, a0, p):
    (a,), y, caches = _unroll(rnn_cell_forward, x, (a0,), p)
    return a, y, caches


def lstm_forward(x, a0, p):
    (a, c), y, caches = _unroll(lstm_cell_forward, x, (a0, np.zeros_like(a0)), p)
    return a, y, c, caches


def gru_forward(x, a0, p):
    (a,), y, caches = _unroll(gru_cell_forward, x, (a0,), p)
    return a, y, caches


def _rnn_states(x, a0, p):
    return rnn_forward(x, a0, p)[0]  # (n_a, m, T_x)


def _bi_output(a_top, a_bottom, Wy, by):
    """softmax(Wy [a_top; a_bottom] + by) at every time step: (n_y, m, T_x)."""
    return softmax(np.einsum("yk,kmt->ymt", Wy, np.concatenate([a_top, a_bottom])) + by[:, :, None])


def bidirectional_rnn_forward(x, a0_f, a0_b, parameters_f, parameters_b, Wy, by):
    a_f = _rnn_states(x, a0_f, parameters_f)
    a_b = _rnn_states(x[:, :, ::-1], a0_b, parameters_b)[:, :, ::-1]
    return a_f, a_b, _bi_output(a_f, a_b, Wy, by)


def _deep(x, a0s, ps):
    """Stacked RNN: the hidden states of every layer, and every layer's own output y."""
    a_list, ys, inputs = [], [], x
    for a0, p in zip(a0s, ps):
        a, y, _ = rnn_forward(inputs, a0, p)
        a_list.append(a)
        ys.append(y)
        inputs = a  # the next layer reads this layer's states
    return a_list, ys


def deep_rnn_forward(x, a0s, parameters_list):
    a_list, ys = _deep(x, a0s, parameters_list)
    return a_list, ys[-1]


def _rnn_grads_from_dz(dz, cache):
    """Gradients of one RNN step given dz (n_a, m), the gradient of its pre-activation."""
    a_next, a_prev, xt, p = cache
    return {"dxt": p["Wax"].T @ dz, "da_prev": p["Waa"].T @ dz, "dWax": dz @ xt.T, "dWaa": dz @ a_prev.T,
            "dba": dz.sum(axis=1, keepdims=True)}


def rnn_cell_backward(da_next, cache):
    return _rnn_grads_from_dz(da_next * (1 - cache[0] ** 2), cache)


def lstm_cell_backward(da_next, dc_next, cache, mistake=None):
    """``mistake`` reproduces a classic one: "o_sigmoid" (the output gate's sigmoid derivative left out),
    "c_sigmoid" (the candidate differentiated as a sigmoid, not a tanh)."""
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p = cache
    tanh_c = np.tanh(c_next)
    dc = dc_next + da_next * ot * (1 - tanh_c ** 2)  # both paths into c_next
    dz = {"f": dc * c_prev * ft * (1 - ft), "i": dc * cct * it * (1 - it),
          "c": dc * it * (cct * (1 - cct) if mistake == "c_sigmoid" else 1 - cct ** 2),
          "o": da_next * tanh_c * (1 if mistake == "o_sigmoid" else ot * (1 - ot))}
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


def _rnn_cell_grads(da_next, dc_next, cache):  # dc_next unused: the LSTM's signature
    return rnn_cell_backward(da_next, cache)


def rnn_backward(da, caches):
    return _bptt(_rnn_cell_grads, da, caches[0], ("a",))


def lstm_backward(da, caches):
    return _bptt(lstm_cell_backward, da, caches[0], ("a", "c"))


GRADED = {f.__name__: f for f in (rnn_cell_forward, rnn_forward, lstm_cell_forward, lstm_forward, gru_cell_forward,
                                  gru_forward, bidirectional_rnn_forward, deep_rnn_forward, rnn_cell_backward,
                                  rnn_backward, lstm_cell_backward, lstm_backward)}


# ------------------------------------------------------------------ the stand-ins each graded function may call
# While a graded function is tested, the reference stands in for the graded functions its own work calls, as often
# as that work needs (a number, or a function of the graded function's arguments, with the notebook's signature):
# one cell step per time step and sequence, one sequence per direction or layer, one backward step per time step.
# A backward function may call no forward one: the gradients of a forward are not to be had by differencing the
# reference's. Every other graded function it calls is the notebook's own (see autograder.remote).

def _steps(x, a0, parameters):
    return x.shape[2]


def _steps_back(da, caches):
    return da.shape[2]


def _both_directions(x, a0_f, a0_b, parameters_f, parameters_b, Wy, by):
    return 2 * x.shape[2]


def _layers(x, a0s, parameters_list):
    return len(a0s)


def _layer_steps(x, a0s, parameters_list):
    return len(a0s) * x.shape[2]


STAND_INS = {
    "rnn_cell_forward": {},
    "rnn_forward": {"rnn_cell_forward": _steps},
    "lstm_cell_forward": {},
    "lstm_forward": {"lstm_cell_forward": _steps},
    "gru_cell_forward": {},
    "gru_forward": {"gru_cell_forward": _steps},
    "bidirectional_rnn_forward": {"rnn_forward": 2, "rnn_cell_forward": _both_directions},
    "deep_rnn_forward": {"rnn_forward": _layers, "rnn_cell_forward": _layer_steps},
    "rnn_cell_backward": {},
    "rnn_backward": {"rnn_cell_backward": _steps_back},
    "lstm_cell_backward": {},
    "lstm_backward": {"lstm_cell_backward": _steps_back},
}


# ------------------------------------------------------------------ cases: forward

def _numeric_grads(loss, arrays: dict) -> dict:
    """{'d' + name: numerical gradient of loss() w.r.t. arrays[name]}; loss must read these very arrays."""
    return {f"d{name}": numerical_gradient(loss, arr) for name, arr in arrays.items()}


def rnn_cell_forward_case(n_x, n_a, n_y, m, seed):
    xt, a_prev, p = checks.rnn_cell_inputs(n_x, n_a, n_y, m, seed)
    a_next, yt_pred, cache = rnn_cell_forward(xt, a_prev, p)
    z = p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"]  # pre-activation, (n_a, m)
    mistakes = {
        "a_next": {"Waa is transposed: Waa, (n_a, n_a), multiplies a_prev as it is (the equation of section 1.1).":
                       np.tanh(z + (p["Waa"].T - p["Waa"]) @ a_prev),
                   "the bias ba is missing.": np.tanh(z - p["ba"]),
                   "sigmoid is used where tanh belongs: the new hidden state is the tanh of the pre-activation (the "
                   "equation of section 1.1).": sigmoid(z),
                   "the tanh is missing: the new hidden state is the tanh of the pre-activation (the equation of "
                   "section 1.1).": z},
        "yt_pred": {"yt_pred is computed from a_prev; use the new state a_next.": softmax(p["Wya"] @ a_prev + p["by"]),
                    "the bias by is missing.": softmax(p["Wya"] @ a_next),
                    "the softmax is missing: yt_pred is a probability distribution over the n_y outputs of each "
                    "example (the equation of section 1.1).": p["Wya"] @ a_next + p["by"]}}
    return {"expected": {"a_next": a_next, "yt_pred": yt_pred, "cache": cache}, "mistakes": mistakes}


def lstm_cell_forward_case(n_x, n_a, n_y, m, seed):
    xt, a_prev, c_prev, p = checks.lstm_cell_inputs(n_x, n_a, n_y, m, seed)
    a_next, c_next, yt_pred, cache = lstm_cell_forward(xt, a_prev, c_prev, p)
    ft, it, cct, ot = cache[4:8]
    zc = _lstm_preactivations(_stack(a_prev, xt), p)[2]
    swapped = lstm_cell_forward(xt, a_prev, c_prev, p, stack=_swapped)
    c_mistakes = {CONCAT_MISTAKE: swapped[1],
                  "the forget gate is missing: the new memory keeps the old memory c_prev scaled by the forget "
                  "gate ft (the \"new memory\" equation of section 2.1).": c_prev + it * cct,
                  "the input gate is missing: the new memory adds the candidate cct scaled by the input gate it "
                  "(the \"new memory\" equation of section 2.1).": ft * c_prev + cct,
                  "sigmoid is used where tanh belongs: the candidate memory cct is a tanh (the \"candidate memory\" "
                  "equation of section 2.1).": ft * c_prev + it * sigmoid(zc)}
    # a_next = ot * tanh(c_next) inherits every mistake in c_next
    a_mistakes = {cause: ot * np.tanh(c) for cause, c in c_mistakes.items()} | {
        CONCAT_MISTAKE: swapped[0],
        "the tanh is missing: the new hidden state is the output gate times the tanh of the new memory (the "
        "\"new hidden state\" equation of section 2.1).": ot * c_next,
        "a_next reads c_prev; use the new memory c_next.": ot * np.tanh(c_prev)}
    return {"expected": {"a_next": a_next, "c_next": c_next, "yt_pred": yt_pred, "cache": cache},
            "mistakes": {"a_next": a_mistakes, "c_next": c_mistakes}}


def gru_cell_forward_case(n_x, n_a, n_y, m, seed):
    xt, a_prev, p = checks.gru_cell_inputs(n_x, n_a, n_y, m, seed)
    a_next, yt_pred, cache = gru_cell_forward(xt, a_prev, p)
    gu, gr, cct = cache[3:6]
    cct_without_gr = np.tanh(p["Wc"] @ _stack(a_prev, xt) + p["bc"])
    cct_gates_swapped = np.tanh(p["Wc"] @ _stack(gu * a_prev, xt) + p["bc"])
    gu_sw, gr_sw = (sigmoid(p[f"W{g}"] @ _swapped(a_prev, xt) + p[f"b{g}"]) for g in "ur")
    cct_sw = np.tanh(p["Wc"] @ _stack(gr_sw * a_prev, xt) + p["bc"])
    mistakes = {"a_next": {
        CONCAT_MISTAKE: gru_cell_forward(xt, a_prev, p, stack=_swapped)[0],
        "the gates read [xt; a_prev]: Γu and Γr read [a_prev; xt] (a_prev on top, as the weights expect), as the "
        "candidate's [Γr * a_prev; xt] does (section 3.1).": gu_sw * cct_sw + (1 - gu_sw) * a_prev,
        "Γu and 1 - Γu are swapped (PyTorch's convention): here Γu weighs the candidate c̃ and 1 - Γu the old "
        "memory (the \"new memory\" equation of section 3.1).": gu * a_prev + (1 - gu) * cct,
        "the relevance gate is missing: the candidate reads the old memory scaled by Γr (the \"candidate\" "
        "equation of section 3.1).": gu * cct_without_gr + (1 - gu) * a_prev,
        "Γu and Γr are swapped: Γr scales c_prev inside c̃, Γu mixes c̃ with c_prev.":
            gr * cct_gates_swapped + (1 - gr) * a_prev}}
    return {"expected": {"a_next": a_next, "yt_pred": yt_pred, "cache": cache}, "mistakes": mistakes}


def _unrolled_case(cell, p, x, states, names, section):
    """Expected values of a forward-over-time function (return order ``names``) and the classic loop bugs."""
    (a, *c), y, caches = _unroll(cell, x, states, p)
    values = {"a": a, "y": y, "y_pred": y, "c": c[0] if c else None, "caches": caches}
    a0 = states[0]
    mistakes = {"a": {
        "every step starts from a0; pass each step's new state to the next step.":
            _unroll(cell, x, states, p, restart=True)[0][0],
        "a[:, :, t] holds the state before step t; store the state after it.":
            np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2),
        f"every step reads x[:, :, 0]; step t reads the input of time step t, x[:, :, t] (section {section}).":
            _unroll(cell, x, states, p, first_input=True)[0][0]}}
    if c:
        mistakes["a"]["c0 must start at zeros, not at a0."] = _unroll(cell, x, (a0, a0), p)[0][0]
    for name in names:
        if name in ("y", "y_pred", "c"):  # allocated with zeros, then filled step by step
            mistakes[name] = {f"{name} is still all zeros: store each step's value in {name}[:, :, t] inside the "
                              f"loop (section {section}).": np.zeros_like(values[name])}
    return {"expected": {name: values[name] for name in names}, "mistakes": mistakes}


def rnn_forward_case(n_x, n_a, n_y, m, T_x, seed):
    p, x, a0 = checks.sequence_inputs("rnn", n_x, n_a, n_y, m, T_x, seed)
    return _unrolled_case(rnn_cell_forward, p, x, (a0,), ("a", "y_pred", "caches"), "1.2")


def lstm_forward_case(n_x, n_a, n_y, m, T_x, seed):
    p, x, a0 = checks.sequence_inputs("lstm", n_x, n_a, n_y, m, T_x, seed)
    return _unrolled_case(lstm_cell_forward, p, x, (a0, np.zeros_like(a0)), ("a", "y", "c", "caches"), "2.2")


def gru_forward_case(n_x, n_a, n_y, m, T_x, seed):
    p, x, a0 = checks.sequence_inputs("gru", n_x, n_a, n_y, m, T_x, seed)
    return _unrolled_case(gru_cell_forward, p, x, (a0,), ("a", "y", "caches"), "3.2")


def bidirectional_rnn_forward_case(n_x, n_a, n_y, m, T_x, seed):
    x, a0_f, a0_b, p_f, p_b, Wy, by = checks.bidirectional_inputs(n_x, n_a, n_y, m, T_x, seed)
    a_f, a_b, y = bidirectional_rnn_forward(x, a0_f, a0_b, p_f, p_b, Wy, by)
    a_b_reversed = a_b[:, :, ::-1]  # a_b_reversed[:, :, s] has read x[T_x-1-s:]
    mistakes = {
        "a_b": {"a_b is still in reversed order: flip it back so that a_b[:, :, t] belongs to x[:, :, t].":
                    a_b_reversed,
                "the backward RNN reads x in forward order; feed it x[:, :, ::-1].": _rnn_states(x, a0_b, p_b),
                "the backward RNN reads x in forward order: feed it the reversed sequence x[:, :, ::-1], then flip "
                "its states back into time order (section 4.1).": _rnn_states(x, a0_b, p_b)[:, :, ::-1],
                "the backward RNN uses parameters_f; it has its own parameters_b.":
                    _rnn_states(x[:, :, ::-1], a0_b, p_f)[:, :, ::-1]},
        "y": {"y reads [a_b; a_f]; the output concatenates [a_f; a_b].": _bi_output(a_b, a_f, Wy, by)}}
    return {"expected": {"a_f": a_f, "a_b": a_b, "y": y}, "mistakes": mistakes}


def deep_rnn_forward_case(n_x, n_as, n_y, m, T_x, seed):
    x, a0s, ps = checks.deep_inputs(n_x, n_as, n_y, m, T_x, seed)
    a_list, ys = _deep(x, a0s, ps)
    return {"expected": {"a_list": a_list, "y": ys[-1]},
            "mistakes": {"y": {"y comes from the first layer; the prediction uses the last layer's states and "
                               "parameters.": ys[0]}}}


# ------------------------------------------------------------------ cases: backward

def rnn_cell_backward_case(n_x, n_a, m, seed):
    xt, a_prev, da_next, p = checks.rnn_cell_backward_inputs(n_x, n_a, m, seed)
    numeric = _numeric_grads(lambda: np.sum(da_next * rnn_cell_forward(xt, a_prev, p)[0]),
                             {"xt": xt, "a_prev": a_prev, "Wax": p["Wax"], "Waa": p["Waa"], "ba": p["ba"]})
    cache = rnn_cell_forward(xt, a_prev, p)[2]
    dtanh = da_next * (1 - cache[0] ** 2)
    mistakes = {
        "the tanh derivative is missing: dtanh is da_next times the derivative of tanh, 1 - a_next² (section "
        "5.1).": _rnn_grads_from_dz(da_next, cache),
        "tanh is applied twice: a_next already is tanh(z), so the derivative of tanh is 1 - a_next² (section 5.1).":
            _rnn_grads_from_dz(da_next * (1 - np.tanh(cache[0]) ** 2), cache),
        "Waa is not transposed: da_prev is Waaᵀ times dtanh (section 5.1).": {"da_prev": p["Waa"] @ dtanh}}
    return {"cache": cache, "numeric": numeric, "mistakes": mistakes}


def lstm_cell_backward_case(n_x, n_a, m, seed):
    xt, a_prev, c_prev, da_next, dc_next, p = checks.lstm_cell_backward_inputs(n_x, n_a, m, seed)

    def loss():
        a_next, c_next, _, _ = lstm_cell_forward(xt, a_prev, c_prev, p)
        return np.sum(da_next * a_next) + np.sum(dc_next * c_next)

    numeric = _numeric_grads(loss, {"xt": xt, "a_prev": a_prev, "c_prev": c_prev} |
                             {k: p[k] for k in checks.LSTM_WEIGHTS})
    cache = lstm_cell_forward(xt, a_prev, c_prev, p)[3]
    mistakes = {
        "dc_next is ignored: the memory's gradient dc is dc_next plus the share of da_next that flows through "
        "tanh(c_next) (the first equation of section 5.3).":
            lstm_cell_backward(da_next, 0 * dc_next, cache),
        "the output gate's derivative is missing: dot is da_next times tanh(c_next) times the sigmoid's derivative "
        "ot (1 - ot) (section 5.3).": lstm_cell_backward(da_next, dc_next, cache, mistake="o_sigmoid"),
        "the candidate is differentiated as a sigmoid: cct is a tanh, so its derivative is 1 - cct² (section 5.3).":
            lstm_cell_backward(da_next, dc_next, cache, mistake="c_sigmoid")}
    return {"cache": cache, "numeric": numeric, "mistakes": mistakes}


def _bptt_case(cell, cell_grads, p, weights, x, states, da, carry_mistakes):
    loss = lambda: np.sum(da * _unroll(cell, x, states, p)[0][0])  # noqa: E731
    numeric = _numeric_grads(loss, {"x": x, "a0": states[0]} | {k: p[k] for k in weights})
    caches = _unroll(cell, x, states, p)[2]
    mistakes = {cause: _bptt(cell_grads, da, caches[0], carried) for cause, carried in carry_mistakes.items()}
    return {"caches": caches, "numeric": numeric, "mistakes": mistakes}


def rnn_backward_case(n_x, n_a, m, T_x, seed):
    p, x, a0, da = checks.bptt_inputs("rnn", n_x, n_a, m, T_x, seed)
    return _bptt_case(rnn_cell_forward, _rnn_cell_grads, p, ("Wax", "Waa", "ba"), x, (a0,), da,
                      {checks.CARRY_A: ()})


def lstm_backward_case(n_x, n_a, m, T_x, seed):
    p, x, a0, da = checks.bptt_inputs("lstm", n_x, n_a, m, T_x, seed)
    return _bptt_case(lstm_cell_forward, lstm_cell_backward, p, checks.LSTM_WEIGHTS, x, (a0, np.zeros_like(a0)), da,
                      {checks.CARRY_A: ("c",), checks.CARRY_C: ("a",),
                       "neither da_prev nor dc_prev from step t+1 is passed back to step t.": ()})


CASES = {name: globals()[f"{name}_case"] for name in GRADED}


# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "rnn_cell_forward": [
        ("sigmoid instead of tanh", "a_next = np.tanh(", "a_next = sigmoid(", "sigmoid is used where tanh belongs"),
        ("the tanh forgotten", "a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)",
         "a_next = Waa @ a_prev + Wax @ xt + ba", "the tanh is missing"),
        ("the bias ba forgotten", "Wax @ xt + ba)", "Wax @ xt)", "the bias ba is missing"),
        ("Waa transposed", "Waa @ a_prev", "Waa.T @ a_prev", "Waa is transposed"),
        ("yt_pred from the old state", "softmax(Wya @ a_next + by)", "softmax(Wya @ a_prev + by)",
         "yt_pred is computed from a_prev"),
        ("the softmax forgotten", "yt_pred = softmax(Wya @ a_next + by)", "yt_pred = Wya @ a_next + by",
         "the softmax is missing"),
        ("cache in the wrong order", "cache = (a_next, a_prev, xt, parameters)",
         "cache = (a_prev, a_next, xt, parameters)", "should be a_next but holds a_prev"),
    ],
    "rnn_forward": [
        ("state not carried", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
         "rnn_cell_forward(x[:, :, t], a0, parameters)", "every step starts from a0"),
        ("the state stored before the step",
         "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n"
         "        a[:, :, t] = a_next\n",
         "        a[:, :, t] = a_next\n"
         "        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\n",
         "holds the state before step t"),
        ("every step reads the first input", "rnn_cell_forward(x[:, :, t], a_next",
         "rnn_cell_forward(x[:, :, 0], a_next", "every step reads x[:, :, 0]"),
        ("y_pred never filled", "        y_pred[:, :, t] = yt_pred\n", "", "y_pred is still all zeros"),
        ("caches not appended", "        caches.append(cache)\n", "", "not appended to caches"),
    ],
    "lstm_cell_forward": [
        ("[xt; a_prev] stacked", "np.concatenate([a_prev, xt], axis=0)", "np.concatenate([xt, a_prev], axis=0)",
         "the gates read [xt; a_prev]"),
        ("forget gate forgotten", "c_next = ft * c_prev + it * cct", "c_next = c_prev + it * cct",
         "the forget gate is missing"),
        ("input gate forgotten", "c_next = ft * c_prev + it * cct", "c_next = ft * c_prev + cct",
         "the input gate is missing"),
        ("sigmoid for the candidate", "cct = np.tanh(Wc @ concat + bc)", "cct = sigmoid(Wc @ concat + bc)",
         "sigmoid is used where tanh belongs"),
        ("tanh of the memory forgotten", "a_next = ot * np.tanh(c_next)", "a_next = ot * c_next",
         "the tanh is missing"),
        ("a_next from the old memory", "a_next = ot * np.tanh(c_next)", "a_next = ot * np.tanh(c_prev)",
         "a_next reads c_prev"),
    ],
    "lstm_forward": [
        ("state not carried", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
         "lstm_cell_forward(x[:, :, t], a0, np.zeros((n_a, m)), parameters)", "every step starts from a0"),
        ("memory started at a0", "c_next = np.zeros((n_a, m))", "c_next = a0", "c0 must start at zeros"),
        ("every step reads the first input", "lstm_cell_forward(x[:, :, t], a_next",
         "lstm_cell_forward(x[:, :, 0], a_next", "every step reads x[:, :, 0]"),
        ("c never filled", "        c[:, :, t] = c_next\n", "", "c is still all zeros"),
        ("caches not appended", "        caches.append(cache)\n", "", "not appended to caches"),
    ],
    "gru_cell_forward": [
        ("[xt; a_prev] stacked", "concat = np.concatenate([a_prev, xt], axis=0)",
         "concat = np.concatenate([xt, a_prev], axis=0)", "the gates read [xt; a_prev]"),
        ("PyTorch's update convention",
         "a_next = gu * cct + (1 - gu) * a_prev", "a_next = gu * a_prev + (1 - gu) * cct",
         "Γu and 1 - Γu are swapped"),
        ("relevance gate forgotten",
         "np.concatenate([gr * a_prev, xt], axis=0)", "np.concatenate([a_prev, xt], axis=0)",
         "the relevance gate is missing"),
        ("gates swapped", "a_next = gu * cct + (1 - gu) * a_prev\n",
         "cct = np.tanh(Wc @ np.concatenate([gu * a_prev, xt], axis=0) + bc)\n"
         "    a_next = gr * cct + (1 - gr) * a_prev\n", "Γu and Γr are swapped"),
    ],
    "gru_forward": [
        ("state not carried", "gru_cell_forward(x[:, :, t], a_next, parameters)",
         "gru_cell_forward(x[:, :, t], a0, parameters)", "every step starts from a0"),
        ("the state stored before the step",
         "        a_next, yt_pred, cache = gru_cell_forward(x[:, :, t], a_next, parameters)\n"
         "        a[:, :, t] = a_next\n",
         "        a[:, :, t] = a_next\n"
         "        a_next, yt_pred, cache = gru_cell_forward(x[:, :, t], a_next, parameters)\n",
         "holds the state before step t"),
        ("y never filled", "        y[:, :, t] = yt_pred\n", "", "y is still all zeros"),
        ("caches not appended", "        caches.append(cache)\n", "", "not appended to caches"),
    ],
    "bidirectional_rnn_forward": [
        ("backward states not flipped back", "a_b = a_b_reversed[:, :, ::-1]", "a_b = a_b_reversed",
         "a_b is still in reversed order"),
        ("backward RNN reads x forwards", "rnn_forward(x[:, :, ::-1], a0_b, parameters_b)",
         "rnn_forward(x, a0_b, parameters_b)", "the backward RNN reads x in forward order"),
        ("backward RNN with the forward parameters", "rnn_forward(x[:, :, ::-1], a0_b, parameters_b)",
         "rnn_forward(x[:, :, ::-1], a0_b, parameters_f)", "the backward RNN uses parameters_f"),
        ("[a_b; a_f] concatenated", "np.concatenate([a_f[:, :, t], a_b[:, :, t]], axis=0)",
         "np.concatenate([a_b[:, :, t], a_f[:, :, t]], axis=0)", "y reads [a_b; a_f]"),
    ],
    "deep_rnn_forward": [
        ("every layer reads x", "        layer_input = a\n", "", "Layer l reads the states of layer l-1"),
        ("every layer starts from the first a0", "rnn_forward(layer_input, a0, parameters)",
         "rnn_forward(layer_input, a0s[0], parameters)", "starts from a0s[l]"),
        ("y of the first layer kept", "a, y, _ = rnn_forward(layer_input, a0, parameters)",
         "a, y_layer, _ = rnn_forward(layer_input, a0, parameters)\n        y = y_layer if not a_list else y",
         "y comes from the first layer"),
        ("states not collected", "        a_list.append(a)\n", "", "one per layer"),
    ],
    "rnn_cell_backward": [
        ("tanh derivative forgotten", "dtanh = da_next * (1 - a_next ** 2)", "dtanh = da_next",
         "the tanh derivative is missing"),
        ("tanh applied twice", "dtanh = da_next * (1 - a_next ** 2)", "dtanh = da_next * (1 - np.tanh(a_next) ** 2)",
         "tanh is applied twice"),
        ("Waa not transposed", "da_prev = Waa.T @ dtanh", "da_prev = Waa @ dtanh", "Waa is not transposed"),
        ("dba not kept as a column", "np.sum(dtanh, axis=1, keepdims=True)", "np.sum(dtanh, axis=1)",
         "kept as a column of shape (n_a, 1)"),
        ("dWax from a_prev", "dWax = dtanh @ xt.T", "dWax = dtanh @ a_prev.T", "dWax is dtanh times xtᵀ"),
    ],
    "rnn_backward": [
        ("da_prevt not added", "rnn_cell_backward(da[:, :, t] + da_prevt, cell_caches[t])",
         "rnn_cell_backward(da[:, :, t], cell_caches[t])", "da_prev from step t+1 is not added"),
        ("weights' gradients overwritten", 'dWax += gradients["dWax"]', 'dWax = gradients["dWax"]',
         "adds up the contributions of every time step"),
        ("dx never filled", '        dx[:, :, t] = gradients["dxt"]\n', "", "dx[:, :, t] is dxt of step t"),
        ("da_prevt not carried", '        da_prevt = gradients["da_prev"]\n', "",
         "da_prev from step t+1 is not added"),
    ],
    "lstm_cell_backward": [
        ("dc_next ignored", "dc = dc_next + da_next", "dc = da_next", "dc_next is ignored"),
        ("dc_prev without the whole dc", "dc_prev = dc * ft", "dc_prev = dc_next * ft",
         "dc_prev is the memory's whole gradient dc"),
        ("da_prev and dxt rows swapped",
         "da_prev = dconcat[:n_a]  # a_prev is on top of concat\n    dxt = dconcat[n_a:]",
         "da_prev = dconcat[-n_a:]\n    dxt = dconcat[:-n_a]", "the first n_a rows of dconcat belong to a_prev"),
        ("dbf not kept as a column", "dbf = np.sum(dft, axis=1, keepdims=True)", "dbf = np.sum(dft, axis=1)",
         "kept as a column of shape (n_a, 1)"),
        ("output gate's sigmoid derivative forgotten", "dot = da_next * np.tanh(c_next) * ot * (1 - ot)",
         "dot = da_next * np.tanh(c_next)", "the output gate's derivative is missing"),
        ("the candidate's derivative as a sigmoid",
         "dcct = dc * it * (1 - cct ** 2)", "dcct = dc * it * cct * (1 - cct)",
         "the candidate is differentiated as a sigmoid"),
    ],
    "lstm_backward": [
        ("da_prevt not added", "lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, cell_caches[t])",
         "lstm_cell_backward(da[:, :, t], dc_prevt, cell_caches[t])", "da_prev from step t+1 is not added"),
        ("dc_prevt not passed on", "lstm_cell_backward(da[:, :, t] + da_prevt, dc_prevt, cell_caches[t])",
         "lstm_cell_backward(da[:, :, t] + da_prevt, np.zeros((n_a, m)), cell_caches[t])",
         "dc_prev from step t+1 is not passed on"),
        ("nothing carried", "da_prevt, dc_prevt = step[\"da_prev\"], step[\"dc_prev\"]", "pass",
         "neither da_prev nor dc_prev"),
        ("gradients overwritten", "gradients[name] += step[name]", "gradients[name] = step[name]",
         "adds up the contributions of every time step"),
        ("dx never filled", '        dx[:, :, t] = step["dxt"]\n', "", "dx[:, :, t] is dxt of step t"),
    ],
}


# Sizes of the probes: (n_x, n_a, n_y, m, T_x), the smallest of each (1) included, never all square.
_PROBE_SIZES = [(3, 5, 2, 10, 4), (1, 1, 1, 1, 1), (1, 4, 3, 1, 6), (6, 1, 4, 3, 2), (2, 3, 1, 5, 1), (4, 4, 4, 4, 4),
                (7, 2, 5, 2, 9), (5, 6, 3, 1, 3), (2, 7, 2, 6, 5), (3, 2, 6, 7, 1), (8, 3, 2, 2, 7), (1, 2, 9, 4, 3),
                (4, 5, 1, 1, 8), (6, 6, 2, 3, 2), (2, 1, 3, 9, 4), (5, 3, 4, 2, 6), (3, 8, 3, 1, 2), (9, 2, 2, 5, 3),
                (2, 4, 7, 3, 1), (4, 3, 3, 8, 5), (3, 5, 2, 2, 10), (1, 6, 2, 2, 2)]
_PARAMETERS = {"rnn": checks.rnn_parameters, "lstm": checks.lstm_parameters, "gru": checks.gru_parameters}


def _probe_arrays(rng, *shapes):
    return [rng.normal(0.0, 1.0, shape) for shape in shapes]


def _cell_probe(kind, states):
    def probe(rng):
        calls = []
        for n_x, n_a, n_y, m, _ in _PROBE_SIZES:
            p = _PARAMETERS[kind](n_x, n_a, n_y, rng)
            calls.append((*_probe_arrays(rng, (n_x, m), *[(n_a, m)] * states), p))
        return calls
    return probe


def _sequence_probe(kind):
    def probe(rng):
        calls = []
        for n_x, n_a, n_y, m, T_x in _PROBE_SIZES:
            p = _PARAMETERS[kind](n_x, n_a, n_y, rng)
            calls.append((*_probe_arrays(rng, (n_x, m, T_x), (n_a, m)), p))
        return calls
    return probe


def _probe_bidirectional(rng):
    calls = []
    for n_x, n_a, n_y, m, T_x in _PROBE_SIZES:
        p_f, p_b = checks.rnn_parameters(n_x, n_a, n_y, rng), checks.rnn_parameters(n_x, n_a, n_y, rng)
        x, a0_f, a0_b, Wy, by = _probe_arrays(rng, (n_x, m, T_x), (n_a, m), (n_a, m), (n_y, 2 * n_a), (n_y, 1))
        calls.append((x, a0_f, a0_b, p_f, p_b, Wy, by))
    return calls


def _probe_deep(rng):
    calls = []
    for i, (n_x, n_a, n_y, m, T_x) in enumerate(_PROBE_SIZES):
        n_as = [n_a, *(int(k) for k in rng.integers(1, 7, size=i % 4))]  # 1 to 4 layers
        ps = [checks.rnn_parameters(n_in, k, n_y, rng) for n_in, k in zip([n_x, *n_as], n_as)]
        calls.append((*_probe_arrays(rng, (n_x, m, T_x)), _probe_arrays(rng, *[(k, m) for k in n_as]), ps))
    return calls


def _probe_rnn_cell_backward(rng):
    calls = []
    for n_x, n_a, n_y, m, _ in _PROBE_SIZES:
        p = checks.rnn_parameters(n_x, n_a, n_y, rng)
        xt, a_prev, da_next = _probe_arrays(rng, (n_x, m), (n_a, m), (n_a, m))
        calls.append((da_next, rnn_cell_forward(xt, a_prev, p)[2]))
    return calls


def _probe_lstm_cell_backward(rng):
    calls = []
    for n_x, n_a, n_y, m, _ in _PROBE_SIZES:
        p = checks.lstm_parameters(n_x, n_a, n_y, rng)
        xt, a_prev, c_prev, da_next, dc_next = _probe_arrays(rng, (n_x, m), *[(n_a, m)] * 4)
        calls.append((da_next, dc_next, lstm_cell_forward(xt, a_prev, c_prev, p)[3]))
    return calls


def _bptt_probe(kind):
    forward = {"rnn": rnn_forward, "lstm": lstm_forward}[kind]

    def probe(rng):
        calls = []
        for n_x, n_a, n_y, m, T_x in _PROBE_SIZES:
            p = _PARAMETERS[kind](n_x, n_a, n_y, rng)
            x, a0, da = _probe_arrays(rng, (n_x, m, T_x), (n_a, m), (n_a, m, T_x))
            calls.append((da, forward(x, a0, p)[-1]))
        return calls
    return probe


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"rnn_cell_forward": _cell_probe("rnn", 1), "rnn_forward": _sequence_probe("rnn"),
          "lstm_cell_forward": _cell_probe("lstm", 2), "lstm_forward": _sequence_probe("lstm"),
          "gru_cell_forward": _cell_probe("gru", 1), "gru_forward": _sequence_probe("gru"),
          "bidirectional_rnn_forward": _probe_bidirectional, "deep_rnn_forward": _probe_deep,
          "rnn_cell_backward": _probe_rnn_cell_backward, "rnn_backward": _bptt_probe("rnn"),
          "lstm_cell_backward": _probe_lstm_cell_backward, "lstm_backward": _bptt_probe("lstm")}

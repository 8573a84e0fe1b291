"""w1a1 (RNN step by step): the public checks accept the solution, reject the classic mistakes with a
message that names them, and the solution's backward passes match numerical gradients."""
from __future__ import annotations

import re
import time

import numpy as np
import pytest

from checks.assertions import CheckFailed, numerical_gradient, relative_error
from notebook_code import notebook_fixtures, run_test_cell
from autograder.reference import w1a1_rnn_step_by_step as reference
from week1 import rnn_checks as checks
from week1.rnn_utils import lstm_parameters, random_arrays, rnn_inputs, rnn_parameters, sigmoid, softmax

ID = "w1a1_rnn_step_by_step"
GRADED = ["rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward", "gru_cell_forward", "gru_forward",
          "bidirectional_rnn_forward", "deep_rnn_forward", "rnn_cell_backward", "rnn_backward", "lstm_cell_backward",
          "lstm_backward"]


ns, nb = notebook_fixtures(ID)


def _cells(nb, **flags):
    return [c for c in nb.cells if all(c.metadata.get("nbgrader", {}).get(k) == v for k, v in flags.items())]


def _check(name):
    return getattr(checks, f"check_{name}")


# ------------------------------------------------------------------ the solution passes

@pytest.mark.parametrize("name", GRADED)
def test_test_cell_passes_on_solution(ns, nb, name):
    """The graded test cell, hidden tests included, passes; the public check prints one line, the hidden none."""
    assert len(run_test_cell(ns, nb, f"{name}_tests")) == 1


def test_checks_leave_the_global_rng_alone(ns):
    before = np.random.get_state()[1].copy()
    _check("rnn_backward")(ns["rnn_backward"])
    assert np.array_equal(np.random.get_state()[1], before)


# ------------------------------------------------------------------ classic mistakes are named

def _rnn_cell(xt, a_prev, p, *, Wax=None, Waa=None, ba=True, act=np.tanh, order=None, cache_order=None):
    """rnn_cell_forward with one classic mistake switched on (none by default)."""
    Wax = p["Wax"] if Wax is None else Wax
    Waa = p["Waa"] if Waa is None else Waa
    a_next = act(Waa @ a_prev + Wax @ xt + (p["ba"] if ba else 0))
    yt_pred = softmax(p["Wya"] @ a_next + p["by"])
    cache = (a_next, a_prev, xt, p)
    cache = cache if cache_order is None else tuple(cache[i] for i in cache_order)
    out = (a_next, yt_pred, cache)
    return out if order is None else tuple(out[i] for i in order)


def _lstm_cell(xt, a_prev, c_prev, p, *, xt_first=False, forget=True, gate_order=(4, 5)):
    concat = np.vstack([xt, a_prev] if xt_first else [a_prev, xt])
    ft, it = sigmoid(p["Wf"] @ concat + p["bf"]), sigmoid(p["Wi"] @ concat + p["bi"])
    cct, ot = np.tanh(p["Wc"] @ concat + p["bc"]), sigmoid(p["Wo"] @ concat + p["bo"])
    c_next = (ft * c_prev if forget else c_prev) + it * cct
    a_next = ot * np.tanh(c_next)
    cache = [a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, p]
    cache[4], cache[5] = cache[gate_order[0]], cache[gate_order[1]]
    return a_next, c_next, softmax(p["Wy"] @ a_next + p["by"]), tuple(cache)


def _gru_cell(xt, a_prev, p, *, xt_first=False, torch_convention=False, relevance=True):
    stack = (lambda a, x: np.vstack([x, a])) if xt_first else (lambda a, x: np.vstack([a, x]))
    gu = sigmoid(p["Wu"] @ stack(a_prev, xt) + p["bu"])
    gr = sigmoid(p["Wr"] @ stack(a_prev, xt) + p["br"])
    cct = np.tanh(p["Wc"] @ stack(gr * a_prev if relevance else a_prev, xt) + p["bc"])
    a_next = gu * a_prev + (1 - gu) * cct if torch_convention else gu * cct + (1 - gu) * a_prev
    return a_next, softmax(p["Wy"] @ a_next + p["by"]), (a_next, a_prev, xt, gu, gr, cct, p)


def _unroll(cell, x, a0, p, *, restart=False, store_prev=False, c0=None):
    """rnn_forward / lstm_forward (with c0) with a loop bug switched on."""
    states = (a0,) if c0 is None else (a0, c0)
    a, c, y, caches = [], [], [], []
    for t in range(x.shape[2]):
        prev = states
        *states, y_t, cache = cell(x[:, :, t], *((a0,) if restart else states), p)
        a.append(prev[0] if store_prev else states[0])
        c.append(states[-1])
        y.append(y_t)
        caches.append(cache)
    a, c, y = (np.stack(v, axis=2) for v in (a, c, y))
    return (a, y, (caches, x)) if c0 is None else (a, y, c, (caches, x))


def _bidirectional(ns, *, flip_back=True, b_first=False):
    def bidirectional_rnn_forward(x, a0_f, a0_b, p_f, p_b, Wy, by):
        a_f = ns["rnn_forward"](x, a0_f, p_f)[0]
        a_b = ns["rnn_forward"](x[:, :, ::-1], a0_b, p_b)[0]
        a_b = a_b[:, :, ::-1] if flip_back else a_b
        top, bottom = (a_b, a_f) if b_first else (a_f, a_b)
        return a_f, a_b, softmax(np.einsum("yk,kmt->ymt", Wy, np.concatenate([top, bottom])) + by[:, :, None])
    return bidirectional_rnn_forward


def _deep(ns, *, every_layer_reads_x=False, first_y=False):
    def deep_rnn_forward(x, a0s, ps):
        a_list, ys, inputs = [], [], x
        for a0, p in zip(a0s, ps):
            a, y, _ = ns["rnn_forward"](x if every_layer_reads_x else inputs, a0, p)
            a_list.append(a)
            ys.append(y)
            inputs = a
        return a_list, ys[0] if first_y else ys[-1]
    return deep_rnn_forward


def _rnn_cell_backward(da_next, cache, *, dz=lambda da, a: da * (1 - a ** 2), Waa_T=True, keepdims=True,
                       dWaa_factor=1.0):
    a_next, a_prev, xt, p = cache
    dtanh = dz(da_next, a_next)
    return {"dxt": p["Wax"].T @ dtanh, "da_prev": (p["Waa"].T if Waa_T else p["Waa"]) @ dtanh,
            "dWax": dtanh @ xt.T, "dWaa": dWaa_factor * dtanh @ a_prev.T,
            "dba": np.sum(dtanh, axis=1, keepdims=keepdims)}


def _rnn_backward(ns, *, carry=True, accumulate=True):
    def rnn_backward(da, caches):
        cell_caches, x = caches
        dx, da_prev, total = np.zeros(x.shape), np.zeros(da.shape[:2]), {}
        for t in reversed(range(x.shape[2])):
            g = ns["rnn_cell_backward"](da[:, :, t] + (da_prev if carry else 0), cell_caches[t])
            dx[:, :, t], da_prev = g["dxt"], g["da_prev"]
            for k in ("dWax", "dWaa", "dba"):
                total[k] = total.get(k, 0) + g[k] if accumulate else g[k]
        return {"dx": dx, "da0": da_prev, **total}
    return rnn_backward


def _lstm_cell_backward(ns, *, ignore_dc=False, swap_rows=False, forget_ft=False):
    def lstm_cell_backward(da_next, dc_next, cache):
        g = ns["lstm_cell_backward"](da_next, 0 * dc_next if ignore_dc else dc_next, cache)
        if swap_rows:  # dconcat split at n_x instead of n_a: [xt; a_prev] order
            n_x = cache[8].shape[0]
            dconcat = np.vstack([g["da_prev"], g["dxt"]])
            g["dxt"], g["da_prev"] = dconcat[:n_x], dconcat[n_x:]
        if forget_ft:
            g["dc_prev"] = g["dc_prev"] / cache[4]
        return g
    return lstm_cell_backward


def _lstm_backward(ns, *, carry_a=True, carry_c=True):
    def lstm_backward(da, caches):
        cell_caches, x = caches
        dx, da_prev, dc_prev, total = np.zeros(x.shape), np.zeros(da.shape[:2]), np.zeros(da.shape[:2]), {}
        for t in reversed(range(x.shape[2])):
            g = ns["lstm_cell_backward"](da[:, :, t] + (da_prev if carry_a else 0),
                                         dc_prev if carry_c else 0 * dc_prev, cell_caches[t])
            dx[:, :, t], da_prev, dc_prev = g["dxt"], g["da_prev"], g["dc_prev"]
            for k in g:
                if k[:2] in ("dW", "db"):
                    total[k] = total.get(k, 0) + g[k]
        return {"dx": dx, "da0": da_prev, **total}
    return lstm_backward


def _wrong_answers(ns):
    """{case: (graded function, wrong implementation, regex the failure message must match)}.

    ``ns`` (the solution) is only read when a wrong implementation runs, so the case names can be listed
    without it.
    """
    return {
        "rnn Waa transposed": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, Waa=p["Waa"].T),
                               r"likely cause: Waa is transposed"),
        "rnn Wax transposed": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, Wax=p["Wax"].T),
                               r"raised ValueError.*transposed"),
        "rnn missing ba": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, ba=False), r"bias ba is missing"),
        "rnn sigmoid": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, act=sigmoid),
                        r"sigmoid is used where tanh belongs"),
        "rnn returns swapped": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, order=(1, 0, 2)),
                                r"return value 0 should be a_next .* the return order is \(a_next, yt_pred, cache\)"),
        "rnn cache order": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, cache_order=(1, 0, 2, 3)),
                            r"cache\[0\] should be a_next but holds a_prev: the cache layout is "
                            r"\(a_next, a_prev, xt, parameters\), as the docstring gives it\.$"),
        "rnn cache an int": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p)[:2] + (3,),
                             r"^cache: expected a tuple of 4 elements \(a_next, a_prev, xt, parameters\) but got an "
                             r"int\.$"),
        "rnn cache short": ("rnn_cell_forward", lambda x, a, p: _rnn_cell(x, a, p, cache_order=(0, 1, 3)),
                            r"cache: expected a tuple of 4 elements"),
        "rnn_forward restarts": ("rnn_forward", lambda x, a0, p: _unroll(_rnn_cell, x, a0, p, restart=True),
                                 r"every step starts from a0"),
        "rnn_forward stores a_prev": ("rnn_forward", lambda x, a0, p: _unroll(_rnn_cell, x, a0, p, store_prev=True),
                                      r"holds the state before step t"),
        "rnn_forward caches without x": ("rnn_forward", lambda x, a0, p: (lambda r: (r[0], r[1], r[2][0]))(
            _unroll(_rnn_cell, x, a0, p)), r"caches: expected a tuple of 2 elements \(cell_caches, x\)"),
        "gru_forward never appends a cache": ("gru_forward", lambda x, a0, p: (lambda r: (r[0], r[1], ([], x)))(
            _unroll(_gru_cell, x, a0, p)), r"got an empty list; likely cause: the cache of each step is not appended"),
        "lstm [xt; a_prev]": ("lstm_cell_forward", lambda x, a, c, p: _lstm_cell(x, a, c, p, xt_first=True),
                              r"concatenate \[a_prev; xt\]"),
        "lstm no forget gate": ("lstm_cell_forward", lambda x, a, c, p: _lstm_cell(x, a, c, p, forget=False),
                                r"forget gate is missing"),
        "lstm returns swapped": ("lstm_cell_forward", lambda x, a, c, p: (lambda r: (r[0], r[2], r[1], r[3]))(
            _lstm_cell(x, a, c, p)), r"return order is \(a_next, c_next, yt_pred, cache\)"),
        "lstm cache ft/it": ("lstm_cell_forward", lambda x, a, c, p: _lstm_cell(x, a, c, p, gate_order=(5, 4)),
                             r"cache\[4\] should be ft but holds it"),
        "lstm_forward order": ("lstm_forward", lambda x, a0, p: (lambda r: (r[0], r[2], r[1], r[3]))(
            _unroll(_lstm_cell, x, a0, p, c0=np.zeros_like(a0))), r"return order is \(a, y, c, caches\)"),
        "lstm_forward c0=a0": ("lstm_forward", lambda x, a0, p: _unroll(_lstm_cell, x, a0, p, c0=a0),
                               r"c0 must start at zeros"),
        "gru [xt; a_prev]": ("gru_cell_forward", lambda x, a, p: _gru_cell(x, a, p, xt_first=True),
                             r"concatenate \[a_prev; xt\]"),
        "gru torch convention": ("gru_cell_forward", lambda x, a, p: _gru_cell(x, a, p, torch_convention=True),
                                 r"Γu and 1 - Γu are swapped \(PyTorch's convention\)"),
        "gru no relevance gate": ("gru_cell_forward", lambda x, a, p: _gru_cell(x, a, p, relevance=False),
                                  r"relevance gate is missing"),
        "brnn not flipped back": ("bidirectional_rnn_forward", _bidirectional(ns, flip_back=False),
                                  r"a_b:.*flip it back"),
        "brnn [a_b; a_f]": ("bidirectional_rnn_forward", _bidirectional(ns, b_first=True),
                            r"y reads \[a_b; a_f\]"),
        "deep reads x": ("deep_rnn_forward", _deep(ns, every_layer_reads_x=True),
                         r"Layer l reads the states of layer l-1"),
        "deep first y": ("deep_rnn_forward", _deep(ns, first_y=True), r"y comes from the first layer"),
        "rnn bwd no tanh'": ("rnn_cell_backward", lambda da, cache: _rnn_cell_backward(da, cache, dz=lambda d, a: d),
                             r"gradients\['dxt'\].*tanh derivative is missing"),
        "rnn bwd Waa": ("rnn_cell_backward", lambda da, cache: _rnn_cell_backward(da, cache, Waa_T=False),
                        r"gradients\['da_prev'\].*Waa is not transposed"),
        "rnn bwd dba shape": ("rnn_cell_backward", lambda da, cache: _rnn_cell_backward(da, cache, keepdims=False),
                              r"gradients\['dba'\]: expected shape \(4, 1\) but got shape \(4,\).*summed over the m "
                              r"examples \(axis 1\), kept as a column of shape \(n_a, 1\)"),
        "rnn bwd factor": ("rnn_cell_backward", lambda da, cache: _rnn_cell_backward(da, cache, dWaa_factor=2.0),
                           r"gradients\['dWaa'\]: expected a relative error below 1e-07 .*"
                           r"dWaa is dtanh times a_prevᵀ"),
        "rnn bptt no carry": ("rnn_backward", _rnn_backward(ns, carry=False),
                              r"da_prev from step t\+1 is not added"),
        "rnn bptt overwrite": ("rnn_backward", _rnn_backward(ns, accumulate=False),
                               r"gradients\['dWax'\]: .*adds up the contributions of every time step"),
        "lstm bwd ignores dc": ("lstm_cell_backward", _lstm_cell_backward(ns, ignore_dc=True),
                                r"dc_next is ignored"),
        "lstm bwd rows": ("lstm_cell_backward", _lstm_cell_backward(ns, swap_rows=True),
                          r"gradients\['dxt'\].*first n_a rows of dconcat"),
        "lstm bwd dc_prev factor": ("lstm_cell_backward", _lstm_cell_backward(ns, forget_ft=True),
                                    r"gradients\['dc_prev'\]: expected a relative error below"),
        "lstm bptt no da carry": ("lstm_backward", _lstm_backward(ns, carry_a=False),
                                  r"likely cause: da_prev from step t\+1 is not added"),
        "lstm bptt no dc carry": ("lstm_backward", _lstm_backward(ns, carry_c=False),
                                  r"likely cause: dc_prev from step t\+1 is not passed on"),
        "lstm bptt no carry": ("lstm_backward", _lstm_backward(ns, carry_a=False, carry_c=False),
                               r"likely cause: neither da_prev nor dc_prev"),
    }


@pytest.mark.parametrize("case", list(_wrong_answers(ns=None)))
def test_wrong_answer_is_rejected_with_its_cause(ns, case):
    name, wrong, pattern = _wrong_answers(ns)[case]
    with pytest.raises(CheckFailed, match=pattern):
        _check(name)(wrong)


@pytest.mark.parametrize("name", GRADED)
def test_unfinished_exercise_reads_as_not_implemented(name):
    def stub(*args):
        raise NotImplementedError("Not implemented yet")
    with pytest.raises(NotImplementedError):
        _check(name)(stub)


# ------------------------------------------------------------------ gradients of the solution

def _numeric(loss, arrays):
    return {f"d{k}": numerical_gradient(loss, v) for k, v in arrays.items()}


def _assert_matches(grads, numeric):
    errors = {k: relative_error(grads[k], v) for k, v in numeric.items()}
    assert max(errors.values()) < 1e-7, errors


def test_rnn_cell_backward_matches_numerical_gradients(ns):
    p = rnn_parameters(3, 4, 2, seed=5)
    xt, a_prev, da = random_arrays(6, xt=(3, 2), a_prev=(4, 2), da=(4, 2)).values()
    numeric = _numeric(lambda: np.sum(da * ns["rnn_cell_forward"](xt, a_prev, p)[0]),
                       {"xt": xt, "a_prev": a_prev, "Wax": p["Wax"], "Waa": p["Waa"], "ba": p["ba"]})
    _assert_matches(ns["rnn_cell_backward"](da, ns["rnn_cell_forward"](xt, a_prev, p)[2]), numeric)


def test_rnn_backward_matches_numerical_gradients(ns):
    p = rnn_parameters(3, 4, 2, seed=7)
    x, a0 = rnn_inputs(3, 4, 2, 5, seed=8)
    da = random_arrays(9, da=(4, 2, 5))["da"]
    numeric = _numeric(lambda: np.sum(da * ns["rnn_forward"](x, a0, p)[0]),
                       {"x": x, "a0": a0, "Wax": p["Wax"], "Waa": p["Waa"], "ba": p["ba"]})
    _assert_matches(ns["rnn_backward"](da, ns["rnn_forward"](x, a0, p)[2]), numeric)


LSTM_WEIGHTS = ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")


def test_lstm_cell_backward_matches_numerical_gradients(ns):
    p = lstm_parameters(3, 4, 2, seed=10)
    xt, a_prev, c_prev, da, dc = random_arrays(11, xt=(3, 2), a_prev=(4, 2), c_prev=(4, 2), da=(4, 2),
                                               dc=(4, 2)).values()

    def loss():
        a_next, c_next, _, _ = ns["lstm_cell_forward"](xt, a_prev, c_prev, p)
        return np.sum(da * a_next) + np.sum(dc * c_next)

    numeric = _numeric(loss, {"xt": xt, "a_prev": a_prev, "c_prev": c_prev} | {k: p[k] for k in LSTM_WEIGHTS})
    _assert_matches(ns["lstm_cell_backward"](da, dc, ns["lstm_cell_forward"](xt, a_prev, c_prev, p)[3]), numeric)


def test_lstm_backward_matches_numerical_gradients(ns):
    p = lstm_parameters(3, 4, 2, seed=12)
    x, a0 = rnn_inputs(3, 4, 2, 4, seed=13)
    da = random_arrays(14, da=(4, 2, 4))["da"]
    numeric = _numeric(lambda: np.sum(da * ns["lstm_forward"](x, a0, p)[0]),
                       {"x": x, "a0": a0} | {k: p[k] for k in LSTM_WEIGHTS})
    _assert_matches(ns["lstm_backward"](da, ns["lstm_forward"](x, a0, p)[3]), numeric)


def test_mistake_oracles_agree_with_the_solution_when_nothing_is_dropped(ns):
    """The analytic BPTT that names mistakes must equal the right answer when it carries every gradient,
    so a mistake's description can never be attached to a correct submission."""
    p = lstm_parameters(3, 4, 2, seed=15)
    x, a0 = rnn_inputs(3, 4, 2, 4, seed=16)
    da = random_arrays(17, da=(4, 2, 4))["da"]
    caches = ns["lstm_forward"](x, a0, p)[3]
    ours, theirs = reference._bptt(reference.lstm_cell_backward, da, caches[0], ("a", "c")), ns["lstm_backward"](da, caches)
    assert all(relative_error(ours[k], theirs[k]) < 1e-12 for k in theirs)


# ------------------------------------------------------------------ the notebook agrees with itself

def test_every_graded_function_has_a_solution_cell_then_its_test_cell(nb):
    ids = [c.metadata.nbgrader["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert ids == ["setup"] + [i for name in GRADED for i in (name, f"{name}_tests")]
    for cell in _cells(nb, grade=True):
        assert cell.source.startswith("# ") and "### BEGIN HIDDEN TESTS" in cell.source


def test_points_in_headings_and_title_match_the_test_cells(nb):
    points = {c.metadata.nbgrader.grade_id[:-len("_tests")]: c.metadata.nbgrader.points
              for c in _cells(nb, grade=True)}
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    stated = {m[0]: int(m[1]) for m in re.findall(r"^### .*`(\w+)` \((\d+) points?\)", text, re.M)}
    assert stated == points
    # each numbered section states the sum of its functions' points
    for section in re.split(r"^(?=## \d+ – )", text, flags=re.M)[1:]:
        (total,) = re.findall(r"^## \d+ – .*\((\d+) points\)", section, re.M) or ["0"]
        assert int(total) == sum(int(p) for p in re.findall(r"^### .*\((\d+) points?\)", section, re.M))
    assert f"{len(points)} graded functions, {sum(points.values())} points" in text


@pytest.mark.filterwarnings("ignore:FigureCanvasAgg is non-interactive")
def test_whole_notebook_runs_top_to_bottom_in_seconds(nb, capsys):
    """Every code cell in order (the ungraded demo too), in one namespace, as a fresh kernel would."""
    import matplotlib
    matplotlib.use("Agg")
    start, ns = time.perf_counter(), {"__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type == "code":
            exec(cell.source, ns)
    assert time.perf_counter() - start < 10
    assert capsys.readouterr().out.count("all checks passed") == len(GRADED)  # public checks; hidden ones are silent


def test_committed_without_outputs(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_stubbed_notebook_fails_only_with_not_implemented(nb):
    """What students start from: each solution region replaced by a stub; every test cell then raises
    NotImplementedError (never NameError or CheckFailed)."""
    region = re.compile(r"^([ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION$", re.M | re.S)
    ns = {"__name__": "stubbed"}
    exec(_cells(nb, grade_id="setup")[0].source, ns)
    for cell in _cells(nb, solution=True):
        exec(region.sub(r'\1raise NotImplementedError("Not implemented yet")', cell.source), ns)
    for cell in _cells(nb, grade=True):
        with pytest.raises(NotImplementedError):
            exec(cell.source, dict(ns))


# ------------------------------------------------------------------ mistakes named from the reference's list

NEWLY_NAMED = [("rnn_forward", "every step reads the first input"), ("rnn_forward", "y_pred never filled"),
               ("lstm_forward", "c never filled"), ("gru_forward", "y never filled"),
               ("lstm_forward", "every step reads the first input"), ("gru_cell_forward", "[xt; a_prev] stacked"),
               ("bidirectional_rnn_forward", "backward RNN reads x forwards"),
               ("lstm_cell_backward", "output gate's sigmoid derivative forgotten"),
               ("lstm_cell_backward", "the candidate's derivative as a sigmoid")]


@pytest.mark.parametrize("name, what", NEWLY_NAMED, ids=[f"{n}: {w}" for n, w in NEWLY_NAMED])
def test_classic_mistakes_of_the_reference_are_named_by_the_public_check(ns, nb, name, what):
    """The solution cell with one of the reference's classic mistakes (MISTAKES) fails its public check with the
    words listed for it: a named cause, not only a wrong value."""
    (old, new, says), = [entry[1:] for entry in reference.MISTAKES[name] if entry[0] == what]
    (cell,) = _cells(nb, grade_id=name)
    assert cell.source.count(old) == 1
    namespace = dict(ns)
    exec(compile(cell.source.replace(old, new), f"<mistake {name}>", "exec"), namespace)
    with pytest.raises(CheckFailed) as info:
        _check(name)(namespace[name])
    assert says in str(info.value) and "likely cause" in str(info.value), str(info.value)

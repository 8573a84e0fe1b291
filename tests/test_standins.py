"""The rule of the stand-ins, and the limits on the grader's own work for a test cell.

While a graded function is tested, the reference stands in only for the graded functions its own work calls (each
reference module's ``STAND_INS``), as often as that work needs: a function under test cannot get its answer from
the reference's functions (a backward function by differencing the reference's forward), while every honest
solution keeps its full marks. The grader's work for a cell (decoding answers, stand-ins, checks) keeps to the
cell's time limit and to a memory budget.

Four groups: the declarations, read from the reference modules and the source notebooks; the course's checks run
in this process on honest solutions, counting their stand-in calls; the watchdog on checks and answers of a
stand-in kernel; and w1a1 graded in the sandbox (skipped without bubblewrap), where a differencing backward, a
function that keeps calling a stand-in and a stand-in asked for unbounded work each cost only their own points.
"""
from __future__ import annotations

import ast
import inspect
import json
import shutil
import time
from dataclasses import dataclass

import nbformat
import numpy as np
import pytest

from autograder import grading, remote, wire
from autograder.reference import find as reference
from autograder.sandbox import Limits, bwrap_available
from autograder.sandbox_runtime import REPLY_MIME
from course import ASSIGNMENTS, ROOT, nbgrader_meta, own_sandboxes, scratch_course
from notebook_code import notebook_path, run_test_cell, solution_namespace


# ------------------------------------------------------------------ the declarations

def _solution_functions(aid: str) -> dict[str, ast.FunctionDef]:
    """The graded functions as the source notebook's solution cells define them."""
    graded = reference(aid).GRADED
    found = {}
    for cell in nbformat.read(notebook_path(aid), as_version=4).cells:
        if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.FunctionDef) and node.name in graded:
                    found[node.name] = node
    return found


def _tested_before(aid: str) -> dict[str, set[str]]:
    """Per graded function, the graded functions tested before it (the order the grader lets them stand in)."""
    graded = set(reference(aid).GRADED)
    earlier, seen = {}, set()
    for cell in nbformat.read(notebook_path(aid), as_version=4).cells:
        if nbgrader_meta(cell).get("grade") and cell.cell_type == "code":
            names = remote.test_names(cell.source) & graded
            for name in names - seen:
                earlier[name] = set(seen)
            seen |= names
    return earlier


def _called(function: ast.FunctionDef, names) -> set[str]:
    return {n.func.id for n in ast.walk(function)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names}


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_every_graded_function_declares_the_stand_ins_its_solution_calls(aid):
    """Every graded function has a declaration; it names only graded functions tested before it that can stand
    in, and every one of those that its solution calls."""
    ref = reference(aid)
    assert set(ref.STAND_INS) == set(ref.GRADED)
    kernel_only = set(getattr(ref, "KERNEL_ONLY", ()))
    earlier = _tested_before(aid)
    functions = _solution_functions(aid)
    assert set(functions) == set(ref.GRADED)
    for name, function in functions.items():
        declared = set(ref.STAND_INS[name])
        assert declared <= earlier[name] - kernel_only - {name}, (name, declared)
        assert _called(function, earlier[name] - kernel_only) <= declared, name


def _signature(function: ast.FunctionDef) -> list[tuple[str, object]]:
    args = function.args
    defaults = [inspect.Parameter.empty] * (len(args.args) - len(args.defaults)) + \
        [ast.literal_eval(d) for d in args.defaults]
    return [(a.arg, d) for a, d in zip(args.args, defaults)]


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_every_bound_is_a_count_or_takes_the_notebooks_arguments(aid):
    """A bound is a positive number, or a function of the graded function's arguments as the checks pass them:
    the notebook's signature, names and defaults."""
    ref = reference(aid)
    functions = _solution_functions(aid)
    bounds = [(name, most) for name, rule in ref.STAND_INS.items() for most in rule.values()]
    for name, most in bounds:
        if callable(most):
            got = [(p.name, p.default) for p in inspect.signature(most).parameters.values()]
            assert got == _signature(functions[name]), (name, most.__name__)
        else:
            assert isinstance(most, int) and most >= 1, (name, most)


# ------------------------------------------------------------------ honest solutions keep within their bounds

def _over_bounds(aid: str, grade_ids, alternative: str = "") -> tuple[list[str], dict]:
    """Run the source notebook's test cells ``grade_ids`` in this process on its solutions (``alternative``: code run
    after them that redefines some, another honest way), with the reference standing in as the checks make it
    (checks.fixtures), and count the stand-in calls of every call under test. Returns the calls that made more
    than their declared bound, and the most calls seen per (function, stand-in)."""
    ref = reference(aid)
    ns = solution_namespace(aid)
    exec(alternative, ns)  # noqa: S102 - this test's code
    running, over, most_seen = [], [], {}
    originals = {name: ns[name] for name in ref.STAND_INS if ref.STAND_INS[name]}

    def under_test(name, args, kwargs):
        bounds = {other: remote._most_calls(most, args, kwargs) for other, most in ref.STAND_INS[name].items()}
        running.append({})
        try:
            return originals[name](*args, **kwargs)
        finally:
            for other, calls in running.pop().items():
                most_seen[name, other] = max(most_seen.get((name, other), 0), calls)
                if other in bounds and (bounds[other] is None or calls > bounds[other]):
                    over.append(f"{name} called {other} {calls} times (at most {bounds[other]})")

    def counted(other, fn):
        def stand_in(*args, **kwargs):
            if running:
                running[-1][other] = running[-1].get(other, 0) + 1
            return fn(*args, **kwargs)
        return stand_in

    ns["__under_test__"] = under_test
    for name in originals:  # defined in the namespace, where the checks swap its callees for the reference
        exec(f"def {name}(*args, **kwargs):\n    return __under_test__({name!r}, args, kwargs)\n", ns)  # noqa: S102
    nb = nbformat.read(notebook_path(aid), as_version=4)
    graded = dict(ref.GRADED)
    try:
        ref.GRADED.update({other: counted(other, fn) for other, fn in graded.items()})
        for gid in grade_ids:
            run_test_cell(ns, nb, gid)
    finally:
        ref.GRADED.update(graded)
    return over, most_seen


# Other honest ways, each as code that redefines graded functions after the notebook's solution: loops where the
# solution is vectorised, a cell step where it calls a whole sequence, the course's original exercises.
W1A1_CELL_LOOPS = """
def bidirectional_rnn_forward(x, a0_f, a0_b, parameters_f, parameters_b, Wy, by):
    n_x, m, T_x = x.shape
    a_f, a_b = np.zeros((a0_f.shape[0], m, T_x)), np.zeros((a0_b.shape[0], m, T_x))
    a_next = a0_f
    for t in range(T_x):
        a_next, _, _ = rnn_cell_forward(x[:, :, t], a_next, parameters_f)
        a_f[:, :, t] = a_next
    a_next = a0_b
    for t in reversed(range(T_x)):
        a_next, _, _ = rnn_cell_forward(x[:, :, t], a_next, parameters_b)
        a_b[:, :, t] = a_next
    y = np.stack([softmax(Wy @ np.concatenate([a_f[:, :, t], a_b[:, :, t]]) + by) for t in range(T_x)], axis=2)
    return a_f, a_b, y

def deep_rnn_forward(x, a0s, parameters_list):
    a_list, layer_input = [], x
    for a0, parameters in zip(a0s, parameters_list):
        a, ys, a_next = [], [], a0
        for t in range(x.shape[2]):
            a_next, yt_pred, _ = rnn_cell_forward(layer_input[:, :, t], a_next, parameters)
            a.append(a_next)
            ys.append(yt_pred)
        layer_input = np.stack(a, axis=2)
        a_list.append(layer_input)
    return a_list, np.stack(ys, axis=2)
"""

W2A1_LOOP = """
def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
    word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
    for word in (word_a, word_b, word_c):
        if word not in word_to_vec_map:
            raise KeyError(f"{word!r} is not in word_to_vec_map")
    e_a, e_b, e_c = word_to_vec_map[word_a], word_to_vec_map[word_b], word_to_vec_map[word_c]
    best_word, best = None, -np.inf
    for w in word_to_vec_map:
        if w in (word_a, word_b, word_c):
            continue
        similarity = cosine_similarity(e_b - e_a, word_to_vec_map[w] - e_c)
        if similarity > best:
            best_word, best = w, similarity
    return best_word

def equalize(pair, bias_axis, word_to_vec_map):
    w1, w2 = pair
    norm_1, norm_2 = np.linalg.norm(word_to_vec_map[w1]), np.linalg.norm(word_to_vec_map[w2])
    e_w1, e_w2 = word_to_vec_map[w1] / norm_1, word_to_vec_map[w2] / norm_2
    mu_orth = (neutralize(w1, bias_axis, word_to_vec_map) / norm_1
               + neutralize(w2, bias_axis, word_to_vec_map) / norm_2) / 2
    mu_B = (e_w1 + e_w2) / 2 - mu_orth
    e_w1B, e_w2B = e_w1 - neutralize(w1, bias_axis, {w1: e_w1}), e_w2 - neutralize(w2, bias_axis, {w2: e_w2})
    scale = np.sqrt(np.abs(1 - np.sum(mu_orth * mu_orth)))
    return (scale * (e_w1B - mu_B) / np.linalg.norm(e_w1B - mu_B) + mu_orth,
            scale * (e_w2B - mu_B) / np.linalg.norm(e_w2B - mu_B) + mu_orth)
"""

W2A2_PER_EXAMPLE = """
def model(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
    np.random.seed(1)
    m, n_y = Y.shape[0], 5
    n_h = len(word_to_vec_map[next(iter(word_to_vec_map))])
    W, b = np.random.randn(n_y, n_h) / np.sqrt(n_h), np.zeros((n_y,))
    Y_oh = convert_to_one_hot(Y, C=n_y)
    for t in range(num_iterations):
        cost = 0.0
        for i in range(m):
            avg = sentence_to_avg(X[i], word_to_vec_map)
            a = softmax(W @ avg + b)
            cost += -np.sum(Y_oh[i] * np.log(a))
            W, b = W - learning_rate * np.outer(a - Y_oh[i], avg), b - learning_rate * (a - Y_oh[i])
        if t % 100 == 0:
            print(f"epoch {t:3d}: mean cost {cost / m:.4f}")
    avgs = np.array([sentence_to_avg(sentence, word_to_vec_map) for sentence in X])
    return np.argmax(avgs @ W.T + b, axis=1).reshape(m, 1), W, b
"""

W3A2_PER_SEGMENT = """
def insert_audio_clip(background, audio_clip, previous_segments):
    def overlaps(segment_time):
        return any(is_overlapping(segment_time, [previous]) for previous in previous_segments)
    segment_ms = len(audio_clip)
    segment_time = get_random_time_segment(segment_ms)
    retry = 5
    while overlaps(segment_time) and retry >= 0:
        segment_time = get_random_time_segment(segment_ms)
        retry = retry - 1
    if overlaps(segment_time):
        return background, (10000, 10000)
    previous_segments.append(segment_time)
    return background.overlay(audio_clip, position=segment_time[0]), segment_time
"""

HONEST = [  # (assignment, test cells, another honest way or "", the (function, stand-in) the case is about)
    pytest.param("w1a1_rnn_step_by_step", ("rnn_forward_tests", "lstm_forward_tests", "gru_forward_tests",
                                           "bidirectional_rnn_forward_tests", "deep_rnn_forward_tests",
                                           "rnn_backward_tests", "lstm_backward_tests"), "",
                 ("rnn_backward", "rnn_cell_backward"), id="w1a1-solution"),
    pytest.param("w1a1_rnn_step_by_step", ("bidirectional_rnn_forward_tests", "deep_rnn_forward_tests"),
                 W1A1_CELL_LOOPS, ("deep_rnn_forward", "rnn_cell_forward"), id="w1a1-cell-loops"),
    pytest.param("w1a2_dinosaur_island", ("optimize_tests", "model_tests"), "", ("model", "optimize"),
                 id="w1a2-solution"),
    pytest.param("w2a1_word_vectors", ("complete_analogy_tests", "equalize_tests"), W2A1_LOOP,
                 ("complete_analogy", "cosine_similarity"), id="w2a1-loops"),
    pytest.param("w2a2_emojify", ("model_tests",), W2A2_PER_EXAMPLE, ("model", "sentence_to_avg"),
                 id="w2a2-average-per-example"),
    pytest.param("w3a2_trigger_word", ("insert_audio_clip_tests", "create_training_example_tests"), "",
                 ("create_training_example", "insert_audio_clip"), id="w3a2-solution"),
    pytest.param("w3a2_trigger_word", ("insert_audio_clip_tests",), W3A2_PER_SEGMENT,
                 ("insert_audio_clip", "is_overlapping"), id="w3a2-overlap-per-segment"),
]


@pytest.mark.parametrize("aid, grade_ids, alternative, exercised", HONEST)
def test_honest_solutions_call_the_stand_ins_within_their_bounds(aid, grade_ids, alternative, exercised):
    """The source notebook's solutions and other honest ways pass the checks calling each stand-in no more often
    than declared (and do call the stand-in the case is about)."""
    if aid not in ASSIGNMENTS:
        pytest.skip(f"{aid} is not in this course")
    over, most_seen = _over_bounds(aid, grade_ids, alternative)
    assert over == []
    assert most_seen.get(exercised, 0) > 0, most_seen


# ------------------------------------------------------------------ the watchdog, on the checks' own work

@dataclass(frozen=True)
class _SmallBudget(Limits):
    grader_memory_mb: int = 200


class _QuietKernel:
    """A kernel that has no global of any name (the test cell's names are its own)."""
    limits = Limits()

    def answer(self, request: dict) -> dict:
        return {"kind": "missing"}

    def run(self, code, timeout, on_output=None, on_input=None, store_history=True):
        request = json.loads(json.loads(code[code.index("serve(") + len("serve("):-1]))
        on_output({"msg_type": "display_data", "content": {"data": {REPLY_MIME: self.answer(request)}}})
        return {"status": "ok"}


class _LargeAnswerKernel(_QuietKernel):
    """A kernel whose function ``f`` answers with 80 MB of data."""
    limits = _SmallBudget()

    def __init__(self):
        self.value = wire.encode(np.ones(10 * 2 ** 20))

    def answer(self, request: dict) -> dict:
        return {"kind": "function"} if request["op"] == "kind" else {"value": self.value}


def _run(source: str, seconds: float, kernel=None):
    started = time.monotonic()
    _, passed, problem = remote.run_test_cell(kernel or _QuietKernel(), source, None, "import numpy as np", seconds,
                                              [2 ** 20])
    return passed, problem, time.monotonic() - started


def test_checks_past_the_cells_time_limit_are_stopped_with_the_sentence():
    passed, problem, seconds = _run("while True:\n    pass\n", 1)
    assert not passed
    assert problem.startswith("the grader's work for this cell passed the per-cell time limit of 1 s"), problem
    assert seconds < 3  # at the limit, give or take a busy machine


def test_a_limit_that_a_check_swallows_is_raised_again():
    source = "try:\n    while True:\n        pass\nexcept BaseException:\n    pass\nwhile True:\n    pass\n"
    passed, problem, seconds = _run(source, 1)
    assert not passed and "per-cell time limit of 1 s" in problem
    assert seconds < 3 + remote.REPEAT_SECONDS


def test_checks_past_the_memory_budget_are_stopped_with_the_sentence():
    kernel = _QuietKernel()
    kernel.limits = _SmallBudget()
    source = "blocks = []\nwhile True:\n    blocks.append(np.ones(2 ** 20))\n"  # 8 MB at a time, for ever
    passed, problem, _ = _run(source, 60, kernel)
    assert not passed
    assert problem.startswith("the grader's work for this cell passed the grader's memory budget of 200 MB"), problem


def test_answers_past_the_memory_budget_are_stopped_with_the_sentence():
    """Decoding the notebook's answers is the grader's work: answers that it keeps past the budget stop the cell."""
    passed, problem, _ = _run("kept = [f() for _ in range(30)]\n", 60, _LargeAnswerKernel())
    assert not passed
    assert problem.startswith("the grader's work for this cell passed the grader's memory budget of 200 MB"), problem


def test_a_cell_within_its_limits_is_untouched_and_leaves_no_thread():
    import threading
    before = threading.active_count()
    passed, problem, _ = _run("total = sum(range(10 ** 6))\nassert total > 0\n", 30)
    assert (passed, problem) == (True, None)
    assert threading.active_count() == before


# ------------------------------------------------------------------ w1a1, graded in the sandbox

AID = "w1a1_rnn_step_by_step"
NB = "rnn_step_by_step.ipynb"
LIMITS = Limits(cell_seconds=6, wall_seconds=150, scratch_mb=64)

# rnn_cell_backward from numerical differences of rnn_cell_forward: with the reference standing in for the
# notebook's forward, it passes the checks without any forward or backward code of the student's.
DIFFERENCING = """
def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, parameters = cache

    def loss():
        return np.sum(da_next * rnn_cell_forward(xt, a_prev, parameters)[0])

    def gradient(array):
        g = np.zeros_like(array)
        for i in np.ndindex(array.shape):
            kept = array[i]
            array[i] = kept + 1e-6
            up = loss()
            array[i] = kept - 1e-6
            down = loss()
            array[i] = kept
            g[i] = (up - down) / 2e-6
        return g

    return {"dxt": gradient(xt), "da_prev": gradient(a_prev), "dWax": gradient(parameters["Wax"]),
            "dWaa": gradient(parameters["Waa"]), "dba": gradient(parameters["ba"])}
"""

# gru_forward calling its cell step for ever: the grader answers as often as the time steps need, then refuses.
CALLS_FOREVER = """
def gru_forward(x, a0, parameters):
    while True:
        a_next, yt_pred, cache = gru_cell_forward(x[:, :, 0], a0, parameters)
"""

# deep_rnn_forward asking the stand-in rnn_forward for millions of time steps: one call it may make, but work for
# far longer than the cell's time limit.
UNBOUNDED_WORK = """
def deep_rnn_forward(x, a0s, parameters_list):
    rnn_forward(np.zeros((parameters_list[0]["Wax"].shape[1], 1, 1_500_000), dtype=np.float32), a0s[0][:, :1],
                parameters_list[0])
"""

def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One scratch course of w1a1: an honest student and the three misuses, graded together."""
    if not bwrap_available():
        pytest.skip("bubblewrap is not installed")
    root = scratch_course(tmp_path_factory.mktemp("standins"), AID)
    shutil.copytree(ROOT / "release" / AID, root / "release" / AID)
    source = nbformat.read(root / "source" / AID / NB, as_version=4)
    release = nbformat.read(root / "release" / AID / NB, as_version=4)

    def submit(student, changes: dict):
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        for gid, code in changes.items():
            _cell(nb, gid).source = code if code is not None else _cell(release, gid).source
        path = root / "submitted" / student / AID / NB
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)

    submit("honest", {})
    # The differencing student never wrote rnn_cell_forward: the release's unfinished cell.
    submit("differencing", {"rnn_cell_forward": None, "rnn_cell_backward": DIFFERENCING})
    submit("calls_forever", {"gru_forward": CALLS_FOREVER})
    submit("unbounded_work", {"deep_rnn_forward": UNBOUNDED_WORK})
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
              if nbgrader_meta(c).get("grade")}
    started = time.monotonic()
    with own_sandboxes(tmp_path_factory.mktemp("sandboxes")):
        reports = {r.student: r for r in grading.autograde(
            root, AID, ["honest", "differencing", "calls_forever", "unbounded_work"], jobs=1, limits=LIMITS)}
    print(f"\ngraded in {time.monotonic() - started:.0f} s", {s: r.seconds for s, r in reports.items()})
    return {"root": root, "points": points, "reports": reports}


def _scores(g, student):
    return grading.scores(g["root"], AID, student)


def _problem(g, student, gid) -> str:
    found = [p for p in g["reports"][student].problems if f": {gid}: " in p]
    assert len(found) == 1, g["reports"][student].problems
    return found[0]


def _errors(g, student, gid) -> list[str]:
    """The names of the errors the autograded test cell ``gid`` shows."""
    nb = nbformat.read(g["root"] / "autograded" / student / AID / NB, as_version=4)
    return [o.get("ename") for o in _cell(nb, gid).outputs if o.get("output_type") == "error"]


def _only_lost(g, student, *gids):
    assert _scores(g, student) == dict(g["points"], **{gid: 0.0 for gid in gids}), g["reports"][student].problems


def test_the_honest_student_keeps_full_marks(graded):
    assert _scores(graded, "honest") == graded["points"]
    assert graded["reports"]["honest"].problems == []


def test_the_differencing_backward_works_with_the_reference_forward():
    """The control: given the reference's forward, the differencing backward passes the public and hidden checks."""
    from week1.rnn_checks import check_rnn_cell_backward

    ns = {"np": np, "rnn_cell_forward": reference(AID).rnn_cell_forward}
    exec(DIFFERENCING, ns)  # noqa: S102 - this test's code
    check_rnn_cell_backward(ns["rnn_cell_backward"], n_x=3, n_a=4, m=2, seed=1)
    check_rnn_cell_backward(ns["rnn_cell_backward"], n_x=5, n_a=2, m=3, seed=51)


def test_a_backward_cannot_difference_the_reference_forward(graded):
    """rnn_cell_backward may call no forward stand-in: the differencing runs on the notebook's own (unfinished)
    rnn_cell_forward and scores 0; the functions built on rnn_cell_forward keep their points."""
    _only_lost(graded, "differencing", "rnn_cell_forward_tests", "rnn_cell_backward_tests")
    assert _errors(graded, "differencing", "rnn_cell_backward_tests") == ["NotImplementedError"]


def test_calls_past_the_bound_are_refused_with_the_sentence(graded):
    _only_lost(graded, "calls_forever", "gru_forward_tests")
    assert "gru_forward called the reference's gru_cell_forward (standing in for the notebook's) more than 4 " \
           "times in one call, more than its own work needs" in _problem(graded, "calls_forever", "gru_forward_tests")


def test_unbounded_work_of_a_stand_in_is_stopped_at_the_cells_time_limit(graded):
    """The reference's rnn_forward works for deep_rnn_forward past the cell's limit: the cell fails with the
    sentence, and the kernel grades the cells after it."""
    _only_lost(graded, "unbounded_work", "deep_rnn_forward_tests")
    problem = _problem(graded, "unbounded_work", "deep_rnn_forward_tests")
    assert "the grader's work for this cell passed the per-cell time limit of 6 s (a stand-in asked for too much " \
           "work? deep_rnn_forward called the reference's rnn_forward)" in problem


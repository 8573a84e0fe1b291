"""One submission's grading leaves nothing behind in the grader's process (autograder.isolation): fresh_state puts back
every kind of process-wide state a task may change, cheaply; and three students graded one after another in one
process, a hostile one between two honest ones, get exactly what each earns."""
from __future__ import annotations

import builtins
import json
import os
import random
import sys
import textwrap
import time
import types
import warnings

import nbformat
import numpy as np
import pytest

from autograder import grading, isolation
from autograder.isolation import fresh_state
from autograder.sandbox import Limits, bwrap_available
from course import nbgrader_meta, own_sandboxes, scratch_course
from test_sandbox import AID, GRADED, KEEP_DEFINITIONS, NB, WRONG_RNN_BACKWARD

keras = pytest.importorskip("keras")

from keras.src.backend.common import global_state  # noqa: E402 - after the skip without Keras
from tensorflow.python.eager import context  # noqa: E402


def _set_env():
    os.environ["SEQUENCE_MODELS_ISOLATION_TEST"] = "1"
    os.environ["PATH"] = "/nowhere"
    os.environ.pop("HOME", None)


def _replace_builtins():
    builtins.print = lambda *args, **kwargs: None
    del builtins.open


# A change a task may make -> (make it, read the state it changes).
CHANGES = {
    "Keras's epsilon set to a tensor": (lambda: keras.config.set_epsilon(keras.ops.ones(2)),
                                        lambda: repr(keras.config.epsilon())),
    "Keras's float type": (lambda: keras.config.set_floatx("float16"), keras.config.floatx),
    "Keras's image data format": (lambda: keras.config.set_image_data_format("channels_first"),
                                  keras.config.image_data_format),
    "Keras's dtype policy": (lambda: keras.config.set_dtype_policy("mixed_float16"),
                             lambda: keras.config.dtype_policy().name),
    "Keras's epochs": (lambda: keras.config.set_max_epochs(1), keras.config.max_epochs),
    "Keras's safe mode": (keras.config.enable_unsafe_deserialization,
                          lambda: global_state.get_global_attribute("safe_mode_saving")),
    "Keras's layer names": (lambda: [keras.layers.Dense(1) for _ in range(3)],
                            lambda: dict(global_state.get_global_attribute("object_name_uids") or {})),
    "the seeds of Keras and TensorFlow": (lambda: keras.utils.set_random_seed(3),
                                          lambda: (global_state.get_global_attribute("global_random_seed"),
                                                   context.global_seed())),
    "numpy's random state": (lambda: np.random.seed(5), lambda: np.random.get_state()[1][:4].tolist()),
    "Python's random state": (lambda: random.seed(5), random.getstate),
    "numpy's error handling": (lambda: np.seterr(all="raise"), np.geterr),
    "numpy's print options": (lambda: np.set_printoptions(precision=2, threshold=5), np.get_printoptions),
    "the warnings filters": (lambda: warnings.simplefilter("error"), lambda: list(warnings.filters)),
    "the environment": (_set_env, lambda: dict(os.environ)),
    "the working directory": (lambda: os.chdir("/"), os.getcwd),
    "sys.path": (lambda: sys.path.insert(0, "/nowhere"), lambda: list(sys.path)),
    "the recursion limit": (lambda: sys.setrecursionlimit(123456), sys.getrecursionlimit),
    "the builtins": (_replace_builtins, lambda: (builtins.print, getattr(builtins, "open", None))),
    "a course module replaced": (lambda: sys.modules.__setitem__("checks.assertions", types.ModuleType("fake")),
                                 lambda: sys.modules["checks.assertions"]),
    "a module injected in a course package": (lambda: sys.modules.__setitem__("week2.injected", types.ModuleType("x")),
                                              lambda: "week2.injected" in sys.modules),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_fresh_state_undoes_the_change(change):
    make, read = CHANGES[change]
    before = read()
    with fresh_state():
        make()
        assert read() != before  # the change was made
    assert read() == before


def test_a_course_module_imported_in_a_task_stays_and_a_module_reimported_is_put_back():
    """A course file imported by a task is what the next task would import: it stays (with its caches). One imported
    anew over the one before is put back."""
    import checks.fixtures
    import week1.rnn_utils

    kept = sys.modules.pop("week1.rnn_utils")
    try:
        with fresh_state():
            import week1.rnn_utils as imported
            del sys.modules["checks.fixtures"]
            import checks.fixtures as anew
        assert sys.modules["week1.rnn_utils"] is imported and imported is not kept
        assert anew is not checks.fixtures and sys.modules["checks.fixtures"] is checks.fixtures
    finally:
        sys.modules["week1.rnn_utils"] = kept
        week1.rnn_utils = kept


def test_fresh_state_is_cheap():
    """Well under the 0.5 s a task may spend on it, with Keras loaded and a model made in the task."""
    def overhead():
        started = time.perf_counter()
        with fresh_state():
            entered = time.perf_counter()
            x = keras.Input((3,))
            keras.Model(x, keras.layers.Dense(2)(x))
            done = time.perf_counter()
        return entered - started + time.perf_counter() - done

    seconds = min(overhead() for _ in range(3))
    assert seconds < 0.1, seconds


def test_keras_first_imported_during_a_task_gets_back_the_settings_it_was_imported_with(monkeypatch):
    """As when a worker's first task imports Keras (fresh_state found it not imported): what the task set is replaced
    by what Keras takes on import (here, as nothing changed them yet, the settings this process has)."""
    imported = (keras.config.floatx(), keras.config.epsilon(), keras.config.image_data_format())
    monkeypatch.setattr(isolation, "_keras_state", lambda: None)
    with fresh_state():
        keras.config.set_floatx("float64")
        keras.config.set_epsilon(0.5)
        keras.config.set_image_data_format("channels_first")
        keras.utils.set_random_seed(1)
    assert (keras.config.floatx(), keras.config.epsilon(), keras.config.image_data_format()) == imported
    assert global_state.get_global_attribute("global_random_seed") is None

# ---------------------------------------------------------------------------- three students on one worker


MAIN_LIMITS = Limits(cell_seconds=30, wall_seconds=150, scratch_mb=64)


def _forged_payloads() -> list:
    """What the hostile notebook's kernel sends instead of its functions' results, in turn: a model in Keras's own
    form whose activation is keras.config.set_epsilon (Keras's safe mode rebuilds it; run, it changes the grader's
    epsilon), the same harm as a description, and a description whose weights would take 2 GB."""
    x = keras.Input((5,), name="x")
    model = keras.Model(x, keras.layers.Activation("relu", name="act")(keras.layers.Dense(3, name="dense")(x)))
    set_epsilon = {"module": "keras.config", "class_name": "function", "config": "set_epsilon",
                   "registered_name": "function"}
    serialized = keras.saving.serialize_keras_object(model)
    serialized["config"]["layers"][-1]["config"]["activation"] = set_epsilon
    from autograder import wire

    description = json.loads(json.dumps(wire.encode(model)))
    description["__keras__"]["layers"][-1]["layer"]["config"]["activation"] = set_epsilon
    bomb = json.loads(json.dumps(wire.encode(model)))
    bomb["__keras__"]["layers"][0]["layer"]["config"]["batch_shape"] = [None, 256, 8192]
    bomb["__keras__"]["layers"][1]["layer"] = {"class": "Conv1D", "config": {"name": "dense", "filters": 1024,
                                                                              "kernel_size": [64]}}
    return [{"__keras__": serialized, "weights": []}, description, bomb]


def _hostile_cell() -> str:
    """After the setup cell: every graded function defined (the release's stubs after it dropped), and every value
    the kernel sends the grader (a function's result; not the arguments after the call, encoded with callbacks)
    replaced by the forged payloads in turn."""
    functions = "".join(f"def {name}(*args, **kwargs):\n    return 0\n\n" for name in GRADED)
    return KEEP_DEFINITIONS + functions + textwrap.dedent(f'''
        import json
        import autograder.wire as _wire
        _forged, _turn, _real_encode = json.loads({json.dumps(json.dumps(_forged_payloads()))}), [0], _wire.encode

        def _forge(value, callbacks=None):
            if callbacks is not None:
                return _real_encode(value, callbacks)
            _turn[0] += 1
            return _forged[_turn[0] % len(_forged)]

        _wire.encode = _forge
    ''')


@pytest.fixture(scope="module")
def graded_in_turn(tmp_path_factory):
    """A scratch course of w1a1; an honest full solution, the hostile notebook, then an honest notebook with one
    wrong function, graded one after another in this process (jobs=1: the worker is this process)."""
    if not bwrap_available():
        pytest.skip("bubblewrap is not installed")
    root = scratch_course(tmp_path_factory.mktemp("isolation"), AID)
    grading.generate_release(root, [AID])
    source = nbformat.read(root / "source" / AID / NB, as_version=4)
    release = nbformat.read(root / "release" / AID / NB, as_version=4)
    hostile = nbformat.from_dict(json.loads(json.dumps(release)))
    setup_at = next(i for i, c in enumerate(hostile.cells) if nbgrader_meta(c).get("grade_id") == "setup") + 1
    hostile.cells.insert(setup_at, nbformat.v4.new_code_cell(_hostile_cell()))
    one_wrong = nbformat.from_dict(json.loads(json.dumps(source)))
    next(c for c in one_wrong.cells if nbgrader_meta(c).get("grade_id") == "rnn_backward").source += \
        "\n" + WRONG_RNN_BACKWARD
    students = {"a_honest": source, "b_hostile": hostile, "c_one_wrong": one_wrong}
    for student, nb in students.items():
        path = root / "submitted" / student / AID / NB
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    with own_sandboxes(tmp_path_factory.mktemp("sandboxes")):
        reports = {r.student: r for r in grading.autograde(root, AID, list(students), jobs=1, limits=MAIN_LIMITS)}
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
              if nbgrader_meta(c).get("grade")}
    outputs = {student: json.dumps([c.get("outputs", []) for c in nbformat.read(
        root / "autograded" / student / AID / NB, as_version=4).cells]) for student in students}
    return {"reports": reports, "points": points, "outputs": outputs,
            "scores": {student: grading.scores(root, AID, student) for student in students},
            "epsilon": keras.config.epsilon(), "floatx": keras.config.floatx()}


def test_every_student_is_graded(graded_in_turn):
    for student, report in graded_in_turn["reports"].items():
        assert report.graded and report.status == "graded", (student, report.problems)
        assert not any("not graded" in p for p in report.problems), report.problems


def test_the_honest_students_get_what_they_earn_before_and_after_the_hostile_one(graded_in_turn):
    points, scores = graded_in_turn["points"], graded_in_turn["scores"]
    assert sum(points.values()) == 25
    assert scores["a_honest"] == points
    assert scores["c_one_wrong"] == dict(points, rnn_backward_tests=0)


def test_the_forged_payloads_are_refused_and_earn_nothing(graded_in_turn):
    assert sum(graded_in_turn["scores"]["b_hostile"].values()) == 0
    outputs = graded_in_turn["outputs"]["b_hostile"]
    assert "names Python code to load" in outputs          # Keras's own form
    assert "not one of the activations the grader accepts" in outputs  # the description naming set_epsilon
    assert "weights do not match its layers" in outputs     # the 2 GB of weights
    assert graded_in_turn["epsilon"] == 1e-7 and graded_in_turn["floatx"] == "float32"

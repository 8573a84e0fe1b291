"""The shared check helpers: messages a student can act on, and a trustworthy numerical gradient."""
import numpy as np
import pytest

from checks import assertions as checks
from checks.assertions import CheckFailed
from checks.paths import ENV_VAR, data_path


def test_type_shape_value_messages_say_expected_and_got():
    with pytest.raises(CheckFailed, match=r"a: expected a ndarray but got a list"):
        checks.check_shape("a", [1, 2], (2,))
    with pytest.raises(CheckFailed, match=r"expected shape \(2, 3\) but got shape \(3, 2\).*transposed"):
        checks.check_shape("a", np.zeros((3, 2)), (2, 3))
    with pytest.raises(CheckFailed, match=r"expected 1\.0 at index \(1,\) but got 5\.0"):
        checks.check_close("a", np.array([0.0, 5.0]), np.array([0.0, 1.0]))
    checks.check_close("a", np.array([0.0, 1.0 + 1e-12]), np.array([0.0, 1.0]))


def test_check_close_names_a_known_mistake():
    expected, wrong = np.array([1.0, 2.0]), np.array([2.0, 1.0])
    with pytest.raises(CheckFailed, match="likely cause: the order is reversed"):
        checks.check_close("a", wrong, expected, mistakes={"the order is reversed": wrong})


def test_tuple_and_keys():
    with pytest.raises(CheckFailed, match=r"expected 3 values \(a, y, cache\) but got 2 values"):
        checks.check_tuple("f(...)", (1, 2), 3, ["a", "y", "cache"])
    with pytest.raises(CheckFailed, match=r"missing \['db'\]"):
        checks.check_keys("grads", {"dW": 1}, ["dW", "db"])


def test_call_passes_not_implemented_through_and_explains_crashes():
    def unfinished():
        raise NotImplementedError("not yet")

    def crashes():
        return np.zeros((2, 3)) @ np.zeros((2, 3))

    with pytest.raises(NotImplementedError):
        checks.call(unfinished)
    with pytest.raises(CheckFailed, match=r"crashes raised ValueError.*transposed"):
        checks.call(crashes)


def test_numerical_gradient_matches_a_known_derivative():
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    num = checks.numerical_gradient(lambda: float(np.sum(np.sin(x) * x)), x)
    exact = np.cos(x) * x + np.sin(x)
    assert checks.relative_error(num, exact) < 1e-9
    checks.check_gradient("dx", exact, num)
    with pytest.raises(CheckFailed, match="relative error"):
        checks.check_gradient("dx", 2 * exact, num)


def test_data_path_is_overridable_and_explains_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    (tmp_path / "x.txt").write_text("hi")
    assert data_path("x.txt") == tmp_path / "x.txt"
    with pytest.raises(FileNotFoundError, match=f"Course data not found.*{ENV_VAR}"):
        data_path("missing", "names.txt")


def test_a_failure_is_one_sentence_in_a_notebook_without_internal_frames():
    """In a kernel a failed check shows its sentence only; a crash names the student's line; an unfinished
    exercise keeps its NotImplementedError and says so in one line."""
    import nbformat
    from nbclient import NotebookClient

    cells = ["import numpy as np\nfrom week1.rnn_utils import softmax\n"
             "from week1.rnn_checks import check_rnn_cell_forward, check_rnn_forward",
             "def rnn_cell_forward(xt, a_prev, parameters):\n"
             "    a_next = np.tanh(parameters['Waa'] @ a_prev + parameters['Wax'] @ xt)\n"
             "    return a_next, softmax(parameters['Wya'] @ a_next + parameters['by']), (a_next, a_prev, xt, parameters)\n"
             "check_rnn_cell_forward(rnn_cell_forward)",
             "def rnn_forward(x, a0, parameters):\n    raise NotImplementedError('Not implemented yet: write it')\n"
             "check_rnn_forward(rnn_forward)",
             "def rnn_forward(x, a0, parameters):\n    return x[0] @ a0\ncheck_rnn_forward(rnn_forward)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    NotebookClient(nb, kernel_name="python3", allow_errors=True, timeout=120).execute()
    (bias,), (unfinished,), (crash,) = ([o for o in c.outputs if o.output_type == "error"] for c in nb.cells[1:])
    assert bias.traceback == ["\u2718 a_next: wrong values, exactly those a known mistake gives; "
                              "likely cause: the bias ba is missing."]
    assert unfinished.ename == "NotImplementedError"
    assert unfinished.traceback == ["\u2718 rnn_forward: Not implemented yet: write it"]
    assert len(crash.traceback) == 1 and "line 2 of its cell: `return x[0] @ a0`" in crash.traceback[0]


def test_a_value_computed_in_float32_is_held_to_single_precision_and_a_mistake_still_fails():
    """A correct computation in float32 differs from the float64 answer by rounding (about 1e-7 of the terms), more
    than 1e-6 of a small element; it passes. The same mistake in float32 still fails, and so does float64 rounding
    noise ten times the float32 tolerance."""
    from week1 import rnn_checks
    from week1.rnn_utils import softmax

    def rnn_cell_forward_float32(xt, a_prev, p):
        p32 = {k: np.asarray(v, np.float32) for k, v in p.items()}
        a_next = np.tanh(p32["Wax"] @ xt.astype(np.float32) + p32["Waa"] @ a_prev.astype(np.float32) + p32["ba"])
        return a_next, softmax(p32["Wya"] @ a_next + p32["by"]), (a_next, a_prev, xt, p)

    case = rnn_checks.FIXTURES.case("rnn_cell_forward", n_x=3, n_a=5, n_y=2, m=10, seed=1)
    xt, a_prev, p = rnn_checks.rnn_cell_inputs(3, 5, 2, 10, 1)
    a32 = rnn_cell_forward_float32(xt, a_prev, p)[0]
    expected = case["expected"]["a_next"]
    assert not np.allclose(a32, expected, rtol=1e-6, atol=1e-8)  # the float64 tolerance would fail it
    rnn_checks.check_rnn_cell_forward(rnn_cell_forward_float32)
    checks.check_close("a_next", a32, expected)
    with pytest.raises(CheckFailed, match="a_next: expected"):
        checks.check_close("a_next", (a32 * 1.001).astype(np.float32), expected)
    with pytest.raises(CheckFailed):
        checks.check_close("a_next", expected + 1e-4 * np.abs(expected).max(), expected)


def test_the_value_shown_is_the_one_outside_the_tolerance_not_the_largest_difference():
    expected = np.array([1000.0, 0.001])
    value = np.array([1000.0 + 1e-4, 0.002])  # 1e-4 at 1000 is within rtol 1e-6; 0.001 at 0.001 is not
    with pytest.raises(CheckFailed, match=r"expected 0\.001 at index \(1,\) but got 0\.002"):
        checks.check_close("a", value, expected)

"""w3a3 Speech to digits with CTC: the stored values agree with independent computations (the sum over every path,
central differences, keras.ops.ctc_loss and ctc_decode); the checks accept the reference and the notebook's
solutions on every seed and other honest ways of writing them, reject each classic mistake naming its cause, and
need no reference for the public part; one bug costs one function's points."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import keras
from autograder.reference import w3a3_ctc as ref
from checks import fixtures
from checks.assertions import CheckFailed
from course import nbgrader_meta
from notebook_code import notebook_fixtures, public_only, run_test_cell
from week3 import ctc_checks as checks

AID = "w3a3_ctc"
sol, notebook = notebook_fixtures(AID, names=("sol", "notebook"))
NUMPY_FUNCTIONS = [name for name in ref.GRADED if name != "build_recognizer"]
VARIANTS = {"extend_with_blanks": (ref._extend_variant, ref.EXTEND_MISTAKES),
            "ctc_forward": (ref._forward_variant, ref.FORWARD_MISTAKES),
            "ctc_backward": (ref._backward_variant, ref.BACKWARD_MISTAKES),
            "ctc_gradient": (ref._gradient_variant, ref.GRADIENT_MISTAKES),
            "collapse": (ref._collapse_variant, ref.COLLAPSE_MISTAKES),
            "greedy_decode": (ref._greedy_variant, ref.GREEDY_MISTAKES),
            "prefix_beam_search": (ref._beam_variant, ref.BEAM_MISTAKES),
            "best_path_alignment": (ref._alignment_variant, ref.ALIGNMENT_MISTAKES),
            "edit_distance": (ref._edit_variant, ref.EDIT_MISTAKES)}


def _check(name: str):
    return getattr(checks, f"check_{name}")


def brute_force_log_p(log_probs, labels, blank=0) -> float:
    """log p(labels | x) as the sum over every one of the K^T paths that collapses to the labels."""
    T, K = log_probs.shape
    total = -np.inf
    for path in itertools.product(range(K), repeat=T):
        if ref.collapse(path, blank) == list(labels):
            total = np.logaddexp(total, log_probs[np.arange(T), list(path)].sum())
    return float(total)


def _small_trellis_inputs():
    inputs = list(checks.trellis_inputs())
    for seed in range(8):
        inputs += checks.trellis_inputs(seed) + checks.gradient_inputs(seed) + checks.alignment_inputs(seed)
    return [(lp, labels, blank) for lp, labels, blank in inputs if lp.shape[1] ** lp.shape[0] <= 50_000]

# ---------------------------------------------------------------------------- the reference, independently


def test_the_loss_is_the_sum_over_every_path():
    inputs = _small_trellis_inputs()
    assert len(inputs) > 40 and any(np.isinf(ref.ctc_forward(*case)[1]) for case in inputs)
    for log_probs, labels, blank in inputs:
        _, loss = ref.ctc_forward(log_probs, labels, blank)
        exact = brute_force_log_p(log_probs, labels, blank)
        assert (np.isinf(loss) and exact == -np.inf) or np.isclose(loss, -exact, rtol=1e-12), (labels, blank)


def test_every_frame_of_alpha_and_beta_sums_to_the_same_probability():
    for log_probs, labels, blank in _small_trellis_inputs() + checks.trellis_inputs():
        log_alpha, loss = ref.ctc_forward(log_probs, labels, blank)
        if not np.isfinite(loss):
            continue
        extended, _ = ref.extend_with_blanks(labels, blank)
        through = np.logaddexp.reduce(log_alpha + ref.ctc_backward(log_probs, labels, blank)
                                      - log_probs[:, extended], axis=1)
        assert np.allclose(through, -loss, rtol=1e-10)


def test_the_gradient_matches_central_differences():
    def loss_of(z, labels, blank):
        return ref.ctc_forward(checks.log_softmax(z), labels, blank)[1]

    rng = np.random.default_rng(3)
    for _, labels, blank in checks.gradient_inputs() + checks.gradient_inputs(1) + checks.gradient_inputs(2):
        K = max(max(labels, default=0), blank) + 2
        T = checks.min_frames(labels) + 2
        z = rng.standard_normal((T, K))
        numeric = np.zeros_like(z)
        for t, k in itertools.product(range(T), range(K)):
            step = np.zeros_like(z)
            step[t, k] = 1e-6
            numeric[t, k] = (loss_of(z + step, labels, blank) - loss_of(z - step, labels, blank)) / 2e-6
        analytic = ref.ctc_gradient(checks.log_softmax(z), labels, blank)
        assert np.abs(analytic - numeric).max() < 1e-6
        assert np.allclose(analytic.sum(axis=1), 0.0, atol=1e-12)
    impossible = [case for case in checks.gradient_inputs() if np.isinf(ref.ctc_forward(*case)[1])]
    assert impossible and all(np.isnan(ref.ctc_gradient(*case)).all() for case in impossible)


def test_the_loss_agrees_with_keras_and_so_does_greedy_decoding():
    """keras.ops.ctc_loss takes logits, a padded batch with lengths, and its blank as mask_index; ctc_decode too."""
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(5, 20, 6)).astype(np.float32)
    targets = [[1, 2, 2], [5], [3, 3, 3, 1], [4, 1, 4, 1, 4, 1], [2, 5]]
    frames = np.array([20, 9, 15, 18, 2])
    padded = np.zeros((5, 6), dtype=np.int32)
    for i, target in enumerate(targets):
        padded[i, :len(target)] = target
    theirs = keras.ops.convert_to_numpy(keras.ops.ctc_loss(padded, logits, np.array([len(t) for t in targets]),
                                                           frames, mask_index=0))
    ours = [ref.ctc_forward(checks.log_softmax(logits[i, :frames[i]]), targets[i])[1] for i in range(5)]
    assert np.allclose(ours, theirs, rtol=1e-4)
    decoded, _ = keras.ops.ctc_decode(logits, frames, strategy="greedy", mask_index=0)
    decoded = keras.ops.convert_to_numpy(decoded[0])
    for i in range(5):
        assert [int(k) for k in decoded[i] if k > 0] == ref.greedy_decode(checks.log_softmax(logits[i, :frames[i]]))


def test_the_beam_never_scores_above_the_exact_probability_and_equals_it_unpruned():
    rng = np.random.default_rng(5)
    for _ in range(40):
        T, K = int(rng.integers(1, 7)), int(rng.integers(2, 5))
        log_probs = checks.random_log_probs(rng, T, K, 1.5)
        for width in (1, 2, 4):
            labels, score = ref.prefix_beam_search(log_probs, width)
            exact = -ref.ctc_forward(log_probs, list(labels))[1]
            assert score <= exact + 1e-12
        labels, score = ref.prefix_beam_search(log_probs, 10_000)   # nothing pruned: every prefix's exact mass
        assert np.isclose(score, -ref.ctc_forward(log_probs, list(labels))[1])
        best = max((brute_force_log_p(log_probs, list(p)), p) for n in range(T + 1)
                   for p in itertools.product(range(1, K), repeat=n))
        assert np.isclose(score, best[0]) and list(labels) == list(best[1])


def test_the_alignment_is_the_best_path_that_spells_the_labels():
    for log_probs, labels, blank in _small_trellis_inputs():
        frames = ref.best_path_alignment(log_probs, labels, blank)
        T, K = log_probs.shape
        paths = [p for p in itertools.product(range(K), repeat=T) if ref.collapse(p, blank) == list(labels)]
        if not paths:
            assert frames is None
            continue
        best = max(log_probs[np.arange(T), list(p)].sum() for p in paths)
        path = np.full(T, blank)
        for label, fs in zip(labels, frames):
            path[fs] = label
        assert ref.collapse(path, blank) == list(labels)
        assert np.isclose(log_probs[np.arange(T), path].sum(), best)


def test_the_edit_distance_is_levenshteins():
    cases = {("kitten", "sitting"): 3, ("flaw", "lawn"): 2, ("", "abc"): 3, ("intention", "execution"): 5,
             ("ab", "ba"): 2, ("same", "same"): 0}
    for (a, b), distance in cases.items():
        assert ref.edit_distance(a, b) == distance == ref.edit_distance(b, a)

# ---------------------------------------------------------------------------- the checks accept right answers


def test_every_graded_cell_passes_on_the_solution_hidden_tests_included(sol, notebook):
    graded = [c for c in notebook.cells if nbgrader_meta(c).get("grade")]
    assert [nbgrader_meta(c)["grade_id"] for c in graded] == [f"{name}_tests" for name in ref.GRADED]
    assert [nbgrader_meta(c)["points"] for c in graded] == [1, 3, 2, 3, 1, 1, 3, 2, 1, 2]
    for cell in graded:
        assert run_test_cell(sol, notebook, nbgrader_meta(cell)["grade_id"])


@pytest.mark.parametrize("seed", [None, 0, 3, 8, 13, 21, 34])
def test_the_checks_accept_the_reference_and_the_solution(sol, seed, capsys):
    for name in NUMPY_FUNCTIONS:
        _check(name)(ref.GRADED[name], seed=seed)
        _check(name)(sol[name], seed=seed)
    capsys.readouterr()


def test_the_recogniser_check_accepts_the_reference_and_the_solution(sol, capsys):
    for seed in (None, 1):
        checks.check_build_recognizer(ref.build_recognizer, seed=seed)
        checks.check_build_recognizer(sol["build_recognizer"], seed=seed)
    capsys.readouterr()


def test_other_honest_ways_pass(capsys):
    """Loops over the states instead of shifted rows, lists instead of arrays, a float32 table, np.int64 results,
    a beam that stores probabilities per prefix in two dicts, -1e30 for log 0: all within the contract."""
    def forward_loops(log_probs, labels, blank=0):
        extended, skip = ref.extend_with_blanks(labels, blank)
        T, S = len(log_probs), len(extended)
        a = np.full((T, S), -1e30)
        a[0, 0] = log_probs[0][extended[0]]
        if S > 1:
            a[0, 1] = log_probs[0][extended[1]]
        for t in range(1, T):
            for s in range(S):
                ways = [a[t - 1, s]] + ([a[t - 1, s - 1]] if s else []) + ([a[t - 1, s - 2]] if skip[s] else [])
                top = max(ways)
                a[t, s] = (top + np.log(sum(np.exp(w - top) for w in ways)) if top > -1e29 else -1e30) \
                    + log_probs[t][extended[s]]
        ends = [a[-1, -1]] + ([a[-1, -2]] if S > 1 else [])
        top = max(ends)
        return a, (float("inf") if top <= -1e29 else float(-(top + np.log(sum(np.exp(e - top) for e in ends)))))

    def extend_lists(labels, blank=0):
        extended = [blank]
        for k in labels:
            extended += [int(k), blank]
        return extended, [s >= 3 and s % 2 == 1 and extended[s] != extended[s - 2] for s in range(len(extended))]

    def edit_numpy_int(a, b):
        return np.int64(ref.edit_distance(a, b))

    def greedy_array(log_probs, blank=0):
        return np.array(ref.greedy_decode(log_probs, blank), dtype=np.int32)

    for seed in (None, 2, 9):
        checks.check_ctc_forward(forward_loops, seed=seed)
        checks.check_extend_with_blanks(extend_lists, seed=seed)
        checks.check_edit_distance(edit_numpy_int, seed=seed)
        checks.check_greedy_decode(greedy_array, seed=seed)
    capsys.readouterr()


def test_the_public_checks_need_no_reference(sol, notebook, monkeypatch):
    monkeypatch.setattr(fixtures, "reference", lambda aid: None)
    public = public_only(notebook)
    for cell in public.cells:
        if nbgrader_meta(cell).get("grade"):
            assert run_test_cell(sol, public, nbgrader_meta(cell)["grade_id"])
    with pytest.raises(CheckFailed, match="no stored expected values"):
        checks.check_ctc_forward(sol["ctc_forward"], seed=3)


def test_one_bug_costs_one_functions_points(sol):
    """Where the reference is installed it stands in for the graded functions a function calls: a broken
    extend_with_blanks, forward pass or collapse fails only its own check."""
    broken = dict(sol)

    def unfinished(*args, **kwargs):
        raise NotImplementedError("Not implemented yet")

    namespace = sol["ctc_gradient"].__globals__
    saved = {name: namespace[name] for name in ("extend_with_blanks", "ctc_forward", "ctc_backward", "collapse")}
    try:
        namespace.update({name: unfinished for name in saved})
        for name in ("ctc_forward", "ctc_backward", "ctc_gradient", "greedy_decode", "best_path_alignment"):
            _check(name)(broken[name])
    finally:
        namespace.update(saved)
    assert ref.STAND_INS["ctc_gradient"] == {"ctc_forward": 1, "ctc_backward": 1, "extend_with_blanks": 3}

# ---------------------------------------------------------------------------- wrong versions are named


@pytest.mark.parametrize("name", list(VARIANTS))
def test_every_classic_mistake_fails_and_is_named(name, capsys):
    variant, table = VARIANTS[name]
    for mistake, cause in table.items():
        def wrong(*args, _m=mistake):
            return variant(*args, mistake=_m)
        with np.errstate(all="ignore"), pytest.raises(CheckFailed) as failed:
            _check(name)(wrong)
        assert cause in str(failed.value), (mistake, str(failed.value))
    capsys.readouterr()


def test_a_beam_that_counts_paths_twice_is_caught_by_the_exact_bound():
    def double(log_probs, beam_width, blank=0):
        labels, score = ref.prefix_beam_search(log_probs, beam_width, blank)
        return labels, score + np.log(2.0)
    with pytest.raises(CheckFailed, match="above the exact log-probability"):
        checks.check_prefix_beam_search(double)


def test_a_linear_space_forward_pass_underflows_on_the_long_input():
    def linear(log_probs, labels, blank=0):
        return ref._forward_variant(log_probs, labels, blank, "linear")
    with np.errstate(all="ignore"), pytest.raises(CheckFailed, match="underflowed"):
        checks.check_ctc_forward(linear)
    long_case = checks.trellis_inputs()[-1]
    assert long_case[0].shape[0] >= checks.LONG_FRAMES and np.isfinite(ref.ctc_forward(*long_case)[1])


def test_the_recogniser_check_names_a_softmax_and_a_wrong_stride(capsys):
    def softmax_output(input_shape, n_classes):
        model = ref.build_recognizer(input_shape, n_classes)
        return keras.Model(model.inputs, keras.layers.Softmax()(model.outputs[0]))

    def stride_4(input_shape, n_classes):
        x_input = keras.Input(shape=input_shape)
        x = keras.layers.Conv1D(128, kernel_size=11, strides=4, padding="same")(x_input)
        x = keras.layers.Dropout(0.2)(keras.layers.Activation("relu")(keras.layers.BatchNormalization()(x)))
        x = keras.layers.Bidirectional(keras.layers.GRU(128, return_sequences=True))(x)
        x = keras.layers.Bidirectional(keras.layers.GRU(128, return_sequences=True))(x)
        return keras.Model(x_input, keras.layers.Dense(n_classes)(x))

    with pytest.raises(CheckFailed, match="takes logits"):
        checks.check_build_recognizer(softmax_output)
    with pytest.raises(CheckFailed, match="a stride of 2"):
        checks.check_build_recognizer(stride_4)


def test_every_graded_function_has_probes_mistakes_and_stored_cases():
    stored = fixtures.Fixtures(AID).stored()
    for name in ref.GRADED:
        assert len(ref.MISTAKES[name]) >= 3 and ref.PROBES[name](np.random.default_rng(0)), name
        assert name in stored, name
    public = checks.trellis_inputs()
    assert any(np.isinf(ref.ctc_forward(*case)[1]) for case in public)        # an impossible target
    assert any(labels == [] for _, labels, _ in public)                         # no label at all
    assert any(blank != 0 for _, _, blank in public)                            # another blank
    assert any(a == b for _, labels, _ in public for a, b in zip(labels, labels[1:]))   # a repeat

"""Public checks of the CTC notebook (w3a3, speech to digits).

Each ``check_*`` takes the student's function. With ``seed=None`` it runs the public inputs; with an integer ``seed``
it draws other inputs (other lengths and alphabets, repeated labels, a blank other than 0, targets too long for
their input); the hidden tests use those. The inputs are drawn here; what a correct function returns on them, and
what each classic mistake returns (to name it), is looked up in ``week3/fixtures/w3a3_ctc.json`` for the public
inputs (see :mod:`checks.fixtures`). A check goes type -> shape -> values, names the likely mistake, and prints one
line when everything passes.

The stored values of the loss were checked against the brute-force oracle, the sum over every path of T frames
that collapses to the labels (the course's tests enumerate them), and against ``keras.ops.ctc_loss``; the stored
gradients against central differences of the loss. One bug costs one function's points: where a function may use
another graded function (``ctc_gradient`` the forward and backward passes, ``greedy_decode`` ``collapse``), the
grader lends it the instructor's.

Log-probabilities: a state no path reaches has log-probability -inf (``np.log(0)``); any value below
``UNREACHABLE`` counts as -inf.
"""
from __future__ import annotations

import numpy as np

import keras
from checks.assertions import CheckFailed, call, check_close, check_tuple, passed
from checks.fixtures import Fixtures
from checks.keras_models import (build, check_activation, check_input, check_layer_config, check_layer_sequence,
                                 check_model, check_output_shape, check_param_counts, check_return_sequences,
                                 layers_of)

AID = "w3a3_ctc"
FIXTURES = Fixtures(AID)
UNREACHABLE = -1e6
#: Inputs of more frames than this are checked by their tables' end rows (log_alpha's last, log_beta's first) and
#: loss only: the stored cases stay small.
LONG_FRAMES = 300

N_FEATURES, N_CLASSES = 40, 11           # the notebook's features (log-mel bands) and classes (blank + 10 digits)
CONV_FILTERS, CONV_KERNEL, CONV_STRIDES = 128, 11, 2
GRU_UNITS, DROPOUT_RATE = 128, 0.2


def _fail(message: str):
    raise CheckFailed(message)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log softmax over the last axis (float64)."""
    z = np.asarray(z, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def random_log_probs(rng, T: int, K: int, sharpness: float = 1.0) -> np.ndarray:
    """(T, K) log-probabilities: the log-softmax of normal logits times ``sharpness``."""
    return log_softmax(sharpness * rng.standard_normal((T, K)))


def _labels_with_repeats(rng, U: int, K: int, blank: int) -> list[int]:
    classes = [k for k in range(K) if k != blank]
    labels = [int(rng.choice(classes))]
    while len(labels) < U:
        labels.append(labels[-1] if rng.random() < 0.3 else int(rng.choice(classes)))
    return labels[:U]


def _blank_and_alphabet(rng) -> tuple[int, int]:
    K = int(rng.integers(3, 7))
    return (0 if rng.random() < 0.6 else int(rng.integers(1, K))), K


def min_frames(labels) -> int:
    """The fewest frames a path for ``labels`` needs: one per label, and a blank between equal neighbours."""
    labels = list(labels)
    return len(labels) + sum(a == b for a, b in zip(labels, labels[1:]))


def _as_list(name: str, value, what: str) -> list:
    """A sequence of ints (list, tuple or 1-D integer array) as a list of ints."""
    if isinstance(value, np.ndarray) and value.ndim == 1 and (value.size == 0 or np.issubdtype(value.dtype,
                                                                                               np.integer)):
        return [int(v) for v in value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                for v in value):
        return [int(v) for v in value]
    _fail(f"{name}: expected {what} as a list of ints but got {type(value).__name__} "
          f"{str(value)[:80]}. Return the class ids as plain ints in a list.")


def _named(got, mistakes: dict, same) -> str | None:
    return next((cause for cause, wrong in mistakes.items() if same(got, wrong)), None)


def _unwrap(value):
    return value.item() if isinstance(value, np.generic) else value


# ---------------------------------------------------------------------------- extend_with_blanks


def extend_inputs(seed=None) -> list[tuple[list[int], int]]:
    """(labels, blank) pairs: distinct labels, repeats (two and three in a row), no label, one label, and a blank
    other than 0; or seeded random ones."""
    if seed is None:
        return [([3, 1, 4], 0), ([2, 2, 5, 5, 5, 1], 0), ([], 0), ([7], 0), ([0, 1, 1, 2], 3)]
    rng = np.random.default_rng(100 + seed)
    out = []
    for _ in range(3):
        blank, K = _blank_and_alphabet(rng)
        out.append((_labels_with_repeats(rng, int(rng.integers(0, 7)), K, blank), blank))
    return out


def _same_array(got, want) -> bool:
    got = np.asarray(got)
    want = np.asarray(want)
    return got.shape == want.shape and np.array_equal(got, want)


def check_extend_with_blanks(extend_with_blanks, seed=None):
    """extend_with_blanks(labels, blank) -> (extended (2U+1,), skip_allowed (2U+1,) bool)."""
    name = "extend_with_blanks"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(extend_with_blanks, name):
        for (labels, blank), stored in zip(extend_inputs(seed), case["cases"]):
            label = f"{name}({labels}, blank={blank})"
            got = call(extend_with_blanks, list(labels), blank, name=name)
            check_tuple(label, got, 2, ["extended", "skip_allowed"])
            extended, skip = (np.asarray(v) for v in got)
            want_ext, want_skip = stored["extended"], stored["skip_allowed"]
            if extended.shape != want_ext.shape or not np.array_equal(extended, want_ext):
                cause = _named(extended, stored["mistakes"]["extended"], _same_array)
                _fail(f"extended of {label}: expected {want_ext.tolist()} but got {extended.tolist()}; likely cause: "
                      + (cause or "a blank goes before the first label, between every two labels and after the "
                                  "last: 2U + 1 states (section 1)."))
            if extended.size and not np.issubdtype(extended.dtype, np.integer):
                _fail(f"extended of {label}: expected an integer array but got dtype {extended.dtype}; likely cause: "
                      "the states hold class ids, which index the columns of log_probs: keep them integers.")
            if skip.shape != want_skip.shape or not (skip.dtype == bool or np.isin(skip, (0, 1)).all()):
                _fail(f"skip_allowed of {label}: expected {want_skip.shape[0]} True/False values but got "
                      f"{skip.shape} {skip.dtype}; likely cause: one flag per state of extended.")
            if not np.array_equal(skip.astype(bool), want_skip):
                cause = _named(skip.astype(bool), stored["mistakes"]["skip_allowed"], _same_array)
                _fail(f"skip_allowed of {label}: expected {want_skip.astype(int).tolist()} (1 = True) but got "
                      f"{skip.astype(int).tolist()}; likely cause: "
                      + (cause or "a state may be entered from two states back only when it holds a label that "
                                  "differs from the label two states back (section 1)."))
    passed(name)


# ---------------------------------------------------------------------------- the forward and backward passes


def trellis_inputs(seed=None) -> list[tuple[np.ndarray, list[int], int]]:
    """(log_probs, labels, blank) triples: two labels, a repeat that needs a blank between, a repeat with exactly
    enough frames, a repeat with too few (impossible), no labels, a blank other than 0, and a long input whose
    probabilities underflow outside log space; or seeded random ones (some impossible)."""
    rng = np.random.default_rng(7 if seed is None else 200 + seed)
    if seed is None:
        long_labels = _labels_with_repeats(rng, 12, 6, 0)
        return [(random_log_probs(rng, 7, 4), [1, 2, 3], 0),
                (random_log_probs(rng, 6, 3), [1, 1], 0),
                (random_log_probs(rng, 5, 4), [2, 2, 3], 0),
                (random_log_probs(rng, 2, 3), [1, 1], 0),
                (random_log_probs(rng, 4, 3), [], 0),
                (random_log_probs(rng, 6, 4), [0, 1, 1], 3),
                (random_log_probs(rng, LONG_FRAMES, 6, sharpness=3.0), long_labels, 0)]
    out = []
    for _ in range(4):
        blank, K = _blank_and_alphabet(rng)
        labels = _labels_with_repeats(rng, int(rng.integers(0, 5)), K, blank)
        T = max(1, min_frames(labels) + int(rng.integers(-1, 4)))
        out.append((random_log_probs(rng, T, K), labels, blank))
    return out


def _finite_close(a, b, rtol=1e-6, atol=1e-8) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        return False
    a, b = np.where(a < UNREACHABLE, -np.inf, a), np.where(b < UNREACHABLE, -np.inf, b)
    same_inf = np.array_equal(np.isneginf(a), np.isneginf(b)) and np.array_equal(np.isposinf(a), np.isposinf(b))
    if not same_inf or np.isnan(a).any() != np.isnan(b).any():
        return False
    mask = np.isfinite(a) & np.isfinite(b)
    return bool(np.allclose(a[mask], b[mask], rtol=rtol, atol=atol))


def _check_table(label: str, what: str, got, want, mistakes: dict, default_cause: str):
    """A (T, S) table of log-probabilities against the stored one: shape, the unreachable states, the values."""
    got = np.asarray(got, dtype=np.float64) if not isinstance(got, np.ndarray) else got
    if got.shape != want.shape:
        hint = ("The axes are swapped: rows are frames t, columns states s." if got.shape == want.shape[::-1]
                else "one row per frame of log_probs, one column per state of the extended labels (2U + 1).")
        _fail(f"{what} of {label}: expected shape {want.shape} but got {got.shape}; likely cause: {hint}")
    if _finite_close(got, want):
        return
    cause = _named(got, mistakes, _finite_close)
    if cause is None and np.isneginf(np.where(got < UNREACHABLE, -np.inf, got)).all() and np.isfinite(want).any():
        cause = ("every state is -inf: the probabilities underflowed; work in log space: add log-probabilities, and "
                 "combine paths with a log-sum-exp (np.logaddexp), never with exp and a product.")
    g = np.where(got < UNREACHABLE, -np.inf, got)
    bad = ~((np.isneginf(g) & np.isneginf(want)) | np.isclose(g, want, rtol=1e-6, atol=1e-8))
    t, s = (int(i) for i in np.argwhere(bad)[0])
    _fail(f"{what} of {label}: expected {want[t, s]!r} at [t={t}, s={s}] but got {g[t, s]!r}; likely cause: "
          + (cause or default_cause))


def _check_loss(label, loss, want, mistakes: dict, default_cause: str):
    loss = _unwrap(loss)
    if isinstance(loss, np.ndarray) and loss.size == 1:
        loss = loss.item()
    if not isinstance(loss, (float, int)) or isinstance(loss, bool):
        _fail(f"loss of {label}: expected a single number but got {type(loss).__name__}; likely cause: the loss is "
              "-log p(labels | x), one float, from the two end states at the last frame.")
    if np.isinf(want):
        if loss == np.inf:
            return
        _fail(f"loss of {label}: expected inf (no path of {label.split('T=')[-1].split(',')[0]} frames can produce "
              f"these labels) but got {loss!r}; likely cause: the impossible target's probability is 0, so its "
              "loss is -log 0 = inf; keep unreachable states at -inf.")
    if np.isclose(loss, want, rtol=1e-6, atol=1e-8):
        return
    cause = _named(loss, mistakes, lambda a, b: np.isclose(a, b, rtol=1e-6, atol=1e-8) or (np.isinf(a) and a == b))
    _fail(f"loss of {label}: expected {want!r} but got {loss!r}; likely cause: " + (cause or default_cause))


def _trellis_label(name, log_probs, labels, blank) -> str:
    T, K = log_probs.shape
    shown = labels if len(labels) <= 8 else f"{len(labels)} labels"
    return f"{name}(log_probs of T={T}, K={K}, labels={shown}, blank={blank})"


FORWARD_CAUSE = ("log_alpha[t, s] = logsumexp(log_alpha[t-1, s], log_alpha[t-1, s-1], and log_alpha[t-1, s-2] where "
                 "skip_allowed[s]) + log_probs[t, extended[s]]; frame 0 starts in state 0 or 1 (section 2).")


def check_ctc_forward(ctc_forward, seed=None):
    """ctc_forward(log_probs, labels, blank) -> (log_alpha (T, 2U+1), loss)."""
    name = "ctc_forward"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(ctc_forward, name):
        for (log_probs, labels, blank), stored in zip(trellis_inputs(seed), case["cases"]):
            label = _trellis_label(name, log_probs, labels, blank)
            got = call(ctc_forward, log_probs.copy(), list(labels), blank, name=name)
            check_tuple(label, got, 2, ["log_alpha", "loss"])
            log_alpha, loss = got
            if log_probs.shape[0] >= LONG_FRAMES:
                log_alpha = np.asarray(log_alpha, dtype=np.float64)
                if log_alpha.ndim != 2 or log_alpha.shape[0] != log_probs.shape[0]:
                    _fail(f"log_alpha of {label}: expected shape ({log_probs.shape[0]}, {2 * len(labels) + 1}) but "
                          f"got {log_alpha.shape}; likely cause: one row per frame, one column per state.")
                log_alpha = log_alpha[-1:]
            _check_table(label, "log_alpha", log_alpha, stored["log_alpha"], stored["mistakes"]["log_alpha"],
                         FORWARD_CAUSE)
            _check_loss(label, loss, stored["loss"], stored["mistakes"]["loss"],
                        "loss = -logsumexp(log_alpha[T-1, S-1], log_alpha[T-1, S-2]): a path may end on the last "
                        "label or on the blank after it (section 2).")
    passed(name)


BACKWARD_CAUSE = ("log_beta[t, s] = logsumexp(log_beta[t+1, s], log_beta[t+1, s+1], and log_beta[t+1, s+2] where "
                  "skip_allowed[s+2]) + log_probs[t, extended[s]]; the last frame ends in state S-1 or S-2 "
                  "(section 3).")


def check_ctc_backward(ctc_backward, seed=None):
    """ctc_backward(log_probs, labels, blank) -> log_beta (T, 2U+1), frame t's own probability included."""
    name = "ctc_backward"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(ctc_backward, name):
        for (log_probs, labels, blank), stored in zip(trellis_inputs(seed), case["cases"]):
            label = _trellis_label(name, log_probs, labels, blank)
            got = call(ctc_backward, log_probs.copy(), list(labels), blank, name=name)
            if isinstance(got, tuple):
                _fail(f"{label}: expected log_beta alone, an array of shape {stored['log_beta'].shape}, but got a "
                      f"tuple of {len(got)}; likely cause: ctc_backward returns only the table (the loss comes from "
                      "ctc_forward).")
            if log_probs.shape[0] >= LONG_FRAMES:
                got = np.asarray(got, dtype=np.float64)
                if got.ndim != 2 or got.shape[0] != log_probs.shape[0]:
                    _fail(f"log_beta of {label}: expected shape ({log_probs.shape[0]}, {2 * len(labels) + 1}) but "
                          f"got {got.shape}; likely cause: one row per frame, one column per state.")
                got = got[:1]
            _check_table(label, "log_beta", got, stored["log_beta"], stored["mistakes"], BACKWARD_CAUSE)
    passed(name)


# ---------------------------------------------------------------------------- the gradient


def gradient_inputs(seed=None) -> list[tuple[np.ndarray, list[int], int]]:
    """(log_probs, labels, blank): labels with a repeat, a label that occurs twice apart, a blank other than 0, and
    an impossible target; or seeded random ones."""
    rng = np.random.default_rng(11 if seed is None else 300 + seed)
    if seed is None:
        return [(random_log_probs(rng, 6, 4), [1, 2, 1], 0),
                (random_log_probs(rng, 7, 3), [2, 2], 0),
                (random_log_probs(rng, 5, 4), [0, 1], 2),
                (random_log_probs(rng, 3, 3), [1, 1, 1], 0)]
    out = []
    for _ in range(3):
        blank, K = _blank_and_alphabet(rng)
        labels = _labels_with_repeats(rng, int(rng.integers(1, 5)), K, blank)
        out.append((random_log_probs(rng, min_frames(labels) + int(rng.integers(0, 4)), K), labels, blank))
    return out


def check_ctc_gradient(ctc_gradient, seed=None):
    """ctc_gradient(log_probs, labels, blank) -> (T, K) gradient of the loss with respect to the logits."""
    name = "ctc_gradient"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(ctc_gradient, name):
        for (log_probs, labels, blank), stored in zip(gradient_inputs(seed), case["cases"]):
            label = _trellis_label(name, log_probs, labels, blank)
            got = call(ctc_gradient, log_probs.copy(), list(labels), blank, name=name)
            want = stored["gradient"]
            if np.isnan(want).all():
                got = np.asarray(got, dtype=np.float64)
                if got.shape == want.shape and np.isnan(got).all():
                    continue
                _fail(f"{label}: expected all nan (no path can produce these labels, so the loss is inf and has no "
                      f"gradient) but got {np.asarray(got).ravel()[:4]}; likely cause: return the gradient as the "
                      "formula gives it: with the loss inf, every posterior is nan.")
            check_close(f"{label}", got, want, rtol=1e-6, atol=1e-9, mistakes=stored["mistakes"],
                        hint="likely cause: the gradient is softmax(z) - posterior: the posterior of class k at "
                             "frame t sums exp(log_alpha + log_beta - log_probs[t, k] + loss) over every state "
                             "holding k (section 4).")
    passed(name)


# ---------------------------------------------------------------------------- collapse and greedy decoding


def collapse_inputs(seed=None) -> list[tuple[list[int], int]]:
    """(path, blank): repeats, a repeat split by a blank, only blanks, nothing, a blank other than 0; or random."""
    if seed is None:
        return [([0, 1, 1, 0, 1, 2, 2, 0], 0), ([3, 3, 3], 0), ([1, 0, 1], 0), ([0, 0, 0], 0), ([], 0),
                ([2, 0, 0, 2, 1, 2, 1], 2), ([5, 5, 0, 0, 5, 4, 4, 4, 0, 4], 0)]
    rng = np.random.default_rng(400 + seed)
    out = []
    for _ in range(4):
        blank, K = _blank_and_alphabet(rng)
        out.append(([int(k) for k in rng.integers(0, K, int(rng.integers(0, 15)))], blank))
    return out


def check_collapse(collapse, seed=None):
    """collapse(path, blank) -> the labels: repeats merged, then blanks dropped."""
    name = "collapse"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(collapse, name):
        for k, ((path, blank), stored) in enumerate(zip(collapse_inputs(seed), case["cases"])):
            label = f"{name}({path}, blank={blank})"
            given = np.array(path, dtype=np.int64) if k % 2 else list(path)   # a list, or an array
            got = _as_list(label, call(collapse, given, blank, name=name), "the labels")
            if got != list(stored["labels"]):
                cause = _named(got, stored["mistakes"], lambda a, b: list(a) == list(b))
                _fail(f"{label}: expected {list(stored['labels'])} but got {got}; likely cause: "
                      + (cause or "merge each run of equal classes into one, then drop the blanks (section 5)."))
    passed(name)


def greedy_inputs(seed=None) -> list[tuple[np.ndarray, int]]:
    """(log_probs, blank): random frames, sharp frames with repeats split by blanks, a blank other than 0."""
    rng = np.random.default_rng(13 if seed is None else 500 + seed)
    if seed is None:
        sharp = log_softmax(4.0 * np.eye(4)[[0, 2, 2, 0, 2, 3, 3, 1, 0]] + 0.3 * rng.standard_normal((9, 4)))
        return [(random_log_probs(rng, 12, 5, 2.0), 0), (sharp, 0), (random_log_probs(rng, 10, 4, 2.0), 3)]
    blank, K = _blank_and_alphabet(rng)
    return [(random_log_probs(rng, int(rng.integers(1, 20)), K, 2.0), blank) for _ in range(2)]


def check_greedy_decode(greedy_decode, seed=None):
    """greedy_decode(log_probs, blank) -> the collapse of the most probable class of every frame."""
    name = "greedy_decode"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(greedy_decode, name):
        for (log_probs, blank), stored in zip(greedy_inputs(seed), case["cases"]):
            label = f"{name}(log_probs of T={log_probs.shape[0]}, K={log_probs.shape[1]}, blank={blank})"
            got = _as_list(label, call(greedy_decode, log_probs.copy(), blank, name=name), "the labels")
            if got != list(stored["labels"]):
                cause = _named(got, stored["mistakes"], lambda a, b: list(a) == list(b))
                _fail(f"{label}: expected {list(stored['labels'])} but got {got}; likely cause: "
                      + (cause or "take the most probable class of each frame (argmax along the classes), then "
                                  "collapse that path (section 5)."))
    passed(name)


# ---------------------------------------------------------------------------- prefix beam search


def beam_inputs(seed=None) -> list[tuple[np.ndarray, int, int]]:
    """(log_probs, beam_width, blank): frames where the best labels are not the best path's, repeats that need a
    blank, beam width 1, a blank other than 0; or seeded random ones."""
    rng = np.random.default_rng(17 if seed is None else 600 + seed)
    if seed is None:
        # two frames of (blank 0.6, "1" 0.4): the best path is blank-blank (0.36), but the label "1" has three
        # paths, 0.16 + 0.24 + 0.24 = 0.64
        split = np.log(np.array([[0.6, 0.4], [0.6, 0.4]]))
        return [(split, 3, 0),
                (random_log_probs(rng, 8, 4, 1.5), 4, 0),
                (log_softmax(3.0 * np.eye(3)[[1, 1, 0, 1, 2, 2]] + rng.standard_normal((6, 3))), 3, 0),
                (random_log_probs(rng, 7, 3, 1.0), 1, 0),
                (random_log_probs(rng, 6, 4, 1.0), 5, 2)]
    out = []
    for _ in range(2):
        blank, K = _blank_and_alphabet(rng)
        out.append((random_log_probs(rng, int(rng.integers(1, 9)), K, 1.5), int(rng.integers(1, 6)), blank))
    return out


def check_prefix_beam_search(prefix_beam_search, seed=None):
    """prefix_beam_search(log_probs, beam_width, blank) -> (labels, log_prob)."""
    name = "prefix_beam_search"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(prefix_beam_search, name):
        for (log_probs, width, blank), stored in zip(beam_inputs(seed), case["cases"]):
            label = (f"{name}(log_probs of T={log_probs.shape[0]}, K={log_probs.shape[1]}, beam_width={width}, "
                     f"blank={blank})")
            got = call(prefix_beam_search, log_probs.copy(), width, blank, name=name)
            check_tuple(label, got, 2, ["labels", "log_prob"])
            labels, score = _as_list(label, got[0], "the labels"), _unwrap(got[1])
            want, want_score = list(stored["labels"]), stored["log_prob"]
            same = [(list(a), float(b)) for a, b in stored["mistakes"].values()]

            def cause_of(labels_, score_):
                return next((c for c, (a, b) in zip(stored["mistakes"], same)
                             if list(a) == labels_ and np.isclose(b, score_, rtol=1e-6, atol=1e-9)), None)
            if not isinstance(score, (float, int)) or isinstance(score, bool):
                _fail(f"log_prob of {label}: expected a single number but got {type(score).__name__}; likely cause: "
                      "return log(p_b + p_nb) of the best prefix, a float.")
            known = cause_of(labels, score) if labels != want or not np.isclose(score, want_score, rtol=1e-6,
                                                                                   atol=1e-9) else None
            if known:
                _fail(f"{label}: expected the labels {want} with log_prob {want_score!r} but got {labels} with "
                      f"{score!r}; likely cause: {known}")
            if labels != want:
                _fail(f"labels of {label}: expected {want} but got {labels}; likely cause: after every frame keep the "
                      "beam_width prefixes of largest p_b + p_nb, and return the best one at the end (section 6).")
            if score > stored["exact_log_prob"] + 1e-9:
                _fail(f"log_prob of {label}: {score!r} is above the exact log-probability of {want}, "
                      f"{stored['exact_log_prob']!r} (the sum over every path); likely cause: some paths were "
                      "counted twice: a repeated label extends p_nb into the same prefix and p_b into a longer one.")
            if not np.isclose(score, want_score, rtol=1e-6, atol=1e-9):
                _fail(f"log_prob of {label}: expected {want_score!r} but got {score!r}; likely cause: the score is "
                      "log(p_b + p_nb) of the returned prefix, summed over the paths the beam kept (section 6).")
    passed(name)


# ---------------------------------------------------------------------------- alignment


def alignment_inputs(seed=None) -> list[tuple[np.ndarray, list[int], int]]:
    """(log_probs, labels, blank): sharp frames with a repeat, sharp frames that end on blanks, frames that disagree
    with the labels, exactly enough frames, an impossible target, no label, one frame, a blank other than 0; or
    seeded random ones."""
    rng = np.random.default_rng(19 if seed is None else 700 + seed)
    if seed is None:
        sharp = log_softmax(3.0 * np.eye(4)[[0, 1, 1, 0, 0, 1, 2, 2, 0, 3]] + rng.standard_normal((10, 4)))
        ends_blank = log_softmax(3.0 * np.eye(3)[[0, 2, 2, 0, 1, 0, 0]] + rng.standard_normal((7, 3)))
        return [(sharp, [1, 1, 2, 3], 0),
                (ends_blank, [2, 1], 0),
                (random_log_probs(rng, 8, 4), [3, 1], 0),
                (random_log_probs(rng, 3, 3), [1, 1], 0),
                (random_log_probs(rng, 2, 3), [2, 2], 0),
                (random_log_probs(rng, 3, 3), [], 0),
                (random_log_probs(rng, 1, 3), [2], 0),
                (random_log_probs(rng, 7, 4), [0, 2, 0], 1),
                (random_log_probs(rng, 9, 4, 1.5), [3, 3, 2], 0)]
    out = []
    for _ in range(3):
        blank, K = _blank_and_alphabet(rng)
        labels = _labels_with_repeats(rng, int(rng.integers(1, 5)), K, blank)
        out.append((random_log_probs(rng, max(1, min_frames(labels) + int(rng.integers(-1, 5))), K), labels, blank))
    return out


def check_best_path_alignment(best_path_alignment, seed=None):
    """best_path_alignment(log_probs, labels, blank) -> for each label, the frames it occupies (or None)."""
    name = "best_path_alignment"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(best_path_alignment, name):
        for (log_probs, labels, blank), stored in zip(alignment_inputs(seed), case["cases"]):
            label = _trellis_label(name, log_probs, labels, blank)
            got = call(best_path_alignment, log_probs.copy(), list(labels), blank, name=name)
            want = stored["frames"]
            if want is None:
                if got is None:
                    continue
                _fail(f"{label}: expected None (no path of {log_probs.shape[0]} frames produces these labels) but "
                      f"got {str(got)[:80]}; likely cause: when neither end state is reachable, return None.")
            if not isinstance(got, (list, tuple)) or len(got) != len(want):
                _fail(f"{label}: expected a list of {len(want)} arrays of frames (one per label) but got "
                      f"{type(got).__name__} {str(got)[:80]}; likely cause: one entry per label, even when a label "
                      "occurs twice.")
            frames = [_as_list(f"frames of label {u} of {label}", np.asarray(g, dtype=np.int64)
                               if isinstance(g, (list, tuple)) and len(g) == 0 else g, "frame indices")
                      for u, g in enumerate(got)]
            if frames != [list(w) for w in want]:
                cause = _named(frames, stored["mistakes"], lambda a, b: [list(x) for x in a] == [list(x) for x in b])
                _fail(f"{label}: expected the frames {[list(w) for w in want]} but got {frames}; likely cause: "
                      + (cause or "run the forward recursion with max in place of log-sum-exp, remember the best "
                                  "previous state, and trace back from the better of the two end states "
                                  "(section 7)."))
    passed(name)


# ---------------------------------------------------------------------------- edit distance


def edit_inputs(seed=None) -> list[tuple]:
    """(a, b) pairs: words, empty sequences, a swap, lists and arrays of digits; or seeded random digit lists."""
    if seed is None:
        return [("kitten", "sitting"), ("", "abc"), ("abc", ""), ("flaw", "lawn"), ("ab", "ba"),
                ([4, 1, 7, 2], [4, 7, 2, 2]), ("intention", "execution"), (np.array([3, 3, 1]), np.array([3, 1])),
                ("same", "same"), ("four one", "for one"), ([1, 2, 3, 4], [1, 3]), ([1, 3], [1, 2, 3, 4])]
    rng = np.random.default_rng(800 + seed)
    return [([int(d) for d in rng.integers(0, 4, int(rng.integers(0, 8)))],
             [int(d) for d in rng.integers(0, 4, int(rng.integers(0, 8)))]) for _ in range(5)]


def check_edit_distance(edit_distance, seed=None):
    """edit_distance(a, b) -> the Levenshtein distance, an int."""
    name = "edit_distance"
    case = FIXTURES.case(name, seed=seed)
    with FIXTURES.stand_ins(edit_distance, name):
        for (a, b), stored in zip(edit_inputs(seed), case["cases"]):
            shown = lambda s: repr(s) if isinstance(s, str) else str(list(int(v) for v in s))  # noqa: E731
            label = f"{name}({shown(a)}, {shown(b)})"
            got = _unwrap(call(edit_distance, a.copy() if isinstance(a, np.ndarray) else a,
                               b.copy() if isinstance(b, np.ndarray) else b, name=name))
            if isinstance(got, float) and float(got).is_integer():
                got = int(got)
            if not isinstance(got, int) or isinstance(got, bool):
                _fail(f"{label}: expected an int but got {type(got).__name__} {got!r}; likely cause: return the last "
                      "cell of the table, D[len(a)][len(b)].")
            if got != stored["distance"]:
                cause = _named(got, stored["mistakes"], lambda x, y: x == y)
                _fail(f"{label}: expected {stored['distance']} but got {got}; likely cause: "
                      + (cause or "D[i][j] = min(D[i-1][j] + 1, D[i][j-1] + 1, D[i-1][j-1] + (a[i-1] != b[j-1])), "
                                  "with D[i][0] = i and D[0][j] = j (section 8)."))
    passed(name)


# ---------------------------------------------------------------------------- the recogniser


def recognizer_input_shape(seed=None) -> tuple:
    """(time steps, features) given to build_recognizer: the notebook's (None, 40); a fixed length for hidden
    seeds."""
    if seed is None:
        return (None, N_FEATURES)
    rng = np.random.default_rng(900 + seed)
    return (int(rng.integers(20, 200)), int(rng.integers(8, 64)))


def recognizer_classes(seed=None) -> int:
    return N_CLASSES if seed is None else int(np.random.default_rng(950 + seed).integers(3, 30))


def behaviour_batch(seed=None) -> np.ndarray:
    """(2, steps, features) float32 inputs for the check's predictions: a random input and the same reversed in
    time (a bidirectional layer must read both ways)."""
    T, F = recognizer_input_shape(seed)
    T = T or 37
    rng = np.random.default_rng(41 + (seed or 0))
    first = rng.normal(0.0, 1.0, (T, F))
    return np.stack([first, first[::-1]]).astype(np.float32)


def set_check_weights(model, seed=None):
    """Every weight drawn from a seeded generator, layer by layer in the model's order: kernels normal with a
    variance of 1 / fan-in, biases small, BatchNormalization's scale and moving variance in 0.5-1.5. Every correct
    build_recognizer then computes the same outputs, whatever Keras initialised."""
    rng = np.random.default_rng(61 + (seed or 0))
    for layer in layers_of(model):
        weights = layer.get_weights()
        if not weights:
            continue
        if isinstance(layer, keras.layers.BatchNormalization) and len(weights) == 4:
            values = [rng.uniform(0.5, 1.5, w.shape) if k in (0, 3) else rng.normal(0.0, 0.2, w.shape)
                      for k, w in enumerate(weights)]
        else:
            values = [rng.normal(0.0, 0.2, w.shape) if w.ndim == 1 else
                      rng.normal(0.0, 1.0 / np.sqrt(np.prod(w.shape[:-1])), w.shape) for w in weights]
        layer.set_weights([v.astype(w.dtype) for v, w in zip(values, weights)])


OUTPUT_TOLERANCE = 1e-4


def _expected_layers(model) -> list:
    L = keras.layers
    layers = layers_of(model)
    relu = L.ReLU if len(layers) > 2 and isinstance(layers[2], L.ReLU) else L.Activation
    return [L.Conv1D, L.BatchNormalization, relu, L.Dropout, L.Bidirectional, L.Bidirectional, L.Dense]


def check_build_recognizer(build_recognizer, seed=None):
    """build_recognizer(input_shape, n_classes): Conv1D(128, 11, strides=2, padding="same") -> BatchNormalization ->
    ReLU -> Dropout(0.2) -> Bidirectional(GRU(128, return_sequences=True)) twice -> Dense(n_classes), logits."""
    name = "build_recognizer"
    case = FIXTURES.case(name, seed=seed)
    shape, n_classes = recognizer_input_shape(seed), recognizer_classes(seed)
    label = f"{name}(input_shape={shape}, n_classes={n_classes})"
    L = keras.layers
    with FIXTURES.stand_ins(build_recognizer, name):
        model = build(build_recognizer, shape, n_classes, name=label)
    check_model(label, model)
    check_input(label, model, (None, *shape))
    layers = layers_of(model)
    if layers and isinstance(layers[-1], L.Softmax) or (layers and isinstance(layers[-1], L.Activation)
                                                       and layers[-1].activation is keras.activations.softmax):
        _fail(f"{label}: expected the last layer to be the Dense layer of logits but got a softmax after it; likely "
              "cause: keras.ops.ctc_loss takes logits and applies its own log-softmax; leave the output linear.")
    check_layer_sequence(label, model, _expected_layers(model))
    conv, _, act, drop, bi1, bi2, dense = layers
    check_layer_config(f"{label}: the Conv1D layer", conv, filters=CONV_FILTERS)
    check_layer_config(f"{label}: the Conv1D layer", conv, kernel_size=(CONV_KERNEL,), strides=(CONV_STRIDES,),
                       hint=f"Use a kernel of {CONV_KERNEL} and a stride of {CONV_STRIDES}: one output frame per "
                            f"{CONV_STRIDES} input frames (20 ms), enough for the longest digit string.")
    check_layer_config(f"{label}: the Conv1D layer", conv, padding="same",
                       hint="Use padding='same': with a stride of 2 the output then has ceil(T / 2) frames, the "
                            "number the loss is told (week3.digits.output_frames).")
    check_activation(f"{label}: the Conv1D layer", conv, "linear")
    if isinstance(act, L.Activation):
        check_activation(f"{label}: the Activation layer", act, "relu")
    check_layer_config(f"{label}: the Dropout layer", drop, rate=DROPOUT_RATE,
                       hint=f"Dropout({DROPOUT_RATE}): Keras's rate is the fraction of the units dropped.")
    for i, bi in enumerate((bi1, bi2), start=1):
        inner = bi.forward_layer
        if not isinstance(inner, L.GRU):
            _fail(f"{label}: Bidirectional {i}: expected it to wrap a GRU but it wraps a {type(inner).__name__}; "
                  "likely cause: Bidirectional(GRU(128, return_sequences=True)).")
        check_layer_config(f"{label}: Bidirectional {i}'s GRU", inner, units=GRU_UNITS)
        check_return_sequences(f"{label}: Bidirectional {i}'s GRU", inner, True)
        check_layer_config(f"{label}: Bidirectional {i}", bi, merge_mode="concat",
                           hint="Leave merge_mode at its default, 'concat': both directions' outputs side by side.")
    check_layer_config(f"{label}: the output Dense layer", dense, units=n_classes,
                       hint="One logit per class: Dense(n_classes), the blank being class 0.")
    if dense.activation is keras.activations.softmax:
        _fail(f"{label}: the output Dense layer: expected no activation (logits) but got a softmax; likely cause: "
              "keras.ops.ctc_loss takes logits and applies its own log-softmax; leave the Dense layer linear.")
    check_activation(f"{label}: the output Dense layer", dense, "linear")
    check_param_counts(label, model, trainable=case["trainable"], non_trainable=case["non_trainable"])
    check_output_shape(label, model, tuple(case["output_shape"]))
    set_check_weights(model, seed)
    batch = behaviour_batch(seed)
    out = np.asarray(model(batch, training=False))
    want = case["outputs"]
    if out.shape != want.shape:
        _fail(f"{label}: expected outputs of shape {want.shape} for inputs {batch.shape} but got {out.shape}; likely "
              f"cause: the Conv1D's stride {CONV_STRIDES} and padding='same' give ceil(T / 2) frames.")
    if not np.allclose(out, want, rtol=OUTPUT_TOLERANCE, atol=OUTPUT_TOLERANCE):
        cause = _named(out, case["mistakes"], lambda a, b: a.shape == b.shape and np.allclose(
            a, b, rtol=OUTPUT_TOLERANCE, atol=OUTPUT_TOLERANCE))
        _fail(f"{label}: with the check's weights, expected the logits {want.ravel()[:3]} ... but got "
              f"{out.ravel()[:3]} ... (largest difference {float(np.abs(out - want).max()):.3g}); likely cause: "
              + (cause or "the layers in the order given, each on the previous layer's output."))
    del model
    passed(name)

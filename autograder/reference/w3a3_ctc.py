"""Reference for w3a3 (speech to digits with CTC): the graded functions, and the cases behind the checks in
:mod:`week3.ctc_checks` (expected values, and the values classic mistakes produce).

Conventions (the notebook states them): ``log_probs`` is (T, n_classes), natural-log probabilities of each class at
each frame (each row's exp sums to 1); the blank is class ``blank`` (0 unless told); ``labels`` is a sequence of U
class ids, none of them the blank. The extended sequence puts a blank before, between and after the labels
(length S = 2U + 1); state s may be entered from s, s - 1, and from s - 2 when ``skip_allowed[s]`` (s holds a label
that differs from the label at s - 2). Paths start in state 0 or 1 and end in state S - 1 or S - 2.
"""
from __future__ import annotations

import numpy as np

# ------------------------------------------------------------------ the graded functions


def extend_with_blanks(labels, blank=0):
    """(extended (2U+1,) int64, skip_allowed (2U+1,) bool): blank, l1, blank, l2, ..., lU, blank, and True at the
    label states whose label differs from the label two states before (a blank may be skipped into them)."""
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    extended = np.full(2 * labels.shape[0] + 1, blank, dtype=np.int64)
    extended[1::2] = labels
    skip_allowed = np.zeros(extended.shape[0], dtype=bool)
    skip_allowed[3::2] = labels[1:] != labels[:-1]
    return extended, skip_allowed


def _logsumexp(*terms):
    stacked = np.stack(terms)
    top = np.max(stacked, axis=0)
    safe = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(top), safe + np.log(np.sum(np.exp(stacked - safe), axis=0)), -np.inf)


def ctc_forward(log_probs, labels, blank=0):
    """(log_alpha (T, 2U+1), loss): log_alpha[t, s] = log of the total probability of the path prefixes of frames
    0..t that end in state s; loss = -log p(labels | x), the log-sum-exp of the two end states negated. A target
    that no path of T frames can produce (T shorter than U plus the number of repeated neighbours) gives loss
    inf."""
    return _forward_variant(log_probs, labels, blank)


def ctc_backward(log_probs, labels, blank=0):
    """log_beta (T, 2U+1): log_beta[t, s] = log of the total probability of the path suffixes of frames t..T-1
    that start in state s at frame t and end in an end state (frame t's own probability included)."""
    return _backward_variant(log_probs, labels, blank)


def ctc_gradient(log_probs, labels, blank=0):
    """(T, n_classes): the gradient of the loss -log p(labels | x) with respect to the logits z of each frame, where
    log_probs = log_softmax(z): softmax(z)[t, k] minus the posterior of class k at frame t,
    exp(logsumexp over the states s holding k of log_alpha[t, s] + log_beta[t, s] - log_probs[t, k] + loss).
    An impossible target has no gradient: the result is all nan."""
    return _gradient_variant(log_probs, labels, blank)


def collapse(path, blank=0):
    """The labels of a frame path: runs of the same class merged into one, then blanks dropped; a list of ints."""
    return _collapse_variant(path, blank)


def greedy_decode(log_probs, blank=0):
    """The collapse of the most probable class of every frame (best path decoding); a list of ints."""
    return collapse(np.argmax(np.asarray(log_probs), axis=1), blank)


def prefix_beam_search(log_probs, beam_width, blank=0):
    """(labels, log_prob): the label sequence that prefix beam search finds, as a tuple of ints, and its
    log-probability summed over the paths the beam kept. Each prefix carries two masses: of its paths that end in
    a blank (p_b) and that end in its last label (p_nb); after every frame the ``beam_width`` prefixes of largest
    p_b + p_nb are kept (ties: the first in order of creation)."""
    return _beam_variant(log_probs, beam_width, blank)


def best_path_alignment(log_probs, labels, blank=0):
    """For each of the U labels, the frames it occupies on the most probable path that collapses to ``labels``
    (Viterbi over the CTC trellis: log_alpha with max in place of log-sum-exp, then back-tracking from the better
    end state): a list of U int arrays of consecutive frame indices. None when no path of T frames produces the
    labels."""
    return _alignment_variant(log_probs, labels, blank)


def edit_distance(a, b):
    """The Levenshtein distance between sequences a and b: the fewest insertions, deletions and substitutions that
    turn a into b (each costs 1); an int."""
    return _edit_variant(a, b)


def build_recognizer(input_shape, n_classes):
    """The recogniser: (batch, T, n_features) features -> (batch, ceil(T / 2), n_classes) logits (no softmax; the
    blank is class 0). Conv1D(128, 11, strides=2, padding="same") -> BatchNormalization -> ReLU -> Dropout(0.2)
    -> Bidirectional(GRU(128, return_sequences=True)) twice -> Dense(n_classes)."""
    import keras
    from keras import layers

    x_input = keras.Input(shape=input_shape)
    x = layers.Conv1D(128, kernel_size=11, strides=2, padding="same")(x_input)
    x = layers.BatchNormalization()(x)
    x = layers.Activation("relu")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Bidirectional(layers.GRU(128, return_sequences=True))(x)
    x = layers.Bidirectional(layers.GRU(128, return_sequences=True))(x)
    logits = layers.Dense(n_classes)(x)
    return keras.Model(inputs=x_input, outputs=logits)


GRADED = {f.__name__: f for f in (extend_with_blanks, ctc_forward, ctc_backward, ctc_gradient, collapse,
                                  greedy_decode, prefix_beam_search, best_path_alignment, edit_distance,
                                  build_recognizer)}

# The stand-ins each graded function may call while it is tested (see autograder.remote), and how often in one call:
# the forward and backward passes may extend the labels once; the gradient may run both passes once and extend the
# labels (once for itself, once in each pass); greedy decoding may collapse its path once; the alignment may extend
# the labels once.
STAND_INS = {"extend_with_blanks": {}, "ctc_forward": {"extend_with_blanks": 1},
             "ctc_backward": {"extend_with_blanks": 1},
             "ctc_gradient": {"ctc_forward": 1, "ctc_backward": 1, "extend_with_blanks": 3},
             "collapse": {}, "greedy_decode": {"collapse": 1}, "prefix_beam_search": {},
             "best_path_alignment": {"extend_with_blanks": 1}, "edit_distance": {}, "build_recognizer": {}}

# ------------------------------------------------------------------ classic mistakes, and the cases behind the checks

from week3 import ctc_checks as checks  # noqa: E402  (the checks draw the inputs; the cases compute on them)

CHECKS = "week3.ctc_checks"


def _extend_variant(labels, blank, mistake=None):
    """extend_with_blanks (``mistake=None``), or one classic mistake of it."""
    labels = list(np.asarray(labels, dtype=np.int64).reshape(-1))
    if mistake == "blank_ignored":
        blank = 0
    if mistake == "merged":
        labels = [k for i, k in enumerate(labels) if i == 0 or k != labels[i - 1]]
    extended, skip = extend_with_blanks(labels, blank)
    if mistake == "skip_every_label":
        skip[3::2] = True
    elif mistake == "skip_first" and len(labels):
        skip[1] = True
    elif mistake == "skip_shifted":
        skip = np.concatenate([[False], skip[:-1]])
    elif mistake == "no_outer":
        extended, skip = extended[1:-1], skip[1:-1]
    return extended, skip


EXTEND_MISTAKES = {
    "skip_every_label": "every label state allows the skip; a label equal to the label two states back cannot skip "
                        "the blank between them (a repeat needs that blank).",
    "skip_first": "state 1 allows the skip, but there is no state two before it; only label states from s = 3 on "
                  "may.",
    "skip_shifted": "the flags are one state late: they belong to the label states (odd s), not the blanks after "
                    "them.",
    "no_outer": "the blanks before the first label and after the last are missing: 2U + 1 states in all.",
    "blank_ignored": "the blank argument was ignored (0 used); fill the blank states with blank.",
    "merged": "repeated labels were merged; keep the labels as given, a blank between each two.",
}


def _differs(got, want) -> bool:
    return not (np.shape(got) == np.shape(want) and np.array_equal(got, want))


def extend_with_blanks_case(seed=None) -> dict:
    cases = []
    for labels, blank in checks.extend_inputs(seed):
        extended, skip = extend_with_blanks(labels, blank)
        mistakes = {"extended": {}, "skip_allowed": {}}
        for m, cause in EXTEND_MISTAKES.items():
            m_ext, m_skip = _extend_variant(labels, blank, m)
            if _differs(m_ext, extended):
                mistakes["extended"][cause] = m_ext
            elif _differs(m_skip, skip):
                mistakes["skip_allowed"][cause] = m_skip
        cases.append({"extended": extended, "skip_allowed": skip, "mistakes": mistakes})
    return {"cases": cases}


def _cases(inputs, function, variant, table: dict, key: str, differs=lambda wrong, right: wrong != right) -> dict:
    """{"cases": [...]}: for each tuple of arguments, what ``function`` returns (under ``key``), and what each classic
    mistake of ``table`` returns where that differs (under its cause)."""
    cases = []
    for args in inputs:
        result = function(*args)
        cases.append({key: result, "mistakes": {cause: wrong for m, cause in table.items()
                                                if differs(wrong := variant(*args, m), result)}})
    return {"cases": cases}


def _max(*terms):
    return np.max(np.stack(terms), axis=0)


def _forward_variant(log_probs, labels, blank, mistake=None):
    """(log_alpha, loss) of ctc_forward (``mistake=None``), or of one classic mistake of it."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    extended, skip = extend_with_blanks(labels, blank)
    if mistake == "skip_repeats":
        skip = np.zeros_like(skip)
        skip[3::2] = True
    elif mistake == "no_skip":
        skip = np.zeros_like(skip)
    combine = _max if mistake == "max" else _logsumexp
    T, S = log_probs.shape[0], extended.shape[0]
    emit = log_probs[:, extended]
    if mistake == "linear":
        with np.errstate(divide="ignore", under="ignore"):
            p, alpha = np.exp(emit), np.zeros((T, S))
            alpha[0, :min(2, S)] = p[0, :min(2, S)]
            for t in range(1, T):
                prev = alpha[t - 1]
                step, jump = np.zeros(S), np.zeros(S)
                step[1:], jump[2:] = prev[:-1], prev[:-2]
                alpha[t] = (prev + step + np.where(skip, jump, 0.0)) * p[t]
            return np.log(alpha), float(-np.log(alpha[-1, -min(2, S):].sum()))
    log_alpha = np.full((T, S), -np.inf)
    log_alpha[0, 0] = emit[0, 0]
    if S > 1 and mistake != "one_start":
        log_alpha[0, 1] = emit[0, 1]
    for t in range(1, T):
        prev = log_alpha[t - 1]
        step, jump = np.full(S, -np.inf), np.full(S, -np.inf)
        step[1:], jump[2:] = prev[:-1], prev[:-2]
        log_alpha[t] = combine(prev, step, np.where(skip, jump, -np.inf)) + (0.0 if mistake == "no_emit" else emit[t])
    ends = log_alpha[-1, -1:] if mistake == "one_end" or S == 1 else log_alpha[-1, -2:]
    total = float(combine(*ends))
    return log_alpha, (total if mistake == "sign" else -total)


FORWARD_MISTAKES = {
    "one_start": "paths start only in state 0 (the blank); they may also start on the first label, state 1.",
    "one_end": "only the last state (the final blank) ends a path; a path may also end on the last label, state "
               "S - 2.",
    "skip_repeats": "the skip is allowed between repeated labels; a repeat needs the blank between them (use "
                    "skip_allowed).",
    "no_skip": "the skip from s - 2 is missing: where skip_allowed[s], log_alpha[t-1, s-2] is a third way in.",
    "max": "the paths were combined with max (the best path only); CTC sums over every path: log-sum-exp.",
    "sign": "the loss has the wrong sign: loss = -log p(labels | x), a positive number.",
    "linear": "the probabilities underflowed to 0: work in log space (log-sum-exp), not with products of "
              "probabilities.",
    "no_emit": "the frame's own log-probability log_probs[t, extended[s]] was not added after frame 0.",
}




def ctc_forward_case(seed=None) -> dict:
    cases = []
    for log_probs, labels, blank in checks.trellis_inputs(seed):
        long = log_probs.shape[0] >= checks.LONG_FRAMES   # stored by its last row only
        log_alpha, loss = ctc_forward(log_probs, labels, blank)
        log_alpha = log_alpha[-1:] if long else log_alpha
        mistakes = {"log_alpha": {}, "loss": {}}
        for m, cause in FORWARD_MISTAKES.items():
            m_alpha, m_loss = _forward_variant(log_probs, labels, blank, m)
            m_alpha = m_alpha[-1:] if long else m_alpha
            if not checks._finite_close(m_alpha, log_alpha):
                mistakes["log_alpha"][cause] = m_alpha
            elif not (np.isclose(m_loss, loss) or (np.isinf(loss) and m_loss == loss)):
                mistakes["loss"][cause] = m_loss
        cases.append({"log_alpha": log_alpha, "loss": loss, "mistakes": mistakes})
    return {"cases": cases}


def _backward_variant(log_probs, labels, blank, mistake=None):
    """log_beta of ctc_backward (``mistake=None``), or of one classic mistake of it."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    extended, skip = extend_with_blanks(labels, blank)
    T, S = log_probs.shape[0], extended.shape[0]
    if mistake == "skip_repeats":
        skip = np.zeros_like(skip)
        skip[3::2] = True
    elif mistake == "no_skip":
        skip = np.zeros_like(skip)
    combine = _max if mistake == "max" else _logsumexp
    emit = log_probs[:, extended]
    log_beta = np.full((T, S), -np.inf)
    log_beta[-1, -1] = emit[-1, -1]
    if S > 1 and mistake != "one_end":
        log_beta[-1, -2] = emit[-1, -2]
    skip_from = np.zeros(S, dtype=bool)
    if mistake == "skip_own":
        skip_from[:-2] = skip[:-2]
    else:
        skip_from[:-2] = skip[2:]
    for t in range(T - 2, -1, -1):
        nxt = log_beta[t + 1]
        step, jump = np.full(S, -np.inf), np.full(S, -np.inf)
        step[:-1], jump[:-2] = nxt[1:], nxt[2:]
        log_beta[t] = combine(nxt, step, np.where(skip_from, jump, -np.inf)) + (0.0 if mistake == "no_emit" else emit[t])
    if mistake == "exclusive":
        log_beta = log_beta - emit
    return log_beta


BACKWARD_MISTAKES = {
    "exclusive": "log_beta leaves out frame t's own probability; in this notebook it includes it (both log_alpha "
                 "and log_beta hold log_probs[t, extended[s]]), so the posterior subtracts it once.",
    "one_end": "only the last state (the final blank) ends a path; a path may also end on the last label, state "
               "S - 2.",
    "skip_own": "the skip from s to s + 2 was allowed by skip_allowed[s]; it is the state entered, s + 2, whose flag "
                "counts: skip_allowed[s + 2].",
    "skip_repeats": "the skip is allowed between repeated labels; a repeat needs the blank between them (use "
                    "skip_allowed).",
    "no_skip": "the skip to s + 2 is missing: where skip_allowed[s + 2], log_beta[t+1, s+2] is a third way out.",
    "max": "the paths were combined with max (the best path only); CTC sums over every path: log-sum-exp.",
    "no_emit": "frame t's own log-probability log_probs[t, extended[s]] was not added before the last frame.",
}


def ctc_backward_case(seed=None) -> dict:
    cases = []
    for log_probs, labels, blank in checks.trellis_inputs(seed):
        rows = slice(0, 1) if log_probs.shape[0] >= checks.LONG_FRAMES else slice(None)   # long: the first row
        log_beta = ctc_backward(log_probs, labels, blank)[rows]
        mistakes = {cause: m_beta for m, cause in BACKWARD_MISTAKES.items()
                    if not checks._finite_close(m_beta := _backward_variant(log_probs, labels, blank, m)[rows],
                                                log_beta)}
        cases.append({"log_beta": log_beta, "mistakes": mistakes})
    return {"cases": cases}


def _gradient_variant(log_probs, labels, blank, mistake=None):
    """ctc_gradient (``mistake=None``), or one classic mistake of it."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    extended, _ = extend_with_blanks(labels, blank)
    log_alpha, loss = ctc_forward(log_probs, labels, blank)
    if mistake is None and not np.isfinite(loss):   # no path: no gradient (the mistakes compute their formulas)
        return np.full(log_probs.shape, np.nan)
    log_beta = ctc_backward(log_probs, labels, blank)
    both = log_alpha + log_beta - (0.0 if mistake == "no_correction" else log_probs[:, extended])
    per_state = np.exp(both + (0.0 if mistake == "unnormalised" else loss))
    posterior = np.zeros(log_probs.shape)
    if mistake == "overwrite":
        posterior[:, extended] = per_state
    else:
        np.add.at(posterior.T, extended, per_state.T)
    softmax = np.exp(log_probs)
    return {"wrt_log_probs": -posterior, "sign": posterior - softmax}.get(mistake, softmax - posterior)


GRADIENT_MISTAKES = {
    "wrt_log_probs": "this is the gradient with respect to log_probs (-posterior); with respect to the logits, "
                     "softmax(z) is added: softmax(z) - posterior.",
    "sign": "the sign is flipped: the gradient is softmax(z) - posterior.",
    "overwrite": "a class that several states hold got only one state's posterior: indexed assignment keeps the "
                 "last; add every state's share (np.add.at, or a loop over s).",
    "unnormalised": "the posteriors were not divided by p(labels | x): add the loss to the log before exp.",
    "no_correction": "frame t's own probability was counted twice: log_alpha and log_beta both include it, so "
                     "subtract log_probs[t, k] once.",
}


def ctc_gradient_case(seed=None) -> dict:
    with np.errstate(all="ignore"):
        return _cases(checks.gradient_inputs(seed), ctc_gradient, _gradient_variant, GRADIENT_MISTAKES, "gradient",
                      lambda wrong, right: np.isfinite(wrong).all() and not np.allclose(wrong, right))


def _collapse_variant(path, blank, mistake=None):
    """collapse (``mistake=None``), or one classic mistake of it."""
    path = [int(k) for k in np.asarray(path, dtype=np.int64).reshape(-1)]
    if mistake == "blank_ignored":
        blank = 0
    if mistake == "blanks_first":
        kept = [k for k in path if k != blank]
        return [k for i, k in enumerate(kept) if i == 0 or k != kept[i - 1]]
    if mistake == "no_merge":
        return [k for k in path if k != blank]
    merged = [k for i, k in enumerate(path) if i == 0 or k != path[i - 1]]
    if mistake == "no_drop":
        return merged
    return [k for k in merged if k != blank]


COLLAPSE_MISTAKES = {
    "blanks_first": "the blanks were dropped before the repeats were merged; merge first, so that a blank between "
                    "two equal labels keeps them apart.",
    "no_merge": "runs of the same class were not merged into one.",
    "no_drop": "the blanks were not dropped after merging.",
    "blank_ignored": "the blank argument was ignored (0 used).",
}


def collapse_case(seed=None) -> dict:
    return _cases(checks.collapse_inputs(seed), collapse, _collapse_variant, COLLAPSE_MISTAKES, "labels")


def _greedy_variant(log_probs, blank, mistake=None):
    log_probs = np.asarray(log_probs)
    if mistake == "axis0":
        return collapse(np.argmax(log_probs, axis=0), blank)
    path = np.argmax(log_probs, axis=1)
    if mistake == "no_collapse":
        return [int(k) for k in path]
    return _collapse_variant(path, blank, mistake)


GREEDY_MISTAKES = {
    "axis0": "argmax was taken along the frames (axis 0); take it along the classes of each frame (axis 1).",
    "no_collapse": "the best path itself was returned; collapse it (merge repeats, then drop blanks).",
    "blanks_first": "the blanks were dropped before the repeats were merged; collapse merges first.",
    "blank_ignored": "the blank argument was ignored (0 used).",
}


def greedy_decode_case(seed=None) -> dict:
    return _cases(checks.greedy_inputs(seed), greedy_decode, _greedy_variant, GREEDY_MISTAKES, "labels")


def _beam_variant(log_probs, beam_width, blank, mistake=None):
    """prefix_beam_search's classic mistakes: (labels tuple, log_prob)."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    T, K = log_probs.shape
    plus = (lambda a, b: max(a, b)) if mistake == "viterbi" else np.logaddexp
    beams = {(): (0.0, -np.inf)}
    for t in range(T):
        nxt: dict = {}

        def add(prefix, b, nb):
            old_b, old_nb = nxt.get(prefix, (-np.inf, -np.inf))
            nxt[prefix] = (plus(old_b, b), plus(old_nb, nb))

        for prefix, (p_b, p_nb) in beams.items():
            total = plus(p_b, p_nb)
            add(prefix, (p_b if mistake == "blank_from_b" else total) + log_probs[t, blank], -np.inf)
            for k in range(K):
                if k == blank:
                    continue
                p = log_probs[t, k]
                if prefix and prefix[-1] == k and mistake != "always_new":
                    if mistake == "single_mass":
                        add(prefix, -np.inf, total + p)
                        continue
                    add(prefix, -np.inf, p_nb + p)
                    add(prefix + (k,), -np.inf, p_b + p)
                else:
                    add(prefix + (k,), -np.inf, total + p)
        key = (lambda item: -item[1][1]) if mistake == "rank_nb" else (lambda item: -plus(*item[1]))
        ranked = sorted(nxt.items(), key=key)
        beams = dict(ranked if mistake == "no_prune" else ranked[:beam_width])
    best, (p_b, p_nb) = max(beams.items(), key=lambda item: plus(*item[1]))
    return tuple(int(k) for k in best), float(plus(p_b, p_nb))


BEAM_MISTAKES = {
    "single_mass": "a prefix kept one mass: a label equal to the prefix's last one always merged, so no repeat "
                   "could be made even after a blank; keep p_b and p_nb apart.",
    "always_new": "a label equal to the prefix's last one always made a new label; from p_nb (no blank between) "
                  "it merges into the same prefix, only from p_b does it extend it.",
    "no_prune": "beam_width was ignored: keep only the beam_width best prefixes after every frame.",
    "rank_nb": "the prefixes were ranked by p_nb alone; rank them by p_b + p_nb.",
    "viterbi": "masses were combined with max; paths that reach the same prefix add up (np.logaddexp).",
    "blank_from_b": "a blank extended only p_b; a blank follows every path of the prefix: p_b + p_nb.",
}


def prefix_beam_search_case(seed=None) -> dict:
    cases = []
    for log_probs, width, blank in checks.beam_inputs(seed):
        labels, score = prefix_beam_search(log_probs, width, blank)
        _, loss = ctc_forward(log_probs, list(labels), blank)
        mistakes = {}
        for m, cause in BEAM_MISTAKES.items():
            m_labels, m_score = _beam_variant(log_probs, width, blank, m)
            if m_labels != labels or not np.isclose(m_score, score):
                mistakes[cause] = (list(m_labels), m_score)
        cases.append({"labels": list(labels), "log_prob": score, "exact_log_prob": -loss, "mistakes": mistakes})
    return {"cases": cases}


def _alignment_variant(log_probs, labels, blank, mistake=None):
    """best_path_alignment (``mistake=None``), or one classic mistake of it."""
    log_probs = np.asarray(log_probs, dtype=np.float64)
    extended, skip = extend_with_blanks(labels, blank)
    if mistake == "no_skip":
        skip = np.zeros_like(skip)
    T, S = log_probs.shape[0], extended.shape[0]
    emit = log_probs[:, extended]
    score = np.full((T, S), -np.inf)
    back = np.zeros((T, S), dtype=np.int64)
    score[0, :min(2, S)] = emit[0, :min(2, S)]
    for t in range(1, T):
        for s in range(S):
            options = [(score[t - 1, s], s)] + ([(score[t - 1, s - 1], s - 1)] if s >= 1 else []) + \
                      ([(score[t - 1, s - 2], s - 2)] if s >= 2 and skip[s] else [])
            best, frm = max(options, key=lambda o: o[0])
            score[t, s], back[t, s] = best + emit[t, s], frm
    s = S - 1 if mistake == "one_end" or S == 1 else max((S - 1, S - 2), key=lambda e: score[-1, e])
    if not np.isfinite(score[-1, s]):
        return None
    states = np.zeros(T, dtype=np.int64)
    for t in range(T - 1, -1, -1):
        states[t], s = s, back[t, s]
    frames = [np.flatnonzero(states == 2 * u + (0 if mistake == "blank_states" else 1))
              for u in range(len(extended) // 2)]
    if mistake == "with_blanks":   # each label's frames run until the next label starts (the blanks after it too)
        starts = [f[0] for f in frames] + [T]
        frames = [np.arange(starts[u], starts[u + 1]) for u in range(len(frames))]
    return frames


ALIGNMENT_MISTAKES = {
    "one_end": "the trace-back started from the last state (the final blank) only; start from the better of the "
               "two end states, S - 1 and S - 2.",
    "no_skip": "the skip from s - 2 is missing, so every two labels were forced apart by a blank.",
    "with_blanks": "the blank frames after a label were given to it; a label occupies only the frames of its own "
                   "state 2u + 1.",
    "blank_states": "the frames of state 2u, the blank before label u, were taken; label u is state 2u + 1.",
}


def _frames_list(frames):
    return None if frames is None else [[int(f) for f in fs] for fs in frames]


def best_path_alignment_case(seed=None) -> dict:
    return _cases(checks.alignment_inputs(seed), lambda *args: _frames_list(best_path_alignment(*args)),
                  lambda *args: _frames_list(_alignment_variant(*args)), ALIGNMENT_MISTAKES, "frames",
                  lambda wrong, right: wrong is not None and wrong != right)


def _edit_variant(a, b, mistake=None):
    a, b = list(a), list(b)
    if mistake == "length":
        return abs(len(a) - len(b))
    if mistake == "positions":
        return sum(x != y for x, y in zip(a, b)) + abs(len(a) - len(b))
    sub = 2 if mistake == "substitution_2" else 1
    previous = [0] * (len(b) + 1) if mistake == "zero_border" else list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [0 if mistake == "zero_border" else i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + sub * (x != y)))
        previous = current
    return previous[-1]


EDIT_MISTAKES = {
    "substitution_2": "a substitution cost 2 (a deletion and an insertion); it costs 1.",
    "zero_border": "the first row and column are 0; turning i items into nothing takes i deletions: D[i][0] = i, "
                   "D[0][j] = j.",
    "length": "only the difference of the lengths was counted; substitutions count too.",
    "positions": "the sequences were compared position by position; an insertion shifts everything after it, which "
                 "the table's minimum over three moves handles.",
}


def edit_distance_case(seed=None) -> dict:
    return _cases(checks.edit_inputs(seed), edit_distance, _edit_variant, EDIT_MISTAKES, "distance")


def build_recognizer_case(seed=None) -> dict:
    from checks.keras_models import count_params
    model = build_recognizer(checks.recognizer_input_shape(seed), checks.recognizer_classes(seed))
    checks.set_check_weights(model, seed)
    outputs = np.asarray(model(checks.behaviour_batch(seed), training=False))
    return {"trainable": count_params(model.trainable_weights),
            "non_trainable": count_params(model.non_trainable_weights),
            "output_shape": list(model.output_shape), "outputs": outputs, "mistakes": {}}


CASES = {"extend_with_blanks": extend_with_blanks_case, "ctc_forward": ctc_forward_case,
         "ctc_backward": ctc_backward_case, "ctc_gradient": ctc_gradient_case, "collapse": collapse_case,
         "greedy_decode": greedy_decode_case, "prefix_beam_search": prefix_beam_search_case,
         "best_path_alignment": best_path_alignment_case, "edit_distance": edit_distance_case,
         "build_recognizer": build_recognizer_case}

# ------------------------------------------------------------------ classic mistakes of the notebook's solutions

# (what the student did, text in the solution cell, what it becomes, words the public check prints for it).
# autograder.mutants applies each to the source notebook's solution and checks that the public check fails with
# those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "extend_with_blanks": [
        ("every label state may skip", "skip_allowed[s] = extended[s] != extended[s - 2]", "skip_allowed[s] = True",
         "cannot skip the blank between them"),
        ("the blank argument ignored", "np.full(2 * U + 1, blank, dtype=np.int64)",
         "np.full(2 * U + 1, 0, dtype=np.int64)", "blank argument was ignored"),
        ("the flags one state late", "skip_allowed[s] = extended[s] != extended[s - 2]",
         "skip_allowed[s + 1] = extended[s] != extended[s - 2]", "one state late"),
        ("state 1 allowed to skip", "for s in range(3, 2 * U + 1, 2):", "for s in range(1, 2 * U + 1, 2):",
         "no state two before it"),
    ],
    "ctc_forward": [
        ("one start state", "    if S > 1:\n        log_alpha[0, 1] = log_probs[0, extended[1]]\n", "",
         "start only in state 0"),
        ("one end state", "np.logaddexp(log_alpha[T - 1, S - 1], log_alpha[T - 1, S - 2])",
         "log_alpha[T - 1, S - 1]", "only the last state"),
        ("the skip between repeats", "np.where(skip_allowed, shift_right(previous, 2), -np.inf)",
         "np.where(extended != blank, shift_right(previous, 2), -np.inf)", "allowed between repeated labels"),
        ("no skip", "ways_in = np.logaddexp(np.logaddexp(previous, shift_right(previous, 1)), from_skip)",
         "ways_in = np.logaddexp(previous, shift_right(previous, 1))", "skip from s - 2 is missing"),
        ("max instead of log-sum-exp", "np.logaddexp(np.logaddexp(previous, shift_right(previous, 1)), from_skip)",
         "np.maximum(np.maximum(previous, shift_right(previous, 1)), from_skip)", "combined with max"),
        ("the loss's sign", "loss = float(-log_p)", "loss = float(log_p)", "wrong sign"),
        ("the frame's probability left out", "log_alpha[t] = ways_in + log_probs[t, extended]",
         "log_alpha[t] = ways_in", "own log-probability"),
    ],
    "ctc_backward": [
        ("one end state", "    if S > 1:\n        log_beta[T - 1, S - 2] = log_probs[T - 1, extended[S - 2]]\n", "",
         "only the last state"),
        ("the skip's own flag", "skip_out = shift_left(skip_allowed, 2, fill=False)", "skip_out = skip_allowed",
         "whose flag counts"),
        ("no skip", "ways_out = np.logaddexp(np.logaddexp(following, shift_left(following, 1)), from_skip)",
         "ways_out = np.logaddexp(following, shift_left(following, 1))", "skip to s + 2 is missing"),
        ("max instead of log-sum-exp",
         "np.logaddexp(np.logaddexp(following, shift_left(following, 1)), from_skip)",
         "np.maximum(np.maximum(following, shift_left(following, 1)), from_skip)", "combined with max"),
        ("the frame's probability left out", "log_beta[t] = ways_out + log_probs[t, extended]",
         "log_beta[t] = ways_out", "own log-probability"),
    ],
    "ctc_gradient": [
        ("the gradient with respect to log_probs", "gradient = np.exp(log_probs) - posterior",
         "gradient = -posterior", "with respect to log_probs"),
        ("the sign flipped", "gradient = np.exp(log_probs) - posterior", "gradient = posterior - np.exp(log_probs)",
         "sign is flipped"),
        ("states overwrite each other", "posterior[:, extended[s]] += state_posterior[:, s]",
         "posterior[:, extended[s]] = state_posterior[:, s]", "keeps the last"),
        ("not divided by p", "- log_probs[:, extended] + loss)", "- log_probs[:, extended])",
         "not divided by p(labels | x)"),
        ("the frame counted twice", "log_alpha + log_beta - log_probs[:, extended] + loss",
         "log_alpha + log_beta + loss", "counted twice"),
    ],
    "collapse": [
        ("blanks dropped before merging", "        previous = k\n",
         "        previous = k if k != blank else previous\n", "dropped before the repeats were merged"),
        ("runs not merged", "if k != previous and k != blank:", "if k != blank:", "not merged"),
        ("blanks not dropped", "if k != previous and k != blank:", "if k != previous:", "not dropped"),
        ("the blank argument ignored", "if k != previous and k != blank:", "if k != previous and k != 0:",
         "blank argument was ignored"),
    ],
    "greedy_decode": [
        ("argmax over the frames", "np.argmax(log_probs, axis=1)", "np.argmax(log_probs, axis=0)",
         "along the frames"),
        ("the path not collapsed", "labels = collapse(best_path, blank)", "labels = [int(k) for k in best_path]",
         "best path itself"),
        ("the blank argument ignored", "labels = collapse(best_path, blank)", "labels = collapse(best_path)",
         "blank argument was ignored"),
    ],
    "prefix_beam_search": [
        ("one mass per prefix",
         "                    add(prefix, -np.inf, log_nb + log_probs[t, k])\n"
         "                    add(prefix + (k,), -np.inf, log_b + log_probs[t, k])\n",
         "                    add(prefix, -np.inf, log_total + log_probs[t, k])\n", "kept one mass"),
        ("a repeat always a new label", "if prefix and prefix[-1] == k:", "if False:", "always made a new label"),
        ("beam_width ignored", "beams = dict(ranked[:beam_width])", "beams = dict(ranked)", "beam_width was ignored"),
        ("ranked by p_nb", "key=lambda item: -np.logaddexp(*item[1])", "key=lambda item: -item[1][1]",
         "ranked by p_nb alone"),
        ("a blank extends p_b only", "add(prefix, log_total + log_probs[t, blank], -np.inf)",
         "add(prefix, log_b + log_probs[t, blank], -np.inf)", "extended only p_b"),
    ],
    "best_path_alignment": [
        ("the trace-back from the last state only",
         "s = S - 1 if S == 1 or score[T - 1, S - 1] >= score[T - 1, S - 2] else S - 2", "s = S - 1",
         "started from the last state"),
        ("no skip", "np.where(skip_allowed, shift_right(previous, 2), -np.inf)", "np.full(S, -np.inf)",
         "skip from s - 2 is missing"),
        ("the blank state's frames", "states == 2 * u + 1", "states == 2 * u", "the blank before label u"),
    ],
    "edit_distance": [
        ("a substitution costs 2", "+ (a[i - 1] != b[j - 1])", "+ 2 * (a[i - 1] != b[j - 1])",
         "substitution cost 2"),
        ("no borders", "    D[:, 0] = np.arange(len(a) + 1)\n    D[0, :] = np.arange(len(b) + 1)\n", "",
         "first row and column are 0"),
        ("no insertion", "D[i - 1, j] + 1, D[i, j - 1] + 1", "D[i - 1, j] + 1, D[i - 1, j] + 1", "D[i][j] = min"),
    ],
    "build_recognizer": [
        ("a softmax on the logits", "logits = Dense(n_classes)(sequence)",
         'logits = Dense(n_classes, activation="softmax")(sequence)',
         "takes logits"),
        ("the second GRU returns its last step only", "sequence = Bidirectional(GRU(128, return_sequences=True))(x)",
         "sequence = Bidirectional(GRU(128))(x)", "return_sequences=True"),
        ("padding left at valid", 'kernel_size=11, strides=2, padding="same")', "kernel_size=11, strides=2)",
         "padding='same'"),
        ("stride 1", "kernel_size=11, strides=2", "kernel_size=11, strides=1", "a stride of 2"),
        ("Dropout's rate as the share kept", "x = Dropout(0.2)(x)", "x = Dropout(0.8)(x)",
         "fraction of the units dropped"),
    ],
}


def _probe_labels(rng) -> list[tuple]:
    calls = [([], 0), ([1], 0), ([1, 1], 0), ([2, 1, 2], 0), ([3, 3, 3], 0), ([0, 1, 1], 2), ((4, 5),), ([7, 7, 8], 1)]
    calls += [([int(k) for k in rng.integers(1, 4, int(rng.integers(0, 8)))], 0) for _ in range(8)]
    calls.append((np.array([5, 5, 2]), 0))
    return calls


def _probe_trellis(rng) -> list[tuple]:
    calls = []
    for T, K, labels, blank in ((1, 3, [], 0), (1, 3, [1], 0), (2, 3, [1, 1], 0), (3, 3, [1, 1], 0), (4, 4, [3], 0),
                                (6, 4, [1, 2, 1], 0), (5, 3, [0, 1], 2), (8, 5, [4, 4, 4], 0), (9, 6, [1, 2, 3, 4], 0),
                                (7, 4, [2, 2, 3], 1), (12, 3, [], 1)):
        calls.append((checks.random_log_probs(rng, T, K), labels, blank))
    for _ in range(6):
        blank, K = checks._blank_and_alphabet(rng)
        labels = checks._labels_with_repeats(rng, int(rng.integers(0, 6)), K, blank)
        calls.append((checks.random_log_probs(rng, max(1, checks.min_frames(labels) + int(rng.integers(-1, 4))),
                                              K, 2.0), labels, blank))
    calls.append((checks.random_log_probs(rng, 350, 5, 3.0), [1, 2, 2, 3, 4, 1], 0))
    return calls


def _probe_collapse(rng) -> list[tuple]:
    calls = [([], 0), ([0], 0), ([1], 0), ([1, 1], 0), ([1, 0, 1], 0), ([0, 1, 1, 0, 0, 2], 0), ([2, 2], 2),
             (np.array([3, 0, 3, 3, 1]), 0), ((1, 2, 2, 1),), ([1, 1, 2, 1], 1)]
    calls += [([int(k) for k in rng.integers(0, 4, int(rng.integers(0, 12)))], int(rng.integers(0, 4)))
              for _ in range(8)]
    return calls


def _probe_greedy(rng) -> list[tuple]:
    calls = [(checks.random_log_probs(rng, T, K, 2.0), blank) for T, K, blank in
             ((1, 3, 0), (2, 2, 0), (5, 4, 0), (9, 3, 2), (15, 6, 0), (4, 5, 4))]
    calls.append((checks.random_log_probs(rng, 6, 3),))
    return calls


def _probe_beam(rng) -> list[tuple]:
    calls = [(np.log(np.array([[0.6, 0.4], [0.6, 0.4]])), 3, 0)]
    for T, K, width, blank in ((1, 3, 1, 0), (3, 3, 1, 0), (4, 3, 2, 0), (6, 4, 3, 0), (5, 3, 8, 2), (8, 5, 4, 0),
                               (7, 2, 2, 1), (10, 4, 5, 0)):
        calls.append((checks.random_log_probs(rng, T, K, 1.5), width, blank))
    calls.append((checks.random_log_probs(rng, 5, 3), 3))
    return calls


def _probe_edit(rng) -> list[tuple]:
    calls = [("", ""), ("a", ""), ("", "ab"), ("abc", "abc"), ("abc", "acb"), ("kitten", "sitting"),
             ([1, 2, 3], [3, 2, 1]), (np.array([4, 4]), np.array([4])), ((1, 2), [2]), ("four one", "for one")]
    calls += [([int(d) for d in rng.integers(0, 3, int(rng.integers(0, 9)))],
               [int(d) for d in rng.integers(0, 3, int(rng.integers(0, 9)))]) for _ in range(10)]
    return calls


def _probe_recognizer(rng) -> list[tuple]:
    """(input_shape, n_classes): any length, an odd and an even fixed length, one frame, few features."""
    return [((None, 8), 5), ((30, 6), 4), ((17, 3), 11), ((1, 5), 3), ((2, 4), 2), ((None, 40), 11)]


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"extend_with_blanks": _probe_labels, "ctc_forward": _probe_trellis, "ctc_backward": _probe_trellis,
          "ctc_gradient": _probe_trellis, "collapse": _probe_collapse, "greedy_decode": _probe_greedy,
          "prefix_beam_search": _probe_beam, "best_path_alignment": _probe_trellis, "edit_distance": _probe_edit,
          "build_recognizer": _probe_recognizer}

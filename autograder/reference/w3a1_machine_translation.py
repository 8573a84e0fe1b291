"""Reference for w3a1 (machine translation with attention): the graded functions, and the cases behind the checks
in :mod:`week3.translation_checks` and :mod:`week3.decoding_checks`.

The attention model's expected outputs are computed step by step in numpy from the layers' weights (Keras's LSTM
equations, gates in the order input, forget, cell, output), independently of Keras; each classic mistake is the
same computation with one thing done wrong. The decoding functions' reference is
:mod:`autograder.reference.w3a1_decoding`.
"""
from __future__ import annotations

import numpy as np

import keras
from autograder.reference import w3a1_decoding as decoding
from keras.layers import (LSTM, Activation, Bidirectional, Concatenate, Dense, Dot, Input, RepeatVector,  # noqa: F401
                          Softmax)
from week3 import translation_checks as checks

CHECKS = "week3.translation_checks"
# one_step_attention builds on symbolic Keras tensors inside modelf: it cannot stand in from another process.
KERNEL_ONLY = ("one_step_attention",)

# ------------------------------------------------------------------ the graded functions (the notebook's globals)

Tx, Ty, n_a, n_s = checks.TX, 10, checks.N_A, checks.N_S
repeator = RepeatVector(Tx)
concatenator = Concatenate(axis=-1)
densor1 = Dense(10, activation="tanh")
densor2 = Dense(1, activation="relu")
activator = Softmax(axis=1, name="attention_weights")
dotor = Dot(axes=1)
post_activation_LSTM_cell = LSTM(n_s, return_state=True)
output_layer = Dense(checks.N_MACHINE, activation="softmax")


def one_step_attention(a, s_prev):
    s_prev = repeator(s_prev)
    concat = concatenator([a, s_prev])
    e = densor1(concat)
    energies = densor2(e)
    alphas = activator(energies)
    context = dotor([alphas, a])
    return context


def modelf(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size):
    X = Input(shape=(Tx, human_vocab_size))
    s0 = Input(shape=(n_s,), name="s0")
    c0 = Input(shape=(n_s,), name="c0")
    s, c = s0, c0
    outputs = []
    a = Bidirectional(LSTM(n_a, return_sequences=True))(X)
    for t in range(Ty):
        context = one_step_attention(a, s)
        s, _, c = post_activation_LSTM_cell(context, initial_state=[s, c])
        outputs.append(output_layer(s))
    return keras.Model(inputs=[X, s0, c0], outputs=outputs)


GRADED = {"one_step_attention": one_step_attention, "modelf": modelf, **decoding.GRADED}
# The stand-ins each graded function may call while it is tested (see autograder.remote): none. modelf calls
# one_step_attention, which builds on its Keras tensors and so never stands in (KERNEL_ONLY).
STAND_INS = {"one_step_attention": {}, "modelf": {}, **decoding.STAND_INS}

# ------------------------------------------------------------------ an independent computation in numpy


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z, axis=-1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _lstm_step(weights, x, h, c):
    kernel, recurrent, bias = weights
    n = h.shape[-1]
    z = x @ kernel + h @ recurrent + bias
    i, f, g, o = _sigmoid(z[:, :n]), _sigmoid(z[:, n:2 * n]), np.tanh(z[:, 2 * n:3 * n]), _sigmoid(z[:, 3 * n:])
    c = f * c + i * g
    return o * np.tanh(c), c


def _lstm_sequence(weights, X, reverse=False):
    m, T, _ = X.shape
    n = weights[1].shape[0]
    h, c = np.zeros((m, n)), np.zeros((m, n))
    out = np.zeros((m, T, n))
    for t in (reversed(range(T)) if reverse else range(T)):
        h, c = _lstm_step(weights, X[:, t], h, c)
        out[:, t] = h
    return out


def _attention(a, s_prev, d1, d2, mistake=None):
    """context (m, 1, 2 n_a). mistake: None, "order" ([s_prev, a]), "feature_softmax" (softmax over the last
    axis), "energies" (the energies used as weights, no softmax), "no_relu" (densor2 without its relu)."""
    s_rep = np.repeat(s_prev[:, None, :], a.shape[1], axis=1)
    concat = np.concatenate([s_rep, a] if mistake == "order" else [a, s_rep], axis=-1)
    e = np.tanh(concat @ d1[0] + d1[1])
    energies = e @ d2[0] + d2[1]
    if mistake != "no_relu":
        energies = np.maximum(energies, 0)
    alphas = {"feature_softmax": lambda: _softmax(energies, axis=-1), "energies": lambda: energies}.get(
        mistake, lambda: _softmax(energies, axis=1))()
    return np.einsum("mtk,mtd->mkd", alphas, a)


def case_one_step_attention(seed=None):
    x = {k: (v if isinstance(v, np.ndarray) else [np.asarray(w, dtype=np.float64) for w in v])
         for k, v in checks.attention_inputs(seed).items()}
    a, s = x["a"].astype(np.float64), x["s_prev"].astype(np.float64)
    run = lambda mistake=None: _attention(a, s, x["densor1"], x["densor2"], mistake)  # noqa: E731
    return {"context": run(),
            "mistakes": {"the concatenation is in the wrong order: a comes first, then the repeated s_prev (step 2 "
                         "of section 2.1).":
                         run("order"),
                         "the softmax is over the wrong axis: the attention weights must sum to 1 over the time "
                         "steps (axis 1); use the shared activator.": run("feature_softmax"),
                         "the energies were used as the attention weights; apply the activator (the softmax over "
                         "time) to them first.": run("energies")}}


def _model(w, X, s0, c0, Ty, mistake=None):
    """The outputs (Ty, m, n_machine) of the attention model. mistake: None, "no_carry" (every step from s0, c0),
    "unpack" (s, c, _ = ...: the cell state becomes s), "output_on_c" (output_layer(c)), "inputs_order" (the
    Model's inputs [X, c0, s0]), "query_s0" / "query_c0" / "query_c" (the attention queried with s0, c0 or the
    current cell state c instead of s)."""
    X, s0, c0 = (np.asarray(v, dtype=np.float64) for v in (X, s0, c0))
    if mistake == "inputs_order":
        s0, c0 = c0, s0
    w = {k: [np.asarray(x, dtype=np.float64) for x in v] for k, v in w.items()}
    a = np.concatenate([_lstm_sequence(w["encoder_forward"], X),
                        _lstm_sequence(w["encoder_backward"], X, reverse=True)], axis=-1)
    s, c = s0, c0
    outputs = []
    for _ in range(Ty):
        if mistake == "no_carry":
            s, c = s0, c0
        query = {"query_s0": s0, "query_c0": c0, "query_c": c}.get(mistake, s)
        context = _attention(a, query, w["densor1"], w["densor2"])[:, 0]
        s_new, c_new = _lstm_step(w["post_lstm"], context, s, c)
        s, c = (s_new, s_new) if mistake == "unpack" else (s_new, c_new)
        outputs.append(_softmax((c if mistake == "output_on_c" else s) @ w["output"][0] + w["output"][1]))
    return np.stack(outputs)


MODELF_MISTAKES = {
    "no_carry": "the post-attention LSTM's state is not carried from one step to the next: each step starts from "
                "the s and c it returned at the step before (step 3 of section 2.2).",
    "unpack": "the post-attention LSTM's three outputs were unpacked in the wrong order; it returns the output, the "
              "hidden state and the cell state, in that order.",
    "output_on_c": "output_layer was applied to the cell state c; apply it to the hidden state s.",
    "inputs_order": "the Model's inputs are in the wrong order: they are [X, s0, c0] (step 4 of section 2.2), the "
                    "check gives the initial hidden state second and the initial cell state third.",
}
QUERY_MISTAKES = {
    "query_s0": "the attention was queried with the initial state s0 at every step: at each step give "
                "one_step_attention the hidden state s that the post-attention LSTM returned at the step before "
                "(step 3 of section 2.2).",
    "query_c0": "the attention was queried with the initial cell state c0: at each step give one_step_attention the "
                "hidden state s from the step before (s0 only at the first step).",
    "query_c": "the attention was queried with the cell state c: query it with the hidden state s from the step "
               "before, the post-attention LSTM's first output.",
}


def case_modelf(seed=None):
    s = checks.model_sizes(seed)
    X, s0, c0 = checks.model_inputs(seed)

    def outputs(w, mistakes):
        run = lambda mistake=None: _model(w, X, s0, c0, s["Ty"], mistake)  # noqa: E731
        expected = run()
        found = {}
        for mistake, cause in mistakes.items():
            value = run(mistake)
            if not np.allclose(value, expected, rtol=1e-3, atol=1e-4):  # (s0 and c0 are the same where Ty is 1)
                found[cause] = value
        return expected, found

    plain, plain_mistakes = outputs(checks.model_weights(seed), MODELF_MISTAKES)
    query, query_mistakes = outputs(checks.query_weights(seed), QUERY_MISTAKES)
    return {"outputs": plain, "mistakes": plain_mistakes, "query_outputs": query, "query_mistakes": query_mistakes}


CASES = {"one_step_attention": case_one_step_attention, "modelf": case_modelf, **decoding.CASES}

# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "one_step_attention": [
        ("a and s_prev concatenated in the wrong order", "concat = concatenator([a, s_prev])",
         "concat = concatenator([s_prev, a])", "concatenation is in the wrong order"),
        ("the softmax taken over the features", "alphas = activator(energies)",
         "alphas = Softmax(axis=-1)(energies)", "softmax is over the wrong axis"),
        ("the energies used as the attention weights", "alphas = activator(energies)", "alphas = energies",
         "energies were used as the attention weights"),
        ("densor2 left out", "energies = densor2(e)", "energies = e", "densor1, THEN densor2"),
        ("the context summed without dotor (no time axis)", "context = dotor([alphas, a])",
         "context = keras.ops.sum(alphas * a, axis=1)", "Dot(axes=1)"),
    ],
    "modelf": [
        ("the attention queried with s0 at every step", "context = one_step_attention(a, s)",
         "context = one_step_attention(a, s0)", "queried with the initial state s0"),
        ("the attention queried with the cell state c", "context = one_step_attention(a, s)",
         "context = one_step_attention(a, c)", "queried with the cell state c"),
        ("every step started from s0 and c0", "initial_state=[s, c]", "initial_state=[s0, c0]",
         "state is not carried"),
        ("the LSTM's outputs unpacked as s, c, _", "s, _, c = post_activation_LSTM_cell",
         "s, c, _ = post_activation_LSTM_cell", "unpacked in the wrong order"),
        ("output_layer applied to c", "out = output_layer(s)", "out = output_layer(c)",
         "applied to the cell state c"),
        ("the Model's inputs [X, c0, s0]", "Model(inputs=[X, s0, c0], outputs=outputs)",
         "Model(inputs=[X, c0, s0], outputs=outputs)", "inputs are in the wrong order"),
        ("only the last output returned", "outputs=outputs)", "outputs=out)", "only the last output was returned"),
    ],
    "greedy_decode": [
        ("stopped at end_id without appending it",
         "        tokens.append(token)\n        if token == end_id:\n            break\n",
         "        if token == end_id:\n            break\n        tokens.append(token)\n",
         "end token was not appended"),
        ("the empty prefix at every step", "step_log_probs(tuple(tokens))", "step_log_probs(())",
         "always given the empty prefix"),
        ("only the last token as the prefix", "step_log_probs(tuple(tokens))", "step_log_probs(tuple(tokens[-1:]))",
         "given only the last token"),
        ("the least probable token", "np.argmax(log_probs)", "np.argmin(log_probs)", "the most probable next token"),
    ],
    "beam_search_decode": [
        ("no length normalization", "scores = [total / len(prefix) ** alpha for prefix, total in finished]",
         "scores = [total for prefix, total in finished]", "chosen by its total log-probability"),
        ("divided by the length, alpha ignored", "total / len(prefix) ** alpha", "total / len(prefix)",
         "instead of len(tokens) ** alpha"),
        ("the total returned as the score", "float(scores[best])", "float(finished[best][1])",
         "score returned is the total log-probability"),
        ("the worst candidates kept", "candidates.sort(key=lambda candidate: -candidate[1])",
         "candidates.sort(key=lambda candidate: candidate[1])", "LOWEST total log-probability"),
        ("a hypothesis one token past max_len", "len(prefix) >= max_len", "len(prefix) > max_len",
         "grew past max_len"),
        ("max_len ignored", "if prefix[-1] == end_id or len(prefix) >= max_len:", "if prefix[-1] == end_id:",
         "does not stop"),
        ("one candidate kept per step", "candidates[:beam_width]", "candidates[:1]",
         "only one candidate was kept per step"),
    ],
    "bleu_score": [
        ("no clipping",
         "clipped = sum(min(count, max(rc[gram] for rc in reference_counts)) for gram, count in counts.items())",
         "clipped = sum(count for gram, count in counts.items() if any(rc[gram] for rc in reference_counts))",
         "counts were not clipped"),
        ("clipped to the count summed over the references", "max(rc[gram] for rc in reference_counts)",
         "sum(rc[gram] for rc in reference_counts)", "clipped to their total over all the references"),
        ("the references' n-grams counted over the candidate's length", "range(len(ref) - n + 1)",
         "range(c - n + 1)", "references' n-grams were not all counted"),
        ("the candidate's last n-gram left out", "for i in range(c - n + 1))", "for i in range(c - n))",
         "candidate's last n-gram was left out"),
        ("the brevity penalty inverted", "np.exp(1 - r / c)", "np.exp(1 - c / r)", "not exp(1 - c / r)"),
        ("r from the first reference",
         "r = min((len(ref) for ref in references), key=lambda length: (abs(length - c), length))",
         "r = len(references[0])", "not the first reference's"),
        ("the longer reference on a tie", "(abs(length - c), length)", "(abs(length - c), -length)",
         "the SHORTER one"),
        ("r from the shortest reference",
         "r = min((len(ref) for ref in references), key=lambda length: (abs(length - c), length))",
         "r = min(len(ref) for ref in references)", "the length of the shortest reference"),
        ("the arithmetic mean of the precisions", "score = np.exp(np.mean(log_precisions))",
         "score = np.mean(np.exp(log_precisions))", "averaged arithmetically"),
    ],
}


def _probe_one_step_attention(rng):
    """(a, s_prev) for the shared layers' sizes: batches of 1 to 4, encoder outputs of several scales."""
    calls = []
    for i in range(20):
        m = 1 + i % 4
        scale = (0.5, 1.0, 2.0)[i % 3]
        calls.append((rng.normal(0, scale, (m, Tx, 2 * n_a)).astype(np.float32),
                      rng.normal(0, 1.0, (m, n_s)).astype(np.float32)))
    return calls


def _probe_modelf(rng):
    """modelf's arguments: the shared layers fix Tx, n_a, n_s and the machine vocabulary; Ty from 1 to 10 and
    human vocabularies of several sizes (each model compared by its outputs, with the same random weights)."""
    return [(Tx, Ty_, n_a, n_s, int(rng.integers(5, 60)), checks.N_MACHINE)
            for Ty_ in (1, 2, 3, 5, 10, 4, 7, 2, 6, 1, 3, 8, 2, 4, 9, 1, 5, 3, 2, 6)]


class _Step:
    """A deep-copyable step function for the probes: log-probabilities from ``table[length, last token]`` (the
    last length row repeats past the table); more than ``limit`` calls raise (a decoder that never stops)."""

    def __init__(self, table, limit=3000):
        self.table, self.limit, self.calls = table, limit, 0

    def __call__(self, prefix):
        self.calls += 1
        if self.calls > self.limit:
            raise RuntimeError("step_log_probs called too often: the decoder does not stop")
        prefix = tuple(prefix)
        n_lengths, _, vocab_size = self.table.shape
        last = vocab_size if not prefix else int(prefix[-1])
        return np.array(self.table[min(len(prefix), n_lengths - 1), last], dtype=np.float64)


def _probe_table(rng, vocab_size, n_lengths, end_id, end_at, end_first=False, ties=False):
    if ties:
        return np.full((n_lengths, vocab_size + 1, vocab_size), -np.log(vocab_size))
    logits = rng.normal(0, 1.5, (n_lengths, vocab_size + 1, vocab_size))
    if 0 <= end_id < vocab_size:
        logits[:, :, end_id] += np.arange(n_lengths)[:, None] - end_at
        logits[0, :, end_id] = 3.0 if end_first else -10.0
    logits -= logits.max(axis=-1, keepdims=True)
    return logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))


def _probe_decoders(rng, beam: bool):
    """Step tables of vocabularies of 2 to 8 tokens; max_len from 1 to 9; the end token early, late (max_len
    reached), first, or not in the vocabulary (end_id = -1, as the notebook's date decoding); a table of ties;
    for beam search widths 1 to vocabulary + 2 and alpha 0, 0.7 and 1."""
    calls = []
    for i in range(24):
        vocab_size = 2 + i % 7
        max_len = (1, 2, 5, 9, 3, 6)[i % 6]
        end_id = -1 if i % 8 == 5 else int(rng.integers(0, vocab_size))
        end_at = (max_len / 2, max_len + 3.0, 1.0)[i % 3]
        table = _probe_table(rng, vocab_size, max_len + 4, end_id, end_at, end_first=i % 5 == 2, ties=i == 11)
        if beam:
            width = (1, 2, 3, vocab_size, vocab_size + 2)[i % 5]
            calls.append((_Step(table), width, max_len, end_id, (0.0, 0.7, 1.0)[i % 3]))
        else:
            calls.append((_Step(table), max_len, end_id))
    return calls


def _probe_greedy_decode(rng):
    return _probe_decoders(rng, beam=False)


def _probe_beam_search_decode(rng):
    return _probe_decoders(rng, beam=True)


def _probe_bleu_score(rng):
    """Token lists (ints, and words): candidates empty, shorter than max_n, as long as the closest reference
    (c == r), between two references (tie), longer than all; copies of a reference's head or tail; repeated tokens
    (clipping); one to three references; max_n 1 to 4."""
    calls = [([], [[1, 2, 3]], 4), ([1, 2], [[1, 2, 3]], 4), ([1, 2], [[1, 2, 3]], 2), ([3], [[3]], 1),
             ("the cat is on the mat".split(), ["the cat is on the mat".split(), "there is a cat on the mat".split()], 4),
             ("the the the the".split(), ["the cat the mat".split(), "a the cat".split()], 2),
             ([5, 6, 7, 8], [[1, 2, 5, 6, 7, 8], [9]], 4), ([2, 2, 2], [[2, 2, 1], [2, 1, 1, 1]], 1),
             ([1, 2, 3, 4], [[], [1, 2, 3, 4, 5]], 2)]
    while len(calls) < 40:
        vocab = int(rng.integers(2, 7))
        refs = [[int(t) for t in rng.integers(0, vocab, int(rng.integers(1, 12)))]
                for _ in range(int(rng.integers(1, 4)))]
        kind = len(calls) % 4
        if kind == 0:
            candidate = list(refs[0][-int(rng.integers(1, len(refs[0]) + 1)):])  # the tail of a reference
        elif kind == 1:
            candidate = list(refs[-1])  # c == r
            candidate[int(rng.integers(len(candidate)))] = int(rng.integers(vocab))
        else:
            candidate = [int(t) for t in rng.integers(0, vocab, int(rng.integers(0, 12)))]
        calls.append((candidate, refs, int(rng.integers(1, 5))))
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"one_step_attention": _probe_one_step_attention, "modelf": _probe_modelf,
          "greedy_decode": _probe_greedy_decode, "beam_search_decode": _probe_beam_search_decode,
          "bleu_score": _probe_bleu_score}

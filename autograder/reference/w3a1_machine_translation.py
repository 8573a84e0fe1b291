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
    "unpack" (s, c, _ = ...: the cell state becomes s), "output_on_c" (output_layer(c))."""
    X, s0, c0 = (np.asarray(v, dtype=np.float64) for v in (X, s0, c0))
    w = {k: [np.asarray(x, dtype=np.float64) for x in v] for k, v in w.items()}
    a = np.concatenate([_lstm_sequence(w["encoder_forward"], X),
                        _lstm_sequence(w["encoder_backward"], X, reverse=True)], axis=-1)
    s, c = s0, c0
    outputs = []
    for _ in range(Ty):
        if mistake == "no_carry":
            s, c = s0, c0
        context = _attention(a, s, w["densor1"], w["densor2"])[:, 0]
        s_new, c_new = _lstm_step(w["post_lstm"], context, s, c)
        s, c = (s_new, s_new) if mistake == "unpack" else (s_new, c_new)
        outputs.append(_softmax((c if mistake == "output_on_c" else s) @ w["output"][0] + w["output"][1]))
    return np.stack(outputs)


def case_modelf(seed=None):
    s = checks.model_sizes(seed)
    w = checks.model_weights(seed)
    X, s0, c0 = checks.model_inputs(seed)
    run = lambda mistake=None: _model(w, X, s0, c0, s["Ty"], mistake)  # noqa: E731
    return {"outputs": run(),
            "mistakes": {"the post-attention LSTM's state is not carried from one step to the next: each step "
                         "starts from the s and c it returned at the step before (step 3 of section 2.2).":
                             run("no_carry"),
                         "the post-attention LSTM's three outputs were unpacked in the wrong order; it returns the "
                         "output, the hidden state and the cell state, in that order.": run("unpack"),
                         "output_layer was applied to the cell state c; apply it to the hidden state s.":
                             run("output_on_c")}}


CASES = {"one_step_attention": case_one_step_attention, "modelf": case_modelf, **decoding.CASES}

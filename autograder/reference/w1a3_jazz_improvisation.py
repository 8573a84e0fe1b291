"""Reference for w1a3 (Jazz improvisation): the graded functions, and the cases behind the checks in
:mod:`week1.jazz_checks`.

The expected outputs are computed step by step in numpy from the shared layers' weights (Keras's LSTM equations,
gates in the order input, forget, cell, output), independently of Keras; each classic mistake is the same
computation with one thing done wrong.
"""
from __future__ import annotations

import numpy as np

import keras
from keras import layers, ops
from week1 import jazz_checks as checks

CHECKS = "week1.jazz_checks"

# ------------------------------------------------------------------ the graded functions


def djmodel(Tx, LSTM_cell, densor, reshaper):
    n_values = densor.units
    n_a = LSTM_cell.units
    X = layers.Input(shape=(Tx, n_values))
    a0 = layers.Input(shape=(n_a,), name="a0")
    c0 = layers.Input(shape=(n_a,), name="c0")
    a, c = a0, c0
    outputs = []
    for t in range(Tx):
        x = reshaper(X[:, t, :])
        a, _, c = LSTM_cell(x, initial_state=[a, c])
        outputs.append(densor(a))
    return keras.Model(inputs=[X, a0, c0], outputs=outputs)


def music_inference_model(LSTM_cell, densor, Ty=100):
    n_values = densor.units
    n_a = LSTM_cell.units
    x0 = layers.Input(shape=(1, n_values))
    a0 = layers.Input(shape=(n_a,), name="a0")
    c0 = layers.Input(shape=(n_a,), name="c0")
    a, c, x = a0, c0, x0
    outputs = []
    for t in range(Ty):
        a, _, c = LSTM_cell(x, initial_state=[a, c])
        out = densor(a)
        outputs.append(out)
        x = ops.one_hot(ops.argmax(out, axis=-1), n_values)
        x = layers.RepeatVector(1)(x)
    return keras.Model(inputs=[x0, a0, c0], outputs=outputs)


def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
    pred = inference_model([x_initializer, a_initializer, c_initializer])
    pred = [np.asarray(p) for p in (pred if isinstance(pred, (list, tuple)) else [pred])]
    indices = np.argmax(np.stack(pred), axis=-1)
    results = np.eye(x_initializer.shape[-1])[indices[:, 0]]
    return results, indices


GRADED = {"djmodel": djmodel, "music_inference_model": music_inference_model,
          "predict_and_sample": predict_and_sample}

# ------------------------------------------------------------------ an independent step-by-step computation


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _lstm_step(w, x, h, c):
    """One Keras LSTM step on a batch: x (m, n_values), h and c (m, n_a) -> (h, c)."""
    n_a = h.shape[1]
    z = x @ w["kernel"] + h @ w["recurrent_kernel"] + w["bias"]
    i, f = _sigmoid(z[:, :n_a]), _sigmoid(z[:, n_a:2 * n_a])
    g, o = np.tanh(z[:, 2 * n_a:3 * n_a]), _sigmoid(z[:, 3 * n_a:])
    c = f * c + i * g
    return o * np.tanh(c), c


def _weights(seed):
    return {k: v.astype(np.float64) for k, v in checks.layer_weights(seed).items()}


def _run(w, inputs, a0, c0, steps, mistake=None, feedback=False):
    """The softmax outputs (steps, m, n_values) of the shared LSTM + Dense run for ``steps`` steps.

    inputs: X (m, Tx, n_values) when not ``feedback``, else x0 (m, 1, n_values) and each next input is the one-hot
    of the previous output's argmax. mistake: None, "unpack" (a, c, _ = ...: the cell state becomes h),
    "no_carry" (every step starts from a0, c0), "swap_state" (initial_state=[c, a]), "dense_on_c" (densor(c)),
    "same_input" (X[:, 0] at every step), "probabilities" (the softmax fed back), "no_feedback" (x0 at every step).
    """
    n_values = w["dense_bias"].shape[0]
    h, c = a0.astype(np.float64), c0.astype(np.float64)
    x = inputs[:, 0, :].astype(np.float64)
    outputs = []
    for t in range(steps):
        if not feedback:
            x = inputs[:, 0 if mistake == "same_input" else t, :].astype(np.float64)
        if mistake == "no_carry":
            h, c = a0.astype(np.float64), c0.astype(np.float64)
        if mistake == "swap_state":
            h, c = c, h
        h_new, c_new = _lstm_step(w, x, h, c)
        h, c = (h_new, h_new) if mistake == "unpack" else (h_new, c_new)
        out = _softmax((c if mistake == "dense_on_c" else h) @ w["dense_kernel"] + w["dense_bias"])
        outputs.append(out)
        if feedback and mistake != "no_feedback":
            x = out if mistake == "probabilities" else np.eye(n_values)[out.argmax(axis=-1)]
    return np.stack(outputs)


_CARRY = ("the state is not carried from one step to the next: each step starts from the a and c that the "
          "LSTM_cell returned at the step before (step 3 of section 2.1).")
_UNPACK = ("the LSTM_cell's three outputs were unpacked in the wrong order; it returns the output, the hidden state "
           "and the cell state, in that order (section 2).")
_SWAP = ("the initial state is in the wrong order: the hidden state a comes first, then the cell state c "
         "(section 2).")
_DENSE_ON_C = "densor was applied to the cell state c; apply it to the hidden state a."


def case_djmodel(seed=None):
    s, w = checks.sizes(seed), _weights(seed)
    X, a0, c0 = checks.sequence_inputs(seed)
    run = lambda mistake=None: _run(w, X, a0, c0, s["Tx"], mistake)  # noqa: E731
    return {"outputs": run(),
            "mistakes": {_CARRY: run("no_carry"), _UNPACK: run("unpack"), _SWAP: run("swap_state"),
                         _DENSE_ON_C: run("dense_on_c"),
                         "every step reads the first time step; step t should read time step t of X (step 3 of "
                         "section 2.1).":
                             run("same_input")}}


def case_music_inference_model(seed=None):
    s, w = checks.sizes(seed), _weights(seed)
    x0, a0, c0 = checks.inference_inputs(seed)
    run = lambda mistake=None: _run(w, x0, a0, c0, s["Ty"], mistake, feedback=True)  # noqa: E731
    return {"outputs": run(),
            "mistakes": {"the softmax probabilities are fed back as the next input; feed back the one-hot vector of "
                         "their argmax, as a sequence of length 1 (step 3 of section 3.1).":
                             run("probabilities"),
                         "every step reads x0; the next input should be the one-hot of the previous output's argmax.":
                             run("no_feedback"),
                         _CARRY: run("no_carry"), _UNPACK: run("unpack"), _SWAP: run("swap_state"),
                         _DENSE_ON_C: run("dense_on_c")}}


def case_predict_and_sample(seed=None):
    model = checks.sampling_model(seed)
    x0, a0, c0 = (v[:1] for v in checks.inference_inputs(seed))
    pred = np.stack([np.asarray(p) for p in model([x0, a0, c0])])  # (Ty, 1, n_values)
    indices = pred.argmax(axis=-1).astype(np.int64)
    return {"indices": indices, "results": np.eye(pred.shape[-1])[indices[:, 0]]}


CASES = {"djmodel": case_djmodel, "music_inference_model": case_music_inference_model,
         "predict_and_sample": case_predict_and_sample}

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
# The stand-ins each graded function may call while it is tested (see autograder.remote): none; each builds or runs
# its own model.
STAND_INS = {"djmodel": {}, "music_inference_model": {}, "predict_and_sample": {}}

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


# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
# Both models take the same LSTM step; these mistakes of it are classic in both.
_STEP_MISTAKES = [
    ("state not carried",
     "a, _, c = LSTM_cell(x, initial_state=[a, c])",
     "a, _, c = LSTM_cell(x, initial_state=[a0, c0])", "the state is not carried"),
    ("LSTM outputs unpacked as (a, c, _)",
     "a, _, c = LSTM_cell(x, initial_state=[a, c])",
     "a, c, _ = LSTM_cell(x, initial_state=[a, c])",
     "unpacked in the wrong order"),
    ("initial_state=[c, a]",
     "a, _, c = LSTM_cell(x, initial_state=[a, c])",
     "a, _, c = LSTM_cell(x, initial_state=[c, a])",
     "the initial state is in the wrong order"),
    ("densor on the cell state", "out = densor(a)", "out = densor(c)", "densor was applied to the cell state c"),
]

MISTAKES = {
    "djmodel": [
        *_STEP_MISTAKES,
        ("every step reads step 0", "x = reshaper(X[:, t, :])", "x = reshaper(X[:, 0, :])",
         "every step reads the first time step"),
        ("the reshaper left out", "x = reshaper(X[:, t, :])", "x = X[:, t, :]",
         "step t of X was not reshaped with the reshaper to a sequence of length 1"),
        ("a new LSTM at every step", "a, _, c = LSTM_cell(x, initial_state=[a, c])",
         "a, _, c = LSTM(n_a, return_state=True)(x, initial_state=[a, c])",
         "new layers are created inside the loop"),
        ("only the last output", "model = Model(inputs=[X, a0, c0], outputs=outputs)",
         "model = Model(inputs=[X, a0, c0], outputs=out)", "only the last step's output was returned"),
        ("n_values from the notebook's global", "    n_values = densor.units\n", "",
         "n_values was not taken from the arguments"),
    ],
    "music_inference_model": [
        ("probabilities fed back",
         "        x = keras.ops.argmax(out, axis=-1)\n        x = keras.ops.one_hot(x, n_values)\n",
         "        x = out\n", "the softmax probabilities are fed back"),
        ("nothing fed back", "        x = RepeatVector(1)(x)\n", "        x = x0\n", "every step reads x0"),
        ("RepeatVector(1) forgotten", "        x = RepeatVector(1)(x)\n", "",
         "the one-hot vector fed back as the next input was not made a sequence of length 1 with RepeatVector(1)"),
        ("argmax over the batch axis", "keras.ops.argmax(out, axis=-1)", "keras.ops.argmax(out, axis=0)",
         "the argmax was taken over the wrong axis; the vocabulary axis is the last one"),
        ("one-hot of the notebook's vocabulary size", "keras.ops.one_hot(x, n_values)", "keras.ops.one_hot(x, 140)",
         "the one-hot vector fed back has the wrong depth"),
        *_STEP_MISTAKES,
        ("n_a from the notebook's global", "    n_a = LSTM_cell.units\n", "", "n_a was not taken from the arguments"),
    ],
    "predict_and_sample": [
        ("argmax over the steps", "np.argmax(np.array(pred), axis=-1)", "np.argmax(np.array(pred), axis=0)",
         "the argmax was taken over the steps (axis=0)"),
        ("the batch axis dropped", "np.argmax(np.array(pred), axis=-1)", "np.argmax(np.array(pred), axis=-1).ravel()",
         "keep the batch axis"),
        ("probabilities returned as results", "results = to_categorical(indices, num_classes=n_values)",
         "results = np.array(pred)[:, 0, :]", "results holds the probabilities"),
        ("n_values hard-coded", "num_classes=n_values", "num_classes=90", "n_values was not taken from the arguments"),
    ],
}

# (Tx or Ty, n_values, n_a) of the probes: one step, two values, one unit, and sizes unlike the notebook's.
_PROBE_SIZES = [(1, 2, 1), (1, 7, 5), (2, 3, 2), (4, 7, 5), (6, 9, 3), (3, 5, 8), (8, 4, 4), (5, 2, 6), (2, 10, 1),
                (7, 6, 2), (3, 3, 3), (1, 4, 7), (5, 8, 2), (4, 2, 2), (6, 5, 5), (2, 6, 4), (3, 9, 1), (7, 3, 6),
                (4, 4, 3), (5, 7, 7)]


def _probe_layers(n_values, n_a):
    """Fresh shared layers as the notebook makes them (unbuilt: the model builds them)."""
    return (layers.LSTM(n_a, return_state=True), layers.Dense(n_values, activation="softmax"),
            layers.Reshape((1, n_values)))


def _probe_djmodel(rng):
    return [(Tx, *_probe_layers(n_values, n_a)) for Tx, n_values, n_a in _PROBE_SIZES]


def _probe_music_inference_model(rng):
    return [(*_probe_layers(n_values, n_a)[:2], Ty) for Ty, n_values, n_a in _PROBE_SIZES]


def _probe_predict_and_sample(rng):
    """Stand-in inference models of several sizes (one output, even) on random one-hot first inputs and states."""
    calls = []
    for seed in [None, *range(19)]:
        s = checks.sizes(seed)
        x0 = np.eye(s["n_values"], dtype=np.float32)[rng.integers(0, s["n_values"], size=(1, 1))]
        a0, c0 = (rng.normal(0, 1, (1, s["n_a"])).astype(np.float32) for _ in range(2))
        calls.append((checks.sampling_model(seed), x0, a0, c0))
    n_values, n_a = 4, 3  # a model that generates one token only: a list of one output
    x0, a0, c0 = layers.Input(shape=(1, n_values)), layers.Input(shape=(n_a,)), layers.Input(shape=(n_a,))
    out = layers.Dense(n_values, activation="softmax")(layers.Concatenate()([layers.Flatten()(x0), a0, c0]))
    calls.append((keras.Model(inputs=[x0, a0, c0], outputs=[out]), np.eye(n_values, dtype=np.float32)[[[2]]],
                  *(rng.normal(0, 1, (1, n_a)).astype(np.float32) for _ in range(2))))
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"djmodel": _probe_djmodel, "music_inference_model": _probe_music_inference_model,
          "predict_and_sample": _probe_predict_and_sample}

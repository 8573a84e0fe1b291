"""The parts of w3a1 (machine translation with attention) that are not the lesson: pretrained weights, training,
translating, evaluation, the attention map, and the date model as a step function for the decoders.

The model a student builds with ``modelf`` is found here by the *roles* of its layers -- the one Bidirectional
encoder, the one LSTM after the attention, the Dense layers of 10, 1 and 11 units (densor1, densor2, output_layer)
and the layer named ``"attention_weights"`` (the activator) -- never by layer indices, which change with the way a
model is built and between Keras versions.
"""
from __future__ import annotations

import json
import time

import numpy as np

from checks.paths import data_path

WEIGHTS_FILE = ("models", "date_translation", "weights.npz")
METRICS_FILE = ("models", "date_translation", "metrics.json")
ATTENTION_LAYER = "attention_weights"

# ------------------------------------------------------------------ the model's layers by role


def layer_roles(model) -> dict:
    """{"encoder": the Bidirectional layer, "post_lstm": the LSTM after the attention, "densor1", "densor2",
    "output": the Dense layers of 10, 1 and n_machine units}; a clear error when one is missing."""
    import keras

    layers = model.layers
    found = {"encoder": [x for x in layers if isinstance(x, keras.layers.Bidirectional)],
             "post_lstm": [x for x in layers if isinstance(x, keras.layers.LSTM)]}
    dense = [x for x in layers if isinstance(x, keras.layers.Dense)]
    found["densor1"] = [x for x in dense if x.units == 10]
    found["densor2"] = [x for x in dense if x.units == 1]
    found["output"] = [x for x in dense if x.units not in (1, 10)]
    missing = [role for role, xs in found.items() if len(xs) != 1]
    if missing:
        raise ValueError(f"the model should have exactly one layer for each of {missing}; build it with modelf and "
                         "the notebook's shared layers")
    return {role: xs[0] for role, xs in found.items()}


def get_role_weights(model) -> dict:
    return {role: [np.asarray(w) for w in layer.get_weights()] for role, layer in layer_roles(model).items()}


def set_role_weights(model, weights: dict):
    for role, layer in layer_roles(model).items():
        layer.set_weights(weights[role])

# ------------------------------------------------------------------ pretrained weights


def save_weights(path, model, human_vocab: dict, machine_vocab: dict):
    """Write the model's weights by role, with the vocabularies they were trained for."""
    arrays = {f"{role}/{i}": w for role, ws in get_role_weights(model).items() for i, w in enumerate(ws)}
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays, human_vocab=json.dumps(human_vocab), machine_vocab=json.dumps(machine_vocab))


def load_pretrained(model, human_vocab: dict, machine_vocab: dict, path=None) -> dict:
    """Give the model (built by modelf) the weights trained by the project's script; returns that run's metrics."""
    path = path or data_path(*WEIGHTS_FILE)
    with np.load(path) as saved:
        if json.loads(str(saved["human_vocab"])) != human_vocab or \
                json.loads(str(saved["machine_vocab"])) != machine_vocab:
            raise ValueError(f"{path} was trained for other vocabularies; retrain it (see its README).")
        weights: dict = {}
        for key in saved.files:
            if "/" in key:
                role, i = key.split("/")
                weights.setdefault(role, {})[int(i)] = saved[key]
    set_role_weights(model, {role: [ws[i] for i in sorted(ws)] for role, ws in weights.items()})
    metrics = data_path(*METRICS_FILE, must_exist=False)
    return json.loads(metrics.read_text()) if metrics.exists() else {}

# ------------------------------------------------------------------ training and translating


def fit(model, Xoh, Yoh, n_s: int, epochs: int, batch_size: int = 100, learning_rate: float = 0.005):
    """Adam on the cross-entropy of every output character, from zero initial states; prints one line per epoch
    with the loss per character. Returns those losses."""
    import keras

    Ty = len(model.outputs)
    zeros = np.zeros((len(Xoh), n_s), dtype=np.float32)

    class PerCharacter(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.start = [], time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.losses.append(float(logs["loss"]) / Ty)
            print(f"epoch {epoch + 1}/{epochs}: cross-entropy per character {self.losses[-1]:.3f} "
                  f"({time.perf_counter() - self.start:.1f} s)", flush=True)

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="categorical_crossentropy")
    callback = PerCharacter()
    model.fit([Xoh, zeros, zeros], list(np.asarray(Yoh).swapaxes(0, 1)), epochs=epochs, batch_size=batch_size,
              verbose=0, callbacks=[callback])
    return callback.losses


def output_probabilities(model, Xoh, n_s: int, batch: int = 500) -> np.ndarray:
    """(m, Ty, n_machine) the model's output distributions, from zero initial states."""
    out = []
    for start in range(0, len(Xoh), batch):
        x = np.asarray(Xoh[start:start + batch], dtype=np.float32)
        zeros = np.zeros((len(x), n_s), dtype=np.float32)
        probs = model([x, zeros, zeros], training=False)
        out.append(np.stack([np.asarray(p) for p in probs], axis=1))
    return np.concatenate(out)


def translate(model, Xoh, inv_machine_vocab: dict, n_s: int) -> list[str]:
    """The most probable character at every output step, for each example: the model's translation."""
    idx = output_probabilities(model, Xoh, n_s).argmax(axis=-1)
    return ["".join(inv_machine_vocab[int(i)] for i in row) for row in idx]


def exact_and_character_accuracy(predictions: list[str], labels: list[str]) -> dict:
    """Share of whole dates exactly right, and share of output characters right (position by position)."""
    exact = float(np.mean([p == y for p, y in zip(predictions, labels)]))
    chars = float(np.mean([a == b for p, y in zip(predictions, labels) for a, b in zip(p, y)]))
    return {"exact match": exact, "character accuracy": chars}


def date_step_log_probs(probs: np.ndarray):
    """The step function of one example for the decoders: ``step(prefix)`` is the log of the model's distribution
    at output position len(prefix). This decoder never reads what it emitted: the prefix changes nothing but the
    position."""
    log_probs = np.log(np.clip(np.asarray(probs, dtype=np.float64), 1e-12, None))

    def step(prefix):
        return log_probs[len(prefix)].copy()
    return step

# ------------------------------------------------------------------ the attention map


def attention_model(model):
    """A model from the same inputs to the attention weights of every output step: a list of Ty arrays
    (m, Tx, 1). It reads the outputs of the layer named "attention_weights" (the activator) inside ``model``."""
    import keras

    try:
        layer = model.get_layer(ATTENTION_LAYER)
    except ValueError:
        raise ValueError(f"the model has no layer named {ATTENTION_LAYER!r}: one_step_attention must apply the shared "
                         "activator to the energies") from None
    alphas = []
    for node in layer._inbound_nodes:  # one node per call; keep the calls that belong to this model
        try:
            keras.Model(model.inputs, node.output_tensors[0])
        except ValueError:
            continue
        alphas.append(node.output_tensors[0])
    return keras.Model(model.inputs, alphas)


def attention_map(model, xoh: np.ndarray, n_s: int) -> np.ndarray:
    """(Ty, Tx) the attention weights of one example (one-hot (Tx, n_human)): row t is how output step t weighs
    the input characters; each row sums to 1."""
    zeros = np.zeros((1, n_s), dtype=np.float32)
    alphas = attention_model(model)([np.asarray(xoh, dtype=np.float32)[None], zeros, zeros])
    return np.stack([np.asarray(a)[0, :, 0] for a in alphas])


def plot_attention_map(weights: np.ndarray, text: str, output: str, ax=None):
    """The attention weights (Ty, Tx) as a picture: the input characters along x (up to the end of ``text``), the
    output characters along y."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    n = min(len(text), weights.shape[1])
    image = ax.imshow(weights[:, :n], cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(n), [c if c != " " else "␣" for c in text[:n]])
    ax.set_yticks(range(len(output)), list(output))
    ax.set_xlabel("input character")
    ax.set_ylabel("output character")
    ax.set_title(f"attention weights: {text!r} -> {output}")
    plt.colorbar(image, ax=ax, fraction=0.03)
    return ax

"""The parts of w1a3 (Jazz improvisation) that are not the lesson: training windows, baselines, evaluation,
pretrained weights and sampling with a temperature.

The token corpus (:mod:`week1.music`) turns every melody into a sequence of tokens from a fixed, sorted
vocabulary of ``n_values`` tokens. A training *window* is ``Tx + 1`` consecutive tokens of one piece: the model
reads the first ``Tx`` (``X``, one-hot) and learns to predict each next one (``Y``). Windows come from the
``"train"`` pieces; the ``"heldout"`` pieces were never trained on, so next-token accuracy on their windows is an
honest measure, compared with two baselines that need no network: the unigram model (always the same token
frequencies) and the bigram model (the frequencies of the token that follows the current one).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from checks.paths import data_path
from week1.music import Corpus

N_A = 64          # units of the shared LSTM
TX = 30           # tokens a training window feeds the model
WEIGHTS_FILE = ("jazz", "lstm_weights.npz")
METRICS_FILE = ("jazz", "train_metrics.json")

# ------------------------------------------------------------------ windows


def window_indices(corpus: Corpus, split: str = "train", Tx: int = TX, stride: int = 1) -> np.ndarray:
    """(m, Tx + 1) token indices: every ``stride``-th run of Tx + 1 consecutive tokens of each piece of ``split``.

    Pieces are taken in the corpus's (sorted) order; a window never spans two pieces.
    """
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    rows = []
    for piece in (corpus.train if split == "train" else corpus.heldout):
        idx = np.array([corpus.token_to_index[t] for t in piece.tokens], dtype=np.int64)
        for start in range(0, len(idx) - Tx, stride):
            rows.append(idx[start:start + Tx + 1])
    return np.array(rows, dtype=np.int64).reshape(-1, Tx + 1)


def one_hot(indices: np.ndarray, n_values: int) -> np.ndarray:
    """float32 one-hot vectors along a new last axis."""
    return np.eye(n_values, dtype=np.float32)[indices]


def windows(corpus: Corpus, split: str = "train", Tx: int = TX, stride: int = 1, limit: int | None = None,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Training data in the layout ``djmodel``'s model takes: X (m, Tx, n_values) and Y (Tx, m, n_values).

    X[i, t] is the one-hot of token t of window i and Y[t, i] the one-hot of token t + 1 (what step t predicts).
    ``limit`` keeps that many windows, drawn without replacement with ``seed`` (to train quickly).
    """
    idx = window_indices(corpus, split, Tx, stride)
    if limit is not None and limit < len(idx):
        idx = idx[np.sort(np.random.default_rng(seed).choice(len(idx), size=limit, replace=False))]
    return one_hot(idx[:, :-1], corpus.n_values), one_hot(idx[:, 1:], corpus.n_values).swapaxes(0, 1).copy()

def fit_windows(model, X, Y, epochs: int, batch_size: int = 128, learning_rate: float = 0.01):
    """Train a model built by ``djmodel`` on windows (zero initial states), with Adam and the cross-entropy of
    every step; prints one line per epoch with the cross-entropy per step (Keras's own "loss" is the sum over
    the Tx outputs), the time that epoch took and the time since training began (the first epoch's time includes
    Keras building the computation of all the steps and their gradients). Returns the list of per-step
    cross-entropies."""
    import keras

    n_a = model.inputs[1].shape[-1]
    Tx = len(model.outputs)
    zeros = np.zeros((X.shape[0], n_a), dtype=np.float32)

    class PerStep(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.losses, self.start = [], time.perf_counter()

        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            now = time.perf_counter()
            self.losses.append(float(logs["loss"]) / Tx)
            print(f"epoch {epoch + 1}/{epochs}: cross-entropy per step {self.losses[-1]:.3f}; this epoch took "
                  f"{now - self.epoch_start:.1f} s ({now - self.start:.1f} s since training began)", flush=True)

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="categorical_crossentropy")
    callback = PerStep()
    model.fit([X, zeros, zeros], list(Y), epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[callback])
    return callback.losses

# ------------------------------------------------------------------ evaluation and baselines


def next_token_metrics(probs: np.ndarray, targets: np.ndarray) -> dict:
    """Accuracy of the most probable next token, and the cross-entropy in nats per token.

    probs (N, n_values) predicted distributions; targets (N,) the true next tokens.
    """
    probs = np.asarray(probs, dtype=np.float64)
    targets = np.asarray(targets).reshape(-1)
    p_true = np.clip(probs[np.arange(len(targets)), targets], 1e-12, None)
    return {"accuracy": float(np.mean(probs.argmax(axis=1) == targets)),
            "cross_entropy": float(-np.mean(np.log(p_true)))}


def baseline_metrics(corpus: Corpus, Tx: int = TX, smoothing: float = 0.1) -> dict:
    """Next-token metrics of the unigram and bigram models on the held-out windows (the model's targets).

    Both are counted on the training pieces, with add-``smoothing`` counts so that no token has probability 0.
    """
    V = corpus.n_values
    train = [np.array([corpus.token_to_index[t] for t in p.tokens]) for p in corpus.train]
    unigram = np.full(V, smoothing)
    bigram = np.full((V, V), smoothing)
    for idx in train:
        np.add.at(unigram, idx, 1)
        np.add.at(bigram, (idx[:-1], idx[1:]), 1)
    unigram /= unigram.sum()
    bigram /= bigram.sum(axis=1, keepdims=True)
    held = window_indices(corpus, "heldout", Tx)
    prev, nxt = held[:, :-1].reshape(-1), held[:, 1:].reshape(-1)
    return {"unigram": next_token_metrics(np.broadcast_to(unigram, (len(nxt), V)), nxt),
            "bigram": next_token_metrics(bigram[prev], nxt)}


def model_metrics(model, corpus: Corpus, Tx: int = TX, n_a: int = N_A, batch: int = 512) -> dict:
    """Next-token metrics of a model built by ``djmodel`` (inputs X, a0, c0; Tx outputs) on the held-out windows."""
    held = window_indices(corpus, "heldout", Tx)
    probs = []
    for start in range(0, len(held), batch):
        rows = held[start:start + batch]
        X = one_hot(rows[:, :-1], corpus.n_values)
        zeros = np.zeros((len(rows), n_a), dtype=np.float32)
        out = model([X, zeros, zeros], training=False)
        probs.append(np.stack([np.asarray(o) for o in out], axis=1))  # (batch, Tx, n_values)
    probs = np.concatenate(probs).reshape(-1, corpus.n_values)
    return next_token_metrics(probs, held[:, 1:].reshape(-1))

# ------------------------------------------------------------------ pretrained weights


def save_weights(path: Path, lstm_weights: list, dense_weights: list, vocabulary: list[str]) -> Path:
    """Write an LSTM's [kernel, recurrent_kernel, bias] and a Dense's [kernel, bias] with the vocabulary they
    were trained on (so a changed corpus cannot be loaded silently)."""
    kernel, recurrent, bias = (np.asarray(w, dtype=np.float32) for w in lstm_weights)
    dense_kernel, dense_bias = (np.asarray(w, dtype=np.float32) for w in dense_weights)
    with open(path, "wb") as f:
        np.savez_compressed(f, kernel=kernel, recurrent_kernel=recurrent, bias=bias, dense_kernel=dense_kernel,
                            dense_bias=dense_bias, vocabulary=np.array(vocabulary))
    return Path(path)


def load_pretrained(LSTM_cell, densor, corpus: Corpus, path=None) -> dict:
    """Give the shared layers the weights trained by ``data/jazz/train.py``; returns that run's metrics.

    The layers must have the sizes the weights were trained with (LSTM(64), Dense(n_values)).
    """
    path = Path(path) if path else data_path(*WEIGHTS_FILE)
    with np.load(path) as saved:
        weights = {k: saved[k] for k in saved.files}
    if [str(t) for t in weights["vocabulary"]] != list(corpus.vocabulary):
        raise ValueError(f"{path} was trained on another vocabulary than the corpus's; retrain it with "
                         "`python data/jazz/train.py`.")
    n_values, n_a = weights["dense_kernel"].shape[1], weights["recurrent_kernel"].shape[0]
    if (densor.units, LSTM_cell.units) != (n_values, n_a):
        raise ValueError(f"the pretrained weights are for LSTM({n_a}) and Dense({n_values}), not LSTM("
                         f"{LSTM_cell.units}) and Dense({densor.units}); create the layers with those sizes.")
    if not LSTM_cell.built:
        LSTM_cell.build((None, 1, n_values))
    if not densor.built:
        densor.build((None, n_a))
    LSTM_cell.set_weights([weights["kernel"], weights["recurrent_kernel"], weights["bias"]])
    densor.set_weights([weights["dense_kernel"], weights["dense_bias"]])
    metrics_path = data_path(*METRICS_FILE, must_exist=False)
    return json.loads(metrics_path.read_text()) if metrics_path.exists() else {}

# ------------------------------------------------------------------ sampling with a temperature


def apply_temperature(probs: np.ndarray, temperature: float) -> np.ndarray:
    """The distribution p ** (1 / T), renormalised: T < 1 sharpens it, T > 1 flattens it, T -> 0 is the argmax."""
    probs = np.asarray(probs, dtype=np.float64)
    if temperature <= 0:
        out = np.zeros_like(probs)
        out[np.argmax(probs)] = 1.0
        return out
    logits = np.log(np.clip(probs, 1e-12, None)) / temperature
    e = np.exp(logits - logits.max())
    return e / e.sum()


def sample_solo(LSTM_cell, densor, Ty: int, temperature: float = 1.0, seed: int = 0, x0=None) -> np.ndarray:
    """Ty token indices generated one step at a time, each drawn from the model's distribution at ``temperature``
    (0 = always the most probable token, as ``music_inference_model`` does) and fed back as the next input.

    Starts from zero states and ``x0`` (a one-hot (1, 1, n_values) vector; default the zero vector).
    """
    rng = np.random.default_rng(seed)
    n_values, n_a = densor.units, LSTM_cell.units
    inp = np.zeros((1, 1, n_values), dtype=np.float32) if x0 is None else np.asarray(x0, dtype=np.float32)
    state = [np.zeros((1, n_a), dtype=np.float32), np.zeros((1, n_a), dtype=np.float32)]
    chosen = []
    for _ in range(Ty):
        hidden, h, c = LSTM_cell(inp, initial_state=state)
        state = [h, c]
        p = apply_temperature(np.asarray(densor(hidden))[0], temperature)
        k = int(np.argmax(p)) if temperature <= 0 else int(rng.choice(n_values, p=p))
        chosen.append(k)
        inp = one_hot(np.array([[k]]), n_values)
    return np.array(chosen, dtype=np.int64)


def solo_summary(tokens: list[str]) -> dict:
    """How varied a generated token sequence is: distinct tokens, the longest stretch that repeats one pattern
    (each token after its first two equal to the token one or two places before: "a a a", "a b a b a"), and the
    share of rests."""
    longest, run = 0, 0  # run: tokens in a row that repeat the token one or two places before
    for i in range(2, len(tokens)):
        run = run + 1 if tokens[i] in (tokens[i - 1], tokens[i - 2]) else 0
        longest = max(longest, run)
    return {"distinct tokens": len(set(tokens)), "longest repetition": min(len(tokens), longest + 2),
            "rests": sum(t.startswith("R") for t in tokens) / max(len(tokens), 1)}

"""Emojify (w2a2) helpers: the sentences and their labels, one-hot, emoji, and the notebook's printouts and plots.

The dataset (``data/emojify/``, see its README) has five classes:

    label  0      1      2      3     4
    emoji  ❤️     ⚾     😄     😞    🍴
    class  love   sport  happy  sad   food

The emoji are plain Unicode characters (no emoji-alias library): print them, or use them in any string.
Plots label their axes with the class names instead, since matplotlib's default font has no emoji glyphs.
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import numpy as np

from checks.paths import data_path

LABELS = ("love", "sport", "happy", "sad", "food")
EMOJIS = ("\u2764\ufe0f", "\u26be", "\U0001F604", "\U0001F61E", "\U0001F374")  # ❤️ ⚾ 😄 😞 🍴
N_CLASSES = len(LABELS)
HEADER = ["sentence", "label"]

# ---------------------------------------------------------------------------- the dataset


def load_emojify(split: str = "train", path: str | Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Read one split of the Emojify dataset: ``(X, Y)``.

    split -- "train" or "test": the file ``data/emojify/<split>.csv``
    path -- read this CSV file instead (same format)
    Returns X, the sentences, a numpy array of str of shape (m,), and Y, their labels 0-4, int of shape (m,).

    The format is strict, so that a damaged file is noticed instead of silently giving fewer or wrong rows:
    a header row ``sentence,label``, then one row per sentence with exactly two fields; the sentence not
    empty, without tabs and without spaces at either end; the label one of 0, 1, 2, 3, 4. Anything else
    raises ValueError naming the file, the line and what is wrong with it.
    """
    path = Path(path) if path is not None else data_path("emojify", f"{split}.csv")
    X, Y = [], []
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""), strict=True)
    line = 1  # the line the next record starts on
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            where = f"{path}, line {start}"
            if start == 1:
                if record != HEADER:
                    raise ValueError(f"{where}: expected the header row 'sentence,label' but got {record}")
                continue
            if not record:
                raise ValueError(f"{where}: blank line; remove it")
            if len(record) != 2:
                raise ValueError(f"{where}: expected 2 fields (sentence,label) but got {len(record)}: {record}. "
                                 "A sentence that contains a comma must be quoted")
            sentence, label = record
            if not sentence.strip():
                raise ValueError(f"{where}: the sentence is empty")
            if "\t" in sentence or "\n" in sentence or sentence != sentence.strip():
                raise ValueError(f"{where}: the sentence {sentence!r} has a tab, a line break or spaces at an end")
            if label not in {str(k) for k in range(N_CLASSES)}:
                raise ValueError(f"{where}: the label {label!r} is not one of 0, 1, 2, 3, 4 (no spaces)")
            X.append(sentence)
            Y.append(int(label))
    except csv.Error as exc:
        raise ValueError(f"{path}, line {reader.line_num}: not valid CSV ({exc})") from exc
    if line == 1:
        raise ValueError(f"{path}, line 1: expected the header row 'sentence,label' but the file is empty")
    return np.array(X, dtype=str), np.array(Y, dtype=np.int64)


def max_words(X) -> int:
    """The number of words (split on whitespace) of the longest sentence of X."""
    return max(len(str(sentence).split()) for sentence in X)

# ---------------------------------------------------------------------------- labels, one-hot, softmax


def convert_to_one_hot(Y, C: int = N_CLASSES) -> np.ndarray:
    """Labels -> one-hot rows. Y: int labels 0..C-1 of shape (m,). Returns float array (m, C)."""
    Y = np.asarray(Y, dtype=np.int64).reshape(-1)
    return np.eye(C)[Y]


def label_to_emoji(label) -> str:
    """The emoji of a label 0-4 (an int, or anything int() takes, such as 2.0 or np.int64(2))."""
    return EMOJIS[int(label)]


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, numerically stable. z: (n_y,) or (m, n_y); returns the same shape."""
    e = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)

# ---------------------------------------------------------------------------- evaluation and display


def accuracy(Y, pred) -> float:
    """Fraction of predictions equal to the labels (pred of shape (m,) or (m, 1))."""
    return float(np.mean(np.asarray(pred).reshape(-1) == np.asarray(Y).reshape(-1)))


def print_predictions(X, pred, Y=None, limit: int | None = None):
    """One line per sentence: the sentence and its predicted emoji (and the true one when Y is given)."""
    pred = np.asarray(pred).reshape(-1)
    width = max(len(str(s)) for s in X[:limit])
    for i, sentence in enumerate(X[:limit]):
        line = f"{str(sentence):<{width}}  {label_to_emoji(pred[i])}"
        if Y is not None:
            truth = int(np.asarray(Y).reshape(-1)[i])
            line += "" if int(pred[i]) == truth else f"   (expected {label_to_emoji(truth)})"
        print(line)


def mislabelled(X, Y, pred) -> list[tuple[str, int, int]]:
    """The (sentence, true label, predicted label) of every wrong prediction, in order."""
    pred, Y = np.asarray(pred).reshape(-1), np.asarray(Y).reshape(-1)
    return [(str(X[i]), int(Y[i]), int(pred[i])) for i in np.flatnonzero(pred != Y)]


def confusion_matrix(Y, pred, C: int = N_CLASSES) -> np.ndarray:
    """Counts (C, C): row = true label, column = predicted label."""
    cm = np.zeros((C, C), dtype=np.int64)
    np.add.at(cm, (np.asarray(Y, dtype=np.int64).reshape(-1), np.asarray(pred, dtype=np.int64).reshape(-1)), 1)
    return cm


def plot_confusion_matrix(Y, pred, title: str = "Confusion matrix", ax=None):
    """Draw the confusion matrix of ``pred`` against ``Y`` with its counts; returns the matplotlib Axes."""
    import matplotlib.pyplot as plt

    cm = confusion_matrix(Y, pred)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    ax.imshow(cm, cmap="Blues")
    ticks = [f"{i} {name}" for i, name in enumerate(LABELS)]
    ax.set_xticks(range(N_CLASSES), ticks, rotation=45, ha="right")
    ax.set_yticks(range(N_CLASSES), ticks)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(f"{title} (accuracy {np.trace(cm) / cm.sum():.0%})")
    for i in range(N_CLASSES):
        for j in range(N_CLASSES):
            ax.text(j, i, str(cm[i, j]), ha="center", va="center",
                    color="white" if cm[i, j] > cm.max() / 2 else "black")
    return ax

# ---------------------------------------------------------------------------- training the Keras model


def fit_with_progress(model, X, Y, epochs: int, batch_size: int, description: str = "training"):
    """``model.fit`` with one progress bar over the epochs (loss and accuracy shown on it).

    Returns (history, seconds): Keras's History (``history.history["loss"]`` ...) and the training time.
    """
    import keras
    from tqdm.auto import tqdm

    class EpochBar(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=epochs, desc=description, unit="epoch")

        def on_epoch_end(self, epoch, logs=None):
            self.bar.set_postfix({k: f"{v:.3f}" for k, v in (logs or {}).items()}, refresh=False)
            self.bar.update(1)

        def on_train_end(self, logs=None):
            self.bar.close()

    start = time.perf_counter()
    history = model.fit(X, Y, epochs=epochs, batch_size=batch_size, shuffle=True, verbose=0,
                        callbacks=[EpochBar()])
    return history, time.perf_counter() - start

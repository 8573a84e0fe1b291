"""A character-level RNN language model in numpy: the parts of w1a2 (Dinosaur Island) that are not the lesson.

The model reads a name one character at a time and predicts the next one. Characters are indices into a
vocabulary (the newline, which ends every name, then the letters); an input x<t> is the one-hot column
vector (vocab_size, 1) of X[t], and X[0] = None stands for the zero vector ("no character yet").

Parameters (a dict): Wax (n_a, vocab_size), Waa (n_a, n_a), Wya (vocab_size, n_a), b (n_a, 1), by (vocab_size, 1).
Gradients (a dict): dWax, dWaa, dWya, db, dby, with the shapes of the parameters they belong to.

`rnn_step_forward` / `rnn_step_backward` are one time step, written as the equations read. `rnn_forward` /
`rnn_backward` run a whole name and compute exactly what looping the step functions would, faster: the
product Wax @ one_hot(ix) is the column Wax[:, ix], and everything that does not depend on the previous
step (outputs, softmax, loss, parameter gradients) is done for all steps at once. That keeps 22,001
training iterations to seconds.
"""
from __future__ import annotations

import re
import string
import sys
from pathlib import Path

import numpy as np

from checks.paths import data_path
from week1.rnn_utils import softmax

NEWLINE = "\n"  # ends every name
LETTERS = string.ascii_lowercase
NAMES_FILE = ("dinosaurs", "dinos.txt")
PARAMETER_NAMES = ("Wax", "Waa", "Wya", "b", "by")
GRADIENT_NAMES = tuple("d" + name for name in PARAMETER_NAMES)


# ------------------------------------------------------------------ data and vocabulary

def load_names(path=None) -> list[str]:
    """The names in ``path`` (default: the course's ``data/dinosaurs/dinos.txt``), one per line, lower-cased.

    Blank lines and spaces around a name are ignored. A missing file or a character outside the vocabulary
    (newline + a-z) raises an error that names the file, the line and the character.
    """
    if path is None:
        path = data_path(*NAMES_FILE)  # explains a missing file, and where the data folder is
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Names file not found: {path}. Give the path of a text file with one name per "
                                "line, or call load_names() without a path to use the course's dinosaur names.")
    names = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        name = line.strip().lower()
        for ch in name:
            if ch not in LETTERS:
                raise ValueError(f"{path}, line {number}: {line.strip()!r} contains the character {ch!r}, which is "
                                 "not in the vocabulary (newline + the letters a-z). Remove it or replace it "
                                 "(e.g. 'e' for 'é'; drop spaces, hyphens and digits), then load the file again.")
        if name:
            names.append(name)
    if not names:
        raise ValueError(f"{path} holds no names: write one name per line.")
    return names


def build_vocabulary(names) -> tuple[dict, dict]:
    """char_to_ix and ix_to_char for the characters of ``names`` plus the newline.

    The characters are SORTED (newline first, then a, b, c, ...), never taken in the order of a set, so the
    indices are the same on every machine and in every run.
    """
    chars = sorted(set("".join(names)) | {NEWLINE})
    char_to_ix = {ch: i for i, ch in enumerate(chars)}
    ix_to_char = {i: ch for i, ch in enumerate(chars)}
    return char_to_ix, ix_to_char


def indices_to_name(indices, ix_to_char) -> str:
    """The name that a list of sampled indices spells, Capitalised, without its ending newline."""
    text = "".join(ix_to_char[int(ix)] for ix in indices).rstrip(NEWLINE)
    return text[:1].upper() + text[1:]


def print_sample(indices, ix_to_char):
    """Print the name that ``indices`` spells (see `indices_to_name`)."""
    print(indices_to_name(indices, ix_to_char))


# ------------------------------------------------------------------ parameters and losses

def initialize_parameters(n_a: int, n_x: int, n_y: int, seed: int = 1) -> dict:
    """Small random weights (0.01 * standard normal, drawn in the order Wax, Waa, Wya) and zero biases.

    Returns Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), b (n_a, 1), by (n_y, 1). Uses its own random
    generator: the global numpy random state is left alone.
    """
    rng = np.random.RandomState(seed)  # the same numbers as np.random.seed(seed) + np.random.randn
    return {"Wax": rng.randn(n_a, n_x) * 0.01, "Waa": rng.randn(n_a, n_a) * 0.01, "Wya": rng.randn(n_y, n_a) * 0.01,
            "b": np.zeros((n_a, 1)), "by": np.zeros((n_y, 1))}


def characters_per_name(names) -> float:
    """The average number of characters the model predicts per name: its letters plus the newline that ends it.

    (Spaces around a name are not counted, as the training loop strips them.)
    """
    names = [name.strip() for name in names]
    return sum(len(name) + 1 for name in names) / len(names)


def initial_loss(vocab_size: int, seq_length: float) -> float:
    """The loss of guessing uniformly over the vocabulary for ``seq_length`` characters: -log(1/vocab) * length.

    ``seq_length`` is a number of characters predicted, e.g. ``characters_per_name(names)`` for the loss per name
    of a model that has learnt nothing yet (which is where a training curve starts).
    """
    return -np.log(1.0 / vocab_size) * seq_length


def smooth_loss(loss: float, cur_loss: float) -> float:
    """Exponential moving average of the loss, 0.999 * old + 0.001 * new (a time constant of ~1,000 steps)."""
    return loss * 0.999 + cur_loss * 0.001


def update_parameters(parameters: dict, gradients: dict, learning_rate: float) -> dict:
    """One gradient-descent step, IN PLACE on the caller's arrays; returns the same dict."""
    for name in PARAMETER_NAMES:
        parameters[name] -= learning_rate * gradients["d" + name]
    return parameters


# ------------------------------------------------------------------ one time step, as the equations read

def rnn_step_forward(parameters: dict, a_prev: np.ndarray, x: np.ndarray):
    """a_next = tanh(Wax x + Waa a_prev + b), y_hat = softmax(Wya a_next + by).

    a_prev (n_a, 1), x (vocab_size, 1) one-hot (or zeros) -> a_next (n_a, 1), y_hat (vocab_size, 1).
    """
    p = parameters
    a_next = np.tanh(p["Wax"] @ x + p["Waa"] @ a_prev + p["b"])
    return a_next, softmax(p["Wya"] @ a_next + p["by"])


def rnn_step_backward(dy, da_next, parameters, x, a, a_prev):
    """Gradients of one step, given dy = y_hat - one_hot(target) (vocab_size, 1) and da_next (n_a, 1), the
    gradient reaching a<t> from step t+1.

    Returns (this step's gradients dict: dWax, dWaa, dWya, db, dby; da_prev (n_a, 1)).
    """
    da = parameters["Wya"].T @ dy + da_next  # from the output at step t and from step t+1
    draw = (1 - a * a) * da                 # through tanh
    step = {"dWax": draw @ x.T, "dWaa": draw @ a_prev.T, "dWya": dy @ a.T, "db": draw, "dby": dy}
    return step, parameters["Waa"].T @ draw


# ------------------------------------------------------------------ a whole name (what optimize uses)

def rnn_forward(X, Y, a0, parameters):
    """Run the RNN over one name and add up the cross-entropy of predicting each next character.

    X -- list of T_x input indices; X[0] = None is the zero input
    Y -- list of T_x target indices (X shifted left by one, then the newline index)
    a0 -- initial hidden state, shape (n_a, 1)

    Returns loss (float, summed over the T_x steps) and cache (for `rnn_backward`).
    """
    if len(X) != len(Y):
        raise ValueError(f"X and Y must have the same length, got {len(X)} and {len(Y)}: "
                         "Y is X shifted left by one, plus the newline index at the end")
    Wax, Waa, b = parameters["Wax"], parameters["Waa"], parameters["b"][:, 0]
    T = len(X)
    inputs = Wax.T[[0 if ix is None else ix for ix in X]] + b  # (T_x, n_a): Wax @ one_hot(ix) is column ix
    inputs[[t for t, ix in enumerate(X) if ix is None]] = b    # the zero input contributes nothing
    states = np.empty((T + 1, Waa.shape[0]))  # row t + 1: the state after reading X[t]; row 0: a0
    states[0] = np.reshape(a0, -1)
    rows, a = list(states), states[0]
    for t in range(T):  # the only part that must go step by step
        a = np.tanh(Waa @ a + inputs[t], out=rows[t + 1])
    y_hat = softmax(parameters["Wya"] @ states[1:].T + parameters["by"])  # (vocab_size, T_x)
    targets = (np.asarray(Y), np.arange(T))
    loss = float(-np.log(y_hat[targets]).sum())
    return loss, (X, states, y_hat, targets)


def rnn_backward(X, Y, parameters, cache):
    """Backpropagation through time for `rnn_forward`.

    Returns gradients (dict: dWax (n_a, vocab), dWaa (n_a, n_a), dWya (vocab, n_a), db (n_a, 1), dby (vocab, 1))
    and a, the hidden states, shape (T_x, n_a, 1): one per time step, a[t] being the state after reading X[t]
    (a<t+1> in the notebook's equations, which count from 1). So a[0] is the state after the first input,
    a[len(X) - 1] (= a[-1]) the state after the last character, and there is no a[len(X)]; the initial state a0
    is not in it.
    """
    X, states, y_hat, targets = cache
    Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
    T = len(X)
    dy = y_hat.copy()
    dy[targets] -= 1                      # (vocab_size, T_x): softmax + cross-entropy
    da_out = (Wya.T @ dy).T               # (T_x, n_a): what each step's output sends back to a<t>
    tanh_grad = 1 - states[1:] ** 2       # (T_x, n_a)
    draws = np.empty_like(da_out)         # gradient of each step's tanh input
    rows, da_next = list(draws), np.zeros(Waa.shape[0])
    for t in reversed(range(T)):
        draw = np.multiply(tanh_grad[t], da_out[t] + da_next, out=rows[t])
        da_next = draw @ Waa              # = Waa.T @ draw
    x = np.zeros((T, Wax.shape[1]))       # the one-hot inputs, one row per step (X[t] = None: a zero row)
    steps = [t for t, ix in enumerate(X) if ix is not None]
    x[steps, [X[t] for t in steps]] = 1
    gradients = {"dWax": draws.T @ x, "dWaa": draws.T @ states[:-1], "dWya": dy @ states[1:],
                 "db": draws.sum(axis=0)[:, None], "dby": dy.sum(axis=1, keepdims=True)}
    return gradients, states[1:, :, None]


# ------------------------------------------------------------------ after training: sampling and the loss curve

def sample_names(parameters, char_to_ix, ix_to_char, n, temperature=1.0, seed=0, max_length=50) -> list[str]:
    """``n`` lower-case names sampled as one batch (one row each) from softmax(z / temperature).

    temperature < 1 sharpens the distribution (safer, more repetitive names); > 1 flattens it (more
    novel, less plausible ones). Uses its own generator seeded with ``seed``, not the global state.
    """
    rng = np.random.default_rng(seed)
    Wax, Waa, Wya, b, by = (parameters[k] for k in PARAMETER_NAMES)
    # One row per name: (n, n_a) @ (n_a, n_a) products stay fast even where BLAS threads are starved.
    a, inputs = np.zeros((n, Waa.shape[0])), np.zeros((n, Waa.shape[0]))  # x<1> = 0
    drawn = np.empty((n, max_length), dtype=int)
    for t in range(max_length):
        a = np.tanh(inputs + a @ Waa.T + b.T)                     # (n, n_a)
        y = softmax(((a @ Wya.T + by.T) / temperature).T)         # (vocab_size, n)
        cdf = y.cumsum(axis=0)
        drawn[:, t] = np.minimum((cdf < rng.random(n) * cdf[-1]).sum(axis=0), len(y) - 1)  # inverse-CDF draw
        inputs = Wax.T[drawn[:, t]]                               # one-hot inputs, as row lookups
    text = ["".join(ix_to_char[ix] for ix in row) for row in drawn.tolist()]
    return [name.split(NEWLINE)[0] for name in text]


LOSS_LINE = re.compile(r"Iteration: (\d+), Loss: ([-+0-9.eE]+|nan|inf)")


def parse_losses(text: str) -> tuple[list[int], list[float]]:
    """The (iterations, smoothed losses) of the ``Iteration: j, Loss: x`` lines that model prints."""
    found = LOSS_LINE.findall(text)
    return [int(j) for j, _ in found], [float(x) for _, x in found]


class TrainingLog:
    """Show what the code inside ``with TrainingLog() as log:`` prints, and keep its
    ``Iteration: j, Loss: x`` lines: ``log.iterations``, ``log.losses``."""

    def __enter__(self):
        self._stdout, self._parts = sys.stdout, []
        sys.stdout = self
        return self

    def write(self, text):
        self._parts.append(text)
        return self._stdout.write(text)

    def flush(self):
        self._stdout.flush()

    def __exit__(self, *exc_info):
        sys.stdout = self._stdout
        return False  # errors inside the block propagate unchanged

    @property
    def text(self) -> str:
        return "".join(self._parts)

    @property
    def iterations(self) -> list[int]:
        return parse_losses(self.text)[0]

    @property
    def losses(self) -> list[float]:
        return parse_losses(self.text)[1]


def plot_loss_curve(iterations, losses, baseline=None, baseline_label="uniform guessing", ax=None):
    """The smoothed training loss against the iteration; ``baseline`` (a loss to compare with) as a dashed line."""
    import matplotlib.pyplot as plt

    ax = ax or plt.figure().gca()
    ax.plot(iterations, losses, "o-", label="smoothed loss")
    if baseline is not None:
        ax.axhline(baseline, ls="--", c="gray", label=baseline_label)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss per name (nats)")
    ax.legend()
    return ax

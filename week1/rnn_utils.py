"""Numpy building blocks for the RNN notebooks that are not the lesson themselves.

Activations and seeded random parameters/inputs.  Every array is column-major, as in the
notebooks: one column per example, so a batch of inputs at one time step is ``(n_x, m)`` and a
whole sequence is ``(n_x, m, T_x)``.

Every ``seed`` argument accepts an int or a ``numpy.random.Generator``; passing one generator to
several helpers draws all the arrays from one reproducible stream.
"""
from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-z)), elementwise; any shape."""
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over axis 0: each column ``z[:, j]`` (one example) becomes a distribution.

    z -- scores, shape (n_y, m) (or (n_y, m, T_x)); returns the same shape.
    """
    e = np.exp(z - z.max(axis=0, keepdims=True))  # shifting by the max cannot overflow
    return e / e.sum(axis=0, keepdims=True)


def random_arrays(seed, **shapes) -> dict:
    """Standard-normal arrays drawn in keyword order, e.g. ``random_arrays(1, xt=(3, 10))``."""
    rng = np.random.default_rng(seed)  # a Generator passes through unchanged
    return {name: rng.standard_normal(shape) for name, shape in shapes.items()}


def rnn_parameters(n_x: int, n_a: int, n_y: int, seed=1) -> dict:
    """Parameters of a basic RNN cell.

    Returns Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1).
    """
    return random_arrays(seed, Wax=(n_a, n_x), Waa=(n_a, n_a), Wya=(n_y, n_a), ba=(n_a, 1), by=(n_y, 1))


def lstm_parameters(n_x: int, n_a: int, n_y: int, seed=1) -> dict:
    """Parameters of an LSTM cell whose gates read ``concat = [a_prev; xt]``.

    Returns Wf, Wi, Wc, Wo (n_a, n_a + n_x); bf, bi, bc, bo (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
    """
    gates = {}
    for g in "fico":  # forget, input (update), candidate, output
        gates[f"W{g}"], gates[f"b{g}"] = (n_a, n_a + n_x), (n_a, 1)
    return random_arrays(seed, **gates, Wy=(n_y, n_a), by=(n_y, 1))


def gru_parameters(n_x: int, n_a: int, n_y: int, seed=1) -> dict:
    """Parameters of a GRU cell (update gate u, relevance gate r, candidate c).

    Returns Wu, Wr, Wc (n_a, n_a + n_x); bu, br, bc (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
    """
    gates = {}
    for g in "urc":
        gates[f"W{g}"], gates[f"b{g}"] = (n_a, n_a + n_x), (n_a, 1)
    return random_arrays(seed, **gates, Wy=(n_y, n_a), by=(n_y, 1))


def rnn_inputs(n_x: int, n_a: int, m: int, T_x: int, seed=1):
    """A batch of sequences and initial hidden states: x (n_x, m, T_x), a0 (n_a, m)."""
    arrays = random_arrays(seed, x=(n_x, m, T_x), a0=(n_a, m))
    return arrays["x"], arrays["a0"]

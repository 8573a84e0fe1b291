"""The character language model of week 1 (Dinosaur Island) as a decoder, for the beam-search demo of w3a1.

Beam search only matters when each next token depends on the ones already emitted, as in a translation decoder.
The dinosaur-name RNN of w1a2 is such a model, small enough to search exhaustively by eye: ``load_name_lm()``
loads the weights that ``data/models/name_lm/train.py`` trained (see its README), and
``name_step_log_probs(parameters, char_to_ix)`` turns it into the ``step_log_probs(prefix)`` function that
``greedy_decode`` and ``beam_search_decode`` take. The newline (index ``char_to_ix["\\n"]``, 0) ends a name: it is
the ``end_id``. Nothing here decodes: the notebook's own functions do.
"""
from __future__ import annotations

import numpy as np

from checks.paths import data_path
from week1.char_lm import LETTERS, NEWLINE, PARAMETER_NAMES, build_vocabulary, indices_to_name, rnn_step_forward

WEIGHTS = ("models", "name_lm", "parameters.npz")


def load_name_lm():
    """(parameters, char_to_ix, ix_to_char): the trained weights (Wax (50, 27), Waa (50, 50), Wya (27, 50),
    b (50, 1), by (27, 1)) and week 1's vocabulary (the newline, then a-z)."""
    with np.load(data_path(*WEIGHTS)) as stored:
        parameters = {name: np.array(stored[name], dtype=np.float64) for name in PARAMETER_NAMES}
    char_to_ix, ix_to_char = build_vocabulary([LETTERS])
    return parameters, char_to_ix, ix_to_char


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max()
    return z - np.log(np.exp(z).sum())


def name_step_log_probs(parameters, char_to_ix, prompt=""):
    """``step(prefix) -> log-probabilities`` (a float64 array of shape (vocab_size,)) of the character that follows
    ``prefix``, a tuple of character indices: the RNN run over the prefix from a zero hidden state and a zero first
    input, as in week 1 (``rnn_step_forward``). With a ``prompt`` (lower-case letters), the names start with it:
    ``step(prefix)`` is what follows ``prompt`` + ``prefix`` (the decoders only produce what comes after it).
    Hidden states are cached by prefix, so a search that extends the same prefixes again and again runs each RNN
    step once."""
    start = tuple(char_to_ix[ch] for ch in prompt)
    vocab_size, n_a = parameters["Wax"].shape[1], parameters["Waa"].shape[0]
    states: dict = {}  # prefix -> the hidden state whose output predicts the character after it

    def state(prefix):
        if prefix not in states:
            x = np.zeros((vocab_size, 1))  # x<1> = 0 for the empty prefix, else the prefix's last character
            if prefix:
                x[prefix[-1]] = 1
            a_prev = np.zeros((n_a, 1)) if not prefix else state(prefix[:-1])
            states[prefix] = rnn_step_forward(parameters, a_prev, x)[0]
        return states[prefix]

    def step(prefix):
        a = state(start + tuple(int(i) for i in prefix))
        return _log_softmax((parameters["Wya"] @ a + parameters["by"])[:, 0])

    if char_to_ix[NEWLINE] >= vocab_size:
        raise ValueError("char_to_ix does not match the parameters: the newline's index is out of range")
    return step


def sequence_log_prob(step, tokens) -> float:
    """The total log-probability of ``tokens`` (end token included) under ``step``: sum of log p(token | prefix)."""
    tokens = [int(t) for t in tokens]
    return float(sum(step(tuple(tokens[:i]))[token] for i, token in enumerate(tokens)))


def decode_name(tokens, ix_to_char, prompt="") -> str:
    """The name that ``prompt`` followed by ``tokens`` spells, Capitalised, without the ending newline."""
    char_to_ix = {ch: ix for ix, ch in ix_to_char.items()}
    return indices_to_name([char_to_ix[ch] for ch in prompt] + [int(t) for t in tokens], ix_to_char)

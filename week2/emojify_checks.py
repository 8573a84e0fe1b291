"""Public checks of the Emojify notebook (w2a2), one per graded function.

Each ``check_*`` takes the student's function. With ``seed=None`` it uses the public inputs: a small toy
vocabulary of 20 words with 4-dimensional vectors (and, for ``sentence_to_avg``, one sentence on the real GloVe
vectors); with an integer ``seed`` it draws another toy vocabulary (other words, sizes and dimensions, indices
in another order), as the hidden tests do. The inputs are drawn here; what a correct function returns on them,
and what each classic mistake returns (to name it), is stored in ``week2/fixtures/w2a2_emojify.json`` (see
:mod:`checks.fixtures`). The Keras checks use :mod:`checks.keras_models`: structure and behaviour, never
printed summaries.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile

import numpy as np

import keras
from checks.assertions import (CheckFailed, call, check_close, check_shape, check_tuple, check_type, join_hint,
                               passed)
from checks.fixtures import Fixtures
from checks.keras_models import (build, check_activation, check_frozen, check_input, check_layer,
                                     check_layer_config, check_layer_sequence, check_output_shape,
                                     check_param_counts, check_probabilities, check_return_sequences, layers_of,
                                     predict)
from checks.keras_models import check_model as check_keras_model  # check_model below checks `model`
from week2.emojify import N_CLASSES
from week2.glove import GloVe, load_glove

FIXTURES = Fixtures("w2a2_emojify")

# The public toy vocabulary (its first 20 words) and the pool the hidden ones are drawn from.
_POOL = ["i", "you", "love", "my", "the", "is", "not", "so", "happy", "sad", "pizza", "eat", "ball", "play",
         "game", "dinner", "funny", "heart", "day", "very", "we", "team", "lunch", "smile", "cry", "hug",
         "bad", "good", "win", "lost", "food", "hungry", "great", "today", "friend", "miss", "coach", "cake",
         "laugh", "tired"]
_UNKNOWN = ["xylophone", "zebra", "quantum", "nebula", "origami", "kayak"]  # never in a toy vocabulary
LSTM_UNITS = 128
DROPOUT_RATE = 0.5


def _fail(message: str):
    raise CheckFailed(message)


def _call(fn, fname: str, label: str, *args, hints: dict | None = None, **kwargs):
    """Call the student's ``fname`` (while grading, the reference stands in for the other graded functions it
    calls); a crash becomes one sentence, followed by the hint for its exception type when ``hints`` has one."""
    try:
        with FIXTURES.stand_ins(fn, fname):
            return call(fn, *args, name=label, **kwargs)
    except CheckFailed as exc:
        cause = exc.__cause__
        for exc_type, hint in (hints or {}).items():
            if isinstance(cause, exc_type):
                hint = hint(cause) if callable(hint) else hint
                if hint:
                    raise CheckFailed(f"{exc} {hint}") from cause
        raise


# TensorFlow's own log lines ("E0000 00:00:... util.cc:131] ..."), written by its C++ code straight to the
# process's stderr (file descriptor 2), where a notebook shows them in red under the check's verdict.
_NATIVE_LOG_LINE = re.compile(r"^[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+\s+\S+:\d+\]")


@contextlib.contextmanager
def _native_logs_dropped():
    """Run a Keras check without TensorFlow's C++ log lines on stderr.

    A correct model can make TensorFlow log a line such as "E0000 ... oneDNN supports DT_BOOL only on platforms
    with AVX-512" (a masked LSTM on some CPUs): an implementation note, not a wrong answer. Shown under the check,
    it reads as a failure; only the check's verdict (its pass line, or CheckFailed) should speak. Anything else
    written to stderr meanwhile is passed on to ``sys.stderr``.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, AttributeError, ValueError):  # no file descriptor 2 to redirect: nothing to hide
        yield
        return
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            kept = [line for line in tmp.read().decode("utf-8", "replace").splitlines()
                    if not _NATIVE_LOG_LINE.match(line)]
            if kept:
                sys.stderr.write("\n".join(kept) + "\n")

# ---------------------------------------------------------------------------- the checks' inputs (seeded)


def toy_vocabulary(seed: int | None = None) -> tuple[dict, dict]:
    """(word_to_vec_map, word_to_index) for checks: plain dicts over a few words, like load_glove's but tiny.

    seed=None: the 20 first words of the pool with 4-dimensional vectors; otherwise 12-30 words of the pool
    and 3-7 dimensions. Indices run from 1 to the number of words (0 is padding), in a shuffled order, so
    that they differ from the order of the dict.
    """
    rng = np.random.default_rng(2024 if seed is None else seed)
    if seed is None:
        words, n_e = _POOL[:20], 4
    else:
        words = [_POOL[i] for i in sorted(rng.choice(len(_POOL), size=int(rng.integers(12, 31)), replace=False))]
        n_e = int(rng.integers(3, 8))
    vectors = rng.standard_normal((len(words), n_e)).round(3)
    indices = rng.permutation(len(words)) + 1
    return ({w: vectors[i] for i, w in enumerate(words)}, {w: int(indices[i]) for i, w in enumerate(words)})


def toy_glove(seed: int | None = None) -> tuple[GloVe, dict]:
    """A toy vocabulary as a GloVe map (vectors in one float32 matrix) and its matching 1-based word_to_index."""
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    words = sorted(word_to_index, key=word_to_index.get)  # row i = index i + 1
    matrix = np.array([word_to_vec_map[w] for w in words], dtype=np.float32)
    return GloVe(words, matrix), {w: i for i, w in enumerate(words, start=1)}


def _sentences(word_to_index: dict, rng, n: int, min_words: int = 1, max_words: int = 8) -> list[str]:
    """n random sentences over the vocabulary, with some capitalised and some unknown words."""
    vocab = sorted(word_to_index)
    out = []
    for _ in range(n):
        words = list(rng.choice(vocab, size=int(rng.integers(min_words, max_words + 1))))
        if rng.random() < 0.5:
            words.insert(int(rng.integers(len(words) + 1)), str(rng.choice(_UNKNOWN)))
        if rng.random() < 0.6:
            k = int(rng.integers(len(words)))
            words[k] = words[k].upper() if rng.random() < 0.5 else words[k].capitalize()
        out.append(" ".join(words))
    return out


def sentence_to_avg_inputs(seed: int | None) -> list[tuple[str, dict]]:
    """The (sentence, word_to_vec_map) pairs of check_sentence_to_avg."""
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    if seed is None:
        return [("I love pizza", word_to_vec_map), ("I LOVE my Pizza so very much", word_to_vec_map),
                ("happy", word_to_vec_map), ("xylophone zebra", word_to_vec_map),
                ("Morrocan couscous is my favorite dish", load_glove()[3])]
    rng = np.random.default_rng(seed)
    cases = [(s, word_to_vec_map) for s in _sentences(word_to_index, rng, 4)]
    cases.append((" ".join(rng.choice(_UNKNOWN, size=2)), word_to_vec_map))
    return cases


def model_inputs(seed: int | None):
    """(X, Y, word_to_vec_map, learning_rate, num_iterations) of check_model: a toy training set, every class."""
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    rng = np.random.default_rng(7 if seed is None else seed + 1)
    m = 10 if seed is None else int(rng.integers(8, 16))
    X = np.array(_sentences(word_to_index, rng, m, max_words=6))
    Y = rng.permutation(np.arange(m) % N_CLASSES)  # every class present
    learning_rate, num_iterations = (0.5, 3) if seed is None else (0.3, 4)
    return X, Y, word_to_vec_map, learning_rate, num_iterations


def sentences_to_indices_inputs(seed: int | None):
    """(X, word_to_index, max_len) of check_sentences_to_indices."""
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    if seed is None:
        X = np.array(["I love pizza", "you are VERY funny", "Play the ball game my day so happy",
                      "zebra quantum", "not happy xylophone today"])
        return X, word_to_index, 5
    rng = np.random.default_rng(seed)
    max_len = int(rng.integers(4, 9))
    X = _sentences(word_to_index, rng, int(rng.integers(4, 8)), max_words=max_len + 3)
    X.append(f"{rng.choice(_UNKNOWN)} {sorted(word_to_index)[0]} {rng.choice(_UNKNOWN)} {sorted(word_to_index)[1]}")
    return np.array(X), word_to_index, max_len


def embedding_inputs(seed: int | None) -> list[tuple]:
    """The (word_to_vec_map, word_to_index, kind) vocabularies of check_pretrained_embedding_layer."""
    return [(*toy_vocabulary(seed), "dict"), (*toy_glove(None if seed is None else seed + 100), "GloVe")]


def lookup_words(word_to_index: dict) -> list[str]:
    """The two words whose indices (followed by the padding index 0) are looked up through the layer."""
    return sorted(word_to_index)[:2]


def emojify_v2_inputs(seed: int | None):
    """(word_to_vec_map, word_to_index, max_len) of check_Emojify_V2."""
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    max_len = 6 if seed is None else int(np.random.default_rng(seed).integers(3, 11))
    return word_to_vec_map, word_to_index, max_len

# ---------------------------------------------------------------------------- sentence_to_avg


def check_sentence_to_avg(sentence_to_avg, seed=None):
    """sentence_to_avg(sentence, word_to_vec_map): mean vector of the known words, lower-cased; zeros if none."""
    name = "sentence_to_avg"
    case = FIXTURES.case(name, seed=seed)
    hints = {KeyError: "Lower-case the sentence before splitting it, and skip the words that are not in "
                       "word_to_vec_map instead of looking them up (section 2.1).",
             ZeroDivisionError: "When no word of the sentence is known, return the zero vector instead of "
                                "dividing by 0."}
    for (sentence, vectors), expected in zip(sentence_to_avg_inputs(seed), case):
        n_e = len(next(iter(vectors.values())))
        label = f"{name}({sentence!r}, ...)"
        with np.errstate(all="ignore"):
            got = _call(sentence_to_avg, name, label, sentence, vectors, hints=hints)
        check_shape(label, got, (n_e,),
                    hint=f"Return one vector of shape ({n_e},): the mean over the words, np.zeros({n_e}) when no "
                         "word is known.")
        if not np.all(np.isfinite(got)):
            _fail(f"{label}: expected {expected['avg'].round(4)} but got {got}; likely cause: no word of this "
                  "sentence is known, so the average divided by zero; return the zero vector when no word is known.")
        check_close(label, got, expected["avg"], rtol=1e-5, atol=1e-6, mistakes=expected["mistakes"])
    passed(name)

# ---------------------------------------------------------------------------- model (averaging + softmax, SGD)


_SGD_STEPS = ("For every example, the three steps of section 2.2 in order: the forward pass (z, then a), this "
              "example's gradients (dz, dW, db), then the update of W and b with the learning rate; if "
              "sentence_to_avg passed its check, compare your loop with these steps.")


_COST_LINE = re.compile(r"^epoch\s+(\d+): mean cost (\S+)$", re.M)
_COST_CAUSE = ("likely cause: cost adds up the cross-entropy of every example of the epoch, -sum_k Y_oh,k log a_k "
               "with the softmax output of this example's forward pass (step 1 of section 2.2); the cell prints "
               "cost / m.")
#: {mistake: the cause named when the printed costs are what it gives}, for the stored "cost_mistakes"
COST_MISTAKES = {
    "not_added": "nothing was added to cost: add each example's cross-entropy to it (cost += ..., step 1 of "
                 "section 2.2).",
    "no_minus": "the minus sign of the cross-entropy is missing: the cost is -sum_k Y_oh,k log a_k, a positive "
                "number (step 1 of section 2.2).",
    "last_only": "cost was overwritten (cost = ...) instead of added to (cost += ...), so only the last example's "
                 "cross-entropy is left (step 1 of section 2.2).",
}


def _check_costs(label: str, printed: str, expected: dict, mistakes: dict):
    """The mean costs ``model`` printed (the cell's ``print`` at every 100th epoch) against the stored ones."""
    got = {int(epoch): value for epoch, value in _COST_LINE.findall(printed)}
    for epoch, want in expected.items():
        if int(epoch) not in got:
            _fail(f"{label}: expected a line 'epoch {int(epoch):3d}: mean cost ...' in what it printed but got "
                  f"{printed.strip()[:200]!r}. Keep the print of the cell, at every 100th epoch (t % 100 == 0).")
        try:
            value = float(got[int(epoch)])
        except ValueError:
            value = float("nan")
        if not np.isclose(value, want, rtol=0, atol=1.5e-4):
            cause = next((c for c, costs in mistakes.items() if np.isclose(value, costs[epoch], rtol=0, atol=1.5e-4)),
                         None)
            _fail(f"{label}: expected the mean cost of epoch {int(epoch)} to be {want:.4f} but it printed "
                  f"{got[int(epoch)]}. " + (f"likely cause: {cause}" if cause else _COST_CAUSE))


def check_model(model, seed=None):
    """model(X, Y, word_to_vec_map, learning_rate, num_iterations) -> (pred, W, b), compared with per-example SGD;
    the mean costs it prints, too."""
    name = "model"
    case = FIXTURES.case(name, seed=seed)
    X, Y, word_to_vec_map, lr, iters = model_inputs(seed)
    n_h, m = len(next(iter(word_to_vec_map.values()))), len(X)
    np.random.seed(12345)  # model must seed itself (np.random.seed(1)), whatever the caller did before
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the cost printouts
        got = _call(model, name, name, X.copy(), Y.copy(), word_to_vec_map, learning_rate=lr, num_iterations=iters)
    check_tuple(name, got, 3, ["pred", "W", "b"])
    pred, W, b = got
    label = f"{name}(..., learning_rate={lr}, num_iterations={iters})"
    check_shape(f"{label}: W", W, (N_CLASSES, n_h), hint=f"W has one row per class: shape (n_y, n_h) = "
                f"({N_CLASSES}, {n_h}). Keep the initialisation given in the cell.")
    check_shape(f"{label}: b", b, (N_CLASSES,), hint=f"b has one value per class: shape (n_y,) = ({N_CLASSES},).")
    check_close(f"{label}: W", W, case["W"], rtol=1e-6, atol=1e-8, hint=_SGD_STEPS,
                mistakes={cause: wrong["W"] for cause, wrong in case["mistakes"].items()})
    check_close(f"{label}: b", b, case["b"], rtol=1e-6, atol=1e-8, hint=_SGD_STEPS,
                mistakes={cause: wrong["b"] for cause, wrong in case["mistakes"].items()})
    check_shape(f"{label}: pred", np.asarray(pred), (m, 1),
                hint="pred holds one predicted label per sentence of X, shape (m, 1).")
    check_close(f"{label}: pred", np.asarray(pred, dtype=np.float64), case["pred"].astype(np.float64), hint=
                "pred[i] is the class with the largest score for sentence i, computed with the trained W and b "
                "(ŷ in section 2).")
    _check_costs(label, printed.getvalue(), case["costs"],
                 {cause: case["cost_mistakes"][mistake]["costs"] for mistake, cause in COST_MISTAKES.items()})
    # The defaults of the signature: learning_rate=0.01, num_iterations=400 (the costs of epochs 0, 100, 200, 300).
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        _, W_default, _ = _call(model, name, name, X.copy(), Y.copy(), word_to_vec_map)
    check_close(f"{name} with its default arguments: W", np.asarray(W_default), case["W_default"], rtol=1e-5,
                atol=1e-7, hint="Keep the defaults of the signature: learning_rate=0.01, num_iterations=400.")
    _check_costs(f"{name} with its default arguments", printed.getvalue(), case["costs_default"],
                 {cause: case["cost_mistakes"][mistake]["costs_default"] for mistake, cause in COST_MISTAKES.items()})
    passed(name)

# ---------------------------------------------------------------------------- sentences_to_indices


def _conversion_hint(exc) -> str | None:
    if "could not convert" in str(exc) or "invalid literal" in str(exc):
        return ("An unknown word was given a string such as '<unk>'; X_indices holds numbers only: skip unknown "
                "words instead.")
    return None


def check_sentences_to_indices(sentences_to_indices, seed=None):
    """sentences_to_indices(X, word_to_index, max_len) -> (m, max_len) integer indices: lower-cased, unknown words
    skipped, post-padded with 0, truncated to max_len."""
    name = "sentences_to_indices"
    case = FIXTURES.case(name, seed=seed)
    X, word_to_index, max_len = sentences_to_indices_inputs(seed)
    label = f"{name}(X of {len(X)} sentences, word_to_index, max_len={max_len})"
    got = _call(sentences_to_indices, name, label, X.copy(), dict(word_to_index), max_len, hints={
        KeyError: "Lower-case each sentence, and skip the words that are not in word_to_index instead of looking "
                  "them up (section 4.1).",
        IndexError: "A sentence has more known words than max_len: stop after max_len words (truncate).",
        ValueError: _conversion_hint})
    check_type(label, got, np.ndarray, hint="Return the numpy array X_indices.")
    if not np.issubdtype(got.dtype, np.number):
        _fail(f"{label}: expected numbers (word indices) but got an array of {got.dtype}; likely cause: unknown "
              "words were stored as a string such as '<unk>'; skip unknown words instead.")
    if not np.issubdtype(got.dtype, np.integer):
        _fail(f"{label}: expected an array of integers (word indices) but got an array of {got.dtype}; likely "
              f"cause: np.zeros((m, max_len)) makes {got.dtype} numbers unless told otherwise; indices are integers "
              "(an Embedding layer looks up a row by its integer index), so create X_indices with an integer dtype: "
              "np.zeros((m, max_len), dtype=np.int32).")
    check_shape(label, got, (len(X), max_len), hint="One row per sentence, max_len columns: np.zeros((m, max_len)).")
    expected = case["indices"]
    if np.array_equal(got, expected):
        passed(name)
        return
    cause = next((c for c, wrong in case["mistakes"].items() if np.array_equal(got, wrong)), None)
    in_place = case["unknown_in_place"]  # the word indices where they stand in the sentence, -1 for unknown words
    placed = in_place >= 0
    if cause is None and (~placed).any() and np.array_equal(got[placed], in_place[placed]):
        cause = (f"unknown words were given an index ({sorted(set(got[~placed].tolist()))}) in their place; "
                 "skip them instead: an unknown word adds nothing to X_indices.")
    row = int(np.flatnonzero((got != expected).any(axis=1))[0])
    _fail(f"{label}: expected row {row} ({str(X[row])!r}) to be {expected[row].tolist()} but got {got[row].tolist()}." +
          (f" likely cause: {cause}" if cause else " Lower-case, skip unknown words, write the index of each known "
           "word in the next free column, stop at max_len (section 4.1)."))

# ---------------------------------------------------------------------------- pretrained_embedding_layer


def _check_embedding(name: str, layer, matrix: np.ndarray, word_to_index):
    """An Embedding of the vocabulary: frozen, row 0 zeros (padding), row word_to_index[w] = w's vector.

    ``matrix`` is the stored expected weight matrix. Masking the padding (mask_zero=True) is allowed.
    """
    check_layer(name, layer, keras.layers.Embedding)
    V = len(word_to_index)
    E = matrix
    check_layer_config(name, layer, input_dim=V + 1, hint=f"The vocabulary has {V} words plus the padding index 0, "
                       "so input_dim is one more than the number of words (section 4.2)." if layer.input_dim == V
                       else None)
    check_layer_config(name, layer, output_dim=E.shape[1], hint="output_dim is the dimension of the word vectors.")
    check_frozen(name, layer)
    weights = layer.get_weights()
    if len(weights) != 1:
        _fail(f"{name}: expected 1 weight matrix of shape {E.shape} but got {len(weights)}; likely cause: the layer "
              "was not built: build it before giving it the embedding matrix with set_weights (the end of section "
              "4.2).")
    got = np.asarray(weights[0])
    check_shape(f"{name}: weights", got, E.shape)
    if np.allclose(got, E, atol=1e-6):
        return
    if not got.any():
        cause = ("the weights are all zeros: the embedding matrix was not given to the layer (set_weights, the end of "
                 "section 4.2).")
    elif np.abs(got[0]).max() > 0 and np.allclose(got[1:], E[1:], atol=1e-6):
        cause = "row 0 is the padding row and must stay all zeros."
    elif np.allclose(got[:-1], E[1:], atol=1e-6):
        cause = "the rows are shifted by one: the vector of w goes in row word_to_index[w], not word_to_index[w] - 1."
    elif not np.allclose(got[0], 0):
        cause = "the weights look random: the embedding matrix was not given to the layer (set_weights)."
    else:
        cause = "row word_to_index[w] must hold the vector of w, for every word w of word_to_index."
    row = int(np.flatnonzero(~np.isclose(got, E, atol=1e-6).all(axis=1))[0])
    _fail(f"{name}: expected row {row} of the weights to be {np.round(E[row].astype(float), 3).tolist()} but got "
          f"{np.round(got[row].astype(float), 3).tolist()}; likely cause: {cause}")


def _build_embedding(pretrained_embedding_layer, word_to_vec_map, word_to_index, label):
    """The student's layer; a crash whose cause is well known is named."""
    try:
        return build(pretrained_embedding_layer, word_to_vec_map, word_to_index, name=label)
    except CheckFailed as exc:
        cause = exc.__cause__
        if isinstance(cause, IndexError):
            hint = (f"likely cause: the matrix has too few rows: the indices run from 1 to {len(word_to_index)} and "
                    "row 0 is the padding row, so vocab_size is the number of words + 1 (section 4.2).")
        elif isinstance(cause, ValueError) and "set_weights" in str(cause):
            hint = ("likely cause: the layer was not built, so it has no weights yet: call build((None,)) before "
                    "set_weights (the end of section 4.2).")
        else:
            raise
        raise CheckFailed(join_hint(str(exc).split("; likely cause:")[0], hint)) from cause


def check_pretrained_embedding_layer(pretrained_embedding_layer, seed=None):
    """A frozen Embedding with input_dim = vocabulary + 1, row 0 = padding zeros, row index = the word's vector;
    for a plain dict map and for a GloVe map."""
    name = "pretrained_embedding_layer"
    with _native_logs_dropped():  # computing a hidden case runs the reference's Keras layers too
        case = FIXTURES.case(name, seed=seed)
        for (word_to_vec_map, word_to_index, kind), expected in zip(embedding_inputs(seed), case):
            label = f"{name}(a {kind} map of {len(word_to_index)} words, word_to_index)"
            with FIXTURES.stand_ins(pretrained_embedding_layer, name):
                layer = _build_embedding(pretrained_embedding_layer, word_to_vec_map, dict(word_to_index), label)
            _check_embedding(label, layer, expected["matrix"], word_to_index)
            # Behaviour: looking up two words and a padding index gives their vectors and zeros.
            w1, w2 = lookup_words(word_to_index)
            x = np.array([[word_to_index[w1], word_to_index[w2], 0]], dtype=np.int32)
            check_close(f"{label}: output on [[index of {w1!r}, index of {w2!r}, 0]]", predict(layer, x),
                        expected["lookup"], rtol=1e-5, atol=1e-6)
    passed(name)

# ---------------------------------------------------------------------------- Emojify_V2


def lstm_params(n_in: int, units: int) -> int:
    """Parameters of a Keras LSTM: four gates, each with input and recurrent weights and a bias."""
    return 4 * (units * (n_in + units) + units)


_HEAD = [keras.layers.Embedding, keras.layers.LSTM, keras.layers.Dropout, keras.layers.LSTM, keras.layers.Dropout,
         keras.layers.Dense]
_SOFTMAX_MISSING = ("likely cause: the final softmax is missing; give the last layer activation=\"softmax\" "
                    "(Dense(5, activation=\"softmax\")), or follow Dense(5) with Activation(\"softmax\").")


def _expected_layers(model) -> list:
    """The layer types expected in order. The model ends with Dense(5) and a softmax: either the Dense's own
    activation, or a separate Activation (or Softmax) layer after a linear Dense; its last layer says which."""
    last = layers_of(model)[-1] if layers_of(model) else None
    if isinstance(last, keras.layers.Activation):
        return _HEAD + [keras.layers.Activation]
    if isinstance(last, keras.layers.Softmax):
        return _HEAD + [keras.layers.Softmax]
    return list(_HEAD)


def emojify_v2_batch(word_to_index: dict, max_len: int, seed: int | None) -> np.ndarray:
    """The index rows whose outputs check_Emojify_V2 compares: 4 sentences of distinct words, so that reading them in
    another order changes the output; some end with padding (0)."""
    rng = np.random.default_rng(50 if seed is None else seed + 50)
    V = len(word_to_index)
    x = np.stack([rng.permutation(np.arange(1, V + 1))[:max_len] for _ in range(4)]).astype(np.int32)
    x[1, max(1, max_len - 2):] = 0
    x[3, max(1, max_len // 2):] = 0
    return x


def set_lstm_dense_weights(model, seed: int | None):
    """Give both LSTMs and the Dense layer fixed weights drawn from a seeded generator (the Embedding keeps its
    pretrained vectors), so that the outputs can be compared with stored ones. Biases are drawn too."""
    rng = np.random.default_rng(70 if seed is None else seed + 70)
    for layer in layers_of(model):
        if isinstance(layer, (keras.layers.LSTM, keras.layers.Dense)):
            layer.set_weights([(rng.standard_normal(w.shape) / np.sqrt(w.shape[0] if w.ndim > 1 else 4))
                               .astype(np.float32) for w in layer.get_weights()])


#: {mistake of the reference's model: the cause named when the outputs are those it gives}
EMOJIFY_V2_MISTAKES = {
    "backwards_1": "the first LSTM reads the sentence backwards (go_backwards=True); both LSTMs read it in order "
                   "(section 4.3).",
    "backwards_2": "the second LSTM reads the sequence backwards (go_backwards=True); both LSTMs read it in order "
                   "(section 4.3).",
    "backwards_both": "both LSTMs read backwards (go_backwards=True); they read the sentence in order "
                      "(section 4.3).",
}


def check_Emojify_V2(Emojify_V2, seed=None):
    """Emojify_V2(input_shape, word_to_vec_map, word_to_index): Input(int32) -> frozen pretrained Embedding
    (padding masked or not) -> LSTM(128, return_sequences) -> Dropout(0.5) -> LSTM(128) -> Dropout(0.5) -> Dense(5)
    -> softmax (the Dense's activation, or a separate Activation layer)."""
    name = "Emojify_V2"
    word_to_vec_map, word_to_index, max_len = emojify_v2_inputs(seed)
    V, n_e = len(word_to_index), len(next(iter(word_to_vec_map.values())))
    with _native_logs_dropped():
        case = FIXTURES.case(name, seed=seed)  # a hidden case is computed by the reference's Keras model
        with FIXTURES.stand_ins(Emojify_V2, name):
            model = build(Emojify_V2, (max_len,), word_to_vec_map, dict(word_to_index), name=name)
        check_keras_model(name, model)
        check_input(name, model, (None, max_len), dtype="int32")
        check_layer_sequence(name, model, _expected_layers(model))
        emb, lstm1, drop1, lstm2, drop2, dense, *final = layers_of(model)
        _check_embedding(f"{name}: the Embedding layer", emb, case["embedding"], word_to_index)
        for i, (lstm, seq) in enumerate([(lstm1, True), (lstm2, False)], start=1):
            check_layer_config(f"{name}: LSTM {i}", lstm, units=LSTM_UNITS)
            check_return_sequences(f"{name}: LSTM {i}", lstm, seq)
        for i, drop in enumerate([drop1, drop2], start=1):
            check_layer_config(f"{name}: Dropout {i}", drop, rate=DROPOUT_RATE, hint="Use Dropout(0.5): rate is "
                               "the fraction of values dropped during training.")
        check_layer_config(f"{name}: Dense", dense, units=N_CLASSES, hint=f"One output per class: Dense({N_CLASSES}).")
        if not final:  # Dense(5, activation="softmax")
            try:
                check_activation(f"{name}: Dense", dense, "softmax")
            except CheckFailed as exc:
                raise CheckFailed(join_hint(str(exc).split("; likely cause:")[0], _SOFTMAX_MISSING)) from None
        else:  # Dense(5), then a separate softmax layer
            check_activation(f"{name}: Dense", dense, "linear")
            if isinstance(final[0], keras.layers.Activation):
                check_activation(f"{name}: Activation", final[0], "softmax")
            elif final[0].axis not in (-1, 1):
                _fail(f"{name}: Softmax.axis: expected -1 (the classes) but got {final[0].axis!r}; the softmax runs "
                      "over the 5 classes of each sentence, so keep Softmax's default axis or use "
                      "Activation(\"softmax\") (section 4.3).")
        check_param_counts(name, model,
                           trainable=lstm_params(n_e, LSTM_UNITS) + lstm_params(LSTM_UNITS, LSTM_UNITS)
                           + LSTM_UNITS * N_CLASSES + N_CLASSES,
                           non_trainable=(V + 1) * n_e)
        check_output_shape(name, model, (None, N_CLASSES))
        # Behaviour: a batch of index rows (padding included) gives one probability distribution per row.
        rng = np.random.default_rng(0 if seed is None else seed)
        x = rng.integers(0, V + 1, size=(3, max_len)).astype(np.int32)
        x[0, max_len // 2:] = 0
        probs = predict(model, x)
        check_shape(f"{name}: output on 3 sentences", probs, (3, N_CLASSES))
        check_probabilities(f"{name}: output on 3 sentences", probs)
        # Behaviour with fixed weights: 4 sentences whose word order matters, against the stored outputs.
        set_lstm_dense_weights(model, seed)
        masked = bool(getattr(emb, "mask_zero", False))
        which = "outputs_masked" if masked else "outputs"
        check_close(f"{name}: output on 4 index rows, with the LSTM and Dense weights set by the check",
                    predict(model, emojify_v2_batch(word_to_index, max_len, seed)), case[which], rtol=1e-4,
                    atol=2e-5, mistakes={cause: wrong[which] for cause, wrong in case["mistakes"].items() if which in wrong},
                    hint="likely cause: the layers are not wired as section 4.3 draws them: Input -> Embedding -> "
                         "LSTM(128, return_sequences=True) -> Dropout -> LSTM(128) -> Dropout -> Dense(5) -> "
                         "softmax, each called on the previous layer's output, every LSTM reading in order.")
    passed(name)

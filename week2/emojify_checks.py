"""Public checks of the Emojify notebook (w2a2), one per graded function.

Each ``check_*`` takes the student's function. With ``seed=None`` it uses the public inputs: a small toy
vocabulary of 20 words with 4-dimensional vectors (and, for ``sentence_to_avg``, one sentence on the real GloVe
vectors); with an integer ``seed`` it draws another toy vocabulary (other words, sizes and dimensions, indices
in another order), as the hidden tests do. Expected values come from the private reference implementations
below; when a wrong answer is exactly what a classic mistake produces, the message names the mistake. The
Keras checks use :mod:`autograder.keras_checks`: structure and behaviour, never printed summaries.
"""
from __future__ import annotations

import contextlib
import io

import numpy as np

import keras
from autograder.checks import CheckFailed, call, check_close, check_shape, check_tuple, check_type, passed
from autograder.keras_checks import (build, check_activation, check_frozen, check_input, check_layer,
                                     check_layer_config, check_layer_sequence, check_output_shape,
                                     check_param_counts, check_probabilities, check_return_sequences, predict)
from autograder.keras_checks import check_model as check_keras_model  # check_model below checks `model`
from week2.emojify import N_CLASSES, convert_to_one_hot, softmax
from week2.glove import GloVe, load_glove

# The public toy vocabulary (its first 20 words) and the pool the hidden ones are drawn from.
_POOL = ["i", "you", "love", "my", "the", "is", "not", "so", "happy", "sad", "pizza", "eat", "ball", "play",
         "game", "dinner", "funny", "heart", "day", "very", "we", "team", "lunch", "smile", "cry", "hug",
         "bad", "good", "win", "lost", "food", "hungry", "great", "today", "friend", "miss", "coach", "cake",
         "laugh", "tired"]
_UNKNOWN = ["xylophone", "zebra", "quantum", "nebula", "origami", "kayak"]  # never in a toy vocabulary
LSTM_UNITS = 128


def _fail(message: str):
    raise CheckFailed(message)


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


def _toy_glove(seed: int | None = None) -> tuple[GloVe, dict]:
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

# ---------------------------------------------------------------------------- sentence_to_avg


def _ref_avg(sentence: str, word_to_vec_map, lower=True, count_unknown=False, divide=True) -> np.ndarray:
    """The average of the known words' vectors; the flags switch on classic mistakes."""
    n_e = len(next(iter(word_to_vec_map.values())))
    words = (sentence.lower() if lower else sentence).split()
    known = [np.asarray(word_to_vec_map[w], dtype=np.float64) for w in words if w in word_to_vec_map]
    if not known:
        return np.zeros(n_e)
    total = np.sum(known, axis=0)
    return total / (len(words) if count_unknown else len(known)) if divide else total


def check_sentence_to_avg(sentence_to_avg, seed=None):
    """sentence_to_avg(sentence, word_to_vec_map): mean vector of the known words, lower-cased; zeros if none."""
    name = "sentence_to_avg"
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    if seed is None:
        cases = [("I love pizza", word_to_vec_map), ("I LOVE my Pizza so very much", word_to_vec_map),
                 ("happy", word_to_vec_map), ("xylophone zebra", word_to_vec_map),
                 ("Morrocan couscous is my favorite dish", load_glove()[3])]
    else:
        rng = np.random.default_rng(seed)
        cases = [(s, word_to_vec_map) for s in _sentences(word_to_index, rng, 4)]
        cases.append((" ".join(rng.choice(_UNKNOWN, size=2)), word_to_vec_map))
    for sentence, vectors in cases:
        n_e = len(next(iter(vectors.values())))
        label = f"{name}({sentence!r}, ...)"
        try:
            with np.errstate(all="ignore"):
                got = sentence_to_avg(sentence, vectors)
        except NotImplementedError:
            raise
        except KeyError as exc:
            _fail(f"{label} raised KeyError: {exc}. Lower-case the sentence before splitting it, and skip the "
                  "words that are not in word_to_vec_map (test `w in word_to_vec_map`).")
        except ZeroDivisionError as exc:
            _fail(f"{label} raised ZeroDivisionError: {exc}. When no word of the sentence is known, return the "
                  "zero vector instead of dividing by 0.")
        except Exception as exc:  # noqa: BLE001 - report any crash in student code
            raise CheckFailed(f"{label} raised {type(exc).__name__}: {exc}.") from exc
        expected = _ref_avg(sentence, vectors)
        check_shape(label, got, (n_e,),
                    hint=f"Return one vector of shape ({n_e},): the mean over the words, np.zeros({n_e}) when no "
                         "word is known.")
        if not np.all(np.isfinite(got)):
            _fail(f"{label}: expected {expected.round(4)} but got {got}. Likely cause: no word of this sentence is "
                  "known, so the average divided by zero; return the zero vector when no word is known.")
        check_close(label, got, expected, rtol=1e-5, atol=1e-6, mistakes={
            "the words were not lower-cased: GloVe's words are lower-case, so 'I' or 'LOVE' were skipped.":
                _ref_avg(sentence, vectors, lower=False),
            "the sum was divided by the number of all words, unknown ones included; divide by the number of "
            "known words.": _ref_avg(sentence, vectors, count_unknown=True),
            "the sum of the vectors was returned; divide it by the number of known words.":
                _ref_avg(sentence, vectors, divide=False),
        })
    passed(name)

# ---------------------------------------------------------------------------- model (averaging + softmax, SGD)


def _ref_model(X, Y, word_to_vec_map, learning_rate, num_iterations, mistake=None):
    """Softmax regression on the sentence averages, per-example SGD, as the notebook asks.

    mistake: None, "accumulate" (the reference edition's bug: dW, db summed over the epoch while updating at
    every example), "accumulate_all" (the same, never reset), "no_bias" (b never updated), "sign" (dz = Y - a).
    """
    np.random.seed(1)
    m, n_y = Y.shape[0], N_CLASSES
    n_h = len(next(iter(word_to_vec_map.values())))
    W = np.random.randn(n_y, n_h) / np.sqrt(n_h)
    b = np.zeros((n_y,))
    Y_oh = convert_to_one_hot(Y, C=n_y)
    avgs = np.array([_ref_avg(s, word_to_vec_map) for s in X])  # (m, n_h)
    dW_sum, db_sum = 0.0, 0.0
    for _ in range(num_iterations):
        if mistake == "accumulate":
            dW_sum, db_sum = 0.0, 0.0
        for i in range(m):
            a = softmax(W @ avgs[i] + b)                    # (n_y,)
            dz = (Y_oh[i] - a) if mistake == "sign" else (a - Y_oh[i])
            dW, db = np.outer(dz, avgs[i]), dz              # (n_y, n_h), (n_y,)
            if mistake in ("accumulate", "accumulate_all"):
                dW_sum, db_sum = dW_sum + dW, db_sum + db
                dW, db = dW_sum, db_sum
            W = W - learning_rate * dW
            if mistake != "no_bias":
                b = b - learning_rate * db
    pred = np.argmax(avgs @ W.T + b, axis=1).reshape(m, 1)
    return pred, W, b


_SGD_STEPS = ("For every example: a = softmax(W avg + b), dz = a - Y_oh[i], dW = outer(dz, avg), db = dz, then "
              "W -= learning_rate * dW and b -= learning_rate * db. If sentence_to_avg passed its check, compare "
              "your loop with these steps.")
_MODEL_MISTAKES = {
    "accumulate": "the gradients were added up over the epoch (dW += ..., db += ...) while W and b were also "
                  "updated at every example, so each update repeats all the earlier ones. Per-example SGD uses "
                  "this example's gradient only: dW = outer(dz, avg), db = dz.",
    "accumulate_all": "the gradients were added up across examples and epochs (dW += ..., db += ...) while W and "
                      "b were updated at every example. Use this example's gradient only: dW = outer(dz, avg).",
    "no_bias": "b was never updated: add b = b - learning_rate * db after updating W.",
    "sign": "dz has the wrong sign (Y_oh[i] - a): with it, the updates climb the cost instead of descending; "
            "dz = a - Y_oh[i].",
}


def _toy_training_set(seed):
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    rng = np.random.default_rng(7 if seed is None else seed + 1)
    m = 10 if seed is None else int(rng.integers(8, 16))
    X = np.array(_sentences(word_to_index, rng, m, max_words=6))
    Y = rng.permutation(np.arange(m) % N_CLASSES)  # every class present
    return X, Y, word_to_vec_map


def check_model(model, seed=None):
    """model(X, Y, word_to_vec_map, learning_rate, num_iterations) -> (pred, W, b), compared with per-example SGD."""
    name = "model"
    X, Y, word_to_vec_map = _toy_training_set(seed)
    n_h, m = len(next(iter(word_to_vec_map.values()))), len(X)
    lr, iters = (0.5, 3) if seed is None else (0.3, 4)
    np.random.seed(12345)  # model must seed itself (np.random.seed(1)), whatever the caller did before
    with contextlib.redirect_stdout(io.StringIO()):  # the cost printouts
        got = call(model, X.copy(), Y.copy(), word_to_vec_map, learning_rate=lr, num_iterations=iters, name=name)
    check_tuple(name, got, 3, ["pred", "W", "b"])
    pred, W, b = got
    exp_pred, exp_W, exp_b = _ref_model(X, Y, word_to_vec_map, lr, iters)
    wrong = {k: _ref_model(X, Y, word_to_vec_map, lr, iters, mistake=k) for k in _MODEL_MISTAKES}
    label = f"{name}(..., learning_rate={lr}, num_iterations={iters})"
    check_shape(f"{label}: W", W, (N_CLASSES, n_h), hint=f"W has one row per class: shape (n_y, n_h) = "
                f"({N_CLASSES}, {n_h}). Keep the initialisation given in the cell.")
    check_shape(f"{label}: b", b, (N_CLASSES,), hint=f"b has one value per class: shape (n_y,) = ({N_CLASSES},).")
    check_close(f"{label}: W", W, exp_W, rtol=1e-6, atol=1e-8, hint=_SGD_STEPS,
                mistakes={_MODEL_MISTAKES[k]: v[1] for k, v in wrong.items()})
    check_close(f"{label}: b", b, exp_b, rtol=1e-6, atol=1e-8, hint=_SGD_STEPS,
                mistakes={_MODEL_MISTAKES[k]: v[2] for k, v in wrong.items()})
    check_shape(f"{label}: pred", np.asarray(pred), (m, 1),
                hint="pred holds one predicted label per sentence of X, shape (m, 1).")
    check_close(f"{label}: pred", np.asarray(pred, dtype=np.float64), exp_pred.astype(np.float64), hint=
                "pred[i] is the index of the largest score of sentence i with the trained W and b: "
                "np.argmax(W @ avg + b).")
    # The defaults of the signature: learning_rate=0.01, num_iterations=400.
    with contextlib.redirect_stdout(io.StringIO()):
        _, W_default, _ = call(model, X.copy(), Y.copy(), word_to_vec_map, name=name)
    check_close(f"{name} with its default arguments: W", np.asarray(W_default),
                _ref_model(X, Y, word_to_vec_map, 0.01, 400)[1], rtol=1e-5, atol=1e-7,
                hint="Keep the defaults of the signature: learning_rate=0.01, num_iterations=400.")
    passed(name)

# ---------------------------------------------------------------------------- sentences_to_indices


def _ref_indices(X, word_to_index, max_len, lower=True, unknown="skip", pad="post") -> np.ndarray:
    """Indices of the known words, post-padded with 0 and truncated; the flags switch on classic mistakes.

    unknown: "skip" (right), "zero" (0 in the word's place), "keep" (-1 marks the word's place).
    """
    out = np.zeros((len(X), max_len), dtype=np.int64)
    for i, sentence in enumerate(X):
        words = (str(sentence).lower() if lower else str(sentence)).split()
        idx = [word_to_index[w] if w in word_to_index else {"skip": None, "zero": 0, "keep": -1}[unknown]
               for w in words]
        idx = [j for j in idx if j is not None][:max_len]
        if pad == "post":
            out[i, :len(idx)] = idx
        elif idx:
            out[i, -len(idx):] = idx
    return out


def _indices_cases(seed):
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


def check_sentences_to_indices(sentences_to_indices, seed=None):
    """sentences_to_indices(X, word_to_index, max_len) -> (m, max_len) indices: lower-cased, unknown words
    skipped, post-padded with 0, truncated to max_len."""
    name = "sentences_to_indices"
    X, word_to_index, max_len = _indices_cases(seed)
    label = f"{name}(X of {len(X)} sentences, word_to_index, max_len={max_len})"
    try:
        got = sentences_to_indices(X.copy(), word_to_index, max_len)
    except NotImplementedError:
        raise
    except KeyError as exc:
        _fail(f"{label} raised KeyError: {exc}. Lower-case each sentence, and skip the words that are not in "
              "word_to_index (test `w in word_to_index`) instead of looking them up.")
    except IndexError as exc:
        _fail(f"{label} raised IndexError: {exc}. A sentence has more known words than max_len: stop after "
              "max_len words (truncate).")
    except ValueError as exc:
        hint = (" An unknown word was given a string such as '<unk>'; X_indices holds numbers only: skip unknown "
                "words instead." if "could not convert" in str(exc) or "invalid literal" in str(exc) else "")
        _fail(f"{label} raised ValueError: {exc}.{hint}")
    except Exception as exc:  # noqa: BLE001 - report any crash in student code
        raise CheckFailed(f"{label} raised {type(exc).__name__}: {exc}.") from exc
    check_type(label, got, np.ndarray, hint="Return the numpy array X_indices.")
    if not np.issubdtype(got.dtype, np.number):
        _fail(f"{label}: expected numbers (word indices) but got an array of {got.dtype}. Likely cause: unknown "
              "words were stored as a string such as '<unk>'; skip unknown words instead.")
    check_shape(label, got, (len(X), max_len), hint="One row per sentence, max_len columns: np.zeros((m, max_len)).")
    expected = _ref_indices(X, word_to_index, max_len)
    if np.array_equal(got, expected):
        passed(name)
        return
    keep = _ref_indices(X, word_to_index, max_len, unknown="keep")
    placed = keep >= 0
    cause = None
    if np.array_equal(got, _ref_indices(X, word_to_index, max_len, unknown="zero")):
        cause = ("unknown words were written as 0 in their place, which leaves holes inside the sentence and "
                 "takes a place of max_len; skip them instead (the next known word takes the next column).")
    elif np.array_equal(got[placed], keep[placed]) and (keep < 0).any():
        cause = (f"unknown words were given an index ({sorted(set(got[keep < 0].tolist()))}) in their place; "
                 "skip them instead: an unknown word adds nothing to X_indices.")
    elif np.array_equal(got, _ref_indices(X, word_to_index, max_len, pad="pre")):
        cause = "the padding is at the start (pre-padding); put the word indices first and the zeros after them."
    elif np.array_equal(got, _ref_indices(X, word_to_index, max_len, lower=False)):
        cause = "the words were not lower-cased, so capitalised words ('I', 'VERY') were skipped as unknown."
    row = int(np.flatnonzero((got != expected).any(axis=1))[0])
    _fail(f"{label}: expected row {row} ({str(X[row])!r}) to be {expected[row].tolist()} but got {got[row].tolist()}." +
          (f" Likely cause: {cause}" if cause else " Lower-case, skip unknown words, write index word_to_index[w] "
           "in column j and move j on, stop at max_len."))

# ---------------------------------------------------------------------------- pretrained_embedding_layer


def _expected_matrix(word_to_vec_map, word_to_index) -> np.ndarray:
    n_e = len(next(iter(word_to_vec_map.values())))
    E = np.zeros((len(word_to_index) + 1, n_e), dtype=np.float32)
    for w, i in word_to_index.items():
        E[i] = word_to_vec_map[w]
    return E


def _check_embedding(name: str, layer, word_to_vec_map, word_to_index):
    """An Embedding of the vocabulary: frozen, row 0 zeros (padding), row word_to_index[w] = w's vector."""
    check_layer(name, layer, keras.layers.Embedding)
    V = len(word_to_index)
    E = _expected_matrix(word_to_vec_map, word_to_index)
    check_layer_config(name, layer, input_dim=V + 1, hint=f"The vocabulary has {V} words plus the padding index 0: "
                       "input_dim = len(word_to_index) + 1." if layer.input_dim == V else None)
    check_layer_config(name, layer, output_dim=E.shape[1], hint="output_dim is the dimension of the word vectors.")
    check_frozen(name, layer)
    weights = layer.get_weights()
    if len(weights) != 1:
        _fail(f"{name}: expected 1 weight matrix of shape {E.shape} but got {len(weights)}. Likely cause: the layer "
              "was not built; call embedding_layer.build((None,)) before embedding_layer.set_weights([emb_matrix]).")
    got = np.asarray(weights[0])
    check_shape(f"{name}: weights", got, E.shape)
    if np.allclose(got, E, atol=1e-6):
        return
    if np.abs(got[0]).max() > 0 and np.allclose(got[1:], E[1:], atol=1e-6):
        cause = "row 0 is the padding row and must stay all zeros."
    elif np.allclose(got[:-1], E[1:], atol=1e-6):
        cause = "the rows are shifted by one: the vector of w goes in row word_to_index[w], not word_to_index[w] - 1."
    elif not np.allclose(got[0], 0):
        cause = "the weights look random: the embedding matrix was not given to the layer (set_weights)."
    else:
        cause = "row word_to_index[w] must hold the vector of w, for every word w of word_to_index."
    row = int(np.flatnonzero(~np.isclose(got, E, atol=1e-6).all(axis=1))[0])
    _fail(f"{name}: expected row {row} of the weights to be {np.round(E[row].astype(float), 3).tolist()} but got "
          f"{np.round(got[row].astype(float), 3).tolist()}. Likely cause: {cause}")


def check_pretrained_embedding_layer(pretrained_embedding_layer, seed=None):
    """A frozen Embedding with input_dim = vocabulary + 1, row 0 = padding zeros, row index = the word's vector;
    for a plain dict map and for a GloVe map."""
    name = "pretrained_embedding_layer"
    for word_to_vec_map, word_to_index, kind in [(*toy_vocabulary(seed), "dict"),
                                                 (*_toy_glove(None if seed is None else seed + 100), "GloVe")]:
        label = f"{name}(a {kind} map of {len(word_to_index)} words, word_to_index)"
        layer = build(pretrained_embedding_layer, word_to_vec_map, word_to_index, name=label)
        _check_embedding(label, layer, word_to_vec_map, word_to_index)
        # Behaviour: looking up two words and a padding index gives their vectors and zeros.
        w1, w2 = sorted(word_to_index)[:2]
        x = np.array([[word_to_index[w1], word_to_index[w2], 0]], dtype=np.int32)
        out = predict(layer, x)
        expected = np.stack([word_to_vec_map[w1], word_to_vec_map[w2], np.zeros(len(word_to_vec_map[w1]))])[None]
        check_close(f"{label}: output on [[index of {w1!r}, index of {w2!r}, 0]]", out, expected, rtol=1e-5,
                    atol=1e-6)
    passed(name)

# ---------------------------------------------------------------------------- Emojify_V2


V2_LAYERS = [keras.layers.Embedding, keras.layers.LSTM, keras.layers.Dropout, keras.layers.LSTM,
             keras.layers.Dropout, keras.layers.Dense, keras.layers.Activation]


def lstm_params(n_in: int, units: int) -> int:
    """Parameters of a Keras LSTM: four gates, each with input and recurrent weights and a bias."""
    return 4 * (units * (n_in + units) + units)


def check_Emojify_V2(Emojify_V2, seed=None):
    """Emojify_V2(input_shape, word_to_vec_map, word_to_index): Input(int32) -> frozen pretrained Embedding ->
    LSTM(128, return_sequences) -> Dropout(0.5) -> LSTM(128) -> Dropout(0.5) -> Dense(5) -> softmax."""
    name = "Emojify_V2"
    word_to_vec_map, word_to_index = toy_vocabulary(seed)
    max_len = 6 if seed is None else int(np.random.default_rng(seed).integers(3, 11))
    V, n_e = len(word_to_index), len(next(iter(word_to_vec_map.values())))
    model = build(Emojify_V2, (max_len,), word_to_vec_map, word_to_index, name=name)
    check_keras_model(name, model)
    check_input(name, model, (None, max_len), dtype="int32")
    check_layer_sequence(name, model, V2_LAYERS)
    emb, lstm1, drop1, lstm2, drop2, dense, act = [layer for layer in model.layers
                                                  if not isinstance(layer, keras.layers.InputLayer)]
    _check_embedding(f"{name}: the Embedding layer", emb, word_to_vec_map, word_to_index)
    for i, (lstm, seq) in enumerate([(lstm1, True), (lstm2, False)], start=1):
        check_layer_config(f"{name}: LSTM {i}", lstm, units=LSTM_UNITS)
        check_return_sequences(f"{name}: LSTM {i}", lstm, seq)
    for i, drop in enumerate([drop1, drop2], start=1):
        check_layer_config(f"{name}: Dropout {i}", drop, rate=0.5, hint="Use Dropout(0.5): rate is the fraction "
                           "of values dropped during training.")
    check_layer_config(f"{name}: Dense", dense, units=N_CLASSES, hint=f"One output per class: Dense({N_CLASSES}).")
    check_activation(f"{name}: Dense", dense, "linear")
    check_activation(f"{name}: Activation", act, "softmax")
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
    passed(name)

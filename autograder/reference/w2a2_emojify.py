"""Reference for w2a2 (Emojify): the graded functions, and the cases behind the checks in
:mod:`week2.emojify_checks` (expected values, and the values classic mistakes produce, to name them)."""
from __future__ import annotations

import numpy as np

import keras
from week2 import emojify_checks as checks
from week2.emojify import N_CLASSES, convert_to_one_hot, softmax
from week2.glove import word_matrix

CHECKS = "week2.emojify_checks"

# ------------------------------------------------------------------ the graded functions


def _avg(sentence, word_to_vec_map, lower=True, count_unknown=False, divide=True) -> np.ndarray:
    """The average of the known words' vectors; the flags switch on classic mistakes."""
    n_e = len(next(iter(word_to_vec_map.values())))
    words = (sentence.lower() if lower else sentence).split()
    known = [np.asarray(word_to_vec_map[w], dtype=np.float64) for w in words if w in word_to_vec_map]
    if not known:
        return np.zeros(n_e)
    total = np.sum(known, axis=0)
    return total / (len(words) if count_unknown else len(known)) if divide else total


def sentence_to_avg(sentence, word_to_vec_map):
    return _avg(sentence, word_to_vec_map)


def _sgd(X, Y, word_to_vec_map, learning_rate, num_iterations, mistake=None):
    """Softmax regression on the sentence averages, per-example SGD, as the notebook asks.

    mistake: None, "accumulate" (dW, db summed over the epoch while updating at every example), "accumulate_all"
    (the same, never reset), "no_bias" (b never updated), "sign" (dz = Y - a).
    """
    np.random.seed(1)
    m, n_y = Y.shape[0], N_CLASSES
    n_h = len(next(iter(word_to_vec_map.values())))
    W = np.random.randn(n_y, n_h) / np.sqrt(n_h)
    b = np.zeros((n_y,))
    Y_oh = convert_to_one_hot(Y, C=n_y)
    avgs = np.array([_avg(s, word_to_vec_map) for s in X])  # (m, n_h)
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


def model(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
    return _sgd(X, Y, word_to_vec_map, learning_rate, num_iterations)


def _indices(X, word_to_index, max_len, lower=True, unknown="skip", pad="post") -> np.ndarray:
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


def sentences_to_indices(X, word_to_index, max_len):
    return _indices(X, word_to_index, max_len)


def _embedding_matrix(word_to_vec_map, word_to_index) -> np.ndarray:
    """Row 0 zeros (padding), row word_to_index[w] = the vector of w; float32."""
    words, E = word_matrix(word_to_vec_map)
    matrix = np.zeros((len(word_to_index) + 1, E.shape[1]), dtype=np.float32)
    matrix[[word_to_index[w] for w in words]] = E
    return matrix


def pretrained_embedding_layer(word_to_vec_map, word_to_index):
    matrix = _embedding_matrix(word_to_vec_map, word_to_index)
    layer = keras.layers.Embedding(matrix.shape[0], matrix.shape[1], embeddings_initializer="zeros", trainable=False)
    layer.build((None,))
    layer.set_weights([matrix])
    return layer


def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
    L = keras.layers
    sentence_indices = keras.Input(shape=input_shape, dtype="int32")
    X = pretrained_embedding_layer(word_to_vec_map, word_to_index)(sentence_indices)
    X = L.Dropout(0.5)(L.LSTM(128, return_sequences=True)(X))
    X = L.Dropout(0.5)(L.LSTM(128)(X))
    X = L.Activation("softmax")(L.Dense(N_CLASSES)(X))
    return keras.Model(inputs=sentence_indices, outputs=X)


GRADED = {f.__name__: f for f in (sentence_to_avg, model, sentences_to_indices, pretrained_embedding_layer,
                                  Emojify_V2)}

# ------------------------------------------------------------------ cases


AVG_MISTAKES = {
    "the words were not lower-cased: GloVe's words are lower-case, so 'I' or 'LOVE' were skipped.": dict(lower=False),
    "the sum was divided by the number of all words, unknown ones included; divide by the number of known words.":
        dict(count_unknown=True),
    "the sum of the vectors was returned; divide it by the number of known words.": dict(divide=False),
}

MODEL_MISTAKES = {
    "accumulate": "the gradients were added up over the epoch (dW += ..., db += ...) while W and b were also "
                  "updated at every example, so each update repeats all the earlier ones. Per-example SGD uses "
                  "this example's gradient only (step 2 of section 2.2).",
    "accumulate_all": "the gradients were added up across examples and epochs (dW += ..., db += ...) while W and "
                      "b were updated at every example. Use this example's gradient only (step 2 of section 2.2).",
    "no_bias": "b was never updated: update it with db and the learning rate, like W (step 3 of section 2.2).",
    "sign": "dz has the wrong sign (Y_oh[i] - a): with it, the updates climb the cost instead of descending; see "
            "step 2 of section 2.2 for the gradient of this example's cost.",
}

INDICES_MISTAKES = {
    "unknown words were written as 0 in their place, which leaves holes inside the sentence and takes a place of "
    "max_len; skip them instead (the next known word takes the next column).": dict(unknown="zero"),
    "the padding is at the start (pre-padding); put the word indices first and the zeros after them.":
        dict(pad="pre"),
    "the words were not lower-cased, so capitalised words ('I', 'VERY') were skipped as unknown.": dict(lower=False),
}


def sentence_to_avg_case(seed):
    return [{"avg": _avg(sentence, vectors),
             "mistakes": {cause: _avg(sentence, vectors, **flags) for cause, flags in AVG_MISTAKES.items()}}
            for sentence, vectors in checks.sentence_to_avg_inputs(seed)]


def model_case(seed):
    X, Y, word_to_vec_map, lr, iters = checks.model_inputs(seed)
    pred, W, b = _sgd(X, Y, word_to_vec_map, lr, iters)
    mistakes = {}
    for mistake, cause in MODEL_MISTAKES.items():
        _, W_wrong, b_wrong = _sgd(X, Y, word_to_vec_map, lr, iters, mistake=mistake)
        mistakes[cause] = {"W": W_wrong, "b": b_wrong}
    return {"pred": pred, "W": W, "b": b, "mistakes": mistakes,
            "W_default": _sgd(X, Y, word_to_vec_map, 0.01, 400)[1]}


def sentences_to_indices_case(seed):
    X, word_to_index, max_len = checks.sentences_to_indices_inputs(seed)
    return {"indices": _indices(X, word_to_index, max_len),
            "mistakes": {cause: _indices(X, word_to_index, max_len, **flags)
                         for cause, flags in INDICES_MISTAKES.items()},
            "unknown_in_place": _indices(X, word_to_index, max_len, unknown="keep")}


def pretrained_embedding_layer_case(seed):
    cases = []
    for word_to_vec_map, word_to_index, _ in checks.embedding_inputs(seed):
        matrix = _embedding_matrix(word_to_vec_map, word_to_index)
        rows = [word_to_index[w] for w in checks.lookup_words(word_to_index)] + [0]
        cases.append({"matrix": matrix, "lookup": matrix[rows][None]})  # (1, 3, n_e)
    return cases


def Emojify_V2_case(seed):
    word_to_vec_map, word_to_index, _ = checks.emojify_v2_inputs(seed)
    return {"embedding": _embedding_matrix(word_to_vec_map, word_to_index)}


CASES = {name: globals()[f"{name}_case"] for name in GRADED}

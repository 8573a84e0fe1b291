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


def _sgd(X, Y, word_to_vec_map, learning_rate, num_iterations, mistake=None, cost_mistake=None):
    """Softmax regression on the sentence averages, per-example SGD, as the notebook asks: (pred, W, b, costs),
    costs {epoch: the mean cost the cell prints} for every 100th epoch.

    mistake: None, "accumulate" (dW, db summed over the epoch while updating at every example), "accumulate_all"
    (the same, never reset), "no_bias" (b never updated), "sign" (dz = Y - a), "no_lr" (no learning rate).
    cost_mistake: None, "not_added" (cost stays 0), "no_minus" (+sum Y log a), "last_only" (cost = ...).
    """
    np.random.seed(1)
    m, n_y = Y.shape[0], N_CLASSES
    n_h = len(next(iter(word_to_vec_map.values())))
    W = np.random.randn(n_y, n_h) / np.sqrt(n_h)
    b = np.zeros((n_y,))
    Y_oh = convert_to_one_hot(Y, C=n_y)
    avgs = np.array([_avg(s, word_to_vec_map) for s in X])  # (m, n_h)
    dW_sum, db_sum = 0.0, 0.0
    costs = {}
    for t in range(num_iterations):
        if mistake == "accumulate":
            dW_sum, db_sum = 0.0, 0.0
        cost = 0.0
        for i in range(m):
            a = softmax(W @ avgs[i] + b)                    # (n_y,)
            loss = -np.sum(Y_oh[i] * np.log(a))
            cost = {"not_added": cost, "no_minus": cost - loss, "last_only": loss}.get(cost_mistake, cost + loss)
            dz = (Y_oh[i] - a) if mistake == "sign" else (a - Y_oh[i])
            dW, db = np.outer(dz, avgs[i]), dz              # (n_y, n_h), (n_y,)
            if mistake in ("accumulate", "accumulate_all"):
                dW_sum, db_sum = dW_sum + dW, db_sum + db
                dW, db = dW_sum, db_sum
            step = 1.0 if mistake == "no_lr" else learning_rate
            W = W - step * dW
            if mistake != "no_bias":
                b = b - step * db
        if t % 100 == 0:
            costs[t] = cost / m
    pred = np.argmax(avgs @ W.T + b, axis=1).reshape(m, 1)
    return pred, W, b, costs


def model(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
    pred, W, b, costs = _sgd(X, Y, word_to_vec_map, learning_rate, num_iterations)
    for t, cost in costs.items():  # what the cell prints
        print(f"epoch {t:3d}: mean cost {cost:.4f}")
    return pred, W, b


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


def _emojify_v2(input_shape, word_to_vec_map, word_to_index, mask_zero=False, mistake=None):
    """Emojify_V2, with the padding masked or not, or one classic mistake (see checks.EMOJIFY_V2_MISTAKES)."""
    L = keras.layers
    sentence_indices = keras.Input(shape=input_shape, dtype="int32")
    embedding = pretrained_embedding_layer(word_to_vec_map, word_to_index)
    if mask_zero:
        matrix = embedding.get_weights()[0]
        embedding = L.Embedding(*matrix.shape, mask_zero=True, trainable=False)
        embedding.build((None,))
        embedding.set_weights([matrix])
    back1, back2 = {"backwards_1": (True, False), "backwards_2": (False, True),
                    "backwards_both": (True, True)}.get(mistake, (False, False))
    X = embedding(sentence_indices)
    X = L.Dropout(0.5)(L.LSTM(128, return_sequences=True, go_backwards=back1)(X))
    X = L.Dropout(0.5)(L.LSTM(128, go_backwards=back2)(X))
    X = L.Activation("softmax")(L.Dense(N_CLASSES)(X))
    return keras.Model(inputs=sentence_indices, outputs=X)


def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
    return _emojify_v2(input_shape, word_to_vec_map, word_to_index)


GRADED = {f.__name__: f for f in (sentence_to_avg, model, sentences_to_indices, pretrained_embedding_layer,
                                  Emojify_V2)}


# The stand-ins each graded function may call while it is tested, and how often in one call (a number, or a function
# of its arguments, with the notebook's signature): model averages each sentence once per epoch and once more for
# its predictions (or once in all); Emojify_V2 builds one embedding layer. Every other graded function it calls is
# the notebook's own (see autograder.remote).

def _sentence_epochs(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
    return len(X) * (num_iterations + 1)


STAND_INS = {"sentence_to_avg": {}, "model": {"sentence_to_avg": _sentence_epochs}, "sentences_to_indices": {},
             "pretrained_embedding_layer": {}, "Emojify_V2": {"pretrained_embedding_layer": 1}}

# ------------------------------------------------------------------ cases


AVG_MISTAKES = {
    "the words were not lower-cased: GloVe's words are lower-case, so 'I' or 'LOVE' were skipped.": dict(lower=False),
    "the sum was divided by the number of all words, unknown ones included; divide by the number of known words.":
        dict(count_unknown=True),
    "the sum of the vectors was returned; divide it by the number of known words.": dict(divide=False),
}

MODEL_MISTAKES = {
    "accumulate": "the gradients were added up over the epoch (dW += ..., db += ...) while W and b were also "
                  "updated at every example, so each update repeats all the earlier ones; per-example SGD uses "
                  "this example's gradient only (step 2 of section 2.2).",
    "accumulate_all": "the gradients were added up across examples and epochs (dW += ..., db += ...) while W and "
                      "b were updated at every example; use this example's gradient only (step 2 of section 2.2).",
    "no_bias": "b was never updated: update it with db and the learning rate, like W (step 3 of section 2.2).",
    "sign": "dz has the wrong sign (Y_oh[i] - a): with it, the updates climb the cost instead of descending; see "
            "step 2 of section 2.2 for the gradient of this example's cost.",
    "no_lr": "W and b were updated without the learning rate: W <- W - alpha dW, b <- b - alpha db (step 3 of "
             "section 2.2).",
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
    pred, W, b, costs = _sgd(X, Y, word_to_vec_map, lr, iters)
    mistakes = {}
    for mistake, cause in MODEL_MISTAKES.items():
        _, W_wrong, b_wrong, _ = _sgd(X, Y, word_to_vec_map, lr, iters, mistake=mistake)
        mistakes[cause] = {"W": W_wrong, "b": b_wrong}
    _, W_default, _, costs_default = _sgd(X, Y, word_to_vec_map, 0.01, 400)
    cost_mistakes = {mistake: {"costs": _sgd(X, Y, word_to_vec_map, lr, iters, cost_mistake=mistake)[3],
                               "costs_default": _sgd(X, Y, word_to_vec_map, 0.01, 400, cost_mistake=mistake)[3]}
                     for mistake in checks.COST_MISTAKES}
    return {"pred": pred, "W": W, "b": b, "mistakes": mistakes, "costs": costs, "W_default": W_default,
            "costs_default": costs_default, "cost_mistakes": cost_mistakes}


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


def _emojify_v2_outputs(seed, masked=True, **variant) -> dict:
    """The outputs of the reference model (or a variant) on the check's batch, with the check's fixed weights;
    with the padding not masked and (``masked``) masked."""
    word_to_vec_map, word_to_index, max_len = checks.emojify_v2_inputs(seed)
    x = checks.emojify_v2_batch(word_to_index, max_len, seed)
    outputs = {}
    for key, mask_zero in (("outputs", False), ("outputs_masked", True))[:2 if masked else 1]:
        model = _emojify_v2((max_len,), word_to_vec_map, word_to_index, mask_zero=mask_zero, **variant)
        checks.set_lstm_dense_weights(model, seed)
        outputs[key] = checks.predict(model, x).astype(np.float64)
    return outputs


def Emojify_V2_case(seed):
    word_to_vec_map, word_to_index, _ = checks.emojify_v2_inputs(seed)
    return {"embedding": _embedding_matrix(word_to_vec_map, word_to_index), **_emojify_v2_outputs(seed),
            "mistakes": {cause: _emojify_v2_outputs(seed, masked=False, mistake=mistake)
                         for mistake, cause in checks.EMOJIFY_V2_MISTAKES.items()}}


CASES = {name: globals()[f"{name}_case"] for name in GRADED}

# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "sentence_to_avg": [
        ("the sentence not lower-cased", "words = sentence.lower().split()", "words = sentence.split()",
         "the words were not lower-cased"),
        ("divided by the number of all words", "avg = avg / count", "avg = avg / len(words)",
         "divided by the number of all words"),
        ("the sum returned", "    if count > 0:\n        avg = avg / count\n", "",
         "the sum of the vectors was returned"),
        ("0/0 when no word is known", "    if count > 0:\n        avg = avg / count\n", "    avg = avg / count\n",
         "no word of this sentence is known"),
        ("unknown words looked up",
         "        if w in word_to_vec_map:\n            avg += word_to_vec_map[w]\n            count += 1\n",
         "        avg += word_to_vec_map[w]\n        count += 1\n", "skip the words that are not in"),
    ],
    "model": [
        ("dz with the wrong sign", "dz = a - Y_oh[i]", "dz = Y_oh[i] - a", "dz has the wrong sign"),
        ("b never updated", "            b = b - learning_rate * db\n", "", "b was never updated"),
        ("gradients added up over the epoch",
         "            dW = np.outer(dz, avgs[i])                         # (n_y, n_h)\n"
         "            db = dz                                            # (n_y,)\n",
         "            dW = np.outer(dz, avgs[i]) + (dW if i > 0 else 0)\n"
         "            db = dz + (db if i > 0 else 0)\n", "the gradients were added up over the epoch"),
        ("no learning rate", "            W = W - learning_rate * dW\n            b = b - learning_rate * db\n",
         "            W = W - dW\n            b = b - db\n", "updated without the learning rate"),
        ("the cost without its minus sign", "cost += -np.sum(Y_oh[i] * np.log(a))",
         "cost += np.sum(Y_oh[i] * np.log(a))", "the minus sign of the cross-entropy is missing"),
        ("the cost overwritten", "cost += -np.sum(Y_oh[i] * np.log(a))", "cost = -np.sum(Y_oh[i] * np.log(a))",
         "cost was overwritten"),
    ],
    "sentences_to_indices": [
        ("the sentence not lower-cased", "X[i].lower().split()", "X[i].split()", "the words were not lower-cased"),
        ("an unknown word leaves a 0 in its place",
         "                continue                                       # unknown: skip it, leave no hole\n",
         "                j += 1\n                continue\n", "unknown words were written as 0 in their place"),
        ("no truncation at max_len",
         "            if j == max_len:\n                break                                          # the row is "
         "full: truncate\n", "", "stop after max_len words"),
        ("the column never advances", "            j += 1\n", "", "write the index of each known word in the next "
         "free column"),
    ],
    "pretrained_embedding_layer": [
        ("no row for the padding index", "vocab_size = len(word_to_index) + 1", "vocab_size = len(word_to_index)",
         "vocab_size is the number of words + 1"),
        ("the layer left trainable", "trainable=False", "trainable=True", "create the layer with trainable=False"),
        ("the weights never set", "    embedding_layer.set_weights([emb_matrix])\n", "",
         "the embedding matrix was not given to the layer"),
        ("the layer not built", "    embedding_layer.build((None,))\n", "", "call build((None,)) before"),
        ("the rows shifted by one", "emb_matrix[rows] = E", "emb_matrix[rows - 1] = E",
         "the rows are shifted by one"),
        ("a padding row of ones", "np.zeros((vocab_size, emb_dim), dtype=np.float32)",
         "np.ones((vocab_size, emb_dim), dtype=np.float32)", "row 0 is the padding row"),
    ],
    "Emojify_V2": [
        ("the first LSTM reading backwards", "LSTM(128, return_sequences=True)",
         "LSTM(128, return_sequences=True, go_backwards=True)", "the first LSTM reads the sentence backwards"),
        ("the second LSTM reading backwards", "X = LSTM(128)(X)", "X = LSTM(128, go_backwards=True)(X)",
         "the second LSTM reads the sequence backwards"),
        ("the first LSTM returning only its last output", "LSTM(128, return_sequences=True)", "LSTM(128)",
         "needs return_sequences=True"),
        ("no softmax", "    X = Activation(\"softmax\")(X)\n", "", "the final softmax is missing"),
        ("a dropout rate of 0.2", "    X = LSTM(128)(X)                                           # (batch, 128)\n"
         "    X = Dropout(0.5)(X)\n", "    X = LSTM(128)(X)\n    X = Dropout(0.2)(X)\n", "Use Dropout(0.5)"),
        ("64 units", "LSTM(128, return_sequences=True)", "LSTM(64, return_sequences=True)", "units"),
    ],
}


def _probe_vocabulary(rng, n_words: int, n_e: int) -> tuple[dict, dict]:
    """A word_to_vec_map and a 1-based word_to_index (in a shuffled order) over ``n_words`` words of the pool."""
    pool = checks._POOL
    words = [pool[i] for i in sorted(rng.choice(len(pool), size=n_words, replace=False))]
    vectors = rng.standard_normal((n_words, n_e))
    indices = rng.permutation(n_words) + 1
    return ({w: vectors[i] for i, w in enumerate(words)}, {w: int(indices[i]) for i, w in enumerate(words)})


def _probe_sentences(rng, word_to_index, n: int, max_words: int = 9) -> list[str]:
    return checks._sentences(word_to_index, rng, n, min_words=1, max_words=max_words)


def _probe_sentence_to_avg(rng) -> list[tuple]:
    calls = []
    for n_words, n_e in ((5, 1), (12, 3), (25, 7), (40, 50)):
        vectors, index = _probe_vocabulary(rng, n_words, n_e)
        calls += [(s, vectors) for s in _probe_sentences(rng, index, 4)]
        word = sorted(vectors)[0]
        calls += [(word, vectors), (word.upper(), vectors),                      # one word, any case
                  (f"{word}  {word}\t{word}", vectors),                         # repeated, other whitespace
                  ("xylophone zebra", vectors), ("", vectors)]                  # none known: zeros
    return calls


def _probe_model(rng) -> list[tuple]:
    calls = []
    for m, n_words, n_e, lr, iters in ((5, 8, 2, 0.5, 1), (8, 12, 3, 0.1, 3), (10, 20, 4, 0.5, 2),
                                       (12, 25, 6, 0.05, 5), (6, 10, 3, 1.0, 101), (15, 30, 5, 0.01, 4),
                                       (7, 15, 1, 0.2, 2)):
        vectors, index = _probe_vocabulary(rng, n_words, n_e)
        for _ in range(3):
            X = np.array(_probe_sentences(rng, index, m, max_words=6))
            Y = rng.integers(0, N_CLASSES, m)
            calls.append((X, Y, vectors, lr, iters))
    vectors, index = _probe_vocabulary(rng, 10, 3)
    X = np.array(_probe_sentences(rng, index, 5, max_words=4) + ["qwerty"])    # a sentence with no known word
    calls.append((X, rng.permutation(np.arange(6) % N_CLASSES), vectors, 0.3, 3))
    return calls


def _probe_sentences_to_indices(rng) -> list[tuple]:
    calls = []
    for n_words, max_len in ((5, 1), (12, 2), (20, 4), (30, 6), (40, 10)):
        _, index = _probe_vocabulary(rng, n_words, 2)
        for m in (1, 3, 7):
            calls.append((np.array(_probe_sentences(rng, index, m, max_words=max_len + 4)), index, max_len))
        words = sorted(index)
        calls.append((np.array([" ".join(words[:max_len]), " ".join(words[:max_len + 1]), "zebra quantum",
                                f"{words[0].upper()} zebra {words[-1]}", ""]), index, max_len))  # boundaries
    return calls


def _probe_pretrained_embedding_layer(rng) -> list[tuple]:
    calls = []
    for n_words, n_e in ((1, 1), (2, 5), (3, 2), (7, 1), (12, 3), (20, 4), (30, 7), (40, 50)):
        calls.append(_probe_vocabulary(rng, n_words, n_e))
        vectors, index = _probe_vocabulary(rng, n_words, n_e)
        calls.append(({w: vectors[w] for w in sorted(vectors, key=index.get)}, index))  # the map in index order
    for seed in (None, 1, 2, 3):
        glove, index = checks.toy_glove(seed)
        calls.append(({w: glove[w] for w in glove}, index))
    return calls


def _probe_Emojify_V2(rng) -> list[tuple]:
    calls = []
    for n_words, n_e, max_len in ((3, 2, 1), (5, 3, 2), (8, 4, 3), (12, 4, 5), (20, 4, 6), (25, 5, 8),
                                  (30, 7, 10), (40, 3, 4), (15, 6, 12), (10, 2, 7)):
        vectors, index = _probe_vocabulary(rng, n_words, n_e)
        calls.append(((max_len,), vectors, index))
        calls.append(((max_len,), *_probe_vocabulary(rng, n_words, n_e)))
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"sentence_to_avg": _probe_sentence_to_avg, "model": _probe_model,
          "sentences_to_indices": _probe_sentences_to_indices,
          "pretrained_embedding_layer": _probe_pretrained_embedding_layer, "Emojify_V2": _probe_Emojify_V2}

"""Honest and hostile submissions of every assignment, for the grading runs of tests/test_autograde.py.

``HONEST``: per assignment, other correct implementations of several graded functions, written in the styles real
students use (another float precision, loops where the solution is vectorised or the reverse, a keras.Sequential
model where the solution uses the functional API, other numpy calls, prints to stdout and stderr, warnings). Each is
appended to its function's solution cell, so that it replaces the solution's definition with the same name and
signature; a submission made of them must earn every point.

``hostile_cell``: one code cell that, put after the setup cell of the release notebook (no solution), attacks the
grading without relying on how the grader works inside: it rebinds the checks and numpy's comparisons in the kernel,
defines every graded function to return data of the right shape (or the public check's stored answer), forges what
the kernel sends back (a payload that would change the grader's Keras state, one that would allocate a huge layer)
and, where the run's per-cell limit is short enough, has one function loop forever calling another graded function.
It must earn nothing, and no other student of the same run may lose or gain anything by it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# The styles the variants cover, each at least once across the course.
STYLES = ("float64", "float32", "loops", "vectorised", "sequential", "numpy_calls", "stdout", "stderr", "warning")


@dataclass(frozen=True)
class Variant:
    grade_id: str      # the solution cell the code is appended to (and the function it redefines)
    styles: tuple      # which of STYLES it shows
    code: str


HONEST: dict[str, list[Variant]] = {
    "w1a1_rnn_step_by_step": [
        Variant("rnn_cell_forward", ("float32",), """
def rnn_cell_forward(xt, a_prev, parameters):
    # computed in single precision: rounding of about 1e-7, far below any mistake
    P = {k: np.asarray(v, dtype=np.float32) for k, v in parameters.items()}
    a_next = np.tanh(P["Wax"] @ xt.astype(np.float32) + P["Waa"] @ a_prev.astype(np.float32) + P["ba"])
    yt_pred = softmax(P["Wya"] @ a_next + P["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
"""),
        Variant("rnn_forward", ("numpy_calls",), """
def rnn_forward(x, a0, parameters):
    # the steps collected in lists, then stacked on a new last axis
    a_steps, y_steps, caches = [], [], []
    a_next = a0
    for t in range(x.shape[2]):
        a_next, yt_pred, cache = rnn_cell_forward(x[..., t], a_next, parameters)
        a_steps.append(a_next)
        y_steps.append(yt_pred)
        caches.append(cache)
    return np.stack(a_steps, axis=-1), np.stack(y_steps, axis=-1), (caches, x)
"""),
        Variant("lstm_cell_forward", ("vectorised",), """
def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    # the four gates' pre-activations in one product of the stacked weights
    n_a = a_prev.shape[0]
    W = np.vstack([parameters[k] for k in ("Wf", "Wi", "Wc", "Wo")])
    b = np.vstack([parameters[k] for k in ("bf", "bi", "bc", "bo")])
    z = W @ np.vstack([a_prev, xt]) + b
    ft, it, ot = (1 / (1 + np.exp(-z[k * n_a:(k + 1) * n_a])) for k in (0, 1, 3))
    cct = np.tanh(z[2 * n_a:3 * n_a])
    c_next = ft * c_prev + it * cct
    a_next = ot * np.tanh(c_next)
    yt_pred = softmax(parameters["Wy"] @ a_next + parameters["by"])
    return a_next, c_next, yt_pred, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
"""),
        Variant("gru_cell_forward", ("numpy_calls", "stdout", "stderr", "warning"), """
import sys, warnings

def gru_cell_forward(xt, a_prev, parameters):
    print("gru_cell_forward: xt", xt.shape, "a_prev", a_prev.shape)
    print("debug: one GRU step", file=sys.stderr)
    print("2026-01-01 00:00:00.000000: I tensorflow/core/platform/cpu_feature_guard.cc:210] a log line",
          file=sys.stderr)
    warnings.warn("gru_cell_forward: a harmless warning")
    P = parameters
    concat = np.r_[a_prev, xt]
    gu = 1 / (1 + np.exp(-(np.dot(P["Wu"], concat) + P["bu"])))
    gr = 1 / (1 + np.exp(-(np.dot(P["Wr"], concat) + P["br"])))
    cct = np.tanh(np.dot(P["Wc"], np.r_[gr * a_prev, xt]) + P["bc"])
    a_next = a_prev + gu * (cct - a_prev)
    yt_pred = softmax(np.dot(P["Wy"], a_next) + P["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, gu, gr, cct, parameters)
"""),
        Variant("rnn_cell_backward", ("loops",), """
def rnn_cell_backward(da_next, cache):
    # one example at a time
    a_next, a_prev, xt, parameters = cache
    Wax, Waa = parameters["Wax"], parameters["Waa"]
    n_a, m = da_next.shape
    dxt, da_prev = np.zeros((Wax.shape[1], m)), np.zeros((n_a, m))
    dWax, dWaa, dba = np.zeros(Wax.shape), np.zeros(Waa.shape), np.zeros((n_a, 1))
    for j in range(m):
        dz = da_next[:, j] * (1 - a_next[:, j] ** 2)
        dxt[:, j] = Wax.T.dot(dz)
        da_prev[:, j] = Waa.T.dot(dz)
        dWax += np.outer(dz, xt[:, j])
        dWaa += np.outer(dz, a_prev[:, j])
        dba[:, 0] += dz
    return {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
"""),
    ],
    "w1a2_dinosaur_island": [
        Variant("clip", ("numpy_calls",), """
def clip(gradients, maxValue):
    # new arrays from np.minimum and np.maximum: the caller's stay as they are
    return {name: np.maximum(np.minimum(gradients[name], maxValue), -maxValue)
            for name in ("dWaa", "dWax", "dWya", "db", "dby")}
"""),
        Variant("sample", ("loops", "numpy_calls", "stdout"), """
def sample(parameters, char_to_ix, seed):
    Waa, Wax, Wya, by, b = parameters["Waa"], parameters["Wax"], parameters["Wya"], parameters["by"], parameters["b"]
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    x, a = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    np.random.seed(seed)
    newline = char_to_ix["\\n"]
    indices = []
    for _ in range(50):
        a = np.tanh(np.dot(Wax, x) + np.dot(Waa, a) + b)
        y = softmax(np.dot(Wya, a) + by)
        idx = int(np.random.choice(vocab_size, p=y[:, 0]))
        indices.append(idx)
        x = np.eye(vocab_size)[:, [idx]]
        if idx == newline:
            break
    if indices[-1] != newline:
        indices.append(newline)
    print(f"sample(seed={seed}): {len(indices)} characters")
    return indices
"""),
        Variant("optimize", ("stderr", "warning"), """
import sys, warnings
_optimize_calls = [0]

def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    _optimize_calls[0] += 1
    if _optimize_calls[0] <= 3:  # the first few steps only
        print(f"debug: optimize step {_optimize_calls[0]} on {len(X)} characters", file=sys.stderr)
        warnings.warn("optimize: a harmless warning")
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(gradients, 5)
    parameters = update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]
"""),
    ],
    "w1a3_jazz_improvisation": [
        Variant("djmodel", ("numpy_calls", "stdout"), """
def djmodel(Tx, LSTM_cell, densor, reshaper):
    # each step sliced as (batch, 1, n_values) directly, instead of through the reshaper
    n_values, n_a = densor.units, LSTM_cell.units
    X = Input(shape=(Tx, n_values))
    a0 = Input(shape=(n_a,), name="a0")
    c0 = Input(shape=(n_a,), name="c0")
    a, c = a0, c0
    outputs = []
    for t in range(Tx):
        a, _, c = LSTM_cell(X[:, t:t + 1, :], initial_state=[a, c])
        outputs.append(densor(a))
    print(f"djmodel: {Tx} steps of an LSTM of {n_a} units over {n_values} values")
    return Model(inputs=[X, a0, c0], outputs=outputs)
"""),
        Variant("music_inference_model", ("numpy_calls", "stderr", "warning"), """
import sys, warnings

def music_inference_model(LSTM_cell, densor, Ty=100):
    print("debug: building the inference model", file=sys.stderr)
    warnings.warn("music_inference_model: a harmless warning")
    n_values, n_a = densor.units, LSTM_cell.units
    x0 = Input(shape=(1, n_values))
    a0 = Input(shape=(n_a,), name="a0")
    c0 = Input(shape=(n_a,), name="c0")
    x, a, c = x0, a0, c0
    outputs = []
    for t in range(Ty):
        a, _, c = LSTM_cell(x, initial_state=[a, c])
        out = densor(a)
        outputs.append(out)
        x = keras.ops.expand_dims(keras.ops.one_hot(keras.ops.argmax(out, axis=-1), n_values), axis=1)
    return Model(inputs=[x0, a0, c0], outputs=outputs)
"""),
        Variant("predict_and_sample", ("loops", "float64"), """
def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
    # one step at a time; the one-hot rows in float64
    n_values = x_initializer.shape[-1]
    pred = inference_model.predict([x_initializer, a_initializer, c_initializer], verbose=0)
    indices = np.zeros((len(pred), 1), dtype=np.int64)
    results = np.zeros((len(pred), n_values))
    for t, p in enumerate(pred):
        indices[t, 0] = int(np.argmax(p[0]))
        results[t, indices[t, 0]] = 1.0
    return results, indices
"""),
    ],
    "w2a1_word_vectors": [
        Variant("cosine_similarity", ("numpy_calls",), """
def cosine_similarity(u, v):
    norms = np.sqrt(np.sum(u ** 2)) * np.sqrt(np.sum(v ** 2))
    return 0.0 if norms == 0 else float(np.inner(u, v) / norms)
"""),
        Variant("complete_analogy", ("vectorised", "numpy_calls"), """
def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
    # the three inputs masked out with -inf, then one argmax
    word_a, word_b, word_c = (w.lower() for w in (word_a, word_b, word_c))
    for word in (word_a, word_b, word_c):
        if word not in word_to_vec_map:
            raise KeyError(f"{word} is not a known word")
    words, E = word_matrix(word_to_vec_map)
    target = word_to_vec_map[word_b] - word_to_vec_map[word_a]
    offsets = E - word_to_vec_map[word_c]
    norms = np.linalg.norm(offsets, axis=1) * np.linalg.norm(target)
    cosines = np.divide(offsets @ target, norms, out=np.zeros(len(words)), where=norms != 0)
    cosines[np.isin(np.asarray(words, dtype=object), [word_a, word_b, word_c])] = -np.inf
    if len(words) == 0 or np.all(np.isneginf(cosines)):
        return None
    return words[int(np.argmax(cosines))]
"""),
        Variant("neutralize", ("float32", "stdout"), """
def neutralize(word, g, word_to_vec_map):
    # the projection computed in float32
    e = np.asarray(word_to_vec_map[word], dtype=np.float32)
    g32 = np.asarray(g, dtype=np.float32)
    print(f"neutralize({word!r})")
    return e - (e @ g32) / (g32 @ g32) * g32
"""),
        Variant("equalize", ("stderr", "warning"), """
import sys, warnings

def equalize(pair, bias_axis, word_to_vec_map):
    print(f"debug: equalize{tuple(pair)}", file=sys.stderr)
    warnings.warn("equalize: a harmless warning")
    unit = lambda v: v / np.linalg.norm(v)
    project = lambda v: (v @ bias_axis) / (bias_axis @ bias_axis) * bias_axis
    e_w1, e_w2 = (unit(np.asarray(word_to_vec_map[w], dtype=np.float64)) for w in pair)
    mu = (e_w1 + e_w2) / 2
    mu_B = project(mu)
    mu_orth = mu - mu_B
    scale = np.sqrt(abs(1 - mu_orth @ mu_orth))
    e1 = scale * unit(project(e_w1) - mu_B) + mu_orth
    e2 = scale * unit(project(e_w2) - mu_B) + mu_orth
    return e1, e2
"""),
    ],
    "w3a3_ctc": [
        Variant("extend_with_blanks", ("loops",), """
def extend_with_blanks(labels, blank=0):
    # built state by state, in lists
    extended, skip_allowed = [blank], [False]
    for k in labels:
        skip_allowed += [len(extended) >= 3 and int(k) != extended[-2], False]
        extended += [int(k), blank]
    return np.array(extended), np.array(skip_allowed)
"""),
        Variant("ctc_forward", ("loops", "stderr", "warning"), """
import sys, warnings

def ctc_forward(log_probs, labels, blank=0):
    # a loop over the states, log(0) as -1e30, a message on stderr and a warning
    print(f"debug: ctc_forward on {len(log_probs)} frames", file=sys.stderr)
    warnings.warn("ctc_forward: a harmless warning")
    extended, skip = extend_with_blanks(labels, blank)
    T, S = len(log_probs), len(extended)
    a = np.full((T, S), -1e30)
    a[0, 0] = log_probs[0][extended[0]]
    if S > 1:
        a[0, 1] = log_probs[0][extended[1]]
    def lse(values):
        top = max(values)
        return top if top <= -1e29 else top + np.log(sum(np.exp(v - top) for v in values))
    for t in range(1, T):
        for s in range(S):
            ways = [a[t - 1, s]] + ([a[t - 1, s - 1]] if s else []) + ([a[t - 1, s - 2]] if skip[s] else [])
            a[t, s] = max(lse(ways) + log_probs[t][extended[s]], -1e30)
    end = lse([a[-1, -1]] + ([a[-1, -2]] if S > 1 else []))
    return a, (float("inf") if end <= -1e29 else float(-end))
"""),
        Variant("ctc_gradient", ("vectorised", "float32"), """
def ctc_gradient(log_probs, labels, blank=0):
    # the posteriors of every state added to their classes with np.add.at, in single precision
    extended, _ = extend_with_blanks(labels, blank)
    log_alpha, loss = ctc_forward(log_probs, labels, blank)
    if not np.isfinite(loss):
        return np.full(np.shape(log_probs), np.nan)
    log_beta = ctc_backward(log_probs, labels, blank)
    lp = np.asarray(log_probs, dtype=np.float32)
    share = np.exp((log_alpha + log_beta + loss).astype(np.float32) - lp[:, extended])
    posterior = np.zeros(lp.shape, dtype=np.float32)
    np.add.at(posterior.T, extended, share.T)
    return np.exp(lp) - posterior
"""),
        Variant("collapse", ("numpy_calls",), """
def collapse(path, blank=0):
    # the runs' first classes, then the blanks dropped, with numpy
    path = np.asarray(path, dtype=np.int64).reshape(-1)
    if path.size == 0:
        return []
    starts = np.concatenate([[True], path[1:] != path[:-1]])
    runs = path[starts]
    return runs[runs != blank].tolist()
"""),
        Variant("prefix_beam_search", ("stdout", "float64"), """
def prefix_beam_search(log_probs, beam_width, blank=0):
    # two dicts of masses, prints its progress
    p_b, p_nb = {(): 0.0}, {(): -np.inf}
    for t, row in enumerate(np.asarray(log_probs, dtype=np.float64)):
        next_b, next_nb = {}, {}
        def add(table, prefix, value):
            table[prefix] = np.logaddexp(table.get(prefix, -np.inf), value)
        for prefix in p_b:
            total = np.logaddexp(p_b[prefix], p_nb[prefix])
            add(next_b, prefix, total + row[blank]); add(next_nb, prefix, -np.inf)
            for k, value in enumerate(row):
                if k == blank:
                    continue
                if prefix and prefix[-1] == k:
                    add(next_nb, prefix, p_nb[prefix] + value); add(next_b, prefix, -np.inf)
                    add(next_nb, prefix + (k,), p_b[prefix] + value); add(next_b, prefix + (k,), -np.inf)
                else:
                    add(next_nb, prefix + (k,), total + value); add(next_b, prefix + (k,), -np.inf)
        ranked = sorted(next_b, key=lambda q: -np.logaddexp(next_b[q], next_nb[q]))[:beam_width]
        p_b, p_nb = {q: next_b[q] for q in ranked}, {q: next_nb[q] for q in ranked}
    print(f"beam search: {len(p_b)} prefixes kept")
    best = max(p_b, key=lambda q: np.logaddexp(p_b[q], p_nb[q]))
    return best, float(np.logaddexp(p_b[best], p_nb[best]))
"""),
        Variant("edit_distance", ("loops",), """
def edit_distance(a, b):
    # two rows of the table only
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[-1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]
"""),
        Variant("build_recognizer", ("sequential",), """
def build_recognizer(input_shape, n_classes):
    # a keras.Sequential model with a ReLU layer
    return keras.Sequential([keras.Input(shape=input_shape),
                             Conv1D(128, kernel_size=11, strides=2, padding="same"), BatchNormalization(),
                             keras.layers.ReLU(), Dropout(0.2),
                             Bidirectional(GRU(128, return_sequences=True)),
                             Bidirectional(GRU(128, return_sequences=True)), Dense(n_classes)])
"""),
    ],
    "w2a3_word2vec": [
        Variant("build_vocabulary", ("loops",), """
from collections import Counter

def build_vocabulary(tokens, min_count=1):
    # a Counter, then one sort by (-count, word)
    counted = Counter(tokens)
    index_to_word = sorted((w for w in counted if counted[w] >= min_count), key=lambda w: (-counted[w], w))
    word_to_index = {w: i for i, w in enumerate(index_to_word)}
    return word_to_index, index_to_word, np.array([counted[w] for w in index_to_word], dtype=np.int64)
"""),
        Variant("noise_distribution", ("float32",), """
def noise_distribution(counts, power=0.75):
    # computed in single precision
    weights = np.power(np.asarray(counts, dtype=np.float32), np.float32(power))
    return weights / weights.sum()
"""),
        Variant("sample_negatives", ("numpy_calls",), """
def sample_negatives(noise, k, exclude, rng=None):
    # the noise renormalised without the positive word, then rng.choice (the same distribution as redrawing)
    rng = np.random.default_rng() if rng is None else rng
    noise = np.asarray(noise, dtype=np.float64)
    if np.ndim(exclude) == 0:
        p = noise.copy()
        p[exclude] = 0.0
        return rng.choice(len(p), size=k, p=p / p.sum())
    return np.stack([sample_negatives(noise, k, int(e), rng) for e in exclude])
"""),
        Variant("naive_softmax_loss_and_gradient", ("float32", "stdout"), """
def naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors):
    # in single precision, with a print
    U = np.asarray(outside_vectors, dtype=np.float32)
    v = np.asarray(center_vec, dtype=np.float32)
    scores = U @ v
    y_hat = np.exp(scores - scores.max())
    y_hat /= y_hat.sum()
    print("softmax over", len(y_hat), "words")
    delta = y_hat.copy()
    delta[outside_index] -= 1
    return float(-np.log(y_hat[outside_index])), U.T @ delta, np.outer(delta, v)
"""),
        Variant("neg_sampling_loss_and_gradient", ("loops", "stderr", "warning"), """
import sys, warnings

def neg_sampling_loss_and_gradient(center_vec, outside_index, outside_vectors, negative_indices):
    # one negative at a time
    print("debug: negative sampling", file=sys.stderr)
    warnings.warn("neg_sampling_loss_and_gradient: a harmless warning")
    sig = lambda x: 1 / (1 + np.exp(-x))
    u_o = outside_vectors[outside_index]
    s = sig(u_o @ center_vec)
    loss = -np.log(s)
    grad_center = (s - 1) * u_o
    grad_outside = np.zeros(outside_vectors.shape)
    grad_outside[outside_index] += (s - 1) * center_vec
    for k in negative_indices:
        s_k = sig(outside_vectors[k] @ center_vec)
        loss -= np.log(1 - s_k)
        grad_center = grad_center + s_k * outside_vectors[k]
        grad_outside[k] += s_k * center_vec
    return float(loss), grad_center, grad_outside
"""),
        Variant("cbow", ("vectorised",), """
def cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
         loss_fn=naive_softmax_loss_and_gradient):
    # the context rows counted with bincount
    indices = np.array([word_to_index[w] for w in outside_words], dtype=int)
    loss, g_hat, grad_outside = loss_fn(center_vectors[indices].sum(axis=0), word_to_index[center_word],
                                        outside_vectors)
    times = np.bincount(indices, minlength=center_vectors.shape[0])
    return loss, times[:, None] * g_hat[None, :], grad_outside
"""),
        Variant("sgns_step", ("vectorised", "numpy_calls"), """
def sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate):
    # the context and its negatives as one (B, K + 1) block with labels 1, 0, ..., 0; rows summed with bincount
    rows = np.concatenate([np.asarray(contexts)[:, None], np.asarray(negatives)], axis=1)
    labels = np.zeros(rows.shape)
    labels[:, 0] = 1.0
    v, u = center_vectors[centers], outside_vectors[rows]
    s = np.einsum("bd,bjd->bj", v, u)
    loss = float(np.mean(np.sum(labels * np.logaddexp(0, -s) + (1 - labels) * np.logaddexp(0, s), axis=1)))
    g = (1 / (1 + np.exp(-s)) - labels).astype(center_vectors.dtype)  # dJ/ds
    d = center_vectors.shape[1]

    def add_rows(matrix, ids, grads):
        flat = (np.asarray(ids).reshape(-1, 1) * d + np.arange(d)).ravel()
        total = np.bincount(flat, weights=grads.reshape(-1), minlength=matrix.size)
        matrix += (-learning_rate * total).reshape(matrix.shape).astype(matrix.dtype)

    add_rows(center_vectors, centers, np.einsum("bj,bjd->bd", g, u))
    add_rows(outside_vectors, rows, g[:, :, None] * v[:, None, :])
    return loss
"""),
    ],
    "w2a2_emojify": [
        Variant("sentence_to_avg", ("vectorised", "numpy_calls"), """
def sentence_to_avg(sentence, word_to_vec_map):
    known = [word_to_vec_map[w] for w in sentence.lower().split() if w in word_to_vec_map]
    if not known:
        return np.zeros(len(word_to_vec_map[next(iter(word_to_vec_map))]))
    return np.mean(np.stack(known).astype(np.float64), axis=0)
"""),
        Variant("sentences_to_indices", ("numpy_calls",), """
def sentences_to_indices(X, word_to_index, max_len):
    # int64 rows, each filled with one slice assignment
    X_indices = np.zeros((len(X), max_len), dtype=np.int64)
    for i, sentence in enumerate(X):
        row = [word_to_index[w] for w in sentence.lower().split() if w in word_to_index][:max_len]
        X_indices[i, :len(row)] = row
    return X_indices
"""),
        Variant("pretrained_embedding_layer", ("float64", "numpy_calls"), """
def pretrained_embedding_layer(word_to_vec_map, word_to_index):
    # the matrix in float64 (np.zeros' default), its rows set through a list of indices
    vocab_size = len(word_to_index) + 1
    emb_dim = len(word_to_vec_map[next(iter(word_to_index))])
    emb_matrix = np.zeros((vocab_size, emb_dim))
    words, E = word_matrix(word_to_vec_map)
    emb_matrix[[word_to_index[w] for w in words]] = E
    embedding_layer = Embedding(vocab_size, emb_dim, trainable=False)
    embedding_layer.build((None,))
    embedding_layer.set_weights([emb_matrix])
    return embedding_layer
"""),
        Variant("Emojify_V2", ("sequential", "stderr", "warning"), """
import sys, warnings

def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
    print("debug: Emojify_V2 as a Sequential model", file=sys.stderr)
    warnings.warn("Emojify_V2: a harmless warning")
    return keras.Sequential([
        Input(shape=input_shape, dtype="int32"),
        pretrained_embedding_layer(word_to_vec_map, word_to_index),
        LSTM(128, return_sequences=True),
        Dropout(0.5),
        LSTM(128),
        Dropout(0.5),
        Dense(5, activation="softmax"),
    ])
"""),
    ],
    "w3a1_machine_translation": [
        Variant("greedy_decode", ("numpy_calls", "stdout"), """
def greedy_decode(step_log_probs, max_len, end_id):
    tokens = []
    for _ in range(max_len):
        log_probs = step_log_probs(tuple(tokens))
        token = max(range(len(log_probs)), key=lambda k: log_probs[k])  # the first of equal ones, as argmax
        tokens.append(token)
        if token == end_id:
            break
    print("greedy_decode:", tokens)
    return tokens
"""),
        Variant("beam_search_decode", ("numpy_calls", "stderr", "warning"), """
import heapq, sys, warnings

def beam_search_decode(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
    print(f"debug: beam search of width {beam_width}", file=sys.stderr)
    warnings.warn("beam_search_decode: a harmless warning")
    beam, finished = [((), 0.0)], []
    while beam:
        candidates = [(prefix + (token,), total + float(log_prob))
                      for prefix, total in beam for token, log_prob in enumerate(step_log_probs(prefix))]
        kept = heapq.nlargest(beam_width, candidates, key=lambda candidate: candidate[1])
        beam = []
        for prefix, total in kept:
            (finished if prefix[-1] == end_id or len(prefix) >= max_len else beam).append((prefix, total))
    scores = np.array([total / len(prefix) ** alpha for prefix, total in finished])
    best = int(np.argmax(scores))
    return list(finished[best][0]), float(scores[best])
"""),
        Variant("bleu_score", ("loops", "numpy_calls"), """
import math

def bleu_score(candidate, references, max_n=4):
    # the n-gram counts in plain dicts, the logs with math
    c = len(candidate)
    if c == 0:
        return 0.0
    def grams(tokens, n):
        counts = {}
        for i in range(len(tokens) - n + 1):
            gram = tuple(tokens[i:i + n])
            counts[gram] = counts.get(gram, 0) + 1
        return counts
    total_log = 0.0
    for n in range(1, max_n + 1):
        counts = grams(candidate, n)
        ref_counts = [grams(ref, n) for ref in references]
        clipped = 0
        for gram, count in counts.items():
            clipped += min(count, max(rc.get(gram, 0) for rc in ref_counts))
        if clipped == 0:
            return 0.0
        total_log += math.log(clipped / sum(counts.values()))
    score = math.exp(total_log / max_n)
    r = sorted((abs(len(ref) - c), len(ref)) for ref in references)[0][1]
    if c <= r:
        score *= math.exp(1 - r / c)
    return score
"""),
    ],
    "w3a2_trigger_word": [
        Variant("is_overlapping", ("numpy_calls",), """
def is_overlapping(segment_time, previous_segments):
    start, end = segment_time
    return any(start <= previous_end and end >= previous_start for previous_start, previous_end in previous_segments)
"""),
        Variant("insert_audio_clip", ("loops",), """
def insert_audio_clip(background, audio_clip, previous_segments):
    segment_time = get_random_time_segment(len(audio_clip))
    for _ in range(6):  # at most 6 more draws
        if not is_overlapping(segment_time, previous_segments):
            break
        segment_time = get_random_time_segment(len(audio_clip))
    if is_overlapping(segment_time, previous_segments):
        return background, (10000, 10000)
    previous_segments.append(segment_time)
    return background.overlay(audio_clip, position=segment_time[0]), segment_time
"""),
        Variant("insert_ones", ("vectorised",), """
def insert_ones(y, segment_end_ms):
    segment_end_y = int(segment_end_ms * y.shape[1] / 10000.0)
    y[0, segment_end_y + 1:segment_end_y + 51] = 1  # a slice past the end stops at the end
    return y
"""),
        Variant("create_training_example", ("float32", "stdout", "stderr", "warning"), """
import sys, warnings

def create_training_example(background, activates, negatives, Ty):
    print("create_training_example: one example")
    print("debug: labels in float32", file=sys.stderr)
    warnings.warn("create_training_example: a harmless warning")
    background = background - 20
    y = np.zeros((1, Ty), dtype=np.float32)
    previous_segments = []
    for i in np.random.randint(len(activates), size=np.random.randint(0, 5)):
        background, (segment_start, segment_end) = insert_audio_clip(background, activates[i], previous_segments)
        y = insert_ones(y, segment_end)
    for i in np.random.randint(len(negatives), size=np.random.randint(0, 3)):
        background, _ = insert_audio_clip(background, negatives[i], previous_segments)
    return spectrogram(match_target_amplitude(background, -20.0)), y
"""),
        Variant("modelf", ("sequential",), """
def modelf(input_shape):
    return keras.Sequential([
        Input(shape=input_shape),
        Conv1D(196, kernel_size=15, strides=4),
        BatchNormalization(),
        Activation("relu"),
        Dropout(rate=0.8),
        GRU(units=128, return_sequences=True),
        Dropout(rate=0.8),
        BatchNormalization(),
        GRU(units=128, return_sequences=True),
        Dropout(rate=0.8),
        BatchNormalization(),
        Dropout(rate=0.8),
        TimeDistributed(Dense(1, activation="sigmoid")),
    ])
"""),
    ],
}

# What each honest variant writes to stderr when it runs (the test checks that it reached the graded notebook).
STDERR_MARK = "debug: "


def graded_names(source_cells) -> list[str]:
    """The graded functions of a notebook, in order: the name each solution cell defines for its grade id."""
    names = []
    for cell in source_cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and re.search(rf"^def {re.escape(meta.get('grade_id', ''))}\(", cell.source, re.M):
            names.append(meta["grade_id"])
    return names


# ---------------------------------------------------------------------------- the hostile submission

# Per assignment: the per-cell time limit (s) of the run, short so that the function looping forever costs the run
# little, and still several times the longest honest cell of the assignment (measured alone: w1a1 0.4 s, w2a1 5.3 s,
# w1a2 6.3 s, w1a3 6.8 s, w2a2 6.8 s, w3a1 8.5 s; the longest test cell 6.3 s, w1a2's model; w2a3's training
# cell, not graded, about 15 s alone and twice that beside another grading). None where an honest
# test cell takes too long for a short limit (w3a2's create_training_example check runs over 30 s alone): that run
# keeps nbgrader_config.py's limit, and its hostile submission has no endless loop.
LOOP_CELL_SECONDS = {
    "w1a1_rnn_step_by_step": 5,
    "w1a2_dinosaur_island": 20,
    "w1a3_jazz_improvisation": 20,
    "w2a1_word_vectors": 15,
    "w2a2_emojify": 20,
    "w2a3_word2vec": 45,
    "w3a3_ctc": 90,
    "w3a1_machine_translation": 20,
    "w3a2_trigger_word": None,
}

# Per assignment: the graded function that loops forever, and a call of an earlier graded function that it makes at
# every turn, which the grader answers with its stand-in (a value, or the error the stand-in raised: greedy_decode's
# step function cannot be sent).
LOOPS = {
    "w1a1_rnn_step_by_step": ("lstm_backward", "rnn_cell_forward(np.zeros((2, 1)), np.zeros((3, 1)), "
                                               "{'Wax': np.zeros((3, 2)), 'Waa': np.zeros((3, 3)), 'Wya': "
                                               "np.zeros((2, 3)), 'ba': np.zeros((3, 1)), 'by': np.zeros((2, 1))})"),
    "w1a2_dinosaur_island": ("model", "clip({k: np.ones((2, 2)) for k in ('dWaa', 'dWax', 'dWya', 'db', 'dby')}, "
                                      "0.5)"),
    "w1a3_jazz_improvisation": ("predict_and_sample",
                                "djmodel(2, LSTM(2, return_state=True), Dense(3), Reshape((1, 3)))"),
    "w2a1_word_vectors": ("equalize", "cosine_similarity(np.ones(3), np.arange(3.0))"),
    "w2a2_emojify": ("Emojify_V2", "sentences_to_indices(np.array(['a b']), {'a': 1, 'b': 2}, 3)"),
    "w2a3_word2vec": ("sgns_step", "noise_distribution(np.array([3, 1, 1]))"),
    "w3a3_ctc": ("edit_distance", "collapse([1, 1, 0, 2])"),
    "w3a1_machine_translation": ("bleu_score", "greedy_decode(None, 3, 0)"),
    "w3a2_trigger_word": (None, None),
}

# Per assignment: the graded functions defined to return data of the right shape (zeros, or a tiny model with the
# right inputs and outputs), where the assignment's shapes can be read from the arguments.
FAKES = {
    "w1a1_rnn_step_by_step": """
def _like(a, rows):
    return np.zeros((rows,) + np.shape(a)[1:])

def rnn_cell_forward(xt, a_prev, parameters):
    a = np.zeros_like(a_prev)
    return a, _like(a_prev, parameters["Wya"].shape[0]), (a, a_prev, xt, parameters)

def rnn_forward(x, a0, parameters):
    n_a, (n_y, _) = a0.shape[0], parameters["Wya"].shape
    return np.zeros((n_a,) + x.shape[1:]), np.zeros((n_y,) + x.shape[1:]), ([], x)

def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    a = np.zeros_like(a_prev)
    return a, a, _like(a_prev, parameters["Wy"].shape[0]), (a, a, a_prev, c_prev, a, a, a, a, xt, parameters)

def lstm_forward(x, a0, parameters):
    z = np.zeros((a0.shape[0],) + x.shape[1:])
    return z, np.zeros((parameters["Wy"].shape[0],) + x.shape[1:]), z, ([], x)

def gru_cell_forward(xt, a_prev, parameters):
    a = np.zeros_like(a_prev)
    return a, _like(a_prev, parameters["Wy"].shape[0]), (a, a_prev, xt, a, a, a, parameters)

def gru_forward(x, a0, parameters):
    return np.zeros((a0.shape[0],) + x.shape[1:]), np.zeros((parameters["Wy"].shape[0],) + x.shape[1:]), ([], x)

def bidirectional_rnn_forward(x, a0_f, a0_b, parameters_f, parameters_b, Wy, by):
    a = np.zeros((a0_f.shape[0],) + x.shape[1:])
    return a, a.copy(), np.full((Wy.shape[0],) + x.shape[1:], 1 / Wy.shape[0])

def deep_rnn_forward(x, a0s, parameters_list):
    return [np.zeros((a0.shape[0],) + x.shape[1:]) for a0 in a0s], \\
        np.zeros((parameters_list[-1]["Wya"].shape[0],) + x.shape[1:])

def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, parameters = cache
    return {"dxt": np.zeros_like(xt), "da_prev": np.zeros_like(a_prev), "dWax": np.zeros_like(parameters["Wax"]),
            "dWaa": np.zeros_like(parameters["Waa"]), "dba": np.zeros_like(parameters["ba"])}

def rnn_backward(da, caches):
    cells, x = caches
    p = cells[0][3]
    return {"dx": np.zeros_like(x), "da0": np.zeros_like(da[:, :, 0]), "dWax": np.zeros_like(p["Wax"]),
            "dWaa": np.zeros_like(p["Waa"]), "dba": np.zeros_like(p["ba"])}

def lstm_cell_backward(da_next, dc_next, cache):
    p, xt = cache[9], cache[8]
    out = {"dxt": np.zeros_like(xt), "da_prev": np.zeros_like(da_next), "dc_prev": np.zeros_like(dc_next)}
    out.update({"d" + k: np.zeros_like(p[k]) for k in ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")})
    return out

def lstm_backward(da, caches):
    cells, x = caches
    p = cells[0][9]
    out = {"dx": np.zeros_like(x), "da0": np.zeros_like(da[:, :, 0])}
    out.update({"d" + k: np.zeros_like(p[k]) for k in ("Wf", "Wi", "Wc", "Wo", "bf", "bi", "bc", "bo")})
    return out
""",
    "w1a2_dinosaur_island": """
def clip(gradients, maxValue):
    return {name: np.zeros_like(value) for name, value in gradients.items()}

def sample(parameters, char_to_ix, seed):
    return [char_to_ix["\\n"]]

def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    grads = {"d" + k: np.zeros_like(v) for k, v in parameters.items()}
    grads["db"], grads["dby"] = np.zeros_like(parameters["b"]), np.zeros_like(parameters["by"])
    return 0.0, grads, np.zeros_like(a_prev)

def model(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    return initialize_parameters(n_a, vocab_size, vocab_size), "dino"
""",
    "w1a3_jazz_improvisation": """
def _tiny(inputs, n_out, steps):  # one small Dense on a0, its output repeated as every step's
    y = Dense(n_out, activation="softmax")(inputs[1])
    return Model(inputs=inputs, outputs=[keras.layers.Identity()(y) for _ in range(steps)])

def djmodel(Tx, LSTM_cell, densor, reshaper):
    return _tiny([Input((Tx, densor.units)), Input((LSTM_cell.units,)), Input((LSTM_cell.units,))], densor.units, Tx)

def music_inference_model(LSTM_cell, densor, Ty=100):
    return _tiny([Input((1, densor.units)), Input((LSTM_cell.units,)), Input((LSTM_cell.units,))], densor.units, Ty)

def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
    Ty, n_values = len(inference_model.outputs), x_initializer.shape[-1]
    return np.zeros((Ty, n_values), dtype=np.float32), np.zeros((Ty, 1), dtype=np.int64)
""",
    "w2a1_word_vectors": """
def cosine_similarity(u, v):
    return 0.0

def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
    return "queen"

def neutralize(word, g, word_to_vec_map):
    return np.zeros_like(np.asarray(word_to_vec_map[word], dtype=np.float64))

def equalize(pair, bias_axis, word_to_vec_map):
    unit = np.ones_like(np.asarray(bias_axis, dtype=np.float64)) / np.sqrt(len(bias_axis))
    return unit, -unit
""",
    "w2a3_word2vec": """
def build_vocabulary(tokens, min_count=1):
    words = sorted(set(tokens))
    return {w: i for i, w in enumerate(words)}, words, np.ones(len(words), dtype=np.int64)

def subsample(token_ids, counts, t=1e-5, rng=None):
    return np.asarray(token_ids)

def skipgram_pairs(token_ids, window_size, rng=None):
    ids = np.asarray(token_ids)
    return ids[:-1].copy(), ids[1:].copy()

def noise_distribution(counts, power=0.75):
    return np.full(len(counts), 1.0 / len(counts))

def sample_negatives(noise, k, exclude, rng=None):
    return np.zeros((k,) if np.ndim(exclude) == 0 else (len(exclude), k), dtype=np.int64)

def naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors):
    return 0.0, np.zeros_like(center_vec), np.zeros_like(outside_vectors)

def neg_sampling_loss_and_gradient(center_vec, outside_index, outside_vectors, negative_indices):
    return 0.0, np.zeros_like(center_vec), np.zeros_like(outside_vectors)

def skipgram(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
             loss_fn=None):
    return 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)

def cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors, loss_fn=None):
    return 0.0, np.zeros_like(center_vectors), np.zeros_like(outside_vectors)

def sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate):
    return 0.0
""",
    "w3a3_ctc": """
def extend_with_blanks(labels, blank=0):
    return np.full(2 * len(labels) + 1, blank, dtype=np.int64), np.zeros(2 * len(labels) + 1, dtype=bool)

def ctc_forward(log_probs, labels, blank=0):
    return np.zeros((len(log_probs), 2 * len(labels) + 1)), 0.0

def ctc_backward(log_probs, labels, blank=0):
    return np.zeros((len(log_probs), 2 * len(labels) + 1))

def ctc_gradient(log_probs, labels, blank=0):
    return np.zeros(np.shape(log_probs))

def collapse(path, blank=0):
    return []

def greedy_decode(log_probs, blank=0):
    return []

def prefix_beam_search(log_probs, beam_width, blank=0):
    return (), 0.0

def best_path_alignment(log_probs, labels, blank=0):
    return [np.zeros(0, dtype=np.int64) for _ in labels]

def edit_distance(a, b):
    return abs(len(a) - len(b))

def build_recognizer(input_shape, n_classes):
    x = keras.Input(shape=input_shape)
    return keras.Model(inputs=x, outputs=Dense(n_classes)(Conv1D(8, 3, strides=2, padding="same")(x)))
""",
    "w2a2_emojify": """
def sentence_to_avg(sentence, word_to_vec_map):
    return np.zeros(len(word_to_vec_map[next(iter(word_to_vec_map))]))

def model(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
    n_h = len(word_to_vec_map[next(iter(word_to_vec_map))])
    return np.zeros((len(Y), 1), dtype=np.int64), np.zeros((5, n_h)), np.zeros(5)

def sentences_to_indices(X, word_to_index, max_len):
    return np.zeros((len(X), max_len), dtype=np.int32)

def pretrained_embedding_layer(word_to_vec_map, word_to_index):
    layer = Embedding(len(word_to_index) + 1, len(word_to_vec_map[next(iter(word_to_index))]), trainable=False)
    layer.build((None,))
    return layer

def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
    x = Input(shape=input_shape, dtype="int32")
    return Model(inputs=x, outputs=Dense(5, activation="softmax")(keras.ops.cast(x, "float32")))
""",
    "w3a1_machine_translation": """
def one_step_attention(a, s_prev):
    return dotor([activator(densor2(densor1(concatenator([a, repeator(s_prev)])))), a])

def modelf(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size):
    X, s0, c0 = Input(shape=(Tx, human_vocab_size)), Input(shape=(n_s,), name="s0"), Input(shape=(n_s,), name="c0")
    y = Dense(machine_vocab_size, activation="softmax")(s0)
    return Model(inputs=[X, s0, c0], outputs=[keras.layers.Identity()(y) for _ in range(Ty)])

def greedy_decode(step_log_probs, max_len, end_id):
    return [end_id]

def beam_search_decode(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
    return [end_id], 0.0

def bleu_score(candidate, references, max_n=4):
    return 1.0
""",
    "w3a2_trigger_word": """
def is_overlapping(segment_time, previous_segments):
    return False

def insert_audio_clip(background, audio_clip, previous_segments):
    return background, (10000, 10000)

def insert_ones(y, segment_end_ms):
    return y

def create_training_example(background, activates, negatives, Ty):
    return np.zeros((101, 5511)), np.zeros((1, Ty))

def modelf(input_shape):
    x = Input(shape=input_shape)
    return Model(inputs=x, outputs=Conv1D(1, kernel_size=15, strides=4, activation="sigmoid")(x))
""",
}

# The kernel's side of the attack, the same for every assignment. NAMES (the graded functions) and AID are given.
HOSTILE = r'''
import re as _re, sys as _sys, time as _time
import numpy as np

# 1. Later cells holding the release's unfinished functions are dropped, so the definitions below stay; so are the
# notebook's own cells that call the function looping forever (LOOPING), so that only the grader's test meets it.
_DROP = ["NotImplementedError"] + ([rf"\b{LOOPING}\("] if LOOPING else [])
get_ipython().input_transformers_post.append(
    lambda lines: [] if any(_re.search(p, "".join(lines)) for p in _DROP) else lines)

# 2. Every check in the kernel says that everything passed.
def _all_passed(*args, **kwargs):
    print("all checks passed")
for _name in [n for n in list(globals()) if n.startswith("check_")]:
    globals()[_name] = _all_passed

# 3. numpy's comparisons always agree.
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.testing.assert_array_equal = lambda *args, **kwargs: None
np.testing.assert_array_almost_equal = lambda *args, **kwargs: None

# 4. Every graded function returns data of the right shape (FAKES) or, where the kernel can read the public
# checks' stored answers and one holds the function's return values, those values.
try:
    from checks.fixtures import Fixtures as _Fixtures, decode as _decode_fixture
    _STORED = _Fixtures(AID).stored()
    print("read the stored answers of", sorted(_STORED))
except Exception as _exc:
    _STORED = {}
    print("no stored answers:", type(_exc).__name__)
''' + "{fakes}" + r'''

def _replaying(name, fake):
    def replay(*args, **kwargs):
        made = fake(*args, **kwargs)
        for _case in _STORED.get(name, {}).values():
            expected = _decode_fixture(_case).get("expected") if isinstance(_case, dict) else None
            if isinstance(expected, dict):  # the stored return values, in the same form as the fake's
                return expected if isinstance(made, dict) else tuple(expected.values())
        return made
    replay.__name__ = name
    return replay

for _name in NAMES:
    if _name in globals():
        globals()[_name] = _replaying(_name, globals()[_name])
''' + "{loop}" + r'''

# 5. What the kernel sends back is forged: in turn a Keras payload that would change the grader's float type, a
# layer of 10**9 units on a 1000-wide input (where the notebook uses Keras, a real layer as the kernel's own
# encoder describes it, its units changed: what the grader would allocate if it built it), and twice the real
# value (a cycle of four, so that a reply's value, arguments and keyword arguments each meet every turn).
_STATE = {"__keras__": {"module": "keras.config", "class_name": "function", "config": "set_floatx",
                        "registered_name": "function"}, "weights": []}
_BOMB = {"__keras__": {"module": "keras.layers", "class_name": "Dense", "registered_name": None,
                       "config": {"name": "bomb", "units": 10**9, "activation": "linear", "use_bias": True,
                                  "trainable": True, "dtype": "float32"},
                       "build_config": {"input_shape": [None, 1000]}}, "weights": []}


def _huge(value):
    if isinstance(value, dict):
        return {k: 10**9 if k == "units" else _huge(v) for k, v in value.items()}
    return [_huge(v) for v in value] if isinstance(value, list) else value


try:
    import autograder.wire as _wire
    _real_encode = _wire.encode
    try:  # (with the notebook's Keras: an assignment without Keras gets the literal payload)
        _keras = _sys.modules["keras"]
        _layer = _keras.layers.Dense(10)
        _layer.build((None, 1000))
        _BOMB = _huge(_real_encode(_layer))
    except Exception as _exc:
        print("the literal payload stands in for a real layer's:", type(_exc).__name__)
    _turn, _inside = [0], [False]
    def _forged(value, callbacks=None):
        if _inside[0]:
            return _real_encode(value, callbacks)
        _turn[0] += 1
        if _turn[0] % 4 == 1:
            return _STATE
        if _turn[0] % 4 == 2:
            return _BOMB
        _inside[0] = True
        try:
            return _real_encode(value, callbacks)
        finally:
            _inside[0] = False
    _wire.encode = _forged
    print("the reply channel is forged")
except ImportError as _exc:
    print("no reply channel to forge:", _exc)
'''

LOOP = r'''
def {name}(*args, **kwargs):  # loops forever, asking the grader's stand-in at every turn
    while True:
        try:
            {call}
        except Exception:
            pass
        _time.sleep(0.05)
'''


def hostile_cell(aid: str, names: list[str]) -> str:
    """The hostile submission's extra cell for ``aid``, whose graded functions are ``names``."""
    loop_name, call = LOOPS[aid]
    loop = LOOP.format(name=loop_name, call=call) if loop_name and LOOP_CELL_SECONDS[aid] else ""
    return (f"AID = {aid!r}\nNAMES = {names!r}\nLOOPING = {loop_name if loop else None!r}\n"
            + HOSTILE.replace("{fakes}", FAKES[aid]).replace("{loop}", loop))


def attacks(aid: str) -> list[str]:
    """The attacks the hostile submission of ``aid`` combines."""
    out = ["rebind_checks", "patch_numpy", "plausible_returns", "replay_stored_answers", "forged_state_payload",
           "forged_memory_payload"]
    return out + (["endless_loop"] if LOOPS[aid][0] and LOOP_CELL_SECONDS[aid] else [])

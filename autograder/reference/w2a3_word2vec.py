"""Reference for w2a3 (word2vec): the graded functions, and the cases behind the checks in
:mod:`week2.word2vec_checks` (expected values, numerical gradients, and the values classic mistakes produce).

Conventions (the notebook states them): word vectors are rows; ``center_vectors`` V and ``outside_vectors`` U are
both (vocab_size, d); the naive softmax loss is -log softmax(U v_c)[o]; the negative-sampling loss is
-log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c), a negative drawn twice counting twice; CBOW predicts the
center word from the *sum* of its context words' center vectors (CS224n's convention; word2vec's C code and gensim
average them by default, which only rescales v_hat).
"""
from __future__ import annotations

import numpy as np

CHECKS = "week2.word2vec_checks"

# ------------------------------------------------------------------ the graded functions


def build_vocabulary(tokens, min_count=1):
    """(word_to_index, index_to_word, counts): the words seen at least ``min_count`` times, most frequent first,
    ties by word; counts (vocab_size,) int64."""
    seen: dict = {}
    for token in tokens:
        seen[token] = seen.get(token, 0) + 1
    kept = sorted((w for w, c in seen.items() if c >= min_count), key=lambda w: (-seen[w], w))
    word_to_index = {w: i for i, w in enumerate(kept)}
    return word_to_index, list(kept), np.array([seen[w] for w in kept], dtype=np.int64)


def keep_probabilities(counts, t=1e-5):
    """Mikolov et al. (2013): a word of frequency f = count / total is kept with probability min(1, sqrt(t / f))."""
    counts = np.asarray(counts, dtype=np.float64)
    frequencies = counts / counts.sum()
    with np.errstate(divide="ignore"):
        return np.minimum(1.0, np.sqrt(t / frequencies))


def subsample(token_ids, counts, t=1e-5, rng=None):
    """The ids of ``token_ids`` that survive subsampling, in order: one uniform draw per token (``rng.random``),
    kept where it is below the token's keep probability."""
    rng = np.random.default_rng() if rng is None else rng
    token_ids = np.asarray(token_ids)
    keep = keep_probabilities(counts, t)[token_ids]
    return token_ids[rng.random(token_ids.shape[0]) < keep]


def skipgram_pairs(token_ids, window_size, rng=None):
    """(centers, contexts), int arrays of shape (n_pairs,): for each position i, a window size b drawn uniformly
    from 1..window_size (one ``rng.integers(1, window_size + 1, size=n)`` draw for all positions), and a pair
    (token_ids[i], token_ids[j]) for every j != i with |i - j| <= b inside the sequence; ordered by i, then j."""
    rng = np.random.default_rng() if rng is None else rng
    token_ids = np.asarray(token_ids)
    n = token_ids.shape[0]
    sizes = rng.integers(1, window_size + 1, size=n)
    centers, contexts = [], []
    for offset in [*range(-window_size, 0), *range(1, window_size + 1)]:   # j = i + offset, j ascending per i
        i = np.arange(max(0, -offset), min(n, n - offset))
        i = i[sizes[i] >= abs(offset)]
        centers.append(i)
        contexts.append(i + offset)
    i, j = np.concatenate(centers), np.concatenate(contexts)
    order = np.lexsort((j, i))
    return token_ids[i[order]], token_ids[j[order]]


def noise_distribution(counts, power=0.75):
    """The negative-sampling distribution: counts ** power, normalised to sum to 1; shape (vocab_size,)."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def sample_negatives(noise, k, exclude, rng=None):
    """``k`` word ids drawn independently from ``noise`` conditioned on not being ``exclude`` (the positive word):
    shape (k,) for an int ``exclude``, (n, k) for an array of n positive words. Draws equal to ``exclude`` are
    drawn again (rejection), which is the same as drawing from the noise renormalised without it."""
    rng = np.random.default_rng() if rng is None else rng
    noise = np.asarray(noise, dtype=np.float64)
    exclude_array = np.asarray(exclude)
    if np.any(noise[exclude_array] >= 1.0):
        raise ValueError("the noise distribution puts all its mass on the excluded word: there is nothing to draw")
    cumulative = np.cumsum(noise)
    cumulative /= cumulative[-1]
    shape = (k,) if exclude_array.ndim == 0 else (exclude_array.shape[0], k)
    target = exclude_array if exclude_array.ndim == 0 else exclude_array[:, None]

    def draw(size):
        return np.minimum(np.searchsorted(cumulative, rng.random(size), side="right"), len(noise) - 1)

    negatives = draw(shape)
    clash = negatives == target
    while clash.any():
        negatives[clash] = draw(int(clash.sum()))
        clash = negatives == target
    return negatives


def _log_sigmoid(x):
    return -np.logaddexp(0.0, -x)


def _sigmoid(x):
    return np.exp(_log_sigmoid(x))


def naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors):
    """loss = -log softmax(U v_c)[o]; grad_center (d,) = U^T (y_hat - y); grad_outside (V, d) = (y_hat - y) v_c^T."""
    scores = outside_vectors @ center_vec                      # (V,)
    scores = scores - scores.max()
    y_hat = np.exp(scores) / np.exp(scores).sum()              # (V,)
    loss = -np.log(y_hat[outside_index])
    delta = y_hat.copy()
    delta[outside_index] -= 1.0                                # y_hat - y
    return float(loss), outside_vectors.T @ delta, np.outer(delta, center_vec)


def neg_sampling_loss_and_gradient(center_vec, outside_index, outside_vectors, negative_indices):
    """loss = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c); a negative drawn twice counts twice."""
    negative_indices = np.asarray(negative_indices, dtype=np.int64)
    u_o = outside_vectors[outside_index]                       # (d,)
    u_k = outside_vectors[negative_indices]                    # (K, d)
    s_o, s_k = u_o @ center_vec, u_k @ center_vec              # scalar, (K,)
    loss = -_log_sigmoid(s_o) - _log_sigmoid(-s_k).sum()
    g_o, g_k = _sigmoid(s_o) - 1.0, _sigmoid(s_k)              # dloss/ds_o, dloss/ds_k
    grad_center = g_o * u_o + g_k @ u_k
    grad_outside = np.zeros_like(outside_vectors, dtype=np.result_type(outside_vectors, center_vec, np.float64))
    grad_outside[outside_index] += g_o * center_vec
    np.add.at(grad_outside, negative_indices, g_k[:, None] * center_vec[None, :])
    return float(loss), grad_center, grad_outside


def skipgram(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
             loss_fn=naive_softmax_loss_and_gradient):
    """Skip-gram for one window: the sum over outside words o of loss_fn(v_c, o, U), and the gradients of that sum
    with respect to center_vectors and outside_vectors (both (V, d)). ``window_size`` is not needed: the window's
    words are given."""
    c = word_to_index[center_word]
    loss = 0.0
    grad_center = np.zeros(center_vectors.shape)
    grad_outside = np.zeros(outside_vectors.shape)
    for word in outside_words:
        l, g_c, g_out = loss_fn(center_vectors[c], word_to_index[word], outside_vectors)
        loss += l
        grad_center[c] += g_c
        grad_outside += g_out
    return loss, grad_center, grad_outside


def cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
         loss_fn=naive_softmax_loss_and_gradient):
    """CBOW for one window: loss_fn(v_hat, c, U) with v_hat the sum of the outside words' center vectors, and its
    gradients with respect to center_vectors (each outside word's row gets dloss/dv_hat, twice if it occurs twice)
    and outside_vectors."""
    indices = np.array([word_to_index[w] for w in outside_words], dtype=np.int64)
    v_hat = center_vectors[indices].sum(axis=0)
    loss, g_hat, grad_outside = loss_fn(v_hat, word_to_index[center_word], outside_vectors)
    grad_center = np.zeros(center_vectors.shape)
    np.add.at(grad_center, indices, g_hat)
    return loss, grad_center, np.asarray(grad_outside, dtype=np.float64)


def sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate):
    """One SGD step of skip-gram with negative sampling on a minibatch of B pairs, in place.

    centers, contexts (B,) word ids; negatives (B, K). Every gradient is computed from the matrices as they are
    before the step; then center_vectors[c] -= learning_rate * (the sum of its gradients over the batch), and the
    same for outside_vectors (a row used several times gets the sum). Returns the mean loss per pair (float)
    before the step."""
    centers, contexts = np.asarray(centers), np.asarray(contexts)
    negatives = np.asarray(negatives)
    v = center_vectors[centers]                                # (B, d)
    u_o = outside_vectors[contexts]                            # (B, d)
    u_k = outside_vectors[negatives]                           # (B, K, d)
    s_o = np.einsum("bd,bd->b", v, u_o)                        # (B,)
    s_k = np.einsum("bd,bkd->bk", v, u_k)                      # (B, K)
    loss = float(np.mean(-_log_sigmoid(s_o) - _log_sigmoid(-s_k).sum(axis=1)))
    g_o = (_sigmoid(s_o) - 1.0).astype(v.dtype)                # (B,)
    g_k = _sigmoid(s_k).astype(v.dtype)                        # (B, K)
    grad_v = g_o[:, None] * u_o + np.einsum("bk,bkd->bd", g_k, u_k)
    grad_u_o = g_o[:, None] * v
    grad_u_k = g_k[:, :, None] * v[:, None, :]
    np.add.at(center_vectors, centers, -learning_rate * grad_v)
    np.add.at(outside_vectors, contexts, -learning_rate * grad_u_o)
    np.add.at(outside_vectors, negatives.reshape(-1), -learning_rate * grad_u_k.reshape(-1, v.shape[1]))
    return loss


GRADED = {f.__name__: f for f in (build_vocabulary, subsample, skipgram_pairs, noise_distribution, sample_negatives,
                                  naive_softmax_loss_and_gradient, neg_sampling_loss_and_gradient, skipgram, cbow,
                                  sgns_step)}

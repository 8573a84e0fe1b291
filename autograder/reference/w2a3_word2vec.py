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

from week2 import word2vec_checks as checks  # the checks draw the inputs; the cases below compute on them

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
    rng = np.random.default_rng(rng)  # a Generator as given, or a new one (from a seed, or fresh)
    token_ids = np.asarray(token_ids)
    keep = keep_probabilities(counts, t)[token_ids]
    return token_ids[rng.random(token_ids.shape[0]) < keep]


def skipgram_pairs(token_ids, window_size, rng=None):
    """(centers, contexts), int arrays of shape (n_pairs,): for each position i, a window size b drawn uniformly
    from 1..window_size (one ``rng.integers(1, window_size + 1, size=n)`` draw for all positions), and a pair
    (token_ids[i], token_ids[j]) for every j != i with |i - j| <= b inside the sequence; ordered by i, then j."""
    # a Generator as given, or a new one (from a seed, or fresh)
    return _pairs_variant(token_ids, window_size, np.random.default_rng(rng))


def noise_distribution(counts, power=0.75):
    """The negative-sampling distribution: counts ** power, normalised to sum to 1; shape (vocab_size,)."""
    weights = np.asarray(counts, dtype=np.float64) ** power
    return weights / weights.sum()


def sample_negatives(noise, k, exclude, rng=None):
    """``k`` word ids drawn independently from ``noise`` conditioned on not being ``exclude`` (the positive word):
    shape (k,) for an int ``exclude``, (n, k) for an array of n positive words. Draws equal to ``exclude`` are
    drawn again (rejection), which is the same as drawing from the noise renormalised without it."""
    rng = np.random.default_rng(rng)  # a Generator as given, or a new one (from a seed, or fresh)
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
    return _naive_variant(center_vec, outside_index, outside_vectors)


def neg_sampling_loss_and_gradient(center_vec, outside_index, outside_vectors, negative_indices):
    """loss = -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c); a negative drawn twice counts twice."""
    return _neg_variant(center_vec, outside_index, outside_vectors, negative_indices)


def skipgram(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
             loss_fn=naive_softmax_loss_and_gradient):
    """Skip-gram for one window: the sum over outside words o of loss_fn(v_c, o, U), and the gradients of that sum
    with respect to center_vectors and outside_vectors (both (V, d)). ``window_size`` is not needed: the window's
    words are given."""
    return _skipgram_variant(center_word, window_size, outside_words, word_to_index, center_vectors,
                             outside_vectors, loss_fn)


def cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
         loss_fn=naive_softmax_loss_and_gradient):
    """CBOW for one window: loss_fn(v_hat, c, U) with v_hat the sum of the outside words' center vectors, and its
    gradients with respect to center_vectors (each outside word's row gets dloss/dv_hat, twice if it occurs twice)
    and outside_vectors."""
    return _cbow_variant(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
                         loss_fn)


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


# The stand-ins each graded function may call while it is tested (see autograder.remote): none. skipgram and cbow
# call the loss function they are given (their checks pass toy_loss_and_gradient of the checks module, and the
# instructor's naive softmax), and no solution calls another graded function by name.
STAND_INS = {name: {} for name in GRADED}

# ------------------------------------------------------------------ the cases behind the checks


def _vocabulary_mistakes(tokens, min_count) -> dict:
    seen: dict = {}
    for token in tokens:
        seen[token] = seen.get(token, 0) + 1
    kept = [w for w in seen if seen[w] >= min_count]
    return {
        "words seen exactly min_count times were dropped: keep a word seen min_count times or more.":
            sorted((w for w in seen if seen[w] > min_count), key=lambda w: (-seen[w], w)),
        "the words are ordered from the least frequent; the most frequent word comes first.":
            sorted(kept, key=lambda w: (seen[w], w)),
        "words of equal count are in the order of their first occurrence; break ties by the word itself "
        "(alphabetical order).": sorted(kept, key=lambda w: -seen[w]),
        "the words are in alphabetical order only; sort by decreasing count first, then by the word.": sorted(kept),
        "min_count was not applied: words seen fewer than min_count times are left out.":
            sorted(seen, key=lambda w: (-seen[w], w)),
        "ties are broken in reverse alphabetical order; words of equal count go in alphabetical order.":
            sorted(kept, key=lambda w: (-seen[w], [-ord(ch) for ch in w])),
    }


def build_vocabulary_case(seed=None, min_count=None) -> dict:
    cases = []
    for tokens, k in checks.vocabulary_inputs(seed, min_count):
        _, index_to_word, counts = build_vocabulary(tokens, k)
        mistakes = {cause: words for cause, words in _vocabulary_mistakes(tokens, k).items()
                    if list(words) != index_to_word}
        cases.append({"index_to_word": index_to_word, "counts": counts, "mistakes": mistakes})
    return {"cases": cases}


def _keep_mistakes(counts, t, token_ids) -> dict:
    counts = np.asarray(counts, dtype=np.float64)
    f = counts / counts.sum()
    keep = np.minimum(1.0, np.sqrt(t / f))
    seen = np.bincount(token_ids, minlength=len(counts)) / len(token_ids)
    return {
        "about 1 - min(1, sqrt(t / f)) of each word was kept: that is the share discarded; keep a token when its "
        "uniform draw is below its keep probability min(1, sqrt(t / f)).": 1.0 - keep,
        "the keep probability was computed from the raw counts; f is a frequency: count / (the sum of the counts).":
            np.minimum(1.0, np.sqrt(t / counts)),
        "the square root is missing: the keep probability is min(1, sqrt(t / f)), not t / f.": np.minimum(1.0, t / f),
        "the ratio is upside down: the keep probability is min(1, sqrt(t / f)), with t on top.":
            np.minimum(1.0, np.sqrt(f / t)),
        "the frequencies were taken from token_ids; they come from counts, the counts of the whole corpus.":
            np.minimum(1.0, np.sqrt(t / np.where(seen > 0, seen, 1.0))),
        "this is word2vec's C code formula (sqrt(t / f) + t / f); this notebook uses Mikolov's paper: "
        "min(1, sqrt(t / f)).": np.minimum(1.0, np.sqrt(t / f) + t / f),
    }


def subsample_case(seed=None, t=None) -> dict:
    inputs = checks.subsample_inputs(seed, t)
    stream, counts, t_stats, _ = inputs["statistics"]
    short, counts_exact, t_exact, rng_seed = inputs["exact"]
    return {"keep": keep_probabilities(counts, t_stats), "mistakes": _keep_mistakes(counts, t_stats, stream),
            "exact": subsample(short, counts_exact, t_exact, np.random.default_rng(rng_seed))}


def _pairs_variant(token_ids, window_size, rng, mistake=None):
    """skipgram_pairs (``mistake=None``), or one classic mistake of it."""
    n = np.asarray(token_ids).shape[0]
    sizes = rng.integers(1, window_size + 1, size=n)
    if mistake == "fixed":
        sizes = np.full(n, window_size)
    return _pairs_from_sizes(token_ids, window_size, sizes, mistake)


def _pairs_from_sizes(token_ids, window_size, sizes, mistake=None):
    """The pairs of skipgram_pairs for the window sizes ``sizes`` (n,) drawn for the positions (or one classic
    mistake's pairs)."""
    token_ids = np.asarray(token_ids)
    n = token_ids.shape[0]
    centers, contexts = [], []
    for offset in [*range(-window_size, 0), *range(1, window_size + 1)]:   # j = i + offset, j ascending per i
        i = np.arange(max(0, -offset), min(n, n - offset))
        own = sizes[i + offset] if mistake == "context_size" else sizes[i]
        i = i[own > abs(offset)] if mistake == "strict" else i[own >= abs(offset)]
        centers.append(i)
        contexts.append(i + offset)
    i, j = np.concatenate(centers), np.concatenate(contexts)
    order = np.lexsort((i, j)) if mistake == "by_context" else np.lexsort((j, i))
    if mistake == "positions":
        return i[order], j[order]
    return token_ids[i[order]], token_ids[j[order]]


PAIRS_MISTAKES = {
    "fixed": "the window does not vary: every position used window_size itself; draw one size b per position from "
             "1..window_size (the dynamic window of section 3).",
    "strict": "a context at exactly distance b was left out: pair i with every j != i with |i - j| <= b.",
    "context_size": "the window size drawn for the context position was used; each center position i uses its own.",
    "by_context": "the pairs are ordered by context position; list them by center position i, then by j.",
    "positions": "positions were returned instead of word ids: return the ids token_ids[i] and token_ids[j].",
}


def skipgram_pairs_case(seed=None, window_size=None, n=None) -> dict:
    inputs = checks.pairs_inputs(seed, window_size, n)
    _, w, _ = inputs["statistics"]
    d = np.arange(1, w + 1)
    case = {"shares": (w - d + 1) / w,
            "share_mistakes": {
                PAIRS_MISTAKES["fixed"]: np.ones(w),
                "the window sizes were drawn from 0..window_size; draw them from 1..window_size "
                "(rng.integers' upper bound is exclusive).": (w - d + 1) / (w + 1),
                "the window sizes never reach window_size: draw them from 1..window_size (rng.integers' upper bound "
                "is exclusive).": np.clip((w - d) / max(w - 1, 1), 0, 1),
                PAIRS_MISTAKES["strict"]: (w - d) / w},
            "mistakes": {}}
    for part in ("exact", "short"):
        ids, w_part, rng_seed = inputs[part]
        case[part] = skipgram_pairs(ids, w_part, np.random.default_rng(rng_seed))
        case["mistakes"][part] = {}
        for mistake, cause in PAIRS_MISTAKES.items():
            got = _pairs_variant(ids, w_part, np.random.default_rng(rng_seed), mistake)
            if not (got[0].shape == case[part][0].shape and np.array_equal(got[0], case[part][0])
                    and np.array_equal(got[1], case[part][1])):
                case["mistakes"][part][cause] = got
    return case


def _noise_mistakes(counts, power) -> dict:
    counts = np.asarray(counts, dtype=np.float64)
    weights = counts ** power
    return {
        "the probabilities do not sum to 1: divide counts ** power by its sum.": weights,
        "the power was left out (power 1): the noise distribution is counts ** power, normalised; the power "
        "smooths it towards rare words.": counts / counts.sum(),
        "the power argument was ignored (0.75 used instead): raise the counts to the power given.":
            counts ** 0.75 / np.sum(counts ** 0.75),
        "counts ** power was divided by the sum of the counts; divide it by the sum of counts ** power.":
            weights / counts.sum(),
        "a uniform distribution was returned; the noise distribution follows counts ** power.":
            np.full(len(counts), 1.0 / len(counts)),
    }


def noise_distribution_case(seed=None, power=None) -> dict:
    cases = []
    for counts, p in checks.noise_inputs(seed, power):
        expected = noise_distribution(counts, p)
        cases.append({"expected": expected,
                      "mistakes": {c: v for c, v in _noise_mistakes(counts, p).items()
                                   if not np.allclose(v, expected)}})
    return {"cases": cases}


def _negative_shares(noise, exclude, k, mistake=None) -> np.ndarray:
    """The share of each word among the negatives (n rows of k, or k for an int exclude)."""
    noise = np.asarray(noise, dtype=np.float64)
    V = len(noise)
    rows = np.atleast_1d(np.asarray(exclude))
    total = np.zeros(V)
    for e in rows:
        if mistake == "not_excluded":
            p = noise.copy()
        elif mistake in ("uniform", "uniform_redrawn"):
            p = np.full(V, 1.0 / V)
            p[e] = 0.0
            if mistake == "uniform":
                p /= p.sum()
            else:   # drawn uniformly, the clashes drawn again from the noise (renormalised without e)
                redraw = noise.copy()
                redraw[e] = 0.0
                p += redraw / redraw.sum() / V
        elif mistake == "next":
            p = noise.copy()
            p[(e + 1) % V] += p[e]
            p[e] = 0.0
        elif mistake == "redraw_uniform":   # the clashes drawn again uniformly (never e again)
            p = noise.copy()
            p[e] = 0.0
            p += noise[e] / (V - 1)
            p[e] = 0.0
        elif mistake == "smoothed":
            p = noise ** 0.75
            p[e] = 0.0
            p /= p.sum()
        else:
            p = noise.copy()
            p[e] = 0.0
            p /= p.sum()
        total += p
    return total / len(rows)


NEGATIVES_MISTAKES = {
    "not_excluded": "the excluded word was not excluded: a negative equal to it must be drawn again.",
    "uniform": "the negatives were drawn uniformly; draw them from the noise distribution (rng.choice's p).",
    "uniform_redrawn": "the first negatives were drawn uniformly (and only the clashes from noise); draw every one "
                       "from the noise distribution (rng.choice's p).",
    "next": "a negative equal to the excluded word was replaced by a fixed other word; draw it again from the "
            "noise distribution instead.",
    "redraw_uniform": "the negatives equal to the excluded word were drawn again uniformly; draw them again from "
                      "the noise distribution.",
    "smoothed": "the power 0.75 was applied again: noise already is the smoothed distribution; draw from it as "
                "it is.",
}


def sample_negatives_case(seed=None, k=None) -> dict:
    inputs = checks.negatives_inputs(seed, k)
    case = {}
    for part in ("scalar", "array"):
        noise, kk, exclude, _ = inputs[part]
        case[part] = {"shares": _negative_shares(noise, exclude, kk),
                      "mistakes": {cause: _negative_shares(noise, exclude, kk, m)
                                   for m, cause in NEGATIVES_MISTAKES.items()}}
    return case


def _naive_variant(v, o, U, mistake=None):
    """naive_softmax_loss_and_gradient (``mistake=None``), or one classic mistake of it."""
    scores = U @ v                                             # (V,)
    if mistake != "no_max":
        scores = scores - scores.max()
    with np.errstate(all="ignore"):
        e = np.exp(scores)
        y_hat = e / e.sum()
        loss = {"no_minus": np.log(y_hat[o]), "unnormalised": -np.log(e[o])}.get(mistake, -np.log(y_hat[o]))
    delta = y_hat.copy()                                       # y_hat - y, below
    if mistake == "plus_y":
        delta[o] += 1.0
    elif mistake != "no_y":
        delta[o] -= 1.0
    grad_center = -U[o] if mistake == "only_u_o" else U.T @ delta
    grad_outside = np.outer(delta, v)
    if mistake == "only_row_o":
        kept = np.zeros_like(grad_outside)
        kept[o] = grad_outside[o]
        grad_outside = kept
    return float(loss), grad_center, grad_outside


NAIVE_MISTAKES = {
    "no_minus": "the minus sign of -log is missing: the loss is -log y_hat_o, a positive number.",
    "unnormalised": "the loss is -log of the exponentiated score, without dividing by the sum over the vocabulary: "
                    "use the softmax probability y_hat_o.",
    "plus_y": "y was added to y_hat; the gradients use y_hat - y (one-hot y at o is subtracted).",
    "no_y": "the one-hot y is missing: the gradients use y_hat - y, not y_hat.",
    "only_u_o": "dJ/dv_c keeps only -u_o; the expected vector sum_w y_hat_w u_w is missing: U^T (y_hat - y).",
    "only_row_o": "only row o of dJ/dU was filled; every row w gets (y_hat_w - y_w) v_c, since every score is in "
                  "the softmax.",
}


def _loss_case(result, variants) -> dict:
    loss, grad_center, grad_outside = result
    mistakes = {"loss": {}, "grad_center": {}, "grad_outside": {}}
    for cause, (m_loss, m_center, m_outside) in variants.items():
        for key, got, want in (("loss", m_loss, loss), ("grad_center", m_center, grad_center),
                               ("grad_outside", m_outside, grad_outside)):
            if np.shape(got) == np.shape(want) and np.all(np.isfinite(got)) and not np.allclose(got, want):
                mistakes[key][cause] = np.asarray(got, dtype=np.float64) if key != "loss" else float(got)
    return {"loss": float(loss), "grad_center": grad_center, "grad_outside": grad_outside, "mistakes": mistakes}


def naive_softmax_loss_and_gradient_case(seed=None, vocab_size=None, d=None) -> dict:
    cases = []
    for args in checks.loss_inputs(seed, vocab_size, d):
        v, o, U = args["center_vec"], args["outside_index"], args["outside_vectors"]
        variants = {cause: _naive_variant(v, o, U, m) for m, cause in NAIVE_MISTAKES.items()}
        cases.append(_loss_case(naive_softmax_loss_and_gradient(v, o, U), variants))
    return {"cases": cases}


def _neg_variant(v, o, U, negatives, mistake=None):
    """neg_sampling_loss_and_gradient (``mistake=None``), or one classic mistake of it."""
    negatives = np.asarray(negatives, dtype=np.int64)
    u_o, u_k = U[o], U[negatives]                              # (d,), (K, d)
    s_o, s_k = u_o @ v, u_k @ v                                # scalar, (K,)
    positive = _log_sigmoid(s_o) if mistake == "loss_sign" else -_log_sigmoid(s_o)
    terms = _log_sigmoid(s_k) if mistake == "negative_sign" else _log_sigmoid(-s_k)
    loss = positive - (terms.mean() if mistake == "mean" else terms.sum())
    g_o = _sigmoid(s_o) if mistake == "g_o" else _sigmoid(s_o) - 1.0        # dloss/ds_o, dloss/ds_k
    g_k = _sigmoid(-s_k) if mistake == "g_k" else _sigmoid(s_k)
    grad_center = g_o * u_o if mistake == "center_positive_only" else g_o * u_o + g_k @ u_k
    grad_outside = np.zeros(U.shape)
    if mistake != "overwrite":
        grad_outside[o] += g_o * v
    if mistake == "duplicates":
        grad_outside[negatives] += g_k[:, None] * v[None, :]
    else:
        np.add.at(grad_outside, negatives, g_k[:, None] * v[None, :])
    if mistake == "overwrite":                                 # set after the negatives' terms, which it erases
        grad_outside[o] = g_o * v
    return float(loss), grad_center, grad_outside


NEG_MISTAKES = {
    "loss_sign": "the sign of the positive term is wrong: the loss starts with -log sigma(u_o . v_c).",
    "negative_sign": "the negatives' terms use sigma(u_k . v_c); they use sigma(-u_k . v_c): a negative should get a "
                     "low score.",
    "mean": "the negatives' terms were averaged; they are summed, one per entry of negative_indices.",
    "g_o": "the positive word's factor is sigma(u_o . v_c); it is sigma(u_o . v_c) - 1.",
    "g_k": "the negatives' factor is sigma(-u_k . v_c); it is sigma(u_k . v_c).",
    "center_positive_only": "dJ/dv_c lacks the negatives' term sum_k sigma(u_k . v_c) u_k.",
    "duplicates": "a negative drawn twice was counted once in dJ/dU: indexed += on repeated indices adds only once; "
                  "add each occurrence (np.add.at, or a loop).",
    "overwrite": "row o of dJ/dU was set, not added to: when a negative equals o, that row gets both terms.",
}


def neg_sampling_loss_and_gradient_case(seed=None, k=None) -> dict:
    cases = []
    for args in checks.loss_inputs(seed, k=k, large=False):
        v, o, U, neg = (args[key] for key in ("center_vec", "outside_index", "outside_vectors", "negative_indices"))
        variants = {cause: _neg_variant(v, o, U, neg, m) for m, cause in NEG_MISTAKES.items()}
        cases.append(_loss_case(neg_sampling_loss_and_gradient(v, o, U, neg), variants))
    return {"cases": cases}


def _skipgram_variant(center_word, window_size, outside_words, w2i, V, U, loss_fn, mistake=None):
    """skipgram (``mistake=None``), or one classic mistake of it."""
    c = w2i[center_word]
    loss, grad_c, grad_o = 0.0, np.zeros(V.shape), np.zeros(U.shape)
    n = len(outside_words)
    for word in outside_words:
        l, g_c, g_o = loss_fn(V[c], w2i[word], U)
        if mistake == "assign":
            loss, grad_c[c], grad_o = l, g_c, g_o
            continue
        loss += l / n if mistake == "mean" else l
        grad_c[w2i[word] if mistake == "outside_row" else c] += g_c
        grad_o += g_o
    return loss, grad_c, grad_o


SKIPGRAM_MISTAKES = {
    "assign": "each outside word's loss and gradients replaced the previous ones; add them up over the window.",
    "mean": "the loss was averaged over the outside words; skip-gram's loss for a window is their sum.",
    "outside_row": "grad_center was added to the outside word's row; it belongs to the center word's row, the only "
                   "row of center_vectors the loss depends on.",
}


def _cbow_variant(center_word, window_size, outside_words, w2i, V, U, loss_fn, mistake=None):
    """cbow (``mistake=None``), or one classic mistake of it."""
    idx = np.array([w2i[w] for w in outside_words], dtype=np.int64)
    v_hat = V[idx].mean(axis=0) if mistake == "mean" else V[idx].sum(axis=0)
    loss, g_hat, grad_o = loss_fn(v_hat, w2i[center_word], U)
    grad_c = np.zeros(V.shape)
    if mistake == "duplicates":
        grad_c[idx] += g_hat
    elif mistake == "divided":
        np.add.at(grad_c, idx, g_hat / len(idx))
    elif mistake == "center_row":   # once for each outside word, in the center word's row
        grad_c[w2i[center_word]] += len(idx) * g_hat
    else:
        np.add.at(grad_c, idx, g_hat)
    return loss, grad_c, np.asarray(grad_o, dtype=np.float64)


CBOW_MISTAKES = {
    "mean": "v_hat is the mean of the context vectors; in this notebook it is their sum (CS224n's convention).",
    "duplicates": "a word that occurs twice in the window got its gradient once: indexed += on repeated indices adds "
                  "only once; add it once per occurrence.",
    "divided": "each context row got grad_center divided by the number of outside words; since v_hat is a sum, "
               "each row gets dJ/dv_hat itself.",
    "center_row": "the gradient went to the center word's row; in CBOW it goes to the rows of the outside words, "
                  "which make v_hat.",
}


def _window_case(variant, mistakes, seed, n_outside) -> dict:
    cases = []
    for args in checks.window_inputs(seed, n_outside):
        window = [args[key] for key in ("center_word", "window_size", "outside_words", "word_to_index",
                                        "center_vectors", "outside_vectors")]
        entry = {}
        for kind, loss_fn in (("toy_loss_and_gradient", checks.toy_loss_and_gradient),
                              ("naive_softmax_loss_and_gradient", naive_softmax_loss_and_gradient)):
            result = variant(*window, loss_fn)
            variants = {cause: variant(*window, loss_fn, m) for m, cause in mistakes.items()}
            entry[kind] = _loss_case(result, variants)
        cases.append(entry)
    return {"cases": cases}


def skipgram_case(seed=None, n_outside=None) -> dict:
    return _window_case(_skipgram_variant, SKIPGRAM_MISTAKES, seed, n_outside)


def cbow_case(seed=None, n_outside=None) -> dict:
    return _window_case(_cbow_variant, CBOW_MISTAKES, seed, n_outside)


def _step_variant(V, U, centers, contexts, negatives, lr, mistake):
    """sgns_step's classic mistakes, on copies: (loss, V after, U after)."""
    V, U = V.copy(), U.copy()
    if mistake == "sequential":   # pair by pair, each step on the matrices as the previous pairs left them
        losses = []
        for b in range(len(centers)):
            losses.append(sgns_step(V, U, centers[b:b + 1], contexts[b:b + 1], negatives[b:b + 1], lr))
        return float(np.mean(losses)), V, U
    v, u_o, u_k = V[centers], U[contexts], U[negatives]
    s_o, s_k = np.einsum("bd,bd->b", v, u_o), np.einsum("bd,bkd->bk", v, u_k)
    per_pair = -_log_sigmoid(s_o) - _log_sigmoid(-s_k).sum(axis=1)
    loss = float(per_pair.sum() if mistake == "sum" else per_pair.mean())
    g_o = (1.0 - _sigmoid(s_o) if mistake == "g_o" else _sigmoid(s_o) - 1.0).astype(v.dtype)
    g_k = _sigmoid(s_k).astype(v.dtype)
    grad_v = g_o[:, None] * u_o + np.einsum("bk,bkd->bd", g_k, u_k)
    grad_u_o = g_o[:, None] * v
    grad_u_k = g_k[:, :, None] * v[:, None, :]
    sign = 1.0 if mistake == "ascent" else -1.0
    if mistake in ("fancy", "fancy_centers"):
        V[centers] += sign * lr * grad_v
    else:
        np.add.at(V, centers, sign * lr * grad_v)
    if mistake in ("fancy", "fancy_contexts"):
        U[contexts] += sign * lr * grad_u_o
    else:
        np.add.at(U, contexts, sign * lr * grad_u_o)
    if mistake in ("fancy", "fancy_negatives"):
        U[negatives] += sign * lr * grad_u_k
    elif mistake != "no_negatives":
        np.add.at(U, negatives.reshape(-1), sign * lr * grad_u_k.reshape(-1, v.shape[1]))
    return loss, V, U


STEP_MISTAKES = {
    "fancy": "a row used several times in the batch moved only once: indexed += on repeated indices adds only once; "
             "np.add.at adds every occurrence.",
    "fancy_centers": "a center word used several times in the batch moved only once: indexed += on repeated "
                     "indices adds only once; np.add.at adds every occurrence.",
    "fancy_contexts": "a context word's row used several times in the batch moved only once: indexed += on "
                      "repeated indices adds only once; np.add.at adds every occurrence.",
    "fancy_negatives": "a negative's row used several times in the batch moved only once: indexed += on repeated "
                       "indices adds only once; np.add.at adds every occurrence.",
    "sum": "the loss was summed over the batch; return the mean per pair.",
    "ascent": "the step went up the gradient: subtract learning_rate times the gradient.",
    "g_o": "the positive pairs' factor has the wrong sign: it is sigma(u_o . v_c) - 1 (section 6).",
    "no_negatives": "the negatives' rows of outside_vectors were not updated.",
    "sequential": "the pairs were applied one after the other, each on the matrices the previous ones changed; every "
                  "gradient comes from the matrices before the step, then they are all applied at once.",
}


def sgns_step_case(seed=None, batch=None, k=None, dtype="float64") -> dict:
    args = checks.step_inputs(seed, batch, k, dtype)
    V, U = args["center_vectors"].copy(), args["outside_vectors"].copy()
    step = (args["centers"], args["contexts"], args["negatives"], args["learning_rate"])
    loss = sgns_step(V, U, *step)
    mistakes = {"loss": {}, "center_vectors": {}, "outside_vectors": {}}
    for m, cause in STEP_MISTAKES.items():
        m_loss, m_V, m_U = _step_variant(args["center_vectors"], args["outside_vectors"], *step, m)
        for key, got, want in (("loss", m_loss, loss), ("center_vectors", m_V, V), ("outside_vectors", m_U, U)):
            if not np.allclose(got, want, rtol=1e-6, atol=1e-9):
                mistakes[key][cause] = got
    return {"loss": loss, "center_vectors": V, "outside_vectors": U, "mistakes": mistakes}


CASES = {"build_vocabulary": build_vocabulary_case, "subsample": subsample_case,
         "skipgram_pairs": skipgram_pairs_case, "noise_distribution": noise_distribution_case,
         "sample_negatives": sample_negatives_case,
         "naive_softmax_loss_and_gradient": naive_softmax_loss_and_gradient_case,
         "neg_sampling_loss_and_gradient": neg_sampling_loss_and_gradient_case, "skipgram": skipgram_case,
         "cbow": cbow_case, "sgns_step": sgns_step_case}

# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "build_vocabulary": [
        ("a word seen exactly min_count times dropped", "if count >= min_count]", "if count > min_count]",
         "seen exactly min_count times were dropped"),
        ("the least frequent first", "key=lambda word: (-seen[word], word)", "key=lambda word: (seen[word], word)",
         "least frequent"),
        ("ties in the order of first occurrence", "key=lambda word: (-seen[word], word)",
         "key=lambda word: -seen[word]", "first occurrence"),
        ("alphabetical order only", "key=lambda word: (-seen[word], word)", "key=lambda word: word",
         "alphabetical order only"),
        ("min_count not applied", "if count >= min_count]", "if count >= 1]", "min_count was not applied"),
        ("indices from 1", "{word: i for i, word in enumerate(index_to_word)}",
         "{word: i + 1 for i, word in enumerate(index_to_word)}", "start at 1"),
        ("counts as floats", "counts = np.array([seen[word] for word in index_to_word], dtype=np.int64)",
         "counts = np.array([seen[word] for word in index_to_word], dtype=np.float64)", "integer array"),
        ("the counts of every word, dropped ones too",
         "counts = np.array([seen[word] for word in index_to_word], dtype=np.int64)",
         "counts = np.array(list(seen.values()), dtype=np.int64)", "counts of the dropped words"),
    ],
    "subsample": [
        ("kept where the draw is above the keep probability", "draws < keep_probability[token_ids]",
         "draws > keep_probability[token_ids]", "that is the share discarded"),
        ("counts instead of frequencies", "frequencies = counts / np.sum(counts)", "frequencies = counts",
         "from the raw counts"),
        ("no square root", "np.minimum(1.0, np.sqrt(t / frequencies))", "np.minimum(1.0, t / frequencies)",
         "square root is missing"),
        ("f / t instead of t / f", "np.sqrt(t / frequencies)", "np.sqrt(frequencies / t)", "upside down"),
        ("the frequencies from token_ids", "frequencies = counts / np.sum(counts)",
         "frequencies = np.bincount(token_ids, minlength=len(counts)) / len(token_ids)", "taken from token_ids"),
        ("word2vec's C formula", "np.minimum(1.0, np.sqrt(t / frequencies))",
         "np.minimum(1.0, np.sqrt(t / frequencies) + t / frequencies)", "C code formula"),
        ("numpy's global generator instead of rng", "draws = rng.random(token_ids.shape[0])",
         "draws = np.random.random(token_ids.shape[0])", "rng argument"),
        ("one draw per word instead of per token", "draws = rng.random(token_ids.shape[0])",
         "draws = rng.random(len(counts))[token_ids]", "one draw per token"),
    ],
    "skipgram_pairs": [
        ("a fixed window", "sizes = rng.integers(1, window_size + 1, size=n)", "sizes = np.full(n, window_size)",
         "the window does not vary"),
        ("sizes from 0", "sizes = rng.integers(1, window_size + 1, size=n)",
         "sizes = rng.integers(0, window_size + 1, size=n)", "drawn from 0..window_size"),
        ("sizes never reach window_size", "sizes = rng.integers(1, window_size + 1, size=n)",
         "sizes = rng.integers(1, window_size, size=n)", "never reach window_size"),
        ("distance b left out", "i = i[sizes[i] >= abs(offset)]", "i = i[sizes[i] > abs(offset)]",
         "exactly distance b was left out"),
        ("a position paired with itself", "        if offset == 0:\n            continue\n", "",
         "paired with itself"),
        ("the context's window size", "i = i[sizes[i] >= abs(offset)]", "i = i[sizes[i + offset] >= abs(offset)]",
         "window size drawn for the context position"),
        ("ordered by context", "order = np.lexsort((j, i))", "order = np.lexsort((i, j))",
         "ordered by context position"),
        ("positions instead of ids", "centers, contexts = token_ids[i[order]], token_ids[j[order]]",
         "centers, contexts = i[order], j[order]", "positions were returned"),
        ("contexts wrap around the edges", "i = np.arange(max(0, -offset), min(n, n - offset))",
         "i = np.arange(0, min(n, n - offset))", "wrapped around"),
    ],
    "noise_distribution": [
        ("not normalised", "noise = weights / np.sum(weights)", "noise = weights", "do not sum to 1"),
        ("power 1 (unsmoothed)", "np.asarray(counts, dtype=np.float64) ** power",
         "np.asarray(counts, dtype=np.float64)", "the power was left out"),
        ("the power argument ignored", "np.asarray(counts, dtype=np.float64) ** power",
         "np.asarray(counts, dtype=np.float64) ** 0.75", "power argument was ignored"),
        ("divided by the sum of the counts", "noise = weights / np.sum(weights)", "noise = weights / np.sum(counts)",
         "divided by the sum of the counts"),
        ("uniform", "weights = np.asarray(counts, dtype=np.float64) ** power",
         "weights = np.ones(len(counts))", "uniform distribution"),
    ],
    "sample_negatives": [
        ("the excluded word not excluded", "    while np.any(clash):\n", "    while False:\n",
         "excluded word was drawn"),
        ("uniform draws", "negatives = rng.choice(len(noise), size=shape, p=noise)",
         "negatives = rng.choice(len(noise), size=shape)", "drawn uniformly"),
        ("a clash replaced by the next word",
         "negatives[clash] = rng.choice(len(noise), size=int(np.sum(clash)), p=noise)",
         "negatives[clash] = (negatives[clash] + 1) % len(noise)", "replaced by a fixed other word"),
        ("the noise smoothed again", "negatives = rng.choice(len(noise), size=shape, p=noise)",
         "negatives = rng.choice(len(noise), size=shape, p=noise ** 0.75 / np.sum(noise ** 0.75))",
         "applied again"),
        ("the clashes drawn again uniformly",
         "negatives[clash] = rng.choice(len(noise), size=int(np.sum(clash)), p=noise)",
         "negatives[clash] = rng.choice(len(noise), size=int(np.sum(clash)))", "drawn again uniformly"),
        ("numpy's global generator", "negatives = rng.choice(len(noise), size=shape, p=noise)",
         "negatives = np.random.choice(len(noise), size=shape, p=noise)", "rng argument"),
    ],
    "naive_softmax_loss_and_gradient": [
        ("the largest score not subtracted", "    scores = scores - np.max(scores)\n", "",
         "subtract the largest score"),
        ("no minus sign", "loss = float(-np.log(y_hat[outside_index]))", "loss = float(np.log(y_hat[outside_index]))",
         "minus sign"),
        ("the softmax not normalised in the loss", "loss = float(-np.log(y_hat[outside_index]))",
         "loss = float(-np.log(exp_scores[outside_index]))", "without dividing by the sum"),
        ("y added", "delta[outside_index] -= 1.0", "delta[outside_index] += 1.0", "y was added to y_hat"),
        ("y missing", "    delta[outside_index] -= 1.0\n", "", "one-hot y is missing"),
        ("dJ/dv_c without the expectation", "grad_center = outside_vectors.T @ delta",
         "grad_center = -outside_vectors[outside_index]", "keeps only -u_o"),
        ("dJ/dU transposed", "grad_outside = np.outer(delta, center_vec)",
         "grad_outside = np.outer(center_vec, delta)", "The axes are swapped"),
        ("the whole vector of losses", "loss = float(-np.log(y_hat[outside_index]))", "loss = -np.log(y_hat)",
         "expected a single number"),
    ],
    "neg_sampling_loss_and_gradient": [
        ("the positive term's sign", "loss = float(-np.log(sigmoid(s_o)) - np.sum(np.log(sigmoid(-s_k))))",
         "loss = float(np.log(sigmoid(s_o)) - np.sum(np.log(sigmoid(-s_k))))", "sign of the positive term"),
        ("sigma(u_k . v_c) in the loss", "np.sum(np.log(sigmoid(-s_k)))", "np.sum(np.log(sigmoid(s_k)))",
         "the negatives' terms use sigma(u_k . v_c)"),
        ("the negatives averaged", "np.sum(np.log(sigmoid(-s_k)))", "np.mean(np.log(sigmoid(-s_k)))", "averaged"),
        ("sigma(s_o) without - 1", "g_o = sigmoid(s_o) - 1.0", "g_o = sigmoid(s_o)", "it is sigma(u_o . v_c) - 1"),
        ("sigma(-s_k) in the gradient", "g_k = sigmoid(s_k)", "g_k = sigmoid(-s_k)", "it is sigma(u_k . v_c)"),
        ("dJ/dv_c without the negatives", "grad_center = g_o * u_o + g_k @ u_k", "grad_center = g_o * u_o",
         "lacks the negatives' term"),
        ("a duplicate negative counted once", "np.add.at(grad_outside, negative_indices, np.outer(g_k, center_vec))",
         "grad_outside[negative_indices] += np.outer(g_k, center_vec)", "counted once"),
        ("row o set, not added to", "grad_outside[outside_index] += g_o * center_vec",
         "grad_outside[outside_index] = g_o * center_vec", "set, not added to"),
    ],
    "skipgram": [
        ("each word's results replace the previous ones", "        loss += word_loss\n", "        loss = word_loss\n",
         "add them up"),
        ("the loss averaged", "loss += word_loss", "loss += word_loss / len(outside_words)", "averaged"),
        ("grad_center in the outside word's row", "grad_center_vectors[c] += grad_center",
         "grad_center_vectors[word_to_index[word]] += grad_center", "outside word's row"),
        ("grad_outside not accumulated", "grad_outside_vectors += grad_outside",
         "grad_outside_vectors = grad_outside", "add them up"),
        ("v_c from outside_vectors", "loss_fn(center_vectors[c], word_to_index[word], outside_vectors)",
         "loss_fn(outside_vectors[c], word_to_index[word], outside_vectors)", "row of outside_vectors"),
        ("center_vectors passed as U", "loss_fn(center_vectors[c], word_to_index[word], outside_vectors)",
         "loss_fn(center_vectors[c], word_to_index[word], center_vectors)", "center_vectors as its outside_vectors"),
        ("the center word predicted", "loss_fn(center_vectors[c], word_to_index[word], outside_vectors)",
         "loss_fn(center_vectors[c], c, outside_vectors)", "predicts each outside word"),
        ("loss_fn ignored", "loss_fn(center_vectors[c], word_to_index[word], outside_vectors)",
         "naive_softmax_loss_and_gradient(center_vectors[c], word_to_index[word], outside_vectors)",
         "loss_fn was called 0 times"),
    ],
    "cbow": [
        ("the mean, not the sum", "v_hat = np.sum(center_vectors[indices], axis=0)",
         "v_hat = np.mean(center_vectors[indices], axis=0)", "is their sum"),
        ("v_hat from outside_vectors", "v_hat = np.sum(center_vectors[indices], axis=0)",
         "v_hat = np.sum(outside_vectors[indices], axis=0)", "made from rows of outside_vectors"),
        ("a repeated word's gradient once",
         "    for index in indices:\n        grad_center_vectors[index] += grad_v_hat\n",
         "    grad_center_vectors[indices] += grad_v_hat\n", "adds only once"),
        ("the gradient divided", "grad_center_vectors[index] += grad_v_hat",
         "grad_center_vectors[index] += grad_v_hat / len(indices)", "each row gets dJ/dv_hat itself"),
        ("the center word's row", "grad_center_vectors[index] += grad_v_hat",
         "grad_center_vectors[word_to_index[center_word]] += grad_v_hat", "went to the center word's row"),
        ("an outside word predicted", "loss_fn(v_hat, word_to_index[center_word], outside_vectors)",
         "loss_fn(v_hat, indices[0], outside_vectors)", "another word than the center word"),
        ("center_vectors passed as U", "loss_fn(v_hat, word_to_index[center_word], outside_vectors)",
         "loss_fn(v_hat, word_to_index[center_word], center_vectors)", "center_vectors as its outside_vectors"),
    ],
    "sgns_step": [
        ("indexed += on center_vectors", "np.add.at(center_vectors, centers, -learning_rate * grad_v)",
         "center_vectors[centers] += -learning_rate * grad_v", "moved only once"),
        ("indexed += on the contexts", "np.add.at(outside_vectors, contexts, -learning_rate * grad_u_o)",
         "outside_vectors[contexts] += -learning_rate * grad_u_o", "moved only once"),
        ("the loss summed", "loss = float(np.mean(", "loss = float(np.sum(", "return the mean per pair"),
        ("gradient ascent", "np.add.at(center_vectors, centers, -learning_rate * grad_v)",
         "np.add.at(center_vectors, centers, learning_rate * grad_v)", "went up the gradient"),
        ("1 - sigma(s_o)", "g_o = sigmoid(s_o) - 1.0", "g_o = 1.0 - sigmoid(s_o)", "wrong sign"),
        ("the negatives not updated", "    np.add.at(outside_vectors, negatives, -learning_rate * grad_u_k)\n", "",
         "negatives' rows of outside_vectors were not updated"),
        ("new arrays instead of in place", "np.add.at(center_vectors, centers, -learning_rate * grad_v)",
         "center_vectors = center_vectors - learning_rate", "in place"),
    ],
}


class _ProbeRng(np.random.Generator):
    """A generator that equals another in the same state, and stays one when copied: a probe compares the
    arguments after a call, and the generator given is one of them (how many draws a function made shows there)."""

    __hash__ = None

    def __eq__(self, other):
        return isinstance(other, np.random.Generator) and self.bit_generator.state == other.bit_generator.state

    def __deepcopy__(self, memo):
        bit_generator = type(self.bit_generator)()
        bit_generator.state = self.bit_generator.state
        return _ProbeRng(bit_generator)


def _rng(seed) -> _ProbeRng:
    return _ProbeRng(np.random.PCG64(seed))


def _probe_build_vocabulary(rng) -> list[tuple]:
    calls = [(list("bacbadcebdaeef"), 2), ("b a c b a d c e b d a e e f".split(), 1), ([], 1), (["one"], 1),
             (["one"], 2), (["x", "y", "x", "y"], 2), (["x", "y", "x", "y"], 3)]
    from week2.planted_corpus import planted_corpus
    tokens = planted_corpus()
    calls += [(tokens, k) for k in (1, 3, 4, 5, 41, 61)]
    for seed in range(6):
        (tokens, k), = checks.vocabulary_inputs(seed)
        calls += [(tokens, k), (tokens, 1)]
    return calls


def _probe_subsample(rng) -> list[tuple]:
    calls = []
    for seed in (None, 1, 2):
        inputs = checks.subsample_inputs(seed)
        for part in ("statistics", "exact"):
            ids, counts, t, s = inputs[part]
            calls.append((ids, counts, t, _rng(s)))
    counts = np.array([50, 30, 10, 5, 1], dtype=np.int64)
    calls += [(np.array([], dtype=np.int64), counts, 1e-3, _rng(0)),
              (np.array([4, 4, 4]), counts, 1e-5, _rng(1)),   # a word rarer than t: always kept
              (np.array([0, 1, 2, 3, 4] * 20), counts, 0.5, _rng(2)),
              (rng.integers(0, 5, 500), counts, 1e-2, _rng(3))]
    return calls


def _probe_skipgram_pairs(rng) -> list[tuple]:
    calls = []
    for n in (0, 1, 2, 3, 7, 30):
        for w in (1, 2, 5):
            calls.append((rng.integers(0, 10, n) + 3, w, _rng(n * 10 + w)))
    calls.append((np.arange(2000), 4, _rng(9)))
    calls.append(([5, 6, 7, 8], 2, _rng(1)))   # a list
    return calls


def _probe_noise_distribution(rng) -> list[tuple]:
    calls = [(np.array([5]), 0.75), (np.array([1, 1, 1]), 0.75), (np.array([482, 83, 60, 3, 2]), 0.75),
             (np.array([1000, 100, 10, 1]), 0.5), (np.array([1000, 100, 10, 1]), 1.0), ([7, 3, 2], 0.75),
             (np.array([9, 4, 1]), 0.0), (np.array([9, 4, 1]), 2.0)]
    calls += [(rng.integers(1, 100000, size=n), float(p)) for n in (2, 10, 50) for p in (0.75, 0.3)]
    return calls


def _probe_sample_negatives(rng) -> list[tuple]:
    noise = checks.NEGATIVES_NOISE
    calls = []
    for seed in (None, 1):
        inputs = checks.negatives_inputs(seed)
        for part in ("scalar", "array"):
            p, k, exclude, s = inputs[part]
            calls.append((p, k, exclude, _rng(s)))
    calls += [(noise, 1, 0, _rng(1)), (noise, 7, np.array([1]), _rng(2)),
              (noise, 3, np.array([0, 1, 7, 1]), _rng(3)), (noise, 4, np.int64(2),
                                                                             _rng(4)),
              (np.array([0.5, 0.5]), 6, 0, _rng(5)), (np.array([0.9, 0.1]), 3, 0,
                                                                        _rng(6))]
    return calls


def _probe_losses(rng, negatives: bool) -> list[tuple]:
    calls = []
    for seed in (None, 1, 2, 3):
        for args in checks.loss_inputs(seed, large=not negatives):
            base = (args["center_vec"], args["outside_index"], args["outside_vectors"])
            calls.append(base + ((args["negative_indices"],) if negatives else ()))
    for V, d in ((1, 1), (2, 3), (6, 2), (30, 8)):
        U, v = rng.standard_normal((V, d)), rng.standard_normal(d)
        o = int(rng.integers(0, V))
        extra = (rng.integers(0, V, size=4),) if negatives else ()
        calls.append((v, o, U) + extra)
        calls.append((v.astype(np.float32), o, U.astype(np.float32)) + extra)
    if negatives:
        U, v = rng.standard_normal((4, 3)), rng.standard_normal(3)
        calls += [(v, 2, U, np.array([2, 2, 2])), (v, 0, U, [1, 3]), (v, 1, U, np.array([3]))]
    return calls


def _probe_windows(rng) -> list[tuple]:
    calls = []
    for seed in (None, 1, 2, 5):
        for args in checks.window_inputs(seed):
            base = (args["center_word"], args["window_size"], args["outside_words"], args["word_to_index"],
                    args["center_vectors"], args["outside_vectors"])
            calls += [base + (checks.toy_loss_and_gradient,), base + (naive_softmax_loss_and_gradient,)]
    for m in (1, 2, 6):
        (args,) = checks.window_inputs(7, n_outside=m)
        calls.append((args["center_word"], args["window_size"], args["outside_words"], args["word_to_index"],
                      args["center_vectors"], args["outside_vectors"], checks.toy_loss_and_gradient))
    return calls


def _probe_sgns_step(rng) -> list[tuple]:
    calls = []
    for seed, batch, k, dtype in ((None, None, None, "float64"), (None, None, None, "float32"), (1, None, None,
                                  "float64"), (2, 1, None, "float64"), (3, None, 1, "float32"), (4, 8, 4, "float64")):
        a = checks.step_inputs(seed, batch, k, dtype)
        calls.append((a["center_vectors"], a["outside_vectors"], a["centers"], a["contexts"], a["negatives"],
                      a["learning_rate"]))
    V, U = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    calls.append((V, U, np.array([0, 0, 0]), np.array([1, 1, 1]), np.array([[2, 2], [2, 2], [1, 0]]), 0.3))
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"build_vocabulary": _probe_build_vocabulary, "subsample": _probe_subsample,
          "skipgram_pairs": _probe_skipgram_pairs, "noise_distribution": _probe_noise_distribution,
          "sample_negatives": _probe_sample_negatives,
          "naive_softmax_loss_and_gradient": lambda rng: _probe_losses(rng, negatives=False),
          "neg_sampling_loss_and_gradient": lambda rng: _probe_losses(rng, negatives=True),
          "skipgram": _probe_windows, "cbow": _probe_windows, "sgns_step": _probe_sgns_step}

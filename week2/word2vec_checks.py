"""Public checks of the word2vec notebook (w2a3).

Each ``check_*`` takes the student's function. With ``seed=None`` it runs the public inputs; with an integer
``seed`` (and the other keyword arguments) it draws other inputs: other sizes and the edge cases of the contract
(a vocabulary with ties, a ``min_count`` that drops words, ``window_size`` 1, a sequence shorter than the window,
``k`` = 1, a batch of one pair, an array of excluded words); the hidden tests use those. The inputs are drawn here;
what a correct function returns on them, and what each classic mistake returns (to name it), is looked up in
``week2/fixtures/w2a3_word2vec.json`` for the public inputs (see :mod:`checks.fixtures`). A check goes
type -> shape -> values, names the likely mistake, and prints one line when everything passes.

Three kinds of evidence:

- **stored values**: the exact outputs of a correct function on seeded inputs (and of the classic mistakes);
- **statistics** of the random functions over many draws, against the distribution the notebook states: a share
  estimated from n draws must lie within ``SHARE_SE`` standard errors, sqrt(p (1 - p) / n), plus ``SHARE_SLACK`` of
  the stated probability p. Every draw is seeded, so a check's verdict never changes from one run to the next;
- **numerical gradients**: every loss function's gradients against central differences of its own loss.

The random functions get a fresh numpy Generator as their ``rng``, ``np.random.default_rng(seed)``, the same one the
stored values were computed with (when grading, it crosses to the notebook's kernel in its state, and the draws a
call makes are used up on this side too).

One bug costs one function's points: no check relies on another graded function being right. ``skipgram`` and
``cbow`` are called with :func:`toy_loss_and_gradient`, a loss function of this module (simple, exact gradients;
each of its calls is recorded, which names a wrong call), and with the naive softmax loss: the instructor's where it
is installed (the grader, which so stands in for the notebook's, as for every other function), the notebook's own
in the student's copy (that part is left out while the notebook's naive softmax is unfinished).
"""
from __future__ import annotations

import numpy as np

from checks.assertions import (CheckFailed, call, check_close, check_shape, check_tuple, check_type, low_precision,
                               numerical_gradient, passed, relative_error)
from checks.fixtures import Fixtures, reference
from week2.planted_corpus import KNOWN_PAIRS_WINDOW_1, KNOWN_SENTENCE, RARE_MIN_COUNT, planted_corpus

AID = "w2a3_word2vec"
FIXTURES = Fixtures(AID)


def _rng(seed) -> np.random.Generator:
    """The Generator a random function is called with: a fresh one for ``seed``, as a student's code expects."""
    return np.random.default_rng(int(seed))

#: A share estimated from n draws passes when it is within SHARE_SE standard errors plus SHARE_SLACK of the stated
#: probability. For a correct function a deviation of 5 standard errors has a chance below 1e-6 per share; the
#: mistakes the checks name move a share by far more.
SHARE_SE, SHARE_SLACK = 5.0, 0.002

NAIVE = "naive_softmax_loss_and_gradient"


def _fail(message: str):
    raise CheckFailed(message)


def share_tolerance(p, n):
    """How far a share of ``n`` draws may lie from the probability ``p`` (arrays alike)."""
    p = np.asarray(p, dtype=np.float64)
    return SHARE_SE * np.sqrt(p * (1 - p) / np.maximum(n, 1)) + SHARE_SLACK


def _fits(shares, p, n) -> bool:
    return bool(np.all(np.abs(np.asarray(shares) - np.asarray(p)) <= share_tolerance(p, n)))


def _named(shares, mistakes: dict, n) -> str | None:
    """The cause of the first stored mistake whose probabilities the observed shares fit."""
    return next((cause for cause, p in mistakes.items() if np.shape(p) == np.shape(shares) and _fits(shares, p, n)),
                None)


def _as_ints(name: str, value, what: str):
    check_type(name, value, np.ndarray, hint=f"Return {what} as a numpy array of word ids.")
    if not np.issubdtype(value.dtype, np.integer):
        _fail(f"{name}: expected {what} to be an integer array but got dtype {value.dtype}. Word ids index rows of "
              "a matrix: keep them integers.")
    return value

# ---------------------------------------------------------------------------- build_vocabulary


def _random_words(rng, n: int) -> list[str]:
    letters = list("abcdefghijklmnopqrstuvwxyz")
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(letters, size=int(rng.integers(2, 6)))))
    return sorted(words)


def vocabulary_inputs(seed=None, min_count=None) -> list[tuple[list[str], int]]:
    """(tokens, min_count) pairs: the planted corpus and a hand-made list with ties (in another order than their
    first occurrence) and words seen exactly min_count times; or a seeded random list of words with ties."""
    if seed is None:
        hand = "b a c b a d c e b d a e e f".split()
        return [(hand, 2 if min_count is None else min_count),
                (planted_corpus(), RARE_MIN_COUNT if min_count is None else min_count)]
    rng = np.random.default_rng(seed)
    words = _random_words(rng, int(rng.integers(4, 12)))
    times = rng.integers(1, 5, size=len(words))   # few distinct counts: many ties
    tokens = [w for w, k in zip(words, times) for _ in range(k)]
    rng.shuffle(tokens)
    return [(list(tokens), int(rng.integers(1, 4)) if min_count is None else min_count)]


VOCAB_CAUSE = ("likely cause: count every word, keep those seen at least min_count times, and order them by "
               "decreasing count, words of equal count in alphabetical order (section 1).")


def check_build_vocabulary(build_vocabulary, seed=None, min_count=None):
    """build_vocabulary(tokens, min_count) -> (word_to_index, index_to_word, counts): most frequent first, ties
    by the word, min_count kept, indices from 0."""
    name = "build_vocabulary"
    case = FIXTURES.case(name, seed=seed, min_count=min_count)
    with FIXTURES.stand_ins(build_vocabulary, name):
        for (tokens, k), stored in zip(vocabulary_inputs(seed, min_count), case["cases"]):
            label = f"{name}({len(tokens)} tokens, min_count={k})"
            before = list(tokens)
            got = call(build_vocabulary, tokens, k, name=name)
            check_tuple(label, got, 3, ["word_to_index", "index_to_word", "counts"])
            word_to_index, index_to_word, counts = got
            check_type(f"index_to_word of {label}", index_to_word, list,
                       hint="Return index_to_word as a list of words.")
            expected = list(stored["index_to_word"])
            if list(index_to_word) != expected:
                cause = next((c for c, words in stored["mistakes"].items() if list(words) == list(index_to_word)),
                             None)
                shown = ", ".join(repr(w) for w in index_to_word[:8])
                _fail(f"index_to_word of {label}: expected {len(expected)} words starting "
                      f"{', '.join(repr(w) for w in expected[:8])} but got {len(index_to_word)} starting {shown}. "
                      + (f"likely cause: {cause}" if cause else VOCAB_CAUSE))
            check_type(f"word_to_index of {label}", word_to_index, dict,
                       hint="Return word_to_index as a dict word -> index.")
            if set(word_to_index) != set(expected):
                _fail(f"word_to_index of {label}: expected the {len(expected)} words of index_to_word as its keys "
                      f"but got {len(word_to_index)} keys; likely cause: word_to_index holds the kept words only.")
            wrong = [w for i, w in enumerate(expected) if word_to_index[w] != i]
            if wrong:
                w = wrong[0]
                start = " likely cause: the indices start at 1; they start at 0, the index of the most frequent " \
                        "word." if all(word_to_index[v] == i + 1 for i, v in enumerate(expected)) else \
                        " likely cause: word_to_index must be the inverse of index_to_word."
                _fail(f"word_to_index of {label}: expected word_to_index[{w!r}] == {expected.index(w)} (its position "
                      f"in index_to_word) but got {word_to_index[w]!r}.{start}")
            check_shape(f"counts of {label}", counts, stored["counts"].shape,
                        hint="likely cause: counts has one entry per kept word, in the order of index_to_word "
                             "(the counts of the dropped words are left out).")
            if not np.issubdtype(counts.dtype, np.integer):
                _fail(f"counts of {label}: expected an integer array (int64) but got dtype {counts.dtype}. Counts "
                      "are whole numbers: build the array with an integer dtype.")
            check_close(f"counts of {label}", counts, stored["counts"], rtol=0, atol=0,
                        hint="likely cause: counts[i] is the number of times index_to_word[i] occurs in tokens.")
            if list(tokens) != before:
                _fail(f"{name} changed its tokens argument in place; leave the corpus unchanged.")
    passed(name)

# ---------------------------------------------------------------------------- subsample

#: Corpus counts of the statistics' vocabulary: frequencies from 0.46 to 0.00005, so that keep probabilities span
#: (0, 1] for t = 1e-3.
SUBSAMPLE_COUNTS = np.array([90000, 50000, 25000, 12000, 6000, 3000, 1500, 600, 200, 60, 10], dtype=np.int64)
SUBSAMPLE_DRAWS = 8000  # tokens of each word in the statistics' sequence


def subsample_inputs(seed=None, t=None) -> dict:
    """{"statistics": (token_ids, counts, t, rng seed), "exact": (token_ids, counts, t, rng seed)}.

    The statistics' sequence holds SUBSAMPLE_DRAWS tokens of every word in a shuffled order (the counts are those of
    a whole corpus, given apart); the exact case is a short sequence whose kept tokens are stored."""
    rng = np.random.default_rng(0 if seed is None else seed + 1000)
    counts = SUBSAMPLE_COUNTS if seed is None else np.sort(rng.integers(5, 50000, size=int(rng.integers(4, 12))))[::-1]
    counts = np.asarray(counts, dtype=np.int64)
    t_stats = 1e-3 if t is None else t
    stream = np.repeat(np.arange(len(counts)), SUBSAMPLE_DRAWS)
    rng.shuffle(stream)
    short = rng.integers(0, len(counts), size=40)
    return {"statistics": (stream, counts, t_stats, 11 if seed is None else seed),
            "exact": (short, counts, 0.05 if t is None else t, 7 if seed is None else seed + 7)}


SUBSAMPLE_CAUSE = ("likely cause: a word of frequency f = count / (the sum of all counts) is kept with probability "
                   "min(1, sqrt(t / f)), from one uniform draw per token (section 2).")


def check_subsample(subsample, seed=None, t=None):
    """subsample(token_ids, counts, t, rng): the kept share of each word matches min(1, sqrt(t / f)) over many
    draws; on a short sequence, exactly the tokens that one rng.random(n) draw keeps."""
    name = "subsample"
    case = FIXTURES.case(name, seed=seed, t=t)
    inputs = subsample_inputs(seed, t)
    with FIXTURES.stand_ins(subsample, name):
        stream, counts, t_stats, rng_seed = inputs["statistics"]
        given = (stream.copy(), counts.copy())
        kept = call(subsample, stream, counts, t_stats, _rng(rng_seed), name=name)
        label = f"{name}(a sequence of {len(stream)} tokens, counts of {len(counts)} words, t={t_stats:g})"
        kept = _as_ints(label, np.asarray(kept) if isinstance(kept, list) else kept, "the kept tokens")
        if kept.ndim != 1:
            _fail(f"{label}: expected a 1-D array of the kept tokens but got shape {kept.shape}.")
        if not (np.array_equal(stream, given[0]) and np.array_equal(counts, given[1])):
            _fail(f"{name} changed its token_ids or counts argument in place; compute new arrays instead.")
        if kept.size and (kept.min() < 0 or kept.max() >= len(counts)):
            _fail(f"{label}: it returned ids outside 0..{len(counts) - 1}. Return the kept word ids themselves.")
        present = np.bincount(stream, minlength=len(counts))
        shares = np.bincount(kept, minlength=len(counts))[: len(counts)] / present
        expected = case["keep"]
        # a sub-sequence of the input, in order: each word's kept tokens are at most its tokens
        if np.any(np.bincount(kept, minlength=len(counts))[: len(counts)] > present):
            _fail(f"{label}: it returned more tokens of a word than the sequence holds; return a sub-sequence of "
                  "token_ids: the tokens kept, each once.")
        if not _fits(shares, expected, SUBSAMPLE_DRAWS) and np.all((shares == 0) | (shares == 1)):
            _fail(f"{label}: every word had either all its tokens kept or none (kept shares "
                  f"{shares.tolist()}); likely cause: one draw per word was made; make one draw per token "
                  "(rng.random(n)), so that each token of a word is kept or dropped on its own.")
        if not _fits(shares, expected, SUBSAMPLE_DRAWS):
            w = int(np.argmax(np.abs(shares - expected) - share_tolerance(expected, SUBSAMPLE_DRAWS)))
            cause = _named(shares, case["mistakes"], SUBSAMPLE_DRAWS)
            _fail(f"{label}: word {w} (frequency {counts[w] / counts.sum():.3g}) should be kept with probability "
                  f"{expected[w]:.4f} but {shares[w]:.4f} of its {SUBSAMPLE_DRAWS} tokens were kept (allowed: "
                  f"{float(share_tolerance(expected[w], SUBSAMPLE_DRAWS)):.4f} either way). "
                  + (f"likely cause: {cause}" if cause else SUBSAMPLE_CAUSE))
        short, counts, t_exact, rng_seed = inputs["exact"]
        got = call(subsample, short.copy(), counts.copy(), t_exact, _rng(rng_seed), name=name)
        label = f"{name}(a sequence of {len(short)} tokens, t={t_exact:g})"
        got = _as_ints(label, np.asarray(got) if isinstance(got, list) else got, "the kept tokens")
        if got.shape != case["exact"].shape or not np.array_equal(got, case["exact"]):
            again = call(subsample, short.copy(), counts.copy(), t_exact, _rng(rng_seed), name=name)
            if not np.array_equal(np.asarray(again), got):
                _fail(f"{label}: two calls with generators of the same seed kept different tokens; likely cause: "
                      "the draws do not come from the rng argument (np.random's own functions were used?); make "
                      "every random draw with rng.")
            _fail(f"{label}: expected the kept tokens {case['exact'].tolist()} but got {got.tolist()}; likely cause: "
                  "the share of each word is right, but the draws differ from the notebook's convention: one call "
                  "rng.random(n), one draw per token in order, a token kept when its draw is below its word's keep "
                  "probability (section 2).")
    passed(name)

# ---------------------------------------------------------------------------- skipgram_pairs


def pairs_inputs(seed=None, window_size=None, n=None) -> dict:
    """{"statistics": (token_ids, window_size, rng seed), "exact": (token_ids, window_size, rng seed),
    "short": (token_ids, window_size, rng seed)}: a long run of distinct ids (position = id), a short sequence of
    repeated ids whose pairs are stored, and a sequence shorter than the window."""
    rng = np.random.default_rng(50 if seed is None else seed + 50)
    w = (4 if seed is None else int(rng.integers(1, 6))) if window_size is None else window_size
    n_exact = (14 if seed is None else int(rng.integers(1, 20))) if n is None else n
    return {"statistics": (np.arange(20000), w, 3 if seed is None else seed),
            "exact": (rng.integers(0, 9, size=n_exact) + 100, w, 5 if seed is None else seed + 5),
            "short": (np.array([7, 3, 7]) if seed is None else rng.integers(0, 50, size=int(rng.integers(1, 4))),
                      max(w, 4), 1 if seed is None else seed)}


PAIRS_CAUSE = ("likely cause: every position i draws its own window size b uniformly from 1..window_size, and pairs "
               "with every position j != i with |i - j| <= b inside the sequence (section 3).")


def _pairs(name: str, label: str, got):
    check_tuple(label, got, 2, ["centers", "contexts"])
    centers, contexts = (_as_ints(f"{what} of {label}", np.asarray(v) if isinstance(v, list) else v, what)
                         for what, v in zip(("centers", "contexts"), got))
    if centers.ndim != 1 or centers.shape != contexts.shape:
        _fail(f"{label}: expected centers and contexts of the same shape (n_pairs,) but got {centers.shape} and "
              f"{contexts.shape}.")
    return centers, contexts


def check_skipgram_pairs(skipgram_pairs, seed=None, window_size=None, n=None):
    """skipgram_pairs(token_ids, window_size, rng) -> (centers, contexts): the distances follow the dynamic window
    (distance d with probability (window_size - d + 1) / window_size), never a position with itself, nothing past
    the edges; exact pairs on short sequences; window_size 1's pairs on a sentence of the planted corpus."""
    name = "skipgram_pairs"
    case = FIXTURES.case(name, seed=seed, window_size=window_size, n=n)
    inputs = pairs_inputs(seed, window_size, n)
    with FIXTURES.stand_ins(skipgram_pairs, name):
        ids, w, rng_seed = inputs["statistics"]
        label = f"{name}(token_ids of length {len(ids)}, window_size={w})"
        centers, contexts = _pairs(name, label, call(skipgram_pairs, ids.copy(), w, _rng(rng_seed),
                                                     name=name))
        distance = contexts - centers   # the ids are the positions here
        if np.any(distance == 0):
            _fail(f"{label}: a position was paired with itself (center == context at the same position); likely "
                  "cause: the offset 0 must be skipped: j != i.")
        if np.any(np.abs(distance) > w) or np.any(centers < 0) or np.any(contexts >= len(ids)):
            _fail(f"{label}: got a pair at distance {int(np.abs(distance).max())}, beyond window_size={w}; likely "
                  "cause: a context outside the sequence was wrapped around to its other end (a negative index?); "
                  "positions before 0 or after n - 1 give no pair.")
        interior = np.arange(w, len(ids) - w)
        sizes = {}
        for sign in (-1, 1):
            reach = np.zeros(len(ids), dtype=np.int64)   # the farthest context on this side of each position
            side = distance * sign > 0
            np.maximum.at(reach, centers[side], np.abs(distance[side]))
            sizes[sign] = reach[interior]
        if not np.array_equal(sizes[-1], sizes[1]):
            _fail(f"{label}: a position reached further on one side than on the other; likely cause: each center "
                  "position i draws one window size b and uses it on both sides; the window size drawn for the "
                  "context position is not the one to use.")
        shares = np.array([np.mean(sizes[1] >= d) for d in range(1, w + 1)])
        if not _fits(shares, case["shares"], len(interior)):
            cause = _named(shares, case["share_mistakes"], len(interior))
            _fail(f"{label}: expected a context at distance d = 1..{w} for the shares "
                  f"{np.round(case['shares'], 3).tolist()} of the positions (a window size drawn uniformly from "
                  f"1..window_size reaches d with probability (window_size - d + 1) / window_size) but got "
                  f"{np.round(shares, 3).tolist()}. " + (f"likely cause: {cause}" if cause else PAIRS_CAUSE))
        # every pair within each position's reach is there (no gap inside the window)
        expected_pairs = int(2 * sizes[1].sum())
        if np.sum(np.isin(centers, interior)) != expected_pairs:
            _fail(f"{label}: some positions lack a context within their window; likely cause: a position i pairs "
                  "with every j != i with |i - j| <= b.")

        for part in ("exact", "short"):
            ids, w, rng_seed = inputs[part]
            label = f"{name}({ids.tolist()}, window_size={w})"
            centers, contexts = _pairs(name, label, call(skipgram_pairs, ids.copy(), w,
                                                         _rng(rng_seed), name=name))
            want_c, want_o = case[part]
            if centers.shape == want_c.shape and np.array_equal(centers, want_c) and np.array_equal(contexts, want_o):
                continue
            got_pairs = list(zip(centers.tolist(), contexts.tolist()))
            want_pairs = list(zip(want_c.tolist(), want_o.tolist()))
            cause = next((c for c, (mc, mo) in case["mistakes"][part].items() if mc.shape == centers.shape
                          and np.array_equal(mc, centers) and np.array_equal(mo, contexts)), None)
            if cause is None and sorted(got_pairs) == sorted(want_pairs):
                cause = ("the pairs are right but in another order: list them by center position i, and for each i "
                         "by context position j (the docstring).")
            _fail(f"{label}: expected {len(want_pairs)} pairs (center, context) starting {want_pairs[:6]} but got "
                  f"{len(got_pairs)} starting {got_pairs[:6]}. " + (f"likely cause: {cause}" if cause else
                                                                   PAIRS_CAUSE + " Use one rng.integers(1, "
                                                                   "window_size + 1, size=n) draw for the sizes."))

        if seed is None:   # a window of size 1 has one possible size: the pairs are known by construction
            words = KNOWN_SENTENCE.split()
            index = {w: i for i, w in enumerate(dict.fromkeys(words))}
            ids = np.array([index[w] for w in words])
            label = f"{name}({KNOWN_SENTENCE!r} as ids, window_size=1)"
            centers, contexts = _pairs(name, label, call(skipgram_pairs, ids, 1, _rng(0), name=name))
            words_of = list(index)
            got_pairs = [(words_of[c], words_of[o]) for c, o in zip(centers.tolist(), contexts.tolist())]
            if got_pairs != list(KNOWN_PAIRS_WINDOW_1):
                _fail(f"{label}: expected the pairs {list(KNOWN_PAIRS_WINDOW_1)} but got {got_pairs}; "
                      "likely cause: with window_size=1 every word pairs with its left and its right neighbour "
                      "(where there is one), listed by position.")
    passed(name)

# ---------------------------------------------------------------------------- noise_distribution


def noise_inputs(seed=None, power=None) -> list[tuple[np.ndarray, float]]:
    """(counts, power) pairs: the planted corpus's counts (power 0.75) and a hand-made vector with another power;
    or seeded random counts."""
    if seed is None:
        counts = np.array([482, 83, 60, 60, 43, 40, 40, 3, 2], dtype=np.int64)
        return [(counts, 0.75 if power is None else power), (np.array([1000, 100, 10, 1], dtype=np.int64), 0.5)]
    rng = np.random.default_rng(seed + 200)
    counts = np.sort(rng.integers(1, 10000, size=int(rng.integers(2, 15))))[::-1].astype(np.int64)
    return [(counts, float(rng.choice([0.75, 0.5, 1.0, 0.25])) if power is None else power)]


def check_noise_distribution(noise_distribution, seed=None, power=None):
    """noise_distribution(counts, power) = counts ** power / sum(counts ** power)."""
    name = "noise_distribution"
    case = FIXTURES.case(name, seed=seed, power=power)
    with FIXTURES.stand_ins(noise_distribution, name):
        for (counts, p), stored in zip(noise_inputs(seed, power), case["cases"]):
            label = f"{name}(counts {counts.tolist()}, power={p})"
            given = counts.copy()
            got = call(noise_distribution, counts, p, name=name)
            check_shape(label, got, stored["expected"].shape)
            check_close(label, got, stored["expected"], rtol=1e-9, atol=1e-12, mistakes=stored["mistakes"],
                        hint="likely cause: raise the counts to the power given (not a fixed one), then divide by "
                             "the sum of those powers so that the probabilities sum to 1 (section 4).")
            if not np.array_equal(counts, given):
                _fail(f"{name} changed its counts argument in place; compute a new array instead.")
    passed(name)

# ---------------------------------------------------------------------------- sample_negatives

#: The statistics' noise distribution: one frequent word (id 1) whose exclusion changes every other probability.
NEGATIVES_NOISE = np.array([0.05, 0.35, 0.2, 0.15, 0.1, 0.08, 0.05, 0.02])


def negatives_inputs(seed=None, k=None) -> dict:
    """{"scalar": (noise, k, exclude, rng seed), "array": (noise, k, exclude array, rng seed)}: many draws of each
    kind; the array of positive words holds every word, the frequent one most often."""
    if seed is None:
        noise = NEGATIVES_NOISE
    else:
        rng = np.random.default_rng(seed + 300)
        weights = rng.uniform(0.2, 1.0, size=int(rng.integers(3, 10))) ** 3
        noise = weights / weights.sum()
    exclude = np.concatenate([np.full(1500, int(np.argmax(noise))), np.tile(np.arange(len(noise)), 250)])
    np.random.default_rng(0 if seed is None else seed).shuffle(exclude)
    return {"scalar": (noise, 40000 if k is None else k, int(np.argmax(noise)), 21 if seed is None else seed),
            "array": (noise, 5 if k is None else k, exclude, 22 if seed is None else seed + 1)}


def _check_negatives(name, label, got, shape, exclude, V):
    got = _as_ints(label, got, "the negatives")
    if got.shape != shape:
        _fail(f"{label}: expected shape {shape} but got shape {got.shape}; likely cause: k negatives for an int "
              "exclude; one row of k negatives per excluded word for an array.")
    if got.size and (got.min() < 0 or got.max() >= V):
        _fail(f"{label}: got ids outside 0..{V - 1}: draw word ids, indices of noise.")
    target = exclude if np.ndim(exclude) == 0 else np.asarray(exclude)[:, None]
    if np.any(got == target):
        _fail(f"{label}: the excluded word was drawn as a negative ({int(np.sum(got == target))} times); likely "
              "cause: a negative equal to exclude (the positive word of its row) must be drawn again.")
    return got


def check_sample_negatives(sample_negatives, seed=None, k=None):
    """sample_negatives(noise, k, exclude, rng): shape (k,) or (n, k); never the excluded word; frequencies of the
    noise renormalised without the excluded word, over many draws; the same draws for the same rng seed."""
    name = "sample_negatives"
    case = FIXTURES.case(name, seed=seed, k=k)
    inputs = negatives_inputs(seed, k)
    with FIXTURES.stand_ins(sample_negatives, name):
        for part in ("scalar", "array"):
            noise, kk, exclude, rng_seed = inputs[part]
            V = len(noise)
            shape = (kk,) if part == "scalar" else (len(exclude), kk)
            what = f"exclude={exclude}" if part == "scalar" else f"an array of {len(exclude)} excluded words"
            label = f"{name}(noise over {V} words, k={kk}, {what})"
            given = noise.copy()
            got = call(sample_negatives, noise, kk, exclude, _rng(rng_seed), name=name)
            got = _check_negatives(name, label, got, shape, exclude, V)
            if not np.array_equal(noise, given):
                _fail(f"{name} changed its noise argument in place; leave it unchanged.")
            again = call(sample_negatives, noise.copy(), kk, exclude, _rng(rng_seed), name=name)
            if not np.array_equal(np.asarray(again), got):
                _fail(f"{label}: two calls with generators of the same seed drew different negatives; likely cause: "
                      "the draws do not come from the rng argument (np.random's own functions were used?); make "
                      "every random draw with rng.")
            shares = np.bincount(got.ravel(), minlength=V) / got.size
            expected = case[part]["shares"]
            if not _fits(shares, expected, got.size):
                cause = _named(shares, case[part]["mistakes"], got.size)
                w = int(np.argmax(np.abs(shares - expected) - share_tolerance(expected, got.size)))
                _fail(f"{label}: word {w} should make {expected[w]:.4f} of the {got.size} negatives but makes "
                      f"{shares[w]:.4f} (allowed: {float(share_tolerance(expected[w], got.size)):.4f} either way). "
                      + (f"likely cause: {cause}" if cause else
                         "likely cause: draw each negative from noise, and draw again any equal to the excluded "
                         "word, which is the same as drawing from noise renormalised without it (section 4)."))
        # edge cases: k = 1, one excluded word in an array, a scalar given as a numpy int; the excluded word is the
        # most probable one, so that every first draw is often the excluded word itself
        noise = inputs["scalar"][0]
        top = int(np.argmax(noise))
        for kk, exclude in ((1, top), (1, np.array([top])), (2, np.int64(top))):
            label = f"{name}(noise over {len(noise)} words, k={kk}, exclude={exclude!r})"
            shape = (kk,) if np.ndim(exclude) == 0 else (1, kk)
            for rng_seed in range(10):
                got = call(sample_negatives, noise.copy(), kk, exclude, _rng((seed or 0) + rng_seed), name=name)
                _check_negatives(name, label, got, shape, exclude, len(noise))
    passed(name)

# ---------------------------------------------------------------------------- the loss functions


def loss_inputs(seed=None, vocab_size=None, d=None, k=None, large=True) -> list[dict]:
    """Arguments of the loss functions: center_vec (d,), outside_index, outside_vectors (V, d), and for negative
    sampling negative_indices (K,). Public: V = 7, d = 4 with moderate scores; V = 5, d = 3 with larger scores
    (``large``: the largest score is 900, which overflows a softmax that does not subtract the largest score);
    negatives with a duplicate and with the center word's id, and in the second case one equal to the outside word
    itself. Seeded: other sizes."""
    rng = np.random.default_rng(400 if seed is None else seed + 400)
    V = (7 if seed is None else int(rng.integers(2, 12))) if vocab_size is None else vocab_size
    dim = (4 if seed is None else int(rng.integers(1, 8))) if d is None else d
    K = (5 if seed is None else int(rng.integers(1, 7))) if k is None else k
    cases = []
    for scale in (0.7, 9.0 if large else 1.3):
        size = (V, dim) if scale < 1 or seed is not None else (max(V - 2, 2), max(dim - 1, 1))
        U = rng.standard_normal(size) * scale
        v = rng.standard_normal(size[1]) * scale
        o = int(rng.integers(0, size[0]))
        if scale > 1 and large:   # the largest score is 900: exp overflows unless the largest is subtracted
            scores = U @ v
            v = v * 900.0 / scores[np.argmax(np.abs(scores))]
            scores = U @ v
            if size[0] > 1 and o == int(np.argmax(scores)):
                o = (o + 1) % size[0]
            if size[0] > 1:       # the outside word scores 898: its probability is moderate, not 0
                U[o] += v * (898.0 - scores[o]) / (v @ v)
        center = int(rng.integers(0, size[0]))
        negatives = rng.integers(0, size[0], size=K)
        if K >= 2:
            negatives[1] = negatives[0]            # a negative drawn twice
        if K >= 3:
            negatives[2] = center                  # the center word's own id: an ordinary negative
        if scale > 1 and K >= 1:
            negatives[-1] = o                      # a negative equal to the outside word: both terms on its row
        cases.append({"center_vec": v, "outside_index": o, "outside_vectors": U, "negative_indices": negatives})
    return cases


def _gradient_check(name: str, label: str, fn, args: list, position: int, grad, what: str):
    """The gradient ``grad`` of fn(*args)[0] with respect to args[position], against central differences of the
    function's own loss."""
    x = np.array(args[position], dtype=np.float64, copy=True)
    call_args = list(args)
    call_args[position] = x

    def loss():
        return float(call(fn, *call_args, name=name)[0])

    # A function that computes in float32 (a correct choice) rounds its loss to about 1e-7 of its size: central
    # differences then need a larger step, and hold the gradient to single precision's accuracy (a wrong gradient
    # is off by far more: a sign, a missing term or a factor).
    single = low_precision(np.asarray(grad))
    numeric = numerical_gradient(loss, x, eps=1e-3 if single else 1e-6)
    err = relative_error(np.asarray(grad, dtype=np.float64), numeric)
    if not err < (1e-2 if single else 1e-5):
        _fail(f"{label}: {what} does not match the numerical gradient of the loss it returns (relative error "
              f"{err:.3g}); likely cause: the loss and this gradient disagree; re-derive the gradient from the loss "
              "formula (the equations of the section).")


def _score_scale(v, U) -> float:
    """A bound on the size of every score u_w . v_c: the largest row norm of U times the norm of v_c."""
    return float(np.max(np.linalg.norm(U, axis=1), initial=0.0) * np.linalg.norm(v))


def _check_loss_triple(name, label, got, stored, shapes, hints, scale=1.0):
    check_tuple(label, got, 3, ["loss", "grad_center", "grad_outside"])
    loss, grad_center, grad_outside = got
    if np.ndim(loss) != 0:
        _fail(f"loss of {label}: expected a single number but got an array of shape {np.shape(loss)}. The loss is "
              "the loss of the one outside word o: one number.")
    loss = float(np.asarray(loss))
    if not np.isfinite(loss):
        _fail(f"loss of {label}: expected {float(stored['loss']):.6g} but got {loss}. " + hints["overflow"])
    # Computed in float32 (its gradients say so), the loss is as exact as scores of this size rounded to single
    # precision: about 1e-7 of the largest score, however small the loss.
    low = any(low_precision(np.asarray(g)) for g in (grad_center, grad_outside))
    check_close(f"loss of {label}", loss, stored["loss"], rtol=1e-5 if low else 1e-7,
                atol=1e-6 * max(1.0, scale) if low else 1e-9, mistakes=stored["mistakes"]["loss"], hint=hints["loss"])
    for what, grad, shape in (("grad_center", grad_center, shapes[0]), ("grad_outside", grad_outside, shapes[1])):
        expected = np.asarray(stored[what])
        # in float32, the probabilities carry the scores' rounding too: held to it, times the gradient's size
        atol = 1e-6 * max(1.0, scale) * max(1.0, float(np.max(np.abs(expected), initial=0.0))) if low else 1e-9
        check_shape(f"{what} of {label}", grad, shape)
        check_close(f"{what} of {label}", grad, expected, rtol=1e-6, atol=atol, mistakes=stored["mistakes"][what],
                    hint=hints[what])
    return grad_center, grad_outside


NAIVE_HINTS = {
    "overflow": "likely cause: the scores overflow exp; subtract the largest score from all of them before "
                "exponentiating (it does not change the softmax).",
    "loss": "likely cause: the loss is -log of the softmax probability of the outside word o: "
            "-log(exp(u_o . v_c) / sum_w exp(u_w . v_c)) (section 5).",
    "grad_center": "likely cause: dJ/dv_c = U^T (y_hat - y), with y_hat the softmax probabilities and y one-hot at "
                   "o (section 5).",
    "grad_outside": "likely cause: dJ/dU = (y_hat - y) v_c^T, a (vocab_size, d) matrix whose row w is "
                    "(y_hat_w - y_w) v_c (section 5).",
}


def check_naive_softmax_loss_and_gradient(naive_softmax_loss_and_gradient, seed=None, vocab_size=None, d=None):
    """naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors) -> (loss, grad_center,
    grad_outside): stored values (moderate and large scores), then gradients against numerical differences."""
    name = NAIVE
    case = FIXTURES.case("naive_softmax_loss_and_gradient", seed=seed, vocab_size=vocab_size, d=d)
    fn = naive_softmax_loss_and_gradient
    with FIXTURES.stand_ins(fn, name):
        for args, stored in zip(loss_inputs(seed, vocab_size, d), case["cases"]):
            v, o, U = args["center_vec"], args["outside_index"], args["outside_vectors"]
            label = f"{name}(v_c of shape {v.shape}, o={o}, U of shape {U.shape})"
            given = (v.copy(), U.copy())
            with np.errstate(all="ignore"):
                got = call(fn, v, o, U, name=name)
            grads = _check_loss_triple(name, label, got, stored, (v.shape, U.shape), NAIVE_HINTS,
                                       scale=_score_scale(v, U))
            if not (np.array_equal(v, given[0]) and np.array_equal(U, given[1])):
                _fail(f"{name} changed center_vec or outside_vectors in place; compute new arrays instead.")
            if np.abs(U @ v).max() < 20:   # the numerical gradient of the loss the function itself returns
                _gradient_check(name, label, fn, [v, o, U], 0, grads[0], "grad_center")
                _gradient_check(name, label, fn, [v, o, U], 2, grads[1], "grad_outside")
    passed(name)


NEG_HINTS = {
    "overflow": "likely cause: a log of 0; use the sigmoid given in the setup cell, and sigma(-x) for 1 - sigma(x).",
    "loss": "likely cause: the loss is -log sigma(u_o . v_c) - sum_k log sigma(-u_k . v_c), one term per entry of "
            "negative_indices (section 6).",
    "grad_center": "likely cause: dJ/dv_c = (sigma(u_o . v_c) - 1) u_o + sum_k sigma(u_k . v_c) u_k (section 6).",
    "grad_outside": "likely cause: row o of dJ/dU gets (sigma(u_o . v_c) - 1) v_c, and the row of every negative "
                    "gets sigma(u_k . v_c) v_c, added once per occurrence: a negative drawn twice counts twice, and a "
                    "negative equal to o adds to the same row (section 6).",
}


def check_neg_sampling_loss_and_gradient(neg_sampling_loss_and_gradient, seed=None, k=None):
    """neg_sampling_loss_and_gradient(center_vec, outside_index, outside_vectors, negative_indices): stored values
    with a duplicate negative, a negative equal to the center word's id and one equal to the outside word; then
    gradients against numerical differences."""
    name = "neg_sampling_loss_and_gradient"
    case = FIXTURES.case(name, seed=seed, k=k)
    fn = neg_sampling_loss_and_gradient
    with FIXTURES.stand_ins(fn, name):
        for args, stored in zip(loss_inputs(seed, k=k, large=False), case["cases"]):
            v, o, U, neg = (args[key] for key in ("center_vec", "outside_index", "outside_vectors",
                                                  "negative_indices"))
            label = f"{name}(v_c of shape {v.shape}, o={o}, U of shape {U.shape}, negatives {neg.tolist()})"
            given = (v.copy(), U.copy(), neg.copy())
            with np.errstate(all="ignore"):
                got = call(fn, v, o, U, neg, name=name)
            grads = _check_loss_triple(name, label, got, stored, (v.shape, U.shape), NEG_HINTS,
                                       scale=_score_scale(v, U))
            if not all(np.array_equal(a, b) for a, b in zip((v, U, neg), given)):
                _fail(f"{name} changed one of its arguments in place; compute new arrays instead.")
            _gradient_check(name, label, fn, [v, o, U, neg], 0, grads[0], "grad_center")
            _gradient_check(name, label, fn, [v, o, U, neg], 2, grads[1], "grad_outside")
    passed(name)

# ---------------------------------------------------------------------------- skipgram and cbow


def toy_loss_and_gradient(center_vec, outside_index, outside_vectors):
    """A loss function with the signature of the notebook's, for checking skipgram and cbow on their own.

    J = u_o . v + 0.1 (o + 1) ||v||^2 + sum_w b_w (u_w . v), with b_w = 0.05 (w + 1); it returns J, dJ/dv (d,) and
    dJ/dU (vocab_size, d), exactly. It is no word2vec loss: only a simple function whose gradients are known."""
    v = np.asarray(center_vec, dtype=np.float64)
    U = np.asarray(outside_vectors, dtype=np.float64)
    if v.ndim != 1 or U.ndim != 2 or U.shape[1] != v.shape[0]:
        raise ValueError(f"loss_fn was given a vector of shape {v.shape} and outside vectors of shape {U.shape}; "
                         f"expected shapes (d,) and (vocab_size, d)")
    o = int(outside_index)
    b = 0.05 * (np.arange(U.shape[0]) + 1)
    loss = float(U[o] @ v + 0.1 * (o + 1) * (v @ v) + b @ (U @ v))
    grad_center = U[o] + 0.2 * (o + 1) * v + U.T @ b
    grad_outside = np.outer(b, v)
    grad_outside[o] += v
    return loss, grad_center, grad_outside


class _Recorded:
    """A loss function that records the arguments of every call (center_vec, outside_index, which matrix)."""

    def __init__(self, fn, center_vectors, outside_vectors):
        self.fn, self.calls = fn, []
        self.V, self.U = center_vectors, outside_vectors
        self.__name__ = getattr(fn, "__name__", "loss_fn")

    def __call__(self, center_vec, outside_index, outside_vectors, *rest):
        U = np.asarray(outside_vectors)
        which = "U" if U.shape == self.U.shape and np.array_equal(U, self.U) else \
            "V" if U.shape == self.V.shape and np.array_equal(U, self.V) else "?"
        self.calls.append((np.array(center_vec, dtype=np.float64, copy=True), int(outside_index), which))
        return self.fn(center_vec, outside_index, outside_vectors, *rest)


def window_inputs(seed=None, n_outside=None) -> list[dict]:
    """Windows for skipgram and cbow: center_word, window_size, outside_words (with a repeated word, and the center
    word among them), word_to_index and the two matrices (vocab_size, d), different ones."""
    rng = np.random.default_rng(500 if seed is None else seed + 500)
    words = ["the", "king", "rules", "land", "queen", "people", "throne"] if seed is None else \
        _random_words(rng, int(rng.integers(2, 10)))
    V, dim = len(words), (3 if seed is None else int(rng.integers(1, 6)))
    word_to_index = {w: i for i, w in enumerate(words)}
    m = (4 if seed is None else int(rng.integers(1, 6))) if n_outside is None else n_outside
    center = words[1 % V]
    outside = [words[int(i)] for i in rng.integers(0, V, size=m)]
    if m >= 2:
        outside[1] = outside[0]             # a word twice in the window
    if m >= 3:
        outside[2] = center                 # the center word again, as a context
    return [{"center_word": center, "window_size": (m + 1) // 2 if m > 1 else 1, "outside_words": outside,
             "word_to_index": word_to_index, "center_vectors": rng.standard_normal((V, dim)) * 0.5,
             "outside_vectors": rng.standard_normal((V, dim)) * 0.5}]


def naive_softmax_for_windows(naive_softmax_loss_and_gradient=None):
    """The naive softmax loss that check_skipgram and check_cbow pass: the instructor's where it is installed (the
    grader: one bug costs one function's points), else the notebook's own (the student's copy)."""
    ref = reference(AID)
    return ref.GRADED[NAIVE] if ref is not None else naive_softmax_loss_and_gradient


def _check_window(name, fn, args, loss_fn, stored, kind):
    label = f"{name}({args['center_word']!r}, {args['window_size']}, {args['outside_words']}, ..., loss_fn={kind})"
    V, U = args["center_vectors"], args["outside_vectors"]
    given = (V.copy(), U.copy())
    recorded = _Recorded(loss_fn, V, U)
    got = call(fn, args["center_word"], args["window_size"], list(args["outside_words"]), dict(args["word_to_index"]),
               V, U, recorded, name=name)
    check_tuple(label, got, 3, ["loss", "grad_center_vectors", "grad_outside_vectors"])
    loss, grad_center, grad_outside = got
    if np.ndim(loss) != 0:
        _fail(f"loss of {label}: expected a single number but got shape {np.shape(loss)}.")
    if not (np.array_equal(V, given[0]) and np.array_equal(U, given[1])):
        _fail(f"{name} changed center_vectors or outside_vectors in place; it only computes gradients.")
    cause = stored["diagnose"](recorded.calls) if callable(stored.get("diagnose")) else None
    mistakes = stored["mistakes"]
    check_close(f"loss of {label}", float(np.asarray(loss)), stored["loss"], rtol=1e-7, atol=1e-9,
                mistakes=mistakes["loss"], hint=cause or stored["hint"])
    check_shape(f"grad_center_vectors of {label}", grad_center, V.shape,
                hint="likely cause: the gradient with respect to the whole matrix center_vectors, (vocab_size, d).")
    check_close(f"grad_center_vectors of {label}", grad_center, stored["grad_center"], rtol=1e-6, atol=1e-9,
                mistakes=mistakes["grad_center"], hint=cause or stored["hint"])
    check_shape(f"grad_outside_vectors of {label}", grad_outside, U.shape)
    check_close(f"grad_outside_vectors of {label}", grad_outside, stored["grad_outside"], rtol=1e-6, atol=1e-9,
                mistakes=mistakes["grad_outside"], hint=cause or stored["hint"])
    return label, grad_center, grad_outside


def _window_gradient_check(name, label, fn, args, loss_fn, grads):
    """skipgram's or cbow's gradients with respect to both matrices against central differences of its loss."""
    for position, key, grad in ((4, "center_vectors", grads[0]), (5, "outside_vectors", grads[1])):
        call_args = [args["center_word"], args["window_size"], list(args["outside_words"]), args["word_to_index"],
                     args["center_vectors"].copy(), args["outside_vectors"].copy()]
        _gradient_check(name, label, lambda *a: fn(*a, loss_fn), call_args, position, grad,
                        f"the gradient with respect to {key}")


def _calls_skipgram(calls, args) -> str | None:
    """What the recorded loss_fn calls of skipgram say is wrong, if anything."""
    c = args["word_to_index"][args["center_word"]]
    want = [args["word_to_index"][w] for w in args["outside_words"]]
    if len(calls) != len(want):
        return (f"loss_fn was called {len(calls)} times; call it once for every word of outside_words "
                f"({len(want)}, a repeated word once per occurrence).")
    if any(which == "V" for _, _, which in calls):
        return "loss_fn was given center_vectors as its outside_vectors; pass outside_vectors U."
    if any(not np.allclose(vec, args["center_vectors"][c]) for vec, _, _ in calls):
        if all(np.allclose(vec, args["outside_vectors"][c]) for vec, _, _ in calls):
            return "loss_fn was given the center word's row of outside_vectors; v_c is its row of center_vectors."
        return "loss_fn was not given v_c, the center word's row of center_vectors."
    if sorted(o for _, o, _ in calls) != sorted(want):
        return "loss_fn was given other indices than those of the outside words: it predicts each outside word."
    return None


def _calls_cbow(calls, args) -> str | None:
    idx = [args["word_to_index"][w] for w in args["outside_words"]]
    c = args["word_to_index"][args["center_word"]]
    if len(calls) != 1:
        return f"loss_fn was called {len(calls)} times; CBOW calls it once, with v_hat, for the center word."
    vec, o, which = calls[0]
    if which == "V":
        return "loss_fn was given center_vectors as its outside_vectors; pass outside_vectors U."
    if o != c:
        return "loss_fn was asked to predict another word than the center word: CBOW predicts the center word."
    total = args["center_vectors"][idx].sum(axis=0)
    if np.allclose(vec, total / len(idx)) and not np.allclose(vec, total):
        return ("v_hat is the mean of the context vectors; in this notebook it is their sum (CS224n's "
                "convention, section 7).")
    if np.allclose(vec, args["outside_vectors"][idx].sum(axis=0)) and not np.allclose(vec, total):
        return "v_hat was made from rows of outside_vectors; it is the sum of the outside words' center vectors."
    if not np.allclose(vec, total):
        return "v_hat is not the sum of the outside words' rows of center_vectors (each occurrence counts)."
    return None


SKIPGRAM_HINT = ("likely cause: the loss is the sum over the outside words of loss_fn(v_c, o, U); the gradient rows "
                 "of center_vectors are zero but the center word's, which gets the sum of the grad_center of every "
                 "call; grad_outside_vectors is the sum of their grad_outside (section 7).")
CBOW_HINT = ("likely cause: one call loss_fn(v_hat, c, U) with v_hat the sum of the outside words' center vectors; "
             "each outside word's row of the center gradient gets the grad_center of that call, once per "
             "occurrence (section 7).")


def _check_window_function(name, fn, naive_softmax, seed, n_outside, diagnose, hint):
    case = FIXTURES.case(name, seed=seed, n_outside=n_outside)
    naive = naive_softmax_for_windows(naive_softmax)
    with FIXTURES.stand_ins(fn, name):
        for args, stored in zip(window_inputs(seed, n_outside), case["cases"]):
            for kind, loss_fn in (("toy_loss_and_gradient", toy_loss_and_gradient), (NAIVE, naive)):
                if loss_fn is None:
                    continue
                part = dict(stored[kind], hint=hint, diagnose=lambda calls, a=args: diagnose(calls, a))
                if kind == NAIVE and reference(AID) is None:
                    part["hint"] = hint + (" (Here loss_fn is your own naive_softmax_loss_and_gradient: make its "
                                           "check pass first.)")
                try:
                    label, grad_c, grad_o = _check_window(name, fn, args, loss_fn, part, kind)
                except NotImplementedError:
                    if kind == NAIVE and reference(AID) is None:
                        continue  # the notebook's naive softmax is unfinished: the grader uses its own for this part
                    raise
                if kind == "toy_loss_and_gradient" and args["center_vectors"].size <= 30:
                    _window_gradient_check(name, label, fn, args, loss_fn, (grad_c, grad_o))
    passed(name)


def check_skipgram(skipgram, naive_softmax_loss_and_gradient=None, seed=None, n_outside=None):
    """skipgram(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors, loss_fn):
    with toy_loss_and_gradient (stored values, how loss_fn is called, numerical gradients) and with the naive
    softmax loss (stored values); a window with a repeated word and the center word among the outside words."""
    _check_window_function("skipgram", skipgram, naive_softmax_loss_and_gradient, seed, n_outside, _calls_skipgram,
                           SKIPGRAM_HINT)


def check_cbow(cbow, naive_softmax_loss_and_gradient=None, seed=None, n_outside=None):
    """cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors, loss_fn): as
    check_skipgram, for one prediction of the center word from the sum of the context vectors."""
    _check_window_function("cbow", cbow, naive_softmax_loss_and_gradient, seed, n_outside, _calls_cbow, CBOW_HINT)

# ---------------------------------------------------------------------------- sgns_step


def step_inputs(seed=None, batch=None, k=None, dtype="float64") -> dict:
    """center_vectors, outside_vectors (vocab_size, d), centers and contexts (B,), negatives (B, K) and the learning
    rate. The public batch repeats a center word, repeats a context word, holds a negative twice in one row and uses
    a context word of one pair as a negative of another, so that rows used several times must add up."""
    rng = np.random.default_rng(600 if seed is None else seed + 600)
    V = 9 if seed is None else int(rng.integers(2, 15))
    dim = 4 if seed is None else int(rng.integers(1, 7))
    B = (6 if seed is None else int(rng.integers(1, 9))) if batch is None else batch
    K = (3 if seed is None else int(rng.integers(1, 5))) if k is None else k
    centers = rng.integers(0, V, size=B)
    contexts = rng.integers(0, V, size=B)
    negatives = rng.integers(0, V, size=(B, K))
    if B >= 2:
        centers[1] = centers[0]
        contexts[-1] = contexts[0]
        negatives[1, 0] = contexts[0]
    if K >= 2:
        negatives[0, 1] = negatives[0, 0]
    return {"center_vectors": (rng.standard_normal((V, dim)) * 0.8).astype(dtype),
            "outside_vectors": (rng.standard_normal((V, dim)) * 0.8).astype(dtype),
            "centers": centers, "contexts": contexts, "negatives": negatives,
            "learning_rate": 0.5 if seed is None else float(rng.uniform(0.05, 1.0))}


STEP_CAUSE = ("likely cause: every pair's gradients come from the matrices as they are before the step (section 6's "
              "formulas, one row per pair); each row then moves by -learning_rate times the sum of its gradients over "
              "the batch, in place (section 8).")


def check_sgns_step(sgns_step, seed=None, batch=None, k=None, dtype="float64"):
    """sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate) -> the mean loss per
    pair before the step; the matrices updated in place by the summed gradients (rows used several times add up),
    in float64 and in float32."""
    name = "sgns_step"
    case = FIXTURES.case(name, seed=seed, batch=batch, k=k, dtype=dtype)
    args = step_inputs(seed, batch, k, dtype)
    with FIXTURES.stand_ins(sgns_step, name):
        V, U = args["center_vectors"].copy(), args["outside_vectors"].copy()
        B, K = args["negatives"].shape
        label = f"{name}(V and U of shape {V.shape} ({dtype}), a batch of {B} pairs, K={K})"
        loss = call(sgns_step, V, U, args["centers"].copy(), args["contexts"].copy(), args["negatives"].copy(),
                    args["learning_rate"], name=name)
        if loss is None:
            _fail(f"{label}: expected the mean loss (a float) but got None; return the loss computed before the "
                  "update.")
        if np.ndim(loss) != 0:
            _fail(f"{label}: expected the mean loss over the batch, one number, but got an array of shape "
                  f"{np.shape(loss)}.")
        check_close(f"the loss of {label}", float(np.asarray(loss)), case["loss"], rtol=1e-5 if dtype != "float64"
                    else 1e-7, atol=1e-7, mistakes=case["mistakes"]["loss"],
                    hint="likely cause: the mean over the B pairs of -log sigma(u_o . v_c) - sum_k log sigma(-u_k . "
                         "v_c), from the matrices before the step.")
        if np.array_equal(V, args["center_vectors"]) and np.array_equal(U, args["outside_vectors"]):
            _fail(f"{label}: center_vectors and outside_vectors are unchanged after the call; likely cause: the "
                  "step must change the arrays given, in place (np.add.at on them, or indexed +=), not new arrays.")
        for what, got, key in (("center_vectors", V, "center_vectors"), ("outside_vectors", U, "outside_vectors")):
            if got.dtype != args[key].dtype:
                _fail(f"{label}: {what} changed dtype to {got.dtype}.")
            check_close(f"{what} after {label}", got, case[key], rtol=1e-7, atol=1e-9,
                        mistakes=case["mistakes"][key], hint=STEP_CAUSE)
    passed(name)

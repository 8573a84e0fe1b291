"""Helpers of the word2vec notebook that are not the lesson: the training loop around your functions, a loss curve,
the longer run's vectors, a 2-D map of word groups, and a side-by-side comparison with GloVe.

    run = train_sgns(token_ids, counts, subsample=subsample, skipgram_pairs=skipgram_pairs,
                     noise_distribution=noise_distribution, sample_negatives=sample_negatives,
                     sgns_step=sgns_step, dim=50, max_tokens=100_000)

:func:`train_sgns` only calls the five functions it is given (the notebook passes yours): it is the loop of
word2vec's skip-gram with negative sampling (Mikolov et al., 2013) written around them, minibatch by minibatch.
:func:`load_pretrained` loads the vectors of a longer run of the same loop on the whole corpus, made by the
instructor's script ``data/models/word2vec/train.py`` (its README gives the command, the time and the metrics).
"""
from __future__ import annotations

import json
import math
import time
from typing import Callable, NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from checks.paths import data_path
from week2.glove import GloVe, load_glove
from week2.word_vectors import pca_2d, place_labels

VECTORS_FILE = ("models", "word2vec", "vectors.npz")
METRICS_FILE = ("models", "word2vec", "metrics.json")

#: The learning rate decays linearly from its start towards 0, never below this fraction of it (word2vec's C code).
MIN_LEARNING_RATE_FRACTION = 1e-4


class TrainingRun(NamedTuple):
    """What :func:`train_sgns` returns.

    center_vectors, outside_vectors -- V and U, float32 arrays of shape (vocab_size, dim); V are the word vectors
    losses -- list of (pairs_seen, mean loss per pair over the batches since the previous entry)
    seconds -- wall time of the whole run (subsampling, pairs, negatives and steps)
    words_per_second -- tokens of ``token_ids`` processed per second, counted before subsampling (epochs x tokens /
                        seconds: the way gensim counts raw words)
    pairs_per_second -- (center, context) pairs trained on per second
    """
    center_vectors: np.ndarray
    outside_vectors: np.ndarray
    losses: list
    seconds: float
    words_per_second: float
    pairs_per_second: float


def train_sgns(token_ids, counts, *, subsample: Callable, skipgram_pairs: Callable, noise_distribution: Callable,
               sample_negatives: Callable, sgns_step: Callable, dim: int = 50, window_size: int = 5,
               negatives: int = 5, t: float = 1e-4, learning_rate: float = 0.025, batch_size: int = 1024,
               epochs: int = 1, max_tokens: int | None = None, seed: int = 0, loss_points: int = 100,
               verbose: bool = True) -> TrainingRun:
    """Train word vectors with skip-gram and negative sampling, using the five functions given.

    token_ids -- int array (n_tokens,): the corpus as vocabulary ids (words outside the vocabulary left out)
    counts -- int array (vocab_size,): each word's count, as build_vocabulary returns it
    subsample, skipgram_pairs, noise_distribution, sample_negatives, sgns_step -- functions with the signatures of
        the notebook's graded functions of the same names
    dim -- size d of the vectors; window_size -- the largest window (the window is dynamic: skipgram_pairs draws
        its size); negatives -- K negatives per pair; t -- the subsampling threshold
    learning_rate -- the starting learning rate; it decays linearly with the work done, towards 0 at the end of the
        last epoch, never below ``MIN_LEARNING_RATE_FRACTION`` of its start (word2vec's schedule)
    batch_size -- pairs per call of sgns_step; epochs -- passes over the tokens
    max_tokens -- if given, each epoch uses only the first ``max_tokens`` ids: a fixed amount of work
    seed -- seeds the one random generator used for the initial vectors, subsampling, windows, the shuffle and the
        negatives: the same arguments give the same vectors
    loss_points -- about how many entries ``losses`` gets; verbose -- print a progress line every quarter of the work

    Each epoch: subsample the ids, make the skip-gram pairs, shuffle them, then for each minibatch of pairs draw K
    negatives per pair (never the pair's context word) and take one sgns_step. The vectors start as in word2vec:
    center rows uniform in [-0.5/d, 0.5/d], outside rows zero.
    """
    token_ids = np.asarray(token_ids, dtype=np.int64)
    if max_tokens is not None:
        token_ids = token_ids[:max_tokens]
    counts = np.asarray(counts)
    vocab_size = counts.shape[0]
    rng = np.random.default_rng(seed)
    center_vectors = ((rng.random((vocab_size, dim), dtype=np.float32) - np.float32(0.5)) / np.float32(dim))
    outside_vectors = np.zeros((vocab_size, dim), dtype=np.float32)
    noise = noise_distribution(counts)

    losses: list = []
    pairs_seen, interval, since, interval_loss, interval_pairs = 0, None, 0, 0.0, 0
    reports = iter((0.25, 0.5, 0.75))
    next_report = next(reports)
    start = time.perf_counter()
    for epoch in range(epochs):
        kept = subsample(token_ids, counts, t, rng)
        centers, contexts = skipgram_pairs(kept, window_size, rng)
        order = rng.permutation(len(centers))
        centers, contexts = np.asarray(centers)[order], np.asarray(contexts)[order]
        n_batches = math.ceil(len(centers) / batch_size)
        if interval is None:  # from the first epoch's size: about loss_points entries over the whole run
            interval = max(1, round(n_batches * epochs / max(1, loss_points)))
        for b in range(n_batches):
            progress = (epoch + b / n_batches) / epochs
            rate = learning_rate * max(MIN_LEARNING_RATE_FRACTION, 1.0 - progress)
            c, o = centers[b * batch_size:(b + 1) * batch_size], contexts[b * batch_size:(b + 1) * batch_size]
            loss = sgns_step(center_vectors, outside_vectors, c, o, sample_negatives(noise, negatives, o, rng), rate)
            pairs_seen += len(c)
            interval_loss += float(loss) * len(c)
            interval_pairs += len(c)
            since += 1
            if since == interval or (epoch == epochs - 1 and b == n_batches - 1):
                losses.append((pairs_seen, interval_loss / interval_pairs))
                since, interval_loss, interval_pairs = 0, 0.0, 0
            done = (epoch + (b + 1) / n_batches) / epochs
            if verbose and next_report is not None and done >= next_report:
                _progress(done, epoch, epochs, pairs_seen, losses, token_ids.shape[0], start)
                next_report = next(reports, None)
    seconds = time.perf_counter() - start
    if verbose:
        _progress(1.0, epochs - 1, epochs, pairs_seen, losses, token_ids.shape[0], start)
    return TrainingRun(center_vectors, outside_vectors, losses, seconds,
                       token_ids.shape[0] * epochs / seconds, pairs_seen / seconds)


def _progress(done, epoch, epochs, pairs_seen, losses, n_tokens, start):
    elapsed = time.perf_counter() - start
    loss = f"{losses[-1][1]:.3f}" if losses else "-"
    print(f"{done:4.0%} | epoch {epoch + 1}/{epochs} | {pairs_seen:,} pairs | loss {loss} | "
          f"{n_tokens * epochs * done / elapsed:,.0f} words/s | {elapsed:.1f} s")


def plot_losses(run: TrainingRun, ax=None):
    """The loss curve of a run: mean loss per pair against the pairs seen; returns the figure."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    pairs, loss = zip(*run.losses) if run.losses else ((), ())
    ax.plot(pairs, loss)
    ax.set_xlabel("pairs seen")
    ax.set_ylabel("mean loss per pair")
    ax.set_title("Skip-gram with negative sampling")
    ax.grid(alpha=0.3)
    ax.figure.tight_layout()
    return ax.figure


# ---------------------------------------------------------------------------- the longer run


class Pretrained(NamedTuple):
    """The longer run's vectors (see ``data/models/word2vec/README.md``)."""
    word_to_index: dict
    index_to_word: list
    vectors: np.ndarray      # (vocab_size, d) float32: the center vectors V
    counts: np.ndarray       # (vocab_size,) int64
    metrics: dict            # the run's metrics.json


def load_pretrained(path=None) -> Pretrained:
    """The vectors trained by ``data/models/word2vec/train.py`` on the whole corpus, and that run's metrics."""
    path = path or data_path(*VECTORS_FILE)
    with np.load(path) as saved:
        index_to_word = [str(w) for w in saved["words"]]
        vectors = saved["vectors"].astype(np.float32)
        counts = saved["counts"].astype(np.int64)
    metrics_path = data_path(*METRICS_FILE, must_exist=False)
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    return Pretrained({w: i for i, w in enumerate(index_to_word)}, index_to_word, vectors, counts, metrics)


# ---------------------------------------------------------------------------- looking at the vectors


def plot_word_groups(vectors, word_to_index: dict, groups: dict[str, list[str]]):
    """A 2-D PCA map (of the unit-length vectors) of the words of ``groups`` ({group name: words}), one colour per
    group, each point labelled with its word; returns the figure. Words not in the vocabulary are left out, and
    named in a printed line."""
    missing = [w for ws in groups.values() for w in ws if w not in word_to_index]
    if missing:
        print("not in the vocabulary, left out:", ", ".join(missing))
    kept = {name: [w for w in ws if w in word_to_index] for name, ws in groups.items()}
    kept = {name: ws for name, ws in kept.items() if ws}
    words = [w for ws in kept.values() for w in ws]
    if len(words) < 2:
        raise ValueError("plot_word_groups needs at least two words that are in the vocabulary")
    X = np.asarray(vectors, dtype=np.float64)[[word_to_index[w] for w in words]]
    X = X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)
    Y = pca_2d(X)
    fig, ax = plt.subplots(figsize=(7, 5.5))
    start, texts = 0, []
    for name, ws in kept.items():
        pts = Y[start:start + len(ws)]
        ax.scatter(pts[:, 0], pts[:, 1], label=name, s=25)
        texts += [ax.text(x, y, w, fontsize=8) for w, (x, y) in zip(ws, pts)]
        start += len(ws)
    ax.set_title("Word groups: PCA of the unit-length vectors")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.margins(0.1)
    fig.tight_layout()
    place_labels(ax, texts, Y)             # labels moved apart (deterministic), as in the word-vectors notebook
    ax.legend(loc="best", fontsize=8)
    return fig


def _unit_rows(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


def _top_n(unit, i: int, n: int, words: list[str]) -> list[str]:
    sims = unit @ unit[i]
    sims[i] = -np.inf                                   # never the word itself
    best = np.argpartition(-sims, n)[:n] if n < len(sims) - 1 else np.arange(len(sims))
    best = best[np.lexsort((best, -sims[best]))][:n]    # most similar first, ties by index
    return [words[j] for j in best if j != i]


def compare_with_glove(vectors, word_to_index: dict, index_to_word: list, words: list[str], n: int = 10) -> dict:
    """The n nearest neighbours (cosine) of each of ``words`` in these vectors and in GloVe 6B 50d, both searched
    within the vocabulary the two share, and how many of the n they have in common.

    Returns {"shared": size of the shared vocabulary, "n": n, "words": {word: {"ours": [n words], "glove": [n words],
    "overlap": int}}, "mean_overlap": mean of the overlaps (nan if no word is shared), "missing": the words of
    ``words`` outside the shared vocabulary (left out)}.
    """
    word_to_vec_map = load_glove()[3]
    shared = [w for w in index_to_word if w in word_to_vec_map]
    ours = _unit_rows(np.asarray(vectors)[[word_to_index[w] for w in shared]])
    if isinstance(word_to_vec_map, GloVe):
        theirs = _unit_rows(word_to_vec_map.vectors(shared))
    else:
        theirs = _unit_rows(np.array([word_to_vec_map[w] for w in shared], dtype=np.float64))
    position = {w: i for i, w in enumerate(shared)}
    result: dict = {"shared": len(shared), "n": n, "words": {}, "missing": []}
    for word in words:
        if word not in position:
            result["missing"].append(word)
            continue
        a, b = _top_n(ours, position[word], n, shared), _top_n(theirs, position[word], n, shared)
        result["words"][word] = {"ours": a, "glove": b, "overlap": len(set(a) & set(b))}
    overlaps = [r["overlap"] for r in result["words"].values()]
    result["mean_overlap"] = float(np.mean(overlaps)) if overlaps else float("nan")
    return result


def print_side_by_side(result: dict, shown: int | None = None) -> None:
    """Print :func:`compare_with_glove`'s result: per word, the neighbours in each space and their overlap."""
    n = result["n"]
    shown = n if shown is None else shown
    print(f"shared vocabulary: {result['shared']:,} words; nearest {n} searched within it")
    for word, r in result["words"].items():
        common = set(r["ours"]) & set(r["glove"])
        mark = lambda ws: ", ".join(w + ("*" if w in common else "") for w in ws[:shown])  # noqa: E731
        print(f"{word}: {r['overlap']} of {n} in common")
        print(f"   word2vec: {mark(r['ours'])}")
        print(f"   GloVe:    {mark(r['glove'])}")
    if result["missing"]:
        print("not in the shared vocabulary:", ", ".join(result["missing"]))
    print(f"mean overlap: {result['mean_overlap']:.1f} of {n} (* marks a neighbour found in both)")

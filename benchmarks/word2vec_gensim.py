"""Word2vec (w2a3): the notebook's numpy skip-gram with negative sampling against gensim's Word2Vec, on the corpus.

    python benchmarks/word2vec_gensim.py [--dim 100] [--epochs 10] [--t 1e-4] [--batch-size 1024] [--no-second-run]

Needs gensim (the ``build`` extra: ``pip install -e ".[build]"``); the course itself never imports it.

Ours is ``week2.word2vec.train_sgns`` driving the instructor's reference functions (``autograder.reference``):
the loop the notebook runs with the student's functions. gensim is ``Word2Vec(sg=1, hs=0, negative=5)`` with the
same dimension, window, minimum count (5), epochs, starting and final learning rate, and ``workers=1``. Both train
on the same token stream: the corpus's in-vocabulary tokens in order, across verse boundaries (gensim gets it cut
into pieces of 10,000 tokens, its longest sentence), and both get the same vocabulary (checked).

Subsampling differs in its formula. Ours (Mikolov et al., 2013, as the notebook teaches it) keeps a word of
frequency f with probability min(1, sqrt(t / f)); gensim (word2vec's C code) keeps it with probability
min(1, sqrt(s / f) + s / f), so for the same value it keeps more tokens (the script prints how many, and which
``sample`` s would keep as many as our t in expectation). To compare like with like, gensim is built with
``sample=t`` (which turns subsampling on) and then each word's keep probability is replaced by ours, through the
per-word ``sample_int`` that gensim's training loop reads: both then drop the same words with the same
probabilities.

Printed (and written to ``benchmarks/results/word2vec_gensim.json``):
- words per second for each, counted as gensim counts its raw words: tokens before subsampling x epochs / seconds
  of training (ours: the whole of train_sgns, which includes subsampling, pairs, shuffling and negatives; gensim:
  ``train()``), and the ratio;
- where our time goes: the seconds spent in each of the five functions train_sgns calls, and the same run with a
  drop-in ``sgns_step`` that differs from the reference only in how it adds rows (``np.add.at`` on the flattened
  matrix, which adds in the same order and gives the same vectors bit for bit);
- the mean top-10 neighbour overlap (cosine, whole vocabulary) on a fixed word list, the queries of
  ``data/word2vec/neighbours.json`` plus a few frequent words (and, as a steadier second figure, on the 500 words
  of frequency ranks 101-600): ours against gensim, and as yardsticks of what a seed alone changes, gensim against
  gensim with another seed and ours against ours with another seed. gensim reads the corpus in the same order in
  every run and every epoch, while ours shuffles the pairs with its seed; so two gensim runs share whatever that
  order leaves in the vectors. A last pair of gensim runs, each on the corpus cut into pieces of 100 tokens put in
  an order drawn from its seed, measures how much of the gap that explains (against ours, against each other, and
  against gensim in corpus order).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from autograder.reference import w2a3_word2vec as reference  # noqa: E402
from week2.word2vec import load_pretrained, train_sgns  # noqa: E402
from week2 import word2vec_data as data  # noqa: E402
from week2.word2vec_data import MIN_COUNT, load_corpus, load_neighbour_checks  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "word2vec_gensim.json"
#: Frequent words added to the queries of neighbours.json.
FREQUENT = ["lord", "god", "man", "people", "land", "house", "hand", "father", "city", "children"]
GENSIM_SENTENCE = 10_000


# ------------------------------------------------------------------ the drop-in step (same vectors, faster adds)

def _add_rows_at(matrix, rows, values):
    """matrix[rows[i]] += values[i] for every i, repeated rows accumulating, in the order np.add.at(matrix, rows,
    values) adds them: np.add.at on the flattened matrix, whose one-dimensional loop is several times faster."""
    if not matrix.flags.c_contiguous:            # reshape(-1) would be a copy: add to the matrix itself
        np.add.at(matrix, rows, values)
        return
    d = matrix.shape[1]
    flat = (np.asarray(rows, dtype=np.intp)[:, None] * d + np.arange(d)).reshape(-1)
    np.add.at(matrix.reshape(-1), flat, np.asarray(values).reshape(-1))


def sgns_step_flat(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate):
    """The reference's sgns_step, line for line, with each np.add.at(M, rows, G) replaced by _add_rows_at."""
    centers, contexts, negatives = np.asarray(centers), np.asarray(contexts), np.asarray(negatives)
    v = center_vectors[centers]                                # (B, d)
    u_o = outside_vectors[contexts]                            # (B, d)
    u_k = outside_vectors[negatives]                           # (B, K, d)
    s_o = np.einsum("bd,bd->b", v, u_o)                        # (B,)
    s_k = np.einsum("bd,bkd->bk", v, u_k)                      # (B, K)
    loss = float(np.mean(-reference._log_sigmoid(s_o) - reference._log_sigmoid(-s_k).sum(axis=1)))
    g_o = (reference._sigmoid(s_o) - 1.0).astype(v.dtype)      # (B,)
    g_k = reference._sigmoid(s_k).astype(v.dtype)              # (B, K)
    grad_v = g_o[:, None] * u_o + np.einsum("bk,bkd->bd", g_k, u_k)
    grad_u_o = g_o[:, None] * v
    grad_u_k = g_k[:, :, None] * v[:, None, :]
    _add_rows_at(center_vectors, centers, -learning_rate * grad_v)
    _add_rows_at(outside_vectors, contexts, -learning_rate * grad_u_o)
    _add_rows_at(outside_vectors, negatives.reshape(-1), -learning_rate * grad_u_k.reshape(-1, v.shape[1]))
    return loss


# ------------------------------------------------------------------ helpers

def timed(functions: dict) -> tuple[dict, dict]:
    """The functions wrapped so that each one's total seconds accumulate in the returned dict."""
    seconds = {name: 0.0 for name in functions}

    def wrap(name, fn):
        def inner(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name] += time.perf_counter() - start
        return inner
    return {name: wrap(name, fn) for name, fn in functions.items()}, seconds


def expected_kept_ours(counts, t):
    f = counts / counts.sum()
    return float(counts @ np.minimum(1.0, np.sqrt(t / f)))


def expected_kept_gensim(counts, sample):
    f = counts / counts.sum()
    return float(counts @ np.minimum(1.0, np.sqrt(sample / f) + sample / f))


def matching_sample(counts, t) -> float:
    """gensim's ``sample`` that keeps as many tokens in expectation as our t (bisection on log sample)."""
    target, lo, hi = expected_kept_ours(counts, t), np.log(t) - 10, np.log(t) + 2
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected_kept_gensim(counts, np.exp(mid)) < target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def neighbours(vectors, word_to_index, index_to_word, words, n=10) -> dict:
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    result = {}
    for w in words:
        sims = unit @ unit[word_to_index[w]]
        sims[word_to_index[w]] = -np.inf
        result[w] = [index_to_word[i] for i in np.argsort(-sims, kind="stable")[:n]]
    return result


def scores(vectors, word_to_index, index_to_word) -> dict:
    """The evaluation of data/models/word2vec/metrics.json, in short."""
    similarity = {name: data.evaluate_similarity(vectors, word_to_index, data.load_similarity(name))["spearman"]
                  for name in ("wordsim353", "simlex999")}
    analogies = data.evaluate_analogies(vectors, word_to_index, index_to_word, data.load_analogy_questions())
    found = data.check_neighbours(vectors, word_to_index, index_to_word, data.load_neighbour_checks())
    return {**similarity, "analogies_correct": analogies["correct"], "analogies_used": analogies["used"],
            "neighbour_hits": found["hits"], "neighbour_expected": found["expected"]}


def overlap(a: dict, b: dict) -> float:
    return float(np.mean([len(set(a[w]) & set(b[w])) for w in a]))


# ------------------------------------------------------------------ the runs

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negatives", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--t", type=float, default=1e-4)
    parser.add_argument("--learning-rate", type=float, default=0.025)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--no-second-run", action="store_true", help="skip ours with a second seed")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    from gensim.models import Word2Vec
    import gensim

    tokens = load_corpus()
    word_to_index, index_to_word, counts = reference.build_vocabulary(tokens, MIN_COUNT)
    ids = np.array([word_to_index[w] for w in tokens if w in word_to_index], dtype=np.int64)
    checks = load_neighbour_checks()
    words = [w for w in [*checks["neighbours"], *FREQUENT] if w in word_to_index]
    sample = matching_sample(counts, args.t)
    print(f"corpus: {len(tokens):,} tokens, {len(ids):,} in the vocabulary of {len(index_to_word):,} words "
          f"(min_count {MIN_COUNT}); dim {args.dim}, window {args.window}, {args.negatives} negatives, "
          f"{args.epochs} epochs, learning rate {args.learning_rate}, {os.cpu_count()} CPU cores")
    print(f"subsampling: ours t = {args.t:g} keeps {expected_kept_ours(counts, args.t):,.0f} tokens per epoch in "
          f"expectation; gensim's sample = {sample:.3g} keeps as many (with sample = {args.t:g} it would keep "
          f"{expected_kept_gensim(counts, args.t):,.0f}); gensim is given our keep probabilities word by word")

    functions = {name: getattr(reference, name) for name in
                 ("subsample", "skipgram_pairs", "noise_distribution", "sample_negatives", "sgns_step")}
    settings = dict(dim=args.dim, window_size=args.window, negatives=args.negatives, t=args.t,
                    learning_rate=args.learning_rate, batch_size=args.batch_size, epochs=args.epochs,
                    verbose=False)

    wrapped, seconds = timed(functions)
    ours = train_sgns(ids, counts, **wrapped, **settings, seed=0)
    in_functions = sum(seconds.values())
    print(f"ours (reference functions): {ours.seconds:.1f} s, {ours.words_per_second:,.0f} words/s, "
          f"{ours.pairs_per_second:,.0f} pairs/s, final loss {ours.losses[-1][1]:.3f}")
    print("  where the time goes: " + ", ".join(f"{name} {s:.1f} s ({s / ours.seconds:.0%})"
                                                for name, s in seconds.items())
          + f", the loop itself {ours.seconds - in_functions:.1f} s")
    shipped = load_pretrained()
    shipped_same = bool(shipped.vectors.shape == ours.center_vectors.shape
                        and np.array_equal(shipped.vectors, ours.center_vectors))
    print(f"  the same vectors as data/models/word2vec/vectors.npz (trained with seed 0): {shipped_same}")

    flat = train_sgns(ids, counts, **{**functions, "sgns_step": sgns_step_flat}, **settings, seed=0)
    same = bool(np.array_equal(flat.center_vectors, ours.center_vectors)
                and np.array_equal(flat.outside_vectors, ours.outside_vectors))
    print(f"ours with the flat np.add.at step: {flat.seconds:.1f} s, {flat.words_per_second:,.0f} words/s "
          f"(vectors identical to the reference step's: {same})")

    keep = reference.keep_probabilities(counts, args.t)

    def gensim_run(seed, stream):
        sentences = [[index_to_word[i] for i in stream[s:s + GENSIM_SENTENCE]]
                     for s in range(0, len(stream), GENSIM_SENTENCE)]
        model = Word2Vec(vector_size=args.dim, window=args.window, min_count=MIN_COUNT, sg=1, hs=0,
                         negative=args.negatives, sample=args.t, alpha=args.learning_rate,
                         min_alpha=args.learning_rate * 1e-4, workers=1, seed=seed)
        model.build_vocab(sentences)
        if sorted(model.wv.index_to_key) != sorted(word_to_index):
            raise SystemExit("gensim's vocabulary differs from build_vocabulary's")
        # our keep probabilities, in gensim's form: a word is kept when sample_int >= a uniform 32-bit draw
        model.wv.expandos["sample_int"][:] = np.array(
            [keep[word_to_index[w]] * (2 ** 32 - 1) for w in model.wv.index_to_key]).astype(np.uint32)
        start = time.perf_counter()
        model.train(sentences, total_examples=len(sentences), epochs=args.epochs)
        took = time.perf_counter() - start
        return np.stack([model.wv[w] for w in index_to_word]), len(stream) * args.epochs / took

    def shuffled(seed, piece=100):
        pieces = [ids[s:s + piece] for s in range(0, len(ids), piece)]
        return np.concatenate([pieces[i] for i in np.random.default_rng(seed).permutation(len(pieces))])

    gensim_vectors, gensim_wps = {}, []
    for run, seed in enumerate((0, 1), 1):
        gensim_vectors[f"gensim{run}"], wps = gensim_run(seed, ids)
        gensim_wps.append(wps)
    print(f"gensim {gensim.__version__} (workers=1): {gensim_wps[0]:,.0f} words/s (other seed: {gensim_wps[1]:,.0f})")
    ratio, ratio_flat = gensim_wps[0] / ours.words_per_second, gensim_wps[0] / flat.words_per_second
    print(f"gensim is {ratio:.1f}x faster than ours ({ratio_flat:.1f}x with the flat np.add.at step)")
    for run, seed in enumerate((0, 1), 1):
        gensim_vectors[f"shuffled{run}"], _ = gensim_run(seed, shuffled(seed))
    vectors = {"ours1": ours.center_vectors, **gensim_vectors}
    if not args.no_second_run:
        vectors["ours2"] = train_sgns(ids, counts, **{**functions, "sgns_step": sgns_step_flat}, **settings,
                                      seed=1).center_vectors

    by_rank = index_to_word[100:600]
    tops = {name: neighbours(v, word_to_index, index_to_word, words) for name, v in vectors.items()}
    tops_rank = {name: neighbours(v, word_to_index, index_to_word, by_rank) for name, v in vectors.items()}
    comparisons = {"ours vs gensim (seeds 0, 1 each)": [("ours1", "gensim1"), ("ours1", "gensim2")]
                   + ([("ours2", "gensim1"), ("ours2", "gensim2")] if "ours2" in vectors else []),
                   "gensim vs gensim (seeds 0, 1)": [("gensim1", "gensim2")],
                   "ours vs ours (seeds 0, 1)": [("ours1", "ours2")] if "ours2" in vectors else [],
                   "ours vs gensim on shuffled pieces": [("ours1", "shuffled1"), ("ours1", "shuffled2")]
                   + ([("ours2", "shuffled1"), ("ours2", "shuffled2")] if "ours2" in vectors else []),
                   "gensim vs gensim, both on shuffled pieces (seeds 0, 1)": [("shuffled1", "shuffled2")],
                   "gensim in corpus order vs gensim on shuffled pieces": [("gensim1", "shuffled1"),
                                                                           ("gensim2", "shuffled2")]}
    overlaps = {}
    print(f"mean top-10 neighbour overlap: on the {len(words)} listed words | on frequency ranks 101-600")
    for name, pairs in comparisons.items():
        if pairs:
            listed = float(np.mean([overlap(tops[a], tops[b]) for a, b in pairs]))
            ranked = float(np.mean([overlap(tops_rank[a], tops_rank[b]) for a, b in pairs]))
            overlaps[name] = {"listed_words": listed, "ranks_101_600": ranked, "pairs": len(pairs)}
            several = f"  (mean of {len(pairs)} pairs)" if len(pairs) > 1 else ""
            print(f"  {name}: {listed:.2f} | {ranked:.2f}{several}")
    evaluation = {name: scores(vectors[name], word_to_index, index_to_word)
                  for name in ("ours1", "ours2", "gensim1", "gensim2") if name in vectors}
    print("evaluation (as in data/models/word2vec/metrics.json): WordSim-353 | SimLex-999 | analogies | neighbours")
    for name, e in evaluation.items():
        print(f"  {name}: {e['wordsim353']:.3f} | {e['simlex999']:.3f} | {e['analogies_correct']} of "
              f"{e['analogies_used']} | {e['neighbour_hits']} of {e['neighbour_expected']}")
    for w in words[:3]:
        print(f"  {w}: ours {', '.join(tops['ours1'][w][:6])} | gensim {', '.join(tops['gensim1'][w][:6])}")

    result = {"command": "python benchmarks/word2vec_gensim.py " + " ".join(sys.argv[1:] if argv is None else argv),
              "settings": {**{k: v for k, v in settings.items() if k != "verbose"},
                           "min_count": MIN_COUNT, "tokens": len(ids), "vocabulary": len(index_to_word)},
              "ours": {"seconds": ours.seconds, "words_per_second": ours.words_per_second,
                       "pairs_per_second": ours.pairs_per_second, "final_loss": ours.losses[-1][1],
                       "seconds_per_function": seconds},
              "ours_equals_shipped_vectors": shipped_same,
              "ours_flat_step": {"seconds": flat.seconds, "words_per_second": flat.words_per_second,
                                 "identical_vectors": same},
              "gensim": {"version": gensim.__version__, "words_per_second": gensim_wps,
                         "sample_matching_t_in_expectation": sample},
              "speed_ratio": ratio, "speed_ratio_flat_step": ratio_flat,
              "overlap_words": words, "overlap": overlaps, "evaluation": evaluation,
              "machine": {"cpu_cores": os.cpu_count(), "python": platform.python_version(),
                          "numpy": np.__version__}}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

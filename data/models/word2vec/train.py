"""Train the word vectors the w2a3 notebook loads ("a longer run"): ``vectors.npz`` and ``metrics.json`` here.

    python data/models/word2vec/train.py [--dim 100] [--epochs 10] [--t 1e-4] [--seed 0]

Skip-gram with negative sampling on the whole corpus of ``data/word2vec/`` (the King James Bible), through the
notebook's own loop ``week2.word2vec.train_sgns`` driving the instructor's reference functions
(``autograder.reference``, which students do not have: this script runs in the instructor's course only). The
vocabulary is the reference ``build_vocabulary`` with ``MIN_COUNT`` (5). The center vectors V are saved in
float32 with the words (most frequent first) and their counts; the metrics are computed on the saved file as
``week2.word2vec.load_pretrained`` reads it back, with the evaluation functions of ``week2.word2vec_data``.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

import numpy as np  # noqa: E402


def _finite(value):
    """JSON has no nan: nan becomes null, recursively."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def evaluate(vectors, word_to_index, index_to_word) -> dict:
    """The evaluation figures of metrics.json for ``vectors`` (tests recompute them with this function)."""
    from week2 import word2vec_data as data

    similarity = {name: data.evaluate_similarity(vectors, word_to_index, data.load_similarity(name))
                  for name in ("wordsim353", "simlex999")}
    analogies = data.evaluate_analogies(vectors, word_to_index, index_to_word, data.load_analogy_questions())
    analogies.pop("predicted")
    checks = data.load_neighbour_checks()
    neighbours = data.check_neighbours(vectors, word_to_index, index_to_word, checks, n=10)
    chosen = data.evaluate_analogies(vectors, word_to_index, index_to_word, [tuple(q) for q in checks["analogies"]])
    return _finite({
        "wordsim353": similarity["wordsim353"],
        "simlex999": similarity["simlex999"],
        "analogies": analogies,
        "neighbour_checks": {"hits": neighbours["hits"], "expected": neighbours["expected"],
                             "share": neighbours["share"], "skipped": neighbours["skipped"],
                             "found": {q: r["found"] for q, r in neighbours["words"].items()}},
        "chosen_analogies": {"correct": chosen["correct"], "used": chosen["used"],
                             "answers": [[*q, a] for q, a in zip(checks["analogies"], chosen["predicted"])]},
    })


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--window", type=int, default=5)
    parser.add_argument("--negatives", type=int, default=5)
    parser.add_argument("--t", type=float, default=1e-4)
    parser.add_argument("--learning-rate", type=float, default=0.025)
    parser.add_argument("--batch-size", type=int, default=1024)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)

    from autograder.reference import w2a3_word2vec as reference
    from week2.word2vec import load_pretrained, train_sgns
    from week2.word2vec_data import MIN_COUNT, load_corpus

    tokens = load_corpus()
    word_to_index, index_to_word, counts = reference.build_vocabulary(tokens, MIN_COUNT)
    ids = np.array([word_to_index[w] for w in tokens if w in word_to_index], dtype=np.int64)
    print(f"{len(tokens):,} tokens, {len(ids):,} in a vocabulary of {len(index_to_word):,} words "
          f"(min_count {MIN_COUNT}); dim {args.dim}, {args.epochs} epochs")
    run = train_sgns(ids, counts, subsample=reference.subsample, skipgram_pairs=reference.skipgram_pairs,
                     noise_distribution=reference.noise_distribution, sample_negatives=reference.sample_negatives,
                     sgns_step=reference.sgns_step, dim=args.dim, window_size=args.window,
                     negatives=args.negatives, t=args.t, learning_rate=args.learning_rate,
                     batch_size=args.batch_size, epochs=args.epochs, seed=args.seed)

    args.out.mkdir(parents=True, exist_ok=True)
    vectors_path = args.out / "vectors.npz"
    np.savez_compressed(vectors_path, words=np.array(index_to_word), counts=counts,
                        vectors=run.center_vectors.astype(np.float32))
    saved = load_pretrained(vectors_path)       # evaluate what is shipped, as the notebook reads it
    metrics = {
        "command": "python data/models/word2vec/train.py" + "".join(f" {a}" for a in (argv or sys.argv[1:])),
        "method": "skip-gram with negative sampling (week2.word2vec.train_sgns + the reference functions)",
        "dim": args.dim, "window_size": args.window, "negatives": args.negatives, "t": args.t,
        "learning_rate": args.learning_rate, "batch_size": args.batch_size, "epochs": args.epochs,
        "seed": args.seed, "min_count": MIN_COUNT,
        "corpus_tokens": len(tokens), "tokens_in_vocabulary": int(len(ids)), "vocabulary_size": len(index_to_word),
        "pairs": int(round(run.pairs_per_second * run.seconds)),
        "seconds": round(run.seconds, 1), "words_per_second": round(run.words_per_second),
        "pairs_per_second": round(run.pairs_per_second),
        "first_loss": run.losses[0][1], "final_loss": run.losses[-1][1],
        "losses": [[int(p), float(v)] for p, v in run.losses],
        "vectors_file_bytes": vectors_path.stat().st_size,
        **evaluate(saved.vectors, saved.word_to_index, saved.index_to_word),
        "machine": {"cpu_cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__},
    }
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(f"{run.seconds:.0f} s, {run.words_per_second:,.0f} words/s; final loss {run.losses[-1][1]:.3f}; "
          f"WordSim-353 {metrics['wordsim353']['spearman']:.3f} ({metrics['wordsim353']['used']} of "
          f"{metrics['wordsim353']['total']} pairs), SimLex-999 {metrics['simlex999']['spearman']:.3f} "
          f"({metrics['simlex999']['used']} of {metrics['simlex999']['total']}), analogies "
          f"{metrics['analogies']['correct']}/{metrics['analogies']['used']} of {metrics['analogies']['total']}, "
          f"neighbour checks {metrics['neighbour_checks']['hits']}/{metrics['neighbour_checks']['expected']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

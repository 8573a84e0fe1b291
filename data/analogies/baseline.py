"""Write baseline_3cosadd.json: how the 3CosAdd analogy solver does on questions.txt, per relation type.

    python data/analogies/baseline.py            # rewrite baseline_3cosadd.json (deterministic)
    python data/analogies/baseline.py --check    # fail if the stored file differs from what the solver gives now

Instructor-only: the solver lives in the instructor reference (``autograder.reference.w2a1_word_vectors``), which
students do not receive; they get the stored file, which the notebook reads with
``week2.word_vectors.load_analogy_results`` to compare their own ``complete_analogy`` with 3CosAdd.  The candidates
are the ANALOGY_VOCAB_SIZE most frequent GloVe 6B 50d words, as in the notebook's evaluation.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "baseline_3cosadd.json"


def results() -> dict:
    """The JSON-ready results of 3CosAdd on questions.txt."""
    from autograder.reference.w2a1_word_vectors import analogy_3cosadd
    from week2.glove import load_glove
    from week2.word_vectors import ANALOGY_VOCAB_SIZE, analogy_results_to_json, evaluate_analogies, load_analogies

    vocab = load_glove()[3].most_frequent(ANALOGY_VOCAB_SIZE)
    evaluated = evaluate_analogies(analogy_3cosadd, vocab, load_analogies(HERE / "questions.txt"))
    return analogy_results_to_json(
        evaluated, solver="3CosAdd: on unit vectors, the word closest in cosine to e_b - e_a + e_c, other than a, b, c",
        vectors="GloVe 6B 50d", candidates=ANALOGY_VOCAB_SIZE, questions="questions.txt",
        command="python data/analogies/baseline.py")


def render() -> str:
    """The file's text: indented JSON with each wrong answer [a, b, c, d, answer] on one line."""
    text = json.dumps(results(), indent=1)
    return re.sub(r"\[\s+((?:\"[^\"]*\",?\s+){4}\"[^\"]*\")\s+\]",
                  lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help=f"fail if {RESULTS.name} is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not RESULTS.exists() or RESULTS.read_text() != text:
            sys.exit(f"{RESULTS.name} is stale: run `python data/analogies/baseline.py`")
    else:
        RESULTS.write_text(text)
    stored = json.loads(text)["relations"]
    for relation, r in stored.items():
        print(f"{relation:<24} {r['correct']:>4}/{r['total']:<4} {r['correct'] / r['total']:>5.0%}")
    correct, total = sum(r["correct"] for r in stored.values()), sum(r["total"] for r in stored.values())
    print(f"{'all':<24} {correct:>4}/{total:<4} {correct / total:>5.0%}   ({RESULTS.name} "
          f"{'up to date' if args.check else 'written'})")


if __name__ == "__main__":
    main()

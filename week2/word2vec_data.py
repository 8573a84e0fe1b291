"""The w2a3 (Word2Vec) corpus and the sets that evaluate word vectors trained on it.

The corpus is the King James Version of the Bible, tokenised and lower-cased, one verse per line
(``data/word2vec/corpus.txt``; ``data/word2vec/README.md`` gives its origin, its tokeniser and its counts).

    tokens = load_corpus()                 # list of 789,668 tokens, in order
    sentences = load_sentences()           # the same tokens, one list per verse

Evaluation, for any vectors of shape (vocab_size, d) (float32 or float64), one row per word, with
``word_to_index`` (word -> row) and ``index_to_word`` (row -> word: a list, or a dict keyed by row):

- word similarity: ``evaluate_similarity(vectors, word_to_index, load_similarity("wordsim353"))`` (or
  ``"simlex999"``): the Spearman correlation between the cosine similarities and the human scores;
- analogies: ``evaluate_analogies(vectors, word_to_index, index_to_word, load_analogy_questions())``: Google's
  analogy questions "a is to b as c is to d", answered by 3CosAdd;
- neighbours: ``nearest_neighbours(...)`` and ``check_neighbours(..., load_neighbour_checks())``, the words a good
  model should place near a few typical words of this corpus, written down before any vectors were trained.

The evaluation files keep only the rows whose words occur at least ``MIN_COUNT`` times in the corpus, and
``totals.json`` remembers how many rows each full set has (``total``), so every score comes with the share of the
full set it could not use (``oov_share``). A row that is all zeros has cosine similarity 0 with every word.
"""
from __future__ import annotations

import json
from typing import NamedTuple

import numpy as np

from checks.paths import data_path

#: The vocabulary of w2a3: the words seen at least this many times in the corpus.
MIN_COUNT = 5
FOLDER = "word2vec"
CORPUS_FILE = "corpus.txt"
SIMILARITY_FILES = {"wordsim353": "wordsim353.tsv", "simlex999": "simlex999.tsv"}
ANALOGY_FILE = "questions-words.txt"
NEIGHBOURS_FILE = "neighbours.json"
#: For each evaluation file: the rows kept and the rows of the full original set.
TOTALS_FILE = "totals.json"
#: Questions scored per matrix product in `evaluate_analogies` (bounds its memory: chunk x vocab_size floats).
ANALOGY_CHUNK = 256


class SimilaritySet(NamedTuple):
    """Word pairs with human similarity scores: ``pairs`` is a list of (word1, word2, score);
    ``total`` is the number of pairs in the full original set (before keeping only this corpus's words)."""
    pairs: list
    total: int


class AnalogySet(NamedTuple):
    """Analogy questions: ``questions`` is a list of (section, a, b, c, d), read "a is to b as c is to d";
    ``total`` is the number of questions in the full original set."""
    questions: list
    total: int


# ---------------------------------------------------------------------------------------------------- loading

def _read(name: str) -> str:
    return data_path(FOLDER, name).read_text(encoding="utf-8")


def _total(name: str) -> int:
    """The number of rows of the full original set behind evaluation file ``name`` (from totals.json)."""
    return int(json.loads(_read(TOTALS_FILE))[name]["total"])


def load_sentences() -> list[list[str]]:
    """The corpus as a list of verses, each a list of lower-case tokens (31,102 verses)."""
    return [line.split() for line in _read(CORPUS_FILE).splitlines()]


def load_corpus() -> list[str]:
    """Every token of the corpus, in order, as one flat list of strings (the verses one after another)."""
    return _read(CORPUS_FILE).split()


def load_similarity(name: str = "wordsim353") -> SimilaritySet:
    """The word-similarity set ``name`` ("wordsim353" or "simlex999") restricted to the corpus's vocabulary."""
    if name not in SIMILARITY_FILES:
        raise ValueError(f"unknown similarity set {name!r}: choose one of {sorted(SIMILARITY_FILES)}")
    text = _read(SIMILARITY_FILES[name])
    pairs = []
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            w1, w2, score = line.split("\t")
            pairs.append((w1, w2, float(score)))
    return SimilaritySet(pairs, _total(SIMILARITY_FILES[name]))


def load_analogy_questions() -> AnalogySet:
    """Google's analogy questions restricted to the corpus's vocabulary, each tagged with its section."""
    text = _read(ANALOGY_FILE)
    questions, section = [], None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith(":"):
            section = line[1:].strip()
            continue
        a, b, c, d = line.split()
        questions.append((section, a, b, c, d))
    return AnalogySet(questions, _total(ANALOGY_FILE))


def load_neighbour_checks() -> dict:
    """{"neighbours": {query: [words expected among its nearest neighbours]}, "analogies": [[a, b, c, d], ...]}."""
    return json.loads(_read(NEIGHBOURS_FILE))


# ------------------------------------------------------------------------------------------------- evaluation

def unit_rows(vectors) -> np.ndarray:
    """``vectors`` (n, d) with every nonzero row scaled to length 1; zero rows stay zero (no warning, no nan).
    float32 and float64 keep their type; float16 (a compact file's type) becomes float32, integers float64."""
    vectors = np.asarray(vectors)
    vectors = vectors.astype(np.result_type(vectors.dtype, np.float32), copy=False)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1).astype(vectors.dtype)


def average_ranks(values) -> np.ndarray:
    """Ranks 1..n of ``values`` (n,), tied values sharing the mean of the ranks they span: [3, 1, 3] -> [2.5, 1, 2.5].
    Returns a float array of shape (n,)."""
    _, inverse, counts = np.unique(np.asarray(values), return_inverse=True, return_counts=True)
    first = np.cumsum(counts) - counts + 1
    return (first + (counts - 1) / 2.0)[inverse.reshape(-1)]


def spearman(x, y) -> float:
    """Spearman's rank correlation of ``x`` and ``y`` (n,): the Pearson correlation of their average ranks;
    nan when n < 2 or either is constant."""
    rx, ry = average_ranks(x), average_ranks(y)
    if rx.size < 2:
        return float("nan")
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denominator = np.sqrt((rx @ rx) * (ry @ ry))
    return float(rx @ ry / denominator) if denominator > 0 else float("nan")


def evaluate_similarity(vectors, word_to_index, sim_set) -> dict:
    """Spearman correlation between the cosine similarity of each pair's vectors and the human scores.

    vectors: (vocab_size, d) array; word_to_index: word -> row; sim_set: a `SimilaritySet` (from `load_similarity`).
    Returns {"spearman": float (nan if fewer than 2 pairs are usable), "used": pairs whose two words are in
    ``word_to_index``, "total": ``sim_set.total``, "oov_share": (total - used) / total, the share of the full set
    that could not be scored (pairs left out of the file and pairs skipped here)}.
    """
    normalised = unit_rows(vectors)
    used = [(word_to_index[a], word_to_index[b], score) for a, b, score in sim_set.pairs
            if a in word_to_index and b in word_to_index]
    if used:
        rows_a, rows_b, scores = (np.array(column) for column in zip(*used))
        cosines = np.einsum("ij,ij->i", normalised[rows_a], normalised[rows_b])
        rho = spearman(cosines, scores)
    else:
        rho = float("nan")
    total = int(sim_set.total)
    return {"spearman": rho, "used": len(used), "total": total,
            "oov_share": (total - len(used)) / total if total else 0.0}


def _as_analogy_set(analogy_set) -> AnalogySet:
    if isinstance(analogy_set, AnalogySet):
        return analogy_set
    questions = [tuple(q) if len(q) == 5 else ("", *q) for q in analogy_set]
    return AnalogySet(questions, len(questions))


def evaluate_analogies(vectors, word_to_index, index_to_word, analogy_set) -> dict:
    """Answer "a is to b as c is to d" by 3CosAdd and count the right answers.

    The answer is the word whose unit-normalised row is most similar (by dot product) to b - a + c (unit-normalised
    rows of a, b, c), the words a, b and c themselves excluded. All questions are scored by matrix products, in
    chunks of `ANALOGY_CHUNK` questions.

    vectors: (vocab_size, d) array; word_to_index: word -> row; index_to_word: row -> word (list or dict);
    analogy_set: an `AnalogySet` (from `load_analogy_questions`), or a list of (a, b, c, d) or
    (section, a, b, c, d) (then ``total`` is its length).
    Returns {"correct", "used" (questions whose four words are in ``word_to_index``), "total" (``analogy_set.total``),
    "accuracy": correct / used (nan if none is used), "oov_share": (total - used) / total,
    "sections": {section: {"correct", "used", "questions", "accuracy"}} in file order,
    "predicted": a list aligned with the questions: the answer given, or None for a question not used}.
    """
    analogy_set = _as_analogy_set(analogy_set)
    normalised = unit_rows(vectors)
    questions = analogy_set.questions
    usable = [i for i, q in enumerate(questions) if all(w in word_to_index for w in q[1:])]
    ids = np.array([[word_to_index[w] for w in questions[i][1:]] for i in usable], dtype=np.int64).reshape(-1, 4)
    answers = np.empty(len(usable), dtype=np.int64)
    for start in range(0, len(usable), ANALOGY_CHUNK):
        a, b, c = (ids[start:start + ANALOGY_CHUNK, k] for k in range(3))
        scores = (normalised[b] - normalised[a] + normalised[c]) @ normalised.T   # (chunk, vocab_size)
        rows = np.arange(len(a))
        for excluded in (a, b, c):
            scores[rows, excluded] = -np.inf
        answers[start:start + len(a)] = np.argmax(scores, axis=1)
    hits = answers == ids[:, 3]
    predicted = [None] * len(questions)
    sections: dict = {}
    for q in questions:
        sections.setdefault(q[0], {"correct": 0, "used": 0, "questions": 0})["questions"] += 1
    for i, answer, hit in zip(usable, answers, hits):
        predicted[i] = index_to_word[int(answer)]
        entry = sections[questions[i][0]]
        entry["used"] += 1
        entry["correct"] += int(hit)
    for entry in sections.values():
        entry["accuracy"] = entry["correct"] / entry["used"] if entry["used"] else float("nan")
    total, used, correct = int(analogy_set.total), len(usable), int(hits.sum())
    return {"correct": correct, "used": used, "total": total,
            "accuracy": correct / used if used else float("nan"),
            "oov_share": (total - used) / total if total else 0.0,
            "sections": sections, "predicted": predicted}


def nearest_neighbours(vectors, word_to_index, index_to_word, word, n=10) -> list[tuple[str, float]]:
    """The ``n`` words whose rows have the highest cosine similarity with ``word``'s row, ``word`` itself excluded:
    a list of (word, cosine), most similar first (ties by row). vectors: (vocab_size, d)."""
    if word not in word_to_index:
        raise KeyError(f"{word!r} is not in the vocabulary ({len(word_to_index):,} words)")
    normalised = unit_rows(vectors)
    row = word_to_index[word]
    cosines = normalised @ normalised[row]                        # (vocab_size,)
    cosines[row] = -np.inf
    order = np.argsort(-cosines, kind="stable")[:n]
    return [(index_to_word[int(i)], float(cosines[i])) for i in order if np.isfinite(cosines[i])]


def check_neighbours(vectors, word_to_index, index_to_word, checks, n=10) -> dict:
    """Which of the expected words each query word has among its ``n`` nearest neighbours.

    checks: the dict of `load_neighbour_checks` (or just its "neighbours" mapping: query -> expected words).
    Returns {"words": {query: {"expected": [...], "found": [expected words among the n nearest],
    "neighbours": [the n nearest words]}} for the queries in the vocabulary, "skipped": [queries not in it],
    "hits": expected words found, "expected": expected words of the queries checked, "share": hits / expected
    (an expected word missing from the vocabulary counts as not found)}.
    """
    wanted = checks["neighbours"] if "neighbours" in checks else checks
    words, skipped, hits, expected_count = {}, [], 0, 0
    for query, expected in wanted.items():
        if query not in word_to_index:
            skipped.append(query)
            continue
        neighbours = [w for w, _ in nearest_neighbours(vectors, word_to_index, index_to_word, query, n)]
        found = [w for w in expected if w in neighbours]
        words[query] = {"expected": list(expected), "found": found, "neighbours": neighbours}
        hits += len(found)
        expected_count += len(expected)
    return {"words": words, "skipped": skipped, "hits": hits, "expected": expected_count,
            "share": hits / expected_count if expected_count else float("nan")}

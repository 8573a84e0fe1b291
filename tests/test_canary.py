"""The canary: before a class is graded, the instructor's solution is graded as a submission, in the students'
sandbox and limits, and must earn full marks; otherwise that assignment is not graded at all and the message says
why. A passing canary is remembered until the course or the environment changes.

The broken environment is a grader whose course packages come from a checkout that the sandbox does not show (the
sandbox mounts only the graded course's folders): its kernel cannot import the check kit, the week package or the
grading runtime, so without the canary every submission, the solution included, would get nothing.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import numpy
import pytest

from autograder import autograde as pipeline
from autograder import canary, grading, sandbox
from autograder.cli import main as cli
from autograder.sandbox import Limits, bwrap_available
from checks.paths import COURSE_ROOT
from course import ROOT, nbgrader_meta, own_sandboxes, scratch_course
from test_autograde import WRONG

AID = "w1a1_rnn_step_by_step"
needs_bwrap = pytest.mark.skipif(not bwrap_available(), reason="bubblewrap is not installed")


@pytest.fixture(autouse=True)
def canary_on(monkeypatch):
    """tests/conftest.py turns the canary off for the test session; these tests are about it."""
    monkeypatch.setenv(canary.ENV_VAR, "1")


@pytest.fixture
def course(tmp_path):
    """A scratch course of w1a1 with its release and one student, ada, who submitted the solution; its sandboxes
    are made under its own folder."""
    (tmp_path / "course").mkdir()
    root = scratch_course(tmp_path / "course", AID)
    shutil.copytree(ROOT / "release" / AID, root / "release" / AID)
    (src,) = (root / "source" / AID).glob("*.ipynb")
    (root / "submitted" / "ada" / AID).mkdir(parents=True)
    shutil.copy2(src, root / "submitted" / "ada" / AID / src.name)
    (tmp_path / "sandboxes").mkdir()
    with own_sandboxes(tmp_path / "sandboxes"):
        yield root


@pytest.fixture
def graded(monkeypatch):
    """The student of every submission graded in this process, in order (the canary's is canary.STUDENT)."""
    students = []
    grade_task = pipeline.grade_task

    def spy(task, *args, **kwargs):
        students.append(task["student"])
        return grade_task(task, *args, **kwargs)

    monkeypatch.setattr(pipeline, "grade_task", spy)
    return students


@pytest.fixture
def hidden_course_packages(monkeypatch):
    """A grader whose course packages lie in a checkout that its sandboxes do not show."""
    monkeypatch.setattr(sandbox, "_course_dirs", lambda root: [Path(root).resolve()])


def _points(root: Path) -> dict[str, float]:
    (src,) = (root / "source" / AID).glob("*.ipynb")
    return {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in nbformat.read(src, as_version=4).cells
            if nbgrader_meta(c).get("grade")}


def test_the_fingerprint_covers_the_course_and_the_environment(course):
    limits = Limits()
    parts = canary.fingerprint_parts(course, AID, limits, True)
    assert canary.fingerprint_parts(course, AID, limits, True) == parts
    assert parts["numpy"] == numpy.__version__
    assert str(COURSE_ROOT / "week1" / "__init__.py") in parts["course packages"]
    assert str(course.resolve()) == parts["course directory"]
    others = [canary.fingerprint_parts(course, AID, Limits(cell_seconds=limits.cell_seconds + 1), True),
              canary.fingerprint_parts(course, AID, limits, False)]
    for folder in ("source", "release"):
        (notebook,) = (course / folder / AID).glob("*.ipynb")
        notebook.write_text(notebook.read_text() + "\n")
        others.append(canary.fingerprint_parts(course, AID, limits, True))
    keys = [canary.fingerprint(p) for p in [parts, *others]]
    assert len(set(keys)) == len(keys)


@needs_bwrap
def test_a_passing_canary_is_remembered_until_forced_or_the_course_changes(course, graded):
    points = _points(course)
    total = sum(points.values())
    (first,) = grading.autograde(course, AID, jobs=1)
    assert graded == [canary.STUDENT, "ada"]
    assert (first.status, first.score, first.max_score) == ("graded", total, total)
    remembered = json.loads(canary.cache_file(course, AID).read_text())
    assert remembered["score"] == remembered["max_score"] == total
    assert remembered["fingerprint"] == canary.fingerprint(
        canary.fingerprint_parts(course, AID, grading.limits_from_config(course), True))

    (again,) = grading.autograde(course, AID, jobs=1)
    assert graded == [canary.STUDENT, "ada"]  # neither the solution nor the unchanged submission was graded again
    assert again.status == "unchanged"

    (forced,) = grading.autograde(course, AID, jobs=1, force=True)
    assert graded == [canary.STUDENT, "ada", canary.STUDENT, "ada"]
    assert (forced.status, forced.score) == ("graded", total)

    # The solution changed and loses points: the canary runs again by itself, names the cell that lost points and
    # what changed, and ada is not graded again (her recorded grade stands).
    before = grading.scores(course, AID, "ada")
    func, wrong = WRONG[AID]
    (src,) = (course / "source" / AID).glob("*.ipynb")
    nb = nbformat.read(src, as_version=4)
    next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == func).source += "\n" + wrong
    nbformat.write(nb, src)
    with pytest.raises(canary.CanaryFailed) as refused:
        grading.autograde(course, AID, jobs=1)
    message = refused.value.messages[AID]
    assert f"the instructor's solution of {AID}" in message
    assert f"scored {total - points[f'{func}_tests']:g} / {total:g} where it must earn full marks" in message
    assert f"\n  - {func}_tests: CheckFailed: " in message
    assert "since the canary last passed here, the source notebooks changed" in message
    assert graded == [canary.STUDENT, "ada", canary.STUDENT, "ada", canary.STUDENT]
    assert grading.scores(course, AID, "ada") == before
    assert json.loads(canary.cache_file(course, AID).read_text())["fingerprint"] == remembered["fingerprint"]


@needs_bwrap
def test_a_broken_environment_refuses_to_grade_and_records_nothing(course, graded, hidden_course_packages):
    with pytest.raises(canary.CanaryFailed) as refused:
        grading.autograde(course, AID, jobs=1)
    message = refused.value.messages[AID]
    assert message.startswith(f"autograde refuses to grade {AID}: the instructor's solution of {AID}")
    assert "could not be graded (GradingEnvironmentError: the notebook's kernel cannot import the course's grading " \
           "runtime (autograder.sandbox_runtime: ModuleNotFoundError: No module named 'autograder')" in message
    assert "in the sandbox, `import week1` fails (ModuleNotFoundError: No module named 'week1'); the grader imports " \
           f"it from {COURSE_ROOT / 'week1' / '__init__.py'}" in message
    assert "This machine's grading environment does not match the course" in message
    assert "-c 'import week1; print(week1.__file__)'` points into this checkout" in message
    assert graded == [canary.STUDENT]
    assert refused.value.reports == {}
    assert not canary.cache_file(course, AID).exists()  # a failing canary is never remembered
    assert not (course / "autograded" / "ada").exists() and not (course / "gradebook.db").exists()


@needs_bwrap
def test_the_command_refuses_with_the_message_and_no_canary_grades_no_one_zero(course, capsys, hidden_course_packages):
    assert cli(["--root", str(course), "autograde", AID, "--jobs", "1"]) == 2
    out, err = capsys.readouterr()
    assert f"autograde refuses to grade {AID}" in err and "does not match the course" in err
    assert f"NOT GRADED AT ALL: {AID}" in out and "ada" not in out

    # Without the canary, the broken environment is not the student's zero: ada is not graded, and says why.
    assert cli(["--root", str(course), "autograde", AID, "--jobs", "1", "--no-canary"]) == 2
    out, err = capsys.readouterr()
    assert "refuses" not in err
    assert "ada                  NOT GRADED" in out
    assert "the grader failed on this submission (GradingEnvironmentError: the notebook's kernel cannot import the " \
           "course's grading runtime" in out
    assert not (course / "autograded" / "ada").exists()


@needs_bwrap
def test_on_a_cluster_the_canary_runs_beside_the_class_and_nothing_is_recorded_before_it_passed(course, monkeypatch):
    """With workers, the solution is the class's first task, graded beside the students' (no time before the
    class starts); a failing one leaves no grade of the class, and a passing one lets every grade be recorded."""
    (src,) = (course / "source" / AID).glob("*.ipynb")
    (course / "submitted" / "bob" / AID).mkdir(parents=True)
    shutil.copy2(src, course / "submitted" / "bob" / AID / src.name)
    solution = src.read_text()
    func, wrong = WRONG[AID]
    nb = nbformat.read(src, as_version=4)
    next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == func).source += "\n" + wrong
    nbformat.write(nb, src)
    with pytest.raises(canary.CanaryFailed) as refused:  # the students handed in the correct solution: no matter
        grading.autograde(course, AID, jobs=2)
    assert f"\n  - {func}_tests: CheckFailed: " in refused.value.messages[AID]
    assert refused.value.reports == {}
    assert not (course / "autograded" / "ada").exists() and not (course / "autograded" / "bob").exists()
    assert not (course / "gradebook.db").exists() and not canary.cache_file(course, AID).exists()

    src.write_text(solution)
    total = sum(_points(course).values())
    reports = grading.autograde(course, AID, jobs=2)
    assert sorted((r.student, r.status, r.score) for r in reports) == [("ada", "graded", total),
                                                                     ("bob", "graded", total)]
    assert json.loads(canary.cache_file(course, AID).read_text())["score"] == total

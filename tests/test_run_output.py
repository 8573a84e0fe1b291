"""What `make autograde` prints and writes: the per-assignment lines agree with the summary, assignments nobody
submitted are one line, the run's CSV names the functions that lost points, and the files the instructor commands
write by default are ignored by git.

The class is the toy course of tests/test_lms_export.py (a gradebook filled through nbgrader's API); the grading
itself is replaced by the reports it returns, so these tests take seconds.
"""
from __future__ import annotations

import csv
import fnmatch

import pytest

from autograder import grading, lms
from autograder.cli import main as cli
from autograder.grading import StudentReport
from course import ROOT
from test_lms_export import toy_copy


def _reports(aid: str, status: str) -> list[StudentReport]:
    """What grading returns for ada, bob and cy of the toy course (their recorded scores) with ``status``."""
    scores = {"toy_a": {"ada": 3.0, "bob": 1.0, "cy": 2.0}, "toy_b": {"ada": 1.0, "cy": 0.0}}[aid]
    problems = ["unchanged since it was last graded: the recorded grade stands."] if status == "unchanged" else []
    return [StudentReport(student, score, 3.0, list(problems), aid, None if status == "unchanged" else 1.5, status)
            for student, score in scores.items()]


def test_a_rerun_says_the_same_in_the_assignment_line_and_the_summary():
    reports = {"toy_a": _reports("toy_a", "unchanged")}
    table = grading.format_reports("toy_a", reports["toy_a"])
    said = "3 submission(s): 0 graded now, 3 unchanged (recorded grade stands), 0 not graded"
    assert table.splitlines()[0] == f"toy_a: {said}"
    assert grading.summary(reports, 0.4).startswith(f"summary: {said}, in 1 assignment(s);")
    first = {"toy_a": _reports("toy_a", "graded")}
    assert grading.format_reports("toy_a", first["toy_a"]).splitlines()[0] == \
        "toy_a: 3 submission(s): 3 graded now, 0 unchanged (recorded grade stands), 0 not graded"
    assert "3 graded now, 0 unchanged" in grading.summary(first, 60)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return toy_copy(tmp_path_factory, "run_output")


def test_all_names_the_assignments_nobody_submitted_in_one_line(course, capsys, monkeypatch):
    graded = {"toy_a": _reports("toy_a", "graded"), "toy_b": [], "toy_c": []}  # as grading --all returns them
    monkeypatch.setattr(grading, "autograde_many", lambda root, ids, *args, **kwargs: {aid: graded[aid] for aid in ids})
    assert cli(["--root", str(course), "autograde", "--all"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if "toy_b" in line or "toy_c" in line] == \
        ["no submissions (nothing under submitted/<student>/<id>/): toy_b, toy_c"]
    assert not any("0 submission(s)" in line or "0 of 0" in line for line in out)
    assert out[-1].startswith("summary: 3 submission(s): 3 graded now, 0 unchanged (recorded grade stands), 0 not "
                              "graded, in 1 assignment(s);")


def test_the_runs_csv_lists_each_function_that_lost_points(course, capsys, monkeypatch, tmp_path):
    graded = {"toy_a": _reports("toy_a", "graded"), "toy_b": _reports("toy_b", "unchanged")}
    graded["toy_a"].append(StudentReport("eve", None, None, ["not a notebook"], "toy_a", None, "not graded"))
    monkeypatch.setattr(grading, "autograde_many", lambda root, ids, *args, **kwargs: {aid: graded[aid] for aid in ids})
    report = tmp_path / "grades-run.csv"
    assert cli(["--root", str(course), "autograde", "toy_a", "toy_b",
                "--report", str(report)]) == 2  # eve's submission could not be graded
    with open(report, newline="", encoding="utf-8") as handle:
        rows = {(row["assignment"], row["student"]): row for row in csv.DictReader(handle)}
    # the gradebook's points (tests/test_lms_export.py RECORDED); the notebook's order: g_tests before f_tests
    assert {key: row["lost"] for key, row in rows.items()} == {
        ("toy_a", "ada"): "", ("toy_a", "bob"): "f_tests (0/2)", ("toy_a", "cy"): "g_tests (0/1)",
        ("toy_a", "eve"): "", ("toy_b", "ada"): "f_tests (0/2)",
        ("toy_b", "cy"): "g_tests (0/1); f_tests (0/2)"}
    assert rows["toy_b", "ada"]["status"] == "unchanged"  # a recorded grade that stands is read the same way


def test_the_files_instructor_commands_write_by_default_are_ignored_by_git():
    patterns = [line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    written = ["grades-run.csv", "roster.csv", *lms.DEFAULT_FILE.values()]  # the README's REPORT=, the exports
    assert sorted(written) == sorted({"grades-run.csv", "roster.csv", "grades.csv", "grades-canvas.csv",
                                      "grades-moodle.csv"})
    for name in written:
        assert any(fnmatch.fnmatch(name, pattern.lstrip("/")) for pattern in patterns), name

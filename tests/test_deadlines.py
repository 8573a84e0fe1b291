"""Due dates, extensions and the late penalty (autograder/deadlines.py), and what a grading records of them."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from autograder import deadlines, grading
from autograder.deadlines import DeadlineFileError
from test_manual_grades import AID, gradebook, marker, submit, toy_notebook, toy_root  # noqa: F401 - a fixture

UTC = dt.timezone.utc
DUE = dt.datetime(2027, 2, 1, 23, 59)  # naive UTC, as the gradebook stores it

GOOD = f"""
[{AID}]
due = "2027-02-01T23:59:00+00:00"

[extensions]
"slow_sam" = {{ {AID} = "48h" }}

[penalty]
per_day = 10
"""


def rules(text: str = GOOD, name: str = "deadlines.toml", tmp_path=None, known=(AID,)):
    (tmp_path / name).write_text(text)
    return deadlines.load(tmp_path, list(known) if known else None)


def test_due_dates_extensions_and_the_penalty_per_started_day(tmp_path):
    r = rules(tmp_path=tmp_path)
    assert r.due[AID] == DUE
    assert r.due_for(AID, "slow_sam") == DUE + dt.timedelta(hours=48)
    on_time, a_minute, a_day_and_a_bit = DUE, DUE + dt.timedelta(minutes=1), DUE + dt.timedelta(days=1, minutes=1)
    assert r.penalty(AID, "ada", on_time, 3, 3) == 0
    assert r.penalty(AID, "ada", a_minute, 3, 3) == pytest.approx(0.3)         # 1 started day: 10 % of 3
    assert r.penalty(AID, "ada", a_day_and_a_bit, 3, 3) == pytest.approx(0.6)  # 2 started days
    assert r.penalty(AID, "slow_sam", a_day_and_a_bit, 3, 3) == 0               # inside the extension
    assert r.penalty(AID, "ada", DUE + dt.timedelta(days=30), 3, 3) == 3        # capped at 100 %
    assert r.penalty(AID, "ada", DUE + dt.timedelta(days=3), 0.5, 3) == 0.5     # never more than the score


def test_zero_after_a_number_of_days_and_a_grace_period(tmp_path):
    r = rules(GOOD.replace("per_day = 10", "per_day = 0\nzero_after_days = 2\ngrace_minutes = 5"), tmp_path=tmp_path)
    assert r.penalty(AID, "ada", DUE + dt.timedelta(minutes=4), 3, 3) == 0
    assert r.penalty(AID, "ada", DUE + dt.timedelta(days=1), 3, 3) == 0
    assert r.penalty(AID, "ada", DUE + dt.timedelta(days=2, hours=1), 2.5, 3) == 2.5


def test_a_json_file_and_durations(tmp_path):
    r = rules('{"%s": {"due": "2027-02-01T18:59:00-05:00"}, "extensions": {"bo": {"%s": "1d12h"}}}' % (AID, AID),
              "deadlines.json", tmp_path)
    assert r.due[AID] == DUE and r.extension(AID, "bo") == dt.timedelta(hours=36)
    assert deadlines.parse_duration("90m") == dt.timedelta(minutes=90)
    assert deadlines.parse_duration("1w") == dt.timedelta(days=7)


@pytest.mark.parametrize("text, said", [
    (f'[{AID}]\ndue = "2027-02-01T23:59:00"', "has no time zone; add one"),
    (f'[{AID}]\ndue = "next friday"', "is not a date and time; write it like"),
    (f'[{AID}]\ndeu = "2027-02-01T23:59:00Z"', f"[{AID}] must hold exactly one key, due"),
    ('[w9a9_nothing]\ndue = "2027-02-01T23:59:00Z"', "[w9a9_nothing] is not an assignment of the course"),
    (f'[extensions]\nsam = {{ {AID} = "two days" }}', "is not a duration; write it like"),
    ('[extensions]\nsam = "48h"', "[extensions] sam: write a table of assignment id = duration"),
    ("[penalty]\nper_day = -5", "per_day = -5 must be a number of 0 or more"),
    ("[penalty]\nper_week = 5", "per_week is unknown"),
    ("[penalty\nper_day = 5", "deadlines.toml cannot be read"),
])
def test_a_malformed_file_says_where_and_what_to_write(tmp_path, text, said):
    with pytest.raises(DeadlineFileError) as caught:
        rules(text, tmp_path=tmp_path)
    assert said in str(caught.value) and str(caught.value).startswith("deadlines.toml")


def test_no_file_means_no_rules_and_two_files_are_refused(tmp_path):
    assert deadlines.load(tmp_path) is None
    (tmp_path / "deadlines.toml").write_text("")
    (tmp_path / "deadlines.json").write_text("{}")
    with pytest.raises(DeadlineFileError, match="keep one"):
        deadlines.load(tmp_path)


@pytest.mark.parametrize("text", ["2027-02-02 01:59:00.250000 UTC", "2027-02-02 01:59:00.25",
                                  "2027-02-02T01:59:00.25Z", "2027-02-01 20:59:00.25 America/New_York"])
def test_the_submission_time_is_read_as_nbgrader_reads_timestamp_txt(tmp_path, text):
    (tmp_path / "timestamp.txt").write_text(text + "\n")
    assert deadlines.submission_time(tmp_path) == (dt.datetime(2027, 2, 2, 1, 59, 0, 250000), "timestamp.txt")


def test_without_timestamp_txt_the_newest_notebook_time_counts(tmp_path):
    for name, when in (("a.ipynb", DUE), ("b.ipynb", DUE + dt.timedelta(hours=3))):
        (tmp_path / name).write_text("{}")
        stamp = when.replace(tzinfo=UTC).timestamp()
        os.utime(tmp_path / name, (stamp, stamp))
    assert deadlines.submission_time(tmp_path) == (DUE + dt.timedelta(hours=3), "file time")
    (tmp_path / "timestamp.txt").write_text("not a time")
    assert deadlines.submission_time(tmp_path)[1] == "file time (timestamp.txt could not be read)"


@pytest.fixture(scope="module")
def late_class(toy_root):
    """Three students of the toy assignment (3 points), all with full marks: ``early`` on time, ``late`` 25 hours
    late (two started days: 20 %), ``sam`` as late but with a 48 h extension; ``filetime`` has no timestamp.txt
    and its notebook's time is 1 hour late. A roster names ``early``."""
    root = toy_root
    (root / "deadlines.toml").write_text(GOOD.replace("slow_sam", "sam"))
    (root / "roster.csv").write_text("student_id,first_name,last_name,email,lms_id\n"
                                     "early,Ada,Lovelace,ada@example.org,4711\n")
    for student, late in (("early", -1), ("late", 25), ("sam", 25)):
        folder = submit(root, student, toy_notebook())
        (folder / "timestamp.txt").write_text((DUE + dt.timedelta(hours=late)).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    folder = submit(root, "filetime", toy_notebook())
    stamp = (DUE + dt.timedelta(hours=1)).replace(tzinfo=UTC).timestamp()
    os.utime(folder / "toy.ipynb", (stamp, stamp))
    reports = {r.student: r for r in grading.autograde(root, AID, ["early", "late", "sam", "filetime"], jobs=1)}
    return root, reports


def test_the_gradebook_holds_due_date_extension_time_and_penalty(late_class):
    root, reports = late_class
    assert {s: r.score for s, r in reports.items()} == dict.fromkeys(("early", "late", "sam", "filetime"), 3)
    with gradebook(root) as gb:
        assert gb.find_assignment(AID).duedate == DUE
        subs = {s: gb.find_submission(AID, s) for s in ("early", "late", "sam", "filetime")}
        assert subs["late"].timestamp == DUE + dt.timedelta(hours=25)
        assert subs["sam"].extension == dt.timedelta(hours=48) and subs["sam"].total_seconds_late == 0
        penalties = {s: sub.late_submission_penalty for s, sub in subs.items()}
    assert penalties == {"early": 0, "late": pytest.approx(0.6), "sam": 0, "filetime": pytest.approx(0.3)}
    assert marker(root, "filetime")["submitted_from"] == "file time"
    assert marker(root, "filetime")["submitted_at"] == (DUE + dt.timedelta(hours=1)).isoformat() + "Z"


def test_nbgrader_export_shows_the_penalty(late_class):
    root, _ = late_class
    csv = root / "grades.csv"
    grading.nbgrader(root, "export", "--to", str(csv))
    import csv as csv_module
    rows = {row["student_id"]: row for row in csv_module.DictReader(csv.read_text().splitlines())}
    assert float(rows["late"]["late_submission_penalty"]) == pytest.approx(0.6)
    assert float(rows["early"]["late_submission_penalty"]) == 0


def test_formgrader_counts_every_graded_submission_as_autograded(late_class):
    """Formgrader (nbgrader's API) calls a submission autograded when the gradebook's time equals the one in
    submitted/.../timestamp.txt (or both are empty): with and without that file, every graded student is."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    root, _ = late_class
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(root)))
    everyone = {"early", "late", "sam", "filetime"}
    assert everyone <= api.get_autograded_students(AID) == api.get_submitted_students(AID)
    submissions = {s["student"]: s for s in api.get_submissions(AID)}
    assert all(submissions[s]["autograded"] and submissions[s]["score"] == 3 for s in everyone), submissions
    assert api.get_assignment(AID)["num_submissions"] >= len(everyone)


def test_formgrader_lists_count_the_graded_submissions(late_class):
    """Formgrader loads the course's nbgrader_config.py before each request; its assignment lists then count the
    submissions graded: one collected but not yet graded adds to ``num_submitted`` only."""
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    root, _ = late_class
    PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()  # as Formgrader's api property does
    PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()  # each request: the same, not twice
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(root)))
    graded = api.get_autograded_students(AID)
    waiting = submit(root, "not_yet_graded", toy_notebook(release=True))
    try:
        listed = {a["name"]: a for a in api.get_assignments()}[AID]
        assert api.get_submitted_students(AID) - graded == {"not_yet_graded"}
        assert listed["num_submissions"] == len(graded) and listed["num_submitted"] == len(graded) + 1
        assert api.get_assignment(AID)["num_submissions"] == len(graded)
    finally:
        import shutil
        shutil.rmtree(waiting.parent)


def test_the_roster_names_the_student_in_formgrader(late_class):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    root, _ = late_class
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(root)))
    early = api.get_student("early")
    assert (early["first_name"], early["last_name"], early["email"], early["lms_user_id"]) == \
        ("Ada", "Lovelace", "ada@example.org", "4711")
    assert api.get_student("late")["last_name"] is None  # not in the roster: nbgrader's id alone



@pytest.mark.parametrize("name, text, said", [
    ("deadlines.toml", "[penalty]\nper_day = \"ten\"\n", "per_day"),
    ("roster.csv", "first_name,last_name\nAda,Lovelace\n", "student_id"),
])
def test_autograde_refuses_a_broken_course_file_before_grading_anyone(tmp_path, name, text, said):
    import shutil

    import nbformat

    from autograder.cli import main as cli
    from test_manual_grades import ROOT
    shutil.copy2(ROOT / "nbgrader_config.py", tmp_path)
    for folder, release in (("source", False), ("release", True)):
        (tmp_path / folder / AID).mkdir(parents=True)
        nbformat.write(toy_notebook(release=release), tmp_path / folder / AID / "toy.ipynb")
    submit(tmp_path, "someone", toy_notebook(release=True))
    (tmp_path / name).write_text(text)
    with pytest.raises(SystemExit) as stopped:
        cli(["--root", str(tmp_path), "autograde", AID, "--jobs", "1", "--no-progress", "--unsafe-no-sandbox"])
    assert said in str(stopped.value) and str(stopped.value).startswith("autograde: ")
    assert not (tmp_path / "gradebook.db").exists() and not (tmp_path / "autograded").exists()

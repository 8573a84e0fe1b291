"""`make export FORMAT=canvas|moodle|csv`: grade files that the LMS's gradebook import reads, the roster that maps
nbgrader's student ids to the LMS's, and the instructor's table of points per graded function.

The gradebook is filled through nbgrader's own API, as the grading process records a graded class (student,
submission, each graded cell's score, the notebook's late penalty): no notebook is run, so these tests take seconds.
"""
from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import lms
from autograder.cli import main as cli
from autograder.roster import RosterError, load_roster
from course import ROOT

# Three toy assignments (course order: sorted ids), each a notebook with two graded cells in this order.
TOY = ("toy_a", "toy_b", "toy_c")
GRADED = ("toy_a", "toy_b")  # toy_c: nobody's submission is graded, so an LMS's file has no column for it
CELLS = {"g_tests": 1.0, "f_tests": 2.0}  # g before f in the notebook: the export keeps the notebook's order
# (student, assignment) -> (points per graded cell, late penalty); None: submitted but nothing graded.
RECORDED = {
    ("ada", "toy_a"): ({"g_tests": 1.0, "f_tests": 2.0}, 0.0),
    ("ada", "toy_b"): ({"g_tests": 1.0, "f_tests": 0.0}, 0.5),   # 1 - 0.5
    ("bob", "toy_a"): ({"g_tests": 1.0, "f_tests": 0.0}, 2.0),   # 1 - 2 -> 0, never below
    ("cy", "toy_a"): ({"g_tests": 0.0, "f_tests": 2.0}, 0.0),
    ("cy", "toy_b"): ({"g_tests": 0.0, "f_tests": 0.0}, 0.0),
    ("eve", "toy_a"): (None, 0.0),                                  # not a notebook: nothing could be graded
}
ROSTER = """student_id,first_name,last_name,email,lms_id,sis_login_id,section
ada,Ada,Lovelace,ada@example.edu,101,alovelace,Section 1
bob,Bob,,bob@example.edu,102,,Section 2
dee,Dee,Dee,dee@example.edu,104,ddee,Section 1
eve,Eve,Smith,eve@example.edu,105,esmith,Section 2
"""


def toy_course(root: Path, recorded=RECORDED) -> Path:
    """A course at ``root`` with the toy assignments' source notebooks and a gradebook holding ``recorded``."""
    from nbgrader.api import Gradebook

    bin_dir = str(Path(sys.executable).parent)  # a new gradebook runs `alembic` by name, as the command line does
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    (root / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text())
    v4 = nbformat.v4
    for aid in TOY:
        cells = []
        for gid, points in CELLS.items():
            cell = v4.new_code_cell(f"assert True  # {gid}")
            cell.metadata["nbgrader"] = dict(grade_id=gid, grade=True, solution=False, locked=True, points=points,
                                             schema_version=3, task=False)
            cells.append(cell)
        (root / "source" / aid).mkdir(parents=True)
        nbformat.write(v4.new_notebook(cells=cells), root / "source" / aid / "toy.ipynb")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for aid in TOY:
            gb.update_or_create_assignment(aid)
            gb.update_or_create_notebook("toy", aid)
            for gid, points in sorted(CELLS.items()):  # the gradebook's order is not the notebook's
                gb.update_or_create_grade_cell(gid, "toy", aid, max_score=points, cell_type="code")
        for (student, aid), (points, penalty) in recorded.items():
            gb.update_or_create_student(student)
            sub = gb.add_submission(aid, student)
            (nb,) = sub.notebooks
            for grade in nb.grades:
                grade.auto_score = None if points is None else points[grade.name]
                grade.needs_manual_grade = points is None
            nb.late_submission_penalty = penalty or None
        gb.db.commit()
    return root


_BUILT: dict[str, Path] = {}


def toy_copy(tmp_path_factory, name: str) -> Path:
    """A fresh copy of the toy course of :data:`RECORDED` (made once per test session: a new gradebook takes
    seconds)."""
    if "toy" not in _BUILT:
        _BUILT["toy"] = toy_course(tmp_path_factory.mktemp("toy_course"))
    root = tmp_path_factory.mktemp(name)
    shutil.copytree(_BUILT["toy"], root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return toy_copy(tmp_path_factory, "lms")


@pytest.fixture(scope="module")
def with_roster(tmp_path_factory):
    root = toy_copy(tmp_path_factory, "lms_roster")
    (root / "roster.csv").write_text(ROSTER)
    return root


def export(root: Path, fmt: str, capsys, *extra: str) -> tuple[list[list[str]], str]:
    """Run ``python -m autograder export`` as `make export` does; the file parsed back with the csv module, and what
    the command printed."""
    assert cli(["--root", str(root), "export", "--format", fmt, *extra]) == 0
    path = Path(extra[1]) if extra else root / lms.DEFAULT_FILE[fmt]
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle)), capsys.readouterr().out


# Canvas, "How do I import grades in the Gradebook?" and the format of the file it reads (Canvas's own export; its
# importer's rules are in canvas_import below):
#   https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-import-grades-in-the-Gradebook/ta-p/807
#   https://community.canvaslms.com/t5/Instructor-Guide/How-do-I-export-grades-in-the-Gradebook/ta-p/809
# The first five columns, in this order, name the student: Student ("Last, First"), ID (Canvas's user id), SIS User
# ID, SIS Login ID, Section; each further column is one assignment, headed with its name (optionally "name (canvas
# id)"); the second row starts with "Points Possible" and holds each assignment's points.
CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_import(path: Path) -> dict:
    """What Canvas's gradebook import makes of the file at ``path``: the rules of its importer
    (instructure/canvas-lms, app/models/gradebook_importer.rb), written again here. The importer:

    - reads ";" as the separator when the first three lines have the same number of ";"-fields, more than of
      ","-fields; else ",";
    - takes the first row as the header only when it has more than 3 columns, its first holds "Student" and its
      second "ID"; the student columns are Student, ID and Section, with "SIS Login ID" third, or "SIS User ID"
      third and "SIS Login ID" fourth (then optionally "Integration ID" and "Root Account"); the last student
      column must hold "Section", or the file is refused ("Invalid header row");
    - drops the columns whose header holds Current/Final/Override Score, Points or Grade (Canvas's computed
      columns); every other column is an assignment, matched by "title (canvas id)" or by title, else created;
    - reads a row whose first cell holds "Points Possible" as the assignments' points, and skips a row whose cells
      are all empty, "Muted" or "Manual Posting...";
    - finds each student by the ID column (Canvas's numeric user id), else the SIS User ID, else the SIS Login ID,
      else the name ("First Last" or "Last, First").
    """
    import re

    lines = path.read_text(encoding="utf-8").splitlines()

    def fields(line, sep):
        return len(next(csv.reader([line], delimiter=sep)))
    counts = {}
    for sep in ",;":
        per_line = {fields(line, sep) for line in lines[:3]}
        counts[sep] = per_line.pop() if len(per_line) == 1 else 0
    sep = ";" if counts[";"] > counts[","] else ","
    rows = [[cell if cell != "" else None for cell in row] for row in csv.reader(lines, delimiter=sep)]
    header, body = rows[0], rows[1:]
    if not (len(header) > 3 and "Student" in (header[0] or "") and "ID" in (header[1] or "")):
        raise ValueError("Invalid header row")
    def at(i):  # a column past the end is empty, as in Ruby
        return (header[i] if i < len(header) else None) or ""
    columns, sis_user, sis_login = 3, None, None
    if re.search(r"SIS\s+Login\s+ID", at(2)):
        columns, sis_login = 4, 2
    elif re.search(r"SIS\s+User\s+ID", at(2)) and re.search(r"SIS\s+Login\s+ID", at(3)):
        integration = bool(re.search(r"Integration\s+ID", at(4)))
        columns, sis_user, sis_login = 5 + integration, 2, 3
        columns += bool(re.search(r"Root\s+Account", at(4 + integration)))
    if "Section" not in at(columns - 1):
        raise ValueError("Invalid header row")
    computed = re.compile("Current Score|Current Points|Current Grade|Final Score|Final Points|Final Grade|"
                          "Override Score|Override Grade|Override Status")
    assignments = {i: name for i, name in enumerate(header) if i >= columns and not computed.search(name or "")}
    result = {"assignments": {}, "students": []}
    for row in body:
        if "Points Possible" in (row[0] or ""):
            result["assignments"] = {name: row[i] for i, name in assignments.items()}
            continue
        if all(re.fullmatch(r"\s*(Muted|Manual Posting.*)?\s*", c, re.I) for c in row if c is not None):
            continue
        canvas_id = int(row[1]) if row[1] and row[1].strip().isdigit() else None
        found_by = ("ID" if canvas_id else "SIS User ID" if sis_user is not None and row[sis_user]
                    else "SIS Login ID" if sis_login is not None and row[sis_login] else "name")
        result["students"].append({"found by": found_by, "ID": canvas_id, "name": row[0],
                                   "SIS Login ID": row[sis_login] if sis_login is not None else None,
                                   "grades": {name: (row[i] or "").strip() for i, name in assignments.items()}})
    return result


# Moodle, "Import grades from CSV" (Grade import):  https://docs.moodle.org/en/Grade_import
#   one header row of column names, one row per student; one column identifies the user and is mapped ("Map from")
#   to a user field ("Map to": id, username, ID number or email address); each grade column is mapped to a grade item.
#   Moodle's import code (grade/import/csv/classes/load_data.php) reads a row whose identifier is empty as the
#   previous row's user, so every row must have the chosen identifier: Username is never empty.
MOODLE_USER_COLUMNS = {"First name": None, "Last name": None, "Username": "username", "Email address": "email",
                       "User ID": "id"}


def test_canvas_file_has_the_columns_and_points_possible_row_canvas_reads(with_roster, capsys):
    table, out = export(with_roster, "canvas", capsys)
    assert table[0] == CANVAS_STUDENT_COLUMNS + list(GRADED)
    assert table[1][0].strip() == "Points Possible" and table[1][1:5] == ["", "", "", ""]
    assert [float(v) for v in table[1][5:]] == [3.0, 3.0]
    rows = {row[3]: dict(zip(table[0], row)) for row in table[2:]}  # by SIS Login ID
    assert set(rows) == {"alovelace", "bob", "cy", "ddee", "esmith"}  # the gradebook's students and the roster's
    ada = rows["alovelace"]
    assert (ada["Student"], ada["ID"], ada["Section"]) == ("Lovelace, Ada", "101", "Section 1")
    assert (ada["toy_a"], ada["toy_b"]) == ("3", "0.5")  # after the late penalty
    assert rows["bob"]["toy_a"] == "0" and rows["bob"]["Student"] == "Bob"  # a penalty never takes it below 0
    assert (rows["cy"]["Student"], rows["cy"]["ID"], rows["cy"]["toy_a"]) == ("cy", "", "2")  # not in the roster
    assert [rows["ddee"][aid] for aid in GRADED] == ["", ""]  # on the roster, submitted nothing
    assert rows["cy"]["toy_b"] == "0"  # graded 0: a zero, not an empty cell
    assert rows["esmith"]["toy_a"] == ""  # submitted, but nothing of it could be graded: no grade, not a zero
    assert "1 student(s) not in roster.csv, their nbgrader id stands in: cy." in out
    assert "Submitted but not graded (left empty): eve (toy_a)." in out
    assert "Not in the file, as no submission of them is graded yet: toy_c." in out


def test_canvas_importer_reads_every_assignment_its_points_and_finds_every_student(with_roster, capsys):
    export(with_roster, "canvas", capsys)
    read = canvas_import(with_roster / lms.DEFAULT_FILE["canvas"])
    assert read["assignments"] == {aid: "3" for aid in GRADED}  # none taken for a computed column, each with points
    by_login = {s["SIS Login ID"]: s for s in read["students"]}
    assert set(by_login) == {"alovelace", "bob", "cy", "ddee", "esmith"}
    assert (by_login["alovelace"]["found by"], by_login["alovelace"]["ID"]) == ("ID", 101)  # Canvas's user id
    assert by_login["cy"]["found by"] == "SIS Login ID"  # not on the roster: the nbgrader id as the login
    assert by_login["alovelace"]["grades"] == {"toy_a": "3", "toy_b": "0.5"}
    assert by_login["ddee"]["grades"] == {"toy_a": "", "toy_b": ""}  # no grade: Canvas leaves the cell as it is


def test_canvas_import_rules_refuse_what_canvas_refuses(tmp_path):
    """The rules above are not a copy of the exporter's own: they refuse a header Canvas refuses."""
    bad = tmp_path / "bad.csv"
    bad.write_text("Name,ID,SIS Login ID,Section,toy_a\n")
    with pytest.raises(ValueError, match="Invalid header row"):
        canvas_import(bad)
    bad.write_text("Student,ID,SIS User ID,SIS Login ID,toy_a\n")  # no Section where Canvas needs it
    with pytest.raises(ValueError, match="Invalid header row"):
        canvas_import(bad)


def test_moodle_file_has_an_identifier_column_for_every_row_and_one_column_per_assignment(with_roster, capsys):
    table, out = export(with_roster, "moodle", capsys)
    assert table[0] == list(MOODLE_USER_COLUMNS) + list(GRADED)
    rows = {row[2]: dict(zip(table[0], row)) for row in table[1:]}
    assert all(rows) and len(rows) == len(table) - 1  # a username on every row, none twice
    assert rows["alovelace"] == {"First name": "Ada", "Last name": "Lovelace", "Username": "alovelace",
                                 "Email address": "ada@example.edu", "User ID": "101",
                                 "toy_a": "3", "toy_b": "0.5"}
    assert rows["cy"]["Email address"] == ""
    assert "have no email in roster.csv: identify users by 'Username'" in out


def test_csv_export_has_a_column_per_graded_function(course, capsys):
    table, out = export(course, "csv", capsys)
    functions = [f"{aid}:{gid}" for aid in TOY for gid in CELLS]  # the notebook's order, not the gradebook's
    assert table[0] == ["student_id", "last_name", "first_name", "email", *TOY, *functions]
    rows = {row[0]: dict(zip(table[0], row)) for row in table[1:]}
    assert set(rows) == {"ada", "bob", "cy", "eve"}
    assert (rows["ada"]["toy_b"], rows["ada"]["toy_b:g_tests"], rows["ada"]["toy_b:f_tests"]) == ("0.5", "1", "0")
    assert (rows["cy"]["toy_a:g_tests"], rows["cy"]["toy_a:f_tests"], rows["cy"]["toy_c:f_tests"]) == ("0", "2", "")
    assert (course / "grades.csv").is_file()  # the default file of the csv format is still grades.csv
    notes = [line for line in out.splitlines() if "roster" in line]
    assert notes == [f"No roster.csv in {course}: the nbgrader student ids stand in for the LMS's identifiers "
                     f"(see 'Export grades' in README.md to map them)."]


def test_without_a_roster_the_nbgrader_id_is_the_lms_identifier(course, capsys, tmp_path):
    table, _ = export(course, "canvas", capsys, "--to", str(tmp_path / "canvas.csv"))
    assert [(row[0], row[3]) for row in table[2:]] == [(s, s) for s in ("ada", "bob", "cy", "eve")]
    table, _ = export(course, "moodle", capsys, "--to", str(tmp_path / "moodle.csv"))
    assert [row[2] for row in table[1:]] == ["ada", "bob", "cy", "eve"]


def test_load_roster_maps_ids_and_fills_missing_columns(tmp_path):
    assert load_roster(tmp_path) == {}  # no roster: nothing to map
    (tmp_path / "roster.csv").write_text("\ufeffstudent_id,email,nickname\nada,ada@example.edu,A\n\nbob,,\n")
    roster = load_roster(tmp_path)
    assert roster["ada"] == {"student_id": "ada", "first_name": "", "last_name": "", "email": "ada@example.edu",
                             "lms_id": "", "sis_login_id": "", "section": "", "nickname": "A"}
    assert set(roster) == {"ada", "bob"} and roster["bob"]["email"] == ""


@pytest.mark.parametrize("text, said", [
    ("student_id,email\nada,a@x\nbob,b@x\nada,c@x\n", "line 4: student_id 'ada' is listed again (first on line 2)"),
    ("id,email\nada,a@x\n", "line 1: the header has no student_id column (it has: id, email)"),
    ("student_id,email\n,a@x\n", "line 2: no student_id"),
    ("student_id,email\nada,a@x,extra\n", "line 2: 3 values for 2 columns"),
])
def test_a_malformed_roster_says_file_line_and_what_is_wrong(tmp_path, text, said):
    (tmp_path / "roster.csv").write_text(text)
    with pytest.raises(RosterError, match=said.replace("(", r"\(").replace(")", r"\)")) as error:
        load_roster(tmp_path)
    assert str(tmp_path / "roster.csv") in str(error.value)


def test_export_stops_with_the_roster_error(tmp_path_factory):
    root = toy_copy(tmp_path_factory, "bad_roster")
    (root / "roster.csv").write_text("student_id\nada\nada\n")
    with pytest.raises(SystemExit, match="line 3: student_id 'ada' is listed again"):
        cli(["--root", str(root), "export", "--format", "canvas"])
    assert not (root / "grades-canvas.csv").exists()

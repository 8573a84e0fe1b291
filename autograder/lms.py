"""Grade files for the course's learning management system, from nbgrader's gradebook (``make export``).

Three formats, one row per student (everyone in the gradebook or in ``roster.csv``), one column per assignment in
course order (for an LMS, only the assignments with a graded submission: its import would create the others empty)
holding the student's total after nbgrader's late penalty (never below 0), empty where the student
submitted nothing or nothing of the submission could be graded:

``canvas``
    Canvas's Gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section``, one column per assignment
    headed with its id, and the ``Points Possible`` row under the header. Canvas's importer takes this header (its
    last student column must be Section), matches each assignment column by title (or creates the assignment, with
    the points of that row) and finds each student by ID (Canvas's numeric user id, the roster's ``lms_id``), else
    SIS User ID, else SIS Login ID (the roster's ``sis_login_id``, else the nbgrader id), else the name; the tests
    read the file with those rules.
``moodle``
    Moodle's "Import grades from CSV": ``First name, Last name, Username, Email address, User ID`` (the identifiers
    the import can map to a user field: username, email address, id), one column per assignment.
``csv``
    For the instructor: ``student_id, last_name, first_name, email``, one column per assignment, then one column
    per graded function headed ``<assignment id>:<grade id>`` with the points earned there.

Identifiers come from the roster (:mod:`autograder.roster`); without one, or for a student it does not list, the
nbgrader student id stands in where the LMS needs one.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from autograder.roster import ROSTER, load_roster

FORMATS = ("csv", "canvas", "moodle")
LMS_FORMATS = ("canvas", "moodle")  # files for an LMS's import: a column only for an assignment graded
DEFAULT_FILE = {"csv": "grades.csv", "canvas": "grades-canvas.csv", "moodle": "grades-moodle.csv"}

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # as Canvas's own export writes it (four spaces)
MOODLE_COLUMNS = ["First name", "Last name", "Username", "Email address", "User ID"]
CSV_COLUMNS = ["student_id", "last_name", "first_name", "email"]


@dataclass
class Grades:
    """What the gradebook holds, per assignment id (course order) and student id."""
    assignments: list[str]
    max_score: dict[str, float] = field(default_factory=dict)   # aid -> the assignment's points
    grade_ids: dict[str, list[str]] = field(default_factory=dict)  # aid -> graded cells, in notebook order
    students: dict[str, dict] = field(default_factory=dict)     # student id -> first_name, last_name, email
    total: dict[tuple[str, str], float] = field(default_factory=dict)  # (student, aid) -> score after penalty
    points: dict[tuple[str, str, str], float] = field(default_factory=dict)  # (student, aid, grade id) -> earned
    ungraded: list[tuple[str, str]] = field(default_factory=list)  # submitted, but no cell of it has a score


def read_grades(root: Path) -> Grades:
    """Every recorded grade of the course at ``root`` (an assignment not in the gradebook has empty cells)."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.grading import assignment_ids

    root = Path(root)
    grades = Grades(assignment_ids(root))
    if not (root / "gradebook.db").exists():
        return grades
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in gb.students:
            grades.students[student.id] = {"first_name": student.first_name or "",
                                           "last_name": student.last_name or "", "email": student.email or ""}
        for aid in grades.assignments:
            try:
                assignment = gb.find_assignment(aid)
            except MissingEntry:
                continue
            grades.max_score[aid] = assignment.max_score
            grades.grade_ids[aid] = graded_cells(root, aid, {c.name for nb in assignment.notebooks
                                                           for c in nb.grade_cells})
            for sub in assignment.submissions:
                cells = [g for nb in sub.notebooks for g in nb.grades]
                if all(g.auto_score is None and g.manual_score is None for g in cells):
                    grades.ungraded.append((sub.student.id, aid))
                    continue
                grades.total[sub.student.id, aid] = max(0.0, sub.score - (sub.late_submission_penalty or 0.0))
                for g in cells:
                    grades.points[sub.student.id, aid, g.name] = g.score
    return grades


def graded_cells(root: Path, aid: str, recorded: set[str]) -> list[str]:
    """The graded cells of ``aid`` in the order of its source notebooks; any the source no longer has, last."""
    import nbformat

    ordered = []
    for path in sorted((root / "source" / aid).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if gid in recorded and gid not in ordered:
                ordered.append(gid)
    return ordered + sorted(recorded - set(ordered))


def graded_assignments(grades: Grades) -> list[str]:
    """The assignments (course order) with at least one graded submission: the only columns of an LMS's file, whose
    import would create an empty assignment for each other column (Canvas does)."""
    done = {aid for _, aid in grades.total}
    return [aid for aid in grades.assignments if aid in done]


def _number(value: float | None) -> str:
    return "" if value is None else f"{round(value, 2):g}"


def rows(fmt: str, grades: Grades, roster: dict[str, dict]) -> list[list[str]]:
    """The grade file of format ``fmt`` (one of :data:`FORMATS`) as rows of cells, its header rows first."""
    ids = sorted(set(grades.students) | set(roster))
    aids = graded_assignments(grades) if fmt in LMS_FORMATS else grades.assignments

    def person(student: str) -> dict:
        entry = dict(roster.get(student) or {})
        for key, value in grades.students.get(student, {}).items():
            entry[key] = entry.get(key) or value  # the roster first, then what the gradebook knows
        return entry

    def totals(student: str) -> list[str]:
        return [_number(grades.total.get((student, aid))) for aid in aids]

    if fmt == "canvas":
        table = [CANVAS_COLUMNS + aids,
                 [CANVAS_POINTS_POSSIBLE, "", "", "", ""] + [_number(grades.max_score.get(aid)) for aid in aids]]
        for student in ids:
            p = person(student)
            name = ", ".join(n for n in (p.get("last_name"), p.get("first_name")) if n) or student
            table.append([name, p.get("lms_id", ""), p.get("sis_user_id", ""), p.get("sis_login_id") or student,
                          p.get("section", "")] + totals(student))
        return table
    if fmt == "moodle":
        table = [MOODLE_COLUMNS + aids]
        for student in ids:
            p = person(student)
            table.append([p.get("first_name", ""), p.get("last_name", ""), p.get("sis_login_id") or student,
                          p.get("email", ""), p.get("lms_id", "")] + totals(student))
        return table
    if fmt == "csv":
        functions = [(aid, gid) for aid in aids for gid in grades.grade_ids.get(aid, [])]
        table = [CSV_COLUMNS + aids + [f"{aid}:{gid}" for aid, gid in functions]]
        for student in ids:
            p = person(student)
            table.append([student, p.get("last_name", ""), p.get("first_name", ""), p.get("email", "")]
                         + totals(student)
                         + [_number(grades.points.get((student, aid, gid))) for aid, gid in functions])
        return table
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def export(root: Path, fmt: str = "csv", to: Path | None = None) -> tuple[Path, list[str]]:
    """Write the grade file of format ``fmt`` to ``to`` (default: :data:`DEFAULT_FILE` in ``root``); returns the
    path and notes for the instructor (one line each: identifiers that stand in, submissions not graded).

    Raises :class:`autograder.roster.RosterError` for a malformed roster."""
    root = Path(root)
    roster = load_roster(root)
    grades = read_grades(root)
    path = Path(to) if to else root / DEFAULT_FILE[fmt]
    table = rows(fmt, grades, roster)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(table)
    notes = []
    if not roster:
        notes.append(f"No {ROSTER} in {root}: the nbgrader student ids stand in for the LMS's identifiers (see "
                     f"'Export grades' in README.md to map them).")
    else:
        missing = sorted(set(grades.students) - set(roster))
        if missing:
            notes.append(f"{len(missing)} student(s) not in {ROSTER}, their nbgrader id stands in: "
                         f"{', '.join(missing)}.")
        if fmt == "moodle":
            for column, key in (("Email address", "email"), ("User ID", "lms_id")):
                lacking = [s for s in sorted(set(grades.students) | set(roster))
                           if not (roster.get(s, {}).get(key) or grades.students.get(s, {}).get(key))]
                if lacking and len(lacking) < len(set(grades.students) | set(roster)):
                    notes.append(f"{len(lacking)} student(s) have no {key} in {ROSTER}: identify users by "
                                 f"'Username', not '{column}', or fill it in.")
    graded = graded_assignments(grades)
    left_out = [aid for aid in grades.assignments if aid not in graded]
    if fmt in LMS_FORMATS and left_out:
        notes.append(f"Not in the file, as no submission of them is graded yet: {', '.join(left_out)}.")
    if grades.ungraded:
        notes.append("Submitted but not graded (left empty): "
                     + ", ".join(f"{s} ({aid})" for s, aid in sorted(grades.ungraded)) + ".")
    return path, notes

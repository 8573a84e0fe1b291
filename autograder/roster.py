"""The class roster: how the course's student ids (nbgrader's, the folder names under ``submitted/``) map to the
people and accounts of the learning management system.

``roster.csv`` sits in the course root, is kept out of git (it names people), and is optional. Its header names the
columns; only ``student_id`` is required, the others may be left out or left empty::

    student_id,first_name,last_name,email,lms_id,sis_login_id,section
    ada,Ada,Lovelace,ada@example.edu,10234,alovelace,Section 1

``lms_id`` is the LMS's own user id (Canvas's "ID", Moodle's user id), ``sis_login_id`` the login the institution
gives the student (Canvas's "SIS Login ID", Moodle's username). A column the roster adds (``sis_user_id``, say) is
kept too.
"""
from __future__ import annotations

import csv
from pathlib import Path

ROSTER = "roster.csv"
COLUMNS = ("student_id", "first_name", "last_name", "email", "lms_id", "sis_login_id", "section")


class RosterError(ValueError):
    """``roster.csv`` cannot be read as a roster; the message names the file, the line and what to fix."""


def load_roster(root: Path) -> dict[str, dict]:
    """Student id -> that student's row of ``root/roster.csv``: every column of :data:`COLUMNS` and every other
    column of the file, ``""`` where the file leaves it out or empty. ``{}`` when there is no roster.

    Raises :class:`RosterError` for a roster without a ``student_id`` column, a row without a student id, or a
    student id listed twice."""
    path = Path(root) / ROSTER
    if not path.is_file():
        return {}
    with open(path, newline="", encoding="utf-8-sig") as handle:  # -sig: a spreadsheet's byte-order mark
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        if "student_id" not in header:
            raise RosterError(f"{path}, line 1: the header has no student_id column (it has: "
                              f"{', '.join(header) or 'nothing'}). The first line must name the columns, e.g. "
                              f"{','.join(COLUMNS)}.")
        reader.fieldnames = header
        roster: dict[str, dict] = {}
        first_seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any((value or "").strip() for key, value in row.items() if key is not None):
                continue  # a blank line
            if None in row:  # more cells than the header names
                raise RosterError(f"{path}, line {line}: {len(header) + len(row[None])} values for "
                                  f"{len(header)} columns; quote a value that holds a comma.")
            entry = {key: "" for key in COLUMNS} | {key: (value or "").strip() for key, value in row.items()}
            student = entry["student_id"]
            if not student:
                raise RosterError(f"{path}, line {line}: no student_id; give every row the student's id (the "
                                  f"folder name under submitted/), or delete the row.")
            if student in roster:
                raise RosterError(f"{path}, line {line}: student_id {student!r} is listed again (first on line "
                                  f"{first_seen[student]}); keep one row per student.")
            roster[student], first_seen[student] = entry, line
    return roster

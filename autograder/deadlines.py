"""Due dates, extensions and the late penalty of the course, from one instructor file at the course root.

``deadlines.toml`` (or ``deadlines.json``, the same structure) holds::

    [w1a1_rnn_step_by_step]                  # one table per assignment id
    due = "2027-02-01T23:59:00+00:00"        # ISO 8601 with a time zone (a TOML date-time works too)

    [extensions]                             # per student, per assignment: extra time after the due date
    "student_a" = { w1a1_rnn_step_by_step = "48h" }   # "90m", "48h", "2d", "1w", "1d12h"

    [penalty]
    per_day = 10          # percent of the notebook's maximum taken per started day late (default 0: none)
    max_percent = 100     # the most a late submission loses, in percent of the maximum (default 100)
    zero_after_days = 7   # optional: later than this many days after the due date, nothing counts
    grace_minutes = 0     # optional: this late still counts as on time

The penalty never exceeds the score earned, so ``score - late_submission_penalty`` (what nbgrader's export and
Formgrader show) is never negative. It is computed per notebook when the submission is (re)graded.

When a submission was made is nbgrader's ``submitted/<student>/<id>/timestamp.txt`` (written by ``nbgrader
collect`` and the exchange, e.g. ``2027-02-01 22:10:05.123456 UTC``; every format nbgrader reads is read, with
nbgrader's own parser); without that file, the modification time of the newest submitted notebook.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

FILES = ("deadlines.toml", "deadlines.json")
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhm])")
_UNIT_HOURS = {"w": 168.0, "d": 24.0, "h": 1.0, "m": 1 / 60}
_PENALTY_KEYS = {"per_day", "max_percent", "zero_after_days", "grace_minutes"}


class DeadlineFileError(ValueError):
    """The course's deadlines file cannot be read; the message names the file, the entry and what to write."""


@dataclass
class Deadlines:
    """The course's due dates (naive UTC, as nbgrader's gradebook stores them), extensions and penalty rule."""
    path: Path | None = None
    due: dict = field(default_factory=dict)           # assignment id -> datetime (UTC, naive)
    extensions: dict = field(default_factory=dict)    # (student, assignment id) -> timedelta
    per_day: float = 0.0
    max_percent: float = 100.0
    zero_after_days: float | None = None
    grace: dt.timedelta = dt.timedelta(0)

    def due_for(self, aid: str, student: str) -> dt.datetime | None:
        """The student's due date for ``aid``, with their extension; None when the assignment has none."""
        due = self.due.get(aid)
        return None if due is None else due + self.extension(aid, student)

    def extension(self, aid: str, student: str) -> dt.timedelta:
        return self.extensions.get((student, aid), dt.timedelta(0))

    def penalty(self, aid: str, student: str, submitted: dt.datetime | None, score: float,
                max_score: float) -> float:
        """Points taken from one notebook that earned ``score`` of ``max_score``, submitted at ``submitted``."""
        due = self.due_for(aid, student)
        if due is None or submitted is None:
            return 0.0
        late = submitted - due - self.grace
        if late <= dt.timedelta(0):
            return 0.0
        days = late.total_seconds() / 86400
        if self.zero_after_days is not None and days > self.zero_after_days:
            return max(0.0, float(score))
        fraction = min(self.per_day * math.ceil(days), self.max_percent) / 100
        return round(min(max(0.0, float(score)), fraction * float(max_score)), 6)


def _utc(value, where: str) -> dt.datetime:
    """A due date (TOML date-time or ISO 8601 text, with a time zone) as naive UTC."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            raise DeadlineFileError(f"{where}: {value!r} is not a date and time; write it like "
                                    f"\"2027-02-01T23:59:00+00:00\".") from None
    if not isinstance(value, dt.datetime):
        raise DeadlineFileError(f"{where}: {value!r} is not a date and time; write it like "
                                f"\"2027-02-01T23:59:00+00:00\".")
    if value.tzinfo is None:
        raise DeadlineFileError(f"{where}: {value.isoformat()} has no time zone; add one, e.g. "
                                f"\"{value.isoformat()}+00:00\" for UTC.")
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None)


def parse_duration(text, where: str = "duration") -> dt.timedelta:
    """``"48h"``, ``"2d"``, ``"90m"``, ``"1w"``, ``"1d12h"`` (or a number of hours) as a timedelta."""
    if isinstance(text, (int, float)) and not isinstance(text, bool) and text >= 0:
        return dt.timedelta(hours=float(text))
    compact = str(text).replace(" ", "").lower() if isinstance(text, str) else ""
    parts = _DURATION.findall(compact)
    if not compact or "".join(n + u for n, u in parts) != compact:
        raise DeadlineFileError(f"{where}: {text!r} is not a duration; write it like \"48h\", \"2d\", \"90m\" or "
                                f"\"1d12h\".")
    return dt.timedelta(hours=sum(float(n) * _UNIT_HOURS[u] for n, u in parts))


def _number(table: dict, key: str, where: str, default):
    value = table.get(key, default)
    if value is default:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise DeadlineFileError(f"{where}: {key} = {value!r} must be a number of 0 or more.")
    return float(value)


def parse(data: dict, path: Path | None = None, known: list[str] | None = None) -> Deadlines:
    """The rules of a deadlines file's contents; DeadlineFileError names what is wrong and how to write it."""
    name = path.name if path else "deadlines"
    if not isinstance(data, dict):
        raise DeadlineFileError(f"{name}: the file must hold tables (assignment ids, [extensions], [penalty]).")
    rules = Deadlines(path=path)
    for key, table in data.items():
        if key == "extensions":
            if not isinstance(table, dict):
                raise DeadlineFileError(f"{name}: [extensions] must map each student to a table of assignment id = "
                                        f"duration, e.g. \"student_a\" = {{ w1a1_rnn_step_by_step = \"48h\" }}.")
            for student, given in table.items():
                if not isinstance(given, dict):
                    raise DeadlineFileError(f"{name}: [extensions] {student}: write a table of assignment id = "
                                            f"duration, e.g. {{ w1a1_rnn_step_by_step = \"48h\" }}.")
                for aid, length in given.items():
                    if known is not None and aid not in known:
                        raise DeadlineFileError(f"{name}: [extensions] {student}: {aid!r} is not an assignment of "
                                                f"the course ({', '.join(known)}).")
                    rules.extensions[str(student), aid] = parse_duration(length, f"{name}: [extensions] {student}: "
                                                                                 f"{aid}")
        elif key == "penalty":
            if not isinstance(table, dict) or set(table) - _PENALTY_KEYS:
                raise DeadlineFileError(f"{name}: [penalty] takes only {', '.join(sorted(_PENALTY_KEYS))}"
                                        + (f"; {', '.join(sorted(set(table) - _PENALTY_KEYS))} is unknown."
                                           if isinstance(table, dict) else "."))
            where = f"{name}: [penalty]"
            rules.per_day = _number(table, "per_day", where, 0.0)
            rules.max_percent = min(100.0, _number(table, "max_percent", where, 100.0))
            rules.zero_after_days = _number(table, "zero_after_days", where, None)
            rules.grace = dt.timedelta(minutes=_number(table, "grace_minutes", where, 0.0))
        else:
            if known is not None and key not in known:
                raise DeadlineFileError(f"{name}: [{key}] is not an assignment of the course, [extensions] or "
                                        f"[penalty]; the course has: {', '.join(known)}.")
            if not isinstance(table, dict) or set(table) != {"due"}:
                raise DeadlineFileError(f"{name}: [{key}] must hold exactly one key, due, e.g. "
                                        f"due = \"2027-02-01T23:59:00+00:00\".")
            rules.due[key] = _utc(table["due"], f"{name}: [{key}] due")
    return rules


def load(root: Path, known: list[str] | None = None) -> Deadlines | None:
    """The course's deadlines file (``deadlines.toml`` or ``deadlines.json`` in ``root``), or None when there is
    none. ``known``: the course's assignment ids, to catch a misspelt one."""
    found = [Path(root) / name for name in FILES if (Path(root) / name).exists()]
    if not found:
        return None
    if len(found) > 1:
        raise DeadlineFileError(f"{root} holds both {FILES[0]} and {FILES[1]}; keep one.")
    path = found[0]
    text = path.read_text(encoding="utf-8")
    try:
        if path.suffix == ".toml":
            import tomllib
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError and json.JSONDecodeError are ValueErrors
        raise DeadlineFileError(f"{path.name} cannot be read ({exc}); fix that line.") from None
    return parse(data, path, known)


def submission_time(folder: Path) -> tuple[dt.datetime | None, str]:
    """When the submission in ``folder`` was made (naive UTC) and where that comes from: ``"timestamp.txt"``
    (nbgrader's convention, read with nbgrader's parser), ``"file time"`` (the newest notebook's modification time; also
    when timestamp.txt cannot be parsed, said in the text) or ``"unknown"``."""
    from nbgrader.utils import parse_utc

    stamp = Path(folder) / "timestamp.txt"
    fallback = "file time"
    if stamp.exists():
        text = stamp.read_text(encoding="utf-8", errors="replace").strip()
        if text:
            try:
                return parse_utc(text), "timestamp.txt"
            except (ValueError, OverflowError):
                fallback = "file time (timestamp.txt could not be read)"
    times = [p.stat().st_mtime for p in Path(folder).glob("*.ipynb")]
    if not times:
        return None, "unknown"
    return dt.datetime.fromtimestamp(max(times), dt.timezone.utc).replace(tzinfo=None), fallback

"""The instructor's report of a class: one self-contained HTML page per assignment (``reports/<id>.html``).

    python -m autograder report ID [ID ...] | --all [--threshold T] [--out DIR]      (make report ID=<id>|all)

Read after ``autograde``: the gradebook (every student's score per graded cell), the autograded notebooks (each
failed test cell's sentence and its mistake id, recorded by :mod:`autograder.remote`) and each submission's private
record ``.grading.json`` (problems, seconds). Sections:

- **Scores**: the histogram of totals, mean and median, per graded function the share of full, partial and zero
  scores and the points the class lost on it, most costly first;
- **Mistakes**: per graded function, each mistake the checks named (by its stable id, see
  :mod:`checks.assertions`; a hidden test's is prefixed with the cell's grade id), in how many submissions, with the
  sentence the students saw;
- **Grading health**: submissions that hit a limit (time, memory, output, disk), cells restored or dropped,
  notebooks that could not be read or were missing, submissions not graded, and the slowest submissions;
- **Similarity**: pairs of submissions whose own code is unusually alike (:mod:`autograder.similarity`), with the
  copied parts marked side by side: evidence to review, never a verdict.

The page needs no network: its plots are inline SVG, its style inline, no script.
"""
from __future__ import annotations

import html
import json
import re
import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from autograder import similarity
from autograder.remote import recorded_mistake

MARKER = ".grading.json"
SLOWEST = 10


@dataclass
class ClassData:
    aid: str
    students: list = field(default_factory=list)                       # every student with a submission
    cells: dict = field(default_factory=dict)                          # grade id -> (notebook, max points), in order
    scores: dict = field(default_factory=lambda: defaultdict(dict))    # student -> grade id -> points
    mistakes: dict = field(default_factory=lambda: defaultdict(Counter))   # grade id -> mistake id -> submissions
    sentences: dict = field(default_factory=lambda: defaultdict(Counter))  # (grade id, mistake id) -> sentences
    problems: dict = field(default_factory=dict)                       # student -> problem sentences
    seconds: dict = field(default_factory=dict)                        # student -> grading seconds (all notebooks)


def function_of(grade_id: str) -> str:
    """The graded function a test cell's grade id names (``rnn_forward_tests`` -> ``rnn_forward``)."""
    return re.sub(r"_tests?$", "", grade_id)


# ----------------------------------------------------------------------------------------------- reading the class

def read_gradebook(root: Path, aid: str, data: ClassData) -> None:
    """Every score of ``aid`` from the gradebook, in one query."""
    from nbgrader.api import (Assignment, Grade, GradeCell, Gradebook, Notebook, SubmittedAssignment,
                              SubmittedNotebook)

    if not (root / "gradebook.db").exists():  # nothing graded yet (and no empty gradebook made for it)
        return
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            assignment = gb.find_assignment(aid)
        except Exception:  # noqa: BLE001 - MissingEntry: nothing graded yet
            return
        for notebook in assignment.notebooks:
            for cell in notebook.grade_cells:
                if cell.max_score:
                    data.cells[cell.name] = (notebook.name, float(cell.max_score))
        rows = (gb.db.query(SubmittedAssignment.student_id, GradeCell.name, Grade.auto_score, Grade.manual_score,
                            Grade.extra_credit)
                .select_from(Grade)
                .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                .join(GradeCell, Grade.cell_id == GradeCell.id)
                .join(Notebook, GradeCell.notebook_id == Notebook.id)
                .filter(Assignment.name == aid).all())
    order = _cell_order(root, aid)
    data.cells = dict(sorted(data.cells.items(), key=lambda kv: order.get(kv[0], len(order))))
    for student, gid, auto, manual, extra in rows:
        score = manual if manual is not None else (auto or 0.0)
        data.scores[student][gid] = float(score) + float(extra or 0.0)
    data.students = sorted(data.scores)


def _cell_order(root: Path, aid: str) -> dict:
    import nbformat
    order: dict = {}
    for path in sorted((root / "release" / aid).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if gid:
                order.setdefault(gid, len(order))
    return order


def _test_cell_failure(cell) -> tuple[str | None, str | None]:
    """(mistake id, the sentence shown) of a failed graded test cell, or (None, None) where it passed."""
    error = next((o for o in cell.get("outputs", []) if o.get("output_type") == "error"), None)
    mistake = recorded_mistake(cell.get("outputs", []))
    if error is None and mistake is None:
        return None, None
    sentence = str(error.get("evalue", "")) if error else ""
    if error and not sentence:
        sentence = error.get("ename", "")
    if mistake is None and error and error.get("ename") == "NotGraded":  # the notebook stopped before this cell
        mistake = "grading:not-graded"
    if mistake is None:  # graded before mistake ids were recorded: the message's static part stands in
        from checks.assertions import mistake_slug, static_part
        mistake = f"unrecorded:{mistake_slug(static_part(sentence))}"
    return mistake, sentence


def read_autograded(root: Path, aid: str, data: ClassData) -> None:
    """The mistakes of every failed test cell and each submission's record (problems, seconds)."""
    for folder in sorted((root / "autograded").glob(f"*/{aid}")):
        student = folder.parent.name
        for path in sorted(folder.glob("*.ipynb")):
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            for cell in nb.get("cells", []):
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if not (meta.get("grade") and meta.get("locked") and meta.get("grade_id")):
                    continue
                mistake, sentence = _test_cell_failure(cell)
                if mistake is None:
                    continue
                gid = meta["grade_id"]
                if mistake.startswith("hidden"):
                    mistake = f"{gid}/{mistake}"
                data.mistakes[gid][mistake] += 1
                data.sentences[(gid, mistake)][sentence] += 1
        try:
            record = json.loads((folder / MARKER).read_text())
        except (OSError, ValueError):
            record = {}
        data.problems[student] = [str(p) for p in record.get("problems", [])]
        seconds = record.get("seconds")
        if isinstance(seconds, dict) and seconds:
            data.seconds[student] = float(sum(v for v in seconds.values() if isinstance(v, (int, float))))
        if student not in data.scores:
            data.scores[student] = {}
    data.students = sorted(data.scores)


def read_class(root: Path, aid: str) -> ClassData:
    data = ClassData(aid)
    read_gradebook(root, aid, data)
    read_autograded(root, aid, data)
    return data


# ----------------------------------------------------------------------------------------------- the figures

def totals(data: ClassData) -> dict:
    return {s: sum(data.scores[s].get(gid, 0.0) for gid in data.cells) for s in data.students}


def per_function(data: ClassData) -> list[dict]:
    """Per graded cell: the shares of full, partial and zero scores and the points lost, most costly first."""
    rows = []
    n = max(len(data.students), 1)
    for gid, (_, most) in data.cells.items():
        got = [data.scores[s].get(gid, 0.0) for s in data.students]
        full = sum(g >= most - 1e-9 for g in got)
        zero = sum(g <= 1e-9 for g in got)
        rows.append({"grade_id": gid, "function": function_of(gid), "points": most,
                     "full": full / n, "partial": (len(got) - full - zero) / n, "zero": zero / n,
                     "lost": sum(max(most - g, 0.0) for g in got)})
    return sorted(rows, key=lambda r: (-r["lost"], r["grade_id"]))


#: Problem sentences by kind, for the health section (each a pattern over autograde's sentences).
HEALTH = {
    "time limit": r"time limit|wall-time limit|endless loop|timed? ?out",
    "memory limit": r"out of memory|memory limit|memory budget|MemoryError",
    "output limit": r"output passed",
    "disk limit": r"disk space|No space left",
    "cells restored or dropped": r"restored|was dropped|was changed; the original|was missing; the release|"
                                 r"run as an ordinary cell",
    "notebook unreadable or missing": r"is not a valid notebook|is missing from the submission",
    "not graded": r"not graded|could not be graded|could not be written|kernel could not be restarted",
}


def health(data: ClassData) -> dict:
    kinds = {kind: [] for kind in HEALTH}
    for student, problems in data.problems.items():
        for problem in problems:
            for kind, pattern in HEALTH.items():
                if re.search(pattern, problem, re.IGNORECASE):
                    kinds[kind].append((student, problem))
    slowest = sorted(((s, t) for s, t in data.seconds.items() if t > 0), key=lambda kv: -kv[1])[:SLOWEST]
    return {"kinds": kinds, "slowest": slowest}


# ----------------------------------------------------------------------------------------------- SVG plots

def _num(x: float) -> str:
    return f"{x:.4g}"


def histogram_svg(values: list[float], most: float, bins: int = 20) -> str:
    """A histogram of ``values`` over 0..``most`` as inline SVG."""
    width, height, pad = 640, 240, 36
    most = most or max(values or [1.0]) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(int(v / most * bins), bins - 1) if most else 0] += 1
    top = max(counts or [1]) or 1
    bar = (width - 2 * pad) / bins
    parts = [f'<svg class="plot" id="histogram" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="histogram of total scores">']
    for i, c in enumerate(counts):
        h = (height - 2 * pad) * c / top
        x, y = pad + i * bar, height - pad - h
        parts.append(f'<rect x="{_num(x + 1)}" y="{_num(y)}" width="{_num(bar - 2)}" height="{_num(h)}" fill="#4878a8">'
                     f'<title>{_num(i * most / bins)}–{_num((i + 1) * most / bins)}: {c}</title></rect>')
    parts.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#333"/>')
    for i in range(0, 5):
        x = pad + i * (width - 2 * pad) / 4
        parts.append(f'<text x="{_num(x)}" y="{height - pad + 16}" font-size="12" text-anchor="middle">'
                     f'{_num(most * i / 4)}</text>')
    parts.append(f'<text x="{pad}" y="{pad - 12}" font-size="12">{top} submission(s) at most per bar</text>')
    parts.append(f'<text x="{width / 2}" y="{height - 4}" font-size="12" text-anchor="middle">total score</text>')
    parts.append("</svg>")
    return "".join(parts)


def shares_svg(rows: list[dict]) -> str:
    """Per graded function, a bar of full (green), partial (amber) and zero (red) shares, as inline SVG."""
    label_w, bar_w, row_h = 220, 380, 20
    height = row_h * len(rows) + 30
    parts = [f'<svg class="plot" id="shares" xmlns="http://www.w3.org/2000/svg" width="{label_w + bar_w + 20}" '
             f'height="{height}" role="img" aria-label="shares of full, partial and zero scores per function">']
    for i, r in enumerate(rows):
        y = i * row_h + 4
        parts.append(f'<text x="{label_w - 6}" y="{y + 13}" font-size="12" text-anchor="end">'
                     f'{html.escape(r["function"])}</text>')
        x = label_w
        for key, colour in (("full", "#3a9a4a"), ("partial", "#e0a020"), ("zero", "#c0392b")):
            w = bar_w * r[key]
            if w > 0:
                parts.append(f'<rect x="{_num(x)}" y="{y}" width="{_num(w)}" height="{row_h - 4}" fill="{colour}">'
                             f'<title>{key}: {r[key]:.0%}</title></rect>')
            x += w
    y = len(rows) * row_h + 20
    parts.append(f'<text x="{label_w}" y="{y}" font-size="12"><tspan fill="#3a9a4a">■ full</tspan> '
                 f'<tspan fill="#e0a020">■ partial</tspan> <tspan fill="#c0392b">■ zero</tspan></text></svg>')
    return "".join(parts)


# ----------------------------------------------------------------------------------------------- the page

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1200px; color: #222; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .6em 0; } td, th { border: 1px solid #ddd; padding: .25em .6em;
  text-align: left; vertical-align: top; } th { background: #f3f3f3; } td.n { text-align: right; }
code { font-size: .92em; } .note { background: #fff7e0; border-left: 4px solid #e0a020; padding: .6em 1em; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1em; margin-bottom: 1.5em; }
.pair pre { background: #f7f7f7; padding: .6em; overflow-x: auto; font-size: 12px; margin: 0; }
mark { background: #ffd86b; } .muted { color: #777; }
"""


def _table(head: list[str], rows: list[list], numeric: set[int] = frozenset()) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f'<td{" class=n" if i in numeric else ""}>{c}</td>' for i, c in enumerate(row))
                   + "</tr>")
    return "".join(out) + "</table>"


def _scores_section(data: ClassData) -> str:
    total = totals(data)
    values = list(total.values())
    most = sum(m for _, m in data.cells.values())
    rows = per_function(data)
    stats = (f"<p>{len(values)} submission(s); total out of {most:g}: mean <b>{statistics.fmean(values):.2f}</b>, "
             f"median <b>{statistics.median(values):.2f}</b>.</p>") if values else "<p>No submission graded yet.</p>"
    table = _table(["graded function", "points", "full", "partial", "zero", "points lost by the class"],
                   [[f"<code>{html.escape(r['function'])}</code>", f"{r['points']:g}", f"{r['full']:.0%}",
                     f"{r['partial']:.0%}", f"{r['zero']:.0%}", f"{r['lost']:g}"] for r in rows], {1, 2, 3, 4, 5})
    return (f'<section id="scores"><h2>Scores</h2>{stats}{histogram_svg(values, most)}'
            f"<h3>Per graded function, what cost the class most first</h3>{shares_svg(rows)}{table}</section>")


def _mistakes_section(data: ClassData) -> str:
    parts = ['<section id="mistakes"><h2>Mistakes</h2><p>Per graded function, each mistake the checks named '
             "(counted by its stable id, whatever values the sentence shows), in how many submissions, and the "
             "sentence the students saw (the most frequent one).</p>"]
    n = max(len(data.students), 1)
    any_mistake = False
    for gid in data.cells:
        found = data.mistakes.get(gid)
        if not found:
            continue
        any_mistake = True
        rows = []
        for mistake, count in found.most_common():
            sentence = data.sentences[(gid, mistake)].most_common(1)[0][0] if data.sentences[(gid, mistake)] else ""
            rows.append([f"<code>{html.escape(mistake)}</code>", str(count), f"{count / n:.0%}",
                         html.escape(sentence[:600])])
        parts.append(f"<h3><code>{html.escape(function_of(gid))}</code> <span class=muted>({html.escape(gid)})</span>"
                     f"</h3>" + _table(["mistake id", "submissions", "share", "the sentence shown"], rows, {1, 2}))
    if not any_mistake:
        parts.append("<p>No test cell failed.</p>")
    return "".join(parts) + "</section>"


def _health_section(data: ClassData) -> str:
    h = health(data)
    parts = ['<section id="health"><h2>Grading health</h2>',
             _table(["what", "submissions"], [[html.escape(k), str(len({s for s, _ in v}))]
                                              for k, v in h["kinds"].items()], {1})]
    for kind, items in h["kinds"].items():
        if items:
            parts.append(f"<h3>{html.escape(kind)}</h3><ul>" + "".join(
                f"<li><b>{html.escape(s)}</b>: {html.escape(p)}</li>" for s, p in items[:200]) + "</ul>")
            if len(items) > 200:
                parts.append(f"<p class=muted>… and {len(items) - 200} more.</p>")
    if h["slowest"]:
        parts.append("<h3>Slowest submissions</h3>" + _table(
            ["student", "seconds"], [[html.escape(s), f"{t:.1f}"] for s, t in h["slowest"]], {1}))
    else:
        parts.append("<p class=muted>No grading times recorded (graded before they were).</p>")
    return "".join(parts) + "</section>"


def _similarity_section(result: similarity.Result | None) -> str:
    note = ('<p class="note"><b>Evidence to review, not a verdict.</b> A flagged pair shares unusually much of the '
            "code its students wrote (the release's code and comments left out; names do not matter). Short "
            "functions with one natural solution can be alike by themselves: read the code, and talk with the "
            "students, before you conclude anything.</p>")
    if result is None:
        return f'<section id="similarity"><h2>Similarity</h2>{note}<p>Not computed.</p></section>'
    parts = [f'<section id="similarity"><h2>Similarity</h2>{note}<p>{result.compared} submission(s) compared (with '
             f"the instructor's solution as the <i>{similarity.REFERENCE}</i>); threshold {result.threshold:.2f} "
             f"(<code>THRESHOLD=</code>): <b>{len(result.pairs)}</b> pair(s) flagged.</p>"]
    if result.pairs:
        parts.append(_table(["pair", "similarity"], [[f"{html.escape(p.a)} — {html.escape(p.b)}",
                                                      f"{p.similarity:.2f}"] for p in result.pairs[:200]], {1}))
        if len(result.pairs) > 200:
            parts.append(f"<p class=muted>… and {len(result.pairs) - 200} more pair(s) at or above the threshold: "
                         f"raise it to see the most similar ones first.</p>")
    for p in result.pairs[:similarity.EXCERPTS]:
        parts.append(f"<h3>{html.escape(p.a)} — {html.escape(p.b)}: {p.similarity:.2f}</h3><div class=pair>"
                     f"<div><b>{html.escape(p.a)}</b> ({p.shares[0]:.0%} of its code found in the other)"
                     f"<pre>{p.excerpt_a}</pre></div><div><b>{html.escape(p.b)}</b> ({p.shares[1]:.0%})"
                     f"<pre>{p.excerpt_b}</pre></div></div>")
    return "".join(parts) + "</section>"


def render(data: ClassData, sim: similarity.Result | None) -> str:
    title = f"Class report: {html.escape(data.aid)}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
            f'<p class=muted>Written {time.strftime("%Y-%m-%d %H:%M")}; sections: <a href="#scores">scores</a>, '
            f'<a href="#mistakes">mistakes</a>, <a href="#health">grading health</a>, '
            f'<a href="#similarity">similarity</a>.</p>'
            f"{_scores_section(data)}{_mistakes_section(data)}{_health_section(data)}{_similarity_section(sim)}"
            f"</body></html>")


def write_report(root: Path, aid: str, out: Path | None = None,
                 threshold: float = similarity.DEFAULT_THRESHOLD) -> Path:
    """Write ``<out>/<aid>.html`` (default ``reports/``) and return its path."""
    out = Path(out) if out is not None else root / "reports"
    data = read_class(root, aid)
    sim = similarity.class_similarity(root, aid, threshold)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{aid}.html"
    path.write_text(render(data, sim), encoding="utf-8")
    return path

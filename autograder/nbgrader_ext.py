"""nbgrader preprocessors of the course, named in ``nbgrader_config.py``.

- :class:`SandboxOnly` (autograde): plain ``nbgrader autograde``, which Formgrader's per-student Autograde button
  also runs, would execute the student's code outside the sandbox with the hidden tests in its kernel. It refuses
  before running anything, and names the sandboxed command (``make autograde``).

- :class:`StderrIsNotAFailure` (autograde): nbgrader zeroes a test cell that wrote anything on stderr; a
  library's log line or a numpy warning is not a wrong answer, so stderr becomes ordinary output and only the
  check's verdict (an error) decides the grade.
- :class:`HideHiddenTests` (feedback): the hidden tests' code is the instructor's; the feedback shows what
  the student saw in the test cell, and the outcome.
- :class:`OfflineMath` (feedback): the equations are turned into MathML, which browsers render natively, so
  feedback read offline shows formulas instead of raw LaTeX (and loads nothing from a CDN).
- :class:`CheckOutcomes` (feedback): each test cell's outcome as labelled lines, in order: the public check, the
  hidden tests, the score; the page's CSS wraps long messages. :func:`finish_feedback` (run for each student by
  ``GenerateFeedback.post_convert_hook`` and again by ``make feedback``) removes the grader's own files
  (``.grading.json``, any dot-file) from the feedback folder and names each test cell's function in the contents.
- :func:`count_graded_submissions` (Formgrader): its assignment list's "# Submissions" counts the submissions graded,
  not the folders in ``submitted/``.
"""
from __future__ import annotations

import re
from pathlib import Path

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)
# Characters Markdown would read inside the generated MathML (emphasis, escapes, code spans).
_MARKDOWN_SPECIAL = {"*": "&#42;", "_": "&#95;", "\\": "&#92;", "`": "&#96;", "$": "&#36;"}


UNSANDBOXED = "SEQUENCE_MODELS_PLAIN_NBGRADER"  # set to 1 to allow plain nbgrader autograde (a trusted class only)


class SandboxOnly(Preprocessor):
    """Stop plain ``nbgrader autograde`` before it runs a submission: this course grades in the sandbox only."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        aid = resources.get("nbgrader", {}).get("assignment", "<id>")
        student = resources.get("nbgrader", {}).get("student", "<student>")
        raise RuntimeError(
            f"Plain `nbgrader autograde` (also Formgrader's Autograde button) would run {student}'s code outside "
            f"the sandbox, with the hidden tests inside their kernel, so this course does not grade that way. Run "
            f"`make autograde ID={aid} STUDENT={student}` at the course root instead (sandboxed; the grade then "
            f"shows in Formgrader as usual).")


class StderrIsNotAFailure(Preprocessor):
    """Turn every stderr stream of a code cell into stdout, so it never costs points."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources


class HideHiddenTests(Preprocessor):
    """Remove the ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions from the cells' code."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN.sub("", cell.source).rstrip()
        return cell, resources


def tex_to_mathml(text: str) -> str:
    """Every ``$...$`` and ``$$...$$`` of a Markdown text as MathML (left as it was where it cannot be converted)."""
    from latex2mathml.converter import convert

    def one(match):
        display = match.group(1) is not None
        tex = match.group(1) if display else match.group(2)
        try:
            mathml = convert(tex.strip(), display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - a formula the converter does not know stays as written
            return match.group(0)
        return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in mathml)

    return MATH.sub(one, text)


class OfflineMath(Preprocessor):
    """Markdown cells' LaTeX as MathML."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = tex_to_mathml(cell.source)
        return cell, resources


MATHJAX_SCRIPT = re.compile(r"(<!-- Loading mathjax macro -->\s*)?<!-- Load mathjax -->.*?"
                            r"<!-- End of mathjax configuration -->", re.S)


def strip_mathjax(html: str) -> str:
    """The feedback page without nbconvert's MathJax loader (a CDN script; the math is MathML already)."""
    return MATHJAX_SCRIPT.sub("", html)


# --- Feedback pages: each test cell's outcome, labelled; the contents name the functions; no instructor file. ---

PASS_MARK, FAIL_MARK = "\u2714", "\u2718"
HIDDEN_START = "### BEGIN HIDDEN TESTS"
CHECK_CALL = re.compile(r"^[ \t]*check_(\w+)[ \t]*\(", re.M)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FEEDBACK_CSS = Path(__file__).with_name("feedback.css")
# Errors of the grading itself (a limit, a refusal), not of a check: they say nothing of the hidden tests' inputs.
_STOPPED = {"NotGraded", "GraderLimit", "GradingStopped", "OutputLimit", "CellTimeoutError", "KernelDied"}


def _test_meta(cell) -> dict | None:
    """The nbgrader metadata of a graded test cell (graded, not a solution), else None."""
    meta = cell.get("metadata", {}).get("nbgrader")
    if cell.get("cell_type") == "code" and isinstance(meta, dict) and meta.get("grade") and not meta.get("solution"):
        return meta
    return None


def graded_function(cell) -> str:
    """The name of the function a test cell grades: the one its public check is for (``check_<name>(...)``), else
    its grade id without ``_tests``."""
    called = CHECK_CALL.findall(cell.get("source", "").split(HIDDEN_START)[0])
    if called:
        return called[0]
    gid = str((cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id", ""))
    return gid[:-len("_tests")] if gid.endswith("_tests") else gid


def graded_functions(nb) -> dict[str, str]:
    """Grade id -> graded function name, for every test cell of a notebook."""
    return {str(meta["grade_id"]): graded_function(cell) for cell in nb.get("cells", [])
            if (meta := _test_meta(cell)) is not None and meta.get("grade_id")}


def _error_text(output) -> str:
    """An error output as the student saw it: its (one-sentence) traceback, without colour codes or the mark."""
    lines = [_ANSI.sub("", line) for line in output.get("traceback") or []]
    text = "\n".join(line for line in lines if line.strip()).strip()
    if not text:
        text = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
    return text[1:].strip() if text.startswith(FAIL_MARK) else text


def _points(value) -> str:
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return "?"


def outcome_lines(cell) -> list[tuple[str, str, str]]:
    """(label, state, sentence) lines of one graded test cell: the public check, then the hidden tests, then the
    score; state is "ok", "bad" or "none". Read from the cell's outputs: a passing public check prints one
    ``✔ ... all checks passed`` line, a hidden test prints nothing when it passes, and the first failure raises."""
    meta = _test_meta(cell) or {}
    public_code, hidden_mark, _ = cell.get("source", "").partition(HIDDEN_START)
    public_calls = max(1, len(CHECK_CALL.findall(public_code)))
    passes, errors, names = [], [], []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            passes += [line.strip()[1:].strip() for line in output.get("text", "").splitlines()
                       if line.strip().startswith(PASS_MARK)]
        elif output.get("output_type") == "error":
            errors.append(_error_text(output))
            names.append(output.get("ename", ""))
    score, points = meta.get("score"), meta.get("points")
    full = score is not None and points is not None and float(score) >= float(points)
    name = graded_function(cell)
    public = ("Public check", "ok", "passed: " + "; ".join(passes) if passes else "passed.")
    if not cell.get("outputs") and not full:
        public = ("Public check", "none", "not run: the grader recorded no outcome for this cell.")
        hidden = ("Hidden tests", "none", "not run.")
    elif errors and (len(passes) < public_calls or not hidden_mark):
        public = ("Public check", "bad", "failed: " + errors[0])
        hidden = ("Hidden tests", "none", "not run: they run once the public check passes.")
    elif errors and names[0] in _STOPPED:
        hidden = ("Hidden tests", "bad", "failed: " + errors[0])
    elif errors:
        hidden = ("Hidden tests", "bad", f"failed: {name} passed the public example but not the hidden tests' other "
                                         f"inputs: " + errors[0])
    elif not full and score is not None:
        hidden = ("Hidden tests", "bad", "failed (the grader recorded no message).")
    else:
        hidden = ("Hidden tests", "ok", "passed.")
    if hidden_mark:
        lines = [public, hidden]
    else:  # a cell with no hidden tests: whatever failed, failed in its public part
        lines = [public if public[1] != "ok" or hidden[1] == "ok" else ("Public check", "bad", hidden[2])]
    return lines + [("Score", "ok" if full else "bad", f"{_points(score)} / {_points(points)}")]


def _outcome_output(cell):
    import html

    import nbformat

    lines = outcome_lines(cell)
    marks = {"ok": PASS_MARK + " ", "bad": FAIL_MARK + " ", "none": ""}
    verdict = "passed" if all(state == "ok" for _, state, _ in lines) else "failed"
    marks = {(label, state): "" if label == "Score" else marks[state] for label, state, _ in lines}
    body = "".join(f'<p><span class="label-text">{label}:</span> <span class="{state}">{marks[label, state]}'
                   f'{html.escape(text)}</span></p>' for label, state, text in lines)
    title = html.escape(graded_function(cell))
    rich = f'<div class="test-outcome {verdict}"><p>Test of <code>{title}</code></p>{body}</div>'
    plain = "\n".join(f"{label}: {marks[label, state]}{text}" for label, state, text in lines)
    return nbformat.v4.new_output("display_data", data={"text/html": rich, "text/plain": plain})


class CheckOutcomes(Preprocessor):
    """Show each graded test cell's outcome as labelled lines, in order: the public check, the hidden tests, the
    score (instead of the raw outputs, where a passing public check's line sat right above a hidden test's failure);
    what else the cell printed stays below. Also inlines the page's wrapping CSS (``autograder/feedback.css``), so
    long messages wrap offline. Runs after ``GetGrades`` (it reads the scores) and before ``HideHiddenTests``."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        resources.setdefault("inlining", {}).setdefault("css", []).append(FEEDBACK_CSS.read_text(encoding="utf-8"))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        if _test_meta(cell) is None:
            return cell, resources
        from autograder.remote import MISTAKE_KEY

        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" or MISTAKE_KEY in (output.get("metadata") or {}):
                continue   # the failure is told in the outcome; the mistake id is the instructor's report's
            if output.get("output_type") == "stream":
                text = "".join(line for line in output.get("text", "").splitlines(keepends=True)
                               if not line.strip().startswith(PASS_MARK))
                if not text.strip():
                    continue
                output["text"] = text
            kept.append(output)
        cell.outputs = [_outcome_output(cell)] + kept
        return cell, resources


TEST_CELL_ENTRY = re.compile(r'<a href="#(?P<gid>[^"]+)">Test cell</a>')


def name_contents(page: str, names: dict[str, str]) -> str:
    """The page's contents list with each "Test cell" entry naming the function it grades."""
    import html

    def one(match):
        gid = html.unescape(match.group("gid"))
        name = names.get(gid) or (gid[:-len("_tests")] if gid.endswith("_tests") else gid)
        return f'<a href="#{match.group("gid")}">Test of <code>{html.escape(name)}</code></a>'

    return TEST_CELL_ENTRY.sub(one, page)


def private_files(folder: Path) -> list[Path]:
    """What under a feedback folder is not for the student: dot-files and dot-folders (the grader's record
    ``.grading.json``, temporary files), leftover ``*.tmp`` files and notebooks (the autograded ones are the
    grader's; the student gets the pages)."""
    found = []
    for path in sorted(Path(folder).rglob("*")):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.suffix in (".tmp", ".ipynb"):
            if not any(parent in found for parent in path.parents):
                found.append(path)
    return found


def finish_feedback(folder: Path, autograded: Path | None = None) -> list[Path]:
    """Make one student's feedback folder of one assignment fit for the student; returns its pages.

    Removes what is not for the student (:func:`private_files`), names the graded function in each page's contents
    (from the autograded notebook of the same name in ``autograded``, else from the grade ids) and drops the
    MathJax loader (:func:`strip_mathjax`). Running it again changes nothing.
    """
    import shutil

    import nbformat

    folder = Path(folder)
    for path in private_files(folder):
        shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    pages = sorted(folder.glob("*.html"))
    for page in pages:
        names = {}
        notebook = Path(autograded) / f"{page.stem}.ipynb" if autograded is not None else None
        if notebook is not None and notebook.is_file():
            try:
                names = graded_functions(nbformat.read(notebook, as_version=4))
            except Exception:  # noqa: BLE001 - an unreadable notebook: the names come from the grade ids
                names = {}
        text = page.read_text(encoding="utf-8")
        done = name_contents(strip_mathjax(text), names)
        if done != text:
            page.write_text(done, encoding="utf-8")
    return pages


def finish_feedback_hook(assignment=None, student=None, notebooks=()):
    """``GenerateFeedback.post_convert_hook``: :func:`finish_feedback` for the student just converted, so plain
    ``nbgrader generate_feedback`` (and Formgrader's feedback button) never leave the grader's files in
    ``feedback/`` either. The folders are the course's: ``autograded/<student>/<id>`` gives
    ``feedback/<student>/<id>``."""
    for folder in sorted({Path(nb).resolve().parent for nb in notebooks}):
        aid, who, root = folder.name, folder.parent.name, folder.parents[2]
        target = root / "feedback" / who / aid
        if target.is_dir():
            finish_feedback(target, folder)


def count_graded_submissions() -> None:
    """Make Formgrader's assignment lists ("Manage Assignments" and the gradebook's) count the graded submissions.

    nbgrader's API (:meth:`NbGraderAPI.get_assignment`, which Formgrader calls for both lists) counts the folders in
    ``submitted/``, so a class collected but not graded, or graded only in part, looks done. Here ``num_submissions``
    is the number of students nbgrader itself calls autograded (:meth:`NbGraderAPI.get_autograded_students`: graded,
    with the time of the submission now in ``submitted/``) and ``num_submitted`` keeps the folder count. Formgrader
    loads ``nbgrader_config.py``, which calls this, before each request; calling it again changes nothing."""
    import functools

    from nbgrader.apps.api import NbGraderAPI

    original = NbGraderAPI.get_assignment
    if getattr(original, "counts_graded", False):
        return

    @functools.wraps(original)
    def get_assignment(self, assignment_id, released=None):
        assignment = original(self, assignment_id, released=released)
        assignment["num_submitted"] = assignment.get("num_submissions", 0)
        assignment["num_submissions"] = len(self.get_autograded_students(assignment_id))
        return assignment

    get_assignment.counts_graded = True
    NbGraderAPI.get_assignment = get_assignment

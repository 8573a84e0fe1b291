"""Autograding: each submission in a sandbox, its test cells in the grader, one writer of the gradebook.

For every student, :func:`prepare` rebuilds the notebook to grade from the submission and the release: the
student's solution cells and own cells in the student's order, every locked cell (setup, tests) as the instructor
wrote it (a deleted, edited, retyped or re-tagged one is restored; a duplicate is dropped; malformed metadata is
ignored), and nothing of the submission's metadata that could claim points. :func:`grade` runs it: ordinary cells in
the student's sandboxed kernel (:mod:`autograder.sandbox`), graded test cells — public and hidden part — in this
process (:mod:`autograder.remote`). The main process alone writes ``autograded/`` and the gradebook, one student in
one transaction, so a run that is killed and started again grades each remaining student once.
"""
from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib
import json
import os
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from checks.paths import COURSE_ROOT
from autograder.sandbox import CellTimeout, KernelDied, LimitHit, Limits, SandboxKernel

GRADE_KEY = "nbgrader"
MARKER = ".grading.json"


@dataclass
class Prepared:
    """One notebook of one submission, ready to grade."""
    name: str
    notebook: nbformat.NotebookNode | None = None
    tests: dict = field(default_factory=dict)      # grade id -> (instructor's test code, points)
    problems: list = field(default_factory=list)


@dataclass
class Graded:
    name: str
    notebook: dict | None = None                   # the executed notebook (JSON-ready)
    scores: dict = field(default_factory=dict)     # grade id -> points earned
    max_scores: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    seconds: float = 0.0                           # wall time of its grading


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get(GRADE_KEY) if isinstance(cell.get("metadata"), dict) else None
    return meta if isinstance(meta, dict) else {}


def _is_test(meta: dict) -> bool:
    return bool(meta.get("grade")) and bool(meta.get("locked")) and not meta.get("solution")


_CLAIMS = ("grade_id", "grade", "solution", "locked", "points")  # the nbgrader metadata that decides grading


def _claims(meta: dict) -> dict:
    return {key: meta.get(key) for key in _CLAIMS}


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The submission as a notebook, or None and why it cannot be read."""
    return parse_notebook(path.read_bytes())


def parse_notebook(data: bytes) -> tuple[nbformat.NotebookNode | None, str | None]:
    """A submitted file's bytes as a notebook, or None and why it cannot be read."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        return None, f"is not a valid notebook (not JSON: {str(exc).splitlines()[0][:160]})"
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return None, "is not a valid notebook (it has no list of cells)"
    cells = []
    for i, cell in enumerate(raw["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) and all(isinstance(s, str) for s in source) else source
        if not isinstance(source, str):
            source = ""
        new = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell,
               "raw": nbformat.v4.new_raw_cell}[cell["cell_type"]](source)
        meta = cell.get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get(GRADE_KEY), dict):
            new.metadata[GRADE_KEY] = copy.deepcopy(meta[GRADE_KEY])
        elif isinstance(meta, dict) and GRADE_KEY in meta:
            new.metadata["malformed_nbgrader"] = True
        cells.append(new)
    return nbformat.v4.new_notebook(cells=cells), None


def prepare(submitted: nbformat.NotebookNode, release: nbformat.NotebookNode, source: nbformat.NotebookNode,
            name: str) -> Prepared:
    """The notebook to grade (see the module doc), and a sentence for each repair made."""
    out = Prepared(name)
    locked = {}  # grade id -> the instructor's cell (tests with their hidden part)
    source_cells = {_meta(c).get("grade_id"): c for c in source.cells if _meta(c).get("grade_id")}
    release_order = []
    for cell in release.cells:
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if not gid:
            continue
        release_order.append(gid)
        if meta.get("locked") and not meta.get("solution"):
            locked[gid] = copy.deepcopy(source_cells.get(gid, cell))
            if _is_test(meta):
                out.tests[gid] = (locked[gid].source, float(_meta(locked[gid]).get("points", meta.get("points", 0))))
    solutions = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("solution") and _meta(c).get("grade_id")}

    placed, cells, notes = set(), [], []
    for i, cell in enumerate(submitted.cells):
        meta = _meta(cell)
        gid = meta.get("grade_id") if isinstance(meta.get("grade_id"), str) else None
        if cell.metadata.pop("malformed_nbgrader", False):
            notes.append(f"cell {i + 1} had malformed nbgrader metadata; it was run as an ordinary cell")
        if gid in locked:
            if gid in placed:
                notes.append(f"a copy of the locked cell {gid} was dropped")
                continue
            original = locked[gid]
            released = next(c for c in release.cells if _meta(c).get("grade_id") == gid)
            if cell.cell_type != original.cell_type or cell.source.strip() not in (released.source.strip(),
                                                                                   original.source.strip()):
                notes.append(f"the locked cell {gid} was changed; the original was used")
            elif _claims(meta) != _claims(_meta(released)):
                notes.append(f"the nbgrader metadata of the locked cell {gid} was changed; the original was used")
            cells.append(copy.deepcopy(original))
            placed.add(gid)
        elif gid in solutions and gid not in placed and cell.cell_type == solutions[gid].cell_type:
            kept = copy.deepcopy(cell)
            kept.metadata = {GRADE_KEY: copy.deepcopy(_meta(solutions[gid]))}
            cells.append(kept)
            placed.add(gid)
        else:
            kept = copy.deepcopy(cell)
            kept.metadata.pop(GRADE_KEY, None)  # an ordinary cell: it cannot claim points
            cells.append(kept)
            if gid in solutions:
                notes.append(f"cell {i + 1} repeats the grade id {gid!r} of the solution cell (a copy, or another "
                             f"cell type); it was run as an ordinary cell")
            elif meta.get("grade") and gid not in locked:
                notes.append(f"cell {i + 1} claimed to be graded ({gid!r}); it was run as an ordinary cell")

    def put_back(gid, cell):
        """Insert ``cell`` right after the placed release cell that precedes ``gid`` in the release."""
        k = release_order.index(gid)
        before = [g for g in release_order[:k] if g in placed]
        pos = 1 + max(j for j, c in enumerate(cells) if _meta(c).get("grade_id") == before[-1]) if before else 0
        cells.insert(pos, copy.deepcopy(cell))
        placed.add(gid)

    for gid in release_order:  # every missing locked cell
        if gid in locked and gid not in placed:
            put_back(gid, locked[gid])
            notes.append(f"the deleted locked cell {gid} was restored")
    for gid in solutions:
        if gid not in placed:
            # A deleted (or unrecognisable) solution cell: the release's stub keeps the numbering of cells, in its
            # place, so that a definition of the student's in a cell of their own (or in a cell whose metadata was
            # broken) further down still counts.
            notes.append(f"the solution cell {gid} was missing; the release's unfinished version was put in its place")
            put_back(gid, solutions[gid])
    out.notebook = nbformat.v4.new_notebook(cells=cells, metadata=copy.deepcopy(release.metadata))
    out.problems = [f"{name}: {note}." for note in notes]
    return out


# ---------------------------------------------------------------------------- running one notebook

def _setup_imports(notebook) -> str:
    """The import statements of the notebook's locked setup cell (the instructor's), for the test cells."""
    import ast
    for cell in notebook.cells:
        if _meta(cell).get("grade_id") == "setup":
            tree = ast.parse(cell.source)
            imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
            return ast.unparse(ast.Module(body=imports, type_ignores=[]))
    return ""


#: The course's module that answers the grader in the notebook's kernel (see :mod:`autograder.remote`).
RUNTIME = "autograder.sandbox_runtime"


class GradingEnvironmentError(RuntimeError):
    """The notebook's kernel cannot import the course's grading runtime before any cell of the notebook ran: this
    machine's grading environment is at fault, not the submission, so nothing of the submission is graded and the
    coordinator records nothing for it."""


def _runtime_missing(kernel: SandboxKernel, limits: Limits) -> str | None:
    """Import the course's grading runtime in the kernel, where every graded test cell needs it; why that fails
    (the exception, in one line), or None. The notebook's names and outputs stay as they are."""
    reply = kernel.run(f"__import__({RUNTIME!r}) and None", limits.cell_seconds, store_history=False)
    if reply.get("status") == "error":
        return f"{reply.get('ename')}: {str(reply.get('evalue'))[:200]}"
    return None


def grade(prepared: Prepared, aid: str, root: Path, limits: Limits, sandbox: bool = True, slot: int = 0) -> Graded:
    """Run one prepared notebook; never raises for anything the notebook does. Raises GradingEnvironmentError
    when the kernel cannot import the course's grading runtime before any of the notebook's cells ran."""
    from autograder import remote

    result = Graded(prepared.name, problems=list(prepared.problems))
    nb = prepared.notebook
    result.max_scores = {gid: points for gid, (_, points) in prepared.tests.items()}
    result.scores = {gid: 0.0 for gid in prepared.tests}
    try:
        reference = importlib.import_module(f"autograder.reference.{aid}")
    except ModuleNotFoundError:
        reference = None
    kernel = SandboxKernel(root, limits, sandbox=sandbox, slot=slot)
    ran: list[int] = []       # ordinary cells that ran, to replay into a fresh kernel
    output_left = [limits.output_kb * 1024]
    stopped = None            # why the rest of the notebook could not run

    def label(i, cell):
        return _meta(cell).get("grade_id") or f"cell {i + 1}"

    def out_of_memory(i, cell):
        """Report a MemoryError, or a full disk, shown in the cell's outputs by name: the sandbox's limit."""
        for output in cell.outputs:
            if output.get("output_type") != "error":
                continue
            if str(output.get("ename", "")).endswith("MemoryError"):
                result.problems.append(f"{prepared.name}: {label(i, cell)} ran out of memory (MemoryError: "
                                       f"{str(output.get('evalue', ''))[:200]}); {kernel.memory_limit}.")
                return
            if "No space left on device" in str(output.get("evalue", "")):
                result.problems.append(f"{prepared.name}: {label(i, cell)} ran out of disk space (the notebook's "
                                       f"folder holds {limits.scratch_mb} MB, /tmp {limits.tmp_mb} MB).")
                return

    # While a graded function is tested, the reference stands in only for the graded functions tested before it
    # (in the instructor's order): one bug costs one function's points, and no function can be answered by the
    # reference of a later one that contains it.
    # Graded functions that only work on the student's side (they build a Keras graph from symbolic tensors, which
    # cannot be sent across) never stand in: the reference's KERNEL_ONLY names them.
    graded_names = set(getattr(reference, "GRADED", {})) - set(getattr(reference, "KERNEL_ONLY", ()))
    earlier: dict = {}
    seen: set = set()
    for gid, (code, _) in prepared.tests.items():
        earlier[gid] = set(seen)
        try:
            seen |= remote.test_names(code) & graded_names
        except SyntaxError:
            pass

    def collect(outputs):
        def on_output(msg):
            if msg["msg_type"] not in ("stream", "display_data", "execute_result", "error"):
                if msg["msg_type"] == "clear_output":
                    outputs.clear()
                return
            output = nbformat.v4.output_from_msg(msg)
            size = len(json.dumps(output))
            if size > output_left[0]:
                if output_left[0] >= 0:
                    result.problems.append(f"{prepared.name}: the notebook's output passed the limit of "
                                           f"{limits.output_kb} kB; later output was dropped.")
                    output_left[0] = -1
                return
            output_left[0] -= size
            if output["output_type"] == "stream" and outputs and outputs[-1].get("output_type") == "stream" \
                    and outputs[-1]["name"] == output["name"]:
                outputs[-1]["text"] += output["text"]
            else:
                outputs.append(output)
        return on_output

    def recover(reason: str, at: str) -> bool:
        """The kernel died or hung: start a fresh one and replay the ordinary cells that ran. False: give up."""
        result.problems.append(f"{prepared.name}: {at}: {reason}; the kernel was restarted and the cells before it "
                               f"were run again.")
        try:
            kernel.restart()
            missing = _runtime_missing(kernel, limits)  # before the notebook's cells, which may shadow it
            if missing:
                raise RuntimeError(f"it cannot import the course's grading runtime ({missing})")
            for j in ran:
                kernel.run(nb.cells[j].source, limits.cell_seconds)
            return True
        except (KernelDied, CellTimeout, LimitHit, RuntimeError) as exc:
            nonlocal stopped
            stopped = f"the kernel could not be restarted ({exc})"
            return False

    try:
        try:
            kernel.prepare(nb, prepared.name)
            kernel.start()
            missing = _runtime_missing(kernel, limits)
        except (KernelDied, RuntimeError) as exc:
            stopped = str(exc)
        else:
            if missing:
                raise GradingEnvironmentError(
                    f"the notebook's kernel cannot import the course's grading runtime ({RUNTIME}: {missing}): "
                    f"this machine's grading environment does not match the course")
        setup_imports = _setup_imports(nb)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs, cell.execution_count = [], None
            gid = _meta(cell).get("grade_id")
            if stopped:
                if gid in prepared.tests:
                    cell.outputs = [nbformat.v4.new_output("error", ename="NotGraded", evalue=stopped,
                                                           traceback=[f"\u2718 not graded: {stopped}"])]
                continue
            if gid in prepared.tests:
                code, points = prepared.tests[gid]
                try:
                    outputs, passed, problem = remote.run_test_cell(kernel, code, reference, setup_imports,
                                                                    limits.cell_seconds, output_left,
                                                                    stand_in_names=earlier[gid])
                except Exception as exc:  # noqa: BLE001 - a grader fault is reported, not a crash of the run
                    outputs, passed, problem = [], False, f"the grader could not run it ({type(exc).__name__}: {exc})"
                cell.outputs = outputs
                out_of_memory(i, cell)
                result.scores[gid] = points if passed else 0.0
                if problem:
                    result.problems.append(f"{prepared.name}: {gid}: {problem}; it scores 0.")
                if kernel.wall_left() <= 0:
                    stopped = f"the notebook ran past its wall-time limit of {limits.wall_seconds} s"
                    result.problems.append(f"{prepared.name}: {stopped}; the cells after {gid} were not run.")
                elif not kernel.alive():
                    recover("the kernel stopped during this test", gid)
                continue
            try:
                kernel.run(cell.source, limits.cell_seconds, collect(cell.outputs))
                ran.append(i)
                out_of_memory(i, cell)
            except CellTimeout as exc:
                cell.outputs.append(nbformat.v4.new_output("error", ename="CellTimeoutError", evalue=str(exc),
                                                           traceback=[f"\u2718 stopped: {exc}"]))
                result.problems.append(f"{prepared.name}: {label(i, cell)} {exc} (an endless loop?) and was "
                                       f"stopped.")
            except KernelDied as exc:
                cell.outputs.append(nbformat.v4.new_output("error", ename="KernelDied", evalue=str(exc),
                                                           traceback=[f"\u2718 {exc}"]))
                recover(str(exc), label(i, cell))
            except LimitHit as exc:
                stopped = str(exc)
                result.problems.append(f"{prepared.name}: {exc}; the cells from {label(i, cell)} on were not run.")
        if stopped and not any(stopped in p for p in result.problems):
            result.problems.append(f"{prepared.name}: not graded: {stopped}.")
    finally:
        kernel.stop()
    result.notebook = nbformat.from_dict(nb)
    return result


# ---------------------------------------------------------------------------- one submission as data

def files_digest(paths) -> "hashlib._Hash":
    """A running SHA-256 of the name and contents of each file of ``paths`` that exists, in the order given."""
    h = hashlib.sha256()
    for path in paths:
        if path.exists():
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h


def course_digest(root: Path, aid: str) -> str:
    """What the tests of ``aid`` are made of on this machine: the reference, the check kit, the week's checks and their
    fixtures. A worker compares the coordinator's with its own, so that a stale checkout on a worker never grades."""
    week = root / f"week{aid[1]}"
    return files_digest([root / "autograder" / "reference" / f"{aid}.py", *sorted((root / "checks").glob("*.py")),
                         *sorted(week.glob("*checks.py")), *sorted((week / "fixtures").glob("*"))]).hexdigest()


def _fingerprint(root: Path, aid: str, submission: Path) -> str:
    """What a grade depends on: the submission, the source notebook, the checks and the reference."""
    h = files_digest([submission, *sorted((root / "source" / aid).glob("*.ipynb"))])
    h.update(course_digest(COURSE_ROOT, aid).encode())  # the tests are imported from there
    return h.hexdigest()


def make_task(root: Path, aid: str, student: str, folder: Path | None = None) -> dict:
    """Everything a worker needs to grade one student's submission of ``aid``, as data: the submitted files, the
    release and source notebooks (the instructor's tests) and the digest of the tests. No path is read on the
    worker: it needs only the course's environment. The submitted notebooks are read from ``folder`` (by default
    ``submitted/<student>/<aid>/``)."""
    folder = Path(folder) if folder is not None else root / "submitted" / student / aid
    notebooks = []
    for rel_path in sorted((root / "release" / aid).glob("*.ipynb")):
        sub_path = folder / rel_path.name
        notebooks.append({"name": rel_path.name, "where": str(sub_path),
                          "submitted": sub_path.read_bytes() if sub_path.exists() else None,
                          "release": rel_path.read_text(encoding="utf-8"),
                          "source": (root / "source" / aid / rel_path.name).read_text(encoding="utf-8")})
    return {"aid": aid, "student": student, "notebooks": notebooks, "digest": course_digest(COURSE_ROOT, aid)}


class CourseMismatch(RuntimeError):
    """The worker's course files (reference, checks, fixtures) are not the coordinator's."""


def grade_task(task: dict, limits: Limits, sandbox: bool, root: Path | None = None) -> list[Graded]:
    """Grade one submission given as data (:func:`make_task`) with this machine's course environment; returns the
    results as data. Runs on a worker (or in the coordinator, serially); writes nothing but its sandboxes."""
    from autograder.sandbox import sandbox_slot

    root = Path(root or COURSE_ROOT)
    aid = task["aid"]
    if task.get("digest") and task["digest"] != course_digest(COURSE_ROOT, aid):
        raise CourseMismatch(f"the course files of {aid} (reference, checks, fixtures) on the worker "
                             f"{os.uname().nodename} ({COURSE_ROOT}) differ from the coordinator's: update that "
                             f"machine's checkout and restart its workers")
    results = []
    with sandbox_slot() as slot:
        for nb in task["notebooks"]:
            name = nb["name"]
            stem = Path(name).stem
            if nb["submitted"] is None:
                results.append(Graded(stem, problems=[f"{name} is missing from the submission: "
                                                      f"scored 0 for this notebook."]))
                continue
            release = nbformat.reads(nb["release"], as_version=4)
            source = nbformat.reads(nb["source"], as_version=4)
            submitted, why = parse_notebook(nb["submitted"])
            if submitted is None:
                results.append(Graded(stem, problems=[
                    f"{name} {why}; it was not graded. The file is kept as submitted at {nb['where']}; ask the "
                    f"student to re-submit (JupyterLab: File > Revert Notebook to Checkpoint, or re-download the "
                    f"release and copy their answers)."]))
                results[-1].max_scores = {gid: pts for gid, (_, pts) in prepare(release, release, source, "").tests.items()}
                results[-1].scores = {gid: 0.0 for gid in results[-1].max_scores}
                continue
            started = time.monotonic()
            prepared = prepare(submitted, release, source, name)
            results.append(grade(prepared, aid, root, limits, sandbox, slot))
            results[-1].seconds = round(time.monotonic() - started, 2)
    for result in results:  # plain data for the trip back to the coordinator
        if result.notebook is not None:
            result.notebook = json.loads(json.dumps(result.notebook))
    return results


def grade_student(root: Path, aid: str, student: str, limits: Limits, sandbox: bool) -> list[Graded]:
    """Prepare and run every notebook of one student's submission in ``root``, in this process."""
    return grade_task(make_task(root, aid, student), limits, sandbox, root)


def _roster_names(root: Path, student: str) -> dict:
    """The Student fields of the gradebook that the course's roster (``roster.csv``) knows for ``student``:
    first_name, last_name, email and lms_user_id (the roster's lms_id); {} when there is no roster or it does not
    list the student."""
    try:
        from autograder.roster import load_roster
    except ImportError:
        return {}
    entry = load_roster(root).get(student) or {}
    fields = {"first_name": "first_name", "last_name": "last_name", "email": "email", "lms_user_id": "lms_id"}
    return {field: entry[column] for field, column in fields.items() if entry.get(column)}


def _late(root: Path, aid: str, student: str):
    """(the deadlines rules or None, when the submission was made (naive UTC) or None, where that time comes from)."""
    from autograder import deadlines
    from autograder.grading import assignment_ids

    rules = deadlines.load(root, assignment_ids(root))  # a misspelt assignment id is an error, not "never due"
    when, source = deadlines.submission_time(root / "submitted" / student / aid)
    return rules, when, source


def record(root: Path, aid: str, student: str, results: list[Graded], fingerprint: str) -> None:
    """Write the autograded notebooks and the student's scores: one gradebook transaction (the only writer).

    A submission recorded before is updated in place: only the automatic scores change. Scores and comments given
    in Formgrader's manual grading (manual score, extra credit, comment) stay; where a regrade changes the automatic
    score under a manual score, a problem says so and ``.grading.json`` lists it under ``manual_kept``. The
    submission's time, the due date with the student's extension and the late penalty of ``deadlines.toml``
    (:mod:`autograder.deadlines`) go into nbgrader's own fields, so Formgrader and ``nbgrader export`` show them."""
    from nbgrader.api import Gradebook, MissingEntry

    folder = root / "autograded" / student / aid
    folder.mkdir(parents=True, exist_ok=True)
    rules, submitted_at, submitted_from = _late(root, aid, student)  # a malformed deadlines file stops here
    names = _roster_names(root, student)
    for result in results:
        if result.notebook is not None:
            tmp = folder / f".{result.name}.tmp"
            nbformat.write(nbformat.from_dict(result.notebook), tmp)
            os.replace(tmp, folder / result.name)
    manual_kept: list[dict] = []
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb, warnings.catch_warnings():
        # nbgrader's add_submission makes SQLAlchemy warn of objects it builds before they join the session
        warnings.filterwarnings("ignore", message="Object of type")
        real_commit = gb.db.commit
        gb.db.commit = gb.db.flush  # nbgrader commits after each step; make the whole student one transaction
        try:
            gb.update_or_create_student(student, **names)
            if rules is not None:
                gb.find_assignment(aid).duedate = rules.due.get(aid)
            try:
                sub = gb.find_submission(aid, student)
            except MissingEntry:
                sub = gb.add_submission(aid, student)  # (nbgrader adds no cell to an assignment with submissions)
            # Formgrader counts a submission as autograded when this time equals submitted/.../timestamp.txt's (or
            # both are empty): a file time is kept in .grading.json only (see README, Instructor guide).
            sub.timestamp = submitted_at if submitted_from == "timestamp.txt" else None
            extension = rules.extension(aid, student) if rules is not None else None
            sub.extension = extension or None
            scores = {(Path(r.name).stem, gid): float(score) for r in results for gid, score in r.scores.items()}
            for nb in sub.notebooks:
                earned = possible = 0.0
                for grade in nb.grades:
                    new = scores.get((nb.name, grade.name))  # None: not graded this time (a missing notebook)
                    old = grade.auto_score
                    if grade.manual_score is not None and old is not None and new != old:
                        manual_kept.append({"grade_id": grade.name, "manual_score": grade.manual_score,
                                            "old_auto": old, "new_auto": new})
                    grade.auto_score = new
                    if new is not None:
                        grade.needs_manual_grade = False
                    value = grade.manual_score if grade.manual_score is not None else (new or 0.0)
                    earned += value + (grade.extra_credit or 0.0)
                    possible += grade.cell.max_score or 0.0
                nb.late_submission_penalty = (rules.penalty(aid, student, submitted_at, earned, possible)
                                              if rules is not None else None) or None
        except BaseException:
            gb.db.rollback()
            raise
        finally:
            gb.db.commit = real_commit
        gb.db.commit()
    if manual_kept:
        results.append(Graded("", problems=[
            f"{aid}: {_function(k['grade_id'])}'s automatic score changed from {_points(k['old_auto'])} to "
            f"{_points(k['new_auto'])} under your manual score {_points(k['manual_score'])} (kept); review it in "
            f"Formgrader." for k in manual_kept]))
    tmp = folder / f"{MARKER}.tmp"
    tmp.write_text(json.dumps({"fingerprint": fingerprint, "problems": [p for r in results for p in r.problems],
                               "seconds": {r.name: r.seconds for r in results if r.name},
                               "manual_kept": manual_kept, "submitted_from": submitted_from,
                               "submitted_at": submitted_at.isoformat() + "Z" if submitted_at else None}))
    os.replace(tmp, folder / MARKER)


def _function(grade_id: str) -> str:
    """The graded function a test cell's grade id names (``rnn_cell_forward_tests`` -> ``rnn_cell_forward``)."""
    return grade_id[:-len("_tests")] if grade_id.endswith("_tests") else grade_id


def _points(value) -> str:
    return "none" if value is None else f"{value:g}"


def already_graded(root: Path, aid: str, student: str, fingerprint: str) -> list[str] | None:
    """The problems recorded when this exact submission was graded with these tests, or None if it was not."""
    marker = root / "autograded" / student / aid / MARKER
    try:
        data = json.loads(marker.read_text())
    except (OSError, ValueError):
        return None
    return data.get("problems", []) if data.get("fingerprint") == fingerprint else None


@contextlib.contextmanager
def _uninterrupted():
    """Ctrl-C (SIGINT) waits until the block is done: a result is recorded whole (gradebook and marker) or not at
    all, so a stopped run grades it once. Only in the main thread, where Python handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught = []
    previous = signal.signal(signal.SIGINT, lambda *args: caught.append(args))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _record_or_report(root: Path, aid: str, student: str, results: list, fingerprint: str, tries: int = 5) -> None:
    """record(), retried while the gradebook is locked by someone else; a failure is reported, never raised."""
    for attempt in range(tries):
        try:
            with _uninterrupted():
                record(root, aid, student, results, fingerprint)
            return
        except Exception as exc:  # noqa: BLE001
            if "locked" in str(exc) and attempt < tries - 1:
                time.sleep(2 * (attempt + 1))
                continue
            results.append(Graded("", problems=[f"the grade could not be written to the gradebook ({type(exc).__name__}:"
                                                f" {str(exc)[:200]}); it was not graded. Run autograde again."]))
            return

"""The grading pipeline: regenerate student notebooks, autograde, feedback, export.

nbgrader keeps the course's records (the gradebook, releases, feedback pages, the grade export); autograding is the
course's own (:mod:`autograder.autograde`): every submission runs in a sandbox, its test cells run in the grader,
and only the grader writes the gradebook. A submission that is not a valid notebook is reported by name while every
other student is still graded; deleted, edited or duplicated test cells are restored from the release; a cell that
runs forever is cut off. Submitted files are never changed. Before an assignment is graded, the instructor's
solution is graded the same way and must earn full marks (:mod:`autograder.canary`): a grading environment that does
not match the course refuses to grade instead of giving everyone zero.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path




@dataclass
class StudentReport:
    """What happened to one student's submission of one assignment."""
    student: str
    score: float | None = None
    max_score: float | None = None
    problems: list[str] = field(default_factory=list)
    assignment: str = ""
    seconds: float | None = None  # wall time of its grading in this run
    status: str = "graded"   # or "unchanged" (graded before: the recorded grade stands), "not graded"

    @property
    def graded(self) -> bool:
        return self.score is not None


def nbgrader(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run one nbgrader command in the course directory ``root`` with this environment's tools on PATH."""
    env = dict(os.environ)
    # nbgrader starts `alembic` and kernels by name: make them this interpreter's.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"`nbgrader {' '.join(args)}` failed in {root}:\n{proc.stdout}\n{proc.stderr}")
    return proc


def assignment_ids(root: Path) -> list[str]:
    """Every assignment with a source folder, in course order."""
    return sorted(p.name for p in (root / "source").iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def has_reference(aid: str) -> bool:
    """Whether the instructor reference (and so a fixture file) exists for ``aid``."""
    import importlib.util
    return importlib.util.find_spec(f"autograder.reference.{aid}") is not None


def generate_release(root: Path, ids: list[str] | None = None) -> list[Path]:
    """Regenerate ``release/<id>/`` from ``source/<id>/`` with nbgrader; returns the notebooks written."""
    written = []
    for aid in ids or assignment_ids(root):
        nbgrader(root, "generate_assignment", aid, "--force")
        written += sorted((root / "release" / aid).glob("*.ipynb"))
    return written


def register_assignment(root: Path, aid: str) -> None:
    """Record ``aid``'s notebooks and graded cells in the gradebook, as grading and feedback need them.

    Runs nbgrader's ``generate_assignment`` on ``source/<aid>`` into a scratch folder, so the committed
    ``release/`` is left as it is and no prior ``make release`` is needed on a fresh clone. Skipped when the
    gradebook already holds the assignment as the current source notebooks define it.
    """
    import hashlib
    import tempfile

    from nbgrader.api import Gradebook, MissingEntry

    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted((root / "source" / aid).glob("*.ipynb"))))
    stamp = root / "autograded" / f".registered-{aid}"
    if stamp.exists() and stamp.read_text() == digest.hexdigest() and (root / "gradebook.db").exists():
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            try:
                gb.find_assignment(aid)
                return
            except MissingEntry:
                pass
    with tempfile.TemporaryDirectory() as scratch:
        nbgrader(root, "generate_assignment", aid, "--force", f"--CourseDirectory.release_directory={scratch}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest.hexdigest())


def submitted_students(root: Path, aid: str) -> list[str]:
    sub = root / "submitted"
    return sorted(p.name for p in sub.iterdir() if (p / aid).is_dir()) if sub.is_dir() else []


def scores(root: Path, aid: str, student: str) -> dict[str, float]:
    """Points earned per graded cell (grade id -> score) for one student's autograded assignment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(aid, student)
        return {g.name: g.score for nb in sub.notebooks for g in nb.grades}


def limits_from_config(root: Path):
    """The sandbox limits, with the per-cell timeout of nbgrader_config.py (``Execute.timeout``)."""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.sandbox import Limits
    try:
        config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        timeout = int(config.Execute.timeout) if "timeout" in config.Execute else Limits.cell_seconds
    except Exception:  # noqa: BLE001 - a broken config file is nbgrader's to report; use the default
        timeout = Limits.cell_seconds
    return Limits(cell_seconds=timeout)


def autograde(root: Path, aid: str, students: list[str] | None = None, jobs: int | None = None,
              sandbox: bool = True, limits=None, **options) -> list[StudentReport]:
    """Autograde every submission of ``aid`` (or just ``students``); see :func:`autograde_many`."""
    return autograde_many(root, [aid], students, jobs, sandbox, limits, **options)[aid]


def autograde_many(root: Path, ids: list[str], students: list[str] | None = None, jobs: int | None = None,
                   sandbox: bool = True, limits=None, scheduler: str | None = None, force: bool = False,
                   retries: int | None = None, progress: bool | None = False, log=None,
                   canary: bool | None = None) -> dict[str, list[StudentReport]]:
    """Autograde every submission of each assignment in ``ids`` (or just ``students``'), on one cluster; never
    stops at one bad submission.

    The canary (:mod:`autograder.canary`) grades each assignment's solution as a submission, in the same sandbox
    and limits, unless it passed before with the same course and environment (``force``: again): it is the first
    task of the class's grading, and nothing of its assignment is registered or recorded before it passed. An
    assignment whose solution does not earn full marks is not recorded at all: after the others are graded,
    :class:`autograder.canary.CanaryFailed` says why, and holds the others' reports. ``canary=False`` skips it
    (default: unless ``$SEQUENCE_MODELS_CANARY`` is 0).

    Each submission is one task (:mod:`autograder.cluster`): on a Dask ``LocalCluster`` of ``jobs`` workers
    (default: sized to this machine), on the Dask scheduler at ``scheduler`` (or ``$SEQUENCE_MODELS_SCHEDULER``),
    or, with ``jobs=1`` and no scheduler, in this process. Each runs in its own sandbox; its test cells run in the
    grader (:mod:`autograder.remote`); this process alone writes the gradebook, each result as it arrives. A
    submission graded before, unchanged and with unchanged tests, is not graded again unless ``force``.
    ``sandbox=False`` runs kernels without bubblewrap: only for a trusted class.
    """
    from autograder import canary as canaries
    from autograder import cluster
    from autograder.sandbox import INSTALL_HINT, bwrap_available

    if sandbox and not bwrap_available():
        raise SandboxUnavailable(INSTALL_HINT)
    root = Path(root)
    missing = [aid for aid in ids if not list((root / "release" / aid).glob("*.ipynb"))]
    if missing:  # every submission is rebuilt from its release: without one, nothing of it would be graded
        raise ReleaseMissing(f"release/{missing[0]}/ holds no notebook: each submission is graded against the "
                             f"release it was made from. Run `make release` (or `python -m autograder release "
                             f"{' '.join(missing)}`), then grade again.")
    limits = limits or limits_from_config(root)
    class_of = {aid: students or submitted_students(root, aid) for aid in ids}
    refused: dict[str, str] = {}
    gates = {}
    for aid in ids:
        pending = canaries.due(root, aid, limits, sandbox, force) if class_of[aid] and canaries.wanted(canary) else None
        if pending is None:
            register_assignment(root, aid)
            continue
        canaries.announce(aid, log)

        def judge(results, error, aid=aid, pending=pending):
            message = canaries.verdict(root, pending, limits, sandbox, results, error, log)
            if message is None:
                register_assignment(root, aid)  # before the first of its results is recorded
            else:
                refused[aid] = message
            return message
        gates[aid] = cluster.Gate(canaries.task(root, aid), judge)
    work = [(aid, student) for aid in ids for student in class_of[aid]]
    outcomes = cluster.grade_class(root, work, limits, sandbox, jobs, scheduler, force,
                                   cluster.DEFAULT_RETRIES if retries is None else retries, progress, log=log,
                                   gates=gates)
    ids = [aid for aid in ids if aid not in refused]
    reports: dict[str, list[StudentReport]] = {aid: [] for aid in ids}
    for aid, student in work:
        if aid in refused:
            continue
        outcome = outcomes[aid, student]
        report = StudentReport(student, assignment=aid)
        if outcome.reused is not None:
            report.status = "unchanged"
            report.problems = list(outcome.reused) + ["unchanged since it was last graded: the recorded grade stands."]
        elif outcome.failure is not None:
            report.problems = [outcome.failure]
        else:
            report.problems = [p for r in outcome.results for p in r.problems]
            report.seconds = round(sum(r.seconds for r in outcome.results), 2)
        try:
            found = scores(root, aid, student)
            report.score, report.max_score = sum(v or 0 for v in found.values()), _max_score(root, aid)
        except Exception:  # noqa: BLE001 - nothing recorded
            report.problems.append("no grade was recorded for this submission.")
        if outcome.failure is not None or any("it was not graded" in p for p in report.problems):
            report.score, report.status = None, "not graded"  # the gradebook lists the student with 0
        reports[aid].append(report)
    if refused:
        raise canaries.CanaryFailed(refused, reports)
    return reports


def _max_score(root: Path, aid: str) -> float:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        return gb.find_assignment(aid).max_score


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing; the message says how to install it."""


class ReleaseMissing(RuntimeError):
    """An assignment to grade has no release notebook; the message says how to make it."""


def generate_feedback(root: Path, aid: str) -> list[Path]:
    """nbgrader's HTML feedback for every autograded student, readable offline; returns the files written.

    Each test cell shows its outcome labelled, public check then hidden tests then score (``CheckOutcomes`` in
    nbgrader_config.py), and the page's contents name each graded function. The equations are MathML already
    (``OfflineMath``); the MathJax loader nbconvert puts in every page would only fetch a script from a CDN, so it
    is removed. nbgrader copies the autograded folder, grader's record ``.grading.json`` included: every student's
    feedback folder is cleared of such files (:func:`autograder.nbgrader_ext.finish_feedback`, also run by
    nbgrader's post-convert hook), and the run fails rather than leave one there.
    """
    from autograder.nbgrader_ext import finish_feedback

    root = Path(root)
    nbgrader(root, "generate_feedback", aid, "--force")
    pages = []
    for folder in sorted((root / "feedback").glob(f"*/{aid}")):
        pages += finish_feedback(folder, root / "autograded" / folder.parent.name / aid)
    _clear_feedback(root)
    return sorted(pages)


def _clear_feedback(root: Path) -> None:
    """Remove the grader's files from every student's feedback folder (every assignment); fail if one stays."""
    from autograder.nbgrader_ext import private_files

    folders = sorted(p for p in (root / "feedback").glob("*") if p.is_dir() and not p.name.startswith("."))
    for folder in folders:
        for path in private_files(folder):
            shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
    left = [path for folder in folders for path in private_files(folder)]
    if left:
        raise RuntimeError(f"{left[0]} is the grader's, not the student's, and could not be removed from feedback/: "
                           f"remove it by hand before the feedback is handed out.")


def format_reports(aid: str, reports: list[StudentReport]) -> str:
    """The run's table for one assignment: a line that counts its submissions as :func:`summary` does, then one line
    per student (score or NOT GRADED) and the student's problems."""
    lines = [f"{aid}: {_tally(reports)}"]
    for r in reports:
        score = f"{r.score:g} / {r.max_score:g}" if r.graded else "NOT GRADED"
        lines.append(f"  {r.student:<20} {score}")
        lines += [f"      ! {p}" for p in r.problems]
    return "\n".join(lines)


def summary(reports: dict[str, list[StudentReport]], seconds: float, refused: list[str] | None = None) -> str:
    """One line for the run: graded now, unchanged, not graded, the pace, and the assignments ``refused`` (not graded
    at all: the instructor's solution loses points on this machine). Assignments nobody submitted are not counted
    (:func:`no_submissions` names them)."""
    everyone = [r for rs in reports.values() for r in rs]
    graded = sum(r.status == "graded" for r in everyone)
    pace = f", {60 * graded / seconds:.1f} per minute" if graded and seconds > 0 else ""
    refusal = (f" NOT GRADED AT ALL: {', '.join(refused)} (the instructor's solution loses points on this machine: "
               f"see below).") if refused else ""
    return (f"summary: {_tally(everyone)}, in {sum(bool(rs) for rs in reports.values())} assignment(s); "
            f"{seconds:.0f} s{pace}.{refusal}")


def _tally(reports: list[StudentReport]) -> str:
    """"3 submission(s): 0 graded now, 3 unchanged (recorded grade stands), 0 not graded": the per-assignment line
    and the summary say it in the same words."""
    count = {status: sum(r.status == status for r in reports) for status in ("graded", "unchanged", "not graded")}
    return (f"{len(reports)} submission(s): {count['graded']} graded now, {count['unchanged']} unchanged (recorded "
            f"grade stands), {count['not graded']} not graded")


def no_submissions(reports: dict[str, list[StudentReport]]) -> str | None:
    """One line naming the assignments of the run that nobody submitted; None when every one had a submission."""
    empty = [aid for aid, rs in reports.items() if not rs]
    return (f"no submissions (nothing under submitted/<student>/<id>/): {', '.join(empty)}" if empty else None)


def write_report(path: Path, reports: dict[str, list[StudentReport]], root: Path | None = None) -> None:
    """The per-student table as CSV: assignment, student, score, max_score, status, seconds (its grading's wall
    time in this run), problems (one per line), lost: each graded cell that lost points, as ``grade_id
    (earned/max)`` separated by "; ", read from the gradebook of the course at ``root`` (empty without ``root``, and
    for a submission with no grade)."""
    import csv

    lost = _lost_points(root, reports) if root is not None else {}
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["assignment", "student", "score", "max_score", "status", "seconds", "problems", "lost"])
        for aid, rs in reports.items():
            for r in rs:
                writer.writerow([aid, r.student, "" if r.score is None else f"{r.score:g}",
                                 "" if r.max_score is None else f"{r.max_score:g}", r.status,
                                 "" if r.seconds is None else f"{r.seconds:g}", "\n".join(r.problems),
                                 "; ".join(lost.get((aid, r.student), []))])


def release_is_stale(root: Path, aid: str, scratch: Path) -> list[str]:
    """Regenerate ``aid`` in ``scratch`` and list the release notebooks that differ from ``root``'s."""
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    shutil.copy2(root / "nbgrader_config.py", scratch)
    shutil.copytree(root / "source" / aid, scratch / "source" / aid)
    # The copied config points at its own folder, so the scratch course has its own gradebook.
    generate_release(scratch, [aid])
    stale = []
    fresh = {p.name: p for p in (scratch / "release" / aid).glob("*.ipynb")}
    committed = {p.name: p for p in (root / "release" / aid).glob("*.ipynb")} if (root / "release" / aid).is_dir() else {}
    for name in sorted(set(fresh) | set(committed)):
        if name not in fresh or name not in committed or \
                json.loads(fresh[name].read_text()) != json.loads(committed[name].read_text()):
            stale.append(f"release/{aid}/{name}")
    return stale


def _lost_points(root: Path, reports: dict[str, list[StudentReport]]) -> dict[tuple[str, str], list[str]]:
    """(assignment, student) -> ``grade_id (earned/max)`` for each graded cell of the recorded grade that earned
    less than its points, in notebook order; only for the reports with a grade."""
    from nbgrader.api import Gradebook, MissingEntry

    from autograder.lms import graded_cells

    lost: dict[tuple[str, str], list[str]] = {}
    if not (Path(root) / "gradebook.db").exists():
        return lost
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gb:
        for aid, rs in reports.items():
            for r in rs:
                if not r.graded:
                    continue
                try:
                    sub = gb.find_submission(aid, r.student)
                except MissingEntry:
                    continue
                cells = {g.name: g for nb in sub.notebooks for g in nb.grades}
                order = graded_cells(root, aid, set(cells))
                lost[aid, r.student] = [f"{gid} ({cells[gid].score:g}/{cells[gid].max_score:g})" for gid in order
                                        if cells[gid].score < cells[gid].max_score]
    return lost

"""The grading pipeline: regenerate student notebooks, vet submissions, autograde, feedback, export.

A thin layer over nbgrader that adds what a large class needs: a submission that is not a valid
notebook is reported by name while every other student is still graded; a deleted test cell is put
back (nbgrader then fills in the original test, hidden parts included) so no credit is earned by
deleting a test; a cell that runs forever is cut off by the per-cell timeout in nbgrader_config.py.
Submitted files are never changed in place without a copy of the original beside them.
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

GRADE_KEY = "nbgrader"
ORIGINAL_SUFFIX = ".as-submitted"


@dataclass
class StudentReport:
    """What happened to one student's submission of one assignment."""
    student: str
    score: float | None = None
    max_score: float | None = None
    problems: list[str] = field(default_factory=list)

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
    """Record ``aid``'s notebooks and graded cells in the gradebook, as nbgrader's autograde needs them.

    Runs nbgrader's ``generate_assignment`` on ``source/<aid>`` into a scratch folder, so the committed
    ``release/`` is left as it is and no prior ``make release`` is needed on a fresh clone.
    """
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        nbgrader(root, "generate_assignment", aid, "--force", f"--CourseDirectory.release_directory={scratch}")


def _grade_ids(nb) -> list[str]:
    return [c.metadata[GRADE_KEY]["grade_id"] for c in nb.cells
            if c.metadata.get(GRADE_KEY, {}).get("grade_id")]


def restore_deleted_cells(submitted, release) -> list[str]:
    """Put back every locked or graded cell of ``release`` that ``submitted`` lacks.

    Each one goes right after the nbgrader cell that precedes it in the release (or at the top).
    Returns the restored grade ids; ``submitted`` is changed in place.
    """
    present = set(_grade_ids(submitted))
    restored = []
    for i, cell in enumerate(release.cells):
        meta = cell.metadata.get(GRADE_KEY, {})
        gid = meta.get("grade_id")
        if not gid or gid in present or not (meta.get("grade") or meta.get("locked")):
            continue
        anchor = next((c.metadata[GRADE_KEY]["grade_id"] for c in reversed(release.cells[:i])
                       if c.metadata.get(GRADE_KEY, {}).get("grade_id") in present), None)
        pos = 0 if anchor is None else 1 + next(j for j, c in enumerate(submitted.cells)
                                                if c.metadata.get(GRADE_KEY, {}).get("grade_id") == anchor)
        submitted.cells.insert(pos, copy.deepcopy(cell))
        present.add(gid)
        restored.append(gid)
    return restored


def vet_submission(root: Path, aid: str, student: str) -> list[str]:
    """Check one student's notebooks before grading; repair what can be repaired, report the rest.

    Returns the problems found.  An unreadable notebook is left untouched and reported.
    """
    problems = []
    for rel_path in sorted((root / "release" / aid).glob("*.ipynb")):
        sub_path = root / "submitted" / student / aid / rel_path.name
        if not sub_path.exists():
            problems.append(f"{rel_path.name} is missing from the submission: scored 0 for this notebook.")
            continue
        try:
            submitted = nbformat.read(sub_path, as_version=4)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is reported, not raised
            reason = str(exc).splitlines()[0][:200]
            problems.append(
                f"{rel_path.name} is not a valid notebook ({type(exc).__name__}: {reason}); it was not graded. "
                f"The file is kept as submitted at {sub_path}; ask the student to re-submit (JupyterLab: "
                f"File > Revert Notebook to Checkpoint, or re-download the release and copy their answers).")
            continue
        release = nbformat.read(rel_path, as_version=4)
        restored = restore_deleted_cells(submitted, release)
        if restored:
            shutil.copy2(sub_path, sub_path.with_name(sub_path.name + ORIGINAL_SUFFIX))
            nbformat.write(submitted, sub_path)
            problems.append(f"{rel_path.name}: deleted test cell(s) {', '.join(restored)} were restored and graded "
                            f"with the original tests (the file as submitted is kept beside it with suffix "
                            f"{ORIGINAL_SUFFIX}).")
    return problems


def submitted_students(root: Path, aid: str) -> list[str]:
    sub = root / "submitted"
    return sorted(p.name for p in sub.iterdir() if (p / aid).is_dir()) if sub.is_dir() else []


def scores(root: Path, aid: str, student: str) -> dict[str, float]:
    """Points earned per graded cell (grade id -> score) for one student's autograded assignment."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission(aid, student)
        return {g.name: g.score for nb in sub.notebooks for g in nb.grades}


def default_jobs() -> int:
    """Submissions graded at once by default: one per CPU core this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _autograde_one(root: Path, aid: str, student: str, tries: int = 3) -> subprocess.CompletedProcess:
    """nbgrader autograde for one student; retried when parallel runs found the gradebook busy."""
    for _ in range(tries):
        proc = nbgrader(root, "autograde", aid, "--student", student, "--force", check=False)
        if proc.returncode == 0 or "database is locked" not in proc.stdout + proc.stderr:
            break
    return proc


def autograde(root: Path, aid: str, students: list[str] | None = None, jobs: int | None = None) -> list[StudentReport]:
    """Vet and autograde every submission of ``aid`` (or just ``students``); never stops at one bad one.

    Up to ``jobs`` submissions (default: one per CPU core) are graded at once, each in its own nbgrader
    process and kernel; the gradebook is shared.
    """
    from nbgrader.api import Gradebook, MissingEntry

    students = students or submitted_students(root, aid)
    register_assignment(root, aid)
    reports = [StudentReport(s, problems=vet_submission(root, aid, s)) for s in students]
    gradable = [r for r in reports if not any("not a valid notebook" in p for p in r.problems)]
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        # Every student gets a gradebook row up front: parallel runs then never race to create one, and
        # a student whose notebook is unreadable is still listed (with 0) by the export.
        for r in reports:
            gb.update_or_create_student(r.student)
    with ThreadPoolExecutor(max_workers=jobs or default_jobs()) as pool:
        procs = list(pool.map(lambda r: _autograde_one(root, aid, r.student), gradable))
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for report, proc in zip(gradable, procs):
            if proc.returncode != 0:
                tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-5:])
                report.problems.append(f"nbgrader could not grade this submission:\n{tail}")
                continue
            try:
                sub = gb.find_submission(aid, report.student)
                report.score, report.max_score = sub.score, sub.max_score
            except MissingEntry:
                report.problems.append("no grade was recorded for this submission.")
            report.problems += timed_out_cells(root, aid, report.student)
    return reports


def timed_out_cells(root: Path, aid: str, student: str) -> list[str]:
    """One sentence per autograded cell that was stopped for running past the per-cell timeout."""
    found = []
    for path in sorted((root / "autograded" / student / aid).glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if any(o.get("ename") == "CellTimeoutError" for o in cell.get("outputs", [])):
                gid = cell.metadata.get(GRADE_KEY, {}).get("grade_id", "an ungraded cell")
                found.append(f"{path.name}: {gid} ran past the per-cell time limit and was stopped (an endless "
                             f"loop?); it scores 0. The limit is Execute.timeout in nbgrader_config.py.")
    return found


def generate_feedback(root: Path, aid: str) -> list[Path]:
    """nbgrader's HTML feedback for every autograded student, readable offline; returns the files written.

    The equations are MathML already (``OfflineMath`` in nbgrader_config.py); the MathJax loader nbconvert
    puts in every page would only fetch a script from a CDN, so it is removed.
    """
    from autograder.nbgrader_ext import strip_mathjax

    nbgrader(root, "generate_feedback", aid, "--force")
    pages = sorted((root / "feedback").glob(f"*/{aid}/*.html"))
    for page in pages:
        page.write_text(strip_mathjax(page.read_text(encoding="utf-8")), encoding="utf-8")
    return pages


def format_reports(aid: str, reports: list[StudentReport]) -> str:
    lines = [f"{aid}: {sum(r.graded for r in reports)} of {len(reports)} submission(s) graded"]
    for r in reports:
        score = f"{r.score:g} / {r.max_score:g}" if r.graded else "NOT GRADED"
        lines.append(f"  {r.student:<20} {score}")
        lines += [f"      ! {p}" for p in r.problems]
    return "\n".join(lines)


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

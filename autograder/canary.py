"""The canary: before a class is graded, the instructor's solution is graded here as a submission, and must earn full
marks.

When this machine's grading environment does not match the course (the course's packages imported from another
checkout, a kernel that cannot import the course's grading runtime, other package versions), every student would
be graded the same wrong way, the solution included. So, before the submissions of an assignment are graded, its
source notebooks (``source/<id>/``) are graded exactly as a student's submission is: as a task of
:func:`autograder.autograde.make_task`, by :func:`autograder.autograde.grade_task`, in the same sandbox, with the same
limits and environment. An assignment whose solution loses points is not graded at all (nothing of it is written to
the gradebook), and the message says which graded cells lost points, why, and what differs.

A passing canary is remembered in ``autograded/.canary-<id>.json`` with the fingerprint of what it depends on
(:func:`fingerprint_parts`): it runs again only when one of those changes, or with ``force``. A failing one is never
remembered. ``--no-canary`` skips it; the test suite turns it off with :data:`ENV_VAR`.

The canary is the first task of the class's grading (:func:`autograder.cluster.grade_class`'s gates), on the same
workers as the students' tasks and beside them: nothing of the assignment is recorded before it passed, and when it
fails nothing is, and the assignment's remaining tasks are not sent. On a separately started cluster it so runs on
the workers themselves; the fingerprint is this machine's (the workers are also checked by the digest of their
tests, :func:`autograder.autograde.grade_task`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from checks.paths import COURSE_ROOT

#: Set to ``0`` to turn the canary off. Meant for the test suite (tests/conftest.py), whose scratch courses hold the
#: course's own solutions and would each pay for one more grading; an instructor uses ``--no-canary``.
ENV_VAR = "SEQUENCE_MODELS_CANARY"
#: The student the canary's task is made for (it is never recorded).
STUDENT = "the instructor's solution"
#: The course's packages, and where the grader imports them from (one of the fingerprint's parts).
PACKAGES = ("checks", "week1", "week2", "week3", "autograder")
#: The course's code that grades a notebook (in the grader and in its kernel), in ``autograder/``.
GRADING_CODE = ("autograde.py", "remote.py", "sandbox.py", "sandbox_runtime.py", "wire.py")
#: The packages whose versions are part of the fingerprint: name -> its distributions (the first installed counts).
VERSIONS = {"nbgrader": ("nbgrader",), "numpy": ("numpy",), "keras": ("keras",),
            "tensorflow": ("tensorflow", "tensorflow-cpu"), "ipykernel": ("ipykernel",)}


class CanaryFailed(RuntimeError):
    """The instructor's solution did not earn full marks here, so those assignments were not graded. ``messages``:
    assignment id -> what went wrong and what to check; ``reports``: the reports of the assignments that were
    graded."""

    def __init__(self, messages: dict[str, str], reports: dict):
        super().__init__("\n\n".join(messages.values()))
        self.messages, self.reports = messages, reports


def wanted(canary: bool | None) -> bool:
    """Whether the canary runs: ``canary`` when given, else unless :data:`ENV_VAR` is ``0``."""
    return canary if canary is not None else os.environ.get(ENV_VAR, "1").strip() != "0"


def _version(*distributions: str) -> str:
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def _location(module: str) -> str:
    """Where the grader imports ``module`` from (without running it), or why it cannot."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError) as exc:
        return f"not importable ({type(exc).__name__}: {exc})"
    return str(Path(spec.origin).resolve()) if spec is not None and spec.origin else "not importable"


def _sandbox(sandbox: bool) -> str:
    if not sandbox:
        return "off"
    try:
        version = subprocess.run(["bwrap", "--version"], capture_output=True, text=True).stdout.strip()
    except OSError:
        version = "bubblewrap, not found"
    return f"{version} at {shutil.which('bwrap')}, " + ("a user id per job (as root)" if os.geteuid() == 0 else
                                                         "in a user namespace")


def fingerprint_parts(root: Path, aid: str, limits, sandbox: bool) -> dict[str, str]:
    """What the canary's verdict depends on, part by part: the assignment's source and release notebooks, its tests
    (:func:`autograder.autograde.course_digest`), the grading code and the week package, the Python and the key packages' versions, the
    sandbox, the limits, and where the grader imports the course's packages from (for the graded course)."""
    from autograder.autograde import course_digest, files_digest

    root = Path(root).resolve()
    code = [*(COURSE_ROOT / "autograder" / name for name in GRADING_CODE),
            *sorted((COURSE_ROOT / f"week{aid[1]}").rglob("*.py"))]
    return {"source notebooks": files_digest(sorted((root / "source" / aid).glob("*.ipynb"))).hexdigest(),
            "release notebooks": files_digest(sorted((root / "release" / aid).glob("*.ipynb"))).hexdigest(),
            "tests (reference, checks, fixtures)": course_digest(COURSE_ROOT, aid),
            "grading code and week package": files_digest(code).hexdigest(),
            "python": f"{platform.python_version()} at {sys.executable}",
            **{name: _version(*dists) for name, dists in VERSIONS.items()},
            "sandbox": _sandbox(sandbox),
            "limits": json.dumps(dataclasses.asdict(limits), sort_keys=True),
            "course packages": ", ".join(f"{name} from {_location(name)}" for name in PACKAGES),
            "course directory": str(root)}


def fingerprint(parts: dict[str, str]) -> str:
    """One digest of every part: a canary that passed with it still holds."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def cache_file(root: Path, aid: str) -> Path:
    """Where a passing canary of ``aid`` is remembered (``autograded/`` is the class's grading state, not the
    course's: git ignores it)."""
    return Path(root) / "autograded" / f".canary-{aid}.json"


def _cached(root: Path, aid: str) -> dict:
    try:
        data = json.loads(cache_file(root, aid).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _remember(root: Path, aid: str, record: dict) -> None:
    path = cache_file(root, aid)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp")
    tmp.write_text(json.dumps(record, indent=1))
    os.replace(tmp, path)


def _cell_problem(result, gid: str) -> str:
    """The first problem of the graded cell ``gid`` of one graded notebook, in one line: the grader's report of it,
    or else the errors its run showed."""
    prefix = f"{result.name}: {gid}: "
    for problem in result.problems:
        if problem.startswith(prefix):
            return problem[len(prefix):].removesuffix("; it scores 0.")
    cells = (result.notebook or {}).get("cells", [])
    outputs = next((c.get("outputs", []) for c in cells
                    if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid), [])
    errors = list(dict.fromkeys(f"{o.get('ename')}: {o.get('evalue', '')}"[:300] for o in outputs
                                if o.get("output_type") == "error"))
    return "; then ".join(errors[:2]) or "its checks failed without showing an error"


def _losses(results: list) -> tuple[float, float, dict[str, list[str]], list[str]]:
    """(points earned, points possible, problem line -> the graded cells that lost points with it, the problems
    that belong to no such cell)."""
    earned = maximum = 0.0
    lost: dict[str, list[str]] = {}
    placed = set()
    for result in results:
        for gid, points in result.max_scores.items():
            score = float(result.scores.get(gid) or 0)
            earned, maximum = earned + score, maximum + points
            if score < points:
                lost.setdefault(_cell_problem(result, gid), []).append(gid)
                placed.add(f"{result.name}: {gid}: ")
        if not result.max_scores and result.problems:  # a notebook that could not be graded at all
            lost.setdefault(result.problems[0], []).append(result.name)
    other = [p for r in results for p in r.problems
             if p not in lost and not any(p.startswith(prefix) for prefix in placed)]
    return earned, maximum, lost, other


_PROBE = """import importlib, json, sys
found = {}
for name in sys.argv[1:]:
    try:
        found[name] = importlib.import_module(name).__file__
    except Exception as exc:
        found[name] = "!" + type(exc).__name__ + ": " + str(exc)[:200]
print(json.dumps(found))
"""


def kernel_imports(root: Path, aid: str, limits, sandbox: bool) -> list[str]:
    """What the notebook's kernel imports differently from the grader: the check kit, the assignment's week package
    and the grading runtime, imported by this environment's Python where the kernel runs (in the sandbox, or
    without one, as the kernel would be). One sentence per difference."""
    from autograder.autograde import RUNTIME
    from autograder.sandbox import run_subprocess_in_sandbox

    names = ["checks", f"week{aid[1]}", RUNTIME]
    where = "the sandbox" if sandbox else "the kernel's environment"
    command = [sys.executable, "-c", _PROBE, *names]
    try:
        if sandbox:
            proc = run_subprocess_in_sandbox(command, Path(root), limits, timeout=120)
        else:
            with tempfile.TemporaryDirectory() as folder:
                proc = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as exc:
        return [f"Python could not be started in {where} to see what it imports ({type(exc).__name__}: {exc})"]
    try:
        found = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [f"Python in {where} could not say what it imports (exit status {proc.returncode}: "
                f"{proc.stderr.strip()[-300:]})"]
    lines = []
    for name in names:
        here, there = _location(name), str(found.get(name, "!not reported"))
        if there.startswith("!"):
            lines.append(f"in {where}, `import {name}` fails ({there[1:]}); the grader imports it from {here}")
        elif Path(there).resolve() != Path(here):
            lines.append(f"in {where}, {name} is imported from {there}; the grader imports it from {here}")
    return lines


def _is_digest(value: str) -> bool:
    """Whether a part of the fingerprint is the digest of files of the course (rather than a fact of this machine)."""
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _refusal(root: Path, aid: str, limits, sandbox: bool, outcome: str, lost: dict[str, list[str]],
             other: list[str], parts: dict, previous: dict | None) -> str:
    """The message of a failed canary: how the solution fared, what lost points, what the kernel imports
    differently, what changed since the canary last passed here, and what to check."""
    root = Path(root).resolve()
    environment = kernel_imports(root, aid, limits, sandbox)
    if root != COURSE_ROOT and (root / f"week{aid[1]}").is_dir():
        environment.append(f"the course graded is {root}, but the grader imports the course's packages from "
                           f"another checkout, {COURSE_ROOT}")
    changed = [name for name, value in parts.items() if previous and previous.get(name, value) != value]
    environment += [f"since the canary last passed here, {name} changed: {previous[name]} -> {parts[name]}"
                    for name in changed if not _is_digest(parts[name])]
    course = [name for name in changed if _is_digest(parts[name])]
    lead = "This machine's grading environment does not match the course, so every submission would be graded " \
           "the same wrong way." if environment or not course else \
        f"The {', '.join(course)} changed since the canary last passed here, and the solution no longer earns full " \
        f"marks: the students' grades would be wrong too."
    week = f"week{aid[1]}"
    return "\n".join([
        f"autograde refuses to grade {aid}: the instructor's solution of {aid}, graded here as a submission (in the "
        f"students' sandbox, with their limits), {outcome}:",
        *[f"  - {', '.join(cells)}: {problem}" for problem, cells in lost.items()],
        *[f"  - {line}" for line in other[:3] + environment],
        *[f"  - since the canary last passed here, the {name} changed" for name in course],
        f"{lead} Check that `{sys.executable} -c 'import {week}; print({week}.__file__)'` points into this checkout "
        f"({COURSE_ROOT}) and that the environment was set up from it (`make setup`); if source/{aid}/ or the tests "
        f"were changed, `make test` shows what fails. Nothing of {aid} was graded or recorded; `--no-canary` grades "
        f"without this check."])


@dataclasses.dataclass
class Due:
    """A canary to run: the fingerprint it will be remembered under, and the last passing one's parts."""
    aid: str
    parts: dict
    key: str
    previous: dict
    started: float = 0.0


def due(root: Path, aid: str, limits, sandbox: bool = True, force: bool = False) -> Due | None:
    """The canary of ``aid`` when it must run: not passed before with the same fingerprint, or ``force``."""
    parts = fingerprint_parts(Path(root), aid, limits, sandbox)
    key = fingerprint(parts)
    previous = _cached(Path(root), aid)
    if previous.get("fingerprint") == key and not force:
        return None
    return Due(aid, parts, key, previous, time.monotonic())


def task(root: Path, aid: str) -> dict:
    """The canary's task: the instructor's solution (``source/<aid>/``) as a student's submission."""
    from autograder import autograde as pipeline

    return pipeline.make_task(Path(root), aid, STUDENT, Path(root) / "source" / aid)


def verdict(root: Path, pending: Due, limits, sandbox: bool, results: list | None = None,
            error: BaseException | None = None, log=None) -> str | None:
    """Judge the graded solution (``results``, or the ``error`` that stopped its grading): None when it earned full
    marks (and remember that), or the message that explains why the assignment must not be graded here."""
    root, aid = Path(root), pending.aid
    log = log or (lambda line: print(line, file=sys.stderr))
    previous = pending.previous.get("parts")
    if error is not None:
        return _refusal(root, aid, limits, sandbox, f"could not be graded ({type(error).__name__}: {error})", {}, [],
                        pending.parts, previous)
    seconds = time.monotonic() - pending.started
    earned, maximum, lost, other = _losses(results)
    if lost:
        return _refusal(root, aid, limits, sandbox, f"scored {earned:g} / {maximum:g} where it must earn full marks",
                        lost, other, pending.parts, previous)
    _remember(root, aid, {"fingerprint": pending.key, "parts": pending.parts, "score": earned, "max_score": maximum,
                          "seconds": round(seconds, 2), "passed": time.strftime("%Y-%m-%d %H:%M:%S")})
    log(f"canary: the instructor's solution of {aid} scored {earned:g} / {maximum:g} ({seconds:.1f} s)")
    return None


def announce(aid: str, log=None) -> None:
    """Say, before the class's grading, that the solution of ``aid`` is graded first and why."""
    (log or (lambda line: print(line, file=sys.stderr)))(
        f"canary: grading the instructor's solution of {aid} as a submission, first, to check this machine's grading "
        f"environment (again only when the course or the environment changes)")

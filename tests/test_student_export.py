"""The student distribution holds what students need and nothing that computes an answer."""
from __future__ import annotations

import ast
import contextlib
import importlib
import inspect
import io
import json
import os
import re
import signal
import subprocess
import sys

import nbformat
import pytest

from autograder.grading import has_reference
from autograder.nbgrader_ext import HIDDEN
from autograder.reference import _argument
from autograder.student_export import export
from course import ASSIGNMENTS, ROOT, nbgrader_meta
from notebook_code import notebook_path

GRADED_IDS = [aid for aid in ASSIGNMENTS if has_reference(aid)]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    dest = tmp_path_factory.mktemp("student") / "course"
    export(ROOT, dest)
    return dest


def _files(dist):
    return sorted(p for p in dist.rglob("*") if p.is_file())


def test_the_distribution_has_what_students_need(dist):
    for path in ["README.md", "environment.yml", "postBuild", "pyproject.toml", "Makefile", "data/README.md",
                 "checks/assertions.py", "checks/fixtures.py"]:
        assert (dist / path).is_file(), path
    for aid in ASSIGNMENTS:
        assert list((dist / "release" / aid).glob("*.ipynb")), aid
    for aid in GRADED_IDS:
        assert (dist / f"week{aid[1]}" / "fixtures" / f"{aid}.json").is_file(), aid
    readme = (dist / "README.md").read_text()
    assert "mybinder.org/badge_logo.svg" in readme and "make lab" in readme
    assert "release/w1a1_rnn_step_by_step/rnn_step_by_step.ipynb" in readme


def test_the_distribution_has_nothing_of_the_instructors(dist):
    names = {str(p.relative_to(dist)) for p in _files(dist)}
    for forbidden in ("source", "tests", "autograder/reference", "autograder/grading.py", "autograder/cli.py",
                      "autograder/nbgrader_ext.py", "autograder/student_export.py", "nbgrader_config.py",
                      "gradebook.db", "submitted", "autograded", "feedback", "benchmarks"):
        assert not any(n == forbidden or n.startswith(forbidden + "/") for n in names), forbidden
    for path in _files(dist):
        if path.suffix in (".py", ".ipynb", ".md", ".txt", ".toml", ".yml"):
            text = path.read_text(encoding="utf-8")
            for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "def _ref_"):
                assert marker not in text, f"{path.relative_to(dist)} contains {marker!r}"


def test_the_student_lab_hides_nbgrader_instructor_tools(dist):
    post = (dist / "postBuild").read_text()
    for plugin in ("formgrader", "create-assignment", "course-list", "menu"):
        assert f"@jupyter/nbgrader:{plugin}" in post
    assert "'nbgrader.server_extensions.formgrader': False" in post
    assert "validate" not in post.split("python -m pip")[1].lower()  # students keep the Validate button
    assert "bash postBuild" in (dist / "Makefile").read_text()


def _normalised(line: str) -> str:
    return re.sub(r"\s+", "", line.split("#")[0])


# Allocating an array of zeros, or seeding numpy, is scaffolding the release may give in one place and ask for in
# another.
_TRIVIAL = re.compile(r"^(\w+=np\.zeros(_like)?\([^=]*\)|np\.random\.seed\(\d+\))$")


def _solution_lines() -> set[str]:
    """Every non-trivial line of every solution region (whitespace and comments removed)."""
    lines = set()
    for aid in ASSIGNMENTS:
        for cell in nbformat.read(notebook_path(aid), as_version=4).cells:
            for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S):
                lines |= {n for n in map(_normalised, region.splitlines()) if len(n) >= 16 and not _TRIVIAL.match(n)}
    return lines


def test_no_line_of_a_solution_is_in_the_distribution(dist):
    solution = _solution_lines()
    assert len(solution) > 100  # the regions were found
    for path in _files(dist):
        if path.suffix not in (".py", ".ipynb", ".md"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        found = {_normalised(line) for line in text.splitlines()} & solution
        assert not found, f"{path.relative_to(dist)} holds solution lines: {sorted(found)[:5]}"


def _check_calls(aid: str) -> dict[str, list[tuple[str, list, dict]]]:
    """{graded function: [(check name, positional args, keyword args)] of its test cell, public and hidden}."""
    calls = {}
    for cell in nbformat.read(notebook_path(aid), as_version=4).cells:
        gid = nbgrader_meta(cell).get("grade_id", "")
        if not (nbgrader_meta(cell).get("grade") and gid.endswith("_tests")):
            continue
        found = []
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_"):
                found.append((node.func.id, [_argument(a) for a in node.args[1:]],
                              {k.arg: _argument(k.value) for k in node.keywords}))
        calls[gid[: -len("_tests")]] = found
    return calls


def _exported_functions(dist) -> list:
    """Every function defined in a Python module of the distribution (imported from this course's packages,
    which hold the same files)."""
    functions = []
    for path in _files(dist):
        rel = path.relative_to(dist)
        if path.suffix != ".py" or rel.parts[0] not in ("week1", "week2", "week3", "autograder"):
            continue
        module = importlib.import_module(".".join(rel.with_suffix("").parts).removesuffix(".__init__"))
        functions += [f for _, f in inspect.getmembers(module, inspect.isfunction) if f.__module__ == module.__name__]
    return functions


class _TooSlow(Exception):
    pass


@contextlib.contextmanager
def _time_limit(seconds: int):
    def stop(*_):
        raise _TooSlow
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("aid", GRADED_IDS)
def test_no_function_of_the_distribution_passes_a_graded_check(dist, aid):
    """Import every function students receive and offer it, in place of each graded function with a compatible
    signature, to that function's whole test cell (public and hidden checks): none may pass."""
    reference = importlib.import_module(f"autograder.reference.{aid}")
    checks = importlib.import_module(reference.CHECKS)
    candidates = _exported_functions(dist)
    tried = 0
    for graded, calls in _check_calls(aid).items():
        arity = len([p for p in inspect.signature(reference.GRADED[graded]).parameters.values()
                     if p.default is inspect.Parameter.empty])
        for fn in candidates:
            try:
                inspect.signature(fn).bind(*[None] * arity)
            except TypeError:
                continue
            tried += 1
            passed_all = True
            for name, args, kwargs in calls:
                try:
                    with _time_limit(30), contextlib.redirect_stdout(io.StringIO()), \
                            contextlib.redirect_stderr(io.StringIO()):
                        getattr(checks, name)(fn, *args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - any failure is what we want
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    passed_all = False
                    break
            assert not passed_all, f"{fn.__module__}.{fn.__name__} passes every check of {graded}"
    assert tried > 0


@pytest.mark.parametrize("aid", GRADED_IDS)
def test_public_checks_pass_in_the_distribution_without_the_reference(dist, aid, tmp_path):
    """The solution, with the hidden tests removed, run against the distribution's own packages and with no
    reference importable: every public check passes from its stored fixtures."""
    nb = nbformat.read(notebook_path(aid), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = HIDDEN.sub("", cell.source)
    block = nbformat.v4.new_code_cell("import sys\nsys.modules['autograder.reference'] = None  # as students have it")
    nb.cells.insert(0, block)
    path = tmp_path / "solution.ipynb"
    nbformat.write(nb, path)
    env = dict(os.environ, PYTHONPATH=str(dist))
    script = ("import sys, nbformat; from nbclient import NotebookClient\n"
              f"nb = nbformat.read({str(path)!r}, as_version=4)\n"
              f"NotebookClient(nb, timeout=600, kernel_name='python3', resources={{'metadata': {{'path': {str(tmp_path)!r}}}}}).execute()\n"
              "import json; print(json.dumps([o.get('text', '') for c in nb.cells if c.cell_type == 'code' "
              "for o in c.get('outputs', []) if o.get('output_type') == 'stream']))\n")
    proc = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    printed = "".join(json.loads(proc.stdout.strip().splitlines()[-1]))
    public = sum(len([c for c in calls]) > 0 for calls in _check_calls(aid).values())
    assert printed.count("all checks passed") >= public, printed[-2000:]
    assert "autograder/reference" not in proc.stderr

"""Load the solution code of a source notebook into a namespace, for tests that call it directly."""
from __future__ import annotations

import contextlib
import copy
import io
import re
from pathlib import Path

import nbformat
import pytest

from autograder.reference import HIDDEN_MARK
from course import nbgrader_meta

ROOT = Path(__file__).resolve().parent.parent


def notebook_path(assignment_id: str, kind: str = "source") -> Path:
    """The one notebook of ``assignment_id`` under ``source/`` or ``release/``."""
    paths = sorted((ROOT / kind / assignment_id).glob("*.ipynb"))
    assert len(paths) == 1, f"expected one notebook in {kind}/{assignment_id}, found {paths}"
    return paths[0]


def solution_namespace(assignment_id: str) -> dict:
    """Execute the locked setup cells and the solution cells of the source notebook (no tests, no demos)."""
    nb = nbformat.read(notebook_path(assignment_id), as_version=4)
    ns: dict = {"__name__": f"notebook_{assignment_id}"}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code":
            continue
        if meta.get("solution") or (meta.get("locked") and not meta.get("grade")):
            exec(compile(cell.source, f"<{assignment_id}:{meta.get('grade_id')}>", "exec"), ns)
    return ns


def notebook_fixtures(assignment_id: str, names: tuple[str, str] = ("ns", "nb")):
    """Two module-scoped fixtures for an assignment's tests: its solution namespace and its source notebook.

    Use as ``ns, nb = notebook_fixtures(ID)`` (``names`` gives the fixtures' names).
    """
    @pytest.fixture(scope="module", name=names[0])
    def namespace() -> dict:
        return solution_namespace(assignment_id)

    @pytest.fixture(scope="module", name=names[1])
    def notebook():
        return nbformat.read(notebook_path(assignment_id), as_version=4)

    return namespace, notebook


def run_test_cell(ns: dict, nb, grade_id: str) -> list[str]:
    """Run one graded test cell (hidden tests included) on a copy of ``ns``; return what it printed.

    Asserts that every public check call in the cell printed exactly one passing line, and the hidden ones none
    (a hidden test shows only its failure).
    """
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(cell.source, dict(ns))
    lines = out.getvalue().splitlines()
    calls = len(re.findall(r"^check_\w+\(", cell.source.split(HIDDEN_MARK)[0], re.M))
    assert len(lines) == calls, f"{grade_id}: {calls} public check calls printed {len(lines)} lines: {lines}"
    assert all(line.startswith("\u2714") and line.endswith("all checks passed.") for line in lines), lines
    return lines


def public_only(nb):
    """A copy of the notebook whose graded cells keep only their public part (what a student can run)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = cell.source.split(HIDDEN_MARK)[0]
    return nb


def markdown_text(nb, marker: str) -> str:
    """The one markdown cell of ``nb`` that contains ``marker``, as one line (sentences wrap anywhere)."""
    (text,) = [c.source for c in nb.cells if c.cell_type == "markdown" and marker in c.source]
    return " ".join(text.split())


def code_cell(nb, marker: str):
    """The one code cell of ``nb`` whose source contains ``marker``."""
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    return cell


def output_text(nb, marker: str) -> str:
    """The printed text (stream outputs) of the one code cell whose source contains ``marker``."""
    return "".join(o.get("text", "") for o in code_cell(nb, marker).outputs)


def points_by_heading(nb) -> tuple[dict, dict]:
    """{heading: points it states} for every "## " / "### " heading ending in "(N points)", and {heading: points of
    the graded cells under it}."""
    current, stated, graded = {2: None, 3: None}, {}, {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                heading = re.match(r"^(#{2,3}) (.+)$", line)
                if heading:
                    level, title = len(heading.group(1)), heading.group(2)
                    if level == 2:
                        current[3] = None
                    current[level] = title
                    points = re.search(r"\((\d+) points?\)\s*$", title)
                    if points:
                        stated[title], graded[title] = int(points.group(1)), 0
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            assert any(t in graded for t in current.values()), f"{meta['grade_id']}: under no heading with points"
            for title in current.values():
                if title in graded:
                    graded[title] += meta["points"]
    return stated, graded


def assert_grading_introduction(nb) -> None:
    """The introduction's "**Grading.** N graded functions, M points" is the notebook's nbgrader metadata, and its
    "The autograder runs the same check and a few more" holds: every graded cell has hidden checks after its public
    ones."""
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    intro = markdown_text(nb, "**Grading.**")
    assert f"{len(graded)} graded functions, {sum(m['points'] for m in graded)} points" in intro
    # "The autograder runs the same check and a few more": every graded cell has hidden checks after its public ones
    assert "The autograder runs the same check and a few more" in intro
    for cell in (c for c in nb.cells if nbgrader_meta(c).get("grade")):
        public, hidden = cell.source.split(HIDDEN_MARK)
        assert re.search(r"^check_\w+\(", public, re.M) and re.search(r"^check_\w+\(", hidden, re.M)

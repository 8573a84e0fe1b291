"""Every assignment: the source runs clean, the release is generated from it and fails only as unfinished."""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from autograder.grading import has_reference, release_is_stale
from autograder.reference import fixtures_are_stale
from course import ASSIGNMENTS, ROOT, execute, nbgrader_meta
from notebook_code import notebook_path

ALL_NOTEBOOKS = sorted((ROOT / "source").glob("*/*.ipynb")) + sorted((ROOT / "release").glob("*/*.ipynb"))


def test_the_course_has_assignments():
    assert "w1a1_rnn_step_by_step" in ASSIGNMENTS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_committed_without_outputs(path):
    nb = json.loads(path.read_text())
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them (Edit > Clear Outputs of All Cells) and save"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_source_follows_the_course_skeleton(aid):
    """Title first, one locked setup cell, and every solution cell followed by its graded test cell."""
    nb = nbformat.read(notebook_path(aid), as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# "), "first cell: a title"
    setup = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "setup"]
    assert len(setup) == 1 and nbgrader_meta(setup[0]).get("locked"), "one locked setup cell"
    assert "## " in "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for i, cell in enumerate(nb.cells):
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("solution"):
            continue
        gid = meta["grade_id"]
        assert '"""' in cell.source, f"{gid}: a docstring with the shapes of arguments and results"
        for region in re.finditer(r"### BEGIN SOLUTION", cell.source):
            before = cell.source[:region.start()].rstrip().splitlines()[-1]
            assert before.strip().startswith("#"), f"{gid}: a hint comment right before each solution region"
        test = nbgrader_meta(nb.cells[i + 1])
        assert test.get("grade") and test.get("locked") and test.get("grade_id") == f"{gid}_tests", \
            f"{gid}: must be followed by its locked test cell {gid}_tests"
        assert test.get("points", 0) > 0
        assert "### BEGIN HIDDEN TESTS" in nb.cells[i + 1].source, f"{gid}_tests: hidden tests on other inputs"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_source_notebook_runs_top_to_bottom(aid, executed_source):
    executed_source(aid)  # raises, naming the failing cell, on any error


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_is_regenerated_from_source(aid, tmp_path):
    stale = release_is_stale(ROOT, aid, tmp_path / aid)
    assert not stale, f"stale: {stale}; run `make release` and commit release/"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_fixtures_are_generated_from_the_reference(aid):
    """Public checks compare with stored values: they must be what the instructor's reference computes now."""
    assert has_reference(aid), f"add autograder/reference/{aid}.py (GRADED, CASES, CHECKS)"
    assert not fixtures_are_stale(aid, ROOT), "stale fixtures: run `make fixtures` and commit week*/fixtures/"


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_release_fails_only_as_not_implemented(aid):
    nb = execute(notebook_path(aid, "release"), allow_errors=True)
    graded = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        gid = nbgrader_meta(cell).get("grade_id", "(ungraded cell)")
        for err in errors:
            assert err.ename == "NotImplementedError" and "Not implemented yet" in err.evalue, \
                f"{gid}: failed with {err.ename}: {err.evalue}"
        if nbgrader_meta(cell).get("grade"):
            assert errors, f"{gid}: a graded check passed on the untouched release"
            graded += 1
    assert graded > 0

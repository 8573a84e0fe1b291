"""One audience per package, and imports that only run down the floors:

    autograder/            the instructor's toolkit (CLI, pipeline, sandbox, wire, kernel runtime, reference)
    week1/ week2/ week3/   the helper packages the notebooks import (week3 may use week1's name model)
    checks/                the student's check kit, importing nothing of the course
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from course import ROOT, imported_packages

FLOORS = {"checks": 0, "week1": 1, "week2": 1, "week3": 1, "autograder": 2}
#: Week packages a week package may use: never a later week's, never the other way round.
WEEK_USES = {"week1": set(), "week2": set(), "week3": {"week1"}}


def _modules(package: str) -> list[str]:
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                  for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(FLOORS))
def test_no_import_runs_from_a_lower_floor_to_a_higher_one(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        for target in (imported_packages(path) & set(FLOORS)) - {package}:
            where = path.relative_to(ROOT)
            assert FLOORS[target] < FLOORS[package] or target in WEEK_USES.get(package, ()), \
                f"{where} imports {target}: {package} (floor {FLOORS[package]}) may not use {target} " \
                f"(floor {FLOORS[target]})"


def test_the_check_kit_and_the_week_packages_import_with_the_autograder_unimportable():
    """Every module of checks/ and week1-3/ imports, and the check kit finds no reference, when ``autograder``
    cannot be imported at all (as in the student's copy)."""
    modules = [m for package in ("checks", "week1", "week2", "week3") for m in _modules(package)]
    assert len(modules) > 20
    script = ("import importlib, json, sys\n"
              "sys.modules['autograder'] = None  # any import of it, or of a module in it, fails\n"
              f"for name in {modules!r}:\n"
              "    importlib.import_module(name)\n"
              "from checks.fixtures import reference\n"
              "print(json.dumps({'loaded': sorted(m for m in sys.modules if m.split('.')[0] in "
              "('checks', 'week1', 'week2', 'week3')), 'reference': reference('w1a1_rnn_step_by_step') is None}))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(modules) <= set(result["loaded"])
    assert result["reference"], "with autograder unimportable the check kit must find no reference"


def test_the_instructor_install_offers_the_reference_to_the_check_kit():
    from checks.fixtures import reference
    module = reference("w1a1_rnn_step_by_step")
    assert module is not None and "rnn_cell_forward" in module.GRADED
    assert reference("w9a9_no_such_assignment") is None

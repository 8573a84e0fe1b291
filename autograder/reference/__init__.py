"""Instructor-only reference code: the correct graded functions and the cases behind every check.

Never part of the student distribution (``python -m autograder student-export`` leaves this package out).
Each assignment has a module named after its id with

``GRADED``  -- {graded function name: reference implementation}, the stand-ins used while grading;
``CASES``   -- {check name: function(**check arguments) -> the stored case that check compares with};
``CHECKS``  -- the module of public checks (``week1.rnn_checks`` ...).

:func:`build_fixtures` evaluates ``CASES`` for the arguments of every public check call in the source notebook
(the part of each graded test cell before ``### BEGIN HIDDEN TESTS``), which is what the student's copy stores.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import json
from pathlib import Path

import nbformat
import numpy as np

from checks.fixtures import case_key, decode, encode, fixture_path

HIDDEN_MARK = "### BEGIN HIDDEN TESTS"


class NotebookName(str):
    """A check argument that names a notebook object (e.g. a helper the check calls), not a literal: it is no part
    of the stored case's key."""


def find(aid: str):
    """The reference module of assignment ``aid``, or None if it has none. The check kit finds this function through
    the ``sequence_models.reference`` entry point (``pyproject.toml``), so that it never imports this package."""
    try:
        return importlib.import_module(f"{__name__}.{aid}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__name__}.{aid}":
            return None
        raise


def _argument(node):
    return NotebookName(node.id) if isinstance(node, ast.Name) else ast.literal_eval(node)


def public_calls(notebook: Path) -> list[tuple[str, list, dict]]:
    """(check name, positional args after the function, keyword args) of every public check call, in order.

    Arguments are literals, or names of notebook objects (:class:`NotebookName`), which are left out of the case."""
    calls = []
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("grade"):
            continue
        public = cell.source.split(HIDDEN_MARK)[0]
        for node in ast.walk(ast.parse(public)):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("check_"):
                args = [_argument(a) for a in node.args[1:]]
                kwargs = {k.arg: _argument(k.value) for k in node.keywords}
                calls.append((node.func.id, args, kwargs))
    return calls


def build_fixtures(aid: str, root: Path) -> dict:
    """The fixture file's content for ``aid``: {check: {case key: encoded case}} for every public check call."""
    ref = importlib.import_module(f"autograder.reference.{aid}")
    checks = importlib.import_module(ref.CHECKS)
    (notebook,) = sorted((Path(root) / "source" / aid).glob("*.ipynb"))
    fixtures: dict = {}
    for check_name, args, kwargs in public_calls(notebook):
        bound = inspect.signature(getattr(checks, check_name)).bind(None, *args, **kwargs)
        bound.apply_defaults()
        params = {k: v for k, v in list(bound.arguments.items())[1:]  # everything but the function under test
                  if not isinstance(v, NotebookName)}
        name = check_name[len("check_"):]
        fixtures.setdefault(name, {})[case_key(params)] = encode(ref.CASES[name](**params))
    return fixtures


def fixture_text(aid: str, root: Path) -> str:
    return json.dumps(build_fixtures(aid, root), indent=1) + "\n"  # key order is return order


def write_fixtures(aid: str, root: Path) -> Path:
    path = fixture_path(aid, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(fixture_text(aid, root))
    return path


#: Machines differ in the last bits of exp, tanh and BLAS sums (x86 with and without AVX-512, say): float64 values
#: by about 1e-8, float32 model outputs by up to 1e-4 relative, and the 2,001 training steps of w1a2's model case
#: amplify that to 1e-3 of its parameters. An array is the same when it is within float32-level tolerances or every
#: difference is under 0.5% of its largest value; a change of the reference itself moves values far more.
SCALE_SHARE = 5e-3


def _same(a, b) -> bool:
    """Equal structure and values, up to the differences between machines (see ``SCALE_SHARE``)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and a.dtype == b.dtype):
            return False
        if a.dtype.kind not in "fc":
            return bool(np.array_equal(a, b))
        if np.allclose(a, b, rtol=1e-4, atol=1e-6, equal_nan=True):
            return True
        finite = np.isfinite(a) & np.isfinite(b)
        return bool((np.isnan(a) == np.isnan(b)).all() and
                    np.abs(a - b)[finite].max(initial=0) <= SCALE_SHARE * np.abs(b)[finite].max(initial=0))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        if type(a) is type(b) and len(a) == len(b) and a and all(isinstance(x, float) for x in a + b):
            return _same(np.asarray(a), np.asarray(b))   # a list of floats (the printed losses) is one array
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return bool(np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True))
    return a == b


def fixtures_are_stale(aid: str, root: Path) -> bool:
    """True when the stored fixture file is missing or differs from what the reference computes now."""
    path = fixture_path(aid, root)
    if not path.exists():
        return True
    return not _same(decode(json.loads(path.read_text())), decode(build_fixtures(aid, root)))

"""Stored expected values for the public checks, and the instructor's reference behind the hidden ones.

A public check never computes an answer: it draws its own seeded inputs, looks up what a correct function returns
on them (and what each classic mistake returns, to name it) in the assignment's fixture file
``week<N>/fixtures/<assignment id>.json``, and compares. The fixture file is written by the instructor command
``python -m autograder fixtures`` from the instructor-only reference code in :mod:`autograder.reference`, for
exactly the arguments the notebook's public checks use; the test suite fails when it is stale.

Hidden tests call the same checks with other arguments. Those have no stored values; where the reference is
installed (the instructor's course, and so the autograder) it computes them, and it also stands in for every
*other* graded function while one function is checked, so that one bug costs one function's points. The student
distribution has no reference: there a check with other arguments says so, and a function is checked with the
student's own versions of the functions it calls.
"""
from __future__ import annotations

import base64
import contextlib
import functools
import importlib.metadata
import json
from pathlib import Path

import numpy as np

from checks import assertions as checks
from checks.assertions import CheckFailed
from checks.paths import COURSE_ROOT


# ---------------------------------------------------------------------------- encoding

def encode(value):
    """A JSON-ready form of arrays, numbers, strings, tuples, lists and dicts (exact: arrays as raw bytes)."""
    if isinstance(value, np.ndarray):
        data = value if value.flags.c_contiguous else value.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
        return {"__array__": base64.b64encode(data.tobytes()).decode("ascii"), "dtype": data.dtype.str,
                "shape": list(data.shape)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    return value


def decode(value):
    """The inverse of :func:`encode` (arrays come back read-only, so a check cannot change them)."""
    if isinstance(value, dict):
        if "__array__" in value:
            array = np.frombuffer(base64.b64decode(value["__array__"]), dtype=np.dtype(value["dtype"]))
            return array.reshape(value["shape"])
        if "__tuple__" in value:
            return tuple(decode(v) for v in value["__tuple__"])
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def case_key(args: dict) -> str:
    """The canonical text of a check's arguments (tuples and lists alike), the key of its stored case."""
    return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in args.items()}, sort_keys=True)


# ---------------------------------------------------------------------------- where things live

def fixture_path(aid: str, root: Path = COURSE_ROOT) -> Path:
    """``week<N>/fixtures/<aid>.json``: ``w1a2_...`` belongs to week 1."""
    return Path(root) / f"week{aid[1]}" / "fixtures" / f"{aid}.json"


#: The entry-point group through which an installed instructor's toolkit offers its reference modules: each entry
#: point is a function ``find(aid)`` returning the reference module of ``aid``, or None. The check kit never names
#: the toolkit; the student's copy declares no such entry point, and there every hidden case says so.
REFERENCE_GROUP = "sequence_models.reference"


@functools.cache
def _reference_finders() -> tuple:
    finders = []
    for entry in importlib.metadata.entry_points(group=REFERENCE_GROUP):
        try:
            finders.append(entry.load())
        except (ImportError, AttributeError):  # declared by an install whose toolkit is not here (a sandbox that
            continue                           # hides the reference, a student's copy in the instructor's venv)
    return tuple(finders)


def reference(aid: str):
    """The instructor's reference module for ``aid``, or None where none is installed (the student's copy)."""
    for find in _reference_finders():
        module = find(aid)
        if module is not None:
            return module
    return None


class Fixtures:
    """The stored cases of one assignment; ``case(check, **args)`` is what a check calls."""

    def __init__(self, aid: str):
        self.aid = aid
        self._stored = None
        self._computed: dict = {}

    def stored(self) -> dict:
        if self._stored is None:
            path = fixture_path(self.aid)
            self._stored = json.loads(path.read_text()) if path.exists() else {}
        return self._stored

    def case(self, check: str, **args):
        """What a correct ``check`` function returns on the inputs these arguments draw (and its known mistakes)."""
        stored = self.stored().get(check, {}).get(case_key(args))
        checks._hidden_case = stored is None  # a hidden test passes silently
        if stored is not None:
            return decode(stored)
        ref = reference(self.aid)
        if ref is None:
            shown = ", ".join(f"{k}={v!r}" for k, v in args.items())
            raise CheckFailed(f"check_{check} has no stored expected values for {shown}, so run the check "
                              f"with the arguments the notebook gives it (restore the test cell from the assignment "
                              f"if you changed it).")
        key = (check, case_key(args))
        if key not in self._computed:  # a hidden case costs one reference run per process
            self._computed[key] = json.dumps(encode(ref.CASES[check](**args)))
        return decode(json.loads(self._computed[key]))

    @contextlib.contextmanager
    def stand_ins(self, fn, name: str):
        """While ``fn`` (the student's ``name``) is checked, the reference replaces every other graded function
        that ``fn`` can reach through its globals; nothing changes where there is no reference."""
        ref = reference(self.aid)
        namespace = getattr(fn, "__globals__", None)
        if ref is None or not isinstance(namespace, dict):
            yield
            return
        swapped = {other: namespace[other] for other in ref.GRADED if other != name and other in namespace}
        namespace.update({other: ref.GRADED[other] for other in swapped})
        try:
            yield
        finally:
            namespace.update(swapped)

"""A check's message teaches, it does not answer: no text a check can show holds a line of a solution.

A hint names the likely cause and points at the equation or the section of the notebook that has it; it never prints
the statement the student is asked to write. This test collects

- every line of every solution region of the source notebooks (between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION``), comments and whitespace removed, scaffolding left out (allocating zeros, seeding numpy,
  returning a name, setting a name to a constant);
- every text a check can show: the string constants, f-strings and string concatenations of ``checks/*.py`` and
  ``week*/*_checks.py`` (an f-string's fields stand for any short name or index), every string of the stored
  fixtures ``week*/fixtures/*.json`` (where the mistake causes are stored), and the strings of the instructor's
  reference ``autograder/reference/*.py`` (where those causes are written), but for its ``MISTAKES``: the classic
  mistakes written as edits of the solution, which no check shows (the words each one's message must hold are
  a check's own text, scanned there);

and fails when a message holds a solution line, or (a lower bar, for near-solutions) the right-hand side of a
solution's assignment, the condition of its ``if``/``while``, the iterable of its ``for`` or the value it returns,
unless the code the notebook gives the student (its docstrings and comments) already states that value. Whitespace
and the kind of quotes do not matter.
"""
from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent

MIN_LINE = 12  # a solution line shorter than this (normalised) is too generic to be an answer
MIN_CORE = 10  # the same for the right-hand side of an assignment, a condition, a returned value
WILD = 12      # the most characters an f-string's field stands for when matching (a name, an index, a key)
WILD_CHARS = re.compile(r"[\w.'\"\[\]]*")  # what a field may stand for: a name, an attribute, an index, a key

# Scaffolding that the release gives in one place and asks for in another: allocating zeros, seeding numpy,
# returning a name, setting a name to a constant.
_TRIVIAL = re.compile(r"^(\w+=np\.zeros(_like)?\(.*\)|np\.random\.seed\(\w+\)|return[\w.]*"
                      r"|[\w,]+=(None|True|False|\[\]|\(\)|\{\}|-?[\d.]+))$")
# A value that names something rather than computes it: a name, an attribute, a lookup by a name or a constant
# (word_to_index[w]); a literal; allocating zeros.
_TRIVIAL_CORE = re.compile(r"^(np\.zeros(_like)?\(.*\)|[\w.]+(\[[\w'\"]+\])*|\(?[-\d.,]+\)?)$")


def _normalised(text: str) -> str:
    """Without whitespace, single quotes as double quotes (the same code, however it is spaced or quoted)."""
    return re.sub(r"\s+", "", text).replace("'", '"')


def _code(line: str) -> str:
    """The line without its comment (the notebooks' solution lines have no '#' inside a string)."""
    return line.split("#")[0].rstrip()


# ---------------------------------------------------------------------------- solution lines

@dataclass(frozen=True)
class Solution:
    text: str       # normalised
    line: str       # as written
    notebook: str


_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
_HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.S)


def _notebooks():
    return sorted((ROOT / "source").glob("*/*.ipynb"))


def _solution_regions():
    for path in _notebooks():
        for cell in nbformat.read(path, as_version=4).cells:
            for region in _SOLUTION.findall(cell.source):
                yield path.relative_to(ROOT).as_posix(), region


def _given_code(path) -> str:
    """The code a student is given (docstrings and comments included): the code cells without their solution
    regions and hidden tests, normalised."""
    cells = nbformat.read(path, as_version=4).cells
    return _normalised("\n".join(_HIDDEN.sub("", _SOLUTION.sub("", c.source)) for c in cells if c.cell_type == "code"))


def solution_lines() -> list[Solution]:
    """Every non-trivial line of every solution region, normalised, without a trailing ':'."""
    found = {}
    for notebook, region in _solution_regions():
        for line in region.splitlines():
            text = _normalised(_code(line)).removesuffix(":")
            if len(text) >= MIN_LINE and not _TRIVIAL.match(text):
                found.setdefault(text, Solution(text, line.strip(), notebook))
    return list(found.values())


def _assignment_value(code: str) -> str | None:
    """The right-hand side of ``targets = value`` or ``target op= value`` (an '=' outside brackets and strings)."""
    depth, quote = 0, None
    for i, ch in enumerate(code):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "=" and depth == 0 and code[i - 1:i] not in ("=", "!", "<", ">") and code[i + 1:i + 2] != "=":
            return code[i + 1:]
    return None


def _core(code: str) -> str | None:
    """What a line computes: an assignment's value, an if/elif/while condition, a for's iterable, a returned value."""
    code = code.strip()
    for keyword in ("if ", "elif ", "while "):
        if code.startswith(keyword):
            return code[len(keyword):].removesuffix(":")
    if code.startswith("for ") and " in " in code:
        return code.split(" in ", 1)[1].removesuffix(":")
    if code.startswith("return "):
        return code[len("return "):]
    return _assignment_value(code)


def solution_cores() -> list[Solution]:
    """The right-hand sides, conditions, iterables and returned values of the solution lines, normalised; not those
    the given code of the notebook already states (its docstrings and comments describe some of them)."""
    given = {path.relative_to(ROOT).as_posix(): _given_code(path) for path in _notebooks()}
    found = {}
    for notebook, region in _solution_regions():
        for line in region.splitlines():
            core = _core(_code(line))
            text = _normalised(core or "")
            if len(text) >= MIN_CORE and not _TRIVIAL_CORE.match(text) and text not in given[notebook]:
                found.setdefault(text, Solution(text, line.strip(), notebook))
    return list(found.values())


# ---------------------------------------------------------------------------- messages

@dataclass(frozen=True)
class Message:
    parts: tuple[str, ...]  # normalised literal pieces; between two pieces stands an f-string field (any short name)
    where: str
    shown: str              # the message as written, fields as {...}

    def holds(self, line: str) -> bool:
        return line in "\x00".join(self.parts) or (len(self.parts) > 1 and _holds_with_fields(self.parts, line))


def _holds_with_fields(parts: tuple[str, ...], line: str) -> bool:
    """Whether ``line`` is part of some rendering of the message whose fields stand for up to WILD name-like
    characters each, with at least three quarters of ``line`` coming from the message's own text."""
    budget = len(line) // 4

    def rest(j: int, r: str, spent: int) -> bool:
        """``r`` starts at a field, followed by parts[j] (and so on)."""
        for w in range(0, min(WILD, len(r), budget - spent) + 1):
            if WILD_CHARS.fullmatch(r[:w]) is None:
                break
            t = r[w:]
            if not t:
                return True
            if j >= len(parts):
                continue
            p = parts[j]
            if p.startswith(t):
                return True
            if t.startswith(p) and j + 1 < len(parts) and rest(j + 1, t[len(p):], spent + w):
                return True
        return False

    for i, p in enumerate(parts[:-1]):
        for k in range(len(p) + 1):  # the line starts with the suffix p[k:] (empty: it starts in the field)
            if (k == len(p) or p[k] == line[0]) and line.startswith(p[k:]) and rest(i + 1, line[len(p) - k:], 0):
                return True
    return False


def _string_template(node, inner: list) -> tuple[list[str], str] | None:
    """The literal pieces of a string expression (a constant, an f-string, a '+' of such), or None; the expressions
    inside its fields (which may hold messages of their own) are added to ``inner``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value], node.value
    if isinstance(node, ast.JoinedStr):
        parts, shown = [""], ""
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts[-1] += value.value
                shown += value.value
            else:
                inner.append(value.value)
                parts.append("")
                shown += "{...}"
        return parts, shown
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string_template(node.left, inner), _string_template(node.right, inner)
        if left is None and right is None:
            return None
        if left is None:
            inner.append(node.left)
        if right is None:
            inner.append(node.right)
        left = left or (["", ""], "{...}")
        right = right or (["", ""], "{...}")
        return left[0][:-1] + [left[0][-1] + right[0][0]] + right[0][1:], left[1] + right[1]
    return None


def _docstrings(tree) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def _not_shown(tree, names: tuple[str, ...]) -> list:
    """The module's top-level statements, less the assignments to a name that ends with one of ``names`` (data no
    check shows: ``MISTAKES``, and parts of it such as ``_STEP_MISTAKES``)."""
    return [node for node in tree.body if not (isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id.endswith(names) for t in node.targets))]


def python_messages(paths, docstrings: bool = True, unshown: tuple[str, ...] = ()) -> list[Message]:
    """Every whole string expression of these modules: a constant, an f-string, a concatenation of such (and those
    inside their fields); not in the top-level assignments to the names ``unshown``."""
    found = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set() if docstrings else _docstrings(tree)
        rel = path.relative_to(ROOT).as_posix()
        todo = _not_shown(tree, unshown)
        while todo:
            node = todo.pop()
            inner: list = []
            template = _string_template(node, inner)
            if template is None:
                todo.extend(ast.iter_child_nodes(node))
                continue
            todo.extend(inner)
            if id(node) not in skip:
                parts, shown = template
                found.append(Message(tuple(_normalised(p) for p in parts), f"{rel}:{node.lineno}", shown))
    return found


def _json_strings(value):
    if isinstance(value, dict):
        if "__array__" in value:  # an array's bytes, no text
            return
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)
    elif isinstance(value, str):
        yield value


def fixture_messages() -> list[Message]:
    found = []
    for path in sorted(ROOT.glob("week*/fixtures/*.json")):
        rel = path.relative_to(ROOT).as_posix()
        for text in set(_json_strings(json.loads(path.read_text(encoding="utf-8")))):
            found.append(Message((_normalised(text),), rel, text))
    return found


CHECK_MODULES = sorted([*ROOT.glob("checks/*.py"), *ROOT.glob("week*/*_checks.py")])
REFERENCE_MODULES = sorted((ROOT / "autograder" / "reference").glob("*.py"))


def all_messages() -> list[Message]:
    return (python_messages(CHECK_MODULES) + fixture_messages()
            + python_messages(REFERENCE_MODULES, docstrings=False, unshown=("MISTAKES",)))


def offences(messages, lines) -> list[tuple[Message, Solution]]:
    return [(m, s) for m in messages for s in lines if m.holds(s.text)]


def _report(found) -> str:
    return "\n".join(f"- {m.where}: {m.shown[:160]!r}\n    shows `{s.line}` ({s.notebook})" for m, s in found)


# ---------------------------------------------------------------------------- tests

@pytest.fixture(scope="module")
def messages():
    return all_messages()


def test_the_scan_finds_the_solutions_and_the_messages(messages):
    lines, cores = solution_lines(), solution_cores()
    assert len(lines) > 200, len(lines)
    assert len(cores) > 130, len(cores)
    assert {s.notebook for s in lines} == {p.relative_to(ROOT).as_posix() for p in _notebooks()}
    assert len(_notebooks()) == 9
    where = [m.where.split(":")[0] for m in messages]
    assert len(CHECK_MODULES) >= 11 and len(REFERENCE_MODULES) >= 8
    assert sum(w.endswith("_checks.py") for w in where) > 900
    assert sum(w.startswith("checks/") for w in where) > 150
    assert sum(w.endswith(".json") for w in where) > 250
    assert sum(w.startswith("autograder/reference/") for w in where) > 500
    assert sum(len(m.parts) > 1 for m in messages) > 250  # f-strings, with their fields


def test_the_matching_sees_through_whitespace_and_fields():
    assert Message(("thecauseis:da_prev=Waa.T@dtanh.",), "x", "").holds("da_prev=Waa.T@dtanh")
    assert Message(("dW", "=d", "t@concat.T",), "x", "").holds("dWf=dft@concat.T")
    assert not Message(("dW", "=d", "t@concat.T",), "x", "").holds("dWf=dft@concat.T+1")
    assert not Message(("expected", "butgot", "."), "x", "").holds("da_prev=Waa.T@dtanh")
    assert not Message(("da_prev=Waa.T", "dtanh"), "x", "").holds("da_prev=Waa.T@(dtanh*some_very_long_field)")
    assert _core("a_next = np.tanh(Waa @ a_prev)") == " np.tanh(Waa @ a_prev)"
    assert _core("dWax += gradients['dWax']") == " gradients['dWax']"
    assert _core("f(x=1)") is None and _core("if a == b:") == "a == b"


def test_no_message_shows_a_solution_line(messages):
    found = offences(messages, solution_lines())
    assert not found, f"{len(found)} times a message shows a line of a solution:\n{_report(found)}"


def test_no_message_shows_what_a_solution_line_computes(messages):
    found = offences(messages, solution_cores())
    assert not found, (f"{len(found)} times a message shows the value, condition or iterable of a solution line:\n"
                       f"{_report(found)}")


def test_every_check_message_is_one_sentence():
    """A check's message is one sentence ("<what>: expected ... but got ...; likely cause: ..."), however its parts
    were written: CheckFailed joins any sentence end inside it with "; ", lower-casing the next word where it is an
    ordinary word (never a name such as LSTM, Dense or Wax), and ends it with one full stop on one line. (Every
    CheckFailed that any test of this session makes is held to this in tests/conftest.py.)"""
    from checks.assertions import CheckFailed, join_hint, one_sentence
    from checks.keras_models import _fail as keras_fail  # the Keras checks share the same _fail

    assert str(CheckFailed("f: expected 1 but got 2. Likely cause: a sum. See section 3.1.")) == \
        "f: expected 1 but got 2; likely cause: a sum; see section 3.1."
    assert one_sentence("f: bad. LSTM needs it. Wax is transposed. A shape (e.g. Dense) is ... wrong") == \
        "f: bad; LSTM needs it; Wax is transposed; a shape (e.g. Dense) is ... wrong."
    assert one_sentence("f: wrong\n\x1b[31mred\x1b[0m?") == "f: wrong red."
    assert join_hint("f: expected 1 but got 2.", "Check the return statement.") == \
        "f: expected 1 but got 2; check the return statement."
    assert join_hint("f: expected 1 but got 2", "Dense(units) is missing.") == \
        "f: expected 1 but got 2; Dense(units) is missing."
    with pytest.raises(CheckFailed) as failed:
        keras_fail("m.units", "3", "4", "Set units=3 when you create it.")
    assert str(failed.value) == "m.units: expected 3 but got 4; set units=3 when you create it."

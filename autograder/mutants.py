"""How many wrong programs do the checks let through? Mutation testing of every graded function.

``python -m autograder mutants ID [--function NAME]`` makes wrong versions (mutants) of each graded function's
solution in ``source/<ID>/`` and runs that function's graded test cell on each, the public part (before
``### BEGIN HIDDEN TESTS``) and then the hidden part, with the same checks the grader runs. Per function it reports
the mutants made, those the public check kills, those only the hidden tests kill, and those that survive both.

Mutants come from generic operators applied to the AST of the solution regions only (the code between
``### BEGIN SOLUTION`` and ``### END SOLUTION``; signatures, docstrings and given code are never mutated):

- an arithmetic operator swapped (``+ -``, ``* /``, ``@`` to ``*``, ``**`` to ``*``), a comparison swapped (``<``
  to ``<=``, ``==`` to ``!=`` ...), ``and`` / ``or`` swapped, a unary minus or ``not`` dropped;
- an integer constant off by one either way (ranges, slices, indices, lengths, limits, axes, units), another float;
- a term of a sum or difference dropped; a transpose (``.T``) removed;
- the first two positional arguments of a call swapped; two returned values swapped; a statement deleted;
- a Keras layer option flipped (``go_backwards``, ``return_sequences``, ``return_state``, ``activation``), or, on a
  recurrent layer, ``go_backwards`` or ``return_sequences`` set where the solution leaves it at its default;
- one input replaced by another: a name given to a call replaced by another name the function has bound by then.

Why not a mutation-testing library: mutmut, cosmic-ray and mutatest mutate importable modules on disk and judge each
mutant by running a test command (pytest) in a new process. Here the code under test is a region of a notebook cell
and the judge is one graded test cell, so the operators work on the cell's AST and the verdicts are taken in this
process (thousands of mutants of a numpy function take seconds, where one pytest process per mutant would take
minutes); each mutant still runs under a time limit.

A mutant that survives both parts is then compared with the solution on the function's probes (``PROBES`` in the
assignment's reference module, :mod:`autograder.reference`: several shapes and every boundary the function's
contract names). One that agrees on every probe is reported as **equivalent** (no input of the contract tells them
apart), one that does not as **survived**: a hole in the checks. Both are listed with their change, so a reader can
check.

The reference module also keeps the **classic mistakes** of each graded function (``MISTAKES``): a wrong solution
written as an edit of the solution, and words its public check must print. Each is judged like a mutant, and it
counts as **named** only when the public check fails with those words in its message.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import io
import json
import re
import random
import signal
import sys
import time
import warnings
from collections.abc import Mapping
from pathlib import Path

import nbformat
import numpy as np

HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)

_BINOP_SWAPS = {ast.Add: [ast.Sub], ast.Sub: [ast.Add], ast.Mult: [ast.Div, ast.Add], ast.Div: [ast.Mult],
                ast.MatMult: [ast.Mult], ast.Pow: [ast.Mult], ast.FloorDiv: [ast.Div], ast.Mod: [ast.FloorDiv]}
_COMPARE_SWAPS = {ast.Lt: [ast.LtE], ast.LtE: [ast.Lt], ast.Gt: [ast.GtE], ast.GtE: [ast.Gt], ast.Eq: [ast.NotEq],
                  ast.NotEq: [ast.Eq], ast.In: [ast.NotIn], ast.NotIn: [ast.In], ast.Is: [ast.IsNot],
                  ast.IsNot: [ast.Is]}
_FLAGS = ("go_backwards", "return_sequences", "return_state", "keepdims", "replace", "trainable", "mask_zero")
_RECURRENT = ("LSTM", "GRU", "SimpleRNN")
_ACTIVATIONS = {"softmax": "sigmoid", "sigmoid": "softmax", "tanh": "relu", "relu": "tanh", "linear": "relu"}


@dataclasses.dataclass
class Mutant:
    function: str
    operator: str
    line: int          # in the cell
    change: str        # what the mutated line reads now
    source: str        # the whole mutated cell


@dataclasses.dataclass
class Verdict:
    mutant: Mutant
    outcome: str       # "public", "hidden", "survived" or "timeout" (the public check's time ran out: killed)
    detail: str = ""   # why it failed, one line
    message: str = ""  # the whole failure message


@dataclasses.dataclass
class Mistake:
    """One classic mistake of a graded function, from the reference's ``MISTAKES``."""
    function: str
    what: str          # what the student did
    old: str           # text of the solution cell (exactly once, inside a solution region) ...
    new: str           # ... and what it becomes
    says: str          # words the public check's message must contain

    def named_in(self, message: str) -> bool:
        """Whether ``message`` holds the words: as written, or with the first one lower-cased (a check's message is
        one sentence, so a hint that starts a sentence in the source may follow a "; " in the message)."""
        return self.says in message or (self.says[:1].lower() + self.says[1:]) in message

    def mutant(self, source: str) -> Mutant:
        count = source.count(self.old)
        start = source.find(self.old)
        first = source[:start].count("\n") + 1
        span = range(first, first + self.old.count("\n") + (0 if self.old.endswith("\n") else 1))
        if count != 1 or not set(span) <= _region_lines(source):
            raise ValueError(f"{self.function}: the classic mistake {self.what!r} edits {self.old!r}, which must "
                             f"occur exactly once in the solution cell and inside a solution region "
                             f"(found {count} times)")
        return Mutant(self.function, f"mistake: {self.what}", first, f"{self.old.strip()}  ->  {self.new.strip()}",
                      source.replace(self.old, self.new))


# ---------------------------------------------------------------------------- making mutants

def _region_lines(source: str) -> set[int]:
    """The (1-based) line numbers of the cell that lie inside its solution regions."""
    lines, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if "### BEGIN SOLUTION" in line:
            inside = True
        elif "### END SOLUTION" in line:
            inside = False
        elif inside:
            lines.add(number)
    return lines


def _variants(node: ast.AST):
    """(operator name, replacement node) for every mutation of ``node`` itself."""
    if isinstance(node, ast.BinOp):
        for new in _BINOP_SWAPS.get(type(node.op), []):
            yield f"{type(node.op).__name__}->{new.__name__}", ast.BinOp(node.left, new(), node.right)
        if isinstance(node.op, (ast.Add, ast.Sub)):
            yield "drop right term", node.left
            yield "drop left term", node.right
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for new in _COMPARE_SWAPS.get(type(node.ops[0]), []):
            yield f"{type(node.ops[0]).__name__}->{new.__name__}", ast.Compare(node.left, [new()], node.comparators)
    elif isinstance(node, ast.BoolOp):
        yield "and<->or", ast.BoolOp(ast.Or() if isinstance(node.op, ast.And) else ast.And(), node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        yield f"drop {type(node.op).__name__}", node.operand
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield "constant+1", ast.Constant(node.value + 1)
        yield "constant-1", ast.Constant(node.value - 1)
    elif isinstance(node, ast.Constant) and type(node.value) is float:
        yield "constant changed", ast.Constant(1.0 if node.value == 0 else node.value * 2)
    elif isinstance(node, ast.Attribute) and node.attr == "T":
        yield "transpose removed", node.value
    elif isinstance(node, ast.Call):
        positional = [a for a in node.args if not isinstance(a, ast.Starred)]
        if len(positional) == len(node.args) >= 2:
            args = list(node.args)
            args[0], args[1] = args[1], args[0]
            yield "arguments swapped", ast.Call(node.func, args, node.keywords)
        for i, kw in enumerate(node.keywords):
            if kw.arg in _FLAGS and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, bool):
                new = [ast.keyword(k.arg, k.value) for k in node.keywords]
                new[i] = ast.keyword(kw.arg, ast.Constant(not kw.value.value))
                yield f"{kw.arg} flipped", ast.Call(node.func, node.args, new)
            if kw.arg == "activation" and isinstance(kw.value, ast.Constant) and kw.value.value in _ACTIVATIONS:
                new = [ast.keyword(k.arg, k.value) for k in node.keywords]
                new[i] = ast.keyword(kw.arg, ast.Constant(_ACTIVATIONS[kw.value.value]))
                yield "activation changed", ast.Call(node.func, node.args, new)
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        given = {kw.arg for kw in node.keywords}
        if callee in _RECURRENT:
            for flag in ("go_backwards", "return_sequences"):
                if flag not in given:  # an option the solution leaves at its default, set the other way
                    yield f"{flag} added", ast.Call(node.func, node.args,
                                                    [*node.keywords, ast.keyword(flag, ast.Constant(True))])
    elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple) and len(node.value.elts) >= 2:
        for i in range(len(node.value.elts) - 1):
            elts = list(node.value.elts)
            elts[i], elts[i + 1] = elts[i + 1], elts[i]
            yield "returned values swapped", ast.Return(ast.Tuple(elts, ast.Load()))


_DELETABLE = (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Expr)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: ast.AST, replacement: ast.AST | None):
        self.target, self.replacement = target, replacement

    def generic_visit(self, node):
        if node is self.target:
            return self.replacement if self.replacement is not None else ast.Pass()
        return super().generic_visit(node)


def _bound_names(tree: ast.AST) -> dict[int, list[str]]:
    """For the first line of every statement inside a function: the names bound in that function before it
    (its parameters, then what earlier lines assign), in order of binding."""
    bound: dict[int, list[str]] = {}
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        names = [a.arg for a in fn.args.args]
        for node in sorted((n for n in ast.walk(fn) if hasattr(n, "lineno") and n is not fn),
                           key=lambda n: (n.lineno, n.col_offset)):
            bound.setdefault(node.lineno, list(names))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id not in names:
                names.append(node.id)
    return bound


def _inputs_replaced(node: ast.AST, bound: dict[int, list[str]]):
    """A name given to a call replaced by another name the function had bound by then: one input for another
    (the attention queried with s0 instead of s)."""
    if not isinstance(node, ast.Call):
        return
    for i, arg in enumerate(node.args):
        if isinstance(arg, ast.Name):
            for other in bound.get(node.lineno, []):
                if other != arg.id:
                    args = list(node.args)
                    args[i] = ast.Name(other, ast.Load())
                    yield "input replaced", ast.Call(node.func, args, node.keywords)


def make_mutants(function: str, source: str) -> list[Mutant]:
    """Every mutant of the solution regions of one graded cell, each a whole cell that still compiles."""
    lines = _region_lines(source)
    tree = ast.parse(source)
    bound = _bound_names(tree)
    mutants, seen = [], {ast.unparse(tree)}  # the solution itself is no mutant
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) not in lines:
            continue
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # a string statement: nothing to mutate
        variants = [*_variants(node), *_inputs_replaced(node, bound)]
        if isinstance(node, _DELETABLE):
            variants.append(("statement deleted", None))
        for operator, replacement in variants:
            clone = copy.deepcopy(tree)
            target = _same_node(tree, clone, node)
            mutated = ast.fix_missing_locations(_Replace(target, replacement and copy.deepcopy(replacement)).visit(clone))
            try:
                text = ast.unparse(mutated)
                compile(text, "<mutant>", "exec")
            except (SyntaxError, ValueError, TypeError):
                continue
            if text in seen:
                continue
            seen.add(text)
            changed = _changed_line(replacement, node)
            mutants.append(Mutant(function, operator, node.lineno, changed, text))
    return mutants


def _same_node(tree: ast.AST, clone: ast.AST, node: ast.AST) -> ast.AST:
    """The node of ``clone`` that stands where ``node`` stands in ``tree`` (the two walk in the same order)."""
    for original, copied in zip(ast.walk(tree), ast.walk(clone)):
        if original is node:
            return copied
    raise LookupError(node)


def _changed_line(replacement, node) -> str:
    before = ast.unparse(node).splitlines()[0][:80]
    after = "(deleted)" if replacement is None else ast.unparse(replacement).splitlines()[0][:80]
    return f"{before}  ->  {after}"


# ---------------------------------------------------------------------------- judging them

class _TimeUp(BaseException):
    """Raised by the alarm; a BaseException so that no check's ``except Exception`` swallows it."""


@contextlib.contextmanager
def _time_limit(seconds: float):
    def stop(*_):
        raise _TimeUp
    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _run(code: str, namespace: dict, seconds: float) -> tuple[str, str] | None:
    """None when ``code`` runs through in ``namespace``; else why it failed: (one line, the whole message)."""
    out = io.StringIO()
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "<test cell>", "exec"), namespace)  # noqa: S102 - the instructor's test cell
    except _TimeUp:
        return "timeout", "timeout"
    except BaseException as exc:  # noqa: BLE001 - any failure of a check fails the cell
        if isinstance(exc, KeyboardInterrupt):
            raise
        text = str(exc)
        return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}", text
    return None


@dataclasses.dataclass
class Assignment:
    """The graded cells of one source notebook and the namespace its solutions run in."""
    aid: str
    base: dict                   # setup cells and every solution cell executed
    cells: dict                  # graded function -> its solution cell's source
    tests: dict                  # graded function -> (public part, hidden part) of its test cell

    @classmethod
    def load(cls, root: Path, aid: str) -> "Assignment":
        (path,) = sorted((Path(root) / "source" / aid).glob("*.ipynb"))
        nb = nbformat.read(path, as_version=4)
        base: dict = {"__name__": f"mutants_{aid}"}
        cells, tests = {}, {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type != "code":
                continue
            gid = meta.get("grade_id", "")
            if meta.get("solution") or (meta.get("locked") and not meta.get("grade")):
                with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    exec(compile(cell.source, f"<{aid}:{gid}>", "exec"), base)  # noqa: S102 - the instructor's
                if meta.get("solution") and REGION.search(cell.source):
                    cells[gid] = cell.source
            elif meta.get("grade") and gid.endswith("_tests"):
                hidden = HIDDEN.search(cell.source)
                tests[gid[: -len("_tests")]] = (HIDDEN.sub("", cell.source), hidden.group(1) if hidden else "")
        cells = {name: src for name, src in cells.items() if name in tests}
        return cls(aid, base, cells, tests)

    def judge(self, mutant: Mutant, seconds: float = 60.0) -> Verdict:
        namespace = dict(self.base)
        failed = _run(mutant.source, namespace, seconds)
        if failed:
            return Verdict(mutant, "public", f"the cell itself fails: {failed[0]}", failed[1])
        public, hidden = self.tests[mutant.function]
        failed = _run(public, namespace, seconds)
        if failed:
            return Verdict(mutant, "timeout" if failed[0] == "timeout" else "public", *failed)
        failed = _run(hidden, namespace, seconds)
        if failed:
            return Verdict(mutant, "hidden", *failed)
        return Verdict(mutant, "survived")

    # ------------------------------------------------------------ the reference's mistakes and probes

    @property
    def _reference(self):
        from autograder.reference import find
        return find(self.aid)

    def mistakes(self, function: str) -> list[Mistake]:
        listed = getattr(self._reference, "MISTAKES", {}).get(function, [])
        return [Mistake(function, *entry) for entry in listed]

    def probe_inputs(self, function: str) -> list[tuple] | None:
        """The arguments of every call of ``function``'s probe, or None when the reference gives no probe."""
        probe = getattr(self._reference, "PROBES", {}).get(function)
        if probe is None:
            return None
        with _quiet():
            return [tuple(call) for call in probe(np.random.default_rng(0))]

    def equivalent(self, mutant: Mutant, calls: list[tuple], seconds: float = 60.0) -> tuple[bool, str]:
        """Whether ``mutant`` agrees with the solution on every probe call; else the first call that tells them
        apart (its number and what differs)."""
        namespace = dict(self.base)
        if _run(mutant.source, namespace, seconds):
            return False, "the cell itself fails"
        solution, wrong = self.base[mutant.function], namespace[mutant.function]
        for number, args in enumerate(calls):
            expected, got = (_call(fn, args, number, seconds) for fn in (solution, wrong))
            if expected.raised or got.raised:
                differs = "" if expected.raised == got.raised else \
                    f"the solution {expected.describe()}, the mutant {got.describe()}"
            else:
                differs = _difference(expected.value, got.value, np.random.default_rng(number))
                if not differs and _difference(expected.args, got.args, np.random.default_rng(number)):
                    differs = "the arguments differ after the call (changed in place)"
                if not differs and expected.printed != got.printed:
                    differs = "it prints something else"
            if differs:
                return False, f"probe call {number}: {differs}"
        return True, ""


@contextlib.contextmanager
def _quiet():
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
            warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _seed(number: int):
    """The same random draws for the solution and the mutant: numpy's, Python's and (when loaded) Keras's."""
    np.random.seed(number)
    random.seed(number)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(number)


@dataclasses.dataclass
class _Outcome:
    value: object = None
    args: tuple = ()
    raised: str = ""   # the exception's type name ("timeout" when time ran out)
    printed: str = ""  # what it printed (a training loop shows its cost there)

    def describe(self) -> str:
        return f"raised {self.raised}" if self.raised else "returned"


def _call(fn, args: tuple, number: int, seconds: float) -> _Outcome:
    """What ``fn`` does with a deep copy of ``args``, after seeding every random generator with ``number``."""
    args = copy.deepcopy(args)
    _seed(number)
    out = io.StringIO()
    try:
        with _time_limit(seconds), _quiet(), contextlib.redirect_stdout(out):
            value = fn(*args)
        return _Outcome(value, args, printed=out.getvalue())
    except _TimeUp:
        return _Outcome(raised="timeout")
    except Exception as exc:  # noqa: BLE001 - the solution may raise on a probe too; then so must the mutant
        return _Outcome(raised=type(exc).__name__)


def _is_keras(value, kind: str) -> bool:
    return any(c.__name__ == kind and c.__module__.startswith("keras") for c in type(value).__mro__)


def _difference(a, b, rng) -> str:
    """'' when ``a`` and ``b`` agree (arrays to 1e-6, Keras models by what they compute), else what differs."""
    a, b = _eager_to_numpy(a), _eager_to_numpy(b)
    if _is_keras(a, "Model") or _is_keras(b, "Model"):
        return _model_difference(a, b, rng)
    if _is_keras(a, "Layer") or _is_keras(b, "Layer"):
        if type(a) is not type(b):
            return f"{type(a).__name__} against {type(b).__name__}"
        conf = [{k: v for k, v in layer.get_config().items() if k != "name"} for layer in (a, b)]
        if conf[0] != conf[1]:
            return "layer configurations differ"
        return _difference(a.get_weights(), b.get_weights(), rng) and "layer weights differ"
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray) or isinstance(a, np.generic):
        try:
            x, y = np.asarray(a), np.asarray(b)
        except Exception:  # noqa: BLE001
            return "not arrays alike"
        if x.shape != y.shape:
            return f"shape {x.shape} against {y.shape}"
        if x.dtype.kind in "fc" or y.dtype.kind in "fc":
            same = np.allclose(x, y, rtol=1e-6, atol=1e-9, equal_nan=True)
        else:
            same = np.array_equal(x, y)
        return "" if same else "values differ"
    if isinstance(a, Mapping):
        if not isinstance(b, Mapping) or a.keys() != b.keys():
            return "keys differ"
        return next((f"[{k!r}] {d}" for k in a if (d := _difference(a[k], b[k], rng))), "")
    if isinstance(a, (list, tuple)):
        if not isinstance(b, (list, tuple)) or len(a) != len(b):
            return "lengths differ"
        return next((f"[{i}] {d}" for i, (x, y) in enumerate(zip(a, b)) if (d := _difference(x, y, rng))), "")
    if isinstance(a, float) and isinstance(b, (int, float)):
        return "" if np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True) else f"{a!r} against {b!r}"
    try:
        return "" if bool(a == b) else f"{str(a)[:60]!r} against {str(b)[:60]!r}"
    except Exception:  # noqa: BLE001 - incomparable values
        return "values cannot be compared"


def _eager_to_numpy(value):
    """A tensor of the backend (what a Keras layer returns when called on arrays) as a numpy array."""
    if type(value).__module__.startswith("tensorflow") and hasattr(value, "numpy"):
        return value.numpy()
    return value


def _model_difference(a, b, rng) -> str:
    """Two Keras models agree when, given the same weights (random, biases included), they compute the same outputs
    on random inputs (a batch of 3, and 5 steps where a step count is free), in inference and in training (built
    after the same seeding, their dropout layers draw the same masks)."""
    if not (_is_keras(a, "Model") and _is_keras(b, "Model")):
        return "only one of them is a Keras model"
    if [tuple(v.shape) for v in a.weights] != [tuple(v.shape) for v in b.weights]:
        return "weights of other shapes"
    if [tuple(t.shape) for t in a.inputs] != [tuple(t.shape) for t in b.inputs]:
        return "inputs of other shapes"
    values = []
    for v in a.weights:
        value = rng.normal(0.0, 0.5, tuple(v.shape))
        values.append(np.abs(value) + 0.5 if "variance" in v.path else value)
    a.set_weights(values)
    b.set_weights(values)
    inputs = []
    for t in a.inputs:
        shape = tuple(3 if d is None and i == 0 else 5 if d is None else d for i, d in enumerate(t.shape))
        inputs.append(rng.integers(0, 4, shape) if "int" in str(t.dtype) else rng.normal(0.0, 1.0, shape))
    from keras import ops
    for training in (False, True):  # in training, dropout draws from each layer's seed, the same in both models
        with _quiet():
            outputs = [a(inputs, training=training), b(inputs, training=training)]
        outputs = [[ops.convert_to_numpy(o) for o in (out if isinstance(out, (list, tuple)) else [out])]
                   for out in outputs]
        if _difference(outputs[0], outputs[1], rng):
            return f"outputs differ with the same weights ({'training' if training else 'inference'})"
    return ""


def run(root: Path, aid: str, functions: list[str] | None = None, seconds: float = 60.0,
        progress=None) -> dict:
    """Make and judge every mutant and classic mistake of ``aid`` (or of ``functions`` only); the report as plain
    data."""
    assignment = Assignment.load(root, aid)
    wanted = functions or list(assignment.cells)
    unknown = sorted(set(wanted) - set(assignment.cells))
    if unknown:
        raise KeyError(f"{aid} has no graded function {', '.join(unknown)}; it has {', '.join(assignment.cells)}")
    report = {"assignment": aid, "functions": {}}
    for name in wanted:
        start = time.monotonic()
        source = assignment.cells[name]
        baseline = assignment.judge(Mutant(name, "none", 0, "", source), seconds)
        if baseline.outcome != "survived":  # then every mutant would look killed, and prove nothing
            raise RuntimeError(f"{aid}: the solution of {name} fails its own test cell ({baseline.outcome}: "
                               f"{baseline.detail}); fix the source notebook before measuring its checks.")
        verdicts = [assignment.judge(m, seconds) for m in make_mutants(name, source)]
        survived = [v for v in verdicts if v.outcome == "survived"]
        calls = assignment.probe_inputs(name) if survived else []  # the probes are only needed for survivors
        equivalent, survivors = [], []
        for v in survived:
            same, why = assignment.equivalent(v.mutant, calls, seconds) if calls else (False, "no probe")
            (equivalent if same else survivors).append(dataclasses.asdict(v.mutant) | {"why": why})
        mistakes = []
        for mistake in assignment.mistakes(name):
            v = assignment.judge(mistake.mutant(source), seconds)
            mistakes.append({"what": mistake.what, "outcome": v.outcome, "says": mistake.says,
                             "named": v.outcome == "public" and mistake.named_in(v.message),
                             "message": v.message[:600]})
        counts = {key: sum(v.outcome == key for v in verdicts) for key in ("public", "timeout", "hidden")}
        report["functions"][name] = {
            "made": len(verdicts), "killed_by_public": counts["public"] + counts["timeout"],
            "killed_only_by_hidden": counts["hidden"], "survived": len(survivors), "equivalent": len(equivalent),
            "probe_calls": len(calls),  # the calls each survivor was compared on (none run when none survived)
            "mistakes": len(mistakes), "mistakes_named": sum(m["named"] for m in mistakes),
            "seconds": round(time.monotonic() - start, 1),
            "hidden_only": [dataclasses.asdict(v.mutant) | {"why": v.detail} for v in verdicts if v.outcome == "hidden"],
            "survivors": survivors, "equivalents": equivalent, "classic_mistakes": mistakes}
        if progress:
            progress(name, report["functions"][name])
    for entry in report["functions"].values():
        for listed in (*entry["hidden_only"], *entry["survivors"], *entry["equivalents"]):
            listed.pop("source")
    return report


_COLUMNS = ("made", "killed_by_public", "killed_only_by_hidden", "survived", "equivalent", "mistakes",
            "mistakes_named")


def summary_rows(report: dict) -> list[tuple]:
    """(function, made, public, hidden only, survived, equivalent, classic mistakes, of those named) per function,
    then the total."""
    rows = [(name, *(f[c] for c in _COLUMNS)) for name, f in report["functions"].items()]
    total = tuple(sum(r[i] for r in rows) for i in range(1, len(_COLUMNS) + 1))
    return rows + [("total", *total)]


def public_share(report: dict) -> float | None:
    """Of the mutants that a test cell kills, the share its public part kills (None when none is killed)."""
    *_, total = summary_rows(report)
    killed = total[2] + total[3]
    return total[2] / killed if killed else None


def format_report(report: dict) -> str:
    lines = [f"{report['assignment']}: mutants of the solution regions, judged by each function's test cell",
             f"{'function':<28}{'made':>6}{'public':>8}{'hidden':>8}{'survived':>10}{'equivalent':>12}"
             f"{'mistakes named':>16}"]
    lines += [f"{name:<28}{made:>6}{public:>8}{hidden:>8}{survived:>10}{equivalent:>12}{f'{named}/{mistakes}':>16}"
              for name, made, public, hidden, survived, equivalent, mistakes, named in summary_rows(report)]
    share = public_share(report)
    if share is not None:
        lines.append(f"the public checks kill {share:.1%} of the mutants that the test cells kill")
    for name, entry in report["functions"].items():
        for title, key in (("killed only by the hidden tests", "hidden_only"), ("survived", "survivors"),
                           ("equivalent (agree with the solution on every probe)", "equivalents")):
            if entry[key]:
                lines.append(f"\n{name}: {title}:")
                lines += [f"  line {m['line']:>3}  {m['operator']:<24} {m['change']}"
                          + (f"   [{m['why']}]" if key == "survivors" else "") for m in entry[key]]
        missed = [m for m in entry["classic_mistakes"] if not m["named"]]
        if missed:
            lines.append(f"\n{name}: classic mistakes not caught and named by the public check:")
            lines += [f"  {m['what']}: {m['outcome']}; wanted {m['says']!r} in: {m['message'][:200]!r}"
                      for m in missed]
    return "\n".join(lines)


def write_report(report: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mutants_{report['assignment']}.json"
    path.write_text(json.dumps(report, indent=1))
    return path

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

A mutant that survives is listed with its change, so a reader can decide whether it is equivalent to the solution
(no input can tell them apart) or a hole in the checks.
"""
from __future__ import annotations

import ast
import contextlib
import copy
import dataclasses
import io
import json
import re
import signal
import time
import warnings
from pathlib import Path

import nbformat

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
    detail: str = ""


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


def _run(code: str, namespace: dict, seconds: float) -> str | None:
    """None when ``code`` runs through in ``namespace``; else why it failed (one line)."""
    out = io.StringIO()
    try:
        with _time_limit(seconds), contextlib.redirect_stdout(out), contextlib.redirect_stderr(out), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "<test cell>", "exec"), namespace)  # noqa: S102 - the instructor's test cell
    except _TimeUp:
        return "timeout"
    except BaseException as exc:  # noqa: BLE001 - any failure of a check fails the cell
        if isinstance(exc, KeyboardInterrupt):
            raise
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
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
            return Verdict(mutant, "public", f"the cell itself fails: {failed}")
        public, hidden = self.tests[mutant.function]
        failed = _run(public, namespace, seconds)
        if failed:
            return Verdict(mutant, "timeout" if failed == "timeout" else "public", failed)
        failed = _run(hidden, namespace, seconds)
        if failed:
            return Verdict(mutant, "hidden", failed)
        return Verdict(mutant, "survived")


def run(root: Path, aid: str, functions: list[str] | None = None, seconds: float = 60.0,
        progress=None) -> dict:
    """Make and judge every mutant of ``aid`` (or of ``functions`` only); returns the report as plain data."""
    assignment = Assignment.load(root, aid)
    wanted = functions or list(assignment.cells)
    unknown = sorted(set(wanted) - set(assignment.cells))
    if unknown:
        raise KeyError(f"{aid} has no graded function {', '.join(unknown)}; it has {', '.join(assignment.cells)}")
    report = {"assignment": aid, "functions": {}}
    for name in wanted:
        start = time.monotonic()
        baseline = assignment.judge(Mutant(name, "none", 0, "", assignment.cells[name]), seconds)
        if baseline.outcome != "survived":  # then every mutant would look killed, and prove nothing
            raise RuntimeError(f"{aid}: the solution of {name} fails its own test cell ({baseline.outcome}: "
                               f"{baseline.detail}); fix the source notebook before measuring its checks.")
        verdicts = [assignment.judge(m, seconds) for m in make_mutants(name, assignment.cells[name])]
        counts = {key: sum(v.outcome == key for v in verdicts) for key in ("public", "timeout", "hidden", "survived")}
        report["functions"][name] = {
            "made": len(verdicts), "killed_by_public": counts["public"] + counts["timeout"],
            "killed_only_by_hidden": counts["hidden"], "survived": counts["survived"],
            "seconds": round(time.monotonic() - start, 1),
            "hidden_only": [dataclasses.asdict(v.mutant) | {"why": v.detail} for v in verdicts if v.outcome == "hidden"],
            "survivors": [dataclasses.asdict(v.mutant) for v in verdicts if v.outcome == "survived"]}
        if progress:
            progress(name, report["functions"][name])
    for entry in report["functions"].values():
        for listed in (*entry["hidden_only"], *entry["survivors"]):
            listed.pop("source")
    return report


def summary_rows(report: dict) -> list[tuple]:
    rows = [(name, f["made"], f["killed_by_public"], f["killed_only_by_hidden"], f["survived"])
            for name, f in report["functions"].items()]
    total = tuple(sum(r[i] for r in rows) for i in range(1, 5))
    return rows + [("total", *total)]


def format_report(report: dict) -> str:
    lines = [f"{report['assignment']}: mutants of the solution regions, judged by each function's test cell",
             f"{'function':<28}{'made':>6}{'public':>8}{'hidden':>8}{'survived':>10}"]
    lines += [f"{name:<28}{made:>6}{public:>8}{hidden:>8}{survived:>10}"
              for name, made, public, hidden, survived in summary_rows(report)]
    for name, entry in report["functions"].items():
        for title, key in (("killed only by the hidden tests", "hidden_only"), ("survived", "survivors")):
            if entry[key]:
                lines.append(f"\n{name}: {title}:")
                lines += [f"  line {m['line']:>3}  {m['operator']:<24} {m['change']}" for m in entry[key]]
    return "\n".join(lines)


def write_report(report: dict, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"mutants_{report['assignment']}.json"
    path.write_text(json.dumps(report, indent=1))
    return path

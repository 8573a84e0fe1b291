"""The grader's side of a test cell: the checks run here, the student's functions there, data in between.

A graded test cell is executed in the grader's process. Its names are bound to the public checks (imported here
from the week package) and to :class:`RemoteFunction` objects, which call the student's function of that name in
the sandboxed kernel (see :mod:`autograder.sandbox_runtime`) with the arguments sent as data. While a student's
function runs, every *other* graded function it calls is a stub that comes back to the grader, which answers with
the instructor's reference: one bug costs one function's points. The kernel's answer is only ever decoded as data.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import json
import sys
import time

import nbformat

from autograder import wire
from checks.assertions import CheckFailed
from autograder.sandbox import CellTimeout, KernelDied, LimitHit, SandboxKernel
from autograder.sandbox_runtime import REPLY_MIME


class _Stop(Exception):
    """The kernel could not answer (time limit, died): the test fails with this sentence. A check may catch it
    (it catches what the student's function raises); the cell run keeps the sentence all the same."""


def _rebuild_exception(raised: dict) -> BaseException:
    """The student's exception, as a local exception of the same name (a builtin type where it is one)."""
    kind = getattr(builtins, raised["type"], None) if raised.get("builtin") else None
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = type(raised["type"], (Exception,), {})
    try:
        exc = kind(raised["message"])
    except Exception:  # noqa: BLE001 - an exception type with another constructor
        exc = type(raised["type"], (Exception,), {})(raised["message"])
    exc._student_line = raised.get("student_line", "")
    return exc


class RemoteFunction:
    """Calls the notebook's function ``name`` in the sandboxed kernel. ``stand_ins`` are the reference functions
    the kernel may call back for while it runs (every graded function but this one)."""

    def __init__(self, kernel: SandboxKernel, name: str, stand_ins: dict, cell: "_CellRun"):
        self.kernel, self.__name__, self.stand_ins, self.cell = kernel, name, stand_ins, cell

    def __repr__(self):
        return f"<the notebook's {self.__name__}>"

    def __call__(self, *args, **kwargs):
        callbacks: dict = {}
        request = {"op": "call", "name": self.__name__, "args": wire.encode(list(args), callbacks),
                   "kwargs": wire.encode(kwargs, callbacks), "stand_ins": {}}
        for name, fn in self.stand_ins.items():
            key = f"s{len(callbacks)}"
            callbacks[key] = fn
            request["stand_ins"][name] = key
        reply = self.cell.request(request, callbacks)
        if "missing" in reply:
            raise NameError(f"name '{self.__name__}' is not defined: run the cell that defines it")
        if "raised" in reply:
            raise _rebuild_exception(reply["raised"])
        if "unsendable" in reply:
            raise CheckFailed(f"{self.__name__} returned {reply['unsendable']}.")
        value = wire.decode(reply["value"], _no_callback)
        for original, after in zip(args, wire.decode(reply.get("args", []), _no_callback)):
            wire.write_back(original, after)
        for key, after in wire.decode(reply.get("kwargs", {}), _no_callback).items():
            if key in kwargs:
                wire.write_back(kwargs[key], after)
        return value


def _no_callback(key, name):
    return None


class _CellRun:
    """One test cell being run: collects its outputs in order, and talks to the kernel for it."""

    def __init__(self, kernel: SandboxKernel, timeout: float, output_left: list):
        self.kernel, self.timeout, self.output_left = kernel, timeout, output_left
        self.deadline = time.monotonic() + timeout
        self.outputs: list = []
        self.stopped: str | None = None  # why the kernel could not answer; the cell fails with it

    def add(self, output):
        size = len(json.dumps(output))
        if size > self.output_left[0]:
            if self.output_left[0] >= 0:
                self.output_left[0] = -1
                self.outputs.append(_error("OutputLimit", "the notebook's output passed its size limit; the rest "
                                                          "was dropped"))
            return
        self.output_left[0] -= size
        if output["output_type"] == "stream" and self.outputs and self.outputs[-1].get("output_type") == "stream" \
                and self.outputs[-1]["name"] == output["name"]:
            self.outputs[-1]["text"] += output["text"]
        else:
            self.outputs.append(output)

    def request(self, request: dict, callbacks: dict) -> dict:
        replies = []

        def on_output(msg):
            kind = msg["msg_type"]
            if kind == "display_data" and REPLY_MIME in msg["content"]["data"]:
                replies.append(msg["content"]["data"][REPLY_MIME])
            elif kind == "stream":  # what the function prints, where a check may be capturing it
                (sys.stdout if msg["content"]["name"] == "stdout" else sys.stderr).write(msg["content"]["text"])
            elif kind in ("display_data", "execute_result", "error"):
                self.add(nbformat.v4.output_from_msg(msg))

        def on_input(prompt):
            try:
                ask = json.loads(prompt)
                fn = callbacks[ask["callback"]]
                args = wire.decode(ask["args"])
                kwargs = wire.decode(ask["kwargs"])
                value = fn(*args, **kwargs)
                return json.dumps({"value": wire.encode(value), "args": wire.encode(args),
                                   "kwargs": wire.encode(kwargs)})
            except Exception as exc:  # noqa: BLE001 - the kernel's request is answered, never raised here
                return json.dumps({"error": f"{type(exc).__name__}: {exc}"})

        if self.stopped:  # the kernel is stopped or still busy: nothing more of this cell can be asked
            raise _Stop(self.stopped)
        timeout = self.deadline - time.monotonic()
        code = (f"__import__('autograder.sandbox_runtime', fromlist=['serve']).serve("
                f"{json.dumps(json.dumps(request))})")
        try:
            if timeout <= 0:
                raise CellTimeout(f"ran past the per-cell time limit of {self.timeout:.0f} s")
            self.kernel.run(code, timeout, on_output, on_input, store_history=False)
        except CellTimeout as exc:
            self.stopped = f"{request['name']} {exc} (an endless loop?)"
            raise _Stop(self.stopped) from None
        except (KernelDied, LimitHit) as exc:
            self.stopped = f"{request['name']} could not be graded: {exc}"
            raise _Stop(self.stopped) from None
        if len(replies) != 1 or not isinstance(replies[0], dict):
            raise CheckFailed(f"{request['name']}: the notebook's kernel gave no usable answer (was the course's "
                              f"grading code changed from the notebook?).")
        return replies[0]


def test_names(source: str) -> set[str]:
    """The names a test cell reads."""
    tree = ast.parse(source)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def run_test_cell(kernel: SandboxKernel, source: str, reference, setup_imports: str, timeout: float,
                  output_left: list, stand_in_names=None):
    """Run one graded test cell here, with the student's functions in the kernel.

    The cell's names are the setup cell's imports (executed here: the instructor's code), the public checks, and,
    for every other name, the notebook's function of that name (a :class:`RemoteFunction`; the reference stands
    in for the graded functions named in ``stand_in_names``, by default every other one) or, for data, a copy of
    the notebook's value. ``output_left`` is the notebook's remaining output budget in bytes (a one-item list,
    shared with the ordinary cells).
    Returns (outputs, passed, problem).
    """
    cell = _CellRun(kernel, timeout, output_left)
    namespace: dict = {"__name__": "__test_cell__"}
    exec(compile(setup_imports, "<setup imports>", "exec"), namespace)  # noqa: S102 - the instructor's imports
    graded = reference.GRADED if reference is not None else {}
    checks = importlib.import_module(reference.CHECKS) if reference is not None else None
    for name in sorted(test_names(source)):
        if name in graded:
            stand_ins = {other: fn for other, fn in graded.items() if other != name
                         and (stand_in_names is None or other in stand_in_names)}
            namespace[name] = RemoteFunction(kernel, name, stand_ins, cell)
        elif checks is not None and name.startswith("check_") and hasattr(checks, name):
            namespace[name] = getattr(checks, name)
        elif name not in namespace and not hasattr(builtins, name):
            try:
                kind = cell.request({"op": "kind", "name": name}, {}).get("kind")
                if kind == "function":
                    namespace[name] = RemoteFunction(kernel, name, {}, cell)
                elif kind == "value":
                    reply = cell.request({"op": "value", "name": name}, {})
                    if "value" in reply:
                        namespace[name] = wire.decode(reply["value"], _no_callback)
            except (_Stop, CheckFailed):
                pass  # the name stays undefined: the cell fails with a NameError

    class Writer(io.TextIOBase):
        def __init__(self, stream):
            self.stream = stream

        def write(self, text):
            cell.add({"output_type": "stream", "name": self.stream, "text": text})
            return len(text)

    passed, problem = True, None
    with contextlib.redirect_stdout(Writer("stdout")), contextlib.redirect_stderr(Writer("stderr")):
        try:
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - the instructor's test code
        except _Stop as exc:
            passed, problem = False, str(exc)
            cell.add(_error("GradingStopped", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - any failure of a check fails the cell
            if isinstance(exc, KeyboardInterrupt):
                raise
            passed = False
            lines = exc._render_traceback_() if hasattr(exc, "_render_traceback_") else \
                [f"\u2718 {type(exc).__name__}: {exc}"]
            cell.add(_error(type(exc).__name__, str(exc), lines))
    if cell.stopped:  # even where a check caught the exception and went on
        passed, problem = False, cell.stopped
    return [nbformat.from_dict(o) for o in cell.outputs], passed, problem


def _error(ename: str, evalue: str, traceback: list[str] | None = None) -> dict:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=traceback or [f"\u2718 {evalue}"])

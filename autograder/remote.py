"""The grader's side of a test cell: the checks run here, the student's functions there, data in between.

A graded test cell is executed in the grader's process. Its names are bound to the public checks (imported here
from the week package) and to :class:`RemoteFunction` objects, which call the student's function of that name in
the sandboxed kernel (see :mod:`autograder.sandbox_runtime`) with the arguments sent as data. While a student's
function runs, the graded functions it may have stand in (the reference module's ``STAND_INS``: the ones its own
work calls, tested before it) are stubs that come back to the grader, which answers with the instructor's
reference, as often as that work needs and no more; every other graded function it calls is the notebook's own.
One bug costs one function's points, and no function gets its own answer from the reference's functions (a backward
function cannot difference the reference's forward). The kernel's answer is only ever decoded as data.

The grader's own work for a cell (decoding the kernel's answers, the stand-ins, the checks) keeps to the cell's time
limit and to a memory budget: a watchdog thread (:class:`_Watchdog`) stops it with a sentence naming the limit.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import ctypes
import importlib
import io
import json
import sys
import threading
import time

import nbformat

from autograder import wire
from checks.assertions import CheckFailed
from autograder.sandbox import CellTimeout, KernelDied, LimitHit, Limits, SandboxKernel
from autograder.sandbox_runtime import REPLY_MIME

#: How much the grader's process may grow while it works on one test cell (decoding the notebook's answers, the
#: stand-ins, the checks): ``Limits.grader_memory_mb`` unless the kernel's limits say otherwise. A grading process
#: grades one notebook at a time, so the growth is that cell's. The course's solutions grow it by 175 MB at most
#: (loading the GloVe map for the first time), most cells by less than 20 MB.
GRADER_MEMORY_MB = Limits.grader_memory_mb
WATCH_SECONDS = 0.05   # how often the watchdog looks at the grader's time and memory
REPEAT_SECONDS = 1.0   # a limit exception that something swallowed is raised again after this long
CHECKING = "an answer of the notebook's that takes too much to decode or check?"


class _Stop(Exception):
    """The kernel could not answer (time limit, died), a call-back was refused, or the grader's work passed a limit:
    the test fails with this sentence. A check may catch it (it catches what the student's function raises); the
    cell run keeps the sentence all the same."""


class GraderLimit(BaseException):
    """Raised in the grading thread by the cell's watchdog: the grader's work for the cell passed a limit. Not an
    Exception, so that a check catching what the student's function raises does not take it for the student's."""


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


def _most_calls(bound, args: tuple, kwargs: dict) -> int | None:
    """How many calls of a stand-in one call with these arguments may make: ``bound`` is a number, or a function
    of the graded function's arguments (see the reference modules' ``STAND_INS``). None where it cannot say (the
    arguments are not what the function takes): the stand-in is then not offered for this call."""
    if not callable(bound):
        return int(bound)
    try:
        return int(bound(*args, **kwargs))
    except Exception:  # noqa: BLE001 - no bound, no stand-in: the notebook's own function answers
        return None


class RemoteFunction:
    """Calls the notebook's function ``name`` in the sandboxed kernel. ``stand_ins`` are the reference functions
    the kernel may call back for while it runs: {name: (reference function, most calls per call)}, the most a
    number or a function of this function's arguments."""

    def __init__(self, kernel: SandboxKernel, name: str, stand_ins: dict, cell: "_CellRun"):
        self.kernel, self.__name__, self.stand_ins, self.cell = kernel, name, stand_ins, cell

    def __repr__(self):
        return f"<the notebook's {self.__name__}>"

    def __call__(self, *args, **kwargs):
        callbacks: dict = {}
        request = {"op": "call", "name": self.__name__, "args": wire.encode(list(args), callbacks),
                   "kwargs": wire.encode(kwargs, callbacks), "stand_ins": {}}
        allowed: dict = {}  # callback key -> [stand-in name, most calls, calls so far]
        for name, (fn, bound) in self.stand_ins.items():
            most = _most_calls(bound, args, kwargs)
            if most is None:
                continue
            key = f"s{len(callbacks)}"
            callbacks[key] = fn
            allowed[key] = [name, most, 0]
            request["stand_ins"][name] = key
        reply = self.cell.request(request, callbacks, allowed)
        if "missing" in reply:
            raise NameError(f"name '{self.__name__}' is not defined: run the cell that defines it")
        if "raised" in reply:
            raise _rebuild_exception(reply["raised"])
        if "unsendable" in reply:
            raise CheckFailed(f"{self.__name__} returned {reply['unsendable']}.")
        try:  # a refused answer is the student's function's fault, said as such (not a grader traceback)
            value = wire.decode(reply["value"], _no_callback)
            args_after = wire.decode(reply.get("args", []), _no_callback)
            kwargs_after = wire.decode(reply.get("kwargs", {}), _no_callback)
        except wire.WireError as exc:
            raise CheckFailed(f"{self.__name__} returned {exc}.") from None
        for original, after in zip(args, args_after):
            wire.write_back(original, after)
        for key, after in kwargs_after.items():
            if key in kwargs:
                wire.write_back(kwargs[key], after)
        return value


def _no_callback(key, name):
    return None


def _raise_in(thread_id: int, exception) -> None:
    """Raise ``exception`` (a class) in the thread ``thread_id`` at its next Python instruction; with None, take
    back one that was not raised yet."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception is not None else None)


def _resident() -> int:
    """The grader process's resident memory in bytes; 0 where psutil (the grading toolkit's) is missing, which
    leaves the memory budget unkept."""
    try:
        import psutil
    except ImportError:
        return 0
    return psutil.Process().memory_info().rss


def _uninterrupted(action) -> None:
    """Run ``action`` (the watchdog's own bookkeeping, which may run twice) to its end, again where a GraderLimit
    interrupts it; one that arrives once it has ended goes on."""
    ended = False
    while not ended:
        try:
            action()
            ended = True
        except GraderLimit:
            if ended:
                raise


class _Watchdog:
    """Keeps the grader's work on one test cell to the cell's time limit and to a memory budget.

    The cell is run in the thread that enters the watchdog (the main thread, or a Dask worker's thread, where no
    signal can reach it). A thread of the watchdog's own looks every :data:`WATCH_SECONDS`: once the cell's deadline
    has passed, or the grader's process has grown past ``memory_mb`` since the cell began, it records the sentence
    that fails the cell and raises :class:`GraderLimit` in the grading thread, at its next Python instruction (a
    single call into C, one numpy operation, ends first). It does so only while that thread does the grader's own
    work (``doing`` names it): while it waits on the kernel, :meth:`SandboxKernel.run` keeps the time limit itself
    and interrupts the kernel, so the kernel always ends its request cleanly. An exception raised just as the
    thread turns to wait on the kernel, or leaves the cell, is taken back (the sentence stays)."""

    def __init__(self, cell: "_CellRun", memory_mb: int):
        self.cell, self.memory_mb = cell, memory_mb
        self.thread_id = threading.get_ident()
        self.lock = threading.Lock()
        self.doing: str | None = None   # what the grading thread does for the cell; None: it waits on the kernel
        self.armed = False
        self.raised_at = None           # when a GraderLimit was last raised (perhaps not delivered yet)
        self.done = threading.Event()
        self.start_rss = _resident()

    def __enter__(self):
        self.armed, self.doing = True, CHECKING
        self.thread = threading.Thread(target=self._watch, name="grader-watchdog", daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        _uninterrupted(self._disarm)
        self.done.set()
        self.thread.join(1)
        return False

    def _disarm(self):
        with self.lock:
            self.armed = False
            self._take_back()

    def _take_back(self):
        if self.raised_at is not None:
            _raise_in(self.thread_id, None)
            self.raised_at = None

    def over(self) -> str | None:
        """The limit the grader's work for the cell has passed ("time" or "memory"), or None."""
        if time.monotonic() > self.cell.deadline:
            return "time"
        if _resident() - self.start_rss > self.memory_mb * 2 ** 20:
            return "memory"
        return None

    def _watch(self):
        while not self.done.wait(WATCH_SECONDS):
            if self.doing is None:
                continue
            limit = self.over()
            if limit is None:
                continue
            with self.lock:
                if not self.armed or self.doing is None or \
                        (self.raised_at is not None and time.monotonic() - self.raised_at < REPEAT_SECONDS):
                    continue
                self.cell.stop(self.cell.limit_sentence(limit, self.doing))
                self.raised_at = time.monotonic()
                _raise_in(self.thread_id, GraderLimit)

    @contextlib.contextmanager
    def working_on(self, doing: str | None):
        """The grading thread does the grader's work ``doing`` (None: it waits on the kernel) in this block."""
        previous = self._switch(doing)
        try:
            yield
        finally:
            _uninterrupted(lambda: self._switch(previous))

    def _switch(self, doing: str | None) -> str | None:
        with self.lock:
            previous, self.doing = self.doing, doing
            if doing is None:
                self._take_back()
        return previous


class _CellRun:
    """One test cell being run: collects its outputs in order, talks to the kernel for it, and keeps the grader's
    work for it to the cell's limits."""

    def __init__(self, kernel: SandboxKernel, timeout: float, output_left: list, memory_mb: int = GRADER_MEMORY_MB):
        self.kernel, self.timeout, self.output_left, self.memory_mb = kernel, timeout, output_left, memory_mb
        self.deadline = time.monotonic() + timeout
        self.outputs: list = []
        self.stopped: str | None = None  # why the cell fails whatever its checks say; nothing more can be asked
        self.watchdog = _Watchdog(self, memory_mb)

    def stop(self, why: str):
        """Fail the cell with ``why`` (the first reason stays)."""
        if self.stopped is None:
            self.stopped = why

    def limit_sentence(self, limit: str, doing: str) -> str:
        what = f"the per-cell time limit of {self.timeout:.0f} s" if limit == "time" else \
            f"the grader's memory budget of {self.memory_mb} MB"
        return f"the grader's work for this cell passed {what} ({doing})"

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

    def call_back(self, prompt: str, callbacks: dict, allowed: dict, caller: str) -> str:
        """The answer to one call-back of the kernel (a stand-in, or a function the grader passed): the function
        run here on the data sent, or a refusal, whose sentence also fails the cell."""
        if self.stopped is not None:
            return json.dumps({"error": self.stopped})
        if time.monotonic() > self.deadline:  # the kernel is stopped by SandboxKernel.run, with its sentence
            return json.dumps({"error": f"the cell passed its time limit of {self.timeout:.0f} s"})
        try:
            if len(prompt) > wire.MAX_BYTES:
                raise wire.WireError(f"a call-back of {len(prompt):,} bytes (the limit is {wire.MAX_BYTES:,})")
            ask = json.loads(prompt)
            key = ask["callback"]
            fn = callbacks[key]
            if key in allowed:
                name, most, calls = allowed[key]
                allowed[key][2] = calls = calls + 1
                if calls > most:
                    self.stop(f"{caller} called the reference's {name} (standing in for the notebook's) more than "
                              f"{most} time{'s' if most != 1 else ''} in one call, more than its own work needs: a "
                              f"graded function may not get its answer from the reference's functions, so the "
                              f"grader refused")
                    return json.dumps({"error": self.stopped})
                self.watchdog.doing = f"a stand-in asked for too much work? {caller} called the reference's {name}"
            else:
                self.watchdog.doing = f"a call-back asked for too much work? {caller} called " \
                                      f"{getattr(fn, '__name__', 'a function')}"
            args = wire.decode(ask["args"])
            kwargs = wire.decode(ask["kwargs"])
            value = fn(*args, **kwargs)
            return json.dumps({"value": wire.encode(value), "args": wire.encode(args), "kwargs": wire.encode(kwargs)})
        except Exception as exc:  # noqa: BLE001 - the kernel's request is answered, never raised here
            return json.dumps({"error": f"{type(exc).__name__}: {exc}"})

    def request(self, request: dict, callbacks: dict, allowed: dict | None = None) -> dict:
        replies = []

        def on_output(msg):
            kind = msg["msg_type"]
            if kind == "display_data" and REPLY_MIME in msg["content"]["data"]:
                if len(replies) < 2:  # one is the answer; a second makes it no usable answer
                    replies.append(msg["content"]["data"][REPLY_MIME])
            elif kind == "stream":  # what the function prints, where a check may be capturing it
                (sys.stdout if msg["content"]["name"] == "stdout" else sys.stderr).write(msg["content"]["text"])
            elif kind in ("display_data", "execute_result", "error"):
                self.add(nbformat.v4.output_from_msg(msg))

        def on_input(prompt):
            try:
                with self.watchdog.working_on("a call-back asked for too much work?"):
                    return self.call_back(prompt, callbacks, allowed or {}, request["name"])
            except GraderLimit:  # the stand-in passed a limit: refused; the kernel ends the request itself
                return json.dumps({"error": self.stopped})

        if self.stopped:  # the kernel is stopped or still busy, or a limit passed: nothing more can be asked
            raise _Stop(self.stopped)
        timeout = self.deadline - time.monotonic()
        if timeout <= 0:
            self.stop(self.limit_sentence("time", CHECKING))
            raise _Stop(self.stopped)
        code = (f"__import__('autograder.sandbox_runtime', fromlist=['serve']).serve("
                f"{json.dumps(json.dumps(request))})")
        try:
            with self.watchdog.working_on(None):
                self.kernel.run(code, timeout, on_output, on_input, store_history=False)
        except CellTimeout as exc:
            self.stop(f"{request['name']} {exc} (an endless loop?)")
            raise _Stop(self.stopped) from None
        except (KernelDied, LimitHit) as exc:
            self.stop(f"{request['name']} could not be graded: {exc}")
            raise _Stop(self.stopped) from None
        if self.stopped:  # a call-back was refused, or passed a limit
            raise _Stop(self.stopped)
        if len(replies) != 1 or not isinstance(replies[0], dict):
            raise CheckFailed(f"{request['name']}: the notebook's kernel gave no usable answer (was the course's "
                              f"grading code changed from the notebook?).")
        return replies[0]


def test_names(source: str) -> set[str]:
    """The names a test cell reads."""
    tree = ast.parse(source)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _bind(cell: _CellRun, namespace: dict, source: str, reference, stand_in_names) -> None:
    """Bind the test cell's names: checks, the notebook's functions (with their stand-ins) and its values."""
    graded = reference.GRADED if reference is not None else {}
    rules = getattr(reference, "STAND_INS", {}) if reference is not None else {}
    checks = importlib.import_module(reference.CHECKS) if reference is not None else None
    for name in sorted(test_names(source)):
        if name in graded:
            stand_ins = {other: (graded[other], most) for other, most in rules.get(name, {}).items()
                         if other in graded and other != name
                         and (stand_in_names is None or other in stand_in_names)}
            namespace[name] = RemoteFunction(cell.kernel, name, stand_ins, cell)
        elif checks is not None and name.startswith("check_") and hasattr(checks, name):
            namespace[name] = getattr(checks, name)
        elif name not in namespace and not hasattr(builtins, name):
            try:
                kind = cell.request({"op": "kind", "name": name}, {}).get("kind")
                if kind == "function":
                    namespace[name] = RemoteFunction(cell.kernel, name, {}, cell)
                elif kind == "value":
                    reply = cell.request({"op": "value", "name": name}, {})
                    if "value" in reply:
                        namespace[name] = wire.decode(reply["value"], _no_callback)
            except (_Stop, CheckFailed):
                pass  # the name stays undefined: the cell fails with a NameError


def run_test_cell(kernel: SandboxKernel, source: str, reference, setup_imports: str, timeout: float,
                  output_left: list, stand_in_names=None):
    """Run one graded test cell here, with the student's functions in the kernel.

    The cell's names are the setup cell's imports (executed here: the instructor's code), the public checks, and,
    for every other name, the notebook's function of that name (a :class:`RemoteFunction`; the reference stands
    in for the graded functions its ``STAND_INS`` lets it call, of those named in ``stand_in_names``, by default
    every other one) or, for data, a copy of the notebook's value. ``output_left`` is the notebook's remaining
    output budget in bytes (a one-item list, shared with the ordinary cells). The cell's clock starts after the
    setup's imports; the grader's work keeps to ``timeout`` and to the notebook's ``grader_memory_mb`` (by default
    :data:`GRADER_MEMORY_MB`).
    Returns (outputs, passed, problem).
    """
    namespace: dict = {"__name__": "__test_cell__"}
    exec(compile(setup_imports, "<setup imports>", "exec"), namespace)  # noqa: S102 - the instructor's imports
    cell = _CellRun(kernel, timeout, output_left,
                    getattr(getattr(kernel, "limits", None), "grader_memory_mb", GRADER_MEMORY_MB))

    class Writer(io.TextIOBase):
        def __init__(self, stream):
            self.stream = stream

        def write(self, text):
            cell.add({"output_type": "stream", "name": self.stream, "text": text})
            return len(text)

    passed, problem, mistake = True, None, None
    with contextlib.redirect_stdout(Writer("stdout")), contextlib.redirect_stderr(Writer("stderr")):
        try:
            with cell.watchdog:
                _bind(cell, namespace, source, reference, stand_in_names)
                exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - the instructor's test code
        except GraderLimit:
            passed, problem, mistake = False, cell.stopped, "grading:limit"
            cell.add(_error("GraderLimit", str(cell.stopped)))
        except _Stop as exc:
            passed, problem, mistake = False, str(exc), "grading:stopped"
            cell.add(_error("GradingStopped", str(exc)))
        except BaseException as exc:  # noqa: BLE001 - any failure of a check fails the cell
            if isinstance(exc, KeyboardInterrupt):
                raise
            passed, mistake = False, mistake_id(exc)
            lines = exc._render_traceback_() if hasattr(exc, "_render_traceback_") else \
                [f"\u2718 {type(exc).__name__}: {exc}"]
            cell.add(_error(type(exc).__name__, str(exc), lines))
    if cell.stopped:  # even where a check caught the exception and went on
        passed, problem = False, cell.stopped
        mistake = mistake if mistake and mistake.startswith("grading:") else "grading:stopped"
    if not passed:  # outside the output budget: a few bytes, never shown
        cell.outputs.append(mistake_output(mistake or "unknown"))
    return [nbformat.from_dict(o) for o in cell.outputs], passed, problem


#: Where a failed test cell's mistake id is kept: the metadata of an output of its own, under the course's key (an
#: error output may hold nothing but its name, value and traceback). The output shows nothing (an empty text).
MISTAKE_KEY = "sequence_models"


def mistake_output(mistake: str) -> dict:
    """The output that records a failed test cell's mistake id (see :func:`mistake_id`)."""
    return nbformat.v4.new_output("display_data", data={"text/plain": ""}, metadata={MISTAKE_KEY: {"mistake": mistake}})


def recorded_mistake(outputs) -> str | None:
    """The mistake id a graded test cell's outputs record (None: the cell passed, or was graded before ids were)."""
    for output in outputs or ():
        meta = output.get("metadata") if isinstance(output, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get(MISTAKE_KEY), dict) and meta[MISTAKE_KEY].get("mistake"):
            return str(meta[MISTAKE_KEY]["mistake"])
    return None


def mistake_id(exc: BaseException) -> str:
    """The stable id of what failed a test cell (the report counts these, never the sentences):

    - a check's :class:`CheckFailed`: its ``mistake`` (``<check module>.<check function>:<what>``, see
      :mod:`checks.assertions`), where a failure raised by the test cell's own (hidden) code is ``hidden:<what>``;
    - a plain ``assert`` of the hidden tests: ``hidden:assert:<the message's static part>``, or
      ``hidden:assert:line-<N>`` (its line in the test cell) for an assert without a message;
    - an unfinished function: ``unfinished``; a name the notebook does not define: ``undefined:<name>``;
    - any other exception: ``error:<its type>``.
    The grader's own stops are ``grading:limit`` and ``grading:stopped``. The report prefixes each with the cell's
    grade id."""
    from checks.assertions import mistake_slug, static_part

    if isinstance(exc, CheckFailed) and getattr(exc, "mistake", ""):
        return exc.mistake
    if isinstance(exc, NotImplementedError):
        return "unfinished"
    if isinstance(exc, NameError):
        name = getattr(exc, "name", None) or (str(exc).split("'")[1] if str(exc).count("'") >= 2 else "")
        return f"undefined:{mistake_slug(name)}"
    if isinstance(exc, AssertionError):
        line = None
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<test cell>":
                line = tb.tb_lineno
            tb = tb.tb_next
        if str(exc).strip():
            return f"hidden:assert:{mistake_slug(static_part(str(exc)))}"
        return f"hidden:assert:line-{line}" if line else "hidden:assert"
    return f"error:{mistake_slug(type(exc).__name__)}"


def _error(ename: str, evalue: str, traceback: list[str] | None = None) -> dict:
    return nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                  traceback=traceback or [f"\u2718 {evalue}"])

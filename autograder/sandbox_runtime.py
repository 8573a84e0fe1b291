"""The kernel's side of grading: call one of the student's functions for the grader, with data only.

The grader runs ``serve(request)`` in the student's sandboxed kernel. The request (JSON, see :mod:`autograder.wire`)
names a global of the notebook and gives arguments; the answer is published as one display message of the type
``application/x-sequence-models-reply+json`` and holds the return value, the arguments as they are after the call
(a function may change them in place), or the exception the function raised. While the function runs, the names in
``stand_ins`` and every function-reference argument are stubs that ask the grader over the kernel's input channel,
so the instructor's reference never enters this process. The grader may refuse a call (past the cell's limits, or
past the calls the function's own work needs, see :mod:`autograder.remote`): the stub then raises its sentence as a
RuntimeError. Nothing here is trusted by the grader: it only reads the data it receives.
"""
from __future__ import annotations

import json

from autograder import wire
from checks.assertions import _student_line  # the same sentence a check in the student's lab gives

REPLY_MIME = "application/x-sequence-models-reply+json"


def _stub(key: str, name: str):
    """A function that asks the grader to run its function ``key`` (the reference, or a function the grader
    passed), and changes its arguments as that function changed the grader's copies."""
    def call_grader(*args, **kwargs):
        from IPython import get_ipython

        message = {"callback": key, "args": wire.encode(list(args)), "kwargs": wire.encode(kwargs)}
        reply = json.loads(get_ipython().kernel.raw_input(json.dumps(message)))
        if "error" in reply:
            raise RuntimeError(f"{name}: {reply['error']}")
        for original, after in zip(args, wire.decode(reply.get("args", []), _stub)):
            wire.write_back(original, after)
        for k, after in wire.decode(reply.get("kwargs", {}), _stub).items():
            if k in kwargs:
                wire.write_back(kwargs[k], after)
        return wire.decode(reply["value"], _stub)
    call_grader.__name__ = name
    return call_grader


def _publish(reply: dict):
    from IPython.display import publish_display_data

    publish_display_data({REPLY_MIME: reply})


def serve(request_text: str):
    """Answer one request of the grader: ``{"op": "kind" | "value" | "call", "name": ..., ...}``."""
    from IPython import get_ipython

    namespace = get_ipython().user_ns
    request = json.loads(request_text)
    name = request["name"]
    if request["op"] == "kind":
        value = namespace.get(name, None)
        kind = "missing" if name not in namespace else "function" if callable(value) else "value"
        _publish({"kind": kind})
        return
    if name not in namespace:
        _publish({"missing": name})
        return
    if request["op"] == "value":
        try:
            _publish({"value": wire.encode(namespace[name])})
        except Exception as exc:  # noqa: BLE001 - an unsendable value is reported, not raised
            _publish({"unsendable": str(exc)})
        return
    saved = {s: namespace[s] for s in request.get("stand_ins", {}) if s in namespace}
    absent = [s for s in request.get("stand_ins", {}) if s not in namespace]
    try:
        for stand_in, key in request.get("stand_ins", {}).items():
            namespace[stand_in] = _stub(key, stand_in)
        args = wire.decode(request["args"], _stub)
        kwargs = wire.decode(request["kwargs"], _stub)
        try:
            result = namespace[name](*args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 - the student's exception goes back as data
            if isinstance(exc, KeyboardInterrupt):
                raise
            _publish({"raised": {"type": type(exc).__name__, "builtin": type(exc).__module__ == "builtins",
                                 "message": str(exc)[:2000], "student_line": _student_line(exc)}})
            return
        try:
            _publish({"value": wire.encode(result), "args": wire.encode(args, {}), "kwargs": wire.encode(kwargs, {})})
        except Exception as exc:  # noqa: BLE001
            _publish({"unsendable": str(exc)})
    finally:
        namespace.update(saved)
        for stand_in in absent:
            namespace.pop(stand_in, None)

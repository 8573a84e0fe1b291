"""Import TensorFlow without its start-up lines on stderr; import this module before keras.

TensorFlow's C++ libraries write a few lines to the process's stderr (file descriptor 2) while they load: the
oneDNN notice (``port.cc``), the CPU instructions notice (``cpu_feature_guard.cc``), absl's "All log messages
before absl::InitializeLog()" and, on a machine with a GPU, the CUDA plugins' registration lines. They are
written below Python, so ``TF_CPP_MIN_LOG_LEVEL`` does not stop all of them (the oneDNN line ignores it), and
Jupyter shows them as red text in the notebook's first cell.

Importing this module imports TensorFlow once with file descriptor 2 pointed at a temporary file, then puts it back
and writes again to stderr every line that is not one of those start-up lines: nothing else is hidden (and an
exception raised by the import propagates as usual). Nothing about the computation changes: oneDNN stays on, as
without this module. If TensorFlow is already imported, or not installed, importing this module does nothing.
``TF_CPP_MIN_LOG_LEVEL`` is set to 2 (unless it is set already) for the messages TensorFlow writes later.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# An absl/TensorFlow log line: severity (I, W, E), date, time, thread, file:line] message.
_LOG_LINE = re.compile(r"^(?P<level>[IWEF])\d{4} \d+:\d+:\d+\.\d+\s+\d+ (?P<where>[\w./-]+:\d+)\] (?P<text>.*)$")
_STARTUP_TEXT = re.compile(
    r"oneDNN custom operations are on"
    r"|This TensorFlow binary is optimized to use available CPU instructions"
    r"|Unable to register cu\w+ factory"             # the CUDA plugins, registered twice (GPU machines)
    r"|computation_placer|Unable to register"
    r"|could not open file to read NUMA node|successful NUMA node read"
    r"|TF-TRT Warning|Could not find TensorRT|Could not find cuda drivers")
_STARTUP_LINES = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "To enable the following instructions:",        # the second line of the CPU instructions notice
)


def is_startup_line(line: str) -> bool:
    """Is this stderr line one of TensorFlow's start-up messages (and nothing else)?"""
    line = line.rstrip("\r\n")
    if any(line.startswith(start) for start in _STARTUP_LINES):
        return True
    match = _LOG_LINE.match(line)
    if not match:
        return False
    if match["level"] in "IW" and match["where"].split(":")[0] in ("port.cc", "cpu_feature_guard.cc"):
        return True
    return match["level"] != "F" and bool(_STARTUP_TEXT.search(match["text"]))


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with its start-up lines held back (see the module's docstring); other lines still show."""
    if "tensorflow" in sys.modules:
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a stream that cannot flush: nothing waits in it
            pass
    try:
        captured = tempfile.TemporaryFile(mode="w+b")
    except OSError:  # nowhere to write a temporary file: import as usual (the lines show, nothing else changes)
        captured = None
    if captured is None:
        try:
            import tensorflow  # noqa: F401
        except ImportError:
            pass
        return
    try:
        saved = os.dup(2)
    except OSError:  # no file descriptor 2 to redirect: import as usual
        saved = None
    try:
        if saved is not None:
            os.dup2(captured.fileno(), 2)
        try:
            import tensorflow  # noqa: F401, F811
        except ImportError:
            pass   # no TensorFlow (a numpy-only install): nothing to quieten; importing keras will say so
    finally:
        if saved is not None:
            try:
                sys.stderr.flush()   # what Python wrote to fd 2 meanwhile goes to the file, to be filtered
            except Exception:  # noqa: BLE001
                pass
            os.dup2(saved, 2)
            os.close(saved)
        captured.seek(0)
        text = captured.read().decode("utf-8", errors="replace")
        captured.close()
        kept = "".join(line for line in text.splitlines(keepends=True) if not is_startup_line(line))
        if kept:
            sys.stderr.write(kept)
            sys.stderr.flush()


import_tensorflow_quietly()

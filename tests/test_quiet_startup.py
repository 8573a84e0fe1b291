"""No TensorFlow start-up lines on stderr: the first cell of every Keras notebook runs without red text.

TensorFlow's C++ libraries write their start-up notices (oneDNN, CPU instructions, absl, CUDA plugins) straight to
file descriptor 2, which Jupyter shows under the cell; ``TF_CPP_MIN_LOG_LEVEL`` does not stop the oneDNN one.
``checks.quiet_tensorflow``, imported before keras, imports TensorFlow with those lines held back and every other
line passed on (see its docstring). Here the first code cell of each Keras source notebook runs in a fresh kernel
(one TensorFlow import each) and must write nothing on stderr.
"""
from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from checks.quiet_tensorflow import is_startup_line
from course import ASSIGNMENTS, ROOT



def _first_code_cell(path):
    nb = nbformat.read(path, as_version=4)
    return next(c for c in nb.cells if c.cell_type == "code")


KERAS_NOTEBOOKS = [path for aid in ASSIGNMENTS for path in sorted((ROOT / "source" / aid).glob("*.ipynb"))
                   if "import keras" in _first_code_cell(path).source]


def test_the_keras_notebooks_are_found():
    assert {p.parent.name for p in KERAS_NOTEBOOKS} >= {"w1a3_jazz_improvisation", "w2a2_emojify",
                                                        "w3a1_machine_translation", "w3a2_trigger_word", "w3a3_ctc"}


@pytest.mark.parametrize("path", [pytest.param(p, id=p.parent.name) for p in KERAS_NOTEBOOKS])
def test_the_first_cell_writes_nothing_on_stderr(path):
    cell = _first_code_cell(path)
    source = cell.source
    assert source.index("import checks.quiet_tensorflow") < source.index("import keras")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)],
                                  metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                           "language": "python"}})
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    assert "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr") == ""


@pytest.mark.parametrize("line", [
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR",
    "I0000 00:00:1796602906.259117   13814 port.cc:153] oneDNN custom operations are on. You may see slightly "
    "different numerical results due to floating-point round-off errors from different computation orders.",
    "I0000 00:00:1796602906.298085   13814 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use "
    "available CPU instructions in performance-critical operations.",
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild TensorFlow with the "
    "appropriate compiler flags.",
    "E0000 00:00:1712345678.123456   1234 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register "
    "factory for plugin cuDNN when one has already been registered",
])
def test_the_start_up_lines_are_recognised(line):
    assert is_startup_line(line + "\n")


@pytest.mark.parametrize("line", [
    "Traceback (most recent call last):",
    "ValueError: boom",
    "E0000 00:00:1712345678.123456   1234 some_kernel.cc:12] Failed to allocate 4.0 GiB",
    "F0000 00:00:1712345678.123456   1234 port.cc:153] Check failed: something",
    "/path/module.py:3: UserWarning: something to look at",
])
def test_other_lines_are_not_held_back(line):
    assert not is_startup_line(line)


def test_errors_and_other_lines_still_reach_stderr():
    """In a fresh process: the module holds back TensorFlow's start-up lines only, and errors show as usual."""
    code = ("import os, sys\n"
            "import checks.quiet_tensorflow\n"
            "import keras\n"
            "print('a line of my own', file=sys.stderr)\n"
            "raise ValueError('boom')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "a line of my own" and lines[1].startswith("Traceback") and lines[-1] == "ValueError: boom"
    assert not any(is_startup_line(line) for line in lines)

"""Shared helpers for the course-level tests: notebooks, execution in a fresh kernel, scratch courses."""
from __future__ import annotations

import ast
import contextlib
import importlib.util
import os
import shutil
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.grading import assignment_ids
from checks.paths import data_path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS = assignment_ids(ROOT)


def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def execute(path: Path, allow_errors: bool = False, timeout: int = 600):
    """Run a notebook top to bottom in a fresh python3 kernel, from its own folder; returns it executed."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return nb


def execute_copy(notebook: Path, folder: Path):
    """Run a copy of ``notebook`` in ``folder`` (what it writes next to itself stays there); returns it executed."""
    path = folder / notebook.name
    path.write_text(notebook.read_text())
    return execute(path)


def scratch_course(tmp: Path, aid: str) -> Path:
    """A course directory in ``tmp`` holding only ``aid``'s source, with its own gradebook."""
    shutil.copy2(ROOT / "nbgrader_config.py", tmp)
    shutil.copytree(ROOT / "source" / aid, tmp / "source" / aid)
    return tmp


def data_script(folder: str, name: str = "prepare.py"):
    """Import a data folder's build/validation script (``data/<folder>/prepare.py``) as a module."""
    spec = importlib.util.spec_from_file_location(f"{folder}_{name[:-3]}", data_path(folder, name))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def imported_packages(path: Path) -> set[str]:
    """The top-level names of every absolute import in the Python file at ``path`` (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sandbox_processes(folder: Path) -> list[str]:
    """The processes of the sandboxes whose scratch folders were made under ``folder`` (the grading ran with
    SEQUENCE_MODELS_SCRATCH set to it): their working folder or their HOME lies there. Another grading's sandboxes on
    this machine are not counted."""
    folder_text = str(Path(folder).resolve()) + "/"
    found = []
    for pid in (name for name in os.listdir("/proc") if name.isdigit()):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd") + "/"
            env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone, or not ours to read
            continue
        home = next((e[5:].decode(errors="replace") for e in env if e.startswith(b"HOME=")), "") + "/"
        if cwd.startswith(folder_text) or home.startswith(folder_text):
            found.append(f"{pid} {args.strip()}")
    return found


@contextlib.contextmanager
def own_sandboxes(folder: Path):
    """Gradings started in this block (in this process or its children) make their sandboxes under ``folder``."""
    from autograder.sandbox import SCRATCH_ENV
    old = os.environ.get(SCRATCH_ENV)
    os.environ[SCRATCH_ENV] = str(folder)
    try:
        yield folder
    finally:
        if old is None:
            os.environ.pop(SCRATCH_ENV, None)
        else:
            os.environ[SCRATCH_ENV] = old

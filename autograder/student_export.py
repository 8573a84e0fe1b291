"""The student distribution: what students get, and nothing that computes an answer.

``python -m autograder student-export DIR`` writes into DIR:

- ``release/``: the student notebooks, as nbgrader generated them from ``source/``;
- ``week1/ week2/ week3/``: the helper packages with their public checks and the checks' stored fixtures;
- the part of ``autograder/`` that the checks use (``checks.py``, ``keras_checks.py``, ``fixtures.py``,
  ``paths.py``) — never the reference (``autograder/reference/``) nor the grading pipeline;
- ``data/`` (the datasets, without instructor scripts that import the reference);
- ``environment.yml``, a ``postBuild`` that also hides nbgrader's instructor tools from JupyterLab, a
  ``pyproject.toml`` and ``Makefile`` for a local ``make lab``, and a README with the Binder badge.

Publish DIR as its own repository (see the instructor guide in README.md): that is what the Binder badge opens.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

#: The autograder modules a student's checks import; everything else in autograder/ stays with the instructor.
STUDENT_AUTOGRADER = ("__init__.py", "checks.py", "keras_checks.py", "fixtures.py", "paths.py")
WEEKS = ("week1", "week2", "week3")
#: nbgrader's JupyterLab plugins and server extensions for instructors (create, formgrade, courses); students keep
#: "Validate".
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                          "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:assignment-list",
                          "@jupyter/nbgrader:menu")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list",
                                "nbgrader.server_extensions.assignment_list")
_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")

POSTBUILD = """#!/usr/bin/env bash
# Binder (and `make lab`): make the course's helper packages importable, and hide nbgrader's instructor tools
# (formgrader, create assignment, courses); the Validate button stays.
set -euo pipefail
python -m pip install --no-deps -e .
jupyter labextension disable --level=sys_prefix {plugins}
jupyter labextension lock --level=sys_prefix {plugins}
python - <<'PY'
import json, pathlib, sys
folder = pathlib.Path(sys.prefix, "etc", "jupyter", "jupyter_server_config.d")
folder.mkdir(parents=True, exist_ok=True)
# Read after nbgrader.json (files load in name order), so these switches win.
(folder / "zz_student.json").write_text(json.dumps({{"ServerApp": {{"jpserver_extensions": {extensions}}}}}))
PY
"""

MAKEFILE = """# `make lab` sets everything up (first time: a few minutes) and opens the course in JupyterLab.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
BIN    := .venv/bin

lab: .venv/.installed
\tPATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \\
\t\t--ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/release

.venv/.installed: pyproject.toml
\t@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required"'
\t$(PYTHON) -m venv .venv
\t$(BIN)/python -m pip install --quiet --upgrade pip
\t$(BIN)/python -m pip install --quiet -e .
\tPATH="$(CURDIR)/$(BIN):$$PATH" bash postBuild
\ttouch $@
"""

README = """# Sequence Models: student notebooks

Recurrent networks, word embeddings and attention, as Jupyter notebook assignments in Python. Every assignment is
one notebook: short explanations with the equations, functions to write where it says `YOUR CODE HERE`, and a
check right after every graded function that tells you what is wrong and why. Nothing is downloaded while you
work.

[![Binder](https://mybinder.org/badge_logo.svg)]({binder})
— opens JupyterLab on the notebooks in your browser, nothing to install.

## On your own computer

You need Linux or macOS with **Python 3.11** and **make**. In this folder run `make lab`: the first time it
installs everything into `.venv/` (a few minutes), then it opens JupyterLab on the notebooks.

## The assignments

{table}

Run the cells from the top. After you write a function, run its cell and then the check below it: a check prints
one line starting with ✔ when your function is right, and one sentence saying what to fix when it is not. Your
instructor's autograder runs the same checks and a few more on other inputs. Hand in the notebook file
(`File > Download`) the way your instructor asks.
"""


def _binder_link(readme: str) -> str:
    match = re.search(r"\((https://mybinder\.org/v2/[^)]+)\)", readme)
    return match.group(1) if match else "https://mybinder.org"


def _course_table(readme: str) -> str:
    """The course map of the instructor's README, keeping only rows whose notebook exists."""
    rows = [line for line in readme.splitlines() if line.startswith("|")]
    start = next(i for i, line in enumerate(rows) if line.startswith("| week"))
    table = rows[start:start + 2] + [row for row in rows[start + 2:] if "](release/" in row]
    return "\n".join(table)


_DROPPED_TABLES = ("[project.scripts]", "[project.optional-dependencies]", "[tool.pytest.ini_options]")


def _student_pyproject(text: str) -> str:
    """The course's pyproject without the instructor's console script, test extra and pytest settings."""
    kept, keep = [], True
    for line in text.splitlines():
        if re.match(r"^\[[\w.\-]+\]\s*$", line):  # a table header starts a new section
            keep = line.strip() not in _DROPPED_TABLES
        if keep:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n"


def _imports_reference(path: Path) -> bool:
    return path.suffix == ".py" and "autograder.reference" in path.read_text(encoding="utf-8")


def export(root: Path, dest: Path) -> list[Path]:
    """Write the student distribution of the course at ``root`` into ``dest`` (created; must be new or empty)."""
    root, dest = Path(root), Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty; give a new folder for the student distribution.")
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "release", dest / "release", ignore=_SKIP)
    for week in WEEKS:
        shutil.copytree(root / week, dest / week, ignore=_SKIP)
    (dest / "autograder").mkdir()
    for name in STUDENT_AUTOGRADER:
        shutil.copy2(root / "autograder" / name, dest / "autograder" / name)
    shutil.copytree(root / "data", dest / "data", ignore=_SKIP)
    for path in list((dest / "data").rglob("*.py")):
        if _imports_reference(path):
            path.unlink()
    shutil.copy2(root / "environment.yml", dest / "environment.yml")
    off = {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}
    (dest / "postBuild").write_text(POSTBUILD.format(plugins=" ".join(INSTRUCTOR_LAB_PLUGINS), extensions=repr(off)))
    (dest / "postBuild").chmod(0o755)
    (dest / "pyproject.toml").write_text(_student_pyproject((root / "pyproject.toml").read_text()))
    (dest / "Makefile").write_text(MAKEFILE)
    readme = (root / "README.md").read_text()
    (dest / "README.md").write_text(README.format(binder=_binder_link(readme), table=_course_table(readme)))
    (dest / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\n")
    return sorted(p for p in dest.rglob("*") if p.is_file())

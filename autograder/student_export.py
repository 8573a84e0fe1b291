"""The student distribution: what students get, and nothing that computes an answer.

``python -m autograder student-export DIR`` writes into DIR whole packages and folders, never a chosen list of files:

- ``release/``: the student notebooks, as nbgrader generated them from ``source/``;
- ``checks/``: the check kit (assertion helpers, Keras model checks, stored fixtures, the data path);
- ``week1/ week2/ week3/``: the helper packages with their public checks and the checks' stored fixtures;
- ``data/``: the datasets and their READMEs, without the instructor's scripts that rebuild weights from the reference
  (any script that imports ``autograder``: that package is not in the student's copy, so they could not run there);
- ``nbgrader_config.py`` with the course's execution limits (what ``nbgrader validate`` and the Lab's Validate button
  read), ``environment.yml`` and ``pyproject.toml`` with the student's dependencies only, a ``postBuild`` that hides
  nbgrader's instructor tools from JupyterLab, a ``Makefile`` for ``make lab`` and a README with the Binder badge.

``autograder/`` is instructor-only as a whole and is never copied: nothing in the check kit or the week packages
imports it. Exporting again into a folder that holds an earlier export (the student repository's working copy)
replaces its contents and leaves its ``.git`` (and a ``.venv``) alone. Publish DIR as its own repository (see the
instructor guide in README.md): that is what the Binder badge opens.
"""
from __future__ import annotations

import ast
import re
import shutil
import tomllib
from pathlib import Path

from traitlets.config.loader import PyFileConfigLoader

#: The packages a student's notebooks import, copied whole.
PACKAGES = ("checks", "week1", "week2", "week3")
#: Written into every export; its presence is what allows exporting again into a folder that is not empty.
MARKER = ".student-export"
#: What an export into an earlier one leaves in place: the repository and the learner's environment.
KEPT_ON_REEXPORT = (".git", ".venv")
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

.PHONY: help lab validate

help:
\t@echo "make lab                           set up .venv (first time: a few minutes) and open the notebooks in JupyterLab"
\t@echo "make validate NB=release/<id>/<name>.ipynb   run a notebook top to bottom with its checks, as your instructor will"

lab: .venv/.installed
\tPATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) \\
\t\t--ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/release

validate: .venv/.installed
\t@test -n "$(NB)" || (echo "usage: make validate NB=release/<id>/<name>.ipynb"; exit 2)
\tPATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/nbgrader validate "$(NB)"

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
installs everything into `.venv/` (a few minutes), then it opens JupyterLab on the notebooks. `make help` lists the
commands.

## The assignments

{table}

Run the cells from the top. After you write a function, run its cell and then the check below it: a check prints
one line starting with ✔ when your function is right, and one sentence saying what to fix when it is not. Your
instructor's autograder runs the same checks and a few more on other inputs. Before you hand in, press **Validate**
in JupyterLab's toolbar (or run `make validate NB=release/<id>/<name>.ipynb`): it runs the notebook top to bottom
with the course's time limit of {timeout} s per cell, as the autograder will. Hand in the notebook file
(`File > Download`) the way your instructor asks.
"""

NBGRADER_CONFIG = """\"\"\"nbgrader's settings for the student notebooks: what `nbgrader validate` and JupyterLab's Validate button
run a notebook with. They are the course's own limits, so a notebook that validates here runs in the autograder.
\"\"\"
c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

c.CourseDirectory.course_id = {course_id!r}
# A cell that runs longer than this (an infinite loop, say) is stopped and counts as failed.
c.Execute.timeout = {timeout!r}
c.Execute.interrupt_on_timeout = {interrupt!r}
c.Execute.kernel_name = {kernel!r}
"""

ENVIRONMENT = """# Binder environment of the student notebooks: the same pins as pyproject.toml. Binder then runs postBuild.
name: sequence-models
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
{pins}
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


#: Tables of the course's pyproject that are the instructor's: the console script, the extras (grading on a
#: cluster, tests), the entry point that offers the reference, pytest's settings.
_DROPPED_TABLES = ("[project.scripts]", "[project.optional-dependencies]", "[tool.pytest.ini_options]",
                   '[project.entry-points."sequence_models.reference"]')


def _student_pyproject(text: str) -> str:
    """The course's pyproject without the instructor's tables, installing the student's packages only."""
    kept, keep = [], True
    for line in text.splitlines():
        if re.match(r"^\[[^\]]+\]\s*$", line):  # a table header starts a new section
            keep = line.strip() not in _DROPPED_TABLES
            if not keep and kept and kept[-1].startswith("#"):
                kept.pop()  # the dropped table's comment
        if keep:
            kept.append(line)
    text = "\n".join(kept).rstrip() + "\n"
    text = re.sub(r"^packages = \[.*\]$", "packages = [" + ", ".join(f'"{p}"' for p in PACKAGES) + "]", text,
                  flags=re.M)
    return text


def _student_environment(pyproject: str) -> str:
    """environment.yml with the pins of the student's pyproject (Binder runs Linux: the Linux pins)."""
    pins = []
    for dep in tomllib.loads(pyproject)["project"]["dependencies"]:
        spec, _, marker = dep.partition(";")
        if "sys_platform != 'linux'" not in marker:
            pins.append(f"      - {spec.strip()}")
    return ENVIRONMENT.format(pins="\n".join(pins))


def course_limits(root: Path) -> dict:
    """The execution settings of the course's ``nbgrader_config.py``."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    return {"course_id": config.CourseDirectory.course_id, "timeout": config.Execute.timeout,
            "interrupt": config.Execute.interrupt_on_timeout, "kernel": config.Execute.kernel_name}


def imports_autograder(path: Path) -> bool:
    """Whether the Python file at ``path`` imports the instructor's ``autograder`` package (or a module of it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        if any(name == "autograder" or name.startswith("autograder.") for name in names):
            return True
    return False


def _clear(dest: Path):
    """Empty ``dest`` for a new export: refuse a folder that holds anything but an earlier export."""
    if not dest.exists() or not any(dest.iterdir()):
        return
    if not (dest / MARKER).exists():
        raise FileExistsError(f"{dest} is not empty and holds no earlier student export (no {MARKER} file). Give a "
                              f"new folder, or the working copy of the student repository you exported to before.")
    for path in dest.iterdir():
        if path.name in KEPT_ON_REEXPORT:
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def export(root: Path, dest: Path) -> list[Path]:
    """Write the student distribution of the course at ``root`` into ``dest``: a new or empty folder, or one that
    holds an earlier export (its contents are replaced; ``.git`` and ``.venv`` stay). Returns the files written."""
    root, dest = Path(root), Path(dest)
    _clear(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for folder in ("release", *PACKAGES, "data"):
        shutil.copytree(root / folder, dest / folder, ignore=_SKIP)
    for path in list((dest / "data").rglob("*.py")):
        if imports_autograder(path):
            path.unlink()
    pyproject = _student_pyproject((root / "pyproject.toml").read_text())
    (dest / "pyproject.toml").write_text(pyproject)
    (dest / "environment.yml").write_text(_student_environment(pyproject))
    limits = course_limits(root)
    (dest / "nbgrader_config.py").write_text(NBGRADER_CONFIG.format(**limits))
    off = {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}
    (dest / "postBuild").write_text(POSTBUILD.format(plugins=" ".join(INSTRUCTOR_LAB_PLUGINS), extensions=repr(off)))
    (dest / "postBuild").chmod(0o755)
    (dest / "Makefile").write_text(MAKEFILE)
    readme = (root / "README.md").read_text()
    (dest / "README.md").write_text(README.format(binder=_binder_link(readme), table=_course_table(readme),
                                                  timeout=limits["timeout"]))
    (dest / ".gitignore").write_text(".venv/\n__pycache__/\n*.egg-info/\n.ipynb_checkpoints/\njazz_output/\n")
    (dest / MARKER).write_text("Written by `python -m autograder student-export`: exporting again replaces everything "
                               "here but .git and .venv.\n")
    return sorted(p for p in dest.rglob("*") if p.is_file() and p.relative_to(dest).parts[0] not in KEPT_ON_REEXPORT)

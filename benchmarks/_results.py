"""Where the benchmarks keep their figures: one JSON file each under benchmarks/results/.

The benchmark scripts write their result with :func:`write_result` (the same layout for all: ``json`` with
``indent=1`` and a trailing newline, the folder made when missing) and read an earlier one back with
:func:`read_result`. ``root`` is the course's root (the repository); a test passes its scratch folder instead.
"""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def result_path(name: str, root: Path | None = None) -> Path:
    """benchmarks/results/``name`` under ``root`` (default: this repository)."""
    return Path(root or ROOT) / "benchmarks" / "results" / name


def write_result(name: str, data, root: Path | None = None) -> Path:
    """Write ``data`` as JSON to benchmarks/results/``name``, making the folder if needed; return the file's path."""
    path = result_path(name, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return path


def read_result(name: str, default=None, root: Path | None = None):
    """The JSON of benchmarks/results/``name``, or ``default`` when that file does not exist."""
    path = result_path(name, root)
    return json.loads(path.read_text()) if path.exists() else default

"""Execute one notebook, optionally with lines of its code replaced, in a fresh kernel; report wall time and peak
kernel memory, like run_notebooks.py (whose measuring cell it uses) but for any notebook file and its variants.

    python benchmarks/run_notebook_variant.py PATH [--replace OLD NEW ...] [--cores N]

``--replace OLD NEW`` (repeatable) replaces the text OLD by NEW in the code cells of an in-memory copy (OLD must
occur); the notebook on disk is not changed. For example, the trigger word notebook with the student's output layer
written with Keras's own TimeDistributed instead of the notebook's:

    python benchmarks/run_notebook_variant.py source/w3a2_trigger_word/trigger_word.ipynb \\
        --replace "X = TimeDistributed(Dense" "X = keras.layers.TimeDistributed(Dense"

Results are printed, not stored (run_notebooks.py keeps the table of the course's own notebooks).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_notebooks import measure  # noqa: E402


def run(path: Path, replacements: list[tuple[str, str]], cores: int | None) -> dict:
    nb = nbformat.read(path, as_version=4)
    for old, new in replacements:
        cells = [c for c in nb.cells if c.cell_type == "code" and old in c.source]
        if not cells:
            raise SystemExit(f"{old!r} is in no code cell of {path}")
        for cell in cells:
            cell.source = cell.source.replace(old, new)
    wall, peak = measure(nb, path.parent, cores, timeout=1800)
    return {"notebook": str(path), "replaced": len(replacements), "wall_s": wall, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path)
    parser.add_argument("--replace", nargs=2, action="append", default=[], metavar=("OLD", "NEW"))
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    print(json.dumps({**run(args.path.resolve(), args.replace, args.cores), "cores": args.cores,
                      "replacements": args.replace}))


if __name__ == "__main__":
    main()

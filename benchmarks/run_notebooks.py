"""Execute each solution notebook in a fresh kernel and report wall time and peak kernel memory.

    python benchmarks/run_notebooks.py [ID ...] [--cores N]

The kernel reports its own peak resident memory (ru_maxrss) from a cell appended to an in-memory
copy of the notebook; the notebook on disk is not changed.  ``--cores`` pins the kernel to N cores
(Linux) to mimic a laptop or Binder (2 cores).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.grading import assignment_ids  # noqa: E402
from benchmarks._results import read_result, write_result  # noqa: E402

PEAK_CELL = "import resource, json; print(json.dumps({'peak_kb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))"


def measure(nb, folder: Path, cores: int | None, timeout: int = 1200) -> tuple[float, int]:
    """(wall seconds, peak kernel memory in MB) of running the notebook ``nb`` in a fresh kernel in ``folder``, the
    kernel pinned to ``cores`` cores; ``nb`` is changed only in memory."""
    nb.cells.append(nbformat.v4.new_code_cell(PEAK_CELL))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}})
    if cores:
        # Environment of the kernel: limit the math libraries' threads as the core count would.
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TF_NUM_INTRAOP_THREADS"):
            os.environ[var] = str(cores)
        os.sched_setaffinity(0, set(sorted(os.sched_getaffinity(0))[:cores]))  # inherited by the kernel
    start = time.perf_counter()
    client.execute()
    wall = time.perf_counter() - start
    peak_kb = json.loads(nb.cells[-1].outputs[0]["text"])["peak_kb"]
    return round(wall, 1), round(peak_kb / 1024)


def run(aid: str, cores: int | None) -> dict:
    (path,) = sorted((ROOT / "source" / aid).glob("*.ipynb"))
    wall, peak = measure(nbformat.read(path, as_version=4), path.parent, cores)
    return {"assignment": aid, "wall_s": wall, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    print(f"{'assignment':<32} {'wall (s)':>9} {'peak (MB)':>10}   ({args.cores} cores, {os.cpu_count()} present)")
    results = read_result("notebooks.json", default={})
    for aid in args.ids or assignment_ids(ROOT):
        r = run(aid, args.cores)
        print(f"{r['assignment']:<32} {r['wall_s']:>9} {r['peak_mb']:>10}")
        results[aid] = {"wall_s": r["wall_s"], "peak_mb": r["peak_mb"], "cores": args.cores}
    write_result("notebooks.json", dict(sorted(results.items())))


if __name__ == "__main__":
    main()

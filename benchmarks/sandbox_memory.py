"""Peak memory of each solution notebook's sandbox, measured by its memory cgroup, against the default limit.

    sudo .venv/bin/python benchmarks/sandbox_memory.py [ID ...]

Each assignment's solution notebook (``source/<id>/``) is graded as a submission, the way ``autograde`` grades one
(hidden tests included), in a fresh process of its own, with a memory limit far above any notebook's so that
nothing is cut short. Printed per assignment:

- peak: the most memory the sandbox's processes used together at once, by the cgroup's own counter
  (``memory.peak`` on cgroup v2, ``memory.max_usage_in_bytes`` on v1; the page cache of the files the notebook
  read is included, so this errs on the high side);
- limit and headroom: ``Limits().memory_mb`` and what is left of it at the peak;
- address space: the largest address space one of the kernel's processes reserved (``VmPeak``), which is what
  the per-process limit ``Limits().address_space_mb`` bounds where there is no cgroup;
- grader: the grading process's own peak resident memory (the test cells and the reference run there), so that
  grader plus limit can be held against the cluster's memory per worker (``cluster.WORKER_MEMORY_GB``).

Besides the seven solutions, Emojify once more with its embedding matrix (400,001 x 50) in float64 instead of
float32, an honest variant that must fit too. Needs bubblewrap and a memory cgroup (as root, or a delegated one:
see ``SEQUENCE_MODELS_CGROUP``). Results also go to benchmarks/results/sandbox_memory.json.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import autograde, sandbox  # noqa: E402
from autograder.cluster import WORKER_MEMORY_GB  # noqa: E402
from autograder.grading import assignment_ids  # noqa: E402

MEASURE = sandbox.Limits(memory_mb=65536)  # what the notebooks are measured under: nothing is stopped
FLOAT64 = "w2a2_emojify:float64"
FLOAT32_MATRIX = "emb_matrix = np.zeros((vocab_size, emb_dim), dtype=np.float32)"
MB = 2 ** 20


def _vm_peak_mb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((line for line in status.splitlines() if line.startswith("VmPeak:")), "VmPeak: 0 kB")
    return int(line.split()[1]) // 1024


class _MeasuredKernel(sandbox.SandboxKernel):
    """A sandbox kernel that notes its cgroup's peak and its processes' largest address space before it ends."""
    seen: list[dict] = []

    def stop(self):
        if self.cgroup is None:
            raise SystemExit("no memory cgroup can be made here: run as root, or set SEQUENCE_MODELS_CGROUP to a "
                             "cgroup delegated to you")
        peak = self.cgroup.peak_bytes()
        _MeasuredKernel.seen.append({"peak_mb": None if peak is None else round(peak / MB),
                                     "address_space_mb": max(map(_vm_peak_mb, self.cgroup.pids()), default=0)})
        super().stop()


def _submission(case: str, folder: Path) -> Path:
    """The folder holding the notebook graded for ``case``: the solution itself, or Emojify's in float64."""
    aid = case.split(":")[0]
    if case != FLOAT64:
        return ROOT / "source" / aid
    (path,) = (ROOT / "source" / aid).glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if FLOAT32_MATRIX in c.source]
    if len(cells) != 1:
        raise SystemExit(f"the solution of {aid} no longer makes its embedding matrix as {FLOAT32_MATRIX!r}")
    cells[0].source = cells[0].source.replace("dtype=np.float32", "dtype=np.float64")
    nbformat.write(nb, folder / path.name)
    return folder


def measure_one(case: str) -> dict:
    """Grade ``case`` in this process and return what it used (run in a fresh process per case)."""
    autograde.SandboxKernel = _MeasuredKernel
    aid = case.split(":")[0]
    with tempfile.TemporaryDirectory() as tmp:
        task = autograde.make_task(ROOT, aid, "solution", folder=_submission(case, Path(tmp)))
        started = time.monotonic()
        results = autograde.grade_task(task, MEASURE, sandbox=True)
    scores = [(sum(r.scores.values()), sum(r.max_scores.values())) for r in results]
    return {"case": case, "seconds": round(time.monotonic() - started, 1),
            "score": sum(s for s, _ in scores), "max_score": sum(m for _, m in scores),
            "peak_mb": max((k["peak_mb"] or 0 for k in _MeasuredKernel.seen), default=None),
            "address_space_mb": max((k["address_space_mb"] for k in _MeasuredKernel.seen), default=None),
            "grader_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "problems": [p for r in results for p in r.problems],
            "not_passed": [gid for r in results for gid, points in r.scores.items() if points < r.max_scores[gid]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # one case, in this process: prints its JSON
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return
    if not sandbox.bwrap_available():
        raise SystemExit(sandbox.INSTALL_HINT)
    cases = args.ids or assignment_ids(ROOT)
    cases += [FLOAT64] if "w2a2_emojify" in cases else []
    limits = sandbox.Limits()
    print(f"limit: {limits.memory_mb:,} MB for a notebook's processes together; {limits.address_space_mb:,} MB of "
          f"address space per process without a cgroup; {WORKER_MEMORY_GB} GB per worker\n")
    print(f"{'assignment':<30} {'score':>7} {'peak MB':>8} {'limit MB':>9} {'headroom':>13} {'addr. MB':>9} "
          f"{'grader MB':>10} {'s':>5}")
    out = ROOT / "benchmarks" / "results" / "sandbox_memory.json"
    results = json.loads(out.read_text()) if out.exists() else {}
    for case in cases:
        proc = subprocess.run([sys.executable, __file__, "--one", case], capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"{case}: {proc.stderr[-3000:]}")
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        headroom = limits.memory_mb - r["peak_mb"]
        print(f"{case:<30} {r['score']:>3g}/{r['max_score']:<3g} {r['peak_mb']:>8,} {limits.memory_mb:>9,} "
              f"{headroom:>6,} ({headroom / limits.memory_mb:4.0%}) {r['address_space_mb']:>9,} "
              f"{r['grader_mb']:>10,} {r['seconds']:>5}")
        for problem in r["problems"] + [f"{gid}: not passed" for gid in r["not_passed"]]:
            print(f"    {problem[:200]}")
        results[case] = {key: r[key] for key in ("peak_mb", "address_space_mb", "grader_mb", "seconds", "score",
                                                 "max_score")} | {"limit_mb": limits.memory_mb,
                                                                  "headroom_mb": headroom}
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(dict(sorted(results.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()

"""Per-submission grading time: nbgrader's in-kernel autograde against the sandboxed pipeline, and what one
sandbox costs to start.

    .venv/bin/python benchmarks/grading_time.py [--repeat 3] [ID ...]

For each assignment (default: w1a1 and w2a2) a scratch course gets the source notebook as one student's
submission, then:

- "in-kernel": ``nbgrader autograde`` (the test cells run in the student's kernel, no sandbox) — how the course
  graded before;
- "sandboxed": ``python -m autograder autograde`` (the kernel in bubblewrap, the test cells in the grader);
- "unsandboxed boundary": the same pipeline with ``--unsafe-no-sandbox``, to separate the cost of the sandbox from
  the cost of the process boundary.

It also times starting a bare sandbox (``bwrap ... python -c pass``) against a bare ``python -c pass``, and a
kernel's start-up in and out of the sandbox. Medians of ``--repeat`` runs; results also go to
benchmarks/results/grading_time.json.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder.sandbox import Limits, SandboxKernel, run_subprocess_in_sandbox  # noqa: E402
from benchmarks._results import write_result  # noqa: E402


def _course(tmp: Path, aid: str) -> Path:
    shutil.copy2(ROOT / "nbgrader_config.py", tmp)
    shutil.copytree(ROOT / "source" / aid, tmp / "source" / aid)
    shutil.copytree(ROOT / "release" / aid, tmp / "release" / aid)
    (src,) = (tmp / "source" / aid).glob("*.ipynb")
    (tmp / "submitted" / "s1" / aid).mkdir(parents=True)
    shutil.copy2(src, tmp / "submitted" / "s1" / aid / src.name)
    return tmp


def _timed(cmd: list[str], cwd: Path) -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")  # alembic
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def grading_times(aid: str, repeat: int) -> dict:
    py = sys.executable
    runs = {"in-kernel": [], "sandboxed": [], "unsandboxed boundary": []}
    for _ in range(repeat):
        for label, extra in (("in-kernel", None), ("sandboxed", []), ("unsandboxed boundary", ["--unsafe-no-sandbox"])):
            with tempfile.TemporaryDirectory() as tmp:
                root = _course(Path(tmp), aid)
                if extra is None:
                    _timed([py, "-m", "nbgrader", "generate_assignment", aid, "--force"], root)
                    runs[label].append(_timed([py, "-m", "nbgrader", "autograde", aid, "--force"], root))
                else:  # the gradebook learns the assignment once per class, untimed in both cases
                    _timed([py, "-c", f"from autograder.grading import register_assignment as r; "
                                      f"from pathlib import Path; r(Path({str(root)!r}), {aid!r})"], root)
                    runs[label].append(_timed([py, "-m", "autograder", "--root", str(root), "autograde", aid,
                                               "--jobs", "1", *extra], root))
    return {label: round(statistics.median(times), 2) for label, times in runs.items()}


def startup_times(repeat: int) -> dict:
    bare, boxed, kernel_plain, kernel_boxed = [], [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - start)
        start = time.perf_counter()
        run_subprocess_in_sandbox([sys.executable, "-c", "pass"])
        boxed.append(time.perf_counter() - start)
        for sandbox, out in ((False, kernel_plain), (True, kernel_boxed)):
            kernel = SandboxKernel(ROOT, Limits(), sandbox=sandbox)
            start = time.perf_counter()
            kernel.start()
            out.append(time.perf_counter() - start)
            kernel.stop()
    med = statistics.median
    return {"python -c pass": round(med(bare), 3), "sandboxed python -c pass": round(med(boxed), 3),
            "kernel start": round(med(kernel_plain), 3), "sandboxed kernel start": round(med(kernel_boxed), 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", default=["w1a1_rnn_step_by_step", "w2a2_emojify"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results = {"startup (s)": startup_times(args.repeat)}
    print("start-up, median seconds:", results["startup (s)"])
    for aid in args.ids:
        times = grading_times(aid, args.repeat)
        overhead = 100 * (times["sandboxed"] / times["in-kernel"] - 1)
        results[aid] = dict(times, **{"sandboxed vs in-kernel (%)": round(overhead, 1)})
        print(f"{aid}: median seconds per submission {times}; sandboxed is {overhead:+.1f} % against in-kernel")
    write_result("grading_time.json", results)


if __name__ == "__main__":
    main()

"""Grading a whole class: plain serial nbgrader against the course's autograde on a Dask LocalCluster.

    .venv/bin/python benchmarks/grading_class.py [--students 40] [--full-only] [ID ...]

For each assignment (default: w1a1 and w2a2) a scratch course gets ``--students`` generated submissions, mixed
the way a class hands them in (seeded, shuffled):

- 40 % full marks (the source notebook),
- 30 % partial (the last one to three graded functions left as the release has them),
- the rest untouched releases (zero),
- and one endless loop (``while True: pass`` in one graded function that is called only by its test cell and
  one other cell).

Then, each on its own copy of that course:

- **serial**: ``nbgrader autograde ID`` for each assignment: plain nbgrader, one submission after another, its
  tests in the student's kernel (no sandbox);
- **cluster**: ``python -m autograder autograde ID ID`` with no option: a LocalCluster sized to this machine, every
  kernel in its sandbox and every test cell in the grader.

Both get the assignments recorded in their gradebook first (untimed). Measured: wall time, submissions per minute,
the speed-up, the peak memory (RSS) of each worker with its kernels and of the serial run, and whether both give
each student the same total. Printed, with an extrapolation to a larger course (see ``extrapolate``), and written
to benchmarks/results/grading_class.json (``--full-only``: every submission full marks, the small class's pace;
written to grading_class_full_only.json).
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import grading  # noqa: E402
from autograder.nbgrader_ext import UNSANDBOXED  # noqa: E402
from benchmarks._results import read_result, write_result  # noqa: E402

IDS = ["w1a1_rnn_step_by_step", "w2a2_emojify"]
#: Per assignment, the graded function that loops forever in the endless-loop submission.
ENDLESS = {"w1a1_rnn_step_by_step": "gru_forward", "w2a2_emojify": "model"}


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def make_class(root: Path, aid: str, students: int, rng: random.Random, full_only: bool = False) -> dict:
    """Write ``students`` submissions of ``aid`` into ``root/submitted``; returns student -> kind (every one full
    marks with ``full_only``)."""
    (src_path,) = (ROOT / "source" / aid).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)
    release = nbformat.read(ROOT / "release" / aid / src_path.name, as_version=4)
    stubs = {_meta(c)["grade_id"]: c for c in release.cells if _meta(c).get("solution")}
    order = [_meta(c)["grade_id"] for c in source.cells if _meta(c).get("solution")]
    n_full, n_partial = round(0.4 * students), round(0.3 * students)
    kinds = ["full"] * n_full + ["partial"] * n_partial + ["endless"]
    kinds += ["zero"] * (students - len(kinds))
    if full_only:
        kinds = ["full"] * students
    rng.shuffle(kinds)
    out = {}
    for i, kind in enumerate(kinds):
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        if kind == "zero":
            nb = nbformat.from_dict(json.loads(json.dumps(release)))
        elif kind == "partial":
            left = set(order[-rng.randint(1, 3):])
            nb.cells = [nbformat.from_dict(json.loads(json.dumps(stubs[_meta(c)["grade_id"]])))
                        if _meta(c).get("grade_id") in left and _meta(c).get("solution") else c for c in nb.cells]
        elif kind == "endless":
            cell = next(c for c in nb.cells if _meta(c).get("grade_id") == ENDLESS[aid])
            head, _, body = cell.source.partition("### BEGIN SOLUTION\n")
            indent = body[:len(body) - len(body.lstrip())]
            cell.source = f"{head}### BEGIN SOLUTION\n{indent}while True:\n{indent}    pass\n{body}"
        student = f"s{i:03d}"
        path = root / "submitted" / student / aid / src_path.name
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        out[student] = kind
    return out


class TreeMemory:
    """Samples the RSS of a process tree every 0.2 s: the whole tree's peak, and each worker's (a direct child of
    the root with its own descendants) peak."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.total = 0
        self.workers: dict[int, int] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    @staticmethod
    def _rss(proc) -> int:
        try:
            return proc.memory_info().rss
        except psutil.Error:
            return 0

    def _run(self):
        while not self.done.wait(0.2):
            try:
                children = self.root.children()
            except psutil.Error:
                return
            total = self._rss(self.root)
            for child in children:
                try:
                    tree = [child, *child.children(recursive=True)]
                except psutil.Error:
                    continue
                rss = sum(self._rss(p) for p in tree)
                total += rss
                try:
                    command = " ".join(child.cmdline())
                except psutil.Error:
                    continue
                if "spawn_main" in command and "resource_tracker" not in command:  # a Dask worker process
                    self.workers[child.pid] = max(self.workers.get(child.pid, 0), rss)
            self.total = max(self.total, total)

    def stop(self):
        self.done.set()
        self.thread.join()


def _env():
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")


def timed(cmd: list[str], cwd: Path, **env: str) -> dict:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=dict(_env(), **env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(proc.pid)
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    memory.stop()
    if proc.returncode not in (0, 2):
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{out[-3000:]}\n{err[-3000:]}")
    return {"seconds": seconds, "peak_mb": memory.total / 2 ** 20,
            "worker_peak_mb": sorted(v / 2 ** 20 for v in memory.workers.values()), "stdout": out, "stderr": err}


def totals(root: Path, aid: str, students) -> dict:
    out = {}
    for student in students:
        try:
            out[student] = sum(v or 0 for v in grading.scores(root, aid, student).values())
        except Exception:  # noqa: BLE001 - not recorded
            out[student] = None
    return out


def extrapolate(per_submission: dict, notebook_seconds: dict, workers: int = 80, students: int = 500) -> dict:
    """Wall time to grade ``students`` x every assignment on ``workers`` single-core workers (10 machines of 8
    cores), assuming: every submission costs what a full-marks one costs here (the worst case of a class that
    finished); grading time scales with each solution notebook's run time (benchmarks/results/notebooks.json) from
    what was measured per submission here; a worker is one core, as fast as one of this machine's; tasks spread
    evenly (students x assignments >> workers); the scheduler and the coordinator's gradebook writes keep up (one
    write took 0.04-0.09 s here, for 12 graded cells in a small gradebook: about a third of the coordinator's time
    at the 4-5 submissions a second this needs; not measured at that scale)."""
    scale = sum(per_submission.values()) / sum(notebook_seconds[aid] for aid in per_submission)
    per = {aid: per_submission.get(aid, scale * t) for aid, t in notebook_seconds.items()}
    cpu_seconds = students * sum(per.values())
    return {"per_submission_s": {aid: round(v, 1) for aid, v in per.items()},
            "worker_seconds": round(cpu_seconds), "wall_minutes": round(cpu_seconds / workers / 60, 1)}


def _extrapolation(results: dict, per_submission: dict) -> None:
    notebooks = read_result("notebooks.json")  # from benchmarks/run_notebooks.py
    if notebooks is None:
        print("no benchmarks/results/notebooks.json: run `make benchmark` first, then --extrapolate-only")
        return
    seconds = {aid: v["wall_s"] for aid, v in notebooks.items()}
    measured = {aid: kinds["full"] for aid, kinds in per_submission.items()}
    results["extrapolation: 500 students x 7 assignments, 10 machines x 8 cores"] = extrapolate(measured, seconds)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*", default=IDS)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full-only", action="store_true",
                        help="every submission full marks (no partial, zero or endless ones): a small class's pace")
    parser.add_argument("--extrapolate-only", action="store_true",
                        help="only (re)compute the extrapolation of the last results, from the notebook times")
    args = parser.parse_args()
    if args.extrapolate_only:
        results = read_result("grading_class.json")
        if results is None:
            sys.exit("no benchmarks/results/grading_class.json: run this benchmark first, then --extrapolate-only")
        _extrapolation(results, results["LocalCluster"]["mean seconds per submission on a worker"])
        write_result("grading_class.json", results)
        return
    py = sys.executable
    results = {"students": args.students, "cores": len(os.sched_getaffinity(0)), "ids": args.ids,
               "full only": args.full_only}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        base.mkdir()
        shutil.copy2(ROOT / "nbgrader_config.py", base)
        kinds = {}
        for aid in args.ids:
            shutil.copytree(ROOT / "source" / aid, base / "source" / aid)
            kinds[aid] = make_class(base, aid, args.students, random.Random(args.seed), args.full_only)
        results["kinds"] = {aid: {k: list(v.values()).count(k) for k in ("full", "partial", "zero", "endless")}
                            for aid, v in kinds.items()}
        runs = {}
        for label in ("serial", "cluster"):
            root = Path(tmp) / label
            shutil.copytree(base, root)
            for aid in args.ids:  # the gradebook learns the assignment (untimed, for both)
                subprocess.run([py, "-m", "nbgrader", "generate_assignment", aid, "--force"], cwd=root, env=_env(),
                               check=True, capture_output=True)
            if label == "serial":
                run = {"seconds": 0.0, "peak_mb": 0.0, "worker_peak_mb": []}
                for aid in args.ids:
                    # plain nbgrader, unsandboxed: the course refuses it unless told (autograder/nbgrader_ext.py)
                    one = timed([py, "-m", "nbgrader", "autograde", aid, "--force"], root, **{UNSANDBOXED: "1"})
                    run["seconds"] += one["seconds"]
                    run["peak_mb"] = max(run["peak_mb"], one["peak_mb"])
                    run[aid] = round(one["seconds"], 1)
            else:
                for aid in args.ids:
                    grading.register_assignment(root, aid)
                report = root / "report.csv"
                run = timed([py, "-m", "autograder", "--root", str(root), "autograde", *args.ids,
                             "--report", str(report)], root)
                rows = list(csv.DictReader(open(report)))
                run["per_submission_s"] = {aid: {} for aid in args.ids}
                for aid in args.ids:
                    for kind in ("full", "partial", "zero", "endless"):
                        times = [float(r["seconds"]) for r in rows
                                 if r["assignment"] == aid and kinds[aid][r["student"]] == kind]
                        if times:
                            run["per_submission_s"][aid][kind] = round(sum(times) / len(times), 1)
                run["summary"] = run["stdout"].strip().splitlines()[-2:]
            run["totals"] = {aid: totals(root, aid, kinds[aid]) for aid in args.ids}
            run.pop("stdout", None), run.pop("stderr", None)
            runs[label] = run
            print(f"{label}: {run['seconds']:.0f} s, peak {run['peak_mb']:.0f} MB", flush=True)
    n = args.students * len(args.ids)
    serial, clustered = runs["serial"], runs["cluster"]
    agree = sum(serial["totals"][aid][s] == clustered["totals"][aid][s] for aid in args.ids for s in kinds[aid])
    results.update({
        "serial nbgrader": {"seconds": round(serial["seconds"], 1),
                            "per assignment (s)": {aid: serial[aid] for aid in args.ids},
                            "submissions per minute": round(60 * n / serial["seconds"], 1),
                            "peak memory (MB)": round(serial["peak_mb"])},
        "LocalCluster": {"seconds": round(clustered["seconds"], 1),
                         "submissions per minute": round(60 * n / clustered["seconds"], 1),
                         "peak memory (MB)": round(clustered["peak_mb"]),
                         "peak memory per worker (MB)": [round(v) for v in clustered["worker_peak_mb"]],
                         "mean seconds per submission on a worker": clustered["per_submission_s"],
                         "summary": clustered["summary"]},
        "speed-up": round(serial["seconds"] / clustered["seconds"], 2),
        "same total for": f"{agree} of {n} submissions",
    })
    _extrapolation(results, clustered["per_submission_s"])
    print(json.dumps(results, indent=1))
    write_result("grading_class_full_only.json" if args.full_only else "grading_class.json", results)


if __name__ == "__main__":
    main()

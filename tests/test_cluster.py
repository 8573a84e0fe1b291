"""Grading a whole class on Dask: the same scores serially, on a LocalCluster and on a separately started cluster;
a worker killed mid-run loses nothing; a stopped run resumes and grades each submission once; one writer."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder import autograde as pipeline
from autograder import cluster, grading
from autograder.sandbox import FIRST_UID, SCRATCH_ENV, Limits
from course import ROOT, nbgrader_meta, sandbox_processes, scratch_course
from test_autograde import CASCADE, WRONG

AID = "w1a1_rnn_step_by_step"
BIN = Path(sys.executable).parent


def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


def _class(folder: Path, copies: int = 1) -> Path:
    """A scratch course with a small class of w1a1 submissions: full marks (several), the untouched release, one
    wrong function, bugs in functions others build on, and a file that is not a notebook."""
    folder.mkdir(parents=True)
    root = scratch_course(folder, AID)
    shutil.copytree(ROOT / "release" / AID, root / "release" / AID)
    (src_path,) = (root / "source" / AID).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)

    def submit(student, nb=None, raw=None):
        path = root / "submitted" / student / AID / src_path.name
        path.parent.mkdir(parents=True)
        path.write_text(raw) if raw is not None else nbformat.write(nb, path)

    def changed(codes: dict):
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        for gid, code in codes.items():
            _cell(nb, gid).source += "\n" + code
        return nb

    for i in range(copies):
        submit(f"full_{i}", source)
    submit("untouched", nbformat.read(root / "release" / AID / src_path.name, as_version=4))
    submit("one_wrong", changed({WRONG[AID][0]: WRONG[AID][1]}))
    submit("cascade", changed(CASCADE[AID]))
    submit("not_json", raw='{"cells": [ broken')
    return root


def _copy(root: Path, to: Path) -> Path:
    shutil.copytree(root, to)
    return to


def _grades(root: Path) -> dict:
    """Every student's points per graded cell, and whether they were graded at all."""
    out = {}
    for folder in sorted((root / "submitted").iterdir()):
        try:
            out[folder.name] = grading.scores(root, AID, folder.name)
        except Exception:  # noqa: BLE001 - not recorded
            out[folder.name] = None
    return out


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    return _class(base / "class")


@pytest.fixture(scope="module")
def serial(course, tmp_path_factory):
    """The class graded in one process, one submission after another, with the progress bar on."""
    root = _copy(course, tmp_path_factory.mktemp("serial") / "c")
    bar = io.StringIO()
    grading.register_assignment(root, AID)
    outcomes = cluster.grade_class(root, [(AID, s) for s in grading.submitted_students(root, AID)],
                                   grading.limits_from_config(root), jobs=1, progress=True, progress_file=bar)
    return {"root": root, "grades": _grades(root), "bar": bar.getvalue(), "outcomes": outcomes}


@pytest.fixture(scope="module")
def hidden_base(tmp_path_factory):
    """A folder whose contents the external workers cannot see (it is an empty tmpfs in their mount namespace)."""
    return tmp_path_factory.mktemp("hidden")


@pytest.fixture(scope="module")
def external(tmp_path_factory, hidden_base):
    """A separately started `dask scheduler` and `dask worker --nworkers 2`, as the README starts them. The workers
    run where the course copies of these tests (under ``hidden_base``) are an empty folder, where possible."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    sandboxes = tmp_path_factory.mktemp("sandboxes")  # where its workers' sandboxes live: this test's own
    env = dict(os.environ, DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES="0",
               PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **{SCRATCH_ENV: str(sandboxes)})
    scheduler = subprocess.Popen([str(BIN / "dask"), "scheduler", "--scheduler-file", str(scheduler_file),
                                  "--port", "0", "--no-dashboard"], env=env, cwd=folder,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    worker_cmd = [str(BIN / "dask"), "worker", "--scheduler-file", str(scheduler_file), "--nworkers", "2",
                  "--nthreads", "1", "--no-dashboard", "--memory-limit", "0"]
    hidden = subprocess.run(["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs {hidden_base} && ls -A {hidden_base}"],
                            capture_output=True, text=True).returncode == 0
    if hidden:
        worker_cmd = ["unshare", "-m", "sh", "-c", f"mount -t tmpfs tmpfs {hidden_base} && exec \"$@\"", "sh",
                      *worker_cmd]
    workers = subprocess.Popen(worker_cmd, env=env, cwd=folder, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        from distributed import Client
        for _ in range(600):
            if scheduler_file.exists():
                break
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=120)
        yield {"address": address, "workers": workers, "hidden": hidden, "sandboxes": sandboxes}
    finally:
        for proc in (workers, scheduler):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=30)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(proc.pid, signal.SIGKILL)


def test_serial_grades_the_class_and_shows_progress(serial):
    grades = serial["grades"]
    points = sum(grades["full_0"].values())
    assert points == 25 and sum(grades["untouched"].values()) == 0
    assert 0 < sum(grades["one_wrong"].values()) < points and 0 < sum(grades["cascade"].values()) < points
    assert serial["outcomes"][AID, "not_json"].results[0].problems[0].count("is not a valid notebook") == 1
    bar = serial["bar"]
    assert "5/5" in bar and "graded=4" in bar and "failed=1" in bar and "remaining=0" in bar


def test_a_local_cluster_gives_the_serial_scores(course, serial, tmp_path):
    root = _copy(course, tmp_path / "c")
    reports = grading.autograde(root, AID, jobs=2)
    assert _grades(root) == serial["grades"]
    assert {r.student: r.status for r in reports}["not_json"] == "not graded"
    assert sum(r.status == "graded" for r in reports) == 4


def test_a_separately_started_cluster_gives_the_serial_scores(course, serial, external, hidden_base):
    """The workers get every submission as data: where they run, the course folder is not even there, and the
    coordinator alone writes the gradebook and autograded/."""
    root = _copy(course, hidden_base / "external")
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                           "--scheduler", external["address"], "--report", str(root / "report.csv")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stdout + proc.stderr  # not_json cannot be graded
    assert _grades(root) == serial["grades"]
    assert "grading on the Dask cluster at" in proc.stderr and "(2 worker(s))" in proc.stderr
    rows = {row["student"]: row for row in csv.DictReader(open(root / "report.csv"))}
    assert rows["full_0"]["score"] == "25" and rows["full_0"]["status"] == "graded"
    assert rows["not_json"]["status"] == "not graded" and "is not a valid notebook" in rows["not_json"]["problems"]
    if not external["hidden"]:
        pytest.skip("no mount namespace here: the workers could see the course folder (scores checked above)")


def test_the_same_through_the_environment_variable(course, serial, external, tmp_path):
    root = _copy(course, tmp_path / "c")
    env = dict(os.environ, SEQUENCE_MODELS_SCHEDULER=external["address"])
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                           "--student", "full_0", "--student", "one_wrong"], env=env, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "grading on the Dask cluster at" in proc.stderr
    assert {s: g for s, g in _grades(root).items() if g} == {s: serial["grades"][s] for s in ("full_0", "one_wrong")}


def _worker_of_a_running_kernel(workers_pid: int):
    """The worker process (a child of `dask worker`) that is grading right now: one with a kernel below it."""
    for worker in psutil.Process(workers_pid).children():
        try:
            if any("ipykernel" in " ".join(p.cmdline()) for p in worker.children(recursive=True)):
                return worker
        except psutil.Error:
            continue
    return None


def test_a_worker_killed_mid_run_loses_nothing(course, serial, external, tmp_path):
    root = _copy(course, tmp_path / "c")
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                             "--scheduler", external["address"], "--retries", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 300
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        worker = _worker_of_a_running_kernel(external["workers"].pid)
        if worker is not None:
            worker.kill()
            killed = worker.pid
        time.sleep(0.05)
    out, err = proc.communicate(timeout=600)
    assert killed is not None, "no worker was seen grading"
    assert "the worker grading it died; sent again (try 2 of 3)" in err, err
    assert _grades(root) == serial["grades"]
    assert proc.returncode == 2 and out.count("NOT GRADED") == 1  # only the broken file
    # Killed at the instant its sandbox started, a worker may leave the kernel behind; the next grading stops it.
    assert sandbox_processes(external["sandboxes"]) == []


def test_a_stopped_run_resumes_and_grades_each_submission_once(tmp_path):
    root = _class(tmp_path / "c", copies=4)
    cmd = [sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID, "--jobs", "2"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    markers = lambda: {p.parent.parent.name: p.stat().st_mtime_ns for p in (root / "autograded").glob(f"*/{AID}/.grading.json")}  # noqa: E731
    deadline = time.monotonic() + 300
    while not markers() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # the instructor's Ctrl-C
    out, err = proc.communicate(timeout=120)
    first = markers()
    assert proc.returncode == 130, out + err
    assert "Every grade recorded so far is kept" in err
    students = set(grading.submitted_students(root, AID))
    assert first and set(first) < students  # stopped with some graded, some not

    report = tmp_path / "report.csv"
    proc = subprocess.run(cmd + ["--report", str(report)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    rows = {row["student"]: row["status"] for row in csv.DictReader(open(report))}
    assert {s for s, status in rows.items() if status == "unchanged"} == set(first) - {"not_json"}
    assert {s for s, status in rows.items() if status == "graded"} == students - set(first) - {"not_json"}
    assert rows["not_json"] == "not graded"
    second = markers()
    assert {s: second[s] for s in first} == first  # what the first run recorded was not graded again
    assert f"{len(first)} submission(s) already graded" in proc.stderr
    assert all(sum(grading.scores(root, AID, f"full_{i}").values()) == 25 for i in range(4))

    proc = subprocess.run(cmd + ["--force", "--student", "full_0"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and markers()["full_0"] != second["full_0"]  # --force grades it again


def test_several_assignments_share_one_cluster(tmp_path, monkeypatch):
    """`autograde --all` (or several ids) starts one cluster for every submission of every assignment."""
    root = _class(tmp_path / "c")
    toy = "w0_toy"
    v4 = nbformat.v4
    cell = v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION\n")
    cell.metadata["nbgrader"] = dict(grade_id="f", grade=False, solution=True, locked=False, schema_version=3)
    test = v4.new_code_cell("assert f(2) == 4")
    test.metadata["nbgrader"] = dict(grade_id="f_tests", grade=True, solution=False, locked=True, points=1,
                                     schema_version=3)
    nb = v4.new_notebook(cells=[cell, test], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                                      "language": "python"}})
    (root / "source" / toy).mkdir(parents=True)
    nbformat.write(nb, root / "source" / toy / "toy.ipynb")
    grading.generate_release(root, [toy])
    (root / "submitted" / "full_0" / toy).mkdir(parents=True)
    nbformat.write(nb, root / "submitted" / "full_0" / toy / "toy.ipynb")
    started = []
    real = cluster._Client

    def counting(*args, **kwargs):
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(cluster, "_Client", counting)
    from autograder.cli import main as cli
    report = tmp_path / "all.csv"
    assert cli(["--root", str(root), "autograde", "--all", "--jobs", "2", "--student", "full_0",
                "--report", str(report), "--no-progress"]) == 0
    assert len(started) == 1
    rows = [(r["assignment"], r["student"], r["score"], r["max_score"]) for r in csv.DictReader(open(report))]
    assert rows == [(toy, "full_0", "1", "1"), (AID, "full_0", "25", "25")]


def test_a_worker_with_other_tests_refuses_to_grade(course):
    """A worker whose checkout differs from the coordinator's (reference, checks, fixtures) grades nothing."""
    task = pipeline.make_task(course, AID, "full_0")
    assert task["digest"] == pipeline.course_digest(ROOT, AID)
    assert not any(str(course) in json.dumps(nb["source"]) for nb in task["notebooks"])
    task["digest"] = "0" * 64
    with pytest.raises(pipeline.CourseMismatch, match="differ from the coordinator's"):
        pipeline.grade_task(task, Limits(), sandbox=True)


def test_autograde_needs_an_id_or_all(course):
    from autograder.cli import main as cli
    with pytest.raises(SystemExit, match="give assignment id"):
        cli(["--root", str(course), "autograde"])
    with pytest.raises(SystemExit, match="give assignment id"):
        cli(["--root", str(course), "autograde", AID, "--all"])


def test_no_scheduler_at_the_address_is_a_clear_message(course, tmp_path):
    root = _copy(course, tmp_path / "c")
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "autograde", AID,
                           "--scheduler", "tcp://127.0.0.1:9", "--student", "full_0"], capture_output=True,
                          text=True, timeout=120, env=dict(os.environ, DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s"))
    assert proc.returncode == 2 and "could not start grading" in proc.stderr, proc.stderr


def test_a_kernel_left_behind_by_a_dead_grader_is_stopped_by_the_next_grading():
    """A grader killed at the instant its sandbox started leaves the kernel running as the user of a slot that
    nobody holds any more; taking a slot stops what runs as such a user, and never what runs in a held slot."""
    from autograder.sandbox import sandbox_slot
    if os.geteuid() != 0:
        pytest.skip("sandboxes get user ids of their own only when grading as root")
    with sandbox_slot() as held:
        uid = FIRST_UID + 3000
        orphan = subprocess.Popen(["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "600"],
                                  start_new_session=True)
        busy = subprocess.Popen(["setpriv", f"--reuid={FIRST_UID + held}", f"--regid={FIRST_UID + held}",
                                 "--clear-groups", "sleep", "600"], start_new_session=True)
        try:
            time.sleep(0.3)
            with sandbox_slot() as other:
                assert other != held
            assert orphan.wait(timeout=10) == -signal.SIGKILL
            assert busy.poll() is None  # its slot is held: a grading's kernel
        finally:
            for proc in (orphan, busy):
                proc.kill()
                proc.wait()

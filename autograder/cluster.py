"""Grading a whole class: one task per submission, on Dask distributed; this process is the only writer.

The coordinator (:func:`grade_class`) turns each submission into a task that holds it as data
(:func:`autograder.autograde.make_task`), sends the tasks to a Dask cluster — a ``LocalCluster`` sized to this
machine, or an existing one at ``--scheduler ADDRESS`` — and records each result in the gradebook as it arrives
(:func:`autograder.autograde.record`, one transaction per student). Workers grade in their own sandboxes and write
nothing of the course; they need only the course's environment (the same checkout, installed the same way).

- A submission graded before, unchanged and with unchanged tests, is skipped (``force=True`` grades it again), so a
  run that was stopped and started again resumes where it was.
- A task whose worker died (killed, out of memory, its machine gone) is sent again, to another worker, at most
  ``retries`` times; then it is reported as not graded. The scheduler of a ``LocalCluster`` retries nothing itself
  (``allowed-failures`` 0), so ``retries`` is the whole count; an external scheduler's own setting is reported.
- ``jobs=1`` without a scheduler grades in this process, one submission after another, with no cluster at all.
- ``gates`` (the canary, :mod:`autograder.canary`): an assignment's gate task, the instructor's solution as a
  submission, goes first, on the same workers, alongside the students' tasks; none of that assignment's results is
  recorded before the gate's judge has passed it, and when it does not pass, none is recorded at all and its
  remaining tasks are not sent.
- Each task runs in :func:`autograder.isolation.fresh_state`: what grading one submission changed of the process's
  global state (Keras, random generators, environment ...) is put back before the next one is graded there.
"""
from __future__ import annotations

import os
import sys
import threading
import uuid
import warnings
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from autograder import autograde as pipeline
from autograder.isolation import fresh_state
from autograder.sandbox import Limits

#: The environment variable that names a Dask scheduler to grade on, as ``--scheduler`` does.
SCHEDULER_ENV = "SEQUENCE_MODELS_SCHEDULER"
#: Times a task is sent again after the worker grading it died.
DEFAULT_RETRIES = 2
#: Memory a worker may need: one sandboxed kernel (Limits.memory_mb, 2 GB) and the grader's side (TensorFlow, the
#: checks; 0.8 GB at most for the course's solutions).
WORKER_MEMORY_GB = 3


@dataclass
class Outcome:
    """What became of one (assignment, student) in this run."""
    results: list | None = None      # the graded notebooks (None: skipped or not graded)
    reused: list | None = None       # the problems recorded when it was graded before (skipped as unchanged)
    failure: str | None = None       # why it could not be graded


@dataclass
class Gate:
    """An assignment's gate: ``task`` (as :func:`autograder.autograde.make_task` makes it) is graded before any of
    the assignment's results is recorded; ``judge(results, error)`` returns None to let them be recorded, or the
    reason to record none of them."""
    task: dict
    judge: Callable


#: What the students of an assignment whose gate did not pass get (the reason is the run's, said once).
GATE_CLOSED = "not graded: the instructor's solution of this assignment did not earn full marks here (see the message)."


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def machine_jobs() -> int:
    """Submissions graded at once on this machine by default: one per CPU core this process may use, no more than
    its memory holds (:data:`WORKER_MEMORY_GB` each)."""
    cores = _cores()
    try:
        import psutil
        by_memory = int(psutil.virtual_memory().total / 2 ** 30 // WORKER_MEMORY_GB)
    except Exception:  # noqa: BLE001 - memory unknown: cores decide
        by_memory = cores
    return max(1, min(cores, by_memory))


def scheduler_address(scheduler: str | None) -> str | None:
    return scheduler or os.environ.get(SCHEDULER_ENV) or None


class _Client:
    """A Dask client on an existing scheduler, or on a LocalCluster of ``jobs`` single-threaded worker processes
    that it starts and stops."""

    def __init__(self, jobs: int, scheduler: str | None):
        import dask
        from distributed import Client, LocalCluster

        self.cluster = None
        self.external = scheduler is not None
        if self.external:
            self.client = Client(scheduler)  # (connect timeout: Dask's distributed.comm.timeouts.connect)
        else:
            with dask.config.set({"distributed.scheduler.allowed-failures": 0,
                                  "distributed.worker.daemon": False,  # (a worker's kernels are its children)
                                  "distributed.logging.distributed": "error"}), warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Port .* is already in use")  # (its health page moves)
                # The grader's side of each worker (the checks, TensorFlow) keeps to one core, as its kernels do.
                self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                            dashboard_address=None, memory_limit=0, silence_logs=40,
                                            env={"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
                                                 "TF_CPP_MIN_LOG_LEVEL": "2"})
            self.client = Client(self.cluster)

    def allowed_failures(self) -> int:
        try:
            return int(self.client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.allowed_failures))
        except Exception:  # noqa: BLE001 - an older or locked-down scheduler: unknown
            return -1

    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def close(self):
        for closing in (self.client, self.cluster):
            if closing is not None:
                try:
                    closing.close()
                except Exception:  # noqa: BLE001 - already gone
                    pass


def _grade_on_worker(task: dict, limits: Limits, sandbox: bool) -> list:
    """The task a worker runs: one submission, graded as data. One at a time per worker process: checks run in it,
    and nothing they change of the process outlives the task."""
    with _ONE_AT_A_TIME, fresh_state():
        return pipeline.grade_task(task, limits, sandbox)


_ONE_AT_A_TIME = threading.Lock()


class _Progress:
    """A tqdm bar over the submissions to grade: graded / failed / remaining, and an ETA."""

    def __init__(self, total: int, enabled: bool | None, file=None):
        from tqdm import tqdm

        file = file or sys.stderr
        if enabled is None:  # a terminal gets the bar; a log file does not
            enabled = hasattr(file, "isatty") and file.isatty()
        self.bar = tqdm(total=total, unit="submission", desc="autograde", disable=not enabled or total == 0,
                        file=file, dynamic_ncols=True, smoothing=0.1)
        self.graded = self.failed = 0
        self.total = total

    def update(self, ok: bool):
        self.graded += ok
        self.failed += not ok
        self.bar.set_postfix(graded=self.graded, failed=self.failed,
                             remaining=self.total - self.graded - self.failed, refresh=False)
        self.bar.update(1)

    def close(self):
        self.bar.close()


def _grader_failed(exc: BaseException) -> str:
    """The report of a grader fault (not the submission's): it costs this student a report, not the run."""
    return (f"the grader failed on this submission ({type(exc).__name__}: {str(exc)[:300]}); it was not graded. "
            f"Run autograde again.")


def grade_class(root: Path, work: list[tuple[str, str]], limits: Limits, sandbox: bool = True, jobs: int | None = None,
                scheduler: str | None = None, force: bool = False, retries: int = DEFAULT_RETRIES,
                progress: bool | None = None, progress_file=None, log=None,
                gates: dict[str, Gate] | None = None) -> dict[tuple[str, str], Outcome]:
    """Grade every (assignment, student) of ``work``, each assignment of ``gates`` after its gate (see the module
    doc). Returns what became of each."""
    root = Path(root)
    log = log or (lambda line: print(line, file=sys.stderr))
    outcomes: dict[tuple[str, str], Outcome] = {}
    todo = []  # (aid, student, fingerprint)
    for aid, student in work:
        notebooks = sorted((root / "submitted" / student / aid).glob("*.ipynb"))
        fingerprint = pipeline._fingerprint(root, aid, notebooks[0]) if notebooks else ""
        reused = None if force or not fingerprint else pipeline.already_graded(root, aid, student, fingerprint)
        if reused is not None:
            outcomes[aid, student] = Outcome(reused=reused)
        else:
            todo.append((aid, student, fingerprint))
    skipped = len(work) - len(todo)
    if skipped:
        log(f"{skipped} submission(s) already graded, unchanged, with unchanged tests: skipped "
            f"(--force grades them again).")
    if not todo:
        return outcomes
    address = scheduler_address(scheduler)
    jobs = jobs or machine_jobs()
    bar = _Progress(len(todo), progress, progress_file)
    gates = {aid: gate for aid, gate in (gates or {}).items() if any(a == aid for a, _, _ in todo)}
    held: dict[str, list] = {aid: [] for aid in gates}  # results waiting for their assignment's gate
    closed: set[str] = set()                            # assignments whose gate did not pass
    todo = [(aid, None, "") for aid in gates] + todo     # (a gate is the task of student None, sent first)

    def finish(aid, student, fingerprint, results=None, failure=None, error=None):
        if student is None:  # the gate's own result: judge it, then record (or drop) what waited for it
            error = error or (None if failure is None else RuntimeError(failure))
            if gates[aid].judge(None if error else results, error) is not None:
                closed.add(aid)
            for waited in held.pop(aid):
                finish(aid, *waited)
            return
        if aid in held:
            held[aid].append((student, fingerprint, results, failure))
            return
        if aid in closed:
            results, failure = None, GATE_CLOSED
        if failure is None:
            pipeline._record_or_report(root, aid, student, results, fingerprint)  # as it arrives: a stop loses nothing
        outcomes[aid, student] = Outcome(results=results, failure=failure)
        bar.update(failure is None and not any("it was not graded" in p for r in results for p in r.problems))

    def task(aid, student):
        return gates[aid].task if student is None else pipeline.make_task(root, aid, student)

    try:
        if address is None and jobs <= 1:
            for aid, student, fingerprint in todo:
                if aid in closed:
                    finish(aid, student, fingerprint, failure=GATE_CLOSED)
                    continue
                try:
                    with fresh_state():
                        results = pipeline.grade_task(task(aid, student), limits, sandbox, root)
                except Exception as exc:  # noqa: BLE001 - a grader fault costs this student a report, not the run
                    finish(aid, student, fingerprint, failure=_grader_failed(exc), error=exc)
                    continue
                finish(aid, student, fingerprint, results)
            return outcomes
        _distributed(todo, task, limits, sandbox, jobs, address, retries, finish, closed, log)
    finally:
        bar.close()
    return outcomes


def _distributed(todo, task, limits, sandbox, jobs, address, retries, finish, closed, log):
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    cluster = _Client(jobs, address)
    try:
        if cluster.external:
            failures = cluster.allowed_failures()
            if not cluster.workers():
                log(f"the scheduler at {address} has no worker yet: grading starts when one joins.")
            log(f"grading on the Dask cluster at {address} ({cluster.workers()} worker(s))"
                + (f"; its scheduler also retries a task whose worker died up to {failures} time(s) itself "
                   f"(allowed-failures)" if failures > 0 else ""))
        # The kernels' math libraries share the cores: a LocalCluster's jobs split this machine's; on a cluster
        # started as the README says, a machine runs one worker per core.
        limits = Limits(**{**limits.__dict__, "threads": 1 if cluster.external else max(1, _cores() // jobs)})
        client = cluster.client
        attempts: dict = {}
        meta: dict = {}

        def submit(aid, student, fingerprint):
            attempts[aid, student] = attempts.get((aid, student), 0) + 1
            future = client.submit(_grade_on_worker, task(aid, student), limits, sandbox,
                                   key=f"grade-{aid}-{student or 'solution'}-{uuid.uuid4().hex[:8]}", pure=False,
                                   retries=0)
            meta[future.key] = (aid, student, fingerprint)
            return future

        # A few tasks per worker in flight, the next sent as one comes back: the coordinator and the scheduler hold
        # a handful of submissions, not the class.
        waiting = deque(todo)

        def send_next():  # the next task still worth grading (an assignment whose gate closed sends no more)
            while waiting:
                aid, student, fingerprint = waiting.popleft()
                if aid not in closed:
                    return submit(aid, student, fingerprint)
                finish(aid, student, fingerprint, failure=GATE_CLOSED)
            return None

        window = max(8, 2 * max(jobs if not cluster.external else 0, cluster.workers()))
        pending = as_completed([f for f in (send_next() for _ in range(min(window, len(waiting)))) if f is not None])
        for future in pending:
            aid, student, fingerprint = meta.pop(future.key)
            sent = send_next()
            if sent is not None:
                pending.add(sent)
            try:
                results = future.result()
            except KilledWorker as exc:
                if attempts[aid, student] <= retries:
                    log(f"{aid} / {student}: the worker grading it died; sent again (try "
                        f"{attempts[aid, student] + 1} of {retries + 1}).")
                    pending.add(submit(aid, student, fingerprint))
                else:
                    finish(aid, student, fingerprint, failure=(
                        f"every worker that graded this submission died ({attempts[aid, student]} tries; the last: "
                        f"{str(exc)[:200]}); it was not graded. A submission that takes its worker down (memory?) "
                        f"needs a look: grade it alone with --student {student} --jobs 1"))
                continue
            except Exception as exc:  # noqa: BLE001 - a grader fault costs this student a report, not the run
                finish(aid, student, fingerprint, failure=_grader_failed(exc), error=exc)
                continue
            finally:
                future.release()
            finish(aid, student, fingerprint, results)
    finally:
        cluster.close()

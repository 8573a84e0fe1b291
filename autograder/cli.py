"""Command line for instructors: ``python -m autograder <command>`` (or ``sequence-models-grade``).

    release [ID ...]        regenerate release/ from source/ (all assignments by default)
    check-release [ID ...]  fail if a committed release differs from what source/ generates
    fixtures [ID ...]       regenerate the public checks' stored expected values from the reference
    check-fixtures [ID ...] fail if a stored fixture file differs from what the reference computes
    autograde ID [ID ...] | --all  [--student S ...] [--jobs N | --scheduler ADDRESS] [--force]
              [--retries N] [--report FILE] [--no-progress] [--no-canary] [--unsafe-no-sandbox]
                            autograde submitted/<student>/ID/, each submission in a sandbox, as tasks on a
                            Dask LocalCluster of N workers (default: sized to this machine; N=1: in this
                            process) or on the cluster at ADDRESS (or $SEQUENCE_MODELS_SCHEDULER); first,
                            the instructor's solution is graded the same way (once per change of the course
                            or of this environment) and an assignment where it loses points is not graded
                            (exit status 2, with what differs)
    regrade ID --student S --function NAME --reason TEXT
                            a regrade request: grade S's submission of ID again (forced), print NAME's score
                            before and after, and append the request to regrade_requests.jsonl
    feedback ID             write feedback/<student>/ID/*.html
    report ID [ID ...] | --all [--threshold T] [--out DIR]
                            the class report of each assignment, one offline HTML page (reports/ID.html):
                            scores, the mistakes the checks named, grading health, and pairs of submissions
                            whose own code is unusually similar (at or above T; evidence to review)
    export [--format csv|canvas|moodle] [--to FILE]
                            write every grade to a file that the LMS's gradebook import reads (canvas:
                            grades-canvas.csv, moodle: grades-moodle.csv) or, csv, a table with a column per
                            assignment and per graded function (grades.csv); roster.csv maps the student ids
    student-export DIR      write what students get (release notebooks, helpers, data, Binder files) into DIR
    mutants ID [ID ...] [--function NAME ...] [--seconds S]
                            make wrong versions of each graded function's solution and report how many the
                            public check kills, how many only the hidden tests kill, which survive and which
                            are equivalent (agree with the solution on the reference's probes); and whether the
                            public check catches and names each classic mistake the reference lists
                            (written to benchmarks/results/mutants_ID.json as well)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from autograder import grading
from autograder.canary import CanaryFailed
from checks.paths import COURSE_ROOT


def _root(arg: str | None) -> Path:
    root = Path(arg).resolve() if arg else (Path.cwd() if (Path.cwd() / "nbgrader_config.py").exists() else COURSE_ROOT)
    if not (root / "nbgrader_config.py").exists():
        sys.exit(f"{root} is not the course directory (no nbgrader_config.py there); pass --root.")
    return root


def _known(root: Path, ids: list[str]) -> list[str]:
    known = grading.assignment_ids(root)
    unknown = [i for i in ids if i not in known]
    if unknown:
        sys.exit(f"Unknown assignment id(s) {unknown}; the course has: {', '.join(known)}")
    return ids or known


def _course_files_problem(root: Path) -> str | None:
    """What is wrong with the instructor's deadlines file or roster (grading records both), or None."""
    from autograder import deadlines, roster
    try:
        deadlines.load(root, grading.assignment_ids(root))
        roster.load_roster(root)
    except (deadlines.DeadlineFileError, roster.RosterError) as exc:
        return str(exc)
    return None


def _autograde(root: Path, args) -> int:
    import time

    if bool(args.ids) == args.all:
        sys.exit("autograde: give assignment id(s) or --all (not both); the course has: "
                 + ", ".join(grading.assignment_ids(root)))
    ids = _known(root, [] if args.all else args.ids)
    problem = _course_files_problem(root)
    if problem:  # found before grading, not as every submission's "not graded" after it
        sys.exit(f"autograde: {problem}")
    if args.unsafe_no_sandbox:
        print("WARNING: --unsafe-no-sandbox: student code runs WITHOUT the sandbox, with your user's rights, "
              "and can read and change your files and other students' work. Use it only for a trusted class.",
              file=sys.stderr)
    started = time.monotonic()
    refused: dict[str, str] = {}
    try:
        reports = grading.autograde_many(root, ids, args.student or None, jobs=args.jobs,
                                         sandbox=not args.unsafe_no_sandbox, scheduler=args.scheduler,
                                         force=args.force, retries=args.retries,
                                         progress=False if args.no_progress else None,
                                         canary=False if args.no_canary else None)
    except CanaryFailed as exc:  # the other assignments were graded
        reports, refused = exc.reports, exc.messages
    except (grading.SandboxUnavailable, grading.ReleaseMissing) as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nStopped. Every grade recorded so far is kept; run the same command again to grade the rest "
              "(what was graded is skipped).", file=sys.stderr)
        return 130
    except OSError as exc:  # no scheduler at the address given, and the like
        print(f"autograde: could not start grading: {exc}", file=sys.stderr)
        return 2
    for aid, rs in reports.items():
        if rs:
            print(grading.format_reports(aid, rs))
    nobody = grading.no_submissions(reports)
    if nobody:
        print(nobody)
    print(grading.summary(reports, time.monotonic() - started, list(refused)))
    if args.report:
        grading.write_report(Path(args.report), reports, root)
        print(f"report written to {args.report}")
    for message in refused.values():
        print(f"\n{message}", file=sys.stderr)
    return 0 if not refused and all(r.graded for rs in reports.values() for r in rs) else 2


REQUESTS = "regrade_requests.jsonl"  # the course's record of regrade requests, one JSON object a line


def _graded_cells(root: Path, aid: str) -> list[str]:
    """The grade ids of ``aid``'s graded cells, in the order of its release notebooks."""
    import nbformat
    return [cell.metadata["nbgrader"]["grade_id"] for path in sorted((root / "release" / aid).glob("*.ipynb"))
            for cell in nbformat.read(path, as_version=4).cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata["nbgrader"].get("grade_id")]


def _grade_state(root: Path, aid: str, student: str, gid: str) -> dict | None:
    """One graded cell of a student's recorded submission: the score counted, the automatic and the manual
    score and the maximum; None when nothing is recorded."""
    from nbgrader.api import Gradebook, MissingEntry

    if not (root / "gradebook.db").exists():
        return None
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        try:
            sub = gb.find_submission(aid, student)
        except MissingEntry:
            return None
        for nb in sub.notebooks:
            for g in nb.grades:
                if g.name == gid:
                    return {"score": g.score, "auto_score": g.auto_score, "manual_score": g.manual_score,
                            "max_score": g.max_score}
    return None


def _regrade(root: Path, args) -> int:
    """Grade one student's submission again for a request about one graded function, record the request in
    regrade_requests.jsonl and print that function's score before and after."""
    import datetime
    import json

    from autograder.autograde import MARKER

    aid = _known(root, [args.id])[0]
    student, reason = args.student, " ".join(args.reason.split())
    if not reason:
        sys.exit("regrade: give the student's reason (REASON=\"...\"); it is recorded with the request.")
    students = grading.submitted_students(root, aid)
    if student not in students:
        sys.exit(f"regrade: {student!r} has no submission of {aid} (submitted/{student}/{aid}/ does not exist); the "
                 f"students of {aid}: {', '.join(students) or 'none yet'}.")
    cells = _graded_cells(root, aid)
    gid = next((g for g in (args.function, f"{args.function}_tests") if g in cells), None)
    if gid is None:
        functions = [g[:-len("_tests")] if g.endswith("_tests") else g for g in cells]
        sys.exit(f"regrade: {args.function!r} is not a graded function of {aid}; give one of: {', '.join(functions)}"
                 f" (or its grade id, e.g. {cells[0] if cells else '<name>_tests'}).")
    problem = _course_files_problem(root)  # before grading: a malformed file would stop the recording
    if problem:
        sys.exit(f"regrade: {problem}")
    before = _grade_state(root, aid, student, gid)
    # The student's own marker goes, so the submission is graded again (the canary runs only when it is due, as
    # in `make autograde`); the marker is written anew when the grade is recorded.
    (root / "autograded" / student / aid / MARKER).unlink(missing_ok=True)
    try:
        (report,) = grading.autograde(root, aid, [student], jobs=1, sandbox=not args.unsafe_no_sandbox)
    except CanaryFailed as exc:
        print(next(iter(exc.messages.values()), ""), file=sys.stderr)
        print("regrade: nothing was graded or recorded; fix the grading environment and ask again.", file=sys.stderr)
        return 2
    except (grading.SandboxUnavailable, grading.ReleaseMissing) as exc:
        print(exc, file=sys.stderr)
        return 2
    after = _grade_state(root, aid, student, gid) if report.graded else None
    entry = {"time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
             "student": student, "assignment": aid, "function": gid[:-len("_tests")] if gid.endswith("_tests") else gid,
             "grade_id": gid, "reason": reason, "before": before, "after": after, "status": report.status,
             "problems": report.problems}
    with open(root / REQUESTS, "a", encoding="utf-8") as log:  # appended to, never rewritten
        log.write(json.dumps(entry) + "\n")

    def shown(state):
        if state is None:
            return "no grade"
        text = f"{state['score']:g} / {state['max_score']:g}"
        if state["manual_score"] is not None:
            auto = "none" if state["auto_score"] is None else f"{state['auto_score']:g}"
            text += f" (your manual score; automatic {auto})"
        return text

    print(grading.format_reports(aid, [report]))
    print(f"{aid}: {student}'s {entry['function']}: before {shown(before)}, after {shown(after)}.")
    print(f"The request is recorded in {root / REQUESTS}.")
    return 0 if report.graded else 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", help="course directory (default: the one holding nbgrader_config.py)")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("release", "check-release", "fixtures", "check-fixtures"):
        sub.add_parser(name).add_argument("ids", nargs="*")
    p = sub.add_parser("autograde")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every assignment of the course, on one cluster")
    p.add_argument("--student", action="append", default=[])
    p.add_argument("--jobs", type=int, default=None,
                   help="workers of the local cluster (default: one per CPU core, as memory allows; 1: no cluster)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="grade on the Dask cluster whose scheduler is at ADDRESS (default: $SEQUENCE_MODELS_SCHEDULER;"
                        " unset: a local cluster)")
    p.add_argument("--force", action="store_true",
                   help="grade again what was graded before and has not changed, the instructor's solution too")
    p.add_argument("--retries", type=int, default=None,
                   help="times a submission is sent again after its worker died (default 2)")
    p.add_argument("--report", metavar="FILE", help="also write the per-student table as CSV to FILE")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-canary", action="store_true",
                   help="do not grade the instructor's solution first to check this machine's grading environment "
                        "(only when you know why it loses points here)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="UNSAFE: run student code without the bubblewrap sandbox (only for a trusted class)")
    p = sub.add_parser("regrade", help="grade one student's submission again for a regrade request")
    p.add_argument("id", metavar="ID")
    p.add_argument("--student", required=True)
    p.add_argument("--function", required=True, help="the graded function (or its grade id) the request is about")
    p.add_argument("--reason", required=True, help="the student's reason, recorded with the request")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="UNSAFE: run student code without the bubblewrap sandbox (only for a trusted class)")
    sub.add_parser("feedback").add_argument("id")
    p = sub.add_parser("report")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="every assignment of the course")
    p.add_argument("--threshold", type=float, default=None,
                   help="flag pairs of submissions at least this similar (0 to 1; default: autograder.similarity's)")
    p.add_argument("--out", default=None, metavar="DIR", help="folder of the pages (default: reports/)")
    p = sub.add_parser("export")
    p.add_argument("--format", choices=("csv", "canvas", "moodle"), default="csv",
                   help="canvas or moodle: that LMS's gradebook import; csv: per assignment and per graded function")
    p.add_argument("--to", metavar="FILE", help="default: grades.csv, grades-canvas.csv or grades-moodle.csv")
    sub.add_parser("student-export").add_argument("dir")
    p = sub.add_parser("mutants")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.add_argument("--function", action="append", default=[], metavar="NAME", help="only this graded function")
    p.add_argument("--seconds", type=float, default=60.0, help="time limit of one test cell run on one mutant")
    args = parser.parse_args(argv)
    root = _root(args.root)
    # nbgrader starts `alembic` (and kernels) by name: this environment's tools, activated or not.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])

    if args.command == "release":
        for path in grading.generate_release(root, _known(root, args.ids)):
            print(f"wrote {path.relative_to(root)}")
    elif args.command == "check-release":
        stale = []
        with tempfile.TemporaryDirectory() as tmp:
            for aid in _known(root, args.ids):
                stale += grading.release_is_stale(root, aid, Path(tmp) / aid)
        if stale:
            print("Stale release notebooks (run `python -m autograder release` and commit):\n  " + "\n  ".join(stale))
            print("If you worked through the course in release/, your answers are in those notebooks and regenerating "
                  "replaces them: move them into work/ first (where `make lab` keeps a learner's copies, which no "
                  "check reads), then run `git checkout -- release`.")
            return 1
        print("release/ is in sync with source/.")
    elif args.command in ("fixtures", "check-fixtures"):
        from autograder import reference  # instructor-only: not in the student distribution
        ids = [aid for aid in _known(root, args.ids) if grading.has_reference(aid)]
        if args.command == "fixtures":
            for aid in ids:
                print(f"wrote {reference.write_fixtures(aid, root).relative_to(root)}")
        else:
            stale = [aid for aid in ids if reference.fixtures_are_stale(aid, root)]
            if stale:
                print("Stale fixtures (run `python -m autograder fixtures` and commit):\n  " + "\n  ".join(stale))
                return 1
            print("Every fixture file matches the reference.")
    elif args.command == "autograde":
        return _autograde(root, args)
    elif args.command == "regrade":
        return _regrade(root, args)
    elif args.command == "report":
        from autograder import report, similarity
        if bool(args.ids) == args.all:
            sys.exit("report: give assignment id(s) or --all (not both); the course has: "
                     + ", ".join(grading.assignment_ids(root)))
        threshold = similarity.DEFAULT_THRESHOLD if args.threshold is None else args.threshold
        if not 0 <= threshold <= 1:
            sys.exit(f"report: the threshold is a similarity between 0 and 1, not {threshold}.")
        for aid in _known(root, [] if args.all else args.ids):
            path = report.write_report(root, aid, Path(args.out) if args.out else None, threshold)
            print(f"wrote {path}")
    elif args.command == "feedback":
        pages = grading.generate_feedback(root, _known(root, [args.id])[0])
        print(f"{len(pages)} feedback page(s) written under {root / 'feedback'}")
    elif args.command == "student-export":
        from autograder.student_export import export
        try:
            files = export(root, Path(args.dir))
        except FileExistsError as exc:
            sys.exit(str(exc))
        print(f"wrote the student distribution ({len(files)} files) to {args.dir}; publish it as its own "
              f"repository for Binder (see the instructor guide in README.md).")
    elif args.command == "mutants":
        from autograder import mutants
        for aid in _known(root, args.ids):
            def progress(name, entry):
                print(f"  {name}: {entry['made']} mutants, {entry['survived']} survived, {entry['equivalent']} "
                      f"equivalent; {entry['mistakes_named']}/{entry['mistakes']} classic mistakes named "
                      f"({entry['seconds']} s)", file=sys.stderr, flush=True)
            try:
                report = mutants.run(root, aid, args.function or None, args.seconds, progress)
            except KeyError as exc:
                sys.exit(str(exc.args[0]))
            print(mutants.format_report(report))
            print(f"written to {mutants.write_report(report, root / 'benchmarks' / 'results')}\n")
    elif args.command == "export":
        from autograder import lms
        from autograder.roster import RosterError
        try:
            path, notes = lms.export(root, args.format, Path(args.to) if args.to else None)
        except RosterError as exc:
            sys.exit(str(exc))
        for note in notes:
            print(note)
        print(f"{args.format} grades written to {path}")
    return 0

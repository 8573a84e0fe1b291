"""How long the class report takes for a large class: 500 submissions' records, then ``report.write_report`` timed.

    .venv/bin/python benchmarks/report_500.py [--students 500] [--keep DIR]

Nothing is graded: a scratch course (w1a1's source and release) gets a gradebook with the assignment and a score
for every graded cell of every student, and for each student the records that grading leaves: the autograded
notebook (five graded functions written in one of several styles of ``similarity_class.py``, or left unfinished;
each graded test cell with its pass line, or its failure's sentence and mistake id) and ``.grading.json``
(problems: limits hit, restored cells, a notebook that could not be read; seconds). Seeded. Printed: the time to
write the report (the target: under 60 s on 2 cores), its size, and how many pairs were compared and flagged;
written to benchmarks/results/report_500.json. :func:`build_class` also makes the small classes of
tests/test_report.py.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograder import remote  # noqa: E402
from benchmarks._results import write_result  # noqa: E402
import similarity_class  # noqa: E402

AID = similarity_class.AID
NOTEBOOK = similarity_class.NOTEBOOK

# Per graded function: the mistakes a synthetic class makes, as (mistake id, sentence with {v} for a value).
MISTAKES = {
    "rnn_cell_forward": [
        ("week1.rnn_checks.check_rnn_cell_forward:the-bias-ba-is-missing",
         "a_next: wrong values, exactly those a known mistake gives; likely cause: the bias ba is missing."),
        ("week1.rnn_checks.check_rnn_cell_forward:a_next-shape:the-axes-are-swapped-check-for-a-transposed",
         "a_next: expected shape (5, {v}) but got shape ({v}, 5); the axes are swapped: check for a transposed "
         "matrix."),
    ],
    "rnn_forward": [
        ("week1.rnn_checks.check_rnn_forward:a-value",
         "a: expected 0.{v} at index (1, 2, 3) but got 0.5 (largest difference 0.{v})."),
    ],
    "lstm_cell_forward": [
        ("week1.rnn_checks.check_lstm_cell_forward:the-forget-gate-multiplies-the-new-candidate",
         "c_next: wrong values, exactly those a known mistake gives; likely cause: the forget gate multiplies the new "
         "candidate."),
        ("week1.rnn_checks.check_lstm_cell_forward:lstm_cell_forward-raised-valueerror",
         "lstm_cell_forward raised ValueError: shapes ({v},10) and (8,10) not aligned (in lstm_cell_forward, line "
         "{v} of its cell)."),
    ],
    "gru_cell_forward": [
        ("hidden:assert:the-reset-gate-must-act-on-a_prev-before-the-candidate",
         "the reset gate must act on a_prev before the candidate (case {v})."),
    ],
    "rnn_cell_backward": [
        ("week1.rnn_checks.check_rnn_cell_backward:dba-gradient",
         "dba: expected a relative error below 1e-07 against the numerical gradient but got a relative error of "
         "0.{v}."),
    ],
}
PROBLEMS = [
    "{nb}: rnn_forward_tests: the grader's work for this cell passed the per-cell time limit of 120 s (an answer of "
    "the notebook's that takes too much to decode or check?); it scores 0.",
    "{nb}: cell 12 ran out of memory (MemoryError: Unable to allocate 3.1 GiB); the notebook's processes together "
    "passed its memory limit of 2,048 MB.",
    "{nb}: the notebook's output passed the limit of 16384 kB; later output was dropped.",
    "{nb}: the deleted locked cell rnn_forward_tests was restored.",
    "{nb}: a copy of the locked cell setup was dropped.",
]


def _release() -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "release" / AID / NOTEBOOK, as_version=4)


def _meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def _register(root: Path, release: nbformat.NotebookNode) -> dict:
    """The assignment, its notebook and graded cells in the gradebook: {grade id: points}."""
    from nbgrader.api import Gradebook

    cells = {_meta(c)["grade_id"]: float(_meta(c).get("points", 0)) for c in release.cells
             if _meta(c).get("grade") and _meta(c).get("locked") and _meta(c).get("grade_id")}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.add_assignment(AID)
        gb.add_notebook(Path(NOTEBOOK).stem, AID)
        for gid, points in cells.items():
            gb.add_grade_cell(gid, Path(NOTEBOOK).stem, AID, max_score=points, cell_type="code")
    return cells


def _student(rng: random.Random, release, cells: dict, name: str, folder: Path, profile: dict) -> dict:
    """Write one student's autograded notebook and record; their scores."""
    code = {}
    for k, function in enumerate(similarity_class.FUNCTIONS):
        if rng.random() < profile.get("unfinished", 0.1):
            continue
        styles = similarity_class.STYLES[function]
        code[function] = styles[rng.randrange(len(styles))]
    nb = similarity_class.notebook_of(code)
    scores = {}
    for cell in nb.cells:
        meta = _meta(cell)
        gid = meta.get("grade_id")
        if gid not in cells:
            continue
        function = gid.removesuffix("_tests")
        cell.execution_count = 1
        if function in code and rng.random() > profile.get("wrong", 0.25):
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=f"\u2714 {function}: all checks passed.\n")]
            scores[gid] = cells[gid]
            continue
        if function not in code:
            mistake, sentence = "unfinished", f"{function}: Not implemented yet."
            ename = "NotImplementedError"
        else:
            mistake, sentence = rng.choice(MISTAKES.get(function, [(f"error:{function}", f"{function} failed.")]))
            sentence = sentence.format(v=rng.randrange(10, 99))
            ename = "AssertionError" if mistake.startswith("hidden") else "CheckFailed"
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=sentence,
                                               traceback=[f"\u2718 {sentence}"]),
                        remote.mistake_output(mistake)]
        scores[gid] = 0.0
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / NOTEBOOK)
    problems = [p.format(nb=NOTEBOOK) for p in PROBLEMS if rng.random() < profile.get("problems", 0.03)]
    (folder / ".grading.json").write_text(json.dumps({
        "fingerprint": "synthetic", "problems": problems,
        "seconds": {Path(NOTEBOOK).stem: round(rng.uniform(8, 40), 2)}}))
    return scores


def build_class(root: Path, students: int = 500, seed: int = 0, profile: dict | None = None) -> Path:
    """A scratch course in ``root`` with ``students`` submissions' records of w1a1 (see the module doc)."""
    from nbgrader.api import Gradebook

    rng = random.Random(seed)
    profile = profile or {}
    bin_dir = str(Path(sys.executable).parent)  # nbgrader starts `alembic` by name: this environment's
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "nbgrader_config.py", root)
    for part in ("source", "release"):
        shutil.copytree(ROOT / part / AID, root / part / AID, dirs_exist_ok=True)
    release = _release()
    cells = _register(root, release)
    scores = {}
    for i in range(students):
        name = f"student{i:04d}"
        scores[name] = _student(rng, release, cells, name, root / "autograded" / name / AID, profile)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Object of type")  # nbgrader's, as in autograde.record
        real_commit = gb.db.commit
        gb.db.commit = gb.db.flush  # one transaction for the class
        try:
            for name, got in scores.items():
                gb.update_or_create_student(name)
                gb.add_submission(AID, name)
                for gid, score in got.items():
                    gb.find_grade(gid, Path(NOTEBOOK).stem, AID, name).auto_score = score
        finally:
            gb.db.commit = real_commit
        gb.db.commit()
    return root


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=500)
    parser.add_argument("--keep", metavar="DIR", help="build the class in DIR and keep it (default: a scratch folder)")
    args = parser.parse_args(argv)
    from autograder import report

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(args.keep) if args.keep else Path(scratch) / "course"
        started = time.perf_counter()
        build_class(root, args.students)
        built = time.perf_counter() - started
        started = time.perf_counter()
        path = report.write_report(root, AID)
        seconds = time.perf_counter() - started
        page = path.read_text(encoding="utf-8")
        result = {"students": args.students, "build_seconds": round(built, 1), "report_seconds": round(seconds, 1),
                  "html_bytes": len(page.encode()), "flagged_pairs": page.count('<div class=pair>'),
                  "target_seconds": 60}
    print(f"{args.students} submissions: report written in {seconds:.1f} s (target: under 60 s on 2 cores), "
          f"{result['html_bytes'] / 1e6:.2f} MB of HTML (class built in {built:.0f} s, untimed)")
    out = write_result("report_500.json", result)
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

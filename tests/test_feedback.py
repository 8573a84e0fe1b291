"""Feedback pages a student can read: each test cell's outcome labelled (public check, then hidden tests, then the
score), long messages wrapped, the graded functions named in the contents, and nothing of the grader's in
feedback/ (no hidden test code, no .grading.json or other dot-file), on every run and for every student."""
from __future__ import annotations

import re
import shutil

import nbformat
import pytest

from autograder import grading
from autograder.autograde import MARKER
from autograder.cli import main as cli
from autograder.nbgrader_ext import outcome_lines, private_files, graded_functions
from course import ROOT, nbgrader_meta, scratch_course

AID = "w1a1_rnn_step_by_step"
FUNC = "rnn_cell_forward"
# Right for the public check's 10 examples, wrong for the hidden test's 2: only the hidden test catches it.
HIDDEN_ONLY_BUG = f"""
_correct_{FUNC} = {FUNC}
def {FUNC}(xt, a_prev, parameters):
    a_next, yt_pred, cache = _correct_{FUNC}(xt, a_prev, parameters)
    if xt.shape[1] < 5:  # wrong for a small batch only
        yt_pred = yt_pred[:, ::-1].copy()
    return a_next, yt_pred, cache
"""


def _cell(nb, gid):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == gid)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One correct submission and one whose hidden test fails while its public check passes, graded (jobs=1), and
    their feedback written by `python -m autograder feedback` (what `make feedback` runs)."""
    root = scratch_course(tmp_path_factory.mktemp("feedback"), AID)
    shutil.copytree(ROOT / "release" / AID, root / "release" / AID)  # the committed release: no need to rebuild it
    (src,) = (root / "source" / AID).glob("*.ipynb")
    source = nbformat.read(src, as_version=4)
    for student in ("correct", "hidden_bug"):
        nb = nbformat.read(src, as_version=4)
        if student == "hidden_bug":
            _cell(nb, FUNC).source += "\n" + HIDDEN_ONLY_BUG
        (root / "submitted" / student / AID).mkdir(parents=True)
        nbformat.write(nb, root / "submitted" / student / AID / src.name)
    reports = {r.student: r for r in grading.autograde(root, AID, jobs=1)}
    # What else could sit in an autograded folder next to the grader's record: a dot-folder and a dot-file.
    (root / "autograded" / "correct" / AID / ".notes").mkdir()
    (root / "autograded" / "correct" / AID / ".notes" / "todo.txt").write_text("instructor only")
    (root / "autograded" / "hidden_bug" / AID / ".scratch.json").write_text("{}")
    assert cli(["--root", str(root), "feedback", AID]) == 0
    pages = {s: (root / "feedback" / s / AID / f"{src.stem}.html").read_text(encoding="utf-8")
             for s in ("correct", "hidden_bug")}
    return {"root": root, "source": source, "reports": reports, "pages": pages, "stem": src.stem}


def _outcome(page: str, func: str) -> str:
    """The text of the labelled outcome block of ``func``'s test cell in a page (tags removed)."""
    match = re.search(rf'<div class="test-outcome[^"]*"><p>Test of <code>{func}</code></p>(.*?)</div>', page, re.S)
    assert match, f"no outcome block for {func}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_public_result_then_hidden_result_then_score(course):
    """The planted bug costs the hidden test's points only; its cell says so in order, and no pass line sits
    unlabelled above the failure."""
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in course["source"].cells
              if nbgrader_meta(c).get("grade")}
    assert course["reports"]["correct"].score == sum(points.values())
    assert course["reports"]["hidden_bug"].score == sum(points.values()) - points[f"{FUNC}_tests"]
    failed = _outcome(course["pages"]["hidden_bug"], FUNC)
    public, hidden, score = (failed.index(label) for label in ("Public check:", "Hidden tests:", "Score:"))
    assert public < hidden < score, failed
    assert re.search(r"Public check: \u2714 passed: rnn_cell_forward \(.*\): all checks passed\.", failed), failed
    assert re.search(r"Hidden tests: \u2718 failed: .*yt_pred: expected", failed), failed
    assert "Score: 0 / 2" in failed, failed
    page = course["pages"]["hidden_bug"]
    assert "\u2714 rnn_cell_forward" not in page and 'class="output_error' not in page
    passed = _outcome(course["pages"]["correct"], FUNC)
    assert "Public check: \u2714 passed" in passed and "Hidden tests: \u2714 passed." in passed
    assert "Score: 2 / 2" in passed
    # Every public check's pass line is still shown, once; no hidden test code is.
    public_checks = sum(len(re.findall(r"^check_", c.source.split("### BEGIN HIDDEN TESTS")[0], re.M))
                        for c in course["source"].cells if nbgrader_meta(c).get("grade"))
    assert course["pages"]["correct"].count("all checks passed") == public_checks
    for cell in course["source"].cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden_code = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0].strip()
            assert all(hidden_code.splitlines()[0] not in page for page in course["pages"].values())
    assert all("HIDDEN TESTS" not in page for page in course["pages"].values())


def test_long_messages_wrap_in_the_page_itself(course):
    """The outputs' and errors' text wraps (a rule of the page's own CSS), and the page loads nothing."""
    for page in course["pages"].values():
        style = " ".join(re.findall(r"<style[^>]*>(.*?)</style>", page, re.S))
        rules = re.findall(r"([^{}]*)\{([^}]*)\}", style)
        wrapping = [selectors for selectors, body in rules if re.search(r"white-space:\s*pre-wrap", body)
                    and re.search(r"overflow-wrap:\s*anywhere", body)]
        assert any("div.output_error pre" in s and "div.output_area pre" in s for s in wrapping), wrapping
        assert "mathjax" not in page.lower() and not re.search(r'<(link|script)[^>]+(href|src)="https?:', page)


def test_contents_name_each_graded_function(course):
    names = graded_functions(course["source"])
    assert names[f"{FUNC}_tests"] == FUNC and len(names) > 5
    for page in course["pages"].values():
        contents = page.split('<div id="toc">')[1].split("</ol>")[0]
        assert ">Test cell<" not in contents
        for gid, name in names.items():
            assert f'<a href="#{gid}">Test of <code>{name}</code></a>' in contents


def _files(root):
    return sorted(str(p.relative_to(root)) for p in (root / "feedback").rglob("*") if p.is_file())


def test_no_grader_file_reaches_feedback_on_any_run(course):
    root = course["root"]
    assert (root / "autograded" / "hidden_bug" / AID / MARKER).is_file()  # nbgrader would copy it
    expected = [f"feedback/{s}/{AID}/{course['stem']}.html" for s in ("correct", "hidden_bug")]
    assert _files(root) == expected
    # Again, through plain nbgrader (what Formgrader's feedback button runs): its post-convert hook clears them too.
    grading.nbgrader(root, "generate_feedback", AID, "--force")
    assert _files(root) == expected
    assert "Test of <code>" in (root / expected[0]).read_text(encoding="utf-8")


def test_a_grader_file_left_in_feedback_is_removed_for_every_student(course):
    """A feedback folder written before (by an older version, or copied by hand) is cleared too."""
    root = course["root"]
    stale = [root / "feedback" / "correct" / "other_assignment" / MARKER, root / "feedback" / "hidden_bug" / ".x"]
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}")
    grading._clear_feedback(root)
    assert not any(p.exists() for p in stale)
    assert not private_files(root / "feedback") and len(_files(root)) == 2


def _test_cell(source, outputs, score, points=2):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "f_tests", "points": points,
                                 "score": score}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


PASS = {"output_type": "stream", "name": "stdout", "text": "\u2714 f (n=3): all checks passed.\n"}
FAIL = {"output_type": "error", "ename": "CheckFailed", "evalue": "f: wrong.", "traceback": ["\u2718 f: wrong."]}
CELL = "check_f(f, n=3)\n### BEGIN HIDDEN TESTS\ncheck_f(f, n=7)\n### END HIDDEN TESTS"


def test_a_failing_public_check_is_labelled_as_such():
    lines = outcome_lines(_test_cell(CELL, [FAIL], 0))
    assert lines == [("Public check", "bad", "failed: f: wrong."),
                     ("Hidden tests", "none", "not run: they run once the public check passes."),
                     ("Score", "bad", "0 / 2")]
    hidden = outcome_lines(_test_cell(CELL, [PASS, FAIL], 0))
    assert [state for _, state, _ in hidden] == ["ok", "bad", "bad"] and hidden[1][2].endswith("f: wrong.")
    no_hidden = outcome_lines(_test_cell("check_f(f, n=3)", [PASS], 2))
    assert [label for label, _, _ in no_hidden] == ["Public check", "Score"]
    assert outcome_lines(_test_cell("check_f(f, n=3)", [FAIL], 0))[0] == ("Public check", "bad", "failed: f: wrong.")
    assert outcome_lines(_test_cell("check_f(f, n=3)", [PASS], 0))[0][1] == "bad"  # no message, yet no points


def test_the_mistake_id_output_is_not_shown_to_the_student():
    """A failed cell's mistake id (an empty output, for the instructor's report) is dropped: the block is all the
    student sees of the failure, with no empty box below it."""
    from autograder.nbgrader_ext import CheckOutcomes
    from autograder.remote import mistake_output

    cell = _test_cell(CELL, [PASS, FAIL, mistake_output("hidden:assert:wrong")], 0)
    cell, _ = CheckOutcomes().preprocess_cell(cell, {}, 0)
    assert len(cell.outputs) == 1 and "Hidden tests" in str(cell.outputs[0])

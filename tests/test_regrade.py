"""A regrade request (`python -m autograder regrade`, `make regrade`): one student, one function, with its reason."""
from __future__ import annotations

import json

import pytest

from autograder import grading
from autograder.cli import main as cli
from test_manual_grades import AID, submit, toy_notebook, toy_root  # noqa: F401 - toy_root is a fixture


@pytest.fixture(scope="module")
def requests(toy_root):
    """reggie's g is wrong when first graded; the student fixes it and asks for a regrade of g; then asks again
    with nothing changed."""
    root = toy_root
    submit(root, "reggie", toy_notebook(body_g="return x - 1"))
    (first,) = grading.autograde(root, AID, ["reggie"], jobs=1)
    submit(root, "reggie", toy_notebook())
    runs = []
    for reason in ("I fixed the sign of g; please look again.", "Asking once more."):
        exit_code = cli(["--root", str(root), "regrade", AID, "--student", "reggie", "--function", "g",
                         "--reason", reason])
        runs.append(exit_code)
    lines = (root / "regrade_requests.jsonl").read_text().splitlines()
    return {"root": root, "first": first, "exits": runs, "log": [json.loads(line) for line in lines]}


def test_the_request_is_graded_and_recorded_with_its_reason_and_scores(requests):
    assert requests["first"].score == 2 and requests["exits"] == [0, 0]
    first, second = requests["log"]
    assert (first["student"], first["assignment"], first["function"], first["grade_id"]) == ("reggie", AID, "g",
                                                                                             "g_tests")
    assert first["reason"] == "I fixed the sign of g; please look again."
    assert (first["before"]["score"], first["after"]["score"], first["after"]["max_score"]) == (0, 1, 1)
    assert first["time"].endswith("+00:00") and first["status"] == "graded"
    # forced: the unchanged submission is graded again, not skipped
    assert second["status"] == "graded" and (second["before"]["score"], second["after"]["score"]) == (1, 1)
    assert grading.scores(requests["root"], AID, "reggie") == {"f_tests": 2, "g_tests": 1}


def test_the_command_prints_before_and_after(toy_root, capsys):
    submit(toy_root, "rita", toy_notebook(body_f="return x"))
    assert cli(["--root", str(toy_root), "regrade", AID, "--student", "rita", "--function", "f_tests",
                "--reason", "f looks right to me"]) == 0
    out = capsys.readouterr().out
    assert f"{AID}: rita's f: before no grade, after 0 / 2." in out
    assert "regrade_requests.jsonl" in out


@pytest.mark.parametrize("args, said", [
    (["--student", "nobody", "--function", "f"], "'nobody' has no submission of toy"),
    (["--student", "reggie", "--function", "h"], "'h' is not a graded function of toy; give one of: f, g"),
    (["--student", "reggie", "--function", "f", "--reason", "  "], "give the student's reason"),
])
def test_a_request_that_cannot_be_served_says_why(requests, args, said):
    if "--reason" not in args:
        args = args + ["--reason", "why not"]
    before = (requests["root"] / "regrade_requests.jsonl").read_text()
    with pytest.raises(SystemExit) as stop:
        cli(["--root", str(requests["root"]), "regrade", AID, *args])
    assert said in str(stop.value.code)
    assert (requests["root"] / "regrade_requests.jsonl").read_text() == before  # nothing recorded

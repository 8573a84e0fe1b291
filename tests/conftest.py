"""Settings for the whole test session."""
import os
import re

import pytest

from autograder.canary import ENV_VAR as CANARY
from checks.assertions import CheckFailed
from course import execute_copy
from notebook_code import notebook_path

# The canary grades each assignment's solution once more before a class is graded (autograder/canary.py). The tests'
# scratch courses hold the course's own solutions, so every test that grades would pay for that grading and prove
# nothing new: it is off for the session (and the processes it starts); tests/test_canary.py turns it on for itself.
os.environ[CANARY] = "0"


@pytest.fixture(scope="session")
def executed_source(tmp_path_factory):
    """``get(aid)`` -> (the source notebook of ``aid`` run top to bottom in a fresh kernel, the folder it ran in: a
    copy of the notebook alone, in a scratch folder). Each notebook runs once per session: the test that it runs
    clean and the tests that read its outputs share that run."""
    runs = {}

    def get(aid: str):
        if aid not in runs:
            folder = tmp_path_factory.mktemp(aid)
            runs[aid] = (execute_copy(notebook_path(aid), folder), folder)
        return runs[aid]
    return get


_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs)\.")


def _assert_one_sentence(message: str):
    """A check's message is one sentence: one line, no ANSI colour codes, no traceback, a full stop at its end and
    no sentence that ends inside it (e.g. / i.e. / vs. / ... / the dot of a dot product "u_o . v_c" do not end one)."""
    assert "\n" not in message and "\x1b" not in message and "Traceback" not in message, message
    body = re.sub(r"\s\.\s", " ", _ABBREVIATIONS.sub("", message).replace("...", ""))  # "u_o . v_c": a dot product
    assert body.endswith("."), message
    assert not re.search(r"[.!?]\s", body), message


@pytest.fixture(scope="session", autouse=True)
def check_messages_are_one_sentence():
    """Every CheckFailed made in this test session (by any check of any week, in this process) is one sentence: a
    message that is not fails the test that made it, where it is made. ``CheckFailed`` makes its message one sentence
    itself (checks.assertions.one_sentence), so a message a test writes as a bad example is made one too."""
    original = CheckFailed.__init__

    def init(self, *args):
        original(self, *args)
        if self.args and isinstance(self.args[0], str):
            _assert_one_sentence(self.args[0])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(CheckFailed, "__init__", init)
        yield

"""Settings for the whole test session."""
import os

import pytest

from autograder.canary import ENV_VAR as CANARY
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

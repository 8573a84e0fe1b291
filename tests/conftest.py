"""Settings for the whole test session."""
import os

from autograder.canary import ENV_VAR as CANARY

# The canary grades each assignment's solution once more before a class is graded (autograder/canary.py). The tests'
# scratch courses hold the course's own solutions, so every test that grades would pay for that grading and prove
# nothing new: it is off for the session (and the processes it starts); tests/test_canary.py turns it on for itself.
os.environ[CANARY] = "0"

"""nbgrader configuration of the Sequence Models course.

The repository root is the course directory; paths are taken from this file's own location, so
nbgrader commands work from any working directory that finds this file (run them from the root).
"""
import os

c = get_config()  # noqa: F821 - provided by nbgrader when it loads this file

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "sequence-models"
c.CourseDirectory.root = ROOT
# The gradebook holds student grades: it lives next to the course but never in version control.
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")

# What a notebook writes next to itself (the jazz solos' MIDI files) is never copied into a release or submission.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "jazz_output"]

# Every notebook runs on the standard Python 3 kernel of the environment that runs nbgrader.
c.ClearSolutions.code_stub = {
    "python": (
        "# YOUR CODE HERE\n"
        "raise NotImplementedError(\"Not implemented yet: replace this line with your code "
        "(see the hint above), then run this cell and the check below it.\")"
    )
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# A cell that runs longer than this (an infinite loop, say) is stopped and graded as failed.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
c.Execute.kernel_name = "python3"

# Student notebooks are committed without outputs; keep generated releases clean too.
c.ClearOutput.enabled = True

# Only the check's verdict decides a grade: output on stderr (a library's log line, a numpy warning, a debug
# print) is kept as ordinary output instead of zeroing the cell (autograder/nbgrader_ext.py).
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute, GetGrades,  # noqa: E402
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from autograder.nbgrader_ext import UNSANDBOXED, HideHiddenTests, OfflineMath, SandboxOnly, StderrIsNotAFailure  # noqa: E402
from autograder.nbgrader_ext import CheckOutcomes, finish_feedback_hook  # noqa: E402

# Plain `nbgrader autograde` (and Formgrader's Autograde button, which runs it) would execute a student's code outside
# the sandbox with the tests in its kernel: it refuses and names `make autograde`, which grades sandboxed and writes
# the same gradebook. Only a benchmark comparing with plain nbgrader sets SEQUENCE_MODELS_PLAIN_NBGRADER=1.
c.Autograde.autograde_preprocessors = [Execute if os.environ.get(UNSANDBOXED) == "1" else SandboxOnly,
                                       StderrIsNotAFailure, IgnorePattern, ClearMetadataPreprocessor,
                                       LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
# Feedback shows the student's test cells without the hidden tests' code, each with its outcome labelled (public
# check, then hidden tests, then the score) and long messages wrapped, with the equations as MathML. After each
# student's pages are written, the grader's own files (.grading.json, any dot-file) are removed from the folder.
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, CheckOutcomes, HideHiddenTests, OfflineMath]
c.GenerateFeedback.post_convert_hook = finish_feedback_hook

# Formgrader's assignment lists count the submissions graded (nbgrader's own "autograded" test), not the folders in
# submitted/: a class collected but not yet graded shows 0 until `make autograde` has graded it.
from autograder.nbgrader_ext import count_graded_submissions  # noqa: E402

count_graded_submissions()

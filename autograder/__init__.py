"""The instructor's grading toolkit of the Sequence Models course (``python -m autograder``): release, fixtures,
the sandboxed grading pipeline, feedback, export, and the reference code behind the hidden tests.

Never part of the student distribution. It builds on the week packages and the check kit (:mod:`checks`); they
never import it.
"""

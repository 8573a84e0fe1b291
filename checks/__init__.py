"""The student's check kit: what every public check of the course is built from.

- :mod:`checks.assertions` -- type -> shape -> value assertions whose failures are one sentence a student can act on;
- :mod:`checks.keras_models` -- Keras models checked by structure and behaviour, never by a summary's text;
- :mod:`checks.fixtures` -- the stored expected values the public checks compare with;
- :mod:`checks.paths` -- where the course's data lives.

This package is the ground floor: it imports nothing of the course. The week packages build their public checks on
it; the instructor's grading toolkit (``autograder``) sits on top of both, and reaches in only through the
``sequence_models.reference`` entry point (see :func:`checks.fixtures.reference`).
"""
from checks.assertions import (CheckFailed, call, check_close, check_gradient, check_keys, check_shape, check_tuple,
                               check_type, numerical_gradient, passed, relative_error)
from checks.paths import data_path

__all__ = ["CheckFailed", "call", "check_close", "check_gradient", "check_keys", "check_shape", "check_tuple",
           "check_type", "numerical_gradient", "passed", "relative_error", "data_path"]

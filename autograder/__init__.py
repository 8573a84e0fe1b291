"""Grading toolkit of the Sequence Models course: shared checks and the grading pipeline."""
from autograder.checks import (CheckFailed, call, check_close, check_gradient, check_keys, check_shape,
                               check_tuple, check_type, numerical_gradient, passed, relative_error)
from autograder.paths import data_path

__all__ = ["CheckFailed", "call", "check_close", "check_gradient", "check_keys", "check_shape", "check_tuple",
           "check_type", "numerical_gradient", "passed", "relative_error", "data_path"]

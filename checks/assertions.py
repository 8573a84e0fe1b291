"""Shared assertion helpers for public and hidden tests.

Every check goes type -> shape -> value and fails with a sentence a student can act on:
what was expected, what was received, and the likely cause.  A passing check prints one
short line (see :func:`passed`).

Every failure names the mistake it found by a **stable mistake id** (``CheckFailed.mistake``), which the instructor's
class report counts (the sentence a student sees may hold values that differ from one submission to the next; the id
does not). The id is ``<site>:<what>``:

- ``<site>`` is where the check that failed lives: ``<module>.<function>`` of the innermost frame outside the
  check kit (``checks/``) whose function is public (``week1.rnn_checks.check_rnn_cell_forward``), or ``hidden`` for a raise in a
  graded test cell's own code (its hidden tests), where the grader adds the cell's grade id;
- ``<what>`` is, for a value that matches a ``mistakes`` entry of :func:`check_close` (or any message with a
  "likely cause:"), the cause sentence; for the type, shape, keys, length, value and gradient checks of this module,
  the name checked and what was checked (``a_next-shape``), with the hint's static part where one was given; for a
  crash in the student's function, ``<name>-raised-<exception type>``; otherwise the message's static part: its text
  before the first value (a number, a quote, a bracket), at most eight words. Each part is lower-cased, with runs of
  other characters than letters, digits and underscores made one ``-``.

A raise site may give its own id instead: ``raise CheckFailed(message).tagged("my-id")`` (kept as given).
"""
from __future__ import annotations

import linecache
import re
import sys
from pathlib import Path

import numpy as np

# Frames from these folders are the course's own machinery, never the student's code.
_OWN_CODE = tuple(str(Path(__file__).resolve().parent.parent / pkg) for pkg in ("autograder", "week1", "week2", "week3"))
_LIBRARIES = (sys.prefix, sys.base_prefix)
_CHECK_KIT = str(Path(__file__).resolve().parent) + "/"  # the kit's generic helpers: never a mistake id's site


_ANSI_CODES = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Abbreviations whose full stop ends no sentence (protected while sentence ends are joined).
_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs)\.")
# A sentence end inside a message: a full stop, question or exclamation mark after a word, then more text (not an
# ellipsis, not the dot of a dot product written "u_o . v_c" as the notebooks write it).
_SENTENCE_END = re.compile(r"(?<=\S)(?<!\.\.)[.!?]\s+(?=\S)")
# Capitalised words that name something (Keras classes, libraries, the course's variables): never lower-cased.
_NAMES = frozenset("""Activation Adam Add Attention AdditiveAttention Bidirectional BatchNormalization Concatenate
    Conv1D Dense Dot Dropout Embedding Flatten GRU Input InputLayer Keras Lambda Layer LSTM Masking Model Multiply
    NumPy Numpy Permute Python RepeatVector Reshape Sequential SimpleRNN Softmax TensorFlow TimeDistributed
    Waa Wax Wya Wf Wi Wc Wo Wy Wb Wu Wr Tx Ty GloVe BLEU CTC SGD English French True False None Emojify Morrocan
    Mikolov Euclidean PyTorch""".split())


def _lower_first(text: str) -> str:
    """``text`` with its first word lower-cased when it is an ordinary English word (never a name or identifier)."""
    match = re.match(r"[A-Za-z][\w'-]*", text)
    if not match:
        return text
    word, after = match.group(), text[match.end():match.end() + 1]
    ordinary = (re.fullmatch(r"[A-Z][a-z]*(?:[-'][a-z]+)*", word) and word.removesuffix("'s") not in _NAMES
                and after not in "(._[=" and (len(word) > 1 or word == "A" and after == " "))
    return word.lower() + text[match.end():] if ordinary else text


def one_sentence(text: str) -> str:
    """A check's message as one sentence: one line without colour codes, every sentence end inside it joined
    with "; " (the next word lower-cased where it is an ordinary word), and one full stop at its end."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", _ANSI_CODES.sub("", str(text))).strip()
    text = _ABBREVIATIONS.sub(lambda m: m.group(1) + "\0", text)
    parts = _SENTENCE_END.split(text)
    text = parts[0] + "".join("; " + _lower_first(part) for part in parts[1:])
    text = text.replace("\0", ".").rstrip()
    if text.endswith(("?", "!", ";", ":", ",")):
        text = text[:-1]
    return text if text.endswith(".") and not text.endswith(" ...") else text + "."


def join_hint(message: str, hint: str | None) -> str:
    """``message`` and the hint that says what to do about it as one sentence: "<message>; <hint>."."""
    message = message.rstrip().rstrip(".")
    if hint and hint.strip():
        message += "; " + _lower_first(hint.strip())
    return one_sentence(message)


class CheckFailed(AssertionError):
    """A check found a wrong answer; the message says what to fix, as one sentence (:func:`one_sentence`).

    In a notebook it is shown as that one sentence (IPython's ``_render_traceback_``), with no frames of the
    check's own code.
    """

    #: The stable id of the mistake found (see the module doc): derived from the raise site and the message's
    #: static part, unless the raise site tagged it (:meth:`tagged`).
    mistake: str = ""

    def __init__(self, message="", *args):
        super().__init__(one_sentence(message) if isinstance(message, str) and message else message, *args)
        self.mistake = f"{_raise_site(self)}:{mistake_slug(static_part(str(message)))}"

    def tagged(self, mistake: str) -> "CheckFailed":
        """This exception with the mistake id ``mistake`` (in place of the derived one)."""
        self.mistake = mistake
        return self

    def _render_traceback_(self):
        return [f"\u2718 {self}"]


# A value inside a message: a number, a quoted or bracketed part, a code excerpt, the "but got" that precedes one.
_VALUE = re.compile(r"""(?<![A-Za-z_])[-+]?\d|['"`\[({<]| but got\b| but holds\b""")
_CAUSE = re.compile(r"likely cause:\s*(.*)", re.IGNORECASE | re.DOTALL)


def static_part(message: str) -> str:
    """The part of a check's message that does not change with the values it shows: the "likely cause" sentence
    where there is one, else the text before the first value, at most eight words."""
    message = _ANSI_CODES.sub("", str(message))
    cause = _CAUSE.search(message)
    if cause:
        return cause.group(1).strip()
    match = _VALUE.search(message)
    text = message[:match.start()] if match else message
    return " ".join(text.split()[:8])


def mistake_slug(text: str, words: int = 12) -> str:
    """``text`` as a part of a mistake id: lower case, at most ``words`` words, runs of other characters than
    letters, digits and underscores made one "-"."""
    slug = re.sub(r"[^a-z0-9_]+", "-", str(text).lower()).strip("-")
    return "-".join(slug.split("-")[:words]) or "failed"


def _raise_site(exc: BaseException | None = None) -> str:
    """``<module>.<function>`` of the check that raises (see the module doc), or "hidden" for a graded test cell."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_filename == "<test cell>":
            return "hidden"
        own = code.co_filename.startswith(_CHECK_KIT) or (exc is not None and frame.f_locals.get("self") is exc)
        if not own and not code.co_name.startswith("_") and code.co_name != "<lambda>":
            return f"{frame.f_globals.get('__name__', '?')}.{code.co_name}"
        frame = frame.f_back
    return "unknown"


def _student_line(exc: BaseException) -> str:
    """" (line N of your code: `...`)" for the innermost frame of ``exc`` that is the student's, else "".

    An exception that comes from the student's sandboxed kernel carries that text with it (``_student_line``).
    """
    if hasattr(exc, "_student_line"):
        return exc._student_line
    found = ""
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(_OWN_CODE) and not filename.startswith(_LIBRARIES) and not filename.startswith("<frozen"):
            code = linecache.getline(filename, tb.tb_lineno, tb.tb_frame.f_globals).strip()
            found = (f" (in {tb.tb_frame.f_code.co_name}, line {tb.tb_lineno} of its cell" +
                     (f": `{code}`" if code else "") + ")")
        tb = tb.tb_next
    return found


def _not_implemented(exc: NotImplementedError, name: str) -> NotImplementedError:
    """Show an unfinished exercise as one sentence (the exception and its type are kept)."""
    text = str(exc) or "Not implemented yet."
    exc._render_traceback_ = lambda: [f"\u2718 {name}: {text}"]
    return exc


def article(word: str) -> str:
    """``word`` with "a" or "an" before it, by its first letter: "an Activation", "a Dense", "an int"."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def _fail(name: str, expected: str, got: str, hint: str | None = None, kind: str = "value"):
    mistake = f"{_raise_site()}:{mistake_slug(f'{static_part(name)} {kind}')}"
    if hint and hint.strip():
        mistake += f":{mistake_slug(static_part(hint), 8)}"
    raise CheckFailed(join_hint(f"{name}: expected {expected} but got {got}", hint)).tagged(mistake)


def call(fn, *args, name: str | None = None, **kwargs):
    """Call a student's function; turn unexpected crashes into an actionable message.

    ``NotImplementedError`` passes through unchanged, so an unfinished exercise reads as
    "not implemented yet" rather than as a wrong answer.
    """
    name = name or getattr(fn, "__name__", "your function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise _not_implemented(exc, name)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - report any crash in student code
        hint = ""
        if any(word in str(exc) for word in ("matmul", "shapes", "broadcast", "align")):
            hint = ("a shape mismatch usually means a weight matrix is transposed or the inputs are"
                    " concatenated in the wrong order; print the shapes of the operands.")
        raise CheckFailed(join_hint(f"{name} raised {type(exc).__name__}: {str(exc).rstrip('.')}{_student_line(exc)}",
                                    hint)).tagged(f"{_raise_site()}:{mistake_slug(static_part(name))}-raised-"
                                                  f"{mistake_slug(type(exc).__name__)}") from exc


def check_type(name: str, value, expected_type, hint: str | None = None):
    """Fail unless ``value`` is an instance of ``expected_type`` (a type or tuple of types)."""
    if not isinstance(value, expected_type):
        want = (expected_type.__name__ if isinstance(expected_type, type)
                else " or ".join(t.__name__ for t in expected_type))
        _fail(name, article(want), article(type(value).__name__), hint, "type")


def check_shape(name: str, value, expected_shape: tuple, hint: str | None = None):
    """Fail unless ``value`` is an array of exactly ``expected_shape``."""
    check_type(name, value, np.ndarray, hint)
    if tuple(value.shape) != tuple(expected_shape):
        if hint is None and tuple(value.shape) == tuple(expected_shape)[::-1]:
            hint = "the axes are swapped: check for a transposed matrix."
        _fail(name, f"shape {tuple(expected_shape)}", f"shape {tuple(value.shape)}", hint, "shape")


def check_close(name: str, value, expected, rtol: float = 1e-6, atol: float = 1e-8,
                mistakes: dict | None = None, hint: str | None = None):
    """Type, shape, then values.  ``mistakes`` maps a likely-cause sentence to the value that
    mistake produces; a match names the mistake in the message."""
    expected = np.asarray(expected)
    if np.isscalar(value) or isinstance(value, np.generic):
        value = np.asarray(value)
    check_shape(name, value, expected.shape, hint)
    rtol, atol = tolerance_for(value, expected, rtol, atol)
    if np.allclose(value, expected, rtol=rtol, atol=atol):
        return
    for cause, wrong in (mistakes or {}).items():
        wrong = np.asarray(wrong)
        if wrong.shape == value.shape and np.allclose(value, wrong, rtol=rtol, atol=atol):
            raise CheckFailed(join_hint(f"{name}: wrong values, exactly those a known mistake gives",
                                        f"likely cause: {cause}")).tagged(f"{_raise_site()}:{mistake_slug(cause)}")
    # The value shown is the one furthest outside the tolerance (not merely the largest difference, which may be
    # within it where the values are large).
    with np.errstate(invalid="ignore"):
        outside = np.abs(value - expected) - (atol + rtol * np.abs(expected))
    flat = np.argmax(np.where(np.isnan(outside), np.inf, outside))
    idx = np.unravel_index(flat, expected.shape) if expected.ndim else ()
    _fail(name, f"{expected[idx].item()!r} at index {tuple(int(i) for i in idx)}",
          f"{value[idx].item()!r} (largest difference {float(np.abs(value - expected).max()):.3g})", hint)


#: The tolerance a value computed in float32 (or float16) is held to, at least: rounding in single precision leaves
#: errors of about 1e-7 of the size of the terms summed, so an element much smaller than the array's largest may
#: differ by more than its own 1e-6. A real mistake differs by far more.
LOW_PRECISION_RTOL, LOW_PRECISION_ATOL = 1e-5, 1e-6


def low_precision(value) -> bool:
    """Whether ``value`` (an array or numpy scalar) holds floats of less than double precision: the student computed
    it in float32 or float16."""
    dtype = getattr(value, "dtype", None)
    return dtype is not None and np.issubdtype(dtype, np.floating) and np.finfo(dtype).bits < 64


def tolerance_for(value, expected, rtol: float, atol: float) -> tuple[float, float]:
    """(rtol, atol) for ``value``: as given, or at least single precision's where the student computed in float32
    or float16 (a correct choice that must not lose points); ``atol`` then scales with the expected values."""
    if not low_precision(value):
        return rtol, atol
    scale = float(np.max(np.abs(expected))) if expected.size and np.issubdtype(expected.dtype, np.number) else 1.0
    return max(rtol, LOW_PRECISION_RTOL), max(atol, LOW_PRECISION_ATOL * max(1.0, scale if np.isfinite(scale) else 1.0))


def check_keys(name: str, value: dict, expected_keys, hint: str | None = None):
    """Fail unless the dict has every expected key (extra keys are allowed)."""
    check_type(name, value, dict, hint)
    missing = [k for k in expected_keys if k not in value]
    if missing:
        _fail(name, f"a dict with keys {sorted(expected_keys)}", f"one missing {missing}", hint, "keys")


def check_tuple(name: str, value, length: int, names: list[str] | None = None):
    """Fail unless ``value`` is a tuple/list of ``length`` items (the function's return values)."""
    check_type(name, value, (tuple, list))
    if len(value) != length:
        what = f"{length} values" + (f" ({', '.join(names)})" if names else "")
        _fail(name, what, f"{len(value)} values", "check the return statement.", "length")


def numerical_gradient(f, x: np.ndarray, eps: float = 1e-5) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f()`` with respect to array ``x``.

    ``x`` is perturbed in place and restored, so ``f`` may read it through a closure.
    """
    grad = np.zeros_like(x, dtype=float)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        plus = f()
        x[i] = old - eps
        minus = f()
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||), 0 when both are zero."""
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def check_gradient(name: str, analytic, numeric: np.ndarray, tol: float = 1e-7, hint: str | None = None):
    """Compare an analytic gradient with a numerical one (shape first, then relative error)."""
    check_shape(name, analytic, numeric.shape, hint)
    err = relative_error(analytic, numeric)
    if not err < tol:
        _fail(name, f"a relative error below {tol:g} against the numerical gradient",
              f"a relative error of {err:.3g}",
              hint or "re-derive this gradient from the forward equations; check every factor of the chain rule.", "gradient")


# Set by checks.fixtures while a check runs on a hidden case (arguments with no stored values): the
# student's notebook shows one pass line per public check, and the feedback does not repeat it for hidden ones.
_hidden_case = False


def passed(what: str):
    """The one line a passing check prints (nothing for a hidden test: its failure alone is shown)."""
    global _hidden_case
    if not _hidden_case:
        print(f"\u2714 {what}: all checks passed.")
    _hidden_case = False

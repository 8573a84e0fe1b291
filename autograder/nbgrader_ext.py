"""nbgrader preprocessors of the course, named in ``nbgrader_config.py``.

- :class:`SandboxOnly` (autograde): plain ``nbgrader autograde``, which Formgrader's per-student Autograde button
  also runs, would execute the student's code outside the sandbox with the hidden tests in its kernel. It refuses
  before running anything, and names the sandboxed command (``make autograde``).

- :class:`StderrIsNotAFailure` (autograde): nbgrader zeroes a test cell that wrote anything on stderr; a
  library's log line or a numpy warning is not a wrong answer, so stderr becomes ordinary output and only the
  check's verdict (an error) decides the grade.
- :class:`HideHiddenTests` (feedback): the hidden tests' code is the instructor's; the feedback shows what
  the student saw in the test cell, and the outcome.
- :class:`OfflineMath` (feedback): the equations are turned into MathML, which browsers render natively, so
  feedback read offline shows formulas instead of raw LaTeX (and loads nothing from a CDN).
"""
from __future__ import annotations

import re

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

HIDDEN = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?", re.S)
MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\$)(.+?)(?<!\\)\$", re.S)
# Characters Markdown would read inside the generated MathML (emphasis, escapes, code spans).
_MARKDOWN_SPECIAL = {"*": "&#42;", "_": "&#95;", "\\": "&#92;", "`": "&#96;", "$": "&#36;"}


UNSANDBOXED = "SEQUENCE_MODELS_PLAIN_NBGRADER"  # set to 1 to allow plain nbgrader autograde (a trusted class only)


class SandboxOnly(Preprocessor):
    """Stop plain ``nbgrader autograde`` before it runs a submission: this course grades in the sandbox only."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        aid = resources.get("nbgrader", {}).get("assignment", "<id>")
        student = resources.get("nbgrader", {}).get("student", "<student>")
        raise RuntimeError(
            f"Plain `nbgrader autograde` (also Formgrader's Autograde button) would run {student}'s code outside "
            f"the sandbox, with the hidden tests inside their kernel, so this course does not grade that way. Run "
            f"`make autograde ID={aid} STUDENT={student}` at the course root instead (sandboxed; the grade then "
            f"shows in Formgrader as usual).")


class StderrIsNotAFailure(Preprocessor):
    """Turn every stderr stream of a code cell into stdout, so it never costs points."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream" and output.get("name") == "stderr":
                    output["name"] = "stdout"
        return cell, resources


class HideHiddenTests(Preprocessor):
    """Remove the ``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS`` regions from the cells' code."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and "BEGIN HIDDEN TESTS" in cell.source:
            cell.source = HIDDEN.sub("", cell.source).rstrip()
        return cell, resources


def tex_to_mathml(text: str) -> str:
    """Every ``$...$`` and ``$$...$$`` of a Markdown text as MathML (left as it was where it cannot be converted)."""
    from latex2mathml.converter import convert

    def one(match):
        display = match.group(1) is not None
        tex = match.group(1) if display else match.group(2)
        try:
            mathml = convert(tex.strip(), display="block" if display else "inline")
        except Exception:  # noqa: BLE001 - a formula the converter does not know stays as written
            return match.group(0)
        return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in mathml)

    return MATH.sub(one, text)


class OfflineMath(Preprocessor):
    """Markdown cells' LaTeX as MathML."""

    enabled = Bool(True)  # nbconvert's preprocessors are off unless enabled

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown" and "$" in cell.source:
            cell.source = tex_to_mathml(cell.source)
        return cell, resources


MATHJAX_SCRIPT = re.compile(r"(<!-- Loading mathjax macro -->\s*)?<!-- Load mathjax -->.*?"
                            r"<!-- End of mathjax configuration -->", re.S)


def strip_mathjax(html: str) -> str:
    """The feedback page without nbconvert's MathJax loader (a CDN script; the math is MathML already)."""
    return MATHJAX_SCRIPT.sub("", html)

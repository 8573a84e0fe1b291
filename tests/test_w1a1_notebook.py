"""w1a1 RNN step by step: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the settings of the
code that produces it."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from course import nbgrader_meta
from notebook_code import assert_grading_introduction, points_by_heading, code_cell, markdown_text, output_text
from week1 import rnn_checks

AID = "w1a1_rnn_step_by_step"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]



def test_the_introduction_counts_the_graded_functions_and_points(nb):
    assert_grading_introduction(nb)


def test_every_heading_states_the_points_of_the_graded_functions_under_it(nb):
    stated, counted = points_by_heading(nb)
    graded = [c for c in nb.cells if nbgrader_meta(c).get("grade")]
    assert sum(1 for t in stated if t.startswith(tuple(f"{i}." for i in range(10)))) == len(graded)
    assert stated == counted
    sections = {t: p for t, p in stated.items() if re.match(r"\d+ –", t)}     # "## 1 – The basic RNN (3 points)"
    assert sum(sections.values()) == sum(nbgrader_meta(c)["points"] for c in graded)


def test_the_gradient_checks_use_the_tolerance_the_text_states(nb):
    text = markdown_text(nb, "## 5 – Backpropagation through time")
    assert "to a relative error below $10^{-7}$" in text and rnn_checks.GRAD_TOL == 1e-7
    for marker in ("check_rnn_cell_backward(", "check_rnn_backward(", "check_lstm_cell_backward(",
                   "check_lstm_backward("):
        assert "matches numerical gradients" in output_text(nb, marker)


def test_the_forget_gate_bias_of_section_6(nb):
    text = markdown_text(nb, "## 6 – Why gates help")
    assert "the LSTM's forget-gate bias is set to 3" in text and 'lstm_params["bf"] += 3.0' in \
        code_cell(nb, 'lstm_params["bf"] += 3.0').source
    assert "($\\sigma(3) \\approx 0.95$)" in text and round(1 / (1 + math.exp(-3)), 2) == 0.95


def test_the_rnns_gradient_vanishes_and_the_lstms_survives(nb):
    out = output_text(nb, 'lstm_params["bf"] += 3.0')
    ratios = {name: (int(steps), float(r)) for name, steps, r in
              re.findall(r"^(RNN|LSTM): \|dx\| (\d+) steps back is ([\d.e+-]+) times", out, re.M)}
    steps, rnn = ratios["RNN"]
    _, lstm = ratios["LSTM"]
    text = markdown_text(nb, "The RNN's gradient shrinks by a factor")
    assert "after a few dozen steps the first inputs can no longer teach it anything" in text
    assert 24 <= steps <= 48 and rnn < 1e-3                  # a few dozen steps back: a thousandth of it, or less
    assert "with an open forget gate it survives many steps" in text and lstm > 1e-2 and lstm > 100 * rnn


def test_the_rnns_gradient_shrinks_by_the_factor_per_step_the_text_states(nb):
    """The printed ratio, spread over its steps, and the same recomputed with the reference solution as the
    notebook's cell does (the plot is not in the output)."""
    from autograder.reference import w1a1_rnn_step_by_step as ref
    from week1.rnn_utils import rnn_inputs, rnn_parameters

    text = markdown_text(nb, "The RNN's gradient shrinks by a factor")
    assert "shrinks by a factor of about 0.75 per step back on average" in text
    steps, ratio = re.search(r"^RNN: \|dx\| (\d+) steps back is ([\d.e+-]+) times", output_text(nb, "rnn_dx = "),
                             re.M).groups()
    steps, ratio = int(steps), float(ratio)
    assert round(ratio ** (1 / steps), 2) == pytest.approx(0.75, abs=0.025)
    source = code_cell(nb, 'lstm_params["bf"] += 3.0').source
    assert "n_x, n_a, n_y, m, T_x = 3, 8, 2, 1, 40" in source and "0.3 * v for k, v in rnn_parameters" in source
    n_x, n_a, n_y, m, T_x = 3, 8, 2, 1, 40
    x, a0 = rnn_inputs(n_x, n_a, m, T_x, seed=0)
    params = {k: 0.3 * v for k, v in rnn_parameters(n_x, n_a, n_y, seed=0).items()}
    da = np.zeros((n_a, m, T_x))
    da[:, :, -1] = 1.0
    dx = ref.rnn_backward(da, ref.rnn_forward(x, a0, params)[2])["dx"]
    norms = np.linalg.norm(dx, axis=(0, 1))[::-1]                       # by steps back
    assert steps == T_x - 1 and norms[-1] / norms[0] == pytest.approx(ratio, rel=0.05)
    per_step = norms[1:] / norms[:-1]
    assert "step by step it varies, and at some steps the gradient even grows" in text
    assert (per_step > 1).any() and (per_step < 1).mean() > 0.5

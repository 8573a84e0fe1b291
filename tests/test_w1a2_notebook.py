"""w1a2 Dinosaur Island: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data and
settings that produce it."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from course import nbgrader_meta
from notebook_code import assert_grading_introduction, points_by_heading, code_cell, markdown_text, output_text
from week1 import char_lm_checks
from week1.char_lm import (build_vocabulary, characters_per_name, initial_loss, initialize_parameters, load_names,
                           sample_names, smooth_loss)

AID = "w1a2_dinosaur_island"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]



def _losses(out: str) -> dict[int, float]:
    return {int(i): float(v) for i, v in re.findall(r"^Iteration: (\d+), Loss: ([\d.]+)$", out, re.M)}


def test_the_introduction_and_the_headings_count_the_graded_functions_and_points(nb):
    assert_grading_introduction(nb)
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    stated, counted = points_by_heading(nb)
    assert len(stated) == len(graded) and stated == counted


def test_the_vocabulary_is_as_section_1_says(nb):
    text = markdown_text(nb, "## 1 – The dataset and the vocabulary")
    out = output_text(nb, "names = load_names()")
    names = load_names()
    letters = {ch for name in names for ch in name}
    assert "so the model only has to learn 26 letters" in text and letters == set("abcdefghijklmnopqrstuvwxyz")
    assert "the newline plus the letters: 27 characters" in text
    assert re.search(r"and 27 unique characters \(the vocabulary\)", out)
    n_names, n_chars = (int(v) for v in re.search(r"There are (\d+) names, (\d+) characters", out).groups())
    assert (n_names, n_chars) == (len(names), sum(len(n) + 1 for n in names))
    assert "so index 1 is always `a`" in text and "(newline first, then `a`, `b`, …)" in text
    char_to_ix, ix_to_char = build_vocabulary(names)
    assert ix_to_char[0] == "\n" and ix_to_char[1] == "a" and ix_to_char[2] == "b"
    assert "{0: '\\n', 1: 'a', 2: 'b'," in out
    assert "a probability for each of the 27 characters" in markdown_text(nb, "**Training pairs.**")


def test_the_training_pair_example(nb):
    out = output_text(nb, 'name = "mei"')
    assert "X = [None, 13, 5, 9]" in out and "Y = [13, 5, 9, 0]" in out


def test_the_sampler_limits_the_text_states(nb):
    text = markdown_text(nb, "### 2.2 – Sampling: `sample`")
    assert "once 50 characters have been drawn" in text and char_lm_checks.MAX_LENGTH == 50
    assert "holds at most 51 indices" in text and char_lm_checks.MAX_LENGTH + 1 == 51    # the newline after 50


def test_about_one_untrained_name_in_seven_reaches_the_50_character_limit(nb):
    text = markdown_text(nb, "Before training, the weights are tiny random numbers")
    assert "(about one in seven reaches the 50-character limit)" in text
    # every character about equally likely: a name reaches the limit when none of its 50 draws is the newline
    assert round(1 / (26 / 27) ** 50) == 7
    untrained = initialize_parameters(n_a=50, n_x=27, n_y=27)
    char_to_ix, ix_to_char = build_vocabulary(load_names())
    names = sample_names(untrained, char_to_ix, ix_to_char, n=4000, seed=0)
    assert abs(np.mean([len(n) == 50 for n in names]) - (26 / 27) ** 50) < 0.02
    # "the names have nothing in common": the three printed ones differ
    printed = output_text(nb, "untrained = initialize_parameters").split()
    assert len(printed) == 3 and len(set(printed)) == 3


def test_the_training_step_uses_the_settings_the_text_states(nb):
    text = markdown_text(nb, "### 3.1 – One step of gradient descent: `optimize`")
    assert "clip the gradients (to $[-5, 5]$, with **your** `clip`)" in text and char_lm_checks.CLIP_VALUE == 5
    assert "gradients = clip(gradients, 5)" in code_cell(nb, "def optimize(").source
    loop = markdown_text(nb, "### 3.2 – The training loop: `model`")
    assert "Run `optimize` with learning rate 0.01" in loop
    assert "learning_rate=0.01)" in code_cell(nb, "def model(data_x").source
    assert "(`np.random.seed(0)`, then `np.random.shuffle(examples)`)" in loop
    assert "np.random.seed(0)" in code_cell(nb, "def model(data_x").source


def test_the_smoothed_loss_is_as_the_loop_describes(nb):
    text = markdown_text(nb, "### 3.2 – The training loop: `model`")
    assert "keeps 0.999 of the old value and adds 0.001 of the new one" in text
    assert smooth_loss(1.0, 0.0) == pytest.approx(0.999) and smooth_loss(0.0, 1.0) == pytest.approx(0.001)
    assert "Every 2,000 iterations, print the smoothed loss" in text
    losses = _losses(output_text(nb, "with TrainingLog() as log:"))
    assert sorted(losses) == list(range(0, 22_001, 2_000))


def test_the_training_run_of_section_4(nb):
    text = markdown_text(nb, "## 4 – Naming the dinosaurs")
    names = load_names()
    code = code_cell(nb, "with TrainingLog() as log:").source
    assert "for 22,001 iterations (about 15 passes over the list)" in text and "num_iterations=22001" in code
    assert round(22_001 / len(names)) == 15
    per_name = characters_per_name(names)
    uniform = initial_loss(27, per_name)
    assert "$= 12.8 \\ln 27 \\approx 42.2$" in text and round(per_name, 1) == 12.8 and round(uniform, 1) == 42.2
    assert "uniformly over the 12.8 characters of an average name" in text
    assert uniform == pytest.approx(12.8 * math.log(27), abs=0.05)
    out = output_text(nb, "with TrainingLog() as log:")
    losses = _losses(out)
    assert "It starts on the dashed line" in text and losses[0] == pytest.approx(uniform, abs=0.05)  # smoothed over one name
    assert "It falls as soon as the model learns which letters are common, and keeps falling" in text
    assert losses[0] > losses[2000] > losses[22000] and losses[22000] <= min(losses.values()) + 0.5
    # "random strings of letters at first, then names with a dinosaur's rhythm and endings"
    assert "(*-saurus*, *-ops*, on some machines *-raptor* or *-don* too)" in text
    later = [w.lower() for w in out.split("Iteration: 2000")[1].split() if w.isalpha()]
    # the names sampled after 22,001 steps differ between CPUs (their last-bit rounding grows over the training)
    found = [e for e in ("saurus", "raptor", "don", "ops") if any(w.endswith(e) for w in later)]
    assert {"saurus", "ops"} <= set(found), found
    first = [w.lower() for w in out.split("Iteration: 2000")[0].splitlines()[1:] if w.isalpha()]
    assert not any(w.endswith(("saurus", "raptor", "don", "ops")) for w in first)


def test_the_temperature_table_shows_what_the_text_says(nb):
    text = markdown_text(nb, "## 5 – Temperature")
    code = code_cell(nb, "for temperature in (").source
    assert "samples 1,000 names at several temperatures" in text and "n=1000" in code
    rows = re.findall(r"^\s*([\d.]+)\s+(\d+)%\s+([\d.]+)%\s+(\d+)%", output_text(nb, "for temperature in ("), re.M)
    table = {float(t): (int(d) / 100, float(c) / 100, int(p) / 100) for t, d, c, p in rows}
    temperatures = sorted(table)
    assert len(temperatures) >= 3
    after = markdown_text(nb, "At low temperature the model plays safe")
    low, high = table[temperatures[0]], table[temperatures[-1]]
    assert "most samples end like real names, but it writes the same few names over and over" in after
    assert low[2] > 0.5 and low[0] < 0.5
    assert "At high temperature nearly every sample is new" in after and high[0] >= 0.95
    assert "but fewer and fewer look like dinosaur names" in after
    above_one = [table[t][2] for t in temperatures[1:]]
    assert above_one == sorted(above_one, reverse=True) and high[2] == min(p for _, _, p in table.values())
    assert "Copies of real genera stay rare at every temperature" in after
    assert all(c < 0.02 for _, c, _ in table.values())

"""w3a3 Speech to digits with CTC: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data and
settings that produce it."""
from __future__ import annotations

import re

import numpy as np
import pytest

from autograder.reference import w3a3_ctc as ref
from course import nbgrader_meta
from notebook_code import markdown_text, output_text
from week3 import ctc_checks, digits

AID = "w3a3_ctc"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


def _percent(pattern: str, text: str) -> float:
    return float(re.search(pattern, text).group(1)) / 100


def test_the_introduction_counts_the_graded_functions_and_points(nb):
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    intro = markdown_text(nb, "**Grading.**")
    assert f"{len(graded)} graded functions, {sum(m['points'] for m in graded)} points" in intro
    assert "50 per second" in intro and 1000 // (digits.HOP_MS * digits.OUTPUT_STRIDE) == 50


def test_the_log_space_text_names_the_checks_long_input(nb):
    text = markdown_text(nb, "**In log space.**")
    long_input = ctc_checks.trellis_inputs()[-1][0]
    assert f"a long input in the check has {long_input.shape[0]}" in text
    assert "a second of speech is 50 output frames" in text
    with np.errstate(all="ignore"):   # in probabilities, the long input's every path underflows
        assert ref._forward_variant(*ctc_checks.trellis_inputs()[-1], mistake="linear")[1] == np.inf


def test_keras_computes_the_same_loss(nb):
    out = output_text(nb, "keras.ops.ctc_loss(padded")
    pairs = re.findall(r"ctc_forward ([\d.]+)\s+keras.ops.ctc_loss ([\d.]+)", out)
    assert len(pairs) == 3
    assert "Given the same numbers, it computes the same loss" in markdown_text(nb, "Keras has CTC too")
    assert all(abs(float(a) - float(b)) <= 1e-4 * float(a) for a, b in pairs)


def test_alpha_and_beta_give_p_at_every_frame(nb):
    out = output_text(nb, "through = np.logaddexp.reduce")
    minus_loss, low, high = (float(v) for v in re.search(
        r"-loss = (-?[\d.]+); log p summed over the states at each frame: (-?[\d.]+) to (-?[\d.]+)", out).groups())
    assert minus_loss == low == high


def test_the_gradient_matches_finite_differences_and_its_rows_sum_to_zero(nb):
    out = output_text(nb, "numeric[t, k] =")
    difference, row_sum = (float(v) for v in re.search(
        r"finite differences: ([\d.e+-]+); largest row sum: ([\d.e+-]+)", out).groups())
    assert difference < 1e-6 and row_sum < 1e-9
    assert "Every row of the gradient sums to 0" in markdown_text(nb, "## 4 ")


def test_the_two_frame_example_is_as_the_text_says(nb):
    text = markdown_text(nb, "Two frames, each with the blank at 0.6")
    assert "The best path is blank-blank (0.36)" in text and "together 0.64" in text
    assert 0.6 * 0.6 == pytest.approx(0.36) and 0.4 * 0.4 + 2 * 0.4 * 0.6 == pytest.approx(0.64)
    out = output_text(nb, "two_frames = np.log")
    assert re.search(r"greedy: \[\]\s+beam: \[1\] with p = 0\.64\s+exact p of \[1\]: 0\.64", out), out


def test_the_error_rate_example(nb):
    out = output_text(nb, "def error_rates")
    assert "'four one seven' heard as 'four seven seven': CER 28.6%, WER 33.3%" in out
    assert ref.edit_distance("four one seven", "four seven seven") / len("four one seven") == pytest.approx(0.2857,
                                                                                                            abs=1e-4)


def test_the_data_is_as_section_9_describes(nb):
    text = markdown_text(nb, "## 9 ")
    assert "strings of 3 to 7 digits" in text and "100 frames per second, 40 mel bands" in text
    assert digits.HOP_MS == 10 and digits.N_MELS == 40
    features, labels, info = digits.load_split("train")
    dev_features, dev_labels, dev_info = digits.load_split("dev")
    assert {len(x) for x in labels + dev_labels} == {3, 4, 5, 6, 7}
    assert all(f.shape[1] == 40 for f in features[:50] + dev_features[:50])
    assert not {i["voice"] for i in info} & {i["voice"] for i in dev_info}   # "voices the training set never uses"
    out = output_text(nb, 'load_split("train")')
    n_train, n_voices, n_dev, n_dev_voices = (int(v.replace(",", "")) for v in re.search(
        r"train: ([\d,]+) utterances by (\d+) voices; dev: ([\d,]+) utterances by (\d+) other voices", out).groups())
    assert (n_train, n_voices, n_dev, n_dev_voices) == (len(features), len({i["voice"] for i in info}),
                                                        len(dev_features), len({i["voice"] for i in dev_info}))


def test_every_spoken_digit_gets_several_output_frames(nb):
    assert "several for every spoken digit" in markdown_text(nb, "The model reads the spectrogram")
    for split in ("train", "dev"):
        features, labels, _ = digits.load_split(split)
        out = digits.output_frames(np.array([len(f) for f in features]))
        needed = np.array([ctc_checks.min_frames(list(x)) for x in labels])
        assert (out / needed).min() >= 3, split


def test_the_short_run_gets_below_the_all_blank_plateau(nb):
    out = output_text(nb, "def input_blind_loss")
    plateau = float(re.search(r"the all-blank plateau on these utterances: a loss of about ([\d.]+)", out).group(1))
    losses = [float(v) for v in re.search(r"; loss ([\d. >-]+)", out).group(1).split(" -> ")]
    assert losses[0] > plateau > losses[-1]   # starts above the plateau, ends below it
    assert "to get below the plateau, it has to start hearing digits" in markdown_text(nb, "past the all-blank plateau")


def test_most_output_frames_are_blank(nb):
    out = output_text(nb, "plot_frame_probabilities(")
    assert _percent(r"(\d+)% of its \d+ output frames are most likely blank", out) > 0.5
    assert "Most frames are blank" in markdown_text(nb, "### The trained recogniser")


def test_the_dev_error_rates_and_what_the_text_says_of_them(nb):
    out = output_text(nb, "dev_log_probs = predict_log_probs")
    greedy_cer, greedy_wer = (float(v) / 100 for v in re.search(r"greedy: CER ([\d.]+)%\s+WER ([\d.]+)%", out).groups())
    beam_cer, beam_wer = (float(v) / 100 for v in re.search(r"beam 8: CER ([\d.]+)%\s+WER ([\d.]+)%", out).groups())
    assert re.search(r"\((\d+) dev utterances", out).group(1) == str(len(digits.load_split("dev")[1]))
    assert "on a confident model greedy decoding is already close" in markdown_text(nb, "**What to take away.**")
    assert abs(beam_wer - greedy_wer) <= 0.02 and abs(beam_cer - greedy_cer) <= 0.02


def test_keras_decoding_agrees_as_the_text_says(nb):
    out = output_text(nb, "keras.ops.ctc_decode(logits")
    greedy, beam = (float(v) / 100 for v in re.search(
        r"agrees with greedy_decode on (\d+)% and with prefix_beam_search on (\d+)%", out).groups())
    text = markdown_text(nb, "Keras decodes too")
    assert "Its greedy decoding is yours" in text and greedy == 1.0
    assert "on this confident model they find the same labels" in text and beam >= 0.95

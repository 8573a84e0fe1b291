"""w3a2 Trigger word detection: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data, settings
and recorded training run (``data/models/trigger_word/metrics.json``) that produce it."""
from __future__ import annotations

import json
import re

import pytest

from checks.paths import data_path
from notebook_code import code_cell, markdown_text, output_text
from week3 import audio, trigger

AID = "w3a2_trigger_word"
NUMBER = r"(-?[\d.]+)"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


@pytest.fixture(scope="module")
def metrics():
    return json.loads(data_path(*trigger.METRICS_FILE).read_text())


def _numbers(pattern: str, text: str) -> list[float]:
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in the output:\n{text}"
    return [float(g) for g in match.groups()]


def test_the_spectrogram_shows_the_two_words_over_the_noise_and_nothing_is_clipped(nb):
    text = markdown_text(nb, "### From sound to spectrogram")
    assert "two words over pink noise" in text and "made 20 dB quieter" in text
    assert "about 9 dB above the noise around them averaged over all 101 bands" in text
    source = code_cell(nb, "over pink noise: the waveform").source
    assert 'index("noise_pink")] - 20' in source and "axvspan" in source
    inside, outside, peak = _numbers(rf"inside the words' spans {NUMBER} dB, outside {NUMBER} dB; loudest sample "
                                     rf"{NUMBER} dBFS", output_text(nb, "over pink noise: the waveform"))
    assert abs((inside - outside) - 9) <= 0.75, f"the words are {inside - outside:.1f} dB above the noise, not about 9"
    assert peak <= -1.0


def test_the_settings_were_chosen_on_the_validation_clips_as_the_text_says(nb, metrics):
    text = markdown_text(nb, "## 4 – A trained detector, measured honestly")
    grid = metrics["validation"]["grid"]
    assert "thresholds from 0.1 to 0.95" in text and "refractory periods from 50 to 150 steps" in text
    assert (min(grid["thresholds"]), max(grid["thresholds"])) == (0.1, 0.95)
    assert (min(grid["refractory"]), max(grid["refractory"])) == (50, 150)
    out = output_text(nb, "trained = load_pretrained(model)")
    clips, threshold, refractory = _numbers(rf"chosen on the {NUMBER} validation clips: threshold {NUMBER}, "
                                            rf"refractory period {NUMBER} steps", out)
    v = metrics["validation"]
    assert (clips, threshold, refractory) == (v["clips"], v["threshold"], v["refractory"])


def test_tens_of_thousands_of_examples_trained_it(nb, metrics):
    assert "tens of thousands of examples" in markdown_text(nb, "## 4 – A trained detector, measured honestly")
    earlier = sum(run.get("examples seen", run.get("examples", 0) * run.get("epochs", 1))
                  for run in metrics["earlier runs"])
    assert metrics["examples seen"] + earlier >= 20_000


def test_the_printed_dev_figures_are_the_scripts_and_the_notebooks_own(nb, metrics):
    out = output_text(nb, "trained = load_pretrained(model)")
    clips, activates, p, r, f1, acc, zeros = _numbers(
        rf"all {NUMBER} dev clips \({NUMBER} activates\): precision {NUMBER}, recall {NUMBER}, F1 {NUMBER}; frame "
        rf"accuracy {NUMBER} \(never firing: {NUMBER}\)", out)
    dev = metrics["dev"]
    assert (clips, activates) == (dev["clips"], dev["activates"])
    for got, key in ((p, "precision"), (r, "recall"), (f1, "f1"), (acc, "frame accuracy"),
                     (zeros, "all-zeros frame accuracy")):
        assert got == pytest.approx(dev[key], abs=5e-4), key
    assert zeros > 0.9   # "a model that never fires already scores over 90%"
    text = markdown_text(nb, "## 4 – A trained detector, measured honestly")
    assert "on the first 80 clips" in text and "or in the word's last 50 ms" in text
    assert audio.EARLY_MS == 50
    (subset,) = _numbers(rf"here, on the first {NUMBER} dev clips", out)
    assert subset == 80


def test_fine_tuning_lowers_the_loss_on_the_examples_and_the_f1_on_dev(nb):
    text = markdown_text(nb, "### Fine-tuning on your examples")
    assert "16 examples made by your `create_training_example`" in text
    assert "The loss on your examples falls" in text
    assert "it does not help: its F1 drops" in text
    cell = code_cell(nb, "examples = [create_training_example(")
    assert "for i in range(16)]" in cell.source and "freeze_batch_normalization(model)" in cell.source
    out = output_text(nb, "examples = [create_training_example(")
    (frozen,) = _numbers(rf"{NUMBER} BatchNormalization layers frozen", out)
    assert frozen == 3
    n, loss_before, loss_after = _numbers(rf"fine-tuned on your {NUMBER} examples in [\d.]+ s: their loss {NUMBER} "
                                          rf"before, {NUMBER} after", out)
    assert n == 16 and loss_after < loss_before
    _, f1_before, f1_after, p_before, p_after, r_before, r_after = _numbers(
        rf"on the same {NUMBER} dev clips: F1 {NUMBER} before, {NUMBER} after \(precision {NUMBER} -> {NUMBER}, "
        rf"recall {NUMBER} -> {NUMBER}\)", out)
    assert f1_after < f1_before and 0 <= min(p_after, r_after) and max(p_after, r_after) <= 1
    assert "puts the pretrained weights back" in text and "model.set_weights(pretrained_weights)" in cell.source


def test_the_chimes_are_heard_on_three_dev_clips(nb):
    out = output_text(nb, "examples = [create_training_example(")
    assert len(re.findall(r"'activate' ends at \[[\d, ]*\] ms; chimes at \[[\d, ]*\] ms", out)) == 3
    assert "Listen to three dev clips" in markdown_text(nb, "### Fine-tuning on your examples")

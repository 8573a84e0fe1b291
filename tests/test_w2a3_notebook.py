"""w2a3 Word2vec: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the settings of the
code that produces it."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

from course import ROOT, nbgrader_meta
from notebook_code import code_cell, markdown_text, output_text
from week2.planted_corpus import PLANTED_PAIRS
from week2.word2vec_data import MIN_COUNT, load_corpus, load_neighbour_checks

AID = "w2a3_word2vec"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_the_introduction_counts_the_graded_functions_and_points(nb):
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    intro = markdown_text(nb, "**Grading.**")
    assert f"{len(graded)} graded functions, {sum(m['points'] for m in graded)} points" in intro


def test_the_vocabulary_text_matches_the_counts_printed(nb):
    out = output_text(nb, "def bible_vocabulary")
    tokens, types, kept, share = re.search(r"([\d,]+) tokens, ([\d,]+) distinct words; ([\d,]+) of them seen at least "
                                           rf"{MIN_COUNT} times, which make ([\d.]+)% of the tokens", out).groups()
    assert _number(tokens) == len(load_corpus())
    text = markdown_text(nb, "A few function words make a large share")
    assert "most of the distinct words but only a small share of the tokens" in text
    assert _number(types) - _number(kept) > _number(types) / 2     # the rare words: most of the distinct words
    assert 100 - float(share) < 5                                  # ... and a small share of the tokens


def test_subsampling_drops_most_function_words_and_keeps_a_word_rarer_than_t(nb):
    out = output_text(nb, "frequencies = counts / counts.sum()")
    text = markdown_text(nb, "With the paper's threshold")
    runs = dict(zip(("1e-05", "0.0001"), out.split("t = ")[1:]))
    assert "most tokens of the function words go" in text
    for word in ("the", "and"):
        assert float(re.search(rf"{word}\s+f = \S+: kept ([\d.]+)", runs["1e-05"]).group(1)) < 0.5
    assert "*shepherd* with the larger $t$" in text
    assert float(re.search(r"shepherd\s+f = \S+: kept ([\d.]+)", runs["0.0001"]).group(1)) == 1.0
    # "The kept share of each word is close to its keep probability": within 4 standard errors of min(1, sqrt(t/f))
    assert "The kept share of each word is close to its keep probability" in text
    in_vocabulary = int(re.search(r"of ([\d,]+) tokens kept", out).group(1).replace(",", ""))
    for t, run in runs.items():
        for f, share in re.findall(r"f = (\S+): kept ([\d.]+)", run):
            p, n = min(1.0, math.sqrt(float(t) / float(f))), float(f) * in_vocabulary
            assert abs(float(share) - p) <= 4 * math.sqrt(p * (1 - p) / n) + 0.002, (t, f, share)


def test_each_planted_word_ends_nearest_its_partner(nb):
    assert "Each planted word's nearest neighbour is its partner" in markdown_text(nb, "Each planted word's")
    nearest = dict(re.findall(r"nearest to '(\w+)': '(\w+)'", output_text(nb, "planted_corpus()")))
    pairs = [tuple(p) for p in PLANTED_PAIRS]
    assert len(nearest) == 2 * len(pairs)
    for a, b in pairs:
        assert nearest[a] == b and nearest[b] == a


def test_the_vectorised_step_agrees_with_the_loop_to_rounding_on_the_batch_the_text_names(nb):
    text = markdown_text(nb, "The vectorised step does what a loop")
    out = output_text(nb, "vocab_size, dim, batch, k =")
    batch, vocab = re.search(r"the same batch of ([\d,]+) pairs in a vocabulary of ([\d,]+) words", text).groups()
    assert f"a batch of {batch} pairs" in out and f"a vocabulary of {vocab} words" in out
    assert float(re.search(r"largest difference in the updated matrices: (\S+)", out).group(1)) < 1e-9
    loop_ms, step_ms = (float(x) for x in re.search(r"per-pair loop (\S+) ms, sgns_step (\S+) ms", out).groups())
    assert step_ms < loop_ms


def test_the_training_section_states_the_settings_its_code_uses(nb):
    text = markdown_text(nb, "## 9 – Training on the King James Bible")
    code = code_cell(nb, "run = train_sgns(").source
    settings = {"t": "1e-4", "window_size": "5", "batch_size": "1024", "negatives": "5", "learning_rate": "0.025",
                "epochs": "3", "dim": "50"}
    for name, value in settings.items():
        assert re.search(rf"\b{name}={re.escape(value)}\b", code), name
    for phrase in ("(t = 1e-4)", "(window 5)", "minibatches of 1,024", "draws 5 negatives", "from 0.025",
                   "three passes", "50-dimensional"):
        assert phrase in text, phrase


def test_the_first_loss_is_close_to_6_log_2_and_the_loss_falls(nb):
    out = output_text(nb, "run = train_sgns(")
    first, last = (float(x) for x in re.search(r"mean loss per pair: ([\d.]+) over the first [\d,]+ pairs, "
                                               r"([\d.]+) over the last ones", out).groups())
    assert "the first value printed is close to it" in markdown_text(nb, "At the very start U is zero")
    assert abs(first - 6 * math.log(2)) < 0.05 * 6 * math.log(2)
    assert last < first


def test_the_longer_run_is_the_one_the_text_describes(nb):
    out = output_text(nb, "pretrained = load_pretrained()")
    words, dim, epochs = re.search(r"([\d,]+) words x (\d+) dimensions, (\d+) epochs", out).groups()
    assert f"ran for {epochs} epochs with {dim}-dimensional vectors" in markdown_text(nb, "## 10 – A longer run")
    assert f"Two dimensions out of {dim}" in markdown_text(nb, "A 2-D projection (PCA)")
    median = int(re.search(r"half of these words occur at most (\d+) times", out).group(1))
    why = markdown_text(nb, "Why do 6 billion tokens beat 800,000?")
    assert f"only {MIN_COUNT} occurrences" in why
    bound = int(re.search(r"half of the vocabulary occurs fewer than (\d+) times", why).group(1))
    assert median < bound
    n_tokens = len(load_corpus())
    assert abs(n_tokens - 800_000) < 0.02 * 800_000
    times = _number(re.search(r"The corpus is about ([\d,]+) times smaller", why).group(1))
    assert round(6e9 / n_tokens, -2) == times


def test_the_neighbours_the_text_describes_are_the_ones_printed(nb):
    why = markdown_text(nb, "Why do 6 billion tokens beat 800,000?")
    out = output_text(nb, "pretrained = load_pretrained()")
    neighbours = {w: set(rest.split(", ")) for w, rest in re.findall(r"^\s*(\w+): (.+)$", out, re.M)}
    assert "its \"king\" among particular kings of the narratives (Benhadad, Sennacherib, Jehoshaphat)" in why
    assert {"benhadad", "sennacherib", "jehoshaphat"} <= neighbours["king"]
    assert "its \"seven\" lives among days, weeks and months" in why
    assert {"days", "weeks", "months"} <= neighbours["seven"]
    side = output_text(nb, "compare_with_glove(")
    glove_king = re.search(r"^king:.*?\n.*?\n\s*GloVe:\s*(.+)$", side, re.M).group(1)
    assert "GloVe's \"king\" is near \"prince\", \"queen\" and \"throne\"" in why
    assert {"prince", "queen", "throne"} <= {w.strip("*") for w in glove_king.split(", ")}


def test_the_relations_the_vectors_get_are_the_neighbour_checks_found(nb):
    why = markdown_text(nb, "Why do 6 billion tokens beat 800,000?")
    assert "good at this text's relations (tribes, metals, sword / famine / pestilence)" in why
    out = output_text(nb, "found = check_neighbours(")
    found = {w: set(rest.split(", ")) for w, rest in re.findall(r"^\s*(\w+): found \d+ of \d+\s+(.+)$", out, re.M)}
    checks = load_neighbour_checks()["neighbours"]
    assert f"for {len(checks)} words typical of this text" in markdown_text(nb, "### An honest evaluation")
    assert found["reuben"] == set(checks["reuben"])                       # the tribes
    assert {"silver", "brass"} <= found["gold"]                          # metals
    assert {"famine", "pestilence"} <= found["sword"]


def test_the_analogies_are_labelled_as_chosen_before_or_found_after_training(nb):
    out = output_text(nb, "found_later = [")
    chosen = load_neighbour_checks()["analogies"]
    labels = re.findall(r"; (chosen before training|found afterwards)\)", out)
    assert labels == ["chosen before training"] * len(chosen) + ["found afterwards"] * (len(labels) - len(chosen))
    assert "The first four analogies were written down *before*" in markdown_text(nb, "### Analogies") \
        and len(chosen) == 4
    # what the text says of the two found afterwards: they work on these vectors
    assert all("(right;" in line for line in out.splitlines() if "found afterwards" in line)
    assert np.sum(["found afterwards" in line for line in out.splitlines()]) == 2


def test_section_8_sizes_the_training_and_the_cell_limit_it_names(nb):
    text = markdown_text(nb, "## 8 – A vectorised minibatch step")
    assert "Section 9 trains on about four million pairs" in text
    pairs = _number(re.findall(r"\| ([\d,]+) pairs \|", output_text(nb, "run = train_sgns("))[-1])
    assert 3.5e6 <= pairs < 4.5e6
    limit = int(re.search(r"a cell is stopped after (\d+) s", text).group(1))
    config = (ROOT / "nbgrader_config.py").read_text()
    assert f"c.Execute.timeout = {limit}\n" in config

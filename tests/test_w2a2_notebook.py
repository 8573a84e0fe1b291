"""w2a2 Emojify: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data and
settings that produce it."""
from __future__ import annotations

import re

import numpy as np
import pytest

from course import nbgrader_meta
from notebook_code import assert_grading_introduction, points_by_heading, code_cell, markdown_text, output_text
from week2.emojify import EMOJIS, load_emojify, max_words

AID = "w2a2_emojify"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


@pytest.fixture(scope="module")
def data():
    return load_emojify("train") + load_emojify("test")



def _accuracy(pattern: str, text: str) -> float:
    return float(re.search(pattern, text).group(1))


def test_the_introduction_and_the_headings_count_the_graded_functions_and_points(nb):
    assert_grading_introduction(nb)
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    stated, counted = points_by_heading(nb)
    assert len(stated) == len(graded) and stated == counted


def test_the_dataset_is_as_section_1_describes(nb, data):
    X_train, Y_train, X_test, Y_test = data
    text = markdown_text(nb, "## 1 – The Emojify dataset")
    out = output_text(nb, "training and {len(X_test)} test sentences")
    assert "There are **288 training sentences** and **100 test sentences**" in text
    assert "288 training and 100 test sentences; the longest training sentence has 8 words" in out
    assert (len(X_train), len(X_test)) == (288, 100)
    assert "The longest training sentence has **8 words**" in text and max_words(X_train) == 8
    assert "each class between 15% and 25% of each set" in text
    for Y in (Y_train, Y_test):
        shares = np.bincount(Y, minlength=5) / len(Y)
        assert ((0.15 <= shares) & (shares <= 0.25)).all(), shares
    counts = re.findall(r"train\s+(\d+)\s+test\s+(\d+)", out)
    assert [(int(a), int(b)) for a, b in counts] == list(zip(np.bincount(Y_train), np.bincount(Y_test)))
    train_words = {w for s in X_train for w in s.lower().split()}
    assert "Some test sentences use words that no training sentence contains" in text
    assert any(set(s.lower().split()) - train_words for s in X_test)
    assert "a few use negation (*not feeling happy* → 😞)" in text
    assert 0 < sum("not" in s.lower().split() for s in X_test) <= 10


def test_v1s_accuracy_and_errors_are_as_the_text_says(nb):
    out = output_text(nb, "pred_train, W, b = model(X_train")
    train, test = (float(v) for v in re.search(r"V1: training accuracy ([\d.]+), test accuracy ([\d.]+)", out).groups())
    text = markdown_text(nb, "V1 gets 95% of the training sentences")
    assert "V1 gets 95% of the training sentences and **89% of the test sentences** right" in text
    assert (round(100 * train), round(100 * test)) == (95, 89)
    happy_sad, errors = (int(v) for v in re.search(r"(\d+) of its (\d+) test errors are 😄 taken for 😞", out).groups())
    assert errors == round(100 * (1 - test))
    assert "Most of its errors are 😄 sentences taken for 😞 and the reverse" in text and happy_sad > errors / 2
    summary = markdown_text(nb, "## Summary")
    assert "already reaches 89% on new sentences" in summary
    assert "a softmax layer trained on a few hundred examples" in summary


def test_v1_is_trained_with_the_settings_the_text_states(nb):
    assert "Train V1 on the training set with the default 400 epochs" in markdown_text(nb, "Train V1 on the")
    assert "num_iterations=400" in code_cell(nb, "def model(X, Y, word_to_vec_map").source
    assert "pred_train, W, b = model(X_train, Y_train, word_to_vec_map)\n" in code_cell(nb, "pred_train, W, b").source
    text = markdown_text(nb, "### 2.2 – `model`")
    assert "`np.random.seed(1)` and the initial $W$" in text and "np.random.seed(1)" in code_cell(nb, "def model(X,").source
    assert "with $W$ of shape $(n_y, n_h) = (5, 50)$" in markdown_text(nb, "## 2 – Emojifier-V1")


def test_v1_on_unseen_words_and_on_word_order(nb):
    text = markdown_text(nb, "Words that appear in **no training sentence** are no problem")
    assert "The test sentences below contain such words (in capitals)" in text
    out = output_text(nb, "unseen = [s for s in X_test")
    lines = out.strip().splitlines()
    assert len(lines) == 10 and all(re.search(r"\b[A-Z]{2,}\b", line) for line in lines)
    assert "(expected" not in out                                       # V1 gets all of them right
    out = output_text(nb, 'hard = np.array(["not feeling happy"')
    assert "Two sentences with the same words in another order have exactly the same average" in \
        markdown_text(nb, "But an average forgets the **order** of the words")
    assert "the last two sentences have the same average: True" in out
    last_two = re.findall(r"^I was \w+ but now I am \w+\s+(\S+)$", out, re.M)
    assert len(last_two) == 2 and last_two[0] == last_two[1]            # so V1 gives them the same emoji


def test_the_embedding_sizes_the_text_states(nb, data):
    X_train = data[0]
    text = markdown_text(nb, "### 4.2 – `pretrained_embedding_layer`")
    assert "the 419 distinct words of the training sentences, out of 400,000" in text
    assert len({w for s in X_train for w in s.lower().split()}) == 419
    train_words = {w for s in X_train for w in s.lower().split()}
    assert "(35 of the 100 test sentences contain one)" in text
    assert sum(bool(set(s.lower().split()) - train_words) for s in data[2]) == 35
    assert "the 20 million embedding weights need no gradients" in text
    assert "For the 400,000 GloVe words it holds 20 million numbers (80 MB as float32)" in text
    rows = 400_000 + 1
    assert round(rows * 50, -6) == 20_000_000 and round(rows * 50 * 4 / 1e6) == 80
    out = output_text(nb, "row 0 (padding) is zeros:")
    assert re.search(r"built in [\d.]+ s: 400,001 rows of 50, trainable: False", out)
    assert "row of 'cucumber' = its GloVe vector: True" in out and "row 0 (padding) is zeros: True" in out
    assert "`word_to_index` numbers the 400,000 words from 1" in markdown_text(nb, "## 4 – Emojifier-V2")


def test_the_summary_of_v2_counts_the_parameters_the_text_states(nb):
    text = markdown_text(nb, "### 4.4 – Training Emojifier-V2")
    assert "20,000,050 in the frozen embedding (400,001 rows of 50)" in text and 400_001 * 50 == 20_000_050
    assert "223,877 trainable ones in the LSTMs and the softmax layer" in text
    summary = "".join(o.get("data", {}).get("text/plain", "") for o in code_cell(nb, "model_v2.summary()").outputs)
    summary = re.sub(r"\x1b\[[\d;]*m", "", summary)
    assert re.search(r"Trainable params: 223,877\b", summary) and re.search(r"Non-trainable params: 20,000,050\b",
                                                                            summary)
    lstm = lambda n_in, n: 4 * (n * (n_in + n) + n)                    # noqa: E731
    assert lstm(50, 128) + lstm(128, 128) + 128 * 5 + 5 == 223_877


def test_the_training_settings_and_what_training_reaches(nb):
    text = markdown_text(nb, "Train it with the Adam optimiser")
    code = code_cell(nb, "model_v2.compile(").source
    assert "for 50 epochs of mini-batches of 32 sentences (the cell prints how long that took)" in text
    assert 'optimizer="adam"' in code and "epochs=50, batch_size=32" in code
    out = output_text(nb, "model_v2.compile(")
    assert re.search(r"trained in [\d.]+ s", out)
    accuracy = _accuracy(r"last epoch: loss [\d.]+, accuracy ([\d.]+)", out)
    assert "its training accuracy reaches 99%" in markdown_text(nb, "V2 gets about")
    assert round(accuracy, 2) >= 0.99


def test_v2s_test_accuracy_is_as_the_text_says(nb):
    out = output_text(nb, "V2 gets {fixed} of V1's mistakes right")
    v1, v2 = (float(v) for v in re.search(r"test accuracy: V1 ([\d.]+), V2 ([\d.]+)", out).groups())
    fixed, broken = (int(v) for v in re.search(r"V2 gets (\d+) of V1's mistakes right, and makes (\d+)", out).groups())
    text = markdown_text(nb, "V2 gets about")
    assert "V2 gets about **90% of the test sentences** right" in text and abs(v2 - 0.90) <= 0.02
    assert "about as many as V1, but not the same ones" in text
    assert abs(v2 - v1) <= 0.03 and fixed > 0 and broken > 0
    assert "On a few hundred sentences it is about as accurate as the average" in markdown_text(nb, "## Summary")


def test_what_v2_learns_by_accident(nb, data):
    X_train, Y_train = data[:2]
    text = markdown_text(nb, "V2 gets about")
    assert "sentences ending in *me* are mostly ❤️ in the training set (*kiss me*, *marry me*)" in text
    ending_in_me = [(s.lower(), y) for s, y in zip(X_train, Y_train) if s.lower().split()[-1] == "me"]
    assert sum(y == 0 for _, y in ending_in_me) > len(ending_in_me) / 2
    assert any(s.endswith("kiss me") for s, y in ending_in_me if y == 0)
    assert any(s.endswith("marry me") for s, y in ending_in_me if y == 0)
    assert "so *you made me laugh* gets ❤️ too" in text
    mistakes = output_text(nb, "for sentence, truth, guess in mislabelled(X_test")
    assert re.search(r"V2 ❤️ .*You made me laugh$", mistakes, re.M)


def test_v2_on_the_sentences_averaging_cannot_tell_apart(nb, data):
    X_train, Y_train = data[:2]
    out = output_text(nb, "pred_hard_v2 = predict_v2(hard)")
    v2 = {sentence: emoji for emoji, sentence in re.findall(r"^V1 \S+\s+V2 (\S+)\s+(.+)$", out, re.M)}
    text = markdown_text(nb, "V2 *can* give the two last sentences different emoji")
    assert "and it does, though in our runs it gets both wrong" in text
    happy_last, sad_last = v2["I was sad but now I am happy"], v2["I was happy but now I am sad"]
    assert happy_last != sad_last and happy_last != EMOJIS[2] and sad_last != EMOJIS[3]
    assert "only a handful of training sentences contain *not*, most of them 😞" in text
    n_not, n_sad = (int(v) for v in re.search(r"(\d+) training sentences contain 'not'; (\d+) of them are", out).groups())
    with_not = Y_train[["not" in s.lower().split() for s in X_train]]
    assert (n_not, n_sad) == (len(with_not), np.sum(with_not == 3))
    assert n_not <= 12 and n_sad > n_not / 2

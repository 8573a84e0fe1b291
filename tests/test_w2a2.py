"""w2a2 Emojify: the dataset, its strict loader, the helpers, the solutions, and checks that name classic mistakes.

V2 is never trained here (the notebook test runs it); models are built on toy vocabularies.
"""
from __future__ import annotations

import copy
import inspect
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from contextlib import redirect_stdout

import numpy as np
import pytest

keras = pytest.importorskip("keras")

import checks.fixtures  # noqa: E402
from checks.assertions import CheckFailed  # noqa: E402
from checks.fixtures import fixture_path  # noqa: E402
from checks.paths import data_path  # noqa: E402
from autograder.reference import fixtures_are_stale  # noqa: E402
from autograder.reference import w2a2_emojify as reference  # noqa: E402
from course import ROOT, data_script, nbgrader_meta  # noqa: E402
from notebook_code import notebook_fixtures, run_test_cell  # noqa: E402
from week2 import emojify as emojify_module  # noqa: E402
from week2 import emojify_checks as ec  # noqa: E402
from week2.emojify import (EMOJIS, LABELS, accuracy, confusion_matrix, convert_to_one_hot, label_to_emoji,  # noqa: E402
                           load_emojify, max_words, mislabelled, plot_confusion_matrix, print_predictions, softmax)
from week2.glove import load_glove  # noqa: E402

AID = "w2a2_emojify"
L = keras.layers
GRADED = ("sentence_to_avg", "model", "sentences_to_indices", "pretrained_embedding_layer", "Emojify_V2")
CHECKS = {name: getattr(ec, f"check_{name}") for name in GRADED}


sol, notebook = notebook_fixtures(AID, names=("sol", "notebook"))


def _markdown(nb) -> str:
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


@pytest.fixture(scope="module")
def splits():
    return {split: load_emojify(split) for split in ("train", "test")}


def _prepare_module():
    return data_script("emojify")

# ---------------------------------------------------------------------------- the dataset


def test_sizes_labels_and_class_balance(splits):
    (X_train, Y_train), (X_test, Y_test) = splits["train"], splits["test"]
    assert len(X_train) >= 200 and len(X_test) >= 80
    for X, Y in splits.values():
        assert X.shape == Y.shape and X.dtype.kind == "U" and Y.dtype == np.int64
        assert set(Y.tolist()) == {0, 1, 2, 3, 4}
        shares = np.bincount(Y, minlength=5) / len(Y)
        assert ((shares >= 0.15) & (shares <= 0.25)).all(), shares


def test_no_repeats_and_no_test_sentence_in_training(splits):
    train = [s.lower() for s in splits["train"][0]]
    test = [s.lower() for s in splits["test"][0]]
    assert len(set(train)) == len(train) and len(set(test)) == len(test)
    assert not set(test) & set(train)


def test_fields_are_clean():
    for split in ("train", "test"):
        lines = data_path("emojify", f"{split}.csv").read_text(encoding="utf-8").split("\n")
        assert lines[0] == "sentence,label" and lines[-1] == ""  # header, and a final newline
        for number, line in enumerate(lines[1:-1], start=2):
            sentence, label = line.split(",")  # no quoting anywhere: two plain fields
            assert re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)*", sentence), f"{split}.csv line {number}: {line!r}"
            assert label in {"0", "1", "2", "3", "4"}, f"{split}.csv line {number}: {line!r}"


def test_every_word_is_in_glove(splits):
    _, word_to_index, _, _ = load_glove()
    missing = sorted({w for X, _ in splits.values() for s in X for w in s.lower().split() if w not in word_to_index})
    assert not missing


def test_negation_and_unseen_words_are_there(splits):
    negation = {"not", "cannot", "never", "nobody", "nothing"}
    for X, _ in splits.values():
        assert sum(bool(negation & set(s.lower().split())) for s in X) >= 5
    train_words = {w for s in splits["train"][0] for w in s.lower().split()}
    unseen = [s for s in splits["test"][0] if set(s.lower().split()) - train_words]
    assert len(unseen) >= 20


def test_files_are_what_prepare_writes_and_pass_its_rules():
    prepare = _prepare_module()
    rows = {}
    for split in ("train", "test"):
        path = data_path("emojify", f"{split}.csv")
        rows[split], problems = prepare.read_rows(path)
        assert not problems
        assert path.read_text(encoding="utf-8") == prepare.render(prepare.normalise(rows[split]))
    assert prepare.validate(rows, load_glove()[1]) == []
    broken = {"train": [r for r in rows["train"] if r[1] != 4][:150] + [("I love  xqzv", 0)],
              "test": rows["test"] + [rows["train"][0]]}
    problems = "\n".join(prepare.validate(broken, load_glove()[1]))
    for expected in ["fewer than 200", "outside 15%-25%", "single spaces", "outside GloVe's vocabulary",
                     "also in the training set"]:
        assert expected in problems


def test_readme_and_notebook_state_the_real_counts(splits, notebook):
    readme = data_path("emojify", "README.md").read_text(encoding="utf-8")
    assert _prepare_module().counts_table({s: list(zip(X, Y.tolist())) for s, (X, Y) in splits.items()}) in readme
    n_train, n_test = len(splits["train"][0]), len(splits["test"][0])
    text = _markdown(notebook)
    assert f"{n_train} training sentences and {n_test} test sentences" in readme
    assert f"**{n_train} training sentences** and **{n_test} test sentences**" in text
    assert f"The longest training sentence has **{max_words(splits['train'][0])} words**" in text
    assert f"{max_words(splits['train'][0])} at most in the training set" in readme

# ---------------------------------------------------------------------------- the strict loader


@pytest.mark.parametrize("text, line, message", [
    ("sentence,label\nI love you,0\nI am sad,3,extra\n", 3, "expected 2 fields"),
    ("sentence,label\nI love you,0\nI am sad \t,3\n", 3, "tab, a line break or spaces"),
    ("sentence,label\nI love you ,0\n", 2, "spaces at an end"),
    ("sentence,label\nI love you,0\nI am sad,5\n", 3, "label '5' is not one of 0, 1, 2, 3, 4"),
    ("sentence,label\nI love you, 0\n", 2, "label ' 0'"),
    ("sentence,label\nI love you,0\n\nI am sad,3\n", 3, "blank line"),
    ("sentence,label\n,2\n", 2, "the sentence is empty"),
    ("I love you,0\nI am sad,3\n", 1, "header row 'sentence,label'"),
    ("", 1, "the file is empty"),
    ('sentence,label\n"I love, you",0\n"an open quote,2\n', 3, "not valid CSV"),
])
def test_the_loader_names_the_line_and_the_problem(tmp_path, text, line, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"bad\.csv, line {line}: .*{re.escape(message)}"):
        load_emojify(path=path)


def test_the_loader_reads_quoted_fields_and_crlf(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_bytes('sentence,label\r\n"Well, I love you",0\r\nLets play,1\r\n'.encode())
    X, Y = load_emojify(path=path)
    assert X.tolist() == ["Well, I love you", "Lets play"] and Y.tolist() == [0, 1]


def test_a_missing_split_says_where_data_is_looked_for(monkeypatch, tmp_path):
    monkeypatch.setenv("SEQUENCE_MODELS_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="emojify.*train.csv.*README"):
        load_emojify("train")

# ---------------------------------------------------------------------------- helpers


def test_labels_emoji_and_one_hot():
    assert LABELS == ("love", "sport", "happy", "sad", "food")
    assert [label_to_emoji(i) for i in range(5)] == ["\u2764\ufe0f", "\u26be", "\U0001F604", "\U0001F61E", "\U0001F374"]
    assert label_to_emoji(np.int64(4)) == label_to_emoji(4.0) == EMOJIS[4]
    one_hot = convert_to_one_hot(np.array([3, 0, 4]), C=5)
    np.testing.assert_array_equal(one_hot, np.eye(5)[[3, 0, 4]])


def test_softmax_accuracy_confusion_and_mislabelled():
    z = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, 0.0]])
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0)
    np.testing.assert_allclose(softmax(z[0]), np.exp(z[0]) / np.exp(z[0]).sum())
    Y, pred = np.array([0, 1, 2, 2, 4]), np.array([[0], [2], [2], [2], [3]])
    assert accuracy(Y, pred) == 0.6
    cm = confusion_matrix(Y, pred)
    assert cm.shape == (5, 5) and cm.sum() == 5 and cm[2, 2] == 2 and cm[1, 2] == 1 and cm[4, 3] == 1
    X = np.array(["a", "b", "c", "d", "e"])
    assert mislabelled(X, Y, pred) == [("b", 1, 2), ("e", 4, 3)]


def test_printing_and_plotting():
    import matplotlib
    matplotlib.use("Agg")
    out = io.StringIO()
    with redirect_stdout(out):
        print_predictions(np.array(["I love you", "pizza"]), np.array([0, 1]), Y=np.array([0, 4]))
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("I love you") and EMOJIS[0] in lines[0] and "expected" not in lines[0]
    assert EMOJIS[1] in lines[1] and f"(expected {EMOJIS[4]})" in lines[1]
    ax = plot_confusion_matrix(np.array([0, 1, 2, 3, 4]), np.array([0, 1, 2, 3, 3]))
    assert "accuracy 80%" in ax.get_title()
    assert max_words(["a b c", "d"]) == 3

# ---------------------------------------------------------------------------- the solutions


def test_v1_reaches_the_accuracy_the_notebook_states(sol, notebook, splits):
    (X_train, Y_train), (X_test, Y_test) = splits["train"], splits["test"]
    with redirect_stdout(io.StringIO()):
        pred, W, b = sol["model"](X_train, Y_train, sol["word_to_vec_map"])
    avgs = np.array([sol["sentence_to_avg"](s, sol["word_to_vec_map"]) for s in X_test])
    test_acc = accuracy(Y_test, np.argmax(avgs @ W.T + b, axis=1))
    train_acc = accuracy(Y_train, pred)
    assert test_acc >= 0.85
    text = _markdown(notebook)
    assert f"V1 gets {train_acc:.0%} of the training sentences and **{test_acc:.0%} of the test sentences**" in text
    assert f"reaches {test_acc:.0%} on new sentences" in text


def test_sentences_to_indices_on_glove(sol):
    word_to_index = sol["word_to_index"]
    X = np.array(["I LOVE you", "qwertyuiop pizza is great", "a b c d e f g"])
    got = sol["sentences_to_indices"](X, word_to_index, 4)
    w = word_to_index
    assert got.tolist() == [[w["i"], w["love"], w["you"], 0], [w["pizza"], w["is"], w["great"], 0],
                            [w["a"], w["b"], w["c"], w["d"]]]


def test_embedding_layer_on_the_full_glove_vocabulary(sol):
    words, word_to_index, _, word_to_vec_map = load_glove()
    layer = sol["pretrained_embedding_layer"](word_to_vec_map, word_to_index)
    assert layer.input_dim == len(words) + 1 == 400_001 and layer.output_dim == 50 and not layer.trainable
    ids = np.array([[word_to_index["cucumber"], word_to_index[words[-1]], word_to_index["the"], 0]])
    out = keras.ops.convert_to_numpy(layer(ids))[0]
    np.testing.assert_allclose(out[:3], word_to_vec_map.vectors(["cucumber", words[-1], "the"]), rtol=1e-6)
    assert not out[3].any()
    # A dict with the same words gives the same rows (the slow path of word_matrix).
    few = {w: word_to_vec_map[w] for w in words[:50]}
    small = sol["pretrained_embedding_layer"](few, {w: word_to_index[w] for w in few})
    np.testing.assert_allclose(small.get_weights()[0][1:], word_to_vec_map.matrix[:50])


def test_the_notebook_states_the_parameter_counts_of_v2(notebook):
    _, word_to_index, _, _ = load_glove()
    trainable = ec.lstm_params(50, 128) + ec.lstm_params(128, 128) + 128 * 5 + 5
    frozen = (len(word_to_index) + 1) * 50
    assert f"{frozen:,} in the frozen" in _markdown(notebook) and f"{trainable:,} trainable ones" in _markdown(notebook)

# ---------------------------------------------------------------------------- the checks pass on the solution


def test_every_graded_cell_passes_on_the_solution_hidden_tests_included(sol, notebook):
    graded = [c for c in notebook.cells if nbgrader_meta(c).get("grade")]
    assert [nbgrader_meta(c)["grade_id"] for c in graded] == [
        "sentence_to_avg_tests", "model_tests", "sentences_to_indices_tests", "pretrained_embedding_layer_tests",
        "Emojify_V2_tests"]
    assert [nbgrader_meta(c)["points"] for c in graded] == [2, 4, 3, 3, 3]
    assert "5 graded functions, 15 points" in notebook.cells[0].source
    lines = [line for c in graded for line in run_test_cell(sol, notebook, nbgrader_meta(c)["grade_id"])]
    assert len(lines) == 5  # one pass line per public check; the hidden tests show only a failure


@pytest.mark.parametrize("seed", [None, 0, 1, 7, 17, 30])
def test_numpy_checks_pass_on_the_solution_for_many_inputs(sol, seed):
    ec.check_sentence_to_avg(sol["sentence_to_avg"], seed=seed)
    ec.check_model(sol["model"], seed=seed)
    ec.check_sentences_to_indices(sol["sentences_to_indices"], seed=seed)


@pytest.mark.parametrize("seed", [None, 1, 23])
def test_keras_checks_pass_on_the_solution_for_other_vocabularies(sol, seed):
    ec.check_pretrained_embedding_layer(sol["pretrained_embedding_layer"], seed=seed)
    ec.check_Emojify_V2(sol["Emojify_V2"], seed=seed)


def test_toy_vocabularies_differ_and_are_deterministic():
    a, b = ec.toy_vocabulary(3), ec.toy_vocabulary(4)
    assert a[1] == ec.toy_vocabulary(3)[1] and a[1] != b[1]
    for word_to_vec_map, word_to_index in (ec.toy_vocabulary(None), a, b):
        assert sorted(word_to_index.values()) == list(range(1, len(word_to_index) + 1))
        assert list(word_to_index.values()) != sorted(word_to_index.values())  # shuffled indices
        assert set(word_to_vec_map) == set(word_to_index)
    assert len(ec.toy_vocabulary(None)[1]) == 20 and len(next(iter(ec.toy_vocabulary(None)[0].values()))) == 4


def test_unfinished_functions_read_as_not_implemented():
    def unfinished(*args, **kwargs):
        raise NotImplementedError("Not implemented yet")

    for check in (ec.check_sentence_to_avg, ec.check_model, ec.check_sentences_to_indices,
                  ec.check_pretrained_embedding_layer, ec.check_Emojify_V2):
        with pytest.raises(NotImplementedError):
            check(unfinished)

# ---------------------------------------------------------------------------- sentence_to_avg mistakes


def _avg_variant(lower=True, count_unknown=False, divide=True, guard=True, skip=True):
    def sentence_to_avg(sentence, word_to_vec_map):
        words = (sentence.lower() if lower else sentence).split()
        n_e = len(next(iter(word_to_vec_map.values())))
        total, known = np.zeros(n_e), 0
        for w in words:
            if w in word_to_vec_map or not skip:
                total = total + word_to_vec_map[w]
                known += 1
        n = len(words) if count_unknown else known
        if not divide:
            return total
        return total / n if (n or not guard) else total
    return sentence_to_avg


@pytest.mark.parametrize("seed", [None, 3])
@pytest.mark.parametrize("mistake, message", [
    (dict(lower=False), "not lower-cased"),
    (dict(count_unknown=True), "number of all words, unknown ones included"),
    (dict(divide=False), "the sum of the vectors was returned"),
    (dict(guard=False), "divided by zero; return the zero vector"),
    (dict(skip=False), "KeyError.*skip the words that are not in word_to_vec_map"),
])
def test_sentence_to_avg_mistakes_are_named(seed, mistake, message):
    with pytest.raises(CheckFailed, match=message), np.errstate(all="ignore"):
        ec.check_sentence_to_avg(_avg_variant(**mistake), seed=seed)

# ---------------------------------------------------------------------------- model mistakes


def _model_variant(accumulate=None, bias=True, seed_inside=True, sign=1.0, pred_shape="column", cost="right",
                   prints=True):
    """An independent per-example SGD loop that prints the mean cost every 100th epoch as the cell does; the flags
    switch on classic mistakes (cost: "right", "none" never added, "plus" no minus sign, "last" overwritten,
    "log_z" the log of z instead of a)."""
    avg = _avg_variant()

    def model(X, Y, word_to_vec_map, learning_rate=0.01, num_iterations=400):
        if seed_inside:
            np.random.seed(1)
        m, n_y = len(Y), 5
        n_h = len(next(iter(word_to_vec_map.values())))
        W = np.random.randn(n_y, n_h) / np.sqrt(n_h)
        b = np.zeros(n_y)
        Y_oh = np.eye(n_y)[Y]
        A = np.array([avg(s, word_to_vec_map) for s in X])
        dW, db = np.zeros_like(W), np.zeros_like(b)
        for t in range(num_iterations):
            if accumulate == "epoch":  # reset every epoch, yet added up within it
                dW, db = np.zeros_like(W), np.zeros_like(b)
            total = 0.0
            for i in range(m):
                z = W.dot(A[i]) + b
                a = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
                with np.errstate(all="ignore"):
                    loss = {"plus": 1, "none": 0}.get(cost, -1) * np.log({"log_z": z}.get(cost, a))[Y[i]]
                total = loss if cost == "last" else total + loss
                dz = sign * (a - Y_oh[i])
                if accumulate:
                    dW += np.dot(dz.reshape(n_y, 1), A[i].reshape(1, n_h))
                    db += dz
                else:
                    dW, db = np.dot(dz.reshape(n_y, 1), A[i].reshape(1, n_h)), dz
                W = W - learning_rate * dW
                if bias:
                    b = b - learning_rate * db
            if prints and t % 100 == 0:
                print(f"epoch {t:3d}: mean cost {total / m:.4f}")
        pred = np.argmax(A @ W.T + b, axis=1)
        return (pred.reshape(m, 1) if pred_shape == "column" else pred), W, b
    return model


def test_an_independent_sgd_loop_passes_the_model_check():
    ec.check_model(_model_variant())
    ec.check_model(_model_variant(), seed=9)


@pytest.mark.parametrize("seed", [None, 5, 21])
@pytest.mark.parametrize("mistake, message", [
    (dict(accumulate="epoch"), "gradients were added up over the epoch .dW \\+= ..., db \\+= .... while W and b"),
    (dict(accumulate="all"), "added up across examples and epochs"),
    (dict(bias=False), "b was never updated"),
    (dict(sign=-1.0), "dz has the wrong sign"),
    (dict(pred_shape="flat"), r"pred: expected shape \(\d+, 1\) but got shape \(\d+,\)"),
])
def test_model_mistakes_are_named(seed, mistake, message):
    with pytest.raises(CheckFailed, match=message):
        ec.check_model(_model_variant(**mistake), seed=seed)


@pytest.mark.parametrize("seed", [None, 5, 21])
@pytest.mark.parametrize("mistake, message", [
    (dict(cost="none"), "nothing was added to cost"),
    (dict(cost="plus"), "the minus sign of the cross-entropy is missing"),
    (dict(cost="last"), r"cost was overwritten \(cost = ...\) instead of added to"),
    (dict(cost="log_z"), r"likely cause: cost adds up the cross-entropy of every example"),
    (dict(prints=False), r"expected a line 'epoch   0: mean cost ...'.*; keep the print of the cell"),
])
def test_the_printed_cost_is_checked(seed, mistake, message):
    """Finding: model's cost was never checked; a cost without its minus sign, never added up, or of log(z)
    passed (W and b do not depend on it). The check reads what the cell prints: every 100th epoch, cost / m."""
    with pytest.raises(CheckFailed, match=message):
        with redirect_stdout(io.StringIO()):
            ec.check_model(_model_variant(**mistake), seed=seed)


def test_the_stored_costs_are_those_of_the_default_run_and_the_short_one():
    case = reference.CASES["model"](seed=None)
    assert list(case["costs"]) == [0] and list(case["costs_default"]) == [0, 100, 200, 300]
    assert case["costs_default"][300] < case["costs_default"][0]  # training lowers the cost
    for mistake in ec.COST_MISTAKES:
        wrong = case["cost_mistakes"][mistake]
        assert not np.isclose(wrong["costs"][0], case["costs"][0], atol=1e-3), mistake


def test_a_model_that_does_not_seed_itself_fails():
    with pytest.raises(CheckFailed, match="model.*W: expected"):
        ec.check_model(_model_variant(seed_inside=False))

# ---------------------------------------------------------------------------- sentences_to_indices mistakes


def _indices_variant(lower=True, unknown="skip", pad="post", truncate=True, dtype=np.int64):
    """unknown: "skip", "zero" (0 in place), "unk_index" (the index of an 'unk' word in place), "string"
    ('<unk>' stored in an object array), "raise" (look every word up)."""
    def sentences_to_indices(X, word_to_index, max_len):
        m = len(X)
        X_indices = np.zeros((m, max_len), dtype=object if unknown == "string" else dtype)
        for i in range(m):
            idx = []
            for w in (X[i].lower() if lower else X[i]).split():
                if w in word_to_index:
                    idx.append(word_to_index[w])
                elif unknown == "zero":
                    idx.append(0)
                elif unknown == "unk_index":
                    idx.append(len(word_to_index) + 1)
                elif unknown == "string":
                    idx.append("<unk>")
                elif unknown == "raise":
                    idx.append(word_to_index[w])
            if truncate:
                idx = idx[:max_len]
            for j, k in enumerate(idx):
                X_indices[i, (j if pad == "post" else max_len - len(idx) + j)] = k
        return X_indices
    return sentences_to_indices


@pytest.mark.parametrize("seed", [None, 4, 9])
@pytest.mark.parametrize("mistake, message", [
    (dict(lower=False), "not lower-cased"),
    (dict(unknown="zero"), "unknown words were written as 0 in their place"),
    (dict(unknown="unk_index"), r"unknown words were given an index \(\[\d+\]\) in their place"),
    (dict(unknown="string"), "expected numbers .word indices. but got an array of object.*'<unk>'"),
    (dict(unknown="raise"), "raised KeyError.*skip the words that are not in word_to_index"),
    (dict(pad="pre"), "the padding is at the start .pre-padding."),
    (dict(truncate=False), "raised IndexError.*stop after max_len words"),
])
def test_sentences_to_indices_mistakes_are_named(seed, mistake, message):
    ec.check_sentences_to_indices(_indices_variant(), seed=seed)  # the independent version passes
    with pytest.raises(CheckFailed, match=message):
        ec.check_sentences_to_indices(_indices_variant(**mistake), seed=seed)

# ---------------------------------------------------------------------------- pretrained_embedding_layer mistakes


def _embedding_variant(trainable=False, padding=True, shift=0, build=True, set_weights=True):
    """padding: True, False (no padding row, indices shifted) or "rows" (one row too few: an IndexError);
    build: True, False (neither built nor given weights) or "late" (set_weights before build); set_weights: True,
    False (random initial weights) or "zeros" (a zero-initialised layer never given its weights)."""
    def pretrained_embedding_layer(word_to_vec_map, word_to_index):
        vocab_size = len(word_to_index) + (1 if padding is True else 0)
        emb_dim = len(next(iter(word_to_vec_map.values())))
        E = np.zeros((vocab_size, emb_dim), dtype=np.float32)
        for w, i in word_to_index.items():
            E[(i if padding else i - 1) - shift] = word_to_vec_map[w]
        init = "zeros" if set_weights == "zeros" else "uniform"
        layer = L.Embedding(vocab_size, emb_dim, trainable=trainable, embeddings_initializer=init)
        if build == "late":
            layer.set_weights([E])
        if build is True:
            layer.build((None,))
            if set_weights is True:
                layer.set_weights([E])
        return layer
    return pretrained_embedding_layer


@pytest.mark.parametrize("seed", [None, 6])
@pytest.mark.parametrize("mistake, message", [
    (dict(trainable=True), r"expected a frozen layer \(trainable=False\) but got a trainable layer"),
    (dict(padding=False), r"input_dim: expected \d+ but got \d+; the vocabulary has \d+ words plus the padding"),
    (dict(shift=1), "the rows are shifted by one"),
    (dict(set_weights=False), "the weights look random"),
    (dict(build=False), "the layer was not built"),
    (dict(build="late"), r"raised ValueError.*likely cause: the layer was not built, so it has no weights yet"),
    (dict(padding="rows"), r"raised IndexError.*likely cause: the matrix has too few rows"),
    (dict(set_weights="zeros"), "the weights are all zeros: the embedding matrix was not given to the layer"),
])
def test_embedding_mistakes_are_named(seed, mistake, message):
    ec.check_pretrained_embedding_layer(_embedding_variant(), seed=seed)
    with pytest.raises(CheckFailed, match=message):
        ec.check_pretrained_embedding_layer(_embedding_variant(**mistake), seed=seed)

# ---------------------------------------------------------------------------- Emojify_V2 mistakes


def _v2_variant(sol, order=("lstm_seq", "drop", "lstm", "drop", "dense", "softmax"), first_sequences=True,
                trainable_embedding=False, dense_activation=None, units=128, rate=0.5, dtype="int32", final="softmax",
                mask_zero=False):
    def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
        inputs = keras.Input(shape=input_shape, dtype=dtype)
        emb = sol["pretrained_embedding_layer"](word_to_vec_map, word_to_index)
        if mask_zero:  # the same weights in a layer that masks the padding index 0
            weights, emb = emb.get_weights(), L.Embedding(emb.input_dim, emb.output_dim, mask_zero=True)
            emb.build((None,))
            emb.set_weights(weights)
        emb.trainable = trainable_embedding
        x = emb(inputs)
        make = {"lstm_seq": lambda: L.LSTM(units, return_sequences=first_sequences), "lstm": lambda: L.LSTM(units),
                "drop": lambda: L.Dropout(rate), "dense": lambda: L.Dense(5, activation=dense_activation),
                "softmax": lambda: L.Activation(final), "softmax_layer": lambda: L.Softmax(),
                "softmax_over_the_batch": lambda: L.Softmax(axis=0)}
        for name in order:
            x = make[name]()(x)
        return keras.Model(inputs, x)
    return Emojify_V2


def test_an_independent_v2_passes(sol):
    ec.check_Emojify_V2(_v2_variant(sol), seed=5)


@pytest.mark.parametrize("seed", [None, 5])
def test_a_v2_that_masks_the_padding_or_ends_with_a_softmax_layer_passes(sol, seed):
    """The behaviour check stores outputs with the padding masked and not; either model is right."""
    ec.check_Emojify_V2(_v2_variant(sol, mask_zero=True), seed=seed)
    ec.check_Emojify_V2(_v2_variant(sol, order=("lstm_seq", "drop", "lstm", "drop", "dense", "softmax_layer")),
                        seed=seed)


def _backwards_v2(sol, first=False, second=False, mask_zero=False):
    def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
        inputs = keras.Input(shape=input_shape, dtype="int32")
        emb = sol["pretrained_embedding_layer"](word_to_vec_map, word_to_index)
        if mask_zero:
            weights, emb = emb.get_weights(), L.Embedding(emb.input_dim, emb.output_dim, mask_zero=True,
                                                           trainable=False)
            emb.build((None,))
            emb.set_weights(weights)
        x = L.Dropout(0.5)(L.LSTM(128, return_sequences=True, go_backwards=first)(emb(inputs)))
        x = L.Dropout(0.5)(L.LSTM(128, go_backwards=second)(x))
        return keras.Model(inputs, L.Dense(5, activation="softmax")(x))
    return Emojify_V2


@pytest.mark.parametrize("seed", [None, 2])
@pytest.mark.parametrize("flags, message", [
    (dict(first=True), "the first LSTM reads the sentence backwards"),
    (dict(second=True), "the second LSTM reads the sequence backwards"),
    (dict(first=True, second=True), "both LSTMs read backwards"),
    (dict(first=True, mask_zero=True), r"with the LSTM and Dense weights set by the check: expected .*likely cause: "
                                       r"the layers are not wired as section 4.3 draws them"),
])
def test_an_lstm_reading_backwards_fails_the_public_check(sol, seed, flags, message):
    """Finding: the structure checks passed an LSTM with go_backwards=True; now the check sets the LSTM and Dense
    weights from a seeded generator and compares the outputs on sentences whose word order matters."""
    ec.check_Emojify_V2(_backwards_v2(sol), seed=seed)
    with pytest.raises(CheckFailed, match=message):
        ec.check_Emojify_V2(_backwards_v2(sol, **flags), seed=seed)


def test_the_behaviour_batch_has_distinct_words_padding_and_more_than_one_row():
    for seed in (None, 2, 8):
        _, word_to_index, max_len = ec.emojify_v2_inputs(seed)
        x = ec.emojify_v2_batch(word_to_index, max_len, seed)
        assert x.shape == (4, max_len) and x.dtype == np.int32 and (x == 0).any() and (x[0] > 0).all()
        assert all(len(set(row[row > 0])) == (row > 0).sum() for row in x)  # no word twice: reversal matters
        case = reference.CASES["Emojify_V2"](seed=seed)
        assert not np.allclose(case["outputs"], case["outputs_masked"], atol=1e-4)  # the padding matters
        assert not np.allclose(case["outputs"][0], case["outputs"][2], atol=1e-4)
        for wrong in case["mistakes"].values():
            assert np.abs(wrong["outputs"] - case["outputs"]).max() > 1e-3


@pytest.mark.parametrize("mistake, message", [
    (dict(order=("lstm_seq", "lstm", "drop", "dense", "softmax")), "a missing Dropout layer .layer 3 of 7."),
    (dict(order=("lstm_seq", "lstm", "drop", "drop", "dense", "softmax")),
     "layers in the wrong order: layer 3 should be a Dropout, not a LSTM"),
    (dict(first_sequences=False), "ValueError.*likely cause: .*return_sequences=True"),
    (dict(order=("lstm_seq", "drop", "lstm", "drop", "dense")),
     "Dense: expected the activation 'softmax' but got 'linear'; likely cause: the final softmax is missing"),
    (dict(order=("lstm_seq", "drop", "lstm", "drop", "dense"), dense_activation="relu"),
     "Dense: expected the activation 'softmax' but got 'relu'; likely cause: the final softmax is missing"),
    (dict(order=("lstm_seq", "drop", "lstm", "dense"), dense_activation="softmax"),
     r"a missing Dropout layer \(layer 5 of 6\)"),
    (dict(final="relu"), "Activation: expected the activation 'softmax' but got 'relu'"),
    (dict(dense_activation="softmax"), "Dense.activation|Dense: expected the activation 'linear' but got 'softmax'"),
    (dict(trainable_embedding=True), "expected a frozen layer"),
    (dict(trainable_embedding=True, mask_zero=True), "expected a frozen layer"),
    (dict(first_sequences=False, mask_zero=True, order=("lstm_seq", "drop", "lstm", "drop", "dense"),
          dense_activation="softmax"), "ValueError.*likely cause: .*return_sequences=True"),
    (dict(units=64, dense_activation="softmax", order=("lstm_seq", "drop", "lstm", "drop", "dense")),
     r"LSTM 1.units: expected 128 but got 64"),
    (dict(final="softmax", dense_activation="softmax", mask_zero=True),
     "Dense: expected the activation 'linear' but got 'softmax'.*applied twice"),
    (dict(units=64), r"LSTM 1.units: expected 128 but got 64"),
    (dict(rate=0.2), r"Dropout 1.rate: expected 0.5 but got 0.2"),
    (dict(dtype="float32"), "input dtype: expected 'int32' but got 'float32'"),
])
def test_emojify_v2_mistakes_are_named(sol, mistake, message):
    with pytest.raises(CheckFailed, match=message):
        ec.check_Emojify_V2(_v2_variant(sol, **mistake))


def test_a_v2_with_a_new_random_embedding_fails(sol):
    def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
        inputs = keras.Input(shape=input_shape, dtype="int32")
        x = L.Embedding(len(word_to_index) + 1, len(next(iter(word_to_vec_map.values()))), trainable=False)(inputs)
        x = L.Dropout(0.5)(L.LSTM(128, return_sequences=True)(x))
        x = L.Dropout(0.5)(L.LSTM(128)(x))
        return keras.Model(inputs, L.Activation("softmax")(L.Dense(5)(x)))
    with pytest.raises(CheckFailed, match="the Embedding layer: expected row .* likely cause: the weights look random"):
        ec.check_Emojify_V2(Emojify_V2)

def test_a_softmax_layer_over_the_wrong_axis_is_named_in_one_sentence(sol):
    with pytest.raises(CheckFailed) as failure:
        ec.check_Emojify_V2(_v2_variant(sol, order=("lstm_seq", "drop", "lstm", "drop", "dense",
                                                    "softmax_over_the_batch")))
    message = str(failure.value)
    assert message == ("Emojify_V2: Softmax.axis: expected -1 (the classes) but got 0; the softmax runs over the 5 "
                       "classes of each sentence, so keep Softmax's default axis or use Activation(\"softmax\") "
                       "(section 4.3).")


# ---------------------------------------------------------------------------- every correct answer passes


@pytest.mark.parametrize("variant", [
    dict(order=("lstm_seq", "drop", "lstm", "drop", "dense"), dense_activation="softmax"),  # Dense(5, softmax)
    dict(mask_zero=True),                                                                  # padding masked
    dict(mask_zero=True, order=("lstm_seq", "drop", "lstm", "drop", "dense"), dense_activation="softmax"),
    dict(order=("lstm_seq", "drop", "lstm", "drop", "dense", "softmax_layer")),            # a Softmax layer
])
@pytest.mark.parametrize("seed", [None, 5])
def test_every_correct_v2_passes(sol, variant, seed):
    out = io.StringIO()
    with redirect_stdout(out):
        ec.check_Emojify_V2(_v2_variant(sol, **variant), seed=seed)
    assert out.getvalue() == ("\u2714 Emojify_V2: all checks passed.\n" if seed is None else "")


@pytest.mark.parametrize("seed", [None, 2])
def test_a_v2_with_masking_prints_nothing_but_the_verdict(seed):
    """In a fresh process (TensorFlow logs some lines once per process): a correct V2 whose Embedding masks the
    padding makes TensorFlow's C++ code log "E0000 ... oneDNN supports DT_BOOL only ..." on some CPUs; the check
    must show its pass line and nothing else, on stdout or stderr. With a hidden seed the reference computes the
    expected values first (its Keras models can log the same line): that too is inside the check's silence."""
    script = textwrap.dedent('''
        import os, sys
        os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"  # as the notebook's setup cell
        sys.path[:0] = [sys.argv[1]]
        import numpy as np
        import keras
        from week2 import emojify_checks as ec
        L = keras.layers

        def Emojify_V2(input_shape, word_to_vec_map, word_to_index):
            n_e = len(next(iter(word_to_vec_map.values())))
            E = np.zeros((len(word_to_index) + 1, n_e), dtype=np.float32)
            for w, i in word_to_index.items():
                E[i] = word_to_vec_map[w]
            emb = L.Embedding(len(E), n_e, mask_zero=True, trainable=False)
            emb.build((None,))
            emb.set_weights([E])
            inputs = keras.Input(shape=input_shape, dtype="int32")
            x = L.Dropout(0.5)(L.LSTM(128, return_sequences=True)(emb(inputs)))
            x = L.Dropout(0.5)(L.LSTM(128)(x))
            return keras.Model(inputs, L.Dense(5, activation="softmax")(x))

        sys.stdout.flush()
        print("--- the check starts ---", file=sys.stderr, flush=True)
        print("--- the check starts ---", flush=True)
        ec.check_Emojify_V2(Emojify_V2, seed=None if sys.argv[2] == "None" else int(sys.argv[2]))
    ''')
    proc = subprocess.run([sys.executable, "-c", script, str(ROOT), repr(seed)], capture_output=True, text=True,
                          timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr
    verdict = "\u2714 Emojify_V2: all checks passed.\n" if seed is None else ""  # a hidden check passes silently
    assert proc.stdout.split("--- the check starts ---\n")[1] == verdict
    assert proc.stderr.split("--- the check starts ---\n")[1] == ""


@pytest.mark.parametrize("dtype", [np.int16, np.int32, np.int64, np.uint16, np.uint32, np.intp])
def test_any_integer_dtype_of_indices_passes(dtype):
    ec.check_sentences_to_indices(_indices_variant(dtype=dtype))
    ec.check_sentences_to_indices(_indices_variant(dtype=dtype), seed=4)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("seed", [None, 9])
def test_float_indices_are_rejected(dtype, seed):
    with pytest.raises(CheckFailed, match=r"expected an array of integers \(word indices\) but got an array of "
                       r"float.*an Embedding layer looks up a row by its integer index.*integer dtype"):
        ec.check_sentences_to_indices(_indices_variant(dtype=dtype), seed=seed)

# ---------------------------------------------------------------------------- no reference in the student's copy


def test_no_reference_implementation_ships_with_the_checks():
    for name in ("_ref_avg", "_ref_indices", "_ref_model", "_expected_matrix", "_toy_glove"):
        assert not hasattr(ec, name), name
    for path in (ROOT / "week2").glob("*.py"):
        assert "def _ref_" not in path.read_text(encoding="utf-8"), path
    source = inspect.getsource(ec)
    assert "np.outer" not in source and "np.random.randn" not in source  # no SGD step, no initial weights


def test_the_reference_defines_the_graded_functions_with_the_notebooks_signatures(sol):
    assert reference.CHECKS == ec.__name__
    assert tuple(reference.GRADED) == GRADED and tuple(reference.CASES) == GRADED
    for name in GRADED:
        assert inspect.signature(reference.GRADED[name]) == inspect.signature(sol[name]), name


@pytest.mark.parametrize("seed", [None, 3, 12])
def test_the_reference_passes_every_check(seed):
    with redirect_stdout(io.StringIO()):
        for name, check in CHECKS.items():
            check(reference.GRADED[name], seed=seed)


def test_the_fixture_file_is_fresh_and_small():
    path = fixture_path(AID, ROOT)
    assert path.stat().st_size < 100_000
    assert not fixtures_are_stale(AID, ROOT)
    assert set(json.loads(path.read_text())) == set(GRADED)


def test_the_public_checks_use_the_stored_values(sol, monkeypatch):
    """A public check compares with the fixture file: change a stored expected value and the solution fails."""
    stored = copy.deepcopy(ec.FIXTURES.stored())
    key = next(iter(stored["sentence_to_avg"]))
    case = checks.fixtures.decode(stored["sentence_to_avg"][key])
    case[0]["avg"], case[0]["mistakes"] = case[0]["avg"] + 1.0, {}
    stored["sentence_to_avg"][key] = checks.fixtures.encode(case)
    monkeypatch.setattr(ec.FIXTURES, "_stored", stored)
    monkeypatch.setattr(checks.fixtures, "reference", lambda aid: None)
    with pytest.raises(CheckFailed, match=r"sentence_to_avg\('I love pizza', ...\): expected"):
        ec.check_sentence_to_avg(sol["sentence_to_avg"])


def test_public_checks_work_without_the_reference(sol, notebook, monkeypatch):
    """The student's copy has no autograder/reference: every public call of every test cell still passes on the
    solution, from the stored fixtures alone; other arguments say that they have no stored values."""
    monkeypatch.setattr(checks.fixtures, "reference", lambda aid: None)
    public = copy.deepcopy(notebook)
    grade_ids = []
    for cell in public.cells:
        if nbgrader_meta(cell).get("grade"):
            cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0]
            grade_ids.append(nbgrader_meta(cell)["grade_id"])
    lines = [line for gid in grade_ids for line in run_test_cell(sol, public, gid)]
    assert lines == [f"\u2714 {name}: all checks passed." for name in GRADED]
    for name, check in CHECKS.items():
        with pytest.raises(CheckFailed, match=f"check_{name} has no stored expected values for seed=5"):
            check(sol[name], seed=5)


def test_no_function_of_the_student_modules_passes_a_check():
    """Whatever a student imports from week2.emojify or week2.emojify_checks, it does not pass a graded check."""
    functions = [f for module in (ec, emojify_module) for _, f in inspect.getmembers(module, inspect.isfunction)
                 if f.__module__ == module.__name__]
    assert len(functions) > 20
    for name, check in CHECKS.items():
        for fn in functions:
            with redirect_stdout(io.StringIO()), pytest.raises(CheckFailed):
                check(fn)

# ---------------------------------------------------------------------------- the notebook's texts


def _student_texts(notebook) -> dict:
    texts = {"source notebook": "\n".join(c.source for c in notebook.cells)}
    for path in [*(ROOT / "week2").glob("emojify*.py"), *(ROOT / "release" / AID).glob("*.ipynb")]:
        texts[str(path.relative_to(ROOT))] = path.read_text(encoding="utf-8")
    return texts


def test_no_other_edition_is_mentioned(notebook):
    for where, text in _student_texts(notebook).items():
        assert not re.search(r"edition|best-known", text, re.I), where


def test_the_notebook_explains_post_padding_and_masking(notebook):
    text = _markdown(notebook)
    assert "**Why after the words, and what masking does.**" in text
    assert "`mask_zero=True`" in text and "skip" in text
    assert "either way" in text  # masked or not, the check accepts it
    assert 'Dense(5, activation="softmax")' in text  # the one-layer softmax is accepted too


def test_the_freezing_text_names_the_benchmark_and_quotes_none_of_its_unstored_results(notebook):
    """The frozen / masked / trainable comparison leaves no stored result file, so the notebook points at the script
    that makes it and states none of its numbers (tests/test_w2a2_notebook.py checks the numbers it does state)."""
    text = _markdown(notebook)
    assert "model would lose what GloVe knows" not in text  # the old, unmeasured claim
    assert "benchmarks/emojify_frozen_vs_trainable.py" in text
    assert (ROOT / "benchmarks" / "emojify_frozen_vs_trainable.py").exists()
    for claim in ("a trainable embedding scored", "times as long", "0.86", "0.95", "56 s"):
        assert claim not in text, claim

# ---------------------------------------------------------------------------- curated mistakes and probes


def test_every_graded_function_has_a_probe_that_the_solution_runs(sol):
    """PROBES: at least 20 calls per graded function, several sizes, the boundaries of each contract (no known word,
    max_len reached or not, one word, an epoch count past 100); the solution raises on none of them."""
    assert set(reference.PROBES) == set(reference.GRADED) == set(reference.MISTAKES)
    for name, probe in reference.PROBES.items():
        calls = probe(np.random.default_rng(0))
        assert len(calls) >= 20, name
        if name == "Emojify_V2":
            calls = calls[:2]  # building 20 models takes a while; the shapes are checked below
        for args in calls:
            with redirect_stdout(io.StringIO()):
                sol[name](*copy.deepcopy(args))
    max_lens = {args[0][0] for args in reference.PROBES["Emojify_V2"](np.random.default_rng(0))}
    assert len(max_lens) >= 8 and 1 in max_lens
    avgs = [sol["sentence_to_avg"](*args) for args in reference.PROBES["sentence_to_avg"](np.random.default_rng(0))]
    assert sum(not a.any() for a in avgs) >= 4  # sentences with no known word
    assert max(args[4] for args in reference.PROBES["model"](np.random.default_rng(0))) > 100

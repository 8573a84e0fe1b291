"""The pretrained CTC digit recogniser of w3a3: data/models/ctc_digits/ (weights.npz, metrics.json, README.md, made by
train.py) and the training helpers of week3/digits.py.

The weights must load into the reference's build_recognizer model, the README must give the figures of
metrics.json, and the greedy dev digit error rate recomputed on the first 60 dev utterances must agree with the
figure train.py stored for them (TOLERANCE: other CPUs and library builds change the logits in the last digits,
which may flip a rare near-tie of the argmax).
"""
from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from week3 import digits as dg

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "data" / "models" / "ctc_digits"
TOLERANCE = 0.01           # absolute, on a digit error rate
GOAL = 0.10                # greedy dev digit error rate the shipped weights were trained to reach


@pytest.fixture(scope="module")
def metrics():
    return json.loads((ROOT / "metrics.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def readme():
    return " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


@pytest.fixture(scope="module")
def train_script():
    spec = importlib.util.spec_from_file_location("ctc_digits_train", ROOT / "train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def reference():
    from autograder.reference import w3a3_ctc
    return w3a3_ctc


@pytest.fixture(scope="module")
def model(reference):
    m = reference.build_recognizer((None, dg.N_MELS), dg.N_CLASSES)
    dg.load_pretrained(m)
    return m


def test_the_weights_load_into_the_reference_model(reference, metrics):
    m = reference.build_recognizer((None, dg.N_MELS), dg.N_CLASSES)
    before = [w.copy() for w in m.get_weights()]
    loaded = dg.load_pretrained(m)
    assert loaded["epochs"] == metrics["epochs"]
    assert m.count_params() == metrics["parameters"]
    assert any(not np.array_equal(a, b) for a, b in zip(before, m.get_weights()))
    wrong = reference.build_recognizer((None, dg.N_MELS + 1), dg.N_CLASSES)
    with pytest.raises(ValueError, match="build_recognizer"):
        dg.load_pretrained(wrong)


def test_the_readme_gives_the_metrics(metrics, readme):
    assert f"{metrics['parameters']:,} parameters" in readme
    assert f"It ran {metrics['epochs']} epochs in {metrics['train_seconds'] / 60:.1f} minutes" in readme
    assert metrics["command"] in readme
    greedy, beam = metrics["dev"]["greedy"], metrics["dev"]["beam 8"]
    for name, key in (("digit error rate", "digit error rate"), ("sentence accuracy", "sentence accuracy")):
        assert f"| {name} | {greedy[key]:.3f} | {beam[key]:.3f} |" in readme, name
    assert f"{metrics['dev first 60']['digit error rate']:.3f}" in readme
    assert len(metrics["history"]) == metrics["epochs"]
    assert greedy["utterances"] == 350 and greedy["word error rate"] == greedy["digit error rate"]


def test_the_shipped_weights_reach_the_goal(metrics):
    assert metrics["dev"]["greedy"]["digit error rate"] <= GOAL, metrics["dev"]["greedy"]


def test_greedy_dev_error_rate_recomputed_on_a_subset(model, reference, metrics, train_script):
    features, labels, info = dg.load_split("dev")
    n = metrics["dev first 60"]["utterances"]
    log_probs = dg.predict_log_probs(model, features[:n])
    for lp, f in zip(log_probs, features[:n]):
        assert lp.shape == (dg.output_frames(len(f)), dg.N_CLASSES) and lp.dtype == np.float64
        assert np.allclose(np.exp(lp).sum(axis=1), 1.0)
    hyps = [reference.greedy_decode(lp) for lp in log_probs]
    got = train_script.error_rates([list(l) for l in labels[:n]], hyps, reference.edit_distance)
    want = metrics["dev first 60"]["digit error rate"]
    assert abs(got["digit error rate"] - want) <= TOLERANCE, (got, want)


def test_error_rates_on_hand_made_cases(train_script, reference):
    refs = [[5, 2, 8, 3], [1, 1, 1]]
    hyps = [[5, 2, 8], [1, 1, 1]]
    r = train_script.error_rates(refs, hyps, reference.edit_distance)
    assert r["digit error rate"] == round(1 / 7, 4) and r["sentence accuracy"] == 0.5
    # "four one seven two" -> "four one seven": 4 characters (" two") of 18 + 14
    assert r["character error rate"] == round(4 / (18 + 14), 4)
    empty = train_script.error_rates([[3, 4, 5]], [[]], reference.edit_distance)
    assert empty["digit error rate"] == 1.0 and empty["character error rate"] == 1.0


def test_train_ctc_lowers_the_loss_on_a_few_utterances(reference):
    import keras

    features, labels, _ = dg.load_split("dev")
    x, frames = dg.model_inputs(features[:8])
    keras.utils.set_random_seed(0)
    m = reference.build_recognizer((None, dg.N_MELS), dg.N_CLASSES)
    losses = dg.train_ctc(m, x, frames, labels[:8], epochs=3, batch_size=4, learning_rate=3e-3, augment=True)
    assert len(losses) == 3 and all(np.isfinite(losses)) and losses[-1] < losses[0]

"""w1a3 Jazz improvisation: the checks (they pass the reference and name the classic mistakes), the training
windows, the baselines, the pretrained weights, sampling with a temperature, and what the notebook's text says.

The music side (corpus, grammar, MIDI, audio, piano roll) is tested in test_w1a3_music.py.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from checks.assertions import CheckFailed  # noqa: E402
from checks.paths import data_path  # noqa: E402
from autograder.reference import w1a3_jazz_improvisation as reference  # noqa: E402
from course import ROOT  # noqa: E402
from notebook_code import notebook_fixtures, run_test_cell  # noqa: E402
from week1 import jazz  # noqa: E402
from week1 import jazz_checks as jc  # noqa: E402
from week1.music import load_corpus  # noqa: E402

L, ops = keras.layers, keras.ops
AID = "w1a3_jazz_improvisation"
NOTEBOOK = ROOT / "source" / AID / "jazz_improvisation.ipynb"


ns, notebook = notebook_fixtures(AID, names=("ns", "notebook"))


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


@pytest.fixture(scope="module")
def executed(executed_source):
    """The source notebook run top to bottom in a fresh kernel, in a copy of its folder (the session's run)."""
    return executed_source(AID)


def _fails(check, fn, pattern, **kwargs):
    with pytest.raises(CheckFailed) as info:
        check(fn, **kwargs)
    assert re.search(pattern, str(info.value)), str(info.value)
    return str(info.value)

# ---------------------------------------------------------------------------- the reference passes every check


@pytest.mark.parametrize("seed", [None, 1, 2, 4, 5, 7])
def test_the_reference_passes_every_check(seed, capsys):
    jc.check_djmodel(reference.djmodel, seed=seed)
    jc.check_music_inference_model(reference.music_inference_model, seed=seed)
    jc.check_predict_and_sample(reference.predict_and_sample, seed=seed)


def test_check_sizes_differ_from_the_notebooks_and_between_seeds():
    """A function that reads n_values or n_a from a notebook global cannot pass."""
    public = jc.sizes(None)
    assert public["n_a"] != jazz.N_A and public["n_values"] < 20
    assert len({tuple(jc.sizes(s).values()) for s in range(1, 9)}) > 4


def test_the_expected_outputs_are_an_independent_step_by_step_computation():
    """The stored outputs (numpy, float64) equal what Keras's own LSTM run over the sequence computes."""
    case = reference.case_djmodel(None)
    w = jc.layer_weights(None)
    X, a0, c0 = jc.sequence_inputs(None)
    lstm = L.LSTM(jc.sizes()["n_a"], return_sequences=True)
    dense = L.Dense(jc.sizes()["n_values"], activation="softmax")
    dense(lstm(X, initial_state=[a0, c0]))  # builds both layers
    lstm.set_weights([w["kernel"], w["recurrent_kernel"], w["bias"]])
    dense.set_weights([w["dense_kernel"], w["dense_bias"]])
    keras_out = np.asarray(dense(lstm(X, initial_state=[a0, c0]))).swapaxes(0, 1)
    np.testing.assert_allclose(case["outputs"], keras_out, rtol=1e-4, atol=1e-5)
    for cause, wrong in case["mistakes"].items():  # every named mistake really changes the outputs
        assert not np.allclose(wrong, case["outputs"], rtol=1e-3, atol=1e-4), cause

# ---------------------------------------------------------------------------- djmodel mistakes


def _djmodel(mode):
    def djmodel(Tx, LSTM_cell, densor, reshaper):
        n_values = 90 if mode == "global_n_values" else densor.units
        n_a = 64 if mode == "global_n_a" else LSTM_cell.units
        X = L.Input(shape=(Tx, n_values))
        a0, c0 = L.Input(shape=(n_a,)), L.Input(shape=(n_a,))
        a, c, outputs = a0, c0, []
        own_dense = L.Dense(densor.units, activation="softmax")
        for t in range(Tx):
            x = (L.Reshape((1, n_values)) if mode == "global_n_values" else reshaper)(X[:, t, :])
            cell = L.LSTM(LSTM_cell.units, return_state=True) if mode == "new_lstm_in_loop" else LSTM_cell
            if mode == "unpack":
                a, c, _ = cell(x, initial_state=[a, c])
            elif mode == "no_carry":
                a, _, c = cell(x, initial_state=[a0, c0])
            elif mode == "swap_state":
                a, _, c = cell(x, initial_state=[c, a])
            else:
                a, _, c = cell(x, initial_state=[a, c])
            outputs.append((own_dense if mode == "own_dense" else densor)(c if mode == "dense_on_c" else a))
        if mode == "last_only":
            outputs = outputs[-1]
        return keras.Model(inputs=[X, a0, c0], outputs=outputs)
    return djmodel


@pytest.mark.parametrize("mode, pattern", [
    ("global_n_values", r"n_values was not taken from the arguments: read it from the densor passed in"),
    ("global_n_a", r"n_a was not taken from the arguments: read it from the LSTM_cell passed in"),
    ("new_lstm_in_loop", r"new layers are created inside the loop"),
    ("own_dense", r"do not hold the weights of the LSTM_cell and densor it was given"),
    ("unpack", r"unpacked in the wrong order.*the output, the hidden state and the cell state, in that order"),
    ("no_carry", r"the state is not carried from one step to the next"),
    ("swap_state", r"initial state is in the wrong order: the hidden state a comes first"),
    ("dense_on_c", r"densor was applied to the cell state c"),
    ("last_only", r"expected 4 outputs .* only the last step's output was returned"),
])
def test_djmodel_mistakes_are_named(mode, pattern):
    _fails(jc.check_djmodel, _djmodel(mode), pattern)


def test_a_crash_of_a_model_reading_the_notebooks_sizes_names_them():
    """A function that reads n_values or n_a as notebook globals crashes on the checks' smaller layers; the message
    says which size was not taken from the arguments."""
    namespace = {"np": np, "keras": keras, "n_values": 90, "n_a": 64}
    exec("def djmodel(Tx, LSTM_cell, densor, reshaper):\n"
         "    X = keras.Input(shape=(Tx, n_values))\n"
         "    a0, c0 = keras.Input(shape=(LSTM_cell.units,)), keras.Input(shape=(LSTM_cell.units,))\n"
         "    a, c, outputs = a0, c0, []\n"
         "    for t in range(Tx):\n"
         "        a, _, c = LSTM_cell(reshaper(X[:, t, :]), initial_state=[a, c])\n"
         "        outputs.append(densor(a))\n"
         "    return keras.Model(inputs=[X, a0, c0], outputs=outputs)\n"
         "def music_inference_model(LSTM_cell, densor, Ty=100):\n"
         "    x0 = keras.Input(shape=(1, densor.units))\n"
         "    a0, c0 = keras.Input(shape=(n_a,)), keras.Input(shape=(n_a,))\n"
         "    a, _, c = LSTM_cell(x0, initial_state=[a0, c0])\n"
         "    return keras.Model(inputs=[x0, a0, c0], outputs=[densor(a)] * Ty)\n", namespace)
    _fails(jc.check_djmodel, namespace["djmodel"], r"(?s)raised .*Likely cause: n_values was not taken from the "
                                                   r"arguments: the function reads the notebook's global n_values")
    _fails(jc.check_music_inference_model, namespace["music_inference_model"],
           r"Likely cause: n_a was not taken from the arguments: .*read it from the LSTM_cell passed in")


def test_djmodel_hidden_cases_catch_mistakes_too():
    _fails(jc.check_djmodel, _djmodel("no_carry"), r"not carried", seed=1)
    _fails(jc.check_djmodel, _djmodel("global_n_values"), r"read it from the densor passed in", seed=4)

# ---------------------------------------------------------------------------- music_inference_model mistakes


def _inference(mode):
    def music_inference_model(LSTM_cell, densor, Ty=100):
        n_values, n_a = densor.units, LSTM_cell.units
        x0 = L.Input(shape=(1, n_values))
        a0, c0 = L.Input(shape=(n_a,)), L.Input(shape=(n_a,))
        a, c, x, outputs = a0, c0, x0, []
        for t in range(Ty):
            if mode == "unpack":
                a, c, _ = LSTM_cell(x, initial_state=[a, c])
            else:
                a, _, c = LSTM_cell(x, initial_state=[a, c])
            out = densor(a)
            outputs.append(out)
            if mode == "probabilities":
                x = L.RepeatVector(1)(out)
            elif mode == "no_feedback":
                x = x0
            elif mode == "lambda":
                x = L.RepeatVector(1)(L.Lambda(lambda o: ops.one_hot(ops.argmax(o, axis=-1), n_values))(out))
            else:
                x = L.RepeatVector(1)(ops.one_hot(ops.argmax(out, axis=-1), n_values))
        return keras.Model(inputs=[x0, a0, c0], outputs=outputs)
    return music_inference_model


@pytest.mark.parametrize("mode, pattern", [
    ("probabilities", r"the softmax probabilities are fed back as the next input"),
    ("no_feedback", r"every step reads x0"),
    ("unpack", r"unpacked in the wrong order"),
    ("lambda", r"Lambda layer.*keras\.ops"),
])
def test_music_inference_model_mistakes_are_named(mode, pattern):
    _fails(jc.check_music_inference_model, _inference(mode), pattern)


def test_music_inference_model_steps_follow_the_fed_back_argmax():
    """The greedy model's outputs: the argmax of step t is the token step t + 1 reads (checked on Keras itself)."""
    LSTM_cell, densor, _ = jc.shared_layers(3)
    s = jc.sizes(3)
    model = reference.music_inference_model(LSTM_cell, densor, Ty=s["Ty"])
    x0, a0, c0 = jc.inference_inputs(3)
    outs = np.stack([np.asarray(o) for o in model([x0, a0, c0])])
    h, c, x = a0, c0, x0
    for t in range(s["Ty"]):
        y, h, c = LSTM_cell(x, initial_state=[h, c])
        p = np.asarray(densor(y))
        np.testing.assert_allclose(outs[t], p, rtol=1e-5, atol=1e-6)
        x = np.eye(s["n_values"], dtype=np.float32)[p.argmax(axis=-1)][:, None, :]

# ---------------------------------------------------------------------------- predict_and_sample mistakes


def _pas(mode):
    def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
        n_values = 90 if mode == "global" else x_initializer.shape[-1]
        pred = inference_model.predict([x_initializer, a_initializer, c_initializer], verbose=0)
        indices = np.argmax(pred, axis=0 if mode == "axis0" else -1)
        results = keras.utils.to_categorical(indices, num_classes=n_values)
        if mode == "probabilities":
            results = np.array(pred)[:, 0, :]
        if mode == "flat":
            indices = indices.reshape(-1)
        if mode == "swapped":
            return indices, results
        if mode == "shifted":
            indices = np.roll(indices, 1, axis=0)
        return results, indices
    return predict_and_sample


def test_predict_and_sample_accepts_predict_as_well_as_a_call():
    jc.check_predict_and_sample(_pas("right"))


@pytest.mark.parametrize("mode, pattern", [
    ("global", r"it is the last dimension of x_initializer"),
    ("axis0", r"taken over the steps \(axis=0\)"),
    ("probabilities", r"results holds the probabilities"),
    ("flat", r"expected shape \(5, 1\) but got shape \(5,\).*keep the batch axis"),
    ("swapped", r"the other way round"),
    ("shifted", r"expected indices .* first differing at step 0"),
])
def test_predict_and_sample_mistakes_are_named(mode, pattern):
    _fails(jc.check_predict_and_sample, _pas(mode), pattern)


def test_the_sampling_stand_in_model_is_not_an_inference_model():
    """predict_and_sample is checked on a model made of plain Dense heads: nothing a student receives builds
    the feedback loop of music_inference_model."""
    model = jc.sampling_model(None)
    assert not any(isinstance(layer, (L.LSTM, L.RepeatVector)) for layer in model.layers)
    indices = reference.case_predict_and_sample(None)["indices"]
    assert len(set(indices.reshape(-1).tolist())) > 2  # the argmax moves from step to step

# ---------------------------------------------------------------------------- windows, baselines, weights


def test_windows_are_next_token_pairs_from_whole_pieces(corpus):
    X, Y = jazz.windows(corpus, "train", Tx=jazz.TX, stride=4)
    assert X.shape[1:] == (jazz.TX, corpus.n_values) and Y.shape == (jazz.TX, X.shape[0], corpus.n_values)
    assert X.dtype == np.float32 and np.all(X.sum(axis=-1) == 1)
    np.testing.assert_array_equal(X[:, 1:], Y[:-1].swapaxes(0, 1))  # the target of step t is the input of t + 1
    held = jazz.window_indices(corpus, "heldout")
    train_ids = {p.id for p in corpus.train}
    assert train_ids.isdisjoint(p.id for p in corpus.heldout) and len(held) > 500
    limited, _ = jazz.windows(corpus, "train", limit=100, seed=3)
    again, _ = jazz.windows(corpus, "train", limit=100, seed=3)
    assert limited.shape[0] == 100 and np.array_equal(limited, again)
    with pytest.raises(ValueError, match="split must be"):
        jazz.window_indices(corpus, "test")


def test_next_token_metrics_on_a_hand_made_example():
    probs = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8], [0.5, 0.25, 0.25]])
    m = jazz.next_token_metrics(probs, np.array([0, 1, 2]))
    assert m["accuracy"] == pytest.approx(1 / 3)
    assert m["cross_entropy"] == pytest.approx(-(np.log(0.7) + np.log(0.1) + np.log(0.25)) / 3)


def test_the_pretrained_lstm_beats_both_baselines_on_held_out_pieces(corpus):
    """Recomputed here with the notebook's own model (djmodel's shared layers) and the shipped weights."""
    LSTM_cell, densor = L.LSTM(jazz.N_A, return_state=True), L.Dense(corpus.n_values, activation="softmax")
    reshaper = L.Reshape((1, corpus.n_values))
    stored = jazz.load_pretrained(LSTM_cell, densor, corpus)
    got = jazz.model_metrics(reference.djmodel(jazz.TX, LSTM_cell, densor, reshaper), corpus)
    base = jazz.baseline_metrics(corpus)
    assert base["bigram"]["cross_entropy"] < base["unigram"]["cross_entropy"]
    for name in ("unigram", "bigram"):
        assert got["accuracy"] > base[name]["accuracy"] and got["cross_entropy"] < base[name]["cross_entropy"]
    # The metrics the README reports are the ones the shipped weights give.
    assert got["accuracy"] == pytest.approx(stored["heldout"]["accuracy"], abs=2e-3)
    assert got["cross_entropy"] == pytest.approx(stored["heldout"]["cross_entropy"], abs=2e-3)
    assert stored["baselines"]["bigram"]["accuracy"] == pytest.approx(base["bigram"]["accuracy"], abs=1e-4)
    readme = data_path("jazz", "README.md").read_text()
    assert f"\n    {stored['command']}\n" in readme and f"(epoch {stored['epochs']})" in readme
    for row in (stored["heldout"], *stored["baselines"].values()):
        assert f"{row['accuracy']:.4f}" in readme and f"{row['cross_entropy']:.4f}" in readme


def test_pretrained_weights_refuse_another_vocabulary_or_size(corpus, tmp_path):
    LSTM_cell, densor = L.LSTM(jazz.N_A, return_state=True), L.Dense(corpus.n_values, activation="softmax")
    with np.load(data_path(*jazz.WEIGHTS_FILE)) as saved:
        w = {k: saved[k] for k in saved.files}
    other = tmp_path / "other.npz"
    jazz.save_weights(other, [w["kernel"], w["recurrent_kernel"], w["bias"]], [w["dense_kernel"], w["dense_bias"]],
                      list(corpus.vocabulary[::-1]))
    with pytest.raises(ValueError, match="another vocabulary.*train.py"):
        jazz.load_pretrained(LSTM_cell, densor, corpus, path=other)
    with pytest.raises(ValueError, match="not LSTM\\(32\\)"):
        jazz.load_pretrained(L.LSTM(32, return_state=True), densor, corpus)

# ---------------------------------------------------------------------------- temperature


def test_temperature_reshapes_the_distribution():
    p = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(jazz.apply_temperature(p, 1.0), p)
    assert jazz.apply_temperature(p, 0.5)[0] > 0.5 > jazz.apply_temperature(p, 2.0)[0]
    np.testing.assert_array_equal(jazz.apply_temperature(p, 0), [1, 0, 0])
    np.testing.assert_allclose(jazz.apply_temperature(p, 1e6), [1 / 3] * 3, atol=1e-5)


def test_temperature_zero_is_exactly_the_greedy_inference_model(corpus):
    """sample_solo at T = 0 generates what predict_and_sample(music_inference_model(...)) does; T > 0 varies."""
    LSTM_cell, densor = L.LSTM(jazz.N_A, return_state=True), L.Dense(corpus.n_values, activation="softmax")
    jazz.load_pretrained(LSTM_cell, densor, corpus)
    V, Ty = corpus.n_values, 40
    zeros = np.zeros((1, jazz.N_A), dtype=np.float32)
    _, indices = reference.predict_and_sample(reference.music_inference_model(LSTM_cell, densor, Ty=Ty),
                                              np.zeros((1, 1, V), dtype=np.float32), zeros, zeros)
    greedy = jazz.sample_solo(LSTM_cell, densor, Ty=Ty, temperature=0)
    np.testing.assert_array_equal(greedy, indices[:, 0])
    a, b = (jazz.sample_solo(LSTM_cell, densor, Ty=Ty, temperature=1.0, seed=s) for s in (1, 2))
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, jazz.sample_solo(LSTM_cell, densor, Ty=Ty, temperature=1.0, seed=1))
    # What the notebook's text says: greedy decoding repeats itself more and uses fewer tokens than T = 1.
    tok = corpus.index_to_token
    g = jazz.solo_summary([tok[int(i)] for i in jazz.sample_solo(LSTM_cell, densor, Ty=100, temperature=0)])
    s = jazz.solo_summary([tok[int(i)] for i in jazz.sample_solo(LSTM_cell, densor, Ty=100, temperature=1.0,
                                                                 seed=1)])
    assert g["distinct tokens"] < s["distinct tokens"] and g["longest repetition"] > s["longest repetition"]


def test_solo_summary_on_a_hand_made_sequence():
    s = jazz.solo_summary(["a", "b", "a", "b", "a", "c", "R,1,0", "c"])
    assert s == {"distinct tokens": 4, "longest repetition": 5, "rests": 1 / 8}

# ---------------------------------------------------------------------------- the notebook's text


def test_the_text_states_the_numbers_the_code_uses():
    text = NOTEBOOK.read_text()
    assert jazz.TX == 30 and "TX = 30" in text and "Tx + 1 = 31" in text
    assert "n_a = 64" in text and jazz.N_A == 64
    assert "Ty=100" in text and "Generate 100 tokens" in text
    metrics = json.loads(data_path(*jazz.METRICS_FILE).read_text())
    assert metrics["n_a"] == jazz.N_A and metrics["Tx"] == jazz.TX


@pytest.mark.parametrize("gid", ["djmodel_tests", "music_inference_model_tests", "predict_and_sample_tests"])
def test_the_solutions_pass_their_test_cells_with_one_line_per_public_check(ns, notebook, gid):
    run_test_cell(ns, notebook, gid)

# ---------------------------------------------------------------------------- the executed notebook


def _outputs(nb, kind: str) -> int:
    return sum(kind in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_the_executed_notebook_plays_and_shows_the_solos(executed):
    """Four audio players (the rag, its decoded tokens, the greedy solo, a sampled solo), as many piano rolls, the
    MIDI files written, and no error."""
    nb, folder = executed
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    players = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
               if "text/html" in o.get("data", {}) and "<audio" in o["data"]["text/html"]]
    assert len(players) == 4 and all("base64" in p for p in players)
    assert _outputs(nb, "image/png") == 4
    for name in ("greedy_solo.mid", "sampled_solo.mid"):
        assert (folder / "jazz_output" / name).stat().st_size > 100
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    scores = dict(re.findall(r"^(LSTM \(pretrained\)|unigram|bigram)\s+([\d.]+)", text, re.M))
    assert float(scores["LSTM (pretrained)"]) > float(scores["bigram"]) > float(scores["unigram"])

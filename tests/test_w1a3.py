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
    ("global_n_values", r"n_values was not taken from the arguments: read it from the number of units of the densor"),
    ("global_n_a", r"n_a was not taken from the arguments: read it from the number of units of the LSTM_cell"),
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
    _fails(jc.check_djmodel, namespace["djmodel"], r"^djmodel\(.*\): the reshaper, Reshape\(\(1, 7\)\), received steps "
           r"of 90 values, .* likely cause: n_values was not taken from the arguments: the function reads the "
           r"notebook's global n_values; read it from the number of units of the densor passed in")
    _fails(jc.check_music_inference_model, namespace["music_inference_model"],
           r"likely cause: n_a was not taken from the arguments: .*read it from the number of units of the LSTM_cell")


def test_djmodel_hidden_cases_catch_mistakes_too():
    _fails(jc.check_djmodel, _djmodel("no_carry"), r"not carried", seed=1)
    _fails(jc.check_djmodel, _djmodel("global_n_values"), r"read it from the number of units of the densor", seed=4)

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

# ---------------------------------------------------------------------------- every message, exactly, on one line
# Each message a public check can print, triggered by a wrong implementation fed to the public check: the exact
# message (one line, no traceback, no terminal colour codes) that names the cause the check detected.


class _RuntimeOnly(L.Layer):
    """A layer that wires like the identity but fails when the model runs (a model that only breaks when run)."""

    def call(self, x):
        if not isinstance(x, keras.KerasTensor):
            raise ValueError("this layer cannot run")
        return x

    def compute_output_spec(self, x):
        return keras.KerasTensor(x.shape, x.dtype)


def _dj(mode):
    """djmodel with one mistake (``mode``)."""
    def djmodel(Tx, LSTM_cell, densor, reshaper):
        n_values, n_a = densor.units, LSTM_cell.units
        X = L.Input(shape=(Tx + 1 if mode == "long_X" else Tx, n_values))
        a0 = L.Input(shape=(n_a, 1) if mode == "a0_3d" else (n_a,))
        c0 = L.Input(shape=(n_a,))
        a, c, outputs = (L.Reshape((n_a,))(a0) if mode == "a0_3d" else a0), c0, []
        cell = L.RNN(L.LSTMCell(n_a), return_state=True) if mode == "rnn_cell" else (
            L.LSTM(n_a, return_state=True, use_bias=False) if mode == "own_lstm" else LSTM_cell)
        for t in range(Tx - 1 if mode == "short_loop" else Tx):
            if mode == "no_reshaper":
                x = X[:, t, :]
            elif mode == "two_steps":
                x = X[:, t:t + 2, :]
            elif mode == "reversed":
                x = reshaper(X[:, Tx - 1 - t, :])
            elif mode == "lagged":
                x = reshaper(X[:, max(t - 1, 0), :])
            else:
                x = reshaper(X[:, t, :])
            a, _, c = cell(x, initial_state=[a, c])
            if mode == "runtime_error":
                a = _RuntimeOnly()(a)
            outputs.append(a if mode == "hidden_state_out" else densor(a))
        if mode == "list":
            return outputs
        extra = [L.Input(shape=(n_a,))] if mode == "four_inputs" else []
        return keras.Model(inputs=[X, a0, c0, *extra], outputs=outputs)
    return djmodel


def _inf(mode):
    """music_inference_model with one mistake (``mode``)."""
    def music_inference_model(LSTM_cell, densor, Ty=100):
        n_values, n_a = densor.units, LSTM_cell.units
        x0 = L.Input(shape=(n_values,) if mode == "flat_x0" else (1, n_values))
        a0, c0 = L.Input(shape=(n_a,)), L.Input(shape=(n_a,))
        a, c, x, outputs = a0, c0, x0, []
        for t in range(Ty):
            state = {"no_carry": [a0, c0], "swap_state": [c, a]}.get(mode, [a, c])
            a, _, c = LSTM_cell(x, initial_state=state)
            out = densor(c if mode == "dense_on_c" else a)
            outputs.append(out)
            if mode == "no_repeat":
                x = ops.one_hot(ops.argmax(out, axis=-1), n_values)
            elif mode == "argmax_axis0":
                x = L.RepeatVector(1)(ops.one_hot(ops.argmax(out, axis=0), n_values))
            elif mode == "depth_140":
                x = L.RepeatVector(1)(ops.one_hot(ops.argmax(out, axis=-1), 140))
            elif mode == "argmin":
                x = L.RepeatVector(1)(ops.one_hot(ops.argmin(out, axis=-1), n_values))
            elif mode == "repeat_2":
                x = L.RepeatVector(2)(ops.one_hot(ops.argmax(out, axis=-1), n_values))
            else:
                x = L.RepeatVector(1)(ops.one_hot(ops.argmax(out, axis=-1), n_values))
        return keras.Model(inputs=[x0, a0, c0], outputs=outputs)
    return music_inference_model


def _pas2(mode):
    """predict_and_sample with one mistake (``mode``)."""
    def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
        n_values = x_initializer.shape[-1]
        pred = np.array(inference_model([x_initializer, a_initializer, c_initializer]))
        indices = np.argmax(pred, axis=-1)
        results = np.eye(n_values)[indices[:, 0]]
        if mode == "results_only":
            return results
        if mode == "tensor_results":
            results = ops.one_hot(indices[:, 0], n_values)
        if mode == "tensor_indices":
            indices = ops.argmax(pred, axis=-1)
        if mode == "transposed":
            indices = indices.T
        if mode == "extra_axis":
            indices = indices[:, :, None]
        if mode == "3d_results":
            results = np.eye(n_values)[indices]
        if mode == "doubled":
            results = 2 * results
        if mode == "rolled_results":
            results = np.roll(results, 1, axis=0)
        return results, indices
    return predict_and_sample


_NOTEBOOK_GLOBALS = {"np": np, "keras": keras, "Input": L.Input, "Model": keras.Model, "RepeatVector": L.RepeatVector,
                     "n_values": 140, "n_a": 64}
# Functions as a student writes them in the notebook: they read the notebook's globals n_values / n_a.
exec(compile(
    "def dj_global_n_values(Tx, LSTM_cell, densor, reshaper):\n"
    "    X = Input(shape=(Tx, n_values))\n"
    "    a0, c0 = Input(shape=(LSTM_cell.units,)), Input(shape=(LSTM_cell.units,))\n"
    "    a, c, outputs = a0, c0, []\n"
    "    for t in range(Tx):\n"
    "        a, _, c = LSTM_cell(reshaper(X[:, t, :]), initial_state=[a, c])\n"
    "        outputs.append(densor(a))\n"
    "    return Model(inputs=[X, a0, c0], outputs=outputs)\n"
    "def dj_two_inputs(Tx, LSTM_cell, densor, reshaper):\n"
    "    X = Input(shape=(Tx, densor.units))\n"
    "    a0, c0 = Input(shape=(LSTM_cell.units,)), Input(shape=(LSTM_cell.units,))\n"
    "    a, c, outputs = a0, c0, []\n"
    "    for t in range(Tx):\n"
    "        a, _, c = LSTM_cell(reshaper(X[:, t, :]), initial_state=[a, c])\n"
    "        outputs.append(densor(a))\n"
    "    return Model(inputs=[X, a0], outputs=outputs)\n"
    "def dj_crash(Tx, LSTM_cell, densor, reshaper):\n"
    "    n_a = LSTM_cell.unit\n"
    "def inf_global_n_a(LSTM_cell, densor, Ty=100):\n"
    "    x0 = Input(shape=(1, densor.units))\n"
    "    a0, c0 = Input(shape=(n_a,)), Input(shape=(n_a,))\n"
    "    a, _, c = LSTM_cell(x0, initial_state=[a0, c0])\n"
    "    return Model(inputs=[x0, a0, c0], outputs=[densor(a)] * Ty)\n"
    "def dj_global_crash(Tx, LSTM_cell, densor, reshaper):\n"
    "    X = Input(shape=(Tx, n_values))\n"
    "    return Model(inputs=[X], outputs=[densor(X)])\n"
    "def inf_global_n_values(LSTM_cell, densor, Ty=100):\n"
    "    x0 = Input(shape=(1, densor.units))\n"
    "    a0, c0 = Input(shape=(LSTM_cell.units,)), Input(shape=(LSTM_cell.units,))\n"
    "    a, c, x, outputs = a0, c0, x0, []\n"
    "    for t in range(Ty):\n"
    "        a, _, c = LSTM_cell(x, initial_state=[a, c])\n"
    "        outputs.append(densor(a))\n"
    "        x = RepeatVector(1)(keras.ops.one_hot(keras.ops.argmax(outputs[-1], axis=-1), n_values))\n"
    "    return Model(inputs=[x0, a0, c0], outputs=outputs)\n"
    "def pas_crash(inference_model, x_initializer, a_initializer, c_initializer):\n"
    "    pred = inference_model([x_initializer, a_initializer, c_initializer])\n"
    "    return np.eye(x_initializer.shape[-1]), np.argmax(np.array(pred), axis=3)\n", "<notebook cell>", "exec"),
     _NOTEBOOK_GLOBALS)

_BEFORE_N_A = {"keras": keras, "Input": L.Input, "Model": keras.Model}   # a notebook run before n_a is defined
exec(compile(
    "def inf_undefined_n_a(LSTM_cell, densor, Ty=100):\n"
    "    x0 = Input(shape=(1, densor.units))\n"
    "    a0, c0 = Input(shape=(n_a,)), Input(shape=(n_a,))\n", "<notebook cell>", "exec"), _BEFORE_N_A)

DJ = "djmodel(Tx=4, LSTM_cell=LSTM(5), densor=Dense(7), reshaper)"
INF = "music_inference_model(LSTM_cell=LSTM(5), densor=Dense(7), Ty=5)"
PAS = "predict_and_sample(a model with 5 outputs over 7 values, x_initializer (1, 1, 7), ...)"

MESSAGES = {
    "dj no reshaper": (jc.check_djmodel, _dj("no_reshaper"),
     f"{DJ}: the LSTM_cell received an input of shape (None, 7) at step 0 but reads sequences of shape (None, "
     "1, 7); likely cause: step t of X was not reshaped with the reshaper to a sequence of length 1 before"
     " the LSTM step (step 3 of section 2.1)."),
    "dj global n_values": (jc.check_djmodel, _NOTEBOOK_GLOBALS["dj_global_n_values"],
     f"{DJ}: the reshaper, Reshape((1, 7)), received steps of 140 values, so X was not created with the "
     "densor's 7 values per step; likely cause: n_values was not taken from the arguments: the function "
     "reads the notebook's global n_values; read it from the number of units of the densor passed in (step"
     " 1 of section 2.1)."),
    "dj n_values from a closure": (jc.check_djmodel, _djmodel("global_n_values"),
     f"{DJ}: expected the first input (X) to have shape (None, 4, 7) but got (None, 4, 90); likely cause: "
     "n_values was not taken from the arguments: read it from the number of units of the densor passed in "
     "(7 here; step 1 of section 2.1), never from a notebook global."),
    "dj crash": (jc.check_djmodel, _NOTEBOOK_GLOBALS["dj_crash"],
     f"{DJ} raised AttributeError: 'LSTM' object has no attribute 'unit' (in dj_crash, line 18 of its cell)."),
    "dj not a model": (jc.check_djmodel, _dj("list"),
     f"{DJ}: expected a Model but got a list; return the keras Model your function builds from its inputs and "
     "outputs, not a layer or a tensor."),
    "dj two inputs": (jc.check_djmodel, _NOTEBOOK_GLOBALS["dj_two_inputs"],
     f"{DJ}: an output of the Model is not computed from its inputs; likely cause: inputs= should hold the "
     "three Input tensors the outputs are computed from, [X, a0, c0] (step 4 of section 2.1)."),
    "dj four inputs": (jc.check_djmodel, _dj("four_inputs"),
     f"{DJ}: expected 3 inputs (X, a0, c0) but got 4; likely cause: the Model must be created with inputs=[X, "
     "a0, c0] (step 4 of section 2.1)."),
    "dj long X": (jc.check_djmodel, _dj("long_X"),
     f"{DJ}: expected the first input (X) to have shape (None, 4, 7) but got (None, 5, 7); likely cause: X "
     "should hold one example of shape (4, 7) (step 2 of section 2.1)."),
    "dj global n_a": (jc.check_djmodel, _djmodel("global_n_a"),
     f"{DJ}: expected input 2 (a0) to have shape (None, 5) but got (None, 64); likely cause: n_a was not taken "
     "from the arguments: read it from the number of units of the LSTM_cell passed in (5 here; step 1 of "
     "section 2.1), never from a notebook global."),
    "dj a0 3d": (jc.check_djmodel, _dj("a0_3d"),
     f"{DJ}: expected input 2 (a0) to have shape (None, 5) but got (None, 5, 1); likely cause: a0 should hold "
     "one vector of n_a values per example (step 2 of section 2.1)."),
    "dj last only": (jc.check_djmodel, _djmodel("last_only"),
     f"{DJ}: expected 4 outputs (one per time step) but got 1; likely cause: only the last step's output was "
     "returned; append densor's output at every step to a list and pass the list as outputs=."),
    "dj short loop": (jc.check_djmodel, _dj("short_loop"),
     f"{DJ}: expected 4 outputs (one per time step) but got 3; likely cause: the loop runs 3 times; it should "
     "run once per time step."),
    "dj hidden state out": (jc.check_djmodel, _dj("hidden_state_out"),
     f"{DJ}: expected output 0 to have shape (None, 7) (a softmax over the 7 values) but got (None, 5); likely "
     "cause: each output should be the densor (the Dense layer) applied to the LSTM's hidden state a."),
    "dj new lstm in loop": (jc.check_djmodel, _djmodel("new_lstm_in_loop"),
     f"{DJ}: expected 302 parameters (one LSTM(5) on 7 values and one Dense(7), shared by all 4 steps) but got "
     "1,082 in 4 LSTM and 1 Dense layers; likely cause: new layers are created inside the loop (or the "
     "function makes its own); call the LSTM_cell and densor passed as arguments at every step, so that "
     "every step shares their weights."),
    "dj own lstm": (jc.check_djmodel, _dj("own_lstm"),
     f"{DJ}: expected 302 parameters (one LSTM(5) on 7 values and one Dense(7), shared by all 4 steps) but got "
     "282 in 1 LSTM and 1 Dense layers; likely cause: the model does not use exactly the LSTM_cell and "
     "densor it was given; call them at every step (step 3 of section 2.1)."),
    "dj rnn cell": (jc.check_djmodel, _dj("rnn_cell"),
     f"{DJ}: expected the model to use the LSTM_cell and the densor it was given, but it has 0 LSTM and 1 Dense"
     " layers; likely cause: the function makes its own layers; call the LSTM_cell and densor passed as "
     "arguments at every step (step 3 of section 2.1)."),
    "dj own dense": (jc.check_djmodel, _djmodel("own_dense"),
     f"{DJ}: the model's LSTM and Dense layers do not hold the weights of the LSTM_cell and densor it was "
     "given; likely cause: the function creates its own layers; use the ones passed as arguments."),
    "dj two steps": (jc.check_djmodel, _dj("two_steps"),
     f"{DJ}: expected the LSTM_cell's input at step 0 to have shape (None, 1, 7) but got (None, 2, 7); likely "
     "cause: each LSTM step reads one token as a sequence of length 1, (None, 1, n_values) (step 3 of "
     "section 2.1)."),
    "dj runtime error": (jc.check_djmodel, _dj("runtime_error"),
     f"{DJ}: running the model on 3 windows raised ValueError: this layer cannot run."),
    "dj no carry": (jc.check_djmodel, _djmodel("no_carry"),
     f"{DJ} on 3 windows: wrong outputs, exactly those a known mistake gives; likely cause: the state is not "
     "carried from one step to the next: each step starts from the a and c that the LSTM_cell returned at "
     "the step before (step 3 of section 2.1)."),
    "dj unpack": (jc.check_djmodel, _djmodel("unpack"),
     f"{DJ} on 3 windows: wrong outputs, exactly those a known mistake gives; likely cause: the LSTM_cell's "
     "three outputs were unpacked in the wrong order; it returns the output, the hidden state and the cell"
     " state, in that order (section 2)."),
    "dj swap state": (jc.check_djmodel, _djmodel("swap_state"),
     f"{DJ} on 3 windows: wrong outputs, exactly those a known mistake gives; likely cause: the initial state "
     "is in the wrong order: the hidden state a comes first, then the cell state c (section 2)."),
    "dj dense on c": (jc.check_djmodel, _djmodel("dense_on_c"),
     f"{DJ} on 3 windows: wrong outputs, exactly those a known mistake gives; likely cause: densor was applied "
     "to the cell state c; apply it to the hidden state a."),
    "dj reversed": (jc.check_djmodel, _dj("reversed"),
     f"{DJ} on 3 windows: expected output 0 (the softmax at time step 0) to be [0.2084, 0.1399, 0.1457, 0.0657,"
     " 0.0308, 0.2722, 0.1374] for example 1 but got [0.1174, 0.2722, 0.2694, 0.0454, 0.0246, 0.1086, "
     "0.1625]; the first step is already wrong: check what it reads, its initial state [a0, c0] and that "
     "densor is applied to the hidden state a that the LSTM_cell returns (step 3 of section 2.1)."),
    "dj lagged": (jc.check_djmodel, _dj("lagged"),
     f"{DJ} on 3 windows: expected output 1 (the softmax at time step 1) to be [0.1622, 0.0822, 0.1127, 0.1496,"
     " 0.0746, 0.2943, 0.1244] for example 0 but got [0.1755, 0.0401, 0.0658, 0.1544, 0.0635, 0.4206, "
     "0.0801]; the earlier steps are right, so the state or the input is not passed on correctly from one "
     "step to the next (step 3 of section 2.1)."),
    "dj global crash": (jc.check_djmodel, _NOTEBOOK_GLOBALS["dj_global_crash"],
     f"{DJ} raised ValueError: Input 0 with name 'None' of layer 'dense_34' is incompatible with the layer: "
     "expected axis -1 of input shape to have value 5, but received input with shape (None, 4, 140) (in "
     "dj_global_crash, line 26 of its cell); likely cause: n_values was not taken from the arguments: the "
     "function reads the notebook's global n_values; read it from the number of units of the densor passed"
     " in (step 1 of section 2.1)."),
    "inf global n_values": (jc.check_music_inference_model, _NOTEBOOK_GLOBALS["inf_global_n_values"],
     f"{INF}: expected the LSTM_cell's input at step 1 to have shape (None, 1, 7) but got (None, 1, 140); likely"
     " cause: n_values was not taken from the arguments: the function reads the notebook's global "
     "n_values; read it from the number of units of the densor passed in (step 1 of section 3.1)."),
    "inf argmin": (jc.check_music_inference_model, _inf("argmin"),
     f"{INF} on 3 starts: expected output 1 (the softmax at step 1) to be [0.1454, 0.1039, 0.1379, 0.1436, "
     "0.0679, 0.2589, 0.1425] for example 0 but got [0.1502, 0.0764, 0.08, 0.1707, 0.1188, 0.2618, 0.142];"
     " the earlier steps are right, so the state or the input is not passed on correctly from one step to "
     "the next (step 3 of section 3.1)."),
    "inf swap state": (jc.check_music_inference_model, _inf("swap_state"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: the initial state is"
     " in the wrong order: the hidden state a comes first, then the cell state c (section 2)."),
    "inf flat x0": (jc.check_music_inference_model, _inf("flat_x0"),
     f"{INF}: the LSTM_cell received an input of shape (None, 7) at step 0 but reads sequences of shape (None, "
     "1, 7); likely cause: x0 should hold the first token as a sequence of length 1 (step 2 of section "
     "3.1)."),
    "inf no repeat": (jc.check_music_inference_model, _inf("no_repeat"),
     f"{INF}: the LSTM_cell received an input of shape (None, 7) at step 1 but reads sequences of shape (None, "
     "1, 7); likely cause: the one-hot vector fed back as the next input was not made a sequence of length"
     " 1 with RepeatVector(1) (step 3 of section 3.1)."),
    "inf argmax axis0": (jc.check_music_inference_model, _inf("argmax_axis0"),
     f"{INF}: expected output 1 to have shape (None, 7) but got (7, 7): the input fed back after step 0 has lost"
     " the batch axis; likely cause: the argmax was taken over the wrong axis; the vocabulary axis is the "
     "last one, axis=-1 (step 3 of section 3.1)."),
    "inf depth 140": (jc.check_music_inference_model, _inf("depth_140"),
     f"{INF}: expected the LSTM_cell's input at step 1 to have shape (None, 1, 7) but got (None, 1, 140); likely"
     " cause: the one-hot vector fed back has the wrong depth; its depth is n_values, the densor's number "
     "of units (step 3 of section 3.1)."),
    "inf repeat 2": (jc.check_music_inference_model, _inf("repeat_2"),
     f"{INF}: expected the LSTM_cell's input at step 1 to have shape (None, 1, 7) but got (None, 2, 7); likely "
     "cause: the next input should be the one-hot vector of the argmax as a sequence of length 1, made "
     "with RepeatVector(1) (step 3 of section 3.1)."),
    "inf global n_a": (jc.check_music_inference_model, _NOTEBOOK_GLOBALS["inf_global_n_a"],
     f"{INF}: expected input 2 (a0) to have shape (None, 5) but got (None, 64); likely cause: n_a was not taken "
     "from the arguments: read it from the number of units of the LSTM_cell passed in (5 here; step 1 of "
     "section 3.1), never from a notebook global."),
    "inf undefined n_a": (jc.check_music_inference_model, _BEFORE_N_A["inf_undefined_n_a"],
     f"{INF} raised NameError: name 'n_a' is not defined (in inf_undefined_n_a, line 3 of its cell); likely "
     "cause: n_a was not taken from the arguments: the function reads the notebook's global n_a; read it "
     "from the number of units of the LSTM_cell passed in (step 1 of section 3.1)."),
    "inf lambda": (jc.check_music_inference_model, _inference("lambda"),
     f"{INF}: the model has a Lambda layer; use keras.ops (keras.ops.argmax, keras.ops.one_hot) and Keras layers"
     " instead: a Lambda holds Python code that cannot be rebuilt safely from the model's configuration, "
     "which is how your model is graded."),
    "inf probabilities": (jc.check_music_inference_model, _inference("probabilities"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: the softmax "
     "probabilities are fed back as the next input; feed back the one-hot vector of their argmax, as a "
     "sequence of length 1 (step 3 of section 3.1)."),
    "inf no feedback": (jc.check_music_inference_model, _inference("no_feedback"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: every step reads x0;"
     " the next input should be the one-hot of the previous output's argmax."),
    "inf no carry": (jc.check_music_inference_model, _inf("no_carry"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: the state is not "
     "carried from one step to the next: each step starts from the a and c that the LSTM_cell returned at "
     "the step before (step 3 of section 3.1)."),
    "inf unpack": (jc.check_music_inference_model, _inference("unpack"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: the LSTM_cell's "
     "three outputs were unpacked in the wrong order; it returns the output, the hidden state and the cell"
     " state, in that order (section 2)."),
    "inf dense on c": (jc.check_music_inference_model, _inf("dense_on_c"),
     f"{INF} on 3 starts: wrong outputs, exactly those a known mistake gives; likely cause: densor was applied "
     "to the cell state c; apply it to the hidden state a."),
    "pas crash": (jc.check_predict_and_sample, _NOTEBOOK_GLOBALS["pas_crash"],
     f"{PAS} raised AxisError: axis 3 is out of bounds for array of dimension 3 (in pas_crash, line 38 of its "
     "cell)."),
    "pas results only": (jc.check_predict_and_sample, _pas2("results_only"),
     f"{PAS}: expected a tuple (results, indices) but got a ndarray; likely cause: return results, indices, in "
     "that order (section 3.2)."),
    "pas tensor results": (jc.check_predict_and_sample, _pas2("tensor_results"),
     f"{PAS}: results: expected a ndarray but got an EagerTensor; return numpy arrays (np.argmax and "
     "to_categorical give them)."),
    "pas tensor indices": (jc.check_predict_and_sample, _pas2("tensor_indices"),
     f"{PAS}: indices: expected a ndarray but got an EagerTensor; return numpy arrays (np.argmax and "
     "to_categorical give them)."),
    "pas swapped": (jc.check_predict_and_sample, _pas("swapped"),
     f"{PAS}: expected results of shape (5, 7) and indices of shape (5, 1) but got the other way round; likely "
     "cause: return results, indices, in that order (section 3.2)."),
    "pas flat": (jc.check_predict_and_sample, _pas("flat"),
     f"{PAS}: indices: expected shape (5, 1) but got shape (5,); likely cause: keep the batch axis: the argmax "
     "over the last axis (the values) of the Ty outputs of shape (1, n_values) has shape (Ty, 1) (step 2 "
     "of section 3.2)."),
    "pas axis0": (jc.check_predict_and_sample, _pas("axis0"),
     f"{PAS}: indices: expected shape (5, 1) but got shape (1, 7); likely cause: the argmax was taken over the "
     "steps (axis=0); take it over the values, the last axis (step 2 of section 3.2)."),
    "pas transposed": (jc.check_predict_and_sample, _pas2("transposed"),
     f"{PAS}: indices: expected shape (5, 1) but got shape (1, 5); likely cause: the argmax was taken over the "
     "wrong axis or the outputs were transposed; the argmax over the last axis of the Ty outputs of shape "
     "(1, n_values) has shape (Ty, 1) (step 2 of section 3.2)."),
    "pas extra axis": (jc.check_predict_and_sample, _pas2("extra_axis"),
     f"{PAS}: indices: expected shape (5, 1) but got shape (5, 1, 1); likely cause: indices should hold one "
     "index per step for the one example, the argmax over the last axis of the Ty outputs of shape (1, "
     "n_values): shape (Ty, 1) (step 2 of section 3.2)."),
    "pas global": (jc.check_predict_and_sample, _pas("global"),
     f"{PAS}: results: expected shape (5, 7) but got shape (5, 90); likely cause: n_values was not taken from "
     "the arguments: it is the last dimension of x_initializer (step 3 of section 3.2)."),
    "pas 3d results": (jc.check_predict_and_sample, _pas2("3d_results"),
     f"{PAS}: results: expected shape (5, 7) but got shape (5, 1, 7); likely cause: results should be one "
     "one-hot row per step, shape (Ty, n_values): the one-hot vectors of indices over the n_values values "
     "(step 3 of section 3.2)."),
    "pas shifted": (jc.check_predict_and_sample, _pas("shifted"),
     f"{PAS}: expected indices [5, 0, 6, 3, 2] (the argmax of each output) but got [2, 5, 0, 6, 3], first "
     "differing at step 0; likely cause: the indices are the argmax over the values axis (the last) of the"
     " model's outputs for the three initializers (section 3.2)."),
    "pas probabilities": (jc.check_predict_and_sample, _pas("probabilities"),
     f"{PAS}: expected results to be the one-hot vectors of the indices [5, 0, 6, 3, 2] but got values such as "
     "[0.031, 0.001, 0.009, 0.283, 0.0, 0.657, 0.018] in row 0; likely cause: results holds the "
     "probabilities; it should hold the one-hot vectors of the indices (step 3 of section 3.2)."),
    "pas doubled": (jc.check_predict_and_sample, _pas2("doubled"),
     f"{PAS}: expected results to be the one-hot vectors of the indices [5, 0, 6, 3, 2] but got values such as "
     "[0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0] in row 0; likely cause: results[t] should be the one-hot vector "
     "of indices[t] (a 1 at that index, 0 elsewhere)."),
    "pas rolled results": (jc.check_predict_and_sample, _pas2("rolled_results"),
     f"{PAS}: expected results to be the one-hot vectors of the indices [5, 0, 6, 3, 2] but got rows with their "
     "1s at [[2], [5], [0], [6], [3]]; likely cause: results[t] should be the one-hot vector of indices[t]"
     " (a 1 at that index, 0 elsewhere)."),
}

# What may differ from one run to the next in a message: the last digit of a printed softmax, Keras's layer names.
_VARIES = [(re.compile(r"\[(?:-?\d+\.\d+(?:, )?)+\]"), "[...]"), (re.compile(r"layer '\w+'"), "layer '...'")]


def _stable(message: str) -> str:
    for pattern, stands_for in _VARIES:
        message = pattern.sub(stands_for, message)
    return message


@pytest.mark.parametrize("case", list(MESSAGES))
def test_every_message_is_one_exact_line(case):
    check, fn, expected = MESSAGES[case]
    with pytest.raises(CheckFailed) as info:
        check(fn)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message and "Traceback" not in message, message
    assert _stable(message) == _stable(expected)
    assert info.value._render_traceback_() == [f"\u2718 {message}"]   # what the notebook shows: that line alone

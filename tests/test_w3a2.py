"""w3a2 Trigger word: the detection rule, event metrics, the pretrained weights and what the executed notebook shows.

The data is tested in test_w3a2_data.py, the checks of the graded functions in test_w3a2_checks.py.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from checks.paths import data_path  # noqa: E402
from autograder.reference import w3a2_trigger_word as reference  # noqa: E402
from course import ROOT  # noqa: E402
from notebook_code import notebook_fixtures, run_test_cell  # noqa: E402
from week3 import audio, trigger  # noqa: E402

AID = "w3a2_trigger_word"
NOTEBOOK = ROOT / "source" / AID / "trigger_word.ipynb"

ns, notebook = notebook_fixtures(AID, names=("ns", "notebook"))


def test_detections_follow_the_one_documented_rule():
    """The first step above the threshold fires; then nothing for the refractory period (the rule the text states;
    the notebook uses the threshold and refractory period chosen on the validation clips)."""
    p = np.zeros(audio.TY)
    p[100:130] = 0.9          # one word: one detection, at its first step above 0.5
    p[174] = 0.9              # 74 steps later: silenced
    p[175] = 0.9              # 75 steps later: fires again
    p[400] = 0.5              # not above the threshold
    assert audio.detections(p) == [100, 175]
    assert audio.detections(p, refractory=20) == [100, 120, 174]  # still above 0.5 at 120
    assert audio.detections.__defaults__ == (0.5, 75)
    text = NOTEBOOK.read_text()
    assert "the first step above a **threshold**" in text and "**refractory period**" in text
    for use in ("dev_metrics(model, threshold, refractory, dev=dev)", "detections(p, threshold, refractory)",
                "chime_on_activate(clip, p, threshold, refractory)"):   # each uses the chosen pair
        assert use in text, use


def test_chime_on_activate_chimes_exactly_at_the_detections():
    clip = audio.AudioSegment.silent(duration=audio.CLIP_MS, frame_rate=audio.RATE)
    p = np.zeros(audio.TY)
    p[275] = 0.8              # 2000 ms
    chimed = audio.samples(audio.chime_on_activate(clip, p))
    loud = np.flatnonzero(np.abs(chimed) > 100)
    assert abs(loud[0] / audio.RATE - 2.0) < 0.002 and loud[-1] / audio.RATE < 2.2
    assert not audio.samples(audio.chime_on_activate(clip, np.zeros(audio.TY))).any()


def test_event_metrics_on_a_hand_made_example():
    steps = lambda ms: int(ms * audio.TY / audio.CLIP_MS)  # noqa: E731
    m = audio.event_metrics([[steps(2100), steps(2300), steps(7000)], []], [[2000, 5000], [3000]])
    # 2100 ms matches the word ending at 2000; 2300 is a second detection of it (false); 7000 is false;
    # the words ending at 5000 and 3000 are missed.
    assert (m["true positives"], m["false positives"], m["missed"]) == (1, 2, 2)
    assert m["precision"] == pytest.approx(1 / 3) and m["recall"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(1 / 3)


def test_a_detection_in_the_last_50_ms_of_the_word_counts_and_one_before_does_not():
    """The output at step t has heard about 30 ms past t's time, and a word file ends with 10-15 ms of silence."""
    steps = lambda ms: int(np.ceil(ms * audio.TY / audio.CLIP_MS))  # noqa: E731
    assert audio.EARLY_MS == 50
    assert audio.event_metrics([steps(2000 - 45)], [2000])["true positives"] == 1
    assert audio.event_metrics([steps(2000 - 60)], [2000])["true positives"] == 0
    assert audio.event_metrics([412], [2000])["true positives"] == 1     # 2996 ms
    assert audio.event_metrics([413], [2000])["true positives"] == 0     # 3004 ms
    # the receptive field behind the 30 ms: the last of the 15 spectrogram steps output step t reads, as a time
    last_input_ms = (4 * 100 + 14) * audio.CLIP_MS / audio.TX + 1000 * audio.NFFT / audio.RATE
    assert 25 < last_input_ms - 100 * audio.CLIP_MS / audio.TY < 35


def test_frame_labels_are_what_insert_ones_writes():
    y = np.zeros((1, audio.TY))
    for end in (1234, 9900):
        y = reference.insert_ones(y, end)
    np.testing.assert_array_equal(trigger.frame_labels([1234, 9900]), y[0])


def test_the_all_zeros_baseline_is_high_on_the_dev_set():
    """What the text says: a detector that never fires already gets about 90% frame accuracy."""
    dev = audio.load_dev()
    labels = np.stack([trigger.frame_labels(ends) for _, ends in dev])
    assert 0.9 < np.mean(labels == 0) < 0.97 and "already scores over 90%" in NOTEBOOK.read_text()


@pytest.fixture(scope="module")
def metrics():
    return json.loads(data_path(*trigger.METRICS_FILE).read_text())


def test_the_readme_reports_what_the_training_script_measured(metrics):
    readme = data_path("models", "trigger_word", "README.md").read_text()
    for command in metrics["commands"]:
        assert f"\n    {command}\n" in readme, command
    dev = metrics["dev"]
    for key in ("precision", "recall", "f1", "frame accuracy"):
        assert f"{dev[key]:.3f}" in readme, key
    assert f"threshold {metrics['validation']['threshold']}" in readme
    assert f"refractory period of {metrics['validation']['refractory']} steps" in readme
    voices = metrics["dev"]["recall by voice"]
    espeak = [v["recall"] for name, v in voices.items() if name.startswith("espeak-ng ")]
    assert f"every espeak-ng voice\n{min(espeak):.3f}-{max(espeak):.3f}" in readme
    for name, v in voices.items():
        if not name.startswith("espeak-ng "):
            assert f"{v['recall']:.3f} ({v['activates']})" in readme, name
    for synth, v in metrics["dev"]["recall by synthesiser"].items():
        assert f"{synth} {v['recall']:.3f} ({v['activates']} activates)" in readme.replace("\n", " "), synth


def test_the_shipped_weights_give_the_reported_dev_metrics(metrics):
    """All 400 dev clips, with the settings chosen on the validation clips: the figures the README reports."""
    model = reference.modelf((audio.TX, audio.N_FREQ))
    trigger.load_pretrained(model)
    dev = audio.load_dev()
    probs = trigger.predict_clips(model, [clip for clip, _ in dev])
    assert probs.shape == (len(dev), audio.TY) and ((probs >= 0) & (probs <= 1)).all()
    chosen = metrics["validation"]
    got = trigger.dev_metrics(model, chosen["threshold"], chosen["refractory"], dev, probs)
    for key in ("clips", "activates", "true positives", "false positives", "missed"):
        assert got[key] == metrics["dev"][key], key
    for key in ("precision", "recall", "f1", "frame accuracy"):
        assert got[key] == pytest.approx(metrics["dev"][key], abs=2e-3), key

# ---------------------------------------------------------------------------- the notebook


@pytest.mark.parametrize("gid", ["is_overlapping_tests", "insert_audio_clip_tests", "insert_ones_tests",
                                 "create_training_example_tests", "modelf_tests"])
def test_the_solutions_pass_their_test_cells_with_one_line_per_public_check(ns, notebook, gid):
    run_test_cell(ns, notebook, gid)


@pytest.fixture(scope="module")
def executed(executed_source):
    return executed_source(AID)[0]  # the session's run of the source notebook


def test_the_executed_notebook_plays_the_chimes_and_reports_event_metrics(executed, metrics):
    outputs = [o for c in executed.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    players = [o for o in outputs if "<audio" in o.get("data", {}).get("text/html", "")]
    assert len(players) == 3 + 1 + 3  # the three kinds of clip, the example clip, three chimed dev clips
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 3  # waveform + spectrogram, an example, a dev clip
    text = "".join(o.get("text", "") for o in outputs)
    full = re.search(r"the script's measurement on all \d+ dev clips .*F1 ([\d.]+)", text)
    subset = re.search(r"here, on the first 80 dev clips .*F1 ([\d.]+)", text)
    after = re.search(r"on the same 80 dev clips: F1 ([\d.]+) before, ([\d.]+) after", text)
    assert full and subset and after and 0 <= float(after.group(2)) <= 1
    assert float(full.group(1)) == pytest.approx(metrics["dev"]["f1"], abs=1e-3)  # the script measured it
    assert after.group(1) == subset.group(1)

# ---------------------------------------------------------------------------- Keras's own TimeDistributed


def _modelf_with_keras_time_distributed(input_shape):
    """A correct modelf written from Keras's documentation: keras.layers.TimeDistributed, not the notebook's."""
    L = keras.layers
    X_input = L.Input(shape=input_shape)
    X = L.Dropout(0.8)(L.Activation("relu")(L.BatchNormalization()(L.Conv1D(196, kernel_size=15, strides=4)(X_input))))
    X = L.BatchNormalization()(L.Dropout(0.8)(L.GRU(128, return_sequences=True)(X)))
    X = L.Dropout(0.8)(L.BatchNormalization()(L.Dropout(0.8)(L.GRU(128, return_sequences=True)(X))))
    return keras.Model(inputs=X_input, outputs=L.TimeDistributed(L.Dense(1, activation="sigmoid"))(X))


def _graph_ops(model, shape) -> dict:
    """{op type: count} of the TensorFlow graph of one inference call on a batch of ``shape``: a per-step loop over
    the time axis shows as one MatMul (and slices, stacks ...) per step."""
    import collections

    import tensorflow as tf

    fn = tf.function(lambda x: model(x, training=False))
    graph = fn.get_concrete_function(tf.TensorSpec(shape, tf.float32)).graph
    return collections.Counter(op.type for op in graph.get_operations())


def test_keras_time_distributed_passes_the_check_and_is_made_as_fast_as_the_notebooks(capsys):
    from week3.trigger_checks import check_modelf, set_check_weights

    check_modelf(_modelf_with_keras_time_distributed)
    assert capsys.readouterr().out == "\u2714 modelf: all checks passed.\n"
    shape = (411, audio.N_FREQ)
    slow = _modelf_with_keras_time_distributed(shape)
    set_check_weights(slow)
    fast = trigger.fast_time_distributed(slow)
    assert type(slow.layers[-1]) is keras.layers.TimeDistributed           # the student's model is left as it was
    assert type(fast.layers[-1]) is trigger.TimeDistributed
    assert [type(layer) for layer in fast.layers[:-1]] == [type(layer) for layer in slow.layers[:-1]]
    assert all(np.array_equal(a, b) for a, b in zip(fast.get_weights(), slow.get_weights()))
    course = reference.modelf(shape)
    course.set_weights(slow.get_weights())
    x = np.random.default_rng(0).normal(size=(2, *shape)).astype(np.float32)
    out = np.asarray(fast(x, training=False))
    np.testing.assert_array_equal(out, np.asarray(course(x, training=False)))   # the course's model, exactly
    # Keras's loop multiplies step by step: the same numbers up to float32 rounding of the sums
    np.testing.assert_allclose(out, np.asarray(slow(x, training=False)), rtol=0, atol=1e-6)
    # No loop over the time steps: the graph of the converted model is the course model's, at any length
    steps = (shape[0] - 15) // 4 + 1
    assert _graph_ops(slow, (2, *shape))["MatMul"] > steps                       # what the loop costs
    full = (2, audio.TX, audio.N_FREQ)
    ops = _graph_ops(trigger.fast_time_distributed(_modelf_with_keras_time_distributed(full[1:])), full)
    assert ops == _graph_ops(reference.modelf(full[1:]), full) and ops["MatMul"] < 10


def test_models_without_keras_time_distributed_are_not_copied():
    model = reference.modelf((60, 7))
    assert trigger.fast_time_distributed(model) is model
    L = keras.layers
    inputs = L.Input((9, 4))
    other = keras.Model(inputs, L.TimeDistributed(L.Conv1D(2, 3))(L.Reshape((9, 4, 1))(inputs)))
    assert trigger.fast_time_distributed(other) is other                   # only a wrapped Dense is replaced


def test_the_notebook_converts_the_model_it_builds_before_using_it():
    """The model cell passes the student's model through fast_time_distributed (imported by the setup cell), so
    a modelf written with keras.layers.TimeDistributed trains and predicts as fast as the course's."""
    for path in (NOTEBOOK, ROOT / "release" / AID / NOTEBOOK.name):
        nb = json.loads(path.read_text())
        code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
        assert re.search(r"from week3\.trigger import \([^)]*\bfast_time_distributed\b", code[0]), path
        built = [c for c in code if re.search(r"^model = ", c, re.M)]
        assert len(built) == 1 and built[0].startswith("model = fast_time_distributed(modelf((TX, N_FREQ)))"), path
        assert built[0].index("fast_time_distributed") < built[0].index("load_pretrained(model)")

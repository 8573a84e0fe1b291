"""Keras models on the wire (autograder.wire): every model of the course crosses as a plain description and comes
back the same (classes, settings, weights, parameter counts, outputs); what a hostile kernel may send instead (a
class or a function the grader's table does not name, Python code to load, sizes that would take the grader's
memory) is refused with a sentence saying what was refused, before anything is built or allocated. The old way of
rebuilding a model, Keras's safe mode, is shown in a separate process to let such a model change the grader's
process-wide state."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from autograder import wire
from course import ROOT

keras = pytest.importorskip("keras")
L = keras.layers

from autograder.reference import w1a3_jazz_improvisation as jazz  # noqa: E402 - after the skip without Keras
from autograder.reference import w2a2_emojify as emojify  # noqa: E402
from autograder.reference import w3a1_machine_translation as translation  # noqa: E402
from autograder.reference import w3a2_trigger_word as trigger  # noqa: E402
from checks.keras_models import activation_name, count_params  # noqa: E402
from week1 import jazz_checks as jc  # noqa: E402
from week2 import emojify_checks as ec  # noqa: E402
from autograder.reference import w3a3_ctc as ctc  # noqa: E402
from week3 import ctc_checks as cc  # noqa: E402


def crossed(value):
    """``value`` as the other side of the wire gets it: encoded, sent as JSON text, decoded."""
    return wire.loads(wire.dumps(value))


def _rng():
    return np.random.default_rng(7)


def _floats(*shape):
    return _rng().normal(0, 1, shape).astype(np.float32)

# ---------------------------------------------------------------------------- the course's models round-trip


def _jazz_layers():
    return jc.shared_layers(2)


def _emojify_inputs():
    glove, word_to_index = ec.toy_glove(3)
    ids = _rng().integers(0, len(word_to_index) + 1, (3, 6)).astype(np.int32)
    return glove, word_to_index, ids


def _sequential_emojify():
    """Emojify_V2 built as a Sequential model, with Softmax as its last layer."""
    glove, word_to_index, ids = _emojify_inputs()
    model = keras.Sequential([L.Input((6,), dtype="int32"), emojify.pretrained_embedding_layer(glove, word_to_index),
                              L.LSTM(8, return_sequences=True), L.Dropout(0.5), L.LSTM(8), L.Dropout(0.5),
                              L.Dense(5), L.Softmax()])
    return model, ids


def _alternatives():
    """One model of the plain Keras layers and operations a student may choose instead of the notebook's."""
    x = keras.Input((6, 4))
    gru = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="sum")(x)
    rnn = L.SimpleRNN(3, return_sequences=True, go_backwards=True)(x)
    conv = L.Conv1D(3, 2, padding="same", activation="relu")(L.BatchNormalization(trainable=False)(x))
    merged = L.Concatenate()([L.Add()([gru, rnn]), L.Multiply()([rnn, conv])])
    steps = L.TimeDistributed(L.Dense(2, activation="tanh"))(L.ReLU(max_value=6.0)(merged))
    attention = L.Dot(axes=1)([L.Softmax(axis=1)(L.Permute((1, 2))(steps)), x])
    flat = L.Flatten()(L.Activation("sigmoid")(attention))
    ops = keras.ops.squeeze(keras.ops.expand_dims(flat, 1), 1) * 2.0 - x[:, 0, 0:1] + 1.0
    out = L.Reshape((2, 4))(L.RepeatVector(2)(keras.ops.cast(ops, "float32"))[:, 0, :])
    return keras.Model(x, out), _floats(2, 6, 4)


def _course_objects():
    """(name, object, inputs or None): the shared layers, models and alternatives the course's functions build."""
    lstm, dense, reshaper = _jazz_layers()
    s = jc.sizes(2)
    x, a0, c0 = jc.sequence_inputs(2)
    inference = jc.inference_inputs(2)
    glove, word_to_index, ids = _emojify_inputs()
    sequential, sequential_ids = _sequential_emojify()
    alternatives, alternative_inputs = _alternatives()
    return [
        ("LSTM_cell (built)", lstm, None), ("densor (built)", dense, None), ("reshaper", reshaper, None),
        ("an unbuilt Embedding", L.Embedding(5, 3, mask_zero=True), None),
        ("djmodel", jazz.djmodel(s["Tx"], lstm, dense, reshaper), [x, a0, c0]),
        ("music_inference_model", jazz.music_inference_model(lstm, dense, s["Ty"]), list(inference)),
        ("the sampling model of check_predict_and_sample", jc.sampling_model(2), list(inference)),
        ("pretrained_embedding_layer", emojify.pretrained_embedding_layer(glove, word_to_index), None),
        ("Emojify_V2", emojify.Emojify_V2((6,), glove, word_to_index), ids),
        ("Emojify_V2 as a Sequential model", sequential, sequential_ids),
        ("machine translation modelf", translation.modelf(30, 3, 32, 64, 20, 11),
         [_floats(2, 30, 20), _floats(2, 64), _floats(2, 64)]),
        ("trigger word modelf", trigger.modelf((40, 101)), _floats(2, 40, 101)),
        ("the plain Keras alternatives", alternatives, alternative_inputs),
    ]


_SETTINGS = ("units", "return_sequences", "return_state", "go_backwards", "rate", "n", "target_shape", "filters",
             "kernel_size", "strides", "input_dim", "output_dim", "mask_zero", "axis", "axes", "merge_mode", "dims")


def _all_layers(obj) -> list:
    """The object's layers in order, each wrapper followed by what it wraps."""
    found = []
    for layer in getattr(obj, "layers", None) or [obj]:
        found.append(layer)
        for inner in ("forward_layer", "backward_layer", "layer"):
            if isinstance(getattr(layer, inner, None), L.Layer):
                found += _all_layers(getattr(layer, inner))
    return found


def _outputs(obj, inputs) -> list:
    return [np.asarray(o) for o in keras.tree.flatten(obj(inputs, training=False))]


@pytest.fixture(scope="module")
def course_objects():
    return _course_objects()


def test_every_model_of_the_course_comes_back_the_same(course_objects):
    for name, original, inputs in course_objects:
        back = crossed(original)
        assert type(back) is type(original), name
        mine, theirs = _all_layers(original), _all_layers(back)
        assert [type(layer) for layer in theirs] == [type(layer) for layer in mine], name
        for a, b in zip(mine, theirs):
            assert (a.name, a.trainable, activation_name(a)) == (b.name, b.trainable, activation_name(b)), name
            for setting in _SETTINGS:
                assert getattr(a, setting, None) == getattr(b, setting, None), (name, a.name, setting)
        assert count_params(back.trainable_weights) == count_params(original.trainable_weights), name
        assert count_params(back.non_trainable_weights) == count_params(original.non_trainable_weights), name
        assert len(back.get_weights()) == len(original.get_weights()), name
        for a, b in zip(original.get_weights(), back.get_weights()):
            assert a.dtype == b.dtype and np.array_equal(a, b), name
        if inputs is not None:
            for a, b in zip(_outputs(original, inputs), _outputs(back, inputs), strict=True):
                np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-6, err_msg=name)


def test_the_course_models_use_every_class_of_the_table(course_objects):
    """The round trip above covers the whole table: every class it accepts is in one of those models."""
    from keras.src.models.functional import Functional

    used = set()
    for _, obj, _ in course_objects:
        used |= {type(layer) for layer in _all_layers(obj)} | {type(obj)}
        used |= {type(op) for op in getattr(obj, "operations", [])}
    table = {entry.cls for entry in wire._keras_table().values()} | {Functional, keras.Sequential}
    assert table - used == set()


class Crossing:
    """A function called as the grader calls the notebook's: its arguments and its result cross the wire."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args, **kwargs):
        return crossed(self.fn(*crossed(list(args)), **crossed(kwargs)))


@pytest.mark.parametrize("check, fn", [
    (jc.check_djmodel, jazz.djmodel), (jc.check_music_inference_model, jazz.music_inference_model),
    (jc.check_predict_and_sample, jazz.predict_and_sample),
    (ec.check_pretrained_embedding_layer, emojify.pretrained_embedding_layer),
    (ec.check_Emojify_V2, emojify.Emojify_V2),
])
def test_the_public_checks_pass_the_reference_through_the_wire(check, fn, capsys):
    check(Crossing(fn))
    assert capsys.readouterr().out.endswith("all checks passed.\n")

# ---------------------------------------------------------------------------- what a hostile kernel may send


def _small_model():
    x = keras.Input((5,), name="x")
    return keras.Model(x, L.Activation("relu", name="act")(L.Dense(3, name="dense")(x)), name="small")


def _payload(edit=None):
    """The wire form of a small model, with ``edit(description)`` applied: what a kernel that bypasses the encoder
    may send."""
    value = json.loads(json.dumps(wire.encode(_small_model())))
    if edit:
        edit(value["__keras__"])
    return value


def _layer(description, cls):
    return next(item["layer"] for item in description["layers"] if item["layer"]["class"] == cls)


def _setting(cls, key, value):
    return lambda d: _layer(d, cls)["config"].__setitem__(key, value)


SET_EPSILON = {"module": "keras.config", "class_name": "function", "config": "set_epsilon",
               "registered_name": "function"}


def _wrapped(depth):
    layer = {"class": "Dense", "config": {"units": 2}}
    for _ in range(depth):
        layer = {"class": "TimeDistributed", "config": {"layer": layer}}
    return {"__keras__": layer, "weights": []}


def _many_layers(n):
    def edit(d):
        d["layers"] += [{"layer": {"class": "Dropout", "config": {"name": f"drop{i}", "rate": 0.5}},
                         "nodes": [{"args": [{"tensor": ["dense", 0, 0]}], "kwargs": {}}]} for i in range(n)]
    return edit


def _conv_bomb(d):
    """Settings each within the table's bounds whose weights, built, would take 2 GB: a Conv1D of 1,024 filters of
    64 x 8,192 on an input of 256 x 8,192 (sent without those weights)."""
    _layer(d, "InputLayer")["config"]["batch_shape"] = [None, 256, 8192]
    _layer(d, "Dense").update({"class": "Conv1D", "config": {"name": "dense", "filters": 1024, "kernel_size": [64]}})


def _left_out_bomb(d):
    """The model as sent, weights and all, and beside it the same 2 GB Conv1D on an input of its own, left out of
    the model (Keras's loading would drop it, after building it)."""
    d["layers"] += [{"layer": {"class": "InputLayer", "config": {"name": "big", "batch_shape": [None, 256, 8192]}},
                     "nodes": []},
                    {"layer": {"class": "Conv1D", "config": {"name": "aside", "filters": 1024, "kernel_size": [64]}},
                     "nodes": [{"args": [{"tensor": ["big", 0, 0]}], "kwargs": {}}]}]


def _called_with(kwargs):
    return lambda d: next(item for item in d["layers"] if item["layer"]["class"] == "Dense")["nodes"][0]["kwargs"] \
        .update(kwargs)


HOSTILE = {
    "a Lambda layer": (lambda d: _layer(d, "Dense").__setitem__("class", "Lambda"),
                       r"uses a layer the grader does not accept: Lambda; a Lambda layer holds Python code"),
    "a class of another module": (lambda d: _layer(d, "Dense").__setitem__("class", "os.system"),
                                  r"uses a layer the grader does not accept: os.system;"),
    "a module path": (lambda d: _layer(d, "Dense").__setitem__("module", "keras.config"),
                      r"names Python code to load \('module': 'keras.config'\), which the grader never does"),
    "a registered name": (lambda d: _layer(d, "Dense")["config"].__setitem__("registered_name", "keras>Dense"),
                          r"Dense layer 'dense' names Python code to load \('registered_name'"),
    "Keras's serialized form": (lambda d: d.update(module="keras.src.models.functional", class_name="Functional"),
                                r"names Python code to load \('module'"),
    "set_epsilon as an activation": (_setting("Activation", "activation", SET_EPSILON),
                                     r"Activation layer 'act' has activation=.*set_epsilon.*not one of the "
                                     r"activations the grader accepts"),
    "an activation by a function's name": (_setting("Dense", "activation", "set_floatx"),
                                           r"activation='set_floatx', not one of the activations"),
    "set_floatx as an initializer": (_setting("Dense", "kernel_initializer", {"class": "set_floatx", "config": {}}),
                                     r"an initializer the grader does not accept \('set_floatx'\)"),
    "set_epsilon as a constraint": (_setting("Dense", "kernel_constraint", {"class": "function",
                                                                            "config": "set_epsilon"}),
                                    r"a constraint the grader does not accept \('function'\)"),
    "a quantized dtype policy": (_setting("Dense", "dtype", "int8_from_float32"),
                                 r"dtype='int8_from_float32', not one of"),
    "an unknown setting": (_setting("Dense", "call_hook", "print"),
                           r"Dense layer 'dense' has a setting the grader does not accept: 'call_hook'"),
    "huge units": (_setting("Dense", "units", 10 ** 9), r"units=1000000000, more than the 1,024 the grader accepts"),
    "a huge input": (lambda d: _layer(d, "InputLayer")["config"].__setitem__("batch_shape", [None, 8192, 8192]),
                     r"Input 'x' has batch_shape=.* 67,108,864 values per example, more than the 2,097,152"),
    "huge units within bounds, without their weights": (_setting("Dense", "units", 1024),
                                                        r"weights do not match its layers: its layers make 2 weight "
                                                        r"arrays of 6,144 values in all, and 2 arrays of 18 values"),
    "2 GB of weights, each setting within bounds": (_conv_bomb, r"its layers make 2 weight arrays of 536,871,936 "
                                                                r"values in all"),
    "2 GB of weights in a layer left out of the model": (_left_out_bomb, r"its layers make 4 weight arrays of "
                                                                         r"536,871,954 values in all, and 2 arrays"),
    "too many layers": (_many_layers(600), r"with 603 layers and operations, more than the 512 the grader accepts"),
    "a connection to a layer it does not have": (
        lambda d: d["layers"][1]["nodes"][0]["args"][0].__setitem__("tensor", ["elsewhere", 0, 0]),
        r"connections refer to a layer it does not have: 'elsewhere'"),
    "layers called in a loop": (lambda d: d["layers"][1]["nodes"][0]["args"][0].__setitem__("tensor", ["act", 0, 0]),
                                r"connected in a loop"),
    "a call with code": (_called_with({"training": {"class_name": "__lambda__", "config": {"code": "..."}}}),
                         r"called with a value the grader does not accept"),
    "a call with another argument": (_called_with({"callbacks": None}),
                                     r"called with an argument the grader does not accept: 'callbacks'"),
}
LAYERS = {  # a layer sent on its own: what it is made from, the settings changed, the words of its refusal
    "a huge input_dim": (lambda: L.Embedding(10, 3), {"input_dim": 10 ** 7},
                         r"Embedding layer 'embedding.*' has input_dim=10000000, more than the 500,000"),
    "an Embedding of 400,000 x 1,024": (lambda: L.Embedding(10, 3), {"input_dim": 400_000, "output_dim": 1024},
                                        r"with an Embedding of 400,000 x 1,024 values, more than the 16,777,216"),
    "a huge RepeatVector": (lambda: L.RepeatVector(3), {"n": 10 ** 8},
                            r"RepeatVector layer .* has n=100000000, more than the 8,192"),
    "a huge Reshape": (lambda: L.Reshape((2, 3)), {"target_shape": [8000, 8000]},
                       r"a Reshape to 64,000,000 values per example, more than the 2,097,152"),
    "a huge kernel": (lambda: L.Conv1D(2, 3), {"kernel_size": [100000]}, r"kernel_size=\[100000\], more than the 64"),
}
WRAPPED = r"layers inside layers more than 3 deep"


def _hostile_payloads() -> dict:
    """name -> (what is sent, the words of its refusal)."""
    out = {name: (_payload(edit), words) for name, (edit, words) in HOSTILE.items()}
    for name, (make, settings, words) in LAYERS.items():
        value = json.loads(json.dumps(wire.encode(make())))
        value["__keras__"]["config"].update(settings)
        out[name] = (value, words)
    out["layers wrapped 5 deep"] = (_wrapped(5), WRAPPED)
    return out


@pytest.fixture(scope="module")
def hostile_payloads():
    return _hostile_payloads()


@pytest.mark.parametrize("name", sorted([*HOSTILE, *LAYERS, "layers wrapped 5 deep"]))
def test_a_hostile_description_is_refused_with_its_sentence(hostile_payloads, name):
    payload, words = hostile_payloads[name]
    with pytest.raises(wire.WireError, match=words) as refused:
        wire.loads(json.dumps(payload))
    assert str(refused.value).startswith("a Keras "), str(refused.value)
    assert keras.config.epsilon() == 1e-7 and keras.config.floatx() == "float32"


def test_the_same_descriptions_unedited_are_accepted():
    """The control of the refusals above: the payloads they edit, and the layers, cross as they are."""
    assert isinstance(wire.loads(json.dumps(_payload())), keras.Model)
    for make, _, _ in LAYERS.values():
        assert isinstance(wire.loads(json.dumps(wire.encode(make()))), type(make()))
    assert isinstance(wire.loads(json.dumps(_wrapped(2))), L.TimeDistributed)


def test_weights_must_be_arrays():
    payload = _payload()
    payload["weights"][0] = {"__objarray__": [], "shape": [0]}
    with pytest.raises(wire.WireError, match=r"a weight that is not an array"):
        wire.loads(json.dumps(payload))
    payload = _payload()
    payload["weights"].pop()
    with pytest.raises(wire.WireError, match=r"its layers make 2 weight arrays of 18 values in all, and 1 arrays"):
        wire.loads(json.dumps(payload))


def test_a_refused_model_leaves_no_weight_waiting_to_be_made(hostile_payloads):
    from keras.src.backend.common import global_state

    payload, _ = hostile_payloads["2 GB of weights, each setting within bounds"]
    with pytest.raises(wire.WireError):
        wire.loads(json.dumps(payload))
    assert not global_state.get_global_attribute("uninitialized_variables")


class _MyDense(L.Dense):
    pass


@pytest.mark.parametrize("build, words", [
    (lambda x: L.Lambda(lambda t: t * 2)(x), r"uses a layer the grader does not accept: Lambda; a Lambda layer"),
    (lambda x: _MyDense(2)(x), r"uses a layer the grader does not accept: _MyDense"),
    (lambda x: L.Dense(2, activation=lambda t: t)(x), r"not one of the activations"),
    (lambda x: L.GaussianNoise(0.1)(x), r"uses a layer the grader does not accept: GaussianNoise"),
    (lambda x: keras.Sequential([L.Dense(2)])(x), r"uses a model inside a model"),
    (lambda x: L.LSTM(2, unroll=True)(L.Reshape((1, 4))(x)), r"LSTM layer .* has unroll=True, which the grader "
                                                            r"accepts only as False"),
])
def test_the_kernel_refuses_before_sending_with_the_same_sentence(build, words):
    """A student's model the grader would refuse is refused by the notebook's side already: the student reads why."""
    x = keras.Input((4,))
    with pytest.raises(wire.WireError, match=words):
        wire.encode(keras.Model(x, build(x)))

# ---------------------------------------------------------------------------- memory, and the old way's harm

_MEASURE = textwrap.dedent('''
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    sys.path[:0] = [sys.argv[1]]
    import copy
    import numpy as np
    import keras
    from autograder import wire

    def megabytes(key):
        for line in open("/proc/self/status"):
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024

    def grown_mb(fn):
        """How far the process's resident memory rose above where it was while fn ran (Linux's high-water mark,
        reset to the current size first)."""
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        start = megabytes("VmRSS")
        fn()
        return megabytes("VmHWM") - start

    def refused(payload):
        try:
            wire.loads(payload)
        except wire.WireError:
            return
        raise AssertionError("accepted")

    payloads = json.load(open(sys.argv[2]))
    x = keras.Input((5,))
    legit = keras.Model(x, keras.layers.Dense(3)(x))
    wire.loads(wire.dumps(legit))(np.ones((1, 5), np.float32))  # Keras and TensorFlow warmed up
    texts = {name: json.dumps(payload) for name, payload in payloads["hostile"].items()}
    result = {"grown_mb": {name: grown_mb(lambda: refused(text)) for name, text in sorted(texts.items())}}
    with keras.StatelessScope():  # weights left waiting to be made would be made here
        result["grown_mb"]["(weights left waiting)"] = grown_mb(lambda: None)
    result["epsilon_after_refusals"] = str(keras.config.epsilon())
    # The meter's control: a layer that does hold 32 MB of weights (400,000 x 20 float32) shows up.
    result["grown_mb_by_32_mb_of_weights"] = grown_mb(lambda: wire.loads(payloads["holds_32_mb"]))

    # The old way: Keras's safe mode, given the same harm in Keras's own form; the model then runs as a check runs it.
    serialized = keras.saving.serialize_keras_object(
        keras.Model(x, keras.layers.Activation("relu")(keras.layers.Dense(3)(x))))
    for layer in serialized["config"]["layers"]:
        if layer["class_name"] == "Activation":
            layer["config"]["activation"] = payloads["set_epsilon"]
    model = keras.saving.deserialize_keras_object(copy.deepcopy(serialized), safe_mode=True)
    model(np.ones((1, 5), np.float32))
    result["epsilon_after_old_way"] = str(keras.config.epsilon())
    print(json.dumps(result))
''')


@pytest.fixture(scope="module")
def measured(tmp_path_factory, hostile_payloads):
    """In a fresh process: the peak memory the hostile payloads cost the decoder, and the old way's harm."""
    path = tmp_path_factory.mktemp("wire") / "payloads.json"
    hostile = {name: payload for name, (payload, _) in hostile_payloads.items()}
    embedding = L.Embedding(400_000, 20)
    embedding.build((None,))
    path.write_text(json.dumps({"hostile": hostile, "set_epsilon": SET_EPSILON, "holds_32_mb": wire.dumps(embedding)}))
    proc = subprocess.run([sys.executable, "-c", _MEASURE, str(ROOT), str(path)], capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1]), sorted(hostile)


def test_hostile_payloads_cost_the_grader_little_memory(measured):
    """Refusing all of them (one would take 2 GB if built: 536,871,936 weights) raises the process's peak memory by
    less than 100 MB; the meter does see the 32 MB of weights of a layer that holds them."""
    result, names = measured
    assert sorted(result["grown_mb"]) == sorted([*names, "(weights left waiting)"])
    assert max(result["grown_mb"].values()) < 100, result
    assert result["grown_mb_by_32_mb_of_weights"] >= 32, result
    assert result["epsilon_after_refusals"] == "1e-07"


def test_the_old_way_lets_a_model_change_the_graders_state(measured):
    """The control: what the decoder refuses did harm before; the same model rebuilt by Keras's safe mode set
    Keras's epsilon (process-wide) to a tensor when the check ran it."""
    result, _ = measured
    assert result["epsilon_after_old_way"] != "1e-07", result



def test_a_random_generator_crosses_in_its_state_and_only_numpy_bit_generators_are_built():
    rng = np.random.default_rng(7)
    rng.random(3)
    copy = wire.loads(wire.dumps(rng))
    assert isinstance(copy, np.random.Generator) and np.array_equal(copy.random(5), rng.random(5))
    used = wire.loads(wire.dumps(rng))
    used.integers(0, 10, size=4)
    wire.write_back(rng, used)                      # the draws made on the other side are used up here too
    assert np.array_equal(rng.random(2), used.random(2))
    for sent in ({"__generator__": {"bit_generator": "os.system", "state": {}}},
                 {"__generator__": {"bit_generator": "PCG64", "state": {"state": "x", "inc": 1},
                                    "has_uint32": 0, "uinteger": 0}},
                 {"__generator__": [1, 2]}):
        with pytest.raises(wire.WireError):
            wire.loads(json.dumps(sent))


def test_infinite_and_nan_floats_cross_as_json_allows():
    """A loss of inf (an impossible CTC target) is a Python float JSON cannot hold: it crosses in a form that strict
    JSON (the kernel's messages) accepts, and comes back the same; only inf, -inf and nan are read that way."""
    for value in (float("inf"), float("-inf"), (1.5, float("inf")), [float("-inf")]):
        text = json.dumps(wire.encode(value), allow_nan=False)
        assert wire.loads(text) == value
    assert np.isnan(wire.loads(json.dumps(wire.encode(float("nan")), allow_nan=False)))
    with pytest.raises(wire.WireError, match="not inf, -inf or nan"):
        wire.loads(json.dumps({"__float__": "1e999999"}))


@pytest.mark.parametrize("name", ["ctc_forward", "ctc_gradient", "prefix_beam_search", "best_path_alignment",
                                  "build_recognizer"])
def test_the_ctc_checks_pass_the_reference_through_the_wire(name, capsys):
    """Losses of inf, gradients of nan, an alignment of None, tuples of labels, a bidirectional model."""
    getattr(cc, f"check_{name}")(Crossing(ctc.GRADED[name]))
    assert capsys.readouterr().out.endswith("all checks passed.\n")

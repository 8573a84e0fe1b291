"""Public checks of the Jazz improvisation notebook (w1a3), one per graded function.

Each ``check_*`` takes the student's function. It makes its own small shared layers -- an ``LSTM(n_a,
return_state=True)``, a ``Dense(n_values, activation="softmax")`` and a ``Reshape((1, n_values))`` -- with fixed,
seeded weights and sizes unlike the notebook's (so a function that reads ``n_values`` or ``n_a`` from a notebook
global is caught), passes them to the student's function and runs the model it returns. ``seed=None`` gives the
public sizes; an integer ``seed`` draws other sizes, weights and inputs, as the hidden tests do.

What a correct model outputs on these inputs -- computed step by step, independently of Keras -- and what each
classic mistake outputs (to name it) is stored in ``week1/fixtures/w1a3_jazz_improvisation.json`` (see
:mod:`checks.fixtures`). Models are checked by behaviour and structure (inputs, outputs, parameter counts,
layer types), never by printed summaries.
"""
from __future__ import annotations

import re

import numpy as np

import keras
from checks.assertions import CheckFailed, article, check_shape, check_type, passed
from checks.fixtures import Fixtures
from checks.keras_models import build, check_model, count_params, layers_of, one_line, predict

FIXTURES = Fixtures("w1a3_jazz_improvisation")

_RTOL, _ATOL = 1e-4, 1e-5  # float32 Keras against a float64 step-by-step computation


def _fail(message: str):
    raise CheckFailed(message)

# ---------------------------------------------------------------------------- the checks' inputs (seeded)


def sizes(seed: int | None = None) -> dict:
    """n_values, n_a, Tx (training length), Ty (generation length) and m (examples) of one check."""
    if seed is None:
        return {"n_values": 7, "n_a": 5, "Tx": 4, "Ty": 5, "m": 3}
    rng = np.random.default_rng(1000 + seed)
    return {"n_values": int(rng.integers(5, 10)), "n_a": int(rng.integers(3, 8)), "Tx": int(rng.integers(2, 7)),
            "Ty": int(rng.integers(3, 8)), "m": int(rng.integers(2, 5))}


def layer_weights(seed: int | None = None) -> dict:
    """Fixed weights of the shared layers, in Keras's layout: LSTM kernel (n_values, 4 n_a), recurrent kernel
    (n_a, 4 n_a) and bias (4 n_a,), gates in the order input, forget, cell, output; Dense kernel (n_a, n_values)
    and bias (n_values,). Large enough that every gate and every step matters."""
    s = sizes(seed)
    n_values, n_a = s["n_values"], s["n_a"]
    rng = np.random.default_rng(2024 if seed is None else 2024 + seed)
    w = {"kernel": rng.normal(0, 0.8, (n_values, 4 * n_a)), "recurrent_kernel": rng.normal(0, 0.8, (n_a, 4 * n_a)),
         "bias": rng.normal(0, 0.5, (4 * n_a,)), "dense_kernel": rng.normal(0, 1.5, (n_a, n_values)),
         "dense_bias": rng.normal(0, 0.3, (n_values,))}
    return {k: v.astype(np.float32) for k, v in w.items()}


def sequence_inputs(seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X (m, Tx, n_values) one-hot token windows, and the initial states a0, c0 (m, n_a)."""
    s = sizes(seed)
    rng = np.random.default_rng(7 if seed is None else 7 + seed)
    idx = rng.integers(0, s["n_values"], size=(s["m"], s["Tx"]))
    X = np.eye(s["n_values"], dtype=np.float32)[idx]
    a0 = rng.normal(0, 0.5, (s["m"], s["n_a"])).astype(np.float32)
    c0 = rng.normal(0, 0.5, (s["m"], s["n_a"])).astype(np.float32)
    return X, a0, c0


def inference_inputs(seed: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x0 (m, 1, n_values), one-hot first tokens, and the initial states a0, c0 (m, n_a)."""
    s = sizes(seed)
    rng = np.random.default_rng(11 if seed is None else 11 + seed)
    x0 = np.eye(s["n_values"], dtype=np.float32)[rng.integers(0, s["n_values"], size=(s["m"], 1))]
    a0 = rng.normal(0, 0.5, (s["m"], s["n_a"])).astype(np.float32)
    c0 = rng.normal(0, 0.5, (s["m"], s["n_a"])).astype(np.float32)
    return x0, a0, c0


def shared_layers(seed: int | None = None):
    """(LSTM_cell, densor, reshaper) as the notebook makes them, built and given :func:`layer_weights`."""
    s, w = sizes(seed), layer_weights(seed)
    LSTM_cell = keras.layers.LSTM(s["n_a"], return_state=True)
    densor = keras.layers.Dense(s["n_values"], activation="softmax")
    reshaper = keras.layers.Reshape((1, s["n_values"]))
    LSTM_cell.build((None, 1, s["n_values"]))
    LSTM_cell.set_weights([w["kernel"], w["recurrent_kernel"], w["bias"]])
    densor.build((None, s["n_a"]))
    densor.set_weights([w["dense_kernel"], w["dense_bias"]])
    return LSTM_cell, densor, reshaper


def shared_params(n_values: int, n_a: int) -> int:
    """Parameters of one LSTM(n_a) on n_values inputs plus one Dense(n_values): the same for any Tx."""
    return 4 * (n_a * (n_values + n_a) + n_a) + n_a * n_values + n_values


def sampling_model(seed: int | None = None):
    """A stand-in for an inference model, for checking predict_and_sample on its own: inputs x0 (1, n_values),
    a0, c0 (n_a,) and Ty softmax outputs (n_values,), each from its own Dense layer over [x0, a0, c0], with fixed
    weights. (It is not an LSTM: predict_and_sample only runs a model and reads its outputs.)"""
    s = sizes(seed)
    n_values, n_a, Ty = s["n_values"], s["n_a"], s["Ty"]
    rng = np.random.default_rng(99 if seed is None else 99 + seed)
    x0 = keras.Input(shape=(1, n_values))
    a0, c0 = keras.Input(shape=(n_a,)), keras.Input(shape=(n_a,))
    features = keras.layers.Concatenate()([keras.layers.Flatten()(x0), a0, c0])
    outputs = []
    for _ in range(Ty):
        head = keras.layers.Dense(n_values, activation="softmax")
        head.build((None, n_values + 2 * n_a))
        head.set_weights([rng.normal(0, 2.0, (n_values + 2 * n_a, n_values)).astype(np.float32),
                          rng.normal(0, 1.0, (n_values,)).astype(np.float32)])
        outputs.append(head(features))
    return keras.Model(inputs=[x0, a0, c0], outputs=outputs)

_SIZE_SOURCES = {"n_values": "the number of units of the densor passed in",
                 "n_a": "the number of units of the LSTM_cell passed in"}


def _section(name: str) -> str:
    """The notebook section whose steps build the model of the check ``name``."""
    return "3.1" if name.startswith("music_inference_model") else "2.1"


def _global_causes(fn, section: str, seen: str | None = None) -> list[str]:
    """The sizes that ``fn`` reads as notebook globals, each as a cause; with ``seen`` (an error's text), only those
    whose notebook value the text shows, or that it says are not defined."""
    globals_read = getattr(getattr(fn, "__code__", None), "co_names", ())
    values = getattr(fn, "__globals__", {})
    return [f"{size} was not taken from the arguments: the function reads the notebook's global {size}; read it from "
            f"{source} (step 1 of section {section})." for size, source in _SIZE_SOURCES.items()
            if size in globals_read and (seen is None or re.search(rf"\b{values.get(size)}\b", seen)
                                         or f"name '{size}' is not defined" in seen)]


def _calls(layer) -> list:
    """The input shape of every call of ``layer`` so far (its first argument), in order."""
    shapes = []
    for node in getattr(layer, "_inbound_nodes", []):
        args = getattr(getattr(node, "arguments", None), "args", ())
        if args and hasattr(args[0], "shape"):
            shapes.append(_shape(args[0]))
    return shapes


def _translated(exc: CheckFailed, fn, name: str, LSTM_cell, densor) -> str | None:
    """One sentence naming the cause of a known Keras error raised while the model was wired, or None."""
    text = str(exc.__cause__ or exc)
    vocabulary = densor.units   # the check's own name for it: n_values is the student's
    inference = name.startswith("music_inference_model")
    if "expected ndim=3, found ndim=2" in text:
        found = re.search(r"Full shape received: (\([^)]*\))", text)
        got = found.group(1) if found else "one vector per example"
        done = len(_calls(LSTM_cell))
        if inference and done:
            cause = ("the one-hot vector fed back as the next input was not made a sequence of length 1 with "
                     "RepeatVector(1) (step 3 of section 3.1).")
        elif inference:
            cause = "x0 should hold the first token as a sequence of length 1 (step 2 of section 3.1)."
        else:
            cause = ("step t of X was not reshaped with the reshaper to a sequence of length 1 before the LSTM step "
                     "(step 3 of section 2.1).")
        return (f"{name}: the LSTM_cell received an input of shape {got} at step {done} but reads sequences of "
                f"shape (None, 1, {vocabulary}); likely cause: {cause}")
    found = re.search(r"total size of the tensor must be unchanged\. Received: input_shape=\((\d+),\)", text)
    if found and not inference:
        got = int(found.group(1))
        causes = _global_causes(fn, "2.1", seen=text) or [
            f"n_values was not taken from the arguments: read it from the number of units of the densor passed in "
            f"({vocabulary} here; step 1 of section 2.1)."]
        return (f"{name}: the reshaper, Reshape((1, {vocabulary})), received steps of {got} values, so X was not "
                f"created with the densor's {vocabulary} values per step; likely cause: {' '.join(causes)}")
    if "is not connected to `inputs`" in text:
        return (f"{name}: an output of the Model is not computed from its inputs; likely cause: inputs= should hold "
                f"the three Input tensors the outputs are computed from, [{'x0' if inference else 'X'}, a0, c0] "
                f"(step 4 of section {_section(name)}).")
    return None


def _build(fn, *args, name: str, **kwargs):
    """build the student's model; a crash whose cause is known (a size read from a notebook global, an input that
    is not a sequence of length 1) says so in one sentence."""
    try:
        return build(fn, *args, name=name, **kwargs)
    except CheckFailed as exc:
        LSTM_cell, densor = args[-3:-1] if len(args) == 4 else args[:2]
        translated = _translated(exc, fn, name, LSTM_cell, densor)
        if translated:
            raise CheckFailed(translated) from exc
        causes = _global_causes(fn, _section(name), seen=str(exc))
        if causes:
            raise CheckFailed(f"{str(exc).rstrip('.')}; likely cause: {' '.join(causes)}") from exc
        raise

# ---------------------------------------------------------------------------- shared structure checks


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _check_inputs(name: str, model, first: tuple, n_values: int, n_a: int, first_name: str):
    """Three inputs: ``first`` (batch axis included), then a0 and c0 of shape (None, n_a)."""
    section = _section(name)
    inputs = model.inputs
    if len(inputs) != 3:
        _fail(f"{name}: expected 3 inputs ({first_name}, a0, c0) but got {len(inputs)}; likely cause: the Model "
              f"must be created with inputs=[{first_name}, a0, c0] (step 4 of section {section}).")
    got = [_shape(t) for t in inputs]
    if got[0] != first:
        hint = (f" likely cause: {first_name} should hold one example of shape {first[1:]} (step 2 of section "
                f"{section}).")
        if got[0][-1:] != first[-1:]:
            hint = (f" likely cause: n_values was not taken from the arguments: read it from the number of units of "
                    f"the densor passed in ({n_values} here; step 1 of section {section}), never from a notebook "
                    "global.")
        _fail(f"{name}: expected the first input ({first_name}) to have shape {first} but got {got[0]}.{hint}")
    for i, label in ((1, "a0"), (2, "c0")):
        if got[i] != (None, n_a):
            hint = (f" likely cause: n_a was not taken from the arguments: read it from the number of units of the "
                    f"LSTM_cell passed in ({n_a} here; step 1 of section {section}), never from a notebook global."
                    if len(got[i]) == 2 else
                    f" likely cause: {label} should hold one vector of n_a values per example (step 2 of section "
                    f"{section}).")
            _fail(f"{name}: expected input {i + 1} ({label}) to have shape {(None, n_a)} but got {got[i]}.{hint}")


def _check_outputs(name: str, model, steps: int, n_values: int, what: str):
    outputs = model.outputs
    if len(outputs) != steps:
        hint = (" likely cause: only the last step's output was returned; append densor's output at every step to "
                "a list and pass the list as outputs=." if len(outputs) == 1 else
                f" likely cause: the loop runs {len(outputs)} times; it should run once per {what}.")
        _fail(f"{name}: expected {steps} outputs (one per {what}) but got {len(outputs)}.{hint}")
    for t, out in enumerate(outputs):
        lost_batch_axis = _shape(outputs[0]) == (None, n_values) and _shape(out)[:1] != (None,)
        if t > 0 and what == "generated value" and lost_batch_axis:
            _fail(f"{name}: expected output {t} to have shape {(None, n_values)} but got {_shape(out)}: the input "
                  f"fed back after step {t - 1} has lost the batch axis; likely cause: the argmax was taken over the "
                  "wrong axis; the vocabulary axis is the last one, axis=-1 (step 3 of section 3.1).")
        if _shape(out) != (None, n_values):
            _fail(f"{name}: expected output {t} to have shape {(None, n_values)} (a softmax over the {n_values} "
                  f"values) but got {_shape(out)}; likely cause: each output should be the densor (the Dense layer) "
                  "applied to the LSTM's hidden state a.")


def _check_no_lambda(name: str, model):
    for layer in layers_of(model):
        if isinstance(layer, keras.layers.Lambda):
            _fail(f"{name}: the model has a Lambda layer; use keras.ops (keras.ops.argmax, keras.ops.one_hot) and "
                  "Keras layers instead: a Lambda holds Python code that cannot be rebuilt safely from the model's "
                  "configuration, which is how your model is graded.")


def _check_shared(name: str, model, n_values: int, n_a: int, steps: int):
    """One LSTM and one Dense, used at every step: the parameter count does not grow with the number of steps."""
    lstms = [layer for layer in layers_of(model) if isinstance(layer, keras.layers.LSTM)]
    denses = [layer for layer in layers_of(model) if isinstance(layer, keras.layers.Dense)]
    expected = shared_params(n_values, n_a)
    got = count_params(model.weights)
    if len(lstms) > 1 or len(denses) > 1 or got != expected:
        hint = ("likely cause: new layers are created inside the loop (or the function makes its own); call the "
                "LSTM_cell and densor passed as arguments at every step, so that every step shares their weights."
                if len(lstms) > 1 or len(denses) > 1 or (got > expected and got % expected == 0) else
                "likely cause: the model does not use exactly the LSTM_cell and densor it was given; call them at "
                f"every step (step 3 of section {_section(name)}).")
        _fail(f"{name}: expected {expected:,} parameters (one LSTM({n_a}) on {n_values} values and one "
              f"Dense({n_values}), shared by all {steps} steps) but got {got:,} in {len(lstms)} LSTM and "
              f"{len(denses)} Dense layers. {hint}")
    if not lstms or not denses:
        _fail(f"{name}: expected the model to use the LSTM_cell and the densor it was given, but it has "
              f"{len(lstms)} LSTM and {len(denses)} Dense layers; likely cause: the function makes its own layers; "
              f"call the LSTM_cell and densor passed as arguments at every step (step 3 of section {_section(name)}).")


def _check_weights_kept(name: str, model, seed):
    """The model's LSTM and Dense carry the weights of the layers passed in (not fresh ones)."""
    w = layer_weights(seed)
    lstm = next(layer for layer in layers_of(model) if isinstance(layer, keras.layers.LSTM))
    dense = next(layer for layer in layers_of(model) if isinstance(layer, keras.layers.Dense))
    got_lstm, got_dense = lstm.get_weights(), dense.get_weights()
    same = (len(got_lstm) == 3 and len(got_dense) == 2 and
            all(np.allclose(g, e) for g, e in zip(got_lstm + got_dense,
                                                   [w["kernel"], w["recurrent_kernel"], w["bias"],
                                                    w["dense_kernel"], w["dense_bias"]])))
    if not same:
        _fail(f"{name}: the model's LSTM and Dense layers do not hold the weights of the LSTM_cell and densor it was "
              "given; likely cause: the function creates its own layers; use the ones passed as arguments.")


def _compare_steps(name: str, got: list, case: dict, what: str, section: str):
    """Compare each step's output (m, n_values) with the stored ones; name a known mistake when one matches."""
    expected = np.asarray(case["outputs"])
    got = [np.asarray(g) for g in got]
    if len(got) == len(expected) and all(g.shape == e.shape for g, e in zip(got, expected)):
        stacked = np.stack(got)
        if np.allclose(stacked, expected, rtol=_RTOL, atol=_ATOL):
            return
        for cause, wrong in case["mistakes"].items():
            if np.allclose(stacked, wrong, rtol=_RTOL, atol=_ATOL):
                cause = cause.replace("(step 3 of section 2.1)", f"(step 3 of section {section})")
                _fail(f"{name}: wrong outputs, exactly those a known mistake gives; likely cause: {cause}")
        wrong = ~np.isclose(stacked, expected, rtol=_RTOL, atol=_ATOL)
        t = int(np.flatnonzero(wrong.any(axis=(1, 2)))[0])
        i = int(np.flatnonzero(wrong[t].any(axis=1))[0])
        _fail(f"{name}: expected output {t} (the softmax at {what} {t}) to be "
              f"{np.round(expected[t][i].astype(np.float64), 4).tolist()} for example {i} but got "
              f"{np.round(stacked[t][i].astype(np.float64), 4).tolist()}."
              + (" The earlier steps are right, so the state or the input is not passed on correctly from one step "
                 f"to the next (step 3 of section {section})." if t > 0 else
                 " The first step is already wrong: check what it reads, its initial state [a0, c0] and that densor "
                 f"is applied to the hidden state a that the LSTM_cell returns (step 3 of section {section})."))
    _fail(f"{name}: expected {len(expected)} outputs of shape {expected.shape[1:]} but got shapes "
          f"{[g.shape for g in got]}.")

def _check_lstm_inputs(name: str, model, n_values: int, what: str, fn=None):
    """Every call of the model's LSTM reads a sequence of length 1 of n_values values: (None, 1, n_values)."""
    lstm = next(layer for layer in layers_of(model) if isinstance(layer, keras.layers.LSTM))
    for t, shape in enumerate(_calls(lstm)):
        if shape[1:] == (1, n_values):
            continue
        if what == "generated value" and t > 0 and shape[-1:] != (n_values,):
            cause = " ".join(_global_causes(fn, "3.1", seen=str(shape[-1]))) or (
                "the one-hot vector fed back has the wrong depth; its depth is n_values, the densor's number of "
                "units (step 3 of section 3.1).")
        elif what == "generated value" and t > 0:
            cause = ("the next input should be the one-hot vector of the argmax as a sequence of length 1, made with "
                     "RepeatVector(1) (step 3 of section 3.1).")
        else:
            cause = ("each LSTM step reads one token as a sequence of length 1, (None, 1, n_values) (step 3 of "
                     "section 2.1).")
        _fail(f"{name}: expected the LSTM_cell's input at step {t} to have shape {(None, 1, n_values)} but got "
              f"{shape}; likely cause: {cause}")


def _check_step_model(label, model, seed, case, first: tuple, first_name: str, steps: int, what: str, inputs,
                      on: str, compare_as: str | None = None, fn=None):
    """What djmodel's and music_inference_model's models share: a Keras Model without Lambda layers, inputs
    [first, a0, c0], one output per step, the given LSTM and Dense used at every step with their weights, and
    outputs on ``inputs`` equal to the stored step-by-step ones."""
    s = sizes(seed)
    check_model(label, model)
    _check_no_lambda(label, model)
    _check_inputs(label, model, first, s["n_values"], s["n_a"], first_name)
    _check_outputs(label, model, steps, s["n_values"], what)
    _check_shared(label, model, s["n_values"], s["n_a"], steps)
    _check_weights_kept(label, model, seed)
    _check_lstm_inputs(label, model, s["n_values"], what, fn)
    try:
        got = predict(model, list(inputs))
    except Exception as exc:  # noqa: BLE001 - a model that cannot run on the check's inputs
        _fail(f"{label}: running the model on {on} raised {type(exc).__name__}: {one_line(str(exc))}.")
    _compare_steps(f"{label} on {on}", got if isinstance(got, list) else [got], case, compare_as or what,
                   "3.1" if what == "generated value" else "2.1")

# ---------------------------------------------------------------------------- djmodel


def check_djmodel(djmodel, seed=None):
    """djmodel(Tx, LSTM_cell, densor, reshaper): inputs X (Tx, n_values), a0, c0; Tx softmax outputs; the shared
    layers called once per step; outputs equal a step-by-step computation with the layers' weights."""
    name = "djmodel"
    case = FIXTURES.case(name, seed=seed)
    s = sizes(seed)
    n_values, n_a, Tx = s["n_values"], s["n_a"], s["Tx"]
    label = f"{name}(Tx={Tx}, LSTM_cell=LSTM({n_a}), densor=Dense({n_values}), reshaper)"
    LSTM_cell, densor, reshaper = shared_layers(seed)
    with FIXTURES.stand_ins(djmodel, name):
        model = _build(djmodel, Tx, LSTM_cell, densor, reshaper, name=label)
    _check_step_model(label, model, seed, case, (None, Tx, n_values), "X", Tx, "time step",
                      sequence_inputs(seed), f"{s['m']} windows")
    passed(name)

# ---------------------------------------------------------------------------- music_inference_model


def check_music_inference_model(music_inference_model, seed=None):
    """music_inference_model(LSTM_cell, densor, Ty): inputs x0 (1, n_values), a0, c0; Ty softmax outputs; the
    one-hot of each step's argmax is the next step's input; outputs equal a step-by-step computation."""
    name = "music_inference_model"
    case = FIXTURES.case(name, seed=seed)
    s = sizes(seed)
    n_values, n_a, Ty = s["n_values"], s["n_a"], s["Ty"]
    label = f"{name}(LSTM_cell=LSTM({n_a}), densor=Dense({n_values}), Ty={Ty})"
    LSTM_cell, densor, _ = shared_layers(seed)
    with FIXTURES.stand_ins(music_inference_model, name):
        model = _build(music_inference_model, LSTM_cell, densor, Ty=Ty, name=label)
    _check_step_model(label, model, seed, case, (None, 1, n_values), "x0", Ty, "generated value",
                      inference_inputs(seed), f"{s['m']} starts", compare_as="step", fn=music_inference_model)
    passed(name)

# ---------------------------------------------------------------------------- predict_and_sample


def check_predict_and_sample(predict_and_sample, seed=None):
    """predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer) -> (results, indices):
    indices (Ty, 1) the argmax of each output, results (Ty, n_values) their one-hot vectors."""
    name = "predict_and_sample"
    case = FIXTURES.case(name, seed=seed)
    s = sizes(seed)
    n_values, n_a, Ty = s["n_values"], s["n_a"], s["Ty"]
    model = sampling_model(seed)
    x0, a0, c0 = (v[:1] for v in inference_inputs(seed))
    label = f"{name}(a model with {Ty} outputs over {n_values} values, x_initializer {x0.shape}, ...)"
    with FIXTURES.stand_ins(predict_and_sample, name):
        out = build(predict_and_sample, model, x0.copy(), a0.copy(), c0.copy(), name=label)
    if not isinstance(out, tuple) or len(out) != 2:
        _fail(f"{label}: expected a tuple (results, indices) but got "
              f"{article(type(out).__name__)}{f' of length {len(out)}' if isinstance(out, (tuple, list)) else ''}; "
              "likely cause: return results, indices, in that order (section 3.2).")
    results, indices = (np.asarray(v) if isinstance(v, (list, tuple)) else v for v in out)
    check_type(f"{label}: results", results, np.ndarray, "Return numpy arrays (np.argmax and to_categorical give them).")
    check_type(f"{label}: indices", indices, np.ndarray, "Return numpy arrays (np.argmax and to_categorical give them).")
    want_idx, want_res = case["indices"], case["results"]
    if results.shape == want_idx.shape and indices.shape == want_res.shape:
        _fail(f"{label}: expected results of shape {want_res.shape} and indices of shape {want_idx.shape} but got "
              f"the other way round; likely cause: return results, indices, in that order (section 3.2).")
    if indices.shape != want_idx.shape:
        hint = {(Ty,): "keep the batch axis: the argmax over the last axis (the values) of the Ty outputs of shape "
                       "(1, n_values) has shape (Ty, 1) (step 2 of section 3.2).",
                (1, n_values): "the argmax was taken over the steps (axis=0); take it over the values, the last axis "
                               "(step 2 of section 3.2).",
                (1, Ty): "the argmax was taken over the wrong axis or the outputs were transposed; the argmax over the "
                         "last axis of the Ty outputs of shape (1, n_values) has shape (Ty, 1) (step 2 of section "
                         "3.2)."}.get(indices.shape)
        check_shape(f"{label}: indices", indices, want_idx.shape, "likely cause: " + (
            hint or "indices should hold one index per step for the one example, the argmax over the last axis of "
                    "the Ty outputs of shape (1, n_values): shape (Ty, 1) (step 2 of section 3.2)."))
    if results.shape != want_res.shape:
        hint = ("likely cause: n_values was not taken from the arguments: it is the last dimension of "
                "x_initializer (step 3 of section 3.2)." if results.ndim == 2 and results.shape[0] == Ty else
                "likely cause: results should be one one-hot row per step, shape (Ty, n_values): the one-hot "
                "vectors of indices over the n_values values (step 3 of section 3.2).")
        check_shape(f"{label}: results", results, want_res.shape, hint)
    if not np.array_equal(indices.astype(np.int64), want_idx):
        t = int(np.flatnonzero(indices.reshape(-1) != want_idx.reshape(-1))[0])
        _fail(f"{label}: expected indices {want_idx.reshape(-1).tolist()} (the argmax of each output) but got "
              f"{indices.reshape(-1).tolist()}, first differing at step {t}; likely cause: the indices are the "
              "argmax over the values axis (the last) of the model's outputs for the three initializers (section "
              "3.2).")
    if not np.array_equal(results, want_res):
        if not np.isin(results, (0, 1)).all():
            got = f"values such as {[round(float(v), 3) for v in results[0]]} in row 0"
            cause = ("results holds the probabilities; it should hold the one-hot vectors of the indices (step 3 of "
                     "section 3.2)." if np.allclose(results.sum(axis=-1), 1) else
                     "results[t] should be the one-hot vector of indices[t] (a 1 at that index, 0 elsewhere).")
        else:
            got = f"rows with their 1s at {[np.flatnonzero(r).tolist() for r in results]}"
            cause = "results[t] should be the one-hot vector of indices[t] (a 1 at that index, 0 elsewhere)."
        _fail(f"{label}: expected results to be the one-hot vectors of the indices {want_idx.reshape(-1).tolist()} "
              f"but got {got}; likely cause: {cause}")
    passed(name)

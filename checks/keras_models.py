"""Checks of Keras models and layers, shared by every assignment that builds one (Emojify, Jazz, translation,
trigger word).

A Keras model is checked by what is stable across Keras versions: its behaviour (the shape and values of
its outputs), and its structure as objects — the layer types in order (``isinstance``, so subclasses and
renamed classes still pass), their settings (units, rates, ``return_sequences``, activations as functions),
the number of trainable and non-trainable parameters. Never by the text of ``model.summary()`` or by class-name
strings, which change between versions.

Like :mod:`checks.assertions`, every failure is a :class:`~checks.assertions.CheckFailed` whose message says
"<what>: expected ... but got ...; likely cause: ...", one sentence.
"""
from __future__ import annotations

import re

import numpy as np

import keras
from checks.assertions import CheckFailed, _fail, _not_implemented, _student_line, article, check_type, join_hint

# ---------------------------------------------------------------------------- building a model


# Keras errors raised while a student's model is being wired, and what usually causes them.
_BUILD_ERRORS = [
    ("expected ndim=3, found ndim=2",
     "a recurrent layer received one vector per example instead of a sequence: the recurrent layer before it "
     "needs return_sequences=True to pass on its output at every time step."),
    ("expected ndim=2, found ndim=3",
     "a layer that expects one vector per example received a whole sequence: the last recurrent layer before "
     "it should keep return_sequences=False (its default)."),
    ("Inputs to a layer should be tensors",
     "a layer was given a layer object or a Python value instead of the tensor a previous layer returned; "
     "call each layer on a tensor: x = layer(x)."),
    ("input_dim", "check the vocabulary size given to the Embedding layer."),
]


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def one_line(text: str, limit: int = 400) -> str:
    """An error's text as one line for a message: without terminal colour codes, without the "Exception
    encountered when calling ..." frame and "Arguments received" list that Keras wraps around a layer's error,
    whitespace collapsed, at most ``limit`` characters, no final full stop."""
    text = _ANSI.sub("", text)
    if "Exception encountered when calling" in text:
        parts = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        core = [p for p in parts if not p.strip().startswith(("Exception encountered when calling",
                                                             "Arguments received"))]
        text = core[0] if core else text
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[:limit] + " ..."
    return text.rstrip(".")


def build(fn, *args, name: str | None = None, **kwargs):
    """Call a student's function that builds a model or a layer; turn a crash into an actionable message.

    ``NotImplementedError`` passes through unchanged (an unfinished exercise). A Keras wiring error whose
    cause is well known (such as a missing ``return_sequences=True``) is named.
    """
    name = name or getattr(fn, "__name__", "your function")
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise _not_implemented(exc, name)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - report any crash in student code
        text = str(exc)
        hint = next((h for pattern, h in _BUILD_ERRORS if pattern in text), None)
        raise CheckFailed(join_hint(f"{name} raised {type(exc).__name__}: {one_line(text)}{_student_line(exc)}",
                                    f"likely cause: {hint}" if hint else None)) from exc


def layers_of(model, skip_input: bool = True) -> list:
    """The model's layers in order (without its ``InputLayer`` by default)."""
    return [layer for layer in model.layers if not (skip_input and isinstance(layer, keras.layers.InputLayer))]


def _type_names(types) -> str:
    return " -> ".join(t.__name__ if isinstance(t, type) else type(t).__name__ for t in types)

# ---------------------------------------------------------------------------- structure


def check_model(name: str, model):
    """Fail unless ``model`` is a Keras Model (e.g. built with keras.Model(inputs=..., outputs=...))."""
    check_type(name, model, keras.Model,
               hint="return the keras Model your function builds from its inputs and outputs, not a layer or a "
                    "tensor.")


def check_layer(name: str, layer, layer_type):
    """Fail unless ``layer`` is a Keras layer of ``layer_type`` (isinstance: subclasses pass)."""
    if not isinstance(layer, layer_type):
        hint = None
        if isinstance(layer, keras.KerasTensor) or hasattr(layer, "numpy"):
            hint = "that is the output of a layer (a tensor); return the layer object itself."
        _fail(name, f"{article(layer_type.__name__)} layer", article(type(layer).__name__), hint)


def check_layer_sequence(name: str, model, expected_types: list, skip_input: bool = True):
    """Fail unless the model's layers are, in order, instances of ``expected_types``.

    The message names the first position that differs and whether a layer seems missing, extra, or out of
    order. The ``InputLayer`` is skipped by default (whether it is listed differs between ways of building).
    """
    layers = layers_of(model, skip_input)
    expected, got = _type_names(expected_types), _type_names(layers)
    matches = [isinstance(layer, t) for layer, t in zip(layers, expected_types)]
    if len(layers) == len(expected_types) and all(matches):
        return
    first = matches.index(False) if False in matches else min(len(layers), len(expected_types))
    n_exp, n_got = len(expected_types), len(layers)
    if n_got < n_exp:
        want = expected_types[first]
        hint = (f"likely cause: a missing {want.__name__} layer (layer {first + 1} of {n_exp}); "
                f"add it after the {expected_types[first - 1].__name__}." if first else
                f"likely cause: a missing {want.__name__} layer at the start.")
    elif n_got > n_exp:
        hint = (f"likely cause: an extra {type(layers[first]).__name__} layer (layer {first + 1}); "
                "the model should have only the layers listed.")
    else:
        counts_equal = sorted(t.__name__ for t in expected_types) == sorted(type(layer).__name__ for layer in layers)
        hint = (f"likely cause: layers in the wrong order: layer {first + 1} should be "
                f"{article(expected_types[first].__name__)}, not {article(type(layers[first]).__name__)}."
                if counts_equal else
                f"likely cause: layer {first + 1} should be {article(expected_types[first].__name__)}, "
                f"not {article(type(layers[first]).__name__)}.")
    _fail(name, f"the layers {expected}", got, hint)


def check_layer_config(name: str, layer, hint: str | None = None, **expected):
    """Fail unless each attribute of ``layer`` has the expected value, e.g. ``units=128, return_sequences=True``.

    Attributes are read with ``getattr`` on the layer object (``units``, ``rate``, ``return_sequences``,
    ``return_state``, ``input_dim``, ``output_dim``, ``filters``, ``kernel_size``, ``strides`` ...).
    """
    for attribute, want in expected.items():
        if not hasattr(layer, attribute):
            _fail(f"{name}.{attribute}", repr(want),
                  f"{article(type(layer).__name__)} with no attribute {attribute!r}", hint)
        got = getattr(layer, attribute)
        same = (np.isclose(got, want) if isinstance(want, float) and isinstance(got, (int, float))
                else tuple(got) == tuple(want) if isinstance(want, tuple) else got == want)
        if not same:
            _fail(f"{name}.{attribute}", repr(want), repr(got), hint or f"set {attribute}={want!r} when you create it.")


def check_return_sequences(name: str, layer, expected: bool):
    """Fail unless the recurrent layer returns its whole output sequence (True) or only the last step (False)."""
    hint = ("set return_sequences=True: the next recurrent layer needs this layer's output at every time step."
            if expected else
            "leave return_sequences=False (the default): the layers after it need one vector per example, "
            "the output of the last time step.")
    check_layer_config(name, layer, hint=hint, return_sequences=expected)


def activation_name(layer) -> str | None:
    """The name of the activation function a layer applies (``"linear"`` when none), or None if it has none."""
    fn = getattr(layer, "activation", None)
    if fn is None:
        return None
    try:
        return keras.activations.serialize(fn) if not isinstance(fn, str) else fn
    except Exception:  # noqa: BLE001 - a custom function: use its name
        return getattr(fn, "__name__", repr(fn))


def check_activation(name: str, layer, expected: str):
    """Fail unless ``layer`` (Dense, Activation, Conv1D ...) applies ``expected`` ("softmax", "linear", "relu" ...).

    Compares the activation functions themselves (``keras.activations.get``), not strings in a summary.
    """
    fn = getattr(layer, "activation", None)
    if fn is None:
        _fail(name, f"a layer with the activation {expected!r}", f"{article(type(layer).__name__)}, which has none")
    if fn is keras.activations.get(expected) or activation_name(layer) == expected:
        return
    got = activation_name(layer)
    hint = None
    if expected == "linear":
        hint = (f"likely cause: this layer already applies {got}; leave its activation out (linear) when a "
                f"separate Activation layer follows, or {got} is applied twice.")
    elif got == "linear":
        hint = f"likely cause: the activation was left out; pass activation={expected!r} (or \"{expected}\")."
    _fail(name, f"the activation {expected!r}", repr(got), hint)


def check_frozen(name: str, layer):
    """Fail unless ``layer`` is frozen: ``trainable=False``, so training leaves its weights unchanged."""
    if layer.trainable or layer.trainable_weights:
        _fail(name, "a frozen layer (trainable=False)",
              f"a trainable layer with {count_params(layer.trainable_weights):,} trainable parameters",
              "likely cause: the pretrained weights would be changed by training; create the layer with "
              "trainable=False.")

# ---------------------------------------------------------------------------- parameters and weights


def count_params(weights) -> int:
    """Total number of scalars in a list of weights (Keras variables or arrays)."""
    return int(sum(int(np.prod(w.shape)) for w in weights))


def check_param_counts(name: str, model, trainable: int | None = None, non_trainable: int | None = None,
                       hint: str | None = None):
    """Fail unless the model (or layer) has exactly this many trainable and non-trainable parameters.

    Parameter counts pin down the structure: layer sizes, a missing or extra layer, a frozen layer left
    trainable, layers created twice instead of shared.
    """
    got_t, got_n = count_params(model.trainable_weights), count_params(model.non_trainable_weights)
    if trainable is not None and non_trainable is not None and (got_t, got_n) != (trainable, non_trainable):
        if got_t == trainable + non_trainable and got_n == 0:
            hint = hint or ("likely cause: a layer that should be frozen is trainable (trainable=False is "
                            "missing), so its weights count as trainable.")
        elif got_n == 0 and non_trainable:
            hint = hint or "likely cause: the frozen (pretrained) layer is missing or trainable."
    if trainable is not None and got_t != trainable:
        _fail(f"{name}: trainable parameters", f"{trainable:,}", f"{got_t:,}",
              hint or "check the sizes of the layers (units) and that no layer is missing, extra or duplicated.")
    if non_trainable is not None and got_n != non_trainable:
        _fail(f"{name}: non-trainable parameters", f"{non_trainable:,}", f"{got_n:,}",
              hint or "check which layers are frozen (trainable=False) and their sizes.")


def check_weights(name: str, layer, expected: list, rtol: float = 1e-6, atol: float = 1e-6, hint: str | None = None):
    """Fail unless the layer's weights (``layer.get_weights()``) equal ``expected`` (a list of arrays)."""
    got = layer.get_weights()
    if len(got) != len(expected):
        _fail(f"{name}: weights", f"{len(expected)} weight arrays", f"{len(got)}",
              hint or ("likely cause: the layer was never built or given its weights; call layer.build(...) "
                       "and then layer.set_weights([...])." if not got else None))
    for i, (g, e) in enumerate(zip(got, expected)):
        e = np.asarray(e)
        if g.shape != e.shape:
            _fail(f"{name}: weights[{i}]", f"shape {e.shape}", f"shape {g.shape}", hint)
        if not np.allclose(g, e, rtol=rtol, atol=atol):
            idx = np.unravel_index(np.argmax(np.abs(g - e)), e.shape)
            _fail(f"{name}: weights[{i}]", f"{e[idx].item()!r} at index {tuple(int(j) for j in idx)}",
                  f"{g[idx].item()!r}", hint)

# ---------------------------------------------------------------------------- inputs, outputs, behaviour


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def check_input(name: str, model, shape: tuple, dtype: str | None = None):
    """Fail unless the model has one input of ``shape`` (batch axis included, as None) and, if given, ``dtype``."""
    inputs = model.inputs
    if len(inputs) != 1:
        _fail(f"{name}: inputs", "1 input", f"{len(inputs)} inputs")
    got = _shape(inputs[0])
    if got != tuple(shape):
        _fail(f"{name}: input shape", str(tuple(shape)), str(got),
              "create the input with Input(shape=input_shape): the shape of one example, without the batch axis.")
    if dtype is not None:
        got_dtype = keras.backend.standardize_dtype(inputs[0].dtype)
        if got_dtype != dtype:
            _fail(f"{name}: input dtype", repr(dtype), repr(got_dtype), f"create the input with dtype={dtype!r}.")


def check_output_shape(name: str, model, shape: tuple | list):
    """Fail unless the model's output has ``shape`` (batch axis as None); a list of shapes for several outputs."""
    outputs = model.outputs
    shapes = [tuple(s) for s in shape] if isinstance(shape, list) else [tuple(shape)]
    got = [_shape(t) for t in outputs]
    if len(got) != len(shapes):
        _fail(f"{name}: outputs", f"{len(shapes)} outputs", f"{len(got)}", "check the outputs= of the Model.")
    for i, (g, s) in enumerate(zip(got, shapes)):
        if g != s:
            _fail(f"{name}: output shape" + (f" {i}" if len(shapes) > 1 else ""), str(s), str(g),
                  "check the size of the last layer and which layer's output is the model's output.")


def predict(model, x, training: bool = False):
    """The model's output on ``x`` as numpy array(s), without progress bars (one call, no batching)."""
    out = model(x, training=training)
    if isinstance(out, (list, tuple)):
        return [np.asarray(keras.ops.convert_to_numpy(o)) for o in out]
    return np.asarray(keras.ops.convert_to_numpy(out))


def check_probabilities(name: str, probs, axis: int = -1, atol: float = 1e-5):
    """Fail unless ``probs`` holds probability distributions along ``axis`` (non-negative, summing to 1)."""
    probs = np.asarray(probs)
    sums = probs.sum(axis=axis)
    if (probs < -atol).any() or not np.allclose(sums, 1.0, atol=atol):
        worst = float(sums.reshape(-1)[np.argmax(np.abs(sums - 1).reshape(-1))])
        _fail(name, "probabilities that sum to 1 (a softmax output)",
              f"values summing to {worst:.4g}" + (" with negative values" if (probs < -atol).any() else ""),
              "likely cause: the final softmax is missing or applied along the wrong axis.")

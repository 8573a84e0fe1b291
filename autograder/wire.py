"""What crosses between the grader and a student's sandboxed kernel: data only, as JSON.

Arrays (raw bytes, exact), numpy scalars, numbers (inf, -inf and nan too, which JSON lacks), strings, bytes, None,
lists, tuples and dicts (any keys of those kinds); Keras models and layers as a plain description (see below) plus their weights; pydub audio segments as their
raw samples; and two kinds of reference that the receiving side resolves itself: a callable of the other side
(``{"__callback__": id}``, called back over the same channel) and a course object the kernel can load on its own (the
GloVe map). Nothing is unpickled, nothing received is executed.

A Keras model or layer crosses as a description that names its layers' classes, their settings, how the layers are
connected, and its weights as arrays. The receiving side rebuilds it from its own table (:func:`_keras_table`): only
the layer classes the course's models use and their plain Keras alternatives, each setting checked against the
type and the bounds the table gives it before anything is built; activations, initializers, regularizers and
constraints only by a name of that table. No module, class or function named in a message is ever looked up, and
the model is built without memory for its weights until the weights it creates are known to be exactly those that
were sent (:func:`_build_keras`). What the table does not accept is refused with a :class:`WireError` whose sentence
says what was refused and what to do instead; the kernel's side refuses it the same way before sending, so a student
reads that sentence.
"""
from __future__ import annotations

import base64
import functools
import json
import math

import numpy as np

MAX_BYTES = 64 * 2 ** 20  # a message from the kernel larger than this is refused


class WireError(TypeError):
    """A value that cannot cross the process boundary; the message says what it was."""


def _is_keras(value) -> bool:
    module = type(value).__module__ or ""
    return module.startswith(("keras", "tf_keras", "tensorflow"))


#: The numpy bit generators whose state a Generator crosses with: its class is looked up here, by name, never
#: resolved from what was sent.
BIT_GENERATORS = {"PCG64": np.random.PCG64, "PCG64DXSM": np.random.PCG64DXSM, "MT19937": np.random.MT19937,
                  "Philox": np.random.Philox, "SFC64": np.random.SFC64}


def _decode_generator(state) -> np.random.Generator:
    """A numpy Generator in the state sent (a random stream's position, which the other side goes on from)."""
    if not isinstance(state, dict) or state.get("bit_generator") not in BIT_GENERATORS:
        raise WireError("a random Generator whose bit generator is not one of numpy's own")
    bit_generator = BIT_GENERATORS[state["bit_generator"]]()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as exc:
        raise WireError(f"a random Generator with a state numpy does not accept ({exc})") from None
    return np.random.Generator(bit_generator)


def encode(value, callbacks: dict | None = None):
    """A JSON-ready form of ``value``; callables go into ``callbacks`` (id -> callable) when it is given."""
    if isinstance(value, float) and not math.isfinite(value):   # JSON has no inf or nan
        return {"__float__": repr(value)}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            return {"__objarray__": [encode(v, callbacks) for v in value.ravel()], "shape": list(value.shape)}
        data = value if value.flags.c_contiguous else value.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
        return {"__array__": base64.b64encode(data.tobytes()).decode("ascii"), "dtype": data.dtype.str,
                "shape": list(data.shape)}
    if isinstance(value, np.generic):
        return {"__scalar__": encode(np.asarray(value), callbacks)}
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, callbacks) for v in value]}
    if isinstance(value, list):
        return [encode(v, callbacks) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in value):
            return {k: encode(v, callbacks) for k, v in value.items()}
        return {"__dict__": [[encode(k, callbacks), encode(v, callbacks)] for k, v in value.items()]}
    if isinstance(value, np.random.Generator):
        state = value.bit_generator.state
        if state.get("bit_generator") not in BIT_GENERATORS:
            raise WireError(f"a Generator of {state.get('bit_generator')!r}, which cannot be sent (use "
                            "np.random.default_rng)")
        return {"__generator__": encode(state, callbacks)}
    if type(value).__name__ == "AudioSegment" and type(value).__module__.startswith("pydub"):
        return {"__audio__": base64.b64encode(value.raw_data).decode("ascii"), "frame_rate": value.frame_rate,
                "sample_width": value.sample_width, "channels": value.channels}
    if type(value).__name__ == "GloVe" and type(value).__module__ == "week2.glove":
        return _encode_glove(value)
    if _is_keras(value):
        if hasattr(value, "numpy") and hasattr(value, "dtype") and hasattr(value, "shape"):
            return encode(np.asarray(value.numpy()), callbacks)  # an eager tensor: its values
        return _encode_keras(value)
    if callable(value) and callbacks is not None:
        key = str(len(callbacks))
        callbacks[key] = value
        return {"__callback__": key, "name": getattr(value, "__name__", "a function")}
    raise WireError(f"a {type(value).__name__}, which cannot be sent between the grader and the notebook "
                    f"(send arrays, numbers, strings, lists, tuples, dicts or Keras models)")


def _encode_glove(glove):
    """The package's GloVe map (or its n most frequent words) by reference, loaded by the kernel itself (it is
    400,000 x 50); a small map built by a check, by value."""
    from week2.glove import load_glove

    full = load_glove()[3]
    n = len(glove)
    if getattr(glove.matrix, "filename", None) == getattr(full.matrix, "filename", 0) and n <= len(full) \
            and glove.words[:1] == full.words[:1] and glove.words[-1:] == full.words[n - 1:n]:
        return {"__glove__": n}
    return {"__glove_map__": {"words": list(glove.words), "matrix": encode(np.asarray(glove.matrix))}}


def _decode_glove(value):
    from week2.glove import GloVe, load_glove

    if "__glove__" in value:
        full = load_glove()[3]
        return full if value["__glove__"] >= len(full) else full.most_frequent(int(value["__glove__"]))
    words = [str(w) for w in value["__glove_map__"]["words"]]
    return GloVe(words, decode(value["__glove_map__"]["matrix"]))


# ---------------------------------------------------------------------------- Keras models and layers

#: Units of a Dense or recurrent layer, filters of a Conv1D (the course's largest layer has 196: the trigger word's
#: Conv1D), and the size of an embedding vector (GloVe's are 50).
MAX_UNITS = 1024
#: Any one axis of a shape, RepeatVector's n and OneHot's classes (the trigger word's spectrograms have 5,511 steps).
MAX_STEPS = 8192
#: Values per example of any tensor a model computes (the largest of the course: 5,511 x 101 = 556,611): a check's
#: batch of a few examples then needs tens of MB at most.
MAX_ELEMENTS = 2 ** 21
#: Rows of an Embedding: GloVe's 400,000 words and the padding row.
MAX_VOCABULARY = 500_000
#: Scalars an Embedding sent unbuilt may create when it is built (64 MB of float32). A built layer's weights are
#: exactly the arrays sent; an unbuilt layer's others depend on the check's inputs and MAX_UNITS.
MAX_WEIGHTS = 2 ** 24
#: Layers and operations of one model, and calls of them (music_inference_model with its default Ty = 100 has 302
#: and 497).
MAX_LAYERS = 512
MAX_NODES = 2048
#: Layers inside layers: a Bidirectional or TimeDistributed around a layer, once more around that.
MAX_DEPTH = 3
MAX_NAME = 128           # characters of a layer's name
MAX_KERNEL = 64          # kernel_size, strides and dilation_rate of a Conv1D (the course's: 15 and 4)
MAX_ARRAYS = 4096        # weight arrays of one model
_FUNCTIONAL, _SEQUENTIAL = "Functional", "Sequential"
#: Keys by which a serialized Keras object names Python code to load; a description never has them.
_CODE_KEYS = ("module", "registered_name", "class_name", "fn", "function", "__lambda__")


class _Refused(Exception):
    """Why a part of a Keras description is not rebuilt: the middle of the sentence of the WireError (``reason``,
    after "a Keras model"), and what the student can do instead (``advice``, or the default)."""

    def __init__(self, reason: str, advice: str | None = None):
        super().__init__(reason)
        self.reason, self.advice = reason, advice


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def _refused_error(kind: str, refused: _Refused) -> WireError:
    advice = refused.advice or ("build the model from the layers and settings the notebook names" if kind == "model"
                                else "create the layer with the settings the notebook names")
    return WireError(f"a Keras {kind} {refused.reason}; {advice}")


def _unknown_class(name) -> _Refused:
    if name == "Lambda":
        return _Refused("that uses a layer the grader does not accept: Lambda",
                        "a Lambda layer holds Python code, which the grader never runs: use keras.ops (such as "
                        "keras.ops.argmax and keras.ops.one_hot) and the layers the notebook names instead")
    shown = name if isinstance(name, str) and len(name) <= 80 and name.isprintable() else _short(name, 80)
    return _Refused(f"that uses a layer the grader does not accept: {shown}")


def _keys(value, allowed, what: str) -> dict:
    """``value`` as a dict holding only ``allowed`` keys."""
    if not isinstance(value, dict):
        raise _Refused(f"whose {what} is {_short(value)}, not a description of one")
    for key in value:
        if key in _CODE_KEYS:
            raise _Refused(f"whose {what} names Python code to load ({key!r}: {_short(value[key])}), which the grader "
                           f"never does")
        if key not in allowed:
            raise _Refused(f"whose {what} has a part the grader does not accept: {_short(key)}")
    return value

# ------------------------------------------------------- settings: each checks its value and makes the argument


class _Setting:
    """One setting of a layer: ``check`` returns the value received as plain data or raises :class:`_Refused` with
    the end of a sentence ("more than the 1,024 the grader accepts"); ``make`` turns the checked value into the
    argument the layer's class is given."""

    def __init__(self, check, make=None):
        self.check, self.make = check, make or (lambda value: value)


def _bool(value):
    if not isinstance(value, bool):
        raise _Refused("not True or False")
    return value


def _int(low: int, high: int):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            raise _Refused("not a whole number")
        if value > high:
            raise _Refused(f"more than the {high:,} the grader accepts")
        if value < low:
            raise _Refused(f"less than the {low:,} the grader accepts")
        return value
    return check


def _float(low: float, high: float):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                or not low <= value <= high:
            raise _Refused(f"not a number from {low:g} to {high:g}")
        return float(value)
    return check


def _one_of(*choices):
    def check(value):
        if not any(value == c and type(value) is type(c) for c in choices):
            raise _Refused(f"not one of {', '.join(repr(c) for c in choices)}")
        return value
    return check


def _or_none(check):
    return lambda value: None if value is None else check(value)


def _ints(low: int, high: int, most: int, none: bool = False):
    """A list of 1 to ``most`` whole numbers from ``low`` to ``high`` (None too when ``none``)."""
    one = _int(low, high)

    def check(value):
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, (list, tuple)) or not 1 <= len(value) <= most:
            raise _Refused(f"not a list of 1 to {most} whole numbers")
        return [None if v is None and none else one(v) for v in value]
    return check


def _int_or_ints(low: int, high: int, most: int):
    one, many = _int(low, high), _ints(low, high, most)
    return lambda value: one(value) if isinstance(value, int) else many(value)


def _name(value):
    if not isinstance(value, str) or not 0 < len(value) <= MAX_NAME or "/" in value or not value.isprintable():
        raise _Refused(f"not a name of 1 to {MAX_NAME} printable characters without '/'")
    return value


def _elements(shape) -> int:
    """Values per example of a tensor of ``shape`` (its first axis, the batch, left out)."""
    return math.prod(d for d in shape[1:] if d is not None and d > 0)


def _batch_shape(value):
    """A shape with its batch axis: [None, 30, 37]."""
    shape = _ints(1, MAX_STEPS, 8, none=True)(value)
    if _elements(shape) > MAX_ELEMENTS:
        raise _Refused(f"{_elements(shape):,} values per example, more than the {MAX_ELEMENTS:,} the grader accepts")
    return shape


def _build_shapes(value):
    """What a layer was built for: one shape with its batch axis, or a list of them (Concatenate, Dot)."""
    if isinstance(value, list) and value and all(isinstance(v, list) for v in value):
        if len(value) > 16:
            raise _Refused("more than 16 input shapes")
        return [_batch_shape(v) for v in value]
    return _batch_shape(value)


def _to_tuples(shape):
    return [tuple(s) for s in shape] if shape and isinstance(shape[0], list) else tuple(shape)


_ACTIVATIONS = ("linear", "relu", "sigmoid", "tanh", "softmax", "softplus", "softsign", "elu", "selu", "gelu",
                "exponential", "hard_sigmoid", "silu", "swish", "leaky_relu", "relu6", "log_softmax", "mish")
_POLICIES = ("float32", "float64", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16")
_DTYPES = ("float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
           "uint32", "bool")


def _activation_setting() -> _Setting:
    import keras

    def check(value):
        if value not in _ACTIVATIONS:
            raise _Refused(f"not one of the activations the grader accepts ({', '.join(_ACTIVATIONS[:5])} ...): pass "
                           f"a Keras activation by its name")
        return value
    return _Setting(check, lambda name: getattr(keras.activations, name))


def _objects_setting(kind: str, table: dict) -> _Setting:
    """An initializer, regularizer or constraint: ``{"class": name, "config": {...}}`` with ``name`` in ``table``
    (name -> (class, {setting: check})), or None."""
    def check(value):
        if value is None:
            return None
        _keys(value, ("class", "config"), kind)
        name, config = value.get("class"), value.get("config", {})
        entry = table.get(name) if isinstance(name, str) else None
        if entry is None:
            raise _Refused(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} the grader does not accept ({_short(name)}): "
                           f"use one of Keras's by name, such as {', '.join(list(table)[:3])}")
        if not isinstance(config, dict):
            raise _Refused(f"a {kind} whose settings are not a dict")
        clean = {}
        for key, item in config.items():
            if key not in entry[1]:
                raise _Refused(f"a {name} with a setting the grader does not accept: {_short(key)}")
            try:
                clean[key] = entry[1][key](item)
            except _Refused as exc:
                raise _Refused(f"a {name} whose {key}={_short(item)} is {exc.reason}") from None
        return {"class": name, "config": clean}

    def make(value):
        return None if value is None else table[value["class"]][0](**value["config"])
    return _Setting(check, make)


def _only(value) -> _Setting:
    """A setting the grader accepts at one value only (a feature the course's models never use)."""
    def check(got):
        if got != value or type(got) is not type(value):
            raise _Refused(f"which the grader accepts only as {value!r}")
        return got
    return _Setting(check)

# ------------------------------------------------------------------ the table


class _Entry:
    """One class of the table: what it is (``kind``: "layer", "wrapper", "input" or "op"), its settings, and a check
    of the settings together (``whole``)."""

    def __init__(self, cls, kind: str, settings: dict, whole=None):
        self.cls, self.kind, self.settings, self.whole = cls, kind, settings, whole


@functools.cache
def _keras_table() -> dict:
    """The layer and operation classes a description may name (the course's models and their plain Keras
    alternatives), each with its settings."""
    import keras
    from keras.src.ops import core as ops_core, nn as ops_nn, numpy as ops_numpy

    from week3.trigger import TimeDistributed as CourseTimeDistributed

    L, init, reg, con = keras.layers, keras.initializers, keras.regularizers, keras.constraints
    S = _Setting
    seed = S(_or_none(_int(0, 2 ** 31 - 1)))
    axes = S(_or_none(_ints(-8, 8, 8)))
    initializer = _objects_setting("initializer", {
        **{n: (getattr(init, n), {"seed": seed.check, "input_axes": axes.check, "output_axes": axes.check})
           for n in ("GlorotUniform", "GlorotNormal", "HeUniform", "HeNormal", "LecunUniform", "LecunNormal")},
        "Orthogonal": (init.Orthogonal, {"seed": seed.check, "gain": _float(-1e3, 1e3)}),
        **{n: (getattr(init, n), {"seed": seed.check, "mean": _float(-1e3, 1e3), "stddev": _float(0, 1e3)})
           for n in ("RandomNormal", "TruncatedNormal")},
        "RandomUniform": (init.RandomUniform, {"seed": seed.check, "minval": _float(-1e3, 1e3),
                                               "maxval": _float(-1e3, 1e3)}),
        "Zeros": (init.Zeros, {}), "Ones": (init.Ones, {}),
        "Constant": (init.Constant, {"value": _float(-1e6, 1e6)}),
        "Identity": (init.Identity, {"gain": _float(-1e3, 1e3)}),
        "VarianceScaling": (init.VarianceScaling, {
            "seed": seed.check, "scale": _float(0, 1e3), "mode": _one_of("fan_in", "fan_out", "fan_avg"),
            "distribution": _one_of("truncated_normal", "untruncated_normal", "uniform", "normal"),
            "input_axes": axes.check, "output_axes": axes.check}),
    })
    penalty = _float(0, 1e3)
    regularizer = _objects_setting("regularizer", {"L1": (reg.L1, {"l1": penalty}), "L2": (reg.L2, {"l2": penalty}),
                                                   "L1L2": (reg.L1L2, {"l1": penalty, "l2": penalty})})
    axis = _int_or_ints(-8, 8, 8)
    constraint = _objects_setting("constraint", {
        "MaxNorm": (con.MaxNorm, {"max_value": _float(0, 1e6), "axis": axis}),
        "NonNeg": (con.NonNeg, {}), "UnitNorm": (con.UnitNorm, {"axis": axis}),
        "MinMaxNorm": (con.MinMaxNorm, {"min_value": _float(0, 1e6), "max_value": _float(0, 1e6),
                                        "rate": _float(0, 1), "axis": axis})})
    activation, boolean, rate = _activation_setting(), S(_bool), S(_float(0, 1))
    units, kernel = S(_int(1, MAX_UNITS)), S(_ints(1, MAX_KERNEL, 1))
    data_format = S(_one_of("channels_last", "channels_first"))
    common = {"name": S(_name), "trainable": boolean, "dtype": S(_one_of(*_POLICIES), keras.DTypePolicy)}

    def weights(*names, activity=True):
        """The initializer, regularizer and constraint of each named weight."""
        out = {"activity_regularizer": regularizer} if activity else {}
        for n in names:
            out.update({f"{n}_initializer": initializer, f"{n}_regularizer": regularizer,
                        f"{n}_constraint": constraint})
        return out

    recurrent = {**common, "units": units, "activation": activation, "use_bias": boolean,
                 **weights("kernel", "recurrent", "bias"), "dropout": rate, "recurrent_dropout": rate,
                 "return_sequences": boolean, "return_state": boolean, "go_backwards": boolean,
                 "stateful": _only(False), "unroll": _only(False), "zero_output_for_mask": boolean, "seed": seed}
    gated = {**recurrent, "recurrent_activation": activation}

    def embedding_size(config):
        if config.get("input_dim", 1) * config.get("output_dim", 1) > MAX_WEIGHTS:
            raise _Refused(f"with an Embedding of {config['input_dim']:,} x {config['output_dim']:,} values, more than "
                           f"the {MAX_WEIGHTS:,} the grader accepts")

    def target_size(config):
        shape = [None, *config.get("target_shape", [])]
        if _elements(shape) > MAX_ELEMENTS:
            raise _Refused(f"with a Reshape to {_elements(shape):,} values per example, more than the "
                           f"{MAX_ELEMENTS:,} the grader accepts")

    layers = {
        "InputLayer": _Entry(L.InputLayer, "input", {
            "name": S(_name), "batch_shape": S(_batch_shape, tuple), "dtype": S(_one_of(*_DTYPES)),
            "sparse": _only(False), "ragged": _only(False), "optional": _only(False)}),
        "Dense": _Entry(L.Dense, "layer", {**common, "units": units, "activation": activation, "use_bias": boolean,
                                           **weights("kernel", "bias"), "quantization_config": _only(None)}),
        "Embedding": _Entry(L.Embedding, "layer", {
            **common, "input_dim": S(_int(1, MAX_VOCABULARY)), "output_dim": units, **weights("embeddings"),
            "mask_zero": boolean, "quantization_config": _only(None)}, embedding_size),
        "LSTM": _Entry(L.LSTM, "layer", {**gated, "unit_forget_bias": boolean}),
        "GRU": _Entry(L.GRU, "layer", {**gated, "reset_after": boolean}),
        "SimpleRNN": _Entry(L.SimpleRNN, "layer", recurrent),
        "Conv1D": _Entry(L.Conv1D, "layer", {
            **common, "filters": units, "kernel_size": kernel, "strides": kernel, "dilation_rate": kernel,
            "padding": S(_one_of("valid", "same", "causal")), "data_format": data_format, "groups": units,
            "activation": activation, "use_bias": boolean, **weights("kernel", "bias")}),
        "BatchNormalization": _Entry(L.BatchNormalization, "layer", {
            **common, "axis": S(axis), "momentum": rate, "epsilon": rate, "center": boolean, "scale": boolean,
            **weights("beta", "gamma", activity=False), "moving_mean_initializer": initializer,
            "moving_variance_initializer": initializer, "synchronized": _only(False), "renorm": _only(False),
            "renorm_clipping": _only(None), "renorm_momentum": rate}),
        "Dropout": _Entry(L.Dropout, "layer", {**common, "rate": rate, "seed": seed,
                                               "noise_shape": S(_or_none(_ints(1, MAX_STEPS, 8, none=True)))}),
        "Activation": _Entry(L.Activation, "layer", {**common, "activation": activation}),
        "Softmax": _Entry(L.Softmax, "layer", {**common, "axis": S(axis)}),
        "ReLU": _Entry(L.ReLU, "layer", {**common, "max_value": S(_or_none(_float(0, 1e6))),
                                         "negative_slope": S(_float(0, 1e6)), "threshold": S(_float(-1e6, 1e6))}),
        "Reshape": _Entry(L.Reshape, "layer", {**common, "target_shape": S(_ints(-1, MAX_STEPS, 8), tuple)},
                          target_size),
        "RepeatVector": _Entry(L.RepeatVector, "layer", {**common, "n": S(_int(1, MAX_STEPS))}),
        "Concatenate": _Entry(L.Concatenate, "layer", {**common, "axis": S(_int(-8, 8))}),
        "Dot": _Entry(L.Dot, "layer", {**common, "axes": S(axis), "normalize": boolean}),
        "Add": _Entry(L.Add, "layer", common),
        "Multiply": _Entry(L.Multiply, "layer", common),
        "Flatten": _Entry(L.Flatten, "layer", {**common, "data_format": data_format}),
        "Permute": _Entry(L.Permute, "layer", {**common, "dims": S(_ints(1, 8, 8), tuple)}),
        "Bidirectional": _Entry(L.Bidirectional, "wrapper", {
            **common, "merge_mode": S(_or_none(_one_of("concat", "sum", "mul", "ave")))}),
        "TimeDistributed": _Entry(L.TimeDistributed, "wrapper", common),
        "week3.TimeDistributed": _Entry(CourseTimeDistributed, "wrapper", common),
    }
    op_name = {"name": S(_name)}
    dtype = S(_or_none(_one_of(*_DTYPES)))
    ops = {
        "ops.GetItem": _Entry(ops_numpy.GetItem, "op", op_name),
        "ops.Argmax": _Entry(ops_numpy.Argmax, "op", {**op_name, "axis": S(_or_none(_int(-8, 8))),
                                                      "keepdims": boolean}),
        "ops.OneHot": _Entry(ops_nn.OneHot, "op", {**op_name, "num_classes": S(_int(1, MAX_STEPS)),
                                                   "axis": S(_int(-8, 8)), "dtype": dtype, "sparse": _only(False)}),
        "ops.ExpandDims": _Entry(ops_numpy.ExpandDims, "op", {**op_name, "axis": S(axis)}),
        "ops.Squeeze": _Entry(ops_numpy.Squeeze, "op", {**op_name, "axis": S(_or_none(axis))}),
        "ops.Cast": _Entry(ops_core.Cast, "op", {**op_name, "dtype": dtype}),
        **{f"ops.{n}": _Entry(getattr(ops_numpy, n), "op", op_name) for n in ("Add", "Subtract", "Multiply")},
    }
    return {**layers, **ops}


# ------------------------------------------------------------------ checking a description


def _check_layer(desc, depth: int = 0, kinds=("layer", "wrapper")) -> dict:
    """A layer's description, checked against the table: ``{"class": name, "config": {...}}`` (and ``"build"``, the
    shape it was built for, at the top). Returns it rebuilt from checked values only."""
    if depth > MAX_DEPTH:
        raise _Refused(f"with layers inside layers more than {MAX_DEPTH} deep, more than the grader accepts",
                       "wrap a layer once (Bidirectional(LSTM(...)), TimeDistributed(Dense(...)))")
    if depth and isinstance(desc, dict) and desc.get("class") in (_FUNCTIONAL, _SEQUENTIAL):
        raise _Refused("that uses a model inside a model, which the grader does not accept",
                       "build one model from the layers themselves")
    _keys(desc, ("class", "config", "build") if depth == 0 else ("class", "config"),
          "layer" if depth else "description")
    name = desc.get("class")
    entry = _keras_table().get(name) if isinstance(name, str) else None
    if entry is None or entry.kind not in kinds:
        raise _unknown_class(name)
    config = desc.get("config", {})
    if not isinstance(config, dict):
        raise _Refused(f"whose {name} layer has settings that are not a dict")
    label = "Input" if name == "InputLayer" else f"{name} layer"
    if isinstance(config.get("name"), str):
        label += f" {_short(config['name'], 40)}"
    clean = {}
    for key, value in config.items():
        if entry.kind == "wrapper" and key in ("layer", "backward_layer"):
            clean[key] = _check_layer(value, depth + 1, ("layer", "wrapper"))
            if name == "Bidirectional" and clean[key]["class"] not in ("LSTM", "GRU", "SimpleRNN"):
                raise _Refused(f"whose Bidirectional layer wraps a {clean[key]['class']}, not a recurrent layer")
            continue
        setting = entry.settings.get(key)
        if setting is None:
            if key in _CODE_KEYS:
                raise _Refused(f"whose {label} names Python code to load ({key!r}: {_short(value)}), which the grader "
                               f"never does")
            raise _Refused(f"whose {label} has a setting the grader does not accept: {_short(key)}",
                           "create the layer with the settings the notebook uses")
        try:
            clean[key] = setting.check(value)
        except _Refused as exc:
            raise _Refused(f"whose {label} has {key}={_short(value, 120)}, {exc.reason}", exc.advice) from None
    if entry.kind == "wrapper" and "layer" not in clean:
        raise _Refused(f"whose {label} wraps no layer")
    if entry.whole is not None:
        entry.whole(clean)
    out = {"class": name, "config": clean}
    if "build" in desc and desc["build"] is not None:
        try:
            out["build"] = _build_shapes(desc["build"])
        except _Refused as exc:
            raise _Refused(f"whose {label} was built for the shape {_short(desc['build'])}: {exc.reason}") from None
    return out


def _check_ref(ref, nodes: dict) -> list:
    """``[layer name, node, tensor]``: the tensor-th output of the node-th call of a layer of the description."""
    if not (isinstance(ref, list) and len(ref) == 3 and isinstance(ref[0], str)
            and all(isinstance(i, int) and not isinstance(i, bool) for i in ref[1:])):
        raise _Refused(f"whose connections hold {_short(ref)}, not [layer name, call, output]")
    if ref[0] not in nodes:
        raise _Refused(f"whose connections refer to a layer it does not have: {_short(ref[0])}")
    if not 0 <= ref[1] < nodes[ref[0]] or not 0 <= ref[2] < 64:
        raise _Refused(f"whose connections refer to a call or an output its layer {_short(ref[0])} does not have")
    return list(ref)


def _check_arg(value, nodes: dict, depth: int = 0):
    """A value a layer is called with: a tensor of the model ({"tensor": ref}), a slice, Ellipsis, a number, True,
    False, None, or a list of those."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) <= 2 ** 31:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    if isinstance(value, list) and len(value) <= 64 and depth < 4:
        return [_check_arg(v, nodes, depth + 1) for v in value]
    if isinstance(value, dict) and len(value) == 1:
        if "tensor" in value:
            return {"tensor": _check_ref(value["tensor"], nodes)}
        if "slice" in value and isinstance(value["slice"], list) and len(value["slice"]) == 3 and all(
                v is None or (isinstance(v, int) and not isinstance(v, bool) and abs(v) <= 2 ** 31)
                for v in value["slice"]):
            return {"slice": list(value["slice"])}
        if value.get("ellipsis") is True:
            return {"ellipsis": True}
    raise _Refused(f"whose layers are called with a value the grader does not accept: {_short(value)}")


def _refs(value, nodes: dict):
    """The model's inputs or outputs: one reference or a list of them."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        if len(value) > MAX_NODES:
            raise _Refused(f"with more than {MAX_NODES:,} inputs or outputs")
        return [_check_ref(v, nodes) for v in value]
    return _check_ref(value, nodes)


def _check_model(desc) -> dict:
    """A model's description: its class (Functional or Sequential), name, layers and, for a functional model, every
    call of its layers (``nodes``: the values each is called with) and its inputs and outputs."""
    _keys(desc, ("class", "config", "layers", "inputs", "outputs", "build"), "description")
    config = _keys(desc.get("config", {}), ("name", "trainable"), "model's settings")
    clean_config = {}
    for key, check in (("name", _or_none(_name)), ("trainable", _bool)):
        if key in config:
            try:
                clean_config[key] = check(config[key])
            except _Refused as exc:
                raise _Refused(f"whose {key} is {_short(config[key])}, {exc.reason}") from None
    clean_config = {k: v for k, v in clean_config.items() if v is not None}
    layers = desc.get("layers", [])
    if not isinstance(layers, list):
        raise _Refused("whose layers are not a list")
    if len(layers) > MAX_LAYERS:
        raise _Refused(f"with {len(layers):,} layers and operations, more than the {MAX_LAYERS:,} the grader accepts")
    if desc["class"] == _SEQUENTIAL:
        if "inputs" in desc or "outputs" in desc:
            raise _Refused("whose Sequential model names inputs or outputs")
        out = {"class": _SEQUENTIAL, "config": clean_config,
               "layers": [_check_layer(layer, 1, ("layer", "wrapper", "input")) for layer in layers]}
        if desc.get("build") is not None:
            out["build"] = _build_shapes(desc["build"])
        return out
    if "build" in desc:
        raise _Refused("whose functional model names a shape to build for")
    entries, nodes, total = [], {}, 0
    for item in layers:
        _keys(item, ("layer", "nodes"), "layer")
        layer = _check_layer(item.get("layer"), 1, ("layer", "wrapper", "input", "op"))
        name = layer["config"].get("name")
        if name is None or name in nodes:
            raise _Refused(f"whose layers do not each have a name of their own ({_short(name)})")
        calls = item.get("nodes", [])
        if not isinstance(calls, list):
            raise _Refused(f"whose layer {_short(name)} has calls that are not a list")
        total += len(calls)
        if total > MAX_NODES:
            raise _Refused(f"with more than {MAX_NODES:,} calls of its layers, more than the grader accepts")
        if layer["class"] == "InputLayer" and calls:
            raise _Refused(f"whose Input {_short(name)} is called on something")
        nodes[name] = 1 if layer["class"] == "InputLayer" else len(calls)
        entries.append((layer, calls))
    out_layers = []
    for layer, calls in entries:
        clean_calls = []
        for call in calls:
            _keys(call, ("args", "kwargs"), "layer call")
            args, kwargs = call.get("args", []), call.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _Refused("whose layer calls are not lists of arguments")
            for key in kwargs:
                if key not in ("initial_state", "training", "mask"):
                    raise _Refused(f"whose layers are called with an argument the grader does not accept: "
                                   f"{_short(key)}")
            clean_calls.append({"args": _check_arg(args, nodes),
                                "kwargs": {k: _check_arg(v, nodes) for k, v in kwargs.items()}})
        out_layers.append({"layer": layer, "nodes": clean_calls})
    inputs, outputs = _refs(desc.get("inputs"), nodes), _refs(desc.get("outputs"), nodes)
    input_names = {layer["config"]["name"] for layer, _ in entries if layer["class"] == "InputLayer"}
    if any(ref[0] not in input_names for ref in (inputs if isinstance(inputs[0], list) else [inputs])):
        raise _Refused("whose inputs are not all Input layers")
    return {"class": _FUNCTIONAL, "config": clean_config, "layers": out_layers, "inputs": inputs, "outputs": outputs}


def _check_description(desc) -> dict:
    if isinstance(desc, dict) and desc.get("class") in (_FUNCTIONAL, _SEQUENTIAL):
        return _check_model(desc)
    return _check_layer(desc)

# ------------------------------------------------------------------ sending


def _wire_class(serialized: dict) -> str:
    """The table's name of the class of a serialized Keras object (ops are "ops.<class>"; a class a package
    registered is "<package>.<class>")."""
    registered, name = serialized.get("registered_name"), serialized.get("class_name")
    if isinstance(registered, str) and ">" in registered:
        return registered.replace(">", ".")
    if str(serialized.get("module", "")).startswith("keras.src.ops"):
        return f"ops.{name}"
    return name if str(serialized.get("module", "")).startswith("keras") else f"{serialized.get('module')}.{name}"


def _from_keras_value(value):
    """A setting of a serialized Keras object as plain data: a dtype policy by its name, a nested object (an
    initializer, a wrapped layer) as ``{"class": name, "config": ...}``."""
    if isinstance(value, dict) and "class_name" in value:
        if value["class_name"] in ("DTypePolicy", "FloatDTypePolicy") and isinstance(value.get("config"), dict):
            return value["config"].get("name")
        config = value.get("config")
        return {"class": _wire_class(value),
                "config": {k: _from_keras_value(v) for k, v in config.items()} if isinstance(config, dict) else config}
    if isinstance(value, (list, tuple)):
        return [_from_keras_value(v) for v in value]
    return value


def _from_keras_arg(value):
    if isinstance(value, dict):
        kind = value.get("class_name")
        config = value.get("config") or {}
        if kind == "__keras_tensor__":
            return {"tensor": list(config.get("keras_history", []))}
        if kind == "__slice__":
            return {"slice": [config.get("start"), config.get("stop"), config.get("step")]}
        if kind == "__ellipsis__":
            return {"ellipsis": True}
        return value
    if isinstance(value, (list, tuple)):
        return [_from_keras_arg(v) for v in value]
    return value


def _from_keras(serialized: dict, top: bool = True) -> dict:
    """The description of a serialized Keras model or layer (``keras.saving.serialize_keras_object``), unchecked."""
    name = _wire_class(serialized)
    config = serialized.get("config") or {}
    if name == _SEQUENTIAL:
        out = {"class": name, "config": {"name": config.get("name"), "trainable": config.get("trainable", True)},
               "layers": [_from_keras(layer, top=False) for layer in config.get("layers", [])]}
        if config.get("build_input_shape") is not None:
            out["build"] = _from_keras_value(config["build_input_shape"])
        return out
    if name == _FUNCTIONAL:
        return {"class": name, "config": {"name": config.get("name"), "trainable": config.get("trainable", True)},
                "layers": [{"layer": _from_keras(layer, top=False),
                            "nodes": [{"args": _from_keras_arg(node.get("args", [])),
                                       "kwargs": {k: _from_keras_arg(v) for k, v in node.get("kwargs", {}).items()}}
                                      for node in layer.get("inbound_nodes", [])]}
                           for layer in config.get("layers", [])],
                "inputs": _from_keras_value(config.get("input_layers")),
                "outputs": _from_keras_value(config.get("output_layers"))}
    out = {"class": name, "config": {k: _from_keras_value(v) for k, v in config.items()}}
    shape = (serialized.get("build_config") or {}).get("input_shape") if top else None
    if shape is not None:
        out["build"] = _from_keras_value(shape)
    return out


def _check_types(obj) -> None:
    """Refuse a model or layer that holds an object of a class the table does not name exactly (a subclass of a Keras
    layer runs code of its own, which a description cannot carry)."""
    import keras

    from keras.src.models.functional import Functional

    classes = {entry.cls for entry in _keras_table().values()} | {Functional, keras.Sequential}
    todo, seen = [obj], 0
    while todo:
        item = todo.pop()
        seen += 1
        if type(item) not in classes:
            raise _unknown_class(type(item).__name__)
        if seen > MAX_LAYERS * 2:
            raise _Refused(f"with more than {MAX_LAYERS:,} layers and operations, more than the grader accepts")
        if isinstance(item, keras.Model):
            todo += list(getattr(item, "operations", None) or item.layers)
        for inner in ("layer", "forward_layer", "backward_layer"):
            if isinstance(getattr(item, inner, None), keras.layers.Layer):
                todo.append(getattr(item, inner))


def _encode_keras(obj):
    import keras

    if not isinstance(obj, (keras.Model, keras.layers.Layer)):
        raise WireError(f"a {type(obj).__name__} (only Keras models and layers can be sent)")
    kind = "model" if isinstance(obj, keras.Model) else "layer"
    try:
        _check_types(obj)
        description = _check_description(_from_keras(keras.saving.serialize_keras_object(obj)))
    except _Refused as exc:
        raise _refused_error(kind, exc) from None
    return {"__keras__": description, "weights": [encode(np.asarray(w)) for w in obj.get_weights()]}

# ------------------------------------------------------------------ receiving


def _make_layer(desc: dict):
    """The layer of a checked description, made from the table's class with the checked settings (not built)."""
    entry = _keras_table()[desc["class"]]
    kwargs = {}
    for key, value in desc["config"].items():
        if entry.kind == "wrapper" and key in ("layer", "backward_layer"):
            kwargs[key] = _make_layer(value)
        else:
            kwargs[key] = entry.settings[key].make(value)
    return entry.cls(**kwargs)


def _check_output(tensor) -> None:
    shape = tuple(getattr(tensor, "shape", ()) or ())
    if _elements(shape) > MAX_ELEMENTS:
        raise _Refused(f"whose layers compute a tensor of shape {shape}, more than the {MAX_ELEMENTS:,} values per "
                       f"example the grader accepts")


def _make_functional(desc: dict):
    """Call the layers of a checked functional description on one another, in the order their inputs become known
    (as Keras's own loading does), and make the model of its inputs and outputs."""
    import keras

    made = {}      # layer name -> layer
    outputs = {}   # (layer name, call) -> the call's outputs, flattened
    waiting = {}   # layer name -> its calls still to make
    for item in desc["layers"]:
        layer = _make_layer(item["layer"])
        name = item["layer"]["config"]["name"]
        made[name] = layer
        if item["layer"]["class"] == "InputLayer":
            outputs[name, 0] = [layer.output]
        waiting[name] = list(item["nodes"])
    calls_made = dict.fromkeys(made, 0)

    def refs(value):
        if isinstance(value, list):
            for v in value:
                yield from refs(v)
        elif isinstance(value, dict) and "tensor" in value:
            yield value["tensor"]

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            if "tensor" in value:
                name, call, index = value["tensor"]
                found = outputs[name, call]
                if index >= len(found):
                    raise _Refused(f"whose connections refer to an output its layer {_short(name)} does not have")
                return found[index]
            if "slice" in value:
                return slice(*value["slice"])
            return Ellipsis
        return value

    progress = True
    while progress and any(waiting.values()):
        progress = False
        for name, calls in waiting.items():
            while calls and all((ref[0], ref[1]) in outputs for ref in refs([calls[0]["args"], calls[0]["kwargs"]])):
                call = calls.pop(0)
                out = made[name](*resolve(call["args"]), **{k: resolve(v) for k, v in call["kwargs"].items()})
                flat = keras.tree.flatten(out)
                for tensor in flat:
                    _check_output(tensor)
                outputs[name, calls_made[name]] = flat
                calls_made[name] += 1
                progress = True
    if any(waiting.values()):
        raise _Refused("whose layers are connected in a loop, or to calls that are never made")
    inputs, outs = resolve(_as_tensor_refs(desc["inputs"])), resolve(_as_tensor_refs(desc["outputs"]))
    return keras.Model(inputs=inputs, outputs=outs, **desc["config"])


def _as_tensor_refs(refs):
    return [{"tensor": r} for r in refs] if isinstance(refs[0], list) else {"tensor": refs}


def _make(desc: dict):
    import keras

    if desc["class"] == _FUNCTIONAL:
        return _make_functional(desc)
    if desc["class"] == _SEQUENTIAL:
        model = keras.Sequential([_make_layer(layer) for layer in desc["layers"]], **desc["config"])
        if "build" in desc and not model.built:
            model.build(_to_tuples(desc["build"]))
        return model
    layer = _make_layer(desc)
    if "build" in desc:
        layer.build(_to_tuples(desc["build"]))
    return layer


def _received_weights(value) -> list:
    if not isinstance(value, list) or len(value) > MAX_ARRAYS:
        raise _Refused(f"whose weights are not a list of at most {MAX_ARRAYS:,} arrays")
    arrays = []
    for item in value:
        if not (isinstance(item, dict) and "__array__" in item):
            raise _Refused(f"with a weight that is not an array: {_short(item)}")
        try:
            array = decode(item)
        except (ValueError, TypeError, KeyError) as exc:
            raise _Refused(f"with a weight that is not a whole array ({exc})") from None
        if array.dtype.kind not in "fiub":
            raise _Refused(f"with a weight of {array.dtype}, not numbers")
        arrays.append(array)
    return arrays


def _build_keras(desc: dict, arrays: list):
    """The model or layer of a checked description, with the weights ``arrays``.

    Everything is made in a Keras stateless scope, where a layer that is built only notes the shapes of its weights:
    nothing is allocated until the shapes of every weight made (in the model or not) are known to be exactly those of
    the arrays sent, plus Keras's seed states (two numbers per random layer). Then the weights are made and given
    their values."""
    import keras
    from keras.src.backend.common import global_state
    from keras.src.backend.common.variables import initialize_all_variables

    pending = list(global_state.get_global_attribute("uninitialized_variables") or [])
    try:
        with keras.StatelessScope(initialize_variables=False):
            try:
                obj = _make(desc)
            except _Refused:
                raise
            except Exception as exc:  # noqa: BLE001 - Keras refused the settings or the connections: say why
                raise _Refused(f"that Keras could not rebuild ({type(exc).__name__}: {_short(str(exc), 200)})",
                               "send the model your function built, unchanged") from None
        made = [tuple(int(d) for d in w.shape) for w in obj.weights]
        known = {id(v) for v in pending} | {id(w) for w in obj.weights}
        # Anything else made is a seed state, or the weights of a layer left out of the model: refused.
        others = [tuple(v.shape) for v in global_state.get_global_attribute("uninitialized_variables") or []
                  if id(v) not in known and math.prod(v.shape) > 16]
        sent = [a.shape for a in arrays]
        if made != sent or others:
            raise _Refused(f"whose weights do not match its layers: its layers make {len(made + others)} weight "
                           f"arrays of {sum(math.prod(s) for s in made + others):,} values in all, and {len(sent)} "
                           f"arrays of {sum(math.prod(s) for s in sent):,} values were sent",
                           "send the model your function built, unchanged")
    except BaseException:
        global_state.set_global_attribute("uninitialized_variables", pending)
        raise
    initialize_all_variables()
    if arrays:
        obj.set_weights(arrays)
    return obj


def _decode_keras(value):
    desc, models = value.get("__keras__"), (_FUNCTIONAL, _SEQUENTIAL)
    kind = "model" if isinstance(desc, dict) and (desc.get("class") in models or desc.get("class_name") in models) \
        else "layer"
    try:
        _keys(value, ("__keras__", "weights"), kind)
        description = _check_description(value["__keras__"])
        return _build_keras(description, _received_weights(value.get("weights", [])))
    except _Refused as exc:
        raise _refused_error(kind, exc) from None


#: How a float that JSON cannot hold crosses (``repr`` of it).
NON_FINITE = ("inf", "-inf", "nan")


def decode(value, callback=None):
    """The inverse of :func:`encode`. ``callback(key, name)`` makes the stub for a ``__callback__`` reference."""
    if isinstance(value, list):
        return [decode(v, callback) for v in value]
    if not isinstance(value, dict):
        return value
    if "__array__" in value:
        array = np.frombuffer(base64.b64decode(value["__array__"]), dtype=np.dtype(value["dtype"]))
        return array.reshape(tuple(value["shape"])).copy()
    if "__objarray__" in value:
        items = [decode(v, callback) for v in value["__objarray__"]]
        out = np.empty(len(items), dtype=object)
        out[:] = items
        return out.reshape(tuple(value["shape"]))
    if "__scalar__" in value:
        return decode(value["__scalar__"], callback)[()]
    if "__float__" in value:
        if value["__float__"] not in NON_FINITE:
            raise WireError(f"a float written {str(value['__float__'])[:20]!r}, which is not inf, -inf or nan")
        return float(value["__float__"])
    if "__bytes__" in value:
        return base64.b64decode(value["__bytes__"])
    if "__tuple__" in value:
        return tuple(decode(v, callback) for v in value["__tuple__"])
    if "__dict__" in value:
        return {_hashable(decode(k, callback)): decode(v, callback) for k, v in value["__dict__"]}
    if "__generator__" in value:
        return _decode_generator(decode(value["__generator__"]))
    if "__glove__" in value or "__glove_map__" in value:
        return _decode_glove(value)
    if "__keras__" in value:
        return _decode_keras(value)
    if "__audio__" in value:
        from pydub import AudioSegment
        return AudioSegment(data=base64.b64decode(value["__audio__"]), frame_rate=int(value["frame_rate"]),
                            sample_width=int(value["sample_width"]), channels=int(value["channels"]))
    if "__callback__" in value:
        if callback is None:
            raise WireError("a function reference where none is accepted")
        return callback(value["__callback__"], value.get("name", "a function"))
    return {k: decode(v, callback) for k, v in value.items()}


def _hashable(key):
    return key.item() if isinstance(key, np.ndarray) and key.ndim == 0 else key


def dumps(value, callbacks: dict | None = None) -> str:
    return json.dumps(encode(value, callbacks), allow_nan=False)  # strict JSON, as the kernel's messages are


def loads(text: str, callback=None):
    if len(text) > MAX_BYTES:
        raise WireError(f"a message of {len(text):,} bytes (the limit is {MAX_BYTES:,})")
    return decode(json.loads(text), callback)


def write_back(original, received) -> None:
    """Make ``original`` (an argument the grader sent) hold what the kernel's copy held after the call, so that a
    function changing its arguments in place is seen as it would be in one process."""
    if isinstance(original, np.ndarray) and isinstance(received, np.ndarray):
        if original.shape == received.shape and original.flags.writeable:
            np.copyto(original, received, casting="unsafe")
    elif isinstance(original, np.random.Generator) and isinstance(received, np.random.Generator):
        if type(original.bit_generator) is type(received.bit_generator):  # the draws the call made are used up
            original.bit_generator.state = received.bit_generator.state
    elif isinstance(original, dict) and isinstance(received, dict):
        for key in list(original):
            if key not in received:
                del original[key]
        for key, value in received.items():
            if key in original and isinstance(original[key], (np.ndarray, dict, list)):
                write_back(original[key], value)
                if isinstance(original[key], np.ndarray) and isinstance(value, np.ndarray) \
                        and original[key].shape != value.shape:
                    original[key] = value
            else:
                original[key] = value
    elif isinstance(original, list) and isinstance(received, list):
        if len(original) == len(received):
            for i, value in enumerate(received):
                if isinstance(original[i], (np.ndarray, dict, list)):
                    write_back(original[i], value)
                else:
                    original[i] = value
        else:
            original[:] = received

"""Public checks of the machine translation notebook (w3a1), one per graded function.

The attention model is built from the notebook's shared layers (``repeator, concatenator, densor1, densor2,
activator, dotor, post_activation_LSTM_cell, output_layer``), which are made for the notebook's sizes: Tx = 30 input
characters, n_a = 32, n_s = 64 and 11 output characters. The checks use those sizes, and other values for what the
functions take as arguments (the number of output steps Ty, the size of the human vocabulary), so a function that
reads those from notebook globals is caught.

- ``one_step_attention`` runs with fixed weights in ``densor1`` and ``densor2``: the check gives them its weights with
  the notebook's ``set_attention_weights`` (which returns the old weights; the check puts them back), calls the
  function on its own ``a`` and ``s_prev``, and compares the context with stored values.
- ``modelf``'s model is checked by structure (inputs, Ty outputs, layer types, parameter counts: the shared layers
  are used at every step) and by behaviour, twice, with fixed weights and stored outputs. First with weights that
  make the encoder's output the same at every time step: the outputs then do not depend on how the attention weighs
  the time steps (which ``one_step_attention`` decides, and its own check grades), and they show how the
  post-attention LSTM's states are carried and read. Then with weights under which every time step's encoder output
  differs and the attention is sharp, on a batch of different inputs: the outputs now depend on what the attention
  is queried with (the hidden state s of the step before). Where those outputs are wrong in no known way, the check
  runs the notebook's ``one_step_attention`` on its own check's inputs: if that is what is wrong, modelf keeps its
  points (one bug costs one function's points) and the check says so.

What a correct function returns on these inputs, computed independently in numpy, and what each classic mistake
returns, is stored in ``week3/fixtures/w3a1_machine_translation.json`` (see :mod:`checks.fixtures`). The
decoding functions' checks live in :mod:`week3.decoding_checks` and are re-exported here.
"""
from __future__ import annotations

import numpy as np

import keras
from checks.assertions import CheckFailed, passed
from checks.fixtures import Fixtures
from checks.keras_models import _BUILD_ERRORS, count_params, layers_of, predict
from week3.decoding_checks import check_beam_search_decode, check_bleu_score, check_greedy_decode  # noqa: F401
from week3.decoding_checks import _type_name, clause, crash, run_student

FIXTURES = Fixtures("w3a1_machine_translation")

TX, N_A, N_S, N_MACHINE = 30, 32, 64, 11  # the sizes the notebook's shared layers are made for
_RTOL, _ATOL = 1e-4, 1e-5


def _fail(message: str):
    raise CheckFailed(message)


# Keras errors raised while the attention or the model is wired, and what usually causes them (the first match).
_ATTENTION_ERRORS = [
    ("Ranks of all input tensors should match",
     "the two tensors concatenated do not have the same number of time steps: s_prev must be repeated Tx times by "
     "repeator before it is concatenated with a (steps 1 and 2 of section 2.1)"),
    ("requires inputs with matching shapes",
     "the two tensors concatenated do not have the same number of time steps: s_prev must be repeated Tx times by "
     "repeator before it is concatenated with a (steps 1 and 2 of section 2.1)"),
    ("expected axis -1 of input shape to have value 10",
     "densor2 was given the concatenation: apply densor1 first, then densor2 (step 3 of section 2.1)"),
    ("expected axis -1 of input shape to have value",
     "a layer was given a tensor of another size than it was built for: follow the order of section 2.1 "
     "(repeator, concatenator, densor1, densor2, activator, dotor)"),
] + [(pattern, hint.rstrip(".")) for pattern, hint in _BUILD_ERRORS]
_ATTENTION_FIX = "follow the steps of section 2.1 in order, each on the tensor the step before returned"
_MODEL_FIX = "follow the steps of section 2.2, with every size taken from the arguments"

# ---------------------------------------------------------------------------- the checks' inputs (seeded)


def attention_inputs(seed: int | None = None) -> dict:
    """a (m, Tx, 2 n_a), s_prev (m, n_s) and the weights of densor1 (kernel (2 n_a + n_s, 10), bias (10,)) and
    densor2 (kernel (10, 1), bias (1,)), drawn so that every time step gets a different attention weight."""
    rng = np.random.default_rng(31 if seed is None else 31 + seed)
    m = 2 if seed is None else int(rng.integers(1, 4))
    f32 = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731
    return {"a": f32(rng.normal(0, 1, (m, TX, 2 * N_A))), "s_prev": f32(rng.normal(0, 1, (m, N_S))),
            "densor1": [f32(rng.normal(0, 0.3, (2 * N_A + N_S, 10))), f32(rng.normal(0, 0.1, (10,)))],
            "densor2": [f32(rng.normal(0, 1.0, (10, 1))), f32([0.8])]}


def model_sizes(seed: int | None = None) -> dict:
    """The arguments of modelf in a check: the notebook's Tx, n_a, n_s and machine vocabulary, and this check's
    Ty and human vocabulary size (never the notebook's 10 and 38)."""
    if seed is None:
        return {"Tx": TX, "Ty": 7, "n_a": N_A, "n_s": N_S, "human_vocab_size": 37, "machine_vocab_size": N_MACHINE}
    rng = np.random.default_rng(500 + seed)
    return {"Tx": TX, "Ty": int(rng.integers(4, 10)), "n_a": N_A, "n_s": N_S,
            "human_vocab_size": int(rng.integers(20, 46)), "machine_vocab_size": N_MACHINE}


def model_weights(seed: int | None = None) -> dict:
    """Fixed weights for every layer of the model, by role. The encoder's kernels are zero and its forget gates
    shut (bias -30), so its output is the same at every time step: any attention weights that sum to 1 give the
    same context."""
    s = model_sizes(seed)
    rng = np.random.default_rng(77 if seed is None else 77 + seed)
    f32 = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731

    def encoder_lstm():
        bias = rng.normal(0, 1.0, (4 * N_A,))
        bias[N_A:2 * N_A] = -30.0  # forget gate shut
        return [f32(np.zeros((s["human_vocab_size"], 4 * N_A))), f32(np.zeros((N_A, 4 * N_A))), f32(bias)]

    return {"encoder_forward": encoder_lstm(), "encoder_backward": encoder_lstm(),
            "densor1": [f32(rng.normal(0, 0.3, (2 * N_A + N_S, 10))), f32(rng.normal(0, 0.1, (10,)))],
            "densor2": [f32(rng.normal(0, 1.0, (10, 1))), f32([0.5])],
            "post_lstm": [f32(rng.normal(0, 0.3, (2 * N_A, 4 * N_S))), f32(rng.normal(0, 0.3, (N_S, 4 * N_S))),
                          f32(rng.normal(0, 0.3, (4 * N_S,)))],
            "output": [f32(rng.normal(0, 1.0, (N_S, N_MACHINE))), f32(rng.normal(0, 0.3, (N_MACHINE,)))]}


def query_weights(seed: int | None = None) -> dict:
    """Fixed weights (by role, as :func:`model_weights`) under which the attention's query matters: the encoder reads
    its input (every time step's output differs), densor1 mixes the query into every energy and densor2 makes the
    attention sharp, so the context at each step depends on the state the attention is given."""
    s = model_sizes(seed)
    rng = np.random.default_rng(177 if seed is None else 177 + seed)
    f32 = lambda x: np.asarray(x, dtype=np.float32)  # noqa: E731

    def encoder_lstm():
        return [f32(rng.normal(0, 0.8, (s["human_vocab_size"], 4 * N_A))), f32(rng.normal(0, 0.3, (N_A, 4 * N_A))),
                f32(rng.normal(0, 0.5, (4 * N_A,)))]

    return {"encoder_forward": encoder_lstm(), "encoder_backward": encoder_lstm(),
            "densor1": [f32(rng.normal(0, 0.5, (2 * N_A + N_S, 10))), f32(rng.normal(0, 0.1, (10,)))],
            "densor2": [f32(rng.normal(0, 2.0, (10, 1))), f32([1.0])],
            "post_lstm": [f32(rng.normal(0, 0.5, (2 * N_A, 4 * N_S))), f32(rng.normal(0, 0.5, (N_S, 4 * N_S))),
                          f32(rng.normal(0, 0.3, (4 * N_S,)))],
            "output": [f32(rng.normal(0, 1.0, (N_S, N_MACHINE))), f32(rng.normal(0, 0.3, (N_MACHINE,)))]}


def model_inputs(seed: int | None = None) -> list:
    """[X (m, Tx, human_vocab_size) one-hot characters, s0 (m, n_s), c0 (m, n_s)]; a batch of 2 (1 to 3 in hidden
    tests), every example different."""
    s = model_sizes(seed)
    rng = np.random.default_rng(88 if seed is None else 88 + seed)
    m = 2 if seed is None else int(rng.integers(1, 4))
    X = np.eye(s["human_vocab_size"], dtype=np.float32)[rng.integers(0, s["human_vocab_size"], size=(m, TX))]
    return [X, rng.normal(0, 0.5, (m, N_S)).astype(np.float32), rng.normal(0, 0.5, (m, N_S)).astype(np.float32)]


def lstm_params(n_in: int, units: int) -> int:
    return 4 * (units * (n_in + units) + units)


def model_params(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size) -> int:
    """Bi-LSTM(n_a) encoder + Dense(10) + Dense(1) + LSTM(n_s) + Dense(machine_vocab_size): the same for any Ty."""
    return (2 * lstm_params(human_vocab_size, n_a) + (2 * n_a + n_s) * 10 + 10 + 10 + 1
            + lstm_params(2 * n_a, n_s) + n_s * machine_vocab_size + machine_vocab_size)

# ---------------------------------------------------------------------------- one_step_attention


def _set_weights(setter, weights, label):
    try:
        return setter(weights)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - the notebook's helper could not run
        _fail(f"{label}: set_attention_weights could not give densor1 and densor2 the check's weights "
              f"({type(exc).__name__}: {clause(exc)}), so run the cell that creates the shared layers, unchanged, "
              "then this check again.")


def check_one_step_attention(one_step_attention, set_attention_weights, seed=None):
    """one_step_attention(a, s_prev) with fixed weights in densor1 and densor2: the context (m, 1, 2 n_a) is
    sum_t alpha_t a_t, alpha the softmax over time of densor2(densor1([a, s_prev repeated])))."""
    name = "one_step_attention"
    case = FIXTURES.case(name, seed=seed)
    inputs = attention_inputs(seed)
    m = inputs["a"].shape[0]
    label = f"{name}(a {inputs['a'].shape}, s_prev {inputs['s_prev'].shape})"
    old = _set_weights(set_attention_weights, [inputs["densor1"], inputs["densor2"]], label)
    try:
        with FIXTURES.stand_ins(one_step_attention, name):
            context = run_student(one_step_attention, inputs["a"].copy(), inputs["s_prev"].copy(), name=label,
                                  hints=_ATTENTION_ERRORS, fix=_ATTENTION_FIX)
    finally:
        _set_weights(set_attention_weights, old, label)
    if isinstance(context, (list, tuple)):
        _fail(f"{label}: expected one tensor, the context, but got a {type(context).__name__} of {len(context)}, so "
              "return the context only (step 5 of section 2.1).")
    returned = _type_name(context)
    try:
        context = None if context is None else np.asarray(keras.ops.convert_to_numpy(context), dtype=np.float64)
    except Exception:  # noqa: BLE001 - a layer, a string ...
        context = None
    expected = case["context"]
    if context is None or context.ndim == 0:
        _fail(f"{label}: expected one tensor, the context, but got {returned}, so return the output of dotor (step 5 "
              "of section 2.1).")
    if context.shape == (m, 2 * N_A):
        _fail(f"{label}: expected the context to have shape {expected.shape} (one time step for the post-attention "
              f"LSTM) but got {context.shape}, so the context must come from the shared dotor, Dot(axes=1), applied "
              "to the attention weights and a, which keeps a time axis of length 1 (step 5 of section 2.1).")
    if context.shape == (m, 2 * N_A, 1):
        _fail(f"{label}: expected the context to have shape {expected.shape} but got {context.shape}, the shape "
              "dotor gives when its two inputs are swapped, so give dotor the attention weights first, then a "
              "(step 5 of section 2.1).")
    if context.shape == (m, 10, 2 * N_A):
        _fail(f"{label}: expected the context to have shape {expected.shape} but got {context.shape}, so the "
              "energies were not one number per time step: apply densor1, THEN densor2, to get energies of shape "
              "(m, Tx, 1) (step 3 of section 2.1).")
    if context.shape != expected.shape:
        _fail(f"{label}: expected the context to have shape {expected.shape} but got {context.shape}, so follow the "
              "steps of section 2.1 in order: repeator, concatenator (a first), densor1, densor2, activator, dotor.")
    if np.allclose(context, expected, rtol=_RTOL, atol=_ATOL):
        passed(name)
        return
    for cause, wrong in case["mistakes"].items():
        if np.allclose(context, wrong, rtol=_RTOL, atol=_ATOL):
            _fail(f"{label}: wrong context, exactly what a known mistake gives \u2014 likely cause: {cause}")
    _fail(f"{label}: expected context[0, 0, :4] = {np.round(expected[0, 0, :4], 4).tolist()} but got "
          f"{np.round(context[0, 0, :4], 4).tolist()}, so check each step of section 2.1, in order: repeator, "
          "concatenator (a first), densor1, densor2, activator, dotor.")

# ---------------------------------------------------------------------------- modelf


def _shape(tensor) -> tuple:
    return tuple(None if d is None else int(d) for d in tensor.shape)


def _roles(model) -> dict:
    """The model's layers by role, found by type and size (never by index or name)."""
    layers = layers_of(model)
    bi = [x for x in layers if isinstance(x, keras.layers.Bidirectional)]
    lstm = [x for x in layers if isinstance(x, keras.layers.LSTM)]
    dense = {x.units: x for x in layers if isinstance(x, keras.layers.Dense)}
    return {"bi": bi, "lstm": lstm, "dense": dense, "layers": layers}


def check_modelf(modelf, one_step_attention=None, set_attention_weights=None, seed=None):
    """modelf(Tx, Ty, n_a, n_s, human_vocab_size, machine_vocab_size): inputs X, s0, c0; a Bidirectional LSTM(n_a)
    encoder with return_sequences; Ty softmax outputs from the shared layers; outputs, with two sets of fixed
    weights, equal a step-by-step computation (the second makes the attention's query matter). The notebook's
    ``one_step_attention`` and ``set_attention_weights`` are only used to tell a wrong attention (graded by its own
    check) from a wrong modelf."""
    name = "modelf"
    case = FIXTURES.case(name, seed=seed)
    s = model_sizes(seed)
    Ty, V = s["Ty"], s["human_vocab_size"]
    label = (f"{name}(Tx={TX}, Ty={Ty}, n_a={N_A}, n_s={N_S}, human_vocab_size={V}, "
             f"machine_vocab_size={N_MACHINE})")
    with FIXTURES.stand_ins(modelf, name):
        model = run_student(modelf, s["Tx"], Ty, s["n_a"], s["n_s"], V, s["machine_vocab_size"], name=label,
                            hints=_ATTENTION_ERRORS, fix=_MODEL_FIX)
    if not isinstance(model, keras.Model):
        _fail(f"{label}: expected a keras Model but got {_type_name(model)}, so return the Model built from the "
              "inputs [X, s0, c0] and the list of outputs (step 4 of section 2.2).")
    got_in = [_shape(t) for t in model.inputs]
    want_in = [(None, TX, V), (None, N_S), (None, N_S)]
    if len(got_in) != 3:
        _fail(f"{label}: expected 3 inputs (X, s0, c0) but got {len(got_in)}, so the Model's inputs must be the "
              "three Inputs X, s0 and c0, in that order (step 4 of section 2.2).")
    if got_in != want_in:
        _fail(f"{label}: expected inputs of shapes {want_in} but got {got_in} \u2014 likely cause: the sizes were "
              "not taken from the arguments (human_vocab_size, n_s), or the inputs are in another order than "
              "[X, s0, c0] (steps 1 and 4 of section 2.2).")
    outs = [_shape(t) for t in model.outputs]
    if len(outs) != Ty:
        _fail(f"{label}: expected {Ty} outputs (one per output character) but got {len(outs)} \u2014 likely cause: "
              + ("only the last output was returned, where each step's output must be appended to outputs (step 3 "
                 "of section 2.2)." if len(outs) == 1 else
                 "the loop must run Ty times, with Ty the argument (step 3 of section 2.2)."))
    if any(o != (None, N_MACHINE) for o in outs):
        _fail(f"{label}: expected every output to have shape {(None, N_MACHINE)} but got {sorted(set(outs))}, so "
              "each output must be the shared softmax layer output_layer applied to the post-attention LSTM's hidden "
              "state s (step 3 of section 2.2).")
    r = _roles(model)
    if len(r["bi"]) != 1 or not isinstance(r["bi"][0].forward_layer, keras.layers.LSTM):
        _fail(f"{label}: expected one Bidirectional LSTM encoder (an LSTM of n_a units with return_sequences=True) "
              f"but found {len(r['bi'])} Bidirectional layers, so the encoder must be a Bidirectional layer wrapping "
              "one such LSTM, applied to X (step 2 of section 2.2).")
    bi = r["bi"][0]
    if bi.forward_layer.units != N_A or not bi.forward_layer.return_sequences:
        _fail(f"{label}: expected the encoder's LSTM to have {N_A} units and return_sequences=True but got "
              f"{bi.forward_layer.units} units and return_sequences={bi.forward_layer.return_sequences}, so give the "
              "LSTM n_a units and return_sequences=True: the attention needs the encoder's output at every time "
              "step (step 2 of section 2.2).")
    expected_params = model_params(**s)
    got = count_params(model.weights)
    if got != expected_params or len(r["lstm"]) != 1:
        hint = ("likely cause: new layers are created inside the loop, where the shared global layers must be used "
                "at every step (step 3 of section 2.2)" if got > expected_params else
                "check the sizes of the encoder and which layers the model uses (steps 2 and 3 of section 2.2)")
        _fail(f"{label}: expected {expected_params:,} parameters (the encoder plus the shared attention, "
              f"post-attention LSTM and output layers, the same for any Ty) but got {got:,} \u2014 {hint}.")
    if not {10, 1, N_MACHINE} <= set(r["dense"]):
        _fail(f"{label}: expected the shared Dense layers densor1 (10 units), densor2 (1 unit) and output_layer "
              f"({N_MACHINE} units) in the model, but found Dense layers of {sorted(r['dense'])} units, so every "
              "output step must use one_step_attention and the shared output_layer (step 3 of section 2.2).")
    inputs = model_inputs(seed)
    got_out = _run_with(model, r, bi, model_weights(seed), inputs)
    expected = case["outputs"]
    if not np.allclose(got_out, expected, rtol=_RTOL, atol=_ATOL):
        for cause, wrong in case["mistakes"].items():
            if np.allclose(got_out, wrong, rtol=_RTOL, atol=_ATOL):
                _fail(f"{label}: wrong outputs, exactly those a known mistake gives \u2014 likely cause: {cause}")
        t = _first_wrong(got_out, expected)
        _fail(f"{label}: expected output {t} to be {np.round(expected[t][0], 4).tolist()} for the first example but "
              f"got {np.round(got_out[t][0], 4).tolist()}"
              + (", while the earlier outputs are right, so check that s and c are carried from one step to the "
                 "next (step 3 of section 2.2)." if t
                 else ", so check the steps of section 2.2: the encoder (a Bidirectional LSTM on X), the attention at "
                      "each step, one step of the post-attention LSTM from the previous s and c, then output_layer "
                      "on s."))
    # The same model with weights under which the attention's query matters (every encoder step differs).
    got_out = _run_with(model, r, bi, query_weights(seed), inputs)
    expected = case["query_outputs"]
    if np.allclose(got_out, expected, rtol=_RTOL, atol=_ATOL):
        passed(name)
        return
    for cause, wrong in case["query_mistakes"].items():
        if np.allclose(got_out, wrong, rtol=_RTOL, atol=_ATOL):
            _fail(f"{label}: with weights under which the attention matters (every encoder step differs), wrong "
                  f"outputs, exactly those a known mistake gives \u2014 likely cause: {cause}")
    if _attention_is_wrong(one_step_attention, set_attention_weights):
        passed(f"{name} (the attention's query was not checked: your one_step_attention fails its own check; fix "
               "it, then run this check again)")
        return
    t = _first_wrong(got_out, expected)
    _fail(f"{label}: with weights under which the attention matters (every encoder step differs), expected output "
          f"{t} to be {np.round(expected[t][0], 4).tolist()} for the first example but got "
          f"{np.round(got_out[t][0], 4).tolist()} (with weights under which every encoder step is the same, the "
          "outputs are right) \u2014 likely cause: at each output step the attention must read the whole encoder "
          "output a and be queried with the post-attention LSTM's hidden state s from the step before (s0 at the "
          "first step), as in step 3 of section 2.2.")


def _first_wrong(got, expected) -> int:
    return int(np.flatnonzero(~np.isclose(got, expected, rtol=_RTOL, atol=_ATOL).any(axis=(1, 2)))[0])


def _run_with(model, r, bi, w, inputs) -> np.ndarray:
    """The model's outputs (Ty, m, n_machine) with the weights ``w`` (by role); the model's own weights are put back
    after (in the notebook these are the shared layers)."""
    saved = model.get_weights()
    try:
        bi.set_weights(w["encoder_forward"] + w["encoder_backward"])
        r["lstm"][0].set_weights(w["post_lstm"])
        r["dense"][10].set_weights(w["densor1"])
        r["dense"][1].set_weights(w["densor2"])
        r["dense"][N_MACHINE].set_weights(w["output"])
        out = predict(model, inputs)
    except Exception as exc:  # noqa: BLE001 - a model whose layers do not take the check's weights or inputs
        raise crash("the model built by modelf (run by the check with fixed weights)", exc, _ATTENTION_ERRORS,
                    "check that its layers have the sizes of section 2.2 (the encoder LSTM n_a units, the "
                    "post-attention LSTM n_s) and take the inputs [X, s0, c0]") from exc
    finally:
        model.set_weights(saved)
    return np.stack(out if isinstance(out, list) else [out])


def _attention_is_wrong(one_step_attention, set_attention_weights) -> bool:
    """Whether the notebook's one_step_attention (when given) fails on its own check's inputs: quietly, and without
    changing whether the check that asks is a hidden one."""
    from checks import assertions

    if one_step_attention is None or set_attention_weights is None:
        return False
    hidden = assertions._hidden_case
    try:
        inputs = attention_inputs(None)
        expected = FIXTURES.case("one_step_attention")["context"]
        old = set_attention_weights([inputs["densor1"], inputs["densor2"]])
        try:
            context = one_step_attention(inputs["a"].copy(), inputs["s_prev"].copy())
        finally:
            set_attention_weights(old)
        context = np.asarray(keras.ops.convert_to_numpy(context))
        return context.shape != expected.shape or not np.allclose(context, expected, rtol=_RTOL, atol=_ATOL)
    except Exception:  # noqa: BLE001 - a one_step_attention that crashes is wrong
        return True
    finally:
        assertions._hidden_case = hidden

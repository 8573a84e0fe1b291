"""Public checks of assignment w1a2 (Dinosaur Island), one per graded function.

``check_<function>(<function>, sizes..., seed=...)`` builds its own small seeded inputs (never square where a
transposed weight could hide), calls the function on private copies, and compares type -> shape -> values with
the private reference implementations below. When a wrong answer is exactly what a classic mistake produces,
the message names that mistake. The global numpy random state is restored after every check.

``optimize`` and ``model`` call functions written earlier in the notebook (``clip``; ``optimize`` and
``sample``). Their checks run them with the reference versions of those functions swapped in, so each
function is judged on its own and a mistake is reported once, by the check of the function that has it.
"""
from __future__ import annotations

import contextlib
import copy
import io
import numbers

import numpy as np

from autograder.checks import CheckFailed, call, check_close, check_keys, check_shape, check_tuple, check_type, passed
from week1.char_lm import (GRADIENT_NAMES, LETTERS, NEWLINE, PARAMETER_NAMES, build_vocabulary,
                           indices_to_name, initial_loss, initialize_parameters, parse_losses, rnn_backward,
                           rnn_forward, update_parameters)
from week1.rnn_utils import softmax

MAX_LENGTH = 50  # sample stops after this many characters
CLIP_VALUE = 5   # optimize clips the gradients to [-5, 5]
TRAIN_NAMES = ("aardonyx", "abelisaurus", "baryonyx", "camarasaurus", "deinonychus", "edmontosaurus",
               "gallimimus", "herrerasaurus", "iguanodon", "jobaria", "kentrosaurus", "lambeosaurus", "mei",
               "nigersaurus", "oviraptor", "pachycephalosaurus", "qantassaurus", "rugops", "stegosaurus",
               "triceratops", "utahraptor", "velociraptor", "wuerhosaurus", "xenoceratops", "yi", "zuniceratops")


# ------------------------------------------------------------------ context helpers

@contextlib.contextmanager
def _global_rng_kept():
    """Whatever the code inside does to np.random's global state is undone afterwards."""
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


@contextlib.contextmanager
def _reference_helpers(fn, **helpers):
    """While inside, the names in ``helpers`` that ``fn``'s module (the notebook) defines are the reference ones."""
    namespace = getattr(fn, "__globals__", {})
    saved = {name: namespace[name] for name in helpers if name in namespace}
    namespace.update({name: helpers[name] for name in saved})
    try:
        yield
    finally:
        namespace.update(saved)


def _differ(value, expected, rtol=1e-6, atol=1e-8) -> bool:
    value, expected = np.asarray(value), np.asarray(expected)
    return value.shape != expected.shape or not np.allclose(value, expected, rtol=rtol, atol=atol)


def _compare(name, value, expected, mistakes=lambda: {}, rtol=1e-6, atol=1e-8, hint=None):
    """check_close, computing the (possibly slow) mistake oracles only when the value is wrong."""
    if _differ(value, expected, rtol, atol):
        check_close(name, value, expected, rtol=rtol, atol=atol, mistakes=mistakes(), hint=hint)
    check_close(name, value, expected, rtol=rtol, atol=atol, hint=hint)  # type and shape, when the values agree


def _vocabulary(chars=NEWLINE + LETTERS, scrambled=True):
    """char_to_ix / ix_to_char with sorted indices, but (scrambled) inserted in another order, so code that
    rebuilds a mapping from the order of a dict's keys gets wrong characters."""
    char_to_ix, ix_to_char = build_vocabulary([chars])
    if scrambled:
        order = np.random.RandomState(len(chars)).permutation(len(chars))
        char_to_ix = {ix_to_char[int(i)]: int(i) for i in order}
        ix_to_char = {int(i): ix_to_char[int(i)] for i in order[::-1]}
    return char_to_ix, ix_to_char


# ------------------------------------------------------------------ reference implementations

def _ref_clip(gradients, maxValue, lower=True, upper=True):
    lo, hi = (-maxValue if lower else -np.inf), (maxValue if upper else np.inf)
    return {name: np.clip(gradients[name], lo, hi) for name in GRADIENT_NAMES}


def _ref_sample(parameters, char_to_ix, seed, *, stop_at_newline=True, limit=True, end_with_newline=True,
                seed_step=1, fresh_x=True, carry_a=True, max_steps=5000):
    """The reference sampler; the keyword flags switch on one classic mistake each (to recognise it)."""
    Wax, Waa, Wya, by, b = (parameters[k] for k in ("Wax", "Waa", "Wya", "by", "b"))
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    x, a_prev = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    newline = char_to_ix[NEWLINE]
    indices, idx, counter = [], -1, 0
    while (idx != newline or not stop_at_newline) and (counter != MAX_LENGTH or not limit) and counter < max_steps:
        a = np.tanh(Wax @ x + Waa @ a_prev + b)
        y = softmax(Wya @ a + by)
        np.random.seed(counter + seed)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        if fresh_x:
            x = np.zeros((vocab_size, 1))
        x[idx] = 1
        if carry_a:
            a_prev = a
        seed += seed_step
        counter += 1
    if end_with_newline and idx != newline:
        indices.append(newline)
    return indices


def _ref_optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    gradients, a = rnn_backward(X, Y, parameters, cache)
    gradients = _ref_clip(gradients, CLIP_VALUE)
    update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1]


def _ref_model(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27, *,
               shuffle=True, carry_state=False, first_loss=None, new_weight=0.001, decode=None):
    """The reference training loop. Returns (parameters, last name, the smoothed losses it prints).
    The keyword flags reproduce classic mistakes."""
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    loss = initial_loss(vocab_size, dino_names) if first_loss is None else first_loss
    examples = [name.strip() for name in data_x]
    with _global_rng_kept():
        if shuffle:
            np.random.seed(0)
            np.random.shuffle(examples)
        a_prev, last_dino_name, printed = np.zeros((n_a, 1)), "", []
        for j in range(num_iterations):
            X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
            Y = X[1:] + [char_to_ix[NEWLINE]]
            curr_loss, _, a_last = _ref_optimize(X, Y, a_prev if carry_state else np.zeros((n_a, 1)), parameters)
            a_prev = a_last
            loss = loss * (1 - new_weight) + curr_loss * new_weight
            if j % 2000 == 0:
                printed.append(loss)
                for seed in range(dino_names):
                    indices = _ref_sample(parameters, char_to_ix, seed)
                    last_dino_name = (decode or indices_to_name)(indices, ix_to_char)
    return parameters, last_dino_name, printed


# ------------------------------------------------------------------ clip

def check_clip(clip, maxValue=10, n_a=5, vocab_size=4, seed=1):
    """clip returns a new dict of the five gradients clipped to [-maxValue, maxValue], caller's arrays untouched."""
    rng = np.random.RandomState(seed)
    shapes = {"dWax": (n_a, vocab_size), "dWaa": (n_a, n_a), "dWya": (vocab_size, n_a), "db": (n_a, 1),
              "dby": (vocab_size, 1)}
    gradients = {name: rng.randn(*shape) * 2 * maxValue for name, shape in shapes.items()}  # many out of range
    given = dict(gradients)                      # the caller's arrays, to see whether they were changed
    before = copy.deepcopy(gradients)
    result = call(clip, gradients, maxValue)
    check_type("clip(...)", result, dict, hint="Return the dict of clipped gradients.")
    check_keys("clip(...)", result, GRADIENT_NAMES)
    expected = _ref_clip(before, maxValue)
    for name in GRADIENT_NAMES:
        def mistakes(name=name):
            found = {"the clipped values were thrown away: np.clip returns a new array unless you pass "
                     "out=..., so store its result (or clip with out=gradient).": before[name],
                     "only the upper bound was applied: clip to [-maxValue, maxValue].":
                         _ref_clip(before, maxValue, lower=False)[name],
                     "only the lower bound was applied: clip to [-maxValue, maxValue].":
                         _ref_clip(before, maxValue, upper=False)[name]}
            for bound in (1, 5, 10):
                if bound != maxValue:
                    found[f"the bound {bound} is hard-coded: use the argument maxValue."] = _ref_clip(before, bound)[name]
            return found
        _compare(f"clip(...)['{name}']", result[name], expected[name], mistakes)
    for name in GRADIENT_NAMES:
        if gradients.get(name) is not given[name] or not np.array_equal(given[name], before[name]):
            raise CheckFailed(
                f"clip(...): the caller's gradients['{name}'] was changed. clip must leave its argument untouched "
                "(optimize and your own experiments may still need the raw gradients): work on a copy, e.g. "
                "gradients = copy.deepcopy(gradients), then clip the copies with np.clip(..., out=...).")
        if np.shares_memory(result[name], given[name]):
            raise CheckFailed(f"clip(...)['{name}'] is the caller's own array: return new (copied) arrays.")
    passed(f"clip (maxValue={maxValue})")


# ------------------------------------------------------------------ sample

_CRASH_HINTS = {
    "1-dimensional": "np.random.choice needs a 1-D probability vector: y has shape (vocab_size, 1), so pass "
                     "p=y.ravel().",
    "mismatch in its core dimension": "Take vocab_size and n_a from the shapes of the parameters (by.shape[0], "
                                      "Waa.shape[1]) instead of fixing them, and check the shapes of x and a_prev.",
    "same size": "p needs one probability per character (vocab_size of them): pass p=y.ravel().",
    "sum to 1": "The probabilities must sum to 1 over the vocabulary: y = softmax(z) with z of shape "
                "(vocab_size, 1) (softmax normalises axis 0; a row vector would give all ones).",
}


def _sampling_parameters(n_a, vocab_size, newline, rng, newline_bias):
    parameters = {"Wax": rng.randn(n_a, vocab_size), "Waa": rng.randn(n_a, n_a) * 0.5,
                  "Wya": rng.randn(vocab_size, n_a) * 1.5, "b": rng.randn(n_a, 1) * 0.3,
                  "by": rng.randn(vocab_size, 1) * 0.5}
    parameters["by"][newline] += newline_bias  # > 0: short names; < 0: names that reach the 50-character limit
    return parameters


def _sample_cases(vocab, n_a, seed):
    """[(parameters, char_to_ix, seed)]: names that end at a newline, and names long enough to hit the limit."""
    char_to_ix, _ = _vocabulary(vocab)
    rng = np.random.RandomState(seed)
    cases = []
    for bias in (2.0, -3.0):
        parameters = _sampling_parameters(n_a, len(vocab), char_to_ix[NEWLINE], rng, bias)
        cases += [(parameters, char_to_ix, s) for s in (seed, seed + 1, seed + 5)]
    return cases


def _sample_mistakes(parameters, char_to_ix, s):
    def ref(**flag):
        with _global_rng_kept():
            return _ref_sample(parameters, char_to_ix, s, **flag)
    return {
        "the loop does not stop at the newline: stop as soon as you draw char_to_ix['\\n'].": ref(stop_at_newline=False),
        "the loop has no 50-character limit: stop after 50 characters (counter != 50).": ref(limit=False),
        "a name cut at 50 characters must still end with the newline: append char_to_ix['\\n'] after the loop.":
            ref(end_with_newline=False),
        "the seed must change as in the reference: np.random.seed(counter + seed) before each draw, then "
        "seed += 1 and counter += 1.": ref(seed_step=0),
        "x must become the one-hot vector of the drawn index: start again from zeros before setting x[idx] = 1.":
            ref(fresh_x=False),
        "the hidden state is not carried: after each step, a_prev = a.": ref(carry_a=False),
    }


def check_sample(sample, n_a=8, vocab=NEWLINE + LETTERS, seed=0):
    """sample returns the list of drawn indices, reproducibly: newline stop, 50-character limit, reseeding."""
    for parameters, char_to_ix, s in _sample_cases(vocab, n_a, seed):
        with _global_rng_kept():
            expected = _ref_sample(parameters, char_to_ix, s)
        with _global_rng_kept():
            try:
                got = call(sample, copy.deepcopy(parameters), dict(char_to_ix), s)
            except CheckFailed as failure:
                hint = next((h for key, h in _CRASH_HINTS.items() if key in str(failure)), None)
                if hint:
                    raise CheckFailed(f"{failure} {hint}") from failure
                raise
        where = f"sample(parameters, char_to_ix, seed={s})"
        check_type(where, got, list, hint="Return the Python list `indices`.")
        if not all(isinstance(i, numbers.Integral) for i in got):
            raise CheckFailed(f"{where}: expected a list of integer indices but got {got[:5]}...")
        got = [int(i) for i in got]
        if got != expected:
            for cause, wrong in _sample_mistakes(parameters, char_to_ix, s).items():
                if got == wrong:
                    raise CheckFailed(f"{where}: wrong indices, exactly those a known mistake gives. "
                                      f"Likely cause: {cause}")
            first = next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))
            raise CheckFailed(
                f"{where}: expected {len(expected)} indices {expected} but got {len(got)} indices {got}; they first "
                f"differ at position {first}. Check the forward step (tanh, then softmax of Wya a + by), the "
                "reseeding before each draw, and that the drawn character is the next input.")
    passed(f"sample (vocabulary of {len(vocab)}, n_a={n_a})")


# ------------------------------------------------------------------ optimize

def _optimize_case(n_a, vocab_size, length, seed):
    rng = np.random.RandomState(seed)
    parameters = {"Wax": rng.randn(n_a, vocab_size) * 0.8, "Waa": rng.randn(n_a, n_a) * 0.5,
                  "Wya": rng.randn(vocab_size, n_a), "b": rng.randn(n_a, 1) * 0.2, "by": rng.randn(vocab_size, 1) * 0.5}
    letters = rng.choice(np.arange(1, vocab_size), size=3, replace=False)  # few characters: big, clipped gradients
    X = [None] + [int(i) for i in rng.choice(letters, size=length - 1)]
    Y = X[1:] + [0]  # index 0 is the newline
    a_prev = rng.randn(n_a, 1) * 0.5
    return X, Y, a_prev, parameters


def check_optimize(optimize, n_a=6, vocab_size=27, length=12, learning_rate=None, seed=2):
    """optimize returns (loss, clipped gradients, last hidden state) and updates the caller's parameters."""
    X, Y, a_prev, parameters = _optimize_case(n_a, vocab_size, length, seed)
    lr = 0.01 if learning_rate is None else learning_rate
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    raw, a = rnn_backward(X, Y, parameters, cache)
    clipped = _ref_clip(raw, CLIP_VALUE)
    updated = {k: parameters[k] - lr * clipped["d" + k] for k in PARAMETER_NAMES}

    theirs = copy.deepcopy(parameters)
    kwargs = {} if learning_rate is None else {"learning_rate": learning_rate}
    with _reference_helpers(optimize, clip=_ref_clip):
        out = call(optimize, list(X), list(Y), a_prev.copy(), theirs, **kwargs)
    check_tuple("optimize(...)", out, 3, ["loss", "gradients", "a_last"])
    got_loss, gradients, a_last = out
    check_type("loss", got_loss, (float, np.floating, np.ndarray))
    _compare("loss", got_loss, loss, hint="The loss is the one rnn_forward returns.")
    check_type("gradients", gradients, dict)
    check_keys("gradients", gradients, GRADIENT_NAMES)
    for name in GRADIENT_NAMES:
        _compare(f"gradients['{name}']", gradients[name], clipped[name], lambda name=name: {
            "the gradients were not clipped: call clip(gradients, 5) after rnn_backward.": raw[name],
            "the gradients were clipped to [-1, 1]: optimize clips to [-5, 5].": _ref_clip(raw, 1)[name]})
    check_shape("a_last", a_last, (n_a, 1),
                hint="a_last is the hidden state of the last step, a[len(X) - 1], shape (n_a, 1).")
    _compare("a_last", a_last, a[len(X) - 1], lambda: {
        "this is the first hidden state: return a[len(X) - 1], the last one.": a[0],
        "this is the a_prev you were given: return the last hidden state of rnn_backward's a.": a_prev})
    for k in PARAMETER_NAMES:
        _compare(f"parameters['{k}'] after optimize", theirs[k], updated[k], lambda k=k: {
            "the caller's parameters were not updated: update them in place with update_parameters(parameters, "
            "gradients, learning_rate) (model relies on it).": parameters[k],
            "the update used the unclipped gradients: clip first, then update.": parameters[k] - lr * raw["d" + k],
            "the learning rate is ignored (0.01 is used): pass learning_rate to update_parameters.":
                parameters[k] - 0.01 * clipped["d" + k]})
    passed(f"optimize (n_a={n_a}, vocab_size={vocab_size}, {length} steps)")


# ------------------------------------------------------------------ model

def check_model(model, n_names=12, n_a=10, dino_names=3, num_iterations=2001, seed=0):
    """model trains on a small list of names and returns (parameters, last sampled name) like the reference."""
    rng = np.random.RandomState(seed)
    names = [TRAIN_NAMES[i] for i in rng.choice(len(TRAIN_NAMES), size=n_names, replace=False)]
    char_to_ix, ix_to_char = _vocabulary()
    data_x = list(names)
    printed = io.StringIO()
    with _global_rng_kept(), contextlib.redirect_stdout(printed):
        with _reference_helpers(model, optimize=_ref_optimize, sample=_ref_sample, clip=_ref_clip):
            out = call(model, data_x, dict(ix_to_char), dict(char_to_ix), num_iterations, n_a=n_a,
                       dino_names=dino_names)
    expected, expected_name, expected_losses = _ref_model(names, ix_to_char, char_to_ix, num_iterations, n_a,
                                                          dino_names)

    def variant(**flag):
        return _ref_model(names, ix_to_char, char_to_ix, num_iterations, n_a, dino_names, **flag)

    check_tuple("model(...)", out, 2, ["parameters", "last_dino_name"])
    parameters, last_dino_name = out
    check_type("parameters", parameters, dict)
    check_keys("parameters", parameters, PARAMETER_NAMES)
    if data_x != names:
        raise CheckFailed("model(...): the caller's list of names was reordered. Shuffle a copy: "
                          "examples = [name.strip() for name in data_x], then np.random.shuffle(examples).")
    for k in PARAMETER_NAMES:
        _compare(f"parameters['{k}'] after {num_iterations} iterations", parameters[k], expected[k], lambda k=k: {
            "the names were not shuffled: np.random.seed(0), then np.random.shuffle(examples), before the loop.":
                variant(shuffle=False)[0][k],
            "the hidden state was carried over from the previous name: start every name from a zero state "
            "(np.zeros((n_a, 1))), as sample does.": variant(carry_state=True)[0][k]}, rtol=1e-5)
    check_type("last_dino_name", last_dino_name, str)
    if last_dino_name != expected_name:
        keys_order = {i: ch for i, ch in enumerate(char_to_ix)}  # the classic mistake, to recognise it
        wrong = variant(decode=lambda ix, _: indices_to_name(ix, keys_order))[1]
        cause = ("Likely cause: the characters were looked up in the order of char_to_ix's keys (or of a set) "
                 "instead of with ix_to_char: use indices_to_name(sampled_indices, ix_to_char)."
                 if last_dino_name == wrong else
                 "It is the last of the dino_names names sampled (seeds 0, 1, ...) at the last report, turned "
                 "into text with indices_to_name(sampled_indices, ix_to_char).")
        raise CheckFailed(f"last_dino_name: expected {expected_name!r} but got {last_dino_name!r}. {cause}")
    losses = parse_losses(printed.getvalue())[1]
    if len(losses) != len(expected_losses) or _differ(losses, expected_losses, rtol=0, atol=2e-6):
        found = {"the smoothed loss must start at initial_loss(vocab_size, dino_names).":
                     variant(first_loss=0.0)[2],
                 "the smoothing weights are swapped: loss = smooth_loss(loss, curr_loss) keeps 0.999 of the old "
                 "value.": variant(new_weight=0.999)[2]}
        cause = next((c for c, wrong in found.items() if not _differ(losses, wrong, rtol=0, atol=2e-6)),
                     "Smooth the loss with loss = smooth_loss(loss, curr_loss) every iteration.")
        raise CheckFailed(f"model printed the smoothed losses {losses} but expected {[round(float(x), 6) for x in expected_losses]}."
                          f" Likely cause: {cause}")
    passed(f"model ({n_names} names, {num_iterations} iterations, n_a={n_a})")

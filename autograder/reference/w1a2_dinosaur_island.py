"""Reference for w1a2 (Dinosaur Island): the graded functions, and the cases behind the checks in
:mod:`week1.char_lm_checks` (expected values, and the values or errors that classic mistakes produce)."""
from __future__ import annotations

import copy

import numpy as np

from week1 import char_lm_checks as checks
from week1.char_lm import (GRADIENT_NAMES, NEWLINE, PARAMETER_NAMES, characters_per_name, indices_to_name,
                           initial_loss, initialize_parameters, rnn_backward, rnn_forward, smooth_loss,
                           update_parameters)
from week1.rnn_utils import softmax

CHECKS = "week1.char_lm_checks"
MAX_LENGTH, CLIP_VALUE = checks.MAX_LENGTH, checks.CLIP_VALUE
REPORT_EVERY = 2000  # model prints the smoothed loss and samples names every 2,000 iterations
NO_LIMIT_STEPS = 1000  # how far the sampler without a length limit goes (a name that long is not stored)


# ------------------------------------------------------------------ the graded functions

def _clip(gradients, lo, hi):
    return {name: np.clip(gradients[name], lo, hi) for name in GRADIENT_NAMES}  # np.clip returns new arrays


def clip(gradients, maxValue):
    return _clip(gradients, -maxValue, maxValue)


def _sample(parameters, char_to_ix, seed, *, stop_at_newline=True, limit=True, append="if_missing", seeding="once",
            fresh_x=True, carry_a=True, max_steps=NO_LIMIT_STEPS):
    """The reference sampler; each keyword switches on one classic mistake (to recognise it):

    append -- when the newline is appended after the loop: "if_missing" (the last index drawn is not the newline:
              right), "at_limit" (whenever 50 characters were drawn), "always", "never";
    seeding -- "once" (np.random.seed(seed) before the loop: right), "per_draw" (np.random.seed(counter + seed)
               before every draw and seed += 1 after it: an older version of this exercise, whose consecutive seeds
               give shifted copies of one stream), "same" (np.random.seed(seed) before every draw).
    """
    Wax, Waa, Wya, by, b = (parameters[k] for k in ("Wax", "Waa", "Wya", "by", "b"))
    vocab_size, n_a = by.shape[0], Waa.shape[1]
    x, a_prev = np.zeros((vocab_size, 1)), np.zeros((n_a, 1))
    newline = char_to_ix[NEWLINE]
    indices, idx, counter = [], -1, 0
    if seeding == "once":
        np.random.seed(seed)
    while (idx != newline or not stop_at_newline) and (counter != MAX_LENGTH or not limit) and counter < max_steps:
        a = np.tanh(Wax @ x + Waa @ a_prev + b)
        y = softmax(Wya @ a + by)
        if seeding != "once":
            np.random.seed(counter + seed if seeding == "per_draw" else seed)
        idx = int(np.random.choice(range(vocab_size), p=y.ravel()))
        indices.append(idx)
        if fresh_x:
            x = np.zeros((vocab_size, 1))
        x[idx] = 1
        if carry_a:
            a_prev = a
        if seeding == "per_draw":
            seed += 1
        counter += 1
    if {"if_missing": idx != newline, "at_limit": counter == MAX_LENGTH, "always": True, "never": False}[append]:
        indices.append(newline)
    return indices


def sample(parameters, char_to_ix, seed):
    return _sample(parameters, char_to_ix, seed)


def _optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    """optimize, also returning the unclipped gradients and all the hidden states (for the cases)."""
    loss, cache = rnn_forward(X, Y, a_prev, parameters)
    raw, a = rnn_backward(X, Y, parameters, cache)
    gradients = clip(raw, CLIP_VALUE)
    update_parameters(parameters, gradients, learning_rate)
    return loss, gradients, a[len(X) - 1], raw, a


def optimize(X, Y, a_prev, parameters, learning_rate=0.01):
    return _optimize(X, Y, a_prev, parameters, learning_rate)[:3]


def _train(data_x, char_to_ix, num_iterations, n_a, dino_names, vocab_size, *, shuffle=True, carry_state=False,
           verbose=False, report=None):
    """The training loop of model. Returns (parameters, the loss of every iteration, the names sampled at each
    report as lists of indices); ``report(j, losses so far, sampled)`` is called at each report. The keywords
    reproduce classic mistakes: names not shuffled, the hidden state carried from one name to the next."""
    parameters = initialize_parameters(n_a, vocab_size, vocab_size)
    examples = [name.strip() for name in data_x]
    if shuffle:
        np.random.seed(0)
        np.random.shuffle(examples)
    a_prev, losses, reports = np.zeros((n_a, 1)), [], []
    for j in range(num_iterations):
        X = [None] + [char_to_ix[ch] for ch in examples[j % len(examples)]]
        Y = X[1:] + [char_to_ix[NEWLINE]]
        curr_loss, _, a_last = optimize(X, Y, a_prev if carry_state else np.zeros((n_a, 1)), parameters)
        a_prev = a_last
        losses.append(curr_loss)
        if verbose and j in (0, len(examples) - 1, len(examples)):
            print(f"j = {j}, name number {j % len(examples)}: X = {X}, Y = {Y}")
        if j % REPORT_EVERY == 0:
            reports.append([sample(parameters, char_to_ix, seed) for seed in range(dino_names)])
            if report:
                report(j, losses, reports[-1])
    return parameters, losses, reports


def _smoothed(losses, start, smooth=smooth_loss) -> list[float]:
    """The smoothed loss that model prints at each report, starting from ``start``."""
    printed, loss = [], start
    for j, curr_loss in enumerate(losses):
        loss = smooth(loss, curr_loss)
        if j % REPORT_EVERY == 0:
            printed.append(loss)
    return printed


def model(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    def report(j, losses, sampled):
        print(f"Iteration: {j}, Loss: {_smoothed(losses, start)[-1]:f}")
        for indices in sampled:
            print(indices_to_name(indices, ix_to_char))
        print()

    start = initial_loss(vocab_size, characters_per_name(data_x))
    parameters, _, reports = _train(data_x, char_to_ix, num_iterations, n_a, dino_names, vocab_size,
                                    verbose=verbose, report=report)
    sampled = [indices for names in reports for indices in names]
    return parameters, (indices_to_name(sampled[-1], ix_to_char) if sampled else "")


GRADED = {f.__name__: f for f in (clip, sample, optimize, model)}


# The stand-ins each graded function may call while it is tested, and how often in one call (a number, or a function
# of its arguments, with the notebook's signature): optimize clips once; model takes one optimize step per
# iteration (or clips once per iteration, doing optimize's work itself) and samples dino_names names per report.
# Every other graded function it calls is the notebook's own (see autograder.remote).

def _iterations(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    return num_iterations


def _reported_names(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27,
                    verbose=False):
    return dino_names * len(range(0, num_iterations, REPORT_EVERY))


STAND_INS = {"clip": {}, "sample": {}, "optimize": {"clip": 1},
             "model": {"optimize": _iterations, "clip": _iterations, "sample": _reported_names}}


# ------------------------------------------------------------------ cases

def _distinct(expected, mistakes: dict, same) -> dict:
    """The mistakes whose value differs from the expected one and from every other mistake's: a value that two
    mistakes share could be either, so it names neither."""
    return {cause: wrong for cause, wrong in mistakes.items()
            if not same(wrong, expected) and not any(same(wrong, other) for c, other in mistakes.items() if c != cause)}


def _same_array(a, b) -> bool:
    return not checks._differ(a, b)


def clip_case(maxValue, n_a, vocab_size, seed):
    gradients = checks.clip_inputs(maxValue, n_a, vocab_size, seed)
    expected = clip(gradients, maxValue)
    mistakes = {"the values were not clipped at all: clip each of the five gradients, and keep np.clip's result "
                "(it returns a new array unless you pass out=gradient).": _clip(gradients, -np.inf, np.inf),
                "only the upper bound was applied (entries below -maxValue were kept): clip to "
                "[-maxValue, maxValue].": _clip(gradients, -np.inf, maxValue),
                "only the lower bound was applied (entries above maxValue were kept): clip to "
                "[-maxValue, maxValue].": _clip(gradients, -maxValue, np.inf)}
    for bound in checks.HARD_CODED_BOUNDS:
        mistakes[f"the bound {bound} is hard-coded: use the argument maxValue."] = clip(gradients, bound)
    return {"expected": expected,
            "mistakes": {name: _distinct(expected[name], {c: m[name] for c, m in mistakes.items()}, _same_array)
                         for name in GRADIENT_NAMES}}


_SAMPLE_MISTAKES = {
    "the loop does not stop at the newline: stop as soon as you draw char_to_ix['\\n'].": {"stop_at_newline": False},
    "the loop has no 50-character limit: stop after 50 characters (counter != 50).": {"limit": False},
    "a name cut at 50 characters must still end with the newline: after the loop, append char_to_ix['\\n'] when "
    "the last index drawn is not the newline.": {"append": "never"},
    "the newline was appended although the 50th character drawn already is the newline: append it only when the "
    "last index drawn is not the newline.": {"append": "at_limit"},
    "the newline was appended after a name that already ends with it: append it only when the last index drawn is "
    "not the newline.": {"append": "always"},
    "the generator is reseeded before every draw (np.random.seed(counter + seed), then seed += 1, as in an older "
    "version of this exercise): seed it once, np.random.seed(seed), before the loop.": {"seeding": "per_draw"},
    "np.random.seed(seed) is called before every draw, so every draw uses the same random number: call it once, "
    "before the loop.": {"seeding": "same"},
    "x must become the one-hot vector of the drawn index: start again from zeros before setting the drawn "
    "index to 1 (step 4 of section 2.2).": {"fresh_x": False},
    "the hidden state is not carried: the state a of one step is the a_prev of the next.": {"carry_a": False},
}


def _edge_seed(parameters, char_to_ix, start, tries=20000, batch=2000):
    """A seed from ``start`` on whose 50th draw is the newline (the name ends exactly at the limit), or None.

    Runs a batch of seeds at once: np.random.choice(range(n), p=p) draws cdf.searchsorted(random_sample(),
    side="right") with one random number per draw, so seed s draws with the first numbers of RandomState(s).
    A candidate is confirmed with the sampler itself."""
    Wax, Waa, Wya, by, b = (parameters[k] for k in ("Wax", "Waa", "Wya", "by", "b"))
    newline = char_to_ix[NEWLINE]
    for first in range(start, start + tries, batch):
        seeds = np.arange(first, first + batch)
        uniforms = np.array([np.random.RandomState(s).random_sample(MAX_LENGTH) for s in seeds])  # (batch, 50)
        a, x = np.zeros((Waa.shape[0], batch)), np.zeros((by.shape[0], batch))
        first_newline = np.full(batch, MAX_LENGTH)
        for t in range(MAX_LENGTH):
            a = np.tanh(Wax @ x + Waa @ a + b)
            cdf = np.cumsum(softmax(Wya @ a + by), axis=0)
            idx = np.minimum((cdf / cdf[-1] <= uniforms[:, t]).sum(axis=0), by.shape[0] - 1)
            first_newline[(idx == newline) & (first_newline == MAX_LENGTH)] = t
            x = np.zeros_like(x)
            x[idx, np.arange(batch)] = 1
        for s in seeds[first_newline == MAX_LENGTH - 1]:
            drawn = _sample(parameters, char_to_ix, int(s), append="never")
            if len(drawn) == MAX_LENGTH and drawn[-1] == newline:
                return int(s)
    return None


def sample_case(n_a, vocab, seed):
    sets, char_to_ix = checks.sample_inputs(vocab, n_a, seed)
    runs = [(i, s) for i in range(len(sets)) for s in checks.sample_seeds(seed)]
    with checks._global_rng_kept():
        edge = _edge_seed(sets[1], char_to_ix, seed + 100)
        if edge is not None:
            runs.append((1, edge))  # a name whose 50th character is the newline: nothing is appended
        cases, named = [], set()
        for i, s in runs:
            expected = _sample(sets[i], char_to_ix, s)
            # a mistake already named by an earlier name never gets here: it cannot be confused with another
            mistakes = {cause: _sample(sets[i], char_to_ix, s, **flags) for cause, flags in _SAMPLE_MISTAKES.items()
                        if cause not in named}
            mistakes = {cause: wrong for cause, wrong in mistakes.items() if len(wrong) < NO_LIMIT_STEPS}  # whole
            cases.append({"set": i, "seed": s, "expected": expected,
                          "mistakes": _distinct(expected, mistakes, lambda a, b: a == b)})
            named |= set(cases[-1]["mistakes"])
    return {"runs": cases}


def _per_key(expected: dict, mistakes: dict) -> dict:
    """{key: {cause: that mistake's value of key}}, keeping for each key only the mistakes it can tell apart."""
    return {key: _distinct(want, {cause: wrong[key] for cause, wrong in mistakes.items()}, _same_array)
            for key, want in expected.items()}


def optimize_case(n_a, vocab_size, length, learning_rate, seed):
    X, Y, a_prev, parameters = checks.optimize_inputs(n_a, vocab_size, length, seed)
    lr = 0.01 if learning_rate is None else learning_rate
    updated = copy.deepcopy(parameters)
    loss, clipped, a_last, raw, a = _optimize(X, Y, a_prev, updated, lr)
    gradient_mistakes = {checks.NOT_CLIPPED: raw,
                         "the gradients were clipped to [-1, 1]: optimize clips to [-5, 5].": clip(raw, 1)}
    parameter_mistakes = {
        "the caller's parameters were not updated: update_parameters changes them in place, and model relies on "
        "it (section 3.1).": parameters,
        "the update used the unclipped gradients: clip first, then update.":
            {k: parameters[k] - lr * raw["d" + k] for k in PARAMETER_NAMES},
        "the learning rate is ignored (0.01 is used): pass learning_rate to update_parameters.":
            {k: parameters[k] - 0.01 * clipped["d" + k] for k in PARAMETER_NAMES}}
    a_last_mistakes = {"this is the first hidden state: return the last one, the state after the last character "
                       "(section 3.1).": a[0],
                       "this is the a_prev you were given: return the last hidden state of rnn_backward's a.": a_prev}
    try:  # the classic off-by-one, a[len(X)]: the error it raises names it
        a[len(X)]
        crashes = {}
    except IndexError as exc:
        crashes = {f"{type(exc).__name__}: {exc}": (
            f"a[len(X)] is past the end: rnn_backward's a holds one hidden state per time step, {len(X)} here "
            f"(a[t] is the state after reading X[t]; the initial state a_prev is not in it); section 3.1 says which "
            f"one is the state after the last character.")}
    return {"loss": loss, "gradients": clipped, "a_last": a_last, "parameters": updated,
            "mistakes": {"gradients": _per_key(clipped, gradient_mistakes),
                         "a_last": _distinct(a_last, a_last_mistakes, _same_array),
                         "parameters": _per_key(updated, parameter_mistakes)},
            "crashes": crashes}


def model_case(n_names, n_a, dino_names, num_iterations, verbose, seed):
    """verbose only makes model print more: the expected values are the same either way."""
    names, char_to_ix, ix_to_char = checks.model_inputs(n_names, seed)
    vocab_size = len(char_to_ix)

    def run(**flags):
        with checks._global_rng_kept():
            return _train(names, char_to_ix, num_iterations, n_a, dino_names, vocab_size, **flags)

    parameters, losses, reports = run()
    last = reports[-1][-1]
    start = initial_loss(vocab_size, characters_per_name(names))
    parameter_mistakes = {
        "the names were not shuffled: shuffle the copy with the fixed seed of step 2 of section 3.2, before the "
        "loop.": run(shuffle=False)[0],
        "the hidden state was carried over from the previous name: start every name from a zero state "
        "(np.zeros((n_a, 1))), as sample does.": run(carry_state=True)[0]}
    keys_order = {i: ch for i, ch in enumerate(char_to_ix)}  # char_to_ix's keys in their (scrambled) dict order
    name_mistakes = {"the characters were looked up in the order of char_to_ix's keys (or of a set) instead of "
                     "with ix_to_char: indices_to_name turns indices into text with ix_to_char (step 6 of section "
                     "3.2).":
                         indices_to_name(last, keys_order)}
    loss_mistakes = {
        "the smoothed loss starts at initial_loss(vocab_size, dino_names), but dino_names is the number of names "
        "printed, not a length: start at the loss of guessing uniformly over the characters of an average name "
        "of data_x (step 1 of section 3.2).":
            _smoothed(losses, initial_loss(vocab_size, dino_names)),
        "the smoothed loss must start at the loss of guessing uniformly over the characters of an average name "
        "(step 1 of section 3.2), not at 0.":
            _smoothed(losses, 0.0),
        "the smoothing weights are swapped: smooth_loss takes the old smoothed loss first and keeps 0.999 of it "
        "(step 5 of section 3.2).":
            _smoothed(losses, start, lambda loss, curr: smooth_loss(curr, loss))}
    expected_losses = _smoothed(losses, start)
    expected_name = indices_to_name(last, ix_to_char)
    return {"parameters": parameters, "last_dino_name": expected_name, "losses": expected_losses,
            "mistakes": {"parameters": _per_key(parameters, parameter_mistakes),
                         "last_dino_name": _distinct(expected_name, name_mistakes, lambda a, b: a == b),
                         "losses": _distinct(expected_losses, loss_mistakes, _same_losses)}}


def _same_losses(a, b) -> bool:
    return len(a) == len(b) and not checks._differ(a, b, rtol=0, atol=2e-6)


CASES = {"clip": clip_case, "sample": sample_case, "optimize": optimize_case, "model": model_case}


# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "clip": [
        ("the caller's dict copied shallowly (its arrays clipped in place)", "gradients = copy.deepcopy(gradients)",
         "gradients = dict(gradients)", "was changed"),
        ("np.clip's result thrown away",
         "np.clip(gradient, -maxValue, maxValue, out=gradient)",
         "np.clip(gradient, -maxValue, maxValue)", "not clipped at all"),
        ("only the upper bound",
         "np.clip(gradient, -maxValue, maxValue, out=gradient)",
         "np.clip(gradient, None, maxValue, out=gradient)", "only the upper bound"),
        ("only the lower bound",
         "np.clip(gradient, -maxValue, maxValue, out=gradient)",
         "np.clip(gradient, -maxValue, None, out=gradient)", "only the lower bound"),
        ("the bound hard-coded",
         "np.clip(gradient, -maxValue, maxValue, out=gradient)",
         "np.clip(gradient, -10, 10, out=gradient)", "the bound 10 is hard-coded"),
        ("one gradient left out", "for gradient in (dWax, dWaa, dWya, db, dby):",
         "for gradient in (dWax, dWaa, dWya, db):", "not clipped at all"),
    ],
    "sample": [
        ("no stop at the newline",
         "idx != newline_character and counter != 50", "counter != 50", "does not stop at the newline"),
        ("no 50-character limit",
         "idx != newline_character and counter != 50", "idx != newline_character", "has no 50-character limit"),
        ("the newline never appended",
         "    if idx != newline_character:\n        indices.append(newline_character)\n", "",
         "must still end with the newline"),
        ("the newline always appended", "    if idx != newline_character:\n", "    if True:\n",
         "appended after a name that already ends with it"),
        ("reseeded before every draw", "        idx = int(np.random.choice(",
         "        np.random.seed(seed)\n        idx = int(np.random.choice(", "is called before every draw"),
        ("x not reset to zeros", "        x = np.zeros((vocab_size, 1))\n        x[idx] = 1", "        x[idx] = 1",
         "x must become the one-hot vector"),
        ("hidden state not carried", "        a_prev = a\n", "", "the hidden state is not carried"),
        ("y not flattened for p", "p=y.ravel()", "p=y", "needs a 1-D probability vector"),
    ],
    "optimize": [
        ("gradients not clipped", "    gradients = clip(gradients, 5)\n", "", "the gradients were not clipped"),
        ("clipped to [-1, 1]", "clip(gradients, 5)", "clip(gradients, 1)", "clipped to [-1, 1]"),
        ("learning rate hard-coded", "update_parameters(parameters, gradients, learning_rate)",
         "update_parameters(parameters, gradients, 0.01)", "the learning rate is ignored"),
        ("the first hidden state returned", "a_last = a[len(X) - 1]", "a_last = a[0]",
         "this is the first hidden state"),
        ("off by one past the end", "a_last = a[len(X) - 1]", "a_last = a[len(X)]", "a[len(X)] is past the end"),
        ("the given a_prev returned", "a_last = a[len(X) - 1]", "a_last = a_prev", "this is the a_prev you were given"),
    ],
    "model": [
        ("names not shuffled", "    np.random.shuffle(examples)\n", "", "the names were not shuffled"),
        ("hidden state carried between names", "a_prev = np.zeros((n_a, 1))",
         "a_prev = np.zeros((n_a, 1)) if j == 0 else a_last", "carried over from the previous name"),
        ("the caller's list shuffled", "examples = [name.strip() for name in data_x]", "examples = data_x",
         "the caller's list of names was reordered"),
        ("smoothed loss started from dino_names", "initial_loss(vocab_size, characters_per_name(data_x))",
         "initial_loss(vocab_size, dino_names)", "dino_names is the number of names printed"),
        ("smoothing weights swapped", "smooth_loss(loss, curr_loss)", "smooth_loss(curr_loss, loss)",
         "the smoothing weights are swapped"),
        ("characters looked up by key order", "indices_to_name(sampled_indices, ix_to_char)",
         "indices_to_name(sampled_indices, dict(enumerate(char_to_ix)))", "in the order of char_to_ix's keys"),
    ],
}


def _probe_clip(rng):
    """Gradients of several shapes (n_a, vocab_size from 1), entries inside, outside and exactly at the bounds;
    maxValue 0 (everything becomes 0), fractional, integer and larger than every entry."""
    calls = []
    for i, maxValue in enumerate((10, 5, 1, 0.5, 0, 3, 2.5, 100, 7, 0.01, 1, 4, 6, 0.2, 15, 5, 8, 2, 1e-3, 50, 9, 3)):
        n_a, vocab_size = int(rng.integers(1, 8)), int(rng.integers(1, 30))
        shapes = {"dWax": (n_a, vocab_size), "dWaa": (n_a, n_a), "dWya": (vocab_size, n_a), "db": (n_a, 1),
                  "dby": (vocab_size, 1)}
        gradients = {name: rng.normal(0.0, 2.0 * (maxValue or 1), shape) for name, shape in shapes.items()}
        for gradient in gradients.values():
            gradient.reshape(-1)[: i % 3] = maxValue * (1 - 2 * (i % 2))  # exactly at a bound
        calls.append((gradients, maxValue))
    return calls


def _probe_sample(rng):
    """Parameter sets over vocabularies of 2 to 27 characters whose names end early (the newline first, even),
    often reach the 50-character limit, or end exactly at it (the 50th character is the newline); several seeds."""
    calls = []
    for vocab in ("\n" + "abcdefghijklmnopqrstuvwxyz", "\nab", "\nabcdefgh", "\nz", "\naeiou"):
        char_to_ix = {ch: i for i, ch in enumerate(sorted(vocab))}
        for bias in (8.0, 2.0, -3.0, -8.0):
            n_a = int(rng.integers(1, 9))
            parameters = checks._sampling_parameters(n_a, len(vocab), char_to_ix[NEWLINE],
                                                     np.random.RandomState(int(rng.integers(2 ** 31))), bias)
            calls += [(parameters, char_to_ix, int(seed)) for seed in rng.integers(0, 1000, size=1)]
    sets, char_to_ix = checks.sample_inputs(NEWLINE + "abcdefghijklmnopqrstuvwxyz", 8, 0)
    with checks._global_rng_kept():
        edge = _edge_seed(sets[1], char_to_ix, 100)
    calls += [(sets[1], char_to_ix, edge), (sets[0], char_to_ix, 0), (sets[1], char_to_ix, 1)]
    return calls


def _probe_optimize(rng):
    """Names of 1 (no letter: X = [None]) to 30 steps, several sizes and learning rates (the default too); gradients
    big enough to be clipped, and small ones."""
    calls = []
    for i, length in enumerate((1, 2, 12, 30, 5, 1, 8, 15, 3, 20, 2, 9, 25, 4, 6, 11, 7, 13, 1, 10)):
        n_a, vocab_size = int(rng.integers(1, 8)), int(rng.integers(2, 28))
        scale = 1.0 if i % 2 else 0.01
        parameters = {"Wax": rng.normal(0, scale, (n_a, vocab_size)), "Waa": rng.normal(0, scale, (n_a, n_a)),
                      "Wya": rng.normal(0, scale, (vocab_size, n_a)), "b": rng.normal(0, scale, (n_a, 1)),
                      "by": rng.normal(0, scale, (vocab_size, 1))}
        X = [None] + [int(ix) for ix in rng.integers(1, vocab_size, size=length - 1)]
        Y = X[1:] + [0]
        a_prev = rng.normal(0, 0.5, (n_a, 1))
        calls.append((X, Y, a_prev, parameters) + ((float(rng.choice([0.01, 0.05, 0.3])),) if i % 3 else ()))
    return calls


def _probe_model(rng):
    """Training on a few names: no iteration at all, one, a pass that wraps around the names, two reports
    (2,001 iterations); verbose on and off; vocabularies of all letters and of the names' letters only (vocab_size
    is always the size of the vocabulary given)."""
    calls = []
    for i, num_iterations in enumerate((0, 1, 2, 7, 13, 30, 1, 5, 40, 3, 25, 2001, 9, 4, 17, 11, 2, 60, 8, 21)):
        names = [checks.TRAIN_NAMES[int(k)] for k in rng.choice(len(checks.TRAIN_NAMES), size=int(rng.integers(1, 8)),
                                                                replace=False)]
        if i % 2:
            char_to_ix, ix_to_char = checks._vocabulary()
        else:
            char_to_ix, ix_to_char = checks._vocabulary("".join(sorted(set("".join(names)) | {NEWLINE})))
        calls.append((names, ix_to_char, char_to_ix, num_iterations, int(rng.integers(1, 12)),
                      int(rng.integers(1, 5)), len(char_to_ix), bool(i % 3 == 1)))
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"clip": _probe_clip, "sample": _probe_sample, "optimize": _probe_optimize, "model": _probe_model}

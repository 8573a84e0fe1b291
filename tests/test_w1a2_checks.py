"""w1a2 (Dinosaur Island): the dataset and its loader, the helpers against their one-step oracles and numerical
gradients, and the public checks: they pass on the solution and reject each classic mistake with a message that
names it."""
from __future__ import annotations

import copy
import importlib.util
import re
import string

import numpy as np
import pytest

from autograder.checks import CheckFailed, numerical_gradient, relative_error
from autograder.paths import ENV_VAR
from notebook_code import notebook_fixtures, run_test_cell
from week1 import char_lm
from week1 import char_lm_checks as checks

ID = "w1a2_dinosaur_island"
GRADED = ["clip", "sample", "optimize", "model"]
VOCABULARY = "\n" + string.ascii_lowercase


ns, nb = notebook_fixtures(ID)


def _cell(nb, grade_id):
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return cell


def _mutant(nb, ns, name, *edits):
    """``name`` as the solution cell defines it, with each (old, new) edit applied: a small wrong solution,
    defined in a copy of the notebook namespace (so it calls the notebook's other functions, as a student's does)."""
    source = _cell(nb, name).source
    for old, new in edits:
        assert old in source, f"{name}: {old!r} is not in the solution any more; update this test"
        source = source.replace(old, new)
    namespace = dict(ns)
    exec(compile(source, f"<mutant {name}>", "exec"), namespace)
    return namespace[name]


# ------------------------------------------------------------------ the dataset and its loader

def test_dataset_has_enough_unique_names_of_letters_only():
    lines = char_lm.data_path(*char_lm.NAMES_FILE).read_text().splitlines()
    assert len(lines) >= 1200
    assert all(re.fullmatch(r"[A-Za-z]+", line) for line in lines), "letters only, nothing around them"
    assert len({line.lower() for line in lines}) == len(lines), "no duplicates (ignoring case)"
    names = char_lm.load_names()
    assert names == [line.lower() for line in lines]
    char_to_ix, ix_to_char = char_lm.build_vocabulary(names)
    assert "".join(ix_to_char[i] for i in range(len(ix_to_char))) == VOCABULARY  # newline + a-z, sorted
    assert all(char_to_ix[ch] == i for i, ch in ix_to_char.items())


def _prepare_script():
    """data/dinosaurs/prepare.py, imported as a module."""
    spec = importlib.util.spec_from_file_location("dinosaurs_prepare", char_lm.data_path("dinosaurs", "prepare.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_dataset_readme_states_the_real_counts_and_prepare_accepts_the_list():
    readme = (char_lm.data_path("dinosaurs") / "README.md").read_text()
    names = char_lm.load_names()
    n_chars = sum(len(name) + 1 for name in names)
    assert f"{len(names):,}" in readme, "the README states the number of names"
    assert f"{n_chars:,}" in readme, "the README states the number of characters"
    assert _prepare_script().main([]) == 0, "prepare.py finds the shipped list valid and normalised"


def test_vocabulary_is_sorted_whatever_the_order_of_the_names():
    names = ["zuul", "mei", "yi", "baryonyx"]
    for order in (names, names[::-1]):
        char_to_ix, ix_to_char = char_lm.build_vocabulary(order)
        chars = "".join(ix_to_char[i] for i in range(len(ix_to_char)))
        assert chars == "".join(sorted(set("".join(names)) | {"\n"}))
        assert list(char_to_ix) == list(chars)


def test_loader_explains_a_missing_file(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path))  # a data folder without dinosaurs/
    with pytest.raises(FileNotFoundError, match=rf"Course data not found: .*dinos\.txt.*{ENV_VAR}"):
        char_lm.load_names()
    with pytest.raises(FileNotFoundError, match=r"Names file not found: .*places\.txt"):
        char_lm.load_names(tmp_path / "places.txt")


def test_loader_names_the_line_and_the_character_outside_the_vocabulary(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("Aardonyx\n  Mei \n\nTyranno-saurus\n")
    with pytest.raises(ValueError, match=r"names\.txt, line 4: 'Tyranno-saurus' contains the character '-'"):
        char_lm.load_names(path)
    path.write_text("Paris\nSão Paulo\n")
    with pytest.raises(ValueError, match=r"line 2: .* contains the character 'ã'.*a-z"):
        char_lm.load_names(path)
    path.write_text("\n\n")
    with pytest.raises(ValueError, match="holds no names"):
        char_lm.load_names(path)


def test_a_teacher_can_swap_in_another_list(tmp_path, monkeypatch):
    (tmp_path / "dinosaurs").mkdir()
    (tmp_path / "dinosaurs" / "dinos.txt").write_text("Paris\n  Lyon\n\nMarseille\n")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    assert char_lm.load_names() == ["paris", "lyon", "marseille"]  # trimmed, lower-cased, blank lines skipped
    char_to_ix, _ = char_lm.build_vocabulary(char_lm.load_names())
    assert list(char_to_ix) == sorted(set("parislyonmarseille\n"))


# ------------------------------------------------------------------ the helpers

def _name_case(seed=0, n_a=5, vocab_size=27, name="tyrannosaurus", scale=0.5):
    rng = np.random.RandomState(seed)
    parameters = {"Wax": rng.randn(n_a, vocab_size) * scale, "Waa": rng.randn(n_a, n_a) * scale,
                  "Wya": rng.randn(vocab_size, n_a) * scale, "b": rng.randn(n_a, 1) * scale,
                  "by": rng.randn(vocab_size, 1) * scale}
    char_to_ix, _ = char_lm.build_vocabulary([VOCABULARY])
    X = [None] + [char_to_ix[ch] for ch in name]
    return X, X[1:] + [0], rng.randn(n_a, 1) * 0.3, parameters


def test_sequence_passes_equal_the_one_step_functions():
    X, Y, a0, p = _name_case()
    loss, cache = char_lm.rnn_forward(X, Y, a0, p)
    gradients, a = char_lm.rnn_backward(X, Y, p, cache)
    a_prev, total, steps = a0, 0.0, []
    for t, ix in enumerate(X):
        x = np.zeros((27, 1))
        if ix is not None:
            x[ix] = 1
        a_next, y_hat = char_lm.rnn_step_forward(p, a_prev, x)
        total -= np.log(y_hat[Y[t], 0])
        steps.append((x, a_next, a_prev, y_hat))
        np.testing.assert_allclose(a[t], a_next, atol=1e-12)
        a_prev = a_next
    assert loss == pytest.approx(total, rel=1e-12)
    sums, da_next = {k: 0 for k in char_lm.GRADIENT_NAMES}, np.zeros((5, 1))
    for t in reversed(range(len(X))):
        x, a_next, a_prev, y_hat = steps[t]
        dy = y_hat.copy()
        dy[Y[t]] -= 1
        step, da_next = char_lm.rnn_step_backward(dy, da_next, p, x, a_next, a_prev)
        sums = {k: sums[k] + step[k] for k in sums}
    for k in char_lm.GRADIENT_NAMES:
        np.testing.assert_allclose(gradients[k], sums[k], atol=1e-12)


def test_rnn_forward_explains_mismatched_training_pairs():
    X, Y, a0, p = _name_case()
    with pytest.raises(ValueError, match="same length.*newline"):
        char_lm.rnn_forward(X, Y[:-1], a0, p)


def test_optimize_gradients_match_numerical_gradients_of_the_loss(ns):
    X, Y, a0, p = _name_case(seed=3, n_a=4, name="velociraptor", scale=0.3)
    loss, gradients, _ = ns["optimize"](X, Y, a0.copy(), copy.deepcopy(p), learning_rate=0.01)
    assert max(np.abs(g).max() for g in gradients.values()) < checks.CLIP_VALUE, "no clipping at this size"
    for k in char_lm.PARAMETER_NAMES:
        numeric = numerical_gradient(lambda: char_lm.rnn_forward(X, Y, a0, p)[0], p[k])
        assert relative_error(gradients["d" + k], numeric) < 1e-7, k
    assert loss == pytest.approx(char_lm.rnn_forward(X, Y, a0, p)[0])


def test_training_log_keeps_the_loss_lines_and_lets_errors_through(capsys):
    with pytest.raises(NotImplementedError):
        with char_lm.TrainingLog() as log:
            print("Iteration: 0, Loss: 23.087338\nNkzx\n")
            print("Iteration: 2000, Loss: 27.5")
            raise NotImplementedError("Not implemented yet")
    assert log.iterations == [0, 2000] and log.losses == [23.087338, 27.5]
    assert "Nkzx" in capsys.readouterr().out  # what was printed is still shown


# ------------------------------------------------------------------ the checks pass on the solution

@pytest.mark.parametrize("name", GRADED)
def test_test_cell_passes_on_solution(ns, nb, name):
    """The graded test cell, hidden tests included, passes; every check call prints exactly one line."""
    assert len(run_test_cell(ns, nb, f"{name}_tests")) == 2  # the public check and one hidden one


def test_checks_leave_the_global_rng_alone(ns):
    before = np.random.get_state()[1].copy()
    checks.check_sample(ns["sample"])
    checks.check_model(ns["model"], n_names=5, num_iterations=201)
    assert np.array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("kwargs", [{}, {"n_a": 5, "vocab": "\nabcdefgh", "seed": 3}])
def test_sample_cases_reach_both_stops(kwargs):
    """Each configuration of check_sample has names that end at a newline and names cut at 50 characters, and
    none whose 50th character is the newline (where two conventions for ending the name would differ)."""
    n_a, vocab, seed = kwargs.get("n_a", 8), kwargs.get("vocab", VOCABULARY), kwargs.get("seed", 0)
    lengths, edge = [], False
    for parameters, char_to_ix, s in checks._sample_cases(vocab, n_a, seed):
        drawn = checks._ref_sample(parameters, char_to_ix, s, end_with_newline=False)
        lengths.append(len(drawn))
        edge |= len(drawn) == checks.MAX_LENGTH and drawn[-1] == char_to_ix["\n"]
    assert min(lengths) < checks.MAX_LENGTH and max(lengths) == checks.MAX_LENGTH and not edge


@pytest.mark.parametrize("kwargs", [{}, {"n_a": 4, "vocab_size": 9, "length": 15, "seed": 5}])
def test_optimize_cases_need_clipping(kwargs):
    X, Y, a_prev, parameters = checks._optimize_case(kwargs.get("n_a", 6), kwargs.get("vocab_size", 27),
                                                     kwargs.get("length", 12), kwargs.get("seed", 2))
    raw, _ = char_lm.rnn_backward(X, Y, parameters, char_lm.rnn_forward(X, Y, a_prev, parameters)[1])
    assert max(np.abs(g).max() for g in raw.values()) > 1.5 * checks.CLIP_VALUE


def test_model_is_judged_on_its_own(nb, ns):
    """A wrong optimize or sample in the notebook does not cost model's points: its check swaps in references."""
    broken = dict(ns)
    broken["optimize"] = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("broken optimize"))
    broken["sample"] = lambda *args: [0]
    exec(_cell(nb, "model").source, broken)
    checks.check_model(broken["model"], n_names=5, num_iterations=201)
    assert broken["optimize"] is not checks._ref_optimize, "the notebook's own functions are put back"


# ------------------------------------------------------------------ classic mistakes are rejected, by name

CLIP_MISTAKES = [
    ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.clip(gradient, -maxValue, maxValue)",
     {}, "thrown away"),
    ("gradients = copy.deepcopy(gradients)", "pass", {}, r"caller's gradients\['dW"),
    ("copy.deepcopy(gradients)", "dict(gradients)", {}, r"caller's gradients\['dW"),
    ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.minimum(gradient, maxValue, out=gradient)",
     {}, "only the upper bound"),
    ("-maxValue, maxValue, out", "-10, 10, out", {"maxValue": 3}, "hard-coded"),
]


@pytest.mark.parametrize("old,new,kwargs,message", CLIP_MISTAKES, ids=[m[-1] for m in CLIP_MISTAKES])
def test_clip_mistakes_are_named(nb, ns, old, new, kwargs, message):
    with pytest.raises(CheckFailed, match=message):
        checks.check_clip(_mutant(nb, ns, "clip", (old, new)), **kwargs)


def test_clip_must_return_new_dict_entries(nb, ns):
    """Replacing the entries of the caller's dict (instead of returning a new dict) is caught too."""
    wrong = _mutant(nb, ns, "clip", ("gradients = copy.deepcopy(gradients)", "original = gradients"),
                    ("    return {", "    original.update(dWax=np.clip(original['dWax'], -1, 1))\n    return {"))
    with pytest.raises(CheckFailed, match=r"caller's gradients\['dWax'\] was changed"):
        checks.check_clip(wrong)


SAMPLE_MISTAKES = [
    ("p=y.ravel()", "p=y", {}, r"1-D probability vector.*p=y\.ravel\(\)"),
    ("y = softmax(Wya @ a + by)", "y = softmax((Wya @ a + by).T).T", {}, "sum to 1 over the vocabulary"),
    ("while idx != newline_character and counter != 50:", "while counter != 50:", {},
     "does not stop at the newline"),
    ("while idx != newline_character and counter != 50:", "while idx != newline_character:", {},
     "no 50-character limit"),
    ("if idx != newline_character:\n        indices.append(newline_character)", "pass", {},
     "must still end with the newline"),
    ("x = np.zeros((vocab_size, 1))\n        x[idx] = 1", "x[idx] = 1", {}, "one-hot vector of the drawn index"),
    ("        seed += 1\n", "", {}, r"np\.random\.seed\(counter \+ seed\)"),
    ("        a_prev = a\n", "", {}, "hidden state is not carried"),
    ("vocab_size = by.shape[0]", "vocab_size = 27", {"n_a": 5, "vocab": "\nabcdefgh", "seed": 3},
     "sample raised"),
]


@pytest.mark.parametrize("old,new,kwargs,message", SAMPLE_MISTAKES, ids=[m[-1] for m in SAMPLE_MISTAKES])
def test_sample_mistakes_are_named(nb, ns, old, new, kwargs, message):
    with pytest.raises(CheckFailed, match=message):
        checks.check_sample(_mutant(nb, ns, "sample", (old, new)), **kwargs)


OPTIMIZE_MISTAKES = [
    ("gradients = clip(gradients, 5)", "pass", {}, "not clipped"),
    ("gradients = clip(gradients, 5)", "gradients = clip(gradients, 1)", {}, r"clipped to \[-1, 1\]"),
    ("update_parameters(parameters, gradients", "update_parameters(copy.deepcopy(parameters), gradients", {},
     "caller's parameters were not updated"),
    ("a_last = a[len(X) - 1]", "a_last = a[0]", {}, "first hidden state"),
    ("a_last = a[len(X) - 1]", "a_last = a[-1].ravel()", {}, r"a_last: expected shape \(6, 1\)"),
    ("gradients, learning_rate)", "gradients, 0.01)", {"learning_rate": 0.05, "seed": 5}, "learning rate is ignored"),
]


@pytest.mark.parametrize("old,new,kwargs,message", OPTIMIZE_MISTAKES, ids=[m[-1] for m in OPTIMIZE_MISTAKES])
def test_optimize_mistakes_are_named(nb, ns, old, new, kwargs, message):
    with pytest.raises(CheckFailed, match=message):
        checks.check_optimize(_mutant(nb, ns, "optimize", (old, new)), **kwargs)


MODEL_MISTAKES = [
    ("indices_to_name(sampled_indices, ix_to_char)", "indices_to_name(sampled_indices, dict(enumerate(char_to_ix)))",
     "order of char_to_ix's keys"),
    ("indices_to_name(sampled_indices, ix_to_char)",
     "indices_to_name(sampled_indices, dict(zip(char_to_ix.values(), sorted(char_to_ix))))", "last_dino_name"),
    ("    np.random.shuffle(examples)\n", "", "not shuffled"),
    ("examples = [name.strip() for name in data_x]", "examples = data_x", "list of names was reordered"),
    ("a_prev = np.zeros((n_a, 1))\n        curr_loss, gradients, a_last = optimize(X, Y, a_prev",
     "curr_loss, gradients, a_prev = optimize(X, Y, a_prev", "carried over from the previous name"),
    ("loss = smooth_loss(loss, curr_loss)", "loss = smooth_loss(curr_loss, loss)", "smoothing weights are swapped"),
    ("loss = initial_loss(vocab_size, dino_names)", "loss = 0.0", "start at initial_loss"),
    ('Y = X[1:] + [char_to_ix["\\n"]]', "Y = X[1:]", "same length"),
]


@pytest.mark.parametrize("old,new,message", MODEL_MISTAKES, ids=[m[-1] for m in MODEL_MISTAKES])
def test_model_mistakes_are_named(nb, ns, old, new, message):
    edits = [(old, new)]
    if "a_prev = optimize" in new:  # carrying the state needs a start value before the loop
        edits.append(('last_dino_name = ""\n', 'last_dino_name = ""\n    a_prev = np.zeros((n_a, 1))\n'))
    with pytest.raises(CheckFailed, match=message):
        checks.check_model(_mutant(nb, ns, "model", *edits))


# ------------------------------------------------------------------ the notebook's text agrees with its code

def test_text_states_the_numbers_the_code_uses(nb):
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    graded = [c.metadata.nbgrader for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert f"{len(graded)} graded functions, {sum(m['points'] for m in graded)} points" in text
    for m in graded:
        gid = m["grade_id"].removesuffix("_tests")
        assert f"`{gid}` ({m['points']} point" in text, f"the heading of {gid} states its points"
    assert "22,001 iterations" in text and code.count("num_iterations=22001") == 2
    assert "27 characters" in text and "counter != 50" in code and "50 characters" in text

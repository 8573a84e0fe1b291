"""w1a2 (Dinosaur Island): the dataset and its loader, the helpers against their one-step oracles and numerical
gradients, and the public checks: they pass on the solution and reject each classic mistake with a message that
names it."""
from __future__ import annotations

import contextlib
import copy
import importlib.util
import inspect
import io
import re
import string

import numpy as np
import pytest

from checks import fixtures as fixtures_module
from checks.assertions import CheckFailed, numerical_gradient, relative_error
from checks.fixtures import fixture_path
from checks.paths import ENV_VAR
from autograder.reference import fixtures_are_stale
from autograder.reference import w1a2_dinosaur_island as reference
from notebook_code import ROOT, notebook_fixtures, run_test_cell
from week1 import char_lm
from week1 import char_lm_checks as checks

ID = "w1a2_dinosaur_island"
GRADED = ["clip", "sample", "optimize", "model"]
VOCABULARY = "\n" + string.ascii_lowercase
HIDDEN = "### BEGIN HIDDEN TESTS"


ns, nb = notebook_fixtures(ID)


@pytest.fixture
def students_copy(monkeypatch):
    """The student's distribution: no instructor reference is installed (checks use the stored fixtures only)."""
    monkeypatch.setattr(fixtures_module, "reference", lambda aid: None)


@pytest.fixture(params=["grading", "student's copy"])
def setting(request, monkeypatch):
    """Run a test while grading (reference installed) and in the student's copy (none)."""
    if request.param == "student's copy":
        monkeypatch.setattr(fixtures_module, "reference", lambda aid: None)
    return request.param


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


# ------------------------------------------------------------------ the reference stays with the instructor

def test_the_week_package_holds_no_reference_implementation():
    """The student's copy gets week1/: no reference function there, and the checks compute no answers."""
    for path in (char_lm.__file__, checks.__file__):
        source = open(path).read()
        assert "def _ref_" not in source and "_reference_helpers" not in source, path
    assert not [name for name in dir(checks) if name in GRADED], "no graded function in the check module"
    assert "rnn_forward" not in vars(checks) and "rnn_backward" not in vars(checks), "checks compute nothing"


def test_the_reference_has_the_notebooks_graded_functions(ns):
    assert list(reference.GRADED) == GRADED and set(reference.CASES) == set(GRADED)
    assert reference.CHECKS == checks.__name__
    for name, fn in reference.GRADED.items():
        assert inspect.signature(fn) == inspect.signature(ns[name]), name


def test_the_reference_model_prints_and_returns_what_the_solution_does(ns):
    names, char_to_ix, ix_to_char = checks.model_inputs(6, seed=4)
    outputs = []
    for model in (ns["model"], reference.model):
        printed = io.StringIO()
        with checks._global_rng_kept(), contextlib.redirect_stdout(printed):
            parameters, last = model(names, ix_to_char, char_to_ix, 2001, n_a=5, dino_names=2, verbose=True)
        outputs.append((printed.getvalue(), last, parameters))
    (text, last, parameters), (ref_text, ref_last, ref_parameters) = outputs
    assert text == ref_text and last == ref_last
    for k in char_lm.PARAMETER_NAMES:
        np.testing.assert_array_equal(parameters[k], ref_parameters[k])


def test_fixtures_are_current_and_small():
    assert not fixtures_are_stale(ID, ROOT), "run `python -m autograder fixtures w1a2_dinosaur_island`"
    assert fixture_path(ID).stat().st_size < 200_000


# ------------------------------------------------------------------ the checks pass on the solution

@pytest.mark.parametrize("name", GRADED)
def test_test_cell_passes_on_solution(ns, nb, name):
    """The graded test cell, hidden tests included, passes; each public check prints one line, the hidden none."""
    public = _cell(nb, f"{name}_tests").source.split("### BEGIN HIDDEN TESTS")[0]
    assert len(run_test_cell(ns, nb, f"{name}_tests")) == public.count(f"check_{name}(") >= 1


@pytest.mark.parametrize("name", GRADED)
def test_public_checks_pass_in_the_students_copy(ns, nb, name, students_copy, capsys):
    """With no reference installed, every public check call of the notebook passes on the solution, from the
    stored fixtures and with the notebook's own functions; a hidden call says it has no stored values."""
    public, hidden = _cell(nb, f"{name}_tests").source.split(HIDDEN)
    exec(public, dict(ns))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(re.findall(r"^check_\w+\(", public, re.M)) >= 1
    assert all(line.startswith("\u2714") and line.endswith("all checks passed.") for line in lines), lines
    with pytest.raises(CheckFailed, match="no stored expected values"):
        exec(hidden, dict(ns))


def test_checks_leave_the_global_rng_alone(ns):
    before = np.random.get_state()[1].copy()
    checks.check_sample(ns["sample"])
    checks.check_model(ns["model"], n_names=5, num_iterations=201)
    assert np.array_equal(np.random.get_state()[1], before)


def test_a_sample_that_returns_characters_is_told_to_append_the_drawn_index(ns):
    def sample_characters(parameters, char_to_ix, seed):
        ix_to_char = {i: ch for ch, i in char_to_ix.items()}
        return [ix_to_char[i] for i in ns["sample"](parameters, char_to_ix, seed)]

    with pytest.raises(CheckFailed) as failure:
        checks.check_sample(sample_characters)
    message = str(failure.value)
    assert "expected a list of integer indices" in message
    assert "append the index that np.random.choice returns (step 3 of section 2.2)." in message
    assert message.count(". ") == 0 and message.endswith(".")                         # one sentence


SAMPLE_ARGS = [{}, {"n_a": 5, "vocab": "\nabcdefgh", "seed": 3}]


def _sample_case(kwargs):
    args = {"n_a": 8, "vocab": VOCABULARY, "seed": 0} | kwargs
    return reference.sample_case(**args), checks.sample_inputs(args["vocab"], args["n_a"], args["seed"])


@pytest.mark.parametrize("kwargs", SAMPLE_ARGS)
def test_sample_cases_reach_both_stops_and_the_edge(kwargs):
    """Each configuration of check_sample has names that end at a newline, names cut at 50 characters, and one
    whose 50th character is the newline (where nothing is appended: 50 indices)."""
    case, (_, char_to_ix) = _sample_case(kwargs)
    newline = char_to_ix["\n"]
    lengths = [len(run["expected"]) for run in case["runs"]]
    assert all(run["expected"][-1] == newline for run in case["runs"])
    assert min(lengths) < checks.MAX_LENGTH and max(lengths) == checks.MAX_LENGTH + 1
    (edge,) = [run for run in case["runs"] if len(run["expected"]) == checks.MAX_LENGTH]
    assert edge["expected"][-1] == newline and newline not in edge["expected"][:-1]


@pytest.mark.parametrize("kwargs", [{}, {"n_a": 4, "vocab_size": 9, "length": 15, "seed": 5}])
def test_optimize_cases_need_clipping(kwargs):
    args = {"n_a": 6, "vocab_size": 27, "length": 12, "seed": 2} | kwargs
    X, Y, a_prev, parameters = checks.optimize_inputs(**args)
    raw, _ = char_lm.rnn_backward(X, Y, parameters, char_lm.rnn_forward(X, Y, a_prev, parameters)[1])
    assert max(np.abs(g).max() for g in raw.values()) > 1.5 * checks.CLIP_VALUE


def test_model_is_judged_on_its_own(nb, ns):
    """While grading, a wrong optimize or sample in the notebook does not cost model's points: the reference
    stands in for them, and the notebook's own functions are put back afterwards."""
    broken = dict(ns)
    broken["optimize"] = broken_optimize = lambda *args, **kwargs: (_ for _ in ()).throw(RuntimeError("broken"))
    broken["sample"] = lambda *args: [0]
    exec(_cell(nb, "model").source, broken)
    checks.check_model(broken["model"], n_names=5, num_iterations=201)
    assert broken["optimize"] is broken_optimize, "the notebook's own functions are put back"


def test_a_wrong_clip_fails_optimize_only_in_the_students_copy(nb, ns, monkeypatch):
    """While grading, the reference clip stands in and optimize passes; in the student's copy (no reference),
    optimize runs the student's clip and the failure names clip."""
    for edit in [("np.clip(gradient, -maxValue, maxValue, out=gradient)",
                  "np.minimum(gradient, maxValue, out=gradient)"),       # only the upper bound
                 ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "pass")]:  # no clipping at all
        namespace = dict(ns)
        namespace["clip"] = wrong_clip = _mutant(nb, ns, "clip", edit)
        exec(_cell(nb, "optimize").source, namespace)
        checks.check_optimize(namespace["optimize"])  # graded: the stand-in clip
        assert namespace["clip"] is wrong_clip
        with monkeypatch.context() as m:
            m.setattr(fixtures_module, "reference", lambda aid: None)
            with pytest.raises(CheckFailed, match=r"your clip, which optimize calls, does not clip .*check_clip"):
                checks.check_optimize(namespace["optimize"])
            checks.check_optimize(ns["optimize"])  # the solution's own clip is right


def test_a_wrong_sample_or_optimize_is_named_by_models_check_in_the_students_copy(nb, ns, students_copy):
    namespace = dict(ns)
    namespace["sample"] = _mutant(nb, ns, "sample", ("a_prev = a\n", "a_prev = a_prev\n"))
    exec(_cell(nb, "model").source, namespace)
    with pytest.raises(CheckFailed, match=r"last_dino_name: .*model calls your sample: if check_sample fails"):
        checks.check_model(namespace["model"])
    namespace = dict(ns)
    namespace["optimize"] = _mutant(nb, ns, "optimize", ("gradients, learning_rate)", "gradients, 2 * learning_rate)"))
    exec(_cell(nb, "model").source, namespace)
    with pytest.raises(CheckFailed, match=r"model calls your optimize and clip: if check_optimize or check_clip "):
        checks.check_model(namespace["model"])


# ------------------------------------------------------------------ clip: every diagnosis, on real wrong clips

def _clip_applying(fn):
    """A clip that returns fn(copy of each gradient, maxValue): a wrong clip written from scratch."""
    def clip(gradients, maxValue):
        return {name: fn(np.array(gradient, copy=True), maxValue) for name, gradient in gradients.items()}
    return clip


WRONG_CLIPS = {
    "not clipped at all": (lambda g, m: g, r"the values were not clipped at all"),
    "upper bound only": (lambda g, m: np.minimum(g, m), r"only the upper bound was applied \(entries below -maxValue"),
    "lower bound only": (lambda g, m: np.maximum(g, -m), r"only the lower bound was applied \(entries above maxValue"),
    **{f"bound {b}": (lambda g, m, b=b: np.clip(g, -b, b), rf"the bound {b} is hard-coded")
       for b in checks.HARD_CODED_BOUNDS},
}
CLIP_ARGS = [{}, {"maxValue": 3, "n_a": 3, "vocab_size": 7, "seed": 7}, {"maxValue": 1, "n_a": 2, "vocab_size": 2,
             "seed": 3}, {"maxValue": 5, "n_a": 2, "vocab_size": 3, "seed": 0}, {"maxValue": 0.5, "seed": 4}]


@pytest.mark.parametrize("kwargs", CLIP_ARGS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "public")
@pytest.mark.parametrize("wrong", list(WRONG_CLIPS))
def test_each_clip_diagnosis_names_the_mistake_that_produced_the_values(kwargs, wrong):
    """Every diagnosis is what the wrong clip really did, whatever maxValue: e.g. a bound of 10 hard-coded used to
    be reported as "the clipped values were thrown away" when maxValue was small (10 clipped nothing there)."""
    fn, message = WRONG_CLIPS[wrong]
    max_value = kwargs.get("maxValue", 10)
    if wrong.startswith("bound") and int(wrong.split()[1]) == max_value:
        checks.check_clip(_clip_applying(fn), **kwargs)  # hard-coding the very bound asked for is not wrong here
        return
    with pytest.raises(CheckFailed, match=r"clip\(\.\.\.\)\['dWax'\]: wrong values, exactly those a known mistake "
                                          r"gives; likely cause: " + message):
        checks.check_clip(_clip_applying(fn), **kwargs)


def test_an_unknown_wrong_clip_still_gets_a_likely_cause():
    with pytest.raises(CheckFailed, match=r"expected .* but got .*likely cause: not every entry was clipped"):
        checks.check_clip(_clip_applying(lambda g, m: np.clip(g, 0, m)))


CLIP_MISTAKES = [
    ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.clip(gradient, -maxValue, maxValue)",
     {}, "not clipped at all"),
    ("gradients = copy.deepcopy(gradients)", "pass", {}, r"caller's gradients\['dW"),
    ("copy.deepcopy(gradients)", "dict(gradients)", {}, r"caller's gradients\['dW"),
    ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.minimum(gradient, maxValue, out=gradient)",
     {}, "only the upper bound"),
    ("np.clip(gradient, -maxValue, maxValue, out=gradient)", "np.maximum(gradient, -maxValue, out=gradient)",
     {}, "only the lower bound"),
    ("-maxValue, maxValue, out", "-10, 10, out", {"maxValue": 3}, "bound 10 is hard-coded"),
    ("-maxValue, maxValue, out", "-10, 10, out", {"maxValue": 1, "seed": 2}, "bound 10 is hard-coded"),
    ("for gradient in (dWax, dWaa, dWya, db, dby)", "for gradient in (dWax, dWaa, dWya)", {},
     r"\['db'\].*not clipped at all: clip each of the five gradients"),
    # the public test cell's second call: a maxValue other than 10, so that a hard-coded 10 is caught in public too
    ("-maxValue, maxValue, out", "-10, 10, out", {"maxValue": 2, "n_a": 4, "vocab_size": 6, "seed": 2},
     "bound 10 is hard-coded"),
]


@pytest.mark.parametrize("old,new,kwargs,message", CLIP_MISTAKES, ids=[m[-1] for m in CLIP_MISTAKES])
def test_clip_mistakes_are_named(nb, ns, setting, old, new, kwargs, message):
    if kwargs and setting == "student's copy":
        pytest.skip("only the notebook's public arguments have stored values")
    with pytest.raises(CheckFailed, match=message):
        checks.check_clip(_mutant(nb, ns, "clip", (old, new)), **kwargs)


def test_clip_must_return_new_dict_entries(nb, ns):
    """Replacing the entries of the caller's dict (instead of returning a new dict) is caught too."""
    wrong = _mutant(nb, ns, "clip", ("gradients = copy.deepcopy(gradients)", "original = gradients"),
                    ("    return {", "    original.update(dWax=np.clip(original['dWax'], -1, 1))\n    return {"))
    with pytest.raises(CheckFailed, match=r"caller's gradients\['dWax'\] was changed"):
        checks.check_clip(wrong)


# ------------------------------------------------------------------ sample

SEED_ONCE = ("    np.random.seed(seed)\n    ### END SOLUTION", "    ### END SOLUTION")
SAMPLE_MISTAKES = [
    ([("p=y.ravel()", "p=y")], {}, r"1-D probability vector.*flatten it for p"),
    ([("y = softmax(Wya @ a + by)", "y = softmax((Wya @ a + by).T).T")], {}, "sum to 1 over the vocabulary"),
    ([("while idx != newline_character and counter != 50:", "while counter != 50:")], {},
     "does not stop at the newline"),
    ([("while idx != newline_character and counter != 50:", "while idx != newline_character:")], {},
     "no 50-character limit"),
    ([("if idx != newline_character:\n        indices.append(newline_character)", "pass")], {},
     "must still end with the newline"),
    ([("if idx != newline_character:", "if counter == 50:")], {}, "50th character drawn already is the newline"),
    ([("if idx != newline_character:\n        indices.append(newline_character)",
       "indices.append(newline_character)")], {}, "after a name that already ends with it"),
    ([("x = np.zeros((vocab_size, 1))\n        x[idx] = 1", "x[idx] = 1")], {}, "one-hot vector of the drawn index"),
    ([SEED_ONCE, ("        y = softmax(Wya @ a + by)\n", "        y = softmax(Wya @ a + by)\n"
                  "        np.random.seed(counter + seed)\n"), ("        counter += 1\n",
                                                               "        seed += 1\n        counter += 1\n")],
     {}, r"reseeded before every draw \(np\.random\.seed\(counter \+ seed\)"),
    ([SEED_ONCE, ("        y = softmax(Wya @ a + by)\n", "        y = softmax(Wya @ a + by)\n"
                  "        np.random.seed(seed)\n")], {}, "every draw uses the same random number"),
    ([SEED_ONCE], {}, r"likely cause: .*the seeding \(np\.random\.seed\(seed\) once"),
    ([("        a_prev = a\n", "")], {}, "hidden state is not carried"),
    ([("a = np.tanh(Wax @ x + Waa @ a_prev + b)", "a = np.tanh(Wax @ x + Waa @ a_prev)")], {},
     r"likely cause: the forward step"),
    ([("vocab_size = by.shape[0]", "vocab_size = 27")], {"n_a": 5, "vocab": "\nabcdefgh", "seed": 3},
     "sample raised"),
]


@pytest.mark.parametrize("edits,kwargs,message", SAMPLE_MISTAKES, ids=[m[-1] for m in SAMPLE_MISTAKES])
def test_sample_mistakes_are_named(nb, ns, setting, edits, kwargs, message):
    if kwargs and setting == "student's copy":
        pytest.skip("only the notebook's public arguments have stored values")
    with pytest.raises(CheckFailed, match=message):
        checks.check_sample(_mutant(nb, ns, "sample", *edits), **kwargs)


def test_names_sampled_with_different_seeds_are_independent(ns):
    """With uniform output probabilities, the old scheme (np.random.seed(counter + seed), seed += 1) made the name
    of seed s + 2 the name of seed s without its first letter. Seeded once, the streams do not overlap."""
    char_to_ix, _ = char_lm.build_vocabulary([VOCABULARY])
    uniform = {k: np.zeros_like(v) for k, v in char_lm.initialize_parameters(5, 27, 27).items()}

    def shifted_copies(sample):
        with checks._global_rng_kept():
            names = [sample(uniform, char_to_ix, s) for s in range(12)]
        return [s for s in range(10) if names[s + 2][:10] == names[s][1:11]]

    assert len(shifted_copies(lambda *args: reference._sample(*args, seeding="per_draw"))) >= 8  # the old scheme
    assert shifted_copies(ns["sample"]) == [] and shifted_copies(reference.sample) == []
    with checks._global_rng_kept():
        names = [tuple(ns["sample"](uniform, char_to_ix, s)[:4]) for s in range(7)]  # as the notebook's demo
    assert len(set(names)) == 7


# ------------------------------------------------------------------ optimize

OPTIMIZE_MISTAKES = [
    ("gradients = clip(gradients, 5)", "pass", {}, "not clipped"),
    ("gradients = clip(gradients, 5)", "clip(gradients, 5)", {}, r"not clipped: .*keep it"),
    ("gradients = clip(gradients, 5)", "gradients = clip(gradients, 1)", {}, r"clipped to \[-1, 1\]"),
    ("update_parameters(parameters, gradients", "update_parameters(copy.deepcopy(parameters), gradients", {},
     "caller's parameters were not updated"),
    ("a_last = a[len(X) - 1]", "a_last = a[0]", {}, "first hidden state"),
    ("a_last = a[len(X) - 1]", "a_last = a[-1].ravel()", {}, r"a_last: expected shape \(6, 1\)"),
    ("a_last = a[len(X) - 1]", "a_last = a[len(X)]", {},
     r"optimize raised IndexError: index 12 is out of bounds .*likely cause: a\[len\(X\)\] is past the end: "
     r"rnn_backward's a holds one hidden state per time step, 12 here .*section 3\.1 says which one is the state "
     r"after the last character\.$"),
    ("a_last = a[len(X) - 1]", "a_last = a[len(X)]", {"n_a": 4, "vocab_size": 9, "length": 15, "seed": 5},
     r"IndexError: index 15 .*likely cause: a\[len\(X\)\] is past the end.* 15 here"),
    ("gradients, learning_rate)", "gradients, 0.01)", {"learning_rate": 0.05, "seed": 5}, "learning rate is ignored"),
    ("gradients, learning_rate)", "gradients, 0.01)", {"learning_rate": 0.02}, "learning rate is ignored"),  # public
    ("gradients, learning_rate)", "gradients, 2 * learning_rate)", {}, r"likely cause: the parameters were not updated in place"),
]


@pytest.mark.parametrize("old,new,kwargs,message", OPTIMIZE_MISTAKES, ids=[m[-1][:60] for m in OPTIMIZE_MISTAKES])
def test_optimize_mistakes_are_named(nb, ns, setting, old, new, kwargs, message):
    if kwargs and setting == "student's copy":
        pytest.skip("only the notebook's public arguments have stored values")
    with pytest.raises(CheckFailed, match=message):
        checks.check_optimize(_mutant(nb, ns, "optimize", (old, new)), **kwargs)


# ------------------------------------------------------------------ model

MODEL_MISTAKES = [
    ("indices_to_name(sampled_indices, ix_to_char)", "indices_to_name(sampled_indices, dict(enumerate(char_to_ix)))",
     "order of char_to_ix's keys"),
    ("indices_to_name(sampled_indices, ix_to_char)",
     "indices_to_name(sampled_indices, dict(zip(char_to_ix.values(), sorted(char_to_ix))))",
     r"last_dino_name: .*likely cause: .*indices_to_name and ix_to_char"),
    ("    np.random.shuffle(examples)\n", "", "not shuffled"),
    ("examples = [name.strip() for name in data_x]", "examples = data_x", "list of names was reordered"),
    ("a_prev = np.zeros((n_a, 1))\n        curr_loss, gradients, a_last = optimize(X, Y, a_prev",
     "curr_loss, gradients, a_prev = optimize(X, Y, a_prev", "carried over from the previous name"),
    ("learning_rate=0.01)", "learning_rate=0.02)", r"likely cause: .*with learning rate 0\.01"),
    ("loss = smooth_loss(loss, curr_loss)", "loss = smooth_loss(curr_loss, loss)", "smoothing weights are swapped"),
    ("loss = initial_loss(vocab_size, characters_per_name(data_x))", "loss = 0.0", "not at 0"),
    ("loss = initial_loss(vocab_size, characters_per_name(data_x))", "loss = initial_loss(vocab_size, dino_names)",
     "dino_names is the number of names printed, not a length"),
    ('Y = X[1:] + [char_to_ix["\\n"]]', "Y = X[1:]", "same length"),
]


@pytest.mark.parametrize("old,new,message", MODEL_MISTAKES, ids=[m[-1][:60] for m in MODEL_MISTAKES])
def test_model_mistakes_are_named(nb, ns, setting, old, new, message):
    edits = [(old, new)]
    if "a_prev = optimize" in new:  # carrying the state needs a start value before the loop
        edits.append(('last_dino_name = ""\n', 'last_dino_name = ""\n    a_prev = np.zeros((n_a, 1))\n'))
    with pytest.raises(CheckFailed, match=message):
        checks.check_model(_mutant(nb, ns, "model", *edits))


def test_the_loss_curve_starts_at_uniform_guessing_and_falls(ns):
    """The smoothed loss starts at the loss of guessing uniformly over an average name, the notebook's dashed
    line, and falls from there (it used to start at initial_loss(vocab_size, dino_names) and rise first)."""
    names = char_lm.load_names()
    char_to_ix, ix_to_char = char_lm.build_vocabulary(names)
    printed = io.StringIO()
    with checks._global_rng_kept(), contextlib.redirect_stdout(printed):
        ns["model"](names, ix_to_char, char_to_ix, num_iterations=6001, dino_names=1)
    losses = char_lm.parse_losses(printed.getvalue())[1]
    baseline = char_lm.initial_loss(27, char_lm.characters_per_name(names))
    assert baseline == pytest.approx(np.log(27) * sum(len(n) + 1 for n in names) / len(names))
    assert losses[0] == pytest.approx(baseline, rel=2e-3)
    assert all(later < earlier for earlier, later in zip(losses, losses[1:])), losses


# ------------------------------------------------------------------ the notebook's text agrees with its code

def _markdown(nb):
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_text_states_the_numbers_the_code_uses(nb):
    text = _markdown(nb)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    graded = [c.metadata.nbgrader for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert f"{len(graded)} graded functions, {sum(m['points'] for m in graded)} points" in text
    for m in graded:
        gid = m["grade_id"].removesuffix("_tests")
        assert f"`{gid}` ({m['points']} point" in text, f"the heading of {gid} states its points"
    assert "22,001 iterations" in text and code.count("num_iterations=22001") == 2
    assert "27 characters" in text and "counter != 50" in code and "50 characters" in text
    names = char_lm.load_names()
    per_name = char_lm.characters_per_name(names)
    assert f"{per_name:.1f} \\ln 27 \\approx {char_lm.initial_loss(27, per_name):.1f}" in text
    assert "initial_loss(vocab_size, characters_per_name(names))" in code


def test_texts_say_plainly_that_the_last_state_is_a_len_x_minus_1(nb):
    """The table, the docstrings and the hints agree: a[t] is the state after reading X[t], so the last one is
    a[len(X) - 1]; nothing says a[t] is a<t> (which leads to a[len(X)])."""
    text, optimize = _markdown(nb), _cell(nb, "optimize").source
    for where in (text, optimize, char_lm.rnn_backward.__doc__):
        assert "a[len(X) - 1]" in where and "state after reading `X[t]`" in where.replace("X[t]", "`X[t]`").replace(
            "``", "`")
        assert "a[t]` is $a^{\\langle t \\rangle}$" not in where and "a[t] is a<t>" not in where
    assert "there is no `a[len(X)]`" in text and "there is no a[len(X)]" in char_lm.rnn_backward.__doc__


def test_sample_says_what_happens_when_the_50th_character_is_the_newline(nb):
    sample_text = _cell(nb, "sample").source
    assert "when the 50th\n               character drawn is the newline itself, nothing is appended (50 indices)" \
        in sample_text
    assert "When the 50th character drawn is the newline itself, the name has already ended and nothing is\n" \
           "   appended." in _markdown(nb)
    assert "np.random.seed(seed)" in sample_text and "counter + seed" not in sample_text
    assert "shifted copies of each other: draw number" not in _markdown(nb)


def test_the_public_test_cells_use_arguments_that_catch_hard_coded_values(nb):
    """A clip hard-coding 10, an optimize ignoring its learning rate and a model passing verbose on as the start
    state are each right for the checks' default arguments: the public part of the test cell must vary them."""
    public = {gid: _cell(nb, f"{gid}_tests").source.split("### BEGIN HIDDEN TESTS")[0]
              for gid in ("clip", "optimize", "model")}
    assert "maxValue=2" in public["clip"] and "learning_rate=0.02" in public["optimize"]
    assert "verbose=True" in public["model"]


def test_model_passing_verbose_as_the_start_state_is_caught_with_verbose_on(nb, ns):
    wrong = _mutant(nb, ns, "model", ("optimize(X, Y, a_prev, parameters", "optimize(X, Y, verbose, parameters"))
    checks.check_model(wrong, verbose=False)  # verbose=False is a zero state: no difference
    with pytest.raises(CheckFailed, match=r"optimize from a zero state .*whatever verbose is"):
        checks.check_model(wrong)  # the public call: verbose=True

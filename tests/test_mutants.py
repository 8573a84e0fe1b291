"""The mutation harness: it mutates only solution regions, judges with the graded test cells, and its in-process
verdicts agree with sandboxed grading."""
from __future__ import annotations

import ast
import json

import nbformat
import numpy as np
import pytest

from autograder import grading, mutants
from autograder.cli import main as cli
from course import ASSIGNMENTS, ROOT, nbgrader_meta, scratch_course

AID = "w2a1_word_vectors"


@pytest.fixture(scope="module")
def word_vectors():
    return mutants.Assignment.load(ROOT, AID)


def _region_code(source: str) -> str:
    return "\n".join(line for i, line in enumerate(source.splitlines(), 1) if i in mutants._region_lines(source))


def test_mutants_change_only_the_solution_regions(word_vectors):
    source = word_vectors.cells["equalize"]
    made = mutants.make_mutants("equalize", source)
    assert len(made) > 30
    operators = {m.operator for m in made}
    assert {"statement deleted", "Div->Mult", "constant+1", "arguments swapped"} <= operators
    signature = ast.unparse(ast.parse(source).body[0].args)
    for mutant in made:
        tree = ast.parse(mutant.source)
        assert ast.unparse(tree.body[0].args) == signature  # the signature is never mutated
        assert ast.get_docstring(tree.body[0]) == ast.get_docstring(ast.parse(source).body[0])
        assert mutant.line in mutants._region_lines(source)
    assert len({m.source for m in made}) == len(made)


def test_operators_cover_keras_layer_options():
    cell = ("def build(n):\n    ### BEGIN SOLUTION\n"
            "    x = LSTM(n, return_sequences=True, go_backwards=False, activation='tanh')(inp)\n"
            "    ### END SOLUTION\n    return x\n")
    operators = {m.operator for m in mutants.make_mutants("build", cell)}
    assert {"return_sequences flipped", "go_backwards flipped", "activation changed"} <= operators
    cell = "def build(n):\n    ### BEGIN SOLUTION\n    x = GRU(n, return_sequences=True)(inp)\n    ### END SOLUTION\n"
    added = [m.change for m in mutants.make_mutants("build", cell) if m.operator == "go_backwards added"]
    assert added == ["GRU(n, return_sequences=True)  ->  GRU(n, return_sequences=True, go_backwards=True)"]


def test_an_input_is_replaced_only_by_a_name_bound_before_it():
    cell = ("def decode(a, s0, Ty):\n    ### BEGIN SOLUTION\n    s = s0\n    outputs = []\n"
            "    for t in range(Ty):\n        context = attend(a, s)\n        later = 1\n"
            "    ### END SOLUTION\n    return context\n")
    changes = {m.change for m in mutants.make_mutants("decode", cell) if m.operator == "input replaced"}
    assert "attend(a, s)  ->  attend(a, s0)" in changes  # the attention queried with the initial state
    assert not any("later" in change for change in changes)  # bound only after the call


def test_the_solution_itself_passes_and_a_known_mistake_is_killed_by_the_public_check(word_vectors):
    source = word_vectors.cells["neutralize"]
    solution = mutants.Mutant("neutralize", "none", 0, "", source)
    assert word_vectors.judge(solution).outcome == "survived"  # the unchanged solution passes public and hidden
    deleted = [m for m in mutants.make_mutants("neutralize", source) if m.operator == "statement deleted"]
    verdicts = [word_vectors.judge(m) for m in deleted]
    assert verdicts and all(v.outcome == "public" for v in verdicts), [(v.mutant.change, v.outcome) for v in verdicts]


def test_a_solution_that_fails_its_own_checks_measures_nothing(tmp_path):
    root = scratch_course(tmp_path, AID)
    (path,) = (root / "source" / AID).glob("*.ipynb")
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "cosine_similarity")
    cell.source = cell.source.replace("### BEGIN SOLUTION\n", "### BEGIN SOLUTION\n    return 0.0\n", 1)
    nbformat.write(nb, path)
    with pytest.raises(RuntimeError, match="fails its own test cell"):
        mutants.run(root, AID, ["cosine_similarity"])


def test_a_mutant_that_never_ends_is_stopped(word_vectors):
    source = word_vectors.cells["cosine_similarity"].replace("### BEGIN SOLUTION\n",
                                                             "### BEGIN SOLUTION\n    while True:\n        pass\n")
    verdict = word_vectors.judge(mutants.Mutant("cosine_similarity", "loop", 0, "", source), seconds=1)
    assert verdict.outcome == "timeout"


def _moved_to_hidden(cell_source: str) -> str:
    """A test cell whose public part runs with the hidden tests instead: what it kills, only hidden tests kill."""
    public, hidden = cell_source.split("### BEGIN HIDDEN TESTS")
    return "# public part moved\n### BEGIN HIDDEN TESTS\n" + public + hidden


def test_in_process_verdicts_agree_with_sandboxed_grading(tmp_path, capsys):
    """One mutant of each outcome (public, hidden only, survived), submitted and graded by `autograde`: the function
    loses its points exactly when the harness says a check kills it, and no other function loses any. The scratch
    course's `equalize` test cell runs its public part among the hidden tests, so that some mutants are killed only
    there; an equivalent mutant (a dot product of two vectors with its arguments swapped) survives."""
    root = scratch_course(tmp_path, AID)
    (src_path,) = (root / "source" / AID).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)
    tests = next(c for c in source.cells if nbgrader_meta(c).get("grade_id") == "equalize_tests")
    tests.source = _moved_to_hidden(tests.source)
    nbformat.write(source, src_path)
    assignment = mutants.Assignment.load(root, AID)
    sample = {}
    for function in ("neutralize", "equalize"):
        for mutant in mutants.make_mutants(function, assignment.cells[function]):
            outcome = assignment.judge(mutant).outcome
            if outcome == "public" and function == "neutralize" or outcome == "hidden" and function == "equalize" \
                    or outcome == "survived" and mutant.operator == "arguments swapped" and "np.dot" in mutant.change:
                sample.setdefault(outcome, mutant)
    assert {"public", "hidden", "survived"} <= set(sample), sorted(sample)
    for outcome, mutant in sample.items():
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == mutant.function)
        cell.source = mutant.source
        path = root / "submitted" / outcome / AID / src_path.name
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    assert cli(["--root", str(root), "autograde", AID, "--jobs", "1", "--no-progress"]) == 2  # no release yet
    assert "holds no notebook" in capsys.readouterr().err
    grading.generate_release(root, [AID])
    assert cli(["--root", str(root), "autograde", AID, "--jobs", "1", "--no-progress"]) == 0
    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells
              if nbgrader_meta(c).get("grade")}
    for outcome, mutant in sample.items():
        scores = grading.scores(root, AID, outcome)
        lost = f"{mutant.function}_tests"
        expected = dict(points, **{lost: points[lost] if outcome == "survived" else 0})
        assert scores == expected, (outcome, mutant.change, scores)


class _Reference:
    """A stand-in for an assignment's reference module: only its probes and classic mistakes."""
    def __init__(self, probes=None, mistakes=None):
        self.PROBES, self.MISTAKES = probes or {}, mistakes or {}


def test_a_survivor_is_equivalent_only_when_it_agrees_on_every_probe(word_vectors, monkeypatch):
    source = word_vectors.cells["cosine_similarity"]
    made = {m.change: m for m in mutants.make_mutants("cosine_similarity", source)}
    swapped = made["np.dot(u, v)  ->  np.dot(v, u)"]  # the same for any two vectors
    shorter = mutants.Mutant("cosine_similarity", "guard dropped", 0, "",
                             source.replace("if norm_u == 0 or norm_v == 0:", "if False:"))
    vectors = lambda rng: [(rng.normal(size=n), rng.normal(size=n)) for n in (1, 3, 50)]  # noqa: E731
    calls = vectors(np.random.default_rng(0))
    assert word_vectors.equivalent(swapped, calls) == (True, "")
    assert word_vectors.equivalent(shorter, calls) == (True, "")  # these probes miss the zero vector ...
    chatty = mutants.Mutant("cosine_similarity", "prints", 0, "", source.replace(
        "    norm_u = np.linalg.norm(u)\n", "    norm_u = np.linalg.norm(u)\n    print(norm_u)\n"))
    assert word_vectors.equivalent(chatty, calls) == (False, "probe call 0: it prints something else")
    with_zero = calls + [(np.zeros(4), np.ones(4))]
    same, why = word_vectors.equivalent(shorter, with_zero)  # ... the contract's boundary tells them apart
    assert not same and why.startswith("probe call 3")
    monkeypatch.setattr(mutants.Assignment, "_reference", property(lambda self: _Reference(
        probes={"cosine_similarity": lambda rng: vectors(rng) + [(np.zeros(4), np.ones(4))]})))
    assert len(word_vectors.probe_inputs("cosine_similarity")) == 4
    assert word_vectors.probe_inputs("neutralize") is None  # no probe: no survivor of it counts as equivalent


def test_keras_models_are_compared_by_what_they_compute_in_inference_and_training():
    """A GRU that reads backwards, or a dropout layer deleted (the same in inference, not in training), is no
    equivalent of the detector; the solution is its own equivalent."""
    assignment = mutants.Assignment.load(ROOT, "w3a2_trigger_word")
    source = assignment.cells["modelf"]
    calls = [((40, 12),)]
    assert assignment.equivalent(mutants.Mutant("modelf", "none", 0, "", source), calls) == (True, "")
    made = mutants.make_mutants("modelf", source)
    backwards = next(m for m in made if m.operator == "go_backwards added")
    assert assignment.equivalent(backwards, calls)[1].endswith("(inference)")
    no_dropout = next(m for m in made if m.operator == "statement deleted" and "Dropout" in m.change)
    assert assignment.equivalent(no_dropout, calls)[1].endswith("(training)")


def test_a_classic_mistake_must_edit_one_place_of_a_solution_region(word_vectors):
    source = word_vectors.cells["cosine_similarity"]
    mistake = mutants.Mistake("cosine_similarity", "no guard", "if norm_u == 0 or norm_v == 0:", "if False:", "zero")
    assert "if False:" in mistake.mutant(source).source
    for old in ("norm_", "def cosine_similarity(u, v):", "not in the cell"):  # many times; outside a region; none
        with pytest.raises(ValueError, match="exactly once in the solution cell"):
            mutants.Mistake("cosine_similarity", "bad", old, "x", "x").mutant(source)


@pytest.mark.parametrize("aid", ASSIGNMENTS)
def test_every_classic_mistake_is_caught_and_named_by_the_public_check(aid):
    """The reference lists classic mistakes of every graded function, and a probe for each; every mistake fails the
    public check, whose message names it."""
    assignment = mutants.Assignment.load(ROOT, aid)
    for function, source in assignment.cells.items():
        listed = assignment.mistakes(function)
        assert len(listed) >= 3, f"{aid}: {function} lists {len(listed)} classic mistakes"
        assert assignment.probe_inputs(function), f"{aid}: no probe for {function}"
        for mistake in listed:
            verdict = assignment.judge(mistake.mutant(source), seconds=60)
            assert verdict.outcome in ("public", "timeout") and mistake.named_in(verdict.message), \
                (function, mistake.what, verdict.outcome, verdict.message[:400])


def test_the_command_reports_per_function_and_writes_json(tmp_path, capsys):
    root = scratch_course(tmp_path, AID)
    assert cli(["--root", str(root), "mutants", AID, "--function", "cosine_similarity"]) == 0
    out = capsys.readouterr().out
    assert "cosine_similarity" in out and "survived" in out
    report = json.loads((root / "benchmarks" / "results" / f"mutants_{AID}.json").read_text())
    entry = report["functions"]["cosine_similarity"]
    assert entry["made"] == (entry["killed_by_public"] + entry["killed_only_by_hidden"] + entry["survived"]
                             + entry["equivalent"]) > 5
    with pytest.raises(SystemExit, match="no graded function"):
        cli(["--root", str(root), "mutants", AID, "--function", "no_such_function"])

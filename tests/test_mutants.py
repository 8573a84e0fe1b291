"""The mutation harness: it mutates only solution regions, judges with the graded test cells, and its in-process
verdicts agree with sandboxed grading."""
from __future__ import annotations

import ast
import json

import nbformat
import pytest

from autograder import grading, mutants
from autograder.cli import main as cli
from course import ROOT, nbgrader_meta, scratch_course

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


def test_in_process_verdicts_agree_with_sandboxed_grading(word_vectors, tmp_path, capsys):
    """One mutant of each outcome (public, hidden only, survived), submitted and graded by `autograde`: the function
    loses its points exactly when the harness says a check kills it, and no other function loses any."""
    made = mutants.make_mutants("equalize", word_vectors.cells["equalize"])
    sample = {}
    for mutant in made:
        outcome = word_vectors.judge(mutant).outcome
        sample.setdefault(outcome, mutant)
        if {"public", "hidden", "survived"} <= set(sample):
            break
    assert {"public", "hidden", "survived"} <= set(sample), sorted(sample)
    root = scratch_course(tmp_path, AID)
    (src_path,) = (root / "source" / AID).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)
    for outcome, mutant in sample.items():
        nb = nbformat.from_dict(json.loads(json.dumps(source)))
        cell = next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == "equalize")
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
    for outcome in sample:
        scores = grading.scores(root, AID, outcome)
        expected = dict(points, equalize_tests=points["equalize_tests"] if outcome == "survived" else 0)
        assert scores == expected, (outcome, sample[outcome].change, scores)


def test_the_command_reports_per_function_and_writes_json(tmp_path, capsys):
    root = scratch_course(tmp_path, AID)
    assert cli(["--root", str(root), "mutants", AID, "--function", "cosine_similarity"]) == 0
    out = capsys.readouterr().out
    assert "cosine_similarity" in out and "survived" in out
    report = json.loads((root / "benchmarks" / "results" / f"mutants_{AID}.json").read_text())
    entry = report["functions"]["cosine_similarity"]
    assert entry["made"] == entry["killed_by_public"] + entry["killed_only_by_hidden"] + entry["survived"] > 5
    with pytest.raises(SystemExit, match="no graded function"):
        cli(["--root", str(root), "mutants", AID, "--function", "no_such_function"])

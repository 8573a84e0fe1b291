"""nbgrader autograding of generated sample submissions, through the course's grading pipeline."""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest

from adversarial import HONEST, LOOP_CELL_SECONDS, STDERR_MARK, STYLES, attacks, graded_names, hostile_cell
from autograder import grading
from autograder.cli import main as cli
from course import ASSIGNMENTS, ROOT, nbgrader_meta, scratch_course

# Per assignment: a leaf function (nothing else calls it) and code that, appended to its solution cell,
# makes it wrong. Only that function's test may lose points.
WRONG = {
    "w1a1_rnn_step_by_step": ("rnn_backward", """
_correct_rnn_backward = rnn_backward
def rnn_backward(da, caches):
    gradients = _correct_rnn_backward(da, caches)
    gradients["dba"] = 2 * gradients["dba"]  # a wrong factor
    return gradients
"""),
    "w1a2_dinosaur_island": ("model", """
_correct_model = model
def model(data_x, ix_to_char, char_to_ix, num_iterations, n_a=50, dino_names=7, vocab_size=27, verbose=False):
    parameters, last_dino_name = _correct_model(data_x, ix_to_char, char_to_ix, num_iterations, n_a, dino_names,
                                                vocab_size, verbose)
    parameters["by"] = parameters["by"] + 1.0  # a wrong final update
    return parameters, last_dino_name
"""),
    "w2a2_emojify": ("sentences_to_indices", """
_correct_sentences_to_indices = sentences_to_indices
def sentences_to_indices(X, word_to_index, max_len):
    X_indices = _correct_sentences_to_indices(X, word_to_index, max_len)
    return X_indices[:, ::-1].copy()  # the padding first and the words in reverse order
"""),
    "w1a3_jazz_improvisation": ("predict_and_sample", """
_correct_predict_and_sample = predict_and_sample
def predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer):
    results, indices = _correct_predict_and_sample(inference_model, x_initializer, a_initializer, c_initializer)
    return results, indices[::-1].copy()  # the steps in reverse order
"""),
    "w3a1_machine_translation": ("bleu_score", """
_correct_bleu_score = bleu_score
def bleu_score(candidate, references, max_n=4):
    return min(1.0, 1.1 * _correct_bleu_score(candidate, references, max_n))  # a wrong factor
"""),
    "w3a2_trigger_word": ("modelf", """
_correct_modelf = modelf
def modelf(input_shape):
    model = _correct_modelf(input_shape)
    return Model(inputs=model.inputs, outputs=model.layers[-2].output)  # the output layer left out
"""),
    "w2a3_word2vec": ("sgns_step", """
_correct_sgns_step = sgns_step
def sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, learning_rate):
    return _correct_sgns_step(center_vectors, outside_vectors, centers, contexts, negatives, 2 * learning_rate)
"""),
    "w3a3_ctc": ("extend_with_blanks", """
_correct_extend_with_blanks = extend_with_blanks
def extend_with_blanks(labels, blank=0):
    extended, skip_allowed = _correct_extend_with_blanks(labels, blank)
    skip_allowed[3::2] = True  # a repeat allowed to skip its blank
    return extended, skip_allowed
"""),
    "w2a1_word_vectors": ("neutralize", """
def neutralize(word, g, word_to_vec_map):
    return word_to_vec_map[word]  # the bias component is not removed
"""),
}


# Per assignment: code appended to the cells of several graded functions (grade id -> code) that makes each of them
# wrong, where later graded functions call or build on them. Exactly those functions' points are lost.
CASCADE = {
    "w1a1_rnn_step_by_step": {
        "rnn_cell_forward": """
def rnn_cell_forward(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt)  # the bias ba is missing
    yt_pred = softmax(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred, (a_next, a_prev, xt, parameters)
""",
        "rnn_cell_backward": """
_correct_rnn_cell_backward = rnn_cell_backward
def rnn_cell_backward(da_next, cache):
    gradients = _correct_rnn_cell_backward(da_next, cache)
    gradients["dxt"] = 2 * gradients["dxt"]  # a wrong derivative
    return gradients
""",
    },
    "w3a1_machine_translation": {  # modelf calls one_step_attention, which cannot stand in (it builds on Keras
        # tensors): when the student's attention fails its own check, modelf's check does not hold the attention
        # against modelf (its first run's weights make any attention that sums to 1 give the same outputs)
        "one_step_attention": """
def one_step_attention(a, s_prev):
    concat = concatenator([repeator(s_prev), a])  # the concatenation in the wrong order
    return dotor([activator(densor2(densor1(concat))), a])
""",
    },
    "w3a2_trigger_word": {  # insert_audio_clip calls is_overlapping; create_training_example calls both and insert_ones
        "is_overlapping": """
def is_overlapping(segment_time, previous_segments):
    return any(segment_time[0] < end and segment_time[1] > start for start, end in previous_segments)  # strict
""",
        "insert_ones": """
_correct_insert_ones = insert_ones
def insert_ones(y, segment_end_ms):
    return _correct_insert_ones(y, segment_end_ms - 100)  # the ones start too early
""",
    },
    "w2a3_word2vec": {  # skipgram and cbow default to the naive softmax; the training cells call every sampler
        "naive_softmax_loss_and_gradient": """
_correct_naive_softmax_loss_and_gradient = naive_softmax_loss_and_gradient
def naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors):
    loss, grad_center, grad_outside = _correct_naive_softmax_loss_and_gradient(center_vec, outside_index,
                                                                               outside_vectors)
    return loss, -grad_center, grad_outside  # the gradient with the wrong sign
""",
        "noise_distribution": """
def noise_distribution(counts, power=0.75):
    counts = np.asarray(counts, dtype=np.float64)
    return counts / counts.sum()  # the power is not applied
""",
    },
    "w3a3_ctc": {  # the forward and backward passes, the gradient and the alignment call extend_with_blanks;
        # greedy_decode calls collapse
        "extend_with_blanks": """
def extend_with_blanks(labels, blank=0):
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    extended = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    extended[1::2] = labels
    return extended, np.zeros(len(extended), dtype=bool)  # no skip anywhere
""",
        "collapse": """
def collapse(path, blank=0):
    kept = [int(k) for k in np.asarray(path).reshape(-1) if k != blank]  # the blanks dropped first
    return [k for i, k in enumerate(kept) if i == 0 or k != kept[i - 1]]
""",
    },
    "w1a2_dinosaur_island": {  # optimize calls clip; model calls sample, optimize and clip
        "clip": """
def clip(gradients, maxValue):
    return {name: value.copy() for name, value in gradients.items()}  # nothing is clipped
""",
        "sample": """
_correct_sample = sample
def sample(parameters, char_to_ix, seed):
    return _correct_sample(parameters, char_to_ix, seed + 1)  # the wrong seed
""",
    },
}

def _cell(nb, grade_id):
    return next(c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id)


# Students of every run who hand in no working solution: their points are all 0.
NOTHING_DUE = ("untouched_release", "hostile")

# The assignments whose class also has the wrong function's test cell edited away ("edited_test") and deleted
# ("deleted_test"). Restoring a test cell is the same code for every assignment (the cell comes back from the
# release by its grade id), so two classes show it (one that trains Keras models), not all nine: each costs two more
# runs of the whole notebook.
TAMPERED = ("w1a1_rnn_step_by_step", "w2a2_emojify")


@pytest.fixture(scope="module", params=[a for a in ASSIGNMENTS if a in WRONG])
def graded(request, tmp_path_factory):
    """Autograde a small class of one assignment in a scratch course, in one run: the source notebook, the release,
    wrong ones, an unreadable one, honest variants of the solution and a hostile submission; returns what the
    tests read."""
    aid = request.param
    root = scratch_course(tmp_path_factory.mktemp(aid), aid)
    if LOOP_CELL_SECONDS[aid]:  # the hostile submission's endless loop costs the run one short cell limit
        with open(root / "nbgrader_config.py", "a") as config:
            config.write(f"\nc.Execute.timeout = {LOOP_CELL_SECONDS[aid]}\n")
    grading.generate_release(root, [aid])
    (src_path,) = (root / "source" / aid).glob("*.ipynb")
    source = nbformat.read(src_path, as_version=4)
    release = nbformat.read(root / "release" / aid / src_path.name, as_version=4)
    func, wrong_code = WRONG[aid]

    def submit(student, nb=None, raw=None):
        path = root / "submitted" / student / aid / src_path.name
        path.parent.mkdir(parents=True)
        path.write_text(raw) if raw is not None else nbformat.write(nb, path)

    def copy(nb):
        return nbformat.from_dict(json.loads(json.dumps(nb)))

    def wrong():
        nb = copy(source)
        _cell(nb, func).source += "\n" + wrong_code
        return nb

    points = {nbgrader_meta(c)["grade_id"]: nbgrader_meta(c)["points"] for c in source.cells if nbgrader_meta(c).get("grade")}
    expected = {"full_marks": points, "honest_variants": points, **{s: dict.fromkeys(points, 0.0) for s in NOTHING_DUE}}
    submit("full_marks", source)
    submit("untouched_release", release)
    submit("one_wrong", wrong())
    wrong_ones = ["one_wrong"]
    if aid in TAMPERED:
        edited = wrong()
        _cell(edited, f"{func}_tests").source = "# tests removed by the student\npass"
        submit("edited_test", edited)
        deleted = wrong()
        deleted.cells.remove(_cell(deleted, f"{func}_tests"))
        submit("deleted_test", deleted)
        wrong_ones += ["edited_test", "deleted_test"]
    for student in wrong_ones:
        expected[student] = dict(points, **{f"{func}_tests": 0.0})
    submit("not_json", raw='{"cells": [ this is not a notebook')
    honest = copy(source)
    for variant in HONEST[aid]:
        _cell(honest, variant.grade_id).source += "\n" + variant.code
    submit("honest_variants", honest)
    if aid in CASCADE:
        cascade = copy(source)
        for gid, code in CASCADE[aid].items():
            _cell(cascade, gid).source += "\n" + code
        submit("cascade", cascade)
        expected["cascade"] = dict(points, **{f"{gid}_tests": 0.0 for gid in CASCADE[aid]})
    hostile = copy(release)
    setup_at = next(i for i, c in enumerate(hostile.cells) if nbgrader_meta(c).get("grade_id") == "setup") + 1
    hostile.cells.insert(setup_at, nbformat.v4.new_code_cell(hostile_cell(aid, graded_names(source.cells))))
    submit("hostile", hostile)

    report = root / "report.csv"  # the per-student table: each submission's status and problems
    exit_code = cli(["--root", str(root), "autograde", aid, "--jobs", "2", "--report", str(report)])  # in parallel
    with open(report, newline="", encoding="utf-8") as handle:
        reports = {row["student"]: row for row in csv.DictReader(handle)}
    g = {"root": root, "aid": aid, "func": func, "points": points, "exit": exit_code, "expected": expected,
         "reports": reports}
    g["counts"] = adversarial_counts(g)
    print(f"\n{aid}: " + ", ".join(f"{value:g} {name}" for name, value in g["counts"].items())
          + f" ({len(HONEST[aid])} honest variants; the hostile submission: {', '.join(attacks(aid))})")
    return g


def _recorded(g, student) -> dict:
    """The student's points per graded cell, or {} when the gradebook holds no grade for the student."""
    try:
        return _scores(g, student)
    except Exception:  # noqa: BLE001 - nbgrader's MissingEntry: nothing was recorded
        return {}


def adversarial_counts(g) -> dict:
    """What one run shows about its honest and hostile students: the submissions run, the points earned that were
    not due (by anyone), the submissions left ungraded that could be graded, the students other than the hostile
    one whose scores are not exactly what they should be, and the points those students lost."""
    unearned = lost = 0.0
    affected = 0
    for student, due in g["expected"].items():
        got = _recorded(g, student)
        unearned += sum(max(0.0, (got.get(gid) or 0.0) - points) for gid, points in due.items())
        if student != "hostile":
            lost += sum(max(0.0, points - (got.get(gid) or 0.0)) for gid, points in due.items())
            affected += got != due
    crashes = sum(row["status"] != "graded" for student, row in g["reports"].items() if student != "not_json")
    return {"cases run": len(g["reports"]), "unearned points": unearned, "crashes": crashes,
            "classmates affected": affected, "honest points lost": lost}


def _scores(g, student):
    return grading.scores(g["root"], g["aid"], student)


def test_source_gets_full_marks(graded):
    assert _scores(graded, "full_marks") == graded["points"]


def test_untouched_release_gets_zero(graded):
    scores = _scores(graded, "untouched_release")
    assert set(scores) == set(graded["points"]) and sum(scores.values()) == 0


def _skip_untampered(graded):
    if graded["aid"] not in TAMPERED:
        pytest.skip(f"test cells are tampered with in the classes of {', '.join(TAMPERED)} only")


@pytest.mark.parametrize("student", ["one_wrong", "edited_test", "deleted_test"])
def test_a_wrong_function_loses_exactly_its_points(graded, student):
    if student != "one_wrong":
        _skip_untampered(graded)
    expected = dict(graded["points"], **{f"{graded['func']}_tests": 0.0})
    assert _scores(graded, student) == expected


def test_honest_variants_get_every_point(graded):
    """Other correct implementations, in other styles (see tests/adversarial.py), earn what the solution earns."""
    report = graded["reports"]["honest_variants"]
    assert _scores(graded, "honest_variants") == graded["points"], report["problems"]


def test_output_on_stderr_never_costs_points(graded):
    """The honest variants print to stderr and warn while they are tested: the output is kept, no point is lost."""
    (notebook,) = (graded["root"] / "autograded" / "honest_variants" / graded["aid"]).glob("*.ipynb")
    stderr = "".join(o.get("text", "") for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"
                     for o in c.outputs if o.get("name") == "stderr")
    assert STDERR_MARK in stderr and "Warning" in stderr
    assert _scores(graded, "honest_variants") == graded["points"]


def test_honest_variants_cover_every_style():
    """At least three variants per assignment, and every style somewhere in the course."""
    assert all(len(HONEST[aid]) >= 3 for aid in ASSIGNMENTS)
    assert {style for variants in HONEST.values() for v in variants for style in v.styles} == set(STYLES)


def test_hostile_submission_earns_nothing(graded):
    """Rebound checks, patched numpy, plausible or replayed answers, a forged reply channel and an endless loop in
    the kernel: not one point."""
    scores = _scores(graded, "hostile")
    assert set(scores) == set(graded["points"]) and sum(scores.values()) == 0, scores
    (notebook,) = (graded["root"] / "autograded" / "hostile" / graded["aid"]).glob("*.ipynb")
    said = json.dumps([c.get("outputs", []) for c in nbformat.read(notebook, as_version=4).cells])
    assert "stored answers" in said and "reply channel" in said  # the attack cell ran to its end


def test_every_classmate_of_the_hostile_submission_gets_exactly_its_scores(graded):
    """The hostile student shares the run (and its workers) with everyone else: nobody gains or loses a point."""
    for student, due in graded["expected"].items():
        if student != "hostile":
            assert _scores(graded, student) == due, (student, graded["reports"][student]["problems"])
    assert {s for s, row in graded["reports"].items() if row["status"] != "graded"} == {"not_json"}


def test_adversarial_counts_are_zero(graded):
    counts = graded["counts"]
    assert counts["cases run"] == len(graded["expected"]) + 1  # every student with an expected grade, and not_json
    assert [counts[k] for k in ("unearned points", "crashes", "classmates affected", "honest points lost")] == \
        [0, 0, 0, 0], counts


def test_one_bug_costs_one_functions_points(graded):
    """Functions that call or build on the wrong ones are graded with the reference standing in for them."""
    if graded["aid"] not in CASCADE:
        pytest.skip("no cascade case for this assignment")
    wrong = CASCADE[graded["aid"]]
    expected = dict(graded["points"], **{f"{gid}_tests": 0.0 for gid in wrong})
    assert _scores(graded, "cascade") == expected


def test_feedback_shows_no_hidden_test_and_renders_math_offline(graded):
    root, aid = graded["root"], graded["aid"]
    assert cli(["--root", str(root), "feedback", aid]) == 0
    (page,) = (root / "feedback" / "full_marks" / aid).glob("*.html")
    html = page.read_text()
    assert "HIDDEN TESTS" not in html and "seed=11" not in html
    assert "mathjax" not in html.lower() and "cdnjs" not in html
    assert "<math" in html
    (source,) = (root / "source" / aid).glob("*.ipynb")
    public = 0
    for cell in nbformat.read(source, as_version=4).cells:
        if nbgrader_meta(cell).get("grade"):
            public += len([line for line in cell.source.split("### BEGIN HIDDEN TESTS")[0].splitlines()
                           if line.startswith("check_")])
    assert html.count("all checks passed") == public  # one pass line per public check, none for hidden ones


def test_deleted_test_cell_is_restored_and_the_submission_left_as_it_was(graded):
    _skip_untampered(graded)
    folder = graded["root"] / "submitted" / "deleted_test" / graded["aid"]
    (submitted,) = folder.glob("*.ipynb")
    gid = f"{graded['func']}_tests"
    assert gid not in [nbgrader_meta(c).get("grade_id") for c in nbformat.read(submitted, as_version=4).cells]
    (autograded,) = (graded["root"] / "autograded" / "deleted_test" / graded["aid"]).glob("*.ipynb")
    assert gid in [nbgrader_meta(c).get("grade_id") for c in nbformat.read(autograded, as_version=4).cells]


def test_invalid_notebook_is_reported_and_others_still_graded(graded):
    assert graded["exit"] == 2  # not every submission could be graded
    reports = {r.student: r for r in grading.autograde(graded["root"], graded["aid"], ["not_json"])}
    assert not reports["not_json"].graded
    assert "is not a valid notebook" in reports["not_json"].problems[0]
    assert "re-submit" in reports["not_json"].problems[0]
    assert _scores(graded, "full_marks") == graded["points"]
    csv = graded["root"] / "grades.csv"
    assert cli(["--root", str(graded["root"]), "export", "--to", str(csv)]) == 0
    with open(csv, newline="") as handle:
        rows = {r["student_id"]: r for r in __import__("csv").DictReader(handle)}
    assert {"full_marks", "untouched_release", "one_wrong", "not_json"} <= set(rows)
    aid = graded["aid"]
    # a file that is not a notebook scores 0 in the gradebook (the run reported it as not graded, to re-submit)
    assert float(rows["not_json"][aid]) == 0 and float(rows["full_marks"][aid]) == sum(graded["points"].values())


def test_an_endless_loop_is_stopped_and_reported(tmp_path):
    """A toy assignment with a 3 s cell limit: the looping function scores 0, the other one still counts."""
    aid = "toy"
    (tmp_path / "nbgrader_config.py").write_text((ROOT / "nbgrader_config.py").read_text() + "\nc.Execute.timeout = 3\n")
    v4 = nbformat.v4

    def cell(source, gid, **meta):
        c = v4.new_code_cell(source)
        c.metadata["nbgrader"] = dict(grade_id=gid, schema_version=3, task=False, **meta)
        return c

    def notebook(body_f):
        return v4.new_notebook(cells=[
            v4.new_markdown_cell("# Toy"),
            cell(f"def f(x):\n    ### BEGIN SOLUTION\n    {body_f}\n    ### END SOLUTION\n", "f", grade=False, solution=True, locked=False),
            cell("assert f(2) == 4", "f_tests", grade=True, solution=False, locked=True, points=2),
            cell("def g(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION\n", "g", grade=False, solution=True, locked=False),
            cell("assert g(2) == 3", "g_tests", grade=True, solution=False, locked=True, points=1),
        ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})

    (tmp_path / "source" / aid).mkdir(parents=True)
    nbformat.write(notebook("return 2 * x"), tmp_path / "source" / aid / "toy.ipynb")
    grading.generate_release(tmp_path, [aid])
    (tmp_path / "submitted" / "looper" / aid).mkdir(parents=True)
    nbformat.write(notebook("while True:\n        pass"), tmp_path / "submitted" / "looper" / aid / "toy.ipynb")
    (report,) = grading.autograde(tmp_path, aid)
    assert (report.score, report.max_score) == (1, 3)
    assert any(re.search(r"f_tests: f ran past the per-cell time limit", p) for p in report.problems), report.problems


def test_autograde_works_from_a_fresh_clone_without_release_or_activation(tmp_path):
    """Exactly the README's command on a course with no gradebook, no prior release step and no activated
    environment (PATH without the environment's tools)."""
    aid = "w1a1_rnn_step_by_step"
    root = scratch_course(tmp_path, aid)
    shutil.copytree(ROOT / "release" / aid, root / "release" / aid)
    (src,) = (root / "source" / aid).glob("*.ipynb")
    (root / "submitted" / "ada" / aid).mkdir(parents=True)
    shutil.copy2(src, root / "submitted" / "ada" / aid / src.name)
    env = dict(os.environ, PATH="/usr/bin:/bin")
    proc = subprocess.run([sys.executable, "-m", "autograder", "--root", str(root), "autograde", aid], env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "25 / 25" in proc.stdout

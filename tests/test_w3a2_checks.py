"""w3a2 (trigger word detection): the public checks of the five graded functions pass the reference (public and
hidden arguments, with and without the reference installed) and other correct implementations (one that draws its
random numbers in another order included), and name each classic mistake; the reference's model has the parameter
counts the notebook states."""
from __future__ import annotations

import inspect
import json
import re
import sys
import time

import numpy as np
import pytest

from checks import fixtures as fixtures_module
from checks.assertions import CheckFailed
from checks.fixtures import case_key, encode
from autograder.reference import NotebookName
from autograder.reference import w3a2_trigger_word as R
from week3 import trigger_checks as C
from week3.audio import get_random_time_segment, match_target_amplitude, spectrogram

keras = pytest.importorskip("keras")
L = keras.layers

ID = "w3a2_trigger_word"
CHECKS = {"is_overlapping": C.check_is_overlapping, "insert_audio_clip": C.check_insert_audio_clip,
          "insert_ones": C.check_insert_ones, "create_training_example": C.check_create_training_example,
          "modelf": C.check_modelf}
SEEDED = ("insert_audio_clip", "create_training_example")  # their checks take the notebook's set_seed
HIDDEN_SEEDS = {"is_overlapping": [1, 2, 3], "insert_audio_clip": [1, 2, 3], "insert_ones": [1, 2, 3],
                "create_training_example": [1, 2, 3], "modelf": [1, 2]}

# the notebook's other graded functions, as a student's function reaches them through its globals
is_overlapping, insert_audio_clip, insert_ones = R.is_overlapping, R.insert_audio_clip, R.insert_ones


def set_seed(seed):
    """The notebook's locked helper."""
    np.random.seed(seed)


def run(name, fn, **kwargs):
    return CHECKS[name](fn, set_seed, **kwargs) if name in SEEDED else CHECKS[name](fn, **kwargs)


def fails(name, fn, pattern, **kwargs):
    with pytest.raises(CheckFailed) as info:
        run(name, fn, **kwargs)
    assert re.search(pattern, str(info.value)), str(info.value)
    return str(info.value)


def _stored() -> dict:
    """What ``python -m autograder fixtures`` stores for the public calls (the checks' default arguments)."""
    return {name: {case_key({"seed": None}): json.loads(json.dumps(encode(R.CASES[name](seed=None))))}
            for name in CHECKS}


@pytest.fixture(scope="module")
def stored():
    return _stored()


@pytest.fixture(params=["grading", "student's copy"])
def setting(request, monkeypatch, stored):
    """Public arguments have stored cases; while grading the reference is installed (hidden cases, stand-ins),
    in the student's copy it is not."""
    ref = R if request.param == "grading" else None
    original = fixtures_module.reference
    monkeypatch.setattr(fixtures_module, "reference", lambda aid: ref if aid == ID else original(aid))
    monkeypatch.setattr(C.FIXTURES, "_stored", stored)
    monkeypatch.setattr(C.FIXTURES, "_computed", {})
    return request.param


@pytest.fixture
def grading(monkeypatch, stored):
    """The reference installed and the public cases stored (as in the instructor's course)."""
    original = fixtures_module.reference
    monkeypatch.setattr(fixtures_module, "reference", lambda aid: R if aid == ID else original(aid))
    monkeypatch.setattr(C.FIXTURES, "_stored", stored)
    monkeypatch.setattr(C.FIXTURES, "_computed", {})

# ---------------------------------------------------------------------------- the reference


def test_the_reference_module_has_the_graded_functions_and_the_cases():
    assert R.CHECKS == "week3.trigger_checks" and C.FIXTURES.aid == ID
    assert list(R.GRADED) == list(CHECKS) == list(R.CASES)
    signatures = {name: list(inspect.signature(fn).parameters) for name, fn in R.GRADED.items()}
    assert signatures == {"is_overlapping": ["segment_time", "previous_segments"],
                          "insert_audio_clip": ["background", "audio_clip", "previous_segments"],
                          "insert_ones": ["y", "segment_end_ms"],
                          "create_training_example": ["background", "activates", "negatives", "Ty"],
                          "modelf": ["input_shape"]}
    for name, check in CHECKS.items():  # every check argument but the function and set_seed is a case argument
        params = list(inspect.signature(check).parameters)[1:]
        assert [p for p in params if p != "set_seed"] == list(inspect.signature(R.CASES[name]).parameters)
        assert ("set_seed" in params) == (name in SEEDED)


def test_the_reference_model_has_the_parameters_the_notebook_states():
    model = R.modelf((5511, 101))
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    non_trainable = int(sum(np.prod(w.shape) for w in model.non_trainable_weights))
    assert (model.count_params(), trainable, non_trainable) == (523_329, 522_425, 904)
    assert tuple(model.output_shape) == (None, 1375, 1)
    counts = R.model_counts(5511, 101)
    assert (counts["trainable"], counts["non_trainable"], counts["output_shape"]) == (522_425, 904, (None, 1375, 1))
    for shape in [(1011, 101), (2011, 80)]:  # the formula agrees with Keras on other shapes
        other = R.modelf(shape)
        assert R.model_counts(*shape) == {"trainable": int(sum(np.prod(w.shape) for w in other.trainable_weights)),
                                          "non_trainable": int(sum(np.prod(w.shape)
                                                                   for w in other.non_trainable_weights)),
                                          "output_shape": tuple(other.output_shape)}


def test_stored_cases_are_small(stored):
    assert len(json.dumps(stored)) < 60_000


def test_the_public_calls_and_their_names_arguments():
    """The notebook's test cells call check_x(x) or check_x(x, set_seed): set_seed is a NotebookName (left out of
    the stored case's key), every other argument has its default."""
    for name in SEEDED:
        params = inspect.signature(CHECKS[name]).parameters
        assert list(params)[:2] == [name, "set_seed"] and params["set_seed"].default is inspect.Parameter.empty
    assert isinstance(NotebookName("set_seed"), str)


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_reference_passes_the_public_check_with_one_pass_line(setting, name, capsys):
    run(name, R.GRADED[name])
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"\u2714 {name}: all checks passed."]


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_reference_passes_hidden_seeds_silently(grading, name, capsys):
    for seed in HIDDEN_SEEDS[name]:
        run(name, R.GRADED[name], seed=seed)
    assert capsys.readouterr().out == ""


def test_without_the_reference_other_seeds_are_refused(setting):
    if setting == "grading":
        return
    with pytest.raises(CheckFailed, match="no stored expected values"):
        C.check_insert_ones(R.insert_ones, seed=1)


def test_the_checks_leave_the_callers_random_state_alone(grading):
    np.random.seed(42)
    before = np.random.get_state()[1].copy()
    C.check_insert_audio_clip(R.insert_audio_clip, lambda s: None)
    C.check_create_training_example(R.create_training_example, lambda s: None)
    assert np.array_equal(np.random.get_state()[1], before)

# ---------------------------------------------------------------------------- is_overlapping


def _overlapping(mistake):
    def is_overlapping(segment_time, previous_segments):
        s, e = segment_time
        if mistake == "first":
            for ps, pe in previous_segments:
                return s <= pe and e >= ps  # returns at the first previous segment
            return False
        overlap = False
        for ps, pe in previous_segments:
            if mistake == "last":
                overlap = s <= pe and e >= ps
            elif mistake == "strict" and s < pe and e > ps:
                overlap = True
            elif mistake == "swapped" and s >= pe and e <= ps:
                overlap = True
            elif mistake == "containing" and s <= ps and e >= pe:
                overlap = True
        return overlap
    return is_overlapping


def test_is_overlapping_cases_cover_the_edges():
    runs = C.overlap_inputs(None)
    expected = R.case_is_overlapping(None)["expected"]
    assert dict(zip(map(str, runs), expected))[str(((2800, 3000), [(3000, 3500)]))] is True    # touching
    assert dict(zip(map(str, runs), expected))[str(((2800, 2999), [(3000, 3500)]))] is False   # end + 1
    assert expected[0] is False and sum(expected) > len(expected) // 2
    for seed in [None, 1, 2, 3]:  # each mistake gives other answers than the right ones and than the others
        case = R.case_is_overlapping(seed)
        answers = [tuple(case["expected"])] + [tuple(v) for v in case["mistakes"].values()]
        assert len(set(answers)) == len(answers), seed


@pytest.mark.parametrize("mistake, pattern", [
    ("strict", r"strict comparisons \(< and >\); the ends are inclusive"),
    ("first", r"only the first previous segment decides"),
    ("last", r"only the last previous segment decides"),
    ("swapped", r"the comparisons are the wrong way round"),
    ("containing", r"only a segment containing a previous one counts"),
])
def test_is_overlapping_mistakes_are_named(grading, mistake, pattern):
    fails("is_overlapping", _overlapping(mistake), pattern)


def test_is_overlapping_must_return_a_boolean(grading):
    fails("is_overlapping", lambda segment_time, previous_segments: None, r"expected True or False but got None")

# ---------------------------------------------------------------------------- insert_ones


def _insert_ones(mistake):
    def insert_ones(y, segment_end_ms):
        Ty = 1375 if mistake == "Ty" else y.shape[1]
        end_y = int(segment_end_ms) if mistake == "ms" else int(segment_end_ms * Ty / 10000.0)
        if mistake == "replaced":
            y = np.zeros((1, y.shape[1]))
        first = end_y if mistake == "at" else end_y + 1
        count = {"49": 49, "51": 51}.get(mistake, 50)
        for i in range(first, first + count):
            if mistake == "crash" or i < y.shape[1]:
                y[0, i] = 1
        return y
    return insert_ones


@pytest.mark.parametrize("mistake, pattern", [
    ("at", r"the ones start AT segment_end_y"),
    ("49", r"49 ones instead of 50"),
    ("51", r"51 ones instead of 50"),
    ("ms", r"segment_end_ms was used as a step"),
    ("replaced", r"y was replaced by a new array, so the ones of earlier activates are lost"),
    ("crash", r"raised IndexError.*fewer than 50 steps are left, so set only the steps before Ty"),
])
def test_insert_ones_mistakes_are_named(grading, mistake, pattern):
    fails("insert_ones", _insert_ones(mistake), pattern)


def test_insert_ones_with_a_fixed_Ty_fails_the_public_check_by_name(grading):
    """The public check tries other lengths than the notebook's 1375 (the hidden tests do too): a Ty fixed at 1375
    no longer passes it."""
    message = fails("insert_ones", _insert_ones("Ty"), r"shape \(1, (800|2011)\).*Ty is fixed at 1375")
    assert "read it from the shape of y" in message
    for seed in (1, 2):  # (an end beyond a short y is where the fixed Ty and an unconverted time agree)
        fails("insert_ones", _insert_ones("Ty"), r"Ty is fixed at 1375|used as a step|raised IndexError", seed=seed)


def test_the_public_insert_ones_runs_vary_Ty_and_reach_every_mistake():
    """Every Ty and kind of end the hidden runs try, the public runs try too; every named mistake gives other ones
    than the right ones in some public run."""
    public = C.insert_ones_inputs(None)
    assert {y.shape[1] for y, _ in public} == {1375, 800, 2011}
    for seed in (1, 2):
        assert 1375 not in {y.shape[1] for y, _ in C.insert_ones_inputs(seed)}
    causes = set()
    for run in R.case_insert_ones(None)["runs"]:
        causes |= set(run["mistakes"])
    assert len(causes) == 7, causes


def test_insert_ones_cases_clip_at_the_end_and_keep_earlier_ones():
    runs, case = C.insert_ones_inputs(None), R.case_insert_ones(None)["runs"]
    ones = {end: list(c["ones"]) for (_, end), c in zip(runs, case)}
    assert ones[4000] == list(range(551, 601)) and ones[700] == list(range(97, 147))
    assert ones[9800] == list(range(1348, 1375)) and ones[9999] == [] and ones[10000] == []
    assert ones[3650] == list(range(200, 250)) + list(range(502, 552))
    ones_800 = {end: list(c["ones"]) for (y, end), c in zip(runs, case) if y.shape[1] == 800}
    assert ones_800[5000] == list(range(401, 451)) and ones_800[9950] == [797, 798, 799] and ones_800[9990] == []


def test_insert_ones_must_return_y(grading):
    def no_return(y, segment_end_ms):
        R.insert_ones(y, segment_end_ms)
    fails("insert_ones", no_return, r"expected a ndarray but got a NoneType; return y")

# ---------------------------------------------------------------------------- insert_audio_clip


def _insert_audio_clip(mistake):
    def insert_audio_clip(background, audio_clip, previous_segments):
        segment_time = get_random_time_segment(len(audio_clip))
        if mistake == "end":
            segment_time = (segment_time[0], segment_time[0] + len(audio_clip))
        retry = 5
        while is_overlapping(segment_time, previous_segments) and (retry >= 0 or mistake == "endless"):
            if mistake != "endless":  # an endless loop: no bound, and the same segment again and again
                segment_time = get_random_time_segment(len(audio_clip))
            retry -= 1
        overlap = is_overlapping(segment_time, previous_segments)
        if mistake == "appended_on_failure" or (not overlap and mistake not in ("not_appended", "replaced")):
            previous_segments.append(segment_time)
        if mistake == "replaced" and not overlap:
            previous_segments = previous_segments + [segment_time]  # noqa: F841 - only a local name changes
        if overlap:
            return background, (10000, 10000)
        return background.overlay(audio_clip, position=0 if mistake == "position" else segment_time[0]), segment_time
    return insert_audio_clip


@pytest.mark.parametrize("mistake, pattern", [
    ("appended_on_failure", r"previous_segments should stay .* the segment was appended although it overlaps"),
    ("not_appended", r"expected previous_segments to become \[\(\d+, \d+\)\] but it is still \[\].*append"),
    ("replaced", r"previous_segments = previous_segments \+ \[\.\.\.\], changes only a local name"),
    ("end", r"the end is inclusive: segment_end = segment_start \+ len\(audio_clip\) - 1"),
    ("position", r"the clip was overlaid at the start of the background: pass position=segment_time\[0\]"),
])
def test_insert_audio_clip_mistakes_are_named(grading, mistake, pattern):
    fails("insert_audio_clip", _insert_audio_clip(mistake), pattern)


def test_an_endless_insert_audio_clip_is_stopped(grading, monkeypatch):
    monkeypatch.setattr(C, "TIME_LIMIT_S", 1)
    fails("insert_audio_clip", _insert_audio_clip("endless"), r"did not finish within 1 s.*after 7 draws")


def test_insert_audio_clip_that_never_inserts_is_caught(grading):
    fails("insert_audio_clip", lambda background, audio_clip, previous_segments: (background, (10000, 10000)),
          r"expected the clip to be placed")


def insert_audio_clip_for(background, audio_clip, previous_segments):
    """Another correct insert_audio_clip: a for loop over the 7 tries, a list as segment_time."""
    for _ in range(7):
        start, end = get_random_time_segment(len(audio_clip))
        if not is_overlapping((start, end), previous_segments):
            previous_segments.append([start, end])
            return background.overlay(audio_clip, position=start), [start, end]
    return background, (10000, 10000)


def test_another_correct_insert_audio_clip_passes(grading):
    for seed in (None, 1, 2, 3):
        run("insert_audio_clip", insert_audio_clip_for, seed=seed)


@pytest.mark.parametrize("seed", [None, 1, 2, 3])
def test_the_tries_runs_place_the_clip_at_the_stated_draw(seed):
    """After each "tries" run's stored seed, get_random_time_segment's first segment that fits is the run's k-th
    draw: the reference places the clip there when k <= 7 and gives up when k = 8; the public runs try 1, 2, 7, 8."""
    inputs, case = C.insert_audio_inputs(seed), R.case_insert_audio_clip(seed)
    clip_ms = len(inputs["clip"])
    tries = [(run, stored) for run, stored in zip(inputs["runs"], case["runs"]) if run["kind"] == "tries"]
    assert [run["draw"] for run, _ in tries] == ([1, 2, 7, 8] if seed is None else [3, 6, 7, 8])
    for run, stored in tries:
        np.random.seed(stored["seed"])
        draws = [get_random_time_segment(clip_ms) for _ in range(8)]
        fits = [run["free"][0] <= a and b <= run["free"][1] for a, b in draws]
        assert fits.index(True) == run["draw"] - 1
        want = draws[run["draw"] - 1] if run["draw"] <= C.TRIES else (10000, 10000)
        assert tuple(stored["segment_time"]) == tuple(want)


def _tries(count=None, redraw=True):
    """insert_audio_clip with ``count`` draws at most (None: no bound), or that never draws again in its loop."""
    def insert_audio_clip(background, audio_clip, previous_segments):
        segment_time = get_random_time_segment(len(audio_clip))
        draws = 1
        while is_overlapping(segment_time, previous_segments) and (count is None or draws < count):
            if redraw:
                segment_time = get_random_time_segment(len(audio_clip))
            draws += 1
        if is_overlapping(segment_time, previous_segments):
            return background, (10000, 10000)
        previous_segments.append(segment_time)
        return background.overlay(audio_clip, position=segment_time[0]), segment_time
    return insert_audio_clip


@pytest.mark.parametrize("count, redraw, pattern", [
    (6, True, r"fewer than 7 draws"),
    (1, True, r"fewer than 7 draws"),
    (8, True, r"more than 7 draws"),
    (20, True, r"more than 7 draws"),
    (None, True, r"more than 7 draws"),
    (7, False, r"no new segment drawn in the loop"),
])
def test_insert_audio_clip_retry_limit_is_checked_and_named(grading, count, redraw, pattern):
    """The contract's number of tries (the first draw and at most 6 more) is checked by the public check; a loop
    with no bound is caught by the 8th-draw run, long before the time limit."""
    start = time.monotonic()
    fails("insert_audio_clip", _tries(count, redraw), pattern)
    assert time.monotonic() - start < 2
    run("insert_audio_clip", _tries(7))

# ---------------------------------------------------------------------------- create_training_example


def _training_example(mistake=None):
    """A correct create_training_example that draws in another order than the reference (the negatives first), or
    one classic mistake."""
    def create_training_example(background, activates, negatives, Ty):
        if mistake != "not_quieter":
            background = background - {"19_dB": 19, "21_dB": 21}.get(mistake, 20)
        y = np.zeros((1, Ty))
        previous_segments = []
        n_negatives = np.random.randint(0, 2 if mistake == "0_to_1_negatives" else 3)  # the negatives drawn first
        negative_indices = np.random.randint(1 if mistake == "first_negative" else len(negatives), size=n_negatives)
        n_activates = np.random.randint(*{"0_to_3": (0, 4), "1_to_4": (1, 5)}.get(mistake, (0, 5)))
        pool = {"over_negatives": len(negatives), "over_activates_plus_one": len(activates) + 1}
        for i in np.random.randint(pool.get(mistake, len(activates)), size=n_activates):
            background, segment_time = insert_audio_clip(background, activates[i], previous_segments)
            y = insert_ones(y, segment_time[0] if mistake == "start" else segment_time[1])
        for i in negative_indices:
            new_background, segment_time = insert_audio_clip(background, negatives[i], previous_segments)
            if mistake != "negatives_discarded":
                background = new_background
            if mistake == "negatives":
                y = insert_ones(y, segment_time[1])
        if mistake != "not_matched":
            background = match_target_amplitude(background, -20.0)
        if mistake == "samples":
            return np.asarray(background.get_array_of_samples(), dtype=np.float64), y
        return spectrogram(background), y
    return create_training_example


def _one_draw_per_word(background, activates, negatives, Ty):
    """Another correct create_training_example: one index drawn per word, right before inserting it (as section 2.4
    writes it), and a for loop over the tries' results."""
    background, y, previous_segments = background - 20, np.zeros((1, Ty)), []
    for _ in range(np.random.randint(0, 5)):
        background, (_, end) = insert_audio_clip(background, activates[np.random.randint(len(activates))],
                                                 previous_segments)
        y = insert_ones(y, end)
    for _ in range(np.random.randint(0, 3)):
        background, _ = insert_audio_clip(background, negatives[np.random.randint(len(negatives))], previous_segments)
    return spectrogram(match_target_amplitude(background, -20.0)), y


@pytest.mark.parametrize("implementation", [_training_example(), _one_draw_per_word])
def test_a_correct_implementation_drawing_in_another_order_passes(grading, implementation):
    """The check never depends on the order of the draws: other correct orders pass, public and hidden."""
    for seed in (None, 1, 2, 3):
        run("create_training_example", implementation, seed=seed)


def test_what_is_drawn_is_checked_over_the_public_examples_only():
    """The public check makes 45 examples from 3 activates and 2 negatives, of three lengths Ty, and checks the
    draws over them: a correct function misses a number (0 or 4 activates) with a probability of 0.8 ** 45 each.
    Hidden seeds make a few examples from other lists (a single activate included) and other Ty."""
    public = C.training_inputs(None)
    assert public["statistics"] and len(public["calls"]) == C.STATISTICS_CALLS == 45
    assert {Ty for _, Ty in public["calls"]} == {1375, 800, 1700}
    assert 2 * 0.8 ** C.STATISTICS_CALLS < 1e-4
    sizes = set()
    for seed in (1, 2, 3):
        hidden = C.training_inputs(seed)
        assert not hidden["statistics"] and 1375 not in {Ty for _, Ty in hidden["calls"]}
        sizes.add(len(hidden["activates"]))
        for lengths in (hidden["activate_ms"], hidden["negative_ms"]):  # tell the clips apart by their length
            assert min(np.diff(sorted(lengths)), default=99) > 2 * C.LENGTH_TOLERANCE_MS
    assert 1 in sizes


@pytest.mark.parametrize("mistake, pattern", [
    ("19_dB", r"stand 37\.\d dB above it.*made about 19 dB quieter: make it exactly 20 dB quieter"),
    ("21_dB", r"stand 39\.\d dB above it.*made about 21 dB quieter"),
    ("0_to_3", r"over 45 examples .* x shows \[0, 1, 2, 3\] activates, never 4.*randint leaves out its upper bound"),
    ("1_to_4", r"x shows \[1, 2, 3, 4\] activates, never 0.*the smallest number drawn is not 0"),
    ("0_to_1_negatives", r"x shows \[0, 1\] negatives, never 2"),
    ("negatives_discarded", r"x never shows a negative.*keep the background it returns"),
    ("over_negatives", r"x never shows activates\[2\] \(the 600 ms one\).*over the whole list"),
    ("first_negative", r"x never shows negatives\[1\] \(the 500 ms one\) but only negatives\[0\]"),
    ("over_activates_plus_one", r"raised IndexError.*an index past the end of a list"),
])
def test_what_is_drawn_at_random_is_checked_and_named(grading, mistake, pattern):
    """Before, these passed: the range of each number drawn, the lists the indices are drawn over, the negatives
    inserted at all, and the background made exactly 20 dB quieter (a 6 dB tolerance let 19 or 21 pass)."""
    fails("create_training_example", _training_example(mistake), pattern)


@pytest.mark.parametrize("mistake, pattern", [
    ("negatives", r"ones were set after the negatives too"),
    ("not_matched", r"expected the clip's loudness to be -\d+\.\d dBFS .* it is -4\d\.\d dBFS.*match_target_amplitude"),
    ("not_quieter", r"the background was not made 20 dB quieter"),
    ("samples", r"expected x of shape \(101, 5511\) but got \(441000,\).*x holds the clip's samples"),
    ("start", r"insert_ones was given the start of the segment"),
])
def test_create_training_example_mistakes_are_named(grading, mistake, pattern):
    fails("create_training_example", _training_example(mistake), pattern)


def test_create_training_example_with_the_notebooks_Ty_fails_the_public_check(grading):
    def fixed_Ty(background, activates, negatives, Ty):
        return R.create_training_example(background, activates, negatives, 1375)
    fails("create_training_example", fixed_Ty, r"Ty=800\).*expected y of shape \(1, 800\) but got \(1, 1375\)")
    fails("create_training_example", fixed_Ty, r"expected y of shape \(1, \d+\) but got \(1, 1375\)", seed=1)


def test_the_activates_ends_are_found_in_x():
    """The check's measurements find every word the reference inserted, and where each activate ends."""
    inputs = C.training_inputs(None)
    background = inputs["background"] - 20
    for position, clip in [(1000, inputs["activates"][0]), (3000, inputs["activates"][2]),
                           (3000 + len(inputs["activates"][2]), inputs["activates"][1]),  # right after it
                           (7000, inputs["negatives"][1])]:
        background = background.overlay(clip, position=position)
    x = spectrogram(match_target_amplitude(background, -20.0))
    rows = inputs["activate_row"], inputs["negative_row"]
    floor = C.noise_floor(x, rows)
    activates, _ = C.tone_runs(x, rows[0], floor)
    negatives, _ = C.tone_runs(x, rows[1], floor)
    ends = [b + C.MARGIN_MS - 1 for _, b in activates]
    true_ends = [1000 + len(inputs["activates"][0]) - 1, 3000 + len(inputs["activates"][2]) - 1,
                 3000 + len(inputs["activates"][2]) + len(inputs["activates"][1]) - 1]
    assert len(ends) == 3 and len(negatives) == 1
    assert np.allclose(ends, true_ends, atol=3), (ends, true_ends)
    assert abs(C.loudness_db(x) - (-20)) < 0.2

# ---------------------------------------------------------------------------- modelf


def _modelf(mistake):
    def modelf(input_shape):
        X_input = L.Input(shape=(5511, 101) if mistake == "shape" else input_shape)
        X = L.Conv1D(196, kernel_size=11 if mistake == "kernel" else 15, strides=2 if mistake == "strides" else 4)(
            X_input)
        if mistake != "no_batchnorm":
            X = L.BatchNormalization()(X)
        X = L.Activation("relu")(X)
        rate = 0.2 if mistake == "rate" else 0.8
        if mistake != "no_dropout":
            X = L.Dropout(rate)(X)
        options = {"gru_relu": {"activation": "relu"}, "hard_sigmoid": {"recurrent_activation": "hard_sigmoid"}}
        X = L.GRU(128, return_sequences=mistake != "gru1_sequences", go_backwards=mistake in ("backwards1", "both"),
                  **options.get(mistake, {}))(X)
        X = L.Dropout(rate)(X)
        X = L.BatchNormalization()(X)
        X = L.GRU(128, return_sequences=mistake != "gru2_sequences", go_backwards=mistake in ("backwards2", "both"))(X)
        X = L.Dropout(rate)(X)
        X = L.BatchNormalization()(X)
        X = L.Dropout(rate)(X)
        activation = "softmax" if mistake == "softmax" else "sigmoid"
        X = L.Dense(1, activation=activation)(X) if mistake == "dense" else \
            L.TimeDistributed(L.Dense(1, activation=activation))(X)
        return keras.Model(inputs=X_input, outputs=X)
    return modelf


@pytest.mark.parametrize("mistake, pattern", [
    ("no_batchnorm", r"expected 3 BatchNormalization layers but found 2"),
    ("no_dropout", r"expected 4 Dropout layers but found 3"),
    ("strides", r"the Conv1D layer\.strides: expected \(4,\) but got \(2,\).*a stride of 4"),
    ("kernel", r"the Conv1D layer\.kernel_size: expected \(15,\) but got \(11,\)"),
    ("gru1_sequences", r"return_sequences=True"),
    ("gru2_sequences", r"the second GRU needs return_sequences=True"),
    ("dense", r"Dense layer applied directly.*wrap the Dense layer in TimeDistributed"),
    ("softmax", r"a softmax over one unit is always 1\.0; use activation='sigmoid'"),
    ("rate", r"expected rate=0\.8 but got rate=0\.2.*fraction of the units DROPPED"),
    ("shape", r"input shape: expected \(None, 411, 101\) but got \(None, 5511, 101\)"),
])
def test_modelf_mistakes_are_named(grading, mistake, pattern):
    fails("modelf", _modelf(mistake), pattern)


@pytest.mark.parametrize("mistake, pattern", [
    ("backwards1", r"with the check's weights .* on a batch of 3 inputs, in inference, expected the probability "
                   r".*exactly the outputs of a known mistake; likely cause: the first GRU reads its sequence "
                   r"backwards \(go_backwards=True\)"),
    ("backwards2", r"the second GRU reads its sequence backwards"),
    ("both", r"both GRUs read their sequences backwards"),
    ("gru_relu", r"GRU 1: expected the activation 'tanh' but got 'relu'"),
    ("hard_sigmoid", r"expected the probability .* but got .*likely cause: the layers are right but the model "
                     r"computes something else"),
])
def test_modelf_is_checked_by_what_it_computes(grading, mistake, pattern):
    """Before, a GRU reading the clip backwards got full marks: its structure is right. With the check's weights
    the outputs on a batch of three inputs (one the reversal of another) are compared with stored ones."""
    fails("modelf", _modelf(mistake), pattern)
    fails("modelf", _modelf(mistake), r"GRU|probability", seed=1)


def _relu_modelf(input_shape):
    """The detector built another correct way: a ReLU layer, Keras's own TimeDistributed."""
    X_input = L.Input(shape=input_shape)
    X = L.ReLU()(L.BatchNormalization()(L.Conv1D(196, 15, strides=4)(X_input)))
    X = L.BatchNormalization()(L.Dropout(0.8)(L.GRU(128, return_sequences=True)(L.Dropout(0.8)(X))))
    X = L.BatchNormalization()(L.Dropout(0.8)(L.GRU(128, return_sequences=True)(X)))
    return keras.Model(X_input, L.TimeDistributed(L.Dense(1, activation="sigmoid"))(L.Dropout(0.8)(X)))


def test_the_checks_weights_make_every_correct_model_compute_the_same():
    """set_check_weights reads the layers in the model's order, so a model built another correct way (a ReLU
    layer, Keras's own TimeDistributed) computes the stored outputs; the outputs depend on the inputs' order in
    time and are far from the known mistakes' outputs."""
    for seed in (None, 1):
        case = R.case_modelf(seed)
        model = _relu_modelf(C.behaviour_input_shape(seed))
        C.set_check_weights(model, seed)
        out = np.asarray(model(C.behaviour_batch(seed), training=False))
        np.testing.assert_allclose(out, case["outputs"], atol=C.OUTPUT_TOLERANCE, rtol=0)
        assert np.ptp(out) > 0.05 and np.abs(out[0] - out[2]).max() > 0.01  # the reversed input: other outputs
        assert len(case["mistakes"]) == 3
        for wrong in case["mistakes"].values():
            assert np.abs(np.asarray(wrong) - out).max() > 100 * C.OUTPUT_TOLERANCE


def test_modelf_with_a_relu_layer_passes(grading):
    run("modelf", _relu_modelf)
    run("modelf", _relu_modelf, seed=1)

# ---------------------------------------------------------------------------- as while grading


class Remote:
    """Calls a function the way the grader calls the notebook's (autograder.remote.RemoteFunction): arguments and
    result cross as JSON data (autograder.wire), arguments changed in place are written back; no __globals__."""

    def __init__(self, fn):
        self.fn, self.__name__ = fn, fn.__name__

    def __call__(self, *args):
        from autograder import wire

        crossed = lambda value: wire.decode(json.loads(json.dumps(wire.encode(value))))  # noqa: E731
        there = crossed(list(args))
        value = self.fn(*there)
        for original, after in zip(args, crossed(there)):
            wire.write_back(original, after)
        return crossed(value)


@pytest.mark.parametrize("name", ["is_overlapping", "insert_audio_clip", "insert_ones", "create_training_example"])
def test_the_checks_work_with_a_function_called_through_the_wire(grading, name, capsys):
    run(name, Remote(R.GRADED[name]))
    run(name, Remote(R.GRADED[name]), seed=1)
    assert capsys.readouterr().out == f"\u2714 {name}: all checks passed.\n"


def test_mistakes_are_named_through_the_wire(grading):
    fails("insert_audio_clip", Remote(_insert_audio_clip("replaced")), r"changes only a local name")
    fails("insert_audio_clip", Remote(_insert_audio_clip("appended_on_failure")), r"appended although it overlaps")
    fails("insert_ones", Remote(_insert_ones("crash")), r"raised IndexError")
    fails("create_training_example", Remote(_training_example("negatives")), r"after the negatives too")


def test_the_checks_time_limit_leaves_a_callers_timer_alone(grading):
    import signal

    signal.setitimer(signal.ITIMER_REAL, 50)
    try:
        C.check_insert_audio_clip(R.insert_audio_clip, set_seed)
        assert 40 < signal.getitimer(signal.ITIMER_REAL)[0] <= 50
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def test_too_many_activates_and_overlapping_words_are_caught(grading):
    def six_activates(background, activates, negatives, Ty):
        background, y, previous = background - 20, np.zeros((1, Ty)), []
        for i in [0, 1, 2, 0, 1, 2]:
            background, segment_time = insert_audio_clip(background, activates[i], previous)
            y = insert_ones(y, segment_time[1])
        return spectrogram(match_target_amplitude(background, -20.0)), y
    fails("create_training_example", six_activates, r"expected at most 4 activates in the clip but x shows [56]")

    def two_lists(background, activates, negatives, Ty):
        background, y = background - 20, np.zeros((1, Ty))
        background = background.overlay(activates[0], position=1000)
        y = insert_ones(y, 1000 + len(activates[0]) - 1)
        background = background.overlay(negatives[0], position=1100)  # as if its previous_segments were another list
        return spectrogram(match_target_amplitude(background, -20.0)), y
    fails("create_training_example", two_lists, r"overlap in the clip.*the same previous_segments list")


def test_every_graded_function_has_probes_and_named_classic_mistakes():
    """The mutation harness's inputs (PROBES: at least 20 calls each, the reference runs on all, the boundaries the
    contracts name included) and the classic mistakes (MISTAKES: 3 to 8 per function, each naming its words)."""
    assert list(R.PROBES) == list(R.GRADED) == list(R.MISTAKES)
    for name, probe in R.PROBES.items():
        calls = probe(np.random.default_rng(0))
        assert len(calls) >= 20, name
        if name != "modelf":  # (building 20 models is the harness's business)
            for args in calls:
                R.GRADED[name](*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        assert 3 <= len(R.MISTAKES[name]) <= 8 and all(len(m) == 4 and m[3] for m in R.MISTAKES[name]), name
    ones = R.PROBES["insert_ones"](np.random.default_rng(0))
    assert {end for _, end in ones} >= {0, 9999, 10000} and min(y.shape[1] for y, _ in ones) == 1
    assert min(shape[0] for (shape,) in R.PROBES["modelf"](np.random.default_rng(0))) == 15  # one output step

# ---------------------------------------------------------------------------- every message


def assert_one_sentence(message: str):
    """What every failure message of these checks is: one line of plain text (no traceback, no colour codes) that
    states what was expected and what came, then "likely cause:" and the cause, pointing at the notebook's section
    or step (not at a line of code), with "a"/"an" as the next word is spoken."""
    assert "\n" not in message and "\x1b" not in message, message
    assert "Traceback" not in message and 'File "' not in message, message
    assert message.endswith((".", ".)")), message
    assert message.count("likely cause:") == 1, message
    assert re.search(r"section [\d.]+|step \d+ of section|[Ss]teps? [\d, and]+ of section", message), message
    assert not re.search(r"\ba [aeiouAEIOU]", message) and not re.search(r"\ban [^aeiouAEIOU\W]", message), message


def _fail_sites() -> set[int]:
    """The lines of week3/trigger_checks.py where a message is made: every call of its _fail."""
    import ast

    tree = ast.parse(inspect.getsource(C))
    return {node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name) and node.func.id == "_fail"}


HIT: set[int] = set()   # the _fail sites the tests of this module have reached


@pytest.fixture(autouse=True)
def _every_message_is_one_sentence(monkeypatch):
    """Every message a check makes in these tests is recorded (its line) and must be one sentence."""
    original = C._fail

    def recording(message, *args, **kwargs):
        HIT.add(sys._getframe(1).f_lineno)
        assert_one_sentence(message)
        return original(message, *args, **kwargs)

    monkeypatch.setattr(C, "_fail", recording)


def test_is_overlapping_returning_a_number_is_named(grading):
    fails("is_overlapping", lambda segment_time, previous_segments: int(bool(previous_segments)),
          r"expected True or False but got [01] \(an int\); likely cause: return a boolean")


def test_insert_ones_that_changes_the_shape_or_values_is_named(grading):
    fails("insert_ones", lambda y, segment_end_ms: y[0], r"expected y of shape \(1, 1375\) but got \(1375,\)")
    fails("insert_ones", lambda y, segment_end_ms: y + 2, r"expected y to hold only 0 and 1 but it holds \[2\.0")


def test_insert_ones_past_the_end_is_one_sentence(grading):
    def past_the_end(y, segment_end_ms):
        end = int(segment_end_ms * y.shape[1] / 10000.0)
        for i in range(end + 1, end + 51):
            y[0, i] = 1
        return y
    fails("insert_ones", past_the_end, r"raised IndexError: .*; likely cause: an index past the end of y: near "
                                       r"the end of the clip fewer than 50 steps are left")


def test_a_broken_set_seed_is_named(grading):
    def broken(seed):
        raise RuntimeError("first line\nsecond line")
    with pytest.raises(CheckFailed, match=r"set_seed\(\d+\) raised RuntimeError: first line; likely cause: set_seed "
                                          r"was changed or its cell was not run"):
        C.check_insert_audio_clip(R.insert_audio_clip, broken)


def test_insert_audio_clip_returning_something_else_is_named(grading):
    fails("insert_audio_clip", lambda background, audio_clip, previous_segments: (background, 5),
          r"expected segment_time to be a \(start, end\) pair of ms but got 5; likely cause")
    fails("insert_audio_clip", lambda background, audio_clip, previous_segments: (background[:5000], (0, 999)),
          r"expected new_background to last 10000 ms, like the background, but it lasts 5000 ms")


def test_create_training_example_with_other_label_values_is_named(grading):
    def doubled(background, activates, negatives, Ty):
        x, y = R.create_training_example(background, activates, negatives, Ty)
        return x, 2 * y
    fails("create_training_example", doubled, r"expected y to hold only 0 and 1 but it holds \[0\.0, 2\.0\]; likely "
                                              r"cause: y starts as zeros")


def _modelf_variant(change):
    """A correct modelf but for ``change``: "one_gru", "two_convs" or "wraps_activation"."""
    def modelf(input_shape):
        X_input = L.Input(shape=input_shape)
        X = L.Conv1D(196, kernel_size=15, strides=4)(X_input)
        if change == "two_convs":
            X = L.Conv1D(196, kernel_size=1)(X)
        X = L.Dropout(0.8)(L.Activation("relu")(L.BatchNormalization()(X)))
        X = L.BatchNormalization()(L.Dropout(0.8)(L.GRU(128, return_sequences=True)(X)))
        if change != "one_gru":
            X = L.GRU(128, return_sequences=True)(X)
        X = L.Dropout(0.8)(L.BatchNormalization()(L.Dropout(0.8)(X)))
        last = L.Activation("sigmoid") if change == "wraps_activation" else L.Dense(1, activation="sigmoid")
        return keras.Model(X_input, L.TimeDistributed(last)(X))
    return modelf


@pytest.mark.parametrize("change, pattern", [
    ("one_gru", r"expected 2 GRU layers but found 1; likely cause: the model has two, of 128 units"),
    ("two_convs", r"expected 1 Conv1D layer but found 2; likely cause: the model has one, the first layer"),
    ("wraps_activation", r"expected TimeDistributed to wrap a Dense layer but it wraps an Activation layer; likely "
                         r"cause: the output layer is TimeDistributed\(Dense\(1, activation='sigmoid'\)\)"),
])
def test_modelf_layer_counts_and_the_wrapped_layer_are_named(grading, change, pattern):
    fails("modelf", _modelf_variant(change), pattern)


def test_a_model_that_cannot_predict_is_one_sentence(grading, monkeypatch):
    def crash(model, x, training=False):
        raise ValueError("\x1b[1mInput 0 is incompatible\x1b[0m\nwith the layer: expected 5 steps.\nArguments: ...")
    monkeypatch.setattr(C, "predict", crash)
    fails("modelf", R.modelf, r"could not predict on a batch of shape \(3, 411, 101\): it raised ValueError: Input 0 "
                              r"is incompatible; likely cause: a layer that depends on the input length")
    monkeypatch.setattr(C, "predict", lambda model, x, training=False: np.zeros((3, 5)))
    fails("modelf", R.modelf, r"expected predictions of shape \(3, 100, 1\) but got \(3, 5\); likely cause")


def test_is_overlapping_and_insert_ones_answers_of_no_known_mistake_are_named(grading):
    fails("is_overlapping", lambda segment_time, previous_segments: True,
          r"returned True but expected False; likely cause: two segments overlap when each one starts")

    def two_late(y, segment_end_ms):
        end = int(segment_end_ms * y.shape[1] / 10000.0)
        y[0, end + 3:end + 53] = 1
        return y
    fails("insert_ones", two_late, r"expected 50 ones at steps \d+\.\.\d+ but got 50 ones at steps .*likely cause: "
                                   r"convert segment_end_ms to an output step")


def _placing(change):
    """insert_audio_clip, correct but for ``change``."""
    def insert_audio_clip(background, audio_clip, previous_segments):
        n = len(audio_clip)
        if change == "full_placed" and len(previous_segments) == 3:
            previous_segments.append((0, n - 1))
            return background.overlay(audio_clip, position=0), (0, n - 1)
        segment_time = get_random_time_segment(n)
        if change == "second_draw":
            segment_time = get_random_time_segment(n)
        tries = 1
        while change != "no_check" and is_overlapping(segment_time, previous_segments) and tries < 7:
            segment_time = get_random_time_segment(n)
            tries += 1
        if change == "last_draw_placed" or change == "no_check" or not is_overlapping(segment_time,
                                                                                        previous_segments):
            if change == "short_end":
                segment_time = (segment_time[0], segment_time[1] - 1)
            previous_segments.append(segment_time)
            if change == "appended_twice":
                previous_segments.append(segment_time)
            return background.overlay(audio_clip, position=segment_time[0]), segment_time
        if change == "overlaid_anyway":
            return background.overlay(audio_clip, position=segment_time[0]), (10000, 10000)
        return background, (10000, 10000)
    return insert_audio_clip


@pytest.mark.parametrize("change, pattern", [
    ("full_placed", r"the previous segments cover the whole 10 s, so expected segment_time \(10000, 10000\)"),
    ("last_draw_placed", r"all overlap the previous segments \(only the 8th draw fits\), so expected no room"),
    ("overlaid_anyway", r"no place was found \(segment_time \(10000, 10000\)\), so expected the background unchanged"),
    ("short_end", r"expected segment_time \(start, start \+ 999\) inside the 10 s but got"),
    ("no_check", r"over a previous segment \(it fits only in \(8000, 9999\)\)"),
    ("appended_twice", r"expected previous_segments to become \[\(\d+, \d+\)\] but it is \[.*append the segment "
                       r"\(once\)"),
    ("second_draw", r"expected the clip placed at \(\d+, \d+\), the first segment drawn by get_random_time_segment"),
])
def test_insert_audio_clip_placements_are_named(grading, change, pattern):
    fails("insert_audio_clip", _placing(change), pattern)


def _example(change):
    """create_training_example, correct but for ``change``."""
    def create_training_example(background, activates, negatives, Ty):
        x, y = R.create_training_example(background, activates, negatives, Ty)
        if change == "x_transposed":
            return x.T, y
        if change == "x_int":
            return x.astype(np.int64), y
        if change == "y_flat":
            return x, y[0]
        return x, y
    return create_training_example


@pytest.mark.parametrize("change, pattern", [
    ("x_transposed", r"expected x of shape \(101, 5511\) but got \(5511, 101\); likely cause: x is the "
                     r"\(frequencies, time steps\) spectrogram"),
    ("x_int", r"expected x to hold finite floats \(the spectrogram\) but got int64 values; likely cause"),
    ("y_flat", r"expected y of shape \(1, 800\) but got \(800,\); likely cause: y has shape \(1, Ty\)"),
])
def test_create_training_example_outputs_of_other_shapes_and_types_are_named(grading, change, pattern):
    fails("create_training_example", _example(change), pattern)


def test_create_training_example_inserting_part_of_a_clip_is_named(grading):
    def clipped(background, activates, negatives, Ty):
        shorter = [a[:len(a) - C.MARGIN_MS - 75] + a[len(a) - C.MARGIN_MS:] for a in activates]  # tones 75 ms shorter
        return R.create_training_example(background, shorter, negatives, Ty)
    fails("create_training_example", clipped, r"x shows one of the activates lasting about \d+ ms, but the activates "
                                              r"given last 300, 450, 600 ms")


def test_probabilities_out_of_range_are_named(grading, monkeypatch):
    monkeypatch.setattr(C, "predict", lambda model, x, training=False: np.full((3, 100, 1), 2.0, np.float32))
    fails("modelf", R.modelf, r"expected predictions between 0 and 1 \(probabilities\) but got values from 2 to 2")


def test_every_message_of_the_checks_is_triggered_by_a_test(request):
    """Runs last: every _fail of week3/trigger_checks.py has been reached by a test of this module (and each
    message was one sentence: the autouse fixture checked it). Only meaningful when the whole module ran."""
    here = request.module
    ran = {item.originalname for item in request.session.items if item.module is here}
    defined = {name for name in dir(here) if name.startswith("test_")}
    if ran != defined:
        pytest.skip("only part of this module ran")
    missing = sorted(_fail_sites() - HIT)
    lines = inspect.getsource(C).splitlines()
    assert not missing, "; ".join(f"{n}: {lines[n - 1].strip()[:60]}" for n in missing)

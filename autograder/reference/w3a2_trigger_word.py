"""Reference for w3a2 (trigger word detection): the graded functions, and the cases behind the checks in
:mod:`week3.trigger_checks`.

``is_overlapping`` and ``insert_ones``: the expected answers on the checks' inputs, and the answers each classic
mistake gives, computed here. ``insert_audio_clip``: per run of its check, the seed given to set_seed and the
segment_time the reference returns after it (its draws are its contract: one segment per try, at most 7); a
"tries" run's seed is found here so that the first segment that fits is the run's k-th draw.
``create_training_example`` is checked by behaviour (its random draws may come in any order); its case holds what
that behaviour is measured against: the loudness and tone-to-background ratio that the checks' measurements give on
a training example made by the reference with the words at fixed places. ``modelf``: the parameter counts and output
shape for the input shape, from the layer sizes, and the outputs of the model (and of the models of classic
mistakes) with the check's weights on the check's batch.

``MISTAKES`` (classic mistakes as edits of the notebook's solution, and the words the public check prints for each)
and ``PROBES`` (inputs on which the mutation harness compares a surviving mutant with the solution) serve
:mod:`autograder.mutants`.
"""
from __future__ import annotations

import numpy as np

from keras.layers import GRU, Activation, BatchNormalization, Conv1D, Dense, Dropout, Input
from keras.models import Model
from week3 import trigger_checks as checks
from week3.audio import get_random_time_segment, match_target_amplitude, spectrogram
from week3.trigger import TimeDistributed  # Keras's, applying the Dense to all steps at once (see week3.trigger)

CHECKS = "week3.trigger_checks"

# ------------------------------------------------------------------ the graded functions


def is_overlapping(segment_time, previous_segments):
    segment_start, segment_end = segment_time
    overlap = False
    for previous_start, previous_end in previous_segments:
        if segment_start <= previous_end and segment_end >= previous_start:
            overlap = True
            break
    return overlap


def insert_audio_clip(background, audio_clip, previous_segments):
    segment_ms = len(audio_clip)
    segment_time = get_random_time_segment(segment_ms)
    retry = 5
    while is_overlapping(segment_time, previous_segments) and retry >= 0:
        segment_time = get_random_time_segment(segment_ms)
        retry = retry - 1
    if not is_overlapping(segment_time, previous_segments):
        previous_segments.append(segment_time)
        new_background = background.overlay(audio_clip, position=segment_time[0])
    else:
        new_background = background
        segment_time = (10000, 10000)
    return new_background, segment_time


def insert_ones(y, segment_end_ms):
    _, Ty = y.shape
    segment_end_y = int(segment_end_ms * Ty / 10000.0)
    if segment_end_y < Ty:
        for i in range(segment_end_y + 1, segment_end_y + 51):
            if i < Ty:
                y[0, i] = 1
    return y


def create_training_example(background, activates, negatives, Ty):
    background = background - 20
    y = np.zeros((1, Ty))
    previous_segments = []
    number_of_activates = np.random.randint(0, 5)
    random_indices = np.random.randint(len(activates), size=number_of_activates)
    random_activates = [activates[i] for i in random_indices]
    for random_activate in random_activates:
        background, segment_time = insert_audio_clip(background, random_activate, previous_segments)
        segment_start, segment_end = segment_time
        y = insert_ones(y, segment_end)
    number_of_negatives = np.random.randint(0, 3)
    random_indices = np.random.randint(len(negatives), size=number_of_negatives)
    random_negatives = [negatives[i] for i in random_indices]
    for random_negative in random_negatives:
        background, _ = insert_audio_clip(background, random_negative, previous_segments)
    background = match_target_amplitude(background, -20.0)
    x = spectrogram(background)
    return x, y


def modelf(input_shape):
    X_input = Input(shape=input_shape)
    X = Conv1D(196, kernel_size=15, strides=4)(X_input)
    X = BatchNormalization()(X)
    X = Activation("relu")(X)
    X = Dropout(rate=0.8)(X)
    X = GRU(units=128, return_sequences=True)(X)
    X = Dropout(rate=0.8)(X)
    X = BatchNormalization()(X)
    X = GRU(units=128, return_sequences=True)(X)
    X = Dropout(rate=0.8)(X)
    X = BatchNormalization()(X)
    X = Dropout(rate=0.8)(X)
    X = TimeDistributed(Dense(1, activation="sigmoid"))(X)
    return Model(inputs=X_input, outputs=X)


GRADED = {"is_overlapping": is_overlapping, "insert_audio_clip": insert_audio_clip, "insert_ones": insert_ones,
          "create_training_example": create_training_example, "modelf": modelf}


# The stand-ins each graded function may call while it is tested, and how often in one call (a number, or a function
# of its arguments, with the notebook's signature). insert_audio_clip draws at most 7 segments and asks whether each
# overlaps, and once more whether the last one does (8 questions), a question about the whole list or about each of
# its segments; create_training_example inserts at most 4 activates (labelling each) and 2 negatives, with
# insert_audio_clip or doing its work itself. Every other graded function it calls is the notebook's own (see
# autograder.remote).
OVERLAP_QUESTIONS = 8
MOST_INSERTED = 4 + 2


def _overlap_questions(background, audio_clip, previous_segments):
    return OVERLAP_QUESTIONS * max(1, len(previous_segments))


STAND_INS = {
    "is_overlapping": {},
    "insert_audio_clip": {"is_overlapping": _overlap_questions},
    "insert_ones": {},
    "create_training_example": {"insert_audio_clip": MOST_INSERTED, "insert_ones": 4,
                                "is_overlapping": sum(OVERLAP_QUESTIONS * max(1, k) for k in range(MOST_INSERTED))},
    "modelf": {},
}

# ------------------------------------------------------------------ is_overlapping


def _overlap(segment_time, previous_segments, mistake=None) -> bool:
    s, e = segment_time
    if mistake == "first":
        previous_segments = previous_segments[:1]
    elif mistake == "last":
        previous_segments = previous_segments[-1:]
    test = {None: lambda ps, pe: s <= pe and e >= ps,
            "strict": lambda ps, pe: s < pe and e > ps,
            "first": lambda ps, pe: s <= pe and e >= ps,
            "last": lambda ps, pe: s <= pe and e >= ps,
            "reversed": lambda ps, pe: s >= pe and e <= ps,
            "contains": lambda ps, pe: s <= ps and e >= pe,
            "inside": lambda ps, pe: s >= ps and e <= pe}[mistake]
    return any(test(ps, pe) for ps, pe in previous_segments)


def case_is_overlapping(seed=None):
    runs = checks.overlap_inputs(seed)
    answers = lambda mistake=None: [_overlap(t, p, mistake) for t, p in runs]  # noqa: E731
    return {"expected": answers(),
            "mistakes": {
                "strict comparisons (< and >). The ends are inclusive: segments that share their first or last "
                "millisecond overlap, so both comparisons must accept equality (section 2.1).":
                    answers("strict"),
                "only the first previous segment decides (a return inside the loop, or previous_segments[0]). "
                "Compare with every previous segment: True as soon as one overlaps, False only after the loop.":
                    answers("first"),
                "only the last previous segment decides (overlap is set again at every iteration). Once one "
                "previous segment overlaps the answer is True: never set it back to False.":
                    answers("last"),
                "the comparisons are the wrong way round: the segment overlaps a previous one when it starts no "
                "later than that one ends and ends no earlier than that one starts (section 2.1).":
                    answers("reversed"),
                "starts are compared with starts and ends with ends, so only a segment containing a previous one "
                "counts; compare segment_start with previous_end and segment_end with previous_start.":
                    answers("contains"),
                "starts are compared with starts and ends with ends, so only a segment inside a previous one "
                "counts; compare segment_start with previous_end and segment_end with previous_start.":
                    answers("inside")}}

# ------------------------------------------------------------------ insert_ones


def _ones(y, end_ms, mistake=None) -> np.ndarray:
    """The steps where y is 1 after inserting the ones for a word ending at end_ms (without changing y)."""
    y = np.array(y, dtype=np.float64)
    Ty = y.shape[1]
    if mistake == "replaced":
        y = np.zeros_like(y)
    conversion = {"unconverted": lambda: int(end_ms), "rounded": lambda: int(round(end_ms * Ty / 10000.0)),
                  "Ty_1375": lambda: int(end_ms * 1375 / 10000.0)}
    end_y = conversion.get(mistake, lambda: int(end_ms * Ty / 10000.0))()
    first, count = {"at_end": (end_y, 50), "49": (end_y + 1, 49), "51": (end_y + 1, 51)}.get(mistake, (end_y + 1, 50))
    for i in range(first, first + count):
        if 0 <= i < Ty:
            y[0, i] = 1
    return np.flatnonzero(y[0] == 1).astype(np.int16)  # (steps < 32768: a quarter of the stored bytes)


def case_insert_ones(seed=None):
    runs = []
    for y, end in checks.insert_ones_inputs(seed):
        mistakes = {
            "the ones start AT segment_end_y; they start at the step after it (section 2.3).":
                _ones(y, end, "at_end"),
            "49 ones instead of 50: the 50 steps strictly after segment_end_y are labelled (section 2.3).":
                _ones(y, end, "49"),
            "51 ones instead of 50: the 50 steps strictly after segment_end_y are labelled (section 2.3).":
                _ones(y, end, "51"),
            "segment_end_ms was used as a step: convert the time in ms to an output step first (section 2.3).":
                _ones(y, end, "unconverted"),
            "y was replaced by a new array, so the ones of earlier activates are lost: set the ones in the y you "
            "were given and return it.": _ones(y, end, "replaced"),
            "Ty is fixed at 1375, the notebook's value: read it from the shape of y (the check tries other lengths "
            "too).": _ones(y, end, "Ty_1375"),
            "segment_end_y was rounded: truncate it to an integer instead (section 2.3).": _ones(y, end, "rounded")}
        expected = _ones(y, end)
        runs.append({"ones": expected,
                     "mistakes": {k: v for k, v in mistakes.items() if not np.array_equal(v, expected)}})
    return {"runs": runs}

# ------------------------------------------------------------------ insert_audio_clip


def _first_free_draw(seed: int, clip_ms: int, previous_segments, most: int) -> int:
    """After np.random.seed(seed), which draw of get_random_time_segment (1, 2, ...) first overlaps none of
    previous_segments; most + 1 when none of the first ``most`` does."""
    np.random.seed(seed)
    for k in range(1, most + 1):
        if not is_overlapping(get_random_time_segment(clip_ms), previous_segments):
            return k
    return most + 1


def case_insert_audio_clip(seed=None):
    """Per run of the check: the seed it gives set_seed, and the segment_time the reference returns after it. A
    "tries" run's seed is the first after which the first free segment is the run's k-th draw (k > 7: no room)."""
    inputs = checks.insert_audio_inputs(seed)
    clip_ms = len(inputs["clip"])
    state = np.random.get_state()
    try:
        runs, candidate = [], 1 + 1000 * (seed or 0)
        for number, run in enumerate(inputs["runs"]):
            previous = [tuple(p) for p in run["previous"]]
            if run["kind"] == "tries":
                while _first_free_draw(candidate, clip_ms, previous, checks.TRIES + 1) != run["draw"]:
                    candidate += 1
                chosen = candidate
                candidate += 1
            else:
                chosen = 100 + number + 1000 * (seed or 0)
            np.random.seed(chosen)
            _, segment_time = insert_audio_clip(inputs["background"], inputs["clip"], list(previous))
            runs.append({"seed": chosen, "segment_time": tuple(int(v) for v in segment_time)})
    finally:
        np.random.set_state(state)
    return {"failure": (10000, 10000), "runs": runs}

# ------------------------------------------------------------------ create_training_example


def case_create_training_example(seed=None):
    """The checks' measurements on an example made as create_training_example makes one, with the words at fixed
    places: the background 20 dB quieter, the first activate at 1 s and the first negative at 5 s, -20 dBFS."""
    inputs = checks.training_inputs(seed)
    background = inputs["background"] - 20
    background = background.overlay(inputs["activates"][0], position=1000)
    background = background.overlay(inputs["negatives"][0], position=5000)
    x = spectrogram(match_target_amplitude(background, -20.0))
    rows = (inputs["activate_row"], inputs["negative_row"])
    floor = checks.noise_floor(x, rows)
    _, power = checks.tone_runs(x, rows[0], floor)
    return {"loudness_db": float(checks.loudness_db(x)), "tone_to_noise_db": float(10 * np.log10(power / floor))}

# ------------------------------------------------------------------ modelf


def model_counts(time_steps: int, n_freq: int) -> dict:
    """Parameter counts and output shape of the model from its layer sizes (Keras's GRU: reset_after, two biases)."""
    conv = 15 * n_freq * 196 + 196
    gru = lambda n_in: 3 * (128 * (n_in + 128) + 2 * 128)  # noqa: E731
    batch_norm_trainable = 2 * 196 + 2 * 128 + 2 * 128
    dense = 128 + 1
    return {"trainable": conv + gru(196) + gru(128) + batch_norm_trainable + dense,
            "non_trainable": batch_norm_trainable,  # the moving means and variances
            "output_shape": (None, (time_steps - 15) // 4 + 1, 1)}


def _detector(input_shape, backwards=(False, False)):
    """modelf's model, with either GRU reading its sequence backwards (a classic mistake) when asked."""
    X_input = Input(shape=input_shape)
    X = Dropout(rate=0.8)(Activation("relu")(BatchNormalization()(Conv1D(196, kernel_size=15, strides=4)(X_input))))
    X = GRU(units=128, return_sequences=True, go_backwards=backwards[0])(X)
    X = BatchNormalization()(Dropout(rate=0.8)(X))
    X = GRU(units=128, return_sequences=True, go_backwards=backwards[1])(X)
    X = Dropout(rate=0.8)(BatchNormalization()(Dropout(rate=0.8)(X)))
    return Model(inputs=X_input, outputs=TimeDistributed(Dense(1, activation="sigmoid"))(X))


def _outputs(model, seed) -> np.ndarray:
    """The model's outputs on the check's batch with the check's weights, in inference."""
    checks.set_check_weights(model, seed)
    return np.asarray(model(checks.behaviour_batch(seed), training=False), dtype=np.float32)


def case_modelf(seed=None):
    small = checks.behaviour_input_shape(seed)
    expected = _outputs(modelf(small), seed)
    mistakes = {}
    for backwards, cause in [((True, False), "the first GRU reads its sequence backwards (go_backwards=True): a "
                              "detector reads the clip forwards, as the sound comes in; leave go_backwards at its "
                              "default, False (section 3)."),
                             ((False, True), "the second GRU reads its sequence backwards (go_backwards=True): a "
                              "detector reads the clip forwards, as the sound comes in; leave go_backwards at its "
                              "default, False (section 3)."),
                             ((True, True), "both GRUs read their sequences backwards (go_backwards=True): a "
                              "detector reads the clip forwards, as the sound comes in; leave go_backwards at its "
                              "default, False (section 3).")]:
        wrong = _outputs(_detector(small, backwards), seed)
        if not np.allclose(wrong, expected, rtol=0, atol=100 * checks.OUTPUT_TOLERANCE):
            mistakes[cause] = wrong
    return {**model_counts(*checks.model_input_shape(seed)),
            "behaviour_output_shape": (None, (small[0] - 15) // 4 + 1, 1), "outputs": expected, "mistakes": mistakes}


CASES = {"is_overlapping": case_is_overlapping, "insert_audio_clip": case_insert_audio_clip,
         "insert_ones": case_insert_ones, "create_training_example": case_create_training_example,
         "modelf": case_modelf}

# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "is_overlapping": [
        ("strict comparisons", "<= previous_end and segment_end >=", "< previous_end and segment_end >",
         "strict comparisons (< and >)"),
        ("only the first previous segment", "overlap = True\n            break", "overlap = True\n        break",
         "only the first previous segment decides"),
        ("only the last previous segment", "overlap = True\n            break",
         "overlap = True\n        else:\n            overlap = False", "only the last previous segment decides"),
        ("comparisons reversed", "<= previous_end and segment_end >=", ">= previous_end and segment_end <=",
         "the comparisons are the wrong way round"),
        ("starts with starts, ends with ends", "previous_end and segment_end >= previous_start",
         "previous_start and segment_end >= previous_end", "only a segment containing a previous one counts"),
    ],
    "insert_audio_clip": [
        ("too many tries", "retry = 5", "retry = 10", "more than 7 draws"),
        ("one try too few", "retry >= 0", "retry > 0", "fewer than 7 draws"),
        ("no new segment drawn in the loop", "        segment_time = get_random", "        new_time = get_random",
         "no new segment drawn in the loop"),
        ("no bound on the tries", "retry >= 0", "retry >= -1000000", "more than 7 draws"),
        ("appended although it overlaps", "    else:\n        new_background",
         "    else:\n        previous_segments += [segment_time]\n        new_background",
         "the segment was appended although it overlaps"),
        ("overlaid at the start", "position=segment_time[0]", "position=0",
         "the clip was overlaid at the start of the background"),
        ("appended to a copy", "previous_segments.append(", "list(previous_segments).append(",
         "the inserted segment was not appended to the caller's list"),
    ],
    "insert_ones": [
        ("Ty fixed at 1375", "segment_end_ms * Ty", "segment_end_ms * 1375", "Ty is fixed at 1375"),
        ("the ones start at the end step", "(segment_end_y + 1, segment_end_y + 51",
         "(segment_end_y, segment_end_y + 50", "the ones start AT segment_end_y"),
        ("49 ones", "segment_end_y + 51", "segment_end_y + 50", "49 ones instead of 50"),
        ("no clipping at the end of y", "            if i < Ty:\n                y[0, i] = 1",
         "            y[0, i] = 1", "fewer than 50 steps are left"),
        ("the time used as a step", "segment_end_ms * Ty / 10000.0", "segment_end_ms",
         "segment_end_ms was used as a step"),
        ("rounded instead of truncated", "int(segment_end_ms", "round(segment_end_ms",
         "segment_end_y was rounded"),
        ("y replaced by a new array", "< Ty:\n        for i in",
         "< Ty:\n        y = np.zeros_like(y)\n        for i in",
         "the ones of earlier activates are lost"),
    ],
    "create_training_example": [
        ("the background not made quieter", " - 20\n", "\n", "the background was not made 20 dB quieter"),
        ("0 to 3 activates (randint's high end taken as included)", "randint(0, 5)", "randint(0, 4)",
         "never 4"),
        ("0 to 1 negatives", "randint(0, 3)", "randint(0, 2)", "never 2"),
        ("the negatives' background discarded", "background, _ =", "_, _ =", "x never shows a negative"),
        ("activates' indices drawn over the negatives", "randint(len(activates)", "randint(len(negatives)",
         "x never shows activates[2]"),
        ("labelled at the start", "(y, segment_end)", "(y, segment_start)",
         "insert_ones was given the start of the segment"),
        ("negatives labelled too", "negatives[i], previous_segments)",
         "negatives[i], previous_segments)\n        y = insert_ones(y, _[1])", "ones were set after the negatives too"),
        ("loudness not brought to -20 dBFS", "(background, -20.0)", "(background, -30.0)",
         "expected the clip's loudness to be"),
    ],
    "modelf": [
        ("the first GRU reads backwards", "return_sequences=True)(X)  # reads the convolution's",
         "return_sequences=True, go_backwards=True)(X)  # reads the convolution's",
         "the first GRU reads its sequence backwards"),
        ("the second GRU reads backwards", "return_sequences=True)(X)  # reads the first GRU's",
         "return_sequences=True, go_backwards=True)(X)  # reads the first GRU's",
         "the second GRU reads its sequence backwards"),
        ("the second GRU returns only its last step", "return_sequences=True)(X)  # reads the first GRU's",
         ")(X)  # reads the first GRU's", "the second GRU needs return_sequences=True"),
        ("Dropout's rate taken as the fraction kept", "relu\")(X)\n    X = Dropout(rate=0.8",
         "relu\")(X)\n    X = Dropout(rate=0.2", "fraction of the units DROPPED"),
        ("the Dense layer not wrapped in TimeDistributed", "= TimeDistributed(Dense(1, activation=\"sigmoid\"))",
         "= Dense(1, activation=\"sigmoid\")", "wrap the Dense layer in TimeDistributed"),
        ("a softmax output", "sigmoid\"))(X)", "softmax\"))(X)", "a softmax over one unit"),
        ("the convolution applies the ReLU too", "strides=4)(X_input)", "strides=4, activation=\"relu\")(X_input)",
         "relu is applied twice"),
    ],
}


def _probe_is_overlapping(rng) -> list[tuple]:
    """Around random previous segments: touching at either end, 1 ms apart, equal, containing, inside; none; one
    millisecond long segments; several previous segments where only one (first, middle, last) overlaps."""
    calls = [((0, 100), []), ((5, 5), [(5, 5)]), ((4, 4), [(5, 5)]), ((0, 9999), [(9999, 9999)])]
    for _ in range(5):
        p0 = int(rng.integers(100, 9000))
        p1 = p0 + int(rng.integers(0, 800))
        one = [(p0, p1)]
        calls += [((p0 - 50, p0), one), ((p1, p1 + 50), one), ((p0 - 50, p0 - 1), one), ((p1 + 1, p1 + 60), one),
                  ((p0, p1), one), ((p0 - 10, p1 + 10), one), ((p0, p0), one)]
        a, c = (max(p0 - 400, 0), max(p0 - 300, 0)), (p1 + 300, p1 + 400)
        calls += [((a[0], a[0]), [a, (p0, p1), c]), ((p0 + 1, p0 + 2), [a, (p0, p1), c]),
                  ((c[1], c[1] + 5), [a, (p0, p1), c]), ((a[1] + 1, p0 - 1), [a, (p0, p1), c])]
    return calls


def _probe_insert_audio_clip(rng) -> list[tuple]:
    """(background, clip, previous_segments): nothing in the way, the first part, the last part or all of the 10 s
    covered, a gap between two previous segments, clips of several lengths; and 80 calls where one draw in 7 fits,
    so that some fit first at the 7th draw and some at the 8th: the number of tries shows (the harness seeds numpy
    per call, so the draws of get_random_time_segment are the same for the solution and the mutant)."""
    state = np.random.RandomState(int(rng.integers(0, 2 ** 31 - 1)))
    background = checks._noise(state, checks.CLIP_RATE, 300.0)
    calls = []
    for clip_ms in (200, 1000, 2500, 4000):
        clip = checks._tone(440.0, clip_ms - 2 * checks.MARGIN_MS, checks.CLIP_RATE, 6000.0)
        gap = int(rng.integers(1000, 8000 - clip_ms))
        for previous in ([], [(0, 7999)], [(2000, 9999)], [(0, 2999), (3000, 6999), (7000, 9999)],
                         [(0, gap - 1), (gap + clip_ms + 200, 9999)], [(0, 9000 - clip_ms)]):
            calls.append((background, clip, list(previous)))
    # Room for the clip in about one draw in 7, many times over: the harness seeds each call differently, so some
    # calls find it only at the 7th draw (the last allowed) and some only at the 8th (one too many).
    for clip_ms in (1000, 600):
        clip = checks._tone(440.0, clip_ms - 2 * checks.MARGIN_MS, checks.CLIP_RATE, 6000.0)
        covered = checks.CLIP_MS - clip_ms - (checks.CLIP_MS - clip_ms) // 7  # the last seventh of the starts is free
        calls += [(background, clip, [(0, covered)]) for _ in range(40)]
    return calls


def _probe_insert_ones(rng) -> list[tuple]:
    """(y, segment_end_ms): several Ty (down to 1), ends at 0, early, ordinary, in the last half second, in the last
    step and at 10000, and y that already holds ones (overlapping the new ones or not)."""
    calls = []
    for Ty in (1, 50, 51, 800, 1375, 2011):
        for end in (0, 1, int(rng.integers(2, 9000)), 9800, 9999, 10000):
            calls.append((np.zeros((1, Ty)), end))
        y = np.zeros((1, Ty))
        y[0, int(rng.integers(0, Ty)):] = 1.0
        calls.append((y, int(rng.integers(0, 10001))))
    return calls


def _probe_create_training_example(rng) -> list[tuple]:
    """(background, activates, negatives, Ty): the checks' synthetic sounds (public and hidden lists: one activate,
    long clips that may find no room, several negatives) with several Ty (the harness seeds numpy per call)."""
    calls = []
    for seed in (None, 1, 2, 3):
        inputs = checks.training_inputs(seed)
        for Ty in (1375, 800, int(rng.integers(300, 2500)), 1700, 51):
            calls.append((inputs["background"], list(inputs["activates"]), list(inputs["negatives"]), Ty))
    return calls


def _probe_modelf(rng) -> list[tuple]:
    """(input_shape,): the smallest input (15 steps: one output step), step counts either side of a stride, and a
    few frequencies; the harness compares the models with the same weights."""
    shapes = [(15, 3), (18, 4), (19, 5), (20, 2), (23, 7), (40, 101), (63, 11)]
    shapes += [(int(rng.integers(15, 120)), int(rng.integers(1, 60))) for _ in range(13)]
    return [(shape,) for shape in shapes]


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"is_overlapping": _probe_is_overlapping, "insert_audio_clip": _probe_insert_audio_clip,
          "insert_ones": _probe_insert_ones, "create_training_example": _probe_create_training_example,
          "modelf": _probe_modelf}

"""Reference for w3a2 (trigger word detection): the graded functions, and the cases behind the checks in
:mod:`week3.trigger_checks`.

``is_overlapping`` and ``insert_ones``: the expected answers on the checks' inputs, and the answers each classic
mistake gives, computed here. ``insert_audio_clip`` and ``create_training_example`` are checked by behaviour (their
random draws may come in any order); their cases hold what that behaviour is measured against: the sentinel, and
the loudness and tone-to-background ratio that the checks' measurements give on a training example made by the
reference with the words at fixed places. ``modelf``: the parameter counts and output shape for the input shape,
from the layer sizes.
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
    return np.flatnonzero(y[0] == 1)


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
            "Ty is fixed at 1375: read it from the shape of y.": _ones(y, end, "Ty_1375"),
            "segment_end_y was rounded: truncate it to an integer instead (section 2.3).": _ones(y, end, "rounded")}
        expected = _ones(y, end)
        runs.append({"ones": expected,
                     "mistakes": {k: v for k, v in mistakes.items() if not np.array_equal(v, expected)}})
    return {"runs": runs}

# ------------------------------------------------------------------ insert_audio_clip


def case_insert_audio_clip(seed=None):
    return {"failure": (10000, 10000)}

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


def case_modelf(seed=None):
    small_steps, _ = checks.behaviour_input_shape(seed)
    return {**model_counts(*checks.model_input_shape(seed)),
            "behaviour_output_shape": (None, (small_steps - 15) // 4 + 1, 1)}


CASES = {"is_overlapping": case_is_overlapping, "insert_audio_clip": case_insert_audio_clip,
         "insert_ones": case_insert_ones, "create_training_example": case_create_training_example,
         "modelf": case_modelf}

"""Public checks of the trigger word detection notebook (w3a2), one per graded function.

Every check draws its own small seeded inputs (the functions here whose names do not start with ``check_``; they
make inputs and measure outputs, they compute no answer) and compares what the student's function returns with
values stored in ``week3/fixtures/w3a2_trigger_word.json`` (see :mod:`checks.fixtures`), naming a classic
mistake when the answer is exactly what that mistake gives.

``insert_audio_clip`` and ``create_training_example`` draw random numbers. A check seeds the notebook's numpy through
the notebook's ``set_seed`` (and its own, for the functions that stand in for the other graded functions while
grading), but it never compares with values that depend on the order of the draws: it checks behaviour, so every
correct implementation passes whatever order it draws in.

- ``insert_audio_clip`` gets a quiet noise background and a tone clip (8 kHz: small and exact). With no previous
  segments it must succeed: segment_time = (start, start + len - 1), the clip's samples added to the background's
  from that start on, and previous_segments holding exactly that segment afterwards. With the 10 s covered it
  must give up after a bounded number of tries: the background unchanged, (10000, 10000), previous_segments
  unchanged. With the first 5 s covered either outcome is right, but it must be consistent.
- ``create_training_example`` gets synthetic sounds: a near-silent noise background, "activates" that are short
  clips of a pure tone at the frequency of one spectrogram row and "negatives" at another row's frequency, each
  tone with 40 ms of silence before and after it. In x the check finds every inserted word (the runs of its row),
  hence where each activate ends, and checks that y is 1 for the 50 output steps after each (within 2 steps: x's
  time resolution), nowhere else; the loudness of the clip (-20 dBFS: x's total energy, by Parseval) and the tone
  to background ratio (the background 20 dB quieter) against the values stored for the reference.
- ``modelf`` by structure (layer types in order, their settings, parameter counts, output shape) and behaviour.
"""
from __future__ import annotations

import contextlib
import signal
import threading

import numpy as np

import keras
from checks.assertions import CheckFailed, call, check_tuple, check_type, passed
from checks.fixtures import Fixtures
from checks.keras_models import (build, check_activation, check_input, check_layer_config, check_layer_sequence,
                                     check_model, check_output_shape, check_param_counts, check_return_sequences,
                                     layers_of, predict)
import week3.trigger  # noqa: F401  (registers week3>TimeDistributed, which the notebook's models may use)
from week3.audio import CLIP_MS, N_FREQ, NFFT, NOVERLAP, ONES_AFTER, RATE, TX, TY, AudioSegment, samples

FIXTURES = Fixtures("w3a2_trigger_word")

SENTINEL = (CLIP_MS, CLIP_MS)   # insert_audio_clip's segment_time when the clip found no place
TIME_LIMIT_S = 20               # insert_audio_clip must give up (in the student's lab; the grader has its own limit)
CLIP_RATE = 8_000               # insert_audio_clip's inputs: 8 samples per millisecond, exact positions
MARGIN_MS = 40                  # silence before and after the tone of every synthetic word
STEP_TOLERANCE = 2              # y's runs of ones may be off by this many output steps (x's time resolution)
# x's loudness (Parseval) is within 0.1 dB of the clip's dBFS, and a correct example is at -20.0 +- 0.1 dBFS: 1 dB
# leaves room for any rounding, and a clip not brought to -20 dBFS is some 25 dB off with these quiet inputs.
LOUDNESS_TOLERANCE_DB = 1.0
# The words' power over the background's (per row and column) varies by about 0.1 dB between examples; a
# background not made 20 dB quieter, or made quieter twice, is 20 dB off.
RATIO_TOLERANCE_DB = 6.0
_HOP = NFFT - NOVERLAP          # samples between two spectrogram columns


def _fail(message: str):
    raise CheckFailed(message)


def _segment(values, rate: int) -> AudioSegment:
    """A mono 16-bit AudioSegment of ``values`` (rounded)."""
    data = np.clip(np.round(values), -32768, 32767).astype("<i2")
    return AudioSegment(data=data.tobytes(), sample_width=2, frame_rate=rate, channels=1)


def _noise(rng, rate: int, rms: float, ms: int = CLIP_MS) -> AudioSegment:
    return _segment(rng.normal(0.0, rms, rate * ms // 1000), rate)


def _tone(freq: float, tone_ms: int, rate: int, amplitude: float, margin_ms: int = MARGIN_MS) -> AudioSegment:
    """MARGIN_MS of silence, a sine of ``freq`` Hz for ``tone_ms``, MARGIN_MS of silence."""
    t = np.arange(rate * tone_ms // 1000) / rate
    pad = np.zeros(rate * margin_ms // 1000)
    return _segment(np.concatenate([pad, amplitude * np.sin(2 * np.pi * freq * t), pad]), rate)


def _pairs(segments) -> list:
    """A list of (start, end) as tuples of ints (whatever sequence types the student used), or None."""
    try:
        return [tuple(int(v) for v in s) for s in segments]
    except (TypeError, ValueError):
        return None

# ---------------------------------------------------------------------------- is_overlapping


def _overlap_runs(p0, p1, n, gap, rest) -> list[tuple]:
    """(segment_time, previous_segments) around a previous segment (p0, p1): the inclusive edges, containing and
    contained segments, partial overlaps, and three previous segments where only one overlaps."""
    one = [(p0, p1)]
    a, b, c = (p0 - gap - 300, p0 - gap - 100), (p0, p1), (p1 + gap + 100, p1 + gap + 300)
    return [
        ((p0 - n, p1 + n), []),                  # no previous segments
        ((p0 - n, p0), one),                     # ends where the previous one starts: a shared millisecond
        ((p1, p1 + n), one),                     # starts where the previous one ends
        ((p0 - n, p0 - 1), one),                 # ends 1 ms before it
        ((p1 + 1, p1 + n), one),                 # starts 1 ms after it
        ((p0 - n, p1 + n), one),                 # contains it
        ((p0 + 1, p1 - 1), one),                 # inside it
        ((p0 - n, (p0 + p1) // 2), one),         # overlaps its start
        (((p0 + p1) // 2, p1 + n), one),         # overlaps its end
        ((p0 + 2, p1 + 2), [a, b, c]),           # only the middle previous segment overlaps
        ((a[0] - n, a[0] + 5), [a, b, c]),       # only the first
        ((c[1] - 5, c[1] + n), [a, b, c]),       # only the last
        ((b[1] + 1, c[0] - 1), [a, b, c]),       # between two: none
    ] + rest


def overlap_inputs(seed=None) -> list[tuple]:
    """The (segment_time, previous_segments) that check_is_overlapping tries, in ms."""
    if seed is None:
        return _overlap_runs(3000, 3500, 200, 50, [((1000, 1800), [(1700, 2500), (5000, 5800)])])
    rng = np.random.RandomState(seed)
    p0 = int(rng.randint(1000, 7000))
    p1 = p0 + int(rng.randint(10, 1500))
    rest = []
    for _ in range(6):
        previous = []
        for _ in range(int(rng.randint(1, 4))):
            s = int(rng.randint(0, 9500))
            previous.append((s, s + int(rng.randint(1, 500))))
        s = int(rng.randint(0, 9500))
        rest.append(((s, s + int(rng.randint(1, 500))), previous))
    return _overlap_runs(p0, p1, int(rng.randint(5, 400)), int(rng.randint(1, 100)), rest)


def check_is_overlapping(is_overlapping, seed=None):
    """is_overlapping(segment_time, previous_segments) is True when the segment shares at least one millisecond
    (ends inclusive) with any previous segment."""
    name = "is_overlapping"
    case = FIXTURES.case(name, seed=seed)
    runs = overlap_inputs(seed)
    got = []
    for segment_time, previous in runs:
        label = f"{name}({segment_time}, {previous})"
        with FIXTURES.stand_ins(is_overlapping, name):
            out = call(is_overlapping, tuple(segment_time), [tuple(p) for p in previous], name=label)
        if not isinstance(out, (bool, np.bool_)):
            _fail(f"{label}: expected True or False but got {out!r} (a {type(out).__name__}). Likely cause: return "
                  "a boolean, overlap, in every case (False when no previous segment overlaps).")
        got.append(bool(out))
    expected = list(case["expected"])
    if got == expected:
        passed(name)
        return
    i = next(k for k, (g, e) in enumerate(zip(got, expected)) if g != e)
    where = f"{name}({runs[i][0]}, {runs[i][1]}) returned {got[i]} but expected {expected[i]}"
    for cause, wrong in case["mistakes"].items():
        if got == list(wrong):
            _fail(f"{where}: exactly the answers a known mistake gives. Likely cause: {cause}")
    _fail(f"{where}. Likely cause: two segments overlap when each one starts no later than the other ends (both "
          "ends inclusive, section 2.1); compare with every previous segment.")

# ---------------------------------------------------------------------------- insert_ones


def insert_ones_inputs(seed=None) -> list[tuple]:
    """(y (1, Ty), segment_end_ms) runs: an ordinary end, an early end (below Ty ms), the end of the clip (fewer
    than 50 steps left), the end of the last step (none left), the sentinel 10000, and a y that already has ones."""
    if seed is None:
        Ty, ends = TY, [4000, 700, 9800, 9999, CLIP_MS, 3650]
        earlier = (200, 250)
    else:
        rng = np.random.RandomState(seed)
        Ty = int(rng.choice([400, 800, 1100, 2000])) if seed % 2 else \
            int(rng.choice([rng.randint(300, 1300), rng.randint(1450, 2500)]))  # never the notebook's 1375
        step_ms = CLIP_MS / Ty
        ends = [int(rng.randint(2000, 7000)), int(rng.randint(60, Ty - 60)),  # an end in ms below Ty
                int(rng.randint(int(CLIP_MS - 40 * step_ms), int(CLIP_MS - 5 * step_ms))), CLIP_MS - 1, CLIP_MS,
                int(rng.randint(2000, 7000))]
        first = int(ends[-1] * Ty / CLIP_MS) - int(rng.randint(10, 120))
        earlier = (first, first + ONES_AFTER)
    runs = []
    for k, end in enumerate(ends):
        y = np.zeros((1, Ty))
        if k == len(ends) - 1:
            y[0, max(earlier[0], 0):earlier[1]] = 1.0  # ones of an earlier activate, to be kept
        runs.append((y, end))
    return runs


_INSERT_ONES_INDEX = ("Near the end of the clip fewer than 50 steps are left: set only the steps before Ty, and "
                      "nothing when the word ends in the last step or later (section 2.3).")


def check_insert_ones(insert_ones, seed=None):
    """insert_ones(y, segment_end_ms) sets to 1 the 50 steps of y's row that follow segment_end_y, the output step
    where the word ends (truncated; only the steps before Ty), keeping the ones y already has."""
    name = "insert_ones"
    case = FIXTURES.case(name, seed=seed)
    for (y, end), want in zip(insert_ones_inputs(seed), case["runs"]):
        Ty = y.shape[1]
        had = np.flatnonzero(y[0])
        label = f"{name}(y of shape {y.shape}" + (f" with ones at steps {had[0]}..{had[-1]}" if had.size else "") \
            + f", {end})"
        try:
            with FIXTURES.stand_ins(insert_ones, name):
                out = call(insert_ones, y.copy(), end, name=label)
        except CheckFailed as exc:
            if isinstance(exc.__cause__, IndexError):
                raise CheckFailed(f"{exc} {_INSERT_ONES_INDEX}") from exc.__cause__
            raise
        check_type(label, out, np.ndarray, hint="Return y, the label array, after setting the ones.")
        if out.shape != (1, Ty):
            _fail(f"{label}: expected y of shape {(1, Ty)} but got {out.shape}. Likely cause: keep y's shape (1, Ty) "
                  "and set the label steps of its one row to 1.")
        values = np.unique(out)
        if not np.all(np.isin(values, (0, 1))):
            _fail(f"{label}: expected y to hold only 0 and 1 but it holds {values[:6].tolist()}. Likely cause: set "
                  "the label steps to 1.")
        ones = np.flatnonzero(out[0] == 1)
        expected = np.asarray(want["ones"])
        if np.array_equal(ones, expected):
            continue
        for cause, wrong in want["mistakes"].items():
            if np.array_equal(ones, np.asarray(wrong)):
                _fail(f"{label}: wrong ones, exactly those a known mistake gives. Likely cause: {cause}")
        show = lambda idx: f"{idx.size} ones" + (f" at steps {idx[0]}..{idx[-1]}" if idx.size else "")  # noqa: E731
        _fail(f"{label}: expected {show(expected)} but got {show(ones)}. Likely cause: convert segment_end_ms to "
              f"an output step, truncated, with Ty read from the shape of y; then set to 1 the {ONES_AFTER} steps "
              "strictly after it that are before Ty (section 2.3).")
    passed(name)

# ---------------------------------------------------------------------------- insert_audio_clip


def insert_audio_inputs(seed=None) -> dict:
    """{"background": 10 s of quiet noise at CLIP_RATE, "clip": a tone clip, "runs": [{"kind", "seed",
    "previous"}]}: "free" (no previous segments: it must succeed), "full" (the 10 s covered: it must give up),
    "part" (the first part covered: either outcome, consistently; a placed clip must start at "free_from" or
    later; with the public inputs a correct function gives up about half the time)."""
    rng = np.random.RandomState(1234 if seed is None else 1234 + seed)
    clip_ms = 1000 if seed is None else int(rng.randint(200, 2500))
    split = 8000 if seed is None else int(rng.randint(5000, 9800 - clip_ms))
    seeds = [int(s) for s in rng.randint(0, 2 ** 31 - 1, size=4)] if seed is not None else [1, 2, 3, 4]
    return {"background": _noise(rng, CLIP_RATE, 300.0),
            "clip": _tone(440.0, clip_ms - 2 * MARGIN_MS, CLIP_RATE, 6000.0),
            "runs": [{"kind": "free", "seed": seeds[0], "previous": []},
                     {"kind": "free", "seed": seeds[1], "previous": []},
                     {"kind": "full", "seed": seeds[2], "previous": [(0, 2999), (3000, 6999), (7000, CLIP_MS - 1)]},
                     {"kind": "part", "seed": seeds[3], "previous": [(0, split - 1)], "free_from": split}]}


class _TooLong(BaseException):
    """Raised by the check's timer inside a function that does not finish (not an Exception: never caught as one)."""


@contextlib.contextmanager
def _time_limit(fn, seconds):
    """Stop ``fn`` after ``seconds`` where it runs in this process (the student's lab, in the main thread); while
    grading the function runs in the student's kernel, which has its own time limit."""
    if not hasattr(fn, "__globals__") or not hasattr(signal, "setitimer") \
            or threading.current_thread() is not threading.main_thread() \
            or signal.getitimer(signal.ITIMER_REAL)[0] > 0:  # a timer of the caller's is running: leave it be
        yield
        return

    def stop(signum, frame):
        raise _TooLong()

    old = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _seed_both(set_seed, value: int, label: str):
    """Seed the notebook's numpy (through its set_seed) and this process's (where the stand-ins draw)."""
    np.random.seed(value)
    try:
        set_seed(value)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - the notebook's helper could not run
        _fail(f"{label}: the notebook's set_seed({value}) raised {type(exc).__name__}: {exc}. Run the cell that "
              "defines set_seed (and do not change it), then this check again.")


def _placed_at(diff: np.ndarray, clip: np.ndarray, start_ms: int) -> bool:
    """Whether ``diff`` (the returned audio's samples minus the background's) is ``clip`` from start_ms on and 0
    elsewhere."""
    a = start_ms * CLIP_RATE // 1000
    if a < 0 or a + clip.size > diff.size:
        return False
    rest = np.concatenate([diff[:a], diff[a + clip.size:]])
    return bool(np.allclose(diff[a:a + clip.size], clip, atol=1.0) and np.allclose(rest, 0, atol=1.0))


def check_insert_audio_clip(insert_audio_clip, set_seed, seed=None):
    """insert_audio_clip(background, audio_clip, previous_segments) -> (new_background, segment_time): on success
    the clip overlaid at segment_time[0] and the segment appended to previous_segments; after the retries the
    background unchanged, (10000, 10000) and previous_segments unchanged."""
    name = "insert_audio_clip"
    case = FIXTURES.case(name, seed=seed)
    sentinel = tuple(case["failure"])
    inputs = insert_audio_inputs(seed)
    background, clip = inputs["background"], inputs["clip"]
    bg, cl = samples(background), samples(clip)
    n_ms = len(clip)
    state = np.random.get_state()
    try:
        for run in inputs["runs"]:
            previous = [tuple(p) for p in run["previous"]]
            label = (f"{name}(10 s background, {n_ms} ms clip, previous_segments="
                     f"{previous if len(previous) < 4 else '...'})")
            _seed_both(set_seed, run["seed"], label)
            try:
                with _time_limit(insert_audio_clip, TIME_LIMIT_S), FIXTURES.stand_ins(insert_audio_clip, name):
                    out = call(insert_audio_clip, background, clip, previous, name=label)
            except _TooLong:
                _fail(f"{label}: did not finish within {TIME_LIMIT_S} s. Likely cause: the while loop has no bound; "
                      "when no free place is found after a few tries (step 2 of section 2.2) give up and return the "
                      "background and (10000, 10000).")
            check_tuple(label, out, 2, ["new_background", "segment_time"])
            new, segment_time = out
            check_type(f"{label}: new_background", new, AudioSegment,
                       hint="Return the AudioSegment that overlay gives (step 3 of section 2.2).")
            got_time = _pairs([segment_time])
            if got_time is None or len(got_time[0]) != 2:
                _fail(f"{label}: expected segment_time to be a (start, end) pair of ms but got {segment_time!r}.")
            start, end = got_time[0]
            after = _pairs(previous)
            new_samples = samples(new)
            if new_samples.size != bg.size:
                _fail(f"{label}: expected new_background to last {len(background)} ms, like the background, but it "
                      f"lasts {len(new)} ms. Likely cause: overlay the clip on the background, not the background on "
                      "the clip.")
            diff = new_samples - bg
            failed = (start, end) == sentinel
            if run["kind"] == "free" and failed:
                _fail(f"{label}: expected the clip to be placed (nothing is in its way) but got segment_time "
                      f"{sentinel}. Likely cause: the clip must be inserted when its segment overlaps no previous "
                      "segment (step 3 of section 2.2).")
            if run["kind"] == "full" and not failed:
                _fail(f"{label}: the previous segments cover the whole 10 s, so expected segment_time {sentinel} "
                      f"(no place found) but got {(start, end)}. Likely cause: insert the clip only when the last "
                      "segment drawn does not overlap; otherwise return the background and (10000, 10000).")
            if failed:
                if after != [tuple(p) for p in run["previous"]]:
                    _fail(f"{label}: no place was found, so previous_segments should stay {run['previous']} but it "
                          f"became {after}. Likely cause: the segment was appended although it overlaps; append "
                          "it only when the clip is inserted.")
                if not np.allclose(diff, 0, atol=1.0):
                    _fail(f"{label}: no place was found (segment_time {sentinel}), so expected the background "
                          "unchanged, but the returned audio differs from it. Likely cause: overlay the clip only "
                          "when it does not overlap.")
                continue
            if end == start + n_ms:
                _fail(f"{label}: expected segment_time ({start}, {start + n_ms - 1}) but got {(start, end)}. Likely "
                      f"cause: the end is inclusive: segment_end = segment_start + len(audio_clip) - 1 "
                      "(get_random_time_segment gives it: step 1 of section 2.2).")
            if end != start + n_ms - 1 or start < 0 or end >= CLIP_MS:
                _fail(f"{label}: expected segment_time (start, start + {n_ms - 1}) inside the 10 s but got "
                      f"{(start, end)}. Likely cause: draw segment_time with get_random_time_segment, for the clip's "
                      "length (step 1 of section 2.2).")
            if run["kind"] == "part" and start < run["free_from"]:
                _fail(f"{label}: the clip was placed at {(start, end)}, over the previous segment "
                      f"{run['previous'][0]}. Likely cause: draw a new segment while the one drawn overlaps a previous "
                      "segment (step 2 of section 2.2), and insert only one that does not overlap.")
            if not _placed_at(diff, cl, start):
                if np.allclose(diff, 0, atol=1.0):
                    cause = ("the clip was not overlaid: return the background with the clip overlaid at the "
                             "segment's start (step 3 of section 2.2).")
                elif _placed_at(diff, cl, 0):
                    cause = ("the clip was overlaid at the start of the background: pass "
                             "position=segment_time[0] to overlay.")
                else:
                    cause = ("overlay the clip on the background at the segment's start (step 3 of section 2.2) and "
                             "return the result.")
                _fail(f"{label}: expected the clip's samples added to the background's from {start} ms on "
                      f"(segment_time {(start, end)}) and nothing else changed, but the returned audio differs. "
                      f"Likely cause: {cause}")
            want = [tuple(p) for p in run["previous"]] + [(start, end)]
            if after != want:
                if after == [tuple(p) for p in run["previous"]]:
                    _fail(f"{label}: expected previous_segments to become {want} but it is still {after}. Likely "
                          "cause: the inserted segment was not appended to the caller's list: append it to the list "
                          "you were given, in place (assigning a new list, previous_segments = previous_segments + "
                          "[...], changes only a local name).")
                _fail(f"{label}: expected previous_segments to become {want} but it is {after}. Likely cause: "
                      "append the segment (once) to previous_segments when the clip is inserted (step 3 of section "
                      "2.2).")
    finally:
        np.random.set_state(state)
    passed(name)

# ---------------------------------------------------------------------------- create_training_example


def training_inputs(seed=None) -> dict:
    """{"background": 10 s of noise at RATE (-40 dBFS), "activates": tone clips at the frequency of spectrogram
    row "activate_row", "negatives": tone clips at row "negative_row", "Ty", "seeds": one per call}. A row's
    frequency is row * RATE / NFFT Hz; every tone has MARGIN_MS of silence before and after it."""
    rng = np.random.RandomState(77 if seed is None else 77 + seed)
    if seed is None:
        Ty, rows, seeds = TY, (10, 30), [1, 2, 3]
        activate_ms, negative_ms = [300, 450, 600], [350, 500]
    else:
        Ty = int(rng.choice([800, 1100, 1700]))
        rows = (int(rng.randint(6, 20)), int(rng.randint(26, 60)))
        seeds = [int(s) for s in rng.randint(0, 2 ** 31 - 1, size=2)]
        activate_ms = [int(v) for v in rng.randint(250, 700, size=int(rng.randint(2, 4)))]
        negative_ms = [int(v) for v in rng.randint(250, 700, size=2)]
    amplitude = 0.01 * 32768 * np.sqrt(2)  # -40 dBFS tones
    hz = lambda row: row * RATE / NFFT  # noqa: E731
    return {"background": _noise(rng, RATE, 0.01 * 32768),
            "activates": [_tone(hz(rows[0]), ms, RATE, amplitude) for ms in activate_ms],
            "negatives": [_tone(hz(rows[1]), ms, RATE, amplitude) for ms in negative_ms],
            "activate_row": rows[0], "negative_row": rows[1], "Ty": Ty, "seeds": seeds}


def column_ms(column: float) -> float:
    """The time (ms) of the centre of a spectrogram column's window."""
    return (column * _HOP + NFFT / 2) * 1000 / RATE


def loudness_db(x: np.ndarray) -> float:
    """The clip's average loudness in dBFS, from its spectrogram (Parseval: a column's power spectral density
    summed over the frequencies times the bin width is the power of its window; ``spectrogram`` uses Fs=8000)."""
    power = float(np.asarray(x, dtype=np.float64).sum(axis=0).mean()) * 8000 / NFFT
    return 10 * np.log10(max(power, 1e-30) / 32768 ** 2)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of every run of True."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2])]


def noise_floor(x: np.ndarray, rows) -> float:
    """The background's power per row and column: the median over the columns of the mean over the rows at least
    4 rows away from the tones' rows."""
    far = np.ones(x.shape[0], dtype=bool)
    for row in rows:
        far[max(row - 4, 0):row + 5] = False
    return float(np.median(x[far].mean(axis=0)))


def tone_runs(x: np.ndarray, row: int, floor: float) -> tuple[list[tuple[float, float]], float | None]:
    """([(start ms, end ms) of each tone heard at ``row``], its power): the runs of columns above a quarter of the
    row's largest power (a window centred on a tone's edge holds a quarter of its power), if that is 20 times
    the background's."""
    line = x[row]
    top = float(line.max())
    if not top > 20 * floor:
        return [], None
    runs = _runs(line > top / 4)
    return [(column_ms(a), column_ms(b)) for a, b in runs], top


def _windows(ends_ms, Ty: int, shift: int = 0) -> np.ndarray:
    """The boolean (Ty,) mask of the steps labelled after words ending at ``ends_ms``, each run widened by
    ``shift`` steps on both sides (narrowed when negative)."""
    mask = np.zeros(Ty, dtype=bool)
    for end in ends_ms:
        first = int(end * Ty / CLIP_MS) + 1
        a, b = first - shift, first + ONES_AFTER - 1 + shift
        if a <= b:
            mask[max(a, 0):max(min(b + 1, Ty), 0)] = True
    return mask


def _describe(mask: np.ndarray) -> str:
    runs = _runs(mask)
    return ", ".join(f"{a}..{b}" for a, b in runs) if runs else "none"


def check_create_training_example(create_training_example, set_seed, seed=None):
    """create_training_example(background, activates, negatives, Ty) -> (x, y): x the spectrogram (101, 5511) of
    the background made 20 dB quieter, 0 to 4 activates and 0 to 2 negatives inserted without overlap, brought to
    -20 dBFS; y (1, Ty) 1 for the 50 steps after each activate."""
    name = "create_training_example"
    case = FIXTURES.case(name, seed=seed)
    inputs = training_inputs(seed)
    Ty, rows = inputs["Ty"], (inputs["activate_row"], inputs["negative_row"])
    label = f"{name}(background, activates, negatives, Ty={Ty})"
    state = np.random.get_state()
    try:
        for value in inputs["seeds"]:
            _seed_both(set_seed, value, label)
            with FIXTURES.stand_ins(create_training_example, name):
                out = call(create_training_example, inputs["background"], list(inputs["activates"]),
                           list(inputs["negatives"]), Ty, name=label)
            _check_training_example(label + f" after set_seed({value})", out, Ty, rows, case)
    finally:
        np.random.set_state(state)
    passed(name)


def _check_training_example(label, out, Ty, rows, case):
    check_tuple(label, out, 2, ["x", "y"])
    x, y = out
    check_type(f"{label}: x", x, np.ndarray, hint="x is the spectrogram of the background, after "
                                                  "match_target_amplitude (steps 5 and 6 of section 2.4).")
    if x.shape != (N_FREQ, TX):
        hint = ("x holds the clip's samples: return its spectrogram (step 6 of section 2.4)."
                if x.ndim == 1 or x.size == RATE * CLIP_MS // 1000 else
                "x is the (frequencies, time steps) spectrogram of the 10 s clip (step 6 of section 2.4).")
        _fail(f"{label}: expected x of shape {(N_FREQ, TX)} but got {x.shape}. Likely cause: {hint}")
    if not np.issubdtype(x.dtype, np.floating) or not np.all(np.isfinite(x)):
        _fail(f"{label}: expected x to hold finite floats (the spectrogram) but got {x.dtype} values"
              f"{'' if np.all(np.isfinite(x)) else ' that are not all finite'}. Likely cause: x is the "
              "spectrogram of the background (step 6 of section 2.4).")
    check_type(f"{label}: y", y, np.ndarray, hint="y starts as zeros of shape (1, Ty) and gets its ones from "
                                                  "insert_ones (steps 2 and 3 of section 2.4).")
    if y.shape != (1, Ty):
        _fail(f"{label}: expected y of shape {(1, Ty)} but got {y.shape}. Likely cause: y has shape (1, Ty), "
              "with Ty the argument (step 2 of section 2.4).")
    if not np.all(np.isin(np.unique(y), (0, 1))):
        _fail(f"{label}: expected y to hold only 0 and 1 but it holds {np.unique(y)[:6].tolist()}.")
    loud = loudness_db(x)
    if abs(loud - case["loudness_db"]) > LOUDNESS_TOLERANCE_DB:
        _fail(f"{label}: expected the clip's loudness to be {case['loudness_db']:.1f} dBFS (measured from x's "
              f"energy) but it is {loud:.1f} dBFS. Likely cause: bring the background to -20 dBFS with "
              "match_target_amplitude after inserting the clips and before computing the spectrogram (step 5 of "
              "section 2.4).")
    floor = noise_floor(x, rows)
    activates, power_a = tone_runs(x, rows[0], floor)
    negatives, power_n = tone_runs(x, rows[1], floor)
    for words, kind, most in ((activates, "activates", 4), (negatives, "negatives", 2)):
        if len(words) > most:
            _fail(f"{label}: expected at most {most} {kind} in the clip but x shows {len(words)}. Likely cause: "
                  f"draw their number at random between 0 and {most}, both included (section 2.4).")
    spans = sorted((a - MARGIN_MS, b + MARGIN_MS, kind) for words, kind in ((activates, "activate"),
                                                                           (negatives, "negative"))
                   for a, b in words)
    for (a0, b0, k0), (a1, b1, k1) in zip(spans, spans[1:]):
        if a1 < b0 - 2 * MARGIN_MS:
            _fail(f"{label}: the {k0} at about {a0:.0f}..{b0:.0f} ms and the {k1} at about {a1:.0f}..{b1:.0f} ms "
                  "overlap in the clip. Likely cause: pass the same previous_segments list to every "
                  "insert_audio_clip call, activates and negatives alike.")
    powers = [p for p in (power_a, power_n) if p is not None]
    if powers:
        ratio = 10 * np.log10(max(powers) / floor)
        want = case["tone_to_noise_db"]
        if abs(ratio - want) > RATIO_TOLERANCE_DB:
            cause = ("the background was not made 20 dB quieter: do that first (step 1 of section 2.4)."
                     if abs(ratio - (want - 20)) <= RATIO_TOLERANCE_DB else
                     "make the background 20 dB quieter once (step 1 of section 2.4), then overlay the clips "
                     "unchanged.")
            _fail(f"{label}: expected the words to stand {want:.0f} dB above the background in x but they stand "
                  f"{ratio:.0f} dB above it. Likely cause: {cause}")
    ends = [b + MARGIN_MS - 1 for _, b in activates]    # the clip's last ms: the tone's end plus its silence
    ones = y[0] == 1
    allowed, required = _windows(ends, Ty, STEP_TOLERANCE), _windows(ends, Ty, -STEP_TOLERANCE)
    if np.all(ones <= allowed) and np.all(required <= ones):
        return
    where = (f"x shows {len(activates)} activate(s) ending at about "
             f"{', '.join(f'{e:.0f}' for e in ends)} ms" if ends else "x shows no activate")
    expected = _describe(_windows(ends, Ty))
    negative_ends = [b + MARGIN_MS - 1 for _, b in negatives]
    if negative_ends and np.any(ones & ~allowed) and np.all(ones <= _windows(ends + negative_ends, Ty,
                                                                              STEP_TOLERANCE)):
        cause = "ones were set after the negatives too: call insert_ones only for the activates."
    elif ends and np.all(ones <= _windows([a - MARGIN_MS for a, _ in activates], Ty, STEP_TOLERANCE)) \
            and np.all(_windows([a - MARGIN_MS for a, _ in activates], Ty, -STEP_TOLERANCE) <= ones):
        cause = "insert_ones was given the start of the segment: pass its end, segment_time[1]."
    elif ends and not ones.any():
        cause = ("y was not updated: label each activate with insert_ones, at the end of its segment, after "
                 "inserting it, and keep the y it returns (step 3 of section 2.4).")
    else:
        cause = ("label each inserted activate with insert_ones at the end of its segment, and no negative (steps 3 "
                 "and 4 of section 2.4); x is the spectrogram of the background with all the clips inserted.")
    _fail(f"{label}: {where}, so expected y to be 1 at steps {expected} (Ty={Ty}, within {STEP_TOLERANCE} steps) "
          f"but it is 1 at steps {_describe(ones)}. Likely cause: {cause}")

# ---------------------------------------------------------------------------- modelf


CONV_FILTERS, CONV_KERNEL, CONV_STRIDES = 196, 15, 4
GRU_UNITS, DROPOUT_RATE = 128, 0.8


def model_input_shape(seed=None) -> tuple[int, int]:
    """(time steps, frequencies) of modelf's input: the notebook's (5511, 101), other shapes for hidden seeds."""
    if seed is None:
        return (TX, N_FREQ)
    rng = np.random.RandomState(900 + seed)
    return (int(rng.randint(300, 2500)), int(rng.randint(40, 140)))


def behaviour_input_shape(seed=None) -> tuple[int, int]:
    """A short input (time steps, frequencies) for the check's predictions: 1,375 GRU steps take seconds."""
    if seed is None:
        return (411, N_FREQ)
    rng = np.random.RandomState(950 + seed)
    return (int(rng.randint(60, 400)), model_input_shape(seed)[1])


def _expected_layers(model) -> list:
    L = keras.layers
    layers = layers_of(model)
    relu = L.ReLU if len(layers) > 2 and isinstance(layers[2], L.ReLU) else L.Activation
    return [L.Conv1D, L.BatchNormalization, relu, L.Dropout, L.GRU, L.Dropout, L.BatchNormalization, L.GRU,
            L.Dropout, L.BatchNormalization, L.Dropout, L.TimeDistributed]


_RATE_HINT = (f"Use Dropout({DROPOUT_RATE}): Keras's rate is the fraction of the units DROPPED during training "
              "(rate=0.8 drops 80% and keeps 20%), not the fraction kept.")


def _activation_is(layer, expected: str) -> bool:
    fn = getattr(layer, "activation", None)
    return fn is not None and fn is keras.activations.get(expected)


def check_modelf(modelf, seed=None):
    """modelf(input_shape): Conv1D(196, 15, strides=4) -> BatchNormalization -> ReLU -> Dropout(0.8) -> GRU(128,
    return_sequences) -> Dropout(0.8) -> BatchNormalization -> GRU(128, return_sequences) -> Dropout(0.8) ->
    BatchNormalization -> Dropout(0.8) -> TimeDistributed(Dense(1, sigmoid))."""
    name = "modelf"
    case = FIXTURES.case(name, seed=seed)
    shape = model_input_shape(seed)
    label = f"{name}(input_shape={shape})"
    L = keras.layers
    try:
        with FIXTURES.stand_ins(modelf, name):
            model = build(modelf, shape, name=label)
    except CheckFailed as exc:
        if "TimeDistributed" in str(exc) and "dimension" in str(exc):
            raise CheckFailed(f"{exc} Likely cause: the second GRU needs return_sequences=True, so that the "
                              "TimeDistributed Dense gets one vector per time step.") from exc.__cause__
        raise
    check_model(label, model)
    check_input(label, model, (None, *shape))
    layers = layers_of(model)
    counts = {t: sum(isinstance(layer, t) for layer in layers)
              for t in (L.Conv1D, L.BatchNormalization, L.Dropout, L.GRU, L.TimeDistributed)}
    if counts[L.TimeDistributed] == 0 and layers and isinstance(layers[-1], L.Dense):
        _fail(f"{label}: expected the last layer to be a TimeDistributed Dense(1) with a sigmoid but got a "
              "Dense layer applied directly. Likely cause: wrap the Dense layer in TimeDistributed, so that the "
              "same Dense layer reads every time step (section 3).")
    for layer_type, want, where in ((L.BatchNormalization, 3, "after the Conv1D, after the first GRU's Dropout and "
                                     "after the second GRU's Dropout"),
                                    (L.Dropout, 4, "after the ReLU, after each GRU, and before the output layer"),
                                    (L.GRU, 2, None), (L.Conv1D, 1, None)):
        if counts[layer_type] != want:
            _fail(f"{label}: expected {want} {layer_type.__name__} layer{'s' if want > 1 else ''} but found "
                  f"{counts[layer_type]}." + (f" Likely cause: the model has one {where}." if where else ""))
    check_layer_sequence(label, model, _expected_layers(model))
    conv, _, act, *_ = layers
    check_layer_config(f"{label}: the Conv1D layer", conv, filters=CONV_FILTERS)
    check_layer_config(f"{label}: the Conv1D layer", conv, padding="valid",
                       hint=f"Leave padding at its default, 'valid': the output has (T - {CONV_KERNEL}) // "
                            f"{CONV_STRIDES} + 1 steps (1,375 for the 5,511 steps of a spectrogram).")
    check_layer_config(f"{label}: the Conv1D layer", conv, kernel_size=(CONV_KERNEL,), strides=(CONV_STRIDES,),
                       hint=f"Use {CONV_FILTERS} filters, a kernel of {CONV_KERNEL} and a stride of {CONV_STRIDES}: "
                            f"the layer reads windows of {CONV_KERNEL} spectrogram steps, every {CONV_STRIDES} steps.")
    check_activation(f"{label}: the Conv1D layer", conv, "linear")
    if isinstance(act, L.Activation):
        check_activation(f"{label}: the Activation layer", act, "relu")
    for i, drop in enumerate([layer for layer in layers if isinstance(layer, L.Dropout)], start=1):
        if np.isclose(drop.rate, 1 - DROPOUT_RATE):
            _fail(f"{label}: Dropout {i}: expected rate={DROPOUT_RATE} but got rate={drop.rate:g}. Likely cause: "
                  f"{_RATE_HINT}")
        check_layer_config(f"{label}: Dropout {i}", drop, rate=DROPOUT_RATE, hint=_RATE_HINT)
    for i, gru in enumerate([layer for layer in layers if isinstance(layer, L.GRU)], start=1):
        check_layer_config(f"{label}: GRU {i}", gru, units=GRU_UNITS)
        check_return_sequences(f"{label}: GRU {i}", gru, True)
    dense = layers[-1].layer
    if not isinstance(dense, L.Dense):
        _fail(f"{label}: expected TimeDistributed to wrap a Dense layer but it wraps a {type(dense).__name__}.")
    check_layer_config(f"{label}: the output Dense layer", dense, units=1,
                       hint="One output per time step: Dense(1, activation='sigmoid').")
    try:
        check_activation(f"{label}: the output Dense layer", dense, "sigmoid")
    except CheckFailed as exc:
        if _activation_is(dense, "softmax"):
            raise CheckFailed(f"{str(exc).split(' Likely cause:')[0]} Likely cause: a softmax over one unit is "
                              "always 1.0; use activation='sigmoid', the probability that the word just ended.") \
                from None
        raise
    check_param_counts(label, model, trainable=case["trainable"], non_trainable=case["non_trainable"])
    check_output_shape(label, model, tuple(case["output_shape"]))
    small = behaviour_input_shape(seed)
    small_label = f"{name}(input_shape={small})"
    with FIXTURES.stand_ins(modelf, name):
        model = build(modelf, small, name=small_label)
    check_model(small_label, model)
    check_input(small_label, model, (None, *small))
    want = (2, *tuple(case["behaviour_output_shape"])[1:])
    check_output_shape(small_label, model, tuple(case["behaviour_output_shape"]))
    batch = np.random.default_rng(5 + (seed or 0)).normal(0, 1, (2, *small)).astype(np.float32)
    try:
        probs = predict(model, batch)
    except Exception as exc:  # noqa: BLE001 - a model that cannot run
        _fail(f"{small_label}: the model could not predict on a batch of shape {batch.shape}: "
              f"{type(exc).__name__}: {exc}")
    if not isinstance(probs, np.ndarray) or probs.shape != want:
        _fail(f"{small_label}: expected predictions of shape {want} but got "
              f"{getattr(probs, 'shape', type(probs).__name__)}.")
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1:
        _fail(f"{small_label}: expected predictions between 0 and 1 (probabilities) but got values from "
              f"{np.nanmin(probs):.3g} to {np.nanmax(probs):.3g}. Likely cause: the output layer must be a Dense(1) "
              "with a sigmoid, applied at every time step with TimeDistributed (section 3).")
    passed(name)

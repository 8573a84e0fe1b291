"""Public checks of the trigger word detection notebook (w3a2), one per graded function.

Every check draws its own small seeded inputs (the functions here whose names do not start with ``check_``; they
make inputs and measure outputs, they compute no answer) and compares what the student's function returns with
values stored in ``week3/fixtures/w3a2_trigger_word.json`` (see :mod:`checks.fixtures`), naming a classic
mistake when the answer is exactly what that mistake gives.

``insert_audio_clip`` and ``create_training_example`` draw random numbers. A check seeds the notebook's numpy through
the notebook's ``set_seed`` (and its own, for the functions that stand in for the other graded functions while
grading).

- ``insert_audio_clip`` gets a quiet noise background and a tone clip (8 kHz: small and exact). Its draws are its
  contract: segments from get_random_time_segment, one per try, at most 7 (the first and 6 more). So after a seed
  the segment it returns is known, and stored: with no previous segments the first one drawn; with previous
  segments covering all but a gap, seeds after which the first segment that fits is the 1st, 2nd, 7th draw (placed
  there) or the 8th (no room: the background unchanged, (10000, 10000), previous_segments unchanged); with the
  10 s covered, no room. A placed clip must be the clip's samples added to the background's from segment_time[0]
  on, and previous_segments must hold that segment afterwards.
- ``create_training_example`` gets synthetic sounds: a near-silent noise background, "activates" that are short
  clips of a pure tone at the frequency of one spectrogram row and "negatives" at another row's frequency, each
  tone with 40 ms of silence before and after it, and each clip of a list with its own length. How many words it
  draws, and which, may come in any order of draws, so the check never compares with values that depend on that
  order. In x it finds every inserted word (the runs of its row), hence where each activate ends and which clip
  each word is, and checks that y is 1 for the 50 output steps after each activate (within 2 steps: x's time
  resolution), nowhere else; the loudness of the clip (-20 dBFS: x's total energy, by Parseval) and the tone to
  background ratio (the background exactly 20 dB quieter) against the values stored for the reference. Over its
  45 public examples (three lengths Ty) every number of activates (0 to 4) and of negatives (0 to 2) must occur
  and every clip must be used (``_check_draws``).
- ``modelf`` by structure (layer types in order, their settings, parameter counts, output shape) and by behaviour:
  with weights set from a seeded generator (``set_check_weights``), in inference, its outputs on a batch of three
  short inputs (one the time reversal of another) must equal the reference's stored outputs, so that a GRU
  reading backwards, or a layer wired to the wrong input, is seen.
"""
from __future__ import annotations

import contextlib
import gc
import re
import signal
import threading

import numpy as np

import keras
from checks.assertions import CheckFailed, article, call, check_tuple, check_type, passed
from checks.fixtures import Fixtures
from checks.keras_models import (build, check_activation, check_input, check_layer_config, check_layer_sequence,
                                     check_model, check_output_shape, check_param_counts, check_return_sequences,
                                     layers_of, predict)
import week3.trigger  # noqa: F401  (registers week3>TimeDistributed, which the notebook's models may use)
from week3.audio import CLIP_MS, N_FREQ, NFFT, NOVERLAP, ONES_AFTER, RATE, TX, TY, AudioSegment, samples

FIXTURES = Fixtures("w3a2_trigger_word")

SENTINEL = (CLIP_MS, CLIP_MS)   # insert_audio_clip's segment_time when the clip found no place
TIME_LIMIT_S = 20               # insert_audio_clip must give up (in the student's lab; the grader has its own limit)
TRIES = 7                       # insert_audio_clip draws at most this many segments: the first and 6 more
CLIP_RATE = 8_000               # insert_audio_clip's inputs: 8 samples per millisecond, exact positions
MARGIN_MS = 40                  # silence before and after the tone of every synthetic word
STEP_TOLERANCE = 2              # y's runs of ones may be off by this many output steps (x's time resolution)
# x's loudness (Parseval) is within 0.1 dB of the clip's dBFS, and a correct example is at -20.0 +- 0.1 dBFS: 1 dB
# leaves room for any rounding, and a clip not brought to -20 dBFS is some 25 dB off with these quiet inputs.
LOUDNESS_TOLERANCE_DB = 1.0
# The words' power over the background's (per row and column) varies by about 0.2 dB between examples (the
# noise floor is a median over the columns, a few of which hold words); a background made 19 or 21 dB quieter
# instead of 20 is 1 dB off, one not made quieter or made quieter twice 20 dB.
RATIO_TOLERANCE_DB = 0.5
LENGTH_TOLERANCE_MS = 25        # a tone's length measured in x (within 3 ms) tells which clip it is
STATISTICS_CALLS = 45           # the public check's examples: enough to see every number and clip drawn (_check_draws)
_HOP = NFFT - NOVERLAP          # samples between two spectrogram columns


_KEEP = object()   # _fail's default: the exception being handled, if any, stays the message's context
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def _fail(message: str, cause=_KEEP):
    """Fail the check with ``message``: every message a check of this module prints goes through here."""
    if cause is _KEEP:
        raise CheckFailed(message)
    raise CheckFailed(message) from cause


def _pointed(cause: str, where: str) -> str:
    """A stored cause that names no section, with ``where`` added at its end: "... (section 2.1)."."""
    return cause if "section" in cause else f"{cause.rstrip('. ')} ({where})."


def _first_line(exc: BaseException, limit: int = 200) -> str:
    """An exception's text as one short line: no colour codes, only its first line, at most ``limit`` characters."""
    lines = [line.strip() for line in _ANSI.sub("", str(exc)).splitlines() if line.strip()]
    text = (lines[0] if lines else type(exc).__name__).rstrip(".:")
    return text if len(text) <= limit else text[:limit] + " ..."


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
            _fail(f"{label}: expected True or False but got {out!r} ({article(type(out).__name__)}); likely cause: "
                  "return a boolean, overlap, in every case: True when a previous segment overlaps, else False "
                  "(section 2.1).")
        got.append(bool(out))
    expected = list(case["expected"])
    if got == expected:
        passed(name)
        return
    i = next(k for k, (g, e) in enumerate(zip(got, expected)) if g != e)
    where = f"{name}({runs[i][0]}, {runs[i][1]}) returned {got[i]} but expected {expected[i]}"
    for cause, wrong in case["mistakes"].items():
        if got == list(wrong):
            _fail(f"{where}: exactly the answers a known mistake gives; likely cause: {_pointed(cause, 'section 2.1')}")
    _fail(f"{where}; likely cause: two segments overlap when each one starts no later than the other ends (both "
          "ends inclusive, section 2.1); compare with every previous segment.")

# ---------------------------------------------------------------------------- insert_ones


def insert_ones_inputs(seed=None) -> list[tuple]:
    """(y (1, Ty), segment_end_ms) runs, for three lengths Ty: an ordinary end, an early end (below Ty ms), the end
    of the clip (fewer than 50 steps left), the last step (none left), the sentinel 10000, and a y that already has
    ones. The public runs use the notebook's Ty = 1375 and two others (an odd one: truncating and rounding differ);
    hidden seeds draw other lengths and also try an end at 0 ms and earlier ones that overlap the new ones."""
    if seed is None:
        plan = [(TY, [4000, 700, 9800, 9999, CLIP_MS, 3650], (200, 250)),
                (800, [5000, 9950, 9990, 3000], (300, 350)),
                (2011, [3333, 600, 9900, 4321], (860, 910))]
    else:
        rng = np.random.RandomState(seed)
        plan = []
        for Ty in (int(rng.randint(300, 1300)), int(rng.randint(1450, 2500))):  # never the notebook's 1375
            step_ms = CLIP_MS / Ty
            ends = [int(rng.randint(2000, 7000)), int(rng.randint(60, Ty - 60)),  # an end in ms below Ty
                    int(rng.randint(int(CLIP_MS - 40 * step_ms), int(CLIP_MS - 5 * step_ms))), CLIP_MS - 1,
                    CLIP_MS, 0, int(rng.randint(2000, 7000))]
            first = int(ends[-1] * Ty / CLIP_MS) - int(rng.randint(10, 120))  # may overlap the new ones
            plan.append((Ty, ends, (first, first + ONES_AFTER)))
    runs = []
    for Ty, ends, earlier in plan:
        for k, end in enumerate(ends):
            y = np.zeros((1, Ty))
            if k == len(ends) - 1:
                y[0, max(earlier[0], 0):earlier[1]] = 1.0  # ones of an earlier activate, to be kept
            runs.append((y, end))
    return runs


_INSERT_ONES_INDEX = ("likely cause: an index past the end of y: near the end of the clip fewer than 50 steps are "
                      "left, so set only the steps before Ty, and nothing when the word ends in the last step or "
                      "later (section 2.3).")


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
                _fail(f"{exc} {_INSERT_ONES_INDEX}", cause=exc.__cause__)
            raise
        check_type(label, out, np.ndarray, hint="Return y, the label array, after setting the ones (section 2.3).")
        if out.shape != (1, Ty):
            _fail(f"{label}: expected y of shape {(1, Ty)} but got {out.shape}; likely cause: keep y's shape (1, Ty) "
                  "and set the label steps of its one row to 1 (section 2.3).")
        values = np.unique(out)
        if not np.all(np.isin(values, (0, 1))):
            _fail(f"{label}: expected y to hold only 0 and 1 but it holds {values[:6].tolist()}; likely cause: set "
                  "the label steps to 1 and leave the others as they are (section 2.3).")
        ones = np.flatnonzero(out[0] == 1)
        expected = np.asarray(want["ones"])
        if np.array_equal(ones, expected):
            continue
        for cause, wrong in want["mistakes"].items():
            if np.array_equal(ones, np.asarray(wrong)):
                _fail(f"{label}: wrong ones, exactly those a known mistake gives; likely cause: "
                      f"{_pointed(cause, 'section 2.3')}")
        show = lambda idx: f"{idx.size} ones" + (f" at steps {idx[0]}..{idx[-1]}" if idx.size else "")  # noqa: E731
        _fail(f"{label}: expected {show(expected)} but got {show(ones)}; likely cause: convert segment_end_ms to "
              f"an output step, truncated, with Ty read from the shape of y; then set to 1 the {ONES_AFTER} steps "
              "strictly after it that are before Ty (section 2.3).")
    passed(name)

# ---------------------------------------------------------------------------- insert_audio_clip


def insert_audio_inputs(seed=None) -> dict:
    """{"background": 10 s of quiet noise at CLIP_RATE, "clip": a tone clip, "runs": [{"kind", "previous", ...}]}:

    - "free": no previous segments, so the first segment drawn is used;
    - "tries": previous segments that leave only the interval "free" (first, last ms) where the clip fits, and
      "draw" = k: the case gives a seed after which the first segment get_random_time_segment draws that overlaps
      nothing is the k-th; the clip goes there when k <= TRIES, and there is no room when k > TRIES;
    - "full": the 10 s covered, no room.

    The public runs try k = 1, 2, TRIES and TRIES + 1 (one draw too many) with the first 8 s covered; hidden seeds
    try other clip lengths, a free gap between two previous segments, and other k."""
    rng = np.random.RandomState(1234 if seed is None else 1234 + seed)
    if seed is None:
        clip_ms, draws = 1000, (1, 2, TRIES, TRIES + 1)
        previous, free = [(0, 7999)], (8000, CLIP_MS - 1)
    else:
        clip_ms, draws = int(rng.randint(200, 2500)), (3, TRIES - 1, TRIES, TRIES + 1)
        first = int(rng.randint(1000, 9000 - clip_ms - 1200))
        last = first + clip_ms + int(rng.randint(300, 1200))   # the clip fits in [first, last)
        previous, free = [(0, first - 1), (last, CLIP_MS - 1)], (first, last - 1)
    runs = [{"kind": "free", "previous": []}]
    runs += [{"kind": "tries", "previous": previous, "free": free, "draw": k} for k in draws]
    runs += [{"kind": "full", "previous": [(0, 2999), (3000, 6999), (7000, CLIP_MS - 1)]}]
    return {"background": _noise(rng, CLIP_RATE, 300.0),
            "clip": _tone(440.0, clip_ms - 2 * MARGIN_MS, CLIP_RATE, 6000.0), "runs": runs}


def _ordinal(k: int) -> str:
    return f"{k}{'st' if k == 1 else 'nd' if k == 2 else 'rd' if k == 3 else 'th'}"


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
        _fail(f"{label}: the notebook's set_seed({value}) raised {type(exc).__name__}: {_first_line(exc)}; likely "
              "cause: set_seed was changed or its cell was not run: run the cell that defines set_seed (at the start "
              "of section 2), unchanged, then this check again.")


def _placed_at(diff: np.ndarray, clip: np.ndarray, start_ms: int) -> bool:
    """Whether ``diff`` (the returned audio's samples minus the background's) is ``clip`` from start_ms on and 0
    elsewhere."""
    a = start_ms * CLIP_RATE // 1000
    if a < 0 or a + clip.size > diff.size:
        return False
    rest = np.concatenate([diff[:a], diff[a + clip.size:]])
    return bool(np.allclose(diff[a:a + clip.size], clip, atol=1.0) and np.allclose(rest, 0, atol=1.0))


def check_insert_audio_clip(insert_audio_clip, set_seed, seed=None):
    """insert_audio_clip(background, audio_clip, previous_segments) -> (new_background, segment_time): the first of
    at most 7 segments drawn with get_random_time_segment that overlaps no previous segment, the clip overlaid at
    segment_time[0] and the segment appended to previous_segments; when all 7 overlap, the background unchanged,
    (10000, 10000) and previous_segments unchanged."""
    name = "insert_audio_clip"
    case = FIXTURES.case(name, seed=seed)
    sentinel = tuple(case["failure"])
    inputs = insert_audio_inputs(seed)
    background, clip = inputs["background"], inputs["clip"]
    bg, cl = samples(background), samples(clip)
    n_ms = len(clip)
    state = np.random.get_state()
    try:
        for run, stored in zip(inputs["runs"], case["runs"]):
            previous = [tuple(p) for p in run["previous"]]
            label = (f"{name}(10 s background, {n_ms} ms clip, previous_segments="
                     f"{previous if len(previous) < 3 else '...'}) after set_seed({stored['seed']})")
            _seed_both(set_seed, stored["seed"], label)
            try:
                with _time_limit(insert_audio_clip, TIME_LIMIT_S), FIXTURES.stand_ins(insert_audio_clip, name):
                    out = call(insert_audio_clip, background, clip, previous, name=label)
            except _TooLong:
                _fail(f"{label}: did not finish within {TIME_LIMIT_S} s; likely cause: the while loop has no bound; "
                      f"when no free place is found after {TRIES} draws (step 2 of section 2.2) give up and return "
                      "the background and (10000, 10000).")
            _check_inserted(label, out, run, stored, sentinel, background, bg, cl, n_ms, previous)
    finally:
        np.random.set_state(state)
    passed(name)


def _check_inserted(label, out, run, stored, sentinel, background, bg, cl, n_ms, previous):
    """One insert_audio_clip call's result against the stored segment_time ``stored["segment_time"]``."""
    check_tuple(label, out, 2, ["new_background", "segment_time"])
    new, segment_time = out
    check_type(f"{label}: new_background", new, AudioSegment,
               hint="Return the AudioSegment that overlay gives (step 3 of section 2.2).")
    got_time = _pairs([segment_time])
    if got_time is None or len(got_time[0]) != 2:
        _fail(f"{label}: expected segment_time to be a (start, end) pair of ms but got {segment_time!r}; likely "
              "cause: return the segment that get_random_time_segment drew, or (10000, 10000) when there is no room "
              "(step 3 of section 2.2).")
    start, end = got_time[0]
    after = _pairs(previous)
    new_samples = samples(new)
    if new_samples.size != bg.size:
        _fail(f"{label}: expected new_background to last {len(background)} ms, like the background, but it lasts "
              f"{len(new)} ms; likely cause: overlay the clip on the background, not the background on the clip "
              "(step 3 of section 2.2).")
    diff = new_samples - bg
    failed = (start, end) == sentinel
    expected = tuple(stored["segment_time"])
    kind, before = run["kind"], [tuple(p) for p in run["previous"]]
    if kind == "free" and failed:
        _fail(f"{label}: expected the clip to be placed (nothing is in its way) but got segment_time {sentinel}; "
              "likely cause: the clip must be inserted when its segment overlaps no previous segment (step 3 of "
              "section 2.2).")
    if kind == "full" and not failed:
        _fail(f"{label}: the previous segments cover the whole 10 s, so expected segment_time {sentinel} (no place "
              f"found) but got {(start, end)}; likely cause: insert the clip only when the last segment drawn does "
              "not overlap; otherwise return the background and (10000, 10000) (step 3 of section 2.2).")
    if kind == "tries" and expected == sentinel and not failed:
        _fail(f"{label}: the first {TRIES} segments that get_random_time_segment draws after this seed all overlap "
              f"the previous segments (only the {_ordinal(run['draw'])} draw fits), so expected no room, segment_time "
              f"{sentinel}, but the clip was placed at {(start, end)}; likely cause: more than {TRIES} draws: draw "
              f"again while the segment overlaps, at most {TRIES - 1} more times after the first (step 2 of "
              "section 2.2), then give up.")
    if kind == "tries" and expected != sentinel and failed:
        _fail(f"{label}: the {_ordinal(run['draw'])} segment that get_random_time_segment draws after this seed, "
              f"{expected}, is the first that overlaps no previous segment, so expected the clip placed there but "
              f"got segment_time {sentinel} (no room); likely cause: fewer than {TRIES} draws, or no new segment "
              f"drawn in the loop: while the segment overlaps, draw a new one, at most {TRIES - 1} more times after "
              "the first (step 2 of section 2.2).")
    if failed:
        if after != before:
            _fail(f"{label}: no place was found, so previous_segments should stay {before} but it became {after}; "
                  "likely cause: the segment was appended although it overlaps; append it only when the clip is "
                  "inserted (step 3 of section 2.2).")
        if not np.allclose(diff, 0, atol=1.0):
            _fail(f"{label}: no place was found (segment_time {sentinel}), so expected the background unchanged, "
                  "but the returned audio differs from it; likely cause: overlay the clip only when its segment does "
                  "not overlap (step 3 of section 2.2).")
        return
    if end == start + n_ms:
        _fail(f"{label}: expected segment_time ({start}, {start + n_ms - 1}) but got {(start, end)}; likely cause: "
              "the end is inclusive: segment_end = segment_start + len(audio_clip) - 1 (get_random_time_segment "
              "gives it: step 1 of section 2.2).")
    if end != start + n_ms - 1 or start < 0 or end >= CLIP_MS:
        _fail(f"{label}: expected segment_time (start, start + {n_ms - 1}) inside the 10 s but got {(start, end)}; "
              "likely cause: draw segment_time with get_random_time_segment, for the clip's length (step 1 of "
              "section 2.2).")
    if kind == "tries" and not run["free"][0] <= start <= end <= run["free"][1]:
        _fail(f"{label}: the clip was placed at {(start, end)}, over a previous segment (it fits only in "
              f"{tuple(run['free'])}); likely cause: draw a new segment while the one drawn overlaps a previous "
              "segment (step 2 of section 2.2), and insert only one that does not overlap.")
    if not _placed_at(diff, cl, start):
        if np.allclose(diff, 0, atol=1.0):
            cause = ("the clip was not overlaid: return the background with the clip overlaid at the segment's "
                     "start (step 3 of section 2.2).")
        elif _placed_at(diff, cl, 0):
            cause = ("the clip was overlaid at the start of the background: pass position=segment_time[0] to overlay "
                     "(step 3 of section 2.2).")
        else:
            cause = ("overlay the clip on the background at the segment's start (step 3 of section 2.2) and return "
                     "the result.")
        _fail(f"{label}: expected the clip's samples added to the background's from {start} ms on (segment_time "
              f"{(start, end)}) and nothing else changed, but the returned audio differs; likely cause: {cause}")
    want = before + [(start, end)]
    if after != want:
        if after == before:
            _fail(f"{label}: expected previous_segments to become {want} but it is still {after}; likely cause: the "
                  "inserted segment was not appended to the caller's list: append it to the list you were given, "
                  "in place (assigning a new list, previous_segments = previous_segments + [...], changes only a "
                  "local name; step 3 of section 2.2).")
        _fail(f"{label}: expected previous_segments to become {want} but it is {after}; likely cause: append the "
              "segment (once) to previous_segments when the clip is inserted (step 3 of section 2.2).")
    if (start, end) != expected:
        which = ("the first segment drawn" if kind == "free" else
                 f"the {_ordinal(run['draw'])} segment drawn, the first that overlaps no previous segment")
        _fail(f"{label}: expected the clip placed at {expected}, {which} by get_random_time_segment after this "
              f"seed, but it was placed at {(start, end)}; likely cause: draw each segment with "
              "get_random_time_segment(len(audio_clip)), one per try, and keep the first that overlaps no previous "
              "segment: draw again only while it overlaps (steps 1 and 2 of section 2.2).")

# ---------------------------------------------------------------------------- create_training_example


def training_inputs(seed=None) -> dict:
    """{"background": 10 s of noise at RATE (-40 dBFS), "activates": tone clips at the frequency of spectrogram
    row "activate_row", "negatives": tone clips at row "negative_row", "calls": [(seed, Ty)], one per call,
    "statistics": whether the calls are enough to check what is drawn at random}. A row's frequency is
    row * RATE / NFFT Hz; every tone has MARGIN_MS of silence before and after it, and the tones of one list last
    different times, so that x tells which clip was inserted.

    The public check makes STATISTICS_CALLS examples (three lengths Ty) from 3 activates and 2 negatives; hidden
    seeds make a few from other lists (one activate, longer clips that may find no room, more negatives), other
    rows and other Ty."""
    rng = np.random.RandomState(77 if seed is None else 77 + seed)
    if seed is None:
        rows = (10, 30)
        activate_ms, negative_ms = [300, 450, 600], [350, 500]
        lengths = (TY, 800, 1700)
        calls = [(k, lengths[k % len(lengths)]) for k in range(1, STATISTICS_CALLS + 1)]
    else:
        rows = (int(rng.randint(6, 20)), int(rng.randint(26, 60)))
        grid = np.arange(250, 2500, 60)
        activate_ms = [int(v) for v in rng.choice(grid, size=1 if seed % 2 else int(rng.randint(2, 5)),
                                                  replace=False)]
        negative_ms = [int(v) for v in rng.choice(grid, size=int(rng.randint(1, 5)), replace=False)]
        calls = [(int(s), int(rng.choice([800, 1100, 1700, 2000]))) for s in rng.randint(0, 2 ** 31 - 1, size=4)]
    amplitude = 0.01 * 32768 * np.sqrt(2)  # -40 dBFS tones
    hz = lambda row: row * RATE / NFFT  # noqa: E731
    return {"background": _noise(rng, RATE, 0.01 * 32768),
            "activates": [_tone(hz(rows[0]), ms, RATE, amplitude) for ms in activate_ms],
            "negatives": [_tone(hz(rows[1]), ms, RATE, amplitude) for ms in negative_ms],
            "activate_ms": activate_ms, "negative_ms": negative_ms,
            "activate_row": rows[0], "negative_row": rows[1], "calls": calls, "statistics": seed is None}


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
    the background made 20 dB quieter, 0 to 4 activates and 0 to 2 negatives, each drawn at random from its whole
    list, inserted without overlap, brought to -20 dBFS; y (1, Ty) 1 for the 50 steps after each activate."""
    name = "create_training_example"
    case = FIXTURES.case(name, seed=seed)
    inputs = training_inputs(seed)
    rows = (inputs["activate_row"], inputs["negative_row"])
    lengths = (inputs["activate_ms"], inputs["negative_ms"])
    seen = []   # per call: (indices of the activates x shows, indices of the negatives)
    state = np.random.get_state()
    try:
        for value, Ty in inputs["calls"]:
            label = f"{name}(background, activates, negatives, Ty={Ty}) after set_seed({value})"
            _seed_both(set_seed, value, label)
            try:
                with FIXTURES.stand_ins(create_training_example, name):
                    out = call(create_training_example, inputs["background"], list(inputs["activates"]),
                               list(inputs["negatives"]), Ty, name=label)
            except CheckFailed as exc:
                if isinstance(exc.__cause__, IndexError):
                    _fail(f"{str(exc).rstrip('.')}; likely cause: an index past the end of a list: draw the indices "
                          "of the activates over len(activates) and those of the negatives over len(negatives) (steps 3 and 4 of "
                          "section 2.4).", cause=exc.__cause__)
                raise
            seen.append(_check_training_example(label, out, Ty, rows, case, lengths))
    finally:
        np.random.set_state(state)
    if inputs["statistics"]:
        _check_draws(name, seen, inputs)
    passed(name)


def _which(words, lengths_ms, kind: str, label: str) -> list[int]:
    """The index in its list of every word x shows, from the length of its tone."""
    found = []
    for a, b in words:
        gaps = [abs((b - a) - ms) for ms in lengths_ms]
        k = int(np.argmin(gaps))
        if gaps[k] > LENGTH_TOLERANCE_MS:
            _fail(f"{label}: x shows one of the {kind} lasting about {b - a:.0f} ms, but the {kind} given last "
                  f"{', '.join(map(str, lengths_ms))} ms; likely cause: insert each chosen clip whole, with "
                  "insert_audio_clip, once (steps 3 and 4 of section 2.4).")
        found.append(k)
    return found


def _check_draws(name, seen, inputs):
    """What is drawn at random, over all the calls: every number of activates (0 to 4) and of negatives (0 to 2)
    occurs, and every clip of both lists is used. These checks do not depend on the order of the draws: the
    reference passes them, and a correct function that draws in another order fails them with a probability of
    about 1e-4 (no call with 4 activates, or none with 0: 0.8 ** STATISTICS_CALLS each; the others are far less
    likely). A number or a clip that is never drawn fails them always."""
    n = len(seen)
    where = f"{name}: over {n} examples (set_seed({inputs['calls'][0][0]}) to set_seed({inputs['calls'][-1][0]})),"
    counts = [(len(a), len(b)) for a, b in seen]
    for i, (kind, most, step) in enumerate((("activates", 4, 3), ("negatives", 2, 4))):
        numbers = {c[i] for c in counts}
        if kind == "negatives" and numbers == {0}:
            _fail(f"{where} x never shows a negative; likely cause: the negatives are not inserted: insert each "
                  "one with insert_audio_clip and keep the background it returns (step 4 of section 2.4).")
        for edge in (0, most):
            if edge not in numbers:
                cause = ("the smallest number drawn is not 0: draw it between 0 and "
                         f"{most}, both included" if edge == 0 else
                         f"numpy's randint leaves out its upper bound, so the number never reaches {most}: draw it "
                         f"between 0 and {most}, both included")
                _fail(f"{where} x shows {sorted(numbers)} {kind}, never {edge}, but their number is drawn at random "
                      f"between 0 and {most} (both included), so about one example in {most + 1} has {edge}; likely "
                      f"cause: {cause} (step {step} of section 2.4).")
        used = {k for a_b in seen for k in a_b[i]}
        missing = [k for k in range(len(inputs[kind])) if k not in used]
        if missing:
            ms = inputs["activate_ms" if i == 0 else "negative_ms"]
            _fail(f"{where} x never shows {kind}[{missing[0]}] (the {ms[missing[0]]} ms one) but only "
                  f"{', '.join(f'{kind}[{k}]' for k in sorted(used))}; likely cause: draw the indices of the {kind} "
                  f"at random over the whole list, 0 to len({kind}) - 1 (step {step} of section 2.4).")


def _check_training_example(label, out, Ty, rows, case, lengths) -> tuple[list[int], list[int]]:
    """One example's x and y; returns the indices of the activates and of the negatives x shows."""
    check_tuple(label, out, 2, ["x", "y"])
    x, y = out
    check_type(f"{label}: x", x, np.ndarray, hint="x is the spectrogram of the background, after "
                                                  "match_target_amplitude (steps 5 and 6 of section 2.4).")
    if x.shape != (N_FREQ, TX):
        hint = ("x holds the clip's samples: return its spectrogram (step 6 of section 2.4)."
                if x.ndim == 1 or x.size == RATE * CLIP_MS // 1000 else
                "x is the (frequencies, time steps) spectrogram of the 10 s clip (step 6 of section 2.4).")
        _fail(f"{label}: expected x of shape {(N_FREQ, TX)} but got {x.shape}; likely cause: {hint}")
    if not np.issubdtype(x.dtype, np.floating) or not np.all(np.isfinite(x)):
        _fail(f"{label}: expected x to hold finite floats (the spectrogram) but got {x.dtype} values"
              f"{'' if np.all(np.isfinite(x)) else ' that are not all finite'}; likely cause: x is the "
              "spectrogram of the background (step 6 of section 2.4).")
    check_type(f"{label}: y", y, np.ndarray, hint="y starts as zeros of shape (1, Ty) and gets its ones from "
                                                  "insert_ones (steps 2 and 3 of section 2.4).")
    if y.shape != (1, Ty):
        _fail(f"{label}: expected y of shape {(1, Ty)} but got {y.shape}; likely cause: y has shape (1, Ty), "
              "with Ty the argument (step 2 of section 2.4).")
    if not np.all(np.isin(np.unique(y), (0, 1))):
        _fail(f"{label}: expected y to hold only 0 and 1 but it holds {np.unique(y)[:6].tolist()}; likely cause: y "
              "starts as zeros and only insert_ones changes it, setting label steps to 1 (steps 2 and 3 of section "
              "2.4).")
    loud = loudness_db(x)
    if abs(loud - case["loudness_db"]) > LOUDNESS_TOLERANCE_DB:
        _fail(f"{label}: expected the clip's loudness to be {case['loudness_db']:.1f} dBFS (measured from x's "
              f"energy) but it is {loud:.1f} dBFS; likely cause: bring the background to -20 dBFS with "
              "match_target_amplitude after inserting the clips and before computing the spectrogram (step 5 of "
              "section 2.4).")
    floor = noise_floor(x, rows)
    activates, power_a = tone_runs(x, rows[0], floor)
    negatives, power_n = tone_runs(x, rows[1], floor)
    for words, kind, most in ((activates, "activates", 4), (negatives, "negatives", 2)):
        if len(words) > most:
            _fail(f"{label}: expected at most {most} {kind} in the clip but x shows {len(words)}; likely cause: "
                  f"draw their number at random between 0 and {most}, both included (section 2.4).")
    spans = sorted((a - MARGIN_MS, b + MARGIN_MS, kind) for words, kind in ((activates, "activate"),
                                                                           (negatives, "negative"))
                   for a, b in words)
    for (a0, b0, k0), (a1, b1, k1) in zip(spans, spans[1:]):
        if a1 < b0 - 2 * MARGIN_MS:
            _fail(f"{label}: the {k0} at about {a0:.0f}..{b0:.0f} ms and the {k1} at about {a1:.0f}..{b1:.0f} ms "
                  "overlap in the clip; likely cause: pass the same previous_segments list to every "
                  "insert_audio_clip call, activates and negatives alike (steps 1, 3 and 4 of section 2.4).")
    powers = [p for p in (power_a, power_n) if p is not None]
    if powers:
        ratio = 10 * np.log10(max(powers) / floor)
        want = case["tone_to_noise_db"]
        if abs(ratio - want) > RATIO_TOLERANCE_DB:
            quieter = 20 + ratio - want   # how much quieter the background was made
            cause = ("the background was not made 20 dB quieter: do that first (step 1 of section 2.4)."
                     if abs(quieter) <= 3 else
                     f"the background was made about {quieter:.0f} dB quieter: make it exactly 20 dB quieter, once "
                     "(step 1 of section 2.4), then overlay the clips unchanged.")
            _fail(f"{label}: expected the words to stand {want:.1f} dB above the background in x but they stand "
                  f"{ratio:.1f} dB above it; likely cause: {cause}")
    ends = [b + MARGIN_MS - 1 for _, b in activates]    # the clip's last ms: the tone's end plus its silence
    ones = y[0] == 1
    allowed, required = _windows(ends, Ty, STEP_TOLERANCE), _windows(ends, Ty, -STEP_TOLERANCE)
    if np.all(ones <= allowed) and np.all(required <= ones):
        return _which(activates, lengths[0], "activates", label), _which(negatives, lengths[1], "negatives", label)
    where = (f"x shows {len(activates)} activate(s) ending at about "
             f"{', '.join(f'{e:.0f}' for e in ends)} ms" if ends else "x shows no activate")
    expected = _describe(_windows(ends, Ty))
    negative_ends = [b + MARGIN_MS - 1 for _, b in negatives]
    if negative_ends and np.any(ones & ~allowed) and np.all(ones <= _windows(ends + negative_ends, Ty,
                                                                              STEP_TOLERANCE)):
        cause = ("ones were set after the negatives too: call insert_ones only for the activates (steps 3 and 4 of "
                 "section 2.4).")
    elif ends and np.all(ones <= _windows([a - MARGIN_MS for a, _ in activates], Ty, STEP_TOLERANCE)) \
            and np.all(_windows([a - MARGIN_MS for a, _ in activates], Ty, -STEP_TOLERANCE) <= ones):
        cause = ("insert_ones was given the start of the segment: pass its end, segment_time[1] (step 3 of section "
                 "2.4).")
    elif ends and not ones.any():
        cause = ("y was not updated: label each activate with insert_ones, at the end of its segment, after "
                 "inserting it, and keep the y it returns (step 3 of section 2.4).")
    else:
        cause = ("label each inserted activate with insert_ones at the end of its segment, and no negative (steps 3 "
                 "and 4 of section 2.4); x is the spectrogram of the background with all the clips inserted.")
    _fail(f"{label}: {where}, so expected y to be 1 at steps {expected} (Ty={Ty}, within {STEP_TOLERANCE} steps) "
          f"but it is 1 at steps {_describe(ones)}; likely cause: {cause}")

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


def behaviour_batch(seed=None) -> np.ndarray:
    """(3, steps, frequencies) float32 inputs for the check's predictions (behaviour_input_shape): two random
    spectrogram-like inputs and the first one reversed in time, so that reading a sequence backwards shows."""
    steps, n_freq = behaviour_input_shape(seed)
    rng = np.random.default_rng(5 + (seed or 0))
    first, second = rng.normal(0.0, 1.0, (2, steps, n_freq))
    return np.stack([first, second, first[::-1]]).astype(np.float32)


def set_check_weights(model, seed=None):
    """Give every weight of the model a value drawn from a seeded generator, layer by layer in the model's order
    (the order check_layer_sequence checks): kernels normal with a variance of 1 / fan-in, biases small,
    BatchNormalization's scale and moving variance between 0.5 and 1.5, its offset and moving mean small. Every
    correct modelf then computes the same outputs, whatever Keras initialised."""
    rng = np.random.default_rng(31 + (seed or 0))
    for layer in layers_of(model):
        weights = layer.get_weights()
        if not weights:
            continue
        if isinstance(layer, keras.layers.BatchNormalization) and len(weights) == 4:  # gamma, beta, mean, variance
            values = [rng.uniform(0.5, 1.5, w.shape) if k in (0, 3) else rng.normal(0.0, 0.2, w.shape)
                      for k, w in enumerate(weights)]
        else:                                                                        # kernels, then the bias
            values = [rng.normal(0.0, 0.2, w.shape) if k == len(weights) - 1 else
                      rng.normal(0.0, 1.0 / np.sqrt(np.prod(w.shape[:-1])), w.shape) for k, w in enumerate(weights)]
        layer.set_weights([v.astype(w.dtype) for v, w in zip(values, weights)])


OUTPUT_TOLERANCE = 1e-4   # the outputs are probabilities; float32 GRUs agree to about 1e-6 across machines


def _expected_layers(model) -> list:
    L = keras.layers
    layers = layers_of(model)
    relu = L.ReLU if len(layers) > 2 and isinstance(layers[2], L.ReLU) else L.Activation
    return [L.Conv1D, L.BatchNormalization, relu, L.Dropout, L.GRU, L.Dropout, L.BatchNormalization, L.GRU,
            L.Dropout, L.BatchNormalization, L.Dropout, L.TimeDistributed]


_RATE_HINT = (f"Use Dropout({DROPOUT_RATE}): Keras's rate is the fraction of the units DROPPED during training "
              "(rate=0.8 drops 80% and keeps 20%), not the fraction kept (section 3).")


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
            _fail(f"{str(exc).rstrip('.')}; likely cause: the second GRU needs return_sequences=True, so that the "
                  "TimeDistributed Dense gets one vector per time step (step 3 of section 3).", cause=exc.__cause__)
        raise
    check_model(label, model)
    check_input(label, model, (None, *shape))
    layers = layers_of(model)
    counts = {t: sum(isinstance(layer, t) for layer in layers)
              for t in (L.Conv1D, L.BatchNormalization, L.Dropout, L.GRU, L.TimeDistributed)}
    if counts[L.TimeDistributed] == 0 and layers and isinstance(layers[-1], L.Dense):
        _fail(f"{label}: expected the last layer to be a TimeDistributed Dense(1) with a sigmoid but got a "
              "Dense layer applied directly; likely cause: wrap the Dense layer in TimeDistributed, so that the "
              "same Dense layer reads every time step (section 3).")
    for layer_type, want, where in ((L.BatchNormalization, 3, "one after the Conv1D, one after the first GRU's "
                                     "Dropout and one after the second GRU's Dropout (steps 1 to 3 of section 3)"),
                                    (L.Dropout, 4, "one after the ReLU, one after each GRU and one before the output "
                                     "layer (steps 1 to 3 of section 3)"),
                                    (L.GRU, 2, "two, of 128 units, one after the convolution's Dropout and one after "
                                     "the first GRU's BatchNormalization (steps 2 and 3 of section 3)"),
                                    (L.Conv1D, 1, "one, the first layer (step 1 of section 3)")):
        if counts[layer_type] != want:
            _fail(f"{label}: expected {want} {layer_type.__name__} layer{'s' if want > 1 else ''} but found "
                  f"{counts[layer_type]}; likely cause: the model has {where}, and no other.")
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
            _fail(f"{label}: Dropout {i}: expected rate={DROPOUT_RATE} but got rate={drop.rate:g}; likely cause: "
                  f"{_RATE_HINT}")
        check_layer_config(f"{label}: Dropout {i}", drop, rate=DROPOUT_RATE, hint=_RATE_HINT)
    for i, gru in enumerate([layer for layer in layers if isinstance(layer, L.GRU)], start=1):
        check_layer_config(f"{label}: GRU {i}", gru, units=GRU_UNITS)
        check_return_sequences(f"{label}: GRU {i}", gru, True)
        check_activation(f"{label}: GRU {i}", gru, "tanh")
    dense = layers[-1].layer
    if not isinstance(dense, L.Dense):
        _fail(f"{label}: expected TimeDistributed to wrap a Dense layer but it wraps {article(type(dense).__name__)} "
              "layer; likely cause: the output layer is TimeDistributed(Dense(1, activation='sigmoid')), one "
              "Dense unit applied at every step (step 4 of section 3).")
    check_layer_config(f"{label}: the output Dense layer", dense, units=1,
                       hint="One output per time step: Dense(1, activation='sigmoid').")
    try:
        check_activation(f"{label}: the output Dense layer", dense, "sigmoid")
    except CheckFailed as exc:
        if _activation_is(dense, "softmax"):
            _fail(f"{str(exc).split('; likely cause:')[0]}; likely cause: a softmax over one unit is always 1.0; "
                  "use activation='sigmoid', the probability that the word just ended (step 4 of section 3).",
                  cause=None)
        raise
    check_param_counts(label, model, trainable=case["trainable"], non_trainable=case["non_trainable"])
    check_output_shape(label, model, tuple(case["output_shape"]))
    del model, layers, conv, act, dense
    gc.collect()  # the 5,511-step model is no longer needed
    small = behaviour_input_shape(seed)
    small_label = f"{name}(input_shape={small})"
    with FIXTURES.stand_ins(modelf, name):
        model = build(modelf, small, name=small_label)
    check_model(small_label, model)
    check_input(small_label, model, (None, *small))
    check_output_shape(small_label, model, tuple(case["behaviour_output_shape"]))
    try:
        _check_outputs(small_label, model, case, seed)
    finally:
        del model
        gc.collect()
    passed(name)


def _check_outputs(label, model, case, seed):
    """The model's outputs, with the weights of set_check_weights, on behaviour_batch, in inference (Dropout does
    nothing, BatchNormalization uses its moving averages), against the reference's stored outputs."""
    set_check_weights(model, seed)
    batch = behaviour_batch(seed)
    want = (batch.shape[0], *tuple(case["behaviour_output_shape"])[1:])
    try:
        probs = predict(week3.trigger.fast_time_distributed(model), batch)  # the same outputs, fewer steps to run
    except Exception as exc:  # noqa: BLE001 - a model that cannot run
        _fail(f"{label}: the model could not predict on a batch of shape {batch.shape}: it raised "
              f"{type(exc).__name__}: {_first_line(exc)}; likely cause: a layer that depends on the input length "
              "or is wired to the wrong input: build every layer from the input_shape argument, each reading the "
              "output of the layer before it (section 3).", cause=exc)
    if not isinstance(probs, np.ndarray) or probs.shape != want:
        _fail(f"{label}: expected predictions of shape {want} but got "
              f"{getattr(probs, 'shape', article(type(probs).__name__))}; likely cause: the model's output is the "
              "TimeDistributed Dense's, one probability per output step (step 4 of section 3).")
    if not np.all(np.isfinite(probs)) or probs.min() < 0 or probs.max() > 1:
        _fail(f"{label}: expected predictions between 0 and 1 (probabilities) but got values from "
              f"{np.nanmin(probs):.3g} to {np.nanmax(probs):.3g}; likely cause: the output layer must be a Dense(1) "
              "with a sigmoid, applied at every time step with TimeDistributed (section 3).")
    expected = np.asarray(case["outputs"])
    if np.allclose(probs, expected, rtol=0, atol=OUTPUT_TOLERANCE):
        return
    worst = np.unravel_index(np.argmax(np.abs(probs - expected)), expected.shape)
    where = (f"{label}: with the check's weights (set_check_weights) on a batch of {batch.shape[0]} inputs, in "
             f"inference, expected the probability {expected[worst]:.4f} at example {worst[0]}, step {worst[1]} "
             f"but got {probs[worst]:.4f}")
    for cause, wrong in case["mistakes"].items():
        if np.allclose(probs, np.asarray(wrong), rtol=0, atol=OUTPUT_TOLERANCE):
            _fail(f"{where}: exactly the outputs of a known mistake; likely cause: {_pointed(cause, 'section 3')}")
    _fail(f"{where}; likely cause: the layers are right but the model computes something else: each layer must read "
          "the output of the layer before it, in the order of section 3, with its options at their defaults "
          "except those listed there (the GRUs read their sequences forwards, go_backwards=False).")

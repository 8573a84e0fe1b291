"""Music for w1a3 (Jazz improvisation): the token grammar, the corpus, and turning tokens back into sound.

A melody is a list of `Note`s (onset and length in quarter notes, MIDI pitch) over a *progression*, a list of
`Chord` spans (onset, length, pitch classes 0-11, a display name). The model never sees pitches: each melody note
becomes a token ``TYPE,DURATION,MOTION`` that describes it *relative to the harmony*, so that a token sequence can
be played back over any progression:

- TYPE, the note against the chord sounding at its onset: ``C`` chord tone (its pitch class is in the chord),
  ``S`` scale tone (in the piece's scale, not in the chord), ``A`` approach tone (a semitone from a chord tone,
  neither C nor S), ``X`` anything else; ``R`` is a rest.
- DURATION, in quarter notes, quantised to the nearest of 0.25 0.5 0.75 1 1.5 2 3 4 (and written exactly so).
- MOTION, the interval in semitones from the previous sounding melody note, in buckets: ``0`` repeat, ``+1``/``-1``
  one or two semitones, ``+2``/``-2`` three or four, ``+3``/``-3`` five or more. The first note and every rest
  have motion ``0``.

For example ``C,0.5,+1`` is an eighth-note chord tone a step above the previous note and ``R,1,0`` a quarter rest.
`tokenize` writes the tokens of a melody (``data/jazz/prepare.py`` builds the shipped corpus with it) and `decode`
plays tokens back over a progression, choosing for each token the nearest pitch that fits its type and motion.
`write_midi`, `render_audio` / `audio_player` and `plot_piano_roll` turn the notes into a MIDI file, sound that plays
in the notebook, and a picture.

Names are *shown* as musicians write them, with ``♭`` and ``♯`` (`key_label`, `chord_label`, `note_name`): a
piece's ``key`` reads "A♭ major" and the piano roll labels a chord "E♭7", or "E–A♭–C–E♭" for a set of notes that
is no named chord. The corpus file keeps its ASCII spellings (music21's "A- major" for keys, "Eb7" and "E-Ab-C-Eb"
for chords); nothing that the grammar, the tokens or a model uses depends on a name.

The corpus (``data/jazz/corpus.json``, see its README) is read by `load_corpus`. This module imports no deep
learning library; music21, matplotlib and IPython are imported only by the functions that need them.
"""
from __future__ import annotations

import bisect
import functools
import io
import json
import re
import warnings
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from checks.paths import data_path

CORPUS_FILE = ("jazz", "corpus.json")
TYPES = ("C", "S", "A", "X", "R")
DURATIONS = (0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
MOTIONS = ("-3", "-2", "-1", "0", "+1", "+2", "+3")
MAX_REST = 4.0        # longer rests are written as 4 quarters
REBUILD = "python data/jazz/prepare.py"
NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")   # ASCII; shown with ♭ and ♯
FLAT, SHARP = "\u266d", "\u266f"                       # ♭ and ♯, as the piano roll and the key are shown
NOTE_SEPARATOR = "\u2013"                              # an en dash between the notes of an unnamed chord: E–A♭–C
_DURATION_TEXT = {d: f"{d:g}" for d in DURATIONS}           # 0.25 -> "0.25", 1.0 -> "1"
_TEXT_DURATION = {text: d for d, text in _DURATION_TEXT.items()}
_EPS = 1e-6


# ------------------------------------------------------------------ notes, chords, pieces

@dataclass(frozen=True)
class Note:
    """One melody note: onset and length in quarter notes, MIDI pitch (60 = middle C, 69 = A4 = 440 Hz)."""
    offset: float
    duration: float
    pitch: int

    @property
    def end(self) -> float:
        return self.offset + self.duration


@dataclass(frozen=True)
class Chord:
    """A chord span: onset and length in quarter notes, sorted pitch classes (0 = C ... 11 = B), a display name."""
    offset: float
    duration: float
    pitches: tuple[int, ...]
    name: str = ""

    @property
    def end(self) -> float:
        return self.offset + self.duration


@dataclass
class Piece:
    """One piece of the corpus: its melody, the chords under it and the melody's tokens."""
    id: str
    title: str
    composer: str
    style: str
    split: str                  # "train" or "heldout"
    key: str                    # as musicians write it, e.g. "A♭ major" (the file holds music21's "A- major")
    scale: tuple[int, ...]      # pitch classes of the key's scale (minor keys: with the raised 7th)
    tokens: list[str]
    melody: list[Note]
    progression: list[Chord]

    @property
    def length(self) -> float:
        """Length in quarter notes (the end of the progression)."""
        return progression_end(self.progression)


@dataclass
class Corpus:
    """The token vocabulary (sorted) and the pieces, in the file's order."""
    vocabulary: list[str]
    pieces: list[Piece]

    @functools.cached_property
    def token_to_index(self) -> dict:
        return {token: i for i, token in enumerate(self.vocabulary)}

    @functools.cached_property
    def index_to_token(self) -> dict:
        return {i: token for i, token in enumerate(self.vocabulary)}

    @property
    def n_values(self) -> int:
        """The number of different tokens (the size of a one-hot vector)."""
        return len(self.vocabulary)

    @property
    def train(self) -> list[Piece]:
        return [p for p in self.pieces if p.split == "train"]

    @property
    def heldout(self) -> list[Piece]:
        return [p for p in self.pieces if p.split == "heldout"]

    def piece(self, piece_id: str) -> Piece:
        """The piece with this id (e.g. ``"joplin/maple_leaf_rag"``)."""
        for p in self.pieces:
            if p.id == piece_id:
                return p
        raise KeyError(f"no piece {piece_id!r} in the corpus; the ids are {[p.id for p in self.pieces][:5]} ...")


# ------------------------------------------------------------------ loading the corpus

def load_corpus(path=None) -> Corpus:
    """The token corpus in ``path`` (default: the course's ``data/jazz/corpus.json``).

    A missing or damaged file raises an error that names the file and says how to restore or rebuild it.
    """
    if path is None:
        path = data_path(*CORPUS_FILE)  # explains a missing file, and where the data folder is
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Music corpus not found: {path}. Restore it from the repository "
                                f"(git checkout -- data/jazz/corpus.json) or rebuild it with `{REBUILD}`, "
                                "or call load_corpus() without a path to use the course's corpus.")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        vocabulary = [str(t) for t in raw["vocabulary"]]
        pieces = [_piece_from_json(p) for p in raw["pieces"]]
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise ValueError(f"Music corpus {path} is damaged or not a corpus file ({type(error).__name__}: {error}). "
                         f"Restore it from the repository (git checkout -- data/jazz/corpus.json) or rebuild it "
                         f"with `{REBUILD}`.") from None
    known = set(vocabulary)
    for piece in pieces:
        unknown = sorted(set(piece.tokens) - known)
        if unknown:
            raise ValueError(f"Music corpus {path} is inconsistent: piece {piece.id!r} uses tokens that are not in "
                             f"its vocabulary ({unknown[:3]}). Rebuild it with `{REBUILD}`.")
    return Corpus(vocabulary=vocabulary, pieces=pieces)


def _piece_from_json(p: dict) -> Piece:
    return Piece(id=str(p["id"]), title=str(p["title"]), composer=str(p["composer"]), style=str(p["style"]),
                 split=str(p["split"]), key=key_label(str(p["key"])), scale=tuple(int(x) for x in p["scale"]),
                 tokens=[str(t) for t in p["tokens"]],
                 melody=[Note(float(o), float(d), int(m)) for o, d, m in p["melody"]],
                 progression=[Chord(float(o), float(d), tuple(int(x) for x in pcs), str(name))
                              for o, d, pcs, name in p["progression"]])


# ------------------------------------------------------------------ names as musicians write them (display only)

_ACCIDENTALS = {"b": FLAT, "-": FLAT, "#": SHARP}


def _spell_note(name: str) -> str:
    """``"Eb"`` -> ``"E♭"``, ``"F#"`` -> ``"F♯"``: a note letter and its ASCII accidentals (``b`` or music21's
    ``-`` for flat, ``#`` for sharp); the rest is left as it is."""
    match = re.fullmatch(r"([A-Ga-g])([-b#]*)(.*)", name, re.S)
    if match is None:
        return name
    letter, accidentals, rest = match.groups()
    return letter + "".join(_ACCIDENTALS[a] for a in accidentals) + rest


@functools.lru_cache(maxsize=4096)
def key_label(key: str) -> str:
    """A key as musicians write it: music21's ``"A- major"`` -> ``"A♭ major"``, ``"f# minor"`` -> ``"F♯ minor"``.

    Anything that is not a tonic and a mode comes back unchanged (so a name already written this way too).
    """
    match = re.fullmatch(r"\s*([A-Ga-g][-b#]*)\s+(major|minor)\s*", key, re.I)
    if match is None:
        return key
    tonic, mode = match.groups()
    return f"{_spell_note(tonic[0].upper() + tonic[1:])} {mode.lower()}"


@functools.lru_cache(maxsize=4096)
def chord_label(name: str) -> str:
    """A chord name as musicians write it: ``"Eb7"`` -> ``"E♭7"``, ``"F#m"`` -> ``"F♯m"``, ``"Gm7b5"`` ->
    ``"Gm7♭5"``, and a set of notes that is no named chord (the corpus writes ``"E-Ab-C-Eb"``) with en dashes:
    ``"E–A♭–C–E♭"``. ``"N.C."`` and names already written this way come back unchanged."""
    if re.fullmatch(r"[A-G][b#]?(-[A-G][b#]?)+", name):   # the notes of an unnamed chord
        return NOTE_SEPARATOR.join(_spell_note(n) for n in name.split("-"))
    match = re.fullmatch(r"([A-G][b#]?)(.*)", name, re.S)
    if match is None:
        return name
    root, quality = match.groups()
    quality = re.sub(r"[b#](?=\d)", lambda m: _ACCIDENTALS[m.group()], quality)   # m7b5 -> m7♭5, 7#9 -> 7♯9
    return _spell_note(root) + quality


# ------------------------------------------------------------------ the grammar

def quantize_duration(quarters: float) -> float:
    """The nearest of `DURATIONS` (a tie goes to the shorter one; anything longer than 4 is 4)."""
    return min(DURATIONS, key=lambda d: (abs(d - float(quarters)), d))


def note_type(pitch: int, chord_pitches, scale) -> str:
    """``C``, ``S``, ``A`` or ``X``: the MIDI pitch against a chord's pitch classes and the piece's scale."""
    pc = int(pitch) % 12
    chord_pcs = {int(x) % 12 for x in chord_pitches}
    if pc in chord_pcs:
        return "C"
    if pc in {int(x) % 12 for x in scale}:
        return "S"
    if (pc + 1) % 12 in chord_pcs or (pc - 1) % 12 in chord_pcs:
        return "A"
    return "X"


def motion_bucket(interval: int) -> int:
    """The MOTION of an interval in semitones: 0 (repeat), +-1 (1-2), +-2 (3-4), +-3 (5 or more)."""
    size = abs(int(interval))
    bucket = 0 if size == 0 else 1 if size <= 2 else 2 if size <= 4 else 3
    return bucket if interval >= 0 else -bucket


def make_token(kind: str, duration: float, motion: int = 0) -> str:
    """The token string, e.g. ``make_token("C", 0.5, 1) == "C,0.5,+1"`` (the duration is quantised)."""
    d = _DURATION_TEXT[quantize_duration(duration)]
    return f"{kind},{d},{'0' if motion == 0 else f'{motion:+d}'}"


def parse_token(token) -> tuple[str, float, int]:
    """``"C,0.5,+1"`` -> ``("C", 0.5, 1)``; a malformed token raises a ValueError that says what is wrong."""
    form = "TYPE,DURATION,MOTION, e.g. 'C,0.5,+1' or 'R,1,0'"
    if not isinstance(token, str):
        raise ValueError(f"a token is a string {form}, not {type(token).__name__} {token!r}")
    parts = token.split(",")
    if len(parts) != 3:
        raise ValueError(f"malformed token {token!r}: expected three fields {form}")
    kind, duration, motion = parts
    if kind not in TYPES:
        raise ValueError(f"malformed token {token!r}: TYPE must be one of {', '.join(TYPES)}, not {kind!r}")
    if duration not in _TEXT_DURATION:
        raise ValueError(f"malformed token {token!r}: DURATION must be written as one of "
                         f"{' '.join(_TEXT_DURATION)}, not {duration!r}")
    if motion not in MOTIONS:
        raise ValueError(f"malformed token {token!r}: MOTION must be one of {' '.join(MOTIONS)}, not {motion!r}")
    if kind == "R" and motion != "0":
        raise ValueError(f"malformed token {token!r}: a rest has MOTION 0")
    return kind, _TEXT_DURATION[duration], int(motion)


def _as_note(n) -> Note:
    return n if isinstance(n, Note) else Note(float(n[0]), float(n[1]), int(n[2]))


def _as_chord(c) -> Chord:
    if isinstance(c, Chord):
        return c
    return Chord(float(c[0]), float(c[1]), tuple(int(x) for x in c[2]), str(c[3]) if len(c) > 3 else "")


def tokenize(melody, progression, scale) -> list[str]:
    """The tokens of a monophonic melody (Notes, or (offset, duration, pitch) triples, in time order).

    A gap of at least an eighth of a quarter between two notes becomes a rest token (at most 4 quarters); time
    before the first note is ignored. Each note's TYPE is taken against the chord sounding at its onset.
    """
    melody = [_as_note(n) for n in melody]
    progression = [_as_chord(c) for c in progression]
    scale = tuple(scale)
    tokens, previous = [], None
    for note in melody:
        if previous is not None:
            gap = note.offset - previous.end
            if gap >= DURATIONS[0] / 2 - _EPS:
                tokens.append(make_token("R", min(gap, MAX_REST)))
        chord = chord_at(progression, note.offset)
        motion = 0 if previous is None else motion_bucket(note.pitch - previous.pitch)
        tokens.append(make_token(note_type(note.pitch, chord.pitches, scale), note.duration, motion))
        previous = note
    return tokens


# ------------------------------------------------------------------ progressions

def progression_end(progression) -> float:
    """Where the last chord span ends (0 for an empty progression)."""
    return max((_as_chord(c).end for c in progression), default=0.0)


def chord_at(progression, offset: float) -> Chord:
    """The chord sounding at ``offset`` (before the first span: the first; after the last: the last)."""
    progression = [_as_chord(c) for c in progression]
    if not progression:
        raise ValueError("the progression is empty: give at least one Chord(offset, duration, pitch_classes, name)")
    onsets = [c.offset for c in progression]
    i = bisect.bisect_right(onsets, float(offset) + _EPS) - 1
    return progression[min(max(i, 0), len(progression) - 1)]


def progression_slice(progression, start: float, length: float) -> list[Chord]:
    """The chord spans from ``start`` for ``length`` quarters, cut to that window, with offsets from 0."""
    out = []
    for c in (_as_chord(c) for c in progression):
        s, e = max(c.offset, start), min(c.end, start + length)
        if e - s > _EPS:
            out.append(Chord(round(s - start, 4), round(e - s, 4), c.pitches, c.name))
    return out


def chord_tone_share(notes, progression, scale) -> float:
    """The share of ``notes`` that are chord or scale tones (type C or S) of the chord under their onset.

    0.0 for no notes.
    """
    notes = [_as_note(n) for n in notes]
    if not notes:
        return 0.0
    good = sum(note_type(n.pitch, chord_at(progression, n.offset).pitches, scale) in ("C", "S") for n in notes)
    return good / len(notes)


# ------------------------------------------------------------------ tokens back to notes

def _choose_pitch(kind, motion, previous, chord_pcs, scale, low, high) -> int:
    """The pitch for one note token: see `decode`."""
    pitches = range(low, high + 1)
    typed = [p for p in pitches if note_type(p, chord_pcs, scale) == kind]
    chord_tones = [p for p in pitches if p % 12 in chord_pcs] or list(pitches)

    def in_bucket(p):
        return motion_bucket(p - previous) == motion

    def same_direction(p):
        d = p - previous
        return motion == 0 or (d > 0 if motion > 0 else d < 0)

    for candidates in ([p for p in typed if in_bucket(p)],            # type and motion as written
                       [p for p in typed if same_direction(p)],       # the type, a larger or smaller step
                       [p for p in chord_tones if same_direction(p)],  # a chord tone in that direction
                       chord_tones):                                   # the nearest chord tone
        if candidates:
            return min(candidates, key=lambda p: (abs(p - previous), p))
    raise AssertionError("unreachable: chord_tones is never empty")


def decode(tokens, progression, scale, low: int = 60, high: int = 84, start: int | None = None) -> list[Note]:
    """Notes that play ``tokens`` over ``progression`` in the key whose scale is ``scale``. Deterministic.

    Time starts at the progression's first onset; a rest token advances it. For a note token, among the pitches
    ``low``..``high`` whose type under the chord at the current time is the token's TYPE and whose interval from
    the previous note lies in the token's MOTION bucket, the nearest to the previous note is chosen (a tie: the
    lower). If there is none, the motion is relaxed (the same direction, any size), then the type (a chord tone in
    that direction, then the nearest chord tone). The first note is the pitch of the token's TYPE nearest ``start``
    (default the middle of the range), a chord tone if there is none. Decoding stops where the progression ends
    (the last note is shortened to fit); the progression is not repeated.
    """
    progression = [_as_chord(c) for c in progression]
    if not progression:
        raise ValueError("the progression is empty: decode needs chords to play the tokens over")
    low, high = int(low), int(high)
    if high - low < 11:
        raise ValueError(f"the range low={low}..high={high} must span at least an octave (12 pitches) so that "
                         "every chord has a tone in it")
    scale = tuple(scale)
    end = progression_end(progression)
    time = progression[0].offset
    centre = (low + high) // 2 if start is None else int(start)
    notes, previous = [], None
    for token in tokens:
        kind, duration, motion = parse_token(token)
        if time >= end - _EPS:
            break
        if kind != "R":
            chord_pcs = {p % 12 for p in chord_at(progression, time).pitches}
            if previous is None:
                pitch = _choose_pitch(kind, 0, centre, chord_pcs, scale, low, high)
            else:
                pitch = _choose_pitch(kind, motion, previous, chord_pcs, scale, low, high)
            notes.append(Note(round(time, 4), round(min(duration, end - time), 4), pitch))
            previous = pitch
        time += duration
    return notes


# ------------------------------------------------------------------ MIDI, audio, piano roll

def _chord_voicing(pitches) -> list[int]:
    """Pitch classes as MIDI pitches from C3 (48) to B3 (59)."""
    return sorted({48 + int(p) % 12 for p in pitches})


def write_midi(notes, progression, path, bpm: float = 120) -> Path:
    """A MIDI file with two parts, the melody and the chords (voiced from C3 to B3), at ``bpm``; returns its path."""
    from music21 import chord as m21chord
    from music21 import instrument, note as m21note, stream, tempo

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    melody = stream.Part(id="melody")
    melody.insert(0, instrument.Piano())
    melody.insert(0, tempo.MetronomeMark(number=bpm))
    for n in (_as_note(n) for n in notes):
        melody.insert(n.offset, m21note.Note(n.pitch, quarterLength=n.duration))
    chords = stream.Part(id="chords")
    chords.insert(0, instrument.Piano())
    for c in (_as_chord(c) for c in progression):
        if c.pitches and c.duration > 0:
            chords.insert(c.offset, m21chord.Chord(_chord_voicing(c.pitches), quarterLength=c.duration))
    score = stream.Score([melody, chords])
    score.write("midi", fp=str(path))
    return path


def midi_to_hz(pitch) -> np.ndarray:
    """Equal temperament with A4 (MIDI 69) = 440 Hz."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def _envelope(n: int, rate: int, attack: float, release: float) -> np.ndarray:
    env = np.ones(n)
    a = min(int(attack * rate), n // 2)
    r = min(int(release * rate), n - a)
    if a:
        env[:a] = np.linspace(0.0, 1.0, a, endpoint=False)
    if r:
        env[n - r:] *= np.linspace(1.0, 0.0, r)
    return env


def _add_tone(buffer, start, n, freqs_and_amps, env, rate):
    t = np.arange(n) / rate
    wave_ = np.zeros(n)
    for freq, amp in freqs_and_amps:
        if freq < rate / 2:
            wave_ += amp * np.sin(2 * np.pi * freq * t)
    buffer[start:start + n] += wave_ * env


MELODY_HARMONICS = (1.0, 0.4, 0.2, 0.1)   # a bright voice: the fundamental and a few harmonics


def synthesize(notes, progression, bpm: float = 120, rate: int = 22050) -> np.ndarray:
    """float samples in [-1, 1]: the melody (a few harmonics, 5 ms attack and a release, a gentle decay) over a
    soft sine pad of the chords (voiced from C3 to B3). Peak-normalised to 0.9 (silence stays 0)."""
    notes = [_as_note(n) for n in notes]
    progression = [_as_chord(c) for c in progression]
    seconds_per_quarter = 60.0 / float(bpm)
    end = max([n.end for n in notes] + [c.end for c in progression] + [0.0])
    buffer = np.zeros(int(round(end * seconds_per_quarter * rate)) + int(0.05 * rate) + 1)
    for n in notes:
        start, length = int(round(n.offset * seconds_per_quarter * rate)), int(round(n.duration * seconds_per_quarter * rate))
        if length <= 0:
            continue
        f0 = float(midi_to_hz(n.pitch))
        env = _envelope(length, rate, 0.005, min(0.04, length / rate / 3)) * np.exp(-np.arange(length) / rate * 1.5)
        _add_tone(buffer, start, length, [(k * f0, a) for k, a in enumerate(MELODY_HARMONICS, start=1)], env, rate)
    for c in progression:
        start, length = int(round(c.offset * seconds_per_quarter * rate)), int(round(c.duration * seconds_per_quarter * rate))
        voicing = _chord_voicing(c.pitches)
        if length <= 0 or not voicing:
            continue
        env = _envelope(length, rate, 0.04, min(0.08, length / rate / 3))
        _add_tone(buffer, start, length, [(float(midi_to_hz(p)), 0.25 / len(voicing) ** 0.5) for p in voicing],
                  env, rate)
    peak = np.max(np.abs(buffer)) if buffer.size else 0.0
    return buffer * (0.9 / peak) if peak > 0 else buffer


def render_audio(notes, progression, bpm: float = 120, rate: int = 22050):
    """A mono 16-bit ``pydub.AudioSegment`` of the melody over the chords (see `synthesize`); nothing clips."""
    with warnings.catch_warnings():   # pydub warns that ffmpeg is missing: it is not needed here
        warnings.simplefilter("ignore")
        from pydub import AudioSegment

    samples = np.round(synthesize(notes, progression, bpm, rate) * 32767).astype("<i2")
    return AudioSegment(data=samples.tobytes(), sample_width=2, frame_rate=int(rate), channels=1)


def wav_bytes(segment) -> bytes:
    """The WAV file of a mono or stereo 16-bit AudioSegment."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(segment.channels)
        w.setsampwidth(segment.sample_width)
        w.setframerate(segment.frame_rate)
        w.writeframes(segment.raw_data)
    return buf.getvalue()


def duration_label(seconds: float) -> str:
    """A clip's length to a tenth of a second, ``"0.5 s"`` or ``"30.0 s"``: shown next to a player, whose own
    clock counts whole seconds (a browser shows a clip under a second as "0:00 / 0:00")."""
    seconds = max(float(seconds), 0.0)
    return f"{seconds:.2f} s" if 0 < seconds < 0.05 else f"{seconds:.1f} s"   # never "0.0 s" for a sound


class AudioPlayer:
    """A notebook audio player: IPython's ``Audio`` of WAV bytes, with the clip's length written next to it (see
    `duration_label`). ``data`` holds the WAV bytes, ``seconds`` the length."""

    def __init__(self, data: bytes, seconds: float):
        self.data, self.seconds = data, float(seconds)

    @property
    def label(self) -> str:
        return duration_label(self.seconds)

    def _repr_html_(self) -> str:
        from IPython.display import Audio

        player = Audio(data=self.data)._repr_html_().strip()
        return (f'<div style="display: flex; align-items: center; gap: 0.6em">{player}'
                f'<span title="length of the clip" style="font-variant-numeric: tabular-nums">{self.label}</span>'
                '</div>')

    def __repr__(self) -> str:
        return f"<AudioPlayer: {self.label}>"


def audio_player(segment) -> AudioPlayer:
    """A player of the segment for the notebook (IPython's ``Audio`` of WAV bytes: plays in JupyterLab, no ffmpeg
    needed), with the clip's length to a tenth of a second next to it."""
    return AudioPlayer(wav_bytes(segment), segment.frame_count() / segment.frame_rate)


def note_name(pitch: int) -> str:
    """``60`` -> ``"C4"``, ``70`` -> ``"B♭4"``, ``66`` -> ``"F♯4"`` (as shown on the piano roll's pitch axis)."""
    return f"{_spell_note(NOTE_NAMES[int(pitch) % 12])}{int(pitch) // 12 - 1}"


CHORD_LABEL_GAP = 2.0    # points between the top edge of the piano roll and its chord labels
TITLE_GAP = 6.0          # points between the highest chord label and the title


def plot_piano_roll(notes, progression, ax=None, title=None):
    """A piano roll: one rectangle per note (time in quarter notes across, pitch up with note names), the chord
    changes as dotted vertical lines with the chords' names (as musicians write them, see `chord_label`) along the
    top. The title, if any, is raised above the highest chord label, so that they never overlap. Returns the
    matplotlib Axes."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle
    from matplotlib.transforms import ScaledTranslation

    notes = [_as_note(n) for n in notes]
    progression = [_as_chord(c) for c in progression]
    if ax is None:   # constrained layout: the figure makes room for the chord labels and the raised title
        _, ax = plt.subplots(figsize=(12, 4), layout="constrained")
    for n in notes:
        ax.add_patch(Rectangle((n.offset, n.pitch - 0.4), n.duration, 0.8, facecolor="tab:blue",
                               edgecolor="black", linewidth=0.5))
    pitches = [n.pitch for n in notes] or [60, 72]
    lo, hi = min(pitches) - 2, max(pitches) + 2
    end = max([n.end for n in notes] + [c.end for c in progression] + [1.0])
    ax.set_xlim(0, end)
    ax.set_ylim(lo - 0.5, hi + 0.5)
    step = 1 if hi - lo <= 24 else 2
    ticks = [p for p in range(lo, hi + 1) if (p - lo) % step == 0]
    ax.set_yticks(ticks)
    ax.set_yticklabels([note_name(p) for p in ticks], fontsize=7)
    # x in data; y: the top edge of the axes raised by CHORD_LABEL_GAP points (the same whatever the figure's size)
    label_transform = ax.get_xaxis_transform() + ScaledTranslation(0, CHORD_LABEL_GAP / 72,
                                                                   ax.figure.dpi_scale_trans)
    labels, previous_name = [], None
    for c in progression:
        if c.offset >= end:
            break
        ax.axvline(c.offset, color="grey", linestyle=":", linewidth=0.8)
        if c.name != previous_name:
            labels.append(ax.text(c.offset, 1, chord_label(c.name), transform=label_transform, fontsize=7,
                                  rotation=45, ha="left", va="bottom", clip_on=False))
        previous_name = c.name
    ax.set_xlabel("time (quarter notes)")
    ax.set_ylabel("pitch")
    if title:
        ax.set_title(title, pad=_title_pad(ax, labels))
    return ax


def _title_pad(ax, labels) -> float:
    """The title's offset from the top of the axes, in points, that clears the chord labels above it.

    A label's height above the axes is fixed in points (its font, its rotation and CHORD_LABEL_GAP), so the pad
    holds when the figure is resized or saved at another resolution.
    """
    if not labels:
        return TITLE_GAP
    dpi = ax.figure.dpi
    rise = max(label.get_window_extent().height for label in labels) * 72 / dpi   # points
    return CHORD_LABEL_GAP + rise + TITLE_GAP

"""Build the token corpus of w1a3 (Jazz improvisation), ``data/jazz/corpus.json``, from music21's bundled scores.

    python data/jazz/prepare.py                   # rebuild the whole corpus and write corpus.json (about a minute)
    python data/jazz/prepare.py --check           # rebuild and compare with the shipped file; exit 1 on a difference
    python data/jazz/prepare.py --ids joplin/maple_leaf_rag bach/bwv1.6 --out /tmp/small.json

Everything comes from the corpus inside the pinned ``music21`` package (nothing is downloaded):

- Joplin, *Maple Leaf Rag*: the melody is the top line of the right hand; the harmony of each half measure is the
  pitch classes that sound longest in the left hand and the right hand's lower notes.
- Berlin, *Alexander's Ragtime Band* (lead sheet): the melody and its chord symbols (each held until the next;
  before the first, the tonic triad of the key).
- The four-part Bach chorales (the files whose parts are Soprano, Alto, Tenor, Bass, in natural file-name order):
  the soprano over the alto, tenor and bass sounding on each beat, consecutive equal chords merged.

Every piece is then put on the token timeline: time before the first melody note is dropped; ties are merged,
grace notes dropped and overlapping notes reduced to the top line; each note's length and each rest (capped at
4 quarters) is quantised to the grammar's durations, the chord changes moving with the notes around them, so that
the stored melody is exactly what its tokens say (see ``week1/music.py`` for the grammar). Every 10th chorale and
*Alexander's Ragtime Band* are held out (``"split": "heldout"``); all other pieces are ``"train"``. The output is
the same byte for byte on every run.
"""
from __future__ import annotations

import argparse
import bisect
import functools
import json
import re
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from week1.music import DURATIONS, MAX_REST, Chord, Note, quantize_duration, tokenize  # noqa: E402

OUT = HERE / "corpus.json"
MUSIC21_VERSION = "10.5.1"
GRAMMAR = ("TYPE,DURATION,MOTION per melody note or rest. TYPE against the chord at the onset: C chord tone, "
           "S scale tone, A approach tone (a semitone from a chord tone), X other, R rest. DURATION in quarter "
           "notes, nearest of 0.25 0.5 0.75 1 1.5 2 3 4. MOTION from the previous note in semitones: 0 repeat, "
           "+1/-1 1-2, +2/-2 3-4, +3/-3 5 or more (0 for the first note and rests).")
MAPLE = "joplin/maple_leaf_rag"
ALEXANDER = "leadSheet/berlinAlexandersRagtime"
SATB = ["Soprano", "Alto", "Tenor", "Bass"]
HELDOUT_EVERY = 10      # chorales number 10, 20, 30, ... in sorted order are held out
MIN_REST = DURATIONS[0] / 2


# ------------------------------------------------------------------ which pieces

def _natural_key(name: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _corpus_dir() -> Path:
    from music21 import common
    return Path(common.getCorpusFilePath())


@functools.lru_cache(maxsize=1)
def chorale_ids() -> tuple[str, ...]:
    """The ids (``bach/bwv1.6``) of the four-part chorales in music21's corpus, in natural file-name order.

    A chorale is a ``bach/*.mxl`` file whose parts are exactly Soprano, Alto, Tenor and Bass (read from the
    MusicXML part list, without parsing the score).
    """
    ids = []
    for path in (_corpus_dir() / "bach").glob("*.mxl"):
        with zipfile.ZipFile(path) as z:
            container = z.read("META-INF/container.xml").decode("utf-8", errors="replace")
            xml_name = re.search(r'full-path="([^"]+)"', container).group(1)
            head = z.read(xml_name)[:200_000].decode("utf-8", errors="replace")
        names = re.findall(r"<part-name[^>]*>([^<]*)</part-name>", head.split("</part-list>")[0])
        if [n.strip() for n in names] == SATB:
            ids.append("bach/" + path.stem)
    return tuple(sorted(ids, key=_natural_key))


def all_ids() -> list[str]:
    return [MAPLE, ALEXANDER, *chorale_ids()]


def split_of(piece_id: str) -> str:
    if piece_id == ALEXANDER:
        return "heldout"
    if piece_id == MAPLE:
        return "train"
    number = chorale_ids().index(piece_id) + 1
    return "heldout" if number % HELDOUT_EVERY == 0 else "train"


# ------------------------------------------------------------------ small music21 helpers

def _parse(piece_id: str):
    from music21 import corpus
    return corpus.parse(piece_id + ".mxl")


def _key_and_scale(score):
    k = score.analyze("key")
    scale = {p.pitchClass for p in k.getScale().getPitches()}
    if k.mode == "minor":
        scale.add((k.tonic.pitchClass + 11) % 12)   # the raised 7th (the leading tone)
    return k, tuple(sorted(scale))


def _f(x) -> float:
    return round(float(x), 6)


def _timed_pitches(stream_):
    """(onset, end, [midi pitches]) of the notes and chords of a part, ties merged, grace notes and chord symbols
    dropped, sorted."""
    from music21 import harmony
    out = []
    for element in stream_.stripTies().flatten().notes:
        if isinstance(element, harmony.ChordSymbol) or element.duration.isGrace or element.quarterLength <= 0:
            continue
        onset = _f(element.offset)
        out.append((onset, _f(onset + element.quarterLength), sorted(p.midi for p in element.pitches)))
    return sorted(out, key=lambda e: (e[0], e[1], e[2]))


def _skyline(events) -> list[tuple[float, float, int]]:
    """The top line of (onset, end, pitches) events: at each onset the highest starting pitch, unless a higher
    note is still sounding; each note ends where the next melody note starts."""
    starts = {}
    for onset, end, pitches in events:
        best = starts.get(onset)
        if best is None or max(pitches) > best[1]:
            starts[onset] = (end, max(pitches))
    melody = []
    for onset in sorted(starts):
        end, pitch = starts[onset]
        if melody:
            o, e, p = melody[-1]
            if e > onset and p > pitch:
                continue                           # a lower voice under a held melody note
            melody[-1] = (o, min(e, onset), p)
        melody.append((onset, end, pitch))
    return melody


def _spans_from_changes(changes, end) -> list[tuple[float, float, frozenset]]:
    """Contiguous (start, end, pitch classes) spans from (onset, pitch classes) changes; equal neighbours merged."""
    spans = []
    for i, (onset, pcs) in enumerate(changes):
        stop = changes[i + 1][0] if i + 1 < len(changes) else end
        if stop <= onset:
            continue
        if spans and spans[-1][2] == pcs:
            spans[-1] = (spans[-1][0], stop, pcs)
        else:
            spans.append((onset, stop, pcs))
    return spans


def _measure_grid(part, per_beat: bool, per_measure: bool = False):
    """Onsets of the beats (or half measures when ``per_beat`` is False, or whole measures when ``per_measure``)
    of a part's measures, pickups included, and the part's end."""
    points = []
    beat = 1.0
    for m in part.getElementsByClass("Measure"):
        if m.timeSignature is not None:
            ts = m.timeSignature
            bar = _f(ts.barDuration.quarterLength)
            beat = _f(ts.beatDuration.quarterLength) if per_beat else bar if per_measure else bar / 2
        start, length = _f(m.offset), _f(m.duration.quarterLength)
        virtual = start - _f(m.paddingLeft)
        points.append(start)
        k = 0
        while virtual + k * beat < start + length - 1e-9:
            t = _f(virtual + k * beat)
            if t > start:
                points.append(t)
            k += 1
    return sorted(set(points)), _f(part.highestTime)


# ------------------------------------------------------------------ the three kinds of source

def _maple_leaf(score, per_measure: bool = True):
    """Melody: the right hand's top line. Harmony per measure (or per half measure): the pitch classes that sound
    longest in the left hand and under the melody in the right hand (at least half as long as the longest one,
    at most four; octave doublings count once)."""
    rh, lh = score.parts[0], score.parts[1]
    right = _timed_pitches(rh)
    melody = _skyline(right)
    top = {(o, p) for o, _, p in melody}
    accompaniment = _timed_pitches(lh) + [(o, e, [p for p in ps if (o, p) not in top]) for o, e, ps in right]
    grid, end = _measure_grid(rh, per_beat=False, per_measure=per_measure)
    sounding = [dict() for _ in grid]               # span -> pitch class -> [(start, stop), ...]
    for onset, stop, pitches in accompaniment:
        i = max(bisect.bisect_right(grid, onset) - 1, 0)
        while i < len(grid) and grid[i] < stop:
            span_end = grid[i + 1] if i + 1 < len(grid) else end
            a, b = max(onset, grid[i]), min(stop, span_end)
            if b > a:
                for p in pitches:
                    sounding[i].setdefault(p % 12, []).append((a, b))
            i += 1
    changes, previous = [], frozenset()
    for t, spans in zip(grid, sounding):
        if spans:
            w = {pc: _union_length(intervals) for pc, intervals in spans.items()}
            ranked = sorted(w, key=lambda pc: (-w[pc], pc))
            heaviest = w[ranked[0]]
            previous = frozenset(pc for pc in ranked[:4] if w[pc] >= heaviest / 2 - 1e-9)
        changes.append((t, previous))
    return melody, _spans_from_changes(changes, end)


def _union_length(intervals) -> float:
    total, reach = 0.0, None
    for a, b in sorted(intervals):
        if reach is None or a > reach:
            total += b - a
            reach = b
        elif b > reach:
            total += b - reach
            reach = b
    return total


def _lead_sheet(score, key):
    """Melody: the notes; harmony: the chord symbols, each until the next; before the first, the tonic triad."""
    from music21 import harmony
    part = score.parts[0]
    melody = _skyline(_timed_pitches(part))
    tonic = key.pitchFromDegree(1).pitchClass
    triad = frozenset({tonic, (tonic + (3 if key.mode == "minor" else 4)) % 12, (tonic + 7) % 12})
    changes = [(0.0, triad)]
    for cs in part.flatten().getElementsByClass(harmony.ChordSymbol):
        changes.append((_f(cs.offset), frozenset(p.pitchClass for p in cs.pitches)))
    changes.sort(key=lambda c: c[0])
    deduped = {}
    for t, pcs in changes:                        # a later symbol at the same onset wins
        deduped[t] = pcs
    return melody, _spans_from_changes(sorted(deduped.items(), key=lambda c: c[0]), _f(part.highestTime))


TRIADS = [(root, rank, frozenset((root + i) % 12 for i in shape))
          for root in range(12) for rank, shape in enumerate(((0, 4, 7), (0, 3, 7), (0, 3, 6)))]


def complete_triad(pcs, bass, scale) -> frozenset:
    """Three voices often sound only two notes of a chord (the soprano has the third): a set of fewer than three
    pitch classes becomes the major, minor or diminished triad that contains it, preferring a triad within the
    key's scale, then one on the bass, then one whose root sounds, then major or minor over diminished."""
    pcs = frozenset(pcs)
    if len(pcs) >= 3 or not pcs:
        return pcs
    scale = set(scale)
    candidates = [(not triad <= scale, root != bass, root not in pcs, rank, root, triad)
                  for root, rank, triad in TRIADS if pcs <= triad]
    return min(candidates, key=lambda c: c[:5])[5] if candidates else pcs


def _chorale(score, scale):
    """Melody: the soprano; harmony: the pitch classes the alto, tenor and bass sound on each beat (completed to a
    triad when they sound fewer than three, see `complete_triad`)."""
    soprano, lower = score.parts[0], score.parts[1:]
    melody = _skyline(_timed_pitches(soprano))
    voices = [_timed_pitches(p) for p in lower]
    onsets = [[e[0] for e in v] for v in voices]
    grid, end = _measure_grid(soprano, per_beat=True)
    changes, previous = [], None
    for t in grid:
        sounding = []
        for v, o in zip(voices, onsets):
            i = bisect.bisect_right(o, t + 1e-9) - 1
            if i >= 0 and v[i][1] > t + 1e-9:
                sounding.extend(v[i][2])
        if sounding:
            previous = complete_triad({p % 12 for p in sounding}, min(sounding) % 12, scale)
        changes.append((t, previous))
    first = next((pcs for _, pcs in changes if pcs), frozenset())
    changes = [(t, pcs if pcs is not None else first) for t, pcs in changes]
    return melody, _spans_from_changes(changes, end)


# ------------------------------------------------------------------ onto the token timeline

def to_token_timeline(melody, spans):
    """Shift the piece so that its first note is at 0, quantise each note's length and each rest (capped at 4
    quarters; gaps shorter than an eighth of a quarter are closed), and move the chord changes with the notes
    around them (piecewise-linear time map). Returns (notes, spans, number of notes or rests whose length changed).
    """
    origin = melody[0][0]
    events = []                                   # (onset, length, pitch or None for a rest)
    previous_end = None
    for onset, end, pitch in melody:
        if previous_end is not None and onset - previous_end >= MIN_REST - 1e-9:
            events.append((previous_end, onset - previous_end, None))
        events.append((onset, end - onset, pitch))
        previous_end = end
    anchors_old, anchors_new, notes, changed, new_time = [], [], [], 0, 0.0
    for onset, length, pitch in events:
        q = quantize_duration(min(length, MAX_REST) if pitch is None else length)
        changed += abs(q - length) > 1e-6
        anchors_old.append(onset)
        anchors_new.append(new_time)
        if pitch is not None:
            notes.append(Note(round(new_time, 4), q, pitch))
        new_time += q
    anchors_old.append(previous_end)
    anchors_new.append(new_time)

    def warp(t):
        t = min(max(t, origin), previous_end)
        i = min(bisect.bisect_right(anchors_old, t) - 1, len(anchors_old) - 2)
        a, b = anchors_old[i], anchors_old[i + 1]
        return anchors_new[i] + (anchors_new[i + 1] - anchors_new[i]) * (t - a) / (b - a)

    new_spans = []
    for start, stop, pcs in spans:
        s, e = round(warp(start), 4), round(warp(stop), 4)
        if e - s <= 1e-9:
            continue
        if new_spans and new_spans[-1][2] == pcs:
            new_spans[-1] = (new_spans[-1][0], e, pcs)
        else:
            new_spans.append((s, e, pcs))
    if new_spans:                                 # cover the whole piece exactly
        new_spans[0] = (0.0, new_spans[0][1], new_spans[0][2])
        new_spans[-1] = (new_spans[-1][0], round(new_time, 4), new_spans[-1][2])
    return notes, new_spans, changed


# ------------------------------------------------------------------ chord names (display only)

QUALITIES = {(0, 4, 7): "", (0, 3, 7): "m", (0, 3, 6): "dim", (0, 4, 8): "aug", (0, 4, 7, 10): "7",
             (0, 4, 7, 11): "maj7", (0, 3, 7, 10): "m7", (0, 3, 6, 10): "m7b5", (0, 3, 6, 9): "dim7",
             (0, 4, 10): "7", (0, 3, 10): "m7", (0, 4, 11): "maj7", (0, 3, 9): "dim7", (0, 4): "", (0, 3): "m",
             (0, 7): "5", (0, 5, 7): "sus4", (0, 2, 7): "sus2", (0, 4, 7, 9): "6", (0, 3, 7, 9): "m6",
             (0, 3, 7, 11): "m(maj7)", (0, 4, 8, 10): "aug7", (0,): ""}
SHARP_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
FLAT_NAMES = ("C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B")


@functools.lru_cache(maxsize=None)
def chord_name(pcs: tuple[int, ...], spelling: tuple[str, ...] = FLAT_NAMES) -> str:
    """A short name from the pitch classes, root + quality (``Ab``, ``Eb7``, ``Fm``, ``Bdim``): music21's
    ``Chord.root()`` if the chord is a known quality over it, else the first pitch class over which it is; a set
    that is no known chord is named by its notes (``G-A-Bb``). ``spelling`` names the 12 pitch classes."""
    from music21 import chord
    if not pcs:
        return "N.C."
    root = chord.Chord(list(pcs)).root().pitchClass
    for candidate in (root, *sorted(pcs)):
        quality = QUALITIES.get(tuple(sorted((pc - candidate) % 12 for pc in pcs)))
        if quality is not None:
            return spelling[candidate] + quality
    return "-".join(spelling[(root + i) % 12] for i in range(12) if (root + i) % 12 in pcs)


def key_spelling(key) -> tuple[str, ...]:
    """Names of the 12 pitch classes in a key: its scale's own spelling (minor: with the raised 7th), the others
    with flats in flat keys and sharps in sharp keys."""
    names = list(FLAT_NAMES if key.sharps < 0 else SHARP_NAMES)
    pitches = list(key.getScale().getPitches())[:7]
    if key.mode == "minor":
        pitches.append(key.tonic.transpose("M7"))
    for p in pitches:
        if "--" not in p.name and "##" not in p.name:
            names[p.pitchClass] = p.name.replace("-", "b")
    return tuple(names)


# ------------------------------------------------------------------ one piece, the corpus

def build_piece(piece_id: str) -> tuple[dict, int]:
    """The corpus entry of one piece, and how many of its notes and rests were quantised to a new length."""
    score = _parse(piece_id)
    key, scale = _key_and_scale(score)
    if piece_id == MAPLE:
        melody, spans = _maple_leaf(score)
        meta = ("Maple Leaf Rag", "Scott Joplin", "ragtime")
    elif piece_id == ALEXANDER:
        melody, spans = _lead_sheet(score, key)
        meta = ("Alexander's Ragtime Band", "Irving Berlin", "ragtime")
    elif piece_id in chorale_ids():
        if [p.partName for p in score.parts] != SATB:
            raise ValueError(f"{piece_id}: expected the parts {SATB}, found {[p.partName for p in score.parts]}")
        melody, spans = _chorale(score, scale)
        meta = ("Chorale BWV " + piece_id.split("bwv", 1)[1], "Johann Sebastian Bach", "chorale")
    else:
        raise ValueError(f"unknown piece id {piece_id!r}: use {MAPLE!r}, {ALEXANDER!r} or a four-part chorale "
                         f"such as {chorale_ids()[0]!r} (see chorale_ids())")
    notes, spans, changed = to_token_timeline(melody, spans)
    spelling = key_spelling(key)
    progression = [Chord(s, round(e - s, 4), tuple(sorted(pcs)), chord_name(tuple(sorted(pcs)), spelling))
                   for s, e, pcs in spans]
    tokens = tokenize(notes, progression, scale)
    entry = {"id": piece_id, "title": meta[0], "composer": meta[1], "style": meta[2], "split": split_of(piece_id),
             "key": str(key), "scale": list(scale), "tokens": tokens,
             "melody": [[_num(n.offset), _num(n.duration), n.pitch] for n in notes],
             "progression": [[_num(c.offset), _num(c.duration), list(c.pitches), c.name] for c in progression]}
    return entry, changed


def _num(x: float):
    """4 decimals; whole numbers written as integers (compact, and the same on every run)."""
    x = round(float(x), 4)
    return int(x) if x == int(x) else x


def build(ids=None, verbose: bool = False) -> dict:
    """The corpus (the dict written to corpus.json): every piece, or only those with ``ids`` (in the corpus's
    order; the vocabulary is then that of those pieces)."""
    import music21
    if music21.__version__ != MUSIC21_VERSION:
        print(f"warning: music21 {music21.__version__} is installed, the corpus is built with {MUSIC21_VERSION}; "
              "the result may differ from the shipped file", file=sys.stderr)
    order = all_ids()
    if ids is None:
        ids = order
    else:
        unknown = [i for i in ids if i not in order]
        if unknown:
            raise ValueError(f"unknown piece ids {unknown}: use {MAPLE!r}, {ALEXANDER!r} or chorale ids such as "
                             f"{order[2:5]}")
        ids = [i for i in order if i in set(ids)]
    pieces, changed = [], 0
    for number, piece_id in enumerate(ids, start=1):
        entry, n = build_piece(piece_id)
        pieces.append(entry)
        changed += n
        if verbose and (number % 50 == 0 or number == len(ids)):
            print(f"  {number}/{len(ids)} pieces", file=sys.stderr, flush=True)
    if verbose:
        total = sum(len(p["tokens"]) for p in pieces)
        print(f"  {changed} of {total} notes and rests were quantised to a new length", file=sys.stderr)
    vocabulary = sorted({t for p in pieces for t in p["tokens"]})
    return {"music21_version": MUSIC21_VERSION, "grammar": GRAMMAR, "durations": [_num(d) for d in DURATIONS],
            "vocabulary": vocabulary, "pieces": pieces}


def dumps(corpus: dict) -> str:
    """Compact JSON, one piece per line, keys in a fixed order."""
    head = {k: v for k, v in corpus.items() if k != "pieces"}
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"pieces":[']
    for i, piece in enumerate(corpus["pieces"]):
        comma = "," if i + 1 < len(corpus["pieces"]) else ""
        lines.append(json.dumps(piece, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append("]}")
    return "\n".join(lines) + "\n"


def summary(corpus: dict) -> str:
    pieces = corpus["pieces"]
    lines = [f"{len(pieces)} pieces, {sum(len(p['tokens']) for p in pieces):,} tokens, "
             f"vocabulary {len(corpus['vocabulary'])}"]
    for split in ("train", "heldout"):
        chosen = [p for p in pieces if p["split"] == split]
        styles = {}
        for p in chosen:
            styles[p["style"]] = styles.get(p["style"], 0) + 1
        lines.append(f"  {split}: {len(chosen)} pieces ({', '.join(f'{n} {s}' for s, n in sorted(styles.items()))}), "
                     f"{sum(len(p['tokens']) for p in chosen):,} tokens, {sum(len(p['melody']) for p in chosen):,} notes")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="rebuild and compare with the shipped file instead of writing it")
    parser.add_argument("--ids", nargs="+", help="only these pieces (e.g. joplin/maple_leaf_rag bach/bwv1.6)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT})")
    args = parser.parse_args(argv)
    start = time.time()
    corpus = build(args.ids, verbose=True)
    print(summary(corpus))
    if args.check:
        if not OUT.is_file():
            print(f"{OUT} is missing: run `python data/jazz/prepare.py` to write it")
            return 1
        shipped = json.loads(OUT.read_text(encoding="utf-8"))
        if args.ids:   # compare those pieces only
            by_id = {p["id"]: p for p in shipped["pieces"]}
            problems = [f"piece {p['id']} differs from the shipped one" for p in corpus["pieces"]
                        if by_id.get(p["id"]) != p]
        else:
            problems = [] if dumps(corpus) == OUT.read_text(encoding="utf-8") else [
                "the rebuilt corpus differs from the shipped file"]
        for problem in problems:
            print(problem)
        if problems:
            print(f"{OUT} is stale or music21 changed: rebuild it with `python data/jazz/prepare.py`, review "
                  "the difference and retrain the weights (data/jazz/train.py)")
            return 1
        print(f"{OUT} is up to date ({time.time() - start:.0f} s)")
        return 0
    args.out.write_text(dumps(corpus), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB) in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

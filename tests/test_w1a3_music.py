"""w1a3 (Jazz improvisation), the music side: the token corpus and its build script, the grammar, decoding tokens
to notes over chords, MIDI, audio and the piano roll (``week1/music.py``, ``data/jazz/``)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import numpy as np
import pytest

from checks.paths import data_path
from course import ROOT, data_script
from week1 import music
from week1.music import Chord, Note

SUBSET = ["joplin/maple_leaf_rag", "leadSheet/berlinAlexandersRagtime"]
C_MAJOR = (0, 2, 4, 5, 7, 9, 11)
C, F, G7, AM = (Chord(0, 4, (0, 4, 7), "C"), Chord(4, 4, (0, 5, 9), "F"), Chord(8, 4, (2, 5, 7, 11), "G7"),
                Chord(12, 4, (0, 4, 9), "Am"))
PROGRESSION = [C, F, G7, AM]


@pytest.fixture(scope="module")
def corpus():
    return music.load_corpus()


@pytest.fixture(scope="module")
def shipped():
    return json.loads(data_path(*music.CORPUS_FILE).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def prepare():
    return data_script("jazz")


@pytest.fixture(scope="module")
def rebuilt(prepare):
    """The build script run on a few pieces: both rags, the first chorale, the first held-out one and the last."""
    chorales = prepare.chorale_ids()
    ids = SUBSET + [chorales[0], chorales[prepare.HELDOUT_EVERY - 1], chorales[-1]]
    return prepare.build(ids=ids)


# ------------------------------------------------------------------ the corpus file and its build script

def test_the_shipped_corpus_is_what_prepare_builds(shipped, rebuilt):
    by_id = {p["id"]: p for p in shipped["pieces"]}
    assert len(rebuilt["pieces"]) == 5
    for piece in rebuilt["pieces"]:
        stored = by_id[piece["id"]]
        for field in ("tokens", "melody", "progression"):
            assert stored[field] == piece[field], f"{piece['id']}: {field} differs from a rebuild; run " \
                                                  "python data/jazz/prepare.py --check"
        assert stored == piece
    assert rebuilt["vocabulary"] == sorted({t for p in rebuilt["pieces"] for t in p["tokens"]})
    for key in ("music21_version", "grammar", "durations"):
        assert rebuilt[key] == shipped[key]


def test_the_file_layout_is_compact_and_written_the_same_way_every_time(shipped, prepare):
    path = data_path(*music.CORPUS_FILE)
    text = path.read_text(encoding="utf-8")
    assert prepare.dumps(shipped) == text, "corpus.json is not in the layout prepare.dumps writes"
    assert path.stat().st_size < 3_000_000
    assert list(shipped) == ["music21_version", "grammar", "durations", "vocabulary", "pieces"]
    assert shipped["durations"] == [0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4]
    keys = ["id", "title", "composer", "style", "split", "key", "scale", "tokens", "melody", "progression"]
    for piece in shipped["pieces"]:
        assert list(piece) == keys
        for onset, length, pitch in piece["melody"]:
            assert round(onset, 4) == onset and round(length, 4) == length and 0 <= pitch < 128
        for onset, length, pcs, name in piece["progression"]:
            assert round(onset, 4) == onset and length > 0 and pcs == sorted(set(pcs)) and name
        assert piece["scale"] == sorted(set(piece["scale"])) and len(piece["scale"]) in (7, 8)


def test_prepare_check_on_a_subset_and_unknown_ids(prepare, capsys):
    assert prepare.main(["--check", "--ids", "leadSheet/berlinAlexandersRagtime"]) == 0
    assert "up to date" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown piece ids"):
        prepare.build(ids=["bach/no_such_chorale"])


def test_the_vocabulary_is_sorted_unique_and_exactly_the_tokens_used(corpus):
    used = {t for p in corpus.pieces for t in p.tokens}
    assert corpus.vocabulary == sorted(used)
    assert len(set(corpus.vocabulary)) == len(corpus.vocabulary) == corpus.n_values
    assert 100 <= corpus.n_values <= 200
    assert corpus.token_to_index[corpus.vocabulary[5]] == 5 and corpus.index_to_token[5] == corpus.vocabulary[5]
    for token in corpus.vocabulary:
        music.parse_token(token)


def test_splits_hold_out_whole_pieces(corpus):
    ids = [p.id for p in corpus.pieces]
    assert len(ids) == len(set(ids)), "a piece appears twice"
    assert {p.split for p in corpus.pieces} == {"train", "heldout"}
    assert corpus.train and corpus.heldout
    assert {p.id for p in corpus.train}.isdisjoint({p.id for p in corpus.heldout})
    assert corpus.piece("leadSheet/berlinAlexandersRagtime").split == "heldout"
    assert corpus.piece("joplin/maple_leaf_rag").split == "train"
    chorales = [p for p in corpus.pieces if p.style == "chorale"]
    held = [p for p in chorales if p.split == "heldout"]
    assert [p.id for p in held] == [p.id for p in chorales[9::10]], "every 10th chorale in sorted order"
    assert 0.08 < len(held) / len(chorales) < 0.12


def test_every_piece_is_its_tokens(corpus):
    """The stored melody lies on the token timeline: tokenize gives the stored tokens, and the progression covers
    the piece."""
    for p in corpus.pieces:
        assert music.tokenize(p.melody, p.progression, p.scale) == p.tokens, p.id
        assert p.melody[0].offset == 0 and p.progression[0].offset == 0
        assert p.progression[-1].end == pytest.approx(p.melody[-1].end)
        for a, b in zip(p.progression, p.progression[1:]):
            assert a.end == pytest.approx(b.offset), f"{p.id}: the chord spans must be contiguous"
        assert all(n.duration in music.DURATIONS for n in p.melody)


def test_readme_states_the_real_counts(corpus):
    readme = data_path("jazz", "README.md").read_text(encoding="utf-8")

    def stated(label):
        match = re.search(rf"\|\s*{label}\s*\|\s*([\d,]+)", readme)
        assert match, f"the README's table has no row {label!r}"
        return int(match.group(1).replace(",", ""))

    assert stated("pieces") == len(corpus.pieces)
    assert stated("vocabulary") == corpus.n_values
    assert stated("train pieces") == len(corpus.train)
    assert stated("held-out pieces") == len(corpus.heldout)
    assert stated("train tokens") == sum(len(p.tokens) for p in corpus.train)
    assert stated("held-out tokens") == sum(len(p.tokens) for p in corpus.heldout)
    assert stated("melody notes") == sum(len(p.melody) for p in corpus.pieces)
    assert "python data/jazz/prepare.py" in readme and "ragtime-flavoured" in readme


# ------------------------------------------------------------------ loading

def test_load_corpus_explains_a_missing_or_damaged_file(tmp_path):
    missing = tmp_path / "corpus.json"
    with pytest.raises(FileNotFoundError, match=r"corpus\.json.*prepare\.py"):
        music.load_corpus(missing)
    missing.write_text('{"vocabulary": ["C,1,0"], "pieces": [{"id": ', encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus\.json.*damaged.*rebuild it"):
        music.load_corpus(missing)
    missing.write_text('{"vocabulary": ["C,1,0"]}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"corpus\.json.*damaged.*pieces"):
        music.load_corpus(missing)


def test_load_corpus_in_a_data_folder_without_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQUENCE_MODELS_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=r"jazz/corpus\.json.*README"):
        music.load_corpus()


def test_the_module_imports_no_deep_learning_library():
    code = "import sys, week1.music; print(sorted(m for m in sys.modules if m.split('.')[0] in " \
           "('tensorflow', 'keras', 'torch', 'music21', 'matplotlib')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ the grammar

def test_parse_token():
    assert music.parse_token("C,0.5,+1") == ("C", 0.5, 1)
    assert music.parse_token("R,4,0") == ("R", 4.0, 0)
    assert music.parse_token("X,0.75,-3") == ("X", 0.75, -3)
    for bad in ["C,0.5", "C,0.5,+1,0", "Q,1,0", "c,1,0", "C,1.0,0", "C,0.3,0", "C,5,0", "C,1,+4", "C,1,1",
                "C,1,-0", "R,1,+1", "", 5, None, ("C", 1, 0)]:
        with pytest.raises(ValueError, match="token"):
            music.parse_token(bad)


def test_quantize_note_type_and_motion_buckets():
    assert [music.quantize_duration(q) for q in (0.1, 1 / 3, 0.6, 2 / 3, 1.25, 2.5, 3.6, 6)] == \
        [0.25, 0.25, 0.5, 0.75, 1.0, 2.0, 4.0, 4.0]
    chord = (0, 4, 7)
    assert [music.note_type(p, chord, C_MAJOR) for p in (60, 76, 62, 69, 61, 66, 63, 70)] == \
        ["C", "C", "S", "S", "A", "A", "A", "X"]
    assert [music.motion_bucket(i) for i in (0, 1, 2, 3, 4, 5, 12, -1, -2, -3, -4, -5, -19)] == \
        [0, 1, 1, 2, 2, 3, 3, -1, -1, -2, -2, -3, -3]


def test_tokenize_a_hand_made_melody():
    melody = [Note(0, 1, 64), Note(1, 0.5, 65), Note(1.5, 0.5, 62),  # over C: E (chord), F, D (scale)
              Note(3, 1, 66),                  # a rest of 1, then over C F#: a semitone from G (approach)
              Note(4, 2, 65),                  # over F: F
              Note(12, 0.25, 72),              # 6 quarters' rest (written as 4), then over Am: C
              Note(12.25, 1 / 3, 78)]          # a triplet eighth (a 16th), F#: no neighbour in Am, not in C major
    assert music.tokenize(melody, PROGRESSION, C_MAJOR) == [
        "C,1,0", "S,0.5,+1", "S,0.5,-2", "R,1,0", "A,1,+2", "C,2,-1", "R,4,0", "C,0.25,+3", "X,0.25,+3"]
    # time before the first note is not a rest; tiny gaps are not rests
    assert music.tokenize([Note(2, 1, 60), Note(3.05, 1, 60)], [C], C_MAJOR) == ["C,1,0", "C,1,0"]


def test_chord_at_and_progression_slice():
    assert music.chord_at(PROGRESSION, 0) == C and music.chord_at(PROGRESSION, 3.999) == C
    assert music.chord_at(PROGRESSION, 4) == F and music.chord_at(PROGRESSION, 100) == AM
    assert music.chord_at(PROGRESSION, -1) == C
    with pytest.raises(ValueError, match="empty"):
        music.chord_at([], 0)
    assert music.progression_slice(PROGRESSION, 6, 4) == [Chord(0, 2, F.pitches, "F"), Chord(2, 2, G7.pitches, "G7")]
    assert music.progression_slice(PROGRESSION, 14, 10) == [Chord(0, 2, AM.pitches, "Am")]
    assert music.progression_slice(PROGRESSION, 20, 4) == []


def test_chord_tone_share_on_a_hand_made_example():
    notes = [Note(0, 1, 60),   # C over C: chord tone
             Note(1, 1, 62),   # D over C: scale tone
             Note(2, 1, 61),   # C# over C: approach
             Note(4, 1, 70),   # Bb over F: approach (a semitone from A)
             Note(8, 1, 71),   # B over G7: chord tone
             Note(12, 1, 68)]  # G# over Am: approach (not in C major)
    assert music.chord_tone_share(notes, PROGRESSION, C_MAJOR) == pytest.approx(3 / 6)
    assert music.chord_tone_share([], PROGRESSION, C_MAJOR) == 0.0


# ------------------------------------------------------------------ decoding

def _types(notes, progression, scale):
    return [music.note_type(n.pitch, music.chord_at(progression, n.offset).pitches, scale) for n in notes]


def test_tokenize_then_decode_over_the_pieces_own_progression(corpus):
    for piece in corpus.pieces[:2] + corpus.pieces[2::20]:
        kinds = [t.split(",")[0] for t in piece.tokens if not t.startswith("R")]
        wide = music.decode(piece.tokens, piece.progression, piece.scale, low=24, high=108,
                            start=piece.melody[0].pitch)
        assert [(n.offset, n.duration) for n in wide] == [(n.offset, n.duration) for n in piece.melody], piece.id
        assert _types(wide, piece.progression, piece.scale) == kinds, piece.id
        # in the default two octaves a run up or down can hit the edge, where the type gives way to a chord tone
        narrow = music.decode(piece.tokens, piece.progression, piece.scale)
        assert [(n.offset, n.duration) for n in narrow] == [(n.offset, n.duration) for n in piece.melody]
        same = np.mean(np.array(_types(narrow, piece.progression, piece.scale)) == np.array(kinds))
        assert same >= 0.9, f"{piece.id}: only {same:.0%} of the decoded notes have their token's type"


def test_decode_follows_the_motion_and_the_type():
    tokens = ["C,1,0", "C,1,+2", "S,1,+1", "A,1,-1", "R,1,0", "C,2,-3", "X,1,+1", "C,1,+3"]
    notes = music.decode(tokens, PROGRESSION, C_MAJOR, low=60, high=84)
    assert notes == [Note(0, 1, 72),    # the C-major chord tone nearest the middle (72)
                     Note(1, 1, 76),    # a chord tone 3-4 semitones up: E
                     Note(2, 1, 77),    # a scale tone 1-2 up: F
                     Note(3, 1, 75),    # an approach tone 1-2 down: Eb (a semitone from E)
                     Note(5, 2, 69),    # rest, then over F a chord tone 5+ down: A
                     Note(7, 1, 75),    # X over F (only Eb is): none 1-2 up, so the nearest Eb above
                     Note(8, 1, 83)]    # over G7 a chord tone 5+ up: B (G is only 4 up)


def test_decode_relaxes_motion_then_type_and_stops_with_the_progression():
    # the first note: the token's type nearest the middle of the range (72); a B is nearer than a D
    assert [n.pitch for n in music.decode(["C,1,0"], [C], C_MAJOR)] == [72]
    assert [n.pitch for n in music.decode(["S,1,0"], [C], C_MAJOR)] == [71]
    assert [n.pitch for n in music.decode(["S,1,0"], [C], C_MAJOR, start=63)] == [62]
    # no chord tone of C lies 1-2 semitones above C: the next one up (E)
    assert [n.pitch for n in music.decode(["C,1,0", "C,1,+1"], [C], C_MAJOR)] == [72, 76]
    # nothing above 72 in range: no scale tone and no chord tone up there, so the nearest chord tone (C itself)
    notes = music.decode(["C,1,0", "S,1,+3"], [C], C_MAJOR, low=60, high=72, start=72)
    assert [n.pitch for n in notes] == [72, 72]
    # the progression is 4 quarters: the last note is cut to fit and nothing follows
    notes = music.decode(["C,3,0", "C,2,+1", "C,1,+1"], [C], C_MAJOR)
    assert [(n.offset, n.duration) for n in notes] == [(0, 3), (3, 1)]
    with pytest.raises(ValueError, match="empty"):
        music.decode(["C,1,0"], [], C_MAJOR)
    with pytest.raises(ValueError, match="malformed token"):
        music.decode(["C,1,0", "C,7,0"], [C], C_MAJOR)


def test_decode_is_deterministic_and_stays_in_range(corpus):
    rng = np.random.default_rng(0)
    tokens = list(rng.choice(corpus.vocabulary, size=300))
    progression = corpus.piece("leadSheet/berlinAlexandersRagtime").progression
    scale = corpus.piece("leadSheet/berlinAlexandersRagtime").scale
    for low, high in ((60, 84), (48, 59), (70, 90)):
        first = music.decode(tokens, progression, scale, low=low, high=high)
        assert first == music.decode(list(tokens), progression, scale, low=low, high=high)
        assert first and all(low <= n.pitch <= high for n in first)
        assert all(n.duration > 0 for n in first) and first[-1].end <= music.progression_end(progression) + 1e-9
        assert all(a.end <= b.offset + 1e-9 for a, b in zip(first, first[1:]))
    with pytest.raises(ValueError, match="octave"):
        music.decode(tokens, progression, scale, low=60, high=65)


# ------------------------------------------------------------------ MIDI, audio, piano roll

def test_audio_of_a4_peaks_at_440_hz():
    rate = 22050
    segment = music.render_audio([Note(0, 4, 69)], [], bpm=120, rate=rate)
    assert (segment.frame_rate, segment.channels, segment.sample_width) == (rate, 1, 2)
    assert 1.95 < segment.duration_seconds < 2.2
    samples = np.array(segment.get_array_of_samples(), dtype=np.float64)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    peak = np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)]
    assert abs(peak - 440.0) <= 2.0, peak
    assert np.max(np.abs(samples)) < 32767, "normalised below full scale"


def test_audio_has_no_clicks_and_is_fast(corpus):
    piece = corpus.piece("joplin/maple_leaf_rag")
    notes, chords = [n for n in piece.melody if n.offset < 60], music.progression_slice(piece.progression, 0, 60)
    start = time.perf_counter()
    segment = music.render_audio(notes, chords, bpm=120)       # 60 quarters at 120 bpm: 30 seconds
    assert time.perf_counter() - start < 1.0
    assert 29.9 < segment.duration_seconds < 30.5
    samples = np.array(segment.get_array_of_samples(), dtype=np.float64)
    assert np.max(np.abs(samples)) > 20000, "normalised to a good level"
    # each note fades in and out: around the change from one note to the next the melody is nearly silent
    rate = 22050
    two = np.array(music.render_audio([Note(0, 1, 69), Note(1, 1, 72)], [], rate=rate).get_array_of_samples(),
                   dtype=np.float64)
    boundary = rate // 2                                        # one quarter at 120 bpm
    assert two[0] == 0 and np.max(np.abs(two[boundary - 3:boundary + 3])) < 0.02 * np.max(np.abs(two))
    assert np.max(np.abs(two[-20:])) < 0.01 * np.max(np.abs(two))
    player = music.audio_player(segment)
    assert player.data[:4] == b"RIFF" and b"WAVE" in player.data[:12]


def test_midi_parses_back_to_the_same_notes(tmp_path):
    from music21 import converter

    notes = [Note(0, 1, 60), Note(1, 0.5, 64), Note(1.5, 0.25, 67), Note(2.5, 1.5, 72), Note(4, 0.75, 71)]
    path = music.write_midi(notes, [C, F], tmp_path / "sub" / "out.mid", bpm=90)
    assert path == tmp_path / "sub" / "out.mid" and path.is_file()
    score = converter.parse(path)
    melody, chords = score.parts[0], score.parts[1]
    back = [(float(n.offset), float(n.quarterLength), n.pitch.midi) for n in melody.flatten().notes]
    assert back == [(n.offset, n.duration, n.pitch) for n in notes]
    back_chords = [(float(c.offset), sorted(p.midi for p in c.pitches)) for c in chords.flatten().notes]
    assert back_chords == [(0.0, [48, 52, 55]), (4.0, [48, 53, 57])]


def test_piano_roll_has_one_rectangle_per_note():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    notes = music.decode(["C,1,0", "S,0.5,+1", "C,0.5,-1", "R,1,0", "C,2,+3", "A,1,-1", "C,4,+2"], PROGRESSION,
                         C_MAJOR)
    ax = music.plot_piano_roll(notes, PROGRESSION, title="test")
    rectangles = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(rectangles) == len(notes) == 6
    assert sorted((r.get_x(), r.get_width()) for r in rectangles) == sorted((n.offset, n.duration) for n in notes)
    assert [t.get_text() for t in ax.texts] == ["C", "F", "G7", "Am"]
    assert ax.get_title() == "test" and any(re.fullmatch(r"[A-G][b#]?\d", t.get_text()) for t in ax.get_yticklabels())
    plt.close(ax.figure)

"""What the notebooks *show*: note, chord and key names as musicians write them (w1a3), chord labels that keep clear
of the piano roll's title (w1a3), word labels that do not overlap in the 2-D embedding maps (w2a1), and players that
give a clip's length to a tenth of a second (w1a3, w3a2). Figures are drawn with Agg and compared by the bounding
boxes of what was rendered."""
from __future__ import annotations

import base64
import io
import json
import re
import time
import wave

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from checks.paths import data_path  # noqa: E402
from course import ROOT  # noqa: E402
from week1 import music  # noqa: E402
from week1.music import Chord, Note  # noqa: E402
from week2 import word_vectors  # noqa: E402
from week3 import audio  # noqa: E402

ASCII_SPELLING = re.compile(r"[A-G][b#-]|[A-G]-|-[A-G]")   # "Eb", "F#", music21's "A-", a note list "E-Ab"


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def corpus():
    return music.load_corpus()


def _renderer(fig):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _source_cell(aid: str, notebook: str, marker: str) -> str:
    nb = nbformat.read(ROOT / "source" / aid / notebook, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code" and marker in c.source)

# ------------------------------------------------------------------ 1. names as musicians write them


@pytest.mark.parametrize("stored, shown", [("A- major", "A♭ major"), ("E- major", "E♭ major"),
                                           ("B- major", "B♭ major"), ("f# minor", "F♯ minor"),
                                           ("b- minor", "B♭ minor"), ("a minor", "A minor"), ("C major", "C major"),
                                           ("A♭ major", "A♭ major")])
def test_keys_are_shown_with_flat_and_sharp_signs(stored, shown):
    assert music.key_label(stored) == shown


@pytest.mark.parametrize("stored, shown", [("Ab", "A♭"), ("Eb7", "E♭7"), ("F#m", "F♯m"), ("Bbsus2", "B♭sus2"),
                                           ("Gm7b5", "Gm7♭5"), ("Abdim7", "A♭dim7"), ("C#m7", "C♯m7"),
                                           ("Cm(maj7)", "Cm(maj7)"), ("N.C.", "N.C."), ("Am", "Am"),
                                           ("E-Ab-C-Eb", "E–A♭–C–E♭"), ("E-Eb", "E–E♭"), ("G#-D#-F#", "G♯–D♯–F♯"),
                                           ("E–A♭–C–E♭", "E–A♭–C–E♭")])
def test_chords_are_shown_with_flat_and_sharp_signs_and_note_lists_with_dashes(stored, shown):
    assert music.chord_label(stored) == shown


def test_note_names_on_the_pitch_axis():
    assert [music.note_name(p) for p in (60, 61, 63, 66, 68, 70, 71, 84)] == \
        ["C4", "C♯4", "E♭4", "F♯4", "A♭4", "B♭4", "B4", "C6"]


def test_every_key_and_chord_of_the_corpus_is_shown_without_ascii_accidentals(corpus):
    names = {c.name for p in corpus.pieces for c in p.progression}
    for name in names:
        assert not ASCII_SPELLING.search(music.chord_label(name)), (name, music.chord_label(name))
    for piece in corpus.pieces:
        assert re.fullmatch(r"[A-G][♭♯]? (major|minor)", piece.key), (piece.id, piece.key)
    rag = corpus.piece("joplin/maple_leaf_rag")
    assert f"in {rag.key}" == "in A♭ major"   # what the notebook prints


def test_only_the_display_changes_the_stored_corpus_does_not(corpus):
    """The corpus file keeps music21's spellings; the loaded tokens, vocabulary, scales and chord spans are the
    file's (the names of the chords too: they are spelled when drawn)."""
    stored = json.loads(data_path(*music.CORPUS_FILE).read_text(encoding="utf-8"))
    assert corpus.vocabulary == stored["vocabulary"]
    by_id = {p["id"]: p for p in stored["pieces"]}
    assert by_id["joplin/maple_leaf_rag"]["key"] == "A- major"
    for piece in corpus.pieces:
        raw = by_id[piece.id]
        assert piece.key == music.key_label(raw["key"])
        assert piece.tokens == raw["tokens"] and list(piece.scale) == raw["scale"]
        assert [[c.offset, c.duration, list(c.pitches), c.name] for c in piece.progression] == raw["progression"]


def test_the_piano_roll_shows_spelled_chords_and_notes(corpus):
    rag = corpus.piece("joplin/maple_leaf_rag")
    excerpt = music.progression_slice(rag.progression, 0, 32)
    ax = music.plot_piano_roll([n for n in rag.melody if n.offset < 32], excerpt, title="t")
    labels = [t.get_text() for t in ax.texts]
    assert "E–A♭–C–E♭" in labels and "A♭dim7" in labels and "E♭7" in labels
    assert not any(ASCII_SPELLING.search(label) for label in labels), labels
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert "E♭5" in ticks and not any(ASCII_SPELLING.search(t) for t in ticks), ticks

# ------------------------------------------------------------------ 2. chord labels clear of the title


def _label_title_overlaps(ax) -> list[str]:
    renderer = _renderer(ax.figure)
    title = ax.title.get_window_extent(renderer)
    assert ax.texts and title.width > 0
    return [t.get_text() for t in ax.texts if t.get_window_extent(renderer).overlaps(title)]


LONG = ["E-Ab-C-Eb", "Abdim7", "Ab-C-Db-Eb", "Db-D-F-Ab", "Gm7b5", "D-E-F-Db"]


def _long_names(length: int = 32, step: float = 2.0) -> list[Chord]:
    """A chord with a long name every ``step`` quarters, right across the title."""
    return [Chord(t, step, (0, 3, 4, 8), LONG[i % len(LONG)]) for i, t in enumerate(np.arange(0, length, step))]


def test_the_chord_labels_never_overlap_the_title_in_the_notebooks_plot(corpus):
    rag = corpus.piece("joplin/maple_leaf_rag")
    excerpt = music.progression_slice(rag.progression, 0, 32)
    ax = music.plot_piano_roll([n for n in rag.melody if n.offset < 32], excerpt,
                               title=f"{rag.title}: the first 16 bars")
    assert _label_title_overlaps(ax) == []
    fig = ax.figure
    renderer = _renderer(fig)
    title = ax.title.get_window_extent(renderer)
    assert fig.bbox.y1 >= title.y1, "the figure the function makes has room for the raised title"
    tops = [t.get_window_extent(renderer).y1 for t in ax.texts]
    assert title.y0 > max(tops), "the title is above every chord label"


@pytest.mark.parametrize("figsize, dpi", [((12, 4), 100), ((6, 3), 72), ((16, 2.5), 200)])
def test_the_chord_labels_never_overlap_the_title_on_any_axes(figsize, dpi):
    notes = [Note(t, 1, 60 + int(t) % 12) for t in range(32)]
    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)      # an axes of the caller's, no layout engine
    music.plot_piano_roll(notes, _long_names(), ax=ax, title="a long title right across the middle of the plot")
    assert _label_title_overlaps(ax) == []
    fig.set_size_inches(figsize[0] / 2, figsize[1] * 1.5)   # resized afterwards: the pad is in points
    fig.set_dpi(dpi * 1.5)
    assert _label_title_overlaps(ax) == []


def test_a_piano_roll_without_a_title_or_chords():
    ax = music.plot_piano_roll([Note(0, 1, 60)], [])
    assert len(ax.texts) == 0 and ax.get_title() == ""
    ax = music.plot_piano_roll([Note(0, 1, 60)], [], title="no chords")
    assert ax.get_title() == "no chords"

# ------------------------------------------------------------------ 3. word labels that do not overlap


def _pairwise_overlaps(fig, tolerance: float = 0.0) -> list[int]:
    """Per axes, the pairs of word labels whose rendered boxes intersect by more than ``tolerance`` pixels in both
    directions."""
    renderer = _renderer(fig)
    counts = []
    for ax in fig.axes:
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        counts.append(sum(min(a.x1, b.x1) - max(a.x0, b.x0) > tolerance and
                          min(a.y1, b.y1) - max(a.y0, b.y0) > tolerance
                          for i, a in enumerate(boxes) for b in boxes[i + 1:]))
    return counts


WORDS = {"fruit": ["apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "plum", "pear", "melon"],
         "tools": ["hammer", "saw", "drill", "wrench", "chisel", "pliers", "spanner", "file", "plane", "vice"],
         "colours": ["red", "green", "blue", "yellow", "purple", "orange", "violet", "indigo", "scarlet", "crimson"],
         "music": ["violin", "cello", "viola", "flute", "oboe", "trumpet", "horn", "tuba", "harp", "piano"]}


def _crowded(noise: float, seed: int = 0):
    """40 words in 4 groups, each group's vectors within ``noise`` of one centre: 4 tight piles of points."""
    rng = np.random.default_rng(seed)
    vectors = {}
    for words in WORDS.values():
        centre = rng.normal(size=50)
        vectors.update({w: centre + noise * rng.normal(size=50) for w in words})
    return WORDS, vectors


@pytest.mark.parametrize("noise", [0.05, 0.2])
def test_word_labels_of_close_points_do_not_overlap(noise):
    """With the labels at their points (before adjustText) these maps had 180 and 54 (noise 0.05), 102 and 47
    (noise 0.2) overlapping pairs of labels, PCA and t-SNE; now none, and every label stays inside its map."""
    groups, vectors = _crowded(noise)
    fig = word_vectors.plot_word_maps(groups, vectors, seed=0)
    assert [len(ax.texts) for ax in fig.axes] == [40, 40]
    assert _pairwise_overlaps(fig) == [0, 0]
    renderer = _renderer(fig)
    for ax in fig.axes:   # every label is still inside its map
        inside = ax.get_window_extent(renderer)
        assert all(inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1
                   for b in (t.get_window_extent(renderer) for t in ax.texts))


def test_the_label_placement_is_deterministic():
    groups, vectors = _crowded(0.05)
    positions = []
    for _ in range(2):
        fig = word_vectors.plot_word_maps(groups, vectors, seed=0)
        positions.append([t.get_position() for ax in fig.axes for t in ax.texts])
        plt.close(fig)
    assert positions[0] == positions[1]


def test_the_notebooks_word_maps_have_no_overlapping_labels_and_are_fast():
    """The notebook's own cell, on the GloVe vectors: 12 and 11 overlapping pairs before, none now."""
    from week2.glove import load_glove

    code = _source_cell("w2a1_word_vectors", "word_vectors.ipynb", "plot_word_maps(groups")
    namespace = {"plot_word_maps": word_vectors.plot_word_maps, "word_to_vec_map": load_glove()[3], "plt": plt}
    start = time.perf_counter()
    exec(code, namespace)   # groups = {...}; plot_word_maps(groups, word_to_vec_map, seed=0); plt.show()
    seconds = time.perf_counter() - start
    fig = plt.gcf()
    assert [ax.get_title() for ax in fig.axes] == ["PCA (a linear projection)", "t-SNE (keeps neighbours together)"]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(w for ws in namespace["groups"].values()
                                                                     for w in ws)
    assert fig.axes[0].get_legend() is not None
    assert _pairwise_overlaps(fig) == [0, 0]
    assert seconds < 5, f"{seconds:.1f} s to draw 32 words twice (about 0.5 s on a laptop)"

# ------------------------------------------------------------------ 4. the length of short clips


def _tone(seconds: float, rate: int):
    t = np.arange(int(round(seconds * rate))) / rate
    data = np.round(8000 * np.sin(2 * np.pi * 440 * t)).astype("<i2").tobytes()
    return audio.AudioSegment(data=data, sample_width=2, frame_rate=rate, channels=1)


def _wav_seconds(html: str) -> float:
    data = base64.b64decode(re.search(r'src="data:audio/wav;base64,([^"]+)"', html).group(1))
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()


@pytest.mark.parametrize("player", [audio.audio_player, music.audio_player], ids=["w3a2", "w1a3"])
def test_a_half_second_clip_shows_its_length_next_to_the_player(player):
    html = player(_tone(0.5, audio.RATE))._repr_html_()
    assert html.count("<audio") == 1 and "controls" in html
    assert _wav_seconds(html) == pytest.approx(0.5)
    label = re.search(r"</audio>\s*<span[^>]*>([^<]*)</span>", html)
    assert label and label.group(1) == "0.5 s"


@pytest.mark.parametrize("seconds, shown", [(0.7, "0.7 s"), (0.04, "0.04 s"), (1.26, "1.3 s"), (10, "10.0 s"),
                                            (30.0, "30.0 s"), (0, "0.0 s")])
def test_duration_labels(seconds, shown):
    assert audio.duration_label(seconds) == music.duration_label(seconds) == shown


def test_the_player_keeps_the_wav_bytes_and_a_plain_repr():
    player = audio.audio_player(_tone(0.7, audio.RATE))
    assert player.data[:4] == b"RIFF" and player.seconds == pytest.approx(0.7) and "0.7 s" in repr(player)
    jazz = music.audio_player(music.render_audio([Note(0, 1, 69)], [], bpm=120))   # 0.5 s and a 50 ms tail
    assert jazz.data[:4] == b"RIFF" and ">0.6 s</span>" in jazz._repr_html_()

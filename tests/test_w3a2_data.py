"""The audio data of w3a2 (trigger word detection): data/trigger_word/ (see its README and prepare.py)."""
from __future__ import annotations

import importlib.util
import json
import wave
from pathlib import Path

import numpy as np
import pytest

from week3 import audio

ROOT = Path(__file__).resolve().parent.parent / "data" / "trigger_word"
SPLITS, KINDS = ("train", "val", "dev"), ("activates", "negatives", "backgrounds")
RECIPE_SPLITS = ("val", "dev")
PEAK_DBFS = -1.0      # no shipped file and no clip built from a recipe goes above this: nothing is clipped
WORD_MIN_MS, WORD_MAX_MS, BG_FRAMES = 300, 1200, 160_000


def _wavs(split, kind):
    return sorted((ROOT / split / kind).glob("*.wav"))


def _read(path):
    with wave.open(str(path), "rb") as f:
        params = (f.getnchannels(), f.getsampwidth(), f.getframerate())
        x = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2").astype(np.float64)
    return params, x


@pytest.fixture(scope="module")
def manifest():
    return json.loads((ROOT / "manifest.json").read_text())


@pytest.fixture(scope="module")
def prepare():
    spec = importlib.util.spec_from_file_location("trigger_word_prepare", ROOT / "prepare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("split", SPLITS)
def test_every_file_is_mono_16bit_16khz_and_words_are_trimmed(split):
    for kind in KINDS:
        files = _wavs(split, kind)
        assert files, f"no WAV files in {split}/{kind}"
        for path in files:
            params, x = _read(path)
            assert params == (1, 2, 16_000), f"{path.name}: (channels, bytes, rate) {params}, want (1, 2, 16000)"
            if kind == "backgrounds":
                assert len(x) == BG_FRAMES, f"{path.name}: {len(x)} samples, want exactly 10 s = {BG_FRAMES}"
                continue
            ms = 1000 * len(x) / 16_000
            assert WORD_MIN_MS <= ms <= WORD_MAX_MS, f"{path.name}: {ms:.0f} ms, outside 300-1200 ms"
            peak = np.abs(x).max()
            assert peak > 1000, f"{path.name} is (nearly) silent"
            # trimmed: a 10 ms frame within 40 ms of each end is louder than -40 dB under the loudest frame
            frames = len(x) // 160
            rms = np.sqrt(np.mean(x[:frames * 160].reshape(frames, 160) ** 2, axis=1))
            loud = rms > rms.max() * 10 ** (-40 / 20)
            assert loud[:4].any(), f"{path.name} starts with silence"
            assert loud[-4:].any(), f"{path.name} ends with silence"


def test_counts_and_size():
    counts = {(s, k): len(_wavs(s, k)) for s in SPLITS for k in KINDS}
    assert counts["train", "activates"] >= 300 and counts["train", "negatives"] >= 300, counts
    assert 8 <= counts["train", "backgrounds"] <= 12, counts
    for split in RECIPE_SPLITS:
        assert counts[split, "activates"] >= 50 and counts[split, "negatives"] >= 60, counts
        assert counts[split, "backgrounds"] >= 4, counts
    size = sum(p.stat().st_size for p in ROOT.rglob("*") if p.is_file())
    assert size < 40e6, f"data/trigger_word/ takes {size / 1e6:.1f} MB, over 40 MB"


def test_load_raw_audio_gives_sorted_lists_at_44k():
    for split in SPLITS:
        lists = audio.load_raw_audio(split)
        assert len(lists) == 3
        for kind, segments in zip(KINDS, lists):
            files = _wavs(split, kind)
            assert len(segments) == len(files) > 0
            assert all(s.frame_rate == audio.RATE and s.channels == 1 and s.sample_width == 2 for s in segments)
            # sorted file order: each segment lasts as long as the file of the same index
            want = [round(len(_read(f)[1]) / 16) for f in files]
            got = [len(s) for s in segments]
            assert all(abs(g - w) <= 1 for g, w in zip(got, want)), f"{split}/{kind} not in sorted file order"


def test_spectrogram_of_a_loaded_background_is_101_by_5511():
    for split in SPLITS:
        background = audio.load_raw_audio(split)[2][0]
        assert background.frame_count() == audio.RATE * 10, (
            f"a 10 s background loads as {int(background.frame_count())} samples, not {audio.RATE * 10}: "
            "week3.audio.load_wav must pad / cut the resampled clip to round(n * RATE / rate) samples "
            "(pydub's resampler drops a couple of samples)")
        assert audio.spectrogram(background).shape == (audio.N_FREQ, audio.TX) == (101, 5511)
        # what create_training_example sees when it cuts a background to 10 s
        assert audio.spectrogram(background[:audio.CLIP_MS]).shape == (101, 5511)


@pytest.mark.parametrize("split, n_clips", [("val", 200), ("dev", 400)])
def test_recipes_and_load_dev(split, n_clips):
    recipes = json.loads((ROOT / split / "recipes.json").read_text())
    assert len(recipes) == n_clips
    lengths = {}
    for r in recipes:
        assert r["background"].startswith("backgrounds/") and (ROOT / split / r["background"]).is_file()
        spans = []
        for ins in r["inserts"]:
            name = ins["clip"]
            assert name.split("/")[0] in ("activates", "negatives") and (ROOT / split / name).is_file(), name
            if name not in lengths:
                lengths[name] = len(audio.load_wav(ROOT / split / name))
            start = int(ins["position_ms"])
            spans.append((start, start + lengths[name] - 1))
        spans.sort()
        assert all(a[1] < b[0] for a, b in zip(spans, spans[1:])), f"overlapping inserts in {r}"
        assert all(0 <= s and e < audio.CLIP_MS for s, e in spans), f"a word outside the 10 s in {r}"
        assert sum(i["clip"].startswith("activates/") for i in r["inserts"]) <= 4
        assert sum(i["clip"].startswith("negatives/") for i in r["inserts"]) <= 2
    clips = audio.load_dev(split)
    assert len(clips) == len(recipes)
    n_ends = [len(ends) for _, ends in clips]
    for (segment, ends), r in zip(clips, recipes):
        assert len(segment) == audio.CLIP_MS
        assert all(0 < e < audio.CLIP_MS for e in ends)
        assert len(ends) == sum(i["clip"].startswith("activates/") for i in r["inserts"])
        assert segment.max_dBFS <= PEAK_DBFS + 0.01, f"a {split} clip peaks at {segment.max_dBFS:.2f} dBFS: clipped"
    zero = sum(n == 0 for n in n_ends) / len(n_ends)
    assert 0.05 <= zero <= 0.3, f"{zero:.0%} of the dev clips have no activate"
    assert sum(1 <= n <= 3 for n in n_ends) / len(n_ends) >= 0.6
    assert sum(n_ends) >= {"val": 300, "dev": 600}[split], f"{sum(n_ends)} activates in the {split} clips"


@pytest.mark.parametrize("split", SPLITS)
def test_no_shipped_file_is_clipped(split):
    limit = 32768 * 10 ** (PEAK_DBFS / 20)
    for kind in KINDS:
        for path in _wavs(split, kind):
            peak = np.abs(_read(path)[1]).max()
            assert peak <= limit, f"{split}/{kind}/{path.name} peaks at {20 * np.log10(peak / 32768):.2f} dBFS"


def test_manifest_lists_every_file_and_no_split_shares_a_voice(manifest):
    on_disk = sorted(str(p.relative_to(ROOT)) for s in SPLITS for k in KINDS for p in _wavs(s, k))
    assert sorted(e["file"] for e in manifest["files"]) == on_disk
    voices = {s: set() for s in SPLITS}
    for e in manifest["files"]:
        if e["kind"] != "backgrounds":
            for key in ("synthesiser", "voice", "word", "rate", "pitch"):
                assert key in e, f"{e['file']}: no {key}"
            assert (e["word"] == "activate") == (e["kind"] == "activates"), e["file"]
            voices[e["split"]].add(f"{e['synthesiser']}:{e['voice']}")
        voices[e["split"]].update(e.get("voices") or [])      # the babble talkers
    parts = {s: [v.split(":", 1)[1].split("+") for v in voices[s] if v.startswith("espeak-ng:")] for s in SPLITS}
    for a, b in (("train", "dev"), ("train", "val"), ("val", "dev")):
        assert voices[a] and voices[b]
        shared = voices[a] & voices[b]
        assert not shared, f"{b} voices used in {a}: {sorted(shared)}"
        # espeak-ng: neither the language voice nor the variant of one split's voice occurs in the other
        for i in (0, 1):
            assert not {p[i] for p in parts[a]} & {p[i] for p in parts[b]}, (a, b)


def test_rebuilding_a_noise_background_gives_the_same_bytes(manifest, prepare, tmp_path):
    for name in ("train/backgrounds/noise_pink.wav", "dev/backgrounds/room_tone_60hz_fan.wav"):
        entry = next(e for e in manifest["files"] if e["file"] == name)
        assert prepare.rebuild_file(entry, tmp_path) == (ROOT / name).read_bytes(), f"rebuilding {name} differs"


def test_rebuilding_words_gives_the_same_bytes(manifest, prepare, tmp_path):
    missing = prepare.check_synthesisers()
    if missing:
        pytest.skip(f"speech synthesisers not installed ({', '.join(missing)}); install them with `{prepare.APT}`")
    picks = [next(e for e in manifest["files"] if e["split"] == split and e["synthesiser"] == synth
                  and e["kind"] != "backgrounds") for synth in ("espeak-ng", "flite", "festival") for split in SPLITS
             if split != "val" or synth == "espeak-ng"]
    for n, entry in enumerate(picks):
        got = prepare.rebuild_file(entry, tmp_path / str(n))
        assert got == (ROOT / entry["file"]).read_bytes(), f"rebuilding {entry['file']} gave other bytes"


def test_the_chimed_clip_is_never_clipped_and_keeps_its_loudness():
    clip = max((c for c, _ in audio.load_dev(limit=12)), key=lambda c: c.max_dBFS)   # a clip at the -1 dBFS limit
    predictions = np.zeros(audio.TY)
    predictions[::100] = 1.0                                                      # 14 chimes, all over the clip
    chimed = audio.chime_on_activate(clip, predictions)
    assert len(audio.detections(predictions)) == 14
    assert chimed.max_dBFS <= PEAK_DBFS + 0.01, f"the chimed clip peaks at {chimed.max_dBFS:.2f} dBFS: clipped"
    assert abs(chimed.dBFS - clip.dBFS) < 3.0, (chimed.dBFS, clip.dBFS)
    assert len(chimed) == len(clip)

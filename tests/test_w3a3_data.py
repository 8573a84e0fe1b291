"""The spoken digit strings of w3a3 (speech to digits with CTC): data/digits/ (see its README and prepare.py) and
week3/digits.py, which loads them.

The shipped files are checked by their invariants, every figure of the README is recomputed from them, the dev
voices are checked to be unseen in train, and a few utterances are rebuilt when the synthesisers are installed.
"""
from __future__ import annotations

import importlib.util
import json
import wave
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from week3 import digits as dg

REPO = Path(__file__).resolve().parent.parent
ROOT = REPO / "data" / "digits"
SPLITS = ("train", "dev")
SHIPPED = ("README.md", "prepare.py", "train.npz", "dev.npz", "manifest.json")


@pytest.fixture(scope="module")
def prepare():
    spec = importlib.util.spec_from_file_location("digits_prepare", ROOT / "prepare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def splits():
    return {s: dg.load_split(s) for s in SPLITS}


@pytest.fixture(scope="module")
def manifest():
    return json.loads((ROOT / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rows(manifest):
    """{split: [dict of one utterance's manifest fields]}."""
    return {s: [dict(zip(manifest["fields"], r)) for r in manifest["utterances"][s]] for s in SPLITS}


@pytest.fixture(scope="module")
def readme():
    """The README with all whitespace runs made single spaces (its paragraphs are wrapped)."""
    return " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())


def _shipped_files():
    return [p for p in ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


# ---------------------------------------------------------------------------------------------- the figures

def split_row(split, features, labels, info):
    """The README's table row of a split, as the shipped files give it."""
    frames = np.array([len(f) for f in features])
    synths = Counter(d["synthesiser"] for d in info)
    lengths = Counter(len(l) for l in labels)
    repeats = sum(bool(np.any(l[1:] == l[:-1])) for l in labels)
    return (f"| {split} | {len(info):,} | {len({d['voice'] for d in info})} | "
            f"{synths['espeak-ng']:,} / {synths['festival']:,} / {synths['flite']:,} | "
            f"{frames.min()} / {int(np.median(frames))} / {frames.max()} | "
            f"{' / '.join(f'{lengths[n]:,}' for n in range(3, 8))} | {repeats:,} |")


def test_readme_counts_match_the_files(splits, readme):
    for split in SPLITS:
        row = split_row(split, *splits[split])
        assert row in readme, f"README.md lacks the row {row!r} (recomputed from {split}.npz)"


def test_readme_voice_counts_match_the_files(splits, readme):
    for split in SPLITS:
        per_voice = Counter((d["synthesiser"], d["voice"]) for d in splits[split][2])
        for (synth, voice), n in per_voice.items():
            if synth != "espeak-ng":
                assert f"`{voice}` ({n})" in readme, f"README.md lacks `{voice}` ({n}) ({split})"
        espeak = sorted({n for (s, _), n in per_voice.items() if s == "espeak-ng"})
        assert len(espeak) == 1, f"{split}: espeak-ng voices have unequal counts {espeak}"
        assert f"{espeak[0]} utterances per espeak-ng voice" in readme, f"README.md: {split} espeak-ng count"


def test_sizes(readme):
    total = sum(p.stat().st_size for p in _shipped_files())
    assert total <= 15e6, f"data/digits/ takes {total / 1e6:.2f} MB, over 15 MB"
    assert f"{total / 1e6:.1f} MB in all" in readme, f"README.md should say {total / 1e6:.1f} MB in all"
    for name in ("train.npz", "dev.npz"):
        size = (ROOT / name).stat().st_size
        assert f"`{name}` ({size / 1e6:.1f} MB)" in readme, f"README.md should give {name}'s size"
    size = (ROOT / "manifest.json").stat().st_size
    assert f"`manifest.json` ({size / 1e3:.0f} KB)" in readme
    names = {p.relative_to(ROOT).as_posix() for p in _shipped_files()}
    assert set(SHIPPED) <= names, f"missing: {set(SHIPPED) - names}"


# ---------------------------------------------------------------------------------------------- voices and labels

def test_dev_voices_are_never_used_in_train(splits, prepare):
    train = {d["voice"] for d in splits["train"][2]}
    dev = {d["voice"] for d in splits["dev"][2]}
    assert not train & dev, f"voices in both splits: {sorted(train & dev)}"
    # an espeak-ng dev voice shares neither its language voice nor its variant with a train voice
    def parts(voices):
        pairs = [v.split("+") for v in voices if "+" in v]
        return {b for b, _ in pairs}, {v for _, v in pairs}
    (train_bases, train_variants), (dev_bases, dev_variants) = parts(train), parts(dev)
    assert not train_bases & dev_bases and not train_variants & dev_variants
    # the dev voices are exactly the trigger-word dev voices, and the plan agrees with the files
    tw_dev = {v for _, v, _ in prepare.tw.espeak_voices("dev") + prepare.tw.other_voices("dev")}
    assert dev == tw_dev, f"dev voices {sorted(dev ^ tw_dev)} differ from the trigger-word dev voices"
    assert train == {v for _, v, _ in prepare.voices("train")}
    assert not train & {v for _, v, _ in prepare.voices("dev")}


def test_labels_are_3_to_7_digits_matching_the_text(splits, rows):
    for split in SPLITS:
        _, labels, info = splits[split]
        assert len(labels) == len(rows[split])
        for l, d, r in zip(labels, info, rows[split]):
            assert l.dtype == np.int64 and 3 <= len(l) <= 7, (d["id"], l)
            assert l.min() >= 1 and l.max() <= 10, (d["id"], l)
            assert dg.labels_text(l) == d["text"] == r["text"], (d["id"], d["text"], r["text"])
            assert "".join(str(k - 1) for k in l) == r["digits"] and r["id"] == d["id"]
            assert (d["voice"], d["synthesiser"]) == (r["voice"], r["synthesiser"])
        digits = np.concatenate(labels) - 1
        counts = np.bincount(digits, minlength=10)
        assert counts.min() > 0.8 * counts.mean(), f"{split}: digits far from uniform {counts}"


def test_text_and_labels_round_trip():
    assert list(dg.text_labels("four one seven two")) == [5, 2, 8, 3]
    assert dg.labels_text(np.array([1, 10, 10])) == "zero nine nine"
    with pytest.raises(ValueError, match="blank"):
        dg.labels_text([0, 3])
    with pytest.raises(ValueError, match="not digit words"):
        dg.text_labels("four oh two")


# ---------------------------------------------------------------------------------------------- features

def test_features_are_finite_and_shaped(splits, rows):
    for split in SPLITS:
        features = splits[split][0]
        for f, r in zip(features, rows[split]):
            assert f.dtype == np.float32 and f.ndim == 2 and f.shape[1] == dg.N_MELS, f.shape
            assert len(f) == r["frames"] >= 80, (r["id"], f.shape, r["frames"])
            assert np.isfinite(f).all()
        allf = np.concatenate(features)
        # the speech is well above the floor: the loudest band of each utterance is far above its quietest frames
        assert np.all([f.max() - np.median(f) > 15 for f in features[:50]])
        assert allf.min() >= -60.0 and allf.max() < 80.0


def test_log_mel_of_a_tone_peaks_in_its_band():
    t = np.arange(16_000) / 16_000
    x = 0.5 * np.sin(2 * np.pi * 1000 * t)
    f = dg.log_mel(x)
    assert f.shape == (1 + (16_000 - 400) // 160, dg.N_MELS) and f.dtype == np.float32
    centres = np.argmax(dg.mel_filterbank(), axis=1) * 16_000 / 512
    assert abs(centres[np.argmax(f.mean(axis=0))] - 1000) < 150
    assert dg.log_mel(np.zeros(100)).shape == (1, dg.N_MELS)
    with pytest.raises(ValueError, match="16000"):
        dg.log_mel(x, rate=8000)


def test_model_inputs_and_output_frames(splits):
    features = splits["dev"][0][:5]
    x, frames = dg.model_inputs(features)
    assert x.shape == (5, max(len(f) for f in features), dg.N_MELS) and x.dtype == np.float32
    assert list(frames) == [len(f) for f in features] and frames.dtype == np.int64
    for i, f in enumerate(features):
        assert np.allclose(x[i, :len(f)].mean(axis=0), 0, atol=1e-4) and not x[i, len(f):].any()
    assert list(dg.output_frames(np.array([5, 6, 7]))) == [3, 3, 4] and dg.output_frames(301) == 151


# ---------------------------------------------------------------------------------------------- the demos

def test_demo_wavs_load_and_are_not_clipped(splits):
    demo = dg.load_demo()
    assert 5 <= len(demo) <= 8
    assert len({d["voice"] for d in demo}) == len(demo), "every demo should be another voice"
    dev = {d["id"]: (f, d) for f, d in zip(splits["dev"][0], splits["dev"][2])}
    entries = json.loads((ROOT / "demo" / "demo.json").read_text())
    for d, e in zip(demo, entries):
        with wave.open(str(ROOT / "demo" / e["file"]), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 16_000)
        n = len(d["samples"])
        assert d["rate"] == 16_000 and d["features"].shape == (1 + (n - 400) // 160, dg.N_MELS)
        peak_db = 20 * np.log10(np.abs(d["samples"]).max())
        assert peak_db < -1.0, f"{e['file']} peaks at {peak_db:.2f} dBFS"
        stored, info = dev[Path(e["file"]).stem]
        assert d["text"] == info["text"] and d["voice"] == info["voice"] and list(d["labels"]) == list(
            dg.text_labels(info["text"]))
        # the loader's features of the WAV are the stored dev features, up to the 2 dB quantisation (and the WAV's
        # 16-bit rounding, which moves the quietest bands further)
        assert stored.shape == d["features"].shape
        diff = np.abs(np.maximum(d["features"], -60) - stored)
        assert (diff <= 1.01).mean() > 0.97 and np.median(diff) < 0.6


def test_audio_player_gives_wav_bytes():
    player = dg.audio_player(np.zeros(8000), 16_000)
    assert player.data[:4] == b"RIFF" and abs(player.seconds - 0.5) < 1e-9


# ---------------------------------------------------------------------------------------------- errors, rebuilds

def test_missing_and_corrupt_files_give_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SEQUENCE_MODELS_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Course data not found: .*digits.*train.npz"):
        dg.load_split("train")
    (tmp_path / "digits").mkdir()
    (tmp_path / "digits" / "dev.npz").write_bytes(b"not an npz")
    with pytest.raises(OSError, match="cannot be read.*README"):
        dg.load_split("dev")
    with pytest.raises(ValueError, match="split must be one of"):
        dg.load_split("test")


def test_npz_writing_is_deterministic(prepare):
    arrays = {"a": np.arange(10, dtype=np.uint8), "texts": np.array(["one two", "three"])}
    first = prepare.npz_bytes(arrays)
    assert first == prepare.npz_bytes(arrays)
    import io
    with np.load(io.BytesIO(first)) as f:
        assert list(f["a"]) == list(range(10)) and f["texts"].tolist() == ["one two", "three"]


def test_rebuilding_a_few_utterances_gives_the_stored_features(prepare, splits, tmp_path):
    missing = prepare.tw.check_synthesisers()
    if missing:
        pytest.skip(f"speech synthesisers not installed ({', '.join(missing)}); install them with `{prepare.APT}`")
    for split in SPLITS:
        items = prepare.plan(split, sorted(prepare.backgrounds(split)))
        features, _, info = splits[split]
        assert [it["id"] for it in items] == [d["id"] for d in info]
        # the first two, the first of festival and flite, and the first over each background (the train babbles
        # are this set's own files, not the trigger-word set's of today)
        chosen = {0, 1} | {next(i for i, it in enumerate(items) if it["synthesiser"] == s)
                           for s in ("festival", "flite")} | {
                           next(i for i, it in enumerate(items) if it["background"] == b)
                           for b in sorted({it["background"] for it in items})}
        chosen = sorted(chosen)
        audio = prepare.render([items[i] for i in chosen], split, tmp_path / split)
        for i in chosen:
            rebuilt = dg.dequantise(prepare.quantise(dg.log_mel(audio[items[i]["id"]])), prepare.DB_MIN,
                                    prepare.DB_STEP)
            assert np.array_equal(rebuilt, features[i]), f"{items[i]['id']} differs from the rebuild"

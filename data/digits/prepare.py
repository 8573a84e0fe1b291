"""Build the spoken digit strings of w3a3 (speech to digits with CTC), ``data/digits/``, with offline speech
synthesisers.

    python data/digits/prepare.py            # rebuild everything in data/digits/ (a few minutes on 2 cores)
    python data/digits/prepare.py --check    # rebuild into a temporary folder and compare; exit 1 on a difference
    python data/digits/prepare.py --out /tmp/digits   # build somewhere else

Requirements (Debian packages, installed once by whoever rebuilds the data; the notebooks never call them):

    apt-get install espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts

and the course's Python environment (numpy). The synthesis, resampling, trimming and level functions and the dev
voices are those of ``data/trigger_word/prepare.py`` (imported from it), the backgrounds are the
trigger-word backgrounds as shipped (``data/trigger_word/{train,dev}/backgrounds/``) but for the train babble, which
this set keeps as it was built with (``backgrounds/train/``), and the features are
``week3.digits.log_mel``.

Each utterance is 3-7 digits said as words ("four one seven two"), synthesised **digit by digit** (each digit
word a call of the synthesiser with the utterance's voice, rate and pitch, trimmed of its silence) and joined with
seeded gaps of silence of 30-250 ms, with 50-150 ms of silence before and after; then brought to a seeded level,
mixed with a seeded stretch of one of the split's backgrounds at a seeded SNR, and kept under -1 dBFS peak.
What it writes (see README.md): ``train.npz`` and ``dev.npz`` (uint8-quantised log-mel features, offsets, texts,
voices), ``demo/`` (six dev utterances as 16 kHz WAV and ``demo.json``) and ``manifest.json`` (every utterance:
how it was made). Train and dev use disjoint voices. Everything is seeded and written in a fixed order (the npz
files as zip archives with fixed timestamps): a rerun with the same synthesiser versions gives the same bytes.
"""
from __future__ import annotations

import filecmp
import importlib.util
import io
import json
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path.insert(0, str(REPO))

from week3.digits import DIGITS, N_MELS, SR, log_mel  # noqa: E402


def _trigger_word_module():
    spec = importlib.util.spec_from_file_location("trigger_word_prepare", REPO / "data" / "trigger_word" /
                                                  "prepare.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tw = _trigger_word_module()

SEED = 3033
APT = tw.APT
PACKAGES = tw.PACKAGES
DB_MIN, DB_STEP = -60.0, 2.0      # features stored as uint8 codes: dB = DB_MIN + code * DB_STEP (-60 .. 450 dB)
MIN_DIGITS, MAX_DIGITS = 3, 7
REPEAT_P = 0.2                    # a digit repeats its neighbour with this probability (else uniform 0-9)
GAP_MS = (30, 250)                # silence between two digits
EDGE_MS = (50, 150)               # silence before the first and after the last digit
RMS_DBFS = (-32.0, -16.0)         # level of the speech (RMS over the digit words) before the background
SNR_DB = {"noise": (5.0, 30.0), "room tone": (5.0, 30.0), "babble": (10.0, 30.0), "music": (10.0, 30.0)}
PEAK_DBFS = -1.0
# utterances per voice: train 60 espeak-ng voices x 26 + kal_diphone 180 + kal16 180; dev 10 x 20 + 5 x 30
PER_VOICE = {"train": {"espeak-ng": 26, "other": 180}, "dev": {"espeak-ng": 20, "other": 30}}
# the train voices are this data set's own (fixed when it was built, whatever the trigger-word set uses now):
# four espeak-ng English voices and two more, each with ten variants, and Kal (festival and flite); never used in dev
TRAIN_ESPEAK_BASES = ["en-us", "en-gb", "en-gb-x-rp", "en-us-nyc", "en-gb-x-gbclan", "en-gb-x-gbcwmd"]
TRAIN_ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "klatt", "klatt2"]
TRAIN_OTHER = [("festival", "kal_diphone", "m"), ("flite", "kal16", "m")]
N_DEMO = 6
TRAIN_HIGH_F0 = 0.5               # share of the train kal (festival, flite) utterances given a female-range F0
BACKGROUND_KINDS = {"babble": "babble", "music": "music", "noise": "noise", "room": "room tone"}


def voices(split):
    """(synthesiser, voice, sex) of a split: train its own voices, dev the trigger-word dev voices."""
    if split == "dev":
        return tw.espeak_voices("dev") + tw.other_voices("dev")
    return [("espeak-ng", f"{b}+{v}", "f" if v.startswith("f") else "m")
            for b in TRAIN_ESPEAK_BASES for v in TRAIN_ESPEAK_VARIANTS] + TRAIN_OTHER


# the train babble as it was when this set was built: the trigger-word set's train babble has since been made
# again, by its larger list of train voices; a file here takes the place of the trigger-word file of its name
OWN_BACKGROUNDS = HERE / "backgrounds"


def backgrounds(split):
    """{name: samples} of the split's backgrounds (10 s each, as shipped), sorted by name: the trigger-word
    backgrounds, each replaced by this set's own file of the same name in ``backgrounds/<split>/`` if there is one."""
    folder = REPO / "data" / "trigger_word" / split / "backgrounds"
    paths = {path.name: path for path in folder.glob("*.wav")}
    if not paths:
        sys.exit(f"prepare.py reads the trigger-word backgrounds, but {folder} holds none")
    paths.update({path.name: path for path in (OWN_BACKGROUNDS / split).glob("*.wav")})
    out = {}
    for name in sorted(paths):
        x, rate = tw.read_wav(paths[name].read_bytes())
        out[name] = x
    return out


def digit_string(rng) -> list[int]:
    n = int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1))
    digits = [int(rng.integers(0, 10))]
    while len(digits) < n:
        digits.append(digits[-1] if rng.random() < REPEAT_P else int(rng.integers(0, 10)))
    return digits


def plan(split, background_names) -> list[dict]:
    """The utterances of a split (all randomness drawn here, in order)."""
    rng = np.random.default_rng([SEED, 0 if split == "train" else 1])
    items = []
    for synth, voice, sex in voices(split):
        n = PER_VOICE[split]["espeak-ng" if synth == "espeak-ng" else "other"]
        for _ in range(n):
            digits = digit_string(rng)
            f0 = sex
            if split == "train" and synth != "espeak-ng" and rng.random() < TRAIN_HIGH_F0:
                f0 = "f"        # a female-range mean F0 (160-230 Hz) for the train kal voices, half of the time
            params = tw._params(rng, synth, voice, f0)
            bg = background_names[int(rng.integers(0, len(background_names)))]
            kind = BACKGROUND_KINDS[bg.split("_")[0]]
            items.append({"split": split, "digits": "".join(map(str, digits)),
                          "text": " ".join(DIGITS[d] for d in digits), "synthesiser": synth, "voice": voice,
                          "rate": params["rate"], "pitch": params["pitch"],
                          "gaps_ms": [int(g) for g in rng.integers(GAP_MS[0], GAP_MS[1] + 1, len(digits) - 1)],
                          "edges_ms": [int(g) for g in rng.integers(EDGE_MS[0], EDGE_MS[1] + 1, 2)],
                          "rms_dbfs": round(float(rng.uniform(*RMS_DBFS)), 1),
                          "background": bg, "background_start": round(float(rng.uniform(0, 1)), 4),
                          "snr_db": round(float(rng.uniform(*SNR_DB[kind])), 1),
                          "_rate_unit": params["rate_unit"]})
    order = rng.permutation(len(items))       # the stored order mixes the voices
    items = [items[i] for i in order]
    for i, it in enumerate(items):
        it["id"] = f"{split}_{i:04d}"
    return items


def render(items, split, workdir: Path):
    """{id: samples} of the items: the digit words synthesised, resampled to 16 kHz, trimmed, joined with the
    gaps, levelled, mixed with the background, kept under PEAK_DBFS."""
    requests, where = [], []
    for it in items:
        params = {"rate": it["rate"], "pitch": it["pitch"]}
        for k, d in enumerate(it["digits"]):
            requests.append((DIGITS[int(d)], it["synthesiser"], it["voice"], params))
            where.append((it["id"], k))
    raws = tw.synthesise(requests, workdir)
    words: dict = {}
    for (uid, k), raw, req in zip(where, raws, requests):
        words.setdefault(uid, []).append(raw)
    bgs = backgrounds(split)
    out = {}
    for it in items:
        tape = it["rate"] if it["_rate_unit"].startswith("tape") else 1.0
        pieces = [tw.trim(tw.resample(x, rate * tape)) for x, rate in words[it["id"]]]
        silence = lambda ms: np.zeros(ms * SR // 1000)  # noqa: E731
        parts = [silence(it["edges_ms"][0])]
        for k, p in enumerate(pieces):
            if k:
                parts.append(silence(it["gaps_ms"][k - 1]))
            parts.append(p)
        parts.append(silence(it["edges_ms"][1]))
        speech_rms = np.sqrt(np.mean(np.concatenate(pieces) ** 2))
        x = np.concatenate(parts) * (10 ** (it["rms_dbfs"] / 20) / speech_rms)
        bg = bgs[it["background"]]
        start = int(it["background_start"] * (len(bg) - len(x)))
        noise = bg[start:start + len(x)]
        noise = noise / np.sqrt(np.mean(noise ** 2)) * 10 ** ((it["rms_dbfs"] - it["snr_db"]) / 20)
        y = x + noise
        peak = np.max(np.abs(y))
        limit = 10 ** (PEAK_DBFS / 20) * 0.98         # a little headroom for the 16-bit rounding of the demos
        if peak > limit:
            y *= limit / peak
        out[it["id"]] = y
    return out


# ------------------------------------------------------------------ writing (deterministic)

def quantise(db: np.ndarray) -> np.ndarray:
    return np.clip(np.round((db - DB_MIN) / DB_STEP), 0, 255).astype(np.uint8)


def npz_bytes(arrays: dict) -> bytes:
    """An npz archive (as np.load reads it) of the arrays, deflated, with fixed timestamps and in the given order:
    the same arrays always give the same bytes (np.savez_compressed stamps the current time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = io.BytesIO()
            np.lib.format.write_array(data, np.asarray(array), allow_pickle=False)
            zf.writestr(info, data.getvalue(), compresslevel=9)
    return buffer.getvalue()


FIELDS = ["id", "text", "digits", "synthesiser", "voice", "rate", "pitch", "gaps_ms", "edges_ms", "rms_dbfs",
          "background", "background_start", "snr_db", "frames"]


def build(out: Path, verbose: bool = True) -> dict:
    t0 = time.time()
    missing = tw.check_synthesisers()
    if missing:
        sys.exit(f"prepare.py needs the speech synthesisers ({', '.join(missing)} missing). Install them with:\n"
                 f"    {APT}")
    manifest = {"sample_rate": SR, "packages": tw.package_versions(),
                "features": {"log_mel": "week3.digits.log_mel", "n_mels": N_MELS, "hop_ms": 10, "window_ms": 25,
                             "stored": f"uint8 code, dB = {DB_MIN} + code * {DB_STEP}"},
                "units": {"rate": "espeak-ng: words per minute (-s); flite / festival diphone: duration stretch; "
                                  "festival HTS: tape speed", "pitch": "espeak-ng: -p (0-99); flite / festival "
                                  "diphone: mean F0 in Hz; festival HTS: null (follows the tape speed)",
                          "gaps_ms": "silence between neighbouring digits", "edges_ms": "silence before, after",
                          "rms_dbfs": "RMS of the digit words before the background", "background":
                          "data/trigger_word/<split>/backgrounds/<name>", "background_start":
                          "start in the background as a fraction of (its length - the utterance's)",
                          "snr_db": "speech RMS over background RMS", "frames": "log-mel frames (10 ms)"},
                "fields": FIELDS, "utterances": {}}
    out.mkdir(parents=True, exist_ok=True)
    demo_dir = out / "demo"
    if demo_dir.exists():
        shutil.rmtree(demo_dir)
    demo_dir.mkdir()
    with tempfile.TemporaryDirectory() as tmp:
        for split in ("train", "dev"):
            names = sorted(backgrounds(split))
            items = plan(split, names)
            audio = render(items, split, Path(tmp) / split)
            feats = [log_mel(audio[it["id"]]) for it in items]
            for it, f in zip(items, feats):
                it["frames"] = len(f)
            codes = np.concatenate([quantise(f) for f in feats])
            offsets = np.concatenate([[0], np.cumsum([len(f) for f in feats])]).astype(np.int64)
            arrays = {"features": codes, "offsets": offsets, "db_min": np.float64(DB_MIN),
                      "db_step": np.float64(DB_STEP), "ids": np.array([it["id"] for it in items]),
                      "texts": np.array([it["text"] for it in items]),
                      "voices": np.array([it["voice"] for it in items]),
                      "synthesisers": np.array([it["synthesiser"] for it in items])}
            (out / f"{split}.npz").write_bytes(npz_bytes(arrays))
            manifest["utterances"][split] = [[it[k] for k in FIELDS] for it in items]
            if split == "dev":
                demo, seen = [], set()
                for it in items:
                    if it["voice"] not in seen and it["synthesiser"] not in {d["synthesiser"] for d in demo[-1:]}:
                        seen.add(it["voice"])
                        name = f"{it['id']}.wav"
                        (demo_dir / name).write_bytes(tw.wav_bytes(audio[it["id"]]))
                        demo.append({"file": name, "text": it["text"], "voice": it["voice"],
                                     "synthesiser": it["synthesiser"]})
                    if len(demo) == N_DEMO:
                        break
                (demo_dir / "demo.json").write_text("[\n" + ",\n".join(json.dumps(d) for d in demo) + "\n]\n")
            if verbose:
                print(f"{split}: {len(items)} utterances, {len(codes)} frames ({time.time() - t0:.0f} s)",
                      flush=True)
    text = json.dumps({k: v for k, v in manifest.items() if k != "utterances"}, indent=1)[:-2]
    rows = {split: ",\n".join("  " + json.dumps(r, separators=(",", ":")) for r in manifest["utterances"][split])
            for split in ("train", "dev")}
    text += (',\n "utterances": {\n' + ",\n".join(f'  "{s}": [\n{rows[s]}\n  ]' for s in ("train", "dev"))
             + "\n }\n}\n")
    (out / "manifest.json").write_text(text)
    if verbose:
        print(f"done in {time.time() - t0:.0f} s")
    return manifest


TEXT_OUTPUTS = ("manifest.json", "demo/demo.json")
BINARY_OUTPUTS = ("train.npz", "dev.npz")


def compare(shipped: Path, built: Path) -> list[str]:
    from checks.paths import build_differences

    diffs = build_differences({name: (built / name).read_text(encoding="utf-8") for name in TEXT_OUTPUTS}, shipped)
    wavs = sorted(p.name for p in (built / "demo").glob("*.wav"))
    for name in list(BINARY_OUTPUTS) + [f"demo/{w}" for w in wavs]:
        if not (shipped / name).is_file():
            diffs.append(f"{shipped / name} is missing")
        elif not filecmp.cmp(shipped / name, built / name, shallow=False):
            diffs.append(f"{shipped / name} differs from the build")
    extra = sorted(set(p.name for p in (shipped / "demo").glob("*.wav")) - set(wavs))
    diffs += [f"{shipped / 'demo' / w} is not made by the build" for w in extra]
    return diffs


def main(argv=None):
    return tw.command_line(argv, __doc__, HERE, build, compare)


if __name__ == "__main__":
    sys.exit(main())

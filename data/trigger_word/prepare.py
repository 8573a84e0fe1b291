"""Build the audio of w3a2 (trigger word detection), ``data/trigger_word/``, with offline speech synthesisers.

    python data/trigger_word/prepare.py            # rebuild everything in data/trigger_word/ (about 15-30 s)
    python data/trigger_word/prepare.py --check    # rebuild into a temporary folder, compare byte for byte; exit 1
                                                   # on a difference
    python data/trigger_word/prepare.py --out /tmp/tw   # build somewhere else

Requirements (Debian packages, installed once by whoever rebuilds the data; the notebooks never call them):

    apt-get install espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts

and the course's Python environment (numpy, pydub; ``week1.music`` renders the music backgrounds from
``data/jazz/corpus.json``, the dev clips are built from the recipes by ``week3.audio.load_dev``).

What it writes (see README.md): ``{train,dev}/{activates,negatives,backgrounds}/*.wav`` (mono, 16-bit PCM,
16,000 Hz; words trimmed of leading and trailing silence, 0.3-1.2 s; backgrounds exactly 10,000 ms),
``dev/recipes.json`` (how ``week3.audio.load_dev`` builds each dev clip) and ``manifest.json`` (every file with
its synthesiser, voice, word, rate and pitch). The train and dev splits use disjoint voices. Everything is seeded
and written in sorted order: a rerun with the same synthesiser versions gives the same bytes.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import filecmp
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

SR = 16_000                      # sample rate of every file
BG_MS = 10_000                   # length of a background
WORD_MIN_MS, WORD_MAX_MS = 300, 1200
WORD_RMS_DBFS = -20.0            # every word is brought to this loudness (peaks kept under -1 dBFS)
SEED = 2024
N_CLIPS = {"dev": 400, "val": 200}   # 10 s clips built from recipes (dev: the measure; val: choosing settings)
SPLITS = ("train", "val", "dev")
APT = "apt-get install espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts"
PACKAGES = ["espeak-ng", "flite", "festival", "festvox-kallpc16k", "festvox-kdlpc16k", "festvox-us-slt-hts"]

TRIGGER = "activate"
# close-sounding words first, then other everyday words (no word contains "activate")
NEGATIVE_WORDS = ["activity", "captivate", "relate", "active", "motivate", "cactus", "vacate", "actor", "action",
                  "native", "attic", "cultivate", "elevate", "navigate", "activist", "tactical", "captain",
                  "evaluate", "acted", "tivoli", "computer", "weather", "garden", "yesterday", "banana", "window",
                  "kitchen", "music", "hello", "table"]
BABBLE_TEXT = ["the meeting starts at nine tomorrow morning", "could you pass me the salt please",
               "we walked along the river until it got dark", "my sister bought a new bicycle last week",
               "the train was late again so I took the bus", "there is some soup left in the fridge",
               "he said the concert was wonderful", "turn left at the bakery and keep going straight",
               "they are painting the house blue this summer", "I think it will rain later this afternoon"]

# ------------------------------------------------------------------ voices per split (never shared)
# espeak-ng voices are "<language voice>+<variant>"; a dev voice shares neither part with a train voice.
TRAIN_ESPEAK_BASES = ["en-us", "en-gb", "en-gb-x-rp", "en-us-nyc"]
TRAIN_ESPEAK_VARIANTS = ["m1", "m2", "m3", "m4", "m5", "f1", "f2", "f3", "klatt", "klatt2", "klatt5", "klatt6",
                         "Alex", "Andy", "Annie", "Lee", "Michael", "Mike", "adam", "anika", "belinda", "benjamin",
                         "david", "ed", "edward", "grandma", "grandpa", "john", "linda", "max", "norbert", "paul",
                         "quincy", "rob", "robert", "shelby", "steph", "travis", "victor", "zac"]
# the validation split (choosing the detection threshold and refractory period) has voices of its own too
VAL_ESPEAK_BASES = ["en-gb-x-gbclan", "en-gb-x-gbcwmd"]
VAL_ESPEAK_VARIANTS = ["m8", "klatt4", "Alicia", "aunty", "iven", "Gene", "Jacky", "steph2"]
DEV_ESPEAK_BASES = ["en-gb-scotland", "en-029"]
DEV_ESPEAK_VARIANTS = ["m6", "m7", "f4", "f5", "klatt3"]
# (synthesiser, voice, sex) of the other synthesisers; festival's kal and flite's kal16 are the same speaker (Kal),
# so both are train; flite's slt and festival's HTS slt are the same speaker, both dev.
# Kal is said with a male-range and (as a different-sounding voice) a female-range mean F0.
TRAIN_OTHER = [("festival", "kal_diphone", "m"), ("festival", "kal_diphone", "f"), ("flite", "kal16", "m"),
               ("flite", "kal16", "f")]
DEV_OTHER = [("flite", "awb", "m"), ("flite", "rms", "m"), ("flite", "slt", "f"), ("festival", "ked_diphone", "m"),
             ("festival", "cmu_us_slt_arctic_hts", "f")]


def espeak_voices(split):
    bases, variants = {"train": (TRAIN_ESPEAK_BASES, TRAIN_ESPEAK_VARIANTS),
                       "val": (VAL_ESPEAK_BASES, VAL_ESPEAK_VARIANTS),
                       "dev": (DEV_ESPEAK_BASES, DEV_ESPEAK_VARIANTS)}[split]
    return [("espeak-ng", f"{b}+{v}", "f" if v.startswith("f") else "m") for b in bases for v in variants]


def other_voices(split):
    return {"train": TRAIN_OTHER, "val": [], "dev": DEV_OTHER}[split]


# per split: how often each espeak-ng voice and each other voice says "activate", how often each negative word is
# said, by voices dealt from a shuffled pool of every espeak-ng voice once and every other voice "pool" times (in
# train, Kal says about half the negatives as well as half the "activate"s: his voice alone tells nothing)
SAYINGS = {"train": {"espeak": 2, "other": 20, "negative": 12, "pool": 40},
           "val": {"espeak": 4, "other": 0, "negative": 3, "pool": 0},
           "dev": {"espeak": 6, "other": 12, "negative": 5, "pool": 4}}
SPLIT_SEED = {"train": 0, "dev": 1, "val": 3}


# ------------------------------------------------------------------ the plan (all randomness is drawn here)

def _params(rng, synth, voice, sex):
    """rate and pitch of one utterance: espeak-ng words per minute and pitch 0-99; flite / festival diphone a
    duration stretch and a mean F0 in Hz; festival's HTS voice ignores both, so it gets a "tape" speed factor."""
    if synth == "espeak-ng":
        return {"rate": int(rng.integers(130, 201)), "rate_unit": "wpm (espeak-ng -s)",
                "pitch": int(rng.integers(20, 81)), "pitch_unit": "espeak-ng -p (0-99)"}
    if voice == "cmu_us_slt_arctic_hts":
        return {"rate": round(float(rng.uniform(0.9, 1.1)), 2), "rate_unit": "tape speed (resampled)",
                "pitch": None, "pitch_unit": "follows the tape speed"}
    low, high = (85, 140) if sex == "m" else (160, 230)
    return {"rate": round(float(rng.uniform(0.85, 1.25)), 2), "rate_unit": "duration stretch",
            "pitch": int(rng.integers(low, high + 1)), "pitch_unit": "mean F0 in Hz"}


def plan_words(split):
    """The words of a split: a list of items (folder, name, word, synthesiser, voice, rate, pitch)."""
    rng = np.random.default_rng([SEED, SPLIT_SEED[split]])
    espeak, others, say = espeak_voices(split), other_voices(split), SAYINGS[split]
    items = []
    act_voices = espeak * say["espeak"] + [v for v in others for _ in range(say["other"])]
    for i, (synth, voice, sex) in enumerate(act_voices):
        items.append({"folder": "activates", "name": f"activate_{i:03d}.wav", "word": TRIGGER, "synthesiser": synth,
                      "voice": voice, **_params(rng, synth, voice, sex)})
    per_word = say["negative"]
    pool = espeak + [v for v in others for _ in range(say["pool"])]
    order = rng.permutation(len(pool))
    k = 0
    for word in NEGATIVE_WORDS:
        for j in range(per_word):
            synth, voice, sex = pool[order[k % len(pool)]]
            k += 1
            items.append({"folder": "negatives", "name": f"{word}_{j}.wav", "word": word, "synthesiser": synth,
                          "voice": voice, **_params(rng, synth, voice, sex)})
    return items


# ------------------------------------------------------------------ synthesis

def check_synthesisers():
    missing = [tool for tool in ("espeak-ng", "flite", "festival") if shutil.which(tool) is None]
    if not missing:
        voices = Path("/usr/share/festival/voices")
        for v in ("english/kal_diphone", "english/ked_diphone", "us/cmu_us_slt_arctic_hts"):
            if not (voices / v).is_dir():
                missing.append(f"festival voice {v}")
    return missing


def package_versions():
    out = {}
    for p in PACKAGES:
        try:
            out[p] = subprocess.run(["dpkg-query", "-W", "-f=${Version}", p], capture_output=True, text=True,
                                    check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            out[p] = None
    return out


def read_wav(data: bytes):
    with wave.open(io.BytesIO(data), "rb") as f:
        rate, width, ch = f.getframerate(), f.getsampwidth(), f.getnchannels()
        frames = f.readframes(f.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit audio, got {8 * width}-bit")
    x = np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0
    if ch > 1:
        x = x.reshape(-1, ch).mean(axis=1)
    return x, rate


def wav_bytes(x: np.ndarray) -> bytes:
    """16-bit mono WAV at SR of float samples in [-1, 1]."""
    pcm = np.clip(np.round(x * 32767.0), -32768, 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def _festival_scheme(synth_items, outdir: Path) -> str:
    lines = []
    for n, (text, voice, params) in enumerate(synth_items):
        lines.append(f"(voice_{voice})")
        if voice != "cmu_us_slt_arctic_hts":
            lines.append(f"(Parameter.set 'Duration_Stretch {params['rate']})")
            lines.append(f"(set! int_lr_params (list '(target_f0_mean {params['pitch']}) '(target_f0_std 14) "
                         "'(model_f0_mean 170) '(model_f0_std 34)))")
        lines.append(f'(utt.save.wave (utt.synth (Utterance Text "{text}")) "{outdir / f"{n}.wav"}" \'riff)')
    return "\n".join(lines) + "\n"


def synthesise(requests, workdir: Path):
    """Raw (samples, rate) of each request (text, synthesiser, voice, params), in order."""
    workdir.mkdir(parents=True, exist_ok=True)
    results = [None] * len(requests)

    def one(n):
        text, synth, voice, p = requests[n]
        path = workdir / f"r{n}.wav"
        if synth == "espeak-ng":
            cmd = ["espeak-ng", "-v", voice, "-s", str(p["rate"]), "-p", str(p["pitch"]), "-w", str(path), text]
        else:
            cmd = ["flite", "-voice", voice, "--setf", f"duration_stretch={p['rate']}", "--setf",
                   f"int_f0_target_mean={p['pitch']}", "-t", text, "-o", str(path)]
        subprocess.run(cmd, check=True, capture_output=True)
        results[n] = read_wav(path.read_bytes())

    direct = [n for n, r in enumerate(requests) if r[1] != "festival"]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, direct))
    fest = [n for n, r in enumerate(requests) if r[1] == "festival"]
    if fest:
        fdir = workdir / "festival"
        fdir.mkdir(exist_ok=True)
        script = workdir / "batch.scm"
        script.write_text(_festival_scheme([(requests[n][0], requests[n][2], requests[n][3]) for n in fest], fdir))
        subprocess.run(["festival", "--batch", str(script)], check=True, capture_output=True)
        for k, n in enumerate(fest):
            results[n] = read_wav((fdir / f"{k}.wav").read_bytes())
    return results


# ------------------------------------------------------------------ signal processing (numpy only)

def resample(x: np.ndarray, rate: float, new_rate: int = SR) -> np.ndarray:
    """Band-limited resampling by zero-padding / truncating the spectrum (the signal is padded with silence first
    so that the FFT's wrap-around stays silent)."""
    if rate == new_rate:
        return x.copy()
    pad = int(0.05 * rate)
    y = np.concatenate([np.zeros(pad), x, np.zeros(pad)])
    n = len(y)
    m = int(round(n * new_rate / rate))
    spec = np.fft.rfft(y)
    out = np.zeros(m // 2 + 1, dtype=complex)
    k = min(len(spec), len(out))
    out[:k] = spec[:k]
    z = np.fft.irfft(out, m) * (m / n)
    cut = int(round(pad * new_rate / rate))
    return z[cut:m - cut]


def trim(x: np.ndarray, floor_db: float = -40.0, margin_ms: int = 10) -> np.ndarray:
    """x without its leading and trailing silence: 10 ms frames quieter than floor_db under the loudest frame
    are silence; a margin of margin_ms is kept on each side, with 5 ms fades."""
    hop = SR // 100
    n = len(x) // hop
    rms = np.sqrt(np.mean(x[:n * hop].reshape(n, hop) ** 2, axis=1))
    active = np.flatnonzero(rms > rms.max() * 10 ** (floor_db / 20))
    margin = margin_ms * SR // 1000
    y = x[max(0, active[0] * hop - margin):min(len(x), (active[-1] + 1) * hop + margin)].copy()
    fade = SR // 200
    ramp = np.linspace(0.0, 1.0, fade, endpoint=False)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    return y


def set_level(x: np.ndarray, rms_dbfs: float, peak_dbfs: float = -1.0) -> np.ndarray:
    """x scaled to an RMS of rms_dbfs (full scale = 1.0), less if its peak would pass peak_dbfs."""
    rms = np.sqrt(np.mean(x ** 2))
    gain = 10 ** (rms_dbfs / 20) / rms
    gain = min(gain, 10 ** (peak_dbfs / 20) / np.max(np.abs(x)))
    return x * gain


def finish_word(raw, item) -> np.ndarray:
    x, rate = raw
    tape = item["rate"] if item["rate_unit"].startswith("tape") else 1.0
    return set_level(trim(resample(x, rate * tape)), WORD_RMS_DBFS)


def render_words(items, workdir: Path):
    """{name: samples} of the items; an item whose word falls outside 0.3-1.2 s is re-synthesised faster or
    slower (its recorded rate is the one that was used)."""
    out, todo = {}, list(items)
    for attempt in range(6):
        if not todo:
            break
        raws = synthesise([(it["word"], it["synthesiser"], it["voice"], it) for it in todo], workdir / f"a{attempt}")
        again = []
        for it, raw in zip(todo, raws):
            x = finish_word(raw, it)
            ms = 1000 * len(x) / SR
            if WORD_MIN_MS <= ms <= WORD_MAX_MS:
                out[(it["folder"], it["name"])] = x
                continue
            faster = ms > WORD_MAX_MS
            if it["synthesiser"] == "espeak-ng":
                it["rate"] = int(round(it["rate"] * (1.2 if faster else 0.8)))
            elif it["rate_unit"].startswith("tape"):
                it["rate"] = round(it["rate"] * (1.1 if faster else 0.9), 2)
            else:
                it["rate"] = round(it["rate"] / (1.2 if faster else 0.8), 2)
            again.append(it)
        todo = again
    if todo:
        raise RuntimeError(f"could not bring {[(t['voice'], t['word']) for t in todo]} within "
                           f"{WORD_MIN_MS}-{WORD_MAX_MS} ms")
    return out


# ------------------------------------------------------------------ backgrounds

def coloured_noise(rng, n: int, exponent: float) -> np.ndarray:
    """Gaussian noise whose power goes as f**exponent (0 white, -1 pink, -2 brown, +1 blue), nothing below 20 Hz."""
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    shape = np.zeros_like(f)
    shape[f >= 20] = f[f >= 20] ** (exponent / 2)
    y = np.fft.irfft(spec * shape, n)
    return y / np.sqrt(np.mean(y ** 2))


def band_noise(rng, n, low, high):
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / SR)
    spec[(f < low) | (f > high)] = 0
    y = np.fft.irfft(spec, n)
    return y / np.sqrt(np.mean(y ** 2))


def room_tone(rng, n, mains_hz, fan: bool) -> np.ndarray:
    """Mains hum (fundamental and harmonics, slowly wavering) over a dull noise floor, optionally a fan."""
    t = np.arange(n) / SR
    hum = np.zeros(n)
    for k, amp in enumerate((1.0, 0.5, 0.35, 0.15, 0.08), start=1):
        hum += amp * np.sin(2 * np.pi * k * mains_hz * t + rng.uniform(0, 2 * np.pi))
    hum *= 1 + 0.1 * np.sin(2 * np.pi * 0.3 * t + rng.uniform(0, 2 * np.pi))
    y = 0.5 * hum / np.sqrt(np.mean(hum ** 2)) + coloured_noise(rng, n, -1.5)
    if fan:
        y += 0.6 * band_noise(rng, n, 150, 900) * (1 + 0.2 * np.sin(2 * np.pi * 7.5 * t))
    return y


def babble(rng, streams, n) -> np.ndarray:
    """Several talkers at once: each stream (samples at SR) looped from a random point, at a random gain."""
    y = np.zeros(n)
    for s in streams:
        s = np.concatenate([s, np.zeros(int(0.3 * SR))])
        start = int(rng.integers(0, len(s)))
        loop = np.tile(s, n // len(s) + 2)[start:start + n]
        y += loop * 10 ** (rng.uniform(-6, 0) / 20)
    return y


def music(piece_id: str, bpm: float, start_quarter: float = 0.0) -> np.ndarray:
    """The first 10 s (from start_quarter) of a piece of data/jazz/corpus.json, rendered by week1.music."""
    import dataclasses

    from week1.music import load_corpus, render_audio

    piece = load_corpus().piece(piece_id)
    length = BG_MS / 1000 * bpm / 60
    end = start_quarter + length

    def cut(objs):
        kept = []
        for o in objs:
            if o.end <= start_quarter or o.offset >= end:
                continue
            a, b = max(o.offset, start_quarter), min(o.end, end)
            kept.append(dataclasses.replace(o, offset=a - start_quarter, duration=b - a))
        return kept

    seg = render_audio(cut(piece.melody), cut(piece.progression), bpm=bpm, rate=SR)
    x = np.frombuffer(seg.raw_data, dtype="<i2").astype(np.float64) / 32768.0
    return np.concatenate([x, np.zeros(SR * BG_MS // 1000)])[:SR * BG_MS // 1000]


def plan_backgrounds(split):
    """The backgrounds of a split: name, kind, how it is made, level (RMS dBFS before the loader's -20 dB)."""
    if split == "train":
        return [
            {"name": "babble_1.wav", "kind": "babble", "seed": 11, "talkers": 6, "level": -26},
            {"name": "babble_2.wav", "kind": "babble", "seed": 12, "talkers": 8, "level": -28},
            {"name": "music_bach_bwv2.6.wav", "kind": "music", "piece": "bach/bwv2.6", "bpm": 84, "level": -22},
            {"name": "music_bach_bwv10.7.wav", "kind": "music", "piece": "bach/bwv10.7", "bpm": 96, "level": -24},
            {"name": "music_joplin_maple_leaf_rag.wav", "kind": "music", "piece": "joplin/maple_leaf_rag",
             "bpm": 100, "level": -22},
            {"name": "noise_brown.wav", "kind": "noise", "colour": "brown", "exponent": -2, "seed": 1, "level": -24},
            {"name": "noise_pink.wav", "kind": "noise", "colour": "pink", "exponent": -1, "seed": 2, "level": -26},
            {"name": "noise_white.wav", "kind": "noise", "colour": "white", "exponent": 0, "seed": 3, "level": -30},
            {"name": "room_tone_50hz.wav", "kind": "room tone", "mains_hz": 50, "fan": False, "seed": 4,
             "level": -30},
            {"name": "room_tone_50hz_fan.wav", "kind": "room tone", "mains_hz": 50, "fan": True, "seed": 5,
             "level": -27},
        ]
    if split == "val":
        return [
            {"name": "babble_val.wav", "kind": "babble", "seed": 31, "talkers": 6, "level": -27},
            {"name": "music_bach_bwv14.5.wav", "kind": "music", "piece": "bach/bwv14.5", "bpm": 92, "level": -23},
            {"name": "noise_pink_val.wav", "kind": "noise", "colour": "pink", "exponent": -1, "seed": 201,
             "level": -26},
            {"name": "noise_white_val.wav", "kind": "noise", "colour": "white", "exponent": 0, "seed": 202,
             "level": -31},
            {"name": "room_tone_50hz_val.wav", "kind": "room tone", "mains_hz": 50, "fan": True, "seed": 203,
             "level": -28},
        ]
    return [
        {"name": "babble_dev.wav", "kind": "babble", "seed": 21, "talkers": 6, "level": -27},
        {"name": "music_bach_bwv13.6.wav", "kind": "music", "piece": "bach/bwv13.6", "bpm": 90, "level": -23},
        {"name": "music_berlin_alexanders_ragtime.wav", "kind": "music", "piece": "leadSheet/berlinAlexandersRagtime",
         "bpm": 110, "level": -22},
        {"name": "noise_blue.wav", "kind": "noise", "colour": "blue", "exponent": 1, "seed": 101, "level": -32},
        {"name": "noise_pink_dev.wav", "kind": "noise", "colour": "pink", "exponent": -1, "seed": 102, "level": -25},
        {"name": "room_tone_60hz_fan.wav", "kind": "room tone", "mains_hz": 60, "fan": True, "seed": 103,
         "level": -28},
    ]


def babble_voices(split, talkers, rng):
    """(synthesiser, voice, params) of the babble talkers: espeak-ng and flite voices of the split."""
    pool = [v for v in espeak_voices(split) + other_voices(split) if v[0] != "festival"]
    chosen = [pool[i] for i in rng.choice(len(pool), size=talkers, replace=False)]
    return [(synth, voice, _params(rng, synth, voice, sex)) for synth, voice, sex in chosen]


def render_background(b, split, workdir: Path) -> np.ndarray:
    n = SR * BG_MS // 1000
    if b["kind"] == "noise":
        x = coloured_noise(np.random.default_rng(b["seed"]), n, b["exponent"])
    elif b["kind"] == "room tone":
        x = room_tone(np.random.default_rng(b["seed"]), n, b["mains_hz"], b["fan"])
    elif b["kind"] == "music":
        x = music(b["piece"], b["bpm"])
    else:
        rng = np.random.default_rng(b["seed"])
        talkers = babble_voices(split, b["talkers"], rng)
        texts = [" ".join(BABBLE_TEXT[j] for j in rng.permutation(len(BABBLE_TEXT))[:3]) for _ in talkers]
        raws = synthesise([(t, s, v, p) for t, (s, v, p) in zip(texts, talkers)], workdir / b["name"])
        x = babble(rng, [resample(*r) for r in raws], n)
        b["voices"] = [f"{s}:{v}" for s, v, _ in talkers]
    return set_level(x, b["level"])


# ------------------------------------------------------------------ dev recipes

def make_recipes(split, backgrounds, lengths_ms, activates, negatives):
    """N_CLIPS[split] recipes: a background, 0-4 "activate"s and 0-2 negatives at random non-overlapping positions,
    every word wholly inside the 10 s (its end at most 9,979 ms). ``lengths_ms`` are the words' lengths in ms as
    written; a loader that resamples may see them 1 ms longer or shorter, so words are kept at least 3 ms apart."""
    rng = np.random.default_rng([SEED, 2] if split == "dev" else [SEED, 4])
    recipes = []
    for i in range(N_CLIPS[split]):
        n_act = int(rng.choice(5, p=[0.15, 0.3, 0.3, 0.17, 0.08]))
        n_neg = int(rng.choice(3, p=[0.3, 0.4, 0.3]))
        words = ([activates[j] for j in rng.choice(len(activates), n_act, replace=False)]
                 + [negatives[j] for j in rng.choice(len(negatives), n_neg, replace=False)])
        words = [words[j] for j in rng.permutation(len(words))]
        taken, inserts = [], []
        for name in words:
            ms = lengths_ms[name]
            for _ in range(100):     # bounded retries; a word that finds no room is left out
                start = int(rng.integers(0, BG_MS - ms - 20))
                end = start + ms - 1
                if all(end + 3 < a or start > b + 3 for a, b in taken):
                    taken.append((start, end))
                    inserts.append({"clip": name, "position_ms": start})
                    break
        inserts.sort(key=lambda d: d["position_ms"])
        recipes.append({"background": backgrounds[i % len(backgrounds)], "inserts": inserts})
    return recipes


def rebuild_file(entry: dict, workdir: Path) -> bytes:
    """The bytes of one file of the manifest, made again (for the tests: a rerun must give the same bytes)."""
    split, kind, name = entry["file"].split("/")
    if kind == "backgrounds":
        b = dict(next(b for b in plan_backgrounds(split) if b["name"] == name))
        return wav_bytes(render_background(b, split, workdir))
    raw = synthesise([(entry["word"], entry["synthesiser"], entry["voice"], entry)], workdir)[0]
    return wav_bytes(finish_word(raw, entry))


# ------------------------------------------------------------------ build

def build(out: Path, verbose: bool = True) -> dict:
    t0 = time.time()
    missing = check_synthesisers()
    if missing:
        sys.exit(f"prepare.py needs the speech synthesisers ({', '.join(missing)} missing). Install them with:\n"
                 f"    {APT}")
    manifest = {"sample_rate": SR, "packages": package_versions(), "files": []}
    with tempfile.TemporaryDirectory() as tmp:
        for split in SPLITS:
            for kind in ("activates", "negatives", "backgrounds"):
                folder = out / split / kind
                if folder.exists():
                    shutil.rmtree(folder)
                folder.mkdir(parents=True)
            items = plan_words(split)
            audio = render_words(items, Path(tmp) / split)
            for it in items:
                (out / split / it["folder"] / it["name"]).write_bytes(wav_bytes(audio[(it["folder"], it["name"])]))
                x = audio[(it["folder"], it["name"])]
                manifest["files"].append({"file": f"{split}/{it['folder']}/{it['name']}", "split": split,
                                          "kind": it["folder"], "word": it["word"],
                                          "synthesiser": it["synthesiser"], "voice": it["voice"],
                                          "rate": it["rate"], "rate_unit": it["rate_unit"], "pitch": it["pitch"],
                                          "pitch_unit": it["pitch_unit"], "duration_ms": round(1000 * len(x) / SR)})
            for b in plan_backgrounds(split):
                x = render_background(b, split, Path(tmp) / split / "bg")
                (out / split / "backgrounds" / b["name"]).write_bytes(wav_bytes(x))
                entry = {"file": f"{split}/backgrounds/{b['name']}", "split": split, "kind": "backgrounds",
                         "background": b["kind"], "word": None, "synthesiser": "babble" if b["kind"] == "babble"
                         else ("week1.music.render_audio" if b["kind"] == "music" else "numpy"),
                         "voice": None, **{k: v for k, v in b.items() if k not in ("name", "kind")},
                         "level_dbfs": b["level"], "duration_ms": BG_MS}
                entry.pop("level")
                manifest["files"].append(entry)
            if verbose:
                print(f"{split}: {len(items)} words, {len(plan_backgrounds(split))} backgrounds "
                      f"({time.time() - t0:.0f} s)")
    for split in N_CLIPS:
        folder = out / split
        names = lambda kind: sorted(f"{kind}/{p.name}" for p in (folder / kind).glob("*.wav"))  # noqa: E731
        lengths = {e["file"][len(split) + 1:]: e["duration_ms"] for e in manifest["files"] if e["split"] == split}
        recipes = make_recipes(split, names("backgrounds"), lengths, names("activates"), names("negatives"))
        (folder / "recipes.json").write_text("[\n" + ",\n".join(json.dumps(r) for r in recipes) + "\n]\n")
    manifest["files"].sort(key=lambda e: e["file"])
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    if verbose:
        print(f"done in {time.time() - t0:.0f} s: {len(manifest['files'])} files, "
              + ", ".join(f"{n} {split} recipes" for split, n in N_CLIPS.items()))
    return manifest


OUTPUTS = (*SPLITS, "manifest.json")


def compare(a: Path, b: Path) -> list[str]:
    def listing(root):
        return sorted(str(p.relative_to(root)) for o in OUTPUTS for p in ([root / o] if (root / o).is_file()
                                                                            else (root / o).rglob("*")) if p.is_file())
    la, lb = listing(a), listing(b)
    diffs = [f"only in {a}: {x}" for x in sorted(set(la) - set(lb))]
    diffs += [f"only in {b}: {x}" for x in sorted(set(lb) - set(la))]
    diffs += [f"differs: {x}" for x in sorted(set(la) & set(lb)) if not filecmp.cmp(a / x, b / x, shallow=False)]
    return diffs


def command_line(argv, doc: str, here: Path, build, compare) -> int:
    """A data build script's command line: ``build(folder)`` into ``--out`` (default: the script's folder ``here``),
    or with ``--check`` into a temporary folder, then ``compare(here, built)`` (a list of differences); exit 1 on
    one."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=here, help="folder to write into (default: this folder)")
    parser.add_argument("--check", action="store_true", help="rebuild into a temporary folder and compare with "
                                                             "the shipped files; exit 1 on a difference")
    args = parser.parse_args(argv)
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(Path(tmp))
            diffs = compare(here, Path(tmp))
        if diffs:
            print(f"{len(diffs)} difference(s):\n  " + "\n  ".join(diffs[:20]))
            return 1
        print("the rebuild is identical to the shipped files")
        return 0
    build(args.out)
    return 0


def main(argv=None):
    return command_line(argv, __doc__, HERE, build, compare)


if __name__ == "__main__":
    sys.exit(main())

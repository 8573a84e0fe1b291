"""Audio for w3a2 (trigger word detection): the clips, 10-second training examples, spectrograms, detections.

The course's audio (``data/trigger_word/``, see its README) is mono 16-bit WAV. It is loaded as pydub
``AudioSegment``\\ s at ``RATE`` = 44,100 Hz (resampled on loading where a file is stored at a lower rate), in
**sorted** file order, so that an index always means the same clip:

- ``activates``: the trigger word, "activate", said by several voices;
- ``negatives``: other words, some that sound close ("activity", "captivate", "relate" ...);
- ``backgrounds``: 10-second backgrounds (noise, babble, music, room tone).

A training example is a 10 s background with some words inserted; its input ``x`` is the spectrogram of the clip,
``N_FREQ`` = 101 frequency rows by ``TX`` = 5,511 time steps (``spectrogram``: matplotlib's ``specgram`` with
200-sample windows overlapping by 120, as the reference edition computed it), and its label ``y`` (1, ``TY`` = 1,375)
is 1 for the 50 output steps right after each "activate" ends. Positions in the clip are in milliseconds; step
``t`` of ``TY`` covers ``t * 10000 / TY`` ms.

``get_random_time_segment`` draws from numpy's global generator, so ``np.random.seed`` makes a run repeatable.
"""
from __future__ import annotations

import io
import json
import warnings
import wave
from pathlib import Path

import numpy as np

from checks.paths import data_path
from week1.music import AudioPlayer, duration_label  # noqa: F401 - one player for every notebook

with warnings.catch_warnings():  # pydub warns at import that ffmpeg is missing: WAV needs no ffmpeg
    warnings.simplefilter("ignore", RuntimeWarning)
    from pydub import AudioSegment

RATE = 44_100          # samples per second of the training audio
CLIP_MS = 10_000       # a training example is 10 s long
TX = 5_511             # spectrogram time steps of a 10 s clip
N_FREQ = 101           # spectrogram frequency rows
TY = 1_375             # output steps of the model
NFFT, NOVERLAP = 200, 120
ONES_AFTER = 50        # output steps labelled 1 after the end of an "activate"
DATA_FOLDER = "trigger_word"
KINDS = ("activates", "negatives", "backgrounds")

# ------------------------------------------------------------------ loading


def load_wav(path) -> AudioSegment:
    """A WAV file as a mono AudioSegment at RATE (a clear message if the file is missing or not a WAV file)."""
    path = Path(path)
    try:
        with wave.open(str(path), "rb") as f:
            channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
            frames = f.readframes(f.getnframes())
    except (wave.Error, EOFError, OSError) as exc:
        raise ValueError(f"{path} is not a readable WAV file ({exc}); restore it from the repository (git checkout "
                         f"-- data) or rebuild it with data/trigger_word/prepare.py") from None
    segment = AudioSegment(data=frames, sample_width=width, frame_rate=rate, channels=channels)
    segment = segment.set_channels(1).set_frame_rate(RATE).set_sample_width(2)
    # pydub's resampling can come out a sample or two short (160,000 samples at 16 kHz -> 440,998 at 44.1 kHz):
    # pad or cut to the exact length, so that a 10 s file gives the 5,511 spectrogram steps.
    expected = round(len(frames) // (width * channels) * RATE / rate)
    missing = expected - int(segment.frame_count())
    if missing > 0:
        segment += AudioSegment(data=b"\0\0" * missing, sample_width=2, frame_rate=RATE, channels=1)
    elif missing < 0:
        segment = segment._spawn(segment.raw_data[:2 * expected])
    return segment


def _folder_clips(folder: Path) -> list[AudioSegment]:
    files = sorted(folder.glob("*.wav"))
    if not files:
        raise FileNotFoundError(f"no .wav files in {folder}; restore the folder from the repository (git checkout "
                                "-- data) or rebuild it with data/trigger_word/prepare.py")
    return [load_wav(f) for f in files]


def load_raw_audio(split: str = "train") -> tuple[list, list, list]:
    """(activates, negatives, backgrounds) of ``split`` ("train": the voices and backgrounds for making training
    examples), each a list of AudioSegments in sorted file order."""
    root = data_path(DATA_FOLDER, split)
    return tuple(_folder_clips(root / kind) for kind in KINDS)


def clip_names(kind: str, split: str = "train") -> list[str]:
    """The file names (without ".wav") of ``load_raw_audio(split)``'s clips of ``kind``, in the same sorted order:
    ``clip_names("negatives")[i]`` names the word of ``negatives[i]`` (e.g. "acted_0")."""
    return [p.stem for p in sorted(data_path(DATA_FOLDER, split, kind).glob("*.wav"))]


def load_dev(split: str = "dev", limit: int | None = None) -> list[tuple[AudioSegment, list[int]]]:
    """The dev clips: (10 s AudioSegment, the end of every "activate" in it, in ms), in the recipes' order (the
    first ``limit`` of them if given).

    They are made only from voices and backgrounds never used for training (``data/trigger_word/dev/``): each clip
    is built here from its recipe in ``dev/recipes.json`` (a background made 20 dB quieter, words overlaid at the
    stated positions, the whole brought to -20 dBFS as ``create_training_example`` does, or less where a peak would
    pass -1 dBFS: no clip is clipped), so the word positions are known exactly from construction and the folder
    stays small. ``split="val"`` gives the validation clips (``data/trigger_word/val/``: voices and backgrounds of
    their own, for choosing the detection threshold and refractory period).
    """
    root = data_path(DATA_FOLDER, split)
    recipes = json.loads((root / "recipes.json").read_text())[:limit]
    clips, cache = [], {}

    def clip(name):
        if name not in cache:
            cache[name] = load_wav(root / name)
        return cache[name]

    for recipe in recipes:
        segment = clip(recipe["background"])[:CLIP_MS] - 20
        ends = []
        for insert in recipe["inserts"]:
            word = clip(insert["clip"])
            segment = segment.overlay(word, position=int(insert["position_ms"]))
            if insert["clip"].startswith("activates/"):
                ends.append(int(insert["position_ms"]) + len(word) - 1)
        clips.append((unclipped_level(segment, -20.0), sorted(ends)))
    return clips

# ------------------------------------------------------------------ making examples


def get_random_time_segment(segment_ms: int) -> tuple[int, int]:
    """A random (start, end) in ms for a clip of segment_ms inside a 10 s clip; end = start + segment_ms - 1 is the
    clip's last millisecond. Drawn from numpy's global generator."""
    segment_start = np.random.randint(low=0, high=CLIP_MS - segment_ms)
    return segment_start, segment_start + segment_ms - 1


def match_target_amplitude(sound: AudioSegment, target_dBFS: float) -> AudioSegment:
    """``sound`` scaled to an average loudness of target_dBFS."""
    return sound.apply_gain(target_dBFS - sound.dBFS)


def unclipped_level(sound: AudioSegment, target_dBFS: float, peak_dBFS: float = -1.0) -> AudioSegment:
    """``sound`` scaled to an average loudness of target_dBFS, or less where its loudest sample would pass
    peak_dBFS (a clip for listening or measuring is never clipped)."""
    return sound.apply_gain(min(target_dBFS - sound.dBFS, peak_dBFS - sound.max_dBFS))


def samples(segment: AudioSegment) -> np.ndarray:
    """The samples of a mono segment as float64."""
    return np.asarray(segment.get_array_of_samples(), dtype=np.float64)


def spectrogram(segment) -> np.ndarray:
    """(N_FREQ, steps) the spectrogram of an AudioSegment (or of mono samples at RATE): matplotlib's specgram with
    windows of NFFT samples overlapping by NOVERLAP; a 10 s clip gives (101, 5511)."""
    from matplotlib import mlab

    data = samples(segment) if isinstance(segment, AudioSegment) else np.asarray(segment, dtype=np.float64)
    pxx, _, _ = mlab.specgram(data, NFFT=NFFT, Fs=8000, noverlap=NOVERLAP)
    return pxx


def ms_to_step(ms: float, steps: int = TY) -> int:
    """The output step that millisecond ``ms`` of a 10 s clip falls in."""
    return int(ms * steps / CLIP_MS)

# ------------------------------------------------------------------ detections and their evaluation


def detections(predictions: np.ndarray, threshold: float = 0.5, refractory: int = 75) -> list[int]:
    """The output steps where the model fires: the first step of each run above ``threshold``, and no two
    detections closer than ``refractory`` steps (75 steps = 545 ms: one word, one detection)."""
    probs = np.asarray(predictions).reshape(-1)
    fired, last = [], -refractory
    for t, p in enumerate(probs):
        if p > threshold and t - last >= refractory:
            fired.append(t)
            last = t
    return fired


EARLY_MS = 50   # how long before an "activate"'s end a detection still counts (see event_metrics)


def heard_in_time(detection_ms: float, end_ms: float, window_ms: int = 1000, early_ms: int = EARLY_MS) -> bool:
    """Whether a detection at ``detection_ms`` answers an "activate" that ends at ``end_ms`` (event_metrics' rule)."""
    return end_ms - early_ms <= detection_ms <= end_ms + window_ms


def event_metrics(fired_steps: list[int], activate_ends_ms: list[int], window_ms: int = 1000,
                  early_ms: int = EARLY_MS) -> dict:
    """Event-level precision, recall and F1 of one or many clips' detections.

    A detection is correct when it comes within ``window_ms`` after the end of a true "activate" not yet matched
    (at most one detection per word), or at most ``early_ms`` before it: the output at step t has heard about 30 ms
    of audio past t's time (the convolution reads 15 spectrogram steps from 4t on, and each spectrogram step a
    window of 200 samples), and a word's file ends with 10-15 ms of trimmed silence and fade, so a detection in the
    last 50 ms is made once the word's end has been heard. Takes lists of lists (one per clip) or one clip's lists.
    """
    if fired_steps and not isinstance(fired_steps[0], (list, tuple)):
        fired_steps, activate_ends_ms = [fired_steps], [activate_ends_ms]
    tp = fp = fn = 0
    for fired, ends in zip(fired_steps, activate_ends_ms):
        unmatched = sorted(ends)
        for step in fired:
            ms = step * CLIP_MS / TY
            match = next((e for e in unmatched if heard_in_time(ms, e, window_ms, early_ms)), None)
            if match is None:
                fp += 1
            else:
                tp += 1
                unmatched.remove(match)
        fn += len(unmatched)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "true positives": tp, "false positives": fp,
            "missed": fn}


def chime_on_activate(segment: AudioSegment, predictions: np.ndarray, threshold: float = 0.5,
                      refractory: int = 75) -> AudioSegment:
    """``segment`` with a chime overlaid at every detection (``detections``: the first step above ``threshold``,
    then none for ``refractory`` steps), starting at that step's time; as loud as ``segment`` where its peaks allow,
    never clipped."""
    from pydub.generators import Sine

    chime = (Sine(880).to_audio_segment(duration=150, volume=-12).fade_out(100)
             .overlay(Sine(1320).to_audio_segment(duration=150, volume=-18).fade_out(100)))
    # mixed with 8 dB of headroom (the chime peaks under -8 dBFS, the clip under -9), then brought back to the
    # clip's loudness as far as the peaks allow: the mix is never clipped
    out = segment.apply_gain(-8.0 - max(0.0, segment.max_dBFS + 1.0))
    for step in detections(predictions, threshold, refractory):
        out = out.overlay(chime.set_frame_rate(segment.frame_rate), position=int(step * CLIP_MS / TY))
    return unclipped_level(out, segment.dBFS) if segment.rms else out   # a silent clip: the chimes alone


def wav_bytes(segment: AudioSegment) -> bytes:
    buffer = io.BytesIO()
    segment.export(buffer, format="wav")
    return buffer.getvalue()


PLAYER_RATE = 22_050  # the players' sample rate: half the size in the notebook, the same to the ear for speech


def audio_player(segment: AudioSegment) -> AudioPlayer:
    """A player for the notebook (IPython's Audio, WAV bytes at PLAYER_RATE: no ffmpeg needed), with the clip's
    length to a tenth of a second next to it."""
    played = segment.set_frame_rate(min(PLAYER_RATE, segment.frame_rate))
    return AudioPlayer(wav_bytes(played), played.frame_count() / played.frame_rate)

"""Spoken digit strings for w3a3 (speech to digits with CTC): the features, the labels, batching, a CTC training
loop in TensorFlow, predictions, and the pretrained weights.

The data (``data/digits/``, see its README) is synthesised speech: every utterance says 3 to 7 digits as words
("four one seven two"). A split ("train" or "dev"; dev voices are never used in train) is loaded by `load_split` as

- ``features``: a list of (T_i, ``N_MELS``) float32 log-mel spectrograms in dB (`log_mel`: 16 kHz audio, 25 ms
  Hann frames every ``HOP_MS`` = 10 ms, 40 mel bands);
- ``labels``: a list of (U_i,) int64 arrays of class ids: the blank is class ``BLANK`` = 0 and digit ``d`` is class
  ``d + 1`` (``N_CLASSES`` = 11);
- ``info``: a list of dicts (``"text"``, ``"voice"``, ``"synthesiser"``).

The recogniser halves the time axis (``OUTPUT_STRIDE`` = 2): an utterance of T frames gets ``ceil(T / 2)`` output
frames (`output_frames`). `model_inputs` normalises and pads a list of features for the model; `train_ctc` trains a
Keras model of logits with ``keras.ops.ctc_loss``; `predict_log_probs` gives each utterance's (T', N_CLASSES)
log-probabilities. TensorFlow and Keras are imported only by the functions that need them.
"""
from __future__ import annotations

import io
import json
import time
import wave
from pathlib import Path

import numpy as np

from checks.paths import data_path
from week3.layer_weights import load_weights

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
BLANK = 0                 # class id of the CTC blank
N_CLASSES = 11            # the blank and the ten digits: digit d is class d + 1
SR = 16_000               # samples per second of the audio
WIN_MS = 25               # analysis window (Hann) of a frame
HOP_MS = 10               # one feature frame every 10 ms
N_FFT = 512               # FFT size (the 400-sample window zero-padded)
N_MELS = 40               # mel bands
F_MIN, F_MAX = 20.0, 8_000.0   # the mel filterbank's range in Hz
POWER_FLOOR = 1e-10       # power floor before the logarithm (-100 dB)
OUTPUT_STRIDE = 2         # the recogniser's output frames: ceil(T / OUTPUT_STRIDE)
DATA_FOLDER = "digits"
WEIGHTS_FILE = ("models", "ctc_digits", "weights.npz")
METRICS_FILE = ("models", "ctc_digits", "metrics.json")
SPLITS = ("train", "dev")


# ------------------------------------------------------------------ features

def _mel(hz):
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _hz(mel):
    return 700.0 * (10.0 ** (np.asarray(mel, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(n_mels: int = N_MELS, n_fft: int = N_FFT, rate: int = SR) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters, equally spaced on the (HTK) mel scale from F_MIN to F_MAX,
    each peaking at 1."""
    edges = _hz(np.linspace(_mel(F_MIN), _mel(F_MAX), n_mels + 2))
    freqs = np.arange(n_fft // 2 + 1) * rate / n_fft
    low, centre, high = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - low) / (centre - low)
    falling = (high - freqs[None, :]) / (high - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def log_mel(samples: np.ndarray, rate: int = SR) -> np.ndarray:
    """(T, N_MELS) float32 log-mel spectrogram in dB of mono audio (float samples in [-1, 1], or int16).

    Frames of 25 ms (400 samples) every 10 ms (160 samples), no padding except that audio shorter than one frame is
    padded with zeros to one frame: T = 1 + (n - 400) // 160. Each frame is multiplied by a periodic Hann window,
    its power spectrum |rfft(frame, 512)|^2 is summed by the 40 mel filters of `mel_filterbank`, and the result is
    10 * log10(max(power, 1e-10)). ``data/digits`` stores exactly this, quantised (see `load_split`)."""
    if rate != SR:
        raise ValueError(f"log_mel expects {SR} Hz audio, got {rate} Hz: resample it first")
    x = np.asarray(samples)
    if np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float64) / 32768.0
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    win, hop = SR * WIN_MS // 1000, SR * HOP_MS // 1000
    if len(x) < win:
        x = np.concatenate([x, np.zeros(win - len(x))])
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::hop]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(win) / win)
    power = np.abs(np.fft.rfft(frames * window, N_FFT, axis=1)) ** 2
    mel = power @ mel_filterbank().T
    return (10.0 * np.log10(np.maximum(mel, POWER_FLOOR))).astype(np.float32)


# ------------------------------------------------------------------ labels

def text_labels(text: str) -> np.ndarray:
    """"four one seven two" -> array([5, 2, 8, 3]) (int64 class ids: digit d is d + 1)."""
    words = text.split()
    unknown = [w for w in words if w not in DIGITS]
    if unknown:
        raise ValueError(f"not digit words: {unknown} (expected words of {DIGITS})")
    return np.array([DIGITS.index(w) + 1 for w in words], dtype=np.int64)


def labels_text(labels) -> str:
    """array([5, 2, 8, 3]) (class ids, the blank never among them) -> "four one seven two"."""
    ids = [int(k) for k in np.asarray(labels).reshape(-1)]
    bad = [k for k in ids if not 1 <= k < N_CLASSES]
    if bad:
        raise ValueError(f"class ids {bad} are not digits (digit d is class d + 1; the blank {BLANK} is no digit)")
    return " ".join(DIGITS[k - 1] for k in ids)


# ------------------------------------------------------------------ the data

def _split_path(split: str) -> Path:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return data_path(DATA_FOLDER, f"{split}.npz")


def dequantise(codes: np.ndarray, db_min: float, db_step: float) -> np.ndarray:
    """float32 dB of stored uint8 codes: db_min + code * db_step."""
    return (np.float32(db_min) + codes.astype(np.float32) * np.float32(db_step)).astype(np.float32)


def load_split(split: str = "train") -> tuple[list, list, list]:
    """(features, labels, info) of a split, in the stored order.

    features: list of (T_i, N_MELS) float32 dB arrays (`log_mel`, stored as uint8 codes of db_step dB from db_min,
    the range clipped); labels: list of (U_i,) int64 class ids (3 <= U_i <= 7); info: list of dicts with "text",
    "voice", "synthesiser" and "id"."""
    path = _split_path(split)
    try:
        with np.load(path) as f:
            codes, offsets = f["features"], f["offsets"]
            db_min, db_step = float(f["db_min"]), float(f["db_step"])
            texts, voices, synths, ids = (f[k].tolist() for k in ("texts", "voices", "synthesisers", "ids"))
    except (OSError, ValueError, KeyError, EOFError) as error:
        raise OSError(f"Course data {path} cannot be read ({type(error).__name__}: {error}); restore it from the "
                      "repository (git checkout -- data) or rebuild it with the command in data/digits/README.md."
                      ) from error
    if codes.ndim != 2 or codes.shape[1] != N_MELS or len(offsets) != len(texts) + 1 or offsets[-1] != len(codes):
        raise OSError(f"Course data {path} is not laid out as expected (features {codes.shape}, "
                      f"{len(offsets)} offsets for {len(texts)} utterances); restore or rebuild it "
                      "(see data/digits/README.md).")
    db = dequantise(codes, db_min, db_step)
    features = [db[a:b] for a, b in zip(offsets[:-1], offsets[1:])]
    labels = [text_labels(t) for t in texts]
    info = [{"id": i, "text": t, "voice": v, "synthesiser": s} for i, t, v, s in zip(ids, texts, voices, synths)]
    return features, labels, info


def read_wav(path) -> tuple[np.ndarray, int]:
    """(float64 samples in [-1, 1], rate) of a mono 16-bit WAV file."""
    with wave.open(str(path), "rb") as f:
        if f.getsampwidth() != 2 or f.getnchannels() != 1:
            raise ValueError(f"{path}: expected mono 16-bit audio")
        rate = f.getframerate()
        pcm = np.frombuffer(f.readframes(f.getnframes()), dtype="<i2")
    return pcm.astype(np.float64) / 32768.0, rate


def load_demo() -> list[dict]:
    """The demo utterances of ``data/digits/demo/`` (dev voices, each a different one): a list of dicts with
    "samples" (float64 in [-1, 1]), "rate" (16,000), "features" ((T, N_MELS) float32, `log_mel` of the samples),
    "labels" ((U,) int64 class ids), "text" and "voice"."""
    folder = data_path(DATA_FOLDER, "demo")
    entries = json.loads(data_path(DATA_FOLDER, "demo", "demo.json").read_text(encoding="utf-8"))
    out = []
    for e in entries:
        samples, rate = read_wav(folder / e["file"])
        out.append({"samples": samples, "rate": rate, "features": log_mel(samples, rate),
                    "labels": text_labels(e["text"]), "text": e["text"], "voice": e["voice"],
                    "synthesiser": e["synthesiser"]})
    return out


def audio_player(samples: np.ndarray, rate: int = SR):
    """A notebook player of the samples (float in [-1, 1]): ``week1.music.AudioPlayer`` of 16-bit WAV bytes, with
    the length next to it."""
    from week1.music import AudioPlayer

    pcm = np.clip(np.round(np.asarray(samples, dtype=np.float64) * 32767.0), -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return AudioPlayer(buffer.getvalue(), len(pcm) / rate)


# ------------------------------------------------------------------ model inputs

def normalise(features: np.ndarray) -> np.ndarray:
    """(T, N_MELS) float32: each mel band of one utterance shifted to mean 0 and scaled to standard deviation 1
    over the utterance's frames (bands that do not vary are only shifted)."""
    f = np.asarray(features, dtype=np.float32)
    mean = f.mean(axis=0, keepdims=True)
    std = f.std(axis=0, keepdims=True)
    return ((f - mean) / np.maximum(std, 1e-3)).astype(np.float32)


def model_inputs(features: list) -> tuple[np.ndarray, np.ndarray]:
    """(x (N, T_max, N_MELS) float32, frames (N,) int64) for a list of N (T_i, N_MELS) feature arrays: each
    utterance `normalise`\\ d (per band, over its own frames), then zero-padded at the end to the longest T_max;
    frames[i] = T_i."""
    frames = np.array([len(f) for f in features], dtype=np.int64)
    x = np.zeros((len(features), int(frames.max()) if len(features) else 0, N_MELS), dtype=np.float32)
    for i, f in enumerate(features):
        x[i, :len(f)] = normalise(f)
    return x, frames


def output_frames(frames):
    """ceil(frames / OUTPUT_STRIDE): the recogniser's output frames for inputs of ``frames`` frames (an int, or an
    int64 array of the same shape)."""
    if np.ndim(frames) == 0:
        return -(-int(frames) // OUTPUT_STRIDE)
    return -(-np.asarray(frames, dtype=np.int64) // OUTPUT_STRIDE)


def pad_labels(labels: list) -> tuple[np.ndarray, np.ndarray]:
    """(padded (N, U_max) int32, lengths (N,) int32): the label sequences padded with the blank (0)."""
    lengths = np.array([len(l) for l in labels], dtype=np.int32)
    padded = np.zeros((len(labels), int(lengths.max()) if len(labels) else 0), dtype=np.int32)
    for i, l in enumerate(labels):
        padded[i, :len(l)] = l
    return padded, lengths


def _batches(frames: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Index batches of utterances of similar length: the utterances sorted by length with a little noise,
    cut into batches, the batches shuffled."""
    keys = frames + rng.uniform(0, 0.25 * frames.std() + 1, size=len(frames))
    order = np.argsort(keys, kind="stable")
    batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
    return [batches[i] for i in rng.permutation(len(batches))]


def _band_centres() -> np.ndarray:
    """(N_MELS,) the centre frequency in Hz of each mel band."""
    return _hz(np.linspace(_mel(F_MIN), _mel(F_MAX), N_MELS + 2))[1:-1]


def warp_bands(x: np.ndarray, alpha: float) -> np.ndarray:
    """(..., N_MELS) features with the frequency axis scaled by ``alpha`` (what was at f Hz moves to alpha * f, as a
    shorter or longer vocal tract would move it): each band takes the value interpolated at centre / alpha between
    the neighbouring bands (the edge bands repeat past the ends)."""
    centres = _band_centres()
    pos = np.interp(centres / alpha, centres, np.arange(N_MELS, dtype=np.float64))
    low = np.minimum(np.floor(pos).astype(np.int64), N_MELS - 2)
    w = (pos - low).astype(np.float32)
    return x[..., low] * (1 - w) + x[..., low + 1] * w


def _augment(x: np.ndarray, frames: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Augmentation of a normalised batch (B, T, N_MELS): each utterance's frequency axis scaled by a random factor
    of 0.87-1.2 (`warp_bands`, a cheap stand-in for other speakers' vocal tracts), SpecAugment-style masks, two
    frequency masks of up to 6 bands and time masks of up to 8 frames (one per 100 frames), masked values set to 0
    (the band mean), and a random gain of each utterance (x scaled by 0.85-1.15)."""
    x = x.copy()
    for i in range(len(x)):
        t = int(frames[i])
        x[i, :t] = warp_bands(x[i, :t], float(np.exp(rng.uniform(np.log(0.87), np.log(1.2)))))
        for _ in range(2):
            width = int(rng.integers(0, 7))
            start = int(rng.integers(0, N_MELS - width + 1))
            x[i, :t, start:start + width] = 0.0
        for _ in range(max(1, t // 100)):
            width = int(rng.integers(0, 9))
            start = int(rng.integers(0, max(1, t - width)))
            x[i, start:start + width] = 0.0
        x[i, :t] *= rng.uniform(0.85, 1.15)
    return x


def train_ctc(model, x, frames, labels, epochs: int = 1, batch_size: int = 32, learning_rate: float = 1e-3,
              seed: int = 0, augment: bool = False, max_seconds=None, on_epoch=None) -> list[float]:
    """Train ``model`` ((batch, T, N_MELS) -> (batch, ceil(T / 2), N_CLASSES) logits) with the CTC loss; returns the
    mean loss of each epoch.

    x: (N, T_max, N_MELS) float32 and frames: (N,) int64 from `model_inputs`; labels: list of N (U_i,) class-id
    arrays. Each epoch goes through the utterances once in batches of ``batch_size`` of similar length (each batch
    cut to its own longest utterance); each step is one Adam step (gradient norm clipped at 5) on the mean over
    the batch of
    ``keras.ops.ctc_loss(labels padded with 0, logits, label lengths, output_frames(frames), mask_index=0)``.
    The optimizer is kept on the model between calls: a second call continues its Adam state, at the
    ``learning_rate`` it is given (so a caller can lower the rate epoch by epoch).
    ``augment``: frequency warps, time and frequency masks and gain changes of the inputs (`_augment`).
    ``max_seconds``: stop after the step at which that many seconds have passed (the last epoch's mean is over the
    steps it made).
    ``on_epoch(epoch, mean_loss, seconds)`` is called after every epoch."""
    import keras
    import tensorflow as tf

    rng = np.random.default_rng(seed)
    keras.utils.set_random_seed(seed)
    x = np.asarray(x, dtype=np.float32)
    frames = np.asarray(frames, dtype=np.int64)
    padded, lengths = pad_labels(labels)
    out_frames = output_frames(frames).astype(np.int32)
    optimizer = getattr(model, "_ctc_optimizer", None)
    if optimizer is None:
        optimizer = keras.optimizers.Adam(learning_rate=learning_rate, clipnorm=5.0)
        model._ctc_optimizer = optimizer
    else:
        optimizer.learning_rate = learning_rate
    step = getattr(model, "_ctc_step", None)
    if step is None:
        @tf.function(reduce_retracing=True)
        def step(xb, yb, yl, ol):
            with tf.GradientTape() as tape:
                logits = model(xb, training=True)
                loss = tf.reduce_mean(keras.ops.ctc_loss(yb, logits, yl, ol, mask_index=0))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))
            return loss
        model._ctc_step = step
    start, history = time.time(), []
    for epoch in range(epochs):
        losses = []
        for idx in _batches(frames, batch_size, rng):
            t_max = int(frames[idx].max())
            t_max = -(-t_max // OUTPUT_STRIDE) * OUTPUT_STRIDE
            xb = x[idx, :t_max]
            if augment:
                xb = _augment(xb, frames[idx], rng)
            u_max = max(1, int(lengths[idx].max()))
            losses.append(float(step(tf.constant(xb), tf.constant(padded[idx, :u_max]),
                                     tf.constant(lengths[idx]), tf.constant(out_frames[idx]))))
            if max_seconds is not None and time.time() - start > max_seconds:
                break
        history.append(float(np.mean(losses)))
        if on_epoch is not None:
            on_epoch(epoch, history[-1], time.time() - start)
        if max_seconds is not None and time.time() - start > max_seconds:
            break
    return history


def predict_log_probs(model, features: list, batch_size: int = 64) -> list[np.ndarray]:
    """For each (T_i, N_MELS) feature array, the model's (ceil(T_i / 2), N_CLASSES) float64 log-softmax
    (natural-log probabilities, each row's exp sums to 1), trimmed to the utterance's own output frames (the
    utterances are batched by length; inference mode: no dropout)."""
    out = [None] * len(features)
    frames = np.array([len(f) for f in features], dtype=np.int64)
    order = np.argsort(frames, kind="stable")
    for i in range(0, len(order), batch_size):
        idx = order[i:i + batch_size]
        x, fr = model_inputs([features[j] for j in idx])
        logits = np.asarray(model(x, training=False), dtype=np.float64)
        top = logits.max(axis=-1, keepdims=True)
        log_probs = logits - top - np.log(np.sum(np.exp(logits - top), axis=-1, keepdims=True))
        for j, lp, n in zip(idx, log_probs, output_frames(fr)):
            out[j] = lp[:n]
    return out


# ------------------------------------------------------------------ pretrained weights

def load_pretrained(model, path=None) -> dict:
    """Give the model (built by build_recognizer((None, N_MELS), N_CLASSES)) the weights trained by the project's
    script (``data/models/ctc_digits/weights.npz``), layer by layer in model order; returns that run's metrics (the
    metrics.json next to the weights, or {})."""
    return load_weights(model, path or data_path(*WEIGHTS_FILE), f"build_recognizer((None, {N_MELS}), {N_CLASSES})")


__all__ = ["DIGITS", "BLANK", "N_CLASSES", "SR", "HOP_MS", "N_MELS", "OUTPUT_STRIDE", "WEIGHTS_FILE", "log_mel",
           "load_split", "labels_text", "text_labels", "model_inputs", "output_frames", "load_demo", "audio_player",
           "train_ctc", "predict_log_probs", "load_pretrained"]

"""Pictures of the CTC notebook (w3a3): a recogniser's per-frame probabilities over the spectrogram, the alignment
of each label, and a training run's loss against the all-blank plateau. Plotting only: nothing here computes a
loss, a decoding or an alignment."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from week3.digits import BLANK, DIGITS, HOP_MS, OUTPUT_STRIDE


def class_names(n_classes: int) -> list[str]:
    """"blank", then the digits' words: the row labels of the pictures."""
    return ["blank"] + [DIGITS[k - 1] if k - 1 < len(DIGITS) else str(k) for k in range(1, n_classes)]


def plot_frame_probabilities(features: np.ndarray, log_probs: np.ndarray, title: str = ""):
    """The log-mel spectrogram (T, n_mels) above the probability of every class at every output frame (T', K)."""
    frame_s = OUTPUT_STRIDE * HOP_MS / 1000
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.5), sharex=True,
                                      gridspec_kw={"height_ratios": [1, 1.3]})
    top.imshow(features.T, aspect="auto", origin="lower", cmap="magma",
               extent=(0, features.shape[0] * HOP_MS / 1000, 0, features.shape[1]))
    top.set_ylabel("mel band")
    top.set_title(title or "log-mel spectrogram")
    probs = np.exp(log_probs)
    bottom.imshow(probs.T, aspect="auto", origin="lower", cmap="Greys", vmin=0, vmax=1,
                  extent=(0, probs.shape[0] * frame_s, -0.5, probs.shape[1] - 0.5))
    bottom.set_yticks(range(probs.shape[1]), class_names(probs.shape[1]))
    bottom.set_xlabel("time (s)")
    bottom.set_title("the recogniser's probability of each class at each output frame (black = 1)")
    fig.tight_layout()
    return fig


def plot_alignment(features: np.ndarray, frames: list, labels, title: str = ""):
    """The spectrogram with each label's frames (output frames, as best_path_alignment gives them) shaded and
    named."""
    frame_s = OUTPUT_STRIDE * HOP_MS / 1000
    fig, ax = plt.subplots(figsize=(10, 3))
    ax.imshow(features.T, aspect="auto", origin="lower", cmap="magma",
              extent=(0, features.shape[0] * HOP_MS / 1000, 0, features.shape[1]))
    colours = plt.get_cmap("tab10")
    for u, (label, fs) in enumerate(zip(labels, frames)):
        fs = np.asarray(fs)
        if fs.size == 0:
            continue
        start, end = fs.min() * frame_s, (fs.max() + 1) * frame_s
        ax.axvspan(start, end, color=colours(u % 10), alpha=0.35)
        name = DIGITS[int(label) - 1] if 1 <= int(label) <= len(DIGITS) else str(label)
        ax.text((start + end) / 2, features.shape[1] * 0.92, name, ha="center", va="top", color="white",
                fontsize=9, fontweight="bold")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("mel band")
    ax.set_title(title or "where each digit is: the best path's frames of each label")
    fig.tight_layout()
    return fig


def plot_losses(losses, plateau: float | None = None, title: str = ""):
    """A training run's loss per epoch, with the all-blank plateau as a dashed line."""
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.plot(np.arange(1, len(losses) + 1), losses, marker="o")
    if plateau is not None:
        ax.axhline(plateau, linestyle="--", color="grey", label="the all-blank plateau")
        ax.legend()
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean CTC loss")
    ax.set_title(title or "training loss")
    fig.tight_layout()
    return fig


__all__ = ["BLANK", "class_names", "plot_alignment", "plot_frame_probabilities", "plot_losses"]

"""The model side of w3a2 (trigger word detection) that is not the lesson: pretrained weights, freezing the batch
normalisation, fine-tuning, predictions on clips, and the dev set's evaluation.

A model built by ``modelf`` is read layer by layer in its own order (the layers that hold weights: Conv1D,
BatchNormalization, GRU, BatchNormalization, GRU, BatchNormalization, TimeDistributed Dense), never by index or
name, so the weights load into any correct ``modelf``'s model.
"""
from __future__ import annotations


import numpy as np

import keras
from checks.paths import data_path
from week3.audio import TY, detections, event_metrics, load_dev, spectrogram
from week3.layer_weights import load_weights

WEIGHTS_FILE = ("models", "trigger_word", "weights.npz")


@keras.saving.register_keras_serializable(package="week3")
class TimeDistributed(keras.layers.TimeDistributed):
    """``keras.layers.TimeDistributed`` that applies a Dense layer to all time steps in one call.

    Keras 3 runs the wrapped layer once per time step in a Python loop when the number of steps is known: for a 10 s
    clip, 1,375 copies of the Dense layer's computation and of its gradient, which take a minute to build and some
    10 GB of memory to train. A Dense layer acts on the last axis only, so one call on the whole sequence computes
    exactly the same thing at every step. Any other wrapped layer runs as Keras runs it.
    """

    def call(self, inputs, training=None, mask=None):
        if isinstance(self.layer, keras.layers.Dense):
            return self.layer(inputs)
        return super().call(inputs, training=training, mask=mask)

METRICS_FILE = ("models", "trigger_word", "metrics.json")


def load_pretrained(model, path=None) -> dict:
    """Give the model (built by modelf) the weights trained by the project's script; returns that run's metrics."""
    return load_weights(model, path or data_path(*WEIGHTS_FILE), "modelf((5511, 101))")


def freeze_batch_normalization(model) -> int:
    """Freeze every BatchNormalization layer (its statistics stay those of the large training run while a few
    examples fine-tune the rest); returns how many were frozen. Compile the model after this."""
    frozen = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
            frozen += 1
    return frozen


def predict_clips(model, clips, batch: int = 8) -> np.ndarray:
    """(n, TY) the model's probability of "activate just ended" at every output step of each 10 s clip."""
    out = []
    for start in range(0, len(clips), batch):
        x = np.stack([spectrogram(c).T for c in clips[start:start + batch]]).astype(np.float32)
        out.append(np.asarray(model.predict(x, verbose=0))[..., 0])
    return np.concatenate(out)


def frame_labels(activate_ends_ms: list[int], ones_after: int = 50) -> np.ndarray:
    """(TY,) the frame labels of a clip: 1 for the 50 steps after each activate's end (as insert_ones makes them)."""
    y = np.zeros(TY)
    for end in activate_ends_ms:
        step = int(end * TY / 10000.0)
        y[step + 1:step + 1 + ones_after] = 1
    return y


def dev_metrics(model, threshold: float = 0.5, dev=None) -> dict:
    """Frame accuracy and event-level precision, recall and F1 on the dev clips (and the all-zeros baseline)."""
    dev = dev if dev is not None else load_dev()
    probs = predict_clips(model, [clip for clip, _ in dev])
    labels = np.stack([frame_labels(ends) for _, ends in dev])
    events = event_metrics([detections(p, threshold) for p in probs], [ends for _, ends in dev])
    return {"clips": len(dev), "activates": int(sum(len(e) for _, e in dev)), "threshold": threshold,
            "frame accuracy": round(float(np.mean((probs > threshold) == labels)), 4),
            "all-zeros frame accuracy": round(float(np.mean(labels == 0)), 4),
            **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in events.items()}}

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
    clip, 1,375 copies of the Dense layer's computation and of its gradient: the notebook then takes 5 to 9 minutes
    and 7 to 8 GB instead of about 3 minutes and 1.7 GB (2 busy cores). A Dense layer acts on the last axis only,
    so one call on the whole sequence computes the same thing at every step. Any other wrapped layer runs as Keras
    runs it; a model built with Keras's own class is converted by ``fast_time_distributed``.
    """

    def call(self, inputs, training=None, mask=None):
        if isinstance(self.layer, keras.layers.Dense):
            return self.layer(inputs)
        return super().call(inputs, training=training, mask=mask)


def _is_keras_time_distributed_dense(layer) -> bool:
    """Keras's own TimeDistributed (not the class above or another subclass) wrapping a Dense layer."""
    return type(layer) is keras.layers.TimeDistributed and isinstance(layer.layer, keras.layers.Dense)


def fast_time_distributed(model):
    """The model with every ``keras.layers.TimeDistributed`` that wraps a Dense layer replaced by the
    ``TimeDistributed`` above, which computes the same outputs (to float32 rounding) with one call of the Dense layer
    instead of one per time step; the other layers and all the weights are the same. The notebook builds its model
    through this, so a modelf written with Keras's own TimeDistributed trains and predicts as fast as the course's.

    A model that has no such layer (one built with the notebook's ``TimeDistributed``) is returned as it is. The
    others are cloned (``keras.models.clone_model``) and given the model's weights. A model that cannot be cloned
    (a subclassed Model) is returned as it is: slower, never wrong.
    """
    if not isinstance(model, keras.Model) or not any(_is_keras_time_distributed_dense(layer) for layer in model.layers):
        return model

    def clone(layer):
        if _is_keras_time_distributed_dense(layer):
            return TimeDistributed.from_config(layer.get_config())
        return layer.__class__.from_config(layer.get_config())

    try:
        fast = keras.models.clone_model(model, clone_function=clone)
        fast.set_weights(model.get_weights())
    except Exception:  # noqa: BLE001 - a model clone_model does not handle: keep the (correct, slower) original
        return model
    return fast


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


def dev_metrics(model, threshold: float = 0.5, refractory: int = 75, dev=None, probs=None) -> dict:
    """Frame accuracy and event-level precision, recall and F1 on the dev clips (and the all-zeros baseline), with
    detections above ``threshold`` at least ``refractory`` steps apart; ``probs`` are the model's predictions on
    ``dev`` when already made."""
    dev = dev if dev is not None else load_dev()
    probs = probs if probs is not None else predict_clips(model, [clip for clip, _ in dev])
    labels = np.stack([frame_labels(ends) for _, ends in dev])
    events = event_metrics([detections(p, threshold, refractory) for p in probs], [ends for _, ends in dev])
    return {"clips": len(dev), "activates": int(sum(len(e) for _, e in dev)), "threshold": threshold,
            "refractory": refractory,
            "frame accuracy": round(float(np.mean((probs > threshold) == labels)), 4),
            "all-zeros frame accuracy": round(float(np.mean(labels == 0)), 4),
            **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in events.items()}}

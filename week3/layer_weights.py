"""Trained weights stored layer by layer, in a Keras model's own order: the w3a2 detector's and the w3a3
recogniser's (``data/models/<name>/weights.npz``, written by the project's training scripts).

The file holds ``"i/j"``: weight j of the model's i-th layer that has weights. Layers are read in the model's order,
never by index or name, so the weights load into the model of any correct solution (functional or Sequential, its
layers named as Keras likes). A ``metrics.json`` next to the weights records the run that made them.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np


def weighted_layers(model) -> list:
    """The model's layers that hold weights, in the model's order (how the weights file is laid out)."""
    return [layer for layer in model.layers if layer.weights]


def save_weights(path, model):
    """Write the weights layer by layer in model order ("i/j": weight j of weighted layer i) to an npz file."""
    arrays = {f"{i}/{j}": np.asarray(w) for i, layer in enumerate(weighted_layers(model))
              for j, w in enumerate(layer.get_weights())}
    with open(path, "wb") as f:
        np.savez_compressed(f, **arrays)


def load_weights(model, path, built_by: str) -> dict:
    """Give ``model`` the weights of ``path``, layer by layer in model order; returns the metrics.json next to them
    (or {}). A model whose layers do not match says so, naming the call that builds the right one (``built_by``)."""
    layers = weighted_layers(model)
    with np.load(path) as saved:
        by_layer: dict = {}
        for key in saved.files:
            i, j = (int(k) for k in key.split("/"))
            by_layer.setdefault(i, {})[j] = saved[key]
    if len(by_layer) != len(layers):
        raise ValueError(f"{path} holds the weights of {len(by_layer)} layers but the model has {len(layers)}: "
                         f"build it with {built_by}")
    for i, layer in enumerate(layers):
        wanted = [tuple(w.shape) for w in layer.get_weights()]
        got = [tuple(by_layer[i][j].shape) for j in sorted(by_layer[i])]
        if wanted != got:
            raise ValueError(f"layer {i} ({layer.name}) of the model has weights of shapes {wanted}, {path} holds "
                             f"{got}: build the model with {built_by}")
        layer.set_weights([by_layer[i][j] for j in sorted(by_layer[i])])
    metrics = Path(path).with_name("metrics.json")
    return json.loads(metrics.read_text()) if metrics.exists() else {}

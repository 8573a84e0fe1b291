"""Train the weights the Jazz improvisation notebook loads: ``lstm_weights.npz`` and ``train_metrics.json``.

    python data/jazz/train.py [--max-epochs 100] [--seed 0]

The notebook's model is one ``LSTM(64, return_state=True)`` and one ``Dense(n_values, softmax)`` called once per
time step. The same two layers run over a whole window at once are an ``LSTM(64, return_sequences=True)``
followed by the Dense at every step: the same equations, the same weight shapes, far faster to train. This script
trains that form on every window of 31 tokens of the training pieces (the input token indices are one-hot encoded
inside the model, so the data stays small). Every 10th training chorale is set aside for validation: training stops
when their loss has not improved for 8 epochs, keeping the best weights. The held-out pieces play no part in
training or in choosing when to stop. Then it writes the LSTM's [kernel, recurrent kernel, bias] and the Dense's
[kernel, bias] with the vocabulary, and the metrics on the held-out pieces next to the unigram and bigram
baselines. Deterministic for a seed on one machine (TensorFlow's CPU kernels may round
differently elsewhere).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

import numpy as np  # noqa: E402


def build_sequence_model(n_values: int, n_a: int, dropout: float = 0.0):
    import keras
    tokens = keras.Input(shape=(None,), dtype="int32")
    x = keras.layers.Lambda(lambda t: keras.ops.one_hot(t, n_values))(tokens)
    h = keras.layers.LSTM(n_a, return_sequences=True, dropout=dropout, recurrent_dropout=dropout, name="lstm")(x)
    probs = keras.layers.Dense(n_values, activation="softmax", name="dense")(h)
    return keras.Model(tokens, probs)


def _windows(corpus, pieces, Tx):
    """(m, Tx + 1) token indices: every run of Tx + 1 consecutive tokens of each of ``pieces``."""
    rows = []
    for piece in pieces:
        idx = [corpus.token_to_index[t] for t in piece.tokens]
        rows += [idx[s:s + Tx + 1] for s in range(len(idx) - Tx)]
    return np.array(rows, dtype=np.int64).reshape(-1, Tx + 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-epochs", type=int, default=100)
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument("--dropout", type=float, default=0.3,
                        help="dropout on the LSTM's inputs and states while training (the weights are unchanged in form)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=0.003)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from week1.jazz import N_A, TX, baseline_metrics, next_token_metrics, save_weights, window_indices
    from week1.music import load_corpus

    keras.utils.set_random_seed(args.seed)
    corpus = load_corpus()
    V = corpus.n_values
    held = window_indices(corpus, "heldout", TX)
    chorales = [p for p in corpus.train if p.style == "chorale"]
    val_pieces = chorales[5::10]  # every 10th training chorale; the rags are too few to spare
    fit_pieces = [p for p in corpus.train if p not in val_pieces]
    train = _windows(corpus, fit_pieces, TX)
    val = _windows(corpus, val_pieces, TX)
    print(f"{len(fit_pieces)} training pieces ({len(train):,} windows), {len(val_pieces)} validation pieces "
          f"({len(val):,} windows); {len(corpus.heldout)} held-out pieces ({len(held):,} windows); {V} tokens",
          flush=True)
    model = build_sequence_model(V, N_A, args.dropout)
    model.compile(optimizer=keras.optimizers.Adam(args.learning_rate), loss="sparse_categorical_crossentropy")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience, restore_best_weights=True)
    start = time.time()
    history = model.fit(train[:, :-1], train[:, 1:], batch_size=args.batch, epochs=args.max_epochs, shuffle=True,
                        validation_data=(val[:, :-1], val[:, 1:]), callbacks=[stop], verbose=2)
    seconds = time.time() - start
    best = int(np.argmin(history.history["val_loss"]))
    probs = model.predict(held[:, :-1], batch_size=512, verbose=0).reshape(-1, V)
    metrics = {
        "command": " ".join(["python data/jazz/train.py", *(argv if argv is not None else sys.argv[1:])]),
        "epochs": best + 1, "max_epochs": args.max_epochs, "patience": args.patience, "dropout": args.dropout,
        "batch_size": args.batch, "learning_rate": args.learning_rate, "seed": args.seed,
        "training_pieces": len(fit_pieces), "training_windows": int(len(train)),
        "validation_pieces": len(val_pieces), "validation_windows": int(len(val)), "heldout_windows": int(len(held)), "n_values": V, "n_a": N_A,
        "Tx": TX, "train_seconds": round(seconds, 1), "keras": keras.__version__,
        "train_loss": round(float(history.history["loss"][best]), 4),
        "validation_loss": round(float(history.history["val_loss"][best]), 4),
        "heldout": {k: round(v, 4) for k, v in next_token_metrics(probs, held[:, 1:].reshape(-1)).items()},
        "baselines": {name: {k: round(v, 4) for k, v in m.items()} for name, m in baseline_metrics(corpus).items()},
    }
    lstm, dense = model.get_layer("lstm"), model.get_layer("dense")
    save_weights(args.out / "lstm_weights.npz", lstm.get_weights(), dense.get_weights(), corpus.vocabulary)
    (args.out / "train_metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

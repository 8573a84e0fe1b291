"""Train the date translation model the w3a1 notebook loads: ``weights.npz`` and ``metrics.json`` here.

    python data/models/date_translation/train.py [--max-epochs 60] [--seed 0]

The model is the notebook's: ``modelf(Tx=30, Ty=10, n_a=32, n_s=64, ...)`` with its shared attention layers, built
from the instructor's reference (``autograder.reference``, which students do not have: this script runs in the
instructor's course only). It trains on the 20,000 training pairs with Adam and the cross-entropy of every output
character, keeps the weights of the epoch with the lowest loss on the 1,000 dev pairs (early stopping), then
reports exact-match and character accuracy on the test split and on the two out-of-distribution splits. The weights
are saved by the role of each layer (see ``week3.translation``), with the vocabularies they were trained for.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

import numpy as np  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-epochs", type=int, default=60)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--learning-rate", type=float, default=0.005)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from autograder.reference import w3a1_machine_translation as reference
    from week3.dates import Tx, Ty, load_dates, load_vocabularies, preprocess_data
    from week3.translation import exact_and_character_accuracy, save_weights, translate

    keras.utils.set_random_seed(args.seed)
    human_vocab, machine_vocab, inv_machine_vocab = load_vocabularies()
    data = {split: load_dates(split) for split in ("train", "dev", "test", "test_ood_format", "test_ood_year")}
    encoded = {split: preprocess_data(pairs, human_vocab, machine_vocab, Tx, Ty) for split, pairs in data.items()}
    n_s = reference.n_s
    model = reference.modelf(Tx, Ty, reference.n_a, n_s, len(human_vocab), len(machine_vocab))
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=args.learning_rate),
                  loss="categorical_crossentropy")

    def inputs(split):
        Xoh = encoded[split][2]
        zeros = np.zeros((len(Xoh), n_s), dtype=np.float32)
        return [Xoh, zeros, zeros], list(encoded[split][3].swapaxes(0, 1))

    x_train, y_train = inputs("train")
    stop = keras.callbacks.EarlyStopping(monitor="val_loss", patience=args.patience, restore_best_weights=True)
    start = time.time()
    history = model.fit(x_train, y_train, validation_data=inputs("dev"), batch_size=args.batch,
                        epochs=args.max_epochs, callbacks=[stop], verbose=2)
    seconds = time.time() - start
    best = int(np.argmin(history.history["val_loss"]))
    scores = {}
    for split in ("dev", "test", "test_ood_format", "test_ood_year"):
        predictions = translate(model, encoded[split][2], inv_machine_vocab, n_s)
        scores[split] = {k: round(v, 4) for k, v in
                         exact_and_character_accuracy(predictions, [y for _, y in data[split]]).items()}
    metrics = {"command": " ".join(["python data/models/date_translation/train.py",
                                    *(argv if argv is not None else sys.argv[1:])]),
               "epochs": best + 1, "max_epochs": args.max_epochs, "patience": args.patience,
               "batch_size": args.batch, "learning_rate": args.learning_rate, "seed": args.seed,
               "train_pairs": len(data["train"]), "train_seconds": round(seconds, 1), "keras": keras.__version__,
               "parameters": model.count_params(),
               "dev_loss_per_character": float(f"{float(history.history['val_loss'][best]) / Ty:.3g}"),
               "greedy": scores}
    args.out.mkdir(parents=True, exist_ok=True)
    save_weights(args.out / "weights.npz", model, human_vocab, machine_vocab)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps(metrics, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

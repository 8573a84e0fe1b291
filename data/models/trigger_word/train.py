"""Train the trigger word detector the w3a2 notebook loads: ``weights.npz`` and ``metrics.json`` here.

    python data/models/trigger_word/train.py [--examples 2000] [--minutes 30] [--seed 0] [--init WEIGHTS]

The model and the training examples are the notebook's: ``modelf((5511, 101))`` and ``create_training_example`` on
the training clips of ``data/trigger_word/train/``, from the instructor's reference (``autograder.reference``, which
students do not have: this script runs in the instructor's course only). It makes a pool of seeded examples, trains
with Adam and the binary cross-entropy of every output step for as many whole epochs as fit in ``--minutes``, then
measures on the dev clips (voices and backgrounds never used for training): frame accuracy, and event-level
precision, recall and F1 (``week3.audio.detections`` / ``event_metrics``). The weights are saved layer by layer in
the model's order, as ``week3.trigger.load_pretrained`` reads them. ``--init`` continues from saved weights (a
second run with another ``--seed`` trains on new examples); ``metrics.json`` then records the runs before it.
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
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--init", type=Path, help="start from these weights (and the metrics.json next to them)")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from autograder.reference import w3a2_trigger_word as reference
    from week3.audio import TX, TY, N_FREQ, load_raw_audio
    from week3.layer_weights import save_weights
    from week3.trigger import dev_metrics, load_pretrained

    keras.utils.set_random_seed(args.seed)
    activates, negatives, backgrounds = load_raw_audio("train")
    np.random.seed(args.seed)
    start = time.time()
    X = np.zeros((args.examples, TX, N_FREQ), dtype=np.float32)
    Y = np.zeros((args.examples, TY, 1), dtype=np.float32)
    for i in range(args.examples):
        x, y = reference.create_training_example(backgrounds[i % len(backgrounds)], activates, negatives, TY)
        X[i], Y[i, :, 0] = x.T, y[0]
    made = time.time() - start
    print(f"{args.examples} examples made in {made:.0f} s; {Y.any(axis=(1, 2)).mean():.0%} hold an 'activate'",
          flush=True)

    model = reference.modelf((TX, N_FREQ))
    earlier = []
    if args.init:
        previous = load_pretrained(model, args.init)
        earlier = previous.get("earlier runs", []) + [{k: v for k, v in previous.items() if k != "earlier runs"}]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=args.learning_rate), loss="binary_crossentropy",
                  metrics=["accuracy"], jit_compile=False)
    class TimeBudget(keras.callbacks.Callback):
        """Stop after the last whole epoch that fits in --minutes (one fit: the data is copied once)."""

        def on_train_begin(self, logs=None):
            self.start, self.history = time.time(), []

        def on_epoch_end(self, epoch, logs=None):
            self.history.append({k: round(float(v), 4) for k, v in (logs or {}).items()})
            elapsed = time.time() - self.start
            print(f"epoch {epoch + 1}: {self.history[-1]} ({elapsed:.0f} s)", flush=True)
            if elapsed / (epoch + 1) * (epoch + 2) > args.minutes * 60:
                self.model.stop_training = True

    budget = TimeBudget()
    start = time.time()
    model.fit(X, Y, batch_size=args.batch, epochs=10_000, shuffle=True, verbose=0, callbacks=[budget])
    history, epochs = budget.history, len(budget.history)
    seconds = time.time() - start
    metrics = {"command": " ".join(["python data/models/trigger_word/train.py",
                                    *(argv if argv is not None else sys.argv[1:])]),
               "examples": args.examples, "epochs": epochs, "batch_size": args.batch,
               "learning_rate": args.learning_rate, "seed": args.seed, "keras": keras.__version__,
               "make_seconds": round(made, 1), "train_seconds": round(seconds, 1),
               "parameters": model.count_params(), "history": history, "earlier runs": earlier}
    args.out.mkdir(parents=True, exist_ok=True)
    save_weights(args.out / "weights.npz", model)
    metrics["dev"] = dev_metrics(model)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

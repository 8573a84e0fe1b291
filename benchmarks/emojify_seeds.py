"""Emojify (w2a2): test accuracy of V1 and V2 over several seeds, and V2's training time.

    python benchmarks/emojify_seeds.py [--seeds 0 1 2] [--epochs 50] [--batch-size 32] [--cores 2]

Uses the solution code of source/w2a2_emojify/emojify.ipynb and the notebook's settings (V2: Adam, 50 epochs,
mini-batches of 32). V1 seeds itself (np.random.seed(1) inside `model`), so its only other source of variation
is the order of the training sentences: "file order" is the notebook's run, and each seed also trains V1 on the
training set shuffled with that seed. V2 is built and trained after keras.utils.set_random_seed(seed), as the
notebook does with seed 1.
"""
from __future__ import annotations

import time

from emojify_setup import parse_args, solution


def main() -> None:
    args = parse_args(__doc__)

    import contextlib
    import io

    import keras
    import numpy as np

    ns = solution()
    X_train, Y_train, X_test, Y_test = ns["X_train"], ns["Y_train"], ns["X_test"], ns["Y_test"]
    word_to_vec_map, word_to_index, max_len = ns["word_to_vec_map"], ns["word_to_index"], ns["maxLen"]
    accuracy, convert_to_one_hot = ns["accuracy"], ns["convert_to_one_hot"]

    def v1_test_accuracy(X, Y):
        with contextlib.redirect_stdout(io.StringIO()):
            _, W, b = ns["model"](X, Y, word_to_vec_map)
        avgs = np.array([ns["sentence_to_avg"](s, word_to_vec_map) for s in X_test])
        return accuracy(Y_test, np.argmax(avgs @ W.T + b, axis=1))

    print(f"{len(X_train)} training / {len(X_test)} test sentences, maxLen {max_len}; V2: {args.epochs} epochs, "
          f"batch {args.batch_size}, {args.cores} cores")
    print(f"V1, file order (the notebook): test accuracy {v1_test_accuracy(X_train, Y_train):.3f}")
    X_train_indices = ns["sentences_to_indices"](X_train, word_to_index, max_len)
    X_test_indices = ns["sentences_to_indices"](X_test, word_to_index, max_len)
    Y_train_oh = convert_to_one_hot(Y_train, C=5)
    rows = []
    for seed in args.seeds:
        order = np.random.default_rng(seed).permutation(len(X_train))
        v1 = v1_test_accuracy(X_train[order], Y_train[order])
        keras.utils.set_random_seed(seed)
        model_v2 = ns["Emojify_V2"]((max_len,), word_to_vec_map, word_to_index)
        model_v2.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
        start = time.perf_counter()
        model_v2.fit(X_train_indices, Y_train_oh, epochs=args.epochs, batch_size=args.batch_size, shuffle=True,
                     verbose=0)
        seconds = time.perf_counter() - start
        v2 = accuracy(Y_test, np.argmax(model_v2.predict(X_test_indices, verbose=0), axis=1))
        rows.append((v1, v2, seconds))
        print(f"seed {seed}: V1 (shuffled) {v1:.3f}   V2 {v2:.3f}   V2 training {seconds:.1f} s")
        del model_v2
        keras.backend.clear_session()
    v1s, v2s, secs = (np.array(c) for c in zip(*rows))
    print(f"V1 shuffled: mean {v1s.mean():.3f}, min {v1s.min():.3f}, max {v1s.max():.3f}")
    print(f"V2:          mean {v2s.mean():.3f}, min {v2s.min():.3f}, max {v2s.max():.3f}; "
          f"training {secs.mean():.1f} s on average (max {secs.max():.1f} s)")


if __name__ == "__main__":
    main()

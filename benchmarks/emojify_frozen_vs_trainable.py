"""Emojify (w2a2): Emojifier-V2 with a frozen GloVe embedding (the notebook's), with the padding masked, and with
a trainable embedding — test accuracy, accuracy on the test sentences with a word no training sentence has,
and training time.

    python benchmarks/emojify_frozen_vs_trainable.py [--seeds 0 1 2] [--epochs 50] [--batch-size 32] [--cores 2]

Uses the solution code of source/w2a2_emojify/emojify.ipynb and the notebook's settings (Adam, categorical
cross-entropy, 50 epochs, mini-batches of 32, keras.utils.set_random_seed(seed) before building each model; the
notebook uses seed 1). The three variants differ only in the Embedding layer:

    frozen      the notebook's Emojify_V2 as it is: the embedding has trainable=False
    masked      the same, its embedding masking index 0 (mask_zero=True): the LSTMs skip the padded steps
    trainable   the same, its embedding made trainable before compiling: training updates the rows of the words
                it sees (20 million more trainable weights: that is what makes it slower)

All three start from the same initial weights for a given seed.

The notebook (section 4.2) points at this script for the comparison; data/emojify/README.md gives its figures.
"""
from __future__ import annotations

import time

from emojify_setup import parse_args, solution

VARIANTS = ("frozen", "masked", "trainable")


def main() -> None:
    args = parse_args(__doc__, lambda p: p.add_argument("--variants", nargs="+", choices=VARIANTS,
                                                        default=list(VARIANTS)))

    import keras
    import numpy as np

    ns = solution()
    X_train, Y_train, X_test, Y_test = ns["X_train"], ns["Y_train"], ns["X_test"], ns["Y_test"]
    word_to_vec_map, word_to_index, max_len = ns["word_to_vec_map"], ns["word_to_index"], ns["maxLen"]
    accuracy, L = ns["accuracy"], keras.layers
    train_words = {w for s in X_train for w in s.lower().split()}
    unseen = np.array([bool(set(s.lower().split()) - train_words) for s in X_test])

    pretrained_embedding_layer = ns["pretrained_embedding_layer"]

    def masked_embedding_layer(word_to_vec_map, word_to_index):
        layer = pretrained_embedding_layer(word_to_vec_map, word_to_index)
        layer.mask_zero = layer.supports_masking = True  # as if created with mask_zero=True
        return layer

    def build(variant):
        """The notebook's Emojify_V2, with the embedding masked or made trainable; the same initial weights."""
        ns["pretrained_embedding_layer"] = masked_embedding_layer if variant == "masked" else pretrained_embedding_layer
        try:
            model = ns["Emojify_V2"]((max_len,), word_to_vec_map, word_to_index)
        finally:
            ns["pretrained_embedding_layer"] = pretrained_embedding_layer
        (embedding,) = [layer for layer in model.layers if isinstance(layer, L.Embedding)]
        embedding.trainable = variant == "trainable"
        return model

    X_train_indices = ns["sentences_to_indices"](X_train, word_to_index, max_len)
    X_test_indices = ns["sentences_to_indices"](X_test, word_to_index, max_len)
    Y_train_oh = ns["convert_to_one_hot"](Y_train, C=5)
    print(f"{len(X_train)} training / {len(X_test)} test sentences ({unseen.sum()} with a word no training "
          f"sentence has), maxLen {max_len}; {args.epochs} epochs, batch {args.batch_size}, {args.cores} cores")
    results = {v: [] for v in args.variants}
    for seed in args.seeds:
        for variant in args.variants:
            keras.utils.set_random_seed(seed)
            model = build(variant)
            model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
            start = time.perf_counter()
            model.fit(X_train_indices, Y_train_oh, epochs=args.epochs, batch_size=args.batch_size, shuffle=True,
                      verbose=0)
            seconds = time.perf_counter() - start
            pred = np.argmax(model.predict(X_test_indices, verbose=0), axis=1)
            row = (accuracy(Y_test, pred), accuracy(Y_test[unseen], pred[unseen]), seconds)
            results[variant].append(row)
            print(f"seed {seed} {variant:<9}: test accuracy {row[0]:.3f}, on the {unseen.sum()} sentences with an "
                  f"unseen word {row[1]:.3f}, training {seconds:.1f} s")
            del model
            keras.backend.clear_session()
    print()
    for variant, rows in results.items():
        acc, acc_unseen, secs = (np.array(c) for c in zip(*rows))
        print(f"{variant:<9}: test accuracy mean {acc.mean():.3f} (min {acc.min():.3f}, max {acc.max():.3f}); "
              f"unseen-word sentences {acc_unseen.mean():.3f}; training {secs.mean():.1f} s on average")


if __name__ == "__main__":
    main()

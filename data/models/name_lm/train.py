"""Train the character language model behind w3a1's beam-search demo and write ``parameters.npz``.

    python data/models/name_lm/train.py [--iterations 22001] [--out data/models/name_lm/parameters.npz]

It is the model of week 1 (w1a2, Dinosaur Island): a numpy RNN with 50 hidden units over the 27 characters
(the newline, which ends a name, and a-z), trained on the 1,437 names of ``data/dinosaurs/dinos.txt`` by the
instructor's reference of w1a2's graded ``model`` (``autograder.reference.w1a2_dinosaur_island.model``: names
shuffled with seed 0, one name per SGD step, learning rate 0.01, gradients clipped to [-5, 5], weights initialised
with seed 1). That reference is instructor-only, so students (who do not have ``autograder/reference/``) cannot run
this script; they get the weights it wrote. Deterministic: the same iterations give the same weights (up to BLAS
rounding on another machine).

It writes Wax (50, 27), Waa (50, 50), Wya (27, 50), b (50, 1) and by (27, 1) as float64, and prints the smoothed
training loss that ``model`` reports, the mean loss per name over the whole list with the final weights, and the
time taken (see README.md).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

import numpy as np  # noqa: E402

from week1.char_lm import PARAMETER_NAMES, build_vocabulary, load_names, parse_losses, rnn_forward  # noqa: E402


def mean_loss_per_name(parameters, names, char_to_ix) -> float:
    """The cross-entropy of each whole name (its letters and the ending newline), averaged over ``names``."""
    total = 0.0
    for name in names:
        X = [None] + [char_to_ix[ch] for ch in name]
        Y = X[1:] + [char_to_ix["\n"]]
        total += rnn_forward(X, Y, np.zeros((parameters["Waa"].shape[0], 1)), parameters)[0]
    return total / len(names)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=22001,
                        help="SGD steps, one name each (w1a2's notebook: 22001)")
    parser.add_argument("--out", type=Path, default=HERE / "parameters.npz")
    args = parser.parse_args(argv)

    from autograder.reference.w1a2_dinosaur_island import model  # instructor-only

    names = load_names()
    char_to_ix, ix_to_char = build_vocabulary(names)
    state = np.random.get_state()
    start = time.perf_counter()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        parameters, _ = model(names, ix_to_char, char_to_ix, num_iterations=args.iterations)
    seconds = time.perf_counter() - start
    np.random.set_state(state)
    iterations, losses = parse_losses(printed.getvalue())
    np.savez(args.out, **{name: np.asarray(parameters[name], dtype=np.float64) for name in PARAMETER_NAMES})
    print(f"{args.iterations} iterations in {seconds:.1f} s; smoothed loss at iteration {iterations[-1]}: "
          f"{losses[-1]:.4f}; mean loss per name over the {len(names)} names: "
          f"{mean_loss_per_name(parameters, names, char_to_ix):.4f}; wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

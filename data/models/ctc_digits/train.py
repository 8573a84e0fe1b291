"""Train the CTC digit recogniser the w3a3 notebook loads: ``weights.npz``, ``metrics.json`` and ``README.md`` here.

    python data/models/ctc_digits/train.py [--minutes 18] [--batch 32] [--learning-rate 0.002] [--seed 0]
                                           [--init WEIGHTS]
    python data/models/ctc_digits/train.py --evaluate-only   # measure the saved weights again

The model is the notebook's, ``build_recognizer((None, 40), 11)``, from the instructor's reference
(``autograder.reference.w3a3_ctc``, which students do not have: this script runs in the instructor's course only).
It trains on every utterance of ``data/digits/train.npz`` with ``week3.digits.train_ctc`` (CTC loss, Adam,
batches of similar length, frequency warps and SpecAugment-style masks) one epoch at a time, with the learning
rate held for the first half of the time budget and then lowered along a cosine to a tenth, for as many whole
epochs as fit in ``--minutes``. Then it measures on the dev utterances (voices never used for training) with the
reference's ``greedy_decode``, ``prefix_beam_search`` (beam width 8) and ``edit_distance``. The weights are saved
layer by layer in model order, as ``week3.digits.load_pretrained`` reads them. ``--init`` continues from saved weights;
``metrics.json`` then records the runs before it.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

import numpy as np  # noqa: E402

BEAM_WIDTH = 8
SUBSET = 60          # the tests recompute the greedy figures on the first SUBSET dev utterances


def error_rates(references: list, hypotheses: list, edit_distance) -> dict:
    """Digit error rate (edit distance between the digit sequences over the reference digits), character error
    rate of the transcripts (labels_text of both, edit distance over characters, spaces included, over the
    reference characters), word error rate (over words: each word is one digit, so it equals the digit error rate
    here) and sentence accuracy (the share of utterances decoded exactly)."""
    from week3.digits import labels_text

    digit_errors = sum(edit_distance(list(r), list(h)) for r, h in zip(references, hypotheses))
    digits = sum(len(r) for r in references)
    ref_text = [labels_text(r) for r in references]
    hyp_text = [labels_text(h) if len(h) else "" for h in hypotheses]
    char_errors = sum(edit_distance(r, h) for r, h in zip(ref_text, hyp_text))
    chars = sum(len(r) for r in ref_text)
    word_errors = sum(edit_distance(r.split(), h.split()) for r, h in zip(ref_text, hyp_text))
    words = sum(len(r.split()) for r in ref_text)
    exact = sum(list(r) == list(h) for r, h in zip(references, hypotheses))
    return {"digit error rate": round(digit_errors / digits, 4), "character error rate": round(char_errors / chars, 4),
            "word error rate": round(word_errors / words, 4), "sentence accuracy": round(exact / len(references), 4),
            "digit errors": int(digit_errors), "digits": int(digits), "utterances": len(references),
            "exact": int(exact)}


def evaluate(model, features, labels, info, reference, beam: bool = True) -> dict:
    """Dev metrics of greedy decoding and (if ``beam``) prefix beam search, overall and greedy per synthesiser."""
    from week3.digits import predict_log_probs

    log_probs = predict_log_probs(model, features)
    refs = [[int(k) for k in l] for l in labels]
    greedy = [reference.greedy_decode(lp) for lp in log_probs]
    out = {"greedy": error_rates(refs, greedy, reference.edit_distance)}
    if beam:
        beams = [list(reference.prefix_beam_search(lp, BEAM_WIDTH)[0]) for lp in log_probs]
        out[f"beam {BEAM_WIDTH}"] = error_rates(refs, beams, reference.edit_distance)
    groups = defaultdict(list)
    for i, d in enumerate(info):
        groups[d["synthesiser"] if d["synthesiser"] != "espeak-ng" else "espeak-ng"].append(i)
    out["greedy by synthesiser"] = {
        name: error_rates([refs[i] for i in idx], [greedy[i] for i in idx], reference.edit_distance)
        ["digit error rate"] for name, idx in sorted(groups.items())}
    by_voice = defaultdict(list)
    for i, d in enumerate(info):
        by_voice[d["voice"]].append(i)
    out["greedy by voice"] = {
        name: error_rates([refs[i] for i in idx], [greedy[i] for i in idx], reference.edit_distance)
        ["digit error rate"] for name, idx in sorted(by_voice.items())}
    return out


def dev_figures(model, features, labels, info, reference) -> dict:
    """metrics.json's dev sections: "dev" (all dev utterances), "dev by voice" (greedy digit error rate of each
    voice) and "dev first 60" (greedy, on the first SUBSET dev utterances, which the tests recompute)."""
    dev = evaluate(model, features, labels, info, reference)
    first = evaluate(model, features[:SUBSET], labels[:SUBSET], info[:SUBSET], reference, beam=False)
    return {"dev": {k: v for k, v in dev.items() if k != "greedy by voice"}, "dev by voice": dev["greedy by voice"],
            f"dev first {SUBSET}": first["greedy"]}


def all_blank_loss(labels, frames, reference, n: int = 100) -> float:
    """The plateau a fresh model falls to first: the mean CTC loss (the reference's ``ctc_forward``, on the first
    ``n`` utterances) of the best output that ignores the input, the blank with probability p and each digit
    (1 - p) / 10 at every frame, over a grid of p. A reference line for the loss curve."""
    from week3.digits import output_frames

    best = math.inf
    for p in np.linspace(0.5, 0.98, 25):
        row = np.log(np.array([p] + [(1 - p) / 10] * 10))
        losses = [reference.ctc_forward(np.tile(row, (int(t), 1)), l)[1]
                  for l, t in zip(labels[:n], output_frames(np.asarray(frames[:n])))]
        best = min(best, float(np.mean(losses)))
    return best


def package_versions() -> dict:
    import keras
    import tensorflow as tf

    return {"python": platform.python_version(), "numpy": np.__version__, "tensorflow": tf.__version__,
            "keras": keras.__version__}


def _wrap(text: str, width: int = 118) -> str:
    """Markdown with its prose paragraphs re-wrapped at ``width`` (headings, tables and code kept as they are)."""
    import textwrap

    blocks = []
    for block in text.strip("\n").split("\n\n"):
        if block.startswith(("#", "|", "    ")):
            blocks.append(block)
        else:
            blocks.append(textwrap.fill(" ".join(block.split()), width, break_on_hyphens=False,
                                        break_long_words=False))
    return "\n\n".join(blocks) + "\n"


def write_readme(out: Path, m: dict):
    g, b = m["dev"]["greedy"], m["dev"][f"beam {BEAM_WIDTH}"]
    rows = "\n".join(f"| {name} | {g[key]:.3f} | {b[key]:.3f} |" for name, key in (
        ("digit error rate", "digit error rate"), ("character error rate (transcript text)", "character error rate"),
        ("word error rate (a word is a digit)", "word error rate"), ("sentence accuracy", "sentence accuracy")))
    by_synth = ", ".join(f"{k} {v:.3f}" for k, v in m["dev"]["greedy by synthesiser"].items())
    earlier = ""
    if m["earlier runs"]:
        earlier = (f" It continued from earlier weights ({len(m['earlier runs'])} earlier run(s), recorded in "
                   "`metrics.json`).")
    text = f"""# CTC digit recogniser (w3a3, Speech to digits with CTC)

`weights.npz` holds the trained weights of the notebook's recogniser, `build_recognizer((None, 40), 11)`:
{m['parameters']:,} parameters (Conv1D(128, 11, stride 2) -> BatchNormalization -> ReLU -> Dropout(0.2) ->
Bidirectional(GRU(128)) twice -> Dense(11) logits; class 0 is the CTC blank, digit d is class d + 1). They are stored
layer by layer in the model's order, so they load into the model of any correct `build_recognizer`
(`week3.digits.load_pretrained`). `metrics.json` records the run.

## How it was made

    {m['command']}

The script builds the model with the instructor's reference (`autograder.reference.w3a3_ctc`, which students do not
have, so the student distribution leaves the script out) and trains it on the {m['train utterances']:,} training
utterances of `data/digits/train.npz` with `week3.digits.train_ctc`: CTC loss (`keras.ops.ctc_loss`), Adam with
gradient norms clipped at 5, batches of {m['batch_size']} utterances of similar length, augmented inputs (each
utterance's frequency axis scaled by 0.87-1.2, SpecAugment-style time and frequency masks, gain changes), learning
rate {m['learning_rate']} for the first half of the
{m['minutes']:g}-minute budget and then lowered along a cosine to a tenth. It ran {m['epochs']} epochs in
{m['train_seconds'] / 60:.1f} minutes on {m['cpu_count']} CPU cores (TensorFlow {m['packages']['tensorflow']},
Keras {m['packages']['keras']}, seed {m['seed']}).{earlier} The mean training loss (augmented, dropout on) fell
from {m['history'][0]:.2f} in the first epoch to {m['history'][-1]:.3f} in the last; the loss of the all-blank
plateau (the best output that ignores the input) is about {m['all-blank loss']:.1f} on these utterances.

## What it reaches

On the {g['utterances']} dev utterances (`data/digits/dev.npz`: {g['digits']:,} digits, voices never used for
training), decoded with the reference's `greedy_decode` and `prefix_beam_search` (beam width {BEAM_WIDTH}):

| measure | greedy | beam {BEAM_WIDTH} |
|---|---|---|
{rows}

The digit error rate is the edit distance between the decoded and the true digit sequences, summed over the
utterances, over the number of true digits; the character error rate is the same over the characters of the
transcripts (`labels_text`, spaces included); every word is a digit, so the word error rate equals the digit
error rate. Greedy digit error rate per synthesiser: {by_synth}; per voice in `metrics.json` (`dev by voice`). On
the first {SUBSET} dev utterances alone (what `tests/test_w3a3_training.py` recomputes) the greedy digit error rate
is {m[f"dev first {SUBSET}"]["digit error rate"]:.3f}. The goal was a greedy digit error rate of at most 0.10 on the
dev voices; evaluating took {m['evaluate_seconds']:.0f} s (the beam search is the reference's plain Python).
"""
    (out / "README.md").write_text(_wrap(text))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=18.0)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--learning-rate", type=float, default=0.002)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--init", type=Path, help="start from these weights (and the metrics.json next to them)")
    parser.add_argument("--evaluate-only", action="store_true", help="only measure the saved weights of --out on "
                        "the dev set again (metrics.json's dev figures and README.md are rewritten)")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from autograder.reference import w3a3_ctc as reference
    from week3.digits import N_CLASSES, N_MELS, load_pretrained, load_split, model_inputs, train_ctc
    from week3.layer_weights import save_weights

    keras.utils.set_random_seed(args.seed)
    dev_features, dev_labels, dev_info = load_split("dev")
    if args.evaluate_only:
        model = reference.build_recognizer((None, N_MELS), N_CLASSES)
        metrics = load_pretrained(model, args.out / "weights.npz")
        t0 = time.time()
        metrics.update(dev_figures(model, dev_features, dev_labels, dev_info, reference))
        metrics["evaluate_seconds"] = round(time.time() - t0, 1)
        (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
        write_readme(args.out, metrics)
        print(json.dumps(metrics["dev"], indent=1))
        return 0
    features, labels, _ = load_split("train")
    x, frames = model_inputs(features)
    model = reference.build_recognizer((None, N_MELS), N_CLASSES)
    earlier = []
    if args.init:
        previous = load_pretrained(model, args.init)
        earlier = previous.get("earlier runs", []) + [{k: v for k, v in previous.items()
                                                       if k not in ("earlier runs", "dev by voice")}]
    budget = args.minutes * 60
    start, history, epoch_seconds = time.time(), [], []
    while True:
        elapsed = time.time() - start
        fraction = elapsed / budget
        lr = args.learning_rate if fraction < 0.5 else args.learning_rate * (
            0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, (fraction - 0.5) / 0.5))))
        t0 = time.time()
        loss = train_ctc(model, x, frames, labels, epochs=1, batch_size=args.batch, learning_rate=lr,
                         seed=args.seed * 1000 + len(history), augment=True)[0]
        history.append(round(loss, 4))
        epoch_seconds.append(time.time() - t0)
        elapsed = time.time() - start
        print(f"epoch {len(history)}: loss {loss:.4f}, learning rate {lr:.5f} ({elapsed:.0f} s)", flush=True)
        if elapsed + np.mean(epoch_seconds[-3:]) > budget:
            break
    seconds = time.time() - start
    args.out.mkdir(parents=True, exist_ok=True)
    save_weights(args.out / "weights.npz", model)
    t0 = time.time()
    dev = dev_figures(model, dev_features, dev_labels, dev_info, reference)
    metrics = {"command": " ".join(["python data/models/ctc_digits/train.py",
                                    *(argv if argv is not None else sys.argv[1:])]),
               "train utterances": len(features), "epochs": len(history), "batch_size": args.batch,
               "learning_rate": args.learning_rate, "schedule": "constant for the first half of the budget, then "
               "cosine to a tenth", "augment": True, "minutes": args.minutes, "seed": args.seed,
               "train_seconds": round(seconds, 1), "evaluate_seconds": round(time.time() - t0, 1),
               "cpu_count": os.cpu_count(), "parameters": model.count_params(), "packages": package_versions(),
               "all-blank loss": round(all_blank_loss(labels, frames, reference), 2), "history": history,
               **dev, "earlier runs": earlier}
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    write_readme(args.out, metrics)
    print(json.dumps({k: v for k, v in metrics.items() if k not in ("history", "dev by voice")}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Train the trigger word detector the w3a2 notebook loads: ``weights.npz`` and ``metrics.json`` here.

    python data/models/trigger_word/train.py [--minutes 60] [--examples 1000] [--seed 0] [--init WEIGHTS]
    python data/models/trigger_word/train.py --resume            # go on where the last run stopped
    python data/models/trigger_word/train.py --evaluate-only     # only choose the settings and measure

The model is the notebook's, ``modelf((5511, 101))`` from the instructor's reference (``autograder.reference``,
which students do not have: this script runs in the instructor's course only). Training goes in rounds: each round
makes ``--examples`` new 10 s examples from the training clips of ``data/trigger_word/train/`` (``make_example``:
what ``create_training_example`` makes, with each word played faster or slower and louder or softer, and the
background and the whole clip at a random level), trains one epoch on them with Adam and the binary cross-entropy
of every output step, and saves a checkpoint (``checkpoint/``: the model with its optimizer state, and the round
reached), so that ``--resume`` goes on from the last whole round with the same examples it would have made. Rounds
go on while another fits in ``--minutes``.

Then the detection settings are chosen on the validation clips (``data/trigger_word/val/``: voices and backgrounds
used neither for training nor for dev): the threshold and refractory period of ``week3.audio.detections`` with the
best event F1 there. The dev clips (voices and backgrounds never used for training or choosing) are measured with
those settings: frame accuracy and event-level precision, recall and F1, in all and per synthesiser. The weights are
saved layer by layer in the model's order, as ``week3.trigger.load_pretrained`` reads them.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent.parent))

import numpy as np  # noqa: E402

THRESHOLDS = [round(t, 2) for t in np.arange(0.1, 0.96, 0.05)]
REFRACTORY = [50, 75, 100, 125, 150]
WORD_SPEED = (0.85, 1.3)       # each inserted word is played this much faster or slower (pitch and formants too:
                               # 1.3 takes a male voice's formants and length near a fast female voice's)
WORD_GAIN_DB = (-5.0, 3.0)     # and made this much louder or softer
BACKGROUND_DB = (-26.0, -14.0)  # the background's gain before the words go in (create_training_example: -20)
CLIP_DBFS = (-26.0, -17.0)     # the whole clip's loudness (create_training_example: -20)
FREQ_WARP = (0.9, 1.2)         # half of the examples: every frequency times this factor in the spectrogram (a
FREQ_WARP_P = 0.5              # shorter or longer vocal tract, with the length and the timing kept)


def warp_frequencies(x, factor):
    """x (steps, N_FREQ) with every frequency f moved to f * factor (linear interpolation between the bins; above
    the top bin the top bin's value)."""
    bins = np.arange(x.shape[1], dtype=np.float64)
    source = bins / factor
    low = np.minimum(np.floor(source).astype(int), x.shape[1] - 1)
    high = np.minimum(low + 1, x.shape[1] - 1)
    w = np.clip(source - low, 0.0, 1.0).astype(x.dtype)
    return x[:, low] * (1 - w) + x[:, high] * w


def make_example(rng, background, activates, negatives):
    """(x (TX, N_FREQ), y (TY,), activate ends in ms) of one augmented 10 s example: 0-4 "activate"s and 0-2
    negatives at random non-overlapping positions in the background."""
    from week3.audio import CLIP_MS, RATE, spectrogram, unclipped_level
    from week3.trigger import frame_labels

    def varied(word):
        speed = rng.uniform(*WORD_SPEED)
        played = word._spawn(word.raw_data, overrides={"frame_rate": int(RATE * speed)}).set_frame_rate(RATE)
        return played.apply_gain(rng.uniform(*WORD_GAIN_DB))

    clip = background.apply_gain(rng.uniform(*BACKGROUND_DB))
    words = ([(True, activates[i]) for i in rng.choice(len(activates), rng.integers(0, 5), replace=False)]
             + [(False, negatives[i]) for i in rng.choice(len(negatives), rng.integers(0, 3), replace=False)])
    taken, ends = [], []
    for is_activate, word in (words[i] for i in rng.permutation(len(words))):
        word = varied(word)
        for _ in range(50):
            start = int(rng.integers(0, CLIP_MS - len(word)))
            end = start + len(word) - 1
            if all(end < a or start > b for a, b in taken):
                taken.append((start, end))
                clip = clip.overlay(word, position=start)
                if is_activate:
                    ends.append(end)
                break
    clip = unclipped_level(clip, rng.uniform(*CLIP_DBFS))
    x = spectrogram(clip).T.astype(np.float32)
    if rng.random() < FREQ_WARP_P:
        x = warp_frequencies(x, rng.uniform(*FREQ_WARP))
    return x, frame_labels(ends), sorted(ends)


def make_round(seed: int, round_: int, n: int, clips):
    """The examples of one round: the same (seed, round) always gives the same examples."""
    from week3.audio import TX, TY, N_FREQ

    activates, negatives, backgrounds = clips
    rng = np.random.default_rng([seed, round_])
    X = np.zeros((n, TX, N_FREQ), dtype=np.float32)
    Y = np.zeros((n, TY, 1), dtype=np.float32)
    for i in range(n):
        X[i], Y[i, :, 0], _ = make_example(rng, backgrounds[int(rng.integers(len(backgrounds)))], activates,
                                           negatives)
    return X, Y


_CLIPS = None


def _load_clips():
    global _CLIPS
    from week3.audio import load_raw_audio
    _CLIPS = load_raw_audio("train")


def _make_round_here(seed: int, round_: int, n: int, folder: str) -> str:
    """Make a round's examples and write them to an .npz file in ``folder`` (read when the round starts, so the
    training process holds one round's examples at a time); returns its path."""
    X, Y = make_round(seed, round_, n, _CLIPS)
    path = Path(folder) / f"round_{round_}.npz"
    np.savez(path, X=X, Y=Y)
    return str(path)


def _take_round(future):
    path = Path(future.result())
    with np.load(path) as arrays:
        X, Y = arrays["X"], arrays["Y"]
    path.unlink()
    return X, Y


def recall_by(probs, dev, threshold, refractory, key, split="dev"):
    """Recall of the "activate"s of each synthesiser (``key="synthesiser"``) or voice (``key="voice"``, named
    ``<synthesiser> <voice>``), from the recipes and the manifest."""
    from checks.paths import data_path
    from week3.audio import CLIP_MS, TY, detections, heard_in_time

    recipes = json.loads(data_path("trigger_word", split, "recipes.json").read_text())
    manifest = {e["file"]: e for e in json.loads(data_path("trigger_word", "manifest.json").read_text())["files"]}
    hit, total = {}, {}
    for recipe, (_, ends), p in zip(recipes, dev, probs):
        fired = [s * CLIP_MS / TY for s in detections(p, threshold, refractory)]
        inserts = sorted((i for i in recipe["inserts"] if i["clip"].startswith("activates/")),
                         key=lambda i: i["position_ms"])
        for insert, end in zip(inserts, ends):
            entry = manifest[f"{split}/{insert['clip']}"]
            name = entry["synthesiser"] if key == "synthesiser" else f"{entry['synthesiser']} {entry['voice']}"
            total[name] = total.get(name, 0) + 1
            hit[name] = hit.get(name, 0) + any(heard_in_time(f, end) for f in fired)
    return {s: {"activates": total[s], "recall": round(hit[s] / total[s], 4)} for s in sorted(total)}


def choose_and_measure(model) -> dict:
    """Choose the threshold and refractory period on the validation clips, then measure the dev clips."""
    from week3.audio import detections, event_metrics, load_dev
    from week3.trigger import dev_metrics, predict_clips

    val = load_dev("val")
    val_probs = predict_clips(model, [c for c, _ in val])
    grid = []
    for threshold in THRESHOLDS:
        for refractory in REFRACTORY:
            m = event_metrics([detections(p, threshold, refractory) for p in val_probs], [e for _, e in val])
            grid.append((round(m["f1"], 4), -abs(threshold - 0.5), threshold, refractory))
    f1, _, threshold, refractory = max(grid)
    dev = load_dev()
    dev_probs = predict_clips(model, [c for c, _ in dev])
    return {"validation": {"clips": len(val), "activates": int(sum(len(e) for _, e in val)), "f1": f1,
                           "threshold": threshold, "refractory": refractory,
                           "grid": {"thresholds": THRESHOLDS, "refractory": REFRACTORY}},
            "dev": {**dev_metrics(model, threshold, refractory, dev, dev_probs),
                    "recall by synthesiser": recall_by(dev_probs, dev, threshold, refractory, "synthesiser"),
                    "recall by voice": recall_by(dev_probs, dev, threshold, refractory, "voice")},
            "dev at 0.5 / 75": dev_metrics(model, 0.5, 75, dev, dev_probs)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="new examples per round (one epoch each)")
    parser.add_argument("--minutes", type=float, default=60.0)
    parser.add_argument("--batch", type=int, help="examples per batch (default 32; with --resume: from now on)")
    parser.add_argument("--learning-rate", type=float, help="Adam's (default 0.001; with --resume: from now on)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--checkpoint", type=Path, default=HERE / "checkpoint")
    parser.add_argument("--init", type=Path, help="start from these weights (and the metrics.json next to them)")
    parser.add_argument("--resume", action="store_true", help="go on from the checkpoint of the last run")
    parser.add_argument("--evaluate-only", action="store_true", help="no training: choose settings and measure")
    args = parser.parse_args(argv)

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    from autograder.reference import w3a2_trigger_word as reference
    from week3.audio import TX, N_FREQ
    from week3.layer_weights import save_weights
    from week3.trigger import load_pretrained

    keras.utils.set_random_seed(args.seed)
    model = reference.modelf((TX, N_FREQ))
    state_file = args.checkpoint / "state.json"
    if args.resume or args.evaluate_only:
        if not state_file.exists():
            sys.exit(f"no checkpoint in {args.checkpoint}: start a run without --resume first")
        state = json.loads(state_file.read_text())
        model = keras.models.load_model(args.checkpoint / "model.keras", compile=not args.evaluate_only)
        changed = {k: v for k, v in (("batch_size", args.batch), ("learning_rate", args.learning_rate)) if v}
        if changed and not args.evaluate_only:   # recorded with the round they start from
            state.setdefault("changes", []).append({"from round": len(state["rounds"]) + 1, **changed})
            state.update(changed)
            model.optimizer.learning_rate.assign(state["learning_rate"])
    else:
        earlier = []
        if args.init:
            previous = load_pretrained(model, args.init)
            earlier = previous.get("earlier runs", []) + [{k: v for k, v in previous.items() if k != "earlier runs"}]
        state = {"seed": args.seed, "examples": args.examples, "batch_size": args.batch or 32,
                 "learning_rate": args.learning_rate or 0.001, "rounds": [], "earlier runs": earlier,
                 "commands": []}
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=state["learning_rate"]),
                      loss="binary_crossentropy", metrics=["accuracy"], jit_compile=False)
    state["commands"].append(" ".join(["python data/models/trigger_word/train.py",
                                       *(argv if argv is not None else sys.argv[1:])]))
    start = time.time()
    # the examples of the next round are made in another process while this one trains on the current round's
    if not args.evaluate_only:
        maker = concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"),
                                                       initializer=_load_clips)
        args.checkpoint.mkdir(parents=True, exist_ok=True)
        upcoming = maker.submit(_make_round_here, state["seed"], len(state["rounds"]), state["examples"],
                                str(args.checkpoint))
    while not args.evaluate_only:
        rounds = state["rounds"]
        per_round = (sum(r["seconds"] for r in rounds[-3:]) / len(rounds[-3:])) if rounds else 0
        if time.time() - start + per_round > args.minutes * 60:
            break
        t0 = time.time()
        X, Y = _take_round(upcoming)
        made = time.time() - t0   # the wait for the examples, not the time spent making them
        upcoming = maker.submit(_make_round_here, state["seed"], len(rounds) + 1, state["examples"],
                                str(args.checkpoint))
        history = model.fit(X, Y, batch_size=state["batch_size"], epochs=1, shuffle=True, verbose=0).history
        del X, Y
        rounds.append({"round": len(rounds) + 1, **{k: round(float(v[-1]), 4) for k, v in history.items()},
                       "wait_seconds": round(made, 1), "seconds": round(time.time() - t0, 1)})
        # written whole, then renamed: a run stopped while saving leaves the last checkpoint as it was
        args.checkpoint.mkdir(parents=True, exist_ok=True)
        model.save(args.checkpoint / "model.new.keras")
        (args.checkpoint / "state.new.json").write_text(json.dumps(state, indent=1) + "\n")
        os.replace(args.checkpoint / "model.new.keras", args.checkpoint / "model.keras")
        os.replace(args.checkpoint / "state.new.json", state_file)
        print(f"round {len(rounds)}: {rounds[-1]}", flush=True)
    if not args.evaluate_only:
        for process in list(getattr(maker, "_processes", {}).values()):   # a round being made that is not needed
            process.terminate()
        maker.shutdown(wait=False, cancel_futures=True)

    measured = choose_and_measure(model)
    rounds = state["rounds"]
    metrics = {"commands": state["commands"], "examples per round": state["examples"], "rounds": len(rounds),
               "examples seen": state["examples"] * len(rounds), "batch_size": state["batch_size"],
               "learning_rate": state["learning_rate"], "changes": state.get("changes", []), "seed": state["seed"],
               "keras": keras.__version__,
               "train_seconds": round(sum(r["seconds"] for r in rounds), 1), "parameters": model.count_params(),
               "augmentation": {"word speed": WORD_SPEED, "word gain dB": WORD_GAIN_DB,
                                "background gain dB": BACKGROUND_DB, "clip dBFS": CLIP_DBFS,
                                "frequency warp": FREQ_WARP, "frequency warp share": FREQ_WARP_P},
               "history": rounds, "earlier runs": state["earlier runs"], **measured}
    args.out.mkdir(parents=True, exist_ok=True)
    save_weights(args.out / "weights.npz", model)
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=1) + "\n")
    print(json.dumps({k: v for k, v in metrics.items() if k != "history"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

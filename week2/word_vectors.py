"""Helpers of the word-vectors notebook that are not the lesson: 2-D maps (PCA, t-SNE), bias bar charts,
an analogy evaluation that scores any analogy solver on the project's questions, and the stored results of
3CosAdd, the solver the notebook compares yours with (written by the instructor script ``data/analogies/baseline.py``).

The analogy questions live in ``data/analogies/questions.txt`` (see its README): one question
"a is to b as c is to d" per line, grouped under ``: relation`` headers.  Every word in it is among the
:data:`ANALOGY_VOCAB_SIZE` most frequent GloVe words, the candidate vocabulary the evaluation searches.
"""
from __future__ import annotations

import json
import time
from typing import Callable, NamedTuple

import matplotlib.pyplot as plt
import numpy as np

from checks.paths import data_path

#: Analogy answers are searched among this many most frequent GloVe words (GloVe rows are in frequency order).
ANALOGY_VOCAB_SIZE = 20_000


class Analogy(NamedTuple):
    """One question: ``a`` is to ``b`` as ``c`` is to ``d`` (``d`` is the answer)."""
    relation: str
    a: str
    b: str
    c: str
    d: str


def load_analogies(path=None) -> list[Analogy]:
    """The analogy questions of ``path`` (default: the course's ``data/analogies/questions.txt``), in file order."""
    path = path or data_path("analogies", "questions.txt")
    questions, relation = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith(":"):
                relation = line[1:].strip()
                continue
            words = line.lower().split()
            if relation is None or len(words) != 4:
                raise ValueError(f"{path}, line {n}: expected four words under a ': relation' header, got {line!r}")
            questions.append(Analogy(relation, *words))
    return questions


def evaluate_analogies(solver: Callable, word_to_vec_map, questions: list[Analogy] | None = None) -> dict:
    """Score an analogy solver, per relation type.

    solver -- any callable with the signature of ``complete_analogy(word_a, word_b, word_c, word_to_vec_map)``
              returning the predicted word (a str)
    word_to_vec_map -- the candidate vocabulary passed to the solver (e.g. the 20,000 most frequent words)
    questions -- list of :class:`Analogy`; default: :func:`load_analogies`
    Returns {relation: {"correct": int, "total": int, "accuracy": float, "wrong": [(question, answer)]}},
    relations in file order, plus the key "all" over every question and "seconds" (time spent in the solver).
    Errors raised by the solver propagate (an unfinished solver stops the evaluation).
    """
    questions = load_analogies() if questions is None else questions
    results: dict = {}
    start = time.perf_counter()
    for q in questions:
        answer = solver(q.a, q.b, q.c, word_to_vec_map)
        for key in (q.relation, "all"):
            r = results.setdefault(key, {"correct": 0, "total": 0, "wrong": []})
            r["total"] += 1
            if answer == q.d:
                r["correct"] += 1
            else:
                r["wrong"].append((q, answer))
    seconds = time.perf_counter() - start
    if "all" in results:
        results["all"] = results.pop("all")  # last, after the relations
    for r in results.values():
        r["accuracy"] = r["correct"] / r["total"]
    results["seconds"] = seconds
    return results


#: The stored results of 3CosAdd, the analogy solver the notebook compares with (see data/analogies/README.md).
BASELINE_FILE = "baseline_3cosadd.json"


def analogy_results_to_json(results: dict, **about) -> dict:
    """A JSON-ready form of :func:`evaluate_analogies` results (without the timing), with ``about`` (what was run).

    Per relation: correct, total, and every wrong answer as [a, b, c, d, the solver's answer].
    """
    relations = {relation: {"correct": r["correct"], "total": r["total"],
                            "wrong": [[q.a, q.b, q.c, q.d, answer] for q, answer in r["wrong"]]}
                 for relation, r in results.items() if relation not in ("all", "seconds")}
    return {**about, "relations": relations}


def load_analogy_results(path=None) -> dict:
    """Stored analogy results (default: 3CosAdd's, ``data/analogies/baseline_3cosadd.json``), in the form that
    :func:`evaluate_analogies` returns and :func:`print_analogy_report` prints (no "seconds": nothing was timed).

    The file holds what ``data/analogies/baseline.py`` wrote; its other keys (the solver, the vectors, the
    vocabulary size) come back under "about".
    """
    path = path or data_path("analogies", BASELINE_FILE)
    with open(path, encoding="utf-8") as f:
        stored = json.load(f)
    results: dict = {}
    total = {"correct": 0, "total": 0, "wrong": []}
    for relation, r in stored.pop("relations").items():
        wrong = [(Analogy(relation, a, b, c, d), answer) for a, b, c, d, answer in r["wrong"]]
        results[relation] = {"correct": r["correct"], "total": r["total"], "wrong": wrong,
                             "accuracy": r["correct"] / r["total"]}
        total = {"correct": total["correct"] + r["correct"], "total": total["total"] + r["total"],
                 "wrong": total["wrong"] + wrong}
    results["all"] = total | {"accuracy": total["correct"] / total["total"]}
    results["about"] = stored
    return results


def print_analogy_report(results: dict, examples: int = 1) -> None:
    """A table of :func:`evaluate_analogies` results, with up to ``examples`` wrong answers per relation."""
    print(f"{'relation':<24} {'correct':>8} {'accuracy':>9}   e.g. wrong")
    for relation, r in results.items():
        if relation in ("seconds", "about"):
            continue
        shown = "; ".join(f"{q.a}:{q.b} :: {q.c}:{answer} (not {q.d})" for q, answer in r["wrong"][:examples])
        if relation == "all":
            shown = ""
        print(f"{relation:<24} {r['correct']:>3}/{r['total']:<4} {r['accuracy']:>9.0%}   {shown}")
    if "seconds" in results:
        print(f"({results['seconds']:.2f} s in the solver)")


# ---------------------------------------------------------------------------- 2-D maps


def pca_2d(X: np.ndarray) -> np.ndarray:
    """Project the rows of X (n, d) on their two principal directions: (n, 2). Signs fixed for reproducibility."""
    Xc = X - X.mean(axis=0)
    _, _, Vt = np.linalg.svd(Xc, full_matrices=False)
    Y = Xc @ Vt[:2].T  # (n, 2)
    return Y * np.sign(Y[np.argmax(np.abs(Y), axis=0), [0, 1]])  # largest coordinate of each axis positive


def _affinities(D2: np.ndarray, perplexity: float, tol: float = 1e-5, steps: int = 100) -> np.ndarray:
    """Row-conditional Gaussian affinities p(j|i), with each row's width found by bisection to match the perplexity."""
    n = len(D2)
    P = np.zeros((n, n))
    target = np.log(perplexity)  # entropy (in nats) of the wanted distribution
    for i in range(n):
        d = np.delete(D2[i], i)
        d = d - d.min()  # shifting distances changes nothing after normalisation, and avoids underflow
        beta, lo, hi = 1.0, 0.0, np.inf  # beta = 1 / (2 sigma^2)
        for _ in range(steps):
            p = np.exp(-beta * d)
            s = p.sum()
            entropy = np.log(s) + beta * (d @ p) / s
            if abs(entropy - target) < tol:
                break
            if entropy > target:  # too flat: narrow the Gaussian
                lo, beta = beta, beta * 2 if hi == np.inf else (beta + hi) / 2
            else:
                hi, beta = beta, (beta + lo) / 2
        P[i, np.arange(n) != i] = p / s
    return P


def tsne_2d(X: np.ndarray, perplexity: float = 5.0, n_iter: int = 500, seed: int = 0,
            learning_rate: float = 50.0) -> np.ndarray:
    """Exact t-SNE (van der Maaten & Hinton, 2008) of the rows of X (n, d) into 2-D: (n, 2).

    O(n^2) per step, meant for a few dozen points. Deterministic for a given ``seed`` (initial layout).
    Gradient descent with momentum, per-coordinate gains and early exaggeration, as in the authors' code.
    """
    X = np.asarray(X, dtype=np.float64)
    n = len(X)
    sq = (X ** 2).sum(axis=1)
    D2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0)  # squared distances (n, n)
    P = _affinities(D2, min(perplexity, (n - 1) / 3))
    P = np.maximum((P + P.T) / (2 * n), 1e-12)  # symmetric joint probabilities
    Y = np.random.default_rng(seed).normal(scale=1e-4, size=(n, 2))
    update, gains = np.zeros_like(Y), np.ones_like(Y)
    for it in range(n_iter):
        exaggeration = 4.0 if it < 100 else 1.0  # pulls clusters together early on
        sq = (Y ** 2).sum(axis=1)
        num = 1.0 / (1.0 + sq[:, None] + sq[None, :] - 2 * Y @ Y.T)  # Student-t kernel (n, n)
        np.fill_diagonal(num, 0.0)
        Q = np.maximum(num / num.sum(), 1e-12)
        W = (exaggeration * P - Q) * num
        grad = 4 * (W.sum(axis=1)[:, None] * Y - W @ Y)  # dKL/dY (n, 2)
        same = np.sign(grad) == np.sign(update)
        gains = np.maximum(np.where(same, gains * 0.8, gains + 0.2), 0.01)
        update = (0.5 if it < 250 else 0.8) * update - learning_rate * gains * grad
        Y = Y + update
        Y -= Y.mean(axis=0)
    return Y


#: Iterations of adjustText's label placement in each map: a fixed number, so that the layout is the same on every
#: run (adjustText's default stops after a second of wall time, so its result would depend on the machine's speed).
LABEL_ITERATIONS = 50


def plot_word_maps(groups: dict[str, list[str]], word_to_vec_map, seed: int = 0):
    """PCA and t-SNE maps of the words of ``groups`` ({group name: words}) side by side; returns the figure.

    The vectors are scaled to unit length first, so both maps reflect cosine similarity rather than length.
    The labels are placed with adjustText so that they do not overlap one another or the points; a thin grey line
    joins a label that had to move away to its point. The placement is deterministic.
    """
    words = [w for ws in groups.values() for w in ws]
    X = np.array([word_to_vec_map[w] for w in words], dtype=np.float64)  # (n, n_e)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    maps = []
    for ax, (title, Y) in zip(axes, [("PCA (a linear projection)", pca_2d(X)),
                                      ("t-SNE (keeps neighbours together)", tsne_2d(X, seed=seed))]):
        start, texts = 0, []
        for name, ws in groups.items():
            pts = Y[start:start + len(ws)]
            ax.scatter(pts[:, 0], pts[:, 1], label=name, s=25)
            texts += [ax.text(x, y, w, fontsize=8) for w, (x, y) in zip(ws, pts)]
            start += len(ws)
        ax.margins(0.08)  # room at the edges for the labels pushed outwards
        ax.set_title(title)
        ax.set_xticks([])
        ax.set_yticks([])
        maps.append((ax, Y, texts))
    fig.tight_layout()  # first: the labels are placed in the axes as they will be drawn
    for ax, Y, texts in maps:
        place_labels(ax, texts, Y)
    axes[0].legend(loc="best", fontsize=8)  # last: "best" then avoids the labels where they are
    return fig


def place_labels(ax, texts, points, iterations: int = LABEL_ITERATIONS, min_line: float = 6.0) -> None:
    """Move the labels ``texts`` of ``points`` (n, 2) in data coordinates with adjustText, away from one another
    and from the points, and join each label that ends up farther than ``min_line`` points from its point to it with
    a thin grey line. Deterministic: a fixed number of ``iterations`` (adjustText's own "random" nudges of labels
    that sit exactly on one another are seeded)."""
    from adjustText import adjust_text

    if not texts:
        return
    points = np.asarray(points, dtype=np.float64)
    # no arrowprops: adjustText's arrows are clipped to the text's outline at every draw, which is slow; the
    # lines below go from the point to the edge of the label's box, and are computed once
    ax.autoscale(False)   # the limits stay as they are: the labels are placed in them, the lines must not move them
    adjust_text(texts, x=points[:, 0], y=points[:, 1], ax=ax, avoid_self=False, iter_lim=iterations, time_lim=None,
                prevent_crossings=False, force_text=(0.2, 0.4), expand=(1.1, 1.3))
    boxes = [text.get_window_extent() for text in texts]   # in display units, as drawn
    if any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:]):
        # in a dense cluster the points can keep pushing two labels into each other: a short pass among the
        # labels alone (nothing else moves them; it stops as soon as none overlaps)
        adjust_text(texts, ax=ax, avoid_self=False, iter_lim=iterations // 4, time_lim=None,
                    prevent_crossings=False, force_text=(0.2, 0.4), expand=(1.05, 1.1), force_explode=0,
                    force_pull=0)
    to_data = ax.transData.inverted()
    for text, point in zip(texts, points):
        box = text.get_window_extent()
        px, py = ax.transData.transform(point)
        nearest = np.clip([px, py], [box.x0, box.y0], [box.x1, box.y1])   # the box's point nearest the point
        if np.hypot(*(nearest - (px, py))) * 72 / ax.figure.dpi > min_line:
            end = to_data.transform(nearest)
            ax.plot([point[0], end[0]], [point[1], end[1]], color="grey", linewidth=0.5, zorder=1)


def plot_bias_bars(words: list[str], before, after=None, title: str = "", ax=None):
    """Horizontal bars of each word's cosine with the bias direction: ``before`` and, if given, ``after``."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.3 * len(words) + 1.2))
    y = np.arange(len(words))
    h = 0.4 if after is not None else 0.8
    ax.barh(y - (h / 2 if after is not None else 0), before, height=h, label="before", color="tab:orange")
    if after is not None:
        ax.barh(y + h / 2, after, height=h, label="after neutralize", color="tab:blue")
        ax.plot(after, y + h / 2, "|", color="tab:blue", markersize=8)  # visible even when the bar is ~0
        ax.legend(loc="lower right", fontsize=8)
    ax.set_yticks(y, words)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_xlabel("cosine similarity with g = woman - man  (< 0: male side, > 0: female side)")
    ax.set_title(title)
    return ax

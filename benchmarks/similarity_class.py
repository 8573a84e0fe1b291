"""How well the class report's similarity finds copies: precision and recall of flagged pairs on a synthetic class.

    .venv/bin/python benchmarks/similarity_class.py [--threshold T]

The class is five graded functions of w1a1 (rnn_cell_forward, rnn_forward, lstm_cell_forward, gru_cell_forward,
rnn_cell_backward), written into the release notebook's solution cells:

- **honest** students: each writes every function in one of several independent styles written here by hand
  (``@`` or ``np.dot`` or ``.dot``, intermediate names or one expression, loops over the examples or vectorised,
  another order of the independent lines); no two honest students have the same style in more than two functions;
- **copiers**: a classmate's code with every local name renamed, independent lines reordered and comments added;
  one of them copies three of the five functions only and writes the other two in their own style;
- **reference copiers**: the instructor's solution (``source/``, standing for the widely mirrored reference
  edition), renamed and reordered the same way.

A pair is a copy (should be flagged) when one copied the other, when one copied the reference edition and the other
is the reference edition, or when both copied the reference edition. Every other pair is honest. Printed, and
written to benchmarks/results/similarity.json.
"""
from __future__ import annotations

import argparse
import functools
import itertools
import json
import random
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from autograder import similarity  # noqa: E402
from benchmarks._results import write_result  # noqa: E402

AID = "w1a1_rnn_step_by_step"
NOTEBOOK = "rnn_step_by_step.ipynb"

# Per function, independent styles; each style is a list of blocks, one per "YOUR CODE HERE" of the release cell.
STYLES = {
    "rnn_cell_forward": [
        ["a_next = np.tanh(Waa @ a_prev + Wax @ xt + ba)", "yt_pred = softmax(Wya @ a_next + by)",
         "cache = (a_next, a_prev, xt, parameters)"],
        ["z = np.dot(Wax, xt) + np.dot(Waa, a_prev) + ba\na_next = np.tanh(z)",
         "logits = np.dot(Wya, a_next) + by\nyt_pred = softmax(logits)", "cache = a_next, a_prev, xt, parameters"],
        ["pre = Waa.dot(a_prev) + Wax.dot(xt)\npre += ba\na_next = np.tanh(pre)",
         "scores = Wya.dot(a_next)\nscores = scores + by\nyt_pred = softmax(scores)",
         "cache = tuple([a_next, a_prev, xt, parameters])"],
        ["a_next = np.zeros_like(a_prev)\nfor j in range(xt.shape[1]):\n"
         "    a_next[:, j] = np.tanh(Waa @ a_prev[:, j] + Wax @ xt[:, j] + ba[:, 0])",
         "yt_pred = softmax(np.matmul(Wya, a_next) + by)", "cache = (a_next, a_prev, xt, parameters)"],
    ],
    "rnn_forward": [
        ["a = np.zeros((n_a, m, T_x))\ny_pred = np.zeros((n_y, m, T_x))\na_next = a0",
         "a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)\na[:, :, t] = a_next\n"
         "y_pred[:, :, t] = yt_pred\ncaches.append(cache)"],
        ["a_next = a0.copy()\ny_pred = np.empty((n_y, m, T_x))\na = np.empty((n_a, m, T_x))",
         "xt = x[..., t]\nout = rnn_cell_forward(xt, a_next, parameters)\na_next = out[0]\na[..., t] = out[0]\n"
         "y_pred[..., t] = out[1]\ncaches += [out[2]]"],
        ["shape_a, shape_y = (n_a, m, T_x), (n_y, m, T_x)\na, y_pred = np.zeros(shape_a), np.zeros(shape_y)\n"
         "h = a0",
         "h, y_t, c_t = rnn_cell_forward(x[:, :, t], h, parameters)\ncaches.append(c_t)\n"
         "a[:, :, t], y_pred[:, :, t] = h, y_t"],
    ],
    "lstm_cell_forward": [
        ["concat = np.concatenate([a_prev, xt], axis=0)",
         "ft = sigmoid(Wf @ concat + bf)\nit = sigmoid(Wi @ concat + bi)\ncct = np.tanh(Wc @ concat + bc)\n"
         "c_next = ft * c_prev + it * cct\not = sigmoid(Wo @ concat + bo)\na_next = ot * np.tanh(c_next)",
         "yt_pred = softmax(Wy @ a_next + by)",
         "cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)"],
        ["stacked = np.vstack((a_prev, xt))",
         "forget = sigmoid(np.dot(Wf, stacked) + bf)\nupdate = sigmoid(np.dot(Wi, stacked) + bi)\n"
         "out_gate = sigmoid(np.dot(Wo, stacked) + bo)\ncandidate = np.tanh(np.dot(Wc, stacked) + bc)\n"
         "c_next = np.multiply(forget, c_prev) + np.multiply(update, candidate)\n"
         "a_next = np.multiply(out_gate, np.tanh(c_next))\nft, it, cct, ot = forget, update, candidate, out_gate",
         "yt_pred = softmax(np.dot(Wy, a_next) + by)",
         "cache = a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters"],
        ["n_a = a_prev.shape[0]\nboth = np.zeros((n_a + xt.shape[0], xt.shape[1]))\nboth[:n_a] = a_prev\n"
         "both[n_a:] = xt",
         "gates = {}\nfor name, W, b in ((\"f\", Wf, bf), (\"i\", Wi, bi), (\"o\", Wo, bo)):\n"
         "    gates[name] = 1 / (1 + np.exp(-(W.dot(both) + b)))\nft, it, ot = gates[\"f\"], gates[\"i\"], gates[\"o\"]\n"
         "cct = np.tanh(Wc.dot(both) + bc)\nc_next = ft * c_prev\nc_next += it * cct\na_next = ot * np.tanh(c_next)",
         "z_y = Wy.dot(a_next) + by\nyt_pred = softmax(z_y)",
         "cache = tuple((a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters))"],
    ],
    "gru_cell_forward": [
        ["concat = np.concatenate([a_prev, xt], axis=0)\ngu = sigmoid(Wu @ concat + bu)\ngr = sigmoid(Wr @ concat + br)",
         "cct = np.tanh(Wc @ np.concatenate([gr * a_prev, xt], axis=0) + bc)",
         "a_next = gu * cct + (1 - gu) * a_prev\nyt_pred = softmax(Wy @ a_next + by)"],
        ["ax = np.vstack([a_prev, xt])\ngr = sigmoid(np.dot(Wr, ax) + br)\ngu = sigmoid(np.dot(Wu, ax) + bu)",
         "reset_input = np.vstack([np.multiply(gr, a_prev), xt])\ncct = np.tanh(np.dot(Wc, reset_input) + bc)",
         "a_next = a_prev + gu * (cct - a_prev)\nyt_pred = softmax(np.dot(Wy, a_next) + by)"],
        ["inp = np.concatenate((a_prev, xt))\nupdate_gate = 1.0 / (1.0 + np.exp(-(Wu.dot(inp) + bu)))\n"
         "reset_gate = 1.0 / (1.0 + np.exp(-(Wr.dot(inp) + br)))\ngu, gr = update_gate, reset_gate",
         "gated = np.concatenate((reset_gate * a_prev, xt))\ncct = np.tanh(Wc.dot(gated) + bc)",
         "keep = 1.0 - update_gate\na_next = keep * a_prev + update_gate * cct\nlogits = Wy.dot(a_next) + by\n"
         "yt_pred = softmax(logits)"],
    ],
    "rnn_cell_backward": [
        ["dtanh = da_next * (1 - a_next ** 2)",
         "dxt = Wax.T @ dtanh\nda_prev = Waa.T @ dtanh\ndWax = dtanh @ xt.T\ndWaa = dtanh @ a_prev.T\n"
         "dba = np.sum(dtanh, axis=1, keepdims=True)"],
        ["dz = np.multiply(da_next, 1 - np.square(a_next))",
         "dWax = np.dot(dz, xt.T)\ndWaa = np.dot(dz, a_prev.T)\ndba = dz.sum(axis=1).reshape(-1, 1)\n"
         "dxt = np.dot(Wax.T, dz)\nda_prev = np.dot(Waa.T, dz)"],
        ["g = da_next - da_next * a_next * a_next",
         "dba = np.zeros((g.shape[0], 1))\ndWax = np.zeros_like(Wax)\ndWaa = np.zeros_like(Waa)\n"
         "for j in range(g.shape[1]):\n    dba[:, 0] += g[:, j]\n    dWax += np.outer(g[:, j], xt[:, j])\n"
         "    dWaa += np.outer(g[:, j], a_prev[:, j])\ndxt = Wax.T.dot(g)\nda_prev = Waa.T.dot(g)"],
    ],
}
FUNCTIONS = list(STYLES)


def _release():
    return nbformat.read(ROOT / "release" / AID / NOTEBOOK, as_version=4)


def _source_blocks() -> dict:
    """The instructor's solution of each function, as blocks (the reference edition)."""
    blocks = {}
    for cell in nbformat.read(ROOT / "source" / AID / NOTEBOOK, as_version=4).cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in STYLES:
            found = re.findall(r"### BEGIN SOLUTION\n(.*?)\n[ \t]*### END SOLUTION", cell.source, re.S)
            blocks[gid] = [_dedent(b) for b in found]
    return blocks


def _dedent(text: str) -> str:
    import textwrap
    return textwrap.dedent(text)


def _fill(stub: str, blocks: list[str]) -> str:
    """The release's cell ``stub`` with each "YOUR CODE HERE" block replaced by the next of ``blocks``."""
    pattern = re.compile(r"^([ \t]*)# YOUR CODE HERE\n[ \t]*raise NotImplementedError\(.*\)[ \t]*\n?", re.M)
    parts = iter(blocks)

    def put(match):
        indent = match.group(1)
        return "\n".join(indent + line for line in next(parts).splitlines()) + "\n"
    return pattern.sub(put, stub)


def notebook_of(code: dict) -> nbformat.NotebookNode:
    """The release notebook with the solution cells of ``code`` (function -> blocks) written in."""
    nb = _release()
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in code:
            cell.source = _fill(cell.source, code[gid])
    return nb


NAMES = re.compile(r"\b[a-z_][a-z0-9_]*\b")
KEEP = {"np", "softmax", "sigmoid", "range", "tuple", "for", "in", "axis", "keepdims", "shape", "T", "dot",
        "rnn_cell_forward", "parameters", "x", "xt", "a_prev", "c_prev", "a0", "da_next", "cache", "caches",
        "Wax", "Waa", "Wya", "ba", "by", "Wf", "bf", "Wi", "bi", "Wc", "bc", "Wo", "bo", "Wy", "Wu", "bu", "Wr", "br",
        "n_a", "n_x", "n_y", "m", "T_x", "t", "a", "y_pred", "a_next", "c_next", "yt_pred", "dxt", "da_prev",
        "dWax", "dWaa", "dba", "ft", "it", "cct", "ot", "gu", "gr", "append", "copy", "reshape", "sum", "outer",
        "zeros", "zeros_like", "empty", "tanh", "exp", "concatenate", "vstack", "multiply", "square", "matmul"}


def disguise(blocks: list[str], rng: random.Random) -> list[str]:
    """A copy made to look different: its own local names renamed, independent neighbouring lines swapped, comments
    added."""
    text = "\n\0\n".join(blocks)
    local = sorted({n for n in NAMES.findall(text) if n not in KEEP and not n.startswith("__")})
    renames = {n: f"{n}_{rng.choice(['tmp', 'val', 'v2', 'mine', 'x'])}" for n in local}
    text = NAMES.sub(lambda m: renames.get(m.group(), m.group()), text)
    out = []
    for block in text.split("\n\0\n"):
        lines = block.splitlines()
        for i in range(len(lines) - 1):
            a, b = lines[i], lines[i + 1]
            if a.startswith(" ") or b.startswith(" ") or "=" not in a or "=" not in b or a.endswith(":") \
                    or b.endswith(":"):
                continue
            ta, tb = set(NAMES.findall(a.split("=")[0])), set(NAMES.findall(b.split("=")[0]))
            if ta & set(NAMES.findall(b)) or tb & set(NAMES.findall(a)) or rng.random() < 0.3:
                continue
            lines[i], lines[i + 1] = b, a
        if lines and not lines[0].startswith(" "):
            lines.insert(0, rng.choice(["# my solution", "# compute it step by step", "# see the lecture notes"]))
        out.append("\n".join(lines))
    return out


def build_class(seed: int = 0) -> tuple[dict, set]:
    """(party -> own code, the pairs that are copies)."""
    rng = random.Random(seed)
    combos = list(itertools.product(*(range(len(STYLES[f])) for f in FUNCTIONS)))
    rng.shuffle(combos)
    honest: list[tuple] = []
    for combo in combos:  # no two honest students share a style in more than two functions
        if all(sum(a == b for a, b in zip(combo, other)) <= 2 for other in honest):
            honest.append(combo)
        if len(honest) == 10:
            break
    code = {}
    for i, combo in enumerate(honest):
        code[f"honest{i:02d}"] = {f: STYLES[f][s] for f, s in zip(FUNCTIONS, combo)}
    copies: set = set()
    for i, original in enumerate(["honest00", "honest03", "honest05", "honest08"]):
        code[f"copier{i}"] = {f: disguise(blocks, rng) for f, blocks in code[original].items()}
        copies.add(frozenset((f"copier{i}", original)))
    own = honest[1]
    partial = {f: disguise(code["honest07"][f], rng) for f in FUNCTIONS[:3]}
    partial.update({f: STYLES[f][(own[k] + 1) % len(STYLES[f])] for k, f in enumerate(FUNCTIONS) if f not in partial})
    code["partialcopier"] = partial
    copies.add(frozenset(("partialcopier", "honest07")))
    reference = _source_blocks()
    ref_copiers = []
    for i in range(3):
        code[f"refcopier{i}"] = {f: disguise(reference[f], rng) for f in FUNCTIONS}
        ref_copiers.append(f"refcopier{i}")
        copies.add(frozenset((f"refcopier{i}", similarity.REFERENCE)))
    copies |= {frozenset(p) for p in itertools.combinations(ref_copiers, 2)}
    given = similarity.given_lines(_release())
    codes = {name: similarity.own_code(notebook_of(blocks), given) for name, blocks in code.items()}
    source = nbformat.read(ROOT / "source" / AID / NOTEBOOK, as_version=4)
    codes[similarity.REFERENCE] = similarity.own_code(source, given)
    return codes, copies


@functools.lru_cache(maxsize=None)
def scored_class(seed: int = 0) -> tuple[int, dict, set, float]:
    """The class of ``seed`` built and every pair scored, once per seed: (parties, (a, b) -> similarity, the pairs
    that are copies, the seconds the comparison took). Flagging a pair is ``similarity >= threshold``
    (:func:`autograder.similarity.compare`), so every threshold's figures come from these scores. Cached: do not
    change what it returns."""
    codes, copies = build_class(seed)
    given_code = "\n".join(c.source for c in _release().cells if c.cell_type == "code")
    started = time.perf_counter()
    result = similarity.compare(codes, similarity.DEFAULT_THRESHOLD, given_code, excerpts=False)
    seconds = time.perf_counter() - started
    return len(codes), result.scores, copies, seconds


def measure(threshold: float = similarity.DEFAULT_THRESHOLD, seed: int = 0) -> dict:
    parties, scores, copies, seconds = scored_class(seed)
    flagged = {frozenset(pair) for pair, s in scores.items() if s >= threshold}
    true_positive = len(flagged & copies)
    honest_scores = sorted((s or 0.0 for pair, s in scores.items() if frozenset(pair) not in copies), reverse=True)
    copy_scores = sorted(scores.get(tuple(sorted(p)), 0.0) or 0.0 for p in copies)
    return {
        "threshold": threshold, "parties": parties, "pairs": len(scores), "copies": len(copies),
        "flagged": len(flagged), "true_positives": true_positive,
        "precision": true_positive / len(flagged) if flagged else 1.0,
        "recall": true_positive / len(copies) if copies else 1.0,
        "missed": sorted(" - ".join(sorted(p)) for p in copies - flagged),
        "false_alarms": sorted(" - ".join(sorted(p)) for p in flagged - copies),
        "lowest_copy_similarity": round(copy_scores[0], 3) if copy_scores else None,
        "highest_honest_similarity": round(honest_scores[0], 3) if honest_scores else None,
        "seconds": round(seconds, 3),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threshold", type=float, default=similarity.DEFAULT_THRESHOLD)
    args = parser.parse_args(argv)
    result = measure(args.threshold)  # builds and scores the class; the sweep reuses those scores
    sweep = {f"{t:.2f}": {k: measure(t)[k] for k in ("precision", "recall")} for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)}
    result["sweep"] = sweep
    print(json.dumps(result, indent=2))
    out = write_result("similarity.json", result, root=ROOT)  # ROOT looked up here: a test points it elsewhere
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

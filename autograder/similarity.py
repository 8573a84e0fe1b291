"""Similarity of the code students wrote: pairs of submissions of one assignment whose own code is unusually alike.

Only what a student wrote is compared: the code of the solution cells and of the cells they added, less every line
that the release gives (the scaffold, the docstrings, the demo cells) and less comments. Each submission's code is
fingerprinted as MOSS does, by ``copydetect`` (winnowing of k-grams of the code as tokens, where every identifier
is one letter, so renamed variables do not hide a copy): a pair's similarity is the larger of the two shares of a
submission's fingerprinted code found in the other (copydetect's own measure, so a copy of a few functions inside a
longer submission still counts). copydetect is a small pure-Python package of PyPI (pygments' tokenizers) that runs
offline; MOSS itself is a web service, JPlag needs Java, Dolos Node.js. The instructor's solution (the reference edition, which circulates) is
compared as one more "submission", so a copy of it is flagged too. The release's own fingerprints are boilerplate,
never evidence.

A flagged pair is evidence to review, never a verdict: short functions with one natural solution can be alike by
themselves.
"""
from __future__ import annotations

import html
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

#: Length of the k-grams (tokens after filtering) and the winnowing window: copydetect's defaults (25, 1) are made
#: for whole programs; the course's solutions are a few lines per function, so shorter k-grams.
K, WINDOW = 15, 1
#: A pair at or above this similarity is flagged (benchmarks/similarity_class.py measures it on a synthetic class).
DEFAULT_THRESHOLD = 0.8
#: Submissions with less own code than this (filtered characters) are never compared: nothing to say.
MIN_CHARS = 40
REFERENCE = "reference edition"


def _meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
    return meta if isinstance(meta, dict) else {}


_TRIPLE = ("'''", '"""')


def _strip_comment(line: str) -> str:
    """``line`` without its comment: from the first ``#`` outside a string literal that opens on the line."""
    if "#" not in line:
        return line
    quote, i = None, 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = None
        elif ch == "#":
            return line[:i].rstrip()
        elif ch in "'\"":
            quote = line[i:i + 3] if line[i:i + 3] in _TRIPLE else ch
            i += len(quote) - 1
        i += 1
    return line


def _without_comments(code: str) -> str:
    """``code`` without its comments (lines kept)."""
    return "\n".join(_strip_comment(line) for line in code.splitlines())


def given_lines(release: nbformat.NotebookNode) -> set[str]:
    """Every line of code the release gives (stripped), the stubs of the solution cells included."""
    lines = set()
    for cell in release.cells:
        if cell.cell_type == "code":
            for source in (cell.source, _without_comments(cell.source)):
                lines |= {line.strip() for line in source.splitlines() if line.strip()}
    return lines


def own_code(notebook: nbformat.NotebookNode, given: set[str]) -> str:
    """What the student wrote in ``notebook``: the solution cells and their own cells (no locked cell), less the
    release's lines and the comments."""
    kept = []
    for cell in notebook["cells"]:
        meta = _meta(cell)
        if cell.get("cell_type") != "code" or (meta.get("locked") and not meta.get("solution")):
            continue
        source = cell.get("source", "")
        source = source if isinstance(source, str) else "".join(source)
        if "### BEGIN SOLUTION" in source:  # the instructor's notebook: only what is between the markers
            inside, lines = False, []
            for line in source.splitlines():
                if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
                    inside = "BEGIN" in line
                elif inside:
                    lines.append(line)
            source = "\n".join(lines)
        for line in _without_comments(source).splitlines():
            if line.strip() and line.strip() not in given:
                kept.append(line.rstrip())
    return "\n".join(kept) + ("\n" if kept else "")


@dataclass
class Pair:
    a: str
    b: str
    similarity: float
    excerpt_a: str = ""    # HTML: the code, copied parts marked
    excerpt_b: str = ""
    shares: tuple = (0.0, 0.0)


@dataclass
class Result:
    threshold: float
    compared: int
    pairs: list = field(default_factory=list)      # flagged, most similar first
    scores: dict = field(default_factory=dict)     # (a, b) -> similarity, every pair compared


def _fingerprint(name: str, code: str, boilerplate):
    from copydetect import CodeFingerprint
    return CodeFingerprint(f"{name}.py", K, WINDOW, boilerplate=boilerplate, language="python", fp=io.StringIO(code))


def _highlight(code: str, slices) -> str:
    from copydetect.utils import highlight_overlap
    if len(slices) == 0 or slices.shape[1] == 0:
        return html.escape(code)
    marked, _ = highlight_overlap(code, slices, "\0<\0", "\0>\0", truncate=6, escape_html=False)
    return html.escape(marked).replace("\0&lt;\0", "<mark>").replace("\0&gt;\0", "</mark>")


def _masks(fp) -> dict:
    """Per fingerprint hash of ``fp``, the token positions its k-grams cover, as the bits of an int."""
    if not hasattr(fp, "_masks"):
        span = (1 << fp.k) - 1
        masks = {}
        for h, positions in fp.hash_idx.items():
            mask = 0
            for start in positions:
                mask |= span << int(start)
            masks[h] = mask
        fp._masks = masks
    return fp._masks


def _coverage(fp, shared) -> float:
    masks = _masks(fp)
    covered = 0
    for h in shared:
        covered |= masks[h]
    return covered.bit_count() / fp.token_coverage if fp.token_coverage else 0.0


def shares(first, second) -> tuple[float, float]:
    """For two copydetect fingerprints, the share of each one's fingerprinted tokens that the other holds too:
    copydetect's own similarity (``compare_files``), computed with bit sets for the many small pairs of a class."""
    shared = first.hashes & second.hashes
    if not shared:
        return 0.0, 0.0
    return _coverage(first, shared), _coverage(second, shared)


#: Flagged pairs whose code is shown side by side (the most similar first); the others are listed.
EXCERPTS = 50


def _fingerprints(codes: dict[str, str], boilerplate: list) -> dict:
    """name -> copydetect fingerprint, made on every core for a large class (tokenizing is the slow part)."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    items = sorted(codes.items())
    workers = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
    if len(items) < 100 or workers < 2:
        return {name: _fingerprint(name, code, boilerplate) for name, code in items}
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        made = pool.map(_fingerprint, [n for n, _ in items], [c for _, c in items], [boilerplate] * len(items),
                        chunksize=max(1, len(items) // (4 * workers)))
        return {name: fp for (name, _), fp in zip(items, made)}


def compare(codes: dict[str, str], threshold: float = DEFAULT_THRESHOLD, given_code: str = "",
            excerpts: bool = True) -> Result:
    """Every pair of ``codes`` (name -> own code), flagged at ``threshold``; ``given_code``'s fingerprints (the
    release's) never count. The :data:`EXCERPTS` most similar flagged pairs get their code with the shared parts
    marked."""
    from copydetect import compare_files

    boilerplate = list(_fingerprint("given", given_code, []).hashes) if given_code.strip() else []
    prints = {name: fp for name, fp in _fingerprints(codes, boilerplate).items()
              if len(fp.filtered_code) >= MIN_CHARS and fp.token_coverage > 0}
    names = sorted(prints)
    result = Result(threshold, len(names))
    for i, a in enumerate(names):
        first = prints[a]
        for b in names[i + 1:]:
            pair_shares = shares(first, prints[b])
            score = max(pair_shares)
            result.scores[(a, b)] = score
            if score >= threshold:
                result.pairs.append(Pair(a, b, score, shares=pair_shares))
    result.pairs.sort(key=lambda p: (-p.similarity, p.a, p.b))
    for pair in result.pairs[:EXCERPTS if excerpts else 0]:
        _, _, slices = compare_files(prints[pair.a], prints[pair.b])
        pair.excerpt_a = _highlight(prints[pair.a].raw_code, slices[0])
        pair.excerpt_b = _highlight(prints[pair.b].raw_code, slices[1])
    return result


def class_codes(root: Path, aid: str) -> tuple[dict[str, str], str]:
    """(student -> own code of their autograded notebooks of ``aid``, with the reference edition's; the release's
    code, the boilerplate)."""
    given_code, given, codes = [], {}, {}
    for release_path in sorted((root / "release" / aid).glob("*.ipynb")):
        release = nbformat.read(release_path, as_version=4)
        given[release_path.name] = given_lines(release)
        given_code += [c.source for c in release.cells if c.cell_type == "code"]
        source_path = root / "source" / aid / release_path.name
        if source_path.exists():
            codes[REFERENCE] = codes.get(REFERENCE, "") + own_code(nbformat.read(source_path, as_version=4),
                                                                   given[release_path.name])
    for folder in sorted((root / "autograded").glob(f"*/{aid}")):
        student = folder.parent.name
        for name, lines in given.items():
            path = folder / name
            if path.exists():
                try:
                    nb = json.loads(path.read_text(encoding="utf-8"))
                    code = own_code(nb, lines)
                except (OSError, ValueError, TypeError, KeyError, AttributeError):  # unreadable: nothing to compare
                    continue
                codes[student] = codes.get(student, "") + code
    return codes, "\n".join(given_code)


def class_similarity(root: Path, aid: str, threshold: float = DEFAULT_THRESHOLD) -> Result:
    codes, given_code = class_codes(root, aid)
    return compare(codes, threshold, given_code)

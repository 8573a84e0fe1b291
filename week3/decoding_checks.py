"""Public checks of assignment w3a1 (machine translation): the decoders and the evaluation metric.

``check_greedy_decode``, ``check_beam_search_decode`` and ``check_bleu_score`` draw their own small seeded inputs,
call the function on them and compare with the values stored for those inputs in
``week3/fixtures/w3a1_machine_translation.json`` (see :mod:`checks.fixtures`). When a wrong answer is exactly
what a classic mistake produces, the message names that mistake.

The decoders never see a neural network here: they get ``step_log_probs(prefix)``, a function that returns the
log-probabilities of the next token (a 1-D float64 array over the vocabulary) after ``prefix``, the tuple of tokens
chosen so far (the empty tuple first). The checks' toy step functions read those rows from a seeded table indexed
by the prefix's length and its last token, so what comes next depends on what was emitted: the setting where beam
search can beat greedy decoding. Their log-probabilities are random floats, so no two hypotheses ever have exactly
the same score. Past the end of the table the end token is almost certain, so even a decoder that forgets
``max_len`` stops.

The contracts (exactly what the checks expect):

``greedy_decode(step_log_probs, max_len, end_id) -> list[int]``
    Start from the empty prefix; append the most probable next token (``np.argmax``; a tie goes to the lower token
    id) until the token appended is ``end_id`` (it is kept in the list) or the list holds ``max_len`` tokens.

``beam_search_decode(step_log_probs, beam_width, max_len, end_id, alpha=0.7) -> (tokens, score)``
    1. The beam starts as the empty prefix with total log-probability 0.
    2. At each step every prefix in the beam is extended by every token of the vocabulary; a candidate's total
       log-probability is its prefix's plus the token's log-probability.
    3. The ``beam_width`` candidates with the highest TOTAL log-probability are kept (among all candidates of this
       step; on a tie the one found first, i.e. from the better prefix, then the lower token id). Since every
       candidate of a step has the same length, this is also the order of their normalized scores.
    4. A kept candidate that ends with ``end_id``, or that holds ``max_len`` tokens, is finished: it leaves the beam
       and goes to the list of finished hypotheses (it is never extended again). The other kept candidates are
       the next beam (it may be smaller than ``beam_width``; it takes ``beam_width`` candidates again at the next
       step).
    5. The search stops when the beam is empty (at the latest after ``max_len`` steps).
    6. It returns the finished hypothesis with the highest length-normalized score
       ``sum(log p) / len(tokens) ** alpha``, ``len`` counting ``end_id`` (``alpha=0``: the plain total
       log-probability; on a tie the one finished first), as ``(list of tokens, that normalized score)``.
    With ``beam_width=1`` this is greedy decoding.

``bleu_score(candidate, references, max_n=4) -> float``
    For n = 1..max_n: the clipped precision p_n = (sum over the candidate's distinct n-grams of
    min(count in the candidate, the largest count in any ONE reference)) / (number of n-grams of the candidate).
    BLEU = BP * (p_1 * ... * p_max_n) ** (1 / max_n) (the geometric mean, equal weights), with the brevity penalty
    BP = exp(1 - r / c) when the candidate length c is not longer than r, else 1; r is the length of the reference
    closest to c (the shorter one on a tie). It is 0.0 when any p_n is 0 (no smoothing), in particular for an
    empty candidate or one shorter than max_n tokens (it has no n-grams of that order).
"""
from __future__ import annotations

import numbers
import re

import numpy as np

from checks.assertions import CheckFailed, _not_implemented, _student_line, passed
from checks.fixtures import Fixtures

FIXTURES = Fixtures("w3a1_machine_translation")

MAX_CALLS = 5000        # a toy step function refuses more calls than this (a decoder that never stops)
EXTRA_LENGTHS = 4       # a toy table covers prefixes up to max_len + EXTRA_LENGTHS tokens; then the end is certain
BEAM_SETTINGS = ((3, 1.0), (2, 0.7), (3, 0.0))  # (beam_width, alpha) of each beam run on each toy table
SCORE_RTOL, SCORE_ATOL = 1e-9, 1e-12


# ------------------------------------------------------------------ toy step functions (seeded inputs)

def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def toy_table(vocab_size, n_lengths, end_id, rng, end_at, end_slope=1.0, scale=1.5) -> np.ndarray:
    """Log-probabilities of the next token, shape (n_lengths, vocab_size + 1, vocab_size): row [t, last] follows a
    prefix of t tokens whose last token is ``last`` (``vocab_size`` for the empty prefix). The end token gets more
    likely with the length (around ``end_at`` tokens) and is nearly impossible as the first token."""
    logits = rng.standard_normal((n_lengths, vocab_size + 1, vocab_size)) * scale
    logits[:, :, end_id] += end_slope * (np.arange(n_lengths)[:, None] - end_at)
    logits[0, :, end_id] = -10.0
    return _log_softmax(logits)


def toy_step(table: np.ndarray, end_id: int):
    """``step_log_probs(prefix)`` reading ``table`` (see :func:`toy_table`): a fresh float64 array each call. Past
    the table's last length the end token has probability 0.999; more than MAX_CALLS calls raise an error."""
    n_lengths, _, vocab_size = table.shape
    final = np.full(vocab_size, np.log(1e-3 / (vocab_size - 1)))
    final[end_id] = np.log(1 - 1e-3)
    calls = [0]

    def step_log_probs(prefix):
        calls[0] += 1
        if calls[0] > MAX_CALLS:
            raise RuntimeError(f"step_log_probs was called more than {MAX_CALLS} times: the decoder does not stop "
                               "(stop at end_id and at max_len tokens)")
        prefix = tuple(prefix)
        if len(prefix) >= n_lengths:
            return final.copy()
        last = vocab_size if not prefix else int(prefix[-1])
        return np.array(table[len(prefix), last], dtype=np.float64)

    return step_log_probs


def _end_id(vocab_size, rng) -> int:
    return int(rng.randint(1, vocab_size))  # never 0, so a decoder with a hard-coded end token shows


def end_first(table: np.ndarray, end_id: int, rng, p_end: float = 0.6) -> np.ndarray:
    """``table`` with the end token the most probable FIRST token (probability about ``p_end``)."""
    vocab_size = table.shape[-1]
    p = rng.dirichlet(np.ones(vocab_size - 1)) * (1 - p_end)
    table = table.copy()
    table[0, vocab_size] = np.log(np.insert(p, end_id, p_end))
    return table


def greedy_inputs(vocab_size, max_len, seed) -> list[dict]:
    """Four runs: {"table", "end_id", "max_len"}. In the first the end token is likely early (greedy usually ends
    with it before max_len); in the second it is unlikely before max_len + 1 tokens (greedy stops at max_len); in
    the third the end token is the most probable first token (the output is [end_id]); the fourth has max_len=1
    (one token, the end token unlikely)."""
    rng = np.random.RandomState(seed)
    runs = []
    for end_at, slope in ((max_len / 3, 2.0), (max_len + 1.0, 1.0)):
        end_id = _end_id(vocab_size, rng)
        runs.append({"table": toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, end_at, slope),
                     "end_id": end_id, "max_len": max_len})
    end_id = _end_id(vocab_size, rng)
    table = toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, max_len / 2)
    runs.append({"table": end_first(table, end_id, rng), "end_id": end_id, "max_len": max_len})
    end_id = _end_id(vocab_size, rng)
    runs.append({"table": toy_table(vocab_size, 1 + EXTRA_LENGTHS, end_id, rng, 3.0), "end_id": end_id,
                 "max_len": 1})
    return runs


TRAP_MAX_LEN = 5  # the planted table's run (see trap_table)


def trap_table(vocab_size, end_id, rng) -> np.ndarray:
    """A toy table (see :func:`toy_table`, vocab_size >= 4) with a planted trap, for beam_width=2, alpha=1 and
    max_len=TRAP_MAX_LEN. With a, b, c three other tokens (seeded), probabilities about: first token a .5, b .3;
    after a: end .5 (the hypothesis (a, end) finishes at step 2 with the best total); after b: c .9; after (b, c):
    a .55, b .4; after (b, c, a) every token is about as likely; after (b, c, b): end .95, so (b, c, b, end)
    has the best normalized score for alpha=1. It is found
    only if the beam is refilled with two unfinished candidates after (a, end) finishes. After (a, end) comes c
    (.9), then end (.9): a search that keeps extending finished hypotheses prefers (a, end, c, end)."""
    table = toy_table(vocab_size, TRAP_MAX_LEN + EXTRA_LENGTHS, end_id, rng, TRAP_MAX_LEN / 2)
    a, b, c = (int(t) for t in rng.permutation([t for t in range(vocab_size) if t != end_id])[:3])
    start = vocab_size
    planted = {(0, start): {a: .5, b: .3, end_id: 1e-4}, (1, a): {end_id: .5}, (1, b): {c: .9},
               (2, c): {a: .55, b: .4}, (2, end_id): {c: .9}, (3, a): {k: 1 / vocab_size for k in range(vocab_size)},
               (3, b): {end_id: .95}, (3, c): {end_id: .9}}
    for (t, last), probs in planted.items():
        p = np.array([probs.get(k, np.nan) for k in range(vocab_size)]) * rng.uniform(0.97, 1.03, vocab_size)
        rest = np.isnan(p)
        p[rest] = rng.dirichlet(np.ones(rest.sum())) * (1 - p[~rest].sum())  # the other tokens share the rest
        table[t, last] = np.log(p)
    return table


def beam_inputs(vocab_size, max_len, seed) -> list[dict]:
    """Runs {"table", "end_id", "beam_width", "max_len", "alpha"}: each (beam_width, alpha) of BEAM_SETTINGS on
    each of two toy tables (the end token likely around max_len / 2 tokens), then beam_width=2, alpha=1 and
    max_len=TRAP_MAX_LEN on a table with a planted trap (see :func:`trap_table`), then three boundaries: the end
    token unlikely before max_len + 3 tokens (hypotheses finish by reaching max_len), a beam wider than the
    vocabulary (beam_width = vocab_size + 2), and the end token the most probable first token."""
    rng = np.random.RandomState(seed)
    runs = []
    for _ in range(2):
        end_id = _end_id(vocab_size, rng)
        table = toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, max_len / 2)
        runs += [{"table": table, "end_id": end_id, "beam_width": width, "max_len": max_len, "alpha": alpha}
                 for width, alpha in BEAM_SETTINGS]
    end_id = _end_id(vocab_size, rng)
    runs.append({"table": trap_table(vocab_size, end_id, rng), "end_id": end_id, "beam_width": 2,
                 "max_len": TRAP_MAX_LEN, "alpha": 1.0})
    end_id = _end_id(vocab_size, rng)
    runs.append({"table": toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, max_len + 3.0, 1.5),
                 "end_id": end_id, "beam_width": 2, "max_len": max_len, "alpha": 0.7})
    end_id = _end_id(vocab_size, rng)
    runs.append({"table": toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, max_len / 2),
                 "end_id": end_id, "beam_width": vocab_size + 2, "max_len": max_len, "alpha": 0.7})
    end_id = _end_id(vocab_size, rng)
    table = toy_table(vocab_size, max_len + EXTRA_LENGTHS, end_id, rng, max_len / 2)
    runs.append({"table": end_first(table, end_id, rng), "end_id": end_id, "beam_width": 3, "max_len": max_len,
                 "alpha": 0.7})
    return runs


def bleu_inputs(vocab_size, length, seed) -> list[tuple[list, list, int]]:
    """(candidate, references, max_n) token lists (tokens 0..vocab_size; ``length`` >= 7):

    0. a candidate of ``length`` tokens that repeats a token more often than any reference has it (clipping:
       the token is in two references once each), with references of length + 3 (first), + 1 (the closest, the
       one the candidate copies from), + 5 (longest) and - 2 (shortest): the brevity penalty applies;
    1. a candidate of length - 2 tokens exactly between two references (length and length - 4 tokens: the
       shorter one counts, so no penalty), the first and longest reference having length + 1 tokens;
    2. a candidate longer than every reference (no penalty);
    3. a candidate whose every 4-gram holds a token no reference has (p_4 = 0: BLEU 0), and 4. the same with
       max_n = 3 (then it is not 0);
    5. candidate 0 with max_n = 1; 6. the empty candidate;
    7. a candidate of max_n = 4 tokens, the last four of a longer reference (one 4-gram, found at the reference's
       end: p_4 = 1/1), and 8. its last three tokens (shorter than max_n = 4: BLEU 0; with max_n = 3 not);
    9. a candidate as long as its closest reference (c == r: BP = 1), with a token that one reference has twice and
       another once (clipped to 2), candidate tokens changed so that no precision is 1.
    """
    rng = np.random.RandomState(seed)
    tokens = np.arange(vocab_size)

    def draw(n, avoid=()):
        return [int(t) for t in rng.choice(np.setdiff1d(tokens, list(avoid)), size=n)]

    L = length
    t = int(rng.randint(vocab_size))
    closest = [t] + draw(L, avoid=[t])
    first = draw(L + 3, avoid=[t])
    first.insert(int(rng.randint(L + 3)), t)
    first = first[:L + 3]
    if t not in first:
        first[-1] = t
    clip = (closest[:L - 3] + [t, t, t], [first, closest, draw(L + 5, avoid=[t]), draw(L - 2, avoid=[t])])
    between = draw(L)
    tie = (between[:L - 2], [draw(L + 1), between, draw(L - 4)])
    short = draw(L - 1)
    long = (short + draw(2), [draw(L - 3), short])
    base = draw(L)
    rest = iter(base)
    holes = [vocab_size if i % 4 == 3 else next(rest) for i in range(L)]  # every 4-gram holes vocab_size
    no_four = (holes, [base, draw(L)])
    tail_ref = draw(L + 2)
    tail = (tail_ref[-4:], [tail_ref, draw(L)])
    u = int(rng.randint(vocab_size))
    twice = draw(L - 2, avoid=[u])
    twice[1:1] = [u]
    twice.insert(len(twice) - 2, u)
    once = draw(L, avoid=[u])
    once[int(rng.randint(L))] = u
    equal = [u] * 3 + twice[3:L - 1] + [int((twice[-1] + 1) % vocab_size)]
    same_length = (equal, [draw(L + 4, avoid=[u]), twice, once])
    return [(*clip, 4), (*tie, 4), (*long, 4), (*no_four, 4), (*no_four, 3), (*clip, 1), ([], [draw(L)], 4),
            (*tail, 4), (tail[0][1:], tail[1], 4), (tail[0][1:], tail[1], 3), (*same_length, 4)]


# ------------------------------------------------------------------ one-sentence messages

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\.\.)[.!?]\s+(?=\S)")  # not e.g. i.e. vs. ...


def clause(text, limit: int = 240) -> str:
    """``text`` (an exception's message) as a clause inside one sentence: no ANSI colour codes, one line (the first
    that is not empty, with the next one where Keras puts its detail there), no full stop that ends a sentence inside it (it becomes ";"), at most ``limit`` characters."""
    text = _ANSI.sub("", str(text))
    lines = [part.strip() for part in text.splitlines() if part.strip()]
    line = lines[0] if lines else ""
    if line.startswith("Exception encountered when calling") and len(lines) > 1:  # Keras: the detail comes next
        line = line.rstrip(".") + ": " + re.sub(r"\{\{function_node [^}]*\}\}\s*", "", lines[1])
    line = _SENTENCE_END.sub("; ", line).rstrip(" .!?;:")
    return line if len(line) <= limit else line[:limit].rsplit(" ", 1)[0] + " [cut]"


def crash(name: str, exc: BaseException, hints=(), fix: str = "") -> CheckFailed:
    """One sentence for ``exc``, raised while the check ran the student's function ``name``: the exception, where
    in the student's code it was raised, and the likely cause (``hints``: (text found in the message, cause), the
    first that matches) or else ``fix``, what to look at."""
    text = _ANSI.sub("", str(exc))
    cause = next((hint for pattern, hint in hints if pattern in text), fix)
    where = " " + clause(_student_line(exc)) if _student_line(exc) else ""
    message = f"{name} raised {type(exc).__name__} ({clause(text) or 'no message'}){where}"
    return CheckFailed(message + (f", so {cause.rstrip('.')}." if cause else "."))


def run_student(fn, *args, name: str, hints=(), fix: str = "", **kwargs):
    """``fn(*args, **kwargs)``; an exception becomes one sentence (:func:`crash`), NotImplementedError passes."""
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        raise _not_implemented(exc, name)
    except CheckFailed:
        raise
    except Exception as exc:  # noqa: BLE001 - report any crash in student code as one sentence
        raise crash(name, exc, hints, fix) from exc


def _type_name(value) -> str:
    name = type(value).__name__
    return "None" if value is None else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# ------------------------------------------------------------------ helpers

def _tokens(where: str, got, hint: str) -> list[int]:
    if not isinstance(got, list):
        raise CheckFailed(f"{where}: expected a list of token ids but got {_type_name(got)}, so {clause(hint)}.")
    if not all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in got):
        raise CheckFailed(f"{where}: expected a list of integer token ids but got {clause(repr(got), 120)}, so "
                          f"{clause(hint)}.")
    return [int(i) for i in got]


def _close(a, b) -> bool:
    return bool(np.isclose(float(a), float(b), rtol=SCORE_RTOL, atol=SCORE_ATOL))


def _first_difference(got, expected) -> int:
    return next((i for i, (g, e) in enumerate(zip(got, expected)) if g != e), min(len(got), len(expected)))


# ------------------------------------------------------------------ greedy_decode

_GREEDY_FIX = ("check how it calls step_log_probs (with the tuple of the tokens chosen so far) and reads the "
               "1-D array it returns (section 3.1)")
_BEAM_FIX = ("check how it calls step_log_probs (with a prefix, a tuple of token ids) and how it reads the 1-D "
             "array it returns, and that it stops when the beam is empty (section 3.2)")
_STOP = (("called more than", "the decoder never stops: stop right after appending end_id and when the output holds "
          "max_len tokens"),)
_BLEU_FIX = "check the n-gram counting and the brevity penalty against the equation of section 4"

def check_greedy_decode(greedy_decode, vocab_size=6, max_len=7, seed=0):
    """greedy_decode appends the argmax token until it appended end_id or holds max_len tokens."""
    case = FIXTURES.case("greedy_decode", vocab_size=vocab_size, max_len=max_len, seed=seed)
    for run, want in zip(greedy_inputs(vocab_size, max_len, seed), case["runs"]):
        where = f"greedy_decode(step_log_probs, max_len={run['max_len']}, end_id={run['end_id']})"
        with FIXTURES.stand_ins(greedy_decode, "greedy_decode"):
            got = run_student(greedy_decode, toy_step(run["table"], run["end_id"]), run["max_len"], run["end_id"],
                              name=where, hints=_STOP, fix=_GREEDY_FIX)
        got = _tokens(where, got, "return the Python list of the token ids appended, end_id included (section 3.1).")
        expected = want["expected"]
        if got == expected:
            continue
        for cause, wrong in want["mistakes"].items():
            if got == wrong:
                raise CheckFailed(f"{where}: expected {expected} but got {got}, exactly what a known mistake gives "
                                  f"\u2014 likely cause: {cause}")
        raise CheckFailed(
            f"{where}: expected {expected} but got {got}, which first differ at position "
            f"{_first_difference(got, expected)}, so check that each token is the most probable next token "
            "given the prefix, the tuple of the tokens chosen so far (the empty tuple first), and that the loop "
            "stops right after appending end_id (kept) or when the list holds max_len tokens (section 3.1).")
    passed(f"greedy_decode (vocabulary of {vocab_size}, max_len={max_len})")


# ------------------------------------------------------------------ beam_search_decode

def check_beam_search_decode(beam_search_decode, vocab_size=5, max_len=6, seed=3):
    """beam_search_decode returns the finished hypothesis with the best length-normalized score, and that score."""
    case = FIXTURES.case("beam_search_decode", vocab_size=vocab_size, max_len=max_len, seed=seed)
    for run, want in zip(beam_inputs(vocab_size, max_len, seed), case["runs"]):
        width, alpha, end_id = run["beam_width"], run["alpha"], run["end_id"]
        where = f"beam_search_decode(step_log_probs, beam_width={width}, max_len={run['max_len']}, " \
                f"end_id={end_id}, alpha={alpha})"
        with FIXTURES.stand_ins(beam_search_decode, "beam_search_decode"):
            out = run_student(beam_search_decode, toy_step(run["table"], end_id), width, run["max_len"], end_id,
                              alpha=alpha, name=where, hints=_STOP, fix=_BEAM_FIX)
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise CheckFailed(f"{where}: expected 2 values (tokens, score) but got "
                              + (f"{len(out)} values" if isinstance(out, (tuple, list)) else _type_name(out))
                              + ", so return the list of tokens and the normalized score (step 4 of section 3.2).")
        got, score = out
        got = _tokens(f"{where}'s tokens", got, "return (list of token ids, score) (step 4 of section 3.2).")
        if not isinstance(score, (float, np.floating)):
            raise CheckFailed(f"{where}'s score: expected a float but got {_type_name(score)}, so return the "
                              "normalized score as a Python float, float(score) (step 4 of section 3.2).")
        expected, want_score = want["tokens"], want["score"]
        if got == expected and _close(score, want_score):
            continue
        for cause, (wrong, wrong_score) in want["mistakes"].items():
            if got == wrong and _close(score, wrong_score):
                raise CheckFailed(f"{where}: expected ({expected}, {want_score:.6f}) but got ({got}, "
                                  f"{float(score):.6f}), exactly what a known mistake gives \u2014 likely cause: "
                                  f"{cause}")
        if got == expected:
            raise CheckFailed(
                f"{where}: the tokens {got} are right but the score is {float(score)!r} instead of {want_score!r}, "
                "so check the score: the sum of the log-probabilities of all the tokens (end_id included) divided by "
                "len(tokens) ** alpha (step 4 of section 3.2).")
        raise CheckFailed(
            f"{where}: expected the tokens {expected} (score {want_score:.6f}) but got {got} (score "
            f"{float(score):.6f}), so check each step of section 3.2: extend every prefix in the beam by every token, "
            "keep the beam_width candidates with the highest total log-probability, move the kept ones that end "
            "with end_id or hold max_len tokens to the finished list, go on until the beam is empty, then return "
            "the finished hypothesis with the highest sum(log p) / len(tokens) ** alpha.")
    passed(f"beam_search_decode (vocabulary of {vocab_size}, max_len={max_len}, beam widths and alphas "
           f"{', '.join(f'{w}/{a}' for w, a in BEAM_SETTINGS)})")


# ------------------------------------------------------------------ bleu_score

def check_bleu_score(bleu_score, vocab_size=6, length=8, seed=0):
    """bleu_score: clipped n-gram precisions, their geometric mean, the brevity penalty, 0.0 for a zero precision."""
    case = FIXTURES.case("bleu_score", vocab_size=vocab_size, length=length, seed=seed)
    for (candidate, references, max_n), want in zip(bleu_inputs(vocab_size, length, seed), case["runs"]):
        where = f"bleu_score({candidate}, {references}, max_n={max_n})"
        with FIXTURES.stand_ins(bleu_score, "bleu_score"):
            got = run_student(bleu_score, list(candidate), [list(r) for r in references], max_n=max_n, name=where,
                              fix=_BLEU_FIX)
        if not isinstance(got, (float, np.floating, numbers.Integral)) or isinstance(got, bool):
            raise CheckFailed(f"{where}: expected a float but got {_type_name(got)}, so return the BLEU score as a "
                              "Python float (section 4).")
        expected = want["expected"]
        if _close(got, expected):
            continue
        for cause, wrong in want["mistakes"].items():
            if _close(got, wrong):
                raise CheckFailed(f"{where}: expected {expected!r} but got {float(got)!r}, exactly what a known "
                                  f"mistake gives \u2014 likely cause: {cause}")
        raise CheckFailed(
            f"{where}: expected {expected!r} but got {float(got)!r}, so check each part of the BLEU equation of "
            "section 4: the clipped precisions (each n-gram counted at most as often as in the one reference that "
            "has it most often, divided by the candidate's number of n-grams), their geometric mean (equal weights "
            "1 / max_n) and the brevity penalty exp(1 - r / c), with r the length of the reference closest to c "
            "(the shorter on a tie), only when c <= r.")
    passed(f"bleu_score ({len(case['runs'])} candidates, max_n = 1, 3 and 4)")

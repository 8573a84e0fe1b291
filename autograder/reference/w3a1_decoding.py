"""Reference for the decoding and evaluation part of w3a1 (machine translation): ``greedy_decode``,
``beam_search_decode`` and ``bleu_score``, and the cases behind their checks in :mod:`week3.decoding_checks`
(expected values, and the values that classic mistakes produce). The contracts are spelled out in that module's
docstring; the keywords of ``_greedy``, ``_beam`` and ``_bleu`` switch on one classic mistake each.

To be merged into ``autograder.reference.w3a1_machine_translation`` (its ``GRADED`` and ``CASES``).
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

from week3 import decoding_checks as checks

CHECKS = "week3.decoding_checks"


# ------------------------------------------------------------------ the graded functions

def _greedy(step_log_probs, max_len, end_id, *, keep_end=True, limit="max_len", prefix="tokens"):
    """Greedy decoding. keep_end=False: the end token is not appended; limit: "max_len", "none" (no length
    limit), "short" (max_len - 1 tokens), "long" (max_len + 1); prefix: "tokens" (right), "empty" (always the
    empty prefix), "last" (only the last token)."""
    cap = {"max_len": max_len, "none": math.inf, "short": max_len - 1, "long": max_len + 1}[limit]
    tokens: list[int] = []
    while len(tokens) < cap:
        given = {"tokens": tuple(tokens), "empty": (), "last": tuple(tokens[-1:])}[prefix]
        token = int(np.argmax(step_log_probs(given)))
        if token == end_id:
            if keep_end:
                tokens.append(token)
            break
        tokens.append(token)
    return tokens


def greedy_decode(step_log_probs, max_len, end_id):
    return _greedy(step_log_probs, max_len, end_id)


def _normalized(tokens, total, alpha, count_end=True, end_id=None):
    n = len(tokens) - (0 if count_end or not tokens or tokens[-1] != end_id else 1)
    return total / n ** alpha if n else -math.inf


def _beam(step_log_probs, beam_width, max_len, end_id, alpha=0.7, *, normalize=True, count_end=True,
          exponent=None, finished="leave", width="fixed", order="best", stop="empty", score="normalized",
          limit="max_len"):
    """Beam search as the check module's docstring says; each keyword switches on a classic mistake:

    normalize=False -- the winner is chosen by total log-probability (alpha ignored), which is returned;
    count_end=False -- len(tokens) in the normalization does not count end_id;
    exponent        -- normalizes by len(tokens) ** exponent instead of ** alpha (1: divides by the length);
    finished        -- "leave" (right), "expand" (a finished hypothesis also stays in the beam and is extended
                       further), "stay" (finished hypotheses keep their place in the beam, unchanged, competing
                       with the new candidates; the search ends when the beam holds only finished ones);
    width           -- "fixed" (right), "shrink" (beam_width minus the number finished so far are kept),
                       "greedy" (one candidate kept, whatever beam_width);
    order           -- "best" (right) or "worst" (the candidates with the LOWEST totals are kept);
    stop            -- "empty" (right) or "first" (returns as soon as a kept candidate is finished);
    score           -- "normalized" (right) or "total" (the winner's total log-probability is returned);
    limit           -- "max_len" (right: a hypothesis of max_len tokens is finished) or "over" (only one of
                       max_len + 1 tokens is: a hypothesis grows one token past max_len).
    """
    cap = max_len + (1 if limit == "over" else 0)
    power = alpha if exponent is None else exponent

    def norm(tokens, total):
        return _normalized(tokens, total, power if normalize else 0.0, count_end, end_id)

    def done(prefix):
        return prefix[-1] == end_id or len(prefix) >= cap

    beams: list[tuple[tuple, float]] = [((), 0.0)]
    done_list: list[tuple[tuple, float]] = []
    for _ in range(4 * max_len + 10):  # (a bound for the mistakes: the right search ends within max_len steps)
        if finished == "stay" and all(p and done(p) for p, _ in beams):
            done_list = list(beams)
            break
        if not beams:
            break
        candidates = []
        for prefix, total in beams:
            if finished == "stay" and prefix and done(prefix):
                candidates.append((prefix, total))
                continue
            if len(prefix) >= cap and finished == "expand":
                continue
            log_probs = step_log_probs(prefix)
            candidates += [(prefix + (token,), total + float(log_probs[token])) for token in range(len(log_probs))]
        candidates.sort(key=lambda c: -c[1] if order == "best" else c[1])  # stable: ties keep the order found
        keep = {"fixed": beam_width, "shrink": beam_width - len(done_list), "greedy": 1}[width]
        beams = []
        for prefix, total in candidates[:max(keep, 0)]:
            if finished == "stay":
                beams.append((prefix, total))
                continue
            if done(prefix):
                done_list.append((prefix, total))
                if finished == "expand" and len(prefix) < cap:
                    beams.append((prefix, total))
            else:
                beams.append((prefix, total))
        if stop == "first" and done_list:
            break
    best = max(done_list, key=lambda c: norm(*c))  # max keeps the first of equal scores
    tokens, total = list(best[0]), best[1]
    return tokens, float(total if score == "total" else norm(best[0], total))


def beam_search_decode(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
    return _beam(step_log_probs, beam_width, max_len, end_id, alpha)


def _ngrams(tokens, n) -> Counter:
    return Counter(tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1))


def _bleu(candidate, references, max_n=4, *, clip="max", length="closest", penalty="short", mean="geometric",
          zero="zero", fixed_n=None, span="right"):
    """BLEU; the keywords switch on a classic mistake:

    clip    -- "max" (right: the largest count in one reference), "none" (no clipping), "sum" (the count summed
               over the references), "min" (the smallest count among the references that have the n-gram);
    span    -- "right", "reference_by_candidate" (a reference's n-grams counted over the first len(candidate) - n + 1
               positions only), "candidate_short" (the candidate's last n-gram left out: c - n n-grams);
    length  -- the reference length r: "closest" (the shorter on a tie: right), "closest_longer" (the longer on a
               tie), "first", "longest", "shortest" (the shortest reference, when it is not the
               closest, is often shorter than the candidate: then the same as no penalty);
    penalty -- "short" (exp(1 - r/c) when c <= r: right), "none", "always" (also when c > r), "inverted"
               (exp(1 - c/r) when c <= r);
    mean    -- "geometric" (right) or "arithmetic";
    zero    -- "zero" (0.0 when a precision is 0: right), "epsilon" (a zero count becomes 0.1), "add_one" (add 1
               to the numerator and denominator for n > 1);
    fixed_n -- max_n ignored: this many orders are used.
    """
    max_n = fixed_n or max_n
    c = len(candidate)
    if c == 0:
        return 0.0
    precisions = []
    for n in range(1, max_n + 1):
        counts = _ngrams(candidate[:-1] if span == "candidate_short" else candidate, n)
        ref_counts = [_ngrams(ref[:c] if span == "reference_by_candidate" else ref, n) for ref in references]
        if clip == "none":
            matched = sum(count for gram, count in counts.items() if any(gram in rc for rc in ref_counts))
        elif clip == "sum":
            matched = sum(min(count, sum(rc[gram] for rc in ref_counts)) for gram, count in counts.items())
        elif clip == "min":
            matched = sum(min([count] + [rc[gram] for rc in ref_counts if rc[gram]]) if any(rc[gram] for rc in
                          ref_counts) else 0 for gram, count in counts.items())
        else:
            matched = sum(min(count, max(rc[gram] for rc in ref_counts)) for gram, count in counts.items())
        total = max(sum(counts.values()), 1)  # a candidate shorter than n: no n-grams, precision 0
        if zero == "add_one" and n > 1:
            matched, total = matched + 1, total + 1
        elif zero == "epsilon" and matched == 0:
            matched = 0.1
        precisions.append(matched / total)
    if min(precisions) == 0:
        return 0.0
    if mean == "arithmetic":
        score = sum(precisions) / max_n
    else:
        score = math.exp(sum(math.log(p) for p in precisions) / max_n)
    lengths = [len(ref) for ref in references]
    r = {"closest": min(lengths, key=lambda x: (abs(x - c), x)),
         "closest_longer": min(lengths, key=lambda x: (abs(x - c), -x)),
         "first": lengths[0], "longest": max(lengths), "shortest": min(lengths)}[length]
    if penalty == "short" and c <= r:
        score *= math.exp(1 - r / c)
    elif penalty == "always":
        score *= math.exp(1 - r / c)
    elif penalty == "inverted" and c <= r:
        score *= math.exp(1 - c / r)
    return float(score)


def bleu_score(candidate, references, max_n=4):
    return _bleu(candidate, references, max_n)


GRADED = {f.__name__: f for f in (greedy_decode, beam_search_decode, bleu_score)}
# The stand-ins each may call while it is tested (see autograder.remote): none, each is a whole algorithm of its own.
STAND_INS = {name: {} for name in GRADED}


# ------------------------------------------------------------------ cases

def _named(expected, outputs: dict, same, earlier: set) -> dict:
    """{cause: value} for the mistakes whose value differs from the expected one here, leaving out those that
    already differed in an earlier run (``earlier``, updated): a check stops at the first run a mistake gets
    wrong, so that is where it must be named. Mistakes that give the same value here share one cause."""
    groups: list[tuple[list, object]] = []
    for cause, value in outputs.items():
        if cause in earlier or same(value, expected):
            continue
        for causes, other in groups:
            if same(value, other):
                causes.append(cause)
                break
        else:
            groups.append(([cause], value))
    earlier.update(cause for causes, _ in groups for cause in causes)
    return {_either(causes): value for causes, value in groups}


def _either(causes: list) -> str:
    if len(causes) == 1:
        return causes[0]
    return "one of these, which give the same result here: " + "; ".join(
        f"({i}) {cause.rstrip('.')}" for i, cause in enumerate(causes, start=1)) + "."


def _outputs(fn, variants: dict) -> dict:
    """{cause: fn(**flags)} for each variant that runs (a mistake that crashes on these inputs names nothing)."""
    found = {}
    for cause, flags in variants.items():
        try:
            found[cause] = fn(**flags)
        except Exception:  # noqa: BLE001 - e.g. a division by a length of 0
            continue
    return found


GREEDY_MISTAKES = {
    "the end token was not appended: append the argmax token first, then stop if it is end_id (the list ends "
    "with end_id).": {"keep_end": False},
    "max_len was ignored: stop when the list holds max_len tokens, even if end_id has not come.": {"limit": "none"},
    "the loop stops one token early: the list may hold max_len tokens (while len(tokens) < max_len).":
        {"limit": "short"},
    "the loop goes one token too far: stop as soon as the list holds max_len tokens.": {"limit": "long"},
    "step_log_probs was always given the empty prefix: give it the tokens chosen so far, as a tuple (section "
    "3.1).": {"prefix": "empty"},
    "step_log_probs was given only the last token: give it the whole prefix, all the tokens chosen so far as a "
    "tuple.": {"prefix": "last"},
}


def greedy_decode_case(vocab_size, max_len, seed):
    runs, earlier = [], set()
    for run in checks.greedy_inputs(vocab_size, max_len, seed):
        def decode(**flags):
            return _greedy(checks.toy_step(run["table"], run["end_id"]), run["max_len"], run["end_id"], **flags)

        expected = decode()
        runs.append({"expected": expected,
                     "mistakes": _named(expected, _outputs(decode, GREEDY_MISTAKES), lambda a, b: a == b, earlier)})
    return {"runs": runs}


BEAM_MISTAKES = {
    "the winner was chosen by its total log-probability: compare the finished hypotheses by the length-normalized "
    "score sum(log p) / len(tokens) ** alpha.": {"normalize": False},
    "len(tokens) in the normalization must count end_id: divide by len(tokens) ** alpha with the end token "
    "included.": {"count_end": False},
    "the score was divided by len(tokens) instead of len(tokens) ** alpha.": {"exponent": 1.0},
    "the score returned is the total log-probability: return sum(log p) / len(tokens) ** alpha.":
        {"score": "total"},
    "finished hypotheses were kept in the beam and extended: a kept candidate that ends with end_id (or holds "
    "max_len tokens) leaves the beam for the finished list and is never extended.": {"finished": "expand"},
    "finished hypotheses kept their place in the beam: move a kept candidate that ends with end_id (or holds "
    "max_len tokens) to the finished list, and fill the beam from the other candidates at the next step.":
        {"finished": "stay"},
    "the beam shrank for good as hypotheses finished: keep the beam_width best candidates at every step.":
        {"width": "shrink"},
    "only one candidate was kept per step (greedy decoding): keep the beam_width best.": {"width": "greedy"},
    "the candidates with the LOWEST total log-probability were kept: sort from the highest down (reverse=True).":
        {"order": "worst"},
    "the search stopped at the first finished hypothesis: go on until the beam is empty, then compare all the "
    "finished ones.": {"stop": "first"},
    "a hypothesis grew past max_len tokens: a kept candidate that holds max_len tokens is finished, even without "
    "end_id, and is never extended (step 3 of section 3.2).": {"limit": "over"},
}


def _same_beam(a, b) -> bool:
    return list(a[0]) == list(b[0]) and bool(np.isclose(a[1], b[1], rtol=checks.SCORE_RTOL, atol=checks.SCORE_ATOL))


def beam_search_decode_case(vocab_size, max_len, seed):
    runs, earlier = [], set()
    for run in checks.beam_inputs(vocab_size, max_len, seed):
        def decode(**flags):
            return _beam(checks.toy_step(run["table"], run["end_id"]), run["beam_width"], run["max_len"],
                         run["end_id"], run["alpha"], **flags)

        tokens, score = decode()
        runs.append({"tokens": tokens, "score": score,
                     "mistakes": _named((tokens, score), _outputs(decode, BEAM_MISTAKES), _same_beam, earlier)})
    return {"runs": runs}


BLEU_MISTAKES = {
    "the n-gram counts were not clipped: count an n-gram of the candidate at most as often as it occurs in the "
    "reference that has it most often.": {"clip": "none"},
    "the n-gram counts were clipped to their total over all the references: clip to the largest count in any ONE "
    "reference.": {"clip": "sum"},
    "the brevity penalty is missing: multiply by exp(1 - r / c) when the candidate is not longer than r, the length "
    "of the reference closest to it.": {"penalty": "none"},
    "the brevity penalty was applied to a candidate longer than r too (it is 1 then).": {"penalty": "always"},
    "the brevity penalty is exp(1 - r / c) (r the reference length, c the candidate's), not exp(1 - c / r).":
        {"penalty": "inverted"},
    "r must be the length of the reference closest to the candidate's, not the first reference's.":
        {"length": "first"},
    "r must be the length of the reference closest to the candidate's, not the longest one.": {"length": "longest"},
    "r was the length of the shortest reference: it must be the length of the reference closest to the candidate's "
    "(the shorter one on a tie), as the brevity penalty of section 4 defines it.": {"length": "shortest"},
    "when two references are equally close in length, r is the SHORTER one.": {"length": "closest_longer"},
    "the precisions were averaged arithmetically: BLEU uses their geometric mean, (p_1 * ... * p_N) ** (1 / N).":
        {"mean": "arithmetic"},
    "a zero precision was smoothed (epsilon counts): without smoothing BLEU is 0.0 when any precision is 0.":
        {"zero": "epsilon"},
    "the precisions were smoothed (add one): without smoothing BLEU is 0.0 when any precision is 0.":
        {"zero": "add_one"},
    "max_n was ignored (n-grams up to 4 were used): use n = 1 to max_n.": {"fixed_n": 4},
    "the n-gram counts were clipped to the SMALLEST count among the references: clip to the largest count in any "
    "one reference (the one that has the n-gram most often).": {"clip": "min"},
    "the references' n-grams were not all counted: a reference of L tokens has L - n + 1 n-grams, to its last "
    "token, whatever the candidate's length.": {"span": "reference_by_candidate"},
    "the candidate's last n-gram was left out: a candidate of c tokens has c - n + 1 n-grams (section 4).":
        {"span": "candidate_short"},
}


def bleu_score_case(vocab_size, length, seed):
    runs, earlier = [], set()
    for candidate, references, max_n in checks.bleu_inputs(vocab_size, length, seed):
        expected = _bleu(candidate, references, max_n)
        mistakes = _outputs(lambda **flags: _bleu(candidate, references, max_n, **flags), BLEU_MISTAKES)
        same = lambda a, b: bool(np.isclose(a, b, rtol=checks.SCORE_RTOL, atol=checks.SCORE_ATOL))  # noqa: E731
        runs.append({"expected": expected, "mistakes": _named(expected, mistakes, same, earlier)})
    return {"runs": runs}


CASES = {"greedy_decode": greedy_decode_case, "beam_search_decode": beam_search_decode_case,
         "bleu_score": bleu_score_case}

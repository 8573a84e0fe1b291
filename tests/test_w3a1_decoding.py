"""w3a1 (machine translation), decoding and evaluation: the public checks of greedy_decode, beam_search_decode and
bleu_score pass on the reference (public and hidden arguments, with and without the reference installed) and on
other natural correct implementations, name each classic mistake, and agree with nltk's BLEU; the week-1 name
language model shows beam search beating greedy decoding and length normalization changing the winner."""
from __future__ import annotations

import heapq
import inspect
import json
import math
import re
import warnings
from collections import Counter

import numpy as np
import pytest

from checks import fixtures as fixtures_module
from checks.assertions import CheckFailed
from checks.fixtures import case_key, encode
from autograder.reference import w3a1_decoding as reference
from week3 import decoding_checks as checks
from week3 import name_lm

ID = "w3a1_machine_translation"
CHECKS = {"greedy_decode": checks.check_greedy_decode, "beam_search_decode": checks.check_beam_search_decode,
          "bleu_score": checks.check_bleu_score}
HIDDEN = {"greedy_decode": [{"seed": 1}, {"vocab_size": 4, "max_len": 5, "seed": 7}],
          "beam_search_decode": [{"seed": 9}, {"vocab_size": 6, "max_len": 7, "seed": 11}],
          "bleu_score": [{"seed": 5}, {"vocab_size": 4, "length": 10, "seed": 2}]}


_ABBREVIATIONS = re.compile(r"\b(e\.g|i\.e|etc|vs)\.")


def assert_one_sentence(message: str):
    """A check's message is one sentence: one line, no ANSI colour codes, no traceback, a full stop at its end and
    no sentence that ends inside it (e.g. / i.e. / vs. / ... do not end one)."""
    assert "\n" not in message and "\x1b" not in message and "Traceback" not in message, message
    body = _ABBREVIATIONS.sub("", message).replace("...", "")
    assert body.endswith("."), message
    assert not re.search(r"[.!?]\s", body), message


@pytest.fixture(autouse=True)
def one_sentence_messages(monkeypatch):
    """Every CheckFailed a test of this module makes is one sentence (checked when the test ends)."""
    made = []
    original = CheckFailed.__init__

    def init(self, *args):
        made.append(str(args[0]) if args else "")
        original(self, *args)

    monkeypatch.setattr(CheckFailed, "__init__", init)
    yield made
    for message in made:
        assert_one_sentence(message)


def test_the_one_sentence_rule_sees_two_sentences():
    assert_one_sentence("f(x): expected 1 but got 2, so check step 2 (e.g. the sum) of section 3.1.")
    for bad in ("f(x): expected 1 but got 2. Likely cause: a sum.", "f: wrong\nTraceback", "f: \x1b[31mred\x1b[0m.",
                "f: no full stop"):
        with pytest.raises(AssertionError):
            assert_one_sentence(bad)


def _public_args(name) -> dict:
    params = inspect.signature(CHECKS[name]).parameters
    return {k: p.default for k, p in list(params.items())[1:]}


def _stored() -> dict:
    """What ``python -m autograder fixtures`` stores for the checks' default (public) arguments."""
    return {name: {case_key(args): json.loads(json.dumps(encode(reference.CASES[name](**args))))}
            for name in CHECKS for args in [_public_args(name)]}


STORED = _stored()


@pytest.fixture(params=["grading", "student's copy"])
def setting(request, monkeypatch):
    """Public arguments have stored cases; while grading the reference is installed (hidden cases, stand-ins),
    in the student's copy it is not."""
    ref = reference if request.param == "grading" else None
    original = fixtures_module.reference
    monkeypatch.setattr(fixtures_module, "reference", lambda aid: ref if aid == ID else original(aid))
    monkeypatch.setattr(checks.FIXTURES, "_stored", STORED)
    monkeypatch.setattr(checks.FIXTURES, "_computed", {})
    return request.param


@pytest.fixture
def grading(monkeypatch):
    """The reference installed, no stored cases: every case is computed (as for hidden tests)."""
    original = fixtures_module.reference
    monkeypatch.setattr(fixtures_module, "reference", lambda aid: reference if aid == ID else original(aid))
    monkeypatch.setattr(checks.FIXTURES, "_stored", {})
    monkeypatch.setattr(checks.FIXTURES, "_computed", {})


# ------------------------------------------------------------------ the reference and other correct code pass

def test_reference_has_the_graded_functions_and_cases():
    assert list(reference.GRADED) == ["greedy_decode", "beam_search_decode", "bleu_score"]
    assert list(reference.CASES) == list(CHECKS)
    assert [*inspect.signature(reference.beam_search_decode).parameters] == [
        "step_log_probs", "beam_width", "max_len", "end_id", "alpha"]
    assert inspect.signature(reference.beam_search_decode).parameters["alpha"].default == 0.7
    assert inspect.signature(reference.bleu_score).parameters["max_n"].default == 4
    assert checks.FIXTURES.aid == ID


@pytest.mark.parametrize("name", list(CHECKS))
def test_reference_passes_the_public_check_with_one_pass_line(setting, name, capsys):
    CHECKS[name](reference.GRADED[name])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"\u2714 {name}") and "all checks passed" in lines[0]


@pytest.mark.parametrize("name", list(CHECKS))
def test_reference_passes_hidden_arguments_silently(grading, name, capsys):
    for kwargs in HIDDEN[name]:
        CHECKS[name](reference.GRADED[name], **kwargs)
    assert capsys.readouterr().out == ""


def test_without_the_reference_other_arguments_are_refused(setting):
    if setting == "grading":
        return
    with pytest.raises(CheckFailed, match="no stored expected values"):
        checks.check_greedy_decode(reference.greedy_decode, seed=1)


def beam_topk(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
    """Another correct beam search: per-prefix top-k with numpy, a heap for the global top-k, a running best."""
    beam, best, best_score = [((), 0.0)], None, -math.inf
    while beam:
        candidates = []
        for rank, (prefix, total) in enumerate(beam):
            log_probs = np.asarray(step_log_probs(prefix))
            for token in np.argsort(-log_probs, kind="stable")[:beam_width]:
                candidates.append((total + log_probs[token], -rank, -int(token), prefix + (int(token),)))
        beam = []
        for total, _, _, prefix in heapq.nlargest(beam_width, candidates):
            if prefix[-1] == end_id or len(prefix) == max_len:
                score = total / len(prefix) ** alpha
                if score > best_score:
                    best, best_score = list(prefix), float(score)
            else:
                beam.append((prefix, total))
    return best, best_score


def bleu_fractions(candidate, references, max_n=4):
    """Another correct BLEU: exact fractions, product then root."""
    from fractions import Fraction

    if not candidate:
        return 0.0
    product = Fraction(1)
    for n in range(1, max_n + 1):
        grams = Counter(zip(*[candidate[i:] for i in range(n)]))
        best = Counter()
        for ref in references:
            best |= Counter(zip(*[ref[i:] for i in range(n)]))
        matched = sum((grams & best).values())
        if matched == 0:
            return 0.0
        product *= Fraction(matched, sum(grams.values()))
    c = len(candidate)
    r = sorted((abs(len(ref) - c), len(ref)) for ref in references)[0][1]
    penalty = 1.0 if c > r else math.exp(1 - r / c)
    return penalty * float(product) ** (1 / max_n)


def greedy_loop(step_log_probs, max_len, end_id):
    tokens = []
    for _ in range(max_len):
        tokens.append(int(np.argmax(step_log_probs(tuple(tokens)))))
        if tokens[-1] == end_id:
            break
    return tokens


@pytest.mark.parametrize("name,fn", [("greedy_decode", greedy_loop), ("beam_search_decode", beam_topk),
                                     ("bleu_score", bleu_fractions)])
def test_other_correct_implementations_pass(grading, name, fn):
    """Natural correct code written differently gets exactly the reference's answers (no ties in the toy
    scores; pruning per prefix first, a heap, exact fractions change nothing)."""
    for kwargs in [{}] + HIDDEN[name]:
        CHECKS[name](fn, **kwargs)


# ------------------------------------------------------------------ classic mistakes are named

def wrong_greedy(kind):
    def greedy_decode(step_log_probs, max_len, end_id):
        tokens = []
        limit = {"short": max_len - 1, "long": max_len + 1, "no limit": 10 ** 6}.get(kind, max_len)
        while len(tokens) < limit:
            prefix = {"empty prefix": (), "last token": tuple(tokens[-1:])}.get(kind, tuple(tokens))
            token = int(np.argmax(step_log_probs(prefix)))
            if token == end_id:
                if kind != "drops end":
                    tokens.append(token)
                break
            tokens.append(token)
        return tokens
    return greedy_decode


GREEDY_MISTAKES = {"drops end": "end token was not appended", "no limit": "max_len was ignored",
                   "short": "stops one token early", "long": "one token too far",
                   "empty prefix": "always given the empty prefix", "last token": "given only the last token"}


@pytest.mark.parametrize("kind", list(GREEDY_MISTAKES))
def test_greedy_mistakes_are_named(setting, kind):
    with pytest.raises(CheckFailed, match=r"exactly what a known mistake gives — likely cause: .*"
                                          + GREEDY_MISTAKES[kind]):
        checks.check_greedy_decode(wrong_greedy(kind))


def test_greedy_unknown_mistake_and_wrong_type(setting):
    def argmin(step_log_probs, max_len, end_id):
        return greedy_loop(lambda prefix: -step_log_probs(prefix), max_len, end_id)

    with pytest.raises(CheckFailed, match=r"first differ at position 0, so check that each token is the most "
                                           r"probable next token"):
        checks.check_greedy_decode(argmin)
    with pytest.raises(CheckFailed, match=r"expected a list of token ids but got a tuple"):
        checks.check_greedy_decode(lambda *args: tuple(greedy_loop(*args)))
    with pytest.raises(NotImplementedError):
        checks.check_greedy_decode(lambda *args: (_ for _ in ()).throw(NotImplementedError("Not implemented yet")))


def wrong_beam(kind):
    """A student's beam search with one mistake (kinds as in BEAM_MISTAKES below)."""
    def beam_search_decode(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
        limit = max_len + 1 if kind == "past max_len" else max_len

        def done(prefix):
            return prefix[-1] == end_id or len(prefix) == limit

        def norm(prefix, total):
            n = len(prefix) - (1 if kind == "len without end" and prefix[-1] == end_id else 0)
            power = {"no normalization": 0.0, "divide by len": 1.0}.get(kind, alpha)
            return total / n ** power

        beam, finished = [((), 0.0)], []
        while beam and not (kind == "stop at first" and finished):
            if kind == "stay" and all(p and done(p) for p, _ in beam):
                break
            candidates = []
            for prefix, total in beam:
                if kind == "stay" and prefix and done(prefix):
                    candidates.append((prefix, total))
                    continue
                if len(prefix) == limit:
                    continue
                log_probs = step_log_probs(prefix)
                candidates += [(prefix + (t,), total + log_probs[t]) for t in range(len(log_probs))]
            candidates.sort(key=lambda c: c[1], reverse=kind != "keeps worst")
            width = {"greedy": 1, "shrink": beam_width - len(finished)}.get(kind, beam_width)
            beam = []
            for prefix, total in candidates[:width]:
                if kind != "stay" and done(prefix):
                    finished.append((prefix, total))
                    if kind == "expands finished":
                        beam.append((prefix, total))
                else:
                    beam.append((prefix, total))
        pool = beam if kind == "stay" else finished
        prefix, total = max(pool, key=lambda c: norm(*c))
        return list(prefix), float(total if kind == "returns total" else norm(prefix, total))
    return beam_search_decode


BEAM_MISTAKES = {
    "no normalization": "chosen by its total log-probability",
    "len without end": "must count end_id",
    "divide by len": r"divided by len\(tokens\) instead of len\(tokens\) \*\* alpha",
    "returns total": "score returned is the total log-probability",
    "expands finished": "kept in the beam and extended",
    "stay": "finished hypotheses kept their place in the beam",
    "shrink": "the beam shrank for good",
    "greedy": r"only one candidate was kept per step \(greedy decoding\)",
    "keeps worst": "LOWEST total log-probability",
    "stop at first": "stopped at the first finished hypothesis",
    "past max_len": r"a hypothesis grew past max_len tokens: a kept candidate that holds max_len tokens is finished",
}


@pytest.mark.parametrize("kind", list(BEAM_MISTAKES))
def test_beam_mistakes_are_named(setting, kind):
    with pytest.raises(CheckFailed, match=r"exactly what a known mistake gives — likely cause: .*"
                                          + BEAM_MISTAKES[kind]):
        checks.check_beam_search_decode(wrong_beam(kind))


def test_normalizing_while_pruning_is_not_a_mistake(grading):
    """All the candidates of one step have the same length, so ranking them by normalized score keeps the same
    ones: that variant is correct under the contract (the checks accept it)."""
    def prune_normalized(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
        beam, finished = [((), 0.0)], []
        while beam:
            cands = [(p + (t,), s + lp[t]) for p, s in beam for lp in [step_log_probs(p)] for t in range(len(lp))]
            cands.sort(key=lambda c: c[1] / len(c[0]) ** alpha, reverse=True)
            beam = []
            for p, s in cands[:beam_width]:
                (finished if p[-1] == end_id or len(p) == max_len else beam).append((p, s))
        p, s = max(finished, key=lambda c: c[1] / len(c[0]) ** alpha)
        return list(p), s / len(p) ** alpha

    for kwargs in [{}] + HIDDEN["beam_search_decode"]:
        checks.check_beam_search_decode(prune_normalized, **kwargs)


def test_beam_score_type_and_unknown_mistake(setting):
    with pytest.raises(CheckFailed, match=r"2 values \(tokens, score\)"):
        checks.check_beam_search_decode(lambda *a, **k: reference.beam_search_decode(*a, **k)[0])
    with pytest.raises(CheckFailed, match=r"tokens .* are right but the score"):
        checks.check_beam_search_decode(lambda *a, **k: (reference.beam_search_decode(*a, **k)[0], 1.5))


def wrong_bleu(kind):
    def bleu_score(candidate, references, max_n=4):
        n_max = 4 if kind == "ignores max_n" else max_n
        if not candidate:
            return 0.0
        precisions = []
        for n in range(1, n_max + 1):
            grams = Counter(tuple(candidate[i:i + n])
                            for i in range(len(candidate) - n + (0 if kind == "candidate short" else 1)))
            refs = [Counter(tuple(r[i:i + n]) for i in range(
                (len(candidate) if kind == "reference span" else len(r)) - n + 1)) for r in references]
            if kind == "no clipping":
                matched = sum(c for g, c in grams.items() if any(g in r for r in refs))
            elif kind == "sum clipping":
                matched = sum(min(c, sum(r[g] for r in refs)) for g, c in grams.items())
            elif kind == "min clipping":
                matched = sum(min([c] + [r[g] for r in refs if r[g]]) for g, c in grams.items()
                              if any(r[g] for r in refs))
            else:
                matched = sum(min(c, max(r[g] for r in refs)) for g, c in grams.items())
            total = max(sum(grams.values()), 1)
            if kind == "epsilon" and matched == 0:
                matched = 0.1
            if kind == "add one" and n > 1:
                matched, total = matched + 1, total + 1
            precisions.append(matched / total)
        if min(precisions) == 0:
            return 0.0
        score = (sum(precisions) / n_max if kind == "arithmetic"
                 else math.prod(precisions) ** (1 / n_max))
        c, lengths = len(candidate), [len(r) for r in references]
        r = {"first": lengths[0], "longest": max(lengths), "longer on tie": min(lengths, key=lambda x: (abs(x - c), -x)),
             "shortest": min(lengths)}.get(kind, min(lengths, key=lambda x: (abs(x - c), x)))
        if kind == "no penalty":
            return score
        if kind == "inverted":
            return score * math.exp(1 - c / r) if c <= r else score
        if kind == "always penalty" or c <= r:
            score *= math.exp(1 - r / c)
        return score
    return bleu_score


BLEU_MISTAKES = {
    "no clipping": "counts were not clipped", "sum clipping": "clipped to their total over all the references",
    "no penalty": "the brevity penalty is missing", "always penalty": "applied to a candidate longer than r too",
    "inverted": r"not exp\(1 - c / r\)", "first": "not the first reference's", "longest": "not the longest one",
    "longer on tie": "is the SHORTER one", "arithmetic": "averaged arithmetically", "epsilon": "smoothed \\(epsilon",
    "add one": "smoothed \\(add one", "ignores max_n": "max_n was ignored",
    "min clipping": "clipped to the SMALLEST count among the references",
    "reference span": "references' n-grams were not all counted: a reference of L tokens has L - n \\+ 1 n-grams",
    "candidate short": "candidate's last n-gram was left out: a candidate of c tokens has c - n \\+ 1 n-grams",
    "shortest": r"\(2\) r was the length of the shortest reference: it must be the length of the reference closest",
}


@pytest.mark.parametrize("kind", list(BLEU_MISTAKES))
def test_bleu_mistakes_are_named(setting, kind):
    with pytest.raises(CheckFailed, match=r"exactly what a known mistake gives — likely cause: .*"
                                          + BLEU_MISTAKES[kind]):
        checks.check_bleu_score(wrong_bleu(kind))


def test_bleu_variants_equivalent_under_the_contract_pass(grading):
    """c < r instead of c <= r (at c == r the penalty exp(0) is exactly 1), min(max, count), and reference n-grams
    read past the reference's end (the shorter tuples there never equal a candidate n-gram) are correct code."""
    def strict(candidate, references, max_n=4):
        c = len(candidate)
        r = min((len(ref) for ref in references), key=lambda x: (abs(x - c), x))
        score = reference._bleu(candidate, references, max_n, penalty="none")
        return score * math.exp(1 - r / c) if c and c < r else score

    def overlong(candidate, references, max_n=4):
        if not candidate:
            return 0.0
        logs = []
        for n in range(1, max_n + 1):
            grams = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
            refs = [Counter(tuple(ref[i:i + n]) for i in range(len(ref) + 1)) for ref in references]  # past the end
            clipped = sum(min(count, max(rc[g] for rc in refs)) for g, count in grams.items())
            if clipped == 0:
                return 0.0
            logs.append(math.log(clipped / sum(grams.values())))
        c = len(candidate)
        r = min((len(ref) for ref in references), key=lambda x: (abs(x - c), x))
        return math.exp(sum(logs) / max_n) * (math.exp(1 - r / c) if c <= r else 1.0)

    for fn in (strict, overlong):
        for kwargs in [{}] + HIDDEN["bleu_score"]:
            checks.check_bleu_score(fn, **kwargs)


def test_the_inputs_hold_every_boundary_of_the_contracts():
    """greedy: the end token first, max_len=1, max_len reached; beam: a beam wider than the vocabulary, a winner of
    max_len tokens without the end token, the end token first; BLEU: a candidate shorter than max_n (0.0), one of
    exactly max_n tokens whose one max_n-gram sits at a longer reference's end, c == r, a count clipped to the
    larger of two references' counts."""
    for vocab_size, max_len, seed in [(6, 7, 0), (4, 5, 3), (9, 12, 8)]:
        runs = checks.greedy_inputs(vocab_size, max_len, seed)
        got = [reference._greedy(checks.toy_step(r["table"], r["end_id"]), r["max_len"], r["end_id"]) for r in runs]
        assert got[2] == [runs[2]["end_id"]] and runs[3]["max_len"] == 1 and len(got[3]) == 1
        assert len(got[1]) == max_len and got[1][-1] != runs[1]["end_id"]
    for vocab_size, max_len, seed in [(5, 6, 3), (6, 7, 2), (4, 4, 9)]:
        runs = checks.beam_inputs(vocab_size, max_len, seed)
        out = [reference.beam_search_decode(checks.toy_step(r["table"], r["end_id"]), r["beam_width"], r["max_len"],
                                            r["end_id"], r["alpha"]) for r in runs]
        assert runs[-2]["beam_width"] > vocab_size
        assert len(out[-3][0]) == max_len and out[-3][0][-1] != runs[-3]["end_id"]
        first = runs[-1]["table"][0, vocab_size]
        assert int(np.argmax(first)) == runs[-1]["end_id"]
        past = reference._beam(checks.toy_step(runs[-3]["table"], runs[-3]["end_id"]), 2, max_len,
                               runs[-3]["end_id"], 0.7, limit="over")
        assert len(past[0]) == max_len + 1  # what the issue's beam search returned
    for vocab_size, length, seed in [(6, 8, 0), (4, 10, 4), (9, 7, 12)]:
        inputs = checks.bleu_inputs(vocab_size, length, seed)
        (c7, r7, n7), (c8, _, n8), (c9, _, n9), (c10, r10, _) = inputs[7:11]
        assert len(c7) == n7 == 4 and c7 == r7[0][-4:] and reference.bleu_score(c7, r7, n7) > 0
        assert len(c8) < n8 and reference.bleu_score(c8, r7, n8) == 0.0 and reference.bleu_score(c9, r7, n9) > 0
        closest = min((len(r) for r in r10), key=lambda x: (abs(x - len(c10)), x))
        assert len(c10) == closest
        u = c10[0]
        assert sorted(ref.count(u) for ref in r10)[-2:] == [1, 2] and c10.count(u) > 2


def test_the_issues_beam_and_bleu_mutants_fail_the_public_checks(setting):
    """A beam search that lets a hypothesis grow one token past max_len, or that finishes by the number of finished
    hypotheses; a BLEU that returns 0.0 for a precision of 1/N_n, or reads references only as far as the
    candidate is long."""
    def beam_finished_count(step_log_probs, beam_width, max_len, end_id, alpha=0.7):
        beam, finished = [((), 0.0)], []
        while beam:
            candidates = [(p + (t,), s + float(lp[t])) for p, s in beam for lp in [step_log_probs(p)]
                          for t in range(len(lp))]
            candidates.sort(key=lambda c: -c[1])
            beam = []
            for p, s in candidates[:beam_width]:
                (finished if p[-1] == end_id or len(finished) >= max_len else beam).append((p, s))
        best = max(finished, key=lambda c: c[1] / len(c[0]) ** alpha)
        return list(best[0]), best[1] / len(best[0]) ** alpha

    with pytest.raises(CheckFailed):
        checks.check_beam_search_decode(beam_finished_count)
    with pytest.raises(CheckFailed, match="grew past max_len"):
        checks.check_beam_search_decode(wrong_beam("past max_len"))

    def bleu_one_is_zero(candidate, references, max_n=4):
        for n in range(1, max_n + 1):
            grams = Counter(tuple(candidate[i:i + n]) for i in range(len(candidate) - n + 1))
            best = Counter()
            for ref in references:
                best |= Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
            if sum((grams & best).values()) == 1:
                return 0.0
        return reference.bleu_score(candidate, references, max_n)

    with pytest.raises(CheckFailed, match=r"expected 0\.3678"):
        checks.check_bleu_score(bleu_one_is_zero)


def test_crashes_and_wrong_types_are_one_sentence_each(setting, one_sentence_messages):
    """Each message a decoding check prints for a crash or a wrong type: what was returned, the likely cause, and
    the section; the toy step function's refusal to be called for ever is named as a decoder that never stops."""
    def never_stops(step_log_probs, max_len, end_id):
        tokens = []
        while True:
            tokens.append(int(np.argmax(step_log_probs(tuple(tokens)))))

    def float_tokens(step_log_probs, max_len, end_id):
        return [float(t) for t in reference.greedy_decode(step_log_probs, max_len, end_id)]

    cases = [
        (checks.check_greedy_decode, never_stops,
         r"greedy_decode\(.*\) raised RuntimeError \(step_log_probs was called more than 5000 times: the decoder does "
         r"not stop .*\) \(in never_stops, line \d+ of its cell: `.*`\), so the decoder never stops: stop right after"),
        (checks.check_greedy_decode, float_tokens, r"expected a list of integer token ids but got \[\d+\.0.*section 3\.1"),
        (checks.check_greedy_decode, lambda *a: None, r"expected a list of token ids but got None"),
        (checks.check_beam_search_decode, lambda step, *a, **k: step(None)[0],
         r"beam_search_decode\(.*\) raised TypeError \(.*\) .*so check how it calls step_log_probs .*section 3\.2"),
        (checks.check_beam_search_decode, lambda *a, **k: 3.0, r"expected 2 values \(tokens, score\) but got a float"),
        (checks.check_beam_search_decode, lambda *a, **k: (tuple(reference.beam_search_decode(*a, **k)[0]), 0.5),
         r"'s tokens: expected a list of token ids but got a tuple"),
        (checks.check_beam_search_decode, lambda *a, **k: (reference.beam_search_decode(*a, **k)[0], None),
         r"'s score: expected a float but got None, so return the normalized score as a Python float"),
        (checks.check_bleu_score, lambda *a, **k: "0.5", r"expected a float but got a str, so return the BLEU score"),
        (checks.check_bleu_score, lambda *a, **k: [][0],
         r"bleu_score\(.*\) raised IndexError \(list index out of range\).*against the equation of section 4\."),
    ]
    for check, fn, pattern in cases:
        with pytest.raises(CheckFailed, match=pattern):
            check(fn)
    assert len(one_sentence_messages) == len(cases)


def test_unknown_wrong_answers_point_at_the_section(setting):
    def reversed_tokens(*args, **kwargs):
        """The right hypothesis, its tokens in reverse order: wrong in no known way."""
        tokens, score = reference.beam_search_decode(*args, **kwargs)
        return tokens[::-1], score

    with pytest.raises(CheckFailed, match=r"expected the tokens .* \(score .*\) but got .*, so check each step of "
                                          r"section 3\.2"):
        checks.check_beam_search_decode(reversed_tokens)
    with pytest.raises(CheckFailed, match=r"expected .* but got .*, so check each part of the BLEU equation of "
                                          r"section 4: .*the length of the reference closest to c"):
        checks.check_bleu_score(lambda c, refs, max_n=4: 0.5 * reference.bleu_score(c, refs, max_n) + 0.01)


def test_a_grouped_cause_is_one_sentence():
    """Two mistakes that give the same value on a run are named together, in one sentence."""
    text = reference._either(["the first cause: fix it (step 1).", "the second cause: fix that."])
    assert text == ("one of these, which give the same result here: (1) the first cause: fix it (step 1); (2) the "
                    "second cause: fix that.")
    assert_one_sentence(text)


def test_the_shortest_reference_is_not_called_a_missing_brevity_penalty(setting):
    """The issue: a BLEU that takes r from the shortest reference was told "no brevity penalty"; where the two give
    the same value, the message names both, and the closest reference length is what section 4 defines."""
    with pytest.raises(CheckFailed) as info:
        checks.check_bleu_score(wrong_bleu("shortest"))
    message = str(info.value)
    assert "(1) the brevity penalty is missing" in message and "(2) r was the length of the shortest reference" in message
    assert "closest to the candidate's (the shorter one on a tie), as the brevity penalty of section 4 defines it" in message
    assert "no brevity penalty" not in message


def test_bleu_crash_on_the_empty_candidate_is_reported(setting):
    def crashes(candidate, references, max_n=4):
        if not candidate:
            return 1 / len(candidate)
        return reference.bleu_score(candidate, references, max_n)

    with pytest.raises(CheckFailed, match=r"bleu_score\(.*\) raised ZeroDivisionError"):
        checks.check_bleu_score(crashes)


def test_every_named_mistake_is_named_on_the_public_arguments():
    for name, mistakes in [("greedy_decode", reference.GREEDY_MISTAKES),
                           ("beam_search_decode", reference.BEAM_MISTAKES), ("bleu_score", reference.BLEU_MISTAKES)]:
        case = reference.CASES[name](**_public_args(name))
        causes = [cause for run in case["runs"] for cause in run["mistakes"]]
        for mistake in mistakes:
            assert any(mistake.rstrip(".") in cause for cause in causes), (name, mistake)
        shared = [cause for cause in causes if cause.startswith("one of these")]
        if name == "beam_search_decode":  # the two give the same answer wherever one of them is wrong here
            assert len(shared) == 1 and "kept their place" in shared[0] and "shrank for good" in shared[0]
        elif name == "bleu_score":  # the shortest reference is shorter than the candidate there: no penalty
            assert len(shared) == 1 and "penalty is missing" in shared[0] and "shortest reference" in shared[0]
        else:
            assert not shared, shared


# ------------------------------------------------------------------ nltk agrees with the reference BLEU

def test_bleu_agrees_with_nltk_sentence_bleu():
    """nltk's sentence_bleu (no smoothing, weights (1/n,) * n) equals the reference to 1e-9 on random token lists.
    Where a precision is 0, nltk (method0) puts sys.float_info.min in its place and warns, which makes its BLEU
    a tiny positive number (below 1e-70) instead of exactly 0.0; an empty candidate gives the int 0."""
    from nltk.translate.bleu_score import sentence_bleu

    rng = np.random.RandomState(0)
    zeros = positives = 0
    for trial in range(400):
        vocab = int(rng.randint(2, 6))
        c = int(rng.randint(0, 12))
        refs = [list(rng.randint(vocab, size=int(rng.randint(1, 14)))) for _ in range(int(rng.randint(1, 4)))]
        copied = list(refs[0][:c]) + [0] * max(0, c - len(refs[0]))  # shares long n-grams with a reference
        candidate = list(rng.randint(vocab, size=c)) if trial % 3 else copied
        for max_n in (1, 2, 3, 4):
            ours = reference.bleu_score(candidate, refs, max_n)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theirs = sentence_bleu(refs, candidate, weights=(1 / max_n,) * max_n)
            assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-9), (candidate, refs, max_n)
            zeros += ours == 0.0
            positives += ours > 0
            if ours == 0.0:
                assert theirs < 1e-70
    assert zeros > 100 and positives > 300


# ------------------------------------------------------------------ beam width 1 is greedy decoding

def test_beam_width_one_is_greedy_on_the_toy_step_functions():
    for seed in range(10):
        runs = checks.greedy_inputs(6, 7, seed) + checks.beam_inputs(5, 6, seed)
        for run in runs:
            step = checks.toy_step(run["table"], run["end_id"])
            greedy = reference.greedy_decode(step, run["max_len"], run["end_id"])
            for alpha in (0.0, 0.7, 1.0):
                tokens, score = reference.beam_search_decode(step, 1, run["max_len"], run["end_id"], alpha)
                assert tokens == greedy


def test_toy_inputs_make_beam_differ_from_greedy_and_alpha_matter():
    """On the public toy tables, beam search finds a higher total than greedy, and alpha changes the winner."""
    beam_wins = alpha_matters = 0
    for run in checks.beam_inputs(5, 6, 3):
        step = checks.toy_step(run["table"], run["end_id"])
        greedy = reference.greedy_decode(step, run["max_len"], run["end_id"])
        best = reference.beam_search_decode(step, run["beam_width"], run["max_len"], run["end_id"], 0.0)
        beam_wins += best[1] > name_lm.sequence_log_prob(step, greedy) + 1e-9
        alpha_matters += best[0] != reference.beam_search_decode(step, run["beam_width"], run["max_len"],
                                                                 run["end_id"], 1.0)[0]
    assert beam_wins >= 2 and alpha_matters >= 2


def test_toy_step_functions_are_cheap_and_bounded():
    calls = []

    def counting(step):
        def counted(prefix):
            calls.append(len(prefix))
            return step(prefix)
        return counted

    for run in checks.beam_inputs(5, 6, 3):
        reference.beam_search_decode(counting(checks.toy_step(run["table"], run["end_id"])), run["beam_width"],
                                     run["max_len"], run["end_id"], run["alpha"])
    assert len(calls) <= 150
    step = checks.toy_step(checks.greedy_inputs(6, 7, 0)[1]["table"], 3)
    out = step((1,) * 40)  # far past max_len: the end token is (almost) certain
    assert out.dtype == np.float64 and out.shape == (6,) and int(np.argmax(out)) == 3
    assert np.isclose(np.logaddexp.reduce(out), 0)
    with pytest.raises(RuntimeError, match="does not stop"):
        for _ in range(checks.MAX_CALLS + 1):
            step(())


def test_nothing_in_the_student_modules_passes_a_check(grading):
    """No function of week3.decoding_checks or week3.name_lm is a graded function in disguise."""
    for module in (checks, name_lm):
        for fname, fn in vars(module).items():
            if not callable(fn) or getattr(fn, "__module__", None) != module.__name__:
                continue
            for check in CHECKS.values():
                try:
                    check(fn)
                except (CheckFailed, NotImplementedError, TypeError):
                    continue
                raise AssertionError(f"{module.__name__}.{fname} passes {check.__name__}")


# ------------------------------------------------------------------ the name language model

@pytest.fixture(scope="module")
def lm():
    return name_lm.load_name_lm()


def test_name_lm_rows_are_log_probabilities_of_week1s_rnn(lm):
    from week1.char_lm import rnn_forward

    parameters, char_to_ix, ix_to_char = lm
    assert char_to_ix["\n"] == 0 and len(ix_to_char) == 27
    assert {k: v.shape for k, v in parameters.items()} == {"Wax": (50, 27), "Waa": (50, 50), "Wya": (27, 50),
                                                           "b": (50, 1), "by": (27, 1)}
    step = name_lm.name_step_log_probs(parameters, char_to_ix)
    for prefix in [(), (20,), (20, 18, 9), (1, 2, 3, 4, 5, 6, 7, 8)]:
        row = step(prefix)
        assert row.shape == (27,) and row.dtype == np.float64 and np.all(row <= 0)
        assert abs(np.logaddexp.reduce(row)) < 1e-12
    name = "triceratops"
    X = [None] + [char_to_ix[ch] for ch in name]
    Y = X[1:] + [0]
    loss = rnn_forward(X, Y, np.zeros((50, 1)), parameters)[0]
    assert name_lm.sequence_log_prob(step, Y) == pytest.approx(-loss, rel=1e-12)
    prompted = name_lm.name_step_log_probs(parameters, char_to_ix, prompt="tri")
    assert np.allclose(prompted((3,)), step(tuple(Y[:4])))
    assert name_lm.decode_name(Y, ix_to_char) == "Triceratops"
    assert name_lm.decode_name(Y[3:], ix_to_char, prompt="tri") == "Triceratops"


def test_beam_search_beats_greedy_on_the_name_lm(lm):
    parameters, char_to_ix, ix_to_char = lm
    step = name_lm.name_step_log_probs(parameters, char_to_ix)
    greedy = reference.greedy_decode(step, 20, 0)
    tokens, score = reference.beam_search_decode(step, 3, 20, 0, alpha=0.7)
    assert greedy[-1] == 0 and tokens[-1] == 0
    assert name_lm.sequence_log_prob(step, tokens) > name_lm.sequence_log_prob(step, greedy) + 1.0
    assert reference.beam_search_decode(step, 1, 20, 0)[0] == greedy
    print(name_lm.decode_name(greedy, ix_to_char), name_lm.decode_name(tokens, ix_to_char))


def test_length_normalization_changes_the_winner_on_the_name_lm(lm):
    parameters, char_to_ix, ix_to_char = lm
    for prompt in ("e", "i"):
        step = name_lm.name_step_log_probs(parameters, char_to_ix, prompt=prompt)
        short, _ = reference.beam_search_decode(step, 5, 20, 0, alpha=0.0)
        long, _ = reference.beam_search_decode(step, 5, 20, 0, alpha=0.7)
        assert short[-1] == 0 and long[-1] == 0 and len(short) < len(long)
        total = {k: name_lm.sequence_log_prob(step, t) for k, t in (("short", short), ("long", long))}
        assert total["short"] > total["long"]  # alpha = 0 prefers the shorter name ...
        assert total["long"] / len(long) ** 0.7 > total["short"] / len(short) ** 0.7  # ... alpha = 0.7 the longer
        assert reference.beam_search_decode(step, 5, 20, 0, alpha=1.0)[0] == long


def test_name_lm_training_script_and_readme_agree():
    from checks.paths import data_path

    folder = data_path("models", "name_lm")
    script, readme = (folder / "train.py").read_text(), (folder / "README.md").read_text()
    assert "autograder.reference.w1a2_dinosaur_island import model" in script and "instructor-only" in script
    assert "python data/models/name_lm/train.py" in readme and "22,001" in readme
    assert "default=22001" in script

"""Reference for w2a1 (word vectors): the graded functions, the 3CosAdd analogy solver the notebook compares with
(its results are stored in ``data/analogies/``, see ``data/analogies/baseline.py``), and the cases behind the
checks in :mod:`week2.word_vector_checks` (expected values, and the values classic mistakes produce)."""
from __future__ import annotations

import numpy as np

from week2 import word_vector_checks as checks
from week2.glove import word_matrix
from week2.word_vectors import ANALOGY_VOCAB_SIZE

CHECKS = "week2.word_vector_checks"

# ------------------------------------------------------------------ the graded functions


def cosine_similarity(u, v):
    norm_u, norm_v = np.linalg.norm(u), np.linalg.norm(v)
    if norm_u == 0 or norm_v == 0:
        return 0.0
    return float(np.dot(u, v) / (norm_u * norm_v))


def _cosines(E, target):
    """cos(row, target) for every row of E (n_words, n_e); 0 where a row or the target is zero."""
    norms = np.linalg.norm(E, axis=1) * np.linalg.norm(target)
    return (E @ target) / np.where(norms == 0, 1.0, norms)


def _best(words, scores, skip) -> str | None:
    """The best-scoring word not in ``skip``; None when every word is in it (no candidate)."""
    for i in np.argsort(-scores, kind="stable"):  # best first
        if words[i] not in skip:
            return words[i]
    return None


def _analogy(word_a, word_b, word_c, word_to_vec_map, score="offset", exclude=True) -> str:
    """The answer of complete_analogy (``score="offset"``) or of a classic mistake (the other scores below)."""
    word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
    for word in (word_a, word_b, word_c):
        if word not in word_to_vec_map:
            raise KeyError(f"{word!r} is not in word_to_vec_map: check its spelling or choose another word")
    e_a, e_b, e_c = (np.asarray(word_to_vec_map[w], dtype=np.float64) for w in (word_a, word_b, word_c))
    words, E = word_matrix(word_to_vec_map)  # (n_words, n_e)
    scores = {
        "offset": lambda: _cosines(E - e_c, e_b - e_a),
        "dot": lambda: (E - e_c) @ (e_b - e_a),                                  # no division by the norms
        "reversed": lambda: _cosines(E - e_c, e_a - e_b),
        "euclidean": lambda: -np.linalg.norm(E - (e_b - e_a + e_c), axis=1),     # nearest to e_b - e_a + e_c
        "no_c": lambda: _cosines(np.asarray(E, dtype=np.float64), e_b - e_a),    # e_w instead of e_w - e_c
        "no_a": lambda: _cosines(E - e_c, e_b),                                  # e_b instead of e_b - e_a
        "3cosadd": lambda: _cosines(np.asarray(E, dtype=np.float64), e_b - e_a + e_c),
    }[score]()
    return _best(words, scores, (word_a, word_b, word_c) if exclude else ())


def complete_analogy(word_a, word_b, word_c, word_to_vec_map):
    return _analogy(word_a, word_b, word_c, word_to_vec_map)


def neutralize(word, g, word_to_vec_map):
    e = np.asarray(word_to_vec_map[word], dtype=np.float64)
    return e - np.dot(e, g) / np.sum(g * g) * g


def _equalize(e_w1, e_w2, g, mistake=None):
    """The symmetric equalize of Bolukbasi et al. on unit vectors, or one classic mistake (see EQUALIZE_MISTAKES)."""
    if mistake != "not_unit":
        e_w1, e_w2 = e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)
    denominator = 1.0 if mistake == "norm2" else np.sum(g * g)

    def proj(e):
        return np.dot(e, g) / denominator * g

    mu = (e_w1 + e_w2) / 2
    mu_B = proj(mu)
    mu_orth = mu - mu_B
    if mistake == "mu_not_split":
        mu_orth = mu
    shared = {"mu_added": mu, "minus_orth": -mu_orth}.get(mistake, mu_orth)
    base = mu if mistake == "scale_mu" else mu_orth
    scale = np.abs(1 - np.sum(base * base))
    scale = scale if mistake == "no_root" else np.sqrt(scale)

    def corrected(e_w):
        part = proj(e_w) - mu_B
        if mistake == "no_divide":
            return scale * part
        if mistake == "edition":
            return scale * part / np.linalg.norm(e_w - mu_orth - mu_B)
        return scale * part / np.linalg.norm(part)

    e1, e2 = corrected(e_w1) + shared, corrected(e_w2) + shared
    return (e2, e1) if mistake == "swap" else (e1, e2)


def equalize(pair, bias_axis, word_to_vec_map):
    e_w1, e_w2 = (np.asarray(word_to_vec_map[w], dtype=np.float64) for w in pair)
    return _equalize(e_w1, e_w2, np.asarray(bias_axis, dtype=np.float64))


GRADED = {"cosine_similarity": cosine_similarity, "complete_analogy": complete_analogy, "neutralize": neutralize,
          "equalize": equalize}


# The stand-ins each graded function may call while it is tested, and how often in one call (a number, or a function
# of its arguments, with the notebook's signature): complete_analogy one cosine per candidate word; equalize one
# neutralize per vector it splits, at most five (each word's vector as given and normalised, and their mean).
# Every other graded function it calls is the notebook's own (see autograder.remote).

def _candidates(word_a, word_b, word_c, word_to_vec_map):
    return len(word_to_vec_map)


STAND_INS = {"cosine_similarity": {}, "complete_analogy": {"cosine_similarity": _candidates}, "neutralize": {},
             "equalize": {"neutralize": 5}}

# ------------------------------------------------------------------ the comparison solver (instructor-only)


def analogy_3cosadd(word_a: str, word_b: str, word_c: str, word_to_vec_map) -> str:
    """3CosAdd (Mikolov et al., 2013; Levy & Goldberg, 2014), the solver the notebook compares with.

    On unit vectors, the word w (other than the three inputs) closest in cosine to e_b - e_a + e_c; unlike
    comparing offsets, this also asks e_w to be near e_c.  Same signature as ``complete_analogy``.
    """
    word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()
    e_a, e_b, e_c = (np.asarray(word_to_vec_map[w], dtype=np.float64) for w in (word_a, word_b, word_c))
    target = e_b / np.linalg.norm(e_b) - e_a / np.linalg.norm(e_a) + e_c / np.linalg.norm(e_c)  # (n_e,)
    words, E = word_matrix(word_to_vec_map)
    scores = (E @ target) / np.maximum(np.linalg.norm(E, axis=1), 1e-12)  # cos up to the constant ||target||
    return _best(words, scores, (word_a, word_b, word_c))

# ------------------------------------------------------------------ the cases behind the checks


def _cosine_mistakes(u, v) -> dict:
    nu, nv, dot = np.linalg.norm(u), np.linalg.norm(v), float(u @ v)
    return {
        "the dot product was not divided by the norms ||u|| ||v||.": dot,
        "only ||u|| was divided out; divide by ||v|| too.": dot / nu,
        "only ||v|| was divided out; divide by ||u|| too.": dot / nv,
        "the squared norms (u.u and v.v) were used instead of the norms.": dot / (nu ** 2 * nv ** 2),
        "the norms were added instead of multiplied.": dot / (nu + nv),
    }


def cosine_similarity_case(seed=None) -> dict:
    pairs = checks.cosine_inputs(seed)
    return {"expected": [cosine_similarity(u, v) for u, v in pairs],
            "mistakes": [_cosine_mistakes(u, v) for u, v in pairs]}


NOT_EXCLUDED = ("the input words were not excluded: word_b is often the closest candidate; skip all three of word_a, "
                "word_b and word_c.")
#: {score of _analogy: the cause named when a word is what that score picks}
ANALOGY_MISTAKES = {
    "euclidean": "the word nearest to e_b - e_a + e_c in Euclidean distance was chosen; use cosine similarity, not "
                 "Euclidean distance: the best w maximises cos(e_b - e_a, e_w - e_c), whatever the lengths.",
    "dot": "the dot product was used without dividing by the norms; long offsets then win; use cosine similarity, "
           "cos(e_b - e_a, e_w - e_c).",
    "reversed": "a difference is reversed: compare e_b - e_a with e_w - e_c (the same order in both); or the "
                "word with the smallest cosine was chosen instead of the largest (sort best first).",
    "no_c": "the term - e_c is missing: compare e_b - e_a with the offset e_w - e_c, not with e_w itself.",
    "no_a": "the term - e_a is missing: compare the offset e_b - e_a, not e_b itself, with e_w - e_c.",
    "3cosadd": "e_w was compared with e_b - e_a + e_c (3CosAdd, another analogy method); this exercise compares "
               "offsets: cos(e_b - e_a, e_w - e_c).",
}


def _analogy_case(question, word_to_vec_map, inputs_returned: bool) -> dict:
    """The answer of ``question`` on ``word_to_vec_map``, and {cause: word} for each mistake that returns another."""
    answer = complete_analogy(*question, word_to_vec_map)
    picks = {NOT_EXCLUDED: _analogy(*question, word_to_vec_map, exclude=False)}
    if inputs_returned:  # a zero offset e_c - e_c scored as nan wins np.argmax
        a, _, c = question
        picks[f"word_c itself ({c!r}) was returned: exclude the three input words."] = c
        picks[f"word_a itself ({a!r}) was returned: exclude the three input words."] = a
    picks |= {cause: _analogy(*question, word_to_vec_map, score=score) for score, cause in ANALOGY_MISTAKES.items()}
    return {"answer": answer, "mistakes": {cause: word for cause, word in picks.items() if word != answer}}


def complete_analogy_case(seed=None) -> dict:
    word_to_vec_map, question = checks.toy_analogy_map(0 if seed is None else seed)
    case = _analogy_case(question, word_to_vec_map, inputs_returned=True)
    twins, question = checks.zero_offset_map(seed)
    case["zero_offset"] = complete_analogy(*question, twins)
    glove = []
    if seed is None:
        vocab = checks._glove().most_frequent(ANALOGY_VOCAB_SIZE)
        glove = [_analogy_case(q, vocab, inputs_returned=False) for q in checks.GLOVE_ANALOGIES]
    return case | {"glove": glove}


def _neutralize_mistakes(e, g) -> dict:
    gg, ee, norm_g = g @ g, e @ e, np.linalg.norm(g)
    proj = (e @ g) / gg * g
    return {
        "the vector was returned unchanged; subtract its component along g.": e,
        "the bias component itself was returned; return e minus it (section 7).": proj,
        "the bias component was added instead of subtracted.": e + proj,
        "e.g was not divided by ||g||^2: g is not a unit vector, so the component of e along it is "
        "(e.g / ||g||^2) g.": e - (e @ g) * g,
        "e.g was divided by ||g|| instead of ||g||^2.": e - (e @ g) / norm_g * g,
        "the coefficient e.g / ||g||^2 was multiplied by the unit vector g / ||g||; multiply it by g itself.":
            e - (e @ g) / gg * (g / norm_g),
        "e.g was divided by ||e||^2 instead of ||g||^2.": e - (e @ g) / ee * g,
        "the wrong component was subtracted: that is the projection of g on e; subtract the projection of e on g, "
        "(e.g / ||g||^2) g.": e - (e @ g) / ee * e,
        "g itself was subtracted; subtract the component of e along g, (e.g / ||g||^2) g.": e - g,
    }


def neutralize_case(seed=None) -> dict:
    cases = []
    for word, g, word_to_vec_map in checks.neutralize_inputs(seed):
        e = np.asarray(word_to_vec_map[word], dtype=np.float64)
        cases.append({"expected": neutralize(word, g, word_to_vec_map), "mistakes": _neutralize_mistakes(e, g)})
    return {"cases": cases}


#: {mistake of _equalize: the cause named when e1 or e2 is what it gives}
EQUALIZE_MISTAKES = {
    "not_unit": "the two vectors were not scaled to unit length first; the formula assumes ||e_w1|| = ||e_w2|| = 1 "
                "(divide each by its norm).",
    "norm2": "the projection mu_B (or every projection) on bias_axis was not divided by ||bias_axis||^2; "
             "bias_axis is not a unit vector (section 8).",
    "edition": "the correction was divided by ||e_w - mu_orth - mu_B||; divide by ||e_wB - mu_B||, the length of "
               "the bias part only, so that the results are unit vectors.",
    "no_root": "the square root of |1 - ||mu_orth||^2| is missing.",
    "swap": "e1 and e2 are swapped, or the bias parts have the wrong sign: e1 belongs to pair[0], and its corrected "
            "bias part points along e_w1B - mu_B (a projection e_w1B or e_w2B not divided by ||bias_axis||^2 can "
            "flip that direction).",
    "mu_not_split": "mu was used where mu_orth belongs: split mu into mu_B, its projection on bias_axis, and "
                    "mu_orth, the rest of it; the scale and the sum use mu_orth (section 8).",
    "mu_added": "mu was added back instead of mu_orth: the corrected bias part gets mu_orth, the part of mu "
                "orthogonal to bias_axis (the last formulas of section 8).",
    "scale_mu": "the scale was computed from mu; it uses mu_orth, the part of mu orthogonal to bias_axis (section 8).",
    "minus_orth": "mu_orth was subtracted; add it to the corrected bias part (the last formulas of section 8).",
    "no_divide": "the bias parts were not divided by ||e_wB - mu_B||, so their length is not "
                 "sqrt(|1 - ||mu_orth||^2|).",
}


def equalize_case(seed=None) -> dict:
    cases = []
    for pair, g, word_to_vec_map in checks.equalize_inputs(seed):
        e_w1, e_w2 = (np.asarray(word_to_vec_map[w], dtype=np.float64) for w in pair)
        cases.append({"expected": _equalize(e_w1, e_w2, g),
                      "mistakes": {cause: _equalize(e_w1, e_w2, g, mistake)
                                   for mistake, cause in EQUALIZE_MISTAKES.items()}})
    return {"cases": cases}


CASES = {"cosine_similarity": cosine_similarity_case, "complete_analogy": complete_analogy_case,
         "neutralize": neutralize_case, "equalize": equalize_case}

# ------------------------------------------------------------------ classic mistakes and equivalence probes

# Classic mistakes: (what the student did, text in the solution cell, what it becomes, words the public check
# prints for it). autograder.mutants applies each to the source notebook's solution and checks that the public
# check fails with those words in its message; tests/test_mutants.py runs them all.
MISTAKES = {
    "cosine_similarity": [
        ("the dot product not divided by the norms", "float(np.dot(u, v) / (norm_u * norm_v))",
         "float(np.dot(u, v))", "not divided by the norms"),
        ("the norms added instead of multiplied", "(norm_u * norm_v)", "(norm_u + norm_v)",
         "added instead of multiplied"),
        ("the squared norms u.u and v.v", "    norm_u = np.linalg.norm(u)\n    norm_v = np.linalg.norm(v)\n",
         "    norm_u = np.dot(u, u)\n    norm_v = np.dot(v, v)\n", "squared norms"),
        ("only ||u|| divided out", "/ (norm_u * norm_v)", "/ norm_u", "only ||u|| was divided out"),
        ("no special case for a zero vector (0/0 = nan)", "    if norm_u == 0 or norm_v == 0:\n        return 0.0\n",
         "", "expected 0.0 for a zero vector"),
        ("the element-wise product returned, not its sum", "float(np.dot(u, v) / (norm_u * norm_v))",
         "u * v / (norm_u * norm_v)", "expected a single number"),
    ],
    "complete_analogy": [
        ("the input words not excluded", "if words[i] not in (word_a, word_b, word_c):", "if True:",
         "input words were not excluded"),
        ("the difference e_a - e_b", "target = e_b - e_a", "target = e_a - e_b", "a difference is reversed"),
        ("e_w compared, not the offset e_w - e_c", "offsets = E - e_c", "offsets = E",
         "the term - e_c is missing"),
        ("the dot product without the norms", "cosines = (offsets @ target) / np.where(norms == 0, 1.0, norms)",
         "cosines = offsets @ target", "dot product was used without dividing by the norms"),
        ("the Euclidean distance instead of the cosine",
         "cosines = (offsets @ target) / np.where(norms == 0, 1.0, norms)",
         "cosines = -np.linalg.norm(offsets - target, axis=1)", "not Euclidean distance"),
        ("the words not lower-cased",
         "    word_a, word_b, word_c = word_a.lower(), word_b.lower(), word_c.lower()\n", "",
         "lower-case word_a, word_b and word_c first"),
        ("0/0 = nan for a zero offset", "np.where(norms == 0, 1.0, norms)", "norms",
         "the cosine with a zero vector is 0"),
        ("best_word never initialised (no candidate: a crash)", "    best_word = None\n", "", "return None"),
    ],
    "neutralize": [
        ("e.g not divided by ||g||^2", "np.dot(e, g) / np.sum(g * g) * g", "np.dot(e, g) * g",
         "e.g was not divided by ||g||^2"),
        ("e.g divided by ||g||", "np.dot(e, g) / np.sum(g * g) * g", "np.dot(e, g) / np.linalg.norm(g) * g",
         "divided by ||g|| instead of ||g||^2"),
        ("e.g divided by ||e||^2", "np.dot(e, g) / np.sum(g * g) * g", "np.dot(e, g) / np.sum(e * e) * g",
         "divided by ||e||^2 instead of ||g||^2"),
        ("the bias component added", "e_debiased = e - e_biascomponent", "e_debiased = e + e_biascomponent",
         "added instead of subtracted"),
        ("the bias component returned", "e_debiased = e - e_biascomponent", "e_debiased = e_biascomponent",
         "bias component itself was returned"),
        ("the stored vector changed in place", "e_debiased = e - e_biascomponent",
         "e -= e_biascomponent\n    e_debiased = e", "in place"),
    ],
    "equalize": [
        ("the words' vectors not scaled to unit length",
         "    e_w1 = word_to_vec_map[w1] / np.linalg.norm(word_to_vec_map[w1])  # (n_e,)\n"
         "    e_w2 = word_to_vec_map[w2] / np.linalg.norm(word_to_vec_map[w2])\n",
         "    e_w1 = word_to_vec_map[w1]\n    e_w2 = word_to_vec_map[w2]\n", "not scaled to unit length"),
        ("mu_B not divided by ||bias_axis||^2",
         "mu_B = np.dot(mu, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis",
         "mu_B = np.dot(mu, bias_axis) * bias_axis", "not divided by ||bias_axis||^2"),
        ("e_w1B and e_w2B not divided by ||bias_axis||^2",
         "    e_w1B = np.dot(e_w1, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis\n"
         "    e_w2B = np.dot(e_w2, bias_axis) / np.sum(bias_axis * bias_axis) * bias_axis\n",
         "    e_w1B = np.dot(e_w1, bias_axis) * bias_axis\n    e_w2B = np.dot(e_w2, bias_axis) * bias_axis\n",
         "the bias parts have the wrong sign"),
        ("no square root in the scale", "scale = np.sqrt(np.abs(1 - np.sum(mu_orth * mu_orth)))",
         "scale = np.abs(1 - np.sum(mu_orth * mu_orth))", "square root"),
        ("the scale from mu instead of mu_orth", "np.sqrt(np.abs(1 - np.sum(mu_orth * mu_orth)))",
         "np.sqrt(np.abs(1 - np.sum(mu * mu)))", "the scale was computed from mu"),
        ("the bias parts not divided by ||e_wB - mu_B||",
         "    corrected_e_w1B = scale * (e_w1B - mu_B) / np.linalg.norm(e_w1B - mu_B)\n"
         "    corrected_e_w2B = scale * (e_w2B - mu_B) / np.linalg.norm(e_w2B - mu_B)\n",
         "    corrected_e_w1B = scale * (e_w1B - mu_B)\n    corrected_e_w2B = scale * (e_w2B - mu_B)\n",
         "not divided by ||e_wB - mu_B||"),
        ("mu added back instead of mu_orth",
         "    e1 = corrected_e_w1B + mu_orth\n    e2 = corrected_e_w2B + mu_orth\n",
         "    e1 = corrected_e_w1B + mu\n    e2 = corrected_e_w2B + mu\n", "mu was added back instead of mu_orth"),
        ("e1 and e2 swapped", "    e1 = corrected_e_w1B + mu_orth\n    e2 = corrected_e_w2B + mu_orth\n",
         "    e1 = corrected_e_w2B + mu_orth\n    e2 = corrected_e_w1B + mu_orth\n", "e1 and e2 are swapped"),
    ],
}


def _probe_cosine_similarity(rng) -> list[tuple]:
    calls = []
    for n in (1, 2, 3, 5, 50, 300):
        for scale_u, scale_v in ((1.0, 1.0), (0.01, 40.0), (7.0, 0.3)):
            calls.append((rng.standard_normal(n) * scale_u, rng.standard_normal(n) * scale_v))
    u = rng.standard_normal(8)
    calls += [(u, 3.5 * u), (u, -0.2 * u),                                   # parallel: 1, opposite: -1
              (np.array([1.0, 0.0, 0.0]), np.array([0.0, 2.0, 0.0])),       # orthogonal: 0
              (np.zeros(4), rng.standard_normal(4)), (rng.standard_normal(4), np.zeros(4)),
              (np.zeros(6), np.zeros(6)),                                    # a zero vector: 0.0
              (np.array([1, 2, 2]), np.array([2, 0, 1])),                    # integer arrays
              (rng.standard_normal(50).astype(np.float32), rng.standard_normal(50).astype(np.float32))]
    return calls


def _random_map(rng, n_words: int, n_e: int) -> dict:
    lengths = rng.uniform(0.2, 5.0, n_words)  # vectors of very different lengths
    return {f"w{i}": rng.standard_normal(n_e) * lengths[i] for i in range(n_words)}


def _small_glove(n: int = 3000) -> dict:
    """The real vectors of the ``n`` most frequent words, as a plain dict (the harness compares the arguments after
    each call, which it can do for a dict of arrays)."""
    from week2.glove import load_glove
    m = load_glove()[3]
    extra = [w for q in checks.GLOVE_ANALOGIES for w in q] + ["receptionist", "actress", "paris", "italy"]
    return {w: m[w] for w in dict.fromkeys([*m.words[:n], *extra])}


def _probe_complete_analogy(rng) -> list[tuple]:
    calls = []
    for seed in range(8):  # the checks' toy maps (every mistake picks another word there)
        toy, (a, b, c) = checks.toy_analogy_map(seed)
        calls.append((a, b, c, toy))
    toy, (a, b, c) = checks.toy_analogy_map(3)
    calls += [(a.upper(), b.capitalize(), c, toy), (a, b, c.upper(), toy)]      # any case
    for n_words, n_e in ((5, 2), (12, 3), (40, 10), (200, 50)):                 # random maps and shapes
        m = _random_map(rng, n_words, n_e)
        words = list(m)
        calls.append((words[0], words[1], words[2], m))
        calls.append((words[3], words[1], words[4], m))
    for seed in (None, 1, 2):                                                   # a candidate with e_w = e_c
        twins, question = checks.zero_offset_map(seed)
        calls.append((*question, twins))
    toy, (a, b, c) = checks.toy_analogy_map(1)
    only = {w: toy[w] for w in (a, b, c)}
    calls += [(a, b, c, only),                                                  # no candidate: None
              (a, b, c, {**only, "other": rng.standard_normal(len(toy[a]))}),  # one candidate
              (a, "notaword", c, toy), ("Zyxwvut", b, c, toy)]                 # an unknown word: KeyError
    glove = _small_glove()
    calls += [(*q, glove) for q in checks.GLOVE_ANALOGIES]
    calls.append(("France", "Paris", "Italy", glove))
    return calls


def _probe_neutralize(rng) -> list[tuple]:
    calls = []
    for n in (2, 3, 7, 50):
        m = _random_map(rng, 4, n)
        for length in (0.05, 1.0, 6.0):  # g of any length
            calls.append(("w1", rng.standard_normal(n) * length / np.sqrt(n), m))
    m = {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([0.0, 0.0, 1.0])}
    calls += [("x", np.array([0.5, 3.0, -1.0]), m),
              ("x", np.array([2.0, 4.0, 6.0]), m),          # g parallel to e: the zero vector
              ("x", np.array([3.0, 0.0, -1.0]), m),         # g orthogonal to e: e unchanged
              ("y", np.array([0.0, 0.0, -0.5]), m),
              ("x", np.array([1, 1, 0]), {"x": np.array([1, 2, 3])})]  # integer arrays
    glove = _small_glove()
    calls += [(w, glove["woman"] - glove["man"], glove) for w in ("receptionist", "doctor", "he")]
    return calls


def _probe_equalize(rng) -> list[tuple]:
    calls = []
    for n in (2, 3, 6, 20, 50):
        m = _random_map(rng, 3, n)
        for length in (0.3, 1.0, 4.0):  # bias axes of any length
            g = rng.standard_normal(n)
            g *= length / np.linalg.norm(g)
            calls += [(("w0", "w1"), g, m), (("w1", "w0"), g, m)]
    for length in (0.4, 2.5):          # a pair that leans the same way along the bias axis, both orders
        g, toy = checks._same_side_toy(np.random.default_rng(int(length * 10)), 6, length)
        calls += [(("king", "queen"), g, toy), (("queen", "king"), g, toy)]
    glove = _small_glove()
    g = glove["woman"] - glove["man"]
    calls += [(pair, g, glove) for pair in (("man", "woman"), ("actor", "actress"), ("girl", "boy"))]
    return calls


# Inputs on which a surviving mutant is compared with the solution (autograder.mutants): a mutant that agrees on
# all of them counts as equivalent. Several shapes and every boundary the function's contract names.
PROBES = {"cosine_similarity": _probe_cosine_similarity, "complete_analogy": _probe_complete_analogy,
          "neutralize": _probe_neutralize, "equalize": _probe_equalize}

"""Public checks of the word-vectors notebook (w2a1).

Each ``check_*`` takes the student's function.  With ``seed=None`` it runs the public inputs (small hand-made
vectors and the real GloVe vectors); with an integer ``seed`` it draws other toy inputs (random dimensions,
random rotations, other words); the hidden tests use those.  The inputs are drawn here; what a correct function
returns on them, and what each classic mistake returns (to name it), is looked up in
``week2/fixtures/w2a1_word_vectors.json`` for the public inputs (see :mod:`checks.fixtures`).  A check goes
type -> shape -> values, names the likely mistake, and prints one line when everything passes.
"""
from __future__ import annotations

import numpy as np

from checks.assertions import CheckFailed, call, check_close, check_shape, check_tuple, check_type, passed
from checks.fixtures import Fixtures
from week2.glove import load_glove
from week2.word_vectors import ANALOGY_VOCAB_SIZE

FIXTURES = Fixtures("w2a1_word_vectors")

# ---------------------------------------------------------------------------- shared helpers


def _glove():
    return load_glove()[3]


def _fail(message: str):
    raise CheckFailed(message)


def _copy_map(word_to_vec_map: dict) -> dict:
    return {w: np.array(v, copy=True) for w, v in word_to_vec_map.items()}


def _check_unchanged(name: str, before: dict, after: dict, g_before=None, g_after=None):
    """The function must not modify the caller's vectors in place (e.g. with ``-=``)."""
    for w, v in before.items():
        if not np.array_equal(v, after[w]):
            _fail(f"{name} changed word_to_vec_map[{w!r}] in place. Compute a new array instead of updating the "
                  f"stored vector with -= or +=.")
    if g_before is not None and not np.array_equal(g_before, g_after):
        _fail(f"{name} changed its bias direction argument in place; compute new arrays instead.")


def _rotation(rng, n: int) -> np.ndarray:
    """A random orthonormal basis of R^n (columns)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))

# ---------------------------------------------------------------------------- cosine_similarity


def cosine_inputs(seed=None) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pairs (u, v) that check_cosine_similarity tries: hand-made and GloVe ones, or seeded random ones."""
    if seed is None:
        m = _glove()
        return [(np.array([1.0, 2.0, 2.0]), np.array([2.0, 0.0, 1.0])),
                (m["father"], m["mother"]), (m["ball"], m["crocodile"]),
                (m["france"] - m["paris"], m["rome"] - m["italy"])]
    rng = np.random.default_rng(seed)
    pairs = []
    for _ in range(3):
        n = int(rng.integers(4, 60))
        pairs.append((rng.standard_normal(n) * rng.uniform(0.2, 5), rng.standard_normal(n) * rng.uniform(0.2, 5)))
    return pairs


COSINE_CAUSE = ("likely cause: the similarity is the dot product of u and v divided by the product of their norms "
                "(the formula of section 2), returned as a float.")


def check_cosine_similarity(cosine_similarity, seed=None):
    """cosine_similarity(u, v) = u.v / (||u|| ||v||): a single float; 0 when u or v is the zero vector."""
    name = "cosine_similarity"
    case = FIXTURES.case("cosine_similarity", seed=seed)
    pairs = cosine_inputs(seed)
    with FIXTURES.stand_ins(cosine_similarity, name):
        for (u, v), expected, mistakes in zip(pairs, case["expected"], case["mistakes"]):
            got = call(cosine_similarity, u.copy(), v.copy(), name=name)
            if np.ndim(got) != 0:
                _fail(f"{name}: expected a single number but got an array of shape {np.shape(got)}. "
                      "Take the dot product of the two 1-D vectors (one number), not an outer product.")
            check_type(name, np.asarray(got).item(), (float, int),
                       hint="Return the similarity as a number (float or np.float64).")
            check_close(name, float(np.asarray(got).item()), expected, rtol=1e-6, mistakes=mistakes,
                        hint=COSINE_CAUSE)
        # Zero vectors have no direction: the similarity is defined as 0 rather than 0/0 = nan.
        u = pairs[0][0]
        for args in [(np.zeros_like(u), u.copy()), (u.copy(), np.zeros_like(u))]:
            with np.errstate(all="ignore"):
                got = call(cosine_similarity, *args, name=name)
            if not np.isfinite(got) or abs(float(got)) > 1e-12:
                _fail(f"{name}: expected 0.0 for a zero vector but got {float(got)!r}. When ||u|| or ||v|| is 0, "
                      "return 0.0 instead of dividing by zero.")
    passed(name)

# ---------------------------------------------------------------------------- complete_analogy

# Word sets for the toy maps: the question a:b :: c:?, then the other words of the map, placed at offsets from e_c
# (in the order of _OFFSETS), then fillers.
_TOY_WORDS = [
    dict(question=("man", "woman", "king"), others=["queen", "empress", "prince", "duchess", "lady", "princess",
                                                    "monarch"],
         fillers=["apple", "river", "music", "green", "table", "cloud"]),
    dict(question=("walk", "walked", "swim"), others=["swam", "swimmer", "swims", "swimming", "walker", "walks",
                                                      "pool"],
         fillers=["bread", "purple", "seven", "window", "tiger"]),
    dict(question=("france", "paris", "italy"), others=["rome", "metropolis", "italian", "milan", "capital",
                                                        "venice", "florence"],
         fillers=["cheese", "violin", "harbour", "snow"]),
    dict(question=("cold", "colder", "warm"), others=["warmer", "hottest", "warmth", "warmest", "hotter", "cooler",
                                                      "heat"],
         fillers=["chair", "orbit", "lemon", "forest", "pencil", "salt", "bridge"]),
]

# The words of _TOY_WORDS["others"], in the coordinates u[0..] of a random scaled rotation: e_w - e_c for every one
# but the fifth, which is e_w itself.  Their lengths differ a lot, so that cosine similarity, the dot product, the
# Euclidean distance to e_b - e_a + e_c and the classic slips each pick a different word.
_OFFSETS = [
    {0: 2.5, 3: 0.5},
    {0: 4.0, 4: 3.0},
    {0: -1.0, 3: 0.2},
    {0: 0.8, 6: 0.4},
    {0: 1.2, 7: 0.2},           # e_w itself, not an offset from e_c
    {0: 1.0, 2: 1.0, 5: 0.5},
    {0: 2.0, 2: 1.0, 5: 0.5, 1: 0.1},
]
_ABSOLUTE = 4  # the index in _OFFSETS of the vector given as e_w rather than e_w - e_c

GLOVE_ANALOGIES = [("italy", "italian", "spain"), ("india", "delhi", "japan"), ("man", "woman", "boy"),
                   ("small", "smaller", "large")]


def toy_analogy_map(seed: int = 0):
    """A small word -> vector dict and a question (a, b, c) on it: ``(word_to_vec_map, (a, b, c))``.

    With a random rotation and scale, in its coordinates u[0..n_e-1]: e_a = u2 + 0.5 u5, e_b = e_a + u0,
    e_c = e_a + 0.1 u1; the other words lie at the offsets of ``_OFFSETS``; fillers have no u0 part.
    Words come in a shuffled order (the answer's position in the dict must not matter).
    """
    rng = np.random.default_rng(seed)
    words = _TOY_WORDS[seed % len(_TOY_WORDS)]
    n_e = int(rng.integers(8, 16))
    u = _rotation(rng, n_e).T * rng.uniform(0.5, 3.0)  # rows u[0..n_e-1]: scaled orthonormal directions
    a, b, c = words["question"]
    e_a = u[2] + 0.5 * u[5]
    e_c = e_a + 0.1 * u[1]
    vecs = {a: e_a, b: e_a + u[0], c: e_c}
    for i, (w, offset) in enumerate(zip(words["others"], _OFFSETS)):
        vecs[w] = (0 if i == _ABSOLUTE else e_c) + sum(k * u[j] for j, k in offset.items())
    for w in words["fillers"]:  # no u0 part
        vecs[w] = u[1:].T @ rng.standard_normal(n_e - 1) * 0.6
    order = list(vecs)
    rng.shuffle(order)
    return {w: vecs[w] for w in order}, (a, b, c)


def unknown_word(seed=None) -> str:
    return "zyxwvut" if seed is None else f"notaword{seed}"


TWIN = "replica"  # the candidate of zero_offset_map whose vector is word_c's own


def zero_offset_map(seed=None):
    """A map on which the answer is the word whose vector equals e_c: ``(word_to_vec_map, (a, b, c))``.

    Its offset e_w - e_c is the zero vector, whose cosine is 0 (section 2's convention); every other candidate
    points away from e_b - e_a (a negative cosine), so 0 is the best score. Words in a shuffled order.
    """
    rng = np.random.default_rng(100 if seed is None else seed + 100)
    toy, (a, b, c) = toy_analogy_map(0 if seed is None else seed)
    e_a, e_b, e_c = toy[a], toy[b], toy[c]
    target = (e_b - e_a) / np.linalg.norm(e_b - e_a)
    vecs = {a: e_a, b: e_b, c: e_c, TWIN: e_c.copy()}
    for w in [w for w in toy if w not in (a, b, c)][:6]:
        noise = rng.standard_normal(e_c.shape)
        noise -= (noise @ target) * target  # orthogonal to e_b - e_a
        vecs[w] = e_c - rng.uniform(0.3, 2.0) * target + rng.uniform(0.1, 1.0) * noise
    order = list(vecs)
    rng.shuffle(order)
    return {w: vecs[w] for w in order}, (a, b, c)


ANALOGY_CAUSE = ("likely cause: score every candidate w by cosine_similarity(e_b - e_a, e_w - e_c) and return the "
                 "highest-scoring word other than word_a, word_b and word_c (section 3).")


def _check_word(name: str, got, expected: str, mistakes: dict):
    """``mistakes``: {cause: the word that mistake returns}."""
    check_type(name, got, str, hint="Return the best word itself (a str), not its index or its vector.")
    if got != expected:
        cause = next((cause for cause, word in mistakes.items() if word == got), None)
        _fail(f"{name}: expected {expected!r} but got {got!r}. "
              + (f"likely cause: {cause}" if cause else ANALOGY_CAUSE))


def _expect_unknown_error(name: str, complete_analogy, args, unknown: str):
    try:
        got = complete_analogy(*args)
    except NotImplementedError:
        raise
    except (KeyError, ValueError) as exc:
        if unknown not in str(exc):
            _fail(f"{name}: for an unknown word it raised {type(exc).__name__}({exc}), which does not name the "
                  f"word; raise KeyError or ValueError with a sentence that names {unknown!r}.")
    except Exception as exc:  # noqa: BLE001
        _fail(f"{name}: for the unknown word {unknown!r} it raised {type(exc).__name__}: {exc}. Check that each "
              "word is in word_to_vec_map and raise KeyError or ValueError with a sentence that names it.")
    else:
        _fail(f"{name}: for the unknown word {unknown!r} it returned {got!r} instead of raising an error; "
              "raise KeyError or ValueError with a sentence that names the word.")


def check_complete_analogy(complete_analogy, seed=None):
    """complete_analogy(a, b, c, word_to_vec_map) returns the word w maximising cos(e_b - e_a, e_w - e_c)."""
    name = "complete_analogy"
    case = FIXTURES.case("complete_analogy", seed=seed)
    word_to_vec_map, (a, b, c) = toy_analogy_map(0 if seed is None else seed)
    with FIXTURES.stand_ins(complete_analogy, name):
        before = _copy_map(word_to_vec_map)
        got = call(complete_analogy, a, b, c, word_to_vec_map, name=name)
        _check_word(f"{name}({a!r}, {b!r}, {c!r}, toy map)", got, case["answer"], case["mistakes"])
        _check_unchanged(name, before, word_to_vec_map)

        # Capitalised inputs: lower-case them before looking them up.
        try:
            got = complete_analogy(a.capitalize(), b.upper(), c.capitalize(), word_to_vec_map)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any crash here is the same mistake
            _fail(f"{name}({a.capitalize()!r}, {b.upper()!r}, {c.capitalize()!r}, ...) raised "
                  f"{type(exc).__name__}: {exc}. The vocabulary is lower-case: lower-case word_a, word_b and "
                  "word_c first.")
        _check_word(f"{name} with capitalised inputs", got, case["answer"], case["mistakes"])

        # An unknown word: a clear error that names it.
        unknown = unknown_word(seed)
        _expect_unknown_error(name, complete_analogy, (a, unknown, c, word_to_vec_map), unknown)

        # A candidate whose vector equals e_c: its offset is the zero vector, whose cosine is 0, not nan.
        twins, (a, b, c) = zero_offset_map(seed)
        with np.errstate(all="ignore"):
            got = call(complete_analogy, a, b, c, twins, name=name)
        check_type(f"{name}({a!r}, {b!r}, {c!r}, a map where {TWIN!r} has the vector of {c!r})", got, str,
                   hint="Return the best word itself (a str).")
        if got != case["zero_offset"]:
            _fail(f"{name}({a!r}, {b!r}, {c!r}, a map where {TWIN!r} has the vector of {c!r}): expected "
                  f"{case['zero_offset']!r} but got {got!r}; likely cause: the offset e_w - e_c of {TWIN!r} is the "
                  "zero vector, and the cosine with a zero vector is 0 (the convention of section 2), not nan: "
                  "here 0 beats the negative cosines of every other candidate; give a zero offset the score 0 "
                  "instead of dividing 0 by 0.")

        # No candidate at all: a map that holds only the three input words has no answer.
        only = {w: twins[w] for w in (a, b, c)}
        try:
            with np.errstate(all="ignore"):
                got = complete_analogy(a, b, c, only)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - any crash here is the same mistake
            _fail(f"{name}({a!r}, {b!r}, {c!r}, a map of only these three words) raised "
                  f"{type(exc).__name__}: {exc}; likely cause: with no candidate other than the three inputs "
                  "there is no best word: return None (the docstring), e.g. start from best_word = None.")
        if got is not None:
            _fail(f"{name}({a!r}, {b!r}, {c!r}, a map of only these three words): expected None but got "
                  f"{got!r}; likely cause: with no candidate other than the three inputs there is no best word: "
                  "return None (the docstring); the input words themselves are never the answer.")

        if case["glove"]:  # the classic analogies on the real vectors (the 20,000 most frequent words)
            vocab = _glove().most_frequent(ANALOGY_VOCAB_SIZE)
            for (a, b, c), stored in zip(GLOVE_ANALOGIES, case["glove"]):
                got = call(complete_analogy, a, b, c, vocab, name=name)
                _check_word(f"{name}({a!r}, {b!r}, {c!r}, GloVe)", got, stored["answer"], stored["mistakes"])
    passed(name)

# ---------------------------------------------------------------------------- neutralize


def neutralize_inputs(seed=None) -> list[tuple[str, np.ndarray, object]]:
    """(word, g, word_to_vec_map) triples: GloVe's "receptionist" and a 3-d toy, or a seeded random toy."""
    if seed is None:
        m = _glove()
        return [("receptionist", m["woman"] - m["man"], m),
                ("x", np.array([0.5, 3.0, -1.0]), {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([1.0, 0.0, 0.0])})]
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 30))
    toy = {f"word{i}": rng.standard_normal(n) for i in range(5)}
    return [(f"word{int(rng.integers(5))}", rng.standard_normal(n) * rng.uniform(1.5, 4), toy)]


NEUTRALIZE_CAUSE = ("likely cause: the bias component is the projection of the word's own vector e on the g given, "
                    "and the result is e minus it (the formulas of section 7).")


def check_neutralize(neutralize, seed=None):
    """neutralize(word, g, word_to_vec_map) = e - (e.g / ||g||^2) g, without changing the map."""
    name = "neutralize"
    case = FIXTURES.case("neutralize", seed=seed)
    with FIXTURES.stand_ins(neutralize, name):
        for (word, g, word_to_vec_map), stored in zip(neutralize_inputs(seed), case["cases"]):
            plain = isinstance(word_to_vec_map, dict)
            before, g_before = (_copy_map(word_to_vec_map) if plain else None), g.copy()
            got = call(neutralize, word, g, word_to_vec_map, name=name)
            label = f"{name}({word!r}, ...)"
            check_shape(label, got, stored["expected"].shape)
            check_close(label, got, stored["expected"], rtol=1e-6, atol=1e-9, mistakes=stored["mistakes"],
                        hint=NEUTRALIZE_CAUSE)
            if plain:
                _check_unchanged(name, before, word_to_vec_map, g_before, g)
    passed(name)

# ---------------------------------------------------------------------------- equalize


def _same_side_toy(rng, n: int, length: float) -> tuple[np.ndarray, dict]:
    """A bias axis of the given length, and two words of different lengths whose components along it have the same
    sign but different sizes (a pair that both lean the same way): the equalized pair must still point to opposite
    sides, each towards its own word's side of the pair's mean."""
    u = _rotation(rng, n).T  # rows: orthonormal directions; u[0] is the bias direction
    g = length * u[0] * (1 if rng.random() < 0.5 else -1)
    direction = np.sign(g @ u[0])
    toy = {"king": 2.0 * (1.6 * direction * u[0] + u[1] + 0.3 * u[2]),
           "queen": 0.7 * (0.3 * direction * u[0] + u[1] - 0.4 * u[3]),
           "throne": rng.standard_normal(n)}
    return g, toy


def equalize_inputs(seed=None) -> list[tuple[tuple[str, str], np.ndarray, object]]:
    """(pair, bias_axis, word_to_vec_map) triples: GloVe's (man, woman), a 4-d toy, and a 6-d pair that leans the
    same way along a short and a long bias axis, in both orders; or seeded random toys."""
    if seed is None:
        m = _glove()
        rng = np.random.default_rng(0)
        toy = {"he": np.array([2.0, 1.0, 0.5, 0.0]), "she": np.array([-1.0, 1.5, 0.5, 1.0]),
               "it": rng.standard_normal(4)}
        cases = [(("man", "woman"), m["woman"] - m["man"], m),
                 (("he", "she"), np.array([3.0, -1.0, 0.0, 0.5]), toy)]
        for length in (0.4, 2.5):  # a short and a long bias axis; each pair in both orders
            g, same_side = _same_side_toy(np.random.default_rng(int(length * 10)), 6, length)
            cases += [(("king", "queen"), g, same_side), (("queen", "king"), g, same_side)]
        return cases
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 30))
    toy = {w: rng.standard_normal(n) * rng.uniform(0.5, 3) for w in ("uncle", "aunt", "cousin", "table")}
    return [(("uncle", "aunt"), rng.standard_normal(n) * rng.uniform(1.5, 4), toy),
            (("aunt", "uncle"), rng.standard_normal(n) * rng.uniform(1.5, 4), toy)]


def _equalize_cause(value) -> str:
    return ("likely cause: follow the formulas of section 8 in order: unit vectors e_w1 and e_w2; mu, its "
            "projection mu_B on bias_axis and the rest of it, mu_orth; e_w1B and e_w2B; the corrected bias parts; "
            "then add mu_orth; "
            f"the equalized vectors have length 1; this one has length {float(np.linalg.norm(value)):.4g}.")


def check_equalize(equalize, seed=None):
    """equalize(pair, bias_axis, word_to_vec_map) -> (e1, e2): unit vectors symmetric about the neutral axis."""
    name = "equalize"
    case = FIXTURES.case("equalize", seed=seed)
    with FIXTURES.stand_ins(equalize, name):
        for (pair, g, word_to_vec_map), stored in zip(equalize_inputs(seed), case["cases"]):
            plain = isinstance(word_to_vec_map, dict)
            before, g_before = (_copy_map(word_to_vec_map) if plain else None), g.copy()
            got = call(equalize, pair, g, word_to_vec_map, name=name)
            check_tuple(f"{name}({pair}, ...)", got, 2, ["e1", "e2"])
            for i, label in enumerate(("e1", "e2")):
                expected = stored["expected"][i]
                what = f"{label} of {name}({pair}, ...)"
                check_shape(what, got[i], expected.shape)
                check_close(what, got[i], expected, rtol=1e-6, atol=1e-9,
                            mistakes={cause: values[i] for cause, values in stored["mistakes"].items()},
                            hint=_equalize_cause(got[i]))
            if plain:
                _check_unchanged(name, before, word_to_vec_map, g_before, g)
    passed(name)

"""Public checks of the word-vectors notebook (w2a1).

Each ``check_*`` takes the student's function.  With ``seed=None`` it runs the public inputs (small hand-made
vectors and the real GloVe vectors); with an integer ``seed`` it builds other toy inputs (random dimensions,
random rotations, other words) whose right answers are known by construction; the hidden tests use those.
A check goes type -> shape -> values, names the likely mistake when it recognises one, and prints one
line when everything passes.
"""
from __future__ import annotations

import numpy as np

from autograder.checks import CheckFailed, call, check_close, check_shape, check_tuple, check_type, passed
from week2.glove import load_glove
from week2.word_vectors import ANALOGY_VOCAB_SIZE

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
            _fail(f"{name} changed word_to_vec_map[{w!r}] in place. Build a new array (e.g. "
                  f"`e - e_biascomponent`) instead of updating the vector with -= or +=.")
    if g_before is not None and not np.array_equal(g_before, g_after):
        _fail(f"{name} changed its bias direction argument in place; compute new arrays instead.")


def _rotation(rng, n: int) -> np.ndarray:
    """A random orthonormal basis of R^n (columns)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def _cos(u, v) -> float:
    nu, nv = np.linalg.norm(u), np.linalg.norm(v)
    return 0.0 if nu == 0 or nv == 0 else float(u @ v / (nu * nv))


def _proj(e, g, norm2=True):
    """Projection of e on g (``norm2=False``: the mistake of forgetting to divide by ||g||^2)."""
    return (e @ g) / (g @ g if norm2 else 1.0) * g

# ---------------------------------------------------------------------------- cosine_similarity


def check_cosine_similarity(cosine_similarity, seed=None):
    """cosine_similarity(u, v) = u.v / (||u|| ||v||): a single float; 0 when u or v is the zero vector."""
    name = "cosine_similarity"
    if seed is None:
        m = _glove()
        pairs = [(np.array([1.0, 2.0, 2.0]), np.array([2.0, 0.0, 1.0])),     # cos = 4 / (3 sqrt 5)
                 (m["father"], m["mother"]), (m["ball"], m["crocodile"]),
                 (m["france"] - m["paris"], m["rome"] - m["italy"])]
    else:
        rng = np.random.default_rng(seed)
        pairs = []
        for _ in range(3):
            n = int(rng.integers(4, 60))
            pairs.append((rng.standard_normal(n) * rng.uniform(0.2, 5), rng.standard_normal(n) * rng.uniform(0.2, 5)))
    for u, v in pairs:
        got = call(cosine_similarity, u.copy(), v.copy(), name=name)
        if np.ndim(got) != 0:
            _fail(f"{name}: expected a single number but got an array of shape {np.shape(got)}. "
                  "Use np.dot(u, v) on the two 1-D vectors, not an outer product.")
        check_type(name, np.asarray(got).item(), (float, int),
                   hint="Return the similarity as a number (float or np.float64).")
        nu, nv, dot = np.linalg.norm(u), np.linalg.norm(v), u @ v
        check_close(name, float(np.asarray(got).item()), _cos(u, v), rtol=1e-6, mistakes={
            "the dot product was not divided by the norms ||u|| ||v||.": dot,
            "only ||u|| was divided out; divide by ||v|| too.": dot / nu,
            "only ||v|| was divided out; divide by ||u|| too.": dot / nv,
            "the squared norms (u.u and v.v) were used instead of the norms.": dot / (nu ** 2 * nv ** 2),
            "the norms were added instead of multiplied.": dot / (nu + nv),
        })
    # Zero vectors have no direction: the similarity is defined as 0 rather than 0/0 = nan.
    u = pairs[0][0]
    for args in [(np.zeros_like(u), u), (u, np.zeros_like(u))]:
        with np.errstate(all="ignore"):
            got = call(cosine_similarity, *args, name=name)
        if not np.isfinite(got) or abs(float(got)) > 1e-12:
            _fail(f"{name}: expected 0.0 for a zero vector but got {float(got)!r}. When ||u|| or ||v|| is 0, "
                  "return 0.0 instead of dividing by zero.")
    passed(name)

# ---------------------------------------------------------------------------- complete_analogy

# Word sets for the toy maps: question a:b :: c:?, its answer, and the decoys that classic mistakes pick.
_TOY_WORDS = [
    dict(a="man", b="woman", c="king", answer="queen", dot="empress", reversed="prince",
         fillers=["apple", "river", "music", "green", "table", "cloud"]),
    dict(a="walk", b="walked", c="swim", answer="swam", dot="swimmer", reversed="swims",
         fillers=["bread", "purple", "seven", "window", "tiger"]),
    dict(a="france", b="paris", c="italy", answer="rome", dot="metropolis", reversed="italian",
         fillers=["cheese", "violin", "harbour", "snow"]),
    dict(a="cold", b="colder", c="warm", answer="warmer", dot="hottest", reversed="warmth",
         fillers=["chair", "orbit", "lemon", "forest", "pencil", "salt", "bridge"]),
]


_NOT_EXCLUDED = ("the input words were not excluded: word_b is often the closest candidate; skip all three of "
                 "word_a, word_b and word_c.")


def toy_analogy_map(seed: int = 0):
    """A small word -> vector dict built so that a:b :: c:? has a known answer.

    Returns (word_to_vec_map, (a, b, c), answer, decoys) where ``decoys`` maps each wrong word that a
    classic mistake returns to that mistake.  With a random rotation R and scale s, in R's coordinates:
    e_b - e_a = u1; the answer is e_c + u1 + noise (cos 0.93 with u1); e_b - e_c has cos 0.96 with u1, so
    word_b wins when the input words are not excluded; "dot" has a 3x longer u1 part but cos 0.78 (wins
    without normalisation); "reversed" points along -u1 (wins when a difference is reversed).
    """
    rng = np.random.default_rng(seed)
    words = _TOY_WORDS[seed % len(_TOY_WORDS)]
    n_e = int(rng.integers(8, 16))
    u = _rotation(rng, n_e).T * rng.uniform(0.5, 3.0)  # rows u[0..n_e-1]: scaled orthonormal directions
    e_a = u[2] + 0.5 * u[5]
    e_c = e_a + 0.3 * u[1]
    vecs = {words["a"]: e_a, words["b"]: e_a + u[0], words["c"]: e_c,
            words["answer"]: e_c + u[0] + 0.4 * u[3],
            words["dot"]: e_c + 3 * u[0] + 2.4 * u[4],
            words["reversed"]: e_c - u[0] + 0.2 * u[3]}
    for w in words["fillers"]:  # no u1 part: cos(u1, e_w - e_c) = 0
        vecs[w] = u[1:].T @ rng.standard_normal(n_e - 1) * 0.6
    order = list(vecs)
    rng.shuffle(order)  # the answer's position in the dict must not matter
    word_to_vec_map = {w: vecs[w] for w in order}
    decoys = {
        words["b"]: _NOT_EXCLUDED,
        words["dot"]: "the dot product was used without dividing by the norms; long vectors then win. Use "
                      "cosine similarity.",
        words["reversed"]: "a difference is reversed: compare e_b - e_a with e_w - e_c (same order in both).",
        words["c"]: "word_c itself was returned: exclude the input words.",
        words["a"]: "word_a itself was returned: exclude the input words.",
    }
    return word_to_vec_map, (words["a"], words["b"], words["c"]), words["answer"], decoys


def _check_word(name: str, got, expected: str, decoys: dict | None = None):
    check_type(name, got, str, hint="Return the best word itself (a str), not its index or its vector.")
    if got != expected:
        cause = (decoys or {}).get(got)
        _fail(f"{name}: expected {expected!r} but got {got!r}." + (f" Likely cause: {cause}" if cause else ""))


def check_complete_analogy(complete_analogy, seed=None):
    """complete_analogy(a, b, c, word_to_vec_map) returns the word w maximising cos(e_b - e_a, e_w - e_c)."""
    name = "complete_analogy"
    word_to_vec_map, (a, b, c), answer, decoys = toy_analogy_map(0 if seed is None else seed)
    before = _copy_map(word_to_vec_map)
    got = call(complete_analogy, a, b, c, word_to_vec_map, name=name)
    _check_word(f"{name}({a!r}, {b!r}, {c!r}, toy map)", got, answer, decoys)
    _check_unchanged(name, before, word_to_vec_map)

    # Capitalised inputs: lower-case them before looking them up.
    try:
        got = complete_analogy(a.capitalize(), b.upper(), c.capitalize(), word_to_vec_map)
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - any crash here is the same mistake
        _fail(f"{name}({a.capitalize()!r}, {b.upper()!r}, {c.capitalize()!r}, ...) raised {type(exc).__name__}: "
              f"{exc}. The vocabulary is lower-case: lower-case word_a, word_b and word_c first.")
    _check_word(f"{name} with capitalised inputs", got, answer, decoys)

    # An unknown word: a clear error that names it.
    unknown = "zyxwvut" if seed is None else f"notaword{seed}"
    try:
        got = complete_analogy(a, unknown, c, word_to_vec_map)
    except NotImplementedError:
        raise
    except (KeyError, ValueError) as exc:
        if unknown not in str(exc):
            _fail(f"{name}: for an unknown word it raised {type(exc).__name__}({exc}), which does not name the "
                  f"word. Raise KeyError or ValueError with a sentence that names {unknown!r}.")
    except Exception as exc:  # noqa: BLE001
        _fail(f"{name}: for the unknown word {unknown!r} it raised {type(exc).__name__}: {exc}. Check that each "
              "word is in word_to_vec_map and raise KeyError or ValueError with a sentence that names it.")
    else:
        _fail(f"{name}: for the unknown word {unknown!r} it returned {got!r} instead of raising an error. "
              "Raise KeyError or ValueError with a sentence that names the word.")

    if seed is None:  # the classic analogies on the real vectors (the 20,000 most frequent words)
        vocab = _glove().most_frequent(ANALOGY_VOCAB_SIZE)
        for (a, b, c), answer, wrong in [(("italy", "italian", "spain"), "spanish", {}),
                                         (("india", "delhi", "japan"), "tokyo", {}),
                                         (("man", "woman", "boy"), "girl", {}),
                                         (("small", "smaller", "large"), "larger",
                                          {"smaller": _NOT_EXCLUDED})]:
            got = call(complete_analogy, a, b, c, vocab, name=name)
            _check_word(f"{name}({a!r}, {b!r}, {c!r}, GloVe)", got, answer, wrong)
    passed(name)

# ---------------------------------------------------------------------------- neutralize


def check_neutralize(neutralize, seed=None):
    """neutralize(word, g, word_to_vec_map) = e - (e.g / ||g||^2) g, without changing the map."""
    name = "neutralize"
    if seed is None:
        m = _glove()
        cases = [("receptionist", m["woman"] - m["man"], m),
                 ("x", np.array([0.0, 2.0, 0.0]), {"x": np.array([1.0, 2.0, 3.0]), "y": np.array([1.0, 0.0, 0.0])})]
    else:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(5, 30))
        toy = {f"word{i}": rng.standard_normal(n) for i in range(5)}
        cases = [(f"word{int(rng.integers(5))}", rng.standard_normal(n) * rng.uniform(1.5, 4), toy)]
    for word, g, word_to_vec_map in cases:
        plain = isinstance(word_to_vec_map, dict)
        before, g_before = (_copy_map(word_to_vec_map) if plain else None), g.copy()
        e = np.array(word_to_vec_map[word], dtype=np.float64)
        got = call(neutralize, word, g, word_to_vec_map, name=name)
        check_shape(f"{name}({word!r}, ...)", got, e.shape)
        check_close(f"{name}({word!r}, ...)", got, e - _proj(e, g), rtol=1e-6, atol=1e-9, mistakes={
            "the vector was returned unchanged; subtract its projection on g.": e,
            "g was not normalised: divide e.g by ||g||^2 (np.sum(g * g)), not by 1.": e - _proj(e, g, norm2=False),
            "e.g was divided by ||g|| instead of ||g||^2.": e - (e @ g) / np.linalg.norm(g) * g,
            "the projection was added instead of subtracted.": e + _proj(e, g),
            "the projection itself was returned instead of e minus it.": _proj(e, g),
        })
        if plain:
            _check_unchanged(name, before, word_to_vec_map, g_before, g)
    passed(name)

# ---------------------------------------------------------------------------- equalize


def _equalize(e_w1, e_w2, g, normalise=True, norm2=True, paper_denominator=True, root=True):
    """The symmetric equalize of Bolukbasi et al.; the flags switch on classic mistakes."""
    if normalise:
        e_w1, e_w2 = e_w1 / np.linalg.norm(e_w1), e_w2 / np.linalg.norm(e_w2)
    mu = (e_w1 + e_w2) / 2
    mu_B = _proj(mu, g, norm2)
    mu_orth = mu - mu_B
    e_w1B, e_w2B = _proj(e_w1, g, norm2), _proj(e_w2, g, norm2)
    scale = np.abs(1 - mu_orth @ mu_orth)
    scale = np.sqrt(scale) if root else scale
    d1 = np.linalg.norm(e_w1B - mu_B) if paper_denominator else np.linalg.norm(e_w1 - mu_orth - mu_B)
    d2 = np.linalg.norm(e_w2B - mu_B) if paper_denominator else np.linalg.norm(e_w2 - mu_orth - mu_B)
    return scale * (e_w1B - mu_B) / d1 + mu_orth, scale * (e_w2B - mu_B) / d2 + mu_orth


def check_equalize(equalize, seed=None):
    """equalize(pair, bias_axis, word_to_vec_map) -> (e1, e2): unit vectors symmetric about the neutral axis."""
    name = "equalize"
    if seed is None:
        m = _glove()
        rng = np.random.default_rng(0)
        toy = {"he": np.array([2.0, 1.0, 0.5, 0.0]), "she": np.array([-1.0, 1.5, 0.5, 1.0]),
               "it": rng.standard_normal(4)}
        cases = [(("man", "woman"), m["woman"] - m["man"], m),
                 (("he", "she"), np.array([3.0, -1.0, 0.0, 0.5]), toy)]
    else:
        rng = np.random.default_rng(seed)
        n = int(rng.integers(5, 30))
        toy = {w: rng.standard_normal(n) * rng.uniform(0.5, 3) for w in ("uncle", "aunt", "cousin", "table")}
        cases = [(("uncle", "aunt"), rng.standard_normal(n) * rng.uniform(1.5, 4), toy),
                 (("aunt", "uncle"), rng.standard_normal(n) * rng.uniform(1.5, 4), toy)]
    for pair, g, word_to_vec_map in cases:
        plain = isinstance(word_to_vec_map, dict)
        before, g_before = (_copy_map(word_to_vec_map) if plain else None), g.copy()
        e_w1 = np.array(word_to_vec_map[pair[0]], dtype=np.float64)
        e_w2 = np.array(word_to_vec_map[pair[1]], dtype=np.float64)
        got = call(equalize, pair, g, word_to_vec_map, name=name)
        check_tuple(f"{name}({pair}, ...)", got, 2, ["e1", "e2"])
        e1, e2 = _equalize(e_w1, e_w2, g)
        for i, (label, exp) in enumerate([("e1", e1), ("e2", e2)]):
            mistakes = {
                "the two vectors were not scaled to unit length first; the formula assumes ||e_w1|| = ||e_w2|| = 1 "
                "(divide each by its norm).": _equalize(e_w1, e_w2, g, normalise=False)[i],
                "the projections on bias_axis were not divided by ||bias_axis||^2.":
                    _equalize(e_w1, e_w2, g, norm2=False)[i],
                "the correction was divided by ||e_w - mu_orth - mu_B||; divide by ||e_wB - mu_B||, the length of "
                "the bias part only, so that the results are unit vectors.":
                    _equalize(e_w1, e_w2, g, paper_denominator=False)[i],
                "the square root of |1 - ||mu_orth||^2| is missing.": _equalize(e_w1, e_w2, g, root=False)[i],
                "e1 and e2 are swapped: return the vector of pair[0] first.": (e2, e1)[i],
            }
            check_close(f"{label} of {name}({pair}, ...)", got[i], exp, rtol=1e-6, atol=1e-9, mistakes=mistakes)
        if plain:
            _check_unchanged(name, before, word_to_vec_map, g_before, g)
    passed(name)

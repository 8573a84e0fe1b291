"""w2a3 Word2vec: the planted corpus's answers hold by construction; the checks accept the reference and the
notebook's solutions (float64 and float32, any seed), reject wrong versions naming the cause, keep their statistics
deterministic and tight enough to reject a wrong distribution, and check every gradient numerically; one bug costs
one function's points."""
from __future__ import annotations

import copy
import inspect
from collections import Counter

import nbformat
import numpy as np
import pytest

from autograder.reference import w2a3_word2vec as ref
from checks import fixtures
from checks.assertions import CheckFailed, numerical_gradient, relative_error
from course import nbgrader_meta
from notebook_code import notebook_fixtures, notebook_path, public_only, run_test_cell
from week2 import planted_corpus as planted
from week2 import word2vec_checks as checks
from week2.word2vec_checks import (check_build_vocabulary, check_cbow, check_naive_softmax_loss_and_gradient,
                                   check_neg_sampling_loss_and_gradient, check_noise_distribution,
                                   check_sample_negatives, check_sgns_step, check_skipgram, check_skipgram_pairs,
                                   check_subsample)

AID = "w2a3_word2vec"
sol, notebook = notebook_fixtures(AID, names=("sol", "notebook"))

ALL_CHECKS = {"build_vocabulary": check_build_vocabulary, "subsample": check_subsample,
              "skipgram_pairs": check_skipgram_pairs, "noise_distribution": check_noise_distribution,
              "sample_negatives": check_sample_negatives,
              "naive_softmax_loss_and_gradient": check_naive_softmax_loss_and_gradient,
              "neg_sampling_loss_and_gradient": check_neg_sampling_loss_and_gradient, "skipgram": check_skipgram,
              "cbow": check_cbow, "sgns_step": check_sgns_step}


def _run(name: str, fn, **kwargs):
    """Run the check of ``name`` on ``fn`` (skipgram and cbow get the reference's naive softmax as the notebook's)."""
    if name in ("skipgram", "cbow"):
        return ALL_CHECKS[name](fn, ref.naive_softmax_loss_and_gradient, **kwargs)
    return ALL_CHECKS[name](fn, **kwargs)


def _fails(name: str, fn, says: str, **kwargs) -> str:
    with np.errstate(all="ignore"), pytest.raises(CheckFailed) as failed:
        _run(name, fn, **kwargs)
    assert says in str(failed.value), str(failed.value)
    return str(failed.value)

# ---------------------------------------------------------------------------- the planted corpus


def test_the_planted_counts_are_known_before_the_corpus_is_made():
    for repeats, seed in ((planted.REPEATS, 0), (3, 1), (7, 12)):
        tokens = planted.planted_corpus(repeats, seed)
        assert Counter(tokens) == planted.planted_counts(repeats)
    assert planted.planted_corpus(seed=0) != planted.planted_corpus(seed=1)  # the seed shuffles the sentences ...
    assert sorted(planted.planted_corpus(seed=0)) == sorted(planted.planted_corpus(seed=1))  # ... only


def test_the_planted_pairs_tie_and_share_every_context():
    counts = planted.planted_counts()
    tokens = planted.planted_corpus()
    sentences = Counter(planted.planted_sentences())
    for a, b in planted.PLANTED_PAIRS:
        assert counts[a] == counts[b]  # a tie, broken by the word
        with_a = Counter({s.replace(a, "{}"): n for s, n in sentences.items() if a in s.split()})
        with_b = Counter({s.replace(b, "{}"): n for s, n in sentences.items() if b in s.split()})
        assert with_a == with_b and with_a  # the same sentences, as often: the same contexts
    word_to_index, index_to_word, vocab_counts = ref.build_vocabulary(tokens, planted.RARE_MIN_COUNT)
    for a, b in planted.PLANTED_PAIRS:
        first, second = sorted((a, b))  # the tie is broken by the word
        assert word_to_index[second] > word_to_index[first]
        assert vocab_counts[word_to_index[a]] == vocab_counts[word_to_index[b]]
    assert sorted(set(counts) - set(index_to_word)) == sorted(planted.RARE_WORDS)
    assert all(counts[w] < planted.RARE_MIN_COUNT for w in planted.RARE_WORDS)


def test_the_known_pairs_are_every_pair_of_a_window_of_one():
    words = planted.KNOWN_SENTENCE.split()
    index = {w: i for i, w in enumerate(dict.fromkeys(words))}
    ids = np.array([index[w] for w in words])
    for seed in range(5):  # a window of size 1 has one possible size: no seed changes the pairs
        centers, contexts = ref.skipgram_pairs(ids, 1, np.random.default_rng(seed))
        got = [(list(index)[c], list(index)[o]) for c, o in zip(centers, contexts)]
        assert got == list(planted.KNOWN_PAIRS_WINDOW_1)
    text = " ".join(planted.planted_corpus())
    assert planted.KNOWN_SENTENCE in text


def test_skipgram_with_the_naive_softmax_makes_the_planted_pairs_nearest(sol):
    """What the notebook shows: a little SGD with the notebook's skipgram puts each planted word next to its
    partner (for several seeds, not by luck)."""
    tokens = planted.planted_corpus()
    word_to_index, index_to_word, _ = sol["build_vocabulary"](tokens)
    for seed in (0, 1):
        rng = np.random.default_rng(seed)
        V = rng.normal(0.0, 0.1, (len(index_to_word), 10))
        U = rng.normal(0.0, 0.1, (len(index_to_word), 10))
        for _ in range(4):
            for i in rng.permutation(len(tokens)):
                outside = tokens[max(0, i - 2):i] + tokens[i + 1:i + 3]
                _, grad_center, grad_outside = sol["skipgram"](tokens[i], 2, outside, word_to_index, V, U)
                V -= 0.05 * grad_center
                U -= 0.05 * grad_outside
        unit = V / np.linalg.norm(V, axis=1, keepdims=True)
        for a, b in planted.PLANTED_PAIRS:
            for word, partner in ((a, b), (b, a)):
                similarities = unit @ unit[word_to_index[word]]
                similarities[word_to_index[word]] = -np.inf
                assert index_to_word[int(np.argmax(similarities))] == partner, (seed, word)

# ---------------------------------------------------------------------------- the checks accept right answers


def test_every_graded_cell_passes_on_the_solution_hidden_tests_included(sol, notebook):
    graded = [c for c in notebook.cells if nbgrader_meta(c).get("grade")]
    assert [nbgrader_meta(c)["grade_id"] for c in graded] == [f"{name}_tests" for name in ref.GRADED]
    assert [nbgrader_meta(c)["points"] for c in graded] == [2, 2, 3, 1, 2, 3, 3, 2, 2, 3]
    for cell in graded:
        assert run_test_cell(sol, notebook, nbgrader_meta(cell)["grade_id"])


@pytest.mark.parametrize("seed", [None, 0, 1, 5, 13, 31])
def test_the_checks_accept_the_reference_and_the_solution(sol, seed, capsys):
    for name in ref.GRADED:
        _run(name, ref.GRADED[name], seed=seed)
        _run(name, sol[name], seed=seed)
    check_sgns_step(sol["sgns_step"], seed=seed, dtype="float32")
    check_sgns_step(ref.sgns_step, seed=seed, dtype="float32")
    capsys.readouterr()


def test_the_edge_cases_of_the_hidden_tests_pass(sol, capsys):
    for fn in (sol, ref.GRADED):
        check_build_vocabulary(fn["build_vocabulary"], seed=2, min_count=1)
        check_skipgram_pairs(fn["skipgram_pairs"], seed=3, window_size=1)
        check_skipgram_pairs(fn["skipgram_pairs"], seed=4, window_size=5, n=3)   # shorter than the window
        check_skipgram_pairs(fn["skipgram_pairs"], seed=8, n=1)
        check_sample_negatives(fn["sample_negatives"], seed=3, k=1)
        check_naive_softmax_loss_and_gradient(fn["naive_softmax_loss_and_gradient"], seed=5, vocab_size=2, d=1)
        check_neg_sampling_loss_and_gradient(fn["neg_sampling_loss_and_gradient"], seed=6, k=1)
        check_skipgram(fn["skipgram"], ref.naive_softmax_loss_and_gradient, seed=4, n_outside=1)
        check_cbow(fn["cbow"], ref.naive_softmax_loss_and_gradient, seed=7, n_outside=1)
        check_sgns_step(fn["sgns_step"], seed=3, batch=1)
    capsys.readouterr()


def test_other_honest_ways_pass(capsys):
    """A loop over the pairs for skipgram_pairs, cumulative sums and searchsorted for sample_negatives, a loop over the
    pairs for sgns_step (gradients first, then the step): all within the contract."""
    def pairs_loop(token_ids, window_size, rng=None):
        rng = np.random.default_rng(rng)
        token_ids = np.asarray(token_ids)
        sizes = rng.integers(1, window_size + 1, size=len(token_ids))
        out = [(token_ids[i], token_ids[j]) for i in range(len(token_ids))
               for j in range(max(0, i - sizes[i]), min(len(token_ids), i + sizes[i] + 1)) if j != i]
        return np.array([c for c, _ in out], dtype=int), np.array([o for _, o in out], dtype=int)

    def negatives_inverse_cdf(noise, k, exclude, rng=None):
        rng = np.random.default_rng(rng)
        exclude = np.asarray(exclude)
        rows = [exclude] if exclude.ndim == 0 else exclude
        result = []
        for e in rows:
            p = np.array(noise, dtype=float)
            p[e] = 0.0
            result.append(np.searchsorted(np.cumsum(p / p.sum()), rng.random(k), side="right").clip(0, len(p) - 1))
        return result[0] if exclude.ndim == 0 else np.array(result)

    def step_loop(V, U, centers, contexts, negatives, learning_rate):
        grad_V, grad_U, losses = np.zeros_like(V), np.zeros_like(U), []
        for c, o, neg in zip(centers, contexts, negatives):
            loss, g_c, g_o = ref.neg_sampling_loss_and_gradient(V[c], o, U, neg)
            losses.append(loss)
            grad_V[c] += g_c
            grad_U += g_o
        V -= learning_rate * grad_V
        U -= learning_rate * grad_U
        return float(np.mean(losses))

    for seed in (None, 2, 9):
        check_skipgram_pairs(pairs_loop, seed=seed)
        check_sample_negatives(negatives_inverse_cdf, seed=seed)
        check_sgns_step(step_loop, seed=seed)
        check_sgns_step(step_loop, seed=seed, dtype="float32")
    capsys.readouterr()


def test_the_public_checks_need_no_reference(sol, notebook, monkeypatch):
    """The student's copy has no reference: every public check call runs from the stored fixtures, and skipgram and
    cbow are checked with the notebook's own naive softmax."""
    monkeypatch.setattr(fixtures, "reference", lambda aid: None)
    monkeypatch.setattr(checks, "reference", lambda aid: None)
    public = public_only(notebook)
    for cell in public.cells:
        if nbgrader_meta(cell).get("grade"):
            assert run_test_cell(sol, public, nbgrader_meta(cell)["grade_id"])
    with pytest.raises(CheckFailed, match="no stored expected values"):
        check_subsample(sol["subsample"], seed=3)
    assert checks.naive_softmax_for_windows(sol["naive_softmax_loss_and_gradient"]) is \
        sol["naive_softmax_loss_and_gradient"]

    def unfinished(center_vec, outside_index, outside_vectors):
        raise NotImplementedError("Not implemented yet")
    check_skipgram(sol["skipgram"], unfinished)   # the toy loss part is checked; the grader checks the rest
    with pytest.raises(NotImplementedError):
        check_cbow(lambda *args: unfinished(None, None, None), unfinished)


def test_one_bug_costs_one_functions_points(sol):
    """Where the reference is installed, skipgram and cbow are checked with its naive softmax: a broken notebook naive
    softmax does not fail them."""
    def broken(center_vec, outside_index, outside_vectors):
        raise NotImplementedError("Not implemented yet")

    assert checks.naive_softmax_for_windows(broken) is ref.naive_softmax_loss_and_gradient
    check_skipgram(sol["skipgram"], broken)
    check_cbow(sol["cbow"], broken)
    assert all(not rule for rule in ref.STAND_INS.values())  # no solution calls another graded function by name

# ---------------------------------------------------------------------------- wrong versions are named


def _keep(mistake):
    def subsample(token_ids, counts, t=1e-5, rng=None):
        rng = np.random.default_rng(rng)
        token_ids = np.asarray(token_ids)
        f = np.asarray(counts) / np.sum(counts)
        p = {"t_scaled": np.minimum(1.0, np.sqrt(1.3 * t / f)), "discard": 1.0 - np.minimum(1.0, np.sqrt(t / f)),
             "no_sqrt": np.minimum(1.0, t / f)}[mistake]
        return token_ids[rng.random(len(token_ids)) < p[token_ids]]
    return subsample


def test_a_wrong_keep_probability_fails_even_when_it_is_close():
    """The tolerance (5 standard errors + 0.002) is tight: t off by 30% (keep probabilities off by 14%) fails."""
    _fails("subsample", _keep("t_scaled"), "should be kept with probability")
    _fails("subsample", _keep("discard"), "that is the share discarded")
    _fails("subsample", _keep("no_sqrt"), "square root is missing")


def test_a_window_that_does_not_vary_fails_and_so_does_a_window_drawn_from_0():
    def pairs(sizes_from):
        def skipgram_pairs(token_ids, window_size, rng=None):
            rng = np.random.default_rng(rng)
            token_ids = np.asarray(token_ids)
            n = len(token_ids)
            sizes = sizes_from(rng, window_size, n)
            i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
            keep = (i != j) & (np.abs(i - j) <= sizes[:, None])
            return token_ids[i[keep]], token_ids[j[keep]]
        return skipgram_pairs

    fixed = pairs(lambda rng, w, n: np.full(n, w))
    from_0 = pairs(lambda rng, w, n: rng.integers(0, w + 1, size=n))
    right = pairs(lambda rng, w, n: rng.integers(1, w + 1, size=n))
    big = ref.skipgram_pairs  # the statistics run on 20,000 positions: the meshgrid versions only on short ones
    for variant, says in ((fixed, "the window does not vary"), (from_0, "drawn from 0..window_size")):
        def limited(token_ids, window_size, rng=None, variant=variant):
            rng = np.random.default_rng(rng)
            if len(token_ids) > 100:   # the long statistics' run: the same mistake, computed without a meshgrid
                sizes = (np.full(len(token_ids), window_size) if variant is fixed
                         else rng.integers(0, window_size + 1, size=len(token_ids)))
                return ref._pairs_from_sizes(token_ids, window_size, sizes)
            return variant(token_ids, window_size, rng)
        _fails("skipgram_pairs", limited, says)
    check_skipgram_pairs(lambda t, w, rng=None: big(t, w, rng) if len(t) > 100 else right(t, w, rng))


def test_an_unsmoothed_noise_fails():
    def power_one(counts, power=0.75):
        counts = np.asarray(counts, dtype=float)
        return counts / counts.sum()
    _fails("noise_distribution", power_one, "the power was left out")

    def unsmoothed_draws(noise, k, exclude, rng=None):   # draws from the noise raised back to power 1
        p = np.asarray(noise, dtype=float) ** (1 / 0.75)
        return ref.sample_negatives(p / p.sum(), k, exclude, rng)
    _fails("sample_negatives", unsmoothed_draws, "should make")


def test_sample_negatives_mistakes_are_named():
    def never_excluded(noise, k, exclude, rng=None):
        rng = np.random.default_rng(rng)
        exclude = np.asarray(exclude)
        shape = (k,) if exclude.ndim == 0 else (len(exclude), k)
        return rng.choice(len(noise), size=shape, p=noise)

    def global_rng(noise, k, exclude, rng=None):
        return ref.sample_negatives(noise, k, exclude, np.random.default_rng())

    def transposed(noise, k, exclude, rng=None):
        return ref.sample_negatives(noise, k, exclude, rng).T

    _fails("sample_negatives", never_excluded, "the excluded word was drawn")
    _fails("sample_negatives", global_rng, "rng argument")
    _fails("sample_negatives", transposed, "expected shape")


def test_loss_gradients_are_checked_numerically():
    """A gradient that matches no stored value and disagrees with the function's own loss is caught by the numerical
    check (here on a hidden seed, where it is the value check that fails first, and directly)."""
    def scaled(center_vec, outside_index, outside_vectors):
        loss, g_c, g_o = ref.naive_softmax_loss_and_gradient(center_vec, outside_index, outside_vectors)
        return loss, 1.01 * g_c, g_o
    _fails("naive_softmax_loss_and_gradient", scaled, "grad_center of", seed=4)
    with pytest.raises(CheckFailed, match="does not match the numerical gradient"):
        args = checks.loss_inputs(None)[0]
        v, o, U = args["center_vec"], args["outside_index"], args["outside_vectors"]
        checks._gradient_check("naive", "naive", scaled, [v, o, U], 0, scaled(v, o, U)[1], "grad_center")
    for seed in (None, 1, 2):   # the reference's own gradients agree with central differences
        for args in checks.loss_inputs(seed, large=False):
            v, o, U, neg = (args[k] for k in ("center_vec", "outside_index", "outside_vectors", "negative_indices"))
            for fn, extra in ((ref.naive_softmax_loss_and_gradient, ()), (ref.neg_sampling_loss_and_gradient, (neg,))):
                _, g_c, g_o = fn(v, o, U, *extra)
                v_ = v.copy()
                U_ = U.copy()
                assert relative_error(g_c, numerical_gradient(lambda: fn(v_, o, U, *extra)[0], v_)) < 1e-7
                assert relative_error(g_o, numerical_gradient(lambda: fn(v, o, U_, *extra)[0], U_)) < 1e-7


def test_the_public_loss_cases_hold_duplicates_the_center_and_the_outside_word_among_the_negatives():
    first, second = checks.loss_inputs(None, large=False)
    neg = first["negative_indices"]
    assert neg[0] == neg[1] and len(set(neg.tolist())) < len(neg)
    assert second["outside_index"] in second["negative_indices"].tolist()
    big = checks.loss_inputs(None)[1]
    assert (big["outside_vectors"] @ big["center_vec"]).max() == pytest.approx(900)


def test_window_mistakes_are_named_from_the_calls_of_the_toy_loss():
    def mean_cbow(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
                  loss_fn=None):
        idx = [word_to_index[w] for w in outside_words]
        loss, g, grad_o = loss_fn(center_vectors[idx].mean(axis=0), word_to_index[center_word], outside_vectors)
        grad_c = np.zeros(center_vectors.shape)
        np.add.at(grad_c, idx, g / len(idx))
        return loss, grad_c, grad_o

    def skipgram_twice(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
                       loss_fn=None):
        return ref.skipgram(center_word, window_size, list(dict.fromkeys(outside_words)), word_to_index,
                            center_vectors, outside_vectors, loss_fn)

    def skipgram_in_place(center_word, window_size, outside_words, word_to_index, center_vectors, outside_vectors,
                          loss_fn=None):
        result = ref.skipgram(center_word, window_size, outside_words, word_to_index, center_vectors,
                              outside_vectors, loss_fn)
        center_vectors -= 0.1 * result[1]
        return result

    _fails("cbow", mean_cbow, "is their sum")
    _fails("skipgram", skipgram_twice, "once for every word of outside_words")
    _fails("skipgram", skipgram_in_place, "in place")


def test_sgns_step_mistakes_are_named():
    def not_in_place(V, U, centers, contexts, negatives, learning_rate):
        return ref.sgns_step(V.copy(), U.copy(), centers, contexts, negatives, learning_rate)

    def loss_after(V, U, centers, contexts, negatives, learning_rate):
        ref.sgns_step(V, U, centers, contexts, negatives, learning_rate)
        return ref.sgns_step(V.copy(), U.copy(), centers, contexts, negatives, 0.0)

    def sequential(V, U, centers, contexts, negatives, learning_rate):
        return float(np.mean([ref.sgns_step(V, U, centers[b:b + 1], contexts[b:b + 1], negatives[b:b + 1],
                                            learning_rate) for b in range(len(centers))]))

    def float64_result(V, U, centers, contexts, negatives, learning_rate):
        V64, U64 = V.astype(np.float64), U.astype(np.float64)
        loss = ref.sgns_step(V64, U64, centers, contexts, negatives, learning_rate)
        V[...], U[...] = V64, U64   # float32 arrays rounded from a float64 computation: still right
        return loss

    _fails("sgns_step", not_in_place, "unchanged after the call")
    _fails("sgns_step", loss_after, "the loss of")
    _fails("sgns_step", sequential, "one after the other")
    check_sgns_step(float64_result, dtype="float32")


def test_vocabulary_mistakes_are_named():
    def first_occurrence(tokens, min_count=1):
        counts = Counter(tokens)
        words = [w for w, c in counts.most_common() if c >= min_count]   # ties in the order of first occurrence
        return {w: i for i, w in enumerate(words)}, words, np.array([counts[w] for w in words])

    def tuple_words(tokens, min_count=1):
        w2i, i2w, counts = ref.build_vocabulary(tokens, min_count)
        return w2i, tuple(i2w), counts

    _fails("build_vocabulary", first_occurrence, "first occurrence")
    _fails("build_vocabulary", tuple_words, "a list")

# ---------------------------------------------------------------------------- determinism and tolerances


@pytest.mark.parametrize("name", ["subsample", "skipgram_pairs", "sample_negatives"])
def test_the_statistical_checks_are_deterministic(name):
    """The same wrong function gets the same verdict and message every time: every draw is seeded."""
    wrong = {"subsample": _keep("t_scaled"),
             "skipgram_pairs": lambda t, w, rng=None: ref.skipgram_pairs(t, w + 1, rng),
             "sample_negatives": lambda noise, k, exclude, rng=None: ref.sample_negatives(
                 np.sqrt(noise) / np.sqrt(noise).sum(), k, exclude, rng)}[name]
    messages = {_fails(name, wrong, "") for _ in range(3)}
    assert len(messages) == 1


def test_the_tolerance_is_stated_and_tight():
    assert (checks.SHARE_SE, checks.SHARE_SLACK) == (5.0, 0.002)
    assert checks.share_tolerance(0.5, 8000) == pytest.approx(5 * np.sqrt(0.25 / 8000) + 0.002)
    assert checks.share_tolerance(0.5, 8000) < 0.03


def test_every_graded_function_has_probes_and_mistakes_and_a_fixture():
    assert set(ref.PROBES) == set(ref.GRADED) == set(ref.MISTAKES) == set(ref.CASES) == set(ref.STAND_INS)
    rng = np.random.default_rng(0)
    for name, probe in ref.PROBES.items():
        calls = probe(rng)
        assert len(calls) >= 5, name
        for args in calls:
            with np.errstate(all="ignore"):
                ref.GRADED[name](*copy.deepcopy(args))
    for name, listed in ref.MISTAKES.items():
        assert len(listed) >= (4 if name == "noise_distribution" else 6), name


def test_the_notebook_states_what_the_reference_computes(notebook):
    cells = {nbgrader_meta(c).get("grade_id"): c.source for c in notebook.cells}
    for name, fn in ref.GRADED.items():  # the stand-ins have the notebook's signatures
        params = list(inspect.signature(fn).parameters)
        assert f"def {name}({params[0]}" in cells[name]
        assert all(p in cells[name].split('"""')[0] for p in params), name
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert notebook.cells[0].source.startswith("# Word2vec: train your own word vectors")
    sections = [c.source.splitlines()[0] for c in notebook.cells if c.source.startswith("## ")]
    assert [s.split(" – ")[0] for s in sections if " – " in s][-2:] == ["## 9", "## 10"]  # training, evaluation
    assert "\\min\\left(1, \\sqrt{\\frac{t}{f(w)}}\\right)" in markdown
    assert "release" not in markdown.lower()


def test_the_release_keeps_no_solution_line():
    release = nbformat.read(notebook_path(AID, "release"), as_version=4)
    text = "\n".join(c.source for c in release.cells)
    for line in ("np.add.at(center_vectors, centers", "keep_probability = np.minimum", "order = np.lexsort((j, i))"):
        assert line not in text


def test_the_random_functions_get_generators_that_cross_to_the_notebooks_kernel():
    """When grading, arguments travel to the notebook's kernel as data: the Generator a check passes crosses in its
    state, the same stream on the other side, and a student's function that takes ``rng`` as a Generator, as the
    contract says (no np.random.default_rng(rng) line), earns the points."""
    from autograder import wire

    seen = []

    def crossing(fn):
        def wrapper(*args):
            seen.append(args[-1])
            sent = wire.loads(wire.dumps(list(args), {}))     # what the kernel receives
            result = fn(*sent)
            wire.write_back(args[-1], sent[-1])              # the draws it made are used up here too
            return result
        return wrapper

    def generator_only(fn):
        def strict(*args):
            assert isinstance(args[-1], np.random.Generator), type(args[-1])
            return fn(*args)
        return strict

    for check, fn in ((check_subsample, ref.subsample), (check_skipgram_pairs, ref.skipgram_pairs),
                      (check_sample_negatives, ref.sample_negatives)):
        check(crossing(generator_only(fn)))
        check(crossing(generator_only(fn)), seed=4)
    assert seen and all(isinstance(rng, np.random.Generator) for rng in seen)

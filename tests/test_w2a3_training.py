"""w2a3 (word2vec): the training loop around the graded functions, the shipped longer run, and the GloVe comparison.

train_sgns runs with the reference functions here (the notebook passes the student's): on a planted corpus whose
answer holds by construction, and on slices of the real corpus. The shipped vectors are checked against the corpus
and against their metrics.json, whose evaluation figures are recomputed from the vectors.
"""
from __future__ import annotations

import json
import math

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

from autograder.reference import w2a3_word2vec as reference  # noqa: E402
from course import ROOT  # noqa: E402
from week2 import word2vec  # noqa: E402
from week2 import word2vec_data as data  # noqa: E402

FUNCTIONS = {name: getattr(reference, name) for name in
             ("subsample", "skipgram_pairs", "noise_distribution", "sample_negatives", "sgns_step")}
MODEL = ROOT / "data" / "models" / "word2vec"


@pytest.fixture(scope="module")
def corpus():
    tokens = data.load_corpus()
    word_to_index, index_to_word, counts = reference.build_vocabulary(tokens, data.MIN_COUNT)
    ids = np.array([word_to_index[w] for w in tokens if w in word_to_index], dtype=np.int64)
    return word_to_index, index_to_word, counts, ids


@pytest.fixture(scope="module")
def metrics():
    return json.loads((MODEL / "metrics.json").read_text())


@pytest.fixture(scope="module")
def pretrained():
    return word2vec.load_pretrained()


def unit(X):
    X = np.asarray(X, dtype=np.float64)
    return X / np.linalg.norm(X, axis=1, keepdims=True)


# ------------------------------------------------------------------ train_sgns


def planted_corpus(seed=0, sentences=1500):
    """Three groups of two twin words; a twin only ever appears between two context words of its own group, so the
    two twins of a group share every context and nothing else does. Returns (ids, counts, twins)."""
    rng = np.random.default_rng(seed)
    twins = [(0, 1), (2, 3), (4, 5)]
    contexts = [np.arange(6 + 4 * g, 10 + 4 * g) for g in range(3)]     # ids 6..17
    ids = []
    for _ in range(sentences):
        g = rng.integers(3)
        left, right = rng.choice(contexts[g], 2), rng.choice(contexts[g], 2)
        ids += [*left, twins[g][rng.integers(2)], *right]
    ids = np.array(ids)
    return ids, np.bincount(ids, minlength=18), twins


def test_twins_that_share_every_context_end_up_nearest_neighbours():
    ids, counts, twins = planted_corpus()
    run = word2vec.train_sgns(ids, counts, **FUNCTIONS, dim=10, window_size=2, negatives=3, t=1.0,
                              learning_rate=0.05, batch_size=64, epochs=5, seed=0, verbose=False)
    V = unit(run.center_vectors)
    similarity = V @ V.T
    np.fill_diagonal(similarity, -np.inf)
    for a, b in twins:
        assert np.argmax(similarity[a]) == b and np.argmax(similarity[b]) == a, (a, b, similarity[a].round(2))
    assert run.losses[-1][1] < run.losses[0][1]


def test_the_loss_falls_on_the_corpus_from_its_value_at_the_start(corpus):
    _, _, counts, ids = corpus
    K = 5
    run = word2vec.train_sgns(ids, counts, **FUNCTIONS, dim=20, negatives=K, max_tokens=60_000, epochs=2,
                              loss_points=20, verbose=False)
    # the outside vectors start at zero: every score is 0, so the first loss is (1 + K) log 2 per pair
    assert run.losses[0][1] == pytest.approx((1 + K) * math.log(2), abs=2e-3)
    assert run.losses[-1][1] < run.losses[0][1] - 0.8
    pairs = [p for p, _ in run.losses]
    assert pairs == sorted(pairs) and 15 <= len(pairs) <= 25
    assert run.center_vectors.dtype == run.outside_vectors.dtype == np.float32
    assert run.center_vectors.shape == run.outside_vectors.shape == (len(counts), 20)
    assert run.words_per_second * run.seconds == pytest.approx(2 * 60_000)
    assert run.pairs_per_second * run.seconds == pytest.approx(pairs[-1])


def test_a_seed_gives_the_same_vectors_and_max_tokens_caps_the_work(corpus, capsys):
    _, _, counts, ids = corpus
    settings = dict(dim=8, max_tokens=20_000, epochs=1, seed=3)
    first = word2vec.train_sgns(ids, counts, **FUNCTIONS, **settings)
    lines = capsys.readouterr().out.splitlines()
    assert 1 <= len(lines) <= 5, lines                                          # a few progress lines at most
    again = word2vec.train_sgns(ids, counts, **FUNCTIONS, **settings, verbose=False)
    sliced = word2vec.train_sgns(ids[:20_000], counts, **FUNCTIONS, **{**settings, "max_tokens": None},
                                 verbose=False)
    other = word2vec.train_sgns(ids, counts, **FUNCTIONS, **{**settings, "seed": 4}, verbose=False)
    for run in (again, sliced):
        np.testing.assert_array_equal(run.center_vectors, first.center_vectors)
        np.testing.assert_array_equal(run.outside_vectors, first.outside_vectors)
        assert run.losses == first.losses
    assert not np.array_equal(other.center_vectors, first.center_vectors)
    # the pairs trained on are those of the first 20,000 ids: redo the epoch's draws in train_sgns's order
    rng = np.random.default_rng(3)
    rng.random((len(counts), 8), dtype=np.float32)                              # the initial center vectors
    kept = reference.subsample(ids[:20_000], counts, 1e-4, rng)
    centers, _ = reference.skipgram_pairs(kept, 5, rng)
    assert first.losses[-1][0] == len(centers)


def test_the_loop_calls_the_functions_it_is_given_as_the_docstring_says():
    """Stand-in functions record the calls: the batches, the negatives' exclusions and the learning rates."""
    counts = np.array([50, 30, 20, 10])
    ids = np.tile(np.arange(4), 25)
    calls = {"subsample": 0, "steps": []}

    def subsample(token_ids, counts, t, rng):
        calls["subsample"] += 1
        return token_ids

    def skipgram_pairs(token_ids, window_size, rng):
        return token_ids[:-1], token_ids[1:]                                   # 99 pairs

    def sample_negatives(noise, k, exclude, rng):
        calls["exclude"] = np.asarray(exclude)
        return np.zeros((len(exclude), k), dtype=np.int64)

    def sgns_step(V, U, centers, contexts, negatives, learning_rate):
        np.testing.assert_array_equal(contexts, calls["exclude"])              # negatives exclude the contexts
        assert negatives.shape == (len(contexts), 2)
        calls["steps"].append((len(centers), learning_rate))
        return 1.0

    run = word2vec.train_sgns(ids, counts, subsample=subsample, skipgram_pairs=skipgram_pairs,
                              noise_distribution=reference.noise_distribution, sample_negatives=sample_negatives,
                              sgns_step=sgns_step, dim=4, negatives=2, learning_rate=0.1, batch_size=10, epochs=2,
                              verbose=False)
    assert calls["subsample"] == 2
    sizes, rates = zip(*calls["steps"])
    assert sizes == (10,) * 9 + (9,) + (10,) * 9 + (9,)
    expected = [0.1 * (1 - (epoch + b / 10) / 2) for epoch in range(2) for b in range(10)]   # linear decay
    np.testing.assert_allclose(rates, expected)
    assert run.losses[-1] == (198, 1.0)
    V = run.center_vectors
    assert np.all(np.abs(V) <= 0.5 / 4) and np.all(run.outside_vectors == 0) and V.std() > 0.02


def test_plot_losses_draws_the_run():
    ids, counts, _ = planted_corpus(sentences=100)
    run = word2vec.train_sgns(ids, counts, **FUNCTIONS, dim=4, window_size=2, t=1.0, batch_size=32,
                              verbose=False)
    fig = word2vec.plot_losses(run)
    (line,) = fig.axes[0].get_lines()
    np.testing.assert_allclose(line.get_xdata(), [p for p, _ in run.losses])
    np.testing.assert_allclose(line.get_ydata(), [v for _, v in run.losses])
    matplotlib.pyplot.close(fig)


# ------------------------------------------------------------------ the shipped longer run


def test_the_shipped_vectors_are_the_corpus_vocabulary_and_match_their_metrics(pretrained, metrics, corpus):
    word_to_index, index_to_word, counts, ids = corpus
    assert pretrained.index_to_word == index_to_word
    assert pretrained.word_to_index == word_to_index
    np.testing.assert_array_equal(pretrained.counts, counts)
    assert pretrained.vectors.dtype == np.float32
    assert pretrained.vectors.shape == (metrics["vocabulary_size"], metrics["dim"])
    assert np.isfinite(pretrained.vectors).all()
    assert metrics["vocabulary_size"] == len(index_to_word) and metrics["tokens_in_vocabulary"] == len(ids)
    assert metrics["min_count"] == data.MIN_COUNT
    assert pretrained.metrics == metrics
    size = (MODEL / "vectors.npz").stat().st_size
    assert size == metrics["vectors_file_bytes"] and size < 4 * 2 ** 20
    assert metrics["final_loss"] == metrics["losses"][-1][1] < metrics["first_loss"] == metrics["losses"][0][1]


def test_the_metrics_are_what_the_evaluation_functions_give_on_the_shipped_vectors(pretrained, metrics):
    V, w2i, i2w = pretrained.vectors, pretrained.word_to_index, pretrained.index_to_word
    for name in ("wordsim353", "simlex999"):
        got = data.evaluate_similarity(V, w2i, data.load_similarity(name))
        assert got == {**metrics[name], "spearman": pytest.approx(metrics[name]["spearman"], abs=1e-9)}, name
        assert 0 < got["oov_share"] < 1
    analogies = data.evaluate_analogies(V, w2i, i2w, data.load_analogy_questions())
    for key in ("correct", "used", "total", "oov_share"):
        assert analogies[key] == metrics["analogies"][key], key
    checks = data.load_neighbour_checks()
    found = data.check_neighbours(V, w2i, i2w, checks)
    assert (found["hits"], found["expected"]) == (metrics["neighbour_checks"]["hits"],
                                                 metrics["neighbour_checks"]["expected"])
    assert {q: r["found"] for q, r in found["words"].items()} == metrics["neighbour_checks"]["found"]
    chosen = data.evaluate_analogies(V, w2i, i2w, [tuple(q) for q in checks["analogies"]])
    assert chosen["correct"] == metrics["chosen_analogies"]["correct"]
    assert [a[-1] for a in metrics["chosen_analogies"]["answers"]] == chosen["predicted"]


def test_the_readme_states_the_metrics(metrics, pretrained):
    readme = (MODEL / "README.md").read_text()
    stated = [metrics["command"], f"{metrics['seconds']:.0f} s", f"{metrics['words_per_second']:,}",
              f"{metrics['wordsim353']['spearman']:.3f}", f"{metrics['simlex999']['spearman']:.3f}",
              f"{metrics['wordsim353']['used']} of {metrics['wordsim353']['total']}",
              f"{metrics['simlex999']['used']} of {metrics['simlex999']['total']}",
              f"{metrics['analogies']['correct']} of {metrics['analogies']['used']}",
              f"{metrics['neighbour_checks']['hits']} of {metrics['neighbour_checks']['expected']}",
              f"{metrics['vocabulary_size']:,}", f"{metrics['first_loss']:.3f}", f"{metrics['final_loss']:.3f}",
              f"{metrics['pairs']:,}", f"{metrics['tokens_in_vocabulary']:,}"]
    for text in stated:
        assert text in readme, text
    # GloVe 6B 50d on the same pairs, within the vocabulary the two share, as the notebook's last section computes it
    from week2.glove import load_glove
    glove = load_glove()[3]
    shared = [w for w in pretrained.index_to_word if w in glove]
    glove_scores = [data.evaluate_similarity(glove.vectors(shared), {w: i for i, w in enumerate(shared)},
                                             data.load_similarity(name)) for name in ("wordsim353", "simlex999")]
    assert [s["used"] for s in glove_scores] == [metrics["wordsim353"]["used"], metrics["simlex999"]["used"]]
    for score in glove_scores:
        assert f"{score['spearman']:.3f}" in readme
    assert "| `word2vec/` |" in (ROOT / "data" / "models" / "README.md").read_text()


# ------------------------------------------------------------------ looking at the vectors


def test_plot_word_groups_leaves_out_unknown_words_and_says_so(capsys):
    w2i = {w: i for i, w in enumerate(["a", "b", "c", "d"])}
    vectors = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.2]], dtype=np.float32)
    fig = word2vec.plot_word_groups(vectors, w2i, {"one": ["a", "b", "zz"], "two": ["c", "d"]})
    assert "zz" in capsys.readouterr().out
    points = [c.get_offsets() for c in fig.axes[0].collections]
    assert [len(p) for p in points] == [2, 2]
    assert sorted(t.get_text() for t in fig.axes[0].texts) == ["a", "b", "c", "d"]
    matplotlib.pyplot.close(fig)


def test_the_side_by_side_with_glove_counts_the_common_neighbours(monkeypatch, capsys):
    """A tiny fake GloVe map. Angles on a circle make the neighbours easy to work out by hand."""
    def at(degrees):
        return np.array([np.cos(np.radians(degrees)), np.sin(np.radians(degrees))])

    ours_angles = {"king": 0, "prince": 10, "queen": 20, "lord": 40, "sheep": 180, "goat": 190, "selah": 30}
    glove_angles = {"king": 0, "queen": 5, "lord": 15, "prince": 100, "sheep": 180, "goat": 200, "tv": 2}
    index_to_word = list(ours_angles)
    vectors = np.array([at(a) for a in ours_angles.values()])
    fake = {w: at(a) for w, a in glove_angles.items()}
    monkeypatch.setattr(word2vec, "load_glove", lambda: (list(fake), None, None, fake))
    result = word2vec.compare_with_glove(vectors, {w: i for i, w in enumerate(index_to_word)}, index_to_word,
                                         ["king", "sheep", "selah"], n=2)
    # shared: king, prince, queen, lord, sheep, goat ("selah" only ours, "tv" only GloVe's)
    assert result["shared"] == 6 and result["missing"] == ["selah"]
    assert result["words"]["king"]["ours"] == ["prince", "queen"]
    assert result["words"]["king"]["glove"] == ["queen", "lord"]
    assert result["words"]["king"]["overlap"] == 1
    # sheep at 180 degrees: ours goat (10 degrees away), lord (140); GloVe goat (20), prince (80)
    assert result["words"]["sheep"] == {"ours": ["goat", "lord"], "glove": ["goat", "prince"], "overlap": 1}
    assert result["mean_overlap"] == 1.0
    word2vec.print_side_by_side(result)
    out = capsys.readouterr().out
    assert "king: 1 of 2 in common" in out and "selah" in out

"""w1a3 Jazz improvisation: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data and
settings that produce it."""
from __future__ import annotations

import json
import re

import nbformat
import numpy as np
import pytest

keras = pytest.importorskip("keras")

from autograder.reference import w1a3_jazz_improvisation as reference  # noqa: E402
from checks.paths import data_path  # noqa: E402
from notebook_code import code_cell, markdown_text, notebook_path, output_text  # noqa: E402
from week1 import jazz  # noqa: E402
from week1 import jazz_checks as jc  # noqa: E402
from week1.music import decode, load_corpus, parse_token, progression_slice  # noqa: E402

AID = "w1a3_jazz_improvisation"
L = keras.layers


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


@pytest.fixture(scope="module")
def source():
    """The source notebook as committed (no outputs), for the sentences about the data."""
    return nbformat.read(notebook_path(AID), as_version=4)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def _epochs(nb) -> list[tuple[int, float, float, float]]:
    """(epoch, cross-entropy per step, the epoch's seconds, seconds since training began) of each printed line."""
    out = output_text(nb, "losses = fit_windows(")
    return [(int(e), float(ce), float(took), float(total)) for e, ce, took, total in re.findall(
        r"epoch (\d+)/\d+: cross-entropy per step ([\d.]+); this epoch took ([\d.]+) s \(([\d.]+) s since training "
        r"began\)", out)]


def _temperatures(nb) -> dict[float, tuple[int, int, float]]:
    """T -> (distinct tokens, longest repetition, share of chord or scale tones) of each printed line."""
    out = output_text(nb, "for temperature in (0.0, 0.7, 1.0, 1.5)")
    return {float(t): (int(d), int(r), float(s) / 100) for t, d, r, s in re.findall(
        r"T = ([\d.]+)\s+(\d+) distinct tokens, longest repetition\s+(\d+), chord or scale tones (\d+)%", out)}


def _scores(nb) -> dict[str, tuple[float, float]]:
    out = output_text(nb, "scores = {")
    return {name: (float(acc), float(ce)) for name, acc, ce in re.findall(
        r"^(LSTM \(pretrained\)|unigram|bigram)\s+([\d.]+)\s+([\d.]+)$", out, re.M)}

# ---------------------------------------------------------------------------- the corpus (sections 0 and 1)


def test_most_of_the_notes_are_bachs_chorales(source, corpus):
    assert "for most of the notes, the melodies of Bach's chorales" in markdown_text(source, "A word on")
    tokens = {}
    for piece in corpus.pieces:
        tokens[piece.composer] = tokens.get(piece.composer, 0) + len(piece.tokens)
    assert tokens["Johann Sebastian Bach"] > 0.5 * sum(tokens.values())
    assert {"Scott Joplin", "Irving Berlin"} <= set(tokens)


def test_the_printed_corpus_counts_are_the_corpus(nb, corpus):
    out = output_text(nb, "pieces: {len(corpus.train)} for training")
    n, n_train, n_held, n_tokens, n_values = (int(v.replace(",", "")) for v in re.search(
        r"(\d+) pieces: (\d+) for training, (\d+) held out\n([\d,]+) tokens; a vocabulary of n_values = (\d+) tokens",
        out).groups())
    assert (n, n_train, n_held) == (len(corpus.pieces), len(corpus.train), len(corpus.heldout))
    assert (n_tokens, n_values) == (sum(len(p.tokens) for p in corpus.pieces), corpus.n_values)
    assert len(re.findall(r"^  \S+\s+\('", out, re.M)) == 12   # "its first 12 tokens"


def test_the_token_table_describes_every_token(source, corpus):
    text = markdown_text(source, "| part | values | meaning |")
    assert "`C,0.5,+1` is an eighth-note chord tone a step above the last note" in text
    assert parse_token("C,0.5,+1") == ("C", 0.5, 1)
    assert "The vocabulary is every token that occurs in the corpus, in sorted order" in text
    assert corpus.vocabulary == sorted({t for p in corpus.pieces for t in p.tokens})
    parsed = [parse_token(t) for t in corpus.vocabulary]
    assert {kind for kind, _, _ in parsed} <= set("CSAXR")
    assert min(d for _, d, _ in parsed) == 0.25 and max(d for _, d, _ in parsed) == 4
    assert {m for _, _, m in parsed} <= {0, 1, -1, 2, -2, 3, -3}


def test_the_excerpts_are_16_bars_of_their_metre(source, corpus):
    """The Maple Leaf Rag's first 32 quarter notes are 16 bars of 2/4; Alexander's Ragtime Band's first 64 are 16 bars
    of 4/4 (its time signature, read from the score music21 ships), and it is a held-out piece."""
    music21 = pytest.importorskip("music21")
    assert "(16 bars of 2/4)" in code_cell(source, "progression_slice(rag.progression, 0, 32)").source
    assert "16 bars of 4/4" in code_cell(source, "progression_slice(song.progression, 0, 64)").source
    for score, metre in (("joplin/maple_leaf_rag", "2/4"), ("leadSheet/berlinAlexandersRagtime", "4/4")):
        signature = music21.corpus.parse(score).recurse().getElementsByClass("TimeSignature")[0]
        assert signature.ratioString == metre, score
    assert "*Alexander's Ragtime Band* — a held-out piece" in markdown_text(source, "## 4 – Your solo")
    assert any(p.id.endswith("berlinAlexandersRagtime") for p in corpus.heldout)


def test_decoding_the_tokens_keeps_the_rhythm_and_the_shape_but_not_all_pitches(source, corpus):
    text = markdown_text(source, "The same bars decoded back from their **tokens**")
    assert "the rhythm and the shape of the line survive, the exact pitches do not always" in text
    rag = next(p for p in corpus.pieces if p.id == "joplin/maple_leaf_rag")
    excerpt = progression_slice(rag.progression, 0, 32)
    original = [n for n in rag.melody if n.offset < 32]
    decoded = decode(rag.tokens, excerpt, rag.scale)
    assert [(n.offset, n.duration) for n in decoded] == [(n.offset, n.duration) for n in original]
    up_down = [np.sign(np.diff([n.pitch for n in notes if n.pitch is not None])) for notes in (original, decoded)]
    assert np.mean(up_down[0] == up_down[1]) > 0.9
    assert any(a.pitch != b.pitch for a, b in zip(original, decoded))

# ---------------------------------------------------------------------------- windows and the training model


def test_the_windows_are_as_the_text_says(nb):
    text = markdown_text(nb, "### Training windows")
    assert "a **window** of `Tx + 1 = 31` consecutive tokens" in text and "reads the first 30" in text
    out = output_text(nb, 'X, Y = windows(corpus, "train"')
    m, tx, v, ty, m_y, v_y = (int(x) for x in re.search(r"X: \((\d+), (\d+), (\d+)\), Y: \((\d+), (\d+), (\d+)\)",
                                                         out).groups())
    assert tx == ty == jazz.TX == 30 and (m, v) == (m_y, v_y)
    assert out.rstrip().endswith("-> True")


def test_the_parameter_count_is_the_formula_whatever_tx(nb, corpus):
    out = output_text(nb, "losses = fit_windows(")
    outputs, counted, formula = re.search(r"(\d+) outputs; ([\d,]+) parameters = .* = ([\d,]+), whatever Tx",
                                          out).groups()
    assert int(outputs) == jazz.TX and counted == formula
    assert "however long the sequence, the model has the same parameters" in markdown_text(nb, "## 2 – The training")
    counts = {reference.djmodel(Tx, L.LSTM(8, return_state=True), L.Dense(5, activation="softmax"),
                                L.Reshape((1, 5))).count_params() for Tx in (1, 3, 7)}
    assert counts == {jc.shared_params(5, 8)}


def test_a_new_layer_in_the_loop_makes_the_model_tx_times_bigger(nb):
    assert "a different model, $T_x$ times bigger" in markdown_text(nb, "## 2 – The training")
    Tx, n_values, n_a = 3, 5, 4
    X, a0, c0 = L.Input(shape=(Tx, n_values)), L.Input(shape=(n_a,)), L.Input(shape=(n_a,))
    a, c, outputs = a0, c0, []
    for t in range(Tx):
        a, _, c = L.LSTM(n_a, return_state=True)(L.Reshape((1, n_values))(X[:, t, :]), initial_state=[a, c])
        outputs.append(L.Dense(n_values, activation="softmax")(a))
    assert keras.Model([X, a0, c0], outputs).count_params() == Tx * jc.shared_params(n_values, n_a)


def test_keras_loss_is_the_sum_of_the_steps_cross_entropies():
    """fit_windows divides Keras's loss by Tx: Keras's loss of a multi-output model is the sum over the outputs."""
    Tx, n_values, n_a, m = 3, 4, 2, 6
    model = reference.djmodel(Tx, L.LSTM(n_a, return_state=True), L.Dense(n_values, activation="softmax"),
                              L.Reshape((1, n_values)))
    model.compile(loss="categorical_crossentropy")
    rng = np.random.default_rng(0)
    X = np.eye(n_values, dtype=np.float32)[rng.integers(0, n_values, (m, Tx))]
    Y = np.eye(n_values, dtype=np.float32)[rng.integers(0, n_values, (Tx, m))]
    zeros = np.zeros((m, n_a), dtype=np.float32)
    probs = np.stack([np.asarray(p) for p in model([X, zeros, zeros])])
    per_step = -np.log((probs * Y).sum(axis=-1)).mean(axis=1)
    loss = model.evaluate([X, zeros, zeros], list(Y), verbose=0, batch_size=m)
    assert (loss[0] if isinstance(loss, list) else loss) == pytest.approx(per_step.sum(), rel=1e-4)


def test_the_training_lines_say_what_their_times_are(nb):
    """Each epoch's own time and the time since training began; the first epoch, during which Keras builds the
    computation, takes longer than each later one; the cross-entropy falls from epoch to epoch."""
    text = markdown_text(nb, "### Training it")
    assert "compare the first epoch's time with the later ones'" in text
    assert "The printed cross-entropy falls from epoch to epoch" in text
    lines = _epochs(nb)
    assert [e for e, *_ in lines] == [1, 2, 3, 4]
    assert np.cumsum([took for *_, took, _ in lines]) == pytest.approx([total for *_, total in lines], abs=0.2)
    assert all(lines[0][2] > took for _, _, took, _ in lines[1:])
    losses = [ce for _, ce, _, _ in lines]
    assert all(b < a for a, b in zip(losses, losses[1:]))


def test_four_epochs_stay_above_the_pretrained_held_out_cross_entropy(nb):
    text = markdown_text(nb, "### Training it")
    assert "four epochs are not enough to learn the language well: it stays above what the pretrained weights" in text
    assert "epochs=4" in code_cell(nb, "losses = fit_windows(").source
    assert _epochs(nb)[-1][1] > _scores(nb)["LSTM (pretrained)"][1]

# ---------------------------------------------------------------------------- the pretrained model


def test_the_pretrained_lstm_beats_both_baselines_and_trained_longer(nb):
    scores = _scores(nb)
    assert set(scores) == {"LSTM (pretrained)", "unigram", "bigram"}
    lstm = scores["LSTM (pretrained)"]
    for name in ("unigram", "bigram"):
        assert lstm[0] > scores[name][0] and lstm[1] < scores[name][1]
    out = output_text(nb, "scores = {")
    epochs = int(re.search(r"\(train\.py: (\d+) epochs over", out).group(1))
    assert "trained the same two layers for longer" in markdown_text(nb, "### Pretrained weights")
    assert epochs > len(_epochs(nb))
    # "computes exactly what your model computes step by step": train.py's metrics are the notebook's djmodel's.
    assert "computes exactly what your model computes step by step" in markdown_text(nb, "### Pretrained weights")
    stored = json.loads(data_path(*jazz.METRICS_FILE).read_text())
    assert lstm == (pytest.approx(stored["heldout"]["accuracy"], abs=2e-3),
                    pytest.approx(stored["heldout"]["cross_entropy"], abs=2e-3))


def test_calling_the_model_and_predict_give_the_same_values(nb):
    assert "`inference_model.predict([...])` gives the same values" in markdown_text(nb, "### 3.2")
    model = jc.sampling_model(None)
    x0, a0, c0 = (v[:1] for v in jc.inference_inputs(None))
    called = [np.asarray(o) for o in model([x0, a0, c0])]
    predicted = model.predict([x0, a0, c0], verbose=0)
    for c, p in zip(called, predicted):
        np.testing.assert_allclose(c, p, rtol=1e-5, atol=1e-6)

# ---------------------------------------------------------------------------- the solos


def test_the_greedy_solo_falls_into_a_loop(nb):
    assert "it tends to fall into loops" in markdown_text(nb, "### Sampling with a temperature")
    out = output_text(nb, "greedy_solo = decode(")
    summary = re.search(r"\{'distinct tokens': (\d+), 'longest repetition': (\d+)", out)
    distinct, longest = int(summary.group(1)), int(summary.group(2))
    assert distinct <= 5 and longest >= 50
    assert (distinct, longest) == _temperatures(nb)[0.0][:2]   # T = 0 below is the same greedy solo


def test_what_the_text_says_of_the_temperatures(nb):
    text = markdown_text(nb, "In the lines printed above")
    assert ("greedy decoding (T = 0) uses few distinct tokens and repeats itself; sampling at T = 1 uses many more, "
            "and most of its notes are still chord or scale tones of the chord underneath, as in the training "
            "melodies") in text
    assert ("At T = 1.5 the flattened distribution lets still more distinct tokens through, and a smaller share of "
            "its notes are chord or scale tones") in text
    rows = _temperatures(nb)
    assert sorted(rows) == [0.0, 0.7, 1.0, 1.5]
    (d0, r0, _), (d1, r1, s1), (d15, _, s15) = rows[0.0], rows[1.0], rows[1.5]
    assert d0 <= 5 and r0 >= 50 and r1 < r0                    # few tokens, repeats itself
    assert d1 >= 3 * d0 and s1 > 0.5                          # many more; most chord or scale tones
    training = float(re.search(r"the training melodies: chord or scale tones (\d+)%",
                               output_text(nb, "for temperature in (0.0, 0.7, 1.0, 1.5)")).group(1)) / 100
    assert training > 0.5
    assert d15 > d1 and s15 < s1
    # "T < 1 sharpens it ..., T > 1 flattens it": the number of distinct tokens grows with T.
    assert [rows[t][0] for t in sorted(rows)] == sorted(rows[t][0] for t in rows)

"""w3a1 Machine translation: what the notebook's text says about its outputs is what the outputs show.

Every sentence of the source notebook that states a number or a result about an output is checked here against the
output of the session's run of the notebook (tests/conftest.py: ``executed_source``), or against the data, the
shipped weights and the settings that produce it. The attention map is a picture; the notebook also prints, for
each output character, the input character it weighs most, and the tests recompute the weights from the shipped
weights exactly as the notebook does (the reference's modelf, ``load_pretrained``, ``attention_map``) for what the
printed lines do not show.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from autograder.reference import w3a1_decoding as decoding  # noqa: E402
from autograder.reference import w3a1_machine_translation as R  # noqa: E402
from checks.paths import data_path  # noqa: E402
from notebook_code import code_cell, markdown_text, output_text  # noqa: E402
from week3 import dates, translation  # noqa: E402
from week3 import translation_checks as tc  # noqa: E402

AID = "w3a1_machine_translation"
ATTENTION_TEXT = "tuesday 9 april 2019"


@pytest.fixture(scope="module")
def nb(executed_source):
    return executed_source(AID)[0]


@pytest.fixture(scope="module")
def metrics() -> dict:
    import json
    return json.loads(data_path(*translation.METRICS_FILE).read_text())


def _number(text: str) -> int:
    return int(text.replace(",", ""))

# ---------------------------------------------------------------------------- 1 the data


def test_the_separators_and_the_two_digit_years_are_as_the_text_says(nb):
    text = markdown_text(nb, "## 1 – The data")
    assert "slashes are US month-first (`5/9/18` is May 9), dots European day-first (`9.5.18` is also May 9)" in text
    assert "19yy from 50 up and 20yy below" in text and dates.PIVOT == 50
    assert "outside 1950–2049" in text and dates.YEARS == (1950, 2049)
    out = output_text(nb, "some training pairs")
    pairs = re.findall(r"'([^']+)'\s+-> (\d{4})-(\d\d)-(\d\d)", out)
    seen = set()
    for human, year, month, day in pairs:  # every printed pair with a separator reads as the text says
        slash = re.fullmatch(r"(\d+)/(\d+)/(\d+)", human)
        dot = re.fullmatch(r"(\d\d?)\.(\d+)\.(\d+)", human)  # day first (a year first is an unseen format)
        if slash:
            assert (int(slash[1]), int(slash[2])) == (int(month), int(day)), human
        if dot:
            assert (int(dot[1]), int(dot[2])) == (int(day), int(month)), human
        for m in (slash, dot):
            if m:
                seen.add(human[len(m[1])])
                if len(m[3]) == 2:
                    assert int(year) == (1900 if int(m[3]) >= 50 else 2000) + int(m[3]), human
    assert seen == {"/", "."}


def test_the_two_out_of_distribution_test_sets_are_unseen_formats_and_years(nb):
    assert not set(dates.OOD_FORMATS) & set(dates.FORMATS)
    years = {split: {int(y[:4]) for _, y in dates.load_dates(split)} for split in ("train", "test_ood_year")}
    assert min(years["train"]) >= 1950 and max(years["train"]) <= 2049
    assert all(y < 1950 or y > 2049 for y in years["test_ood_year"])
    out = output_text(nb, "some training pairs")
    sizes = {split: _number(n) for split, n in re.findall(r"^(\w+)\s+([\d,]+) pairs", out, re.M)}
    assert sizes == {split: len(dates.load_dates(split)) for split in dates.SPLITS}


def test_the_vocabularies_are_as_the_text_says(nb):
    text = markdown_text(nb, "The model reads characters.")
    assert "`Tx = 30`" in text and dates.Tx == 30
    out = output_text(nb, "human vocabulary (")
    n_human, shown = re.search(r"human vocabulary \((\d+)\): (.*)", out).groups()
    chars = sorted({c for human, _ in dates.load_dates("train") for c in human})
    assert chars[0] == " "  # sorted: the space first, shown as ' '
    assert shown == " ".join(["' '"] + chars[1:] + ["<unk>", "<pad>"])
    assert int(n_human) == len(chars) + 2
    n_machine, machine = re.search(r"machine vocabulary \((\d+)\): (.*)", out).groups()
    assert machine.split() == ["-"] + list("0123456789") and int(n_machine) == 11  # "the digits and -"
    assert f"Xoh (20000, 30, {n_human})" in out and "Yoh (20000, 10, 11)" in out
    unk = re.search(r"index of <unk>: \[([\d, ]+)\]", out).group(1).split(", ")
    assert int(unk[-1]) == int(n_human) - 2  # '?' is never in the training inputs: <unk>, the one before <pad>
    assert "?" not in chars

# ---------------------------------------------------------------------------- 2 the model


def test_the_parameter_count_and_the_vocabulary_sizes_are_the_printed_ones(nb, metrics):
    text = markdown_text(nb, "### 2.2 – `modelf`")
    n_human, n_machine, params = (_number(x) for x in re.search(
        r"the vocabularies of (\d+) and (\d+) characters printed above, the model has ([\d,]+) parameters", text
    ).groups())
    printed = output_text(nb, "human vocabulary (")
    assert f"human vocabulary ({n_human})" in printed and f"machine vocabulary ({n_machine})" in printed
    assert re.search(r"^([\d,]+) parameters$", output_text(nb, "model.count_params()"), re.M).group(1) == f"{params:,}"
    assert params == tc.model_params(30, 10, 32, 64, n_human, n_machine) == metrics["parameters"]
    assert "`Tx = 30, Ty = 10, n_a = 32, n_s = 64`" in text and (dates.Tx, dates.Ty) == (30, 10)
    # "the check builds it with other Ty and vocabulary sizes too": the public check and the hidden ones
    for seed in (None, 2, 5):
        sizes = tc.model_sizes(seed)
        assert sizes["Ty"] != 10 and sizes["human_vocab_size"] != n_human


def test_the_training_cell_prints_the_loss_and_the_time_it_took(nb, metrics):
    text = markdown_text(nb, "### Training, briefly")
    assert "one epoch on 4,000 of the training pairs" in text
    source = code_cell(nb, "model.count_params()").source
    assert "Xoh[:4000], Yoh[:4000]" in source and "epochs=1" in source
    assert "the 10 output steps" in text and dates.Ty == 10
    loss, seconds = (float(x) for x in re.search(
        r"^epoch 1/1: cross-entropy per character ([\d.]+) \(([\d.]+) s\)$",
        output_text(nb, "model.count_params()"), re.M).groups())
    assert "prints the cross-entropy per output character and the seconds the epoch took" in text
    assert seconds > 0
    # "its loss is still high": far above the pretrained model's, not far below guessing among the 11 characters
    assert "its loss is still high" in text
    assert loss > 1.0 > metrics["dev_loss_per_character"] and loss < 1.5 * math.log(11)
    # "trained for many epochs over all 20,000 training pairs (the next cell prints how many)"
    assert "trained for many epochs over all 20,000 training pairs (the next cell prints how many)" in text
    epochs, pairs = re.search(r"the pretrained model: (\d+) epochs over ([\d,]+) training pairs",
                              output_text(nb, "def pretrained_model")).groups()
    assert int(epochs) == metrics["epochs"] >= 10 and _number(pairs) == len(dates.load_dates("train")) == 20_000
    assert not re.search(r"\d+\s*(s|seconds|minutes)\b", text)  # no duration the text cannot back


def test_the_readme_of_the_weights_has_the_command_and_the_epochs(nb, metrics):
    text = markdown_text(nb, "### A pretrained model, evaluated honestly")
    assert "`data/models/date_translation/train.py`" in text and "its command, its epochs" in text
    readme = data_path("models", "date_translation", "README.md").read_text()
    assert metrics["command"] in readme and f"epoch {metrics['epochs']}" in readme

# ---------------------------------------------------------------------------- the evaluation


def _rows(nb) -> dict:
    out = output_text(nb, "def pretrained_model")
    return {split: (float(e), float(c)) for split, e, c in
            re.findall(r"^(test|test_ood_format|test_ood_year)\s+([\d.]+)\s+([\d.]+)$", out, re.M)}


def _examples(nb) -> dict:
    return dict(re.findall(r"^'([^']+)'\s+-> (\S+)$", output_text(nb, "examples = ["), re.M))


def test_the_evaluation_is_what_the_text_says(nb, metrics):
    text = markdown_text(nb, "On test dates in the formats and years it was trained on")
    rows = _rows(nb)
    assert set(rows) == {"test", "test_ood_format", "test_ood_year"}
    for split, (exact, chars) in rows.items():  # the printed rows are the metrics the training script recorded
        assert exact == pytest.approx(metrics["greedy"][split]["exact match"], abs=1e-3), split
    assert "gets every date of the test set right" in text and rows["test"][0] == 1.0
    assert "Outside that distribution it is much worse" in text
    assert rows["test_ood_format"][0] < 0.7 and rows["test_ood_year"][0] < 0.7


def test_the_breakdown_by_format_and_year_is_what_the_text_says(nb):
    text = markdown_text(nb, "On test dates in the formats and years it was trained on")
    out = output_text(nb, "def pretrained_model")
    by_format = {fmt: (float(e), int(n)) for fmt, e, n in
                 re.findall(r"^  '([^']+)'\s+exact match ([\d.]+) \((\d+) dates\)$", out, re.M)}
    assert set(by_format) == {"9 may, 18", "the 9th of may 2018", "2018.05.09"}
    assert sum(n for _, n in by_format.values()) == len(dates.load_dates("test_ood_format"))
    assert "(`9 may, 18`) nearly always" in text and by_format["9 may, 18"][0] >= 0.95
    assert "a year-first format (`2018.05.09`) almost never" in text and by_format["2018.05.09"][0] <= 0.05
    # "because every training format puts the year last"
    for human, iso in dates.load_dates("train"):
        last = re.findall(r"\d+", human)[-1]
        assert iso[:4].endswith(last) and len(last) in (2, 4), human
    century, rest = (float(x) for x in re.search(
        r"test_ood_year: the century wrong in ([\d.]+) of the dates, the rest \(yy-mm-dd\) right in ([\d.]+)",
        out).groups())
    assert "it gets the century wrong for most dates" in text and century > 0.5
    assert "the rest of the date is nearly always right" in text and rest >= 0.95


def test_the_examples_show_what_the_text_says(nb):
    text = markdown_text(nb, "On test dates in the formats and years it was trained on")
    got = _examples(nb)
    assert "the last examples above show both" in text
    assert got["9 may, 18"] == "2018-05-09" and got["2018.05.09"] != "2018-05-09"
    assert "(in the examples, 2057 becomes 1957 and 1922 becomes 2022)" in text
    assert got["1 march 2057"] == "1957-03-01" and got["3 may 1922"] == "2022-05-03"
    assert list(got)[-4:] == ["9 may, 18", "2018.05.09", "1 march 2057", "3 may 1922"]
    assert "# the last four: unseen formats and years" in code_cell(nb, "examples = [").source
    for human in list(got)[:-4]:  # the others are in the training formats and years, and all right
        assert re.search(r"(19[5-9]\d|20[0-4]\d|\b\d\d)$", human), human

# ---------------------------------------------------------------------------- 3 decoding


def test_greedy_and_beam_search_agree_on_the_date_model(nb):
    assert "Beam search finds the same outputs" in markdown_text(nb, "### When beam search cannot help")
    same, total = re.search(r"give the same date for (\d+) of (\d+) test examples",
                            output_text(nb, "greedy and beam search (width 3)")).groups()
    assert same == total == "100"


def test_beam_width_one_is_greedy_decoding():
    """Section 3.2: "With `beam_width = 1` beam search is exactly greedy decoding." (on the check's toy tables)."""
    from week3 import decoding_checks as dc
    for run in dc.greedy_inputs(6, 7, 0):
        step = dc.toy_step(run["table"], run["end_id"])
        assert decoding.beam_search_decode(step, 1, run["max_len"], run["end_id"])[0] == \
            decoding.greedy_decode(step, run["max_len"], run["end_id"])


def test_the_name_model_text_calls_only_the_translation_decoder_conditional(nb):
    text = markdown_text(nb, "### When it helps: a character language model")
    assert "**conditional language model** $P(y \\mid x)$" in text and "a plain language model $P(y)$" in text
    primed = markdown_text(nb, "Beam search finds a name that is more probable")
    assert "*primed*" in primed and "not a conditional one" in primed


def test_beam_search_finds_a_more_probable_name_than_greedy(nb):
    assert "Beam search finds a name that is more probable, as a whole, than the greedy one" in markdown_text(
        nb, "Beam search finds a name that is more probable")
    out = output_text(nb, "greedy = greedy_decode(step, max_len=20")
    greedy = float(re.search(r"^greedy\s+\S+\s+log-probability\s+(-?[\d.]+)$", out, re.M).group(1))
    beams = [float(x) for x in re.findall(r"^beam, width \d+\s+\S+\s+log-probability\s+(-?[\d.]+)$", out, re.M)]
    assert len(beams) == 2 and min(beams) > greedy


def test_length_normalization_changes_the_winner_as_the_text_says(nb):
    text = markdown_text(nb, "Without normalization the search prefers the short name")
    assert "with $\\alpha = 0.7$ it is divided by $\\text{length}^{0.7}$" in markdown_text(
        nb, "### When it helps: a character language model")
    rows = re.findall(r"^alpha ([\d.]+): (\S+)\s+(\d+) tokens, log-probability\s+(-?[\d.]+), score\s+(-?[\d.]+)$",
                      output_text(nb, "step_e = name_step_log_probs"), re.M)
    (a0, short, n_short, lp_short, score0), (a7, long, n_long, lp_long, score7) = rows
    assert (a0, a7) == ("0.0", "0.7") and short.startswith("E") and long.startswith("E")  # the prompt "e"
    assert "prefers the short name" in text and int(n_short) < int(n_long)
    # "although the longer one is, letter for letter, more probable"
    assert float(lp_long) / int(n_long) > float(lp_short) / int(n_short)
    assert float(score0) == float(lp_short)  # alpha = 0: the plain sum
    # "divided by length^0.7, the longer name wins"
    assert float(score7) == pytest.approx(float(lp_long) / int(n_long) ** 0.7, abs=2e-3)
    assert float(lp_long) / int(n_long) ** 0.7 > float(lp_short) / int(n_short) ** 0.7

# ---------------------------------------------------------------------------- 4 BLEU


def test_the_bleu_text_is_what_the_reference_and_the_demo_show(nb):
    text = markdown_text(nb, "## 4 – Evaluation: BLEU")
    assert "$r$ the length of the reference closest to $c$ (the shorter one on a tie)" in text
    assert decoding._bleu([1, 2, 3], [[1, 2, 3, 4], [1]], max_n=1) == pytest.approx(math.exp(1 - 4 / 3))
    assert decoding._bleu([1, 2, 3], [[1, 2, 3, 4], [1, 2]], max_n=1) == 1.0  # a tie: the shorter, 2 < c
    assert "BLEU is 0 if any $p_n$ is 0" in text and decoding.bleu_score([1, 2], [[1, 2, 3]], max_n=4) == 0.0
    out = dict(re.findall(r"^'([^']+)'\s+BLEU ([\d.]+)$", output_text(nb, "reference_1 = "), re.M))
    # "clipping stops 'the the the the' from scoring well"
    assert "clipping stops \"the the the the\" from scoring well" in text
    assert float(out["the the the the the the"]) < 0.1
    four, mat = "the the the the".split(), ["the cat is on the mat".split()]  # p_1: 2 / 4 clipped, 4 / 4 not
    assert decoding._bleu(four, mat, 1, penalty="none") == 0.5 and decoding._bleu(four, mat, 1, clip="none",
                                                                                   penalty="none") == 1.0
    # "Precision alone would reward a candidate of a few safe words"
    safe, refs = "the cat is on".split(), ["the cat is on the mat".split(), "there is a cat on the mat".split()]
    assert decoding._bleu(safe, refs, penalty="none") == 1.0 > decoding.bleu_score(safe, refs)
    assert float(out["the cat is on the mat"]) == 1.0

# ---------------------------------------------------------------------------- 5 the attention map


@pytest.fixture(scope="module")
def weights():
    """The attention weights of the notebook's example, computed as the notebook does, with the shipped weights."""
    hv, mv, _ = dates.load_vocabularies()
    model = R.modelf(dates.Tx, dates.Ty, R.n_a, R.n_s, len(hv), len(mv))
    translation.load_pretrained(model, hv, mv)
    xoh = dates.preprocess_data([(ATTENTION_TEXT, "0000-00-00")], hv, mv, dates.Tx, dates.Ty)[2][0]
    return translation.attention_map(model, xoh, R.n_s)


def _printed_attention(nb) -> list[tuple[str, int, str, float, float]]:
    out = output_text(nb, "weights = attention_map(")
    rows = re.findall(r"^output (\d) '(.)': weighs most input\s+(\d+) '(.)' \(([\d.]+)\), the date's characters "
                      r"([\d.]+) in all$", out, re.M)
    assert [int(r[0]) for r in rows] == list(range(dates.Ty))
    return [(o, int(i), c, float(w), float(total)) for _, o, i, c, w, total in rows]


def test_the_recomputed_weights_are_the_notebooks(nb, weights):
    assert f"'{ATTENTION_TEXT}' -> 2019-04-09; every row sums to 1: True" in output_text(nb, "weights = attention_map(")
    padded = ATTENTION_TEXT.ljust(dates.Tx)
    for t, (_, where, char, weight, total) in enumerate(_printed_attention(nb)):
        assert padded[where] == char
        assert weights[t, where] == pytest.approx(weight, abs=0.006)
        assert weights[t, :len(ATTENTION_TEXT)].sum() == pytest.approx(total, abs=0.006)
        if weight > 0.1:  # a clear maximum is the same one
            assert int(np.argmax(weights[t])) == where


def test_the_attention_is_what_the_text_says(nb, weights):
    text = markdown_text(nb, "Most output characters look at the part of the input")
    assert "Most output characters look at the part of the input they need" in text  # not the month's digits
    rows = _printed_attention(nb)
    assert "".join(r[0] for r in rows) == "2019-04-09"
    year = ATTENTION_TEXT.index("2019")
    # the year's last two digits look at the year's last two digits, with most of their weight
    assert "the year's last two digits look at the year's last two digits (`1` and `9` of `2019`, with most of " \
           "their weight)" in text
    assert rows[2][1:3] == (year + 2, "1") and rows[3][1:3] == (year + 3, "9") and min(rows[2][3], rows[3][3]) > 0.5
    # the - after the year looks at the month's name (ap of april)
    assert "the `-` after the year looks at the month's name (`ap` of `april`)" in text
    april = ATTENTION_TEXT.index("april")
    assert rows[4][1:3] == (april, "a") and weights[4, april:april + 2].sum() > 0.5
    assert weights[4, april:april + 5].sum() > 0.8
    # the month's two digits: uniform, 1/30 on every position of the input, padding included
    assert "their weights are uniform, the same 1/30 on every position of the input (padding included)" in text
    for t in (5, 6):
        assert rows[t][3] == pytest.approx(1 / 30, abs=0.005)
        np.testing.assert_allclose(weights[t], 1 / dates.Tx, atol=0.005)
    # the - after the month and the day's two digits look at the day, 9
    assert "the `-` after the month and the day's two digits look at the day, `9`" in text
    day = ATTENTION_TEXT.index("9")
    for t in (7, 8, 9):
        assert rows[t][1:3] == (day, "9") and rows[t][3] > 0.5
    # no output character looks at the weekday
    assert "no output character looks at the weekday, `tuesday`" in text
    assert weights[:, :len("tuesday")].max() < 0.1
    # the century: the first digit nearly uniform, the second weighs the year's third digit most
    assert "The first digit of the century looks nowhere in particular (its weights are nearly uniform)" in text
    assert weights[0].max() < 0.1
    assert "the second weighs the year's third digit more than any other character" in text
    assert rows[1][1:3] == (year + 2, "1") and int(np.argmax(weights[1])) == year + 2
    assert "it writes 2057 as 1957 and 1922 as 2022" in text
    examples = _examples(nb)
    assert examples["1 march 2057"].startswith("1957") and examples["3 may 1922"].startswith("2022")


def test_one_picture_and_no_error_in_the_run(nb):
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert sum("image/png" in o.get("data", {}) for o in outputs) == 1
    assert not [o for o in outputs if o.get("output_type") == "error"]

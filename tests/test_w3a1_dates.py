"""w3a1 data: the date formats, the shipped splits (equal to prepare.py's build), the vocabularies, the loaders.

Dates are read back with a parser written here, independently of week3.dates: it knows English month and weekday
names, the separators' order rule (slashes month-first, dots day-first) and the two-digit-year pivot, nothing else.
"""
from __future__ import annotations

import calendar
import datetime
import re
import shutil
from collections import Counter
from contextlib import redirect_stdout
from io import StringIO

import numpy as np
import pytest
from babel.dates import format_date

from checks.paths import ENV_VAR, data_path
from course import data_script
from week3 import dates
from week3.dates import (FORMATS, OOD_FORMATS, PAD, SPLITS, UNK, Tx, Ty, build_vocabularies, generate_pairs,
                         human_date, int_to_string, load_dates, load_vocabularies, preprocess_data, string_to_int)

SIZES = {"train": 20_000, "dev": 1_000, "test": 1_000, "test_ood_format": 500, "test_ood_year": 500}
HUMAN_CHARS = " ,./0123456789abcdefghijlmnoprstuvwy"
MONTHS = [m.lower() for m in calendar.month_name[1:]]
WEEKDAYS = [d.lower() for d in calendar.day_name]          # monday first, as date.weekday()
SUFFIX = {1: "st", 2: "nd", 3: "rd", 21: "st", 22: "nd", 23: "rd", 31: "st"}


# ------------------------------------------------------------------ an independent reader of human dates

def _year(text: str) -> int:
    """A written year: four digits as they are, two digits by the pivot 50-99 -> 19xx, 00-49 -> 20xx."""
    return int(text) if len(text) == 4 else (1900 if int(text) >= 50 else 2000) + int(text)


def parse_human(s: str) -> datetime.date:
    """The one date that ``s`` can mean; an AssertionError if ``s`` is not a well-formed date."""
    weekday = None
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d\d|\d{4})", s):            # US order: month/day/year
        month, day, year = int(m[1]), int(m[2]), _year(m[3])
    elif m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d\d|\d{4})", s):         # European order: day.month.year
        day, month, year = int(m[1]), int(m[2]), _year(m[3])
    elif m := re.fullmatch(r"(\d{4})\.(\d\d)\.(\d\d)", s):                     # year first
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    else:
        assert re.fullmatch(r"[a-z0-9]+(,? [a-z0-9]+)*", s), f"{s!r}: not words and numbers with single spaces"
        words = s.replace(",", "").split()
        if words[0] == "the":                                                  # the 9th of may 2018
            assert len(words) == 5 and words[2] == "of", s
            words = words[1:2] + words[3:]
        if words[0][:3] in [w[:3] for w in WEEKDAYS]:                      # no month name starts alike
            name = words.pop(0)
            weekday = [w[:3] for w in WEEKDAYS].index(name[:3])
            assert name in (WEEKDAYS[weekday], WEEKDAYS[weekday][:3]), f"{s!r}: weekday {name!r}"
        months = [w for w in words if w.isalpha()]
        numbers = [w for w in words if not w.isalpha()]
        assert len(months) == 1 and len(numbers) == 2, f"{s!r}: not one month name and two numbers"
        month = [m[:3] for m in MONTHS].index(months[0][:3]) + 1
        assert months[0] in (MONTHS[month - 1], MONTHS[month - 1][:3]), f"{s!r}: month {months[0]!r}"
        m = re.fullmatch(r"(\d{1,2})(st|nd|rd|th)?", numbers[0])
        assert m, f"{s!r}: the day {numbers[0]!r}"
        day = int(m[1])
        if m[2]:
            assert m[2] == SUFFIX.get(day, "th"), f"{s!r}: wrong ordinal {numbers[0]!r}"
        assert re.fullmatch(r"\d\d|\d{4}", numbers[1]), f"{s!r}: the year {numbers[1]!r}"
        year = _year(numbers[1])
    d = datetime.date(year, month, day)
    if weekday is not None:
        assert d.weekday() == weekday, f"{s!r}: {d} is a {WEEKDAYS[d.weekday()]}"
    return d


def near_new_year(years):
    """December 24 to January 8 around every New Year's Day of ``years``."""
    return [datetime.date(y, 1, 1) + datetime.timedelta(k) for y in years for k in range(-8, 8)]


def test_the_parser_reads_what_it_should_and_refuses_the_rest():
    assert parse_human("saturday may 9 2015") == datetime.date(2015, 5, 9)
    assert parse_human("9.5.18") == parse_human("5/9/18") == parse_human("may 9th, 2018") == datetime.date(2018, 5, 9)
    assert parse_human("31 dec, 99") == datetime.date(1999, 12, 31)
    for bad in ("wednesday may 9 2015", "may 9st 2018", "9 may  2018", "13/1/18", "may 9 2018 ", "9th maybe 2018"):
        with pytest.raises((AssertionError, ValueError)):
            parse_human(bad)


# ------------------------------------------------------------------ formats

def test_every_format_round_trips_near_new_year():
    """Every format, every day from December 24 to January 8, every year: the parser reads back the date."""
    for fmt in FORMATS + OOD_FORMATS:
        for d in near_new_year(range(1951, 2050)):
            human = human_date(d, fmt)
            assert len(human) <= Tx and human == human.lower(), (fmt, human)
            assert parse_human(human) == d, f"{fmt!r} writes {d} as {human!r}, which reads as {parse_human(human)}"
    four_digit = [f for f in FORMATS if dates.year_digits(f) == 4]
    assert len(four_digit) == 16
    for fmt in four_digit:
        for d in near_new_year([1901, 1925, 1949, 1950, 2050, 2075, 2099]):
            assert parse_human(human_date(d, fmt)) == d, (fmt, d)


def test_week_based_year_Y_is_wrong_near_new_year_and_refused():
    """babel's Y is the week-based year: the last days of December belong to the next year. Hence y."""
    d = datetime.date(2018, 12, 30)
    assert format_date(d, "YYYY", locale="en_US") == "2019"                 # week 1 of 2019 starts on Dec 30
    assert format_date(d, "y", locale="en_US") == "2018"
    first, last = datetime.date(1950, 1, 1).toordinal(), datetime.date(2049, 12, 31).toordinal()
    days = map(datetime.date.fromordinal, range(first, last + 1))
    wrong = [d for d in days if format_date(d, "YYYY", locale="en_US") != format_date(d, "y", locale="en_US")]
    assert len(wrong) == 301 and all(d.month == 12 and d.day >= 26 for d in wrong)   # the README's numbers
    # the reference's pattern mislabels such dates: the string reads as another date than its label
    assert parse_human(format_date(datetime.date(1999, 12, 31), "MMM d, YYY", locale="en_US").lower()) \
        == datetime.date(2000, 12, 31)
    for fmt in FORMATS + OOD_FORMATS:
        assert "Y" not in dates._fields(fmt), fmt
    with pytest.raises(ValueError, match="week-based year"):
        human_date(d, "MMM d, YYYY")


def test_ordinals_and_formats_are_as_documented():
    assert [dates.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 24, 30, 31)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "24th", "30th", "31st"]
    assert 15 <= len(FORMATS) <= 20 and 2 <= len(OOD_FORMATS) <= 4
    assert not set(FORMATS) & set(OOD_FORMATS)
    assert [dates.expand_year(yy) for yy in range(100)] == [_year(f"{yy:02d}") for yy in range(100)]
    may9 = datetime.date(2018, 5, 9)
    assert human_date(may9, "EEEE MMMM d y") == "wednesday may 9 2018"
    assert human_date(may9, "d.M.yy") == "9.5.18"
    assert human_date(may9, "MMMM {do}, y") == "may 9th, 2018"
    readme = data_path("dates", "README.md").read_text(encoding="utf-8")
    assert data_script("dates").formats_table() in readme, "README's format table is stale: paste prepare.py's"


def test_doctests_of_the_module():
    import doctest
    assert doctest.testmod(dates).failed == 0


def test_generate_pairs_is_deterministic_and_respects_its_arguments():
    pairs = generate_pairs(300, seed=7)
    assert pairs == generate_pairs(300, seed=7) and pairs[:50] == generate_pairs(50, seed=7)
    assert pairs != generate_pairs(300, seed=8)
    assert all(parse_human(h) == datetime.date.fromisoformat(iso) for h, iso in pairs)
    assert {iso[:4] for _, iso in generate_pairs(50, 0, years=(1950, 1950))} == {"1950"}
    few = generate_pairs(200, seed=1, formats=("dd.MM.y",), years=(2060, 2061))
    assert all(re.fullmatch(r"\d\d\.\d\d\.206[01]", h) for h, _ in few)


# ------------------------------------------------------------------ the shipped splits

@pytest.fixture(scope="module")
def splits():
    return {split: load_dates(split) for split in SPLITS}


def test_shipped_files_equal_prepare_build(tmp_path):
    prepare = data_script("dates")
    files = prepare.build_files()
    assert sorted(files) == sorted([f"{s}.tsv" for s in SPLITS] + ["vocab.json"])
    for name, text in files.items():
        assert data_path("dates", name).read_text(encoding="utf-8") == text, \
            f"data/dates/{name} differs from prepare.py's build: run python data/dates/prepare.py"
    assert sum(data_path("dates", n).stat().st_size for n in files) < 1_500_000
    # --check: 0 on the shipped files, 1 naming the file on a changed copy
    for name in files:
        shutil.copy(data_path("dates", name), tmp_path / name)
    with redirect_stdout(StringIO()):
        assert prepare.main(["--check", "--folder", str(tmp_path)]) == 0
    lines = (tmp_path / "dev.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = "may 1, 2018\t2018-05-01\n"
    (tmp_path / "dev.tsv").write_text("".join(lines), encoding="utf-8")
    out = StringIO()
    with redirect_stdout(out):
        assert prepare.main(["--check", "--folder", str(tmp_path)]) == 1
    assert "dev.tsv" in out.getvalue() and "line 4" in out.getvalue() and "prepare.py" in out.getvalue()


def test_every_shipped_pair_round_trips(splits):
    for split, pairs in splits.items():
        for human, iso in pairs:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", iso) and len(iso) == Ty
            assert len(human) <= Tx and human == human.lower().strip()
            assert parse_human(human).isoformat() == iso, f"{split}: {human!r} is labelled {iso}"
    readme = " ".join(data_path("dates", "README.md").read_text(encoding="utf-8").split())   # lines joined
    longest = max(len(h) for pairs in splits.values() for h, _ in pairs)
    assert f"at most {longest} characters" in readme
    assert f"train has {len({iso for _, iso in splits['train']}):,} different dates" in readme


def test_splits_are_sized_and_disjoint(splits):
    assert dates.SPLIT_SIZES == SIZES
    assert {s: len(p) for s, p in splits.items()} == SIZES
    seen_humans, seen_dates = {}, {}
    for split, pairs in splits.items():
        humans = [h for h, _ in pairs]
        assert len(set(humans)) == len(humans), f"{split} repeats a human string"
        for h in set(humans):
            assert h not in seen_humans, f"{h!r} is in {seen_humans[h]} and {split}"
            seen_humans[h] = split
        for iso in {iso for _, iso in pairs}:
            assert iso not in seen_dates, f"{iso} is in {seen_dates[iso]} and {split}"
            seen_dates[iso] = split


def _formats_of(pair, formats):
    d = datetime.date.fromisoformat(pair[1])
    return {f for f in formats if human_date(d, f) == pair[0]}


def test_train_dev_test_use_the_training_formats_and_years(splits):
    for split in ("train", "dev", "test"):
        used = Counter()
        for pair in splits[split]:
            found = _formats_of(pair, FORMATS)
            assert found, f"{split}: {pair} is in none of the training formats"
            assert not _formats_of(pair, OOD_FORMATS), f"{split}: {pair} is in an out-of-distribution format"
            assert 1950 <= int(pair[1][:4]) <= 2049, f"{split}: {pair} outside 1950-2049"
            used.update(found)
        if split == "train":
            assert set(used) == set(FORMATS) and min(used.values()) > 500


def test_ood_splits_use_what_train_never_has(splits):
    train_years = {int(iso[:4]) for _, iso in splits["train"]}
    assert train_years == set(range(1950, 2050))
    used = Counter()
    for pair in splits["test_ood_format"]:
        assert not _formats_of(pair, FORMATS), f"{pair} is also written in a training format"
        found = _formats_of(pair, OOD_FORMATS)
        assert found, f"{pair} is in no out-of-distribution format"
        used.update(found)
    assert set(used) == set(OOD_FORMATS) and min(used.values()) > 100
    years = [int(iso[:4]) for _, iso in splits["test_ood_year"]]
    assert not set(years) & train_years
    assert sum(1900 <= y <= 1949 for y in years) == sum(2050 <= y <= 2099 for y in years) == 250
    assert all((y < 1950) != (y2 < 1950) for y, y2 in zip(years[::2], years[1::2]))   # interleaved
    for pair in splits["test_ood_year"]:
        found = _formats_of(pair, FORMATS)
        assert found and all(dates.year_digits(f) == 4 for f in found), pair
        assert re.search(r"\b" + pair[1][:4] + r"\b", pair[0]), f"{pair}: the year is not written in full"


# ------------------------------------------------------------------ vocabularies and arrays

def test_vocabularies_are_sorted_with_unk_and_pad_last(splits):
    human_vocab, machine_vocab, inv_machine_vocab = load_vocabularies()
    assert (human_vocab, machine_vocab, inv_machine_vocab) == build_vocabularies(splits["train"])
    assert list(human_vocab) == list(HUMAN_CHARS) + [UNK, PAD] and len(human_vocab) == 38
    assert list(human_vocab.values()) == list(range(38))
    assert human_vocab[UNK] == 36 and human_vocab[PAD] == 37
    assert sorted({c for h, _ in splits["train"] for c in h}) == list(HUMAN_CHARS)
    assert machine_vocab == {c: i for i, c in enumerate("-0123456789")}
    assert inv_machine_vocab == {i: c for c, i in machine_vocab.items()}
    # every character of the held-out splits is known: the OOD formats differ in layout, not in characters
    assert {c for s in SPLITS for h, _ in splits[s] for c in h} <= set(HUMAN_CHARS)
    readme = data_path("dates", "README.md").read_text(encoding="utf-8")
    assert f"'{HUMAN_CHARS}'" in readme and "(38 entries)" in readme


def test_string_to_int_maps_unknown_to_the_unk_index_truncates_and_pads():
    human_vocab, machine_vocab, inv_machine_vocab = load_vocabularies()
    ints = string_to_int("May 9k, 2018", 15, human_vocab)
    assert len(ints) == 15 and all(type(i) is int for i in ints)
    assert ints[:3] == [human_vocab[c] for c in "may"]                  # lower-cased
    assert ints[5] == human_vocab[UNK] == 36                            # "k": the index of <unk>, not the string
    assert ints[6] == human_vocab[","]                                  # commas are kept
    assert ints[12:] == [human_vocab[PAD]] * 3
    assert string_to_int("wednesday, september 30, 2018 and more", Tx, human_vocab) == \
        string_to_int("wednesday, september 30, 2018 and more"[:Tx], Tx, human_vocab)
    assert len(string_to_int("x" * 50, Tx, human_vocab)) == Tx
    assert int_to_string(string_to_int("2018-05-09", Ty, machine_vocab), inv_machine_vocab) == list("2018-05-09")
    inv_human = {i: c for c, i in human_vocab.items()}
    assert int_to_string(string_to_int("9 Mayq", 8, human_vocab), inv_human) == \
        ["9", " ", "m", "a", "y", UNK, PAD, PAD]
    with pytest.raises(ValueError, match="no '<unk>'"):
        string_to_int("2018/05/09", Ty, machine_vocab)


def test_preprocess_data_shapes_dtypes_and_one_hot_rows(splits):
    human_vocab, machine_vocab, inv_machine_vocab = load_vocabularies()
    dataset = splits["dev"][:50] + [("Tuesday, 1st of Nov 2016 (a week ago), by the way", "2016-11-01")]
    X, Y, Xoh, Yoh = preprocess_data(dataset, human_vocab, machine_vocab, Tx, Ty)
    m = len(dataset)
    assert X.shape == (m, Tx) and Y.shape == (m, Ty) and X.dtype.kind == Y.dtype.kind == "i"
    assert Xoh.shape == (m, Tx, 38) and Yoh.shape == (m, Ty, 11)
    assert Xoh.dtype == Yoh.dtype == np.float32
    assert np.array_equal(Xoh.sum(-1), np.ones((m, Tx))) and np.array_equal(Yoh.sum(-1), np.ones((m, Ty)))
    assert np.array_equal(Xoh.argmax(-1), X) and np.array_equal(Yoh.argmax(-1), Y)
    assert X[0].tolist() == string_to_int(dataset[0][0], Tx, human_vocab)
    assert ["".join(int_to_string(y, inv_machine_vocab)) for y in Y] == [iso for _, iso in dataset]
    assert X[-1, -1] != human_vocab[PAD] and human_vocab[UNK] in X[-1]       # truncated; "(" unknown
    assert (X[0] == human_vocab[PAD]).sum() == Tx - len(dataset[0][0])


# ------------------------------------------------------------------ loaders' messages

@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of data/dates in a scratch data folder that the loaders use."""
    shutil.copytree(data_path("dates"), tmp_path / "dates")
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    return tmp_path / "dates"


def test_load_dates_names_a_missing_or_damaged_file_and_the_fix(data_copy):
    assert load_dates("dev") == load_dates("dev")
    (data_copy / "test.tsv").unlink()
    with pytest.raises(FileNotFoundError) as error:
        load_dates("test")
    assert str(data_copy / "test.tsv") in str(error.value) and "python data/dates/prepare.py" in str(error.value)
    dev = data_copy / "dev.tsv"
    good = dev.read_text(encoding="utf-8")
    for damage, words in [(lambda t: t.replace("\t", "\t\t", 1), "line 1 has 3"),
                          (lambda t: t[:-1], "no line end"),
                          (lambda t: "".join(t.splitlines(keepends=True)[:-5]), "995 pairs instead of 1000"),
                          (lambda t: t.replace("\t1", "\t31", 1), "not an ISO date"),
                          (lambda t: " " + t, "spaces"),
                          (lambda t: "", "empty")]:
        dev.write_text(damage(good), encoding="utf-8")
        with pytest.raises(ValueError) as error:
            load_dates("dev")
        assert str(dev) in str(error.value) and words in str(error.value), str(error.value)
        assert "python data/dates/prepare.py" in str(error.value)
    with pytest.raises(ValueError, match="test_ood_year"):
        load_dates("validation")


def test_load_vocabularies_names_a_missing_or_damaged_file(data_copy):
    vocab = data_copy / "vocab.json"
    vocab.write_text('{"human": ["b", "a", "<unk>", "<pad>"], "machine": ["-", "0"]}', encoding="utf-8")
    with pytest.raises(ValueError, match="sorted") as error:
        load_vocabularies()
    assert str(vocab) in str(error.value) and "prepare.py" in str(error.value)
    vocab.write_text("{not json", encoding="utf-8")
    with pytest.raises(ValueError, match="prepare.py"):
        load_vocabularies()
    vocab.unlink()
    with pytest.raises(FileNotFoundError, match="prepare.py"):
        load_vocabularies()

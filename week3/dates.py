"""Dates for w3a1 (Machine translation): human-readable dates, their ISO labels, the shipped splits, the vocabularies.

The model of w3a1 translates a date as people write it ("saturday may 9 2018", "9.5.18", "may 9th, 2018") into
its ISO form ("2018-05-09"): an input of at most ``Tx = 30`` characters, an output of exactly ``Ty = 10``.

**Generation.** `generate_pairs` draws dates with a seeded `faker` instance (a uniformly drawn day between
January 1 of the first year and December 31 of the last) and writes each one in a format drawn from ``formats``
with `babel` (``format_date(d, format=PATTERN, locale="en_US")``), lower-cased. A format is either one of babel's
named formats (``"short"``, ``"medium"``, ``"long"``, ``"full"``) or a babel pattern, in which ``{do}`` stands for
the day as an English ordinal ("1st", "22nd", "9th"; babel has no ordinals) and literal words are quoted
(``"'the' {do} 'of' MMMM y"``). Years are written with babel's *calendar* year ``y``/``yy``, never its week-based
year ``Y``, which gives the next year for the last days of December (`human_date` refuses a pattern with ``Y``).

**One reading per string.** The separator says the order: slashes are US month-first (``M/d/yy``), dots are
European day-first (``d.M.yy``); a month name leaves nothing to guess. A two-digit year is read with the pivot
``50-99 -> 19xx, 00-49 -> 20xx`` (`expand_year`), and the in-distribution dates are drawn from 1950-2049, where the
pivot is always right.

**Splits.** ``data/dates/`` ships five splits (`SPLITS`), built by ``data/dates/prepare.py`` (see its README):
``train``, ``dev`` and ``test`` in the in-distribution `FORMATS` and years; ``test_ood_format`` in `OOD_FORMATS`
(never used in training); ``test_ood_year`` in the four-digit-year formats of `FORMATS` with years 1900-1949 and
2050-2099 (never seen in training). No date, hence no human string, is in two splits. `load_dates` reads a split,
`load_vocabularies` the vocabularies; `string_to_int`, `int_to_string` and `preprocess_data` turn strings into
index arrays and one-hot arrays for the model.
"""
from __future__ import annotations

import datetime
import functools
import json
import re
from itertools import islice

import numpy as np

from checks.paths import data_path

Tx, Ty = 30, 10
PAD, UNK = "<pad>", "<unk>"
LOCALE = "en_US"
ORDINAL = "{do}"             # in a pattern: the day of the month as an English ordinal ("9th")
PIVOT = 50                   # a two-digit year yy means 19yy if yy >= PIVOT, else 20yy
YEARS = (1950, 2049)         # the in-distribution years: the pivot reads their two-digit forms right
OOD_YEARS = ((1900, 1949), (2050, 2099))

#: The in-distribution formats (babel's named formats and patterns; ``{do}`` is the ordinal day).
FORMATS = (
    "short",                 # M/d/yy          5/9/18
    "medium",                # MMM d, y        may 9, 2018
    "long",                  # MMMM d, y       may 9, 2018
    "full",                  # EEEE, MMMM d, y wednesday, may 9, 2018
    "M/d/y",                 # 5/9/2018
    "MM/dd/y",               # 05/09/2018
    "MM/dd/yy",              # 05/09/18
    "d.M.yy",                # 9.5.18
    "dd.MM.y",               # 09.05.2018
    "dd.MM.yy",              # 09.05.18
    "d MMM y",               # 9 may 2018
    "d MMMM y",              # 9 may 2018
    "MMM d y",               # may 9 2018
    "MMMM d y",              # may 9 2018
    "EEE d MMM y",           # wed 9 may 2018
    "EEEE d MMMM y",         # wednesday 9 may 2018
    "EEEE MMMM d y",         # wednesday may 9 2018
    "MMMM {do}, y",          # may 9th, 2018
    "{do} MMMM y",           # 9th may 2018
    "MMM {do} y",            # may 9th 2018
)
#: Formats never used in training, from the same characters: the out-of-distribution test of formats.
OOD_FORMATS = (
    "'the' {do} 'of' MMMM y",  # the 9th of may 2018
    "y.MM.dd",                 # 2018.05.09
    "d MMM, yy",               # 9 may, 18
)
SPLITS = ("train", "dev", "test", "test_ood_format", "test_ood_year")
SPLIT_SIZES = {"train": 20_000, "dev": 1_000, "test": 1_000, "test_ood_format": 500, "test_ood_year": 500}
NAMED_FORMATS = ("short", "medium", "long", "full")
DATA_FOLDER = "dates"
VOCAB_FILE = "vocab.json"
REBUILD = "python data/dates/prepare.py"
ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_QUOTED = re.compile(r"'[^']*'")


# ------------------------------------------------------------------ writing dates

@functools.cache
def _locale():
    from babel import Locale
    return Locale.parse(LOCALE)


def pattern_of(fmt: str) -> str:
    """The babel pattern of ``fmt``: a named format ("short" ...) resolved for en_US, a pattern as it is."""
    if fmt in NAMED_FORMATS:
        from babel.dates import get_date_format
        return get_date_format(fmt, locale=_locale()).pattern
    return fmt


def _fields(fmt: str) -> str:
    """The pattern letters of ``fmt`` (quoted literals and the ordinal removed)."""
    return _QUOTED.sub("", pattern_of(fmt).replace(ORDINAL, ""))


def year_digits(fmt: str) -> int:
    """How many digits the year of ``fmt`` has: 2 (``yy``) or 4 (``y``, from 1000 to 9999)."""
    run = max(re.findall(r"y+", _fields(fmt)), key=len, default="")
    if not run:
        raise ValueError(f"format {fmt!r} has no year (babel's calendar year is written y or yy)")
    return 2 if len(run) == 2 else 4


def ordinal(n: int) -> str:
    """The English ordinal of ``n``: 1st 2nd 3rd 4th ... 11th 12th 13th ... 21st 22nd 23rd ... 31st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def expand_year(yy: int) -> int:
    """The year a two-digit year stands for, by the pivot: 50-99 -> 1950-1999, 00-49 -> 2000-2049."""
    return 1900 + yy if yy >= PIVOT else 2000 + yy


def human_date(d: datetime.date, fmt) -> str:
    """The lower-cased human string of ``d`` in format ``fmt`` (a named babel format or a pattern, see above).

    >>> human_date(datetime.date(2018, 5, 9), "EEEE MMMM d y")
    'wednesday may 9 2018'
    >>> human_date(datetime.date(2018, 5, 9), "MMMM {do}, y")
    'may 9th, 2018'
    """
    from babel.dates import format_date

    if not isinstance(fmt, str):
        raise TypeError(f"a format is a string (a babel pattern or one of {NAMED_FORMATS}), not {fmt!r}")
    if "Y" in _fields(fmt):
        raise ValueError(f"format {fmt!r} uses babel's week-based year Y, which gives the next year for the last "
                         "days of December (2018-12-30 is week 1 of 2019); write the calendar year y or yy")
    if fmt in NAMED_FORMATS:
        text = format_date(d, format=fmt, locale=_locale())
    else:
        parts = fmt.split(ORDINAL)
        text = ordinal(d.day).join(format_date(d, format=p, locale=_locale()) if p else "" for p in parts)
    return text.lower()


# ------------------------------------------------------------------ drawing pairs

def iter_pairs(seed: int, formats=FORMATS, years=YEARS):
    """An endless, deterministic stream of (human, iso) pairs: the stream `generate_pairs` takes its first n from.

    Each pair draws a day uniformly from January 1 of ``years[0]`` to December 31 of ``years[1]``, then a format
    uniformly from ``formats``, both with ``Faker("en_US")`` seeded by ``seed``. (The day is drawn as a day number,
    not with faker's ``date_between``, which goes through timestamps in the local time zone.)
    """
    from faker import Faker

    formats = tuple(formats)
    if not formats:
        raise ValueError("formats is empty: give at least one format, e.g. week3.dates.FORMATS")
    first, last = datetime.date(years[0], 1, 1).toordinal(), datetime.date(years[1], 12, 31).toordinal()
    if first > last:
        raise ValueError(f"years={years!r}: the first year must not be after the last")
    fake = Faker(LOCALE)
    fake.seed_instance(seed)
    while True:
        d = datetime.date.fromordinal(fake.random_int(first, last))
        fmt = formats[fake.random_int(0, len(formats) - 1)]
        yield human_date(d, fmt), d.isoformat()


def generate_pairs(n, seed, formats=FORMATS, years=YEARS) -> list[tuple[str, str]]:
    """``n`` (human, "yyyy-mm-dd") pairs, the same for the same arguments (see `iter_pairs`); may repeat pairs.

    >>> generate_pairs(2, seed=0)
    [('february 15 2019', '2019-02-15'), ('07.04.1957', '1957-04-07')]
    """
    return list(islice(iter_pairs(seed, formats, years), int(n)))


# ------------------------------------------------------------------ the shipped splits

def _problem(path, what: str, cause: str = "damaged") -> ValueError:
    return ValueError(f"Date split {path} is {cause}: {what}. Restore it from the repository "
                      f"(git checkout -- data/dates) or rebuild the splits with `{REBUILD}`.")


def load_dates(split) -> list[tuple[str, str]]:
    """The shipped split ``split`` (one of `SPLITS`): a list of (human, iso) pairs in the file's order.

    The file is ``data/dates/<split>.tsv``: UTF-8, one ``human<TAB>yyyy-mm-dd`` pair per line, no header. A missing
    or damaged file raises an error that names it and says how to restore or rebuild it.
    """
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: the date splits are {', '.join(SPLITS)}")
    path = data_path(DATA_FOLDER, f"{split}.tsv", must_exist=False)
    if not path.is_file():
        raise FileNotFoundError(f"Date split not found: {path}. Restore it from the repository "
                                f"(git checkout -- data/dates) or rebuild the splits with `{REBUILD}`.")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise _problem(path, f"it is not UTF-8 text ({error})") from None
    if not text.endswith("\n"):
        raise _problem(path, "it is empty or its last line has no line end (truncated?)")
    pairs = []
    for number, line in enumerate(text[:-1].split("\n"), start=1):
        fields = line.split("\t")
        if len(fields) != 2:
            raise _problem(path, f"line {number} has {len(fields)} tab-separated fields instead of 2 "
                                 f"(human<TAB>yyyy-mm-dd): {line[:60]!r}")
        human, iso = fields
        if not human or human != human.strip() or human != human.lower():
            raise _problem(path, f"line {number}: the human date {human!r} is empty, has spaces at an end or "
                                 "capitals")
        try:
            if not ISO.fullmatch(iso):
                raise ValueError
            datetime.date.fromisoformat(iso)
        except ValueError:
            raise _problem(path, f"line {number}: {iso!r} is not an ISO date yyyy-mm-dd") from None
        pairs.append((human, iso))
    expected = SPLIT_SIZES[split]
    if len(pairs) != expected:
        raise _problem(path, f"it has {len(pairs)} pairs instead of {expected}", "incomplete or changed")
    return pairs


# ------------------------------------------------------------------ vocabularies

def build_vocabularies(train_pairs) -> tuple[dict, dict, dict]:
    """(human_vocab, machine_vocab, inv_machine_vocab) of a training set, laid out as the reference edition did.

    ``human_vocab``: every character of the human strings in `sorted` order, then ``"<unk>"``, then ``"<pad>"``
    (indices 0..n-1). ``machine_vocab``: the sorted characters of the ISO labels (``-`` and the ten digits).
    ``inv_machine_vocab``: index -> character.
    """
    human_chars = sorted({c for human, _ in train_pairs for c in human})
    machine_chars = sorted({c for _, iso in train_pairs for c in iso})
    human_vocab = {c: i for i, c in enumerate(human_chars + [UNK, PAD])}
    machine_vocab = {c: i for i, c in enumerate(machine_chars)}
    return human_vocab, machine_vocab, dict(enumerate(machine_chars))


def load_vocabularies() -> tuple[dict, dict, dict]:
    """(human_vocab, machine_vocab, inv_machine_vocab) from the shipped ``data/dates/vocab.json``.

    The file holds the two vocabularies as lists in index order: ``{"human": [...], "machine": [...]}``.
    """
    path = data_path(DATA_FOLDER, VOCAB_FILE, must_exist=False)
    if not path.is_file():
        raise FileNotFoundError(f"Date vocabularies not found: {path}. Restore the file from the repository "
                                f"(git checkout -- data/dates) or rebuild it with `{REBUILD}`.")

    def damaged(what):
        return ValueError(f"Date vocabularies {path} are damaged: {what}. Restore the file from the repository "
                          f"(git checkout -- data/dates) or rebuild it with `{REBUILD}`.")

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        human, machine = list(raw["human"]), list(raw["machine"])
    except (ValueError, KeyError, TypeError) as error:
        raise damaged(f"not a vocabulary file ({type(error).__name__}: {error})") from None
    chars = human[:-2]
    if human[-2:] != [UNK, PAD] or chars != sorted(set(chars)) or any(len(c) != 1 for c in chars):
        raise damaged(f"the human vocabulary must be sorted single characters then {UNK!r}, {PAD!r}")
    if machine != sorted(set("-0123456789")):
        raise damaged("the machine vocabulary must be '-' and the ten digits, sorted")
    return ({c: i for i, c in enumerate(human)}, {c: i for i, c in enumerate(machine)}, dict(enumerate(machine)))


# ------------------------------------------------------------------ strings <-> indices

def string_to_int(string, length, vocab) -> list[int]:
    """The indices of ``string``'s characters in ``vocab``, exactly ``length`` of them.

    The string is lower-cased and cut to ``length`` characters; a character that is not in ``vocab`` becomes the
    index of ``"<unk>"`` (the index, not the string); a shorter string is padded with the index of ``"<pad>"``.

    >>> string_to_int("May 9", 7, {" ": 0, "9": 1, "a": 2, "m": 3, "y": 4, "<unk>": 5, "<pad>": 6})
    [3, 2, 4, 0, 1, 6, 6]
    """
    string = str(string).lower()[:length]
    ints = []
    for char in string:
        if char in vocab:
            ints.append(vocab[char])
        elif UNK in vocab:
            ints.append(vocab[UNK])
        else:
            raise ValueError(f"character {char!r} of {string!r} is not in the vocabulary, which has no {UNK!r} "
                             "entry to stand for it")
    if len(ints) < length:
        if PAD not in vocab:
            raise ValueError(f"{string!r} is shorter than {length} characters and the vocabulary has no {PAD!r} "
                             "entry to pad it with")
        ints += [vocab[PAD]] * (length - len(ints))
    return ints


def int_to_string(ints, inv_vocab) -> list[str]:
    """The characters (or ``"<pad>"``/``"<unk>"``) of the indices ``ints``: ``[inv_vocab[i] for i in ints]``."""
    return [inv_vocab[int(i)] for i in ints]


def preprocess_data(dataset, human_vocab, machine_vocab, Tx, Ty):
    """Index and one-hot arrays of a list of (human, iso) pairs ``dataset`` (m pairs).

    Returns ``(X, Y, Xoh, Yoh)``: ``X`` (m, Tx) int64 indices of the human strings (see `string_to_int`), ``Y``
    (m, Ty) int64 indices of the labels, ``Xoh`` (m, Tx, len(human_vocab)) and ``Yoh`` (m, Ty, len(machine_vocab))
    float32 one-hot rows of ``X`` and ``Y``.
    """
    dataset = list(dataset)
    X = np.array([string_to_int(human, Tx, human_vocab) for human, _ in dataset], dtype=np.int64).reshape(-1, Tx)
    Y = np.array([string_to_int(iso, Ty, machine_vocab) for _, iso in dataset], dtype=np.int64).reshape(-1, Ty)
    Xoh = np.eye(len(human_vocab), dtype=np.float32)[X]
    Yoh = np.eye(len(machine_vocab), dtype=np.float32)[Y]
    return X, Y, Xoh, Yoh

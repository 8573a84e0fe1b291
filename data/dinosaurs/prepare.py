"""Validate (and, with --write, normalise) a names list for the character-level language model.

    python data/dinosaurs/prepare.py                     # check data/dinosaurs/dinos.txt, print its counts
    python data/dinosaurs/prepare.py --write             # also rewrite it: trimmed, Capitalised, de-duplicated, sorted
    python data/dinosaurs/prepare.py my_names.txt --write

A valid list has one name per line, letters a-z only (any case), no blank lines and no duplicates
(ignoring case). The notebook's loader (`week1.char_lm.load_names`) lower-cases the names and adds the
newline that ends each one, so the vocabulary is the newline plus the letters that occur: 27 characters
when every letter a-z occurs.
"""
from __future__ import annotations

import argparse
import string
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LETTERS = set(string.ascii_lowercase)


def problems_and_names(path: Path) -> tuple[list[str], list[str]]:
    """(list of problems, each naming its line; the normalised, sorted, de-duplicated names)."""
    problems, seen = [], {}
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        name = line.strip()
        if line != name:
            problems.append(f"line {number}: {line!r} has spaces or tabs around the name")
        if not name:
            problems.append(f"line {number}: blank line")
            continue
        bad = sorted({ch for ch in name.lower() if ch not in LETTERS})
        if bad:
            problems.append(f"line {number}: {name!r} contains {', '.join(map(repr, bad))} (letters a-z only)")
            continue
        key = name.lower()
        if key in seen:
            problems.append(f"line {number}: {name!r} repeats line {seen[key]}")
            continue
        seen[key] = number
    names = sorted(key.capitalize() for key in seen)
    return problems, names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", default=HERE / "dinos.txt", type=Path)
    parser.add_argument("--write", action="store_true", help="rewrite the file normalised")
    args = parser.parse_args(argv)
    problems, names = problems_and_names(args.path)
    text = "".join(name + "\n" for name in names)
    letters = sorted(set(text.lower()) - {"\n"})
    print(f"{args.path}: {len(names)} names, {len(text)} characters (newlines included), "
          f"vocabulary {len(letters) + 1} (newline + {''.join(letters)})")
    if args.write:
        args.path.write_text(text, encoding="utf-8")
        print(f"rewrote {args.path} ({len(problems)} problems fixed)")
        return 0
    if args.path.read_text(encoding="utf-8", errors="replace") != text and not problems:
        problems.append("the names are not sorted, or not Capitalised, or the file lacks its final newline")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

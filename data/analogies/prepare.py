"""Write questions.txt, the project's analogy questions, from the word pairs below, and validate them.

    python data/analogies/prepare.py            # rewrite questions.txt (deterministic) and validate it
    python data/analogies/prepare.py --check    # only validate the committed file

Each relation type is a list of (x, y) word pairs written by the project.  Question i of a type pairs
its i-th pair with the next one (the last with the first): "x_i is to y_i as x_j is to ?" with answer
y_j.  Every word must be among the VOCAB_SIZE most frequent GloVe 6B words, the candidate vocabulary
that the notebook's evaluation searches, so each question can be answered.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
QUESTIONS = HERE / "questions.txt"
VOCAB_SIZE = 20_000  # keep equal to week2.word_vectors.ANALOGY_VOCAB_SIZE

PAIRS: dict[str, list[tuple[str, str]]] = {
    "capital-country": [
        ("athens", "greece"), ("paris", "france"), ("berlin", "germany"), ("madrid", "spain"),
        ("rome", "italy"), ("tokyo", "japan"), ("beijing", "china"), ("moscow", "russia"),
        ("ottawa", "canada"), ("cairo", "egypt"), ("lisbon", "portugal"), ("dublin", "ireland"),
        ("oslo", "norway"), ("stockholm", "sweden"), ("helsinki", "finland"), ("vienna", "austria"),
        ("warsaw", "poland"), ("bangkok", "thailand"), ("nairobi", "kenya"), ("havana", "cuba"),
        ("tehran", "iran"), ("baghdad", "iraq"), ("kabul", "afghanistan"), ("hanoi", "vietnam"),
        ("canberra", "australia"), ("budapest", "hungary"), ("ankara", "turkey"), ("damascus", "syria"),
    ],
    "country-nationality": [
        ("france", "french"), ("germany", "german"), ("italy", "italian"), ("spain", "spanish"),
        ("china", "chinese"), ("japan", "japanese"), ("russia", "russian"), ("india", "indian"),
        ("brazil", "brazilian"), ("mexico", "mexican"), ("canada", "canadian"), ("egypt", "egyptian"),
        ("greece", "greek"), ("poland", "polish"), ("sweden", "swedish"), ("norway", "norwegian"),
        ("ireland", "irish"), ("portugal", "portuguese"), ("korea", "korean"), ("turkey", "turkish"),
        ("israel", "israeli"), ("australia", "australian"), ("denmark", "danish"), ("netherlands", "dutch"),
    ],
    "male-female": [
        ("man", "woman"), ("boy", "girl"), ("king", "queen"), ("father", "mother"), ("son", "daughter"),
        ("brother", "sister"), ("husband", "wife"), ("uncle", "aunt"), ("nephew", "niece"),
        ("prince", "princess"), ("he", "she"), ("his", "her"), ("actor", "actress"),
        ("grandfather", "grandmother"), ("mr", "mrs"), ("men", "women"), ("boys", "girls"),
        ("groom", "bride"), ("emperor", "empress"), ("duke", "duchess"),
    ],
    "adjective-comparative": [
        ("small", "smaller"), ("large", "larger"), ("big", "bigger"), ("good", "better"), ("bad", "worse"),
        ("fast", "faster"), ("slow", "slower"), ("strong", "stronger"), ("weak", "weaker"), ("old", "older"),
        ("young", "younger"), ("high", "higher"), ("low", "lower"), ("long", "longer"), ("short", "shorter"),
        ("cheap", "cheaper"), ("easy", "easier"), ("hard", "harder"), ("warm", "warmer"), ("deep", "deeper"),
    ],
    "adjective-superlative": [
        ("small", "smallest"), ("large", "largest"), ("big", "biggest"), ("good", "best"), ("bad", "worst"),
        ("fast", "fastest"), ("strong", "strongest"), ("old", "oldest"), ("young", "youngest"),
        ("high", "highest"), ("low", "lowest"), ("long", "longest"), ("great", "greatest"),
        ("rich", "richest"), ("poor", "poorest"), ("close", "closest"), ("tall", "tallest"),
        ("busy", "busiest"), ("early", "earliest"), ("late", "latest"),
    ],
    "noun-plural": [
        ("car", "cars"), ("dog", "dogs"), ("house", "houses"), ("city", "cities"), ("child", "children"),
        ("book", "books"), ("tree", "trees"), ("bird", "birds"), ("horse", "horses"), ("window", "windows"),
        ("computer", "computers"), ("river", "rivers"), ("country", "countries"), ("family", "families"),
        ("school", "schools"), ("church", "churches"), ("box", "boxes"), ("mouse", "mice"),
        ("foot", "feet"), ("woman", "women"),
    ],
    "verb-past-tense": [
        ("go", "went"), ("see", "saw"), ("take", "took"), ("run", "ran"), ("eat", "ate"), ("write", "wrote"),
        ("speak", "spoke"), ("give", "gave"), ("know", "knew"), ("fly", "flew"), ("sing", "sang"),
        ("play", "played"), ("say", "said"), ("find", "found"), ("think", "thought"), ("buy", "bought"),
        ("sell", "sold"), ("pay", "paid"), ("build", "built"), ("fall", "fell"),
    ],
}


def questions() -> list[tuple[str, str, str, str, str]]:
    """(relation, a, b, c, d) for every question, in file order."""
    out = []
    for relation, pairs in PAIRS.items():
        for i, (a, b) in enumerate(pairs):
            c, d = pairs[(i + 1) % len(pairs)]
            out.append((relation, a, b, c, d))
    return out


def render() -> str:
    """The file in the format of word2vec's questions-words.txt: ': relation' headers, then 'a b c d' lines."""
    lines, current = [], None
    for relation, a, b, c, d in questions():
        if relation != current:
            lines.append(f": {relation}")
            current = relation
        lines.append(f"{a} {b} {c} {d}")
    return "\n".join(lines) + "\n"


def validate(text: str) -> list[str]:
    """Problems with the file's text (empty when it is valid): format, duplicates, vocabulary."""
    from week2.glove import load_glove  # the course package (installed by `make setup`)

    vocab = load_glove()[3].most_frequent(VOCAB_SIZE)
    problems, seen, relation = [], set(), None
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(": "):
            relation = line[2:]
            continue
        fields = line.split()
        if relation is None or len(fields) != 4 or line != line.strip().lower():
            problems.append(f"line {n}: expected four lower-case words under a ': relation' header: {line!r}")
        if tuple(fields) in seen:
            problems.append(f"line {n}: duplicate question {line!r}")
        seen.add(tuple(fields))
        problems += [f"line {n}: {w!r} is not among the {VOCAB_SIZE:,} most frequent GloVe words"
                     for w in fields if w not in vocab]
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="validate questions.txt without rewriting it")
    args = parser.parse_args()
    text = QUESTIONS.read_text() if args.check else render()
    problems = validate(text)
    if problems:
        sys.exit("\n".join(problems))
    if not args.check:
        QUESTIONS.write_text(text)
    counts, relation = {}, None
    for line in text.splitlines():
        if line.startswith(": "):
            relation = line[2:]
        else:
            counts[relation] = counts.get(relation, 0) + 1
    for relation, count in counts.items():
        print(f"{relation:<24} {count:>4}")
    print(f"{'total':<24} {sum(counts.values()):>4}   ({QUESTIONS.name} {'valid' if args.check else 'written'})")


if __name__ == "__main__":
    main()

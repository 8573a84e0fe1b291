"""A tiny corpus whose answers are known by construction, for w2a3 (word2vec).

Sentences are made from templates with one slot. Each template belongs to one *group* of slot words, and every
word of a group fills every template of its group equally often, so the words of a group occur in exactly the same
contexts: *king* and *queen* both rule the land and sit on the throne, *dog* and *cat* both chase the ball, *bread*
and *fruit* are both eaten at supper. A model that learns from contexts must end with the two words of a group as
each other's nearest neighbours (``PLANTED_PAIRS``).

Because every template is used a fixed number of times, every word's count is known before the corpus is made
(:func:`planted_counts`): the two words of a group tie (a vocabulary must break the tie by the word itself), and
a few words are rarer than ``RARE_MIN_COUNT``, so that a ``min_count`` of that size drops exactly ``RARE_WORDS``.
The seed only shuffles the order of the sentences; the counts never depend on it.

    tokens = planted_corpus()            # a flat list of lower-case tokens, like the real corpus
    counts = planted_counts()            # {word: count}, from the templates alone
"""
from __future__ import annotations

import numpy as np

#: {group: (its slot words, its templates)}; "{}" is the slot.
GROUPS = {
    "royals": (("king", "queen"), ("the {} rules the land", "a wise {} sits on the throne",
                                   "the people obey the {}")),
    "animals": (("dog", "cat"), ("the {} chases the ball", "a small {} sleeps by the fire",
                                 "the children feed the {}")),
    "food": (("bread", "fruit"), ("we eat {} at supper", "fresh {} is sold in the market",
                                  "she bakes {} for the feast")),
}

#: Sentences used only a few times: their words are rarer than RARE_MIN_COUNT.
RARE_SENTENCES = (("the old prophet spoke", 2), ("a stranger came at dawn", 3))

#: How often each (slot word, template) sentence is used by default.
REPEATS = 20

#: The words of each group, which share every context: each should end nearest to the other.
PLANTED_PAIRS = tuple(words for words, _ in GROUPS.values())

#: A min_count that keeps every template word and drops exactly RARE_WORDS.
RARE_MIN_COUNT = 4
RARE_WORDS = ("came", "dawn", "old", "prophet", "spoke", "stranger")

#: A sentence of the corpus and its skip-gram pairs (center, context) for a window of size 1 (every window size
#: drawn from 1..1 is 1): each word with its left and then its right neighbour, in the order of the positions.
KNOWN_SENTENCE = "the king rules the land"
KNOWN_PAIRS_WINDOW_1 = (("the", "king"), ("king", "the"), ("king", "rules"), ("rules", "king"), ("rules", "the"),
                        ("the", "rules"), ("the", "land"), ("land", "the"))


def planted_sentences(repeats: int = REPEATS) -> list[str]:
    """Every sentence of the corpus, in template order (before shuffling)."""
    sentences = []
    for words, templates in GROUPS.values():
        for template in templates:
            for word in words:
                sentences += [template.format(word)] * repeats
    for sentence, times in RARE_SENTENCES:
        sentences += [sentence] * times
    return sentences


def planted_corpus(repeats: int = REPEATS, seed: int = 0) -> list[str]:
    """The corpus as one flat list of tokens: the sentences of :func:`planted_sentences` in a seeded random order."""
    sentences = planted_sentences(repeats)
    order = np.random.default_rng(seed).permutation(len(sentences))
    return [token for i in order for token in sentences[i].split()]


def planted_counts(repeats: int = REPEATS) -> dict[str, int]:
    """{word: count} from the templates alone: each template's words times the number of times it is used."""
    counts: dict[str, int] = {}
    uses = [(template, len(words) * repeats, words) for words, templates in GROUPS.values() for template in templates]
    for template, times, words in uses:
        for token in template.split():
            if token == "{}":
                for word in words:
                    counts[word] = counts.get(word, 0) + repeats
            else:
                counts[token] = counts.get(token, 0) + times
    for sentence, times in RARE_SENTENCES:
        for token in sentence.split():
            counts[token] = counts.get(token, 0) + times
    return counts

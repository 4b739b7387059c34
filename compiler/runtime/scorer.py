"""A small linear model that scores a text, for rules with `when text scores P: MODEL`.

Ships unchanged inside every bundle (standard library only). `heed train` fits the weights on the
labelled corpus (compiler/train.py, with the same `features` as here) and the generated `models.py`
holds them. A text's features come in two blocks, each scaled by the square root of its size (but at
least FLOOR, so a text of three words cannot score high on one telling word) so a long text does not
win by length alone:
- words: each word of a sentence and each pair of neighbouring words;
- letters: each run of four letters of a word padded with a space either side (" sel", "selv", ...,
  "ord "), which carries a score over to inflections, compounds and misspellings the corpus never had.
The score is the logistic of bias + words . w / sqrt(n_words) + letters . w / sqrt(n_letters), a
probability from 0 to 1. The sums are per sentence, so the engine keeps them with the sentence and a
keystroke only adds up the sentence it changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import repeat

GRAM = 4  # letters per letter feature
# Smallest block sizes a text is scaled by, words and letters (about the features of a 10-word text):
# short texts ("hvor er de fra?") otherwise ride on one or two weights.
FLOOR = (10, 20)
_WORD_FLOOR, _LETTER_FLOOR = FLOOR


def block_scales(n_words: int, n_letters: int) -> tuple[float, float]:
    """What the word and letter blocks' weight sums are multiplied by: one over the square root of the
    block's size, counted as at least FLOOR (the trainer scales the features the same way)."""
    return 1 / math.sqrt(max(n_words, FLOOR[0])), 1 / math.sqrt(max(n_letters, FLOOR[1]))


def word_features(tokens: list[str]) -> list[str]:
    """The word block of one sentence's words: the words, then each pair of neighbours."""
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


def letter_features(token: str) -> list[str]:
    """The letter block of one word: its runs of GRAM letters, padded with a space either side (a word
    of fewer than GRAM - 1 letters is one feature)."""
    padded = f" {token} "
    if len(padded) <= GRAM:
        return [padded]
    return [padded[i: i + GRAM] for i in range(len(padded) - GRAM + 1)]


def features(encoded: str) -> tuple[list[str], list[str]]:
    """Both blocks of one encoded sentence (its words, lower-cased, each followed by a space)."""
    tokens = encoded.split()
    return word_features(tokens), [g for t in tokens for g in letter_features(t)]


def split_pairs(encoded: str) -> tuple[list[str], list[str]]:
    """The words of an encoded sentence and each pair of neighbours, as a word block counts them."""
    tokens = encoded.split()
    return tokens, list(map(" ".join, zip(tokens, tokens[1:])))


class Model:
    """Weights by feature (features the corpus never showed weigh nothing but still count in the size)."""

    __slots__ = ("name", "bias", "words", "letters", "_letter_sums", "_letter_counts", "_upper", "_pair_most")

    def __init__(self, name: str, bias: float, words: dict[str, float], letters: dict[str, float]):
        self.name = name
        self.bias = bias
        self.words = words
        self.letters = letters
        # per distinct word (words recur across comments): its letter features' weight sum and count
        self._letter_sums: dict[str, float] = {}
        self._letter_counts: dict[str, int] = {}
        # per distinct word: the most it and its pair with the next word can add to the word block (its
        # weight and the largest positive weight of a pair it begins, see upper_sums), and per word that
        # largest pair weight (worked out on first use)
        self._upper: dict[str, float] = {}
        self._pair_most: dict[str, float] | None = None

    @classmethod
    def from_tables(cls, name: str, bias: float, words: str, letters: str) -> Model:
        """A model from weight tables written one "feature<TAB>weight" per line (the generated models.py:
        a string is compiled many times faster than a dict display of tens of thousands of entries)."""
        return cls(name, bias, _table(words), _table(letters))

    def _learn(self, tokens: list[str]) -> None:
        """Fill the per-word memos for the words of `tokens` not in them yet."""
        new = set(tokens).difference(self._upper)
        if not new:
            return
        if len(self._upper) + len(new) > 50_000:  # dropped all at once; the sentence's words are needed
            self._letter_sums.clear()
            self._letter_counts.clear()
            self._upper.clear()
            new = set(tokens)
        get = self.letters.get
        self.prepare()
        word, pair_most = self.words.get, self._pair_most.get
        for tok in new:
            grams = letter_features(tok)
            self._letter_sums[tok] = sum(get(g, 0.0) for g in grams)
            self._letter_counts[tok] = len(grams)
            self._upper[tok] = word(tok, 0.0) + pair_most(tok, 0.0)

    def prepare(self) -> None:
        """Work out what the first scored sentence would otherwise wait for (Engine.warm calls it)."""
        if self._pair_most is None:
            most: dict[str, float] = {}
            for feature, weight in self.words.items():
                first, space, _ = feature.partition(" ")
                if space and weight > most.get(first, 0.0):
                    most[first] = weight
            self._pair_most = most

    def sentence_sums(self, encoded: str, split: tuple[list[str], list[str]] | None = None
                      ) -> tuple[float, int, float, int]:
        """(word weight sum, word count, letter weight sum, letter count) of one encoded sentence;
        `split`: its words and pairs of neighbours (split_pairs), when another model made them already."""
        tokens, pairs = split or split_pairs(encoded)
        self._learn(tokens)
        get = self.words.get
        # (map over dict.get runs the loops in C: this is paid once per new sentence of every call)
        word_sum = sum(map(get, tokens, repeat(0.0))) + sum(map(get, pairs, repeat(0.0)))
        return (word_sum, len(tokens) + len(pairs), *self._letter_block(tokens))

    def upper_sums(self, encoded: str, tokens: list[str] | None = None) -> tuple[float, int, float, int]:
        """sentence_sums, but with a word weight sum that the sentence's cannot exceed: each word's
        weight and the largest positive weight of any pair it begins (the last word begins none), read
        per distinct word (no pairs built). Counts and letter block are the sentence's own, so
        probability() of these is at least the text's score, and a text whose bound
        stays under a threshold is known not to reach it (most texts: the corpus's clean comments score
        far below), for about half the work of scoring it. `tokens`: encoded.split(), when known."""
        if tokens is None:
            tokens = encoded.split()
        try:  # (a word not learnt yet gives None: rare once a few comments were read, so no set is built first)
            most = sum(map(self._upper.get, tokens))
        except TypeError:
            self._learn(tokens)
            most = sum(map(self._upper.get, tokens))
        n = len(tokens)
        if n:
            most -= self._pair_most.get(tokens[-1], 0.0)
        return (most, n + n - 1 if n else 0, *self._letter_block(tokens))

    def _letter_block(self, tokens: list[str]) -> tuple[float, int]:
        """(letter weight sum, letter count) of a sentence's words, from the per-word memos (_learn)."""
        # (.get rather than __getitem__: in Pyodide a slot wrapper called by map() costs twice as much)
        return sum(map(self._letter_sums.get, tokens)), sum(map(self._letter_counts.get, tokens))

    def probability(self, sums: Iterable[tuple[float, int, float, int]]) -> float:
        """The score of a text from its sentences' sentence_sums."""
        if isinstance(sums, list) and len(sums) == 1:  # (most texts are one sentence)
            ws, wn, ls, ln = sums[0]
        else:
            ws = wn = ls = ln = 0
            for a, b, c, d in sums:
                ws += a
                wn += b
                ls += c
                ln += d
        # block_scales, written out: this runs for every model a text is scored or bounded with
        z = (self.bias + ws * (1 / math.sqrt(wn if wn > _WORD_FLOOR else _WORD_FLOOR))
             + ls * (1 / math.sqrt(ln if ln > _LETTER_FLOOR else _LETTER_FLOOR)))
        if z < -30:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def score(self, encoded_sentences: Iterable[str]) -> float:
        """The score of a text given as its encoded sentences."""
        return self.probability(self.sentence_sums(s) for s in encoded_sentences)


def _table(text: str) -> dict[str, float]:
    weights = {}
    for line in text.strip("\n").split("\n"):
        feature, _, weight = line.rpartition("\t")
        weights[feature] = float(weight)
    return weights

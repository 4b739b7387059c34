"""The matcher that runs compiled rules on a comment.

Ships unchanged inside every bundle (standard library only, runs in Pyodide). The generated
`rules.py` next to it holds the data: rules whose patterns are regular expressions over the
*encoded* sentence (its words, lower-cased, each followed by one space) and an index from a rare
word of each alternative of a rule to the rule, so a comment only wakes the few rules whose key word it
contains.

Speed (see docs/benchmarks.md): sentences are cached by their text, so a keystroke only matches the
sentence it changed; a woken rule runs its regex only when one of its alternatives finds a word of
each of the word sets it needs in the sentence (`Rule.needs`, worked out by the compiler), and as many
words of its key as its matches hold (`Rule.repeats`); everything computed over the whole text
(conditions, language, UTF-16 offsets) is linear in its length: a condition on the whole text is
searched only in the sentences holding a key word of its gate (indexed once per call, _Late.holders),
and in a text of many sentences (or many characters) a rule whose `when text has` fails in it is not
run at all (_Late.lets).

Pyodide (CPython compiled to WebAssembly) pays more than CPython for some calls: a slot wrapper such as
`d.__getitem__` or `x.__and__` handed to map() costs about twice what `d.get` or an operator in a
comprehension does, so the hot loops use the latter.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from functools import reduce
from itertools import accumulate, chain, compress, filterfalse, repeat
from operator import add, and_, eq, itemgetter, methodcaller, or_
from time import perf_counter

from .scorer import split_pairs
from .text import (
    astral_positions,
    encode,
    has_danish_letters,
    is_question,
    language_score,
    sentences,
    token_spans,
    word_score,
)

try:  # the regex parser of the standard library: private, so reading first words is optional
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    _sre = _sre_parse = None
try:  # how the regex module compares letters case-insensitively (also private)
    import _sre as _sre_module
    from re._casefix import _EXTRA_CASES as _CASES
except ImportError:  # pragma: no cover
    _sre_module = _CASES = None
_CASE_OFF = object()  # (in a parsed regex) the end of a case-insensitive part, see _first
_REPEATS = tuple(getattr(_sre, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
                 if hasattr(_sre, name)) if _sre else ()

SEVERITY_RANK = {"alert": 0, "warning": 1, "suggestion": 2}
_JSON = json.JSONEncoder(ensure_ascii=False)
_json_string = json.encoder.encode_basestring  # what _JSON does with a str, without its Python wrapper
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Sentences kept, least recently used dropped first. Enough for a 50,000-character text, so typing in
# it never evicts the sentences it still has.
_CACHE_LIMIT = 4096
# In a sentence longer than this (encoded characters) a regex is tried only where one of the words a
# match can begin with stands, instead of at every word: a pasted text with no full stops is one long
# sentence that wakes nearly every rule.
_LONG_SENTENCE = 400
# A bound on a score only rules a threshold out when below it by more than float rounding (its sums are
# added in another order than the score's).
_SCORE_MARGIN = 1e-9
_SPLIT = ""  # (in _Sentence.sums) the sentence's scorer.split_pairs, shared by the models
# Distinct words whose index entries are kept (all dropped at once beyond it).
_WORDS_LIMIT = 50_000
# (languages, has a context, categories a text may show) kept by Engine._possible_rules (all dropped at
# once beyond it; there are a few dozen such sets)
_POSSIBLE_SETS = 1024
# A text of more sentences than this has them indexed by gate key for its text conditions (_Late.holders);
# a shorter one has each sentence's gate tested, which costs less than building the index.
_FEW_SENTENCES = 4
# In a text of more sentences than this, a rule whose `when text has` fails in the text is not run (see
# _Late.lets). In shorter ones, searching for those conditions first costs more than it saves
# (interleaved A/B on the corpus comments of 5 to 12 sentences: +7 % with 4 here, +1 % with 12).
_MANY_SENTENCES = 12
# ... and in a text of more characters than this, however few its sentences: a pasted text without full
# stops is one long sentence that wakes nearly every rule, most of which such a condition rules out
# (interleaved A/B, the same hints: 50,000 characters as one sentence 70.5 -> 43.4 ms, 150 comments of
# 500 to 2,000 characters -17 %; with 300 here the corpus comments of over 300 characters took +10 %).
_LONG_TEXT = 600
# Compiled regexes by pattern. A quarter of the patterns are the same text in several rules and
# conditions (a shared list of words): each is compiled once, and compiled patterns never change.
_COMPILED: dict = {}


def _compile(pattern: str) -> re.Pattern:
    regex = _COMPILED.get(pattern)
    if regex is None:
        regex = _COMPILED[pattern] = re.compile(pattern)
    return regex


class Cond:
    """A condition: scope is match, near, sentence, text, context or question; has=False means 'unless'.
    match and near read the words of each match widened by `distance` words either side (0 for match)."""

    __slots__ = ("scope", "has", "pattern", "shows", "needs", "gate", "distance", "count", "options", "_re", "_first",
                 "matched", "model", "threshold", "scorer")

    def __init__(self, scope: str, has: bool, pattern: str | None = None, shows: str | None = None,
                 needs: str | None = None, distance: int = 0, count: int = 0, options: tuple = (),
                 matched: bool = False, model: str | None = None, threshold: float = 0.0):
        self.scope = scope
        self.has = has
        self.pattern = pattern
        self.shows = shows
        # `text shows` of the rule's own category (a rule without a match): only rules with a match count
        self.matched = matched
        # `when text scores 0.9: MODEL`: the Engine puts the scorer.Model named `model` in `scorer`
        self.model = model
        self.threshold = threshold
        self.scorer = None
        self.distance = distance
        # `has 2 of: A | B | C`: holds when at least `count` of `options` (plain `has` conditions) do
        self.count = count
        self.options = options
        # As Rule.needs, for every alternative, its key's set first (conditions are not in the word
        # index); the Engine puts a _Gate made of them in `gate`. None: the regex may match anywhere.
        self.needs = needs
        self.gate = None
        self._re = None
        self._first = False

    @property
    def regex(self) -> re.Pattern:
        if self._re is None:
            self._re = _compile(self.pattern)
        return self._re

    @property
    def first(self) -> tuple | None:
        """As Rule.first, for the condition's pattern."""
        if self._first is False:
            self._first = first_words(self.pattern)
        return self._first


class Rule:
    __slots__ = (
        "id", "category", "severity", "lang", "source", "guidance", "match", "conditions", "once",
        "messages", "suggestions", "resources", "_re", "sentence_conds", "late_conds", "match_conds",
        "needs", "repeats", "_first", "veto_gate",
    )

    def __init__(self, id: str, category: str, severity: str, lang: str, source: str, guidance: list,
                 match: str | None, conditions: tuple = (), once: bool = False, messages: dict | None = None,
                 suggestions: tuple = (), resources: tuple = (), needs: str = "", repeats: dict | None = None):
        self.id = id
        self.category = category
        self.severity = severity
        self.lang = lang
        self.source = source
        self.guidance = guidance
        self.match = match
        self.conditions = conditions
        self.once = once
        self.messages = messages or {}
        self.suggestions = suggestions
        self.resources = resources
        # Per alternative (the number the index gives with the rule), the word sets other than the key's
        # that its matches contain a word of, as numbers of WORD_SETS.
        self.needs = needs
        # The alternatives whose matches hold more than one word of their key, and how many: a sentence
        # with fewer of them, each counted as often as it occurs, cannot hold a match.
        self.repeats = repeats or {}
        self._re = None
        self._first = False  # not worked out yet (None: unknown)
        # Conditions that only need the sentence are checked once per sentence and cached with it;
        # conditions on the whole text or the context are checked per call.
        self.match_conds = tuple(c for c in conditions if c.scope in ("match", "near"))
        self.sentence_conds = tuple(c for c in conditions if c.scope in ("sentence", "question"))
        # (scores last, as in Engine._text_conds: they all have to hold, and a score reads every word)
        self.late_conds = tuple(sorted((c for c in conditions if c.scope in ("text", "context")),
                                       key=lambda c: c.model is not None))
        self.veto_gate = None  # set by the Engine: see _around

    @property
    def regex(self) -> re.Pattern:
        if self._re is None:  # compiled on first use (or by Engine.warm): start-up stays fast
            self._re = _compile(self.match)
        return self._re

    @property
    def first(self) -> tuple | None:
        """(words, prefixes) one of which the first word of every match is or starts with, or None
        when that cannot be read from the regex; worked out the first time a long sentence needs it."""
        if self._first is False:
            self._first = first_words(self.match)
        return self._first


class _Sentence:
    """One sentence, encoded, with a map from encoded offsets back to the original text, its
    language evidence, and its hits for each (languages, categories) it was checked with."""

    __slots__ = ("text", "enc", "words_score", "danish_letters", "hits", "found", "_spans", "_positions", "_sorted",
                 "tokens", "held", "entries", "_starts", "_reversed", "_digits", "_lower", "sums", "_anchors",
                 "_numbers", "keys", "unrun")

    def __init__(self, text: str):
        self.text = text
        self.enc = encode(text)
        # The encoded tokens are the sentence's words (text.words), so this is language_score's
        # word part without splitting the sentence a second time.
        tokens = self.enc[:-1].split(" ") if self.enc else []
        self.words_score = word_score(tokens)
        self.danish_letters = has_danish_letters(text)
        self.hits: dict = {}
        # per key of `hits`: the rules not run because the text of that call ruled them out (_Late.lets),
        # run when a later text may not; missing when there were none
        self.unrun: dict = {}
        self.found: dict = {}  # condition pattern -> does it match this sentence (shared by rules)
        self._spans = None
        self._positions = None
        self._starts = None  # where each word starts, in a long sentence
        self._reversed = self._digits = self._lower = None  # (see starts_of)
        self._anchors = None  # first_words -> starts_of, in a long sentence
        self._numbers = None  # offset of a word -> its number (see starts_of)
        self.tokens = set(tokens)  # the distinct words
        self.held = None  # numbers of the WORD_SETS it holds a word of (Engine._held)
        self.entries = None  # what Engine._words found for its words that do something (Engine._entries)
        self.keys = None  # the gate keys among the WORD_SETS it holds (Engine._keys)
        # model name -> scorer.Model.sentence_sums of this sentence; (name, True) -> its upper_sums;
        # _SPLIT -> its words and pairs
        self.sums: dict = {}

    def positions(self) -> dict:
        """The offsets in the encoded sentence at which each distinct word starts (for long sentences):
        offsets rather than word numbers, so the places a pattern can begin need no conversion."""
        if self._positions is None:
            index: dict = {}
            for tok, offset in zip(self.enc[:-1].split(" "), self.starts()):
                index.setdefault(tok, []).append(offset)
            self._positions = index
            self._sorted = sorted(index)
        return self._positions

    def starts(self) -> list[int]:
        """Where each word starts in the encoded sentence, and the sentence's length last."""
        if self._starts is None:
            self._starts = list(accumulate(map(add, map(len, self.enc[:-1].split(" ")), repeat(1)), initial=0))
        return self._starts

    def starts_of(self, first: tuple) -> list[int] | None:
        """Sorted offsets where a match of a pattern whose first_words are `first` may begin (the
        start of each word `back` words before a word of a reading); None when first was read
        case-insensitively and the sentence has a character lower-casing changes."""
        caseless, readings = first
        if caseless and not self.lower_case():
            return None
        # patterns share first words (hundreds of them begin with "jeg" or "i"): each set found once
        found = self._anchors.get(first) if self._anchors is not None else None
        if found is not None:
            return found
        if self._anchors is None:
            self._anchors = {}
        index = self.positions()
        offsets = []
        for back, words, prefixes, endings, digits in readings:
            out = []
            for word in words & index.keys():
                out.extend(index[word])
            if prefixes:
                _extend_beginning(out, index, self._sorted, prefixes, False)
            if endings:
                if self._reversed is None:
                    self._reversed = sorted(w[::-1] for w in index)
                _extend_beginning(out, index, self._reversed, [e[::-1] for e in endings], True)
            if digits:
                if self._digits is None:
                    self._digits = [w for w in self._sorted if w[:1].isdecimal()]
                for word in self._digits:
                    out.extend(index[word])
            if back:  # the start of the word `back` words before each
                starts = self.starts()
                if self._numbers is None:
                    self._numbers = {offset: n for n, offset in enumerate(starts)}
                out = [starts[n - back] for n in map(self._numbers.get, out) if n >= back]
            offsets.extend(out)
        offsets.sort()  # (a word found twice only costs a second try: _anchored skips a match it has)
        self._anchors[first] = offsets
        return offsets

    def lower_case(self) -> bool:
        """Has the sentence no character lower-casing changes? (Almost always: words are lower-cased.)"""
        if self._lower is None:
            self._lower = self.enc.lower() == self.enc
        return self._lower

    @property
    def score(self) -> int:
        """text.language_score of the sentence."""
        return self.words_score + (2 if self.danish_letters else 0)

    def original(self, enc_start: int, enc_end: int) -> tuple[int, int]:
        """Original offsets of the tokens between two encoded offsets (enc_end may include the space).
        Tokens are separated by one space each, so the spaces before an offset number its token."""
        if self._spans is None:
            self._spans = token_spans(self.text)
        enc = self.enc
        if enc[enc_end - 1: enc_end] == " ":
            enc_end -= 1
        if len(enc) > _LONG_SENTENCE:  # counting from the start for every hit would be quadratic
            starts = self.starts()  # (the spaces before offset x are the words starting before x + 1, less one)
            first, last = bisect_left(starts, enc_start + 1) - 1, bisect_left(starts, enc_end + 1) - 1
        else:
            first, last = enc.count(" ", 0, enc_start), enc.count(" ", 0, enc_end)
        return self._spans[first][0], self._spans[last][1]


def _extend_beginning(out: list, index: dict, ordered: list[str], beginnings, reverse: bool) -> None:
    """Add to `out` the positions of the words of `ordered` (sorted; each word reversed when `reverse`)
    that begin with one of `beginnings`: words sharing a beginning stand together in sorted order."""
    for beginning in beginnings:
        i = bisect_left(ordered, beginning)
        while i < len(ordered) and ordered[i].startswith(beginning):
            out.extend(index[ordered[i][::-1] if reverse else ordered[i]])
            i += 1


class _Beginnings:
    """Values filed under word beginnings, grouped by their first (shortest beginning length) letters:
    one lookup per word finds the few beginnings it may have, however many lengths there are."""

    __slots__ = ("groups", "shortest")

    def __init__(self, beginnings: dict):
        self.shortest = min((len(b) for b in beginnings), default=0)
        self.groups: dict = {}
        for beginning, values in sorted(beginnings.items()):
            self.groups.setdefault(beginning[: self.shortest], []).append((beginning, values))

    def extend(self, out: list, tok: str) -> None:
        """Add to `out` the values of the beginnings `tok` has."""
        for beginning, values in self.groups.get(tok[: self.shortest], ()):
            if tok.startswith(beginning):
                out.extend(values)


class _Lookup:
    """Values filed under words, word prefixes ("selvmord" for selvmordsforsøg), word endings ("kniv"
    for køkkenkniv: the beginning of the word read backwards) and "a number"."""

    __slots__ = ("words", "prefixes", "endings", "numbers")

    def __init__(self, words: dict, prefixes: dict, suffixes: dict, numbers: tuple):
        self.words = words
        self.prefixes = _Beginnings(prefixes)
        self.endings = _Beginnings({suffix[::-1]: values for suffix, values in suffixes.items()})
        self.numbers = numbers

    def find(self, tok: str) -> list:
        """The values filed under this word, repeated when filed twice."""
        out = list(self.words.get(tok, ()))
        if self.prefixes.groups:
            self.prefixes.extend(out, tok)
        if self.endings.groups:
            self.endings.extend(out, tok[::-1])
        if self.numbers and tok[:1].isdigit():
            out.extend(self.numbers)
        return out


def set_lookup(word_sets: tuple) -> _Lookup:
    """Which WORD_SETS a word is in (each set a string of entries "word", "prefix*", "*ending" or "#num"
    separated by spaces: thousands of one-string sets compile far faster than as tuples, and words hold
    no space). Public: the compiler numbers the sets with it (ruleset._renumbered)."""
    words: dict = {}
    prefixes: dict = {}
    suffixes: dict = {}
    numbers = []
    for i, entries in enumerate(word_sets):
        for e in entries.split(" "):
            if e == "#num":
                numbers.append(i)
            elif e.endswith("*"):
                prefixes.setdefault(e[:-1], []).append(i)
            elif e.startswith("*"):
                suffixes.setdefault(e[1:], []).append(i)
            else:
                words.setdefault(e, []).append(i)
    return _Lookup(words, prefixes, suffixes, tuple(numbers))


def _number_lists(text: str) -> tuple:
    """ "1 2|3|" -> ((1, 2), (3,), ()); "" -> ()."""
    return tuple(tuple(int(n) for n in part.split()) for part in text.split("|")) if text else ()


def _mask(numbers) -> int:
    """Word set numbers as the bits of an int: a sentence's held sets are joined by `|` and tested by
    `&`, each one C loop over machine words, instead of building a set of hundreds of numbers (a word
    such as "i" is in 172 word sets of the shipped rules)."""
    mask = 0
    for n in numbers:
        mask |= 1 << n
    return mask


class _Gate:
    """Whether a sentence may hold a match of a condition's pattern: some alternative of it finds all
    the word sets it needs among those the sentence holds (alternatives are looked up by their key's)."""

    __slots__ = ("alone", "keys", "by_key", "any", "bits", "indexed")

    def __init__(self, alternatives: tuple):
        self.alone = 0  # the keys of alternatives that need nothing else
        self.by_key: dict = {}  # key -> for each alternative filed under it, the other sets it needs
        for key, *others in alternatives:
            if others:
                self.by_key.setdefault(key, []).append(_mask(others))
            else:
                self.alone |= 1 << key
        self.keys = _mask(self.by_key)
        # Every key: a sentence holds one of them for the gate to open. `held` spans thousands of bits,
        # and each `&` with it costs a loop over them (dearer still in Pyodide), so most gates are shut
        # by this one `&`, and the rest are read from its (short) result.
        self.any = self.alone | self.keys
        self.bits = tuple(dict.fromkeys(key for key, *_ in alternatives))  # the keys' numbers
        # set by the Engine when it indexes a text's sentences by these keys (see _Late.in_text)
        self.indexed = False

    def open_for(self, held: int) -> bool:
        hit = self.any & held
        if not hit:
            return False
        if hit & self.alone:
            return True
        while hit:  # each held key, lowest bit first
            low = hit & -hit
            for others in self.by_key[low.bit_length() - 1]:
                if others & held == others:
                    return True
            hit ^= low
        return False


class Engine:
    def __init__(self, rules: tuple, word_sets: tuple, word_index: dict, prefix_index: dict, suffix_index: dict,
                 number_rules: tuple, always_rules: tuple, text_rules: tuple, resources: dict, models: dict):
        self.rules = rules
        # (rule, alternative) pairs by word, prefix, ending and number (written as "rule alternative|…")
        self.word_index = {w: _number_lists(v) for w, v in word_index.items()}
        self._index = _Lookup(self.word_index, {p: _number_lists(v) for p, v in prefix_index.items()},
                              {s: _number_lists(v) for s, v in suffix_index.items()}, _number_lists(number_rules))
        self._sets = set_lookup(word_sets)  # -> numbers of WORD_SETS
        self._words: dict = {}  # word -> what _word found for it
        # the words of _words that wake a rule or are in a word set: a sentence's other words are
        # skipped by one set intersection, in C, instead of a Python step each
        self._busy: set = set()
        self._word_keys: dict = {}  # word -> the gate keys among its WORD_SETS (see _keys), when asked for
        # per rule, per alternative: the numbers of the word sets it needs besides its key
        self._needs = tuple(tuple(_mask(option) for option in _number_lists(rule.needs)) for rule in rules)
        self._counted: dict = {}  # counted condition -> _count_plan
        # rule -> the gates of its required conditions, tried before its regex runs (see _shut)
        self._pre: dict = {}
        rule_index = {id(rule): i for i, rule in enumerate(rules)}
        for rule in rules:
            for cond in chain.from_iterable((c, *c.options) for c in rule.conditions):
                if cond.model is not None:
                    cond.scorer = models[cond.model]
                if cond.needs:
                    cond.gate = _Gate(_number_lists(cond.needs))
            for cond in rule.conditions:
                if cond.count:
                    self._counted[cond] = _count_plan(cond)
            pre = _pre_gates(rule, self._counted)
            if pre is not None:
                self._pre[rule_index[id(rule)]] = pre
            if len(rule.match_conds) > 1 and all(not c.has and c.needs for c in rule.match_conds):
                # open when any of the rule's `unless:` patterns may match: one test for all of them
                rule.veto_gate = _Gate(tuple(chain.from_iterable(_number_lists(c.needs) for c in rule.match_conds)))
        # The keys of the gates of conditions searched for in a whole text (_Late.in_text: `when text
        # has`, and every condition of a rule without a match). A long text's sentences are indexed by
        # them once per call, so each such condition visits only the sentences holding one of its keys
        # instead of testing its gate on every sentence (conditions x sentences).
        text_rule_set = frozenset(text_rules)
        keyed: set = set()
        for i, rule in enumerate(rules):
            for cond in chain.from_iterable((c, *c.options) for c in rule.conditions):
                if cond.gate is not None and (cond.scope == "text" or i in text_rule_set):
                    cond.gate.indexed = True
                    keyed.update(cond.gate.bits)
        self._text_keys = frozenset(keyed)
        # rule -> its conditions on whether the whole text has a pattern (see _Late.lets)
        def text_only(c: Cond) -> bool:
            return (c.scope == "text" and c.pattern is not None and c.shows is None and c.scorer is None
                    and not c.count)

        self._text_checks = {i: conds for i, rule in enumerate(rules)
                             if (conds := tuple(filter(text_only, rule.late_conds)))}
        # the rules _Late.lets may rule out: in any text (by the gates of their `when text has`), and in
        # a long one (by those conditions themselves)
        self._text_gated = frozenset(i for i, gates in self._pre.items() if gates[2] or gates[3])
        self._text_bound = self._text_gated | self._text_checks.keys()
        self.always_rules = always_rules
        self._late_rules = frozenset(i for i, rule in enumerate(rules) if rule.late_conds)  # see _Late.holds
        self._always_for = {langs: tuple(i for i in always_rules if rules[i].lang in langs)
                            for langs in _LANGUAGE_TUPLES}
        self.text_rules = text_rules
        # A rule that needs something in the context (`when context has/shows`) cannot fire without one.
        self._needs_context = frozenset(
            i for i, rule in enumerate(rules) if any(c.scope == "context" and c.has for c in rule.conditions))
        self._text_categories = frozenset(rules[i].category for i in text_rules)
        # A text rule's conditions all have to hold: `text shows` ones first, as the call's own hits
        # usually settle them at once (see _Late.found), before any pattern is searched for.
        def needs_shown(c: Cond) -> bool:
            return c.has and c.shows is not None and c.scope == "text"

        # ... and scores last: a whole text's score reads all its words (a condition on a pattern is
        # searched for in the sentences holding its key words), and the conditions all have to hold
        self._text_conds = {i: tuple(sorted(rules[i].conditions, key=lambda c: (not needs_shown(c),
                                                                                 c.model is not None)))
                            for i in text_rules}
        # ... and when the call's hits lack one of those categories (read from the hits, see
        # _Late.found), the rule is passed over at once
        shown = {i: frozenset(c.shows for c in rules[i].conditions if needs_shown(c)) for i in text_rules}
        # For _Late.possible: by languages, the text rules a `text shows` may run with them (no context),
        # each with its category, the categories it needs shown, its required scores, the gates of its
        # required conditions (_pre_gates; a text rule reads the whole text as its sentence, so both
        # kinds are tried on the text's word sets) and a mask the text must share a bit with for them
        # to open (_gate_key). Split in those that need no category shown and the others (and the
        # categories those need): most texts show none of them, and then only the first are looked at.
        def required_score(c: Cond) -> bool:
            return c.has and c.model is not None and c.scope == "text" and not c.count

        def entry(i: int) -> tuple:
            gates = self._pre.get(i)
            return (rules[i].category, shown[i], tuple(filter(required_score, rules[i].conditions)), gates,
                    _gate_key(gates))

        self._gate_keys = {i: _gate_key(self._pre[i]) for i in text_rules if i in self._pre}
        # for _match: each gated rule's gates and a mask a sentence must share a bit with for the first of
        # them on the sentence to open (0: none such); most rules woken are shut by that `&` alone
        self._match_pre = {i: (gates, gates[0][0].any if gates[0] else 0)
                           for i, gates in self._pre.items()}
        self._showing = {}
        for langs in _LANGUAGE_TUPLES:
            entries = [entry(i) for i in text_rules if i not in self._needs_context and rules[i].lang in langs]
            self._showing[langs] = (tuple(e for e in entries if not e[1]), tuple(e for e in entries if e[1]),
                                    frozenset(chain.from_iterable(e[1] for e in entries)))
        # (languages, has a context) -> the text rules that can fire, and the categories each needs shown
        self._text_rules_for = {}
        for langs in _LANGUAGE_TUPLES:
            for with_context in (False, True):
                able = tuple(i for i in text_rules
                             if rules[i].lang in langs and (with_context or i not in self._needs_context))
                # the last: those left when no category is possible (a text without hits, most texts)
                self._text_rules_for[langs, with_context] = (
                    able, tuple(shown[i] for i in able), [i for i in able if i in self._needs_context and not shown[i]])
        self._by_possible: dict = {}  # see _possible_rules
        self._asks_question = frozenset(
            i for i in text_rules if any(c.scope == "question" for c in rules[i].conditions))
        self.resources = resources
        self._cache: dict = {}
        self._json_parts: dict = {}  # (rule, country) -> _static_json
        self._cold: list | None = None  # what warm() has still to compile, the next one last
        # seconds spent in re.compile by warm() and the characters compiled: its estimate of the next
        # pattern's cost (roughly proportional to its length)
        self._warm_spent = 0.0
        self._warm_chars = 0

    # --- public --------------------------------------------------------------------------------------

    def annotate(self, text: str, lang: str | None = None, context: str | None = None,
                 categories=None, country: str | None = None) -> list[dict]:
        hits = self._hits(text, lang, context, categories)
        astral = astral_positions(text) if hits else []
        return [self._hint(text, hit, country, astral) for hit in hits]

    def annotate_json(self, text: str, lang: str | None = None, context: str | None = None,
                      categories=None, country: str | None = None) -> str:
        """json.dumps(annotate(...), ensure_ascii=False), written without building the hints: the parts
        of a hint that only depend on its rule (messages, resources, ...) are encoded once per rule."""
        hints = []
        hits = self._hits(text, lang, context, categories)
        astral = astral_positions(text) if hits else []
        for idx, start, end, sugg in hits:
            head, tail = self._static_json(idx, country)
            su, eu = _utf16(astral, start, end)
            hints.append(f'{head}, "start": {start}, "end": {end}, "start_utf16": {su}, "end_utf16": {eu}, '
                         f'"text": {_json_string(text[start:end])}, "message": {tail[0]}, '
                         f'"suggestions": [{", ".join(map(_json_string, sugg))}], {tail[1]}}}')
        return "[" + ", ".join(hints) + "]"

    def warm(self, budget_ms: float = 50.0) -> bool:
        """Compile regexes that no comment has needed yet, for about `budget_ms`; True once all are.

        Regexes are compiled on first use, and the large ones take a tenth of a second each (more in
        Pyodide), so without this the first long comment of a session waits seconds for its hints. Call
        it in short slices while idle. A slice stops before a pattern its measured speed says would not
        fit, but always compiles at least one, so it may overrun by one pattern. Hints are unchanged."""
        if self._cold is None:
            self._cold = self._warm_order()
        cold = self._cold
        deadline = perf_counter() + budget_ms / 1000
        compiled = False
        while cold:
            owner = cold[-1]
            if not isinstance(owner, (Rule, Cond)):  # a scorer.Model: a few milliseconds each
                owner.prepare()
                cold.pop()
                compiled = True
                if perf_counter() >= deadline:
                    break
                continue
            pattern = owner.match if isinstance(owner, Rule) else owner.pattern
            if owner._re is None and pattern not in _COMPILED:
                now = perf_counter()
                if compiled and now + self._warm_spent / self._warm_chars * len(pattern) > deadline:
                    break
                owner._re = _compile(pattern)
                self._warm_spent += perf_counter() - now
                self._warm_chars += len(pattern)
                compiled = True
            else:
                owner._re = _compile(pattern)  # compiled already: only shares it
            cold.pop()
            if compiled and perf_counter() >= deadline:
                break
        return not cold

    def _warm_order(self) -> list:
        """Every rule and condition with a regex, those most likely woken first (so last in the list):
        the conditions of text rules, which are tried on whole texts, then rules by how many index keys
        wake them, each rule's match before its conditions; then the scoring models."""
        keys = [0] * len(self.rules)
        for values in chain(self.word_index.values(), (v for _, v in chain.from_iterable(
                self._index.prefixes.groups.values())), (v for _, v in chain.from_iterable(
                self._index.endings.groups.values())), (self._index.numbers,)):
            for entry in values:
                keys[entry[0]] += 1
        for i in self.always_rules:
            keys[i] = len(self.word_index) + 1
        for i in self.text_rules:
            keys[i] = len(self.word_index) + 2
        order = sorted(range(len(self.rules)), key=lambda i: -keys[i])
        owners: list = []
        models: dict = {}
        for i in order:
            rule = self.rules[i]
            if rule.match is not None:
                owners.append(rule)
            for cond in chain.from_iterable((c, *c.options) for c in rule.conditions):
                if cond.pattern is not None:
                    owners.append(cond)
                if cond.scorer is not None:
                    models[id(cond.scorer)] = cond.scorer
        # the models' memos last: they cost the first scored sentence only milliseconds
        owners.extend(models.values())
        owners.reverse()
        return owners

    def _hits(self, text: str, lang: str | None, context: str | None, categories) -> list:
        if lang not in (None, "da", "en"):
            raise ValueError(f"lang must be 'da', 'en' or None, not {lang!r}")
        cats = frozenset(categories) if categories is not None else None
        return self._ordered(self._found(text, lang, context, cats))

    def _found(self, text: str, lang: str | None, context: str | None, cats, in_text: dict | None = None,
               parts: list | None = None, text_rules: bool = True) -> list:
        """The hits of a call, before they become hints: (rule index, start, end, suggestions).
        `in_text` and `parts`: what conditions found in this same text and its sentences (with their
        starts), when an outer call on it already looked. Without `text_rules`, only rules with a match."""
        found = []
        previous = None
        if parts is None:
            parts = [(start, self._sentence(text[start:end])) for start, end in sentences(text)]
        # the WORD_SETS the text holds: a rule needing `when text has` what it cannot hold is not run
        text_held = (self._held(parts[0][1]) if len(parts) == 1  # (most texts: no `|` of thousands of bits)
                     else reduce(or_, map(self._held, map(_SENTENCE, parts)), 0))
        late = _Late(self, text, parts, context, in_text)
        late._held = text_held
        for start, sentence in parts:
            langs, previous = self._languages(sentence, lang, previous)
            hits = self._sentence_hits(sentence, langs, cats, bool(context), late)
            if not start:  # (the first sentence of most texts: its offsets are the text's)
                found.extend(hits)
                continue
            for idx, s, e, sugg in hits:
                found.append((idx, start + s, start + e, sugg))
        if lang is None and cats is None:
            late.raw = found  # every hit of every category: `text shows` reads them (see _Late.found)
        rules, late_rules = self.rules, self._late_rules
        found = [h for h in found if h[0] not in late_rules or late.holds(rules[h[0]].late_conds)]
        if text_rules:
            found.extend(self._text_rule_hits(text, lang, cats, late))
        return found

    # --- steps ---------------------------------------------------------------------------------------

    @staticmethod
    def _languages(sentence: _Sentence, lang: str | None, previous: tuple | None) -> tuple[tuple, tuple | None]:
        """Languages whose rules read this sentence. Decided from this sentence and the ones before it
        only, so hints for a sentence do not change as the user types the next one."""
        if lang:
            return (lang,), previous
        score = sentence.score
        if score > 0:
            return ("da",), ("da",)
        if score < 0:
            return ("en",), ("en",)
        return (previous or ("da", "en")), previous

    def _sentence(self, text: str) -> _Sentence:
        cache = self._cache
        sentence = cache.pop(text, None)
        if sentence is None:
            sentence = _Sentence(text)
            if len(cache) >= _CACHE_LIMIT:
                del cache[next(iter(cache))]  # the least recently used
        cache[text] = sentence  # (re)inserted last: the most recently used
        return sentence

    def _sentence_hits(self, sentence: _Sentence, langs: tuple, cats, with_context: bool, late: _Late) -> list:
        """The hits of the rules of these languages and categories; without a context, those of the rules
        that need one (`when context ...`) are left out: they cannot fire. Rules the text of `late` rules
        out (_Late.lets) are not run: they are remembered with the sentence and run when a later text may
        let them fire."""
        key = (langs, cats, with_context)
        if sentence.hits:  # (a sentence not seen before has none)
            hits = sentence.hits.get(key)
            if hits is None:
                rules = self.rules

                def keep(idx: int) -> bool:
                    return ((cats is None or rules[idx].category in cats)
                            and (with_context or idx not in self._needs_context))

                # a rule's hits depend neither on the categories asked for nor on whether there is a context
                for wider in ((langs, None, with_context), (langs, cats, True), (langs, None, True)):
                    everything = sentence.hits.get(wider) if wider != key else None
                    if everything is not None:
                        hits = sentence.hits[key] = [h for h in everything if keep(h[0])]
                        unrun = sentence.unrun.get(wider)
                        if unrun is not None:
                            sentence.unrun[key] = [idx for idx in unrun if keep(idx)]
                        break
            if hits is not None:
                unrun = sentence.unrun.get(key)
                if unrun:
                    # rules an earlier text ruled out: run those this one does not
                    now = list(filter(late.lets, unrun))
                    if now:
                        hits.extend(self._match(sentence, now)[0])  # (hits are put in order later, by _ordered)
                        still = list(filterfalse(late.lets, unrun))
                        if still:
                            sentence.unrun[key] = still
                        else:
                            del sentence.unrun[key]
                return hits
        hits, unrun = self._match(sentence, self._candidates(sentence, langs, cats, with_context), late)
        sentence.hits[key] = hits
        if unrun:
            sentence.unrun[key] = unrun
        return hits

    def _match(self, sentence: _Sentence, candidates: list[int], late: _Late | None = None) -> tuple[list, list]:
        """The hits of these rules in the sentence, and the rules not run because the text of `late`
        rules them out (_Late.lets; None: all are run)."""
        hits = []
        unrun = []
        enc = sentence.enc
        if enc:
            text = sentence.text
            question = None
            vetoes: dict = {}
            short = len(enc) <= _LONG_SENTENCE
            rules = self.rules
            pre = self._match_pre
            held = self._held(sentence)
            bound = None if late is None else self._text_bound if late.long else self._text_gated
            for idx in candidates:
                rule = rules[idx]
                gated = pre.get(idx)
                if gated is not None:
                    # a required condition that cannot hold in the sentence: the regex need not run
                    key = gated[1]
                    if key and not held & key:
                        continue  # (what _closed would say: its first gate is shut by the sentence)
                    gates = gated[0]
                    if _closed(gates[0], gates[1], held):
                        continue
                if bound is not None and idx in bound and not late.lets(idx):
                    unrun.append(idx)
                    continue
                # (explicit loops below rather than all() over generators: each costs a frame per rule)
                # Most woken rules do not match: one search tells (cheaper than starting a finditer), and
                # conditions, which only filter and are often longer regexes, are checked after it.
                if short:
                    regex = rule._re or rule.regex
                    first = regex.search(enc)
                else:
                    matches = _scan(rule, sentence)
                    first = next(matches, None)
                if first is None:
                    continue
                conds = rule.sentence_conds
                if conds:
                    if question is None:
                        question = is_question(text)
                    plans = self._counted
                    for c in conds:
                        if not _sentence_condition(c, sentence, question, held, plans):
                            break
                    else:
                        conds = None
                    if conds is not None:
                        continue
                # the rest as finditer would go on from `first` (no pattern matches nothing)
                matches = [first, *(regex.finditer(enc, first.end()) if short else matches)]
                around = None  # the match and near conditions that can matter in this sentence
                for m in matches:
                    if rule.match_conds:
                        if around is None:
                            around = _around(rule, held)
                            if around is None:  # a required pattern cannot occur here
                                break
                        for c in around:
                            if _near(c, sentence, vetoes, m) != c.has:
                                break
                        else:
                            c = None
                        if c is not None:
                            continue
                    s, e = sentence.original(m.start(), m.end())
                    hits.append((idx, s, e, _suggestions(rule, sentence, m, text[s:e]) if rule.suggestions else ()))
        return hits, unrun

    def _word(self, tok: str) -> tuple[dict, tuple]:
        """Look a new word up and keep the result in _words: for each tuple of languages a sentence may be
        read with, the rules it wakes outright, and the rules it wakes if the sentence holds more words,
        grouped by the highest of the word sets each needs (see _candidates); then the WORD_SETS the word
        is in. Worked out once per distinct word (words recur across comments), prefixes included."""
        woken: dict = {}
        for idx, option in dict.fromkeys(self._index.find(tok)):  # (once each: filed as a word and a prefix)
            rule = self.rules[idx]
            alternatives = self._needs[idx]  # empty when no alternative needs more than its key
            need = alternatives[option] if alternatives else 0
            times = rule.repeats.get(option, 1)
            for langs in _LANGUAGE_CHOICES[rule.lang]:
                outright, by_top, repeated = woken.setdefault(langs, (set(), {}, []))
                if times > 1:
                    repeated.append((tok, idx, option, times, need))
                elif not need:
                    outright.add(idx)
                else:
                    by_top.setdefault(need.bit_length(), []).append((idx, need))
        found = self._words[tok] = ({langs: (frozenset(outright), _mask(top - 1 for top in by_top),
                                             {top: _need_group(top, pairs) for top, pairs in by_top.items()},
                                             tuple(repeated),
                                             *_ungrouped(by_top))
                                     for langs, (outright, by_top, repeated) in woken.items()},
                                    _mask(self._sets.find(tok)))
        if woken or found[1]:
            self._busy.add(tok)
        return found

    def _busy_words(self, tokens: set) -> set:
        """The words of a sentence that wake a rule or are in a word set, after looking up the new ones."""
        memo = self._words
        new = tokens.difference(memo)  # (a dict argument: looks up each token, in C)
        if new:
            if len(memo) + len(new) > _WORDS_LIMIT:
                memo.clear()
                self._busy.clear()
                self._word_keys.clear()
                new = tokens
            for tok in new:
                self._word(tok)
        return tokens & self._busy

    def _entries(self, sentence: _Sentence) -> list:
        """The _words entries of the sentence's busy words (gathered with map(), so in C), kept with the
        sentence: _held and _candidates both read them."""
        if sentence.entries is None:
            sentence.entries = list(map(self._words.get, self._busy_words(sentence.tokens)))  # (.get: module doc)
        return sentence.entries

    def _held(self, sentence: _Sentence, entries: list | None = None) -> int:
        """The WORD_SETS the sentence holds a word of (a _mask), worked out once per sentence (from
        `entries` when the caller has them)."""
        if sentence.held is None:
            # (most words are in no word set: their zero masks are left out of the big-int ors)
            masks = filter(None, map(_SETS, self._entries(sentence) if entries is None else entries))
            sentence.held = reduce(or_, masks, 0)
        return sentence.held

    def _keys(self, sentence: _Sentence) -> tuple:
        """The numbers of the gate keys (_text_keys) among the WORD_SETS the sentence holds, worked out
        once per sentence."""
        if sentence.keys is None:
            # (each word's, looked up the first time a sentence of a long text holds it: only long texts
            # ask, see _Late.holders)
            memo = self._word_keys
            words = self._busy_words(sentence.tokens)
            for tok in words.difference(memo):
                memo[tok] = tuple(self._text_keys.intersection(self._sets.find(tok)))
            sentence.keys = tuple(set(chain.from_iterable(map(memo.get, words))))
        return sentence.keys

    def _may_hold(self, cond: Cond, sentence: _Sentence) -> bool:
        """False when the sentence lacks a word each alternative of the condition's pattern needs."""
        return _open(cond, self._held(sentence))

    def _candidates(self, sentence: _Sentence, langs: tuple, cats, with_context: bool = True) -> list[int]:
        """The rules of these languages and categories whose regex may match the sentence: woken through
        the key word of one of their alternatives, and holding the other words that alternative needs."""
        rules = self.rules
        found = set(self._always_for[langs])
        # what each word does, joined with map() and compress() so that the loops over words run in C
        entries = self._entries(sentence)
        held = self._held(sentence, entries)
        woke = list(filter(None, map(_WOKEN_FOR[langs], map(_WOKEN, entries))))
        found.update(*map(_OUTRIGHT, woke))
        # A rule woken through a word needs its other word sets, the highest of them among them: one `&`
        # per word finds which of those highest sets (its needs' `tops`) the sentence holds, mostly none
        # or one, and only the needs under those are tested, each a `&` over thousands of bits (corpus
        # comments up to 500 characters: 4 tests a comment, against 36 testing every need of such words).
        tops = map(and_, repeat(held), map(_TOPS, woke))
        if len(sentence.enc) <= _LONG_SENTENCE:
            for groups, hit in zip(map(_GROUPS, woke), tops):
                while hit:  # each held top, highest first
                    top = hit.bit_length()
                    held_outright, needy, needs = groups[top]  # (those needing only that set hold outright)
                    found.update(held_outright)
                    if needy:  # held & n == n for each need, in C (a comprehension costs ten bytecodes a need)
                        found.update(compress(needy, map(eq, map(and_, repeat(held), needs), needs)))
                    hit ^= 1 << (top - 1)
        else:  # a long sentence holds most of them: every need of the words that pass, tested at once in C
            passed = list(compress(woke, tops))
            needs = list(chain.from_iterable(map(_NEEDS, passed)))
            held_needs = map(eq, map(and_, repeat(held), needs), needs)
            found.update(compress(chain.from_iterable(map(_NEEDY, passed)), held_needs))
        repeated = list(chain.from_iterable(map(_REPEATED, woke)))
        if repeated:
            found.update(_repeated(repeated, sentence, held))
        if not with_context:
            found -= self._needs_context
        if cats is not None:
            found = {idx for idx in found if rules[idx].category in cats}
        return sorted(found)

    def _text_rule_hits(self, text: str, lang: str | None, cats, late: _Late) -> list:
        if not self.text_rules or not text.strip() or (cats is not None and cats.isdisjoint(self._text_categories)):
            return []  # (`text shows` asks for one category, which text rules seldom have)
        if lang:
            langs = (lang,)
        else:
            # A reply such as "❤️" gives no sign of its language: take the one of the text it answers.
            langs = _languages_of(late.text_score() or (language_score(late.context) if late.context else 0))
        key = (langs, bool(late.context))
        text_rules = self._text_rules_for[key][0]
        rules = self.rules
        if late.raw is not None:
            text_rules = self._possible_rules(key, late.possible())
        pre = self._pre
        gate_keys = self._gate_keys
        held = late.held()
        hits = []
        categories_done: set = set()
        question = False
        for idx in text_rules:
            rule = rules[idx]
            if cats is not None and rule.category not in cats:
                continue
            if rule.category in categories_done:
                continue  # still unsure of the language: one hint per category, not one per language
            gates = pre.get(idx)
            if gates is not None and (not held & gate_keys[idx] or _shut(gates, held, held)):
                continue  # a required condition's words are missing from the text
            if idx in self._asks_question:
                question = is_question(text)
            for c in self._text_conds[idx]:
                if not _text_condition(c, late, question):
                    break
            else:
                start = len(text) - len(text.lstrip())
                hits.append((idx, start, len(text.rstrip()), tuple(rule.suggestions)))
                categories_done.add(rule.category)
        return hits

    def _possible_rules(self, key: tuple, possible: frozenset) -> list:
        """The text rules for (languages, has a context) that may fire when `text shows` may find the
        categories `possible` (_Late.possible): a rule needing `text shows: C` cannot hold unless C may
        be shown, and a rule that needs no context fires only if its category may be. Worked out once
        per such set (texts share a few)."""
        found = self._by_possible.get((key, possible))
        if found is None:
            text_rules, shown_needed, unshown = self._text_rules_for[key]
            rules, needs_context = self.rules, self._needs_context
            found = [idx for idx in compress(text_rules, map(possible.issuperset, shown_needed))
                     if idx in needs_context or rules[idx].category in possible] if possible else unshown
            if len(self._by_possible) >= _POSSIBLE_SETS:
                self._by_possible.clear()
            self._by_possible[key, possible] = found
        return found

    def _ordered(self, found: list) -> list:
        """The hits in the order hints are given, each once (and a `once` rule's first only)."""
        if len(found) < 2:
            return found  # (most calls: nothing to order or drop)
        seen = set()
        once_done = set()
        rules = self.rules
        found.sort(key=lambda h: (h[1], h[2], SEVERITY_RANK.get(rules[h[0]].severity, 3), rules[h[0]].id))
        out = []
        for hit in found:
            idx, start, end, _ = hit
            if (idx, start, end) in seen or idx in once_done:
                continue
            seen.add((idx, start, end))
            if rules[idx].once:
                once_done.add(idx)
            out.append(hit)
        return out

    def _hint(self, text: str, hit: tuple, country: str | None, astral: list[int]) -> dict:
        idx, start, end, sugg = hit
        rule = self.rules[idx]
        su, eu = _utf16(astral, start, end)
        return {
            "rule": rule.id,
            "category": rule.category,
            "severity": rule.severity,
            "start": start,
            "end": end,
            "start_utf16": su,
            "end_utf16": eu,
            "text": text[start:end],
            "message": dict(rule.messages),
            "suggestions": list(sugg),
            "resources": self._resources(rule, country),
            "source": rule.source,
            "guidance": list(rule.guidance),
        }

    def _static_json(self, idx: int, country: str | None) -> tuple[str, tuple[str, str]]:
        """The JSON of a hint's fields that depend only on its rule (and the country), in _hint's order:
        '{"rule": …, "category": …, "severity": …' and ('{"da": …}', '"resources": […], …, "guidance": […]')."""
        key = (idx, country)
        found = self._json_parts.get(key)
        if found is None:
            rule = self.rules[idx]
            head = _JSON.encode({"rule": rule.id, "category": rule.category, "severity": rule.severity})[:-1]
            rest = _JSON.encode({"resources": self._resources(rule, country), "source": rule.source,
                                 "guidance": list(rule.guidance)})[1:-1]
            found = self._json_parts[key] = (head, (_JSON.encode(dict(rule.messages)), rest))
        return found

    def _resources(self, rule: Rule, country: str | None) -> list[dict]:
        chosen = [self.resources[r] for r in rule.resources]
        if country:
            local = [r for r in chosen if country.upper() in r["countries"]]
            # No line for that country: someone who may be in danger is better served by every line
            # than by none; any other hint would only show lines they cannot use.
            chosen = local or (chosen if rule.severity == "alert" else [])
        return [dict(r) for r in chosen]

    def shows(self, context: str, category: str) -> bool:
        """Does the context (the text replied to) trigger a rule of this category? (Every hit becomes a
        hint of its rule's category, so the hits answer without building the hints.)"""
        return bool(self._found(context, None, None, frozenset((category,))))


class _Late:
    """Conditions on the whole text and on the context, computed at most once per call."""

    def __init__(self, engine: Engine, text: str, parts: list[tuple[int, _Sentence]], context: str | None,
                 in_text: dict | None = None):
        self.engine = engine
        self.text = text
        self.parts = parts
        self.encoded = [sentence for _, sentence in parts]
        self.context = context
        self._context_enc = None
        self._shows: dict = {}
        # What depends on the text alone, shared with the calls `text shows` makes on it: condition pattern
        # -> found in the text (in_text), rule index -> lets()
        self._in_text: dict = {} if in_text is None else in_text
        self._in_context: dict = {}
        self._counted: dict = {}  # counted condition -> does it hold (each condition is judged one way)
        self.raw = None  # the call's hits before these conditions, when it asked for every category
        self._without_context = None
        self._held = None
        self._scores: dict = {}  # (scope, model name) -> score
        self._uppers: dict = {}  # model name -> Late.upper
        self._possible = None  # see possible()
        self._text_score = None  # see text_score()
        self._holders = None  # see holders()
        self.long = len(parts) > _MANY_SENTENCES or len(text) > _LONG_TEXT  # see lets()

    def _alone(self) -> _Late:
        """These conditions for the same text without a context (as `text shows` judges it)."""
        if self.context is None:
            return self
        if self._without_context is None:
            alone = self._without_context = _Late(self.engine, self.text, self.parts, None, self._in_text)
            alone.raw = self.raw
            alone._possible = self.possible() if self.raw is not None else None
        return self._without_context

    def context_encoded(self) -> list[str]:
        if self._context_enc is None:
            ctx = self.context or ""
            self._context_enc = [encode(ctx[s:e]) for s, e in sentences(ctx)]
        return self._context_enc

    def found(self, cond: Cond) -> bool:
        if cond.count:
            return self.counted(cond, self.found)
        if cond.scorer is not None:
            if cond.scope == "text" and self.upper(cond.scorer) < cond.threshold - _SCORE_MARGIN:
                return False  # it cannot reach the threshold: not scored at all
            return self.score(cond) >= cond.threshold
        if cond.shows is not None:
            source = self.text if cond.scope == "text" else self.context
            if not source:
                return False
            key = (cond.scope, cond.shows, cond.matched)
            if key not in self._shows:
                if cond.scope == "text" and self.raw is not None and cond.shows not in self.possible():
                    self._shows[key] = False
                    return False
                if cond.scope == "text" and self.raw is not None:
                    # What _found(text, categories={shows}) gives, read from this call's own hits (the
                    # same sentences, languages and hits, judged without a context) and, for a category
                    # with rules that have no match, from those rules alone
                    alone = self._alone()
                    rules = self.engine.rules
                    shown = any(rules[h[0]].category == cond.shows and alone.holds(rules[h[0]].late_conds)
                                for h in self.raw)
                    if not shown and not cond.matched and cond.shows in self.engine._text_categories:
                        shown = bool(self.engine._text_rule_hits(self.text, None, frozenset((cond.shows,)), alone))
                    self._shows[key] = shown
                elif cond.scope == "text":  # the same text again: share what its conditions found
                    self._shows[key] = bool(self.engine._found(source, None, None, frozenset((cond.shows,)),
                                                               self._in_text, self.parts, text_rules=not cond.matched))
                else:
                    self._shows[key] = self.engine.shows(source, cond.shows)
            return self._shows[key]
        if cond.scope == "text":
            return self.in_text(cond)
        hit = self._in_context.get(cond.pattern)
        if hit is None:
            hit = self._in_context[cond.pattern] = any(cond.regex.search(enc) for enc in self.context_encoded())
        return hit

    def score(self, cond: Cond) -> float:
        """The model's score of the text or the context (sentence sums kept with the text's sentences)."""
        model = cond.scorer
        key = (cond.scope, model.name)
        found = self._scores.get(key)
        if found is None:
            if cond.scope == "context":
                found = model.score(self.context_encoded()) if self.context else 0.0
            else:
                found = self._kept_probability(model, model.name, _exact_sums)
            self._scores[key] = found
        return found

    def _kept_probability(self, model, key, sums_of) -> float:
        """model.probability of the text's sentences' `sums_of(model, sentence)`, each kept with its
        sentence under `key` (so a keystroke adds up only the sentence it changed)."""
        sums = []
        for sentence in self.encoded:
            got = sentence.sums.get(key)
            if got is None:
                got = sentence.sums[key] = sums_of(model, sentence)
            sums.append(got)
        return model.probability(sums)

    def possible(self) -> frozenset:
        """The categories `text shows` may find in this text (self.raw must be set): those of the call's
        own hits, and those of text rules whose required `text shows` categories are possible and whose
        required scores are reached (judged with Late.upper first, so most texts are not scored). Every
        category `text shows` finds is among them, so a condition asking for another is settled at once."""
        if self._possible is None:
            rules = self.engine.rules
            possible = {rules[h[0]].category for h in self.raw}
            # `text shows` runs text rules in the languages the text's own words say (_text_rule_hits
            # without a context), and a text of neither gets both, a superset of any other choice
            free, needy, needed = self.engine._showing[_languages_of(self.text_score())]
            held = self.held()
            found = self.found
            # (the gates first: a bit test, then _shut; scores last, as they may be worked out)
            for category, _, scores, gates, key in free:
                if (category not in possible and (gates is None or (held & key and not _shut(gates, held, held)))
                        and all(map(found, scores))):
                    possible.add(category)
            # the others, until no more categories are added (none can be while no category they need is)
            todo = [r for r in needy if r[0] not in possible] if not possible.isdisjoint(needed) else ()
            grew = True
            while grew and todo:
                grew = False
                for category, needs, scores, gates, key in todo:
                    if (category not in possible and needs <= possible
                            and (gates is None or (held & key and not _shut(gates, held, held)))
                            and all(map(found, scores))):
                        possible.add(category)
                        grew = True
                todo = [r for r in todo if r[0] not in possible]
            self._possible = frozenset(possible)
        return self._possible

    def upper(self, model) -> float:
        """A bound the model's score of the text cannot exceed (scorer.Model.upper_sums), kept with the
        text's sentences as their sums are."""
        found = self._uppers.get(model.name)
        if found is None:
            found = self._uppers[model.name] = self._kept_probability(model, (model.name, True), _upper_sums)
        return found

    def counted(self, cond: Cond, found) -> bool:
        """Do at least cond.count of its options hold (`found` tells for one)? Kept for the call: a
        rule's conditions are judged for each of its hits."""
        hit = self._counted.get(cond)
        if hit is None:
            hit = self._counted[cond] = _reaches(self.engine._counted[cond], cond.count, self.held(), found)
        return hit

    def in_text(self, cond: Cond) -> bool:
        pattern = cond.pattern
        hit = self._in_text.get(pattern)
        if hit is None:
            hit = False
            gate = cond.gate
            # A match lies in one sentence, so it needs words the whole text holds: most patterns are
            # ruled out here at once, without looking at each sentence.
            if gate is None or gate.open_for(self.held()):
                held_by = self.engine._held
                single = len(self.encoded) == 1  # (its sentence holds what the text does: the gate is open)
                if gate is None or single or not gate.indexed or len(self.encoded) <= _FEW_SENTENCES:
                    groups = (self.encoded,)
                else:  # only the sentences holding one of the gate's keys (others' gates are shut)
                    groups = filter(None, map((self._holders or self.holders()).get, gate.bits))
                # each sentence remembers what it held, so typing in a long text searches one sentence again
                for sentence in chain.from_iterable(groups):
                    found = sentence.found.get(pattern)
                    if found is None:
                        found = sentence.found[pattern] = (
                            (gate is None or single or gate.open_for(held_by(sentence))) and _search(cond, sentence))
                    if found:
                        hit = True
                        break
            self._in_text[pattern] = hit
        return hit

    def lets(self, idx: int) -> bool:
        """May the rule fire in this text, as far as its conditions on the text alone tell? Not when the
        gate of a required `when text has` of it is shut for the text's word sets, nor, in a long text,
        when one of its `when text has` / `unless text has` patterns (Engine._text_checks, each searched
        once per call) is missing / found. Depends on the text alone (not the context or other hits), so
        a sentence's hits stay the same whichever text it was matched in."""
        let = self._in_text.get(idx)
        if let is None:
            engine = self.engine
            gates = engine._pre.get(idx)
            checks = engine._text_checks.get(idx) if self.long else None
            let = self._in_text[idx] = ((gates is None or not _closed(gates[2], gates[3], self.held()))
                                        and (checks is None or self.holds(checks)))
        return let

    def holders(self) -> dict:
        """Gate key (a number of WORD_SETS, see Engine._text_keys) -> the distinct sentences of the text
        holding a word of it, in order; built once per call, in time proportional to the text."""
        if self._holders is None:
            index: dict = {}
            keys_of = self.engine._keys
            for sentence in dict.fromkeys(self.encoded):  # (a pasted text may repeat a sentence)
                for key in keys_of(sentence):
                    group = index.get(key)
                    if group is None:
                        index[key] = [sentence]
                    else:
                        group.append(sentence)
            self._holders = index
        return self._holders

    def text_score(self) -> int:
        """text.language_score of the text: its sentences hold every word of it and every Danish letter,
        so their evidence adds up to it."""
        if self._text_score is None:  # (asked for by both possible() and _text_rule_hits)
            encoded = self.encoded
            if len(encoded) == 1:
                self._text_score = encoded[0].score
            else:
                self._text_score = (sum(s.words_score for s in encoded)
                                    + (2 if any(s.danish_letters for s in encoded) else 0))
        return self._text_score

    def held(self) -> int:
        """The WORD_SETS any sentence of the text holds a word of (a _mask)."""
        if self._held is None:
            self._held = reduce(or_, map(self.engine._held, self.encoded), 0)
        return self._held

    def holds(self, conds: tuple) -> bool:
        """Do these conditions on the text and the context (a rule's late_conds or some of them) all
        hold? (Each condition is judged once per call, see found.)"""
        for c in conds:  # (a loop, not all() over a generator: no frame per rule)
            if self.found(c) != c.has:
                return False
        return True


def _exact_sums(model, sentence: _Sentence) -> tuple:
    """model.sentence_sums of the sentence; its words and pairs are split once for all models."""
    split = sentence.sums.get(_SPLIT)
    if split is None:
        split = sentence.sums[_SPLIT] = split_pairs(sentence.enc)
    return model.sentence_sums(sentence.enc, split)


def _upper_sums(model, sentence: _Sentence) -> tuple:
    """model.upper_sums of the sentence (builds no pairs; reuses the words if a model split them)."""
    split = sentence.sums.get(_SPLIT)
    return model.upper_sums(sentence.enc, split[0] if split else None)


def _sentence_condition(cond: Cond, sentence: _Sentence, question: bool, held: int, plans: dict) -> bool:
    if cond.scope == "question":
        return question == cond.has
    if cond.count:
        return _reaches(plans[cond], cond.count, held,
                        lambda o: _sentence_condition(o, sentence, question, held, plans)) == cond.has
    gate = cond.gate  # (_open, written out: this runs for every woken rule's sentence conditions)
    found = (gate is None or gate.open_for(held)) and next(_scan(cond, sentence), None) is not None
    return found == cond.has


def _count_plan(cond: Cond) -> tuple:
    """For a counted condition: its options that a gate may rule out, each with the keys of its gate
    (one of which the text or sentence must hold for the gate to open), and the others."""
    gated = [o for o in cond.options
             if o.gate is not None and o.shows is None and o.scope in ("sentence", "text", "match", "near")]
    others = [o for o in cond.options if o not in gated]
    return tuple(o.gate.any for o in gated), tuple(gated), tuple(others)


def _reaches(plan: tuple, count: int, held: int, found) -> bool:
    """Do at least `count` options hold (`found` tells for one)? Options whose gate cannot open for
    `held` are not asked (their keys are tested for all options at once, in C), and asking stops as
    soon as the answer is known: a counted condition often has dozens of options."""
    masks, gated, others = plan
    maybe = list(compress(gated, map(and_, repeat(held), masks)))  # (in C: no bytecodes per option)
    maybe.extend(others)
    left = len(maybe)
    if left < count:
        return False
    for option in maybe:
        left -= 1
        if found(option):
            count -= 1
            if not count:
                return True
        if left < count:
            return False
    return False


def _text_condition(cond: Cond, late: _Late, question: bool) -> bool:
    if cond.scope == "question":
        return question == cond.has
    if cond.count:
        return late.counted(cond, lambda o: _text_condition(o, late, question)) == cond.has
    if cond.scope in ("sentence", "text", "match") and cond.shows is None and cond.scorer is None:
        # a rule without a match reads the whole text as its sentence
        return late.in_text(cond) == cond.has
    return late.found(cond) == cond.has


def _scan(pattern: Rule | Cond, sentence: _Sentence):
    """pattern.regex.finditer over the encoded sentence; in a long sentence, tried only where a
    match can begin."""
    enc = sentence.enc
    if len(enc) > _LONG_SENTENCE:
        first = pattern.first
        if first:
            starts = sentence.starts_of(first)
            if starts is not None:
                return _anchored(pattern.regex, enc, starts)
    return pattern.regex.finditer(enc)


def _search(cond: Cond, sentence: _Sentence) -> bool:
    """Does the condition's pattern match somewhere in the sentence? (In a long one, tried only where
    a match can begin: see _scan.)"""
    if len(sentence.enc) > _LONG_SENTENCE:
        return next(_scan(cond, sentence), None) is not None
    return cond.regex.search(sentence.enc) is not None


def _anchored(regex: re.Pattern, enc: str, starts: list[int]):
    """regex.finditer(enc) when a match can only begin at `starts`: the same matches, leftmost first
    and not overlapping, trying the regex at those offsets only. (Every compiled pattern begins with
    the start-of-word assertion and cannot match nothing, so no match begins anywhere else.)"""
    end = 0
    # the regex is tried at every start in C; a match inside the previous one is then passed over
    for m in filter(None, map(regex.match, repeat(enc), starts)):
        if m.start() >= end:
            yield m
            end = m.end()


def _utf16(astral: list[int], start: int, end: int) -> tuple[int, int]:
    """UTF-16 offsets, given the text's astral_positions (each such character is two code units)."""
    if not astral:
        return start, end
    return start + bisect_left(astral, start), end + bisect_left(astral, end)


_SENTENCE = itemgetter(1)  # of a (start, _Sentence) part of a text


def _pre_gates(rule: Rule, plans: dict) -> tuple | None:
    """The gates of the rule's required conditions, by what they read: (gates and counted conditions on
    the sentence or match, the same on the whole text); None when it has none. A closed gate means the
    condition cannot hold, so the rule cannot fire."""
    gates: tuple = ([], [], [], [])
    for c in rule.conditions:
        if not c.has or c.shows is not None:
            continue
        on_text = c.scope == "text"
        if not on_text and c.scope not in ("sentence", "match", "near"):
            continue
        if c.count:
            masks, gated, others = plans[c]
            if gated and len(others) < c.count:
                gates[2 * on_text + 1].append((masks, tuple(o.gate for o in gated), c.count - len(others)))
        elif c.gate is not None:
            gates[2 * on_text].append(c.gate)
    return tuple(map(tuple, gates)) if any(gates) else None


def _shut(gates: tuple, held: int, text_held: int) -> bool:
    """Can one of the rule's required conditions (_pre_gates) not hold in a sentence holding `held`
    within a text holding `text_held`?"""
    return _closed(gates[0], gates[1], held) or _closed(gates[2], gates[3], text_held)


def _closed(gates: tuple, counted: tuple, held: int) -> bool:
    """Can one of these required conditions (the gates and counted plans of one scope of _pre_gates:
    the sentence's, or the text's) not hold where the word sets `held` are?"""
    for gate in gates:
        if not gate.open_for(held):
            return True
    for plan in counted:
        if not _may_reach(plan, held):
            return True
    return False


def _languages_of(score: float) -> tuple:
    """The languages whose text rules read a whole text of this language score (both when unsure)."""
    return ("da",) if score > 0 else ("en",) if score < 0 else ("da", "en")


def _gate_key(gates: tuple | None) -> int | None:
    """A mask that word sets for which the _pre_gates `gates` may all open share a bit with (those of
    one of them): one `&` rules most texts out before _shut is called. None when there are no gates."""
    if gates is None:
        return None
    sentence_gates, sentence_counted, text_gates, text_counted = gates
    for gate in chain(sentence_gates, text_gates):
        return gate.any
    return reduce(or_, next(chain(sentence_counted, text_counted))[0], 0)


def _may_reach(plan: tuple, held: int) -> bool:
    """Are the gates of enough options of a counted condition open? plan: (their keys, their gates, how
    many must be open)."""
    masks, gates, need = plan
    for gate in compress(gates, map(and_, repeat(held), masks)):  # (see _reaches)
        if gate.open_for(held):
            need -= 1
            if not need:
                return True
    return False


def _open(cond: Cond, held: int) -> bool:
    """May a sentence holding these WORD_SETS hold a match of the condition's pattern?"""
    return cond.gate is None or cond.gate.open_for(held)


def _spans(cond: Cond, sentence: _Sentence, memo: dict) -> tuple[list[int], list[int]]:
    """Starts and ends of the condition's matches in the sentence, found once per sentence."""
    spans = memo.get(cond.pattern)
    if spans is None:
        found = list(map(_span, _scan(cond, sentence)))
        spans = memo[cond.pattern] = ([s for s, _ in found], [e for _, e in found])
    return spans


def _around(rule: Rule, held: int) -> list | None:
    """The rule's match and near conditions whose pattern may occur in a sentence holding these
    WORD_SETS; None when a required one cannot, so no match of the rule can pass."""
    if rule.veto_gate is not None and not rule.veto_gate.open_for(held):
        return []
    out = []
    for c in rule.match_conds:
        gate = c.gate
        if gate is None or gate.open_for(held):  # (_open, written out)
            out.append(c)
        elif c.has:
            return None
    return out


def _near(cond: Cond, sentence: _Sentence, memo: dict, m: re.Match) -> bool:
    """Does a match of the condition's pattern share a word with m, widened by cond.distance words?"""
    start, end = m.start(), m.end()
    if cond.distance:
        enc = sentence.enc
        for _ in range(cond.distance):
            if start:
                start = enc.rfind(" ", 0, start - 1) + 1  # start of the word before
            later = enc.find(" ", end)
            if later != -1:
                end = later + 1  # past the word after
    return _overlaps(_spans(cond, sentence, memo), start, end)


_span = re.Match.span
_WOKEN = itemgetter(0)  # of a _words entry: what the word wakes, by languages
_SETS = itemgetter(1)  # ... and the WORD_SETS it is in (a _mask)
_OUTRIGHT = itemgetter(0)  # of what a word wakes: the rules woken outright,
_TOPS = itemgetter(1)  # the highest word set each rule woken if the sentence holds more words needs (a _mask)
_GROUPS = itemgetter(2)  # and those rules by that set (_need_group, by its number + 1);
_REPEATED = itemgetter(3)  # the alternatives it wakes that need more words of their key (see _repeated);
_NEEDY = itemgetter(4)  # and all the rules woken if the sentence holds more words, not grouped,
_NEEDS = itemgetter(5)  # with their needs (for a long sentence, see _candidates)
# the language tuples a sentence is read with (Engine._languages) that include a rule's language
_LANGUAGE_TUPLES = (("da",), ("en",), ("da", "en"))

_LANGUAGE_CHOICES = {lang: tuple(t for t in _LANGUAGE_TUPLES if lang in t) for lang in ("da", "en")}
_WOKEN_FOR = {langs: methodcaller("get", langs) for langs in _LANGUAGE_TUPLES}


def _need_group(top: int, pairs: list) -> tuple:
    """(rules, needy, needs) of the rules a word wakes whose needs' highest word set is number top - 1,
    given as (rule, need mask) pairs: the rules that need that set alone (woken when the sentence holds
    it), and the others with their needs."""
    alone = 1 << (top - 1)
    return (frozenset(idx for idx, need in pairs if need == alone),
            tuple(idx for idx, need in pairs if need != alone), tuple(need for _, need in pairs if need != alone))


def _ungrouped(by_top: dict) -> tuple[tuple, tuple]:
    """(needy, needs) of all the rules a word wakes if the sentence holds more words, whatever set they
    need highest (_need_group's pairs of every top): a long sentence tests them all at once."""
    pairs = list(chain.from_iterable(by_top.values()))
    return tuple(idx for idx, _ in pairs), tuple(need for _, need in pairs)


def _repeated(repeated: list, sentence: _Sentence, held: int) -> set:
    """The rules woken through an alternative that needs `times` words of its key (Rule.repeats), given
    (word, rule, alternative, times, need) for each word of the sentence in that key: those whose key's
    words occur that often in the sentence, and which hold the other word sets it needs."""
    if len(sentence.enc) > _LONG_SENTENCE:  # (the places of its words, kept with it: counting is quadratic)
        places = sentence.positions()
        counts = [len(places[tok]) for tok, *_ in repeated]
    else:
        words = sentence.enc[:-1].split(" ")
        counts = [words.count(tok) for tok, *_ in repeated]
    seen: dict = {}
    for (_, idx, option, _, _), n in zip(repeated, counts):
        seen[idx, option] = seen.get((idx, option), 0) + n
    return {idx for _, idx, option, times, need in repeated if seen[idx, option] >= times and held & need == need}


def _overlaps(spans: tuple[list[int], list[int]], start: int, end: int) -> bool:
    """Does one of the spans share a word with the words from start to end? (Spans end with a space,
    hence -1.) The spans come in order and do not overlap, so starts and ends both rise: the last one
    that starts before `end` is the one that reaches furthest."""
    starts, ends = spans
    k = bisect_left(starts, end - 1)
    return k > 0 and ends[k - 1] - 1 > start


def _suggestions(rule: Rule, sentence: _Sentence, m: re.Match, original: str) -> tuple:
    """The rule's suggestions (it has some) for match m, captures filled in and case matched."""
    groups = {}
    for name, value in m.groupdict().items():
        if value is not None:
            s, e = sentence.original(*m.span(name))
            groups[name] = sentence.text[s:e]
        else:
            groups[name] = ""
    out = []
    for template in rule.suggestions:
        filled = _PLACEHOLDER.sub(lambda g: groups.get(g.group(1), ""), template)
        out.append(match_case(" ".join(filled.split()), original))
    return tuple(out)


def match_case(suggestion: str, original: str) -> str:
    """Give the suggestion the capitalisation of the words it replaces."""
    letters = list(filter(str.isalpha, original))  # (filter and map: the loops run in C)
    if len(letters) > 1 and all(map(str.isupper, letters)):
        return suggestion.upper()
    if letters and original.lstrip()[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


# --- the first words of a regex ------------------------------------------------------------------------


_OPEN = (None, None)  # stands for "whatever follows": the first word is no longer readable past it
_STEPS = 4000  # beyond this many steps through a regex, first_words gives up (None)
_CLASS_LIMIT = 16  # a character class of more characters than this is read as "any character"
_GAP_LIMIT = 20  # a leading gap of more words than this is read as "anywhere"
_ANY_CHARS = [(_sre.NOT_LITERAL, 32)] if _sre else None  # [^ ]


class _TooLong(Exception):
    pass


class _Reading:
    """What _first carries through a regex: its remaining steps, and whether a case-insensitive part
    was read (those first words hold only in a sentence with no upper-case letter, see starts_of)."""

    __slots__ = ("steps", "caseless")

    def __init__(self) -> None:
        self.steps = _STEPS
        self.caseless = False


def first_words(pattern: str | None) -> tuple | None:
    """(caseless, readings): every match of the compiled pattern begins `back` words before a word
    that, for one reading (back, words, prefixes, endings, digits), is one of the words, starts with
    one of the prefixes, ends with one of the endings or (digits) starts with a decimal digit. (back
    is 0 unless the pattern begins with any words: `#any ~6 knee`.) caseless: read through a
    case-insensitive part, so it holds only where the sentence has no character lower-casing changes.
    None when the regex does not say (it can begin with any number of any words...). Read from the
    parsed regex."""
    if not pattern or _sre_parse is None:
        return None
    reading = _Reading()
    try:
        parsed = _sre_parse.parse(pattern)
        items = list(parsed)
        if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE or not items or not _is_word_start(items[0]):
            return None
        found = _first(items[1:], "", reading, False)
    except Exception:  # noqa: BLE001 - an unexpected parse tree or too many alternatives
        return None
    if not found:
        return None
    readings = []
    for back in sorted({b for _, _, b in found}):
        words = frozenset(w for kind, w, b in found if kind == "w" and b == back)
        prefixes = tuple(sorted({w for kind, w, b in found if kind == "p" and b == back}))
        endings = tuple(sorted({w for kind, w, b in found if kind == "e" and b == back}))
        readings.append((back, words, prefixes, endings, ("d", "", back) in found))
    return reading.caseless, tuple(readings)


def _is_word_start(item) -> bool:
    op, av = item
    if op is _sre.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1:
        inner_op, inner_av = list(av[1])[0]
        return inner_op is _sre.NOT_LITERAL and inner_av == 32
    return False


def _chars(op, av, caseless: bool, reading: _Reading) -> set[str] | None:
    """The characters a LITERAL or a small character class (IN) can match in a sentence: with
    `caseless`, one with no upper-case letter (the regex module compares lower-cased characters, and
    a few, such as s and ſ, count as the same letter). None: too many, or unknown."""
    if op is _sre.LITERAL:
        codes = [av]
    elif op is _sre.IN:
        codes = []
        for kind, value in av:
            if kind is _sre.LITERAL:
                codes.append(value)
            elif kind is _sre.RANGE and value[1] - value[0] < _CLASS_LIMIT:
                codes.extend(range(value[0], value[1] + 1))
            else:
                return None
        if len(codes) > _CLASS_LIMIT:
            return None
    else:
        return None
    if not caseless:
        return {chr(c) for c in codes}
    if _CASES is None:
        return None
    out = set()
    for c in codes:
        if _sre_module.unicode_iscased(c):
            reading.caseless = True
            low = _sre_module.unicode_tolower(c)
            out.add(chr(low))
            out.update(map(chr, _CASES.get(low, ())))
        else:
            out.add(chr(c))
    return out


def _is_digit_class(op, av) -> bool:
    return op is _sre.IN and len(av) == 1 and av[0] == (_sre.CATEGORY, _sre.CATEGORY_DIGIT)


def _caseless_part(av) -> bool | None:
    """For a SUBPATTERN: None when it changes flags other than turning case-insensitivity on, else
    whether it does."""
    add, delete = av[1], av[2]
    if delete or add & ~_sre.SRE_FLAG_IGNORECASE:
        return None
    return bool(add)


def _first(seq: list, prefix: str, reading: _Reading, caseless: bool, back: int = 0) -> set | None:
    """_read_first; when the first word cannot be read but surely ends at a space of `seq` (it is one
    word, whatever its letters: `/[a-z]+s/ (sister | brother)`), the next word is read instead, one
    more word back."""
    found = _read_first(seq, prefix, reading, caseless, back)
    if found is None and not prefix and back < _GAP_LIMIT:
        for k, item in enumerate(seq):
            if item == (_sre.LITERAL, 32):
                off = any(i[0] is _CASE_OFF for i in seq[:k])
                return _first(seq[k + 1:], "", reading, caseless and not off, back + 1)
            if not _spaceless(item):
                break
    return found


def _spaceless(item) -> bool:
    """Can this part of a parsed regex never match a space?"""
    op, av = item
    if item is _OPEN:
        return False
    if op is _CASE_OFF or op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
        return True  # (zero width)
    if op is _sre.LITERAL:
        return av != 32
    if op is _sre.NOT_LITERAL:
        return av == 32
    if op is _sre.IN:
        negated = av[:1] == [(_sre.NEGATE, None)]
        has_space = False
        for kind, value in av[negated:]:
            if kind is _sre.LITERAL:
                has_space = has_space or value == 32
            elif kind is _sre.RANGE:
                has_space = has_space or value[0] <= 32 <= value[1]
            elif not (kind is _sre.CATEGORY and value in (_sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD)):
                return False
        return has_space if negated else not has_space
    if op in _REPEATS:
        return all(map(_spaceless, av[2]))
    if op is _sre.SUBPATTERN:
        return all(map(_spaceless, av[3]))
    if op is _sre.BRANCH:
        return all(all(map(_spaceless, alt)) for alt in av[1])
    return False


def _read_first(seq: list, prefix: str, reading: _Reading, caseless: bool, back: int = 0) -> set | None:
    """Possible first words of a match of `seq` begun at a word start, `prefix` letters already read and
    `back` words (any words) passed over: a set of (kind, letters, back): ("w", word) the whole word,
    ("p", letters) a word starting with them, ("e", letters) a word ending with them, ("d", "") a word
    starting with a decimal digit; or None."""
    reading.steps -= 1
    if reading.steps < 0:
        raise _TooLong
    for i, item in enumerate(seq):
        op, av = item
        if item is _OPEN:
            break
        rest = seq[i + 1:]
        if op is _sre.LITERAL and av == 32:
            return {("w", prefix, back)} if prefix else None
        if op is _sre.LITERAL or op is _sre.IN:
            if not prefix and _is_digit_class(op, av):
                return {("d", "", back)}
            chars = _chars(op, av, caseless, reading)
            if chars is None or " " in chars:
                break
            if len(chars) == 1:
                prefix += next(iter(chars))
                continue
            return _union([_first(rest, prefix + c, reading, caseless, back) for c in sorted(chars)])
        if op is _sre.SUBPATTERN:
            part = _caseless_part(av)
            if part is None:
                break
            if part and not caseless:  # (?i:...): read it case-insensitively, then go on as before
                return _first(list(av[3]) + [(_CASE_OFF, None)] + rest, prefix, reading, True, back)
            return _first(list(av[3]) + rest, prefix, reading, caseless, back)
        if op is _CASE_OFF:
            caseless = False
            continue
        if op is _sre.BRANCH:
            return _union([_first(list(alt) + rest, prefix, reading, caseless, back) for alt in av[1]])
        if op in _REPEATS:
            low, high, body = av
            body = list(body)
            if not prefix:
                if body == _ANY_CHARS and low == 1 and high == _sre.MAXREPEAT and rest[:1] == [(_sre.LITERAL, 32)]:
                    # [^ ]+ and a space: any one word; what follows tells where the match can begin
                    return _first(rest[1:], "", reading, caseless, back + 1)
                if _is_any_word(body) and high <= _GAP_LIMIT:  # a gap of low to high words
                    return _union([_first(rest, "", reading, caseless, back + n) for n in range(low, high + 1)])
                if body == _ANY_CHARS and low == 0 and high == _sre.MAXREPEAT:
                    # [^ ]* at a word start: a word ending with what follows up to the space
                    ends = _endings(rest, "", reading, caseless)
                    return None if ends is None or "" in ends else {("e", e, back) for e in ends}
            options = []
            if low == 0:
                options.append(_first(rest, prefix, reading, caseless, back))
            if high != 0:
                options.append(_first(body + [_OPEN], prefix, reading, caseless, back))
            return _union(options)
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero width: it can only rule matches out
        break
    return {("p", prefix, back)} if prefix else None


def _is_any_word(body: list) -> bool:
    """Is this `[^ ]+ ` (one word, whatever it is)?"""
    if len(body) != 2 or body[1] != (_sre.LITERAL, 32) or body[0][0] not in _REPEATS:
        return False
    low, high, inner = body[0][1]
    return low == 1 and high == _sre.MAXREPEAT and list(inner) == _ANY_CHARS


def _endings(seq: list, tail: str, reading: _Reading, caseless: bool) -> set[str] | None:
    """The letters `seq` can read up to the next space (it must reach one), or None."""
    reading.steps -= 1
    if reading.steps < 0:
        raise _TooLong
    for i, item in enumerate(seq):
        op, av = item
        rest = seq[i + 1:]
        if op is _sre.LITERAL and av == 32:
            return {tail}
        if op is _sre.LITERAL or op is _sre.IN:
            chars = _chars(op, av, caseless, reading)
            if chars is None or " " in chars:
                return None
            if len(chars) == 1:
                tail += next(iter(chars))
                continue
            return _union([_endings(rest, tail + c, reading, caseless) for c in sorted(chars)])
        if op is _sre.SUBPATTERN:
            part = _caseless_part(av)
            if part is None:
                return None
            if part and not caseless:
                return _endings(list(av[3]) + [(_CASE_OFF, None)] + rest, tail, reading, True)
            return _endings(list(av[3]) + rest, tail, reading, caseless)
        if op is _CASE_OFF:
            caseless = False
            continue
        if op is _sre.BRANCH:
            return _union([_endings(list(alt) + rest, tail, reading, caseless) for alt in av[1]])
        if op in _REPEATS and av[0] == 0 and av[1] == 1:
            return _union([_endings(rest, tail, reading, caseless),
                           _endings(list(av[2]) + rest, tail, reading, caseless)])
        if op in (_sre.ASSERT, _sre.ASSERT_NOT):
            continue
        return None
    return None


def _union(options: list) -> set | None:
    out: set = set()
    for option in options:
        if option is None:
            return None
        out |= option
    return out

"""The matcher that runs compiled rules on a comment.

Ships unchanged inside every bundle (standard library only, runs in Pyodide). The generated
`rules.py` next to it holds the data: rules whose patterns are regular expressions over the
*encoded* sentence (its words, lower-cased, each followed by one space) and an index from a rare
word of each rule to the rule, so a comment only wakes the few rules whose key word it contains.

Speed (see docs/benchmarks.md): sentences are cached by their text, so a keystroke only matches the
sentence it changed; a woken rule is skipped without running its regex when the sentence lacks one of
the whole words every match of the rule contains (`required_words`); everything computed over the
whole text (conditions, language, UTF-16 offsets) is linear in its length.
"""

from __future__ import annotations

import re
from bisect import bisect_left

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

try:  # the regex parser of the standard library: private, so the pre-filter is optional
    import re._constants as _sre
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover - Python < 3.11
    _sre = _sre_parse = None

SEVERITY_RANK = {"alert": 0, "warning": 1, "suggestion": 2}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Sentences kept, least recently used dropped first. Enough for a 50,000-character text, so typing in
# it never evicts the sentences it still has.
_CACHE_LIMIT = 4096
# In a sentence longer than this (encoded characters) a regex is tried only where one of the words a
# match can begin with stands, instead of at every word: a pasted text with no full stops is one long
# sentence that wakes nearly every rule.
_LONG_SENTENCE = 400


class Cond:
    """A condition: scope is match, sentence, text, context or question; has=False means 'unless'."""

    __slots__ = ("scope", "has", "pattern", "shows", "_re", "_first")

    def __init__(self, scope: str, has: bool, pattern: str | None = None, shows: str | None = None):
        self.scope = scope
        self.has = has
        self.pattern = pattern
        self.shows = shows
        self._re = None
        self._first = False

    @property
    def regex(self) -> re.Pattern:
        if self._re is None:
            self._re = re.compile(self.pattern)
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
        "_required", "_first",
    )

    def __init__(self, id: str, category: str, severity: str, lang: str, source: str, guidance: list,
                 match: str | None, conditions: tuple = (), once: bool = False, messages: dict | None = None,
                 suggestions: tuple = (), resources: tuple = ()):
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
        self._re = None
        self._required = None
        self._first = False  # not worked out yet (None: unknown)
        # Conditions that only need the sentence are checked once per sentence and cached with it;
        # conditions on the whole text or the context are checked per call.
        self.match_conds = tuple(c for c in conditions if c.scope == "match")
        self.sentence_conds = tuple(c for c in conditions if c.scope in ("sentence", "question"))
        self.late_conds = tuple(c for c in conditions if c.scope in ("text", "context"))

    @property
    def regex(self) -> re.Pattern:
        if self._re is None:  # compiled on first use: start-up stays fast however many rules there are
            self._re = re.compile(self.match)
        return self._re

    @property
    def required(self) -> frozenset:
        """Words every match contains (see required_words); worked out the first time the rule wakes."""
        if self._required is None:
            self._required = required_words(self.match)
        return self._required

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

    __slots__ = ("text", "enc", "words_score", "danish_letters", "hits", "found", "_spans", "_starts", "_ends",
                 "_positions", "_sorted")

    def __init__(self, text: str):
        self.text = text
        self.enc = encode(text)
        # The encoded tokens are the sentence's words (text.words), so this is language_score's
        # word part without splitting the sentence a second time.
        self.words_score = word_score(self.enc[:-1].split(" ")) if self.enc else 0
        self.danish_letters = has_danish_letters(text)
        self.hits: dict = {}
        self.found: dict = {}  # condition -> does its regex match this sentence (text conditions)
        self._spans = None
        self._positions = None

    def positions(self) -> dict:
        """Where each distinct word starts in the encoded sentence (for long sentences)."""
        if self._positions is None:
            index: dict = {}
            pos = 0
            for tok in self.enc[:-1].split(" "):
                index.setdefault(tok, []).append(pos)
                pos += len(tok) + 1
            self._positions = index
            self._sorted = sorted(index)
        return self._positions

    def starts_of(self, first: tuple) -> list[int]:
        """Sorted offsets of the words that are in first[0] or start with one of first[1]."""
        index = self.positions()
        words, prefixes = first
        out = []
        for word in words & index.keys():
            out.extend(index[word])
        if prefixes:
            ordered = self._sorted  # words sharing a prefix stand together in sorted order
            for prefix in prefixes:
                i = bisect_left(ordered, prefix)
                while i < len(ordered) and ordered[i].startswith(prefix):
                    out.extend(index[ordered[i]])
                    i += 1
        return sorted(set(out))

    @property
    def score(self) -> int:
        """text.language_score of the sentence."""
        return self.words_score + (2 if self.danish_letters else 0)

    def _build(self) -> None:
        self._spans = token_spans(self.text)
        self._starts = {}
        self._ends = {}
        pos = 0
        for i, tok in enumerate(self.enc[:-1].split(" ")):
            self._starts[pos] = i
            self._ends[pos + len(tok)] = i
            pos += len(tok) + 1

    def original(self, enc_start: int, enc_end: int) -> tuple[int, int]:
        """Original offsets of the tokens between two encoded offsets (enc_end may include the space)."""
        if self._spans is None:
            self._build()
        if self.enc[enc_end - 1: enc_end] == " ":
            enc_end -= 1
        first = self._starts[enc_start]
        last = self._ends[enc_end]
        return self._spans[first][0], self._spans[last][1]


class Engine:
    def __init__(self, rules: tuple, word_index: dict, prefix_index: dict, number_rules: tuple,
                 always_rules: tuple, text_rules: tuple, resources: dict):
        self.rules = rules
        self.word_index = word_index
        self.prefix_index = prefix_index
        self.prefix_lengths = tuple(sorted({len(p) for p in prefix_index}))
        # Prefixes grouped by their first (shortest prefix length) letters: one lookup per word finds
        # the few prefixes it may start with, however many prefix lengths there are.
        self._prefix_groups: dict = {}
        for prefix, ids in prefix_index.items():
            self._prefix_groups.setdefault(prefix[: self.prefix_lengths[0]], []).append((prefix, ids))
        self.number_rules = number_rules
        self.always_rules = always_rules
        self.text_rules = text_rules
        # A rule that needs something in the context (`when context has/shows`) cannot fire without one.
        self._text_rules_alone = tuple(
            i for i in text_rules if not any(c.scope == "context" and c.has for c in rules[i].conditions))
        self.resources = resources
        self._cache: dict = {}

    # --- public --------------------------------------------------------------------------------------

    def annotate(self, text: str, lang: str | None = None, context: str | None = None,
                 categories=None, country: str | None = None) -> list[dict]:
        if lang not in (None, "da", "en"):
            raise ValueError(f"lang must be 'da', 'en' or None, not {lang!r}")
        cats = frozenset(categories) if categories is not None else None
        return self._hints(text, self._found(text, lang, context, cats), country)

    def _found(self, text: str, lang: str | None, context: str | None, cats, in_text: dict | None = None) -> list:
        """The hits of a call, before they become hints: (rule index, start, end, suggestions).
        `in_text`: what conditions found in this same text, when an outer call on it already looked."""
        found = []
        encoded = []  # the sentences, for conditions on the whole text
        previous = None
        words_score = 0
        danish_letters = False
        for start, end in sentences(text):
            sentence = self._sentence(text[start:end])
            langs, previous = self._languages(sentence, lang, previous)
            hits = self._sentence_hits(sentence, langs, cats)
            encoded.append(sentence)
            words_score += sentence.words_score
            danish_letters = danish_letters or sentence.danish_letters
            for idx, s, e, sugg in hits:
                found.append((idx, start + s, start + e, sugg))
        late = _Late(self, text, encoded, context, in_text)
        found = [h for h in found if late.passes(self.rules[h[0]])]
        # Sentences hold every word of the text and every Danish letter, so their evidence adds up
        # to text.language_score(text).
        text_score = words_score + (2 if danish_letters else 0)
        found.extend(self._text_rule_hits(text, lang, cats, late, text_score))
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

    def _sentence_hits(self, sentence: _Sentence, langs: tuple, cats) -> list:
        key = (langs, cats)
        hits = sentence.hits.get(key)
        if hits is not None:
            return hits
        if cats is not None:
            everything = sentence.hits.get((langs, None))
            if everything is not None:  # a rule's hits do not depend on the categories asked for
                hits = sentence.hits[key] = [h for h in everything if self.rules[h[0]].category in cats]
                return hits
        hits = []
        enc = sentence.enc
        if enc:
            text = sentence.text
            question = None
            tokens = None
            vetoes: dict = {}
            for idx in self._candidates(enc):
                rule = self.rules[idx]
                if rule.lang not in langs or (cats is not None and rule.category not in cats):
                    continue
                required = rule.required
                if required:
                    if tokens is None:
                        tokens = set(enc[:-1].split(" "))
                    if not required <= tokens:
                        continue  # its regex cannot match: a word it needs is missing
                matches = _scan(rule, sentence)
                if rule.sentence_conds:
                    # Conditions only filter, so they are checked after the match: most woken rules do
                    # not match, and a condition is often a longer regex than the match.
                    first = next(matches, None)
                    if first is None:
                        continue
                    if question is None:
                        question = is_question(text)
                    if not all(_sentence_condition(c, sentence, question) for c in rule.sentence_conds):
                        continue
                    matches = _chain(first, matches)
                for m in matches:
                    if rule.match_conds and any(_overlaps(_spans(c, sentence, vetoes), m) for c in rule.match_conds):
                        continue
                    s, e = sentence.original(m.start(), m.end())
                    hits.append((idx, s, e, _suggestions(rule, sentence, m, text[s:e])))
        sentence.hits[key] = hits
        return hits

    def _candidates(self, enc: str) -> list[int]:
        found = set(self.always_rules)
        index = self.word_index
        tokens = enc[:-1].split(" ")
        for tok in tokens:
            hit = index.get(tok)
            if hit:
                found.update(hit)
        if self.prefix_lengths:
            groups = self._prefix_groups
            shortest = self.prefix_lengths[0]
            for tok in set(tokens):
                group = groups.get(tok[:shortest])
                if group:
                    for prefix, ids in group:
                        if tok.startswith(prefix):
                            found.update(ids)
        if self.number_rules and any(t[:1].isdigit() for t in tokens):
            found.update(self.number_rules)
        return sorted(found)

    def _text_rule_hits(self, text: str, lang: str | None, cats, late: _Late, text_score: int) -> list:
        text_rules = self.text_rules if late.context else self._text_rules_alone
        if not text_rules or not text.strip():
            return []
        if lang:
            langs = (lang,)
        else:
            # A reply such as "❤️" gives no sign of its language: take the one of the text it answers.
            score = text_score or (language_score(late.context) if late.context else 0)
            langs = ("da",) if score > 0 else ("en",) if score < 0 else ("da", "en")
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        hits = []
        categories_done: set = set()
        question = is_question(text)
        for idx in text_rules:
            rule = self.rules[idx]
            if rule.lang not in langs or (cats is not None and rule.category not in cats):
                continue
            if rule.category in categories_done:
                continue  # still unsure of the language: one hint per category, not one per language
            if all(_text_condition(c, late, question) for c in rule.conditions):
                hits.append((idx, start, end, tuple(rule.suggestions)))
                categories_done.add(rule.category)
        return hits

    def _hints(self, text: str, found: list, country: str | None) -> list[dict]:
        seen = set()
        once_done = set()
        astral = astral_positions(text)  # each one is two UTF-16 code units
        hints = []
        found.sort(key=lambda h: (h[1], h[2], SEVERITY_RANK.get(self.rules[h[0]].severity, 3), self.rules[h[0]].id))
        for idx, start, end, sugg in found:
            rule = self.rules[idx]
            if (idx, start, end) in seen or idx in once_done:
                continue
            seen.add((idx, start, end))
            if rule.once:
                once_done.add(idx)
            hints.append({
                "rule": rule.id,
                "category": rule.category,
                "severity": rule.severity,
                "start": start,
                "end": end,
                "start_utf16": start + bisect_left(astral, start) if astral else start,
                "end_utf16": end + bisect_left(astral, end) if astral else end,
                "text": text[start:end],
                "message": dict(rule.messages),
                "suggestions": list(sugg),
                "resources": self._resources(rule, country),
                "source": rule.source,
                "guidance": list(rule.guidance),
            })
        return hints

    def _resources(self, rule: Rule, country: str | None) -> list[dict]:
        chosen = [self.resources[r] for r in rule.resources]
        if country:
            local = [r for r in chosen if country.upper() in r["countries"]]
            chosen = local or chosen  # no line for that country: better all than none
        return [dict(r) for r in chosen]

    def shows(self, context: str, category: str) -> bool:
        """Does the context (the text replied to) trigger a rule of this category? (Every hit becomes a
        hint of its rule's category, so the hits answer without building the hints.)"""
        return bool(self._found(context, None, None, frozenset((category,))))


class _Late:
    """Conditions on the whole text and on the context, computed at most once per call."""

    def __init__(self, engine: Engine, text: str, encoded: list[_Sentence], context: str | None,
                 in_text: dict | None = None):
        self.engine = engine
        self.text = text
        self.encoded = encoded
        self.context = context
        self._context_enc = None
        self._shows: dict = {}
        # condition -> found in the text: each searched once per call, `text shows` included
        self._in_text: dict = {} if in_text is None else in_text
        self._in_context: dict = {}

    def context_encoded(self) -> list[str]:
        if self._context_enc is None:
            ctx = self.context or ""
            self._context_enc = [encode(ctx[s:e]) for s, e in sentences(ctx)]
        return self._context_enc

    def found(self, cond: Cond) -> bool:
        if cond.shows is not None:
            source = self.text if cond.scope == "text" else self.context
            if not source:
                return False
            key = (cond.scope, cond.shows)
            if key not in self._shows:
                if cond.scope == "text":  # the same text again: share what its conditions found
                    hits = self.engine._found(source, None, None, frozenset((cond.shows,)), self._in_text)
                    self._shows[key] = bool(hits)
                else:
                    self._shows[key] = self.engine.shows(source, cond.shows)
            return self._shows[key]
        if cond.scope == "text":
            return self.in_text(cond)
        hit = self._in_context.get(cond)
        if hit is None:
            hit = self._in_context[cond] = any(cond.regex.search(enc) for enc in self.context_encoded())
        return hit

    def in_text(self, cond: Cond) -> bool:
        hit = self._in_text.get(cond)
        if hit is None:
            # each sentence remembers what it held, so typing in a long text searches one sentence again
            hit = False
            for sentence in self.encoded:
                held = sentence.found.get(cond)
                if held is None:
                    held = sentence.found[cond] = cond.regex.search(sentence.enc) is not None
                if held:
                    hit = True
                    break
            self._in_text[cond] = hit
        return hit

    def passes(self, rule: Rule) -> bool:
        return all(self.found(c) == c.has for c in rule.late_conds)


def _sentence_condition(cond: Cond, sentence: _Sentence, question: bool) -> bool:
    if cond.scope == "question":
        return question == cond.has
    return (next(_scan(cond, sentence), None) is not None) == cond.has  # regex.search, found or not


def _text_condition(cond: Cond, late: _Late, question: bool) -> bool:
    if cond.scope == "question":
        return question == cond.has
    if cond.scope in ("sentence", "text", "match") and cond.shows is None:
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
            return _anchored(pattern.regex, enc, sentence.starts_of(first))
    return pattern.regex.finditer(enc)


def _anchored(regex: re.Pattern, enc: str, starts: list[int]):
    """regex.finditer(enc) when a match can only begin at `starts`: the same matches, leftmost first
    and not overlapping, trying the regex at those offsets only. (Every compiled pattern begins with
    the start-of-word assertion and cannot match nothing, so no match begins anywhere else.)"""
    end = 0
    for p in starts:
        if p < end:
            continue
        m = regex.match(enc, p)
        if m is not None:
            yield m
            end = m.end()


def _chain(first: re.Match, rest):
    yield first
    yield from rest


def _spans(cond: Cond, sentence: _Sentence, memo: dict) -> tuple[list[int], list[int]]:
    """Starts and ends of the condition's matches in the sentence, found once per sentence."""
    spans = memo.get(cond)
    if spans is None:
        starts, ends = [], []
        for u in _scan(cond, sentence):
            starts.append(u.start())
            ends.append(u.end())
        spans = memo[cond] = (starts, ends)
    return spans


def _overlaps(spans: tuple[list[int], list[int]], m: re.Match) -> bool:
    """Does a match of an `unless:` pattern share a word with m? (Spans end with a space, hence -1.)
    The matches come in order and do not overlap, so starts and ends both rise: the last one that
    starts before m ends is the one that reaches furthest."""
    starts, ends = spans
    k = bisect_left(starts, m.end() - 1)
    return k > 0 and ends[k - 1] - 1 > m.start()


def _suggestions(rule: Rule, sentence: _Sentence, m: re.Match, original: str) -> tuple:
    if not rule.suggestions:
        return ()
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
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if letters and original.lstrip()[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion


# --- pre-filter ---------------------------------------------------------------------------------------


def required_words(pattern: str | None) -> frozenset:
    """Whole words that every match of a compiled pattern contains, read from its parsed regex.

    A run of literal characters that starts where a word starts (after a literal space, after a part
    that always ends with a space, or after the start-of-word assertion the compiler puts first) and
    ends with a literal space is one token of the encoded sentence that the match must contain. Any
    part the walk does not follow ends the run, so the set can only be too small: a rule is never
    skipped when its regex could match. Case-insensitive parts (user /regexes/) are never read."""
    if not pattern or _sre_parse is None:
        return frozenset()
    try:
        parsed = _sre_parse.parse(pattern)
        if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE:
            return frozenset()
        out: set = set()
        _walk(list(parsed), None, out)  # not known to start a word until the (?<![^ ]) that begins it
        return frozenset(out)
    except Exception:  # noqa: BLE001 - an unexpected parse tree: no pre-filter for this rule
        return frozenset()


def _walk(items: list, run: str | None, out: set) -> str | None:
    """`run`: the literal text since the last word start, or None when not known to be at one."""
    for op, av in items:
        if op is _sre.LITERAL:
            if av == 32:
                if run:
                    out.add(run)
                run = ""
            elif run is not None:
                run += chr(av)
        elif op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group without flags: read through it
            run = _walk(list(av[3]), run, out)
        else:
            run = "" if _ends_at_word_start(op, av, run == "") else None
    return run


def _ends_at_word_start(op, av, at_start: bool) -> bool:
    """After this part, is the position surely the start of a word (or of the sentence)?"""
    if op is _sre.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1:
        inner_op, inner_av = list(av[1])[0]
        if inner_op is _sre.NOT_LITERAL and inner_av == 32:  # (?<![^ ]): preceded by a space or nothing
            return True
    if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
        return at_start  # zero width
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)):
        low, high, body = av
        if high == 0:
            return at_start
        return _seq_ends_at_word_start(list(body), False) and (low >= 1 or at_start)
    if op is _sre.BRANCH:
        return all(_seq_ends_at_word_start(list(alt), at_start) for alt in av[1])
    if op is _sre.SUBPATTERN:
        return _seq_ends_at_word_start(list(av[3]), at_start)
    if op is getattr(_sre, "ATOMIC_GROUP", None):
        return _seq_ends_at_word_start(list(av), at_start)
    return False


def _seq_ends_at_word_start(items: list, at_start: bool) -> bool:
    for op, av in items:
        at_start = av == 32 if op is _sre.LITERAL else _ends_at_word_start(op, av, at_start)
    return at_start


_OPEN = (None, None)  # stands for "whatever follows": the first word is no longer readable past it
_STEPS = 4000  # beyond this many steps through a regex, first_words gives up (None)


class _TooLong(Exception):
    pass


def first_words(pattern: str | None) -> tuple | None:
    """(words, prefixes) such that the first word of every match of the compiled pattern is one of
    the words or starts with one of the prefixes; None when the regex does not say (it starts with a
    number, a case-insensitive part, any word...). Read from the parsed regex like required_words."""
    if not pattern or _sre_parse is None:
        return None
    try:
        parsed = _sre_parse.parse(pattern)
        items = list(parsed)
        if parsed.state.flags & _sre.SRE_FLAG_IGNORECASE or not items or not _is_word_start(items[0]):
            return None
        found = _first(items[1:], "", [_STEPS])
    except Exception:  # noqa: BLE001 - an unexpected parse tree or too many alternatives
        return None
    if found is None:
        return None
    words = frozenset(w for kind, w in found if kind == "w")
    prefixes = tuple(sorted({w for kind, w in found if kind == "p"}))
    return words, prefixes


def _is_word_start(item) -> bool:
    op, av = item
    if op is _sre.ASSERT_NOT and av[0] == -1 and len(av[1]) == 1:
        inner_op, inner_av = list(av[1])[0]
        return inner_op is _sre.NOT_LITERAL and inner_av == 32
    return False


def _first(seq: list, prefix: str, steps: list) -> set | None:
    """Possible first words of a match of `seq` begun at a word start, `prefix` letters already read:
    a set of ("w", word) (the whole word) and ("p", letters) (a word starting with them), or None."""
    steps[0] -= 1
    if steps[0] < 0:
        raise _TooLong
    for i, item in enumerate(seq):
        op, av = item
        if item is _OPEN:
            break
        if op is _sre.LITERAL:
            if av == 32:
                return {("w", prefix)} if prefix else None
            prefix += chr(av)
            continue
        rest = seq[i + 1:]
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:
            return _first(list(av[3]) + rest, prefix, steps)
        if op is _sre.BRANCH:
            return _union([_first(list(alt) + rest, prefix, steps) for alt in av[1]])
        if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT, getattr(_sre, "POSSESSIVE_REPEAT", _sre.MAX_REPEAT)):
            low, high, body = av
            options = []
            if low == 0:
                options.append(_first(rest, prefix, steps))
            if high != 0:
                options.append(_first(list(body) + [_OPEN], prefix, steps))
            return _union(options)
        if op in (_sre.ASSERT, _sre.ASSERT_NOT, _sre.AT):
            continue  # zero width: it can only rule matches out
        break
    return {("p", prefix)} if prefix else None


def _union(options: list) -> set | None:
    out: set = set()
    for option in options:
        if option is None:
            return None
        out |= option
    return out

"""The matcher that runs compiled rules on a comment.

Ships unchanged inside every bundle (standard library only, runs in Pyodide). The generated
`rules.py` next to it holds the data: rules whose patterns are regular expressions over the
*encoded* sentence (its words, lower-cased, each followed by one space) and an index from a rare
word of each rule to the rule, so a comment only wakes the few rules whose key word it contains.
"""

from __future__ import annotations

import re

from .text import encode, is_question, language_score, sentences, token_spans, utf16_offsets

SEVERITY_RANK = {"alert": 0, "warning": 1, "suggestion": 2}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CACHE_LIMIT = 2048


class Cond:
    """A condition: scope is match, sentence, text, context or question; has=False means 'unless'."""

    __slots__ = ("scope", "has", "pattern", "shows", "_re")

    def __init__(self, scope: str, has: bool, pattern: str | None = None, shows: str | None = None):
        self.scope = scope
        self.has = has
        self.pattern = pattern
        self.shows = shows
        self._re = None

    @property
    def regex(self) -> re.Pattern:
        if self._re is None:
            self._re = re.compile(self.pattern)
        return self._re


class Rule:
    __slots__ = (
        "id", "category", "severity", "lang", "source", "guidance", "match", "conditions", "once",
        "messages", "suggestions", "resources", "_re", "sentence_conds", "late_conds", "match_conds",
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


class _Sentence:
    """One sentence, encoded, with a map from encoded offsets back to the original text."""

    __slots__ = ("text", "enc", "_spans", "_starts", "_ends")

    def __init__(self, text: str):
        self.text = text
        self.enc = encode(text)
        self._spans = None

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
        self.number_rules = number_rules
        self.always_rules = always_rules
        self.text_rules = text_rules
        self.resources = resources
        self._cache: dict = {}

    # --- public --------------------------------------------------------------------------------------

    def annotate(self, text: str, lang: str | None = None, context: str | None = None,
                 categories=None, country: str | None = None) -> list[dict]:
        if lang not in (None, "da", "en"):
            raise ValueError(f"lang must be 'da', 'en' or None, not {lang!r}")
        cats = frozenset(categories) if categories is not None else None
        found = []  # (rule index, start, end, suggestions)
        encoded = []  # encoded sentences, for conditions on the whole text
        previous = None
        for start, end in sentences(text):
            sentence_text = text[start:end]
            langs, previous = self._languages(sentence_text, lang, previous)
            sentence, hits = self._sentence_hits(sentence_text, langs, cats)
            encoded.append(sentence.enc)
            for idx, s, e, sugg in hits:
                found.append((idx, start + s, start + e, sugg))
        late = _Late(self, text, encoded, context)
        found = [h for h in found if late.passes(self.rules[h[0]])]
        found.extend(self._text_rule_hits(text, lang, cats, late))
        return self._hints(text, found, country)

    # --- steps ---------------------------------------------------------------------------------------

    @staticmethod
    def _languages(sentence: str, lang: str | None, previous: tuple | None) -> tuple[tuple, tuple | None]:
        """Languages whose rules read this sentence. Decided from this sentence and the ones before it
        only, so hints for a sentence do not change as the user types the next one."""
        if lang:
            return (lang,), previous
        score = language_score(sentence)
        if score > 0:
            return ("da",), ("da",)
        if score < 0:
            return ("en",), ("en",)
        return (previous or ("da", "en")), previous

    def _sentence_hits(self, text: str, langs: tuple, cats) -> tuple[_Sentence, list]:
        key = (text, langs, cats)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        sentence = _Sentence(text)
        hits = []
        if sentence.enc:
            question = None
            for idx in self._candidates(sentence.enc):
                rule = self.rules[idx]
                if rule.lang not in langs or (cats is not None and rule.category not in cats):
                    continue
                if rule.sentence_conds:
                    if question is None:
                        question = is_question(text)
                    if not all(_sentence_condition(c, sentence.enc, question) for c in rule.sentence_conds):
                        continue
                for m in rule.regex.finditer(sentence.enc):
                    if any(_overlaps(c.regex, sentence.enc, m) for c in rule.match_conds):
                        continue
                    s, e = sentence.original(m.start(), m.end())
                    hits.append((idx, s, e, _suggestions(rule, sentence, m, text[s:e])))
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[key] = (sentence, hits)
        return sentence, hits

    def _candidates(self, enc: str) -> list[int]:
        found = set(self.always_rules)
        index = self.word_index
        tokens = enc[:-1].split(" ")
        for tok in tokens:
            hit = index.get(tok)
            if hit:
                found.update(hit)
        if self.prefix_lengths:
            prefixes = self.prefix_index
            for tok in set(tokens):
                for n in self.prefix_lengths:
                    if n > len(tok):
                        break
                    hit = prefixes.get(tok[:n])
                    if hit:
                        found.update(hit)
        if self.number_rules and any(t[:1].isdigit() for t in tokens):
            found.update(self.number_rules)
        return sorted(found)

    def _text_rule_hits(self, text: str, lang: str | None, cats, late: _Late) -> list:
        if not self.text_rules or not text.strip():
            return []
        if lang:
            langs = (lang,)
        else:
            # A reply such as "❤️" gives no sign of its language: take the one of the text it answers.
            score = language_score(text) or (language_score(late.context) if late.context else 0)
            langs = ("da",) if score > 0 else ("en",) if score < 0 else ("da", "en")
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        hits = []
        categories_done: set = set()
        question = is_question(text)
        for idx in self.text_rules:
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
        units = utf16_offsets(text)
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
                "start_utf16": units[start] if units else start,
                "end_utf16": units[end] if units else end,
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
        """Does the context (the text replied to) trigger a rule of this category?"""
        return any(h["category"] == category for h in self.annotate(context, categories=(category,)))


class _Late:
    """Conditions on the whole text and on the context, computed at most once per call."""

    def __init__(self, engine: Engine, text: str, encoded: list[str], context: str | None):
        self.engine = engine
        self.text = text
        self.encoded = encoded
        self.context = context
        self._context_enc = None
        self._shows: dict = {}

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
                self._shows[key] = self.engine.shows(source, cond.shows)
            return self._shows[key]
        encs = self.encoded if cond.scope == "text" else self.context_encoded()
        return any(cond.regex.search(enc) for enc in encs)

    def passes(self, rule: Rule) -> bool:
        return all(self.found(c) == c.has for c in rule.late_conds)


def _sentence_condition(cond: Cond, enc: str, question: bool) -> bool:
    if cond.scope == "question":
        return question == cond.has
    return bool(cond.regex.search(enc)) == cond.has


def _text_condition(cond: Cond, late: _Late, question: bool) -> bool:
    if cond.scope == "question":
        return question == cond.has
    if cond.scope in ("sentence", "text", "match") and cond.shows is None:
        # a rule without a match reads the whole text as its sentence
        return any(cond.regex.search(enc) for enc in late.encoded) == cond.has
    return late.found(cond) == cond.has


def _overlaps(regex: re.Pattern, enc: str, m: re.Match) -> bool:
    for u in regex.finditer(enc):
        if u.start() < m.end() - 1 and m.start() < u.end() - 1:
            return True
        if u.start() >= m.end():
            return False
    return False


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

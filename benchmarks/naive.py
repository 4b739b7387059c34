"""A naive reference matcher over a compiled bundle's rules: every rule's regex on every sentence.

Two jobs: it is the "naive engine" peer of the benchmark (no word index, no per-sentence cache), and
it is the reference that tests/test_engine_equivalence.py compares the shipped engine with, so it is
written for plainness, not speed, and shares no matching code with compiler/runtime/engine.py: it
reads only the rule data (RULES, RESOURCES) and the text primitives (words, sentences, language) of
the bundle. Standard library only, so it also runs inside Pyodide.
"""

from __future__ import annotations

import bisect
import re
from types import ModuleType

_RANK = {"alert": 0, "warning": 1, "suggestion": 2}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class NaiveEngine:
    def __init__(self, bundle: ModuleType):
        self.rules = bundle.RULES
        self.resources = bundle.RESOURCES
        self.models = bundle.MODELS  # the text scorers (`when text scores`), read with their own score()
        self.text = bundle.text  # the bundle's own word/sentence primitives (the semantics under test)
        self._compiled: dict[str, re.Pattern] = {}

    def _re(self, pattern: str) -> re.Pattern:
        rx = self._compiled.get(pattern)
        if rx is None:
            rx = self._compiled[pattern] = re.compile(pattern)
        return rx

    def annotate(self, text: str, lang: str | None = None, context: str | None = None,
                 categories=None, country: str | None = None, text_rules: bool = True) -> list[dict]:
        t = self.text
        cats = None if categories is None else set(categories)
        hits = []  # (rule index, start, end, suggestions)
        encoded = []
        previous = None
        for start, end in t.sentences(text):
            piece = text[start:end]
            if lang:
                langs = (lang,)
            else:
                score = t.language_score(piece)
                if score > 0:
                    langs = previous = ("da",)
                elif score < 0:
                    langs = previous = ("en",)
                else:
                    langs = previous or ("da", "en")
            enc = t.encode(piece)
            encoded.append(enc)
            if not enc:
                continue
            words = None
            for i, rule in enumerate(self.rules):
                if rule.match is None or rule.lang not in langs or (cats is not None and rule.category not in cats):
                    continue
                if not self._sentence_ok(rule, piece, enc):
                    continue
                for m in self._re(rule.match).finditer(enc):
                    if self._vetoed(rule, enc, m):
                        continue
                    words = words or _Words(t.TOKEN, piece, enc)
                    s, e = words.original(m.start(), m.end())
                    hits.append((i, start + s, start + e, self._suggest(rule, piece, words, m, piece[s:e])))
        context_enc = [t.encode(context[s:e]) for s, e in t.sentences(context)] if context else []
        shows: dict[tuple, bool] = {}

        def found(cond) -> bool:
            if cond.model is not None:
                encs = encoded if cond.scope == "text" else context_enc
                return bool(encs) and self.models[cond.model].score(encs) >= cond.threshold
            if cond.shows is not None:  # `text shows` / `context shows`: hints of that category there
                source = text if cond.scope == "text" else context
                if not source:
                    return False
                key = (cond.scope, cond.shows, cond.matched)
                if key not in shows:
                    # (matched: the rule asks of its own category, so only rules with a match count)
                    shows[key] = any(h["category"] == cond.shows for h in self.annotate(
                        source, categories=(cond.shows,), text_rules=not cond.matched))
                return shows[key]
            return self._present(cond, encoded if cond.scope == "text" else context_enc)

        hits = [h for h in hits
                if all(found(c) == c.has for c in self.rules[h[0]].conditions if c.scope in ("text", "context"))]
        if text.strip() and text_rules:
            if lang:
                langs = (lang,)
            else:
                # no sign of a language (an emoji reply): the language of the text replied to
                score = t.language_score(text) or (t.language_score(context) if context else 0)
                langs = ("da",) if score > 0 else ("en",) if score < 0 else ("da", "en")
            question = t.is_question(text)
            done = set()  # one hint per category when both languages are read
            first = len(text) - len(text.lstrip())
            last = len(text.rstrip())
            for i, rule in enumerate(self.rules):
                if rule.match is not None or rule.lang not in langs:
                    continue
                if (cats is not None and rule.category not in cats) or rule.category in done:
                    continue
                ok = True
                for c in rule.conditions:
                    if c.scope == "question":
                        got = question
                    elif c.scope in ("sentence", "text", "match") and c.shows is None and c.model is None:
                        got = self._present(c, encoded)  # a rule without a match reads the whole text
                    else:
                        got = found(c)
                    if got != c.has:
                        ok = False
                        break
                if ok:
                    hits.append((i, first, last, tuple(rule.suggestions)))
                    done.add(rule.category)
        return self._hints(text, hits, country)

    def _sentence_ok(self, rule, piece: str, enc: str) -> bool:
        for c in rule.conditions:
            if c.scope == "question":
                if self.text.is_question(piece) != c.has:
                    return False
            elif c.scope == "sentence":
                if self._present(c, [enc]) != c.has:
                    return False
        return True

    def _present(self, c, encs: list[str]) -> bool:
        """Does the condition's pattern occur in one of these encoded sentences? For `has N of`: do N of
        its alternatives (each anywhere in them)?"""
        patterns = [o.pattern for o in c.options] if c.count else [c.pattern]
        present = sum(any(self._re(p).search(enc) for enc in encs) for p in patterns)
        return present >= c.count if c.count else present > 0

    def _vetoed(self, rule, enc: str, m: re.Match) -> bool:
        """A match or near condition that fails: counted in word numbers, a match of its pattern
        [c, d] is near the match [a, b] when it reaches within `distance` words of it."""
        def words(span: tuple[int, int]) -> tuple[int, int]:
            return enc.count(" ", 0, span[0]), enc.count(" ", 0, span[1] - 1)  # spans end with a space

        a, b = words(m.span())
        for c in rule.conditions:
            if c.scope not in ("match", "near"):
                continue
            near = any(s <= b + c.distance and e >= a - c.distance
                       for s, e in map(words, (u.span() for u in self._re(c.pattern).finditer(enc))))
            if near != c.has:
                return True
        return False

    def _suggest(self, rule, piece: str, words: _Words, m: re.Match, original: str) -> tuple:
        if not rule.suggestions:
            return ()
        groups = {}
        for name, value in m.groupdict().items():
            if value is None:
                groups[name] = ""
            else:
                s, e = words.original(*m.span(name))
                groups[name] = piece[s:e]
        out = []
        for template in rule.suggestions:
            filled = " ".join(_PLACEHOLDER.sub(lambda g: groups.get(g.group(1), ""), template).split())
            out.append(_same_case(filled, original))
        return tuple(out)

    def _hints(self, text: str, hits: list, country: str | None) -> list[dict]:
        hits.sort(key=lambda h: (h[1], h[2], _RANK.get(self.rules[h[0]].severity, 3), self.rules[h[0]].id))
        out, seen, once = [], set(), set()
        astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]
        for i, start, end, sugg in hits:
            rule = self.rules[i]
            if (i, start, end) in seen or i in once:
                continue
            seen.add((i, start, end))
            if rule.once:
                once.add(i)
            chosen = [self.resources[r] for r in rule.resources]
            if country:
                local = [r for r in chosen if country.upper() in r["countries"]]
                chosen = local or (chosen if rule.severity == "alert" else [])
            out.append({
                "rule": rule.id, "category": rule.category, "severity": rule.severity,
                "start": start, "end": end,
                "start_utf16": start + bisect.bisect_left(astral, start),
                "end_utf16": end + bisect.bisect_left(astral, end),
                "text": text[start:end], "message": dict(rule.messages), "suggestions": list(sugg),
                "resources": [dict(r) for r in chosen], "source": rule.source, "guidance": list(rule.guidance),
            })
        return out


class _Words:
    """A sentence's token offsets in the text and in its encoding, to map a match back to the text."""

    def __init__(self, token_re: re.Pattern, piece: str, enc: str):
        self.starts = []  # offset in enc of each token
        pos = 0
        for tok in enc[:-1].split(" "):
            self.starts.append(pos)
            pos += len(tok) + 1
        self.spans = [m.span() for m in token_re.finditer(piece)]

    def original(self, enc_start: int, enc_end: int) -> tuple[int, int]:
        first = bisect.bisect_right(self.starts, enc_start) - 1
        last = bisect.bisect_left(self.starts, enc_end) - 1  # the token holding the match's last character
        return self.spans[first][0], self.spans[last][1]


def _same_case(suggestion: str, original: str) -> str:
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if letters and original.lstrip()[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion

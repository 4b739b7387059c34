"""Patterns over words, turned into regular expressions over the encoded sentence.

The bundle matches on a sentence's words, lower-cased and each followed by one space
("he committed suicide "), so a word is `committed `, a prefix `selvmord[^ ]* `, a gap of up to three
words `(?:[^ ]+ ){0,3}`. Each pattern also gets its *keys*: words, one of which every match must
contain; the bundle indexes rules by them so a comment only wakes the rules it could trigger.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass

from . import ast
from .diagnostics import did_you_mean
from .regex_safety import RegexProblem, check_regex, confine
from .runtime.text import DA_WORDS, EN_WORDS, words

START = "(?<![^ ])"  # a match starts at the beginning of a word
MAX_GAP = 10
NUMBER = r"\d+(?:[.,]\d+)* "
ANY_WORD = "[^ ]+ "
COMMON = DA_WORDS | EN_WORDS | frozenset("i a an at for men her have in og".split())

# The word classes (any other `#name` is a hashtag, matched as written), as an error message names them.
CLASSES = {"#num": "number", "#any": "word", "#end": "sentence end", "#start": "sentence start"}
Key = tuple[str, str]  # ("w", word) | ("p", prefix) | ("s", suffix) | ("n", "")


@dataclass
class PatternError(Exception):
    pos: ast.Pos
    message: str
    hint: str | None = None
    width: int = 1


def unknown_list(ref: ast.ListRef, lists: dict[str, ast.WordList]) -> PatternError:
    return PatternError(ref.pos, f"unknown list '@{ref.name}'",
                        did_you_mean(ref.name, lists) or "define it with `list NAME = …`", len(ref.name) + 1)


def _first_pos(p: ast.Pattern) -> ast.Pos | None:
    if isinstance(p, ast.Seq):
        return _first_pos(p.items[0])
    if isinstance(p, ast.Alt):
        return _first_pos(p.options[0])
    if isinstance(p, ast.Optional):
        return _first_pos(p.item)
    return getattr(p, "pos", None)


class PatternCompiler:
    def __init__(self, lists: dict[str, ast.WordList]):
        self.lists = lists
        self._list_regex: dict[tuple[str, bool], str] = {}
        self._list_keys: dict[str, frozenset | None] = {}
        self._resolving: list[str] = []

    # --- regex ---------------------------------------------------------------------------------------

    def regex(self, p: ast.Pattern) -> str:
        """The whole regex for a pattern used in `match:` or a condition."""
        self._check_edges(p)
        return START + self._rx(p)

    def part(self, p: ast.Pattern) -> str:
        """The regex of a piece of a pattern, such as a list entry (no start anchor, no edge checks)."""
        return self._rx(p)

    def _check_edges(self, p: ast.Pattern) -> None:
        items = p.items if isinstance(p, ast.Seq) else (p,)
        for item in (items[0], items[-1]):
            if isinstance(item, ast.Gap):
                raise PatternError(item.pos, "a pattern cannot start or end with a gap",
                                   "a gap only makes sense between two words")
        if _matches_empty(p, self.lists):
            raise PatternError(_first_pos(p) or ast.Pos(ast.Path("?"), 1, 1),
                               "this pattern can match no words at all",
                               "make at least one word required (not optional)")

    def _rx(self, p: ast.Pattern, flat: bool = False) -> str:
        """The regex of a pattern. An alternation is written as a trie of its alternatives' literal
        beginnings (see _trie) unless `flat`: the flat form orders the alternatives."""
        if isinstance(p, ast.Word):
            return self._word(p.text, p.pos)
        if isinstance(p, ast.Phrase):
            _check_phrase(p)
            return self._word(p.text, p.pos)
        if isinstance(p, ast.WordClass):
            if p.name == "#num":
                return NUMBER
            if p.name == "#any":
                return ANY_WORD
            if p.name == "#end":
                return r"(?:[^\w# ]+ )*$"  # only emoji may follow
            if p.name == "#start":
                return "^"
            return re.escape(p.name.lower()) + " "
        if isinstance(p, ast.Regex):
            try:
                check_regex(p.source)
                return confine(p.source) + " "
            except RegexProblem as err:
                raise PatternError(p.pos, str(err), err.hint, width=len(p.source) + 2) from None
        if isinstance(p, ast.Gap):
            if not 1 <= p.limit <= MAX_GAP:
                raise PatternError(p.pos, f"a gap must be between ~1 and ~{MAX_GAP} words",
                                   "long gaps match unrelated words", width=len(str(p.limit)) + 1)
            if p.exclude is None:
                return f"(?:[^ ]+ ){{0,{p.limit}}}"
            if isinstance(p.exclude, ast.Gap) or _matches_empty(p.exclude, self.lists):
                raise PatternError(p.pos, "what follows '!' must be words the gap leaves out",
                                   "write for example ~3!(not | never)", width=len(str(p.limit)) + 2)
            return f"(?:(?!{self._rx(p.exclude, flat)})[^ ]+ ){{0,{p.limit}}}"
        if isinstance(p, ast.ListRef):
            return self._list(p, flat)
        if isinstance(p, ast.Seq):
            return "".join(self._rx(i, flat) for i in p.items)
        if isinstance(p, ast.Alt):
            return self._alternation(p, flat)
        if isinstance(p, ast.Optional):
            return "(?:" + self._rx(p.item, flat) + ")?"
        if isinstance(p, ast.Capture):
            return f"(?P<{p.name}>" + self._rx(p.item, flat) + ")"
        raise TypeError(p)

    def _alternation(self, p: ast.Alt | ast.ListRef, flat: bool) -> str:
        if flat:
            return "(?:" + "|".join(rx for rx, _ in self._ordered(p)) + ")"
        # Nested alternations (a list of lists, `@means | @places | @tools`) are spliced into one trie:
        # kept as groups, `re` entered every group at every place it tried (25 of them in the costliest
        # condition of the shipped rules), where one trie looks at the first letter once. The order
        # the alternatives are tried in is the same (_options), so the matches are too.
        return "(?:" + _trie([self._split(o) for o in self._options(p)]) + ")"

    def _split(self, p: ast.Pattern) -> tuple[str, str]:
        """(lead, rest): the literal characters every match of p begins with, and the regex of what
        follows them. The lead is empty when p may begin with anything but one known text."""
        if isinstance(p, (ast.Word, ast.Phrase)):
            toks, suffix, prefix = _word_parts(p.text)
            if suffix:
                return "", self._rx(p)
            literal = "".join(t + " " for t in toks)
            return (literal[:-1], "[^ ]* ") if prefix else (literal, "")
        if isinstance(p, ast.WordClass) and p.name not in CLASSES:
            return p.name.lower() + " ", ""
        if isinstance(p, ast.Seq):
            lead = ""
            for i, item in enumerate(p.items):
                item_lead, rest = self._split(item)
                lead += item_lead
                if rest or not item_lead:  # the literal beginning ends here
                    return lead, rest + "".join(self._rx(j) for j in p.items[i + 1:])
            return lead, ""
        return "", self._rx(p)

    def _word(self, text: str, pos: ast.Pos) -> str:
        toks, suffix, prefix = _word_parts(text)
        if not toks:
            raise PatternError(pos, f"{text!r} holds no word", "a word needs a letter, digit or emoji",
                               width=len(text))
        if suffix and prefix and len(toks) == 1:
            raise PatternError(pos, f"{text!r}: a word can begin or end with '*', not both",
                               "write the end of a word (*kniv) or its beginning (selvmord*)", width=len(text))
        parts = [re.escape(t) + " " for t in toks]
        if prefix:
            parts[-1] = re.escape(toks[-1]) + "[^ ]* "
        if suffix:  # (a compound ending in the word: *kniv finds køkkenkniv and kniv)
            parts[0] = "[^ ]*" + parts[0]
        return "".join(parts)

    def _list(self, ref: ast.ListRef, flat: bool) -> str:
        if ref.name not in self.lists:
            raise unknown_list(ref, self.lists)
        rx = self._list_regex.get((ref.name, flat))
        if rx is not None:
            return rx
        if ref.name in self._resolving:
            raise PatternError(ref.pos, f"list '@{ref.name}' refers to itself", "remove the cycle",
                               width=len(ref.name) + 1)
        self._resolving.append(ref.name)
        try:
            rx = self._list_regex[ref.name, flat] = self._alternation(ref, flat)
        finally:
            self._resolving.pop()
        return rx

    def _ordered(self, p: ast.Alt | ast.ListRef) -> list[tuple[str, ast.Pattern]]:
        """The alternatives with their regexes, in the order the regex tries them: longer first, so
        "out of her mind" wins over "out of" and the underline covers the whole phrase (the order
        written does not matter to the author); a list's entries with the same regex once."""
        if isinstance(p, ast.Alt):
            return sorted(((self._rx(o, True), o) for o in p.options), key=lambda t: -len(t[0]))
        by_regex: dict[str, ast.Pattern] = {}
        for entry in self.lists[p.name].entries:
            by_regex.setdefault(self._rx(entry, True), entry)
        return sorted(by_regex.items(), key=lambda t: (-len(t[0]), t[0]))

    def _options(self, p: ast.Alt | ast.ListRef) -> list[ast.Pattern]:
        """The alternatives in the order the regex tries them, nested alternations spliced in."""
        out: list[ast.Pattern] = []
        for _, o in self._ordered(p):
            out.extend(self._options(o) if isinstance(o, (ast.Alt, ast.ListRef)) else [o])
        return out

    def counted_parts(self, p: ast.Pattern) -> tuple[ast.Pattern, ...]:
        """What `has N of: PATTERN` counts: the alternatives of the pattern, or, for a single list, its
        entries (`has 3 of: @daily-changes` asks for three different ones). Alternatives that compile to
        the same regex ("skipped meals", "Skipped meals") are one: a word must not count twice."""
        if isinstance(p, ast.Alt) or (isinstance(p, ast.ListRef) and p.name in self.lists):
            distinct: dict[str, ast.Pattern] = {}
            for rx, option in self._ordered(p):
                distinct.setdefault(rx, option)
            return tuple(distinct.values())
        return (p,)

    def counted_twice(self, parts: tuple[ast.Pattern, ...]) -> tuple[str, str, str] | None:
        """An alternative that two of the counted parts both hold (the same words, so one phrase would
        count as two cues): (what it is, the first part, the second part), or None."""
        first_holder: dict[str, tuple[ast.Pattern, ast.Pattern]] = {}
        for part in parts:
            options = self._options(part) if isinstance(part, (ast.Alt, ast.ListRef)) else [part]
            for option in options:
                rx = self._rx(option, True)
                holder = first_holder.setdefault(rx, (part, option))[0]
                if holder is not part:
                    return _written(option), _written(holder), _written(part)
        return None

    # --- keys ----------------------------------------------------------------------------------------

    def keys(self, p: ast.Pattern) -> frozenset[Key] | None:
        """Words one of which every match contains, chosen to be rare; None when there are none."""
        if isinstance(p, (ast.Word, ast.Phrase, ast.Seq)):
            clauses = self._clauses(p)
            return cheapest(clauses) if clauses else None
        if isinstance(p, ast.WordClass):
            if p.name == "#num":
                return frozenset({("n", "")})
            if p.name in CLASSES:  # #any, #end, #start name no particular word
                return None
            return frozenset({("w", p.name.lower())})
        if isinstance(p, (ast.Regex, ast.Gap, ast.Optional)):
            return None
        if isinstance(p, ast.ListRef):
            if p.name not in self._list_keys:
                self._list_keys[p.name] = self._union([e for e in self.lists[p.name].entries])
            return self._list_keys[p.name]
        if isinstance(p, ast.Capture):
            return self.keys(p.item)
        if isinstance(p, ast.Alt):
            return self._union(list(p.options))
        raise TypeError(p)

    # --- needs: what a sentence must hold for a match to be possible ----------------------------------

    def needs(self, p: ast.Pattern) -> list[list[frozenset[Key]]]:
        """For each alternative of the pattern (as `_options` orders them, or the pattern itself), the
        word sets a match of it contains a word of, all of them: the bundle runs a rule's regex on a
        sentence only when one alternative finds a word of each of its sets there."""
        options = self._options(p) if isinstance(p, (ast.Alt, ast.ListRef)) else [p]
        return [self._clauses(o) for o in options]

    def _clauses(self, p: ast.Pattern) -> list[frozenset[Key]]:
        """The word sets every match holds a word of, in the pattern's order (keys() picks the rarest)."""
        if isinstance(p, (ast.Word, ast.Phrase)):
            toks, suffix, prefix = _word_parts(p.text)
            kinds = ["w"] * len(toks)
            if toks and prefix:
                kinds[-1] = "p"
            if toks and suffix:
                kinds[0] = "s"
            return [frozenset({(kind, t)}) for kind, t in zip(kinds, toks)]
        if isinstance(p, ast.Seq):
            return [c for i in p.items for c in self._clauses(i)]
        if isinstance(p, (ast.Alt, ast.ListRef, ast.WordClass, ast.Capture)):
            k = self.keys(p)
            return [k] if k is not None else []
        return []  # a gap, an optional part or a /regex/ need no particular word

    def _union(self, options: list[ast.Pattern]) -> frozenset[Key] | None:
        out: set[Key] = set()
        for o in options:
            k = self.keys(o)
            if k is None:
                return None
            out |= k
        return frozenset(out)


def _trie(branches: list[tuple[str, str]]) -> str:
    """The body of an alternation of (lead, rest) branches, given in the order the regex must try
    them, with branches that begin with the same character gathered under it and their common
    beginning written once: `re` tries every branch at every word start, so a list of 500 words costs
    500 tries there, and a trie a few. Same matches: a branch only moves up past branches whose first
    character differs from its own (they cannot match where it does), never past one whose lead is
    empty (it might); the branches of one group keep their order."""
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for lead, rest in branches:
        target = None
        if lead:
            for char, members in reversed(groups):
                if not char:  # a branch without a lead may match anywhere: nothing moves up past it
                    break
                if char == lead[0]:
                    target = members
                    break
        if target is None:
            groups.append((lead[:1], [(lead, rest)]))
        else:
            target.append((lead, rest))
    parts = []
    for _, members in groups:
        if len(members) == 1:
            lead, rest = members[0]
            parts.append(_escape(lead) + rest)
        else:
            common = os.path.commonprefix([lead for lead, _ in members])
            parts.append(_escape(common) + "(?:" + _trie([(lead[len(common):], rest) for lead, rest in members]) + ")")
    return "|".join(parts)


def _escape(literal: str) -> str:
    return re.escape(literal).replace("\\ ", " ")


def cheapest(options: list[frozenset[Key]]) -> frozenset[Key]:
    """The word set least likely to be in a sentence: the key to index by."""
    return min(options, key=_cost)


def _cost(keys: frozenset[Key]) -> float:
    # fsum: a frozenset's order follows the string hash, which changes per process, and a plain sum of
    # the same costs in another order can differ in its last bit, so two equally rare sets ({count,
    # counted, counting, counts} and {weigh, weighed, ...}) swapped places between builds
    return math.fsum(30.0 if kind == "n" else 50.0 if word in COMMON
                     else (2.0 if kind in ("p", "s") else 1.0) + 4.0 / (len(word) + 1) for kind, word in keys)


def _check_phrase(p: ast.Phrase) -> None:
    """A quoted phrase is matched as written, so a word class or list named in it would be the text
    itself ("som #num årig" finds only the words "som #num årig"): an author never means that."""
    for tok in p.text.split():
        if tok in CLASSES or (tok.startswith("@") and len(tok) > 1):
            kind = f"a {CLASSES[tok]}" if tok in CLASSES else f"an entry of the list {tok}"
            raise PatternError(
                p.pos, f"'{tok}' inside a quoted phrase is the text '{tok}', not {kind}",
                f"write it outside the quotes: {p.text}", width=len(p.text) + 2)


def _word_parts(text: str) -> tuple[list[str], bool, bool]:
    """The words of a word or phrase as written, whether it is the end of a word (`*kniv`: a word
    ending in kniv) and whether it is the beginning of one (`selvmord*`)."""
    return words(text.strip("*")), text.startswith("*"), text.endswith("*")


def _written(p: ast.Pattern) -> str:
    """A pattern as an author would name it in a message."""
    if isinstance(p, (ast.Word, ast.Phrase)):
        return f'"{p.text}"'
    if isinstance(p, (ast.ListRef, ast.WordClass)):
        return ("@" if isinstance(p, ast.ListRef) else "") + p.name
    if isinstance(p, ast.Seq):
        return " ".join(_written(i) for i in p.items)
    if isinstance(p, ast.Capture):
        return _written(p.item)
    if isinstance(p, ast.Optional):
        return f"({_written(p.item)})?"
    if isinstance(p, ast.Gap):
        return f"~{p.limit}"
    if isinstance(p, ast.Regex):
        return f"/{p.source}/"
    return "(" + " | ".join(_written(o) for o in p.options) + ")"


def _matches_empty(p: ast.Pattern, lists: dict[str, ast.WordList]) -> bool:
    if isinstance(p, (ast.Optional, ast.Gap)) or (isinstance(p, ast.WordClass) and p.name in ("#end", "#start")):
        return True
    if isinstance(p, ast.Seq):
        return all(_matches_empty(i, lists) for i in p.items)
    if isinstance(p, ast.Alt):
        return any(_matches_empty(o, lists) for o in p.options)
    if isinstance(p, ast.Capture):
        return _matches_empty(p.item, lists)
    return False


def captures(p: ast.Pattern) -> list[ast.Capture]:
    if isinstance(p, ast.Capture):
        return [p, *captures(p.item)]
    if isinstance(p, ast.Seq):
        return [c for i in p.items for c in captures(i)]
    if isinstance(p, ast.Alt):
        return [c for o in p.options for c in captures(o)]
    if isinstance(p, ast.Optional):
        return captures(p.item)
    return []


def list_refs(p: ast.Pattern) -> list[ast.ListRef]:
    if isinstance(p, ast.ListRef):
        return [p]
    if isinstance(p, ast.Seq):
        return [r for i in p.items for r in list_refs(i)]
    if isinstance(p, ast.Alt):
        return [r for o in p.options for r in list_refs(o)]
    if isinstance(p, (ast.Optional, ast.Capture)):
        return list_refs(p.item)
    if isinstance(p, ast.Gap) and p.exclude is not None:
        return list_refs(p.exclude)
    return []

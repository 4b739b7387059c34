"""Checks and confines the /regular expressions/ of patterns.

A regex atom matches one word. It is rejected when it could backtrack catastrophically (a quantifier
inside a quantifier, alternatives under a quantifier that can start alike, or two unbounded quantifiers
side by side over overlapping characters) and confined so it can never match across a word boundary.
"""

from __future__ import annotations

import re
import re._constants as C  # noqa: N812
import re._parser as sre_parse

MAX_LENGTH = 300
ANY = object()  # "could be any character" in a first-character set


class RegexProblem(ValueError):
    def __init__(self, message: str, hint: str):
        super().__init__(message)
        self.hint = hint


def _first_chars(items) -> set | object:
    """Characters a (sub)pattern can start with, or ANY when that is too hard to say."""
    for op, av in items:
        if op is C.LITERAL:
            return {chr(av).lower()}
        if op is C.IN:
            chars: set = set()
            for iop, iav in av:
                if iop is C.LITERAL:
                    chars.add(chr(iav).lower())
                elif iop is C.RANGE and iav[1] - iav[0] < 64:
                    chars.update(chr(c).lower() for c in range(iav[0], iav[1] + 1))
                else:
                    return ANY
            return chars
        if op is C.SUBPATTERN:
            return _first_chars(av[3])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT):
            if av[0] == 0:
                return ANY
            return _first_chars(av[2])
        if op is C.AT:
            continue
        return ANY
    return set()


def _overlap(a, b) -> bool:
    return a is ANY or b is ANY or bool(a & b)


def _is_repeat(op, av) -> bool:
    return op in (C.MAX_REPEAT, C.MIN_REPEAT) and (av[1] is C.MAXREPEAT or av[1] > 1)


def _walk(items, inside_repeat: bool) -> None:
    previous_unbounded = None
    for op, av in items:
        if _is_repeat(op, av):
            if inside_repeat:
                raise RegexProblem("nested quantifiers can backtrack catastrophically",
                                   "remove the inner or the outer repetition, e.g. (ab)+ instead of (a+b)+")
            if av[1] is C.MAXREPEAT:
                first = _first_chars(av[2])
                if previous_unbounded is not None and _overlap(previous_unbounded, first):
                    raise RegexProblem("two unbounded quantifiers in a row over overlapping characters",
                                       "merge them into one, e.g. \\w+ instead of \\w+\\w*")
                previous_unbounded = first
            _walk(av[2], True)
            continue
        if op not in (C.AT,):
            previous_unbounded = None if op is not C.SUBPATTERN else previous_unbounded
        if op is C.SUBPATTERN:
            _walk(av[3], inside_repeat)
        elif op is C.IN and inside_repeat:
            # the parser folds one-character alternatives such as (a|a) into a set; a repeated item
            # in it is the same overlap
            literals = [iav for iop, iav in av if iop is C.LITERAL]
            if len(literals) != len(set(literals)):
                raise RegexProblem("alternatives under a quantifier that can match the same text",
                                   "remove the repeated alternative")
        elif op is C.BRANCH:
            branches = av[1]
            if inside_repeat:
                # the parser factors a shared start out of the alternatives ((a|ab) becomes a(|b)),
                # so an empty alternative is itself a sign of overlap
                firsts = [_first_chars(b) if b else ANY for b in branches]
                for i in range(len(firsts)):
                    for j in range(i + 1, len(firsts)):
                        if _overlap(firsts[i], firsts[j]):
                            raise RegexProblem(
                                "alternatives under a quantifier that can match the same text",
                                "make the alternatives start differently, or list the words instead")
            for b in branches:
                _walk(b, inside_repeat)


def check_regex(source: str) -> None:
    """Raise RegexProblem when the regex is invalid, too long, or could backtrack catastrophically."""
    if len(source) > MAX_LENGTH:
        raise RegexProblem(f"regular expression longer than {MAX_LENGTH} characters", "split the rule")
    try:
        tree = sre_parse.parse(source)
    except re.error as err:
        raise RegexProblem(f"invalid regular expression: {err.msg}", "check the syntax") from None
    if tree.state.groupdict:
        raise RegexProblem("named groups are not allowed in a /regex/", "use a <name: …> capture around it")
    _walk(list(tree), False)


_ESCAPES_OUTSIDE = {"S": "[^ ]", "W": "[^\\w ]", "D": "[^\\d ]"}


def confine(source: str) -> str:
    """The regex rewritten so it cannot match a space (the separator between encoded words)."""
    out = []
    i = 0
    in_class = False
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source):
            nxt = source[i + 1]
            if nxt == "s" or (in_class and nxt in "SWD"):
                raise RegexProblem("\\s and negated classes inside [...] would match between words",
                                   "a /regex/ matches a single word; list several words in the pattern instead")
            if not in_class and nxt in _ESCAPES_OUTSIDE:
                out.append(_ESCAPES_OUTSIDE[nxt])
            else:
                out.append(source[i:i + 2])
            i += 2
            continue
        if in_class:
            if ch == "]":
                in_class = False
            elif ch == " ":
                raise RegexProblem("a space in a /regex/ can never match a single word", "split into words")
            out.append(ch)
        elif ch == "[":
            in_class = True
            if source[i + 1: i + 2] == "^":
                out.append("[^ ")
                i += 2
                if source[i: i + 1] == "]":  # a literal ] right after [^
                    out.append("\\]")
                    i += 1
                continue
            out.append(ch)
        elif ch == ".":
            out.append("[^ ]")
        elif ch == " ":
            raise RegexProblem("a space in a /regex/ can never match a single word", "split into words")
        elif ch in "^$":
            raise RegexProblem("anchors are not needed: a /regex/ always matches a whole word",
                               f"remove the {ch}")
        else:
            out.append(ch)
        i += 1
    return "(?i:" + "".join(out) + ")"

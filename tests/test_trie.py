"""Alternations are written as tries (compiler/patterns.py `_trie`): the same matches as the flat
alternation they replace, spans and captures alike, however the alternatives share beginnings."""

from __future__ import annotations

import random
import re
from pathlib import Path

from compiler import ast
from compiler.patterns import START, PatternCompiler

POS = ast.Pos(Path("t.heed"), 1, 1)
# few letters, short words: alternatives share beginnings, and one is often the start of another
LETTERS = "abc"


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(LETTERS) for _ in range(rng.randint(1, 3)))


def _option(rng: random.Random, lists: list[str], depth: int, captures: bool = False) -> ast.Pattern:
    """A random pattern; named captures only where asked (a list used twice would name a group twice)."""
    kind = rng.random()
    if kind < 0.35:
        return ast.Word(_word(rng), POS)
    if kind < 0.45:
        return ast.Word(_word(rng) + "*", POS)  # a prefix
    if kind < 0.55:
        return ast.Phrase(f"{_word(rng)} {_word(rng)}", POS)
    if kind < 0.65 and lists:
        return ast.ListRef(rng.choice(lists), POS)
    if kind < 0.75 and depth < 2:
        return ast.Alt(tuple(_option(rng, lists, depth + 1) for _ in range(rng.randint(2, 4))))
    if kind < 0.85 and depth < 2 and captures:
        return ast.Capture(f"c{rng.randrange(10 ** 6)}", _option(rng, lists, depth + 1), POS)
    items: list[ast.Pattern] = [ast.Word(_word(rng), POS)]
    if rng.random() < 0.5:
        items.append(ast.Gap(rng.randint(1, 2), POS))
    elif rng.random() < 0.5:
        items.append(ast.Optional(ast.Word(_word(rng), POS)))
    items.append(_option(rng, lists, depth + 1) if depth < 2 else ast.Word(_word(rng), POS))
    return ast.Seq(tuple(items))


def _compiler(rng: random.Random) -> tuple[PatternCompiler, list[str]]:
    lists: dict[str, ast.WordList] = {}
    names: list[str] = []
    for n in range(3):
        name = f"l{n}"
        entries = [_option(rng, names[:], 1) for _ in range(rng.randint(2, 12))]
        lists[name] = ast.WordList(name, "list", entries, POS)
        names.append(name)
    return PatternCompiler(lists), names


def _matches(regex: str, text: str) -> list:
    return [(m.span(), m.groupdict()) for m in re.finditer(regex, text)]


def test_trie_gives_the_matches_of_the_flat_alternation() -> None:
    rng = random.Random(20261124)
    compared = differing_regexes = 0
    for _ in range(300):
        patterns, lists = _compiler(rng)
        top = ast.Alt(tuple(_option(rng, lists, 0, captures=True) for _ in range(rng.randint(2, 10))))
        pattern = ast.Seq((top, ast.Optional(ast.Word(_word(rng), POS)), ast.ListRef(rng.choice(lists), POS)))
        flat = START + patterns._rx(pattern, flat=True)
        trie = patterns.regex(pattern)
        differing_regexes += flat != trie
        for _ in range(40):
            text = "".join(_word(rng) + " " for _ in range(rng.randint(1, 12)))
            assert _matches(trie, text) == _matches(flat, text), (flat, trie, text)
            compared += 1
    assert compared == 12_000 and differing_regexes > 250  # the tries were really different regexes


def test_trie_writes_a_shared_beginning_once() -> None:
    words = ["hopeless", "hopelessness", "helpless", "hope*", "worthless"]
    lists = {"w": ast.WordList("w", "list", [ast.Word(w, POS) for w in words], POS)}
    regex = PatternCompiler(lists).regex(ast.ListRef("w", POS))
    assert regex.count("ope") == 1 and regex.count("less ") < 4, regex  # "h" and "ope" written once
    assert re.match(regex, "hopelessness ").group() == "hopelessness "
    assert re.match(regex, "hopeful ").group() == "hopeful "


def test_lists_of_an_alternation_share_one_trie() -> None:
    """`@tools | @places` is one trie over both lists' words: kept as one group per list, `re` entered
    every group at every place it tried a long sentence (session 8: 25 groups in one shipped condition)."""
    lists = {
        "tools": ast.WordList("tools", "list", [ast.Word(w, POS) for w in ("rope", "razor", "pills")], POS),
        "places": ast.WordList("places", "list", [ast.Phrase(w, POS) for w in ("roof top", "bridge", "pier")], POS),
    }
    regex = PatternCompiler(lists).regex(ast.Alt((ast.ListRef("tools", POS), ast.ListRef("places", POS))))
    assert regex.count("r(?:") == 1 and regex.count("pi(?:") == 1, regex  # each shared beginning written once
    import re._parser as parser  # (the standard library's: the top level is one branch per first letter)

    (op, (_, branches)), = list(parser.parse(regex))[1:]  # (after the start-of-word test)
    assert op is parser.BRANCH and all(list(b)[0][0] is parser.LITERAL for b in branches), regex
    for text in ("the roof top ", "a razor and rope ", "pier pills ", "bridge "):
        flat = START + PatternCompiler(lists)._rx(ast.Alt((ast.ListRef("tools", POS), ast.ListRef("places", POS))),
                                                  flat=True)
        assert _matches(regex, text) == _matches(flat, text)

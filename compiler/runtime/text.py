"""Words, sentences and language of a comment.

Shared by the compiler (to split pattern phrases exactly as text will be split) and by the bundle,
which carries a copy of this file. Standard library only: it runs in Pyodide.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import repeat

# A token is a hashtag, a number (45, 16,5, 1.200), a word with inner apostrophes, or one emoji.
# Combining marks stay inside words so a decomposed "å" (a + ring) is still one word.
_LETTERS = r"[^\W\d_][\w\u0300-\u036f]*"
TOKEN = re.compile(
    rf"#{_LETTERS}"
    r"|\d+(?:[.,]\d+)*"
    rf"|{_LETTERS}(?:['’]{_LETTERS})*"
    r"|[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B50\u2B55\u3030\u303D]"
)

# A sentence ends at ? ! … (and a full stop followed by a capital letter or the end), or a line break.
_END = re.compile(r"[?!…]+[\"'”’)\]]*(?=\s|$)|\.+[\"'”’)\]]*(?=\s+[A-ZÆØÅÄÖÜÉ\"“]|\s*$)|\n")
_QUESTION = re.compile(r"\?[^\w]*$")
_MAY_END = re.compile(r"[?!….\n]")
# A full stop after these does not end a sentence ("str. XS", "ca. 5", "Dr. Hansen").
ABBREVIATIONS = frozenset(
    "str ca kl nr dvs evt bl f eks mht pga ift osv mv vs dr mr mrs ms st jr sr etc approx fig e i g".split()
)
_SPAN = re.Match.span
_WORD_BEFORE = re.compile(r"(\w+)\.*[\"'”’)\]]*$")


def normalize(token_text: str) -> str:
    """The form a word is compared in: lower case, NFC, straight apostrophe."""
    text = token_text.lower().replace("’", "'")
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return text


def words(text: str) -> list[str]:
    """The normalized tokens of a text."""
    return [normalize(t) for t in TOKEN.findall(text)]


def token_spans(text: str) -> list[tuple[int, int]]:
    return list(map(_SPAN, TOKEN.finditer(text)))


def encode(text: str) -> str:
    """Tokens joined by single spaces, each followed by one: the string compiled patterns run on."""
    toks = TOKEN.findall(text)
    if not toks:
        return ""
    return normalize(" ".join(toks)) + " "


def sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of a text, trimmed of surrounding white space."""
    spans = []
    start = 0
    for m in _sentence_ends(text):
        end = m.end()
        if m.group().startswith(".") and _after_abbreviation(text, m.start()):
            continue
        _add_trimmed(text, start, end, spans)
        start = end
    _add_trimmed(text, start, len(text), spans)
    return spans


def _sentence_ends(text: str):
    """The matches of _END.finditer(text), found faster: _END tries every position of the text (it
    begins with a repeat, which the regex module cannot skip ahead to), while every one of its matches
    begins with one of ? ! … . or a line break, so it is tried only where one of those stands."""
    end = 0
    for c in _MAY_END.finditer(text):
        p = c.start()
        if p < end:
            continue
        m = _END.match(text, p)
        if m is not None:  # never empty: each alternative needs a character
            yield m
            end = m.end()


def _after_abbreviation(text: str, dot: int) -> bool:
    word = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    return bool(word) and word.group(1).lower() in ABBREVIATIONS


def _add_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    part = text[start:end]
    kept = part.strip()  # (the white space of str.isspace)
    if kept:
        start += len(part) - len(part.lstrip())
        spans.append((start, start + len(kept)))


def is_question(sentence: str) -> bool:
    """Does the sentence end with a question mark (only non-word characters after it)?

    The same answer as _QUESTION.search(sentence.rstrip()), read from the end: the regex tries every
    question mark and scans to the end from each, which is quadratic on a long run of them."""
    for ch in reversed(sentence.rstrip()):
        if ch == "?":
            return True
        if _WORD_CHAR.match(ch):
            return False
    return False


_WORD_CHAR = re.compile(r"\w")


# Frequent words that tell Danish from English; words common to both (i, for, men, her, have…) are left out,
# and no word is in both sets (tests/test_text.py).
DA_WORDS = frozenset(
    "jeg du det er og ikke en et på med som til af der den de vi så han hun mig dig min din mit dit "
    "sig meget kan vil skal også hvad hvordan nej ja hvis når fordi eller være været blev bliver noget "
    "nogen godt rigtig lige nu lidt mere helt aldrig altid hende ham dem jo bare havde skulle ville kunne "
    "sgu synes tror ved hvorfor hvem hvor fra om efter mange alle selv sin sit sine ikk ik lidt".split()
)
EN_WORDS = frozenset(
    "you the is and not to it on with that of he she me my your so but can will just what how no yes "
    "are was this be been if when because or really about all they them their there we get got its "
    "it's i'm don't can't im dont i've i'll i'd didn't doesn't isn't wasn't would should could myself "
    "feel feeling want life people like know why who from after many".split()
)
_LANGUAGE_WEIGHT = dict.fromkeys(DA_WORDS, 1) | dict.fromkeys(EN_WORDS, -1)  # (no word is in both sets)
_DA_LETTERS = re.compile(r"[æøåÆØÅ]")


def language_score(text: str) -> int:
    """Positive for Danish, negative for English, 0 when the text gives no sign."""
    return word_score(words(text)) + (2 if has_danish_letters(text) else 0)


def word_score(tokens: list[str]) -> int:
    """The words' part of language_score: +1 per Danish word, -1 per English word (normalized words)."""
    # one pass of dict.get: in Pyodide, map() over a slot wrapper such as __contains__ costs twice as much
    return sum(map(_LANGUAGE_WEIGHT.get, tokens, repeat(0)))


def has_danish_letters(text: str) -> bool:
    return _DA_LETTERS.search(text) is not None


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def astral_positions(text: str) -> list[int]:
    """Offsets of the characters outside the BMP (two UTF-16 code units each), in order. The UTF-16
    offset of string offset i is i + bisect_left(positions, i)."""
    return [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]


def utf16_offsets(text: str) -> list[int] | None:
    """UTF-16 offset of every string offset, or None when the two are the same (no astral characters)."""
    if text.isascii() or max(text) <= "\uffff":
        return None
    out = [0] * (len(text) + 1)
    n = 0
    for i, ch in enumerate(text):
        out[i] = n
        n += 2 if ord(ch) > 0xFFFF else 1
    out[len(text)] = n
    return out

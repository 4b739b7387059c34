"""Words, sentences and language: the ground the matcher stands on."""

from __future__ import annotations

import json
from pathlib import Path

from compiler.runtime.text import encode, is_question, language_score, sentences, utf16_offsets, words

CORPUS = Path(__file__).parent / "corpus"


def test_words_numbers_hashtags_emoji() -> None:
    assert words("Jeg vejer 45kg, str. 34 og BMI 16,5 #MentalSundhed 😂") == [
        "jeg", "vejer", "45", "kg", "str", "34", "og", "bmi", "16,5", "#mentalsundhed", "😂"]
    assert words("I’m fine, don't worry") == ["i'm", "fine", "don't", "worry"]
    assert words("selv-skade") == ["selv", "skade"]
    assert encode("Æble  ØL\tå") == "æble øl å "


def test_sentences_split_on_end_marks_and_lines_but_not_abbreviations() -> None:
    text = "Han vejer str. 34 nu. Er du ok? ja!! lol\nny linje"
    spans = [text[s:e] for s, e in sentences(text)]
    assert spans == ["Han vejer str. 34 nu.", "Er du ok?", "ja!!", "lol", "ny linje"]
    assert [(s, e) for s, e in sentences("passer str. XS nu. Dr. Hansen sagde ca. 5")] == [(0, 18), (19, 41)]
    other = "f.eks. at gå en tur. Det hjælper"
    assert [other[s:e] for s, e in sentences(other)] == ["f.eks. at gå en tur.", "Det hjælper"]


def test_questions() -> None:
    assert is_question("Har du tænkt på at begå selvmord?")
    assert is_question("are you ok?? 🥺")
    assert not is_question("I asked if he was ok.")


def test_utf16_offsets() -> None:
    assert utf16_offsets("plain") is None
    assert utf16_offsets("a😂b") == [0, 1, 3, 4]


def test_language_is_never_mistaken_on_the_corpus() -> None:
    for name, lang in (("en.jsonl", "en"), ("da.jsonl", "da")):
        items = [json.loads(line) for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()]
        scores = [language_score(it["text"]) for it in items]
        wrong = [it["text"] for it, s in zip(items, scores) if (s > 0 and lang == "en") or (s < 0 and lang == "da")]
        unsure = sum(1 for s in scores if s == 0)
        assert not wrong, wrong[:5]
        assert unsure / len(items) < 0.08  # unsure sentences inherit the language before them, or use both


def test_language_word_sets_do_not_overlap() -> None:
    """word_score counts a word for Danish or for English, never both."""
    from compiler.runtime.text import DA_WORDS, EN_WORDS, word_score

    assert not DA_WORDS & EN_WORDS
    assert word_score(["jeg", "er", "the", "i", "jeg"]) == 2

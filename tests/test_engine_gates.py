"""The shortcuts that decide, before a rule's regex runs, that the rule cannot fire: the gates of its
required conditions (`when sentence/near/text has`, counted ones included) and the early end of a
counted condition. Each must give the naive matcher's hints; the text gates must also keep the
per-sentence cache right when one sentence comes back in a text with other words."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from compiler.bundle import compile_bundle
from compiler.engines import CPythonEngine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from naive import NaiveEngine  # noqa: E402

RULES = '''
point p "A point."

list cue = tired, numb, "no future", goodbye, empty, "can't go on"

rule text-gated {
  category: warning-signs
  severity: alert
  lang: en
  source: p
  match: plan
  when text has: ticket ~2 (bought | booked)
  message en: "x"
  message da: "x"
  expect: "i have a plan. The ticket is booked"
  allow: "i have a plan for the weekend"
}

rule text-counted {
  category: warning-signs
  severity: alert
  lang: en
  source: p
  match: anyway
  when text has 2 of: @cue
  message en: "x"
  message da: "x"
  expect: "so tired and numb anyway"
  allow: "so tired anyway"
}

rule sentence-counted {
  category: warning-signs
  severity: alert
  lang: en
  source: p
  match: lately
  when sentence has 3 of: tired | numb | empty | goodbye | (no | "don't see a") future
  message en: "x"
  message da: "x"
  expect: "lately tired, numb and empty"
  allow: "lately tired and numb. empty"
}

rule near-required {
  category: warning-signs
  severity: alert
  lang: en
  source: p
  match: pills
  when near 3 has: (all | whole) (of)? (them | bottle)
  unless sentence: vitamin*
  message en: "x"
  message da: "x"
  expect: "took all of them pills"
  allow: "took my pills"
}

rule lacks-counted {
  category: warning-signs
  severity: alert
  lang: en
  source: p
  match: done
  when text lacks 2 of: @cue
  message en: "x"
  message da: "x"
  expect: "i am done"
  allow: "i am done, tired and numb"
}
'''


@pytest.fixture(scope="module")
def gated(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("gates")
    (tmp / "rules").mkdir()
    (tmp / "rules" / "r.heed").write_text(RULES, encoding="utf-8")
    compile_bundle([tmp / "rules"], tmp / "out")
    with CPythonEngine(tmp / "out") as engine:
        yield engine.module


def _rules(bundle, text: str, context: str | None = None) -> list[str]:
    return [h["rule"] for h in bundle.annotate(text, "en", context)]


def test_a_sentence_cached_without_a_text_gated_rule_gets_it_when_the_text_opens_the_gate(gated) -> None:
    gated.ENGINE._cache.clear()
    assert _rules(gated, "I have a plan.") == []  # no ticket: the rule's regex is not even run
    sentence = gated.ENGINE._cache["I have a plan."]
    rule = [r.id for r in gated.RULES].index("text-gated")
    assert any(rule in unrun for unrun in sentence.unrun.values())
    # the same sentence, from the cache, in a text that holds what the rule needs
    assert _rules(gated, "I have a plan. The ticket is booked") == ["text-gated"]
    assert _rules(gated, "I have a plan.") == []  # and back: the condition still decides
    assert _rules(gated, "I have a plan. Ticket bought") == ["text-gated"]


def test_counted_text_gate_across_texts(gated) -> None:
    gated.ENGINE._cache.clear()
    assert _rules(gated, "Whatever anyway. So tired") == []  # one cue
    assert _rules(gated, "Whatever anyway. So tired and numb") == ["text-counted"]
    assert _rules(gated, "Whatever anyway. Goodbye") == []
    assert _rules(gated, "Whatever anyway. Goodbye, it's empty") == ["text-counted"]


def test_sentence_and_near_gates(gated) -> None:
    gated.ENGINE._cache.clear()
    assert _rules(gated, "lately tired, numb and empty") == ["sentence-counted"]
    assert _rules(gated, "Lately tired and numb. Empty") == []
    assert _rules(gated, "lately tired and numb and i see no future") == ["sentence-counted"]
    assert _rules(gated, "took all of them pills") == ["near-required"]
    assert _rules(gated, "took them pills") == []
    assert _rules(gated, "took all of them vitamin pills") == []
    assert _rules(gated, "i am done") == ["lacks-counted"]
    assert _rules(gated, "i am done, tired and numb") == []


# (makes a text long: see engine._MANY_SENTENCES)
_FILLER = " ".join(f"Nothing {n} here." for n in range(12))


def test_a_long_text_does_not_run_a_rule_whose_text_condition_fails_and_a_later_text_does(gated) -> None:
    engine = gated.ENGINE
    rule = [r.id for r in gated.RULES].index("text-gated")
    engine._cache.clear()
    # both words are in the text (the gate is open) but never within two words of each other
    assert _rules(gated, f"I have a plan. The ticket. {_FILLER} I booked it.") == []
    sentence = engine._cache["I have a plan."]
    assert any(rule in unrun for unrun in sentence.unrun.values())  # not run: the text lacks the condition
    # the cached sentence in another long text, then in a short one, where the condition holds
    assert _rules(gated, f"I have a plan. {_FILLER} The ticket is booked") == ["text-gated"]
    assert not sentence.unrun
    assert _rules(gated, f"I have a plan. The ticket. {_FILLER}") == []
    engine._cache.clear()
    assert _rules(gated, f"I have a plan. The ticket. {_FILLER} I booked it.") == []
    assert _rules(gated, "I have a plan. Ticket bought") == ["text-gated"]  # short: every skipped rule runs


def test_a_text_condition_is_searched_only_in_sentences_holding_its_words(gated) -> None:
    """In a long text, `when text has ticket ~2 (bought | booked)` looks at the sentences holding a key
    word of its gate, not at every sentence."""
    engine = gated.ENGINE
    rule = next(r for r in gated.RULES if r.id == "text-gated")
    [cond] = rule.late_conds
    engine._cache.clear()
    text = f"I have a plan. {_FILLER} The ticket, booked! {_FILLER}"
    assert _rules(gated, text) == ["text-gated"]
    assert len(engine._cache) == 14
    assert [s.text for s in engine._cache.values() if cond.pattern in s.found] == ["The ticket, booked!"]


def test_gated_rules_give_the_naive_hints_whatever_the_order(gated) -> None:
    """Sentences come back in texts that open and shut the gates, through the cache, in many orders;
    every call is compared with the naive matcher."""
    import random

    naive = NaiveEngine(gated)
    pieces = ["I have a plan.", "Ticket bought.", "The ticket, booked!", "Whatever anyway.", "So tired.",
              "Numb and empty.", "Goodbye.", "Lately tired, numb and empty.", "Took all of them pills.",
              "Took them vitamin pills, all of them.", "I am done.", "No future", "Lately numb?"]
    rng = random.Random(3)
    gated.ENGINE._cache.clear()
    for _ in range(400):
        # (up to 20 sentences, some repeated: texts of more than engine._FEW_SENTENCES and
        # _MANY_SENTENCES take the long-text paths)
        text = " ".join(rng.choices(pieces, k=rng.randint(1, 20)))
        context = rng.choice([None, None, "so tired"])
        for lang in (None, "en"):
            args = (text, lang, context, rng.choice([None, ["warning-signs"]]), None)
            assert gated.annotate(*args) == naive.annotate(*args), args


def test_counted_condition_stops_searching_once_settled(gated) -> None:
    """`has 2 of` with six options: once two are found the others are not searched, and options whose
    words the text lacks are not searched at all."""
    engine = gated.ENGINE
    rule = next(r for r in gated.RULES if r.id == "text-counted")
    [cond] = rule.late_conds
    searched: list[str] = []

    class Spy:
        def __init__(self, regex: re.Pattern) -> None:
            self.regex = regex

        def search(self, enc: str):
            searched.append(self.regex.pattern)
            return self.regex.search(enc)

    originals = [o.regex for o in cond.options]
    try:
        for o in cond.options:
            o._re = Spy(o.regex)
        engine._cache.clear()
        assert _rules(gated, "anyway, so tired and numb and empty, goodbye") == ["text-counted"]
        assert len(searched) == 2
        searched.clear()
        engine._cache.clear()
        assert _rules(gated, "anyway, so tired") == []
        assert len(searched) == 0  # one option's words only: two cannot be found
    finally:
        for o, regex in zip(cond.options, originals):
            o._re = regex

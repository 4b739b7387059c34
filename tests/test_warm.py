"""warm(): the bundle compiles its regexes ahead of need, in slices, without changing a single hint.

Regexes are compiled on first use; the shipped rules have thousands, some tens of kilobytes long, so a
session's first long comment used to wait for hundreds of them. These tests use the shipped rules.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from compiler.bundle import compile_bundle
from compiler.diagnostics import RuleErrors
from compiler.engines import CPythonEngine

ROOT = Path(__file__).resolve().parents[1]
CORPUS = [json.loads(line)["text"] for name in ("en", "da")
          for line in (ROOT / "tests" / "corpus" / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
# Long forum posts no other test has put through these engines (the first one is the post of issue 5).
LONG_POSTS = [item["text"] for name in ("alerts6-en", "alerts6-da", "alerts7-en", "body-da")
              for line in (ROOT / "tests" / "corpus" / "extra" / f"{name}.jsonl").read_text(encoding="utf-8")
              .splitlines() if len((item := json.loads(line))["text"]) > 700][:6]


@pytest.fixture(scope="module")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("warm")
    try:
        compile_bundle([ROOT / "rules"], out)
    except RuleErrors:
        pytest.skip("rules/ does not compile at the moment (tests/test_shipped_rules.py says why)")
    return out


@pytest.fixture
def fresh(bundle_dir: Path) -> Iterator[ModuleType]:
    """A bundle loaded anew: nothing compiled yet."""
    engine = CPythonEngine(bundle_dir)
    yield engine.module
    engine.close()


class _CountCompiles:
    """Counts re.compile calls (the engine compiles through it)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.patterns: list[str] = []
        real = re.compile

        def counting(pattern, flags=0):  # type: ignore[no-untyped-def]
            self.patterns.append(pattern)
            return real(pattern, flags)

        monkeypatch.setattr(re, "compile", counting)


def _patterns(bundle: ModuleType) -> set[str]:
    out = set()
    for rule in bundle.RULES:
        if rule.match is not None:
            out.add(rule.match)
        for cond in rule.conditions:
            out.update(c.pattern for c in (cond, *cond.options) if c.pattern is not None)
    return out


def test_long_posts_are_long_and_new() -> None:
    assert len(LONG_POSTS) >= 4 and all(len(t) > 700 for t in LONG_POSTS)
    assert not set(LONG_POSTS) & set(CORPUS)


def test_after_warm_a_long_new_text_compiles_nothing(fresh: ModuleType, bundle_dir: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # Cold, the first long post makes the engine compile regexes while the writer waits.
    cold = CPythonEngine(bundle_dir)
    try:
        counter = _CountCompiles(monkeypatch)
        cold.module.annotate(LONG_POSTS[0])
        assert len(counter.patterns) > 20
    finally:
        cold.close()
        monkeypatch.undo()

    slices = 0
    while not fresh.warm(200):
        slices += 1
        assert slices < 10_000
    assert slices > 0  # seconds of work: not done in one slice
    every_rule = fresh.RULES
    assert all(r._re is not None for r in every_rule if r.match is not None)
    assert all(c._re is not None for r in every_rule for cond in r.conditions for c in (cond, *cond.options)
               if c.pattern is not None)

    counter = _CountCompiles(monkeypatch)
    for text in LONG_POSTS:
        fresh.annotate(text)
        fresh.annotate_json(text, context=LONG_POSTS[-1], country="DK")
    assert counter.patterns == []
    assert fresh.warm(50) is True  # nothing left: answers at once


def test_each_distinct_pattern_is_compiled_once(fresh: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _CountCompiles(monkeypatch)
    while not fresh.warm(10_000):
        pass
    # Many rules and conditions share a pattern text (a word list written once, used in several rules):
    # it is compiled once and the compiled regex shared.
    assert sorted(counter.patterns) == sorted(_patterns(fresh))
    owners = [r for r in fresh.RULES if r.match is not None]
    by_text: dict[str, set[int]] = {}
    for r in owners:
        by_text.setdefault(r.match, set()).add(id(r._re))
    assert all(len(ids) == 1 for ids in by_text.values())


def test_a_slice_keeps_to_its_budget_and_always_makes_progress(fresh: ModuleType,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    counter = _CountCompiles(monkeypatch)
    # With no time at all, a slice still compiles one pattern, so repeated calls always finish.
    assert fresh.warm(0) is False
    assert len(counter.patterns) == 1
    first = counter.patterns[0]
    # ... the one most likely to be needed: a condition of a rule that reads the whole text
    text_rule_patterns = {c.pattern for i in fresh.TEXT_RULES for cond in fresh.RULES[i].conditions
                          for c in (cond, *cond.options)} | {fresh.RULES[i].match for i in fresh.TEXT_RULES}
    assert first in text_rule_patterns
    assert fresh.warm(None) is False  # a JS null budget is the default budget
    # A slice stops once its budget is spent: a 1 ms slice compiles a few patterns, not thousands.
    before = len(counter.patterns)
    fresh.warm(1)
    assert 1 <= len(counter.patterns) - before < len(_patterns(fresh)) // 4


def test_hints_are_the_same_cold_warm_and_while_warming(fresh: ModuleType, bundle_dir: Path) -> None:
    cold = CPythonEngine(bundle_dir)
    try:
        texts = CORPUS[::3] + LONG_POSTS
        expected = [cold.module.annotate_json(t) for t in texts]
        # Requests between slices, as the extension interleaves them: each answered exactly as cold.
        got = []
        for text in texts:
            fresh.warm(1)
            got.append(fresh.annotate_json(text))
        assert got == expected
        while not fresh.warm(10_000):
            pass
        assert [fresh.annotate_json(t) for t in texts] == expected
        assert [fresh.annotate_json(t, context=texts[0], country="GB") for t in texts[:60]] == \
            [cold.module.annotate_json(t, context=texts[0], country="GB") for t in texts[:60]]
    finally:
        cold.close()

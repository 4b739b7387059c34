"""The shipped rule set: complete, well-exampled, and using the whole language in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import ast
from compiler.bundle import load_program
from compiler.categories import CATEGORIES

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def program():
    return load_program([ROOT / "rules"])


def _walk(p: ast.Pattern):
    yield p
    for child in getattr(p, "items", ()) or getattr(p, "options", ()):
        yield from _walk(child)
    if isinstance(p, (ast.Optional, ast.Capture)):
        yield from _walk(p.item)


def _features(rule: ast.Rule, lists: dict) -> set[str]:
    found = set()
    patterns = [rule.match] if rule.match is not None else []
    patterns += [c.pattern for c in rule.conditions if c.pattern is not None]
    for pat in patterns:
        for node in _walk(pat):
            if isinstance(node, ast.Word) and node.text.endswith("*"):
                found.add("prefix")
            elif isinstance(node, ast.Phrase):
                found.add("phrase")
            elif isinstance(node, ast.Alt):
                found.add("alternatives")
            elif isinstance(node, ast.Optional):
                found.add("optional")
            elif isinstance(node, ast.Gap):
                found.add("gap")
            elif isinstance(node, ast.ListRef):
                found.add("forms" if lists[node.name].kind == "forms" else "list")
            elif isinstance(node, ast.WordClass) and node.name == "#num":
                found.add("number")
            elif isinstance(node, ast.Regex):
                found.add("regex")
            elif isinstance(node, ast.Capture):
                found.add("capture")
    for c in rule.conditions:
        found.add(f"condition:{c.scope}:{'has' if c.has else 'lacks'}" if c.shows is None else "context-shows")
    if rule.once:
        found.add("once")
    if rule.suggestions:
        found.add("suggestion")
    if any("{" in s for s in rule.suggestions):
        found.add("suggestion-reuses-words")
    if rule.resources:
        found.add("resources")
    if any(e.context for e in rule.examples):
        found.add("reply-example")
    return found


FEATURES = {"prefix", "phrase", "alternatives", "optional", "gap", "list", "forms", "number", "regex", "capture",
            "condition:match:lacks", "condition:sentence:lacks", "condition:text:lacks", "condition:context:has",
            "context-shows", "once", "suggestion", "resources", "reply-example"}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_category_has_rules_in_both_languages(program, lang: str) -> None:
    covered = {r.category for r in program.rules if r.lang == lang}
    assert covered == set(CATEGORIES), sorted(set(CATEGORIES) - covered)


def test_every_rule_has_three_examples_each_way(program) -> None:
    thin = [r.id for r in program.rules
            if sum(e.should_match for e in r.examples) < 3 or sum(not e.should_match for e in r.examples) < 3]
    assert not thin


def test_alerts_carry_helplines_for_every_supported_country(program) -> None:
    for rule in program.rules:
        if rule.severity == "alert":
            countries = set()
            for name, _ in rule.resources:
                value = program.resources[name].fields["country"]
                countries.update(value if isinstance(value, list) else [value])
            assert {"DK", "GB", "IE", "US"} <= countries, rule.id


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_rules_use_the_whole_language(program, lang: str) -> None:
    used = set().union(*(_features(r, program.lists) for r in program.rules if r.lang == lang))
    assert FEATURES - used == set()


def test_rule_files_use_includes(program) -> None:
    assert any(f.includes for f in program.files)

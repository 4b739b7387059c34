"""From a checked Program to the rule table the bundle carries: regexes, conditions and the word index."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from . import ast
from .check import Program


@dataclass(frozen=True)
class CompiledCondition:
    scope: str
    has: bool
    regex: str | None
    shows: str | None


@dataclass(frozen=True)
class CompiledRule:
    id: str
    category: str
    severity: str
    lang: str
    where: str  # file:line of the rule
    guidance: tuple[str, ...]  # points of the guidance, the main one first
    match: str | None
    match_source: str  # the `match:` line as written, shown next to its compiled form
    conditions: tuple[CompiledCondition, ...]
    once: bool
    messages: tuple[tuple[str, str], ...]
    suggestions: tuple[str, ...]
    resources: tuple[str, ...]
    keys: tuple[tuple[str, str], ...] | None


@dataclass
class RuleSet:
    rules: tuple[CompiledRule, ...]
    word_index: dict[str, tuple[int, ...]]
    prefix_index: dict[str, tuple[int, ...]]
    number_rules: tuple[int, ...]
    always_rules: tuple[int, ...]
    text_rules: tuple[int, ...]
    resources: dict[str, dict]
    points: dict[str, str]
    hash: str


def _condition(program: Program, cond: ast.Condition) -> CompiledCondition:
    regex = program.patterns.regex(cond.pattern) if cond.pattern is not None else None
    return CompiledCondition(cond.scope, cond.has, regex, cond.shows)


def _resource(res: ast.Resource) -> dict:
    def as_list(value) -> list[str]:
        if value is None:
            return []
        return list(value) if isinstance(value, list) else [value]

    f = res.fields
    return {
        "id": res.id,
        "name": f.get("name"),
        "countries": as_list(f.get("country")),
        "phone": f.get("phone"),
        "sms": f.get("sms"),
        "web": f.get("web"),
        "languages": as_list(f.get("languages")),
        "hours": f.get("hours"),
        "source": f.get("source"),
    }


def build_ruleset(program: Program) -> RuleSet:
    compiled = []
    for rule in program.rules:
        keys = program.patterns.keys(rule.match) if rule.match is not None else None
        compiled.append(CompiledRule(
            id=rule.id,
            category=rule.category,
            severity=rule.severity,
            lang=rule.lang,
            where=program.where(rule.pos),
            guidance=tuple(name for name, _ in rule.sources),
            match=program.patterns.regex(rule.match) if rule.match is not None else None,
            match_source=program.source_line(rule.fields["match"]) if rule.match is not None else "",
            conditions=tuple(_condition(program, c) for c in rule.conditions),
            once=rule.once,
            messages=tuple(sorted(rule.messages.items())),
            suggestions=tuple(rule.suggestions),
            resources=tuple(name for name, _ in rule.resources),
            keys=tuple(sorted(keys)) if keys is not None else None,
        ))

    words: dict[str, list[int]] = {}
    prefixes: dict[str, list[int]] = {}
    numbers: list[int] = []
    always: list[int] = []
    text_rules: list[int] = []
    for i, rule in enumerate(compiled):
        if rule.match is None:
            text_rules.append(i)
        elif rule.keys is None:
            always.append(i)
        else:
            for kind, word in rule.keys:
                if kind == "n":
                    numbers.append(i)
                elif kind == "p":
                    prefixes.setdefault(word, []).append(i)
                else:
                    words.setdefault(word, []).append(i)

    resources = {name: _resource(res) for name, res in sorted(program.resources.items())}
    points = {name: p.summary for name, p in sorted(program.points.items())}
    payload = json.dumps({"rules": [asdict(r) for r in compiled], "resources": resources}, sort_keys=True,
                         ensure_ascii=False)
    return RuleSet(
        rules=tuple(compiled),
        word_index={w: tuple(v) for w, v in sorted(words.items())},
        prefix_index={w: tuple(v) for w, v in sorted(prefixes.items())},
        number_rules=tuple(numbers),
        always_rules=tuple(always),
        text_rules=tuple(text_rules),
        resources=resources,
        points=points,
        hash=hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16],
    )

"""From a checked Program to the rule table the bundle carries: regexes, conditions and the word index."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import chain

from . import ast
from .check import Program
from .patterns import Key, cheapest
from .runtime.engine import set_lookup
from .runtime.text import encode, sentences


@dataclass(frozen=True)
class CompiledCondition:
    scope: str
    has: bool
    regex: str | None
    shows: str | None
    # per alternative of the pattern, the word sets its matches hold a word of (None: some needs none)
    alternatives: tuple[tuple[tuple[Key, ...], ...], ...] | None
    distance: int = 0  # scope "near": words either side of the match
    count: int = 0  # `has N of`: how many of `options` must occur
    options: tuple[CompiledCondition, ...] = ()  # one plain `has` condition per alternative
    model: str | None = None  # `when text scores 0.9: MODEL`
    threshold: float = 0.0
    matched: bool = False  # `text shows` of the rule's own category: only rules with a match count


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
    # Per alternative of the match: the key (words one of which its matches contain, chosen rare) and
    # the other word sets they contain a word of. None: some alternative needs no word (always woken).
    alternatives: tuple[tuple[tuple[Key, ...], tuple[tuple[Key, ...], ...]], ...] | None
    # {alternative: how many words of its key every match holds}, where more than one (_repeats)
    repeats: dict[int, int]


@dataclass
class RuleSet:
    rules: tuple[CompiledRule, ...]
    word_sets: tuple[tuple[str, ...], ...]  # "word", "prefix*" or "#num"
    needs: tuple[tuple[tuple[int, ...], ...], ...]  # per rule, per alternative: numbers of word_sets
    cond_needs: tuple[tuple[tuple[tuple[int, ...], ...] | None, ...], ...]  # per rule, per condition
    word_index: dict[str, tuple[tuple[int, int], ...]]  # word -> (rule, alternative)
    prefix_index: dict[str, tuple[tuple[int, int], ...]]
    suffix_index: dict[str, tuple[tuple[int, int], ...]]
    number_rules: tuple[tuple[int, int], ...]
    always_rules: tuple[int, ...]
    text_rules: tuple[int, ...]
    resources: dict[str, dict]
    points: dict[str, str]
    models: dict[str, dict]  # the models the rules use, by name (model_file.read_model)
    hash: str


def _alternatives(needs: list[list[frozenset[Key]]]) -> tuple | None:
    """Per alternative of a pattern (its PatternCompiler.needs): its key (the rarest of its word sets)
    and its other word sets, each set as sorted keys. None when some alternative needs no particular word."""
    out = []
    for clauses in needs:
        if not clauses:
            return None
        key = cheapest(clauses)
        out.append((tuple(sorted(key)), tuple(sorted({tuple(sorted(c)) for c in clauses if c != key}))))
    return tuple(out)


def _repeats(needs: list[list[frozenset[Key]]], alternatives: tuple | None) -> dict[int, int]:
    """The alternatives of a pattern (its needs, and its _alternatives) more than one of whose word sets
    is their key's set, and how many are. Each such set is read at its own word of a match (the parts of
    a sequence match words one after the other), so a match holds that many words of the key: `@change
    ~8 @change ~8 @change` three, and a sentence with fewer cannot hold one."""
    if not alternatives:
        return {}
    counts = (clauses.count(frozenset(key)) for clauses, (key, _) in zip(needs, alternatives))
    return {j: n for j, n in enumerate(counts) if n > 1}


def _condition(program: Program, cond: ast.Condition, rule: ast.Rule) -> CompiledCondition:
    if cond.model is not None:
        return CompiledCondition(cond.scope, cond.has, None, None, None, model=cond.model, threshold=cond.threshold)
    if cond.count:
        options = tuple(_condition(program, ast.Condition(cond.scope, True, pattern=o, pos=cond.pos), rule)
                        for o in program.patterns.counted_parts(cond.pattern))
        return CompiledCondition(cond.scope, cond.has, None, None, None, count=cond.count, options=options)
    if cond.pattern is None:
        return CompiledCondition(cond.scope, cond.has, None, cond.shows, None, cond.distance,
                                 matched=cond.scope == "text" and cond.shows == rule.category)
    alternatives = _alternatives(program.patterns.needs(cond.pattern))
    return CompiledCondition(cond.scope, cond.has, program.patterns.regex(cond.pattern), cond.shows,
                             # key first: conditions are not in the index, the bundle looks it up first
                             tuple((key, *others) for key, others in alternatives) if alternatives else None,
                             cond.distance)


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


def _entry(key: Key) -> str:
    kind, word = key
    return {"n": "#num", "p": word + "*", "s": "*" + word}.get(kind, word)


def _renumbered(word_sets: tuple, needs: list, cond_needs: list, texts: list[str]) -> tuple[tuple, list, list]:
    """The word sets numbered again, those a sentence most often holds a word of first. The bundle holds
    a sentence's word sets as the bits of an int, joined with `|` word by word and tested with `&`,
    whose cost grows with the highest bit: with the common sets first, a typical sentence's int is
    short (the shipped rules: 14,428 sets; the highest one a corpus sentence holds, median 14,368 when
    numbered by rules alone, 7,954 so). How often is read from `texts`, the rules' own examples, so the
    same rules give the same numbers. Ties (most sets are in no example): those the rules' alternatives
    need first, most needed first, then those only conditions need."""
    lookup = set_lookup(tuple(" ".join(entries) for entries in word_sets))
    held = Counter()
    for text in texts:
        for start, end in sentences(text):
            held.update(set(chain.from_iterable(map(lookup.find, set(encode(text[start:end]).split())))))
    by_rules = Counter(n for rule in needs for alt in rule for n in alt)
    by_conds = Counter(n for rule in cond_needs for cond in rule for n in _flat_numbers(cond))
    order = sorted(range(len(word_sets)),
                   key=lambda n: (-held[n], n not in by_rules, -by_rules[n], -by_conds[n], n))
    new = {old: i for i, old in enumerate(order)}

    def renumber(tree):
        return new[tree] if isinstance(tree, int) else None if tree is None else tuple(map(renumber, tree))

    return tuple(word_sets[n] for n in order), renumber(needs), renumber(cond_needs)


def _flat_numbers(tree) -> list[int]:
    if tree is None:
        return []
    if isinstance(tree, int):
        return [tree]
    return [n for t in tree for n in _flat_numbers(t)]


def build_ruleset(program: Program) -> RuleSet:
    compiled = []
    for rule in program.rules:
        needs = program.patterns.needs(rule.match) if rule.match is not None else []
        alternatives = _alternatives(needs) if rule.match is not None else None
        compiled.append(CompiledRule(
            id=rule.id,
            category=rule.category,
            severity=rule.severity,
            lang=rule.lang,
            where=program.where(rule.pos),
            guidance=tuple(name for name, _ in rule.sources),
            match=program.patterns.regex(rule.match) if rule.match is not None else None,
            match_source=program.source_line(rule.fields["match"]) if rule.match is not None else "",
            conditions=tuple(_condition(program, c, rule) for c in rule.conditions),
            once=rule.once,
            messages=tuple(sorted(rule.messages.items())),
            suggestions=tuple(rule.suggestions),
            resources=tuple(name for name, _ in rule.resources),
            alternatives=alternatives,
            repeats=_repeats(needs, alternatives),
        ))

    words: dict[str, list[tuple[int, int]]] = {}
    prefixes: dict[str, list[tuple[int, int]]] = {}
    suffixes: dict[str, list[tuple[int, int]]] = {}
    index_of = {"w": words, "p": prefixes, "s": suffixes}  # by the kind of a key (numbers are a list)
    numbers: list[tuple[int, int]] = []
    always: list[int] = []
    text_rules: list[int] = []
    word_sets: dict[tuple[str, ...], int] = {}

    def number(keys: tuple[Key, ...]) -> int:
        return word_sets.setdefault(tuple(sorted(_entry(k) for k in keys)), len(word_sets))

    def cond_need(c: CompiledCondition) -> tuple | None:
        """Per alternative, the numbers of the word sets it needs; for a counted condition, its parts'."""
        if c.options:
            return tuple(cond_need(o) for o in c.options)
        if c.alternatives is None:
            return None
        return tuple(tuple(number(s) for s in alt) for alt in c.alternatives)

    needs = []
    cond_needs = []
    for i, rule in enumerate(compiled):
        rule_needs = []
        if rule.match is None:
            text_rules.append(i)
        elif rule.alternatives is None:
            always.append(i)
        else:
            for j, (key, others) in enumerate(rule.alternatives):
                for kind, word in key:
                    target = numbers if kind == "n" else index_of[kind].setdefault(word, [])
                    if (i, j) not in target[-1:]:  # a key may name the same word twice (selvmord*, selvmord)
                        target.append((i, j))
                rule_needs.append(tuple(number(s) for s in others))
        needs.append(tuple(rule_needs))
        cond_needs.append(tuple(cond_need(c) for c in rule.conditions))

    examples = [t for rule in program.rules for e in rule.examples for t in (e.text, e.context) if t]
    word_sets, needs, cond_needs = _renumbered(tuple(word_sets), needs, cond_needs, examples)
    resources = {name: _resource(res) for name, res in sorted(program.resources.items())}
    points = {name: p.summary for name, p in sorted(program.points.items())}
    used = {c.model for r in compiled for c in r.conditions if c.model is not None}
    models = {name: program.models[name] for name in sorted(used)}
    payload = json.dumps({"rules": [asdict(r) for r in compiled], "resources": resources, "models": models},
                         sort_keys=True, ensure_ascii=False)
    return RuleSet(
        rules=tuple(compiled),
        word_sets=word_sets,
        needs=tuple(needs),
        cond_needs=tuple(cond_needs),
        word_index={w: tuple(v) for w, v in sorted(words.items())},
        prefix_index={w: tuple(v) for w, v in sorted(prefixes.items())},
        suffix_index={w: tuple(v) for w, v in sorted(suffixes.items())},
        number_rules=tuple(numbers),
        always_rules=tuple(always),
        text_rules=tuple(text_rules),
        resources=resources,
        points=points,
        models=models,
        hash=hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16],
    )

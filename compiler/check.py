"""Semantic checks of parsed rule files: names, duplicates, categories, messages, patterns, examples.

Collects every problem before giving up, so an author fixes a file in one pass.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from . import ast
from .categories import CATEGORIES, LANGUAGES, SEVERITIES
from .diagnostics import Diagnostic, RuleErrors, did_you_mean
from .model_file import ModelFileError, read_model
from .patterns import PatternCompiler, PatternError, captures, list_refs, unknown_list

REQUIRED = ("category", "severity", "lang", "source")
RESOURCE_FIELDS_REQUIRED = ("name", "country", "source")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_COUNTRY = re.compile(r"[A-Z]{2}")
MAX_NEAR = 20  # wider than this, `sentence` says it better


@dataclass
class Program:
    """A checked rule set: everything the code generator needs, nothing it must verify again."""

    files: list[ast.RuleFile]
    rules: list[ast.Rule]
    lists: dict[str, ast.WordList]
    points: dict[str, ast.Point]
    resources: dict[str, ast.Resource]
    patterns: PatternCompiler
    models: dict[str, dict] = field(default_factory=dict)  # name -> the model file's content (train.read_model)
    display: dict[Path, str] = field(default_factory=dict)  # file -> path shown in hints and docs
    _lines: dict[Path, list[str]] = field(default_factory=dict, repr=False)

    def where(self, pos: ast.Pos) -> str:
        return f"{self.display.get(pos.file, str(pos.file))}:{pos.line}"

    def source_line(self, pos: ast.Pos) -> str:
        if not self._lines:
            self._lines = {f.path: f.source.splitlines() for f in self.files}
        lines = self._lines.get(pos.file, [])
        return lines[pos.line - 1].strip() if 0 < pos.line <= len(lines) else ""


def _display_paths(files: list[ast.RuleFile]) -> dict[Path, str]:
    """Paths as `rules/en/x.heed`: relative to the parent of the files' common folder, so the output
    does not depend on the directory the compiler ran in."""
    if not files:
        return {}
    resolved = [f.path.resolve() for f in files]
    root = Path(os.path.commonpath([p.parent for p in resolved])).parent
    return {f.path: p.relative_to(root).as_posix() for f, p in zip(files, resolved)}


def check(files: list[ast.RuleFile]) -> Program:
    errors: list[Diagnostic] = []

    def err(pos: ast.Pos, message: str, hint: str | None = None, width: int = 1) -> None:
        errors.append(Diagnostic(pos, message, hint, width=width))

    lists: dict[str, ast.WordList] = {}
    points: dict[str, ast.Point] = {}
    resources: dict[str, ast.Resource] = {}
    rules: dict[str, ast.Rule] = {}
    model_refs: dict[str, ast.ModelRef] = {}
    for f in files:
        for kind, items, table, key in (
            ("model", f.models, model_refs, "name"),
            ("list", f.lists, lists, "name"),
            ("point", f.points, points, "name"),
            ("resource", f.resources, resources, "id"),
            ("rule", f.rules, rules, "id"),
        ):
            for item in items:
                name = getattr(item, key)
                if name in table:
                    first = table[name].pos
                    err(item.pos, f"duplicate {kind} '{name}'", f"first defined at {first}", width=len(name))
                else:
                    table[name] = item

    patterns = PatternCompiler(lists)

    def compile_pattern(p: ast.Pattern) -> None:
        try:
            patterns.regex(p)
        except PatternError as e:
            err(e.pos, e.message, e.hint, e.width)

    for wl in lists.values():
        for entry in wl.entries:
            refs = list_refs(entry)
            for ref in refs:
                if ref.name not in lists:
                    e = unknown_list(ref, lists)
                    err(e.pos, e.message, e.hint, e.width)
            if not refs:
                try:
                    patterns.part(entry)
                except PatternError as e:
                    err(e.pos, e.message, e.hint, e.width)

    for res in resources.values():
        _check_resource(res, err)

    models = {}
    for ref in model_refs.values():
        try:
            models[ref.name] = read_model(Path(os.path.normpath(ref.pos.file.parent / ref.path)))
        except ModelFileError as e:
            err(ref.pos, str(e), f"the path is relative to {ref.pos.file}; make the file with `heed train`",
                len(ref.name))
            models[ref.name] = None  # (known, so rules naming it are not reported again)

    for rule in rules.values():
        _check_rule(rule, err, compile_pattern, points, resources, patterns, models)
    _check_shows_cycles(list(rules.values()), err)

    if errors:
        errors.sort(key=lambda d: (str(d.pos.file), d.pos.line, d.pos.col))
        raise RuleErrors(_unique(errors))
    return Program(files, list(rules.values()), lists, points, resources, patterns, models, _display_paths(files))


def _unique(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diags:
        key = (d.pos, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out


def _check_resource(res: ast.Resource, err) -> None:
    for name in RESOURCE_FIELDS_REQUIRED:
        if name not in res.fields:
            err(res.pos, f"resource '{res.id}' has no '{name}:'",
                "say where the number comes from with `source: \"…\"`" if name == "source" else None, len(res.id))
    countries = res.fields.get("country", [])
    for c in countries if isinstance(countries, list) else [countries]:
        if not _COUNTRY.fullmatch(c):
            err(res.pos, f"resource '{res.id}': country '{c}' is not a two-letter ISO code", "e.g. DK, GB, IE, US")
    if not any(k in res.fields for k in ("phone", "sms", "web")):
        err(res.pos, f"resource '{res.id}' has no way to reach it", "add phone:, sms: or web:", len(res.id))


def _check_shows_cycles(rules: list[ast.Rule], err) -> None:
    """`text shows: X` runs the rules of X on the text; X's rules must not lead back here."""
    edges: dict[str, set[str]] = {}
    where: dict[tuple[str, str], ast.Pos] = {}
    for rule in rules:
        for cond in rule.conditions:
            if cond.shows is not None and cond.scope == "text" and rule.category and cond.shows != rule.category:
                edges.setdefault(rule.category, set()).add(cond.shows)
                where.setdefault((rule.category, cond.shows), cond.pos)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in edges.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    for (src, dst), pos in sorted(where.items(), key=lambda kv: (str(kv[1].file), kv[1].line)):
        if reaches(dst, src, {dst}):
            err(pos, f"'{src}' and '{dst}' depend on each other through 'text shows'",
                "one of them must not look at the other", len(dst))


def _check_rule(rule: ast.Rule, err, compile_pattern, points, resources, patterns: PatternCompiler,
                models: dict[str, dict | None]) -> None:
    width = len(rule.id)
    for name, pos in rule.fields.items():
        if name.startswith("duplicate:"):
            err(pos, f"'{name.split(':', 1)[1]}' is given twice in rule '{rule.id}'", "keep one")
    for name in REQUIRED:
        if name not in rule.fields:
            example = {"category": "warning-signs", "severity": "warning", "lang": "en", "source": "a point name"}
            err(rule.pos, f"rule '{rule.id}' has no '{name}:'", f"add e.g. `{name}: {example[name]}`", width)
    if rule.category is not None and rule.category not in CATEGORIES:
        err(rule.fields["category"], f"unknown category '{rule.category}'",
            did_you_mean(rule.category, CATEGORIES) or "the categories are listed in CATEGORIES.md", len(rule.category))
    if rule.severity is not None:
        if rule.severity not in SEVERITIES:
            err(rule.fields["severity"], f"unknown severity '{rule.severity}'",
                did_you_mean(rule.severity, SEVERITIES) or "use alert, warning or suggestion", len(rule.severity))
        elif rule.category in CATEGORIES and CATEGORIES[rule.category] != rule.severity:
            err(rule.fields["severity"], f"category '{rule.category}' has severity '{CATEGORIES[rule.category]}',"
                f" not '{rule.severity}'", f"write `severity: {CATEGORIES[rule.category]}`", len(rule.severity))
    if rule.lang is not None and rule.lang not in LANGUAGES:
        err(rule.fields["lang"], f"unknown language '{rule.lang}'", "use da or en", len(rule.lang))
    for name, pos in rule.sources:
        if name not in points:
            err(pos, f"unknown point of the guidance '{name}'",
                did_you_mean(name, points) or "define it with `point NAME \"summary\"`", len(name))
    for lang in LANGUAGES:
        if lang not in rule.messages:
            err(rule.pos, f"rule '{rule.id}' has no message in '{lang}'",
                f"add `message {lang}: \"…\"`: both languages are required", width)
    for lang in rule.messages:
        if lang not in LANGUAGES:
            err(rule.fields.get(f"message {lang}", rule.pos), f"unknown message language '{lang}'", "use da or en")
    for name, pos in rule.resources:
        if name not in resources:
            err(pos, f"unknown resource '{name}'", did_you_mean(name, resources), len(name))

    if rule.match is not None:
        compile_pattern(rule.match)
    elif not rule.conditions:
        err(rule.pos, f"rule '{rule.id}' has no 'match:' and no condition: it would flag every text",
            "add `match: …` or a `when …` condition", width)
    for cond in rule.conditions:
        if cond.pattern is not None:
            compile_pattern(cond.pattern)
        if cond.count:
            try:
                parts = patterns.counted_parts(cond.pattern)
                twice = patterns.counted_twice(parts) if len(parts) > 1 else None
            except PatternError:  # (compile_pattern has reported it)
                parts, twice = (), None
            options = len(parts)
            if twice:
                err(cond.pos, f"'has {cond.count} of' would count {twice[0]} twice: both {twice[1]} and {twice[2]} "
                    "hold it", "keep it in one of them, so one phrase counts as one cue")
            if cond.scope not in ("sentence", "text", "context"):
                err(cond.pos, f"'{cond.count} of' counts in a sentence, the text or the context",
                    "write `when sentence has 2 of: A | B | C` (or text, context)")
            elif parts and not 2 <= cond.count <= options:
                err(cond.pos, f"'has {cond.count} of' needs at least {max(2, cond.count)} alternatives, "
                    f"and this pattern has {options}",
                    "list the alternatives with '|' (`has 2 of: @numb | @no-future | @goodbye`), or name one "
                    "list to count its entries (`has 3 of: @daily-changes`)")
        if cond.model is not None:
            if cond.model not in models:
                err(cond.pos, f"unknown model '{cond.model}'",
                    did_you_mean(cond.model, models) or "declare it with `model NAME \"file.json\"`", len(cond.model))
            if cond.scope not in ("text", "context"):
                err(cond.pos, "a model scores the whole text or the context",
                    "write `when text scores 0.9: MODEL` or `when context scores 0.9: MODEL`")
            if not 0.0 < cond.threshold < 1.0:
                err(cond.pos, f"score {cond.threshold} can never be reached or is always reached",
                    "a score is a probability: write one between 0 and 1, such as 0.9")
        if cond.scope == "near":
            if rule.match is None:
                err(cond.pos, "'near' counts words from the match, and this rule has no 'match:'",
                    "add `match: …`, or use `sentence` or `text` instead of `near`")
            elif not 1 <= cond.distance <= MAX_NEAR:
                err(cond.pos, f"'near {cond.distance}': the distance must be 1 to {MAX_NEAR} words",
                    "for the match's own words write `unless: …`; for the whole sentence, `sentence`")
        if cond.shows is not None:
            if cond.scope not in ("context", "text"):
                err(cond.pos, "only the context or the text can 'show' a category",
                    "write `when context shows: CATEGORY` or `unless text shows: CATEGORY`")
            elif cond.scope == "text" and cond.shows == rule.category and rule.match is not None:
                # (a rule without a match may: it then asks whether a rule of its category *with* a match fired)
                err(cond.pos, f"a rule of '{rule.category}' with a 'match:' cannot depend on its own category",
                    "only a rule without `match:` may ask `unless text shows:` of its own category", len(cond.shows))
            elif cond.shows not in CATEGORIES:
                err(cond.pos, f"unknown category '{cond.shows}'", did_you_mean(cond.shows, CATEGORIES),
                    len(cond.shows))

    names = [c.name for c in captures(rule.match)] if rule.match is not None else []
    for cap in captures(rule.match) if rule.match is not None else []:
        if names.count(cap.name) > 1:
            err(cap.pos, f"capture '{cap.name}' is defined twice", "give each capture its own name", len(cap.name))
    for template in rule.suggestions:
        for placeholder in _PLACEHOLDER.findall(template):
            if placeholder not in names:
                err(rule.fields.get("match", rule.pos), f"suggestion uses '{{{placeholder}}}' but the match has no"
                    f" capture '<{placeholder}: …>'", did_you_mean(placeholder, names))

    positives = [e for e in rule.examples if e.should_match]
    negatives = [e for e in rule.examples if not e.should_match]
    if not positives or not negatives:
        missing = "an `expect:` example (text that triggers it)" if not positives else \
            "an `allow:` example (a near miss that must not trigger it)"
        err(rule.pos, f"rule '{rule.id}' needs {missing}", "examples are the rule's tests", width)
    for ex in positives:
        if ex.corrected is not None and not rule.suggestions:
            err(ex.pos, "example gives a corrected text but the rule has no 'suggest:'",
                "add `suggest: \"…\"` or drop the `-> \"…\"`")

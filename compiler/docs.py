"""`heed docs`: the rule reference (Markdown and HTML) and the guidance coverage table, from Jinja2 templates."""

from __future__ import annotations

from pathlib import Path

import jinja2

from .categories import CATEGORIES
from .check import Program

PARTS = {"share": "Sharing your own story", "support": "Supporting someone who is struggling"}


def _context(program: Program) -> dict:
    rules = sorted(program.rules, key=lambda r: (list(CATEGORIES).index(r.category), r.lang, r.id))
    by_point: dict[str, list] = {name: [] for name in program.points}
    for rule in rules:
        for name, _ in rule.sources:
            by_point.setdefault(name, []).append(rule)
    points = []
    for name, point in program.points.items():
        part = name.split(".", 1)[0]
        cited = by_point.get(name, [])
        points.append({
            "name": name, "summary": point.summary, "part": PARTS.get(part, part), "rules": cited,
            "expect": sum(1 for r in cited for e in r.examples if e.should_match),
            "allow": sum(1 for r in cited for e in r.examples if not e.should_match),
        })
    return {
        "rules": rules,
        "categories": CATEGORIES,
        "points": points,
        "point_summary": {n: p.summary for n, p in program.points.items()},
        "where": program.where,
        "resources": program.resources,
        "uncovered": [p for p in points if not p["rules"]],
    }


def write_docs(program: Program, out: Path) -> list[Path]:
    env = jinja2.Environment(loader=jinja2.PackageLoader("compiler", "templates"), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined, autoescape=jinja2.select_autoescape(["html.j2"]),
                             trim_blocks=True, lstrip_blocks=True)
    out.mkdir(parents=True, exist_ok=True)
    context = _context(program)
    written = []
    for template, name in (("rules.md.j2", "rules.md"), ("rules.html.j2", "rules.html"),
                           ("coverage.md.j2", "guidance-coverage.md")):
        path = out / name
        path.write_text(env.get_template(template).render(**context), encoding="utf-8", newline="\n")
        written.append(path)
    return written

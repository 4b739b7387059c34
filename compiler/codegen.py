"""Writes the `heed_bundle` package: generated `__init__.py`, `rules.py` and `models.py` (Jinja2
templates) next to the runtime's `engine.py`, `text.py` and `scorer.py`, copied unchanged. Same input,
same bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2

from .ruleset import RuleSet

RUNTIME = Path(__file__).resolve().parent / "runtime"
RUNTIME_FILES = ("engine.py", "text.py", "scorer.py")


def py_literal(value: object) -> str:
    """A Python literal for a template; regexes are written as raw strings so they read as written."""
    if isinstance(value, str):
        if "\\" in value and "'" not in value and "\n" not in value and not value.endswith("\\"):
            return "r'" + value + "'"
        return repr(value)
    if isinstance(value, tuple):
        inner = ", ".join(py_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    if isinstance(value, list):
        return "[" + ", ".join(py_literal(v) for v in value) + "]"
    return repr(value)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("compiler", "templates"),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Python source, not HTML
    )
    env.filters["py"] = py_literal
    env.filters["number_lists"] = number_lists
    env.filters["weight_table"] = weight_table
    return env


def weight_table(weights: dict[str, float]) -> str:
    """A model's weights as a string literal, one "feature<TAB>weight" line each (scorer.Model.from_tables):
    readable, and compiled far faster than a dict display. Features are words, so a triple-quoted string
    holds them; a feature with a backslash, a quote or a control character makes it an escaped one."""
    text = "".join(f"{feature}\t{weight!r}\n" for feature, weight in weights.items())
    if "\\" in text or '"' in text or not all(c.isprintable() or c in "\t\n" for c in text):
        return repr(text)
    return '"""\n' + text.replace("\t", "\\t") + '"""'


def number_lists(lists: tuple) -> str:
    """Lists of numbers as one string, "1 2|3|": a string literal compiles far faster than the same
    numbers as nested tuples, which matters for the start-up of a bundle with thousands of rules."""
    return "|".join(" ".join(str(n) for n in numbers) for numbers in lists)


def write_package(ruleset: RuleSet, out_dir: Path, *, version: str, files: list[str]) -> Path:
    """Write DIR/heed_bundle/ and return its path. Any older package there is replaced whole."""
    package = out_dir / "heed_bundle"
    if package.exists():
        shutil.rmtree(package)
    package.mkdir(parents=True)
    env = _environment()
    context = {"ruleset": ruleset, "version": version, "files": files}
    for template, target in (("__init__.py.j2", "__init__.py"), ("rules.py.j2", "rules.py"),
                             ("models.py.j2", "models.py")):
        text = env.get_template(template).render(**context)
        (package / target).write_text(text, encoding="utf-8", newline="\n")
    for name in RUNTIME_FILES:
        (package / name).write_bytes((RUNTIME / name).read_bytes())
    return package

"""The compile pipeline in one call: parse -> check -> rule table -> package -> wheel."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .check import Program, check
from .codegen import write_package
from .parse import parse_files
from .ruleset import RuleSet, build_ruleset
from .wheel import build_wheel


@dataclass
class Bundle:
    program: Program
    ruleset: RuleSet
    package: Path
    wheel: Path


def load_program(paths: list[Path]) -> Program:
    """Parse and check rule files; raises RuleErrors with every problem found."""
    return check(parse_files(paths))


def compile_bundle(paths: list[Path], out_dir: Path, *, version: str = __version__) -> Bundle:
    program = load_program(paths)
    ruleset = build_ruleset(program)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("heed_bundle-*.whl"):
        old.unlink()
    package = write_package(ruleset, out_dir, version=version, files=sorted(program.display.values()))
    wheel = build_wheel(package, out_dir, version=version,
                        summary=f"heed safe-messaging hints, rules {ruleset.hash}")
    return Bundle(program, ruleset, package, wheel)

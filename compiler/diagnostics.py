"""Errors for rule authors: `file:line:col: error: what`, the source line with a caret, and a hint."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

from .ast import Pos


@dataclass(frozen=True)
class Diagnostic:
    pos: Pos
    message: str
    hint: str | None = None
    severity: str = "error"
    width: int = 1  # how many characters the caret underlines

    def render(self, sources: dict[Path, str] | None = None) -> str:
        head = f"{self.pos}: {self.severity}: {self.message}"
        lines = [head]
        text = (sources or {}).get(self.pos.file)
        if text is None:
            try:
                text = Path(self.pos.file).read_text(encoding="utf-8")
            except OSError:
                text = None
        if text is not None:
            src_lines = text.splitlines()
            if 1 <= self.pos.line <= len(src_lines):
                line = src_lines[self.pos.line - 1].replace("\t", " ")
                lines.append(f"  {line}")
                lines.append("  " + " " * (self.pos.col - 1) + "^" * max(1, self.width))
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class RuleErrors(Exception):
    """Raised when rule files have errors; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__(f"{len(diagnostics)} error(s)")
        self.diagnostics = diagnostics


def did_you_mean(name: str, candidates: object) -> str | None:
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)  # type: ignore[arg-type]
    return f"did you mean '{close[0]}'?" if close else None

"""The rule language as plain data: what the parser produces and the checker reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Pos:
    file: Path
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# --- patterns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str  # as written, may hold a hyphen (self-harm) or end in '*' (prefix)
    pos: Pos


@dataclass(frozen=True)
class Phrase:
    text: str
    pos: Pos


@dataclass(frozen=True)
class WordClass:
    name: str  # "#num", "#any" or a hashtag such as "#mentalhealth"
    pos: Pos


@dataclass(frozen=True)
class Regex:
    source: str  # without the slashes
    pos: Pos


@dataclass(frozen=True)
class Gap:
    limit: int
    pos: Pos
    exclude: Pattern | None = None  # `~3!(not | never)`: no word of the gap may begin a match of this


@dataclass(frozen=True)
class ListRef:
    name: str
    pos: Pos


@dataclass(frozen=True)
class Seq:
    items: tuple[Pattern, ...]


@dataclass(frozen=True)
class Alt:
    options: tuple[Pattern, ...]


@dataclass(frozen=True)
class Optional:
    item: Pattern


@dataclass(frozen=True)
class Capture:
    name: str
    item: Pattern
    pos: Pos


Pattern = Word | Phrase | WordClass | Regex | Gap | ListRef | Seq | Alt | Optional | Capture


# --- items ----------------------------------------------------------------------------------------


@dataclass
class Condition:
    scope: str  # "match", "near", "sentence", "text", "context", "question"
    has: bool  # True: required; False: forbidden
    pattern: Pattern | None = None
    shows: str | None = None  # a category the context must trigger
    pos: Pos | None = None
    distance: int = 0  # "near": how many words either side of the match the pattern may touch
    count: int = 0  # `has 2 of: A | B | C`: how many of the pattern's alternatives must occur (0: any)
    model: str | None = None  # `when text scores 0.9: MODEL`: the model's name ...
    threshold: float = 0.0  # ... and the score it must reach


@dataclass
class Example:
    text: str
    should_match: bool
    context: str | None
    corrected: str | None
    pos: Pos


@dataclass
class Rule:
    id: str
    pos: Pos
    fields: dict[str, Pos] = field(default_factory=dict)  # which single fields were given, and where
    category: str | None = None
    severity: str | None = None
    lang: str | None = None
    sources: list[tuple[str, Pos]] = field(default_factory=list)  # points of the guidance it encodes
    match: Pattern | None = None
    conditions: list[Condition] = field(default_factory=list)
    once: bool = False
    messages: dict[str, str] = field(default_factory=dict)
    suggestions: list[str] = field(default_factory=list)
    resources: list[tuple[str, Pos]] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)

    @property
    def source(self) -> str | None:
        """The main point of the guidance the rule encodes (the first one named)."""
        return self.sources[0][0] if self.sources else None


@dataclass
class WordList:
    name: str
    kind: str  # "list" or "forms"
    entries: list[Pattern]
    pos: Pos


@dataclass
class Point:
    name: str
    summary: str
    pos: Pos


@dataclass
class Resource:
    id: str
    pos: Pos
    fields: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass
class ModelRef:
    """`model NAME "file.json"`: a text scorer made by `heed train`, its path relative to the rule file."""

    name: str
    path: str
    pos: Pos


@dataclass
class Include:
    path: str
    pos: Pos


@dataclass
class RuleFile:
    path: Path
    source: str
    includes: list[Include] = field(default_factory=list)
    lists: list[WordList] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)
    models: list[ModelRef] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)

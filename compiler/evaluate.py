"""`heed eval`: recall and false alarms per category on a labelled corpus."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .categories import CATEGORIES


class CorpusError(ValueError):
    pass


def read_corpus(path: Path) -> list[dict]:
    items = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(f"{path}:{n}: not JSON: {err.msg}") from None
        if not isinstance(item, dict) or not isinstance(item.get("text"), str) or "id" not in item:
            raise CorpusError(f"{path}:{n}: an item needs at least \"id\" and \"text\"")
        for key in ("expect", "forbid"):
            unknown = [c for c in item.get(key, []) if c not in CATEGORIES]
            if unknown:
                raise CorpusError(f"{path}:{n}: unknown category {unknown[0]!r} in {key!r}")
        if item["id"] in seen:
            raise CorpusError(f"{path}:{n}: duplicate id {item['id']!r}")
        seen.add(item["id"])
        items.append(item)
    return items


@dataclass
class CategoryScore:
    positives: int = 0
    found: int = 0
    false_alarms: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None


@dataclass
class Evaluation:
    items: int = 0
    clean: int = 0
    clean_flagged: int = 0
    per_category: dict[str, CategoryScore] = field(default_factory=dict)
    misses: list[tuple[dict, str]] = field(default_factory=list)
    false_alarms: list[tuple[dict, dict]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        pos = sum(s.positives for s in self.per_category.values())
        return sum(s.found for s in self.per_category.values()) / pos if pos else 1.0

    @property
    def clean_false_alarm_rate(self) -> float:
        return self.clean_flagged / self.clean if self.clean else 0.0

    def as_dict(self) -> dict:
        return {
            "items": self.items, "clean": self.clean, "clean_flagged": self.clean_flagged,
            "recall": self.recall, "clean_false_alarm_rate": self.clean_false_alarm_rate,
            "categories": {c: {"positives": s.positives, "found": s.found, "recall": s.recall,
                               "false_alarms": s.false_alarms} for c, s in self.per_category.items()},
        }


def evaluate(items: list[dict], annotate_many: Callable[[list[dict]], list[dict]],
             progress: Callable[[int], None] | None = None, batch: int = 50) -> Evaluation:
    ev = Evaluation(per_category={c: CategoryScore() for c in CATEGORIES})
    for start in range(0, len(items), batch):
        chunk = items[start:start + batch]
        responses = annotate_many([{"id": it["id"], "text": it["text"], "lang": it.get("lang"),
                                    "context": it.get("context")} for it in chunk])
        for item, resp in zip(chunk, responses):
            _score(ev, item, resp.get("hints", []))
        if progress:
            progress(len(chunk))
    return ev


def _score(ev: Evaluation, item: dict, hints: list[dict]) -> None:
    ev.items += 1
    expect = set(item.get("expect", []))
    flagged = {h["category"] for h in hints}
    if not expect:
        ev.clean += 1
        if hints:
            ev.clean_flagged += 1
    for cat in expect:
        score = ev.per_category[cat]
        score.positives += 1
        if cat in flagged:
            score.found += 1
        else:
            ev.misses.append((item, cat))
    for hint in hints:
        if hint["category"] not in expect:
            ev.per_category[hint["category"]].false_alarms += 1
            ev.false_alarms.append((item, hint))


def format_report(ev: Evaluation, *, details: bool = True) -> str:
    lines = [f"{'category':24} {'positives':>9} {'found':>6} {'recall':>7} {'false alarms':>13}"]
    for cat, s in ev.per_category.items():
        if not s.positives and not s.false_alarms:
            continue
        recall = f"{s.recall:.2f}" if s.recall is not None else "-"
        lines.append(f"{cat:24} {s.positives:9d} {s.found:6d} {recall:>7} {s.false_alarms:13d}")
    lines.append("")
    lines.append(f"items: {ev.items}; overall recall: {ev.recall:.3f}; clean comments flagged: "
                 f"{ev.clean_flagged}/{ev.clean} ({ev.clean_false_alarm_rate:.1%})")
    if details:
        if ev.misses:
            lines.append("\nmisses:")
            lines += [f"  {it['id']}: {cat}: {it['text'][:120]!r}" for it, cat in ev.misses]
        if ev.false_alarms:
            lines.append("\nfalse alarms:")
            lines += [f"  {it['id']}: {h['category']}/{h['rule']} on {h['text']!r}: {it['text'][:100]!r}"
                      for it, h in ev.false_alarms]
    return "\n".join(lines)

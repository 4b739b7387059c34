"""`heed cost`: what each rule costs the engine on a corpus, so a rule writer sees it while writing.

For every sentence of every text the engine is asked, as it does in a call, which rules the sentence
wakes (word index and needed words) and which of those it would pass over at once (a required
condition that cannot hold); each remaining rule is then run on the sentence alone, as the engine
runs it (its regex, its sentence, match and near conditions, its hits), and timed (best of a few
runs, process time). Conditions on the whole text are left out: the engine searches each of those
once per call, shared by every rule that names it.

Times are CPython's; Pyodide in a browser takes about twice as long (docs/benchmarks.md).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from functools import reduce
from operator import or_
from pathlib import Path
from types import ModuleType

_now = time.process_time_ns


@dataclass
class RuleCost:
    id: str
    runs: int = 0  # sentences on which the rule's regex ran
    ns: int = 0  # total time of those runs
    hits: int = 0
    keys: dict[str, int] = field(default_factory=dict)  # words that woke it, with how often
    run_share: float = 0.0  # runs / sentences of the corpus
    us_per_run: float = 0.0
    us_per_text: float = 0.0


@dataclass
class CostReport:
    texts: int
    sentences: int
    rules: list[RuleCost]  # every rule that ran at least once, most expensive per text first

    @property
    def us_per_text(self) -> float:
        return sum(r.us_per_text for r in self.rules)


def read_texts(paths: list[Path]) -> list[dict]:
    """Texts to measure on: JSON lines with "text" (and optionally "context"), or plain text files
    (one text per non-empty line)."""
    items = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            if path.suffix == ".jsonl":
                row = json.loads(line)
                items.append({"text": row["text"], "context": row.get("context")})
            else:
                items.append({"text": line, "context": None})
    return items


def run_rule(engine, sentence, idx: int, text_held: int) -> list:
    """One rule on one sentence as the engine runs it (regex, sentence, match and near conditions,
    hits): what measure() times by default. Gives the hits."""
    return engine._match(sentence, [idx])[0]  # (measure() passes over rules the text rules out)


def measure(bundle: ModuleType, items: list[dict], repeats: int = 3, run=run_rule) -> CostReport:
    """Cost of each rule of a loaded heed_bundle over the texts (see the module's docstring). `run`:
    what is timed for a rule on a sentence (as run_rule; benchmarks/timing.py times the regex alone)."""
    engine = bundle.ENGINE
    split = bundle.text.sentences
    shut = bundle.engine._shut
    rows: dict[int, RuleCost] = {}
    sentences = 0
    index = engine.word_index
    for item in items:
        text = item["text"]
        engine._cache.clear()  # a fresh sentence each time: what the first call on a text costs
        parts = [engine._sentence(text[s:e]) for s, e in split(text)]
        text_held = reduce(or_, map(engine._held, parts), 0)
        previous = None
        for sentence in parts:
            langs, previous = engine._languages(sentence, None, previous)
            if not sentence.enc:
                continue
            sentences += 1
            woken = engine._candidates(sentence, langs, None, bool(item.get("context")))
            held = engine._held(sentence)
            for idx in woken:
                gates = engine._pre.get(idx)
                if gates is not None and shut(gates, held, text_held):
                    continue  # passed over before its regex runs: costs (almost) nothing
                best = None
                for _ in range(repeats):
                    t0 = _now()
                    hits = run(engine, sentence, idx, text_held)
                    dt = _now() - t0
                    best = dt if best is None or dt < best else best
                row = rows.get(idx)
                if row is None:
                    row = rows[idx] = RuleCost(engine.rules[idx].id)
                row.runs += 1
                row.ns += best
                row.hits += len(hits)
                for tok in sentence.tokens:
                    if any(i == idx for i, _ in index.get(tok, ())):
                        row.keys[tok] = row.keys.get(tok, 0) + 1
    n = max(1, len(items))
    for row in rows.values():
        row.run_share = row.runs / max(1, sentences)
        row.us_per_run = row.ns / row.runs / 1e3
        row.us_per_text = row.ns / n / 1e3
    ordered = sorted(rows.values(), key=lambda r: (-r.ns, r.id))
    return CostReport(len(items), sentences, ordered)


def format_report(report: CostReport, top: int = 20) -> str:
    lines = [f"{report.texts} texts, {report.sentences} sentences; the rules' own work: "
             f"{report.us_per_text:.1f} µs per text (CPython; Pyodide takes about twice as long)",
             "",
             f"{'rule':<34} {'runs on':>8} {'µs/run':>8} {'µs/text':>8} {'hits':>5}  woken by"]
    for r in report.rules[:top]:
        keys = ", ".join(k for k, _ in sorted(r.keys.items(), key=lambda kv: (-kv[1], kv[0]))[:4])
        lines.append(f"{r.id:<34} {r.run_share:>7.1%} {r.us_per_run:>8.2f} {r.us_per_text:>8.2f} "
                     f"{r.hits:>5}  {keys}")
    if len(report.rules) > top:
        lines.append(f"... and {len(report.rules) - top} more rules (--top N, or --json for all)")
    return "\n".join(lines)


def as_json(report: CostReport) -> str:
    return json.dumps({"texts": report.texts, "sentences": report.sentences,
                       "rules": [asdict(r) for r in report.rules]}, ensure_ascii=False, indent=1) + "\n"

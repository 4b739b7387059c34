"""Quality report: heed's recall and false alarms per category on the labelled corpora, and alex (the
nearest existing tool, English only) on the English part, in one run. Writes docs/quality.md.

Usage: .venv/bin/python scripts/quality.py [--rules rules] [--out docs/quality.md]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from compiler.bundle import compile_bundle
from compiler.categories import CATEGORIES
from compiler.engines import CPythonEngine
from compiler.evaluate import Evaluation, evaluate, read_corpus

ROOT = Path(__file__).resolve().parent.parent
ALERTS = [c for c, sev in CATEGORIES.items() if sev == "alert"]
# alex rules about mental health, suicide or bodies: the ones that could answer our categories.
# Everything else alex says (he/she, profanity such as "hell") is off-topic for safe messaging.
ALEX_ON_TOPIC = {
    "nuts", "insanely", "sane", "sanity-check", "bipolar", "schizo", "manic", "asylum", "bedlam", "psychotic",
    "depressed", "ocd", "maniac", "madman", "committed-suicide", "commit-suicide", "suicide-pact",
    "failed-suicide", "suicide-note", "retard", "retards", "bony",
}


def run_alex(items: list[dict]) -> dict[str, list[dict]]:
    payload = "".join(json.dumps({"id": it["id"], "text": it["text"]}) + "\n" for it in items)
    out = subprocess.run(["node", str(ROOT / "scripts" / "alex_hints.mjs")], input=payload, capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return {r["id"]: r["hints"] for r in map(json.loads, out.stdout.splitlines())}


def heed_table(ev: Evaluation) -> list[str]:
    rows = ["| category | severity | positives | found | recall | false alarms |", "|---|---|---|---|---|---|"]
    for cat, s in ev.per_category.items():
        if s.positives or s.false_alarms:
            recall = f"{s.recall:.2f}" if s.recall is not None else "–"
            rows.append(f"| `{cat}` | {CATEGORIES[cat]} | {s.positives} | {s.found} | {recall} | {s.false_alarms} |")
    rows.append(f"| **all** | | {sum(s.positives for s in ev.per_category.values())} | "
                f"{sum(s.found for s in ev.per_category.values())} | **{ev.recall:.3f}** | "
                f"{sum(s.false_alarms for s in ev.per_category.values())} |")
    rows.append("")
    rows.append(f"Clean comments flagged: {ev.clean_flagged} of {ev.clean} (**{ev.clean_false_alarm_rate:.1%}**).")
    return rows


def alex_table(items: list[dict], alex: dict[str, list[dict]], ev: Evaluation) -> list[str]:
    rows = ["| category | positives | heed recall | alex recall |", "|---|---|---|---|"]
    total = found = 0
    for cat in CATEGORIES:
        pos = [it for it in items if cat in it.get("expect", [])]
        if not pos:
            continue
        hit = sum(1 for it in pos if any(h["rule"] in ALEX_ON_TOPIC for h in alex[it["id"]]))
        total += len(pos)
        found += hit
        heed = ev.per_category[cat].recall
        rows.append(f"| `{cat}` | {len(pos)} | {heed:.2f} | {hit / len(pos):.2f} |")
    rows.append(f"| **all** | {total} | **{ev.recall:.3f}** | **{found / total:.3f}** |")
    clean = [it for it in items if not it.get("expect")]
    alex_any = sum(1 for it in clean if alex[it["id"]])
    alex_topic = sum(1 for it in clean if any(h["rule"] in ALEX_ON_TOPIC for h in alex[it["id"]]))
    all_hints = [h for it in items for h in alex[it["id"]]]
    off = [h for h in all_hints if h["rule"] not in ALEX_ON_TOPIC]
    common = {}
    for h in off:
        common[h["rule"]] = common.get(h["rule"], 0) + 1
    top = ", ".join(f"`{k}` {v}" for k, v in sorted(common.items(), key=lambda kv: -kv[1])[:6])
    rows += [
        "",
        "| on the clean comments | heed | alex |",
        "|---|---|---|",
        f"| comments with any hint | {ev.clean_flagged} of {ev.clean} ({ev.clean_false_alarm_rate:.1%}) | "
        f"{alex_any} of {len(clean)} ({alex_any / len(clean):.1%}) |",
        f"| comments with a mental-health hint | {ev.clean_flagged} | {alex_topic} |",
        "",
        f"alex gave {len(all_hints)} hints on the English corpus; {len(off)} of them "
        f"({len(off) / max(1, len(all_hints)):.0%}) are off-topic for safe messaging (most often: {top}).",
    ]
    return rows


def targets_met(ev: Evaluation) -> bool:
    alerts_ok = all((ev.per_category[c].recall or 0) >= 0.95 for c in ALERTS)
    return alerts_ok and ev.recall >= 0.9 and ev.clean_false_alarm_rate <= 0.02


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rules", type=Path, action="append")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "quality.md")
    args = parser.parse_args()
    corpus = ROOT / "tests" / "corpus"
    # the tuning corpora: the main file of each language and the extra files grown since (`*-en.jsonl`)
    corpora = {lang: read_corpus(corpus / f"{lang}.jsonl")
               + [it for p in sorted((corpus / "extra").glob(f"*-{lang}.jsonl")) for it in read_corpus(p)]
               for lang in ("en", "da")}
    # held out: a general set per language (`en.jsonl`) and sets written later (`alerts-en.jsonl`, ...)
    heldout = {(path.stem, lang): read_corpus(path) for lang in ("en", "da")
               for path in sorted((corpus / "heldout").glob(f"*{lang}.jsonl"), key=lambda p: (p.stem != lang, p.stem))}
    with tempfile.TemporaryDirectory() as tmp:
        bundle = compile_bundle(args.rules or [ROOT / "rules"], Path(tmp))
        with CPythonEngine(Path(tmp)) as engine:
            evals = {lang: evaluate(items, engine.annotate_many) for lang, items in corpora.items()}
            both = evaluate(corpora["en"] + corpora["da"], engine.annotate_many)
            held = {key: evaluate(items, engine.annotate_many) for key, items in heldout.items()}
    alex = run_alex(corpora["en"])
    lines = [
        "# Quality on the labelled corpora",
        "",
        "Made by `.venv/bin/python scripts/quality.py` (rules hash "
        f"`{bundle.ruleset.hash}`, {len(bundle.ruleset.rules)} rules). Tuning corpora: `tests/corpus/en.jsonl` "
        "and `tests/corpus/extra/*-en.jsonl` "
        f"({len(corpora['en'])} comments), `tests/corpus/da.jsonl` and `tests/corpus/extra/*-da.jsonl` "
        f"({len(corpora['da'])} comments). A category "
        "is found when a hint of that category is given on a comment that expects it; a false alarm is a hint "
        "of a category the comment does not expect. The same figures come from `heed eval`.",
        "",
        "Targets (issue 3): recall >= 0.95 for every alert category, >= 0.9 overall; false alarms on clean "
        f"comments <= 2%. On both corpora together: targets **{'met' if targets_met(both) else 'not met'}**.",
        "",
        "The rules were tuned on these corpora (every fix came with an example in the rule), and the text "
        "scorers of the `*-scored` rules were trained on them (`heed train`), so these figures are optimistic. "
        "The held-out corpora in `tests/corpus/heldout/` were written separately and never used for tuning or "
        "training; their figures are the honest estimate.",
        "",
        "## Both languages", "", *heed_table(both), "",
        "## English", "", *heed_table(evals["en"]), "",
        "## Danish", "", *heed_table(evals["da"]), "",
    ]
    for (stem, lang), ev in held.items():
        language = "English" if lang == "en" else "Danish"
        what = "every category" if stem == lang else f"`{stem}.jsonl`, mostly alerts and their near misses"
        lines += [f"## Held out, {language}: {what} ({len(heldout[stem, lang])} comments)", "",
                  *heed_table(ev), ""]
    lines += [
        "## heed and alex on the English corpus",
        "",
        "alex (npm `alex` 11, English only) run on the same comments. alex has no categories, so it is counted "
        "generously: a category counts as found by alex when alex gives any mental-health hint on the comment "
        f"(its rules {', '.join(sorted(ALEX_ON_TOPIC))}).",
        "",
        *alex_table(corpora["en"], alex, evals["en"]),
        "",
    ]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`heed cost`: per rule, on how many sentences it runs and what a run costs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_diagnostics import run_heed

from compiler.bundle import compile_bundle
from compiler.cost import format_report, measure, read_texts
from compiler.engines import CPythonEngine

GOOD = Path(__file__).parent / "fixtures" / "good"

TEXTS = [
    "He committed suicide last year.",
    "She commits suicide in the film. I wish I was dead some days",
    "I want to die",
    "the pills are in the drawer",
    "so tired. numb. no future",
    "a sunny day at the beach",
    "Han begik selvmord.",
    "Hun er helt skør",
]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("cost")
    compile_bundle([GOOD], out)
    with CPythonEngine(out) as engine:
        yield engine.module


def test_rules_are_counted_where_the_engine_runs_them(bundle) -> None:
    report = measure(bundle, [{"text": t} for t in TEXTS], repeats=1)
    rows = {r.id: r for r in report.rules}
    assert report.texts == len(TEXTS) and report.sentences >= len(TEXTS)
    # woken (by its key word, "suicide") in two sentences, and only there
    assert rows["committed-en"].runs == 2 and rows["committed-en"].hits == 2
    assert rows["committed-en"].run_share == pytest.approx(2 / report.sentences)
    assert set(rows["committed-en"].keys) == {"suicide"}
    assert rows["begik-da"].runs == 1
    # a sentence without any rule's words runs nothing, so no rule runs on every sentence
    assert all(r.runs < report.sentences for r in report.rules)
    for r in report.rules:
        assert r.ns > 0 and r.us_per_run == pytest.approx(r.ns / r.runs / 1e3)
        assert r.us_per_text == pytest.approx(r.ns / len(TEXTS) / 1e3)
    # most expensive per text first
    assert [r.ns for r in report.rules] == sorted((r.ns for r in report.rules), reverse=True)
    table = format_report(report, top=2)
    assert table.splitlines()[3].startswith(report.rules[0].id)
    assert f"and {len(report.rules) - 2} more rules" in table


def test_a_rule_passed_over_before_its_regex_is_not_counted(bundle) -> None:
    """worn-down-en needs `text has 2 of` three cues: with one cue in the text it is never run."""
    alone = measure(bundle, [{"text": "so tired"}], repeats=1)
    assert "worn-down-en" not in {r.id for r in alone.rules}
    both = measure(bundle, [{"text": "so tired. numb and no future"}], repeats=1)
    assert "worn-down-en" in {r.id for r in both.rules}


def test_texts_are_read_from_json_lines_or_lines(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x", "context": "y", "lang": "en"}\n\n{"text": "z"}\n')
    (tmp_path / "b.txt").write_text("one\n\ntwo\n")
    assert read_texts([tmp_path / "a.jsonl", tmp_path / "b.txt"]) == [
        {"text": "x", "context": "y"}, {"text": "z", "context": None},
        {"text": "one", "context": None}, {"text": "two", "context": None}]


def test_heed_cost_command(tmp_path: Path) -> None:
    texts = tmp_path / "texts.txt"
    texts.write_text("\n".join(TEXTS) + "\n", encoding="utf-8")
    result = run_heed("cost", str(texts), "--rules", str(GOOD), "--top", "3", "--json", str(tmp_path / "c.json"))
    assert result.returncode == 0, result.stderr
    assert f"{len(TEXTS)} texts" in result.stdout and "µs/run" in result.stdout
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert data["texts"] == len(TEXTS)
    assert "committed-en" in {r["id"] for r in data["rules"]}


def test_the_benchmark_times_the_regexes_on_the_same_walk(bundle) -> None:
    """benchmarks/timing.rule_costs reuses measure's walk with a timer of the regex alone: the same
    rules, runs and waking words, the regex's time only."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from benchmarks.timing import rule_costs

    items = [{"text": t} for t in TEXTS]
    rows = rule_costs(bundle, items, top=100)
    report = measure(bundle, items, repeats=1)
    assert rows and {r["id"]: r["runs"] for r in rows} == {r.id: r.runs for r in report.rules}
    by_id = {r.id: r for r in report.rules}
    for row in rows:
        assert row["keys"] == sorted(by_id[row["id"]].keys, key=lambda k: (-by_id[row["id"]].keys[k], k))[:5]
        assert row["ns_per_run"] == row["ns"] / row["runs"] and row["regex_chars"] > 0

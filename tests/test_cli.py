"""The heed command as rule authors and scripts use it."""

from __future__ import annotations

import json
from pathlib import Path

from test_diagnostics import run_heed

GOOD = str(Path(__file__).parent / "fixtures" / "good")


def test_compile_writes_package_and_wheel(tmp_path: Path) -> None:
    result = run_heed("compile", GOOD, "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "heed_bundle" / "rules.py").is_file()
    assert [p.name for p in tmp_path.glob("*.whl")] == ["heed_bundle-0.1.0-py3-none-any.whl"]
    assert "compiled 14 rules from 2 file(s)" in result.stdout


def test_compile_names_the_rules_that_run_on_every_sentence(tmp_path: Path) -> None:
    (tmp_path / "r.heed").write_text('''point p "x"
rule regex-only {
  category: mockery
  severity: warning
  lang: en
  source: p
  match: /\\w*azepam/
  message da: "x"
  message en: "x"
  expect: "diazepam"
  allow: "pam"
}
''', encoding="utf-8")
    result = run_heed("compile", str(tmp_path / "r.heed"), "-o", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "note: 1 rule(s) run on every sentence" in result.stdout and "r.heed:2: regex-only" in result.stdout
    assert "every sentence" not in run_heed("compile", GOOD, "-o", str(tmp_path / "good")).stdout


def test_test_command_runs_every_example() -> None:
    result = run_heed("test", GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "59 passed, 0 failed"


def test_check_text_format_is_linter_like(tmp_path: Path) -> None:
    post = tmp_path / "post.txt"
    post.write_text("Hej!\nHan begik selvmord.\n", encoding="utf-8")
    result = run_heed("check", str(post), "--rules", GOOD)
    assert result.returncode == 1
    assert f"{post}:2:5: warning suicide-language/begik-da Say died by suicide. (try: døde af selvmord)" \
        in result.stdout.splitlines()
    result = run_heed("check", str(post), "--rules", GOOD, "--ui-lang", "da")
    assert "Skriv døde af selvmord." in result.stdout


def test_check_clean_text_exits_0() -> None:
    result = run_heed("check", "--rules", GOOD, stdin="what a lovely day")
    assert (result.returncode, result.stdout) == (0, "")


def test_check_given_a_folder_says_what_to_run_instead() -> None:
    result = run_heed("check", GOOD)
    assert result.returncode == 2
    assert f"heed test {GOOD}" in result.stderr and f"heed check --rules {GOOD}" in result.stderr
    assert "Errno" not in result.stderr


def test_check_context_and_json_format() -> None:
    result = run_heed("check", "--rules", GOOD, "--format", "json", "--context", "i just wish i was dead",
                      stdin="I'm here")
    [entry] = json.loads(result.stdout)
    assert entry["file"] == "<stdin>"
    assert [h["rule"] for h in entry["hints"]] == ["reply-support-en"]


def test_jsonl_one_line_out_per_line_in_and_bad_lines_do_not_stop_the_rest() -> None:
    lines = [
        json.dumps({"id": "a", "text": "he committed suicide"}),
        "{not json",
        json.dumps({"id": "c", "text": 42}),
        json.dumps({"id": "d", "text": "phew", "context": "no, not suicidal"}),
        json.dumps({"id": "e", "text": "han begik selvmord", "lang": "da"}),
        json.dumps({"id": "f", "text": "fine", "lang": "xx"}),
    ]
    result = run_heed("check", "--rules", GOOD, "--format", "jsonl", stdin="\n".join(lines) + "\n")
    out = [json.loads(ln) for ln in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", None, "c", "d", "e", "f"]
    assert out[0]["hints"] == [{"rule": "committed-en", "category": "suicide-language", "severity": "warning",
                                "start": 3, "end": 20, "message": "Say died by suicide.",
                                "suggestions": ["died by suicide"]}]
    assert "not JSON" in out[1]["error"]
    assert "text" in out[2]["error"]
    assert [h["rule"] for h in out[3]["hints"]] == ["relief-en"]
    assert out[4]["hints"][0]["message"] == "Say died by suicide."
    assert "error" in out[5]
    assert result.returncode == 2  # some lines were bad


def test_jsonl_ui_lang_da() -> None:
    result = run_heed("check", "--rules", GOOD, "--format", "jsonl", "--ui-lang", "da",
                      stdin=json.dumps({"id": 1, "text": "he committed suicide"}))
    assert json.loads(result.stdout)["hints"][0]["message"] == "Skriv døde af selvmord."
    assert result.returncode == 0


def test_eval_reports_recall_false_alarms_and_lists_them(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    items = [
        {"id": "1", "text": "he committed suicide", "lang": "en", "expect": ["suicide-language"]},
        {"id": "2", "text": "she took her own life", "lang": "en", "expect": ["suicide-language"]},
        {"id": "3", "text": "i wish i was dead lol", "lang": "en", "expect": [], "forbid": ["warning-signs"]},
        {"id": "4", "text": "han begik selvmord i går", "lang": "da", "expect": []},
    ]
    corpus.write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    out = tmp_path / "figures.json"
    result = run_heed("eval", str(corpus), "--rules", GOOD, "--json", str(out))
    assert result.returncode == 0, result.stderr
    figures = json.loads(out.read_text())
    assert figures["categories"]["suicide-language"] == {"positives": 2, "found": 1, "recall": 0.5,
                                                         "false_alarms": 1}
    assert figures["clean_flagged"] == 1 and figures["clean"] == 2
    assert "misses:\n  2: suicide-language" in result.stdout
    assert "false alarms:\n  4: suicide-language/begik-da" in result.stdout


def test_eval_rejects_a_bad_corpus_clearly(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"id": "1", "text": "x", "expect": ["no-such-category"]}\n', encoding="utf-8")
    result = run_heed("eval", str(corpus), "--rules", GOOD)
    assert result.returncode == 2
    assert "c.jsonl:1: unknown category 'no-such-category'" in result.stderr
    assert "Traceback" not in result.stderr

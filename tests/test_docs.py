"""`heed docs` writes a rule reference and a coverage table a reader can trust."""

from __future__ import annotations

from pathlib import Path

from test_diagnostics import run_heed

GOOD = str(Path(__file__).parent / "fixtures" / "good")


def test_docs_list_every_rule_with_messages_examples_and_source(tmp_path: Path) -> None:
    result = run_heed("docs", "--rules", GOOD, "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    md = (tmp_path / "rules.md").read_text(encoding="utf-8")
    html = (tmp_path / "rules.html").read_text(encoding="utf-8")
    for rule in ("committed-en", "begik-da", "label-da", "wish-dead-en", "selvmord-prefix-da", "weight-en",
                 "relief-en", "reply-support-en"):
        assert f"## `{rule}`" in md
        assert f'<section id="{rule}">' in html
    assert "- better wording: “døde af selvmord”" in md
    assert "| Han begik selvmord i går → Han døde af selvmord i går | Har du tænkt på at begå selvmord? |" in md
    assert "`good/base.heed:26`" in md


def test_html_escapes_rule_text(tmp_path: Path) -> None:
    rules = tmp_path / "r"
    rules.mkdir()
    for f in Path(GOOD).glob("*.heed"):
        text = f.read_text(encoding="utf-8").replace('"Labels hurt."', '"<b>Labels</b> hurt."')
        (rules / f.name).write_text(text, encoding="utf-8")
    run_heed("docs", "--rules", str(rules), "-o", str(tmp_path / "out"))
    html = (tmp_path / "out" / "rules.html").read_text(encoding="utf-8")
    assert "&lt;b&gt;Labels&lt;/b&gt; hurt." in html and "<b>Labels</b>" not in html


def test_coverage_shows_each_point_and_an_empty_row_for_a_missing_one(tmp_path: Path) -> None:
    rules = tmp_path / "r"
    rules.mkdir()
    for f in Path(GOOD).glob("*.heed"):
        (rules / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (rules / "extra.heed").write_text('point q.lonely "Nobody encodes this yet."\n', encoding="utf-8")
    run_heed("docs", "--rules", str(rules), "-o", str(tmp_path / "out"))
    cov = (tmp_path / "out" / "guidance-coverage.md").read_text(encoding="utf-8")
    assert "| `p.words` | Words that hurt. | `begik-da`, `committed-en`, `label-da`, `hashtag-en` | 9 / 6 |" in cov
    assert "| `p.reply` | How to reply. | `reply-support-en`, `relief-en`, `hashtag-en` | 5 / 5 |" in cov
    assert "| `q.lonely` | Nobody encodes this yet. |  |  |" in cov
    assert "4 of 5 points are encoded by at least one rule." in cov


def test_the_language_guide_example_compiles_and_its_examples_pass(tmp_path: Path) -> None:
    # docs/language.md must match the compiler: its first example is a whole, working file
    guide = (Path(__file__).parent.parent / "docs" / "language.md").read_text(encoding="utf-8")
    example = guide.split("```heed\n", 1)[1].split("```", 1)[0]
    (tmp_path / "example.heed").write_text(example, encoding="utf-8")
    (tmp_path / "common.heed").write_text("# what the example includes\n", encoding="utf-8")
    result = run_heed("test", str(tmp_path / "example.heed"))
    assert result.returncode == 0, result.stderr + result.stdout
    assert "2 examples of 1 rule in cpython" in result.stdout and "2 passed, 0 failed" in result.stdout

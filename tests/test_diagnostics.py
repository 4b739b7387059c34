"""Every kind of error a rule author can make gives file:line:col, the source line, a caret and a hint."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BAD = Path(__file__).parent / "fixtures" / "bad"

# file -> (line, col, message, hint); every one must be reported exactly like this
EXPECTED = {
    "syntax.heed": (3, 12, "unexpected 'mockery'", "expected ':'"),
    "gap-without-words.heed": (7, 12, "what follows '!' must be words the gap leaves out", "~3!(not | never)"),
    "count-too-high.heed": (8, 3, "'has 3 of' needs at least 3 alternatives, and this pattern has 2",
                            "list the alternatives with '|'"),
    "count-twice.heed": (10, 3, "'has 2 of' would count \"feel nothing\" twice: both @numb and @gone hold it",
                         "keep it in one of them"),
    "ending-and-beginning.heed": (7, 10, "'*kniv*': a word can begin or end with '*', not both", "*kniv"),
    "class-in-phrase.heed": (7, 10, "'#num' inside a quoted phrase is the text '#num', not a number",
                            "write it outside the quotes: som #num årig"),
    "near-without-match.heed": (7, 3, "'near' counts words from the match", "or use `sentence` or `text`"),
    "near-without-distance.heed": (8, 14, "unexpected ':'", "expected a number of words, such as 4"),
    "unknown-field.heed": (8, 3, "unexpected 'mesage'", "unknown field 'mesage'; did you mean 'message'?"),
    "unknown-list.heed": (8, 13, "unknown list '@ocd-word'", "did you mean 'ocd-words'?"),
    "unknown-resource.heed": (12, 14, "unknown resource 'samaritan'", "did you mean 'samaritans'?"),
    "unknown-point.heed": (6, 11, "unknown point of the guidance 'pp'", "did you mean 'p'?"),
    "duplicate-id.heed": (13, 6, "duplicate rule 'same-id'", "first defined at"),
    "unknown-category.heed": (3, 13, "unknown category 'warning-sign'", "did you mean 'warning-signs'?"),
    "missing-message.heed": (2, 6, "rule 'r1' has no message in 'da'", "both languages are required"),
    "catastrophic-regex.heed": (7, 13, "nested quantifiers can backtrack catastrophically", "remove the inner"),
    "overlapping-regex.heed": (7, 13, "alternatives under a quantifier that can match the same text",
                               "start differently"),
    "severity-mismatch.heed": (4, 13, "category 'mockery' has severity 'warning', not 'alert'", "severity: warning"),
    "no-counterexample.heed": (2, 6, "needs an `allow:` example", "examples are the rule's tests"),
    "missing-include.heed": (2, 9, "included file not found: nowhere.heed", "paths are relative to"),
    "unterminated-string.heed": (8, 15, "unexpected character '\"'", "must close on the same line"),
    "missing-brace.heed": (11, 22, "unexpected end of file", "is a '}' missing?"),
    "unknown-model.heed": (8, 25, "unknown model 'wss'", "did you mean 'ws'?"),
    "missing-model-file.heed": (2, 7, "no such model file", "make the file with `heed train`"),
    "score-out-of-range.heed": (8, 25, "score 1.5 can never be reached or is always reached", "between 0 and 1"),
    "score-in-sentence.heed": (9, 29, "a model scores the whole text or the context", "when text scores 0.9: MODEL"),
    "own-category-with-match.heed": (8, 22, "with a 'match:' cannot depend on its own category",
                                     "only a rule without `match:`"),
    "shows-cycle.heed": (8, 22, "'mockery' and 'privacy-rumour' depend on each other through 'text shows'",
                         "must not look at the other"),
}


def run_heed(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compiler.cli", *args], capture_output=True, text=True,
                          input=stdin, cwd=Path(__file__).parent.parent, timeout=120)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_error_kind_is_reported_precisely(name: str, tmp_path: Path) -> None:
    line, col, message, hint = EXPECTED[name]
    result = run_heed("compile", str(BAD / name), "-o", str(tmp_path))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{BAD / name}:{line}:{col}: error: "), first
    assert message in first
    lines = result.stderr.splitlines()
    source_line = (BAD / name).read_text(encoding="utf-8").splitlines()[line - 1]
    assert lines[1] == "  " + source_line
    assert lines[2].index("^") == col + 1  # under the column, after the two-space indent
    assert hint in lines[3]
    assert not list(tmp_path.iterdir()), "nothing is written when the rules have errors"


def test_every_bad_fixture_is_covered() -> None:
    on_disk = {p.name for p in BAD.glob("*.heed")} - {"several-errors.heed", "several-syntax-errors.heed"}
    assert on_disk == set(EXPECTED)


def test_all_errors_of_a_file_in_one_run() -> None:
    result = run_heed("compile", str(BAD / "several-errors.heed"), "-o", "/nonexistent/out")
    assert result.returncode == 2
    heads = [ln for ln in result.stderr.splitlines() if ": error: " in ln]
    assert [h.split(": error: ")[1] for h in heads] == [
        "unknown category 'mock'",
        "rule 'r2' has no message in 'da'",
        "nested quantifiers can backtrack catastrophically",
        "duplicate rule 'r1'",
    ]
    assert result.stderr.rstrip().endswith("4 errors")


def test_several_syntax_errors_in_one_file_are_all_reported() -> None:
    result = run_heed("test", str(BAD / "several-syntax-errors.heed"))
    assert result.returncode == 2
    heads = [ln.split(": error:")[0] for ln in result.stderr.splitlines() if ": error: " in ln]
    assert heads == [f"{BAD / 'several-syntax-errors.heed'}:3:12", f"{BAD / 'several-syntax-errors.heed'}:27:8"]


def test_failing_example_exits_1_with_the_example_located() -> None:
    path = Path(__file__).parent / "fixtures" / "failing" / "failing-example.heed"
    result = run_heed("test", str(path))
    assert result.returncode == 1
    assert f"{path}:10:3: error: rule 'r1' did not trigger on this example" in result.stderr
    assert "1 passed, 1 failed" in result.stdout


def test_missing_rule_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = run_heed("compile", str(tmp_path / "nope.heed"), "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_line_end_is_offered_only_where_one_may_come(tmp_path: Path) -> None:
    # the lexer accepts a line end anywhere (for the post-lexer); the hint must list what the parser takes
    for name, hint in (("syntax.heed", "  hint: expected ':'"),
                       ("near-without-distance.heed", "  hint: expected a number of words, such as 4")):
        result = run_heed("compile", str(BAD / name), "-o", str(tmp_path))
        assert result.stderr.splitlines()[3] == hint

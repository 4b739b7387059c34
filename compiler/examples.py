"""Every rule's own examples, run as tests against a compiled bundle in either runtime."""

from __future__ import annotations

from dataclasses import dataclass

from . import ast
from .check import Program
from .diagnostics import Diagnostic


@dataclass
class ExampleResult:
    rule: ast.Rule
    example: ast.Example
    problem: str | None  # None when the example behaved as written
    hint: str | None = None

    def diagnostic(self) -> Diagnostic:
        return Diagnostic(self.example.pos, self.problem or "ok", self.hint, width=len("expect"))


def apply_suggestion(text: str, hint: dict) -> str:
    return text[: hint["start"]] + hint["suggestions"][0] + text[hint["end"]:]


def example_requests(program: Program) -> list[tuple[ast.Rule, ast.Example, dict]]:
    out = []
    for rule in program.rules:
        for n, ex in enumerate(rule.examples):
            out.append((rule, ex, {"id": f"{rule.id}#{n}", "text": ex.text, "lang": rule.lang,
                                   "context": ex.context}))
    return out


def judge(rule: ast.Rule, ex: ast.Example, response: dict) -> ExampleResult:
    if "error" in response:
        return ExampleResult(rule, ex, f"the bundle failed on this example: {response['error']}")
    mine = [h for h in response["hints"] if h["rule"] == rule.id]
    others = sorted({h["rule"] for h in response["hints"]} - {rule.id})
    got = f"hints from other rules: {', '.join(others)}" if others else "no hint from any rule"
    if ex.should_match and not mine:
        return ExampleResult(rule, ex, f"rule '{rule.id}' did not trigger on this example", got)
    if not ex.should_match and mine:
        spans = ", ".join(repr(h["text"]) for h in mine)
        return ExampleResult(rule, ex, f"rule '{rule.id}' triggered on this near miss (on {spans})",
                             "tighten the pattern or add an `unless`")
    if ex.should_match and ex.corrected is not None:
        fixed = apply_suggestion(ex.text, mine[0]) if mine[0]["suggestions"] else ex.text
        if fixed != ex.corrected:
            return ExampleResult(rule, ex, "the suggestion gives a different text",
                                 f"expected {ex.corrected!r}, got {fixed!r}")
    return ExampleResult(rule, ex, None)


def run_examples(program: Program, engine) -> list[ExampleResult]:
    """Run every example through `engine.annotate_many` and judge each one."""
    requests = example_requests(program)
    responses = engine.annotate_many([req for _, _, req in requests])
    return [judge(rule, ex, resp) for (rule, ex, _), resp in zip(requests, responses)]

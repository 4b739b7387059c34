"""The engine compiles its rules' regexes in slices after start-up, answering requests in between."""

from __future__ import annotations

import json
from pathlib import Path

from heedtest import Browser, marks, type_into, wait_fresh, wait_until
from playwright.sync_api import expect

from compiler.engines import CPythonEngine

ROOT = Path(__file__).resolve().parents[2]
STATS = """() => new Promise((resolve) => {
  const port = chrome.runtime.connect({ name: 'heed-engine' });
  port.onMessage.addListener((m) => { if (m.t === 'stats') { resolve(m); port.disconnect(); } });
  port.postMessage({ t: 'stats' });
})"""
# The forum post of issue 5: 1,131 characters, new to the engine.
LONG_POST = next(item["text"] for line in (ROOT / "tests/corpus/extra/alerts6-en.jsonl").read_text("utf-8").splitlines()
                 if len((item := json.loads(line))["text"]) > 1000)


def test_first_hints_while_warming_then_warming_finishes(browser: Browser, bundle_dir: Path) -> None:
    # Ready means hints are served; compiling the rest takes seconds more in Pyodide.
    assert browser._in_extension(STATS)["warmedMs"] is None
    page = browser.page("textarea.html")
    type_into(page, "#comment", "He committed suicide.")
    wait_fresh(page)  # answered between slices, not after the whole warm-up
    expect(marks(page, "suicide-language")).to_have_count(1)
    assert browser._in_extension(STATS)["warmedMs"] is None, "the hint should have come during warming"

    wait_until(lambda: browser._in_extension(STATS)["warmedMs"] is not None, timeout=120)
    stats = browser._in_extension(STATS)
    assert stats["state"] == "ready"
    assert 0 < stats["warmBusyMs"] <= stats["warmedMs"]

    # After warming, a long new post and an edit to it get the hints the bundle gives in CPython.
    text = LONG_POST + " My uncle committed suicide. Thanks."
    engine = CPythonEngine(bundle_dir)
    try:
        expected = {h["rule"] for h in engine.module.annotate(text, categories=["suicide-language"])}
    finally:
        engine.close()
    assert expected
    page.fill("#comment", text[:-1])
    page.locator("#comment").press("End")
    page.keyboard.type(".", delay=20)
    wait_fresh(page)
    # (a hint wrapping over two lines is drawn as two marks: compare rules, not counts)
    for rule in expected:
        expect(marks(page, rule=rule).first).to_be_attached()
    found = set(marks(page, "suicide-language").evaluate_all("ms => ms.map(m => m.dataset.heedRule)"))
    assert found == expected
    page.close()

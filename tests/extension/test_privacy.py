"""Nothing leaves the device, pages cannot reach the engine, and the package asks for little.

The network check records Chromium's own NetLog for a whole session (cold start, typing in several
kinds of boxes, the card, the support panel, the extension's pages) and looks at every request that
a page or the extension started: each must go to the local test server.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from heedtest import Browser, card, center, launch, marks, panel, type_into, wait_fresh
from playwright.sync_api import Playwright, expect

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "extension" / "src"
LOOPBACK = {"127.0.0.1", "localhost"}


def netlog_requests(path: Path) -> list[tuple[str, str]]:
    """(url, initiator) of every URL request in a NetLog file. Requests the browser makes for itself
    (updates, sign-in checks) have the initiator "not an origin"; pages and extensions have theirs."""
    log = json.loads(path.read_text(encoding="utf-8"))
    start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
    out = []
    for event in log["events"]:
        if event["type"] == start_job and "url" in event.get("params", {}):
            out.append((event["params"]["url"], str(event["params"].get("initiator"))))
    return out


@pytest.fixture(scope="module")
def session(playwright: Playwright, extension_dir: Path, server: str, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[tuple[Browser, Path, dict]]:
    """A fresh browser whose whole life is logged; yields before it is closed, so tests can add to it."""
    work = tmp_path_factory.mktemp("netlog")
    netlog = work / "netlog.json"
    browser = launch(playwright, extension_dir, work / "profile", server,
                     extra_args=[f"--log-net-log={netlog}", "--net-log-capture-mode=Default"])
    yield browser, netlog, {}
    browser.close()


def test_cold_start_shows_starting_then_hints(session: tuple[Browser, Path, dict]) -> None:
    browser, _, _ = session
    page = browser.page("textarea.html")
    # Watch heed's status pill from the page itself, every frame, so a short "starting" is not missed.
    page.evaluate("""() => { window.__status = []; const look = () => {
        const host = document.querySelector('heed-overlay');
        const pill = host && host.shadowRoot.querySelector('[data-heed-status]');
        if (pill && !pill.hidden && window.__status.at(-1) !== pill.textContent) window.__status.push(pill.textContent);
        requestAnimationFrame(look); }; look(); }""")
    # Seconds after the browser started, the engine is still loading: the box says so instead of nothing.
    type_into(page, "#comment", "He committed suicide.")
    wait_fresh(page, timeout=90_000)
    expect(marks(page, "suicide-language")).to_have_count(1)
    expect(page.locator("heed-overlay >> [data-heed-status]")).to_be_hidden()
    assert page.evaluate("window.__status") == ["heed is starting…"]
    page.close()


def test_a_page_cannot_reach_the_engine_or_other_tabs(session: tuple[Browser, Path, dict]) -> None:
    browser, _, _ = session
    browser.wait_engine_ready()
    writer = browser.page("textarea.html")
    other = browser.page("contenteditable.html")
    try:
        type_into(writer, "#comment", "Some days I wish I was dead. He committed suicide.")
        wait_fresh(writer)
        expect(marks(writer).first).to_be_visible()
        # The other tab sees none of it.
        assert other.locator("heed-overlay").count() == 0 or marks(other).count() == 0
        # No extension API is exposed to pages (no externally_connectable), and the extension's
        # files are not web-accessible, so a page can neither message nor load the engine.
        assert other.evaluate("() => !(window.chrome && chrome.runtime && chrome.runtime.connect)")
        for path in ("offscreen.html", "bundle/bundle.json", "engine.js", "pyodide/pyodide.mjs"):
            url = browser.ext_url(path)
            result = other.evaluate("u => fetch(u).then(r => 'loaded ' + r.status, e => 'refused')", url)
            assert result == "refused", (path, result)
    finally:
        writer.close()
        other.close()


def test_session_uses_every_feature(session: tuple[Browser, Path, dict]) -> None:
    """Drives the card, a suggestion, the support panel and the extension's pages, so that the
    NetLog check below covers them."""
    browser, _, _ = session
    page = browser.page("draft.html")
    type_into(page, "#editor", "Hi 😀\nHe committed suicide. Some days I wish I was dead.")
    wait_fresh(page)
    expect(panel(page)).to_be_visible()
    page.mouse.move(*center(marks(page, "suicide-language").bounding_box()))
    card(page).locator("button.sug").first.click()
    page.wait_for_function("() => editor.text().includes('died by suicide')")
    for path in ("options.html", "popup.html", "rules.html"):
        browser.ext_page(path).wait_for_load_state()
    page.close()


def test_no_network_requests(session: tuple[Browser, Path, dict]) -> None:
    browser, netlog, _ = session
    browser.close()  # the NetLog is complete once the browser has exited
    requests = netlog_requests(netlog)
    started_by_us_or_pages = [(u, i) for u, i in requests if i != "not an origin" or u.startswith("chrome-extension:")]
    # The log did capture the session: the fixture pages' own subresources are in it.
    assert any(u.endswith("/record.js") for u, _ in started_by_us_or_pages)
    leaving = [(u, i) for u, i in started_by_us_or_pages
               if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).hostname not in LOOPBACK]
    assert leaving == []


def test_manifest_asks_for_little() -> None:
    manifest = json.loads((ROOT / "extension" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["manifest_version"] == 3
    assert sorted(manifest["permissions"]) == ["offscreen", "storage"]
    for key in ("host_permissions", "optional_permissions", "web_accessible_resources", "externally_connectable"):
        assert key not in manifest, key
    csp = manifest["content_security_policy"]["extension_pages"]
    assert "default-src 'self'" in csp
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval'" not in csp.replace("wasm-unsafe-eval'", "")
    for script in manifest["content_scripts"]:
        assert script["matches"] == ["http://*/*", "https://*/*"]


def test_sources_never_build_html_from_strings_or_fetch_remote() -> None:
    for path in sorted(SRC.glob("*.js")):
        code = path.read_text(encoding="utf-8")
        for banned in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                       "XMLHttpRequest", "WebSocket", "sendBeacon", "importScripts"):
            assert banned not in code, f"{path.name} uses {banned}"
        for call in re.findall(r"fetch\(([^)]*)\)", code):
            assert call.startswith(("chrome.runtime.getURL(", '"rules.json"', "'rules.json'")), (path.name, call)
    for path in sorted(SRC.glob("*.html")):
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html and "http" not in html.replace('lang="en"', ""), path.name

"""Options page, toolbar popup and sites where heed is off, driven through the real pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from heedtest import Browser, launch, marks, type_into, wait_fresh, wait_until
from playwright.sync_api import Page, Playwright, expect


@pytest.fixture(autouse=True)
def _settings(browser: Browser) -> Iterator[None]:
    browser.reset_settings()
    yield


def tab_id_for_host(browser: Browser, host: str) -> int:
    """The tab showing `host`, found by asking each tab's content script (no "tabs" permission)."""
    return browser._in_extension(
        """async (host) => {
          for (const tab of await chrome.tabs.query({})) {
            try {
              const answer = await chrome.tabs.sendMessage(tab.id, { type: 'heed-site' }, { frameId: 0 });
              if (answer && answer.host === host) return tab.id;
            } catch { /* not a web page */ }
          }
          return null;
        }""",
        host,
    )


def check_options(page: Page) -> None:
    expect(page.locator("h1")).to_have_text("Indstillinger for heed")
    expect(page.locator("#lang")).to_have_value("da")
    expect(page.locator("#country")).to_have_value("IE")
    expect(page.locator("#cat-suicide-language")).not_to_be_checked()
    expect(page.locator("#cat-warning-signs")).to_be_checked()
    expect(page.locator("#sites li")).to_have_text(["example.com×"])


def test_options_are_saved_and_survive_a_restart(
    playwright: Playwright, extension_dir: Path, server: str, tmp_path: Path
) -> None:
    profile = tmp_path / "profile"
    browser = launch(playwright, extension_dir, profile, server)
    try:
        page = browser.ext_page("options.html")
        page.select_option("#lang", "da")
        expect(page.locator("h1")).to_have_text("Indstillinger for heed")
        page.select_option("#country", "IE")
        page.uncheck("#cat-suicide-language")
        page.fill("#site-input", "https://Example.COM/some/page")
        page.click("#site-form button")
        expect(page.locator("#status")).to_have_text("Gemt.")
        page.fill("#site-input", "not a site!")
        page.click("#site-form button")
        expect(page.locator("#site-error")).to_have_text("Det ligner ikke en webadresse.")
        expect(page.locator("#privacy")).to_contain_text("netværksforbindelser")
        page.reload()
        check_options(page)
        assert browser.settings()["offCategories"] == ["suicide-language"]
    finally:
        browser.close()
    # A new browser session on the same profile.
    browser = launch(playwright, extension_dir, profile, server)
    try:
        check_options(browser.ext_page("options.html"))
    finally:
        browser.close()


def test_rule_turned_off_in_a_card_can_be_turned_on_in_options(browser: Browser) -> None:
    rules = browser._in_extension("async () => (await (await fetch('rules.json')).json()).rules")
    rule = next(r["id"] for r in rules if r["category"] == "suicide-language" and r["lang"] == "en")
    browser.set_settings(offRules=[rule])
    page = browser.ext_page("options.html")
    button = page.locator(f'#rules-off button[data-rule="{rule}"]')
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#rules-off li")).to_have_text(["None."])
    assert browser.settings()["offRules"] == []


def test_disabled_site_gets_nothing_and_the_popup_turns_it_back_on(browser: Browser, server: str) -> None:
    port = server.rsplit(":", 1)[1]
    browser.set_settings(offSites=["localhost"])
    off = browser.context.new_page()
    on = browser.page("textarea.html")
    try:
        off.goto(f"http://localhost:{port}/textarea.html")
        type_into(off, "#comment", "He committed suicide. I wish I was dead.")
        type_into(on, "#comment", "He committed suicide.")
        wait_fresh(on)
        expect(marks(on, "suicide-language")).to_have_count(1)
        off.wait_for_timeout(800)
        assert off.locator("heed-overlay").count() == 0

        popup = browser.ext_page(f"popup.html#tab={tab_id_for_host(browser, 'localhost')}")
        expect(popup.locator("#site-label")).to_have_text("heed on localhost")
        expect(popup.locator("#engine")).to_have_attribute("data-state", "ready")
        expect(popup.locator("#engine")).to_contain_text("Engine: ready")
        switch = popup.locator("#site-on")
        expect(switch).not_to_be_checked()
        switch.check()
        wait_until(lambda: "localhost" not in browser.settings()["offSites"])
        type_into(off, "#comment", " Really.")
        wait_fresh(off)
        expect(marks(off, "suicide-language")).to_have_count(1)

        # And off again from the popup of the other tab: its marks go at once.
        popup2 = browser.ext_page(f"popup.html#tab={tab_id_for_host(browser, '127.0.0.1')}")
        popup2.locator("#site-on").uncheck()
        expect(on.locator("heed-overlay")).to_have_count(0)
        popup.close()
        popup2.close()
    finally:
        off.close()
        on.close()


def test_popup_on_a_page_without_heed(browser: Browser) -> None:
    options = browser.ext_page("options.html")
    popup = browser.ext_page("popup.html")  # the active tab is the popup page itself
    expect(popup.locator("#no-site")).to_have_text("heed does not run on this page.")
    expect(popup.locator("#site-row")).to_be_hidden()
    options.close()
    popup.close()


def test_rule_reference_page(browser: Browser) -> None:
    rules = browser._in_extension("async () => (await (await fetch('rules.json')).json()).rules")
    rule = next(r for r in rules if r["category"] == "suicide-language")
    page = browser.ext_page(f"rules.html#{rule['id']}")
    article = page.locator(f"article[id='{rule['id']}']")
    expect(article).to_be_visible()
    expect(article).to_contain_text(rule["message"]["en"])
    assert page.locator("article").count() == len(rules)
    page.close()

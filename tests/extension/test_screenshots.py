"""Screenshots of the marks, the card and the support panel for the README.

They are taken from the real extension on a fixture page, so they show what the code draws today.
A test run writes them to a temporary folder; `HEED_SCREENSHOTS=docs/screenshots` refreshes the
README's copies (tests do not rewrite tracked files otherwise).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from heedtest import Browser, card, center, marks, panel, type_into, wait_fresh
from playwright.sync_api import expect

SHOTS = Path(os.environ.get("HEED_SCREENSHOTS") or tempfile.mkdtemp(prefix="heed-shots-"))
REPLY = "So sorry. I heard he committed suicide because of his exams. Just cheer up, it gets better."


def test_screenshots(browser: Browser) -> None:
    browser.reset_settings()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.page("demo.html")
    page.set_viewport_size({"width": 980, "height": 560})
    type_into(page, "#reply", REPLY)
    wait_fresh(page)
    expect(marks(page, "suicide-language")).to_have_count(1)
    expect(marks(page, "simplistic-reassurance").first).to_be_visible()
    page.mouse.move(5, 5)
    area = {"x": 20, "y": 10, "width": 640, "height": 300}
    page.screenshot(path=SHOTS / "marks.png", clip=area)

    page.mouse.move(*center(marks(page, "suicide-language").bounding_box()))
    expect(card(page)).to_be_visible()
    page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / "card.png", clip={**area, "height": 500})
    # Overlapping marks ("committed suicide" and "committed suicide because"): one card, "next".
    expect(card(page).locator("h2")).to_have_text("Words about suicide")
    card(page).locator("[data-heed-action=next]").click()
    expect(card(page).locator("h2")).to_have_text("One single cause")

    page.keyboard.press("Control+a")
    page.keyboard.type("I can't do this anymore. Honestly, some days I wish I was dead.", delay=5)
    wait_fresh(page)
    expect(panel(page)).to_be_visible()
    page.mouse.move(5, 5)
    page.wait_for_timeout(200)
    page.screenshot(path=SHOTS / "support-panel.png", clip={"x": 20, "y": 10, "width": 950, "height": 540})
    page.close()

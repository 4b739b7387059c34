"""Helpers for driving Chromium with the unpacked heed extension (used by the fixtures and tests)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Frame, Locator, Page, Playwright

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
TYPE_DELAY_MS = 12

# JavaScript run in a page: the overlay layer's render state, "" when heed drew nothing yet.
LAYER_STATE = """() => {
  const host = document.querySelector('heed-overlay');
  const layer = host && host.shadowRoot && host.shadowRoot.querySelector('[data-heed-layer]');
  return layer ? layer.dataset.heedState + ':' + layer.dataset.heedRenders : '';
}"""


@dataclass
class Browser:
    context: BrowserContext
    ext_id: str
    base: str
    profile: Path

    def page(self, path: str) -> Page:
        page = self.context.new_page()
        page.goto(f"{self.base}/{path}")
        return page

    def ext_url(self, path: str) -> str:
        return f"chrome-extension://{self.ext_id}/{path}"

    def ext_page(self, path: str) -> Page:
        page = self.context.new_page()
        page.goto(self.ext_url(path))
        return page

    def _in_extension(self, script: str, arg: Any = None) -> Any:
        """Evaluates `script` (an async function of one argument) in an extension page."""
        page = self.ext_page("popup.html")
        try:
            return page.evaluate(script, arg)
        finally:
            page.close()

    def engine_status(self) -> dict:
        return self._in_extension("async () => (await chrome.storage.session.get('engine')).engine || {}")

    def wait_engine_ready(self, timeout: float = 90) -> dict:
        end = time.monotonic() + timeout
        status: dict = {}
        page = self.ext_page("popup.html")
        try:
            while time.monotonic() < end:
                status = page.evaluate("async () => (await chrome.storage.session.get('engine')).engine || {}")
                if status.get("state") == "ready":
                    return status
                assert status.get("state") != "error", f"engine failed: {status}"
                time.sleep(0.1)
        finally:
            page.close()
        raise AssertionError(f"engine not ready after {timeout} s: {status}")

    def settings(self) -> dict:
        return self._in_extension("async () => (await chrome.storage.local.get('settings')).settings")

    def set_settings(self, **changes: Any) -> dict:
        """Stores the normalised settings with `changes` applied, as the options page does."""
        return self._in_extension(
            """async (changes) => {
              const H = globalThis.HEED_SETTINGS;
              const stored = (await chrome.storage.local.get(H.KEY))[H.KEY];
              const next = H.normalize({ ...H.normalize(stored, 'en-GB'), ...changes }, 'en-GB');
              await chrome.storage.local.set({ [H.KEY]: next });
              return next;
            }""",
            changes,
        )

    def reset_settings(self) -> dict:
        return self.set_settings(lang="en", country="GB", offCategories=[], offRules=[], offSites=[])

    def close(self) -> None:
        self.context.close()


def launch(
    playwright: Playwright, extension: Path, profile: Path, base: str, extra_args: list[str] | None = None
) -> Browser:
    """Starts Chromium with the unpacked extension in a fresh profile (new headless mode, which loads
    extensions; Playwright's default --disable-extensions must go)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=False,
        args=[*FLAGS, "--headless=new", f"--disable-extensions-except={extension}",
              f"--load-extension={extension}", *(extra_args or [])],
        ignore_default_args=["--disable-extensions"],
        viewport={"width": 1100, "height": 760},
        locale="en-GB",
    )
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    ext_id = worker.url.split("/")[2]
    return Browser(context, ext_id, base, profile)


def type_into(page: Page | Frame, selector: str, text: str, delay: int = TYPE_DELAY_MS) -> None:
    """Clicks the box and types like a person: one key at a time ("\\n" presses Enter)."""
    page.locator(selector).click()
    page_of(page).keyboard.type(text, delay=delay)


def page_of(target: Page | Frame) -> Page:
    return target.page if isinstance(target, Frame) else target


def wait_fresh(target: Page | Frame, timeout: float = 15_000) -> None:
    """Waits until heed has rendered the answer for the newest text (no request in flight)."""
    target.wait_for_function(f"({LAYER_STATE})().startsWith('fresh')", timeout=timeout)


def marks(target: Page | Frame, category: str | None = None, rule: str | None = None) -> Locator:
    selector = "[data-heed-rule]"
    if category:
        selector += f'[data-heed-category="{category}"]'
    if rule:
        selector += f'[data-heed-rule="{rule}"]'
    # Playwright's CSS engine pierces open shadow roots, where heed draws its marks.
    return target.locator(f"heed-overlay >> {selector}")


def card(target: Page | Frame) -> Locator:
    return target.locator("heed-overlay >> [data-heed-card]")


def panel(target: Page | Frame) -> Locator:
    return target.locator("heed-overlay >> [data-heed-panel]")


def center(box: dict) -> tuple[float, float]:
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def utf16_index(text: str, index: int) -> int:
    """JavaScript string index of Python index `index` in `text`."""
    return len(text[:index].encode("utf-16-le")) // 2


def wait_until(check: Callable[[], bool], timeout: float = 10) -> None:
    end = time.monotonic() + timeout
    while not check():
        if time.monotonic() > end:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)

"""Replies: heed finds the text a box answers (the bundle's `context`) on the page, so the rules for
replies work in the browser: no relief after "I'm not thinking about suicide", the support steps after
warning signs. Nothing of the kind in a box that answers no post in particular.

The pages: thread.html (a forum thread: an <article> comment with an inline reply box, a <div>
comment with a rich reply box, a WordPress-style reply form that moves between comments, and the
top-level box under the thread) and context.html (boxes whose page says what they answer).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from heedtest import Browser, card, center, marks, panel, type_into, wait_fresh
from playwright.sync_api import Page, expect

DENIAL = "no, i'm not thinking about suicide"
RELIEF = "phew thank god"
SUPPORT = "sending hugs, i'm here if you want to talk"
HONEST = "thank you for being honest with me"
REPLY_CATEGORIES = ("relief-response", "reply-support")


@pytest.fixture(autouse=True)
def _settings(browser: Browser) -> Iterator[None]:
    browser.reset_settings()  # English interface, helplines for GB
    yield


@pytest.fixture
def thread(browser: Browser) -> Iterator[Page]:
    page = browser.page("thread.html")
    yield page
    page.close()


@pytest.fixture
def hooks(browser: Browser) -> Iterator[Page]:
    page = browser.page("context.html")
    yield page
    page.close()


def open_card_of(page: Page, category: str) -> None:
    page.mouse.click(*center(marks(page, category).first.bounding_box()))
    expect(card(page)).to_be_visible()


def clear(page: Page) -> None:
    """Empties the focused box the way a person would, and waits until its marks are gone."""
    page.keyboard.press("Control+a")
    page.keyboard.press("Backspace")
    wait_fresh(page)
    expect(marks(page)).to_have_count(0)


def assert_no_reply_hints(page: Page) -> None:
    wait_fresh(page)
    for category in REPLY_CATEGORIES:
        expect(marks(page, category)).to_have_count(0)


def test_relief_after_a_denial_in_the_comment_answered(thread: Page) -> None:
    type_into(thread, "#reply-denial", RELIEF)
    wait_fresh(thread)
    relief = marks(thread, "relief-response")
    expect(relief).to_have_count(1)
    assert relief.get_attribute("data-heed-severity") == "warning"
    open_card_of(thread, "relief-response")
    expect(card(thread).locator("h2")).to_have_text("Answering with relief")
    suggestion = card(thread).locator("button.sug").first
    expect(suggestion).to_have_text(HONEST)
    suggestion.click()
    expect(thread.locator("#reply-denial")).to_have_value(HONEST)
    # Thanks for honesty is what the rule asks for: it stays quiet with the same context.
    wait_fresh(thread)
    expect(marks(thread, "relief-response")).to_have_count(0)


def test_reply_to_warning_signs_suggests_the_support_steps_with_helplines(thread: Page) -> None:
    type_into(thread, "#reply-signs", SUPPORT)
    wait_fresh(thread)
    support = marks(thread, "reply-support")
    expect(support).to_have_count(1)
    assert support.get_attribute("data-heed-severity") == "suggestion"
    open_card_of(thread, "reply-support")
    box = card(thread)
    expect(box.locator("h2")).to_have_text("Supporting someone")
    expect(box).to_contain_text("ask plainly if they're thinking about suicide")
    expect(box).to_contain_text("Helplines you could share")
    expect(box.locator("[data-heed-resource]").first).to_be_visible()
    expect(box).to_contain_text("Samaritans")
    expect(box).to_contain_text("116 123")
    expect(box).not_to_contain_text("988")  # the chosen country's lines only
    # A suggestion, not an alert about the writer: no support panel.
    expect(panel(thread)).to_be_hidden()


def test_top_level_box_has_no_context(thread: Page) -> None:
    # Under a list of comments the box answers none of them: the same words get none of the hints.
    type_into(thread, "#top", RELIEF)
    assert_no_reply_hints(thread)
    clear(thread)
    thread.keyboard.type(SUPPORT, delay=12)
    assert_no_reply_hints(thread)
    expect(thread.locator("#top")).to_have_value(SUPPORT)


def test_context_is_read_again_when_the_reply_form_moves(thread: Page) -> None:
    type_into(thread, "#top", RELIEF)
    assert_no_reply_hints(thread)
    # "Reply" under anna's denial moves the form there and focuses the box: same words, new context.
    thread.click("#c1 button.move")
    expect(thread.locator("#top")).to_be_focused()
    expect(marks(thread, "relief-response")).to_have_count(1)
    # Under a happy comment relief is fine.
    thread.click("#c3 button.move")
    expect(thread.locator("#top")).to_be_focused()
    wait_fresh(thread)
    expect(marks(thread, "relief-response")).to_have_count(0)
    # Back under the thread: no context again.
    thread.click("#c1 button.move")
    expect(marks(thread, "relief-response")).to_have_count(1)
    thread.click("#cancel")
    wait_fresh(thread)
    expect(marks(thread, "relief-response")).to_have_count(0)


@pytest.mark.parametrize(
    ("box", "text", "category", "count"),
    [
        ("#hooked", RELIEF, "relief-response", 1),  # data-heed-context on the box
        ("#pointed", SUPPORT, "reply-support", 1),  # data-heed-context-for names the post
        ("#described", RELIEF, "relief-response", 1),  # aria-describedby names the post
        ("#hinted", RELIEF, "relief-response", 0),  # aria-describedby names the form's own hint
        ("#opted-out", RELIEF, "relief-response", 0),  # data-heed-context="" stops the guess
        ("#shadow-reply", RELIEF, "relief-response", 1),  # an <article> in an open shadow root
    ],
)
def test_context_the_page_gives(hooks: Page, box: str, text: str, category: str, count: int) -> None:
    type_into(hooks, box, text)
    wait_fresh(hooks)
    expect(marks(hooks, category)).to_have_count(count)
    if not count:
        # The check did run: the same box, given the post through the hook, gets the hint.
        hooks.eval_on_selector(box, f"e => e.setAttribute('data-heed-context', {DENIAL!r})")
        hooks.locator("h1").click()
        hooks.locator(box).click()
        expect(marks(hooks, category)).to_have_count(1)

"""heed in real editors: marks on the right words, card, suggestions, alerts, keyboard, layout.

One Chromium (with the real compiled rules) is shared by the module; each test opens its own tab.
Typing is key by key, like a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from heedtest import Browser, card, center, marks, panel, type_into, utf16_index, wait_fresh
from playwright.sync_api import Page, expect

from compiler.engines import CPythonEngine

COMMITTED = "committed suicide"
# Emoji (two UTF-16 units each) and line breaks before the flagged words shift every offset.
TEXT = "Hi 😀 all 👋🏽,\nmy uncle committed suicide in 2019 💔\nsome days I wish I was dead"
DRAFT_TEXT = "Hello 👋\nHe committed suicide last year."
_FIRST_MARK = "document.querySelector('heed-overlay').shadowRoot.querySelector('[data-heed-category=suicide-language]')"
MARK_TOP = f"() => {{ const m = {_FIRST_MARK}; return m ? m.getBoundingClientRect().top : null; }}"
MARK_WIDTH = f"() => {{ const m = {_FIRST_MARK}; return m ? m.getBoundingClientRect().width : 0; }}"


@pytest.fixture(autouse=True)
def _settings(browser: Browser) -> Iterator[None]:
    browser.reset_settings()
    yield


@pytest.fixture
def tab(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    page = browser.page(request.param if hasattr(request, "param") else "textarea.html")
    yield page
    page.close()


def caret_after_click(page: Page, selector: str, x: float, y: float) -> int:
    page.mouse.click(x, y)
    return page.eval_on_selector(selector, "e => e.selectionStart")


def rich_caret_after_click(page: Page, selector: str, x: float, y: float) -> int:
    """Characters of the editor's text (blocks joined without separators) before the caret."""
    page.mouse.click(x, y)
    return page.eval_on_selector(
        selector,
        """e => { const s = getSelection(); const r = document.createRange(); r.selectNodeContents(e);
                  r.setEnd(s.anchorNode, s.anchorOffset); return r.toString().length; }""",
    )


def assert_mark_covers(page: Page, mark_box: dict, start: int, end: int, caret) -> None:
    """Clicking the left and right ends of a mark puts the browser's caret at the ends of the words:
    the mark is drawn over exactly those characters (checked with the browser's own hit testing)."""
    _, y = center(mark_box)
    left = caret(page, mark_box["x"] + 2, y)
    right = caret(page, mark_box["x"] + mark_box["width"] - 2, y)
    assert start <= left <= start + 1, (left, start)
    assert end - 1 <= right <= end, (right, end)


def test_textarea_marks_right_words_after_emoji_and_line_breaks(tab: Page) -> None:
    type_into(tab, "#comment", TEXT)
    wait_fresh(tab)
    suicide = marks(tab, "suicide-language")
    expect(suicide).to_have_count(1)
    expect(marks(tab, "warning-signs").first).to_be_visible()
    assert suicide.get_attribute("data-heed-severity") == "warning"
    start = utf16_index(TEXT, TEXT.index(COMMITTED))
    assert_mark_covers(tab, suicide.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: caret_after_click(p, "#comment", x, y))
    tab.keyboard.press("Escape")  # the click opened the card, which may cover the next line
    expect(card(tab)).to_be_hidden()
    wish = TEXT.index("wish I was dead")
    wish_box = marks(tab, "warning-signs").first.bounding_box()
    # The alert's mark starts at "wish" on the third line.
    caret = caret_after_click(tab, "#comment", wish_box["x"] + 2, center(wish_box)[1])
    assert utf16_index(TEXT, wish) <= caret <= utf16_index(TEXT, wish) + 1


def test_text_input(tab: Page) -> None:
    text = "🙂 He committed suicide"
    type_into(tab, "#title", text)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    start = utf16_index(text, text.index(COMMITTED))
    assert_mark_covers(tab, mark.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: caret_after_click(p, "#title", x, y))


def test_long_text_is_checked_paragraph_by_paragraph(tab: Page) -> None:
    filler = "\n".join(f"Line {i}: nothing to see here, just a long story about my week." for i in range(60))
    assert len(filler) > 3000
    tab.fill("#comment", filler)
    tab.locator("#comment").press("Control+End")
    tab.keyboard.type("\nHe committed suicide.", delay=12)
    wait_fresh(tab)
    tab.eval_on_selector("#comment", "e => { e.scrollTop = e.scrollHeight; }")
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    text = tab.input_value("#comment")
    start = utf16_index(text, text.index(COMMITTED))
    assert_mark_covers(tab, mark.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: caret_after_click(p, "#comment", x, y))


def test_password_fields_are_ignored(tab: Page) -> None:
    type_into(tab, "#pw", "He committed suicide")
    tab.wait_for_timeout(600)
    expect(marks(tab)).to_have_count(0)


@pytest.mark.parametrize("tab", ["contenteditable.html"], indirect=True)
def test_contenteditable_marks_right_words(tab: Page) -> None:
    type_into(tab, "#editor", TEXT)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    flat = TEXT.replace("\n", "")
    start = utf16_index(flat, flat.index(COMMITTED))
    assert_mark_covers(tab, mark.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: rich_caret_after_click(p, "#editor", x, y))


@pytest.mark.parametrize("tab", ["draft.html"], indirect=True)
def test_draft_like_editor_that_rebuilds_its_dom(tab: Page) -> None:
    type_into(tab, "#editor", DRAFT_TEXT)
    assert tab.evaluate("editor.text()") == DRAFT_TEXT
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    flat = DRAFT_TEXT.replace("\n", "")
    start = utf16_index(flat, flat.index(COMMITTED))
    assert_mark_covers(tab, mark.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: rich_caret_after_click(p, "#editor", x, y))
    # Apply the better wording: the editor's own model (what the site would post) changes.
    tab.mouse.move(*center(mark.bounding_box()))
    expect(card(tab)).to_be_visible()
    suggestion = card(tab).locator("button.sug").first
    better = suggestion.get_attribute("data-heed-suggestion")
    suggestion.click()
    expected = DRAFT_TEXT.replace(COMMITTED, better)
    tab.wait_for_function("t => editor.text() === t", arg=expected)
    assert tab.evaluate("editor.seen.at(-1)") == expected
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(0)
    tab.keyboard.press("Control+z")  # the editor's own undo
    tab.wait_for_function("t => editor.text() === t", arg=DRAFT_TEXT)


def test_suggestion_replaces_text_the_site_sees_it_and_undo_works(tab: Page) -> None:
    text = "My neighbour committed suicide last spring."
    type_into(tab, "#comment", text)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    tab.mouse.move(*center(mark.bounding_box()))
    expect(card(tab)).to_be_visible()
    expect(card(tab)).to_have_attribute("role", "dialog")
    suggestion = card(tab).locator("button.sug").first
    better = suggestion.get_attribute("data-heed-suggestion")
    assert better and better.lower() == "died by suicide"
    suggestion.click()
    expected = text.replace(COMMITTED, better)
    expect(tab.locator("#comment")).to_have_value(expected)
    seen = tab.evaluate("window.__seen.at(-1)")
    assert seen["id"] == "comment" and seen["value"] == expected
    expect(tab.locator("#comment")).to_be_focused()
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(0)
    tab.keyboard.press("Control+z")
    expect(tab.locator("#comment")).to_have_value(text)


def test_card_in_the_chosen_interface_language(browser: Browser, tab: Page) -> None:
    browser.set_settings(lang="da")
    text = "Han begik selvmord sidste år."
    type_into(tab, "#comment", text)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    mark_box = mark.bounding_box()
    tab.mouse.click(*center(mark_box))
    expect(card(tab)).to_be_visible()
    expect(card(tab).locator("h2")).to_have_text("Ord om selvmord")
    expect(card(tab).locator("[data-heed-action=ignore]")).to_have_text("Ignorer her")
    # "Om denne regel" opens the rule's entry in the bundled rule reference.
    rule = mark.get_attribute("data-heed-rule")
    with browser.context.expect_page() as opened:
        card(tab).locator("[data-heed-action=about]").click()
    reference = opened.value
    reference.wait_for_load_state()
    assert reference.url == browser.ext_url(f"rules.html#{rule}")
    expect(reference.locator(f"article[id='{rule}']")).to_be_visible()
    reference.close()
    tab.bring_to_front()
    start = text.index("begik selvmord")
    assert start <= caret_after_click(tab, "#comment", mark_box["x"] + 2, center(mark_box)[1]) <= start + 1


def test_alert_opens_a_calm_support_panel_with_local_helplines(browser: Browser, tab: Page) -> None:
    tab.evaluate("() => { window.__posted = 0; document.getElementById('post').onclick = () => window.__posted++; }")
    type_into(tab, "#comment", "honestly some days I wish I was dead")
    wait_fresh(tab)
    support = panel(tab)
    expect(support).to_be_visible()
    # Not a modal: no aria-modal, typing goes on, and the page's own button still works.
    assert support.get_attribute("aria-modal") is None
    assert support.evaluate("e => e.tagName") == "ASIDE"
    expect(support.locator("[data-heed-resource]").first).to_be_visible()
    expect(support).to_contain_text("Samaritans")
    expect(support).to_contain_text("116 123")
    tab.keyboard.type(" lately", delay=12)
    expect(tab.locator("#comment")).to_have_value("honestly some days I wish I was dead lately")
    tab.click("#post")
    assert tab.evaluate("window.__posted") == 1
    # The helplines follow the country chosen in the options.
    browser.set_settings(country="DK")
    expect(support).to_contain_text("Livslinien")
    expect(support).to_contain_text("70 201 201")
    expect(support).not_to_contain_text("Samaritans")
    support.locator("[data-heed-action=hide-panel]").click()
    expect(support).to_be_hidden()
    expect(tab.locator("heed-overlay >> [data-heed-pill]")).to_be_visible()
    # From the keyboard: Alt+Shift+H opens the alert's card, which leads to the helplines.
    tab.locator("#comment").focus()
    tab.keyboard.press("Alt+Shift+H")
    expect(card(tab).locator("[data-heed-action=support]")).to_be_focused()
    tab.keyboard.press("Enter")
    expect(support).to_be_visible()
    assert tab.evaluate("() => document.activeElement.shadowRoot.activeElement.closest('[data-heed-panel]') !== null")
    tab.keyboard.press("Escape")
    expect(support).to_be_hidden()
    expect(tab.locator("#comment")).to_be_focused()


def test_warning_signs_only_the_scorer_reads_open_the_support_panel(tab: Page) -> None:
    # No phrase rule knows these words; the warning-signs scorer (rules/models/) reads them in the browser.
    text = "everything is just heavy lately and i dont know how much longer i can keep pretending im fine"
    type_into(tab, "#comment", text)
    wait_fresh(tab)
    expect(panel(tab)).to_be_visible()
    expect(panel(tab)).to_contain_text("Samaritans")
    expect(marks(tab, rule="ws-en-scored").first).to_be_attached()
    # an everyday text with the same kind of words stays quiet
    tab.fill("#comment", "")
    type_into(tab, "#comment", "so tired of this commute, every morning the same grey traffic")
    wait_fresh(tab)
    expect(panel(tab)).to_be_hidden()
    expect(marks(tab)).to_have_count(0)


def test_keyboard_reaches_the_card_and_escape_returns(tab: Page) -> None:
    text = "He committed suicide."
    type_into(tab, "#comment", text)
    wait_fresh(tab)
    # Screen readers hear that there are hints, and how to reach them.
    expect(tab.locator("heed-overlay >> [data-heed-live]")).to_contain_text("Alt+Shift+H")
    tab.keyboard.press("Alt+Shift+H")
    expect(card(tab)).to_be_visible()
    focused = tab.evaluate("() => document.activeElement.shadowRoot?.activeElement?.dataset.heedSuggestion || null")
    assert focused and focused.lower() == "died by suicide"
    tab.keyboard.press("Escape")
    expect(card(tab)).to_be_hidden()
    expect(tab.locator("#comment")).to_be_focused()
    tab.keyboard.press("Alt+Shift+H")
    expect(card(tab)).to_be_visible()
    tab.keyboard.press("Enter")  # applies the focused suggestion
    expect(tab.locator("#comment")).to_have_value("He died by suicide.")
    expect(tab.locator("#comment")).to_be_focused()


def test_ignore_once_and_turn_off_rule(browser: Browser, tab: Page) -> None:
    type_into(tab, "#comment", "He committed suicide.")
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    rule = mark.get_attribute("data-heed-rule")
    tab.mouse.move(*center(mark.bounding_box()))
    card(tab).locator("[data-heed-action=ignore]").click()
    expect(marks(tab, "suicide-language")).to_have_count(0)

    other = browser.page("textarea.html")
    try:
        type_into(other, "#comment", "She committed suicide.")
        wait_fresh(other)
        mark = marks(other, "suicide-language")
        other.mouse.move(*center(mark.bounding_box()))
        card(other).locator("[data-heed-action=rule-off]").click()
        expect(marks(other, "suicide-language")).to_have_count(0)
        assert rule in browser.settings()["offRules"]
    finally:
        other.close()


def test_one_mark_per_category_where_rules_find_the_same_words(browser: Browser, tab: Page, bundle_dir: Path) -> None:
    text = "my sister goes full psycho if anyone touches her makeup"
    with CPythonEngine(bundle_dir) as engine:
        labels = [h for h in engine.annotate(text) if h["category"] == "stigmatizing-labels"]
    assert len(labels) == 2 and labels[1]["start"] < labels[0]["end"], labels  # two rules, one spot
    type_into(tab, "#comment", text)
    wait_fresh(tab)
    expect(marks(tab, "stigmatizing-labels")).to_have_count(1)
    mark = marks(tab, "stigmatizing-labels")
    assert mark.get_attribute("data-heed-rule") == labels[0]["rule"]  # the first the engine gives
    # Ignoring it ignores the rule that found the same words; turning its rule off brings the other back.
    tab.mouse.move(*center(mark.bounding_box()))
    card(tab).locator("[data-heed-action=ignore]").click()
    expect(marks(tab, "stigmatizing-labels")).to_have_count(0)
    browser.set_settings(offRules=[labels[0]["rule"]])
    tab.keyboard.type(" ", delay=12)
    wait_fresh(tab)
    expect(marks(tab, "stigmatizing-labels")).to_have_count(1)
    assert marks(tab, "stigmatizing-labels").get_attribute("data-heed-rule") == labels[1]["rule"]


def test_categories_can_be_turned_off(browser: Browser, tab: Page) -> None:
    browser.set_settings(offCategories=["suicide-language"])
    type_into(tab, "#comment", "He committed suicide. Some days I wish I was dead.")
    wait_fresh(tab)
    expect(marks(tab, "warning-signs").first).to_be_visible()
    expect(marks(tab, "suicide-language")).to_have_count(0)
    browser.set_settings(offCategories=[])
    expect(marks(tab, "suicide-language")).to_have_count(1)


def test_marks_follow_font_changes_and_scrolling(tab: Page) -> None:
    type_into(tab, "#comment", "\n\nHe committed suicide." + "\n" * 12)
    wait_fresh(tab)
    tab.eval_on_selector("#comment", "e => { e.scrollTop = 0; }")
    tab.wait_for_timeout(100)
    before = marks(tab, "suicide-language").bounding_box()
    # The textarea scrolls: the mark moves with its words.
    tab.eval_on_selector("#comment", "e => { e.scrollTop = 20; }")
    tab.wait_for_function(f"Math.abs(({MARK_TOP})() - {before['y'] - 20}) < 1", polling=50)
    # The box gets narrower: the words wrap to the start of a lower line, and the mark goes with them.
    tab.eval_on_selector("#comment", "e => { e.scrollTop = 0; e.style.width = '95px'; }")
    tab.wait_for_function(f"({MARK_TOP})() > {before['y'] + 5}", polling=50)
    tab.eval_on_selector("#comment", "e => { e.style.width = ''; }")
    # The font grows (no event says so): the mark grows with the words.
    tab.eval_on_selector("#comment", "e => { e.scrollTop = 0; e.style.fontSize = '24px'; }")
    tab.wait_for_function(f"({MARK_WIDTH})() > {before['width'] * 1.3}", polling=100)


@pytest.mark.parametrize("tab", ["many.html"], indirect=True)
def test_page_with_many_boxes_and_page_scroll(tab: Page) -> None:
    for box in ("#box1", "#box2", "#ce4", "#box5"):
        type_into(tab, box, "He committed suicide.")
        wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(4)
    # A box far down the page: marks are drawn for what is on screen, and move with the page.
    tab.eval_on_selector("#box37", "e => e.scrollIntoView({ block: 'center' })")
    type_into(tab, "#box37", "She committed suicide.")
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(1)
    y = marks(tab, "suicide-language").bounding_box()["y"]
    tab.evaluate("window.scrollBy(0, -100)")  # (the page is scrolled to its end)
    tab.wait_for_function(f"Math.abs(({MARK_TOP})() - {y + 100}) < 1", polling=50)


@pytest.mark.parametrize("tab", ["strict-csp.html"], indirect=True)
def test_strict_csp_page(tab: Page) -> None:
    tab.evaluate(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation', e => window.__violations.push(e.violatedDirective))"
    )
    type_into(tab, "#comment", "He committed suicide.")
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(1)
    type_into(tab, "#editor", "She committed suicide.")
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(2)
    tab.mouse.move(*center(marks(tab, "suicide-language").first.bounding_box()))
    expect(card(tab)).to_be_visible()
    assert tab.evaluate("window.__violations") == []


@pytest.mark.parametrize("tab", ["shadow.html"], indirect=True)
def test_open_shadow_root(tab: Page) -> None:
    text = "💬 He committed suicide."
    type_into(tab, "comment-box >> #inner", text)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language")
    expect(mark).to_have_count(1)
    start = utf16_index(text, text.index(COMMITTED))
    assert_mark_covers(tab, mark.bounding_box(), start, start + len(COMMITTED),
                       lambda p, x, y: caret_after_click(p, "comment-box >> #inner", x, y))
    tab.keyboard.press("Escape")
    type_into(tab, "comment-box >> #inner-ce", "She committed suicide.")
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(2)


@pytest.mark.parametrize("tab", ["iframe.html"], indirect=True)
def test_same_origin_iframe(tab: Page) -> None:
    frame = tab.frame_locator("#frame")
    frame.locator("#comment").click()
    tab.keyboard.type("He committed suicide.", delay=12)
    inner = next(f for f in tab.frames if f.url.endswith("/textarea.html"))
    wait_fresh(inner)
    expect(marks(inner, "suicide-language")).to_have_count(1)
    box = marks(inner, "suicide-language").bounding_box()
    frame_box = tab.locator("#frame").bounding_box()
    assert frame_box["x"] < box["x"] < frame_box["x"] + frame_box["width"]


@pytest.mark.parametrize("tab", ["dynamic.html"], indirect=True)
def test_editor_added_after_load(tab: Page) -> None:
    tab.click("#reply")
    expect(tab.locator("#late")).to_be_focused()
    tab.keyboard.type("He committed suicide.", delay=12)
    wait_fresh(tab)
    expect(marks(tab, "suicide-language")).to_have_count(1)


@pytest.mark.parametrize("tab", ["textarea.html", "contenteditable.html"], indirect=True)
def test_page_text_is_never_inserted_as_html(tab: Page) -> None:
    tab.evaluate("window.__pwned = 0")
    selector = "#comment" if tab.url.endswith("textarea.html") else "#editor"
    payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> He committed suicide'
    type_into(tab, selector, payload)
    wait_fresh(tab)
    mark = marks(tab, "suicide-language").first  # the words may wrap onto two lines
    tab.mouse.move(*center(mark.bounding_box()))
    expect(card(tab)).to_be_visible()
    tab.wait_for_timeout(300)
    assert tab.evaluate("window.__pwned") == 0
    assert tab.evaluate("document.querySelector('heed-overlay').shadowRoot.querySelectorAll('img, script').length") == 0
    assert tab.evaluate("document.querySelectorAll('img, script:not([src])').length") == 0


def test_engine_survives_service_worker_stop_and_comes_back_after_a_crash(browser: Browser, tab: Page) -> None:
    count = "n => document.querySelector('heed-overlay').shadowRoot" \
            ".querySelectorAll('[data-heed-category=suicide-language]').length === n"
    type_into(tab, "#comment", "He committed suicide.")
    wait_fresh(tab)
    # Stop the service worker (as Chrome does after 30 s idle): tabs talk to the offscreen document
    # directly, so hints keep coming without a reload.
    ext = browser.ext_page("popup.html")
    cdp = browser.context.new_cdp_session(ext)
    states: list[str] = []
    cdp.on("ServiceWorker.workerVersionUpdated",
           lambda e: states.extend(v["runningStatus"] for v in e["versions"] if browser.ext_id in v["scriptURL"]))
    cdp.send("ServiceWorker.enable")
    cdp.send("ServiceWorker.stopAllWorkers")
    tab.wait_for_timeout(300)
    assert "stopped" in states
    tab.bring_to_front()
    tab.keyboard.type(" She committed suicide too.", delay=12)
    tab.wait_for_function(count, arg=2, timeout=5_000)
    # The engine's document goes away (a crash, an update): the next keystroke brings it back.
    assert ext.evaluate("() => chrome.offscreen.closeDocument().then(() => 'closed')") == "closed"
    ext.close()
    tab.keyboard.type(" They committed suicide.", delay=12)
    tab.wait_for_function(count, arg=3, timeout=60_000)


def test_eating_hints_offer_eating_disorder_support_of_the_chosen_country(browser: Browser, tab: Page) -> None:
    """A hint about weights shows the chosen country's eating-disorder organisation in its card; where
    heed has none for that country, the card lists no foreign one instead."""
    text = "at my lowest i was 45 kg and still felt huge"
    for country, expected in (("GB", "Beat"), ("US", "ANAD"), ("DK", None)):
        browser.set_settings(lang="en", country=country)
        tab.fill("#comment", "")
        type_into(tab, "#comment", text)
        wait_fresh(tab)
        mark = marks(tab, "ed-numbers").first
        expect(mark).to_be_visible()
        tab.mouse.click(*center(mark.bounding_box()))
        expect(card(tab)).to_be_visible()
        lines = card(tab).locator("[data-heed-resource]")
        if expected:
            expect(lines).to_have_count(1)
            expect(lines.first).to_contain_text(expected)
        else:
            expect(lines).to_have_count(0)
        tab.keyboard.press("Escape")
        expect(card(tab)).to_be_hidden()

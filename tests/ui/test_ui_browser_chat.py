"""The chat in a real Chromium: streaming, sources, citations, follow-ups, filters,
hostile markup, settings and two users at once.

The server is the real app (``tests/ui/serve_fixture.py``) with a scripted model
that streams one word every 80 ms, over the five-article fixture corpus.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.ui.ui_corpus import XSS_TITLE
from tests.ui.ui_helpers import (
    RECORDER,
    ask,
    in_viewport,
    open_chat,
    open_tab,
    panel_text,
    screenshot,
    send,
    source_titles,
    table_titles,
    wait_answer,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(120)]

PUTIN_Q = "What did Putin offer Ukraine?"
PUTIN_TITLE = "Kyiv slams Putin's offer of an immediate ceasefire"
NATO_TITLE = "NATO chief rejects Putin's ceasefire terms"
G7_Q = "How big was the G7 loan for Ukraine?"
G7_TITLE = "G7 agrees loan for Ukraine backed by frozen Russian assets"
WHEAT_TITLE = "Kansas farmers bring in a record wheat harvest"
CURSOR = "▍"


def streamed_texts(log: list[dict[str, Any]], rows: int) -> list[str]:
    """Distinct partial texts of answer number ``rows`` while it was streaming."""
    snaps = [s for s in log if s["rows"] == rows and s["streaming"] and s["text"]]
    return list(dict.fromkeys(s["text"].replace(CURSOR, "").strip() for s in snaps))


def open_filters(page: Any) -> None:
    """Expand the filters accordion."""
    page.locator("#filters").get_by_text("Filters: outlets and dates").click()
    page.wait_for_selector("#filter-before", state="visible")


def set_text(page: Any, elem_id: str, value: str) -> None:
    """Type into a Gradio textbox (fires its change event)."""
    page.locator(f"#{elem_id}").locator("textarea, input").first.fill(value)


def test_answer_streams_and_sources_arrive_before_it_ends(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    page.evaluate(RECORDER)
    bubble = ask(page, PUTIN_Q)
    log = page.evaluate("window.__newsqa")

    partial = streamed_texts(log, 1)
    assert len(partial) >= 3, f"the answer did not stream: {partial}"
    for shorter, longer in itertools.pairwise(partial):
        assert longer.startswith(shorter), (shorter, longer)
    first_token = next(s for s in log if s["rows"] == 1 and s["text"] and s["streaming"])
    assert first_token["sources"] > 0, "sources must be shown before the first token"
    assert any(s["streaming"] and s["sources"] for s in log)

    answer = bubble.locator(".answer")
    assert "immediate ceasefire" in answer.inner_text()
    assert answer.locator("a.cite").first.get_attribute("href") == "#source-1"
    card = page.locator("#sources #source-1")
    assert card.locator(".title").inner_text() == PUTIN_TITLE
    assert card.locator(".outlet").inner_text() == "Kyiv Daily"
    assert card.locator("time").inner_text() == "2024-06-14"
    link = card.locator("a.original")
    assert link.get_attribute("href") == "https://kyiv-daily.example/putin-offer"
    assert link.get_attribute("target") == "_blank"
    assert "immediate ceasefire" in card.locator("mark").inner_text()
    assert page.dialogs == []


def test_clicking_a_marker_brings_its_source_into_view(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url, viewport={"width": 1280, "height": 640})
    open_chat(page)
    ask(page, PUTIN_Q)
    ask(page, G7_Q)
    assert source_titles(page) == [G7_TITLE]
    page.evaluate("window.scrollTo(0, 0)")
    assert not in_viewport(page, "#source-1"), "the source should start out of view"

    page.locator("#chat .bot-row").nth(1).locator("a.cite").first.click()
    page.wait_for_function(
        """() => { const r = document.getElementById('source-1').getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight; }"""
    )
    assert "targeted" in (page.locator("#source-1").get_attribute("class") or "")

    # A marker in an earlier answer brings that answer's sources back.
    page.evaluate("window.scrollTo(0, 0)")
    page.locator("#chat .bot-row").nth(0).locator("a.cite").first.click()
    page.wait_for_function(
        """() => { const p = document.querySelector('#sources .sources');
          return p && p.dataset.turn === '0'; }"""
    )
    assert source_titles(page) == [PUTIN_TITLE]
    page.wait_for_function(
        """() => { const r = document.getElementById('source-1').getBoundingClientRect();
          return r.top >= 0 && r.bottom <= window.innerHeight; }"""
    )


def test_follow_up_is_rewritten_and_shown(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    first = ask(page, PUTIN_Q)
    assert first.locator(".searched").count() == 0, "a standalone question needs no small print"
    second = ask(page, "And what did NATO say?")
    searched = second.locator(".searched .standalone").inner_text()
    assert "NATO" in searched and "Putin" in searched
    assert "Stoltenberg" in second.locator(".answer").inner_text()
    assert source_titles(page) == [NATO_TITLE]
    screenshot(page, "chat.png")


def test_date_and_outlet_filters_narrow_retrieval(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    assert "Searching all 5 articles" in page.locator("#filters-banner").inner_text()
    open_filters(page)

    set_text(page, "filter-before", "2023-12-31")
    page.wait_for_function(
        "() => document.querySelector('#filters-banner').innerText.includes('until 2023-12-31')"
    )
    declined = ask(page, G7_Q)
    assert declined.locator(".decline").count() == 1
    assert "don't cover this" in declined.inner_text()
    assert declined.locator(".answer").count() == 0
    assert "Filters: until 2023-12-31" in declined.locator(".searched").inner_text()
    assert "Alpine Herald" not in panel_text(page)

    answered = ask(page, "How big was the wheat harvest in Kansas?")
    assert "400 million bushels" in answered.locator(".answer").inner_text()
    assert source_titles(page) == [WHEAT_TITLE]
    assert "2024-" not in panel_text(page)

    set_text(page, "filter-before", "")
    page.locator("#filter-outlets input").click()
    page.get_by_role("option", name="Brussels Observer").click()
    page.keyboard.press("Escape")
    page.wait_for_function(
        "() => document.querySelector('#filters-banner').innerText"
        ".includes('outlets: Brussels Observer')"
    )
    ask(page, PUTIN_Q)
    outlets = set(page.locator("#sources .outlet").all_inner_texts())
    assert outlets == {"Brussels Observer"}


def test_a_bad_date_is_refused_and_the_question_kept(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    open_filters(page)
    set_text(page, "filter-after", "2024-13-01")
    page.wait_for_function(
        "() => document.querySelector('#filters-banner').innerText.includes('not a date')"
    )
    send(page, PUTIN_Q)
    page.wait_for_selector(".toast-body >> text=not a date")
    assert page.locator("#chat .bot-row").count() == 0
    assert page.locator("#question textarea").input_value() == PUTIN_Q


def test_article_markup_is_shown_as_text_never_run(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    bubble = ask(page, "<img src=x onerror=alert(4)> What did the city council approve?")
    assert "<img src=x onerror=alert(4)>" in page.locator("#chat .user-row").first.inner_text()
    assert "bicycle lanes" in bubble.locator(".answer").inner_text()
    assert source_titles(page) == [XSS_TITLE]
    card = page.locator("#source-1")
    assert "<script>alert(2)</script>" in card.locator("blockquote").inner_text()
    assert card.locator("a.title").count() == 0, "a javascript: URL must not become a link"
    assert page.locator("a[href^='javascript']").count() == 0

    open_tab(page, "Library")
    page.wait_for_selector("#library-table [data-testid='cell-0-0']")
    assert XSS_TITLE in table_titles(page)

    page.wait_for_timeout(1000)  # give any injected handler time to fire
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#chat script, #sources script, #library-table script").count() == 0
    assert page.dialogs == []


def test_settings_switch_backend_and_passages(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    assert "ScriptedNewsModel" in page.locator("#status-text").inner_text()
    open_tab(page, "Settings")
    page.get_by_label("Extractive (quotes the best sentences, no model)").check()
    page.wait_for_function(
        "() => document.querySelector('#status-text').innerText.includes('extractive')"
    )
    assert "articles" in page.locator("#settings-status").inner_text()
    slider = page.locator("#top-k input[type=number]")
    slider.fill("1")
    slider.press("Enter")
    open_tab(page, "Chat")
    bubble = ask(page, PUTIN_Q)
    assert "immediate" in bubble.locator(".answer").inner_text()
    assert set(source_titles(page)) == {PUTIN_TITLE}
    assert page.locator("#sources details.more").count() == 0, "k=1 searches one passage"


def test_two_users_chat_at_once_without_mixing(fixture_server: Any, new_page) -> None:
    alice = new_page(fixture_server.url)
    bob = new_page(fixture_server.url)
    for page in (alice, bob):
        open_chat(page)
        page.evaluate(RECORDER)
    before_a = send(alice, PUTIN_Q)
    before_b = send(bob, G7_Q)
    wait_answer(alice, before_a)
    wait_answer(bob, before_b)

    def streaming_window(page: Any) -> tuple[int, int]:
        times = [s["t"] for s in page.evaluate("window.__newsqa") if s["streaming"]]
        return min(times), max(times)

    a_start, a_end = streaming_window(alice)
    b_start, b_end = streaming_window(bob)
    assert a_start < b_end and b_start < a_end, "the two answers should be written at once"

    a_follow = ask(alice, "And what did NATO say?")
    b_follow = ask(bob, "And who pays it back?")
    a_searched = a_follow.locator(".searched .standalone").inner_text()
    b_searched = b_follow.locator(".searched .standalone").inner_text()
    assert "Putin" in a_searched and "G7" not in a_searched
    assert "G7" in b_searched and "Putin" not in b_searched

    a_chat, b_chat = alice.locator("#chat").inner_text(), bob.locator("#chat").inner_text()
    assert PUTIN_Q in a_chat and G7_Q not in a_chat and "50 billion" not in a_chat
    assert G7_Q in b_chat and PUTIN_Q not in b_chat and "Stoltenberg" not in b_chat
    assert alice.locator("#chat .bot-row").count() == bob.locator("#chat .bot-row").count() == 2

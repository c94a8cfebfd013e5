"""The Timeline tab in a real Chromium: a topic's reports by day, each a verbatim
quote with its outlet; "as of" leaves later days out; a bad date is a notice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.ui_helpers import Server, open_chat, open_tab, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(120)]


def show(page: Any, topic: str, as_of: str = "") -> Any:
    page.fill("#timeline-topic textarea", topic)
    page.fill("#timeline-as-of textarea", as_of)
    page.click("#timeline-show")
    return page.wait_for_selector("#timeline-view .timeline, #timeline-view .notice")


def test_timeline_tab_shows_days_in_order(
    fixture_server: Server, new_page: Callable[..., Any]
) -> None:
    page = new_page(fixture_server.url)
    open_chat(page)
    open_tab(page, "Timeline")
    show(page, "Putin's ceasefire offer and the G7 loan for Ukraine")
    days = page.locator("#timeline-view .timeline-day h4").all_inner_texts()
    assert days == sorted(days) and "2024-06-13" in days and "2024-06-14" in days
    text = page.inner_text("#timeline-view")
    assert "Alpine Herald" in text and "Kyiv Daily" in text
    assert "wheat" not in text.lower()  # not about the topic
    screenshot(page, "timeline.png")

    show(page, "Putin's ceasefire offer and the G7 loan for Ukraine", "2024-06-13")
    page.wait_for_function(
        "() => ![...document.querySelectorAll('#timeline-view h4')]"
        ".some(h => h.innerText === '2024-06-14')"
    )
    assert page.locator("#timeline-view .timeline-day h4").all_inner_texts() == ["2024-06-13"]

    show(page, "the G7 loan", "not a date")
    page.wait_for_selector("#timeline-view .notice")
    assert "as_of must be a date" in page.inner_text("#timeline-view")

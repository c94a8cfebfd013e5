"""The Library tab in a real Chromium: upload, progress and report, refusals, the
sortable and searchable table, delete; and that what was added can be asked about."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.ui_helpers import (
    ask,
    open_chat,
    open_tab,
    screenshot,
    source_titles,
    table_titles,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(120)]

LIGHTHOUSE_TITLE = "Lighthouse on Gull Rock restored after storm"
LIGHTHOUSE = f"""---
title: {LIGHTHOUSE_TITLE}
source: Coastal Courier
date: 2024-05-02
---
Volunteers finished restoring the Gull Rock lighthouse on Tuesday, two years after a
winter storm tore off its lantern room. The restoration cost 1.2 million pounds, paid by
a local trust. The light will shine again from June.
"""
WHEAT_TITLE = "Kansas farmers bring in a record wheat harvest"

# Keeps every text the ingest report's progress indicator shows.
PROGRESS_RECORDER = """
() => {
  window.__progress = [];
  new MutationObserver(() => {
    const tracker = document.querySelector('#ingest-report [data-testid=status-tracker]');
    const text = tracker && !tracker.classList.contains('hide') ? tracker.innerText.trim() : '';
    if (text) window.__progress.push(text);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
}
"""


def open_library(page: Any) -> None:
    """Open the Library tab and wait for the table's first row."""
    open_chat(page)
    open_tab(page, "Library")
    page.wait_for_selector("#library-table [data-testid='cell-0-0']")


def add_files(page: Any, *paths: Path) -> None:
    """Choose files in the upload box and wait until Gradio has received them."""
    page.locator("#upload input[type=file]").set_input_files([str(p) for p in paths])
    for path in paths:
        page.wait_for_selector(f"#upload >> text={path.stem}")


def press_add(page: Any) -> Any:
    """Click "Add to library" and wait for a new report; returns it."""
    page.evaluate(
        """() => document.querySelectorAll('#ingest-report .chips, #ingest-report .notice')
          .forEach(e => e.setAttribute('data-stale', '1'))"""
    )
    page.locator("#add").click()
    page.wait_for_selector(
        "#ingest-report .chips:not([data-stale]), #ingest-report .notice:not([data-stale])"
    )
    return page.locator("#ingest-report")


def chip(report: Any, name: str) -> int:
    """The count on one of the report's chips (added, updated, unchanged, failed)."""
    return int(report.locator(f".chip.{name}").get_attribute("data-count"))


def cell(page: Any, row: int, col: int) -> str:
    """Text of a table cell by displayed row (``data-row`` keeps the unsorted index)."""
    cells = page.locator(f"#library-table [role=gridcell][data-col='{col}']")
    return str(cells.nth(row).inner_text())


def test_uploaded_file_is_listed_and_answerable(
    fixture_server: Any, new_page, tmp_path: Path
) -> None:
    upload = tmp_path / "gull rock.md"
    upload.write_text(LIGHTHOUSE)
    page = new_page(fixture_server.url)
    open_library(page)
    page.evaluate(PROGRESS_RECORDER)

    add_files(page, upload)
    report = press_add(page)
    assert (chip(report, "added"), chip(report, "failed")) == (1, 0)
    assert LIGHTHOUSE_TITLE in report.inner_text()
    progress = page.evaluate("window.__progress")
    assert any("Adding articles" in text for text in progress), progress

    titles = table_titles(page)
    assert LIGHTHOUSE_TITLE in titles
    row = titles.index(LIGHTHOUSE_TITLE)
    assert (cell(page, row, 1), cell(page, row, 2)) == ("Coastal Courier", "2024-05-02")
    assert "6 articles from 6 outlets" in page.locator("#library-summary").inner_text()
    assert page.locator("#upload >> text=gull").count() == 0, "the upload box is cleared"
    screenshot(page, "library.png")

    add_files(page, upload)
    again = press_add(page)
    assert (chip(again, "added"), chip(again, "unchanged")) == (0, 1)

    open_tab(page, "Chat")
    bubble = ask(page, "How much did the Gull Rock lighthouse restoration cost?")
    assert "1.2 million pounds" in bubble.locator(".answer").inner_text()
    assert LIGHTHOUSE_TITLE in source_titles(page)


def test_unsupported_oversized_and_local_inputs_are_refused(
    fixture_server: Any, new_page, tmp_path: Path
) -> None:
    page = new_page(fixture_server.url)
    open_library(page)
    before = table_titles(page)

    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.4 not an article")
    add_files(page, pdf)
    report = press_add(page)
    assert (chip(report, "added"), chip(report, "failed")) == (0, 1)
    text = report.inner_text()
    assert "report.pdf: unsupported file type .pdf; supported:" in text
    assert ".jsonl" in text and ".txt" in text

    page.locator("#urls textarea").fill("file:///etc/passwd\n/etc/hosts")
    report = press_add(page)
    assert chip(report, "failed") == 2
    assert report.inner_text().count("only http:// and https:// URLs can be added") == 2

    big = tmp_path / "big.txt"
    big.write_text("Headline\n\n" + "word " * 60_000)  # 300 kB; this server allows 200 kB
    page.locator("#upload input[type=file]").set_input_files([str(big)])
    page.wait_for_selector(".toast-body >> text=exceed the maximum allowed size")
    assert table_titles(page) == before


def test_table_sorts_searches_and_deletes(fixture_server: Any, new_page) -> None:
    page = new_page(fixture_server.url)
    open_library(page)

    header = page.locator("#library-table thead th[title='Published']").first
    header.hover()
    header.locator("button.cell-menu-button").click()
    page.get_by_text("Sort ascending").first.click()
    page.wait_for_function(
        "t => document.querySelector(\"#library-table [role=gridcell][data-col='0']\")"
        ".innerText.trim() === t",
        arg=WHEAT_TITLE,
    )
    days = [cell(page, r, 2) for r in range(len(table_titles(page)))]
    dated = [d for d in days if d]
    assert dated == sorted(dated)

    page.locator("#library-table input.search-input").fill("wheat")
    page.wait_for_function(
        "() => document.querySelectorAll(\"#library-table [role=gridcell][data-col='0']\")"
        ".length === 1"
    )
    page.locator("#library-table [role=gridcell][data-col='0']").first.click()
    page.wait_for_selector("#selection >> text=Selected: " + WHEAT_TITLE)
    page.locator("#delete").click()
    page.wait_for_selector("#selection >> text=Deleted")
    page.locator("#library-table input.search-input").fill("")
    page.wait_for_function(
        "() => document.querySelector(\"#library-table [data-testid='cell-0-0']\") !== null"
    )
    assert WHEAT_TITLE not in table_titles(page)
    assert not page.locator("#delete").is_enabled()

    open_tab(page, "Chat")
    page.locator("#filters").get_by_text("Filters: outlets and dates").click()
    page.locator("#filter-outlets input").click()
    assert page.get_by_role("option", name="Farm Weekly").count() == 0
    page.keyboard.press("Escape")
    bubble = ask(page, "How big was the wheat harvest in Kansas?")
    assert bubble.locator(".decline").count() == 1

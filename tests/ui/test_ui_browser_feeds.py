"""The Library tab's "Watched feeds" in a real Chromium, against `newsqa chat --watch`:
a feed added in the page is polled by the server's own watcher, its status shows, it
can be removed; SIGTERM then stops the server with the store consistent."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, free_port
from tests.ingest.ingest_helpers import WebServer, long_paragraphs
from tests.ui.ui_helpers import open_chat, open_tab, screenshot, server_env, start_server

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]


def feed() -> str:
    items = "".join(
        f"<item><title>{topic.title()} update</title><link>https://news.example/{n}</link>"
        f"<description>{escape(chr(10).join(long_paragraphs(4, topic)))}</description></item>"
        for n, topic in enumerate(["the harbour bridge", "the school holidays"])
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coast</title>{items}</channel></rss>'


def feed_status(home: Path) -> dict[str, Any]:
    path = home / "feeds.json"
    feeds = json.loads(path.read_text())["feeds"] if path.exists() else []
    return feeds[0] if feeds else {}


def wait_cell(page: Any, col: int, text: str) -> None:
    """Wait until the first row of the feeds table shows ``text`` in column ``col``."""
    page.wait_for_function(
        """([col, text]) => [...document.querySelectorAll(
              `#feeds-table [data-testid='cell-0-${col}']`)]
            .some(e => e.innerText.trim() === text)""",
        arg=[col, text],
    )


def test_watch_a_feed_from_the_library_tab(
    web: WebServer, new_page: Callable[..., Any], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    url = web.add("/coast.xml", feed(), content_type="application/rss+xml", etag='"v1"')
    port = free_port()
    args = [sys.executable, "-m", "ui.cli", "chat", "--watch", "--port", str(port)]
    env = server_env(home, NEWSQA_LLM="extractive", NEWSQA_ALLOW_PRIVATE_URLS="1")
    server = start_server(args, home, tmp_path / "server.log", env=env)
    try:
        page = new_page(server.url)
        open_chat(page)
        open_tab(page, "Library")
        page.wait_for_selector("#feeds-status >> text=This server polls these feeds")

        page.locator("#feed-url textarea, #feed-url input").first.fill(url)
        page.locator("#feed-add").click()
        page.wait_for_selector(f"#feeds-notice .notice.ok >> text=Added: {url}")
        wait_cell(page, 0, url)

        deadline = time.monotonic() + 60
        while feed_status(home).get("last_success") is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert feed_status(home)["added"] == 2, server.output()

        page.reload()
        open_chat(page)
        open_tab(page, "Library")
        page.wait_for_selector("#library-table >> text=The Harbour Bridge Update")
        wait_cell(page, 2, "ok")
        wait_cell(page, 5, "2")
        screenshot(page, "library-watched-feeds.png")

        page.locator("#feed-choice input").click()
        page.get_by_role("option", name=url).click()
        page.locator("#feed-remove").click()
        page.wait_for_selector("#feeds-notice .notice.ok >> text=No longer watching")
        assert feed_status(home) == {}
        assert page.locator("#library-table >> text=The Harbour Bridge Update").count() == 1
    finally:
        server.stop()
    assert server.proc.returncode == 0, server.output()
    check = subprocess.run(
        [sys.executable, "-m", "ui.cli", "check"],
        capture_output=True,
        text=True,
        env=server_env(home),
        cwd=ROOT,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr

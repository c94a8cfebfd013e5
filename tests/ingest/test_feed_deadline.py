"""A feed's page fetches share one deadline (``NEWSQA_FEED_DEADLINE``): a feed of many
teasers whose pages answer slowly cannot hold an ingest (and its writer lock) for
entries / workers * timeout."""

from __future__ import annotations

import time

import pytest
from ingest_helpers import PARAGRAPHS, WebServer, load, page
from test_loaders_feed import item, rss

from ingest.article import Article
from ingest.fetch import FetchPolicy
from ingest.loaders.base import LoadError
from ingest.loaders.feed import _FETCH_WORKERS
from ingest.sources import SourceOptions, page_fetcher
from newsqa.settings import Settings, SettingsError

DEADLINE_PASSED = (
    "summary only: fetching the full text failed: "
    "the feed's fetch deadline passed (3 s, NEWSQA_FEED_DEADLINE)"
)


def _slow_feed(web: WebServer, entries: int, delay: float) -> str:
    """A feed of ``entries`` teasers whose pages each take ``delay`` s to answer."""
    items = []
    for n in range(entries):
        link = web.add(f"/story/{n}", page(canonical=None), delay=delay)
        items.append(item(f"Story {n}", link, summary=f"Teaser number {n}."))
    return web.add("/feed.xml", rss(items), content_type="application/rss+xml")


def test_a_slow_feed_stops_fetching_pages_at_its_deadline(web: WebServer) -> None:
    """Before: 40 entries at 1 s each, 4 at a time, took 10 s (1,000 of them 250 s, and
    with a 20 s timeout per page, up to 5,000 s)."""
    feed = _slow_feed(web, entries=40, delay=1.0)
    options = SourceOptions(fetch=FetchPolicy(timeout=5.0, allow_private=True), feed_deadline=3.0)
    started = time.monotonic()
    loaded = load([feed], options)
    elapsed = time.monotonic() - started
    assert elapsed < 6.0, f"the feed took {elapsed:.1f} s"
    assert loaded.failures == []
    articles = sorted(loaded.articles, key=lambda a: int(a.title.split()[-1]))
    assert [a.title for a in articles] == [f"Story {n}" for n in range(40)]  # none lost
    full = [a for a in articles if a.body == "\n".join(PARAGRAPHS)]
    cut = [a for a in articles if a.extra.get("warning") == DEADLINE_PASSED]
    # the first rounds were fetched, every later entry kept its summary with the warning
    assert len(full) >= _FETCH_WORKERS
    assert len(full) + len(cut) == 40 and len(cut) >= 40 - 4 * _FETCH_WORKERS
    assert all(a.body.startswith("Teaser number") for a in cut)
    assert full == articles[: len(full)]
    # entries after the deadline were not even requested
    requested = sum(web.hits[f"/story/{n}"] for n in range(40))
    assert requested <= len(full) + _FETCH_WORKERS


def test_each_page_fetch_gets_only_the_time_left(web: WebServer) -> None:
    """A page fetch started just before the deadline does not run its full timeout."""
    url = web.add("/very-slow", page(canonical=None), delay=10.0)
    fast = web.add("/fast", page(canonical=None))
    options = SourceOptions(fetch=FetchPolicy(timeout=20.0, allow_private=True), feed_deadline=1.5)
    fetch_page = page_fetcher(options)
    assert isinstance(fetch_page(fast), Article)  # starts the feed's clock
    started = time.monotonic()
    with pytest.raises(LoadError, match=r"^the feed's fetch deadline passed \(1.5 s"):
        fetch_page(url)
    assert time.monotonic() - started < 2.5
    started = time.monotonic()
    with pytest.raises(LoadError, match="the feed's fetch deadline passed"):
        fetch_page(fast)  # past the deadline: not requested at all
    assert time.monotonic() - started < 0.1
    assert web.hits["/fast"] == 1


def test_a_page_failing_on_its_own_keeps_its_own_reason(web: WebServer) -> None:
    fetch_page = page_fetcher(
        SourceOptions(fetch=FetchPolicy(timeout=5.0, allow_private=True), feed_deadline=60.0)
    )
    with pytest.raises(LoadError, match=r"^HTTP 404"):
        fetch_page(web.url("/missing"))


def test_the_feed_deadline_is_a_setting() -> None:
    assert Settings().feed_deadline == 120.0
    assert Settings.from_env({"NEWSQA_FEED_DEADLINE": "7.5"}).feed_deadline == 7.5
    for bad in ("0", "-1", "nan"):
        with pytest.raises(SettingsError, match="NEWSQA_FEED_DEADLINE"):
            Settings.from_env({"NEWSQA_FEED_DEADLINE": bad})
    with pytest.raises(SettingsError, match="NEWSQA_FEED_DEADLINE"):
        Settings.from_env({"NEWSQA_FEED_DEADLINE": "soon"})

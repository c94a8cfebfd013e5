"""Watched feeds over real HTTP on loopback: conditional GET, changes, backoff, the
concurrency bound and a clean stop. The store is a real embedded Chroma store."""

from __future__ import annotations

import random
from html import escape
from pathlib import Path
from typing import Any

import pytest

import ingest.watch as watch_module
from ingest.article import canonical_url
from ingest.feedlist import FeedList
from ingest.fetch import FetchPolicy
from ingest.sources import SourceOptions
from ingest.watch import Watcher, WatchPolicy
from tests.ingest.ingest_helpers import WebServer, long_paragraphs
from ui.feeds import feed_lines, feed_rows
from vectorstore.store import Store

EVERY = 900.0
MODIFIED = "Tue, 05 Mar 2024 08:30:00 GMT"


def entry(slug: str, topic: str, edit: str = "") -> tuple[str, str, str]:
    """(link, title, body): a full-text entry (no page fetch) about ``topic``."""
    body = "\n".join(long_paragraphs(4, topic)) + edit
    return f"https://news.example/{slug}", f"News about {topic}", body


def rss(entries: list[tuple[str, str, str]], ttl: int | None = None) -> str:
    items = "".join(
        f"<item><title>{escape(t)}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{MODIFIED}</pubDate><description>{escape(b)}</description></item>"
        for link, t, b in entries
    )
    extra = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>'
        f"<link>https://news.example/</link>{extra}{items}</channel></rss>"
    )


def serve_feed(web: WebServer, path: str, body: str, version: str, **kw: Any) -> str:
    return web.add(path, body, content_type="application/rss+xml", etag=f'"{version}"', **kw)


def make_watcher(
    store: Store, tmp_path: Path, urls: list[str], concurrency: int = 4
) -> tuple[FeedList, Watcher]:
    feeds = FeedList(tmp_path / "feeds.json")
    feeds.add(urls, every=EVERY, now=0.0)
    options = SourceOptions(
        fetch=FetchPolicy(timeout=10.0, max_bytes=1_000_000, allow_private=True)
    )
    watcher = Watcher(
        store, feeds, options, policy=WatchPolicy(concurrency=concurrency), rng=random.Random(7)
    )
    return feeds, watcher


def test_an_unchanged_feed_costs_a_304_and_no_parse(
    web: WebServer, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = rss([entry("a", "the harbour bridge"), entry("b", "the city budget")])
    url = serve_feed(web, "/feed.xml", body, "v1", last_modified=MODIFIED)
    feeds, watcher = make_watcher(store, tmp_path, [url])

    first = watcher.poll_due(now=1000.0)
    assert [r.outcome for r in first] == ["ingested"]
    assert first[0].report is not None and len(first[0].report.added) == 2
    state = feeds.get(url)
    assert state is not None
    assert (state.etag, state.last_modified, state.next_at) == ('"v1"', MODIFIED, 1000.0 + EVERY)
    assert "If-None-Match" not in web.requests[-1][1]

    calls = {"parse": 0, "ingest": 0}

    def counted(name: str, real: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(watch_module, "load_feed", counted("parse", watch_module.load_feed))
    monkeypatch.setattr(watch_module, "ingest", counted("ingest", watch_module.ingest))
    assert watcher.poll_due(now=1000.0 + EVERY - 1) == []  # not due yet: no request
    assert web.hits["/feed.xml"] == 1

    second = watcher.poll_due(now=1000.0 + EVERY)
    assert [r.outcome for r in second] == ["not-modified"]
    headers = web.requests[-1][1]
    assert headers["If-None-Match"] == '"v1"' and headers["If-Modified-Since"] == MODIFIED
    assert calls == {"parse": 0, "ingest": 0}
    state = feeds.get(url)
    assert state is not None and state.last_result == "not modified"
    assert state.next_at == 1000.0 + 2 * EVERY and state.added == 2 and state.failures == 0
    assert store.stats()["articles"] == 2


def test_a_feed_ttl_longer_than_the_interval_is_honoured(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    url = serve_feed(web, "/ttl.xml", rss([entry("t", "tides")], ttl=60), "v1")
    feeds, watcher = make_watcher(store, tmp_path, [url])
    watcher.poll_due(now=0.0)
    state = feeds.get(url)
    assert state is not None and state.ttl == 3600.0 and state.next_at == 3600.0


def test_new_entries_are_added_edited_ones_updated_and_deleted_ones_kept(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    a, b = entry("a", "the harbour bridge"), entry("b", "the city budget")
    url = serve_feed(web, "/feed.xml", rss([a, b]), "v1")
    feeds, watcher = make_watcher(store, tmp_path, [url])
    first = watcher.poll_due(now=0.0)[0].report
    assert first is not None
    a_id, b_id = first.added

    edited = entry("a", "the harbour bridge", edit=" Officials corrected the cost on Wednesday.")
    c = entry("c", "the school holidays")
    serve_feed(web, "/feed.xml", rss([edited, b, c]), "v2")
    result = watcher.poll_due(now=EVERY)[0]
    report = result.report
    assert result.outcome == "ingested" and report is not None
    assert report.updated == [a_id] and len(report.added) == 1
    assert len(report.inputs) == 2  # the unchanged entry never reached the ingest
    assert web.requests[-1][1]["If-None-Match"] == '"v1"'

    current = store.stored_articles([a_id])[0]
    assert current.body.endswith("corrected the cost on Wednesday.")
    assert current.provenance == canonical_url(url)
    kept = store.history(a_id)
    assert len(kept) == 1 and kept[0].body == a[2]

    serve_feed(web, "/feed.xml", rss([edited, c]), "v3")  # b deleted upstream
    gone = watcher.poll_due(now=2 * EVERY)[0]
    assert gone.report is not None and gone.report.inputs == []  # nothing changed: no ingest
    assert store.record(b_id) is not None
    state = feeds.get(url)
    assert state is not None and (state.added, state.updated, state.last_added) == (3, 1, 0)
    assert set(state.entries) == {a_id, report.added[0]}


def test_a_failing_feed_backs_off_shows_the_error_then_recovers(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    url = web.add("/flaky.xml", "down for maintenance", status=503, content_type="text/plain")
    feeds, watcher = make_watcher(store, tmp_path, [url])
    now, delays = 0.0, []
    for _ in range(3):
        result = watcher.poll_due(now=now)[0]
        assert result.outcome == "failed" and "HTTP 503" in result.message
        state = feeds.get(url)
        assert state is not None
        delays.append(state.next_at - now)
        now = state.next_at
    assert 30 <= delays[0] <= 60 and 60 <= delays[1] <= 120 and 120 <= delays[2] <= 240
    assert delays == sorted(delays)
    assert state.failures == 3 and state.status == "error"
    assert state.last_error and "HTTP 503" in state.last_error
    lines = "\n".join(feed_lines([state], now=now))
    assert "error" in lines and "last error" in lines and "HTTP 503" in lines
    assert feed_rows([state], now=now)[0][2] == "error (3 in a row)"

    web.add("/flaky.xml", "slow down", status=429, headers={"Retry-After": "3600"})
    result = watcher.poll_due(now=now)[0]
    state = feeds.get(url)
    assert state is not None and state.next_at - now >= 3600 and "Retry-After" in result.message
    now = state.next_at

    serve_feed(web, "/flaky.xml", rss([entry("r", "the recovery")]), "v1")
    result = watcher.poll_due(now=now)[0]
    state = feeds.get(url)
    assert result.outcome == "ingested" and state is not None
    assert state.failures == 0 and state.status == "ok" and state.last_success
    assert state.next_at == now + EVERY and state.added == 1
    assert feed_rows([state], now=now)[0][2] == "ok"


def test_fifty_feeds_are_polled_concurrently_within_the_bound(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    urls = [
        serve_feed(web, f"/f{i}.xml", rss([entry(f"s{i}", f"topic number {i}")]), "v1", delay=0.2)
        for i in range(50)
    ]
    feeds, watcher = make_watcher(store, tmp_path, urls, concurrency=4)
    results = watcher.poll_due(now=0.0)
    assert sorted(r.outcome for r in results) == ["ingested"] * 50
    assert 2 <= web.max_active <= 4
    assert store.stats()["articles"] == 50

    web.max_active = 0
    again = watcher.poll_due(now=EVERY)
    assert sorted(r.outcome for r in again) == ["not-modified"] * 50
    assert 2 <= web.max_active <= 4
    assert all(f.next_at == 2 * EVERY for f in feeds.feeds())


def test_a_stop_before_the_ingest_stores_nothing_and_the_next_poll_does_it_all(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    url = serve_feed(
        web, "/feed.xml", rss([entry("a", "the bridge"), entry("b", "the budget")]), "v1"
    )
    feeds, watcher = make_watcher(store, tmp_path, [url])
    watcher.on_ingest = lambda _url, _n: watcher.stop()
    result = watcher.poll(feeds.feeds()[0], now=0.0)
    assert result.outcome == "stopped" and "stopped after 0 of 2" in result.message
    state = feeds.get(url)
    assert state is not None and state.etag is None and state.next_at == 0.0  # due again
    assert store.stats()["articles"] == 0

    _, fresh = make_watcher(store, tmp_path, [url])
    assert fresh.poll_due(now=1.0)[0].outcome == "ingested"
    assert store.stats()["articles"] == 2


def test_a_removed_feed_is_not_polled(web: WebServer, store: Store, tmp_path: Path) -> None:
    url = serve_feed(web, "/feed.xml", rss([entry("a", "the bridge")]), "v1")
    feeds, watcher = make_watcher(store, tmp_path, [url])
    assert feeds.remove([url]) == [url]
    assert watcher.poll_due(now=0.0) == [] and web.hits["/feed.xml"] == 0


def test_a_page_that_is_not_a_feed_is_an_error(
    web: WebServer, store: Store, tmp_path: Path
) -> None:
    url = web.add("/page.html", "<html><body><p>Hello</p></body></html>")
    _, watcher = make_watcher(store, tmp_path, [url])
    result = watcher.poll_due(now=0.0)[0]
    assert result.outcome == "failed" and "is not a feed" in result.message

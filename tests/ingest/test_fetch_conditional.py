"""Conditional fetches: validators sent back, a 304 reported with no body, error statuses
carrying Retry-After; the deadline still bounds a conditional fetch."""

from __future__ import annotations

import time

import pytest

from ingest.fetch import FetchPolicy, HTTPStatusError, fetch
from ingest.loaders.base import LoadError
from tests.ingest.ingest_helpers import WebServer

POLICY = FetchPolicy(timeout=5.0, max_bytes=100_000, allow_private=True)
MODIFIED = "Tue, 05 Mar 2024 08:30:00 GMT"


def test_validators_come_back_and_an_unchanged_resource_is_a_304(web: WebServer) -> None:
    url = web.add("/feed.xml", "<rss/>", etag='"abc"', last_modified=MODIFIED)
    first = fetch(url, POLICY)
    assert (first.status, first.etag, first.last_modified) == (200, '"abc"', MODIFIED)
    assert not first.not_modified and first.data == b"<rss/>"

    again = fetch(url, POLICY, etag=first.etag, last_modified=first.last_modified)
    assert again.not_modified and again.data == b"" and again.etag == '"abc"'
    headers = web.requests[-1][1]
    assert headers["If-None-Match"] == '"abc"' and headers["If-Modified-Since"] == MODIFIED

    web.add("/feed.xml", "<rss>new</rss>", etag='"def"')
    changed = fetch(url, POLICY, etag='"abc"')
    assert changed.status == 200 and changed.data == b"<rss>new</rss>" and changed.etag == '"def"'


def test_a_304_after_a_redirect_is_still_not_modified(web: WebServer) -> None:
    target = web.add("/new.xml", "<rss/>", etag='"v1"')
    url = web.redirect("/old.xml", target, status=301)
    got = fetch(url, POLICY, etag='"v1"')
    assert got.not_modified and got.url == target


def test_validators_that_cannot_be_sent_are_left_out(web: WebServer) -> None:
    url = web.add("/feed.xml", "<rss/>", etag='"abc"')
    got = fetch(url, POLICY, etag='"abc"\r\nX-Injected: 1')
    assert got.status == 200 and "X-Injected" not in web.requests[-1][1]


def test_an_error_status_carries_retry_after(web: WebServer) -> None:
    url = web.add("/busy.xml", "slow down", status=429, headers={"Retry-After": "120"})
    with pytest.raises(HTTPStatusError) as caught:
        fetch(url, POLICY)
    assert caught.value.status == 429 and caught.value.retry_after == "120"
    assert str(caught.value).startswith("HTTP 429")
    assert isinstance(caught.value, LoadError)


def test_a_conditional_fetch_keeps_the_deadline(web: WebServer) -> None:
    url = web.add("/slow.xml", "<rss/>", etag='"v1"', delay=5.0)
    started = time.monotonic()
    with pytest.raises(LoadError, match="timed out"):
        fetch(url, FetchPolicy(timeout=0.5, allow_private=True), etag='"v1"')
    assert time.monotonic() - started < 2.0

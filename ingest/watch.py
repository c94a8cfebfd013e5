"""Watched feeds kept current: each polled on its own schedule, cheaply and politely.

A poll is a conditional GET (the ETag and Last-Modified of the last fetch sent back):
a 304 costs no parse and no ingest. A changed feed is parsed; entries unchanged since
the last poll that stored them (by entry id, the GUID or link, and a hash of the entry)
are skipped before their pages are fetched, and the rest go through :func:`ingest`,
which takes the store's writer lock and applies the overwrite policy: an entry edited
upstream replaces its article (same provenance: the feed's URL) and the previous
version is kept. Entries gone from the feed are not deleted from the store.

After a success the next poll is the feed's interval later (longer if the feed's
``ttl`` asks); after an error it backs off exponentially with jitter, at least as long
as a ``Retry-After`` asks. At most ``concurrency`` requests (feeds and their entries'
pages together) run at once. :meth:`Watcher.stop` ends the watch cleanly: fetches and
parses in progress are dropped, an ingest in progress stops taking entries and writes
what it has (no article is ever half-written), and the feed is polled again next time.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace

from ingest.article import Article
from ingest.chunking import DEFAULT_CHUNK_CHARS
from ingest.feedlist import FeedList, FeedState, now_iso
from ingest.fetch import Fetched, HTTPStatusError, fetch
from ingest.loaders.base import Loaded, LoadError
from ingest.loaders.feed import PageLoader, load_feed
from ingest.loaders.records import load_json
from ingest.pipeline import ArticleStore, IngestReport, ingest
from ingest.schedule import backoff_delay, feed_ttl, retry_after_seconds, success_delay
from ingest.sources import SourceOptions, kind_of, page_fetcher

# An entry whose outcome was one of these, with no warning, is remembered as stored.
_STORED = ("added", "updated", "unchanged", "duplicate")
_MAX_MESSAGE = 300


@dataclass(frozen=True)
class WatchPolicy:
    """How the watcher works: requests at once, its tick, how long it waits for the
    store's writer lock (another ingest) before counting the poll as failed."""

    concurrency: int = 4
    tick: float = 1.0
    lock_wait: float = 600.0


@dataclass(frozen=True)
class PollResult:
    """What one poll did: ``outcome`` is ``not-modified``, ``ingested``, ``failed``,
    ``stopped`` or ``removed``; ``next_in`` seconds until the feed's next poll."""

    url: str
    outcome: str
    message: str
    next_in: float = 0.0
    report: IngestReport | None = None

    def line(self) -> str:
        """One log line, e.g. ``https://a.org/rss: added 2, ... (next poll in 15 min)``."""
        when = f"next poll in {_span(self.next_in)}" if self.outcome != "stopped" else ""
        return f"{self.url}: {self.message}" + (f" ({when})" if when else "")


class Watcher:
    """Polls the feeds of a :class:`FeedList` into a store (see the module docstring).

    Example:
        >>> watcher = Watcher(store, FeedList(path), source_options)   # doctest: +SKIP
        >>> [r.outcome for r in watcher.poll_due()]                    # doctest: +SKIP
        ['ingested', 'not-modified']
        >>> watcher.run()   # until watcher.stop() is called (a signal handler)  # doctest: +SKIP
    """

    def __init__(
        self,
        store: ArticleStore,
        feeds: FeedList,
        options: SourceOptions,
        chunk_chars: int = DEFAULT_CHUNK_CHARS,
        policy: WatchPolicy | None = None,
        *,
        on_result: Callable[[PollResult], None] | None = None,
        on_ingest: Callable[[str, int], None] | None = None,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.feeds = feeds
        self.options = options
        self.chunk_chars = chunk_chars
        self.policy = policy or WatchPolicy()
        self.on_result = on_result
        self.on_ingest = on_ingest  # (feed URL, entries) as an ingest starts
        self.rng = rng or random.Random()
        self.clock = clock
        self.stopping = threading.Event()
        # One slot per request in flight, feed or page: the concurrency bound.
        self._slots = threading.BoundedSemaphore(self.policy.concurrency)
        self._pool = ThreadPoolExecutor(self.policy.concurrency, "newsqa-watch")
        self._in_flight: set[str] = set()
        self._lock = threading.Lock()
        # This watcher's feeds are ingested one at a time (the store's writer lock would
        # serialise them anyway, logging a wait each time); fetching stays concurrent.
        self._ingesting = threading.Lock()

    # -- running ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the watch to end after the current ingest batch (safe from a signal
        handler or another thread)."""
        self.stopping.set()

    def run(self) -> None:
        """Poll feeds as they come due until :meth:`stop`; then wait for polls in
        progress to finish (an ingest writes what it took, then stops)."""
        try:
            while not self.stopping.is_set():
                self._submit_due(self.clock())
                self.stopping.wait(self.policy.tick)
        finally:
            self.close()

    def poll_due(self, now: float | None = None) -> list[PollResult]:
        """Poll every feed due at ``now`` (concurrently, bounded) and wait for them."""
        futures = self._submit_due(self.clock() if now is None else now)
        return [f.result() for f in futures]

    def close(self) -> None:
        """Wait for polls in progress; polls not started yet are dropped."""
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _submit_due(self, now: float) -> list[Future[PollResult]]:
        futures = []
        for feed in self.feeds.feeds():
            with self._lock:
                if feed.next_at > now or feed.key in self._in_flight:
                    continue
                self._in_flight.add(feed.key)
            try:
                futures.append(self._pool.submit(self._poll_and_report, feed, now))
            except RuntimeError:  # the pool was shut down: the watch is ending
                with self._lock:
                    self._in_flight.discard(feed.key)
                break
        return futures

    def _poll_and_report(self, feed: FeedState, now: float) -> PollResult:
        try:
            result = self.poll(feed, now)
        finally:
            with self._lock:
                self._in_flight.discard(feed.key)
        if self.on_result is not None:
            self.on_result(result)
        return result

    # -- one poll ----------------------------------------------------------------------------

    def poll(self, feed: FeedState, now: float) -> PollResult:
        """Poll one feed now: fetch it conditionally, ingest what changed, record the
        outcome in the feeds file. Never raises: an error is the poll's outcome."""
        try:
            return self._poll(feed, now)
        except Exception as exc:
            return self._failed(feed, now, exc)

    def _poll(self, feed: FeedState, now: float) -> PollResult:
        if self.stopping.is_set():
            return PollResult(feed.url, "stopped", "stopped before polling")
        with self._slots:
            got = fetch(
                feed.url, self.options.fetch, etag=feed.etag, last_modified=feed.last_modified
            )
        if got.not_modified:
            return self._not_modified(feed, now, got)
        kind = kind_of(got)
        if kind not in ("feed", "json"):
            raise LoadError(f"{got.url} is not a feed (it holds {kind or 'an unknown type'})")
        seen: dict[str, str] = {}

        def changed(entry: Article) -> bool:
            seen[entry.id] = entry.content_hash
            return feed.entries.get(entry.id) != entry.content_hash

        fetch_page = self._bounded(page_fetcher(self.options))
        if kind == "feed":
            loaded: Iterator[Loaded] = load_feed(
                got.data,
                got.url,
                fetch_page,
                self.options.max_feed_entries,
                base_url=got.url,
                keep=changed,
            )
        else:
            loaded = load_json(got.data, got.url, fetch_page, self.options.max_feed_entries)
        items: list[Loaded] = []
        try:
            for item in loaded:
                if self.stopping.is_set():
                    return PollResult(feed.url, "stopped", "stopped while reading the feed")
                items.append(_stamped(item, feed.key))
        finally:
            close = getattr(loaded, "close", None)  # a generator: let go of its page fetches
            if close is not None:
                close()
        given: list[Loaded] = []
        report = IngestReport()
        if items:  # (when every entry is unchanged there is nothing to ingest or lock)
            with self._ingesting:
                if self.on_ingest is not None:
                    self.on_ingest(feed.url, len(items))
                report = ingest(
                    [feed.url],
                    self.store,
                    self.options,
                    self.chunk_chars,
                    wait=self.policy.lock_wait,
                    loaded=self._until_stopped(items, given),
                )
        if len(given) < len(items):
            return self._stopped(feed, report, len(given), len(items))
        return self._ingested(feed, now, got, report, items, seen, feed_ttl(got.data))

    def _bounded(self, fetch_page: PageLoader) -> PageLoader:
        def bounded(url: str) -> Article:
            if self.stopping.is_set():
                raise LoadError("the watch is stopping")
            with self._slots:
                return fetch_page(url)

        return bounded

    def _until_stopped(self, items: list[Loaded], given: list[Loaded]) -> Iterator[Loaded]:
        for item in items:
            if self.stopping.is_set():
                return
            given.append(item)
            yield item

    # -- recording outcomes ---------------------------------------------------------------

    def _not_modified(self, feed: FeedState, now: float, got: Fetched) -> PollResult:
        def change(state: FeedState) -> None:
            state.etag = got.etag or state.etag
            state.last_modified = got.last_modified or state.last_modified
            _succeeded(state, now, "not modified")

        return self._record(feed, change, PollResult(feed.url, "not-modified", "not modified"))

    def _ingested(
        self,
        feed: FeedState,
        now: float,
        got: Fetched,
        report: IngestReport,
        items: list[Loaded],
        seen: dict[str, str],
        ttl: float | None,
    ) -> PollResult:
        stored = {r.origin for r in report.inputs if r.status in _STORED and not r.reason}
        entries = {i: h for i, h in seen.items() if feed.entries.get(i) == h}  # skipped
        entries.update(
            (a.id, seen[a.id])
            for a in items
            if isinstance(a, Article) and a.origin in stored and a.id in seen
        )
        message = _summary(report, len(items))

        def change(state: FeedState) -> None:
            state.etag, state.last_modified, state.ttl = got.etag, got.last_modified, ttl
            state.entries = entries
            state.added += len(report.added)
            state.updated += len(report.updated)
            state.last_added = len(report.added)
            _succeeded(state, now, message)

        return self._record(feed, change, PollResult(feed.url, "ingested", message, 0, report))

    def _stopped(self, feed: FeedState, report: IngestReport, given: int, total: int) -> PollResult:
        message = f"stopped after {given} of {total} entries ({_summary(report, given)})"

        def change(state: FeedState) -> None:  # validators kept: the rest comes next time
            state.added += len(report.added)
            state.updated += len(report.updated)
            state.last_added = len(report.added)
            state.last_result = message
            state.next_at = 0.0

        return self._record(feed, change, PollResult(feed.url, "stopped", message, 0, report))

    def _failed(self, feed: FeedState, now: float, exc: Exception) -> PollResult:
        message = (str(exc) or type(exc).__name__).splitlines()[0][:_MAX_MESSAGE]
        asked = retry_after_seconds(getattr(exc, "retry_after", None), now)
        if isinstance(exc, HTTPStatusError) and asked:
            message += f" (Retry-After: {_span(asked)})"

        def change(state: FeedState) -> None:
            state.failures += 1
            delay = max(backoff_delay(state.failures, self.rng, state.every), asked or 0.0)
            state.last_poll = state.last_error_at = now_iso(now)
            state.last_error = message
            state.last_result = f"error: {message}"
            state.next_at = now + delay

        return self._record(feed, change, PollResult(feed.url, "failed", f"error: {message}"))

    def _record(
        self, feed: FeedState, change: Callable[[FeedState], None], result: PollResult
    ) -> PollResult:
        state = self.feeds.update(feed.url, change)
        if state is None:
            return replace(result, outcome="removed", message="no longer watched")
        return replace(result, next_in=max(0.0, state.next_at - self.clock()))


def _succeeded(state: FeedState, now: float, message: str) -> None:
    state.last_poll = state.last_success = now_iso(now)
    state.failures = 0
    state.last_result = message
    state.next_at = now + success_delay(state.every, state.ttl)


def _stamped(item: Loaded, provenance: str) -> Loaded:
    """A feed's article marked with the feed as its input (the overwrite policy lets
    only the same feed replace it)."""
    if isinstance(item, Article) and not item.provenance:
        return replace(item, provenance=provenance)
    return item


def _summary(report: IngestReport, entries: int) -> str:
    parts = [f"{entries} changed entries" if entries != 1 else "1 changed entry"]
    parts += [f"added {len(report.added)}", f"updated {len(report.updated)}"]
    unchanged = len(report.unchanged) + len(report.duplicates)
    if unchanged:
        parts.append(f"unchanged {unchanged}")
    if report.failed:
        first = report.failed[0]
        parts.append(f"failed {len(report.failed)} (first: {first.reason[:120]})")
    return ", ".join(parts)


def _span(seconds: float) -> str:
    """``75`` -> ``1 min``, ``7200`` -> ``2 h``, ``30`` -> ``30 s``."""
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h".replace(".0 h", " h")
    return f"{seconds / 86400:.1f} d".replace(".0 d", " d")

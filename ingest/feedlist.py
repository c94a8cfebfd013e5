"""The watched feeds of a store and their status, as JSON in the data dir.

``HOME/feeds.json`` (``HOME/feeds-NAME.json`` for a store named ``NAME`` other than the
default) holds every watched feed: its URL and interval, the validators of its last
fetch (ETag, Last-Modified), when it is due, and its status (last success, last error,
errors in a row, articles added). ``newsqa feeds``, the Library tab and the watcher
all change it, possibly at once from several processes, so every change is a locked
read-modify-write (``flock`` on ``feeds.json.lock``) and every write is atomic (a
temporary file, fsynced, then ``os.replace``): a crash leaves the old list or the new
one, never half of one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingest.article import canonical_url
from ingest.schedule import DEFAULT_EVERY

DEFAULT_COLLECTION = "newsqa"
_VERSION = 1


class FeedListError(ValueError):
    """The feeds file cannot be read or a feed URL cannot be watched; says why."""


@dataclass
class FeedState:
    """One watched feed: what to poll, when, what the last polls did."""

    url: str
    every: float = DEFAULT_EVERY
    added_at: str = ""
    # Validators of the last full fetch, sent back so an unchanged feed costs a 304.
    etag: str | None = None
    last_modified: str | None = None
    ttl: float | None = None  # seconds, from the feed's <ttl>
    next_at: float = 0.0  # Unix time the feed is due
    last_poll: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    failures: int = 0  # errors in a row (backoff grows with them)
    last_result: str = ""
    added: int = 0  # articles added from this feed, all polls together
    updated: int = 0
    last_added: int = 0
    # Entry id -> hash of the entry as the feed had it at the last poll that stored it:
    # entries unchanged since are not fetched or ingested again.
    entries: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The feed's identity: its canonical URL (also its articles' provenance)."""
        return feed_key(self.url)

    @property
    def status(self) -> str:
        """``new`` (never polled), ``ok`` or ``error`` (the last poll failed)."""
        if self.failures:
            return "error"
        return "ok" if self.last_success else "new"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> FeedState:
        """Rebuild from :meth:`to_dict` output (unknown keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in raw.items() if k in known})


def feed_key(url: str) -> str:
    """The canonical form of a feed URL, by which feeds are told apart.

    >>> feed_key("HTTPS://News.example/feed.xml?utm_source=x")
    'https://news.example/feed.xml'
    """
    try:
        return canonical_url(url)
    except ValueError:
        return url.strip()


def check_feed_url(url: str) -> str:
    """``url`` stripped, or :class:`FeedListError` when it is not an http(s) URL.

    >>> check_feed_url(" https://a.org/rss ")
    'https://a.org/rss'
    >>> check_feed_url("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    ingest.feedlist.FeedListError: only http:// and https:// feeds can be watched: file:///etc/passwd
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = urlsplit("")
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise FeedListError(f"only http:// and https:// feeds can be watched: {text}")
    return text


def feeds_file(home: Path, collection: str = DEFAULT_COLLECTION) -> Path:
    """Where a store's watched feeds are kept.

    >>> feeds_file(Path("/d")), feeds_file(Path("/d"), "eval")
    (PosixPath('/d/feeds.json'), PosixPath('/d/feeds-eval.json'))
    """
    name = "feeds.json" if collection == DEFAULT_COLLECTION else f"feeds-{collection}.json"
    return home / name


def watch_lock_file(home: Path, collection: str = DEFAULT_COLLECTION) -> Path:
    """The lock a store's one feed watcher holds while it runs (it records who).

    >>> watch_lock_file(Path("/d")), watch_lock_file(Path("/d"), "eval")
    (PosixPath('/d/watch.lock'), PosixPath('/d/watch-eval.lock'))
    """
    name = "watch.lock" if collection == DEFAULT_COLLECTION else f"watch-{collection}.lock"
    return home / name


def now_iso(moment: float) -> str:
    """Unix time as ISO 8601 UTC, to the second."""
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


class FeedList:
    """The feeds file of one store (see the module docstring).

    Example:
        >>> import tempfile
        >>> feeds = FeedList(Path(tempfile.mkdtemp()) / "feeds.json")
        >>> feeds.add(["https://a.org/rss"], every=1800)
        [('https://a.org/rss', 'added')]
        >>> [(f.url, f.every, f.status) for f in feeds.feeds()]
        [('https://a.org/rss', 1800, 'new')]
        >>> feeds.remove(["https://A.org/rss"])
        ['https://a.org/rss']
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cache: tuple[tuple[int, int], list[FeedState]] | None = None

    # -- reading ------------------------------------------------------------------------

    def feeds(self) -> list[FeedState]:
        """Every watched feed, in the order added (re-read only when the file changed)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return []
        stamp = (info.st_mtime_ns, info.st_size)
        if self._cache is None or self._cache[0] != stamp:
            self._cache = (stamp, self._read())
        return [FeedState.from_dict(f.to_dict()) for f in self._cache[1]]

    def get(self, url: str) -> FeedState | None:
        """The feed with this URL (in any spelling of it), if watched."""
        key = feed_key(url)
        return next((f for f in self.feeds() if f.key == key), None)

    def _read(self) -> list[FeedState]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise FeedListError(f"cannot read the feeds file {self.path}: {exc}") from None
        items = raw.get("feeds", []) if isinstance(raw, dict) else []
        return [FeedState.from_dict(item) for item in items if isinstance(item, dict)]

    # -- changing -------------------------------------------------------------------------

    def add(
        self, urls: Iterable[str], every: float | None = None, now: float | None = None
    ) -> list[tuple[str, str]]:
        """Watch these feeds (``every`` seconds apart; default 15 minutes). Each URL is
        reported ``added``, ``updated`` (a new interval) or ``unchanged``."""
        checked = [check_feed_url(u) for u in urls]
        when = now_iso(now if now is not None else datetime.now(UTC).timestamp())
        out: list[tuple[str, str]] = []
        with self._transaction() as feeds:
            by_key = {f.key: f for f in feeds}
            for url in checked:
                known = by_key.get(feed_key(url))
                if known is None:
                    state = FeedState(url, every or DEFAULT_EVERY, added_at=when)
                    feeds.append(state)
                    by_key[state.key] = state
                    out.append((url, "added"))
                elif every is not None and known.every != every:
                    known.every = every
                    known.next_at = 0.0  # the new schedule starts now
                    out.append((known.url, "updated"))
                else:
                    out.append((known.url, "unchanged"))
        return out

    def remove(self, urls: Iterable[str]) -> list[str]:
        """Stop watching these feeds; returns the URLs removed. Their articles stay."""
        keys = {feed_key(u) for u in urls}
        with self._transaction() as feeds:
            removed = [f.url for f in feeds if f.key in keys]
            feeds[:] = [f for f in feeds if f.key not in keys]
        return removed

    def update(self, url: str, change: Callable[[FeedState], None]) -> FeedState | None:
        """Apply ``change`` to one feed's state and save it; ``None`` (and nothing
        saved) when the feed is no longer watched (removed meanwhile)."""
        key = feed_key(url)
        with self._transaction() as feeds:
            state = next((f for f in feeds if f.key == key), None)
            if state is not None:
                change(state)
            return state

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[list[FeedState]]:
        """The feeds, to change in place, written back atomically under the file lock."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            feeds = self._read()
            yield feeds
            self._write(feeds)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _write(self, feeds: list[FeedState]) -> None:
        payload = {"version": _VERSION, "feeds": [f.to_dict() for f in feeds]}
        handle, temp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(payload, stream, indent=1, ensure_ascii=False)
                stream.write("\n")
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with contextlib.suppress(OSError):  # the rename itself survives a power cut
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self._cache = None

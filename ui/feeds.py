"""Watched feeds in the Library tab: their status, and adding or removing one.

:func:`build_feeds_section` builds the small "Watched feeds" section inside an open
``gr.Blocks`` (the Library tab calls it); the helpers format the feeds list for it and
for ``newsqa feeds ls``, and tell whether a watcher is running for the store.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Literal

from ingest.feedlist import (
    FeedList,
    FeedListError,
    FeedState,
    feeds_file,
    watch_lock_file,
)
from ingest.schedule import DEFAULT_EVERY, format_every, parse_every
from newsqa.settings import Settings
from vectorstore.lock import Holder

FEED_COLUMNS = ["Feed", "Every", "Status", "Last success", "Last error", "Added", "Next poll"]
FEED_TYPES: list[Literal["str", "number"]] = ["str", "str", "str", "str", "str", "number", "str"]
EVERY_CHOICES = ["5m", "15m", "30m", "1h", "6h", "1d"]
REFRESH_SECONDS = 20.0


def feed_list(settings: Settings) -> FeedList:
    """The watched feeds of the store ``settings`` name."""
    return FeedList(feeds_file(settings.home, settings.collection))


def watcher(settings: Settings) -> Holder | None:
    """Who watches this store's feeds right now (``None``: nobody).

    Read from the watch lock without taking it: the holder it records, if that
    process is alive on this host.
    """
    path = watch_lock_file(settings.home, settings.collection)
    try:
        holder = Holder.from_meta(json.loads(path.read_text() or "{}"))
    except (OSError, ValueError):
        return None
    if not holder.pid:
        return None
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    return holder


def watcher_line(settings: Settings) -> str:
    """One sentence on whether the feeds are being polled, e.g. for the Library tab.

    >>> from pathlib import Path; import tempfile
    >>> watcher_line(Settings(home=Path(tempfile.mkdtemp())))
    'Nobody is polling these feeds now: run `newsqa watch` (or `newsqa chat --watch`).'
    """
    holder = watcher(settings)
    if holder is None:
        return "Nobody is polling these feeds now: run `newsqa watch` (or `newsqa chat --watch`)."
    if holder.pid == os.getpid():
        return "This server polls these feeds (newsqa chat --watch)."
    return f"Polled by {holder.describe().replace('a watch', 'newsqa watch', 1)}."


def ago(iso: str | None, now: float) -> str:
    """``2024-06-14T10:22:05+00:00`` -> ``2024-06-14 10:22 UTC (5 min ago)``; ``""``."""
    if not iso:
        return ""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return iso
    return f"{iso[:10]} {iso[11:16]} UTC ({_span(now - moment)} ago)"


def _span(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    if seconds < 129600:
        return f"{seconds / 3600:.0f} h"
    return f"{seconds / 86400:.0f} d"


def next_poll(feed: FeedState, now: float) -> str:
    """When the feed is polled next, e.g. ``in 14 min`` or ``due``."""
    left = feed.next_at - now
    return "due" if left <= 0 else f"in {_span(left)}"


def feed_rows(feeds: list[FeedState], now: float | None = None) -> list[list[Any]]:
    """Table rows: feed, interval, status, last success, last error, articles added,
    next poll.

    >>> row = feed_rows([FeedState("https://a.org/rss", 900.0, added=3)], now=0.0)[0]
    >>> row[:3], row[5:]
    (['https://a.org/rss', '15m', 'new'], [3, 'due'])
    """
    when = time.time() if now is None else now
    rows = []
    for f in feeds:
        error = f"{f.last_error} ({ago(f.last_error_at, when)})" if f.last_error else ""
        status = f.status + (f" ({f.failures} in a row)" if f.failures > 1 else "")
        rows.append(
            [
                f.url,
                format_every(f.every),
                status,
                ago(f.last_success, when),
                error,
                f.added,
                next_poll(f, when),
            ]
        )
    return rows


def feed_lines(feeds: list[FeedState], now: float | None = None) -> list[str]:
    """``newsqa feeds ls``: a few lines per feed."""
    when = time.time() if now is None else now
    lines: list[str] = []
    for f in feeds:
        lines.append(f"{f.url}  every {format_every(f.every)}  {f.status}  {next_poll(f, when)}")
        if f.last_success:
            lines.append(f"    last success {ago(f.last_success, when)}: {f.last_result}")
        if f.last_error:
            lines.append(f"    last error {ago(f.last_error_at, when)}: {f.last_error}")
        extra = f"; ttl {format_every(f.ttl)}" if f.ttl else ""
        lines.append(f"    articles added {f.added}, updated {f.updated}{extra}")
    return lines


def add_feeds(feeds: FeedList, text: str, every: str) -> tuple[str, str]:
    """Watch the feed URLs pasted in ``text`` every ``every`` (``15m``); returns the kind
    of notice (``ok``: added or changed, ``info``: already so, ``error``) and its text.

    >>> import tempfile; from pathlib import Path
    >>> feeds = FeedList(Path(tempfile.mkdtemp()) / "feeds.json")
    >>> add_feeds(feeds, "https://a.org/rss", "30m")
    ('ok', 'Added: https://a.org/rss (every 30m).')
    >>> add_feeds(feeds, "file:///etc/passwd", "30m")
    ('error', 'Nothing added: only http:// and https:// URLs can be added.')
    """
    from ui.library import parse_urls

    wanted, refused = parse_urls(text)
    if not wanted:
        return "error", f"Nothing added: {refused[0][1] if refused else 'paste a feed URL first'}."
    try:
        seconds = parse_every(every or format_every(DEFAULT_EVERY))
        done = feeds.add(wanted, seconds)
    except (FeedListError, ValueError) as exc:
        return "error", f"Nothing added: {exc}"
    said = "; ".join(f"{what.capitalize()}: {url}" for url, what in done)
    changed = any(what != "unchanged" for _, what in done)
    return "ok" if changed else "info", f"{said} (every {format_every(seconds)})."


def remove_feed(feeds: FeedList, url: str | None) -> tuple[str, str]:
    """Stop watching ``url``; returns the kind of notice (``ok``, ``error``) and its text."""
    if not url:
        return "error", "Choose a feed to remove."
    if feeds.remove([url]):
        return "ok", f"No longer watching {url}; its articles stay in the library."
    return "error", f"{url} was not watched."


# -- the Library tab's section ---------------------------------------------------------


@dataclass
class FeedsSection:
    """The section's components (for tests and for wiring more events to them)."""

    status: Any
    table: Any
    url: Any
    every: Any
    add: Any
    remove_choice: Any
    remove: Any
    notice: Any


def build_feeds_section(settings: Settings) -> FeedsSection:
    """Build the "Watched feeds" section inside the open ``gr.Blocks`` and wire it:
    the feeds with their status (shown on page load, refreshed every 20 s), a URL box and an
    interval to add one, a list to remove one. Whoever polls (``newsqa watch``, or
    ``newsqa chat --watch``) picks changes up within a second.

    Example:
        >>> with gr.Blocks() as app:                    # doctest: +SKIP
        ...     section = build_feeds_section(settings)
    """
    import gradio as gr

    from ui import render

    feeds = feed_list(settings)

    def urls() -> list[str]:
        with contextlib.suppress(FeedListError):
            return [f.url for f in feeds.feeds()]
        return []

    def rows() -> list[list[Any]]:
        try:
            return feed_rows(feeds.feeds())
        except FeedListError:
            return []

    def status() -> str:
        return render.notice_html(watcher_line(settings))

    def view() -> tuple[Any, ...]:
        return rows(), gr.Dropdown(choices=urls(), value=None), status()

    def refresh() -> tuple[Any, ...]:  # keeps the feed chosen for removal
        return rows(), gr.Dropdown(choices=urls()), status()

    def on_add(text: str, every: str) -> tuple[Any, ...]:
        kind, message = add_feeds(feeds, text, every)
        kept = gr.skip() if kind == "error" else ""  # the URL box keeps what failed
        return (render.notice_html(message, kind), *view(), kept)

    def on_remove(url: str | None) -> tuple[Any, ...]:
        kind, message = remove_feed(feeds, url)
        return (render.notice_html(message, kind), *view())

    timer = gr.Timer(REFRESH_SECONDS)
    gr.Markdown("### Watched feeds")
    status_box = gr.HTML(elem_id="feeds-status")
    table = gr.Dataframe(
        headers=FEED_COLUMNS,
        datatype=FEED_TYPES,
        value=[],
        interactive=False,
        wrap=True,
        max_height=260,
        elem_id="feeds-table",
    )
    with gr.Row():
        url = gr.Textbox(
            label="Feed URL (RSS, Atom or JSON Feed)",
            placeholder="https://example.com/feed.xml",
            elem_id="feed-url",
            scale=4,
        )
        every = gr.Dropdown(
            EVERY_CHOICES,
            value=format_every(DEFAULT_EVERY),
            label="Every",
            elem_id="feed-every",
            scale=1,
            min_width=90,
        )
        add = gr.Button("Watch", elem_id="feed-add", scale=1, min_width=90)
    with gr.Row():
        remove_choice = gr.Dropdown(
            choices=[], label="Watched feed", elem_id="feed-choice", scale=4
        )
        remove = gr.Button("Stop watching", elem_id="feed-remove", scale=1, min_width=90)
    notice = gr.HTML(elem_id="feeds-notice")
    shown = [table, remove_choice, status_box]
    gr.on(None, refresh, None, shown, queue=False)  # on page load
    timer.tick(refresh, None, shown, queue=False)
    add.click(
        on_add,
        [url, every],
        [notice, table, remove_choice, status_box, url],
        queue=False,
    )
    remove.click(
        on_remove, [remove_choice], [notice, table, remove_choice, status_box], queue=False
    )
    return FeedsSection(status_box, table, url, every, add, remove_choice, remove, notice)

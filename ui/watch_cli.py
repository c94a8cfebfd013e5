"""``newsqa watch``, ``newsqa feeds add|rm|ls`` and ``newsqa chat --watch``.

One watcher per store: it holds ``HOME/watch.lock`` (a ``flock``, released by the
kernel however the process ends) while it runs; a second one is refused, naming the
first. SIGTERM or Ctrl-C stops it after the current ingest batch (a second signal stops
it at once; the store is crash-safe either way).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from newsqa.settings import Settings

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
_EVERY_HELP = "how often to poll: 90s, 15m, 2h, 1d (default 15m)"


def add_parsers(sub: Any) -> None:
    """Add the ``watch`` and ``feeds`` commands to the ``newsqa`` parser's subcommands."""
    p = sub.add_parser("watch", help="keep feeds current: poll them until stopped")
    p.add_argument(
        "urls", nargs="*", metavar="FEED_URL", help="feeds to add to the watched list first"
    )
    p.add_argument("--every", help=f"for the feeds named here: {_EVERY_HELP}")
    p.add_argument(
        "--concurrency", type=int, help="requests at once (NEWSQA_WATCH_CONCURRENCY, default 4)"
    )
    p.add_argument("--once", action="store_true", help="poll the feeds that are due, then exit")
    p.add_argument(
        "--allow-private-urls",
        action="store_true",
        default=None,
        help="allow fetching from loopback/private addresses",
    )

    p = sub.add_parser("feeds", help="the watched feeds: add, rm, ls")
    actions = p.add_subparsers(dest="feeds_action", required=True, metavar="ACTION")
    a = actions.add_parser("add", help="watch feeds (newsqa watch polls them)")
    a.add_argument("urls", nargs="+", metavar="FEED_URL")
    a.add_argument("--every", help=_EVERY_HELP)
    r = actions.add_parser("rm", help="stop watching feeds (their articles stay)")
    r.add_argument("urls", nargs="+", metavar="FEED_URL")
    ls = actions.add_parser("ls", help="the watched feeds and their status")
    ls.add_argument("--json", action="store_true", help="print the feeds as JSON")


def _say(message: str) -> None:
    print(message, flush=True)


def _notice(message: str) -> None:
    print(f"newsqa: {message}", file=sys.stderr, flush=True)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def cmd_feeds(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa feeds add|rm|ls``"""
    import json

    from ingest.feedlist import FeedListError, feed_key
    from ingest.schedule import parse_every
    from ui.feeds import feed_lines, feed_list, watcher_line

    feeds = feed_list(settings)
    try:
        if args.feeds_action == "add":
            every = parse_every(args.every) if args.every else None
            for url, what in feeds.add(args.urls, every):
                _say(f"{what}: {url}")
            return EXIT_OK
        if args.feeds_action == "rm":
            removed = feeds.remove(args.urls)
            for url in removed:
                _say(f"removed: {url} (its articles stay)")
            gone = {feed_key(u) for u in removed}
            for url in args.urls:
                if feed_key(url) not in gone:
                    _notice(f"not watched: {url}")
            return EXIT_OK if removed else EXIT_FAIL
        listed = feeds.feeds()
    except (FeedListError, ValueError) as exc:
        _notice(str(exc))
        return EXIT_USAGE
    if args.json:
        out = [{k: v for k, v in f.to_dict().items() if k != "entries"} for f in listed]
        for row, f in zip(out, listed, strict=True):
            row["status"] = f.status
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return EXIT_OK
    if not listed:
        _say("no feeds are watched (newsqa feeds add URL)")
        return EXIT_OK
    print("\n".join(feed_lines(listed)))
    _say(watcher_line(settings))
    return EXIT_OK


def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    """``newsqa watch [FEED_URL...] [--every 15m] [--once]``"""
    from ingest.feedlist import FeedListError
    from ingest.schedule import parse_every
    from ui.feeds import feed_list

    if args.concurrency is not None:
        settings = settings.with_(watch_concurrency=args.concurrency)
    feeds = feed_list(settings)
    try:
        every = parse_every(args.every) if args.every else None
        if every is not None and not args.urls:
            raise ValueError("--every sets the interval of the feeds named with it: name some")
        for url, what in feeds.add(args.urls, every) if args.urls else []:
            _say(f"{what}: {url}")
        count = len(feeds.feeds())
    except (FeedListError, ValueError) as exc:
        _notice(str(exc))
        return EXIT_USAGE
    if not count:
        _notice("no feeds to watch: name some (newsqa watch URL...) or add them (newsqa feeds add)")
        return EXIT_USAGE
    with watch_lock(settings) as holder:
        if holder is not None:
            _notice(f"{holder.describe()} already watches the feeds of {settings.store_label}")
            return EXIT_FAIL
        watcher = make_watcher(
            settings,
            on_result=lambda r: _say(f"{_stamp()} {r.line()}"),
            on_ingest=lambda url, n: _say(f"{_stamp()} {url}: ingesting {n} changed entries"),
        )
        if args.once:
            results = watcher.poll_due()
            watcher.close()
            return EXIT_PARTIAL if any(r.outcome == "failed" for r in results) else EXIT_OK
        _say(
            f"watching {count} feed(s) into {settings.store_label}; "
            "Ctrl-C or SIGTERM stops after the current batch"
        )
        with stop_on_signals(watcher.stop):
            watcher.run()
        _say("stopped")
    return EXIT_OK


def make_watcher(
    settings: Settings,
    on_result: Callable[[Any], None] | None = None,
    on_ingest: Callable[[str, int], None] | None = None,
) -> Any:
    """A :class:`~ingest.watch.Watcher` over the store and feeds ``settings`` name."""
    from ingest.watch import Watcher, WatchPolicy
    from ui.cli import source_options
    from ui.feeds import feed_list
    from vectorstore.store import Store

    return Watcher(
        Store(settings),
        feed_list(settings),
        source_options(settings),
        settings.chunk_chars,
        WatchPolicy(concurrency=settings.watch_concurrency),
        on_result=on_result,
        on_ingest=on_ingest,
    )


@contextlib.contextmanager
def watch_lock(settings: Settings) -> Iterator[Any]:
    """Hold the store's watch lock; yields ``None`` when taken, else who holds it."""
    from ingest.feedlist import watch_lock_file
    from vectorstore.lock import FileLock, Holder

    lock = FileLock(watch_lock_file(settings.home, settings.collection))
    taken, holder = lock.try_acquire(Holder.me("watch"))
    if not taken:
        yield holder or Holder(None, "", 0.0, "watch")
        return
    try:
        yield None
    finally:
        lock.release()


@contextlib.contextmanager
def stop_on_signals(stop: Callable[[], None]) -> Iterator[None]:
    """SIGTERM and SIGINT call ``stop`` (finish the current batch, then exit); a second
    one ends the process at once. Main thread only."""
    seen = 0

    def handler(signum: int, frame: Any) -> None:
        nonlocal seen
        seen += 1
        name = signal.Signals(signum).name
        if seen > 1:
            _notice(f"{name} again: stopping at once")
            os._exit(128 + signum)
        _notice(f"{name}: stopping after the current batch (send it again to stop at once)")
        stop()

    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def chat_with_watcher(settings: Settings, serve: Callable[[Settings], int]) -> int:
    """``newsqa chat --watch``: serve the chat while a watcher thread polls the feeds.

    SIGTERM ends the server as Ctrl-C does; the watcher then finishes its batch.
    """
    with watch_lock(settings) as holder:
        if holder is not None:
            _notice(f"not polling feeds here: {holder.describe()} already does")
            return serve(settings)
        watcher = make_watcher(settings, on_result=lambda r: _notice(f"feed {r.line()}"))
        thread = threading.Thread(target=watcher.run, name="newsqa-watcher", daemon=True)
        thread.start()

        def interrupt(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        previous = signal.signal(signal.SIGTERM, interrupt)
        try:
            return serve(settings)
        finally:
            signal.signal(signal.SIGTERM, previous)
            watcher.stop()
            thread.join()

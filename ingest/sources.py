"""Expand what the user points at (files, folders, URLs, feeds) into loaded articles.

Everything is a generator: a folder of thousands of files or a large JSON Lines
corpus streams through one article at a time.
"""

from __future__ import annotations

import io
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote, urlsplit

from ingest.article import Article, canonical_url
from ingest.fetch import Fetched, FetchPolicy, fetch
from ingest.loaders.base import Failure, Loaded, LoadError, decode_text
from ingest.loaders.feed import PageLoader, load_feed
from ingest.loaders.html import html_to_article, load_html
from ingest.loaders.records import load_json, load_jsonl
from ingest.loaders.text import load_markdown, load_text

TEXT_TYPES = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown"}
FILE_TYPES = {
    **TEXT_TYPES,
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
}
# Repository documents that sit beside articles but are not news.
_NOT_ARTICLES = {"readme", "license", "licence", "changelog", "contributing", "notice"}
# A JSON array is parsed whole, so it gets a (generous) limit of its own.
_JSON_SIZE_FACTOR = 20
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")
# Schemes written without "//" ("javascript:alert(1)"): URLs, not file names.
_OPAQUE_SCHEMES = {"javascript", "vbscript", "data", "mailto", "about", "blob", "tel"}


_T = TypeVar("_T")


@dataclass(frozen=True)
class Skipped:
    """A file found in a folder walk that newsqa does not read, and why."""

    origin: str
    reason: str


@dataclass(frozen=True)
class SourceOptions:
    """Limits for reading sources (built from :class:`newsqa.Settings`).

    ``feed_deadline`` bounds the fetching of a feed's entry pages, all of them: past
    it the remaining entries keep their feed summary (see :func:`page_fetcher`).
    """

    fetch: FetchPolicy = field(default_factory=FetchPolicy)
    max_bytes: int = 10_000_000
    max_feed_entries: int = 1000
    feed_deadline: float = 120.0
    # Staged browser uploads: staged path -> the name the user gave. An upload's
    # identity comes from its content (two files both named ``report.txt`` are two
    # articles), its provenance is ``upload:NAME``.
    uploads: Mapping[str, str] = field(default_factory=dict)


def is_url(text: str) -> bool:
    """True for anything with a URL scheme (``http://``, ``ftp://``, ``file://``,
    ``javascript:`` ...)."""
    match = _SCHEME.match(text)
    if not match:
        return False
    return "://" in text or match.group(1).lower() in _OPAQUE_SCHEMES


def iter_sources(inputs: Iterable[str], options: SourceOptions) -> Iterator[Loaded | Skipped]:
    """Articles (or failures, or skipped files) for each path or URL, in order.

    ``file://`` URLs are read as paths; other URLs are fetched (only http and https
    are allowed: anything else fails with a reason).

    >>> from pathlib import Path; import tempfile
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "a.txt").write_text("Title\\nBody text.")
    >>> [a.title for a in iter_sources([str(d)], SourceOptions())]
    ['Title']
    """
    for item in inputs:
        if is_url(item) and not item.lower().startswith("file:"):
            yield from _stamped(_guard(item, partial(load_url, item, options)), _url_input(item))
        elif item.lower().startswith("file:"):
            path = Path(unquote(urlsplit(item).path))
            yield from _guard(item, partial(_walk, path, options))
        else:
            yield from _guard(item, partial(_walk_named, item, options))


def load_url(url: str, options: SourceOptions) -> Iterator[Loaded]:
    """Fetch ``url`` and load it as an article page, a feed, text or JSON records."""
    got = fetch(url, options.fetch)
    kind = _kind_of(got)
    if kind == "feed":
        yield from load_feed(
            got.data,
            got.url,
            page_fetcher(options),
            options.max_feed_entries,
            base_url=got.url,
        )
    elif kind == "html":
        yield from load_html(got.data, got.url, url=got.url)
    elif kind == "json":  # records, or a JSON Feed whose teasers get their pages fetched
        yield from load_json(got.data, got.url, page_fetcher(options), options.max_feed_entries)
    elif kind == "jsonl":
        yield from load_jsonl(io.BytesIO(got.data), got.url, options.max_bytes)
    elif kind == "text":
        yield from load_text(got.data, got.url, identity_url=got.url)
    elif kind == "markdown":
        yield from load_markdown(got.data, got.url, identity_url=got.url)
    else:
        raise LoadError(
            f"unsupported content type {got.content_type or 'unknown'!r} at {got.url}; "
            "expected an HTML page, an RSS/Atom feed, plain text or JSON"
        )


def fetch_article(url: str, options: SourceOptions) -> Article:
    """Fetch one web page and extract its article (used for feed entries)."""
    got = fetch(url, options.fetch)
    kind = _kind_of(got)
    if kind in ("text", "markdown"):
        loaded = next((load_text if kind == "text" else load_markdown)(got.data, got.url, got.url))
        if isinstance(loaded, Article):
            return loaded
        raise LoadError(loaded.reason)
    if kind not in ("html", ""):
        raise LoadError(f"the page is {got.content_type!r}, not an HTML article")
    return html_to_article(decode_text(got.data, got.url), got.url, url=got.url)


def page_fetcher(options: SourceOptions) -> PageLoader:
    """The page loader for one feed's entries: :func:`fetch_article` under one deadline.

    The feed's clock starts at its first page fetch and runs ``options.feed_deadline``
    seconds; each fetch gets ``min(fetch timeout, time left)`` and, once the time is
    up, fetching fails at once with "the feed's fetch deadline passed" (the entry then
    keeps its summary, with a warning). With ``W`` fetches at a time a feed of ``N``
    teasers takes at most ``min(ceil(N / W) * timeout, feed_deadline)`` plus a little.

    >>> fetch_page = page_fetcher(SourceOptions(feed_deadline=0.0))
    >>> fetch_page("http://example.com/story")
    Traceback (most recent call last):
    ...
    ingest.loaders.base.LoadError: the feed's fetch deadline passed (0 s, NEWSQA_FEED_DEADLINE)
    """
    lock = threading.Lock()
    deadline: float | None = None
    passed = f"the feed's fetch deadline passed ({options.feed_deadline:g} s, NEWSQA_FEED_DEADLINE)"

    def fetch_page(url: str) -> Article:
        nonlocal deadline
        with lock:
            if deadline is None:
                deadline = time.monotonic() + options.feed_deadline
            end = deadline
        left = end - time.monotonic()
        if left <= 0:
            raise LoadError(passed)
        if left >= options.fetch.timeout:
            return fetch_article(url, options)
        shortened = replace(options, fetch=replace(options.fetch, timeout=left))
        try:
            return fetch_article(url, shortened)
        except LoadError as exc:
            if time.monotonic() >= end and str(exc).startswith("timed out"):
                raise LoadError(passed) from None  # cut short by the feed's deadline
            raise

    return fetch_page


def kind_of(got: Fetched) -> str:
    """What a fetched resource holds: ``feed`` (RSS/Atom), ``html``, ``json``, ``jsonl``,
    ``text``, ``markdown``, else its content type.

    >>> kind_of(Fetched("https://a.org/f", "application/xml", b"<?xml version='1.0'?><rss>"))
    'feed'
    """
    return _kind_of(got)


def _kind_of(got: Fetched) -> str:
    ctype = got.content_type.split(";")[0].strip()
    head = got.data[:1024].lstrip().lower()
    if "rss" in ctype or "atom" in ctype or head.startswith((b"<rss", b"<feed", b"<rdf")):
        return "feed"
    is_xml = ctype in ("application/xml", "text/xml") or head.startswith(b"<?xml")
    if is_xml and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head):
        return "feed"
    if "html" in ctype or head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if "ndjson" in ctype or "jsonl" in ctype or "json-seq" in ctype:
        return "jsonl"
    if "json" in ctype:
        return "json"
    if ctype == "text/markdown":
        return "markdown"
    if ctype == "text/plain" or (not ctype and head and b"\x00" not in head):
        return "text"
    return ctype


def _walk_named(name: str, options: SourceOptions) -> Iterator[Loaded | Skipped]:
    return _walk(Path(name).expanduser(), options)


def _walk(path: Path, options: SourceOptions) -> Iterator[Loaded | Skipped]:
    if path.is_dir():
        found = False
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                file = Path(folder) / name
                if name.startswith(".") or file.stem.lower() in _NOT_ARTICLES:
                    continue
                found = True
                if file.suffix.lower() not in FILE_TYPES:
                    yield Skipped(str(file), f"unsupported file type {file.suffix or '(none)'}")
                    continue
                yield from _stamped(
                    _guard(str(file), partial(load_file, file, options)), input_of(file, options)
                )
        if not found:
            yield Failure(str(path), "the folder holds no article files")
    elif path.exists():
        yield from _stamped(
            _guard(str(path), partial(load_file, path, options)), input_of(path, options)
        )
    else:
        yield Failure(str(path), "no such file or directory")


def load_file(path: Path, options: SourceOptions) -> Iterator[Loaded]:
    """Articles from one file, chosen by its extension."""
    kind = FILE_TYPES.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(FILE_TYPES))
        raise LoadError(f"unsupported file type {path.suffix or '(none)'}; supported: {supported}")
    origin = str(path)
    size = path.stat().st_size
    if kind == "jsonl":
        with path.open("rb") as stream:
            yield from load_jsonl(stream, origin, options.max_bytes)
        return
    limit = options.max_bytes * (_JSON_SIZE_FACTOR if kind == "json" else 1)
    if size > limit:
        raise LoadError(f"the file is {size:,} bytes, over the {limit:,}-byte limit")
    data = path.read_bytes()
    identity = None if str(path) in options.uploads else path.resolve().as_uri()
    if kind == "text":
        yield from load_text(data, origin, identity_url=identity)
    elif kind == "markdown":
        yield from load_markdown(data, origin, identity_url=identity)
    elif kind == "html":
        yield from load_html(data, origin, identity_url=identity)
    elif kind == "json":
        yield from load_json(data, origin, page_fetcher(options), options.max_feed_entries)
    else:
        yield from load_feed(data, origin, page_fetcher(options), options.max_feed_entries)


def input_of(path: Path, options: SourceOptions) -> str:
    """A file's provenance: ``upload:NAME`` for a staged upload, else its absolute path.

    >>> input_of(Path("/tmp/a.txt"), SourceOptions(uploads={"/tmp/a.txt": "報道.txt"}))
    'upload:報道.txt'
    """
    name = options.uploads.get(str(path))
    return f"upload:{name}" if name else str(path.resolve())


def _url_input(url: str) -> str:
    """A URL's provenance: its canonical form (the URL itself when it has none)."""
    try:
        return canonical_url(url)
    except ValueError:  # not a valid URL: its load fails with the reason
        return url


def _stamped(items: Iterable[_T], provenance: str) -> Iterator[_T]:
    """Articles of one input, marked with it (a loader may have set a finer one)."""
    for item in items:
        if isinstance(item, Article) and not item.provenance:
            yield replace(item, provenance=provenance)  # type: ignore[misc]
        else:
            yield item


def _guard(origin: str, produce: Callable[[], Iterable[_T]]) -> Iterator[_T | Failure]:
    """Run a loader; any error becomes one :class:`Failure` and the batch goes on.

    :class:`LoadError` and I/O errors are expected; anything else is a bug in a
    loader or library, reported with its type rather than ending the whole ingest.
    """
    try:
        yield from produce()
    except LoadError as exc:
        yield Failure(origin, str(exc))
    except OSError as exc:
        yield Failure(origin, exc.strerror or str(exc))
    except Exception as exc:
        yield Failure(origin, f"unexpected error ({type(exc).__name__}): {exc}")

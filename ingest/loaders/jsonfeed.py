"""JSON Feed (https://jsonfeed.org, versions 1 and 1.1): every item becomes an article.

Items carry ``content_html`` and/or ``content_text`` (the longer is used), else a
``summary``; short ones get their full text fetched from the item's ``url`` like RSS
teasers (see :mod:`ingest.loaders.feed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ingest.article import Article, article_id
from ingest.loaders.base import Failure, Loaded, LoadError
from ingest.loaders.dates import parse_any_date
from ingest.loaders.feed import PageLoader, complete_entries, html_fragment_to_text

VERSION_PREFIX = "https://jsonfeed.org/version/"


def is_json_feed(value: Any) -> bool:
    """Whether a parsed JSON document is a JSON Feed.

    >>> is_json_feed({"version": "https://jsonfeed.org/version/1.1", "items": []})
    True
    """
    return (
        isinstance(value, dict)
        and str(value.get("version", "")).startswith(VERSION_PREFIX)
        and isinstance(value.get("items"), list)
    )


def load_json_feed(
    feed: dict[str, Any],
    origin: str,
    fetch_page: PageLoader | None = None,
    max_entries: int = 1000,
) -> Iterator[Loaded]:
    """Articles from a parsed JSON Feed.

    >>> feed = {"version": "https://jsonfeed.org/version/1.1", "title": "Tide",
    ...         "items": [{"id": "1", "title": "Harbour reopens",
    ...                    "content_text": "The harbour reopened on Monday.",
    ...                    "date_published": "2024-06-14T09:00:00Z"}]}
    >>> [(a.title, a.source, a.published_at) for a in load_json_feed(feed, "feed.json")]
    [('Harbour reopens', 'Tide', '2024-06-14T09:00:00+00:00')]
    """
    items = feed.get("items") or []
    if not items:
        raise LoadError("the JSON Feed has no items")
    outlet = _text(feed.get("title"))
    drafts = [
        _item_article(item, origin, outlet, number)
        for number, item in enumerate(items[:max_entries], 1)
    ]
    if len(items) > max_entries:
        yield Failure(
            origin,
            f"the feed has {len(items):,} items; only the first {max_entries:,} were read "
            "(raise NEWSQA_MAX_FEED_ENTRIES to read more)",
        )
    yield from complete_entries(drafts, fetch_page, outlet or origin)


def _item_article(item: Any, origin: str, outlet: str | None, number: int) -> Loaded:
    where = f"{origin}#item{number}"
    if not isinstance(item, dict):
        return Failure(where, f"expected a JSON object, got {type(item).__name__}")
    html = _text(item.get("content_html")) or ""
    text = _text(item.get("content_text")) or ""
    body = max(html_fragment_to_text(html), text, key=len) or html_fragment_to_text(
        _text(item.get("summary")) or ""
    )
    link = _text(item.get("url")) or _text(item.get("external_url"))
    if link and not link.startswith(("http://", "https://")):
        link = None
    title = _text(item.get("title")) or ""
    if not body and not link:
        return Failure(where, "item has neither text nor a link")
    return Article(
        id=article_id(None if link else _text(item.get("id")), link, title, body),
        title=title or body[:120],
        body=body,
        source=outlet,
        url=link,
        published_at=parse_any_date(_text(item.get("date_published"))),
        updated_at=parse_any_date(_text(item.get("date_modified"))),
        author=_authors(item.get("authors") or item.get("author")),
        origin=where,
    )


def _authors(value: Any) -> str | None:
    values = value if isinstance(value, list) else [value]
    names = [_text(v.get("name")) for v in values if isinstance(v, dict)]
    found = [n for n in names if n]
    return "; ".join(found) or None


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    text = str(value).strip()
    return text or None

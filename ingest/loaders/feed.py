"""RSS and Atom feeds through feedparser: every entry becomes an article.

Entries that carry only a summary get their full text fetched from the entry's link
(a few at a time); when that fetch fails the summary is kept and the article carries
a warning, so nothing the feed offered is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Failure, Loaded, LoadError

# Below this many characters of text an entry is treated as a teaser, not the article.
FULL_TEXT_MIN_CHARS = 600
_FETCH_WORKERS = 4
_BLOCKS = ("br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre")
# Characters lxml refuses in element text (it raises ValueError on assignment): one
# such byte in one entry must not fail the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

PageLoader = Callable[[str], Article]


def load_feed(
    data: bytes,
    origin: str,
    fetch_page: PageLoader | None,
    max_entries: int = 1000,
    base_url: str | None = None,
) -> Iterator[Loaded]:
    """Articles from an RSS/Atom document.

    ``fetch_page(url)`` loads a linked page as an :class:`Article` (``None`` disables
    fetching: summaries are used as they are). ``base_url`` is where the feed was
    fetched from: relative entry links are resolved against it.
    """
    import feedparser

    if not data.strip():
        raise LoadError("the feed is empty")
    headers = {"content-location": base_url} if base_url else None
    try:
        parsed = feedparser.parse(data, response_headers=headers)
    except Exception as exc:  # feedparser raises on e.g. a garbled encoding declaration
        raise LoadError(f"not a valid RSS/Atom feed ({type(exc).__name__}: {exc})") from None
    entries = list(parsed.entries)
    if not entries:
        problem = parsed.get("bozo_exception")
        detail = f": {problem}" if problem else ""
        raise LoadError(f"not a valid RSS/Atom feed or no entries{detail}")
    if len(entries) > max_entries:
        yield Failure(
            origin,
            f"the feed has {len(entries):,} entries; only the first {max_entries:,} were read "
            "(raise NEWSQA_MAX_FEED_ENTRIES to read more)",
        )
        entries = entries[:max_entries]
    outlet = _clean(parsed.feed.get("title"))
    drafts = [
        _entry_article(entry, origin, outlet, number) for number, entry in enumerate(entries, 1)
    ]
    with ThreadPoolExecutor(max_workers=_FETCH_WORKERS) as pool:
        yield from pool.map(lambda d: _complete(d, fetch_page), drafts)


def _entry_article(entry: Any, origin: str, outlet: str | None, number: int) -> Loaded:
    where = f"{origin}#entry{number}"
    title = _clean(entry.get("title")) or ""
    link = _clean(entry.get("link"))
    if link and urlsplit(link).scheme.lower() not in ("http", "https"):
        link = None  # feedparser falls back to the entry id ("urn:uuid:..."): not a page
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    html = max(contents, key=len) if contents else entry.get("summary", "") or ""
    body = html_fragment_to_text(html)
    if not body and not link:
        return Failure(where, "entry has neither text nor a link")
    date = entry.get("published_parsed") or entry.get("updated_parsed")
    return Article(
        id=article_id(None if link else _clean(entry.get("id")), link, title, body),
        title=title or body[:120],
        body=body,
        source=outlet,
        url=link,
        published_at=normalize_date(date) or normalize_date(entry.get("published")),
        author=_clean(entry.get("author")),
        origin=where,
    )


def _complete(draft: Loaded, fetch_page: PageLoader | None) -> Loaded:
    if isinstance(draft, Failure) or len(draft.body) >= FULL_TEXT_MIN_CHARS:
        return draft
    if fetch_page is None or not draft.url:
        return draft if draft.body else Failure(draft.origin, "entry has no text")
    try:
        page = fetch_page(draft.url)
    except Exception as exc:  # LoadError, or a bug in a page loader: keep the entry
        if not draft.body:
            return Failure(draft.origin, f"entry has no text and its page failed: {exc}")
        warning = f"summary only: fetching the full text failed: {exc}"
        return replace(draft, extra={"warning": warning})
    if len(page.body) <= len(draft.body):  # a paywall or teaser page: keep the feed's text
        return draft
    # The feed's metadata is usually cleaner than what is scraped from the page.
    return replace(
        draft,
        title=draft.title or page.title,
        body=page.body,
        published_at=draft.published_at or page.published_at,
        author=draft.author or page.author,
        source=draft.source or page.source,
    )


def html_fragment_to_text(html: str) -> str:
    """Text of an HTML fragment with paragraph breaks kept.

    >>> html_fragment_to_text("<p>One &amp; two.</p><p>Three<br>four</p>")
    'One & two.\\nThree\\nfour'
    """
    if "<" not in html:
        import html as html_lib

        return html_lib.unescape(html).strip()
    import lxml.html

    html = _NOT_XML.sub("", html)
    try:
        root = lxml.html.fromstring(html)
    except Exception:  # lxml raises ParserError/ValueError on empty or odd input
        return ""
    for element in list(root.iter("script", "style")):
        if element.getparent() is not None:
            element.drop_tree()
    for element in root.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
        if element.tag != "br":  # text before a block ends its line too
            element.text = "\n" + (element.text or "")
    lines = (line.strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def _clean(value: object) -> str | None:
    text = str(value).strip() if value else ""
    return text or None

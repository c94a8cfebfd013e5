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

from ingest.article import TEASER, Article, article_id, normalize_date
from ingest.loaders.base import Failure, Loaded, LoadError
from ingest.loaders.dates import parse_any_date

# Below this many characters of text an entry is treated as a teaser, not the article.
FULL_TEXT_MIN_CHARS = 600
_FETCH_WORKERS = 4
_BLOCKS = ("br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "pre")
# Characters lxml refuses in element text (it raises ValueError on assignment): one
# such byte in one entry must not fail the whole feed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# An XML declaration naming an encoding (bytes; only the document's start is searched).
_DECLARED = re.compile(rb"\s*<\?xml[^>]{0,200}encoding\s*=", re.I)
_PROLOG_BYTES = 300
_MAX_CHAOS = 0.2
_PROLOG = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")

PageLoader = Callable[[str], Article]


def load_feed(
    data: bytes,
    origin: str,
    fetch_page: PageLoader | None,
    max_entries: int = 1000,
    base_url: str | None = None,
    keep: Callable[[Article], bool] | None = None,
) -> Iterator[Loaded]:
    """Articles from an RSS/Atom document.

    ``fetch_page(url)`` loads a linked page as an :class:`Article` (``None`` disables
    fetching: summaries are used as they are). ``base_url`` is where the feed was
    fetched from: relative entry links are resolved against it. ``keep(entry)`` sees
    each entry as the feed has it, before its page is fetched: entries it turns down
    are left out (a feed watcher skips entries unchanged since its last poll).
    """
    import feedparser

    if not data.strip():
        raise LoadError("the feed is empty")
    data, encoding_note = with_detected_encoding(data)
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
    if encoding_note:  # said once, with the feed's first article
        first = next((i for i, d in enumerate(drafts) if isinstance(d, Article)), None)
        if first is not None:
            draft = drafts[first]
            assert isinstance(draft, Article)
            note = f"{outlet or origin}: {encoding_note}"
            drafts[first] = replace(draft, extra={"warning": note})
    if keep is not None:
        drafts = [d for d in drafts if not isinstance(d, Article) or keep(d)]
    yield from complete_entries(drafts, fetch_page, outlet or origin)


def complete_entries(
    drafts: list[Loaded], fetch_page: PageLoader | None, feed_name: str
) -> Iterator[Loaded]:
    """Feed entries with their full text fetched where they carry only a summary (a few
    at a time, in order). ``feed_name`` names the feed in messages."""
    with ThreadPoolExecutor(max_workers=_FETCH_WORKERS) as pool:
        yield from pool.map(lambda d: _complete(d, fetch_page), drafts)


def with_detected_encoding(data: bytes) -> tuple[bytes, str | None]:
    """Feed bytes feedparser can read, and a note when their encoding was guessed.

    A feed that is not UTF-8 and declares no encoding (in a byte-order mark or its XML
    declaration) is decoded with the encoding that explains its bytes best and handed
    on as UTF-8, instead of becoming mojibake.

    >>> koi8 = ("<rss><channel><title>Новости</title><item><title>Правительство "
    ...         "утвердило новый бюджет</title></item></channel></rss>").encode("koi8-r")
    >>> data, note = with_detected_encoding(koi8)
    >>> "Новости".encode() in data, note
    (True, 'the feed declares no encoding; read it as koi8_r')
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data, None
    try:
        data.decode("utf-8")
        return data, None
    except UnicodeDecodeError as exc:
        if _DECLARED.match(data[:_PROLOG_BYTES]):
            return data, None
        at = exc.start
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or best.encoding is None or best.chaos > _MAX_CHAOS:
        return (
            data,
            f"the feed is not UTF-8, declares no encoding, and no encoding fits its "
            f"bytes (invalid byte 0x{data[at]:02x} at offset {at}): its text may be garbled",
        )
    text = _PROLOG.sub("", str(best), count=1)
    return text.encode("utf-8"), f"the feed declares no encoding; read it as {best.encoding}"


def _entry_article(entry: Any, origin: str, outlet: str | None, number: int) -> Loaded:
    where = f"{origin}#entry{number}"
    title = _clean(entry.get("title")) or ""
    link = _clean(entry.get("link"))
    if link and not link.lower().startswith(("http://", "https://")):
        link = None  # feedparser falls back to the entry id ("urn:uuid:..."): not a page
    contents = [c.get("value", "") for c in entry.get("content", []) if c.get("value")]
    html = max(contents, key=len) if contents else entry.get("summary", "") or ""
    body = html_fragment_to_text(html)
    if not body and not link:
        return Failure(where, "entry has neither text nor a link")
    date = entry.get("published_parsed") or entry.get("updated_parsed")
    written = _clean(entry.get("published")) or _clean(entry.get("updated"))
    return Article(
        id=article_id(None if link else _clean(entry.get("id")), link, title, body),
        title=title or body[:120],
        body=body,
        source=outlet,
        url=link,
        published_at=normalize_date(date) or parse_any_date(written),
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
        return replace(draft, extra={"warning": warning}, completeness=TEASER)
    if len(page.body) <= len(draft.body):  # a paywall or teaser page: keep the feed's text
        return replace(draft, completeness=TEASER)
    # The feed's metadata is usually cleaner than what is scraped from the page.
    return replace(
        draft,
        title=draft.title or page.title,
        body=page.body,
        published_at=draft.published_at or page.published_at,
        author=draft.author or page.author,
        source=draft.source or page.source,
        completeness=page.completeness,  # a paywall stub page stays flagged
        updated_at=draft.updated_at or page.updated_at,
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

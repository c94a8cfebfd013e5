"""HTML articles: main text, title, date, outlet and author through trafilatura."""

from __future__ import annotations

from collections.abc import Iterator

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Loaded, LoadError, decode_text

# Deeply nested or huge pages make lxml slow; trafilatura prunes past this size.
_MAX_TREE_SIZE = 50_000


def load_html(
    data: bytes, origin: str, url: str | None = None, identity_url: str | None = None
) -> Iterator[Loaded]:
    """One article from an HTML page; boilerplate (menus, footers, ads) is dropped.

    ``url`` is the page's address when fetched from the web; ``identity_url`` names a
    local file when there is no web address.
    """
    yield html_to_article(decode_text(data, origin), origin, url, identity_url)


def html_to_article(
    html: str, origin: str, url: str | None = None, identity_url: str | None = None
) -> Article:
    """Extract the article in ``html`` (raises :class:`LoadError` when there is none)."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            max_tree_size=_MAX_TREE_SIZE,
        )
    except Exception as exc:  # lxml raises many kinds on broken markup
        raise LoadError(f"could not parse the HTML: {exc}") from None
    if doc is None or isinstance(doc, dict) or not (doc.text or "").strip():
        raise LoadError("no article text found in the HTML")
    text = (doc.text or "").strip()
    if not text:
        raise LoadError("no article text found in the HTML")
    title = (doc.title or "").strip()
    lines = text.split("\n")
    if title and lines[0].strip() == title:
        text = "\n".join(lines[1:]).strip()
    if not title:
        title = lines[0][:200]
    if not text:
        raise LoadError("the HTML has a headline but no article text")
    page_url = url or doc.url
    return Article(
        id=article_id(None, page_url or identity_url, title, text),
        title=title,
        body=text,
        source=doc.sitename or doc.hostname or None,
        url=page_url,
        published_at=normalize_date(doc.date),
        author=doc.author or None,
        origin=origin,
    )

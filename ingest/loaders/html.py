"""HTML articles: main text, title, date, outlet and author through trafilatura."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Loaded, LoadError, decode_text

# Deeply nested or huge pages make lxml slow; trafilatura prunes past this size.
_MAX_TREE_SIZE = 50_000
_CONFIG: Any = None
# Less text than this is not an article (a menu entry, a cookie notice).
MIN_TEXT_CHARS = 40


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
            config=_config(),
            # Only dates the page states: the extensive search guesses one from
            # things like "Copyright 2024" (giving 2024-01-01), a wrong date.
            date_extraction_params={
                "original_date": True,
                "extensive_search": False,
                "max_date": datetime.now().astimezone().strftime("%Y-%m-%d"),
            },
        )
    except Exception as exc:  # lxml raises many kinds on broken markup
        raise LoadError(f"could not parse the HTML: {exc}") from None
    if doc is None:
        raise LoadError("no article text found in the HTML")
    meta = doc if isinstance(doc, dict) else doc.as_dict()  # trafilatura 1.x gave dicts
    text = str(meta.get("text") or "").strip()
    if not text:
        raise LoadError("no article text found in the HTML")
    title = str(meta.get("title") or "").strip()
    lines = text.split("\n")
    if title and lines[0].strip() == title:
        text = "\n".join(lines[1:]).strip()
    if not title:
        title = lines[0][:200]
    if not text:
        raise LoadError("the HTML has a headline but no article text")
    if len(text) < MIN_TEXT_CHARS:
        # What is left of a page without an article: a menu entry, a cookie notice.
        raise LoadError(f"no article text found in the HTML (only {text!r})")
    page_url = url or meta.get("url") or None
    return Article(
        id=article_id(None, page_url or identity_url, title, text),
        title=title,
        body=text,
        source=meta.get("sitename") or meta.get("hostname") or None,
        url=page_url,
        published_at=normalize_date(meta.get("date")),
        author=meta.get("author") or None,
        origin=origin,
    )


def _config() -> Any:
    """trafilatura settings with our tree-size limit (trafilatura 2 removed the
    ``max_tree_size`` argument: passing it raises ``ValueError`` on every page)."""
    global _CONFIG
    if _CONFIG is None:
        from trafilatura.settings import use_config

        config = use_config()
        config.set("DEFAULT", "MAX_TREE_SIZE", str(_MAX_TREE_SIZE))
        _CONFIG = config
    return _CONFIG

"""Plain-text and Markdown articles: first line (or ``# heading``) is the title.

Both accept optional front matter between ``---`` fences with ``title``, ``source``,
``url``, ``published_at`` (or ``date``), ``author`` and ``id``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Loaded, LoadError, decode_text, split_front_matter

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_HEADING = re.compile(r"^#{1,6}\s+", re.M)
_MD_QUOTE = re.compile(r"^>\s?", re.M)
_MD_RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$", re.M)


def load_text(data: bytes, origin: str, identity_url: str | None = None) -> Iterator[Loaded]:
    """One article from a ``.txt`` file: the first non-empty line is the headline."""
    yield _document(decode_text(data, origin), origin, identity_url, markdown=False)


def load_markdown(data: bytes, origin: str, identity_url: str | None = None) -> Iterator[Loaded]:
    """One article from Markdown, reduced to plain text so quotes read cleanly."""
    yield _document(decode_text(data, origin), origin, identity_url, markdown=True)


def markdown_to_text(text: str) -> str:
    """Drop Markdown markup, keep the words.

    >>> markdown_to_text("## Hi\\nSee [the **report**](http://x).")
    'Hi\\nSee the report.'
    """
    text = _MD_RULE.sub("", text)
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # nested emphasis like **_x_**
        text = _MD_EMPHASIS.sub(r"\2", text)
    text = _MD_HEADING.sub("", text)
    return _MD_QUOTE.sub("", text)


def _document(text: str, origin: str, identity_url: str | None, markdown: bool) -> Article:
    meta, text = split_front_matter(text.replace("\r\n", "\n"))
    if markdown:
        text = markdown_to_text(text)
    lines = text.strip().split("\n")
    title = meta.get("title") or lines[0].strip()
    body_lines = lines if meta.get("title") else lines[1:]
    # Headlines are often repeated as the first body line (as in the seed article).
    while body_lines and body_lines[0].strip() in ("", title):
        body_lines = body_lines[1:]
    body = "\n".join(body_lines).strip()
    if not body:
        raise LoadError("no article text after the headline")
    url = meta.get("url") or None
    return Article(
        id=article_id(meta.get("id"), url or identity_url, title, body),
        title=title[:500],
        body=body,
        source=meta.get("source") or None,
        url=url,
        published_at=normalize_date(meta.get("published_at") or meta.get("date")),
        author=meta.get("author") or None,
        origin=origin,
    )

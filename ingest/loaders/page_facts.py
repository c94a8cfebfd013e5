"""What a page states about its article, read from its markup before extraction.

JSON-LD (``<script type="application/ld+json">``, including ``@graph`` lists), the
Open Graph / article / Dublin Core ``<meta>`` tags, ``itemprop`` microdata, the
``<title>``, the ``h1`` headings and the canonical address. Nothing here guesses: a
fact missing from the page stays ``None``, and the choice between conflicting facts is
left to :mod:`ingest.loaders.titles`, :mod:`ingest.loaders.outlets` and
:mod:`ingest.loaders.bylines`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

# JSON-LD types that describe the article itself (schema.org CreativeWork kinds).
_ARTICLE_TYPES = ("article", "posting", "report", "newsarticle", "review", "recipe")
# Meta tags naming when the article was first published, best first.
_PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "publish-date",
    "publish_date",
    "pubdate",
    "publishdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date.created",
    "article.published",
    "original-publish-date",
)
# Generic date tags: often the page's last change, so they rank below the byline.
_WEAK_DATE_META = ("dcterms.date", "dc.date", "date")
_UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "last-modified",
    "article.updated",
)
_AUTHOR_META = ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator")
_SITE_META = ("og:site_name", "application-name", "twitter:site", "publisher", "dc.publisher")
_TITLE_META = ("og:title", "twitter:title", "dc.title", "parsely-title", "headline")
MAX_HEADING_CHARS = 300
_BYLINE_XPATH = (
    "//body//*[(@itemprop='author' or @rel='author' or contains(@class, 'author') or "
    "contains(@class, 'byline')) and not(contains(@class, 'comment')) and "
    "not(ancestor::*[contains(@class, 'comment')]) and not(self::script or self::style)]"
)
MAX_BYLINES = 4
_TEXT_NODES = etree.XPath(".//text()[not(ancestor::script or ancestor::style)]")
# Keys under which page data carries the article text.
_BODY_KEYS = {"articlebody", "body", "bodyhtml", "body_html", "content", "contenthtml", "text"}
MIN_JSON_BODY_CHARS = 500
MAX_BYLINE_CHARS = 80


@dataclass
class PageFacts:
    """Facts a page states about its article (lists keep the page's order)."""

    meta_titles: list[str] = field(default_factory=list)  # structured first, <title> last
    headings: list[str] = field(default_factory=list)  # visible h1 texts
    site_names: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # best source first
    weak_dates: list[str] = field(default_factory=list)  # generic date tags
    updated: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    bylines: list[str] = field(default_factory=list)  # author elements, a line a text node
    article_body: str = ""  # JSON-LD articleBody / Next.js data, when the page has one
    next_data: str = ""  # raw Next.js page data (parsed only when needed)
    free: bool | None = None  # JSON-LD isAccessibleForFree
    page_url: str | None = None  # canonical or og:url


def read_facts(tree: Any) -> PageFacts:
    """Collect the facts of a parsed page (an ``lxml.html`` tree; it is not modified).

    >>> import lxml.html
    >>> html = ('<html><head><meta property="og:site_name" content="Tide">'
    ...         '<meta property="article:published_time" content="2024-06-14T09:00:00+02:00">'
    ...         '<title>Harbour reopens | Tide</title></head>'
    ...         '<body><h1>Harbour reopens</h1></body></html>')
    >>> f = read_facts(lxml.html.fromstring(html))
    >>> f.headings, f.site_names, f.published, f.meta_titles
    (['Harbour reopens'], ['Tide'], ['2024-06-14T09:00:00+02:00'], ['Harbour reopens | Tide'])
    """
    facts = PageFacts()
    ld_titles: list[str] = []
    for item in _json_ld(tree, facts):
        _read_ld(item, facts, ld_titles)
    metas = _meta_values(tree)
    for key in _PUBLISHED_META:
        facts.published += metas.get(key, [])
    for key in _WEAK_DATE_META:
        facts.weak_dates += metas.get(key, [])
    for key in _UPDATED_META:
        facts.updated += metas.get(key, [])
    for key in _AUTHOR_META:
        facts.authors += [v for v in metas.get(key, []) if "://" not in v]
    for key in _SITE_META:
        facts.site_names += metas.get(key, [])
    facts.meta_titles = ld_titles + [t for k in _TITLE_META for t in metas.get(k, [])]
    facts.meta_titles += [_flat(t.text_content()) for t in tree.iter("title")][:1]
    facts.meta_titles = _unique(t for t in facts.meta_titles if t)
    facts.headings = _unique(
        text
        for h1 in tree.iter("h1")
        if 0 < len(text := _flat(h1.text_content())) <= MAX_HEADING_CHARS
    )
    facts.bylines = _bylines(tree)
    facts.page_url = _canonical(tree) or next(iter(metas.get("og:url", [])), None)
    facts.published = _unique(facts.published)
    facts.updated = _unique(facts.updated)
    facts.site_names = _unique(facts.site_names)
    facts.authors = _unique(facts.authors)
    return facts


def _json_ld(tree: Any, facts: PageFacts) -> Iterator[dict[str, Any]]:
    """Every JSON object of the page's JSON-LD blocks (``@graph`` and lists flattened);
    the Next.js data block is kept aside in ``facts``."""
    for script in tree.iter("script"):
        if script.get("id") == "__NEXT_DATA__":
            facts.next_data = script.text or ""
            continue
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(reversed(graph))
                yield item


def next_data_body(raw: str) -> str:
    """The longest article text in a Next.js data block (a string under a body-like
    key), or ``""``.

    >>> next_data_body('{"props": {"article": {"body": "<p>' + "Ships. " * 80 + '</p>"}}}')[:10]
    '<p>Ships. '
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return ""
    best = ""
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(value, str):
                    if key.lower() in _BODY_KEYS and len(value) > len(best):
                        best = value
                else:
                    stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)
    return best if len(best) >= MIN_JSON_BODY_CHARS else ""


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [str(k).lower() for k in kinds if k]


def _read_ld(item: dict[str, Any], facts: PageFacts, titles: list[str]) -> None:
    kinds = _types(item)
    if not any(k.endswith(_ARTICLE_TYPES) for k in kinds):
        if any(k in ("webpage", "newsmediaorganization") for k in kinds):
            # A page's own dates rank below the article's and the byline.
            facts.weak_dates += _strings(item.get("datePublished"))[:1]
        return
    titles += _strings(item.get("headline"))[:1]
    # dateCreated stands in when the article gives no datePublished.
    facts.published[:0] = _strings(item.get("datePublished") or item.get("dateCreated"))[:1]
    facts.updated += _strings(item.get("dateModified"))[:1]
    facts.authors[:0] = _names(item.get("author"))
    facts.site_names[:0] = _names(item.get("publisher"))[:1]
    body = item.get("articleBody") or item.get("text")
    if isinstance(body, str) and len(body) > len(facts.article_body):
        facts.article_body = body
    free = item.get("isAccessibleForFree")
    if free is not None:
        facts.free = str(free).strip().lower() not in ("false", "0", "no")


def _names(value: Any) -> list[str]:
    """Names in a JSON-LD person/organisation value (object, list or plain text)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, dict):
            out += _strings(v.get("name"))[:1]
        elif isinstance(v, str) and "://" not in v:
            out.append(_flat(v))
    return [n for n in out if n]


def _strings(value: Any) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [_flat(v) for v in values if isinstance(v, str) and v.strip()]


def _meta_values(tree: Any) -> dict[str, list[str]]:
    """``<meta>`` contents by lower-cased ``property``/``name``/``itemprop`` (and
    ``<time itemprop>``/``datetime`` values for microdata dates)."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if not content or not content.strip():
            continue
        for attr in ("property", "name", "itemprop"):
            key = (meta.get(attr) or "").strip().lower()
            if key:
                found.setdefault(key, []).append(_flat(content))
    for element in tree.xpath("//*[@itemprop][@datetime]"):
        key = (element.get("itemprop") or "").strip().lower()
        found.setdefault(key, []).append(_flat(element.get("datetime") or ""))
    return found


def _bylines(tree: Any) -> list[str]:
    """Text of the page's visible author elements (``itemprop``/``rel`` author, a class
    naming the author or byline), a line for each text node, comment authors left
    out."""
    found = []
    for element in tree.xpath(_BYLINE_XPATH)[:MAX_BYLINES]:
        names = element.xpath(".//*[@itemprop='name']")
        root = names[0] if names else element
        if 2 < len(_flat(root.text_content())) <= MAX_BYLINE_CHARS:
            found.append(_node_lines(root))
    return _unique(found)


def _node_lines(element: Any) -> str:
    """An element's text with a line break between its text nodes (``Von`` /
    ``Anna Berg`` / ``am Samstag, 19. Oktober``): where the name ends."""
    return "\n".join(flat for node in _TEXT_NODES(element) if (flat := _flat(node)))


def _canonical(tree: Any) -> str | None:
    for link in tree.iter("link"):
        if (link.get("rel") or "").strip().lower() == "canonical":
            href = (link.get("href") or "").strip()
            if href.startswith(("http://", "https://")):
                return href
    return None


def _flat(text: str) -> str:
    return " ".join(text.split())


def _unique(values: Iterator[str] | list[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))

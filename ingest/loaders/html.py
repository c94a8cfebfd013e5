"""HTML articles: main text, title, date, outlet and author through trafilatura."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from ingest.article import Article, article_id, normalize_date
from ingest.loaders.base import Loaded, LoadError, decode_text
from ingest.loaders.boilerplate import clean_text, recovered_text, visible_nodes
from ingest.loaders.bylines import (
    byline_in_text,
    choose_author,
    copyright_holder,
    credit_node,
    dated_byline,
    name_before_date,
    node_byline,
)
from ingest.loaders.completeness import completeness
from ingest.loaders.dates import BYLINE_BEFORE, BYLINE_WINDOW, page_date, written_dates
from ingest.loaders.outlets import choose_outlet
from ingest.loaders.page_facts import PageFacts, next_data_body, read_facts
from ingest.loaders.titles import choose_title, host_names

# Deeply nested or huge pages make lxml slow; trafilatura prunes past this size.
_MAX_TREE_SIZE = 50_000
_CONFIG: Any = None
# Less text than this is not an article (a menu entry, a cookie notice).
MIN_TEXT_CHARS = 40
# Shorter page texts are checked against the page's Next.js data for the article.
RECOVER_BELOW_CHARS = 2000
# Places of the headline in the page's text tried for the one with the byline.
MAX_HEADLINE_PLACES = 4


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
    """Extract the article in ``html`` (raises :class:`LoadError` when there is none).

    trafilatura finds the main text; the title, dates, outlet and author come from what
    the page states (:mod:`ingest.loaders.page_facts`), chosen by general rules, with
    trafilatura's metadata as the fallback.

    >>> html_to_article("<html><body><h1>Harbour reopens</h1><p>The harbour reopened "
    ...                 "on Monday after a storm closed it for a week.</p></body></html>",
    ...                 "mem").title
    'Harbour reopens'
    """
    tree = _parse(html)
    facts = read_facts(tree)
    nodes = visible_nodes(tree)  # a line break between text nodes
    visible = nodes.replace("\n", " ")
    meta = _extract(tree, url)
    text = clean_text(str(meta.get("text") or "").strip())
    text = recovered_text(text, facts.article_body)
    if facts.next_data and len(text) < RECOVER_BELOW_CHARS:
        text = recovered_text(text, next_data_body(facts.next_data))
    if not text:
        raise LoadError("no article text found in the HTML")
    page_url = url or meta.get("url") or facts.page_url or None
    sites = [*facts.site_names, *host_names(page_url)]
    extracted_title = str(meta.get("title") or "").strip()
    title = choose_title(facts.headings, [*facts.meta_titles, extracted_title], sites, visible)
    title = title or extracted_title
    lines = text.split("\n")
    if lines[0].strip() in {t for t in (title, extracted_title) if t}:
        text = "\n".join(lines[1:]).strip()
    if not title:
        title = lines[0][:200]
    if not text:
        raise LoadError("the HTML has a headline but no article text")
    if len(text) < MIN_TEXT_CHARS:
        # What is left of a page without an article: a menu entry, a cookie notice.
        raise LoadError(f"no article text found in the HTML (only {text!r})")
    outlet = choose_outlet(facts.site_names, page_url, meta.get("sitename"), title)
    names = [outlet] if outlet else []
    before, after = _around(visible, [title, *facts.headings])
    published = page_date(
        facts.published, before, after, facts.weak_dates, facts.updated
    ) or normalize_date(meta.get("date"))
    updated = page_date(facts.updated)
    return Article(
        id=article_id(None, page_url or identity_url, title, text),
        title=title,
        body=text,
        source=outlet,
        url=page_url,
        published_at=published,
        author=_author(
            facts, meta, [*sites, *names], nodes[: len(before)], _after_original(nodes, after)
        ),
        origin=origin,
        completeness=completeness(text, facts.free),
        updated_at=updated if updated and updated[:10] != (published or "")[:10] else None,
    )


def _author(
    facts: PageFacts, meta: dict[str, Any], sites: list[str], before: str, after: str
) -> str | None:
    """A person the markup names, else one the byline text names ("By Ana Ruiz", a name
    after the byline's date), else the outlet or desk the markup names."""
    candidates = [*facts.authors, *facts.bylines]
    return (
        choose_author(candidates, sites, people_only=True)
        or byline_in_text(after, sites)
        or node_byline(after[:BYLINE_WINDOW], sites)
        or node_byline(before[-BYLINE_BEFORE:], sites)
        or dated_byline(before, after, sites)
        or name_before_date(before, after, sites)
        or node_byline(after, sites)
        or credit_node(after, sites)
        or choose_author(candidates, sites)
        or choose_author([str(meta.get("author") or "")], sites)
        or copyright_holder(after, sites)
    )


def _parse(html: str) -> Any:
    from trafilatura.utils import load_html as parse_html

    try:
        tree = parse_html(html)
    except Exception as exc:  # lxml raises many kinds on broken markup
        raise LoadError(f"could not parse the HTML: {exc}") from None
    if tree is None:
        raise LoadError("no article text found in the HTML")
    return tree


def _extract(tree: Any, url: str | None) -> dict[str, Any]:
    """trafilatura's main text and metadata of a parsed page."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            tree,
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
    return doc if isinstance(doc, dict) else doc.as_dict()  # trafilatura 1.x gave dicts


def _after_original(visible: str, after: str) -> str:
    """The case-folded ``after`` slice of ``visible`` in its original case."""
    return visible[len(visible) - len(after) :] if after else ""


def _around(visible: str, headlines: list[str]) -> tuple[str, str]:
    """The visible text before and after the first of ``headlines`` found in it (case
    folded: bylines stand there).

    When the headline stands more than once (in a menu or breadcrumb, then above the
    story), the first place with a date written just after it is taken: the byline.
    """
    folded = visible.lower()  # lower() keeps offsets (casefold() turns ß into ss)
    for headline in headlines:
        wanted = " ".join(headline.split()).lower()
        at = folded.find(wanted) if wanted else -1
        if at < 0:
            continue
        first = at
        for _ in range(MAX_HEADLINE_PLACES):
            end = at + len(wanted)
            if written_dates(folded[end : end + BYLINE_WINDOW]):
                return folded[:at], folded[end:]
            at = folded.find(wanted, end)
            if at < 0:
                break
        return folded[:first], folded[first + len(wanted) :]
    return "", ""


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

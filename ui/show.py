"""How ``newsqa show`` prints a stored article: as text for people, or as JSON."""

from __future__ import annotations

from ingest.article import FULL, TEASER, Article

# What a reader is told about an article that is not the full text.
COMPLETENESS_LABELS = {FULL: "full text", TEASER: "teaser only", "paywalled": "paywalled stub"}


def completeness_label(value: str | None) -> str:
    """``teaser`` -> ``teaser only``: how to name an article's completeness to a reader.

    >>> completeness_label("paywalled"), completeness_label(None)
    ('paywalled stub', 'full text')
    """
    return COMPLETENESS_LABELS.get(value or FULL, value or "full text")


def article_dict(article: Article) -> dict[str, object]:
    """The fields ``newsqa show --json`` prints for one article.

    >>> article_dict(Article(id="a1", title="T", body="B"))["completeness"]
    'full'
    """
    return {
        "id": article.id,
        "title": article.title,
        "outlet": article.source,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "author": article.author,
        "url": article.url,
        "completeness": article.completeness,
        "origin": article.provenance or article.origin,
        "body": article.body,
    }


def article_text(article: Article) -> str:
    """A stored article as ``newsqa show`` prints it: a header of fields, then the text.

    >>> print(article_text(Article(id="a1", title="Harbour reopens", body="Ships.",
    ...                            source="Tide", completeness="teaser")))
    Harbour reopens
      id:           a1
      outlet:       Tide
      completeness: teaser only
    <BLANKLINE>
    Ships.
    """
    fields = [
        ("id", article.id),
        ("outlet", article.source),
        ("published", article.published_at),
        ("updated", article.updated_at),
        ("author", article.author),
        ("url", article.url),
        ("completeness", completeness_label(article.completeness)),
        ("origin", article.provenance or article.origin),
    ]
    lines = [article.title or "(untitled)"]
    lines += [f"  {name + ':':<13} {value}" for name, value in fields if value]
    return "\n".join(lines) + "\n\n" + article.body

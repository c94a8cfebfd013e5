"""Sentence-aware chunks that remember where they sit in the article body."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from ingest.article import Article
from ingest.sentences import sentence_spans


@dataclass(frozen=True)
class Chunk:
    """A run of whole sentences: ``article.body[start:end] == text``."""

    article_id: str
    n: int
    start: int
    end: int
    text: str
    header: str = ""

    @property
    def id(self) -> str:
        """Stable chunk id ``{article_id}:{n}``."""
        return f"{self.article_id}:{self.n}"

    @property
    def indexed_text(self) -> str:
        """What is embedded and lexically indexed: header line plus the text.

        News questions name outlets, titles and dates ("a report from The Verge on
        October 30"), so every chunk carries its article's header.
        """
        return f"{self.header}\n{self.text}" if self.header else self.text

    @property
    def hash(self) -> str:
        """Hash of :attr:`indexed_text`: equal hashes can share one embedding."""
        return hashlib.sha256(self.indexed_text.encode("utf-8")).hexdigest()[:32]


def article_header(article: Article) -> str:
    """``Title | Outlet | 2023-10-30``: the parts that are known."""
    day = article.published_at[:10] if article.published_at else None
    return " | ".join(p for p in (article.title, article.source, day) if p)


def chunk_article(article: Article, max_chars: int = 1000) -> list[Chunk]:
    """Split ``article.body`` into chunks of whole sentences of at most ``max_chars``.

    Chunk sizes are balanced (an article of 1.3 chunks' length gives two chunks of
    ~0.65, not one full and one tiny); a single sentence longer than ``max_chars`` is
    cut at word boundaries. There is no overlap: every sentence is in exactly one
    chunk, so no token is embedded twice.

    >>> a = Article(id="a", title="T", body="One. Two two. Three three three.")
    >>> [c.text for c in chunk_article(a, max_chars=200)]
    ['One. Two two. Three three three.']
    """
    body = article.body
    spans = [piece for span in sentence_spans(body) for piece in _fit(body, span, max_chars)]
    if not spans:
        return []
    total = spans[-1][1] - spans[0][0]
    target = total / math.ceil(total / max_chars)
    header = article_header(article)
    chunks: list[Chunk] = []
    a, b = spans[0]
    for s, e in spans[1:]:
        if e - a <= max_chars and b - a < target:
            b = e
            continue
        chunks.append(Chunk(article.id, len(chunks), a, b, body[a:b], header))
        a, b = s, e
    chunks.append(Chunk(article.id, len(chunks), a, b, body[a:b], header))
    return chunks


def _fit(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence at the last space before each ``max_chars`` limit."""
    a, b = span
    pieces = []
    while b - a > max_chars:
        cut = text.rfind(" ", a + 1, a + max_chars)
        cut = a + max_chars if cut <= a else cut
        pieces.append((a, cut))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    pieces.append((a, b))
    return pieces

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

    Uses as few chunks as the limit allows, with balanced sizes (an article of 1.3
    chunks' length gives two chunks of ~0.65, not one full and one tiny); a single
    sentence longer than ``max_chars`` is cut at word boundaries. There is no overlap:
    every sentence is in exactly one chunk, so no token is embedded twice.

    >>> a = Article(id="a", title="T", body="One. Two two. Three three three.")
    >>> [c.text for c in chunk_article(a, max_chars=200)]
    ['One. Two two. Three three three.']
    >>> [c.text for c in chunk_article(a, max_chars=20)]
    ['One. Two two.', 'Three three three.']
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be at least 1, not {max_chars}")
    body = article.body
    spans = [piece for span in sentence_spans(body) for piece in _fit(body, span, max_chars)]
    if not spans:
        return []
    header = article_header(article)
    chunks: list[Chunk] = []
    first = 0
    for last in _chunk_ends(spans, max_chars):
        a, b = spans[first][0], spans[last][1]
        chunks.append(Chunk(article.id, len(chunks), a, b, body[a:b], header))
        first = last + 1
    return chunks


def _chunk_ends(spans: list[tuple[int, int]], max_chars: int) -> list[int]:
    """Index of the last span of each chunk: fewest chunks, sizes close to equal.

    ``need[i]`` is the fewest chunks that hold ``spans[i:]`` (greedy packing is
    optimal for that). Each chunk then ends at the span that brings its size closest
    to an equal share of what is left, among the ends that still let the rest fit in
    the remaining chunks. Linear in the number of spans.
    """
    n = len(spans)
    need = [0] * (n + 1)
    reach = n  # first span that does not fit in a chunk starting at i
    for i in range(n - 1, -1, -1):
        while spans[reach - 1][1] - spans[i][0] > max_chars:
            reach -= 1
        need[i] = 1 + need[reach]
    ends: list[int] = []
    first, left = 0, need[0]
    while left > 1:
        share = (spans[-1][1] - spans[first][0]) / left
        best, best_gap = -1, float("inf")
        last = first
        while last < n and spans[last][1] - spans[first][0] <= max_chars:
            if need[last + 1] <= left - 1:
                gap = abs(spans[last][1] - spans[first][0] - share)
                if gap < best_gap:
                    best, best_gap = last, gap
            last += 1
        ends.append(best)
        first, left = best + 1, left - 1
    ends.append(n - 1)
    return ends


def _fit(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """Cut an over-long sentence into near-equal pieces of at most ``max_chars``.

    Cuts fall on the space nearest to each equal share; a word longer than the limit
    is cut inside the word. Pieces never start or end with whitespace.
    """
    a, b = span
    pieces = []
    while b - a > max_chars:
        aim = a + math.ceil((b - a) / math.ceil((b - a) / max_chars))
        before = text.rfind(" ", a + 1, aim + 1)
        after = text.find(" ", aim, a + max_chars + 1)
        options = [c for c in (before, after) if c > a]
        cut = min(options, key=lambda c: abs(c - aim)) if options else aim
        end = cut
        while end > a + 1 and text[end - 1].isspace():
            end -= 1
        pieces.append((a, end))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    pieces.append((a, b))
    return pieces

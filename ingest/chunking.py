"""Sentence-aware chunks that remember where they sit in the article body."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ingest.article import Article
from ingest.sentences import sentence_spans

_WORD = re.compile(r"\S+")


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


# Eval counts a chunk as evidence only up to 1,200 characters; larger chunks also
# rank better on MultiHop-RAG than 500-1,000 (README "Quality").
DEFAULT_CHUNK_CHARS = 1200


def chunk_article(article: Article, max_chars: int = DEFAULT_CHUNK_CHARS) -> list[Chunk]:
    """Split ``article.body`` into chunks of whole sentences of at most ``max_chars``.

    Chunks are filled greedily from the start (the fewest chunks the limit allows),
    so a boundary only moves when the text before it changes nearby: an edit or an
    appended update re-embeds the chunks it touches, not the whole article. The last
    two chunks are rebalanced so no tiny tail is left (an article of 1.3 chunks'
    length gives two chunks of ~0.65). A sentence longer than ``max_chars`` is cut at
    word boundaries. There is no overlap: every sentence is in exactly one chunk, so
    no token is embedded twice.

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
    groups: list[list[tuple[int, int]]] = []
    for span in spans:
        if groups and span[1] - groups[-1][0][0] <= max_chars:
            groups[-1].append(span)
        else:
            groups.append([span])
    if len(groups) >= 2:
        groups[-2:] = _rebalance(groups[-2] + groups[-1], max_chars)
    header = article_header(article)
    return [
        Chunk(article.id, n, g[0][0], g[-1][1], body[g[0][0] : g[-1][1]], header)
        for n, g in enumerate(groups)
    ]


def _rebalance(spans: list[tuple[int, int]], max_chars: int) -> list[list[tuple[int, int]]]:
    """Split spans that fill two chunks at the boundary closest to the middle among
    those where both halves fit ``max_chars`` (the greedy split is one of them).

    >>> _rebalance([(0, 1), (2, 7), (8, 10)], 7)
    [[(0, 1), (2, 7)], [(8, 10)]]
    """
    start, end = spans[0][0], spans[-1][1]
    fitting = [
        i
        for i in range(1, len(spans))
        if spans[i - 1][1] - start <= max_chars and end - spans[i][0] <= max_chars
    ]
    cut = min(fitting, key=lambda i: abs((spans[i][0] - start) - (end - spans[i][0])))
    return [spans[:cut], spans[cut:]]


def _fit(text: str, span: tuple[int, int], max_chars: int) -> list[tuple[int, int]]:
    """A sentence as one span, or, when longer than ``max_chars``, as its words.

    The words of an over-long sentence become separate spans, so the sentence is cut
    at spaces wherever the balancing in :func:`_chunk_ends` puts the cut; a word longer
    than ``max_chars`` (a long URL) is cut into equal parts.
    """
    a, b = span
    if b - a <= max_chars:
        return [span]
    pieces: list[tuple[int, int]] = []
    for word in _WORD.finditer(text, a, b):
        start, end = word.span()
        part = -(-(end - start) // -(-(end - start) // max_chars))  # equal parts <= max
        pieces.extend((i, min(i + part, end)) for i in range(start, end, part))
    return pieces

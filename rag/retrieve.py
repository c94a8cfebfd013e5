"""Hybrid retrieval: dense (Chroma) and lexical (BM25) fused by reciprocal rank, per
question part, then merged so every part of a multi-part question is represented.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from newsqa.settings import Settings
from rag.query import Part, QueryPlan, day_range, plan_query
from rag.types import Filters, Passage
from vectorstore.lexical import LexicalIndex
from vectorstore.store import Store, StoredChunk

# Reciprocal-rank fusion: score = sum of weight / (RRF_K + rank). Measured on
# MultiHop-RAG dev (see README "Quality"): the small MiniLM embedder ranks news
# evidence worse than BM25, so the dense list counts for less than the lexical ones.
RRF_K = 10
DENSE_WEIGHT = 0.3
# Each ranking contributes this many candidates per requested passage.
CANDIDATES_PER_K = 3
MIN_CANDIDATES = 20
# No article may fill the top k alone: multi-hop answers need several articles.
MAX_PER_ARTICLE = 4
_SEARCH_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsqa-search")


@dataclass(frozen=True)
class SearchResult:
    """Passages for a question and the plan that found them."""

    passages: list[Passage]
    plan: QueryPlan


@dataclass
class _Hit:
    chunk: StoredChunk
    score: float
    similarity: float


class Retriever:
    """Dense + lexical retrieval over one store, aware of outlets and dates.

    Example:
        >>> r = Retriever(Store(Settings.from_env()))                 # doctest: +SKIP
        >>> [p.title for p in r.retrieve("G7 loan for Ukraine", k=2)]  # doctest: +SKIP
        ["Kyiv slams Putin's offer ...", ...]
    """

    def __init__(self, store: Store, lexical: LexicalIndex | None = None) -> None:
        self.store = store
        self.lexical = lexical or LexicalIndex(store)

    def outlets(self) -> list[str]:
        """Outlets of the stored articles (from the lexical index, kept up to date)."""
        return self.lexical.sources()

    def retrieve(
        self, question: str, k: int = 6, where: Filters | dict[str, Any] | None = None
    ) -> list[Passage]:
        """The ``k`` best passages for ``question``, optionally filtered."""
        return self.search(question, k, where).passages

    def search(
        self, question: str, k: int = 6, where: Filters | dict[str, Any] | None = None
    ) -> SearchResult:
        """Passages plus the query plan (outlets, dates and parts found in the question)."""
        filters = Filters.coerce(where) or Filters()
        if filters.sources:  # the user chose outlets: do not second-guess them
            plan = QueryPlan(question)
        else:
            plan = plan_query(question, self.outlets())
        n = max(MIN_CANDIDATES, k * CANDIDATES_PER_K)
        queries = [(question, filters)] + [(p.query, _narrow(filters, p)) for p in plan.parts]
        # BM25 needs no vectors: it runs while the queries are embedded (SQLite and
        # onnxruntime release the GIL, so on two cores the two overlap).
        lexical = _SEARCH_POOL.submit(lambda: [self._lexical(t, f, n) for t, f in queries])
        vectors = self.store.embedder.embed_queries([q for q, _ in queries])
        # One Chroma query per part; filtered ones take milliseconds each, so they run
        # side by side (Chroma's Rust core releases the GIL).
        dense = [
            _SEARCH_POOL.submit(self.store.dense_search, vector, n, narrowed.to_where())
            for (_, narrowed), vector in zip(queries, vectors, strict=True)
        ]
        ranked = []
        for (text, narrowed), vector, lex, near in zip(
            queries, vectors, lexical.result(), dense, strict=True
        ):
            hits = fuse(near.result(), lex)
            if not hits and narrowed.after_ts != filters.after_ts:
                hits = self._hybrid(
                    text, vector, replace(narrowed, after=filters.after, before=filters.before), n
                )
            ranked.append(hits)
        return SearchResult(merge(ranked[1:], ranked[0], k), plan)

    def _hybrid(self, text: str, vector: list[float], filters: Filters, n: int) -> list[_Hit]:
        return fuse(
            self.store.dense_search(vector, n, filters.to_where()), self._lexical(text, filters, n)
        )

    def _lexical(
        self, text: str, filters: Filters, n: int
    ) -> list[list[tuple[StoredChunk, float]]]:
        lexical_filter = filters.to_lexical()
        return [
            self.lexical.search(text, n, lexical_filter),
            self.lexical.search_sentences(text, n, lexical_filter),
        ]


def _narrow(filters: Filters, part: Part) -> Filters:
    """The user's filters, further restricted to a part's outlets and day."""
    narrowed = replace(filters, sources=part.sources or filters.sources)
    if part.day is None:
        return narrowed
    start, end = day_range(part.day)
    if filters.after_ts is not None:
        start = max(start, filters.after_ts)
    if filters.before_ts is not None:
        end = min(end, filters.before_ts)
    return replace(narrowed, after=_iso(start), before=_iso(end))


def _iso(ts: int) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()


def fuse(
    dense: list[tuple[StoredChunk, float]], lexical: list[list[tuple[StoredChunk, float]]]
) -> list[_Hit]:
    """Weighted reciprocal-rank fusion of the dense ranking and the lexical ones.

    Each chunk keeps its cosine similarity from the dense list (0 when only a
    lexical ranking found it) so the answer step can tell whether anything relevant
    was found at all.
    """
    hits: dict[str, _Hit] = {}
    rankings = [(dense, DENSE_WEIGHT, True)] + [(r, 1.0, False) for r in lexical]
    for ranking, weight, is_dense in rankings:
        for rank, (chunk, score) in enumerate(ranking):
            hit = hits.setdefault(chunk.id, _Hit(chunk, 0.0, 0.0))
            hit.score += weight / (RRF_K + rank + 1)
            if is_dense:
                hit.similarity = score
    return sorted(hits.values(), key=lambda h: h.score, reverse=True)


def merge(parts: list[list[_Hit]], whole: list[_Hit], k: int) -> list[Passage]:
    """Take turns over the parts' rankings, then fill from the whole question's.

    At most :data:`MAX_PER_ARTICLE` chunks come from one article, unless nothing
    else is left.
    """
    chosen: dict[str, _Hit] = {}
    per_article: dict[str, int] = {}
    similarity: dict[str, float] = {}
    for ranking in [*parts, whole]:
        for hit in ranking:
            similarity[hit.chunk.id] = max(similarity.get(hit.chunk.id, -1.0), hit.similarity)

    def take(hit: _Hit, capped: bool) -> bool:
        article = hit.chunk.article_id
        if hit.chunk.id in chosen or (capped and per_article.get(article, 0) >= MAX_PER_ARTICLE):
            return False
        chosen[hit.chunk.id] = hit
        per_article[article] = per_article.get(article, 0) + 1
        return True

    for capped in (True, False):
        cursors = [0] * len(parts)
        while len(chosen) < k and any(c < len(r) for c, r in zip(cursors, parts, strict=True)):
            for i, ranking in enumerate(parts):
                while cursors[i] < len(ranking) and len(chosen) < k:
                    cursors[i] += 1
                    if take(ranking[cursors[i] - 1], capped):
                        break
        for hit in whole:
            if len(chosen) >= k:
                break
            take(hit, capped)
        if len(chosen) >= k:
            break
    return [Passage.from_stored(h.chunk, h.score, similarity[h.chunk.id]) for h in chosen.values()]


_retrievers: dict[tuple[Any, ...], Retriever] = {}
_retrievers_lock = threading.Lock()


def retriever_for(settings: Settings) -> Retriever:
    """One shared :class:`Retriever` per store location (the embedder loads once)."""
    key = (settings.home.resolve(), settings.chroma_url, settings.collection)
    with _retrievers_lock:
        if key not in _retrievers:
            _retrievers[key] = Retriever(Store(settings))
        return _retrievers[key]


def retrieve(
    question: str,
    k: int | None = None,
    where: Filters | dict[str, Any] | None = None,
    settings: Settings | None = None,
) -> list[Passage]:
    """Top passages for ``question`` from the store named by ``settings``.

    Example:
        >>> from rag import retrieve
        >>> passages = retrieve("G7 loan for Ukraine", k=3)            # doctest: +SKIP
        >>> passages[0].source, passages[0].text[:40]                  # doctest: +SKIP
    """
    settings = settings or Settings.from_env()
    return retriever_for(settings).retrieve(question, k or settings.top_k, where)

"""Hybrid retrieval: dense (Chroma) and lexical (BM25) results fused by reciprocal rank."""

from __future__ import annotations

import threading
from typing import Any

from newsqa.settings import Settings
from rag.types import Filters, Passage
from vectorstore.lexical import LexicalIndex
from vectorstore.store import Store, StoredChunk

RRF_K = 60
# Each retriever contributes this many candidates per requested passage.
CANDIDATES_PER_K = 4
MIN_CANDIDATES = 24


class Retriever:
    """Dense + lexical retrieval over one store.

    Example:
        >>> r = Retriever(Store(Settings.from_env()))                 # doctest: +SKIP
        >>> [p.title for p in r.retrieve("G7 loan for Ukraine", k=2)]  # doctest: +SKIP
        ["Kyiv slams Putin's offer ...", ...]
    """

    def __init__(self, store: Store, lexical: LexicalIndex | None = None) -> None:
        self.store = store
        self.lexical = lexical or LexicalIndex(store)

    def retrieve(
        self, question: str, k: int = 6, where: Filters | dict[str, Any] | None = None
    ) -> list[Passage]:
        """The ``k`` best passages for ``question``, optionally filtered."""
        filters = Filters.coerce(where)
        n = max(MIN_CANDIDATES, k * CANDIDATES_PER_K)
        vector = self.store.embedder.embed_query(question)
        dense = self.store.dense_search(vector, n, filters.to_where() if filters else None)
        lexical = self.lexical.search(question, n, filters.to_lexical() if filters else None)
        return fuse([dense, lexical], k)


def fuse(rankings: list[list[tuple[StoredChunk, float]]], k: int) -> list[Passage]:
    """Reciprocal-rank fusion of ranked lists; the first list must be the dense one.

    A chunk's similarity (cosine, from the dense list) is kept on the passage so the
    answer step can tell whether anything relevant was found at all.
    """
    scores: dict[str, float] = {}
    chunks: dict[str, StoredChunk] = {}
    similarity: dict[str, float] = {}
    for number, ranking in enumerate(rankings):
        for rank, (chunk, score) in enumerate(ranking):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            chunks.setdefault(chunk.id, chunk)
            if number == 0:
                similarity[chunk.id] = score
    best = sorted(scores, key=lambda cid: scores[cid], reverse=True)[:k]
    return [Passage.from_stored(chunks[c], scores[c], similarity.get(c, 0.0)) for c in best]


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

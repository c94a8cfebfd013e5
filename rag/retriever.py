"""newsqa's retrieval as a LangChain retriever: drop it into any chain.

:class:`NewsRetriever` runs the hybrid, outlet- and date-aware search of
:class:`rag.retrieve.Retriever` and returns ``Document`` objects whose metadata says
where each passage comes from, so LangChain's own chains (``create_retrieval_chain``,
plain LCEL) can cite the article, outlet and date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.retrieve import SearchOptions, SearchResult
from rag.types import Filters, Passage
from rag.when import time_scope


def passage_document(passage: Passage) -> Document:
    """A passage as a LangChain ``Document`` (text, and where it comes from).

    >>> p = Passage("a:0", "a", "The G7 agreed.", "G7 deal", "Reuters", None, "2024-06-14", 0, 14)
    >>> passage_document(p).metadata["source"], passage_document(p).page_content
    ('Reuters', 'The G7 agreed.')
    """
    return Document(
        page_content=passage.text,
        id=passage.chunk_id,
        metadata={
            "article_id": passage.article_id,
            "title": passage.title,
            "source": passage.source,
            "url": passage.url,
            "published_at": passage.published_at,
            "chunk_id": passage.chunk_id,
            "start": passage.start,
            "end": passage.end,
            "score": passage.score,
            "similarity": passage.similarity,
        },
    )


class NewsRetriever(BaseRetriever):
    """Hybrid (dense + BM25) retrieval over the ingested news, as a LangChain retriever.

    Filters are fields (``sources``, ``after``, ``before``, ``as_of``, ``k``) and can be
    changed per call: ``retriever.invoke("G7 loan", k=3, as_of="2024-06-20")``.
    Dates in the query ("last week", "in June") count from ``as_of`` (default today);
    with ``as_of`` set, later articles are left out.

    Example:
        >>> from rag.retrieve import retriever_for                    # doctest: +SKIP
        >>> news = NewsRetriever(retriever=retriever_for(settings), k=3)  # doctest: +SKIP
        >>> docs = news.invoke("How large is the G7 loan?")           # doctest: +SKIP
        >>> docs[0].metadata["source"], docs[0].metadata["published_at"]  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # a rag.retrieve.Retriever (any object with its ``search``)
    k: int = 6
    sources: tuple[str, ...] = ()
    after: str | None = None
    before: str | None = None
    as_of: date | datetime | str | None = None
    options: SearchOptions = SearchOptions()

    def search(self, query: str, **overrides: Any) -> SearchResult:
        """The full result (passages, query plan, notes) for ``query``."""
        fields = {
            "k": self.k,
            "sources": self.sources,
            "after": self.after,
            "before": self.before,
            "as_of": self.as_of,
            **overrides,
        }
        where = Filters(tuple(fields["sources"] or ()), fields["after"], fields["before"])
        scope = time_scope(query, fields["as_of"])
        return self.retriever.search(query, int(fields["k"]), where, scope, self.options)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [passage_document(p) for p in self.search(query, **kwargs).passages]

"""``newsqa mcp``: an MCP server on stdio, for assistants that use tools.

Two tools, built with the official ``mcp`` SDK's ``MCPServer`` (what ``FastMCP`` is
called since ``mcp`` 2):

- ``search_news(query, k)``: the passages retrieved for ``query``.
- ``answer_news_question(question, as_of?)``: a cited answer.

Each returns text for the model to read (the answer with ``[n]`` markers and a
"Sources:" list, or numbered passages) and the same as structured data. While the
server runs, the SDK points the process's stdout at stderr, so stray prints and
library logs never corrupt the protocol.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import date
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import BaseModel, Field

from newsqa import __version__
from newsqa.settings import Settings
from rag.query import check_question
from ui.api_models import MAX_K
from ui.plaintext import answer_text, citation_dict, passage_dict, passages_text

INSTRUCTIONS = (
    "Answers questions about the news articles stored in newsqa. Use answer_news_question "
    "for a cited answer; quote its [n] sources. Use search_news to read passages."
)


class FoundPassage(BaseModel):
    """A retrieved passage."""

    article_id: str
    chunk_id: str
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    text: str
    score: float
    similarity: float


class SearchResults(BaseModel):
    """What ``search_news`` found."""

    query: str
    passages: list[FoundPassage]


class SourceQuote(BaseModel):
    """A citation: ``[n]`` in the answer refers to it."""

    n: int
    title: str
    outlet: str | None
    published_at: str | None
    url: str | None
    quote: str
    article_id: str
    chunk_id: str


class NewsAnswer(BaseModel):
    """What ``answer_news_question`` answered."""

    question: str
    answer: str = Field(description="The answer with [n] markers (no sources list).")
    declined: bool = Field(description="True when the articles do not cover the question.")
    citations: list[SourceQuote]
    notes: list[str]
    backend: str
    fallback_reason: str | None


class Tools:
    """The tools' work, over one lazily created :class:`~rag.answer.Answerer`."""

    def __init__(self, settings: Settings, answerer: Any = None) -> None:
        self.settings = settings
        self._answerer = answerer

    @property
    def answerer(self) -> Any:
        """The :class:`~rag.answer.Answerer`: the one given, else the shared one."""
        from rag.answer import answerer_for

        return self._answerer or answerer_for(self.settings)

    def warm_up(self) -> None:
        """Load the embedder and the index before the first call."""
        try:
            self.answerer.retriever.retrieve("warm up", 1)
        except Exception as exc:  # the first call reports the problem properly
            logging.getLogger(__name__).warning("warm-up failed: %s", exc)

    def search(self, query: str, k: int) -> CallToolResult:
        """``search_news``'s result."""
        with _told():
            query = check_question(query)
            passages = self.answerer.retriever.retrieve(query, k)
        data = SearchResults(
            query=query, passages=[FoundPassage(**passage_dict(p)) for p in passages]
        )
        text = passages_text(passages)
        return CallToolResult(
            content=[TextContent(type="text", text=text)],
            structured_content=data.model_dump(mode="json"),
        )

    def answer(self, question: str, as_of: date | None) -> CallToolResult:
        """``answer_news_question``'s result."""
        with _told():
            found = self.answerer.answer(check_question(question), as_of=as_of)
        data = NewsAnswer(
            question=found.question,
            answer=found.text,
            declined=found.declined,
            citations=[SourceQuote(**citation_dict(c)) for c in found.citations],
            notes=list(found.notes),
            backend=found.backend,
            fallback_reason=found.fallback_reason,
        )
        return CallToolResult(
            content=[TextContent(type="text", text=answer_text(found))],
            structured_content=data.model_dump(mode="json"),
        )


@contextmanager
def _told() -> Iterator[None]:
    """Failures the caller can act on (a bad question, no model, a busy store) reach
    the client with their message; others stay in the server log."""
    from rag.llm import LLMError
    from rag.model_files import ModelFileError
    from vectorstore.store import StoreError

    try:
        yield
    except (ValueError, LLMError, ModelFileError, StoreError) as exc:
        raise ToolError(str(exc)) from exc


def build_mcp(settings: Settings, answerer: Any = None) -> MCPServer:
    """The MCP server with its two tools (run it with ``.run("stdio")``).

    Example:
        >>> server = build_mcp(Settings(llm="extractive"))
        >>> server.name
        'newsqa'
    """
    tools = Tools(settings, answerer)

    @asynccontextmanager
    async def warm(_: Any) -> AsyncIterator[dict[str, Any]]:
        # Started once the transport holds stdout: loading output cannot reach the wire.
        threading.Thread(target=tools.warm_up, name="newsqa-warm-up", daemon=True).start()
        yield {}

    server = MCPServer(
        "newsqa", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING", lifespan=warm
    )

    @server.tool(
        name="search_news",
        description="Search the stored news articles: the passages best matching the query, "
        "with title, outlet, date and URL.",
    )
    def search_news(
        query: Annotated[str, Field(description="What to look for, in words.")],
        k: Annotated[int, Field(ge=1, le=MAX_K, description="How many passages.")] = 6,
    ) -> Annotated[CallToolResult, SearchResults]:
        return tools.search(query, k)

    @server.tool(
        name="answer_news_question",
        description="Answer a question from the stored news articles. Every sentence cites "
        "a verbatim quote ([n], listed under Sources:); says so when the articles do not "
        "cover it.",
    )
    def answer_news_question(
        question: Annotated[str, Field(description="The question, e.g. 'What did X say?'")],
        as_of: Annotated[
            date | None,
            Field(
                description="The day it is asked (YYYY-MM-DD, default today): "
                '"last week" counts from it; later articles are left out.'
            ),
        ] = None,
    ) -> Annotated[CallToolResult, NewsAnswer]:
        return tools.answer(question, as_of)

    return server


def serve_mcp(settings: Settings) -> int:
    """``newsqa mcp``: serve the tools on stdin/stdout until the client closes them.

    Example:
        >>> serve_mcp(Settings.from_env(llm="extractive"))  # doctest: +SKIP
    """
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    build_mcp(settings).run("stdio")
    return 0

"""Answers and passages as plain text and JSON-ready dicts, for clients that show text.

The HTTP API (:mod:`ui.api`, :mod:`ui.openai_compat`) and the MCP server
(:mod:`ui.mcp_server`) send these: the answer with its ``[n]`` markers, then a
"Sources:" list a plain chat client shows as it is::

    The G7 agreed a €46 billion loan package for Ukraine [1].

    Sources:
    [1] Kyiv slams Putin's offer — The Herald, 2024-06-14, https://herald.example/kyiv
        “The G7 agreed a €46 billion loan package.”
"""

from __future__ import annotations

from typing import Any

from rag.types import Answer, Citation, Passage

SOURCES_HEADING = "Sources:"
# Where the sources list starts in an answer's text (see :func:`answer_body`).
SOURCES_SEPARATOR = f"\n\n{SOURCES_HEADING}\n"


def citation_dict(c: Citation) -> dict[str, Any]:
    """The fields a client needs to show a citation.

    >>> c = Citation(1, "a1", "Title", "Herald", "https://h.example/a",
    ...              "2024-06-14T08:00:00+00:00", "A quote.", "a1:0", 0, 8)
    >>> citation_dict(c)["outlet"], citation_dict(c)["quote"]
    ('Herald', 'A quote.')
    """
    return {
        "n": c.n,
        "title": c.title,
        "outlet": c.source,
        "published_at": c.published_at,
        "url": c.url,
        "quote": c.quote,
        "article_id": c.article_id,
        "chunk_id": c.chunk_id,
    }


def passage_dict(p: Passage) -> dict[str, Any]:
    """A retrieved passage, JSON-ready (``score`` rounded).

    >>> p = Passage("a1:0", "a1", "Some text.", "Title", "Herald", None, None, 0, 10, 0.51234)
    >>> passage_dict(p)["score"], passage_dict(p)["outlet"]
    (0.5123, 'Herald')
    """
    return {
        "article_id": p.article_id,
        "chunk_id": p.chunk_id,
        "title": p.title,
        "outlet": p.source,
        "published_at": p.published_at,
        "url": p.url,
        "text": p.text,
        "score": round(p.score, 4),
        "similarity": round(p.similarity, 4),
    }


def _byline(title: str, outlet: str | None, published_at: str | None, url: str | None) -> str:
    meta = ", ".join(x for x in (outlet, (published_at or "")[:10], url) if x)
    return f"{title or 'Untitled'}" + (f" — {meta}" if meta else "")


def sources_block(citations: list[Citation]) -> str:
    """The "Sources:" list: one line per citation, its quote indented below.

    >>> c = Citation(1, "a1", "Loan agreed", "Herald", "https://h.example/a",
    ...              "2024-06-14T08:00:00+00:00", "The G7 agreed.", "a1:0", 0, 14)
    >>> print(sources_block([c]))
    Sources:
    [1] Loan agreed — Herald, 2024-06-14, https://h.example/a
        “The G7 agreed.”
    """
    if not citations:
        return ""
    lines = [SOURCES_HEADING]
    for c in citations:
        lines.append(f"[{c.n}] {_byline(c.title, c.source, c.published_at, c.url)}")
        lines.append(f"    “{c.quote}”")
    return "\n".join(lines)


def answer_body(answer: Answer) -> str:
    """The answer's text with its ``[n]`` markers, then its notes and, for a quoted
    fallback, why the model was not used.

    >>> print(answer_body(Answer("Q?", "It rose [1].", notes=["No BBC articles."],
    ...                          fallback_reason="the model server did not answer")))
    It rose [1].
    (No BBC articles.)
    (Quoted from the articles: the model server did not answer.)
    """
    lines = [answer.text.strip()]
    if not answer.declined:  # a decline's text already holds its notes
        lines += [f"({note.rstrip('.')}.)" for note in answer.notes]
    if answer.fallback_reason:
        lines.append(f"(Quoted from the articles: {answer.fallback_reason.rstrip('.')}.)")
    return "\n".join(lines)


def answer_text(answer: Answer) -> str:
    """What a plain chat client shows: :func:`answer_body`, then the sources list.

    >>> c = Citation(1, "a1", "Loan agreed", "Herald", None, None, "The G7 agreed.",
    ...              "a1:0", 0, 14)
    >>> print(answer_text(Answer("Q?", "The G7 agreed [1].", citations=[c])))
    The G7 agreed [1].
    <BLANKLINE>
    Sources:
    [1] Loan agreed — Herald
        “The G7 agreed.”
    """
    sources = sources_block(answer.citations)
    return answer_body(answer) + (f"\n\n{sources}" if sources else "")


def strip_sources(text: str) -> str:
    """An earlier answer without its sources list (what a follow-up question needs).

    >>> strip_sources("It rose [1].\\n\\nSources:\\n[1] T — Herald\\n    “It rose.”")
    'It rose [1].'
    """
    return text.split(SOURCES_SEPARATOR, 1)[0]


def passages_text(passages: list[Passage]) -> str:
    """Search results as numbered text: title line, then the passage indented.

    >>> p = Passage("a1:0", "a1", "Ships sail again.", "Harbour reopens", "Tide",
    ...             None, "2024-05-01", 0, 17)
    >>> print(passages_text([p]))
    [1] Harbour reopens — Tide, 2024-05-01
        Ships sail again.
    """
    if not passages:
        return "No passages found."
    blocks = []
    for i, p in enumerate(passages, start=1):
        text = " ".join(p.text.split())
        blocks.append(f"[{i}] {_byline(p.title, p.source, p.published_at, p.url)}\n    {text}")
    return "\n".join(blocks)

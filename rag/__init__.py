"""Retrieval, prompting, LLM backends, citations, and the public ``answer()``.

Example:
    >>> from rag import answer
    >>> a = answer("How large is the G7 loan package for Ukraine?")  # doctest: +SKIP
    >>> print(a.text, a.citations[0].quote)                        # doctest: +SKIP
"""

from rag.answer import Answerer, answer, answer_chain, stream_answer
from rag.retrieve import Retriever, retrieve
from rag.types import DECLINE_TEXT, Answer, Citation, Filters, Passage, Retrieval

__all__ = [
    "DECLINE_TEXT",
    "Answer",
    "Answerer",
    "Citation",
    "Filters",
    "Passage",
    "Retrieval",
    "Retriever",
    "answer",
    "answer_chain",
    "retrieve",
    "stream_answer",
]

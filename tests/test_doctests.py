"""The usage examples in docstrings run and stay true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "newsqa.settings",
    "ingest.article",
    "ingest.sentences",
    "ingest.chunking",
    "ingest.sources",
    "ingest.loaders.base",
    "ingest.loaders.text",
    "ingest.loaders.feed",
    "vectorstore.lexical",
    "rag.query",
    "rag.prompt",
    "rag.cite",
    "rag.names",
    "rag.evidence",
    "rag.eval",
    "rag.types",
    "rag.llm",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, "no examples found"
    assert result.failed == 0

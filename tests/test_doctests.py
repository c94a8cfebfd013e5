"""The usage examples in docstrings run and stay true, in every module of every package."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ["newsqa", "ingest", "vectorstore", "rag", "ui"]


def _modules() -> list[str]:
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [m.name for m in pkgutil.walk_packages(module.__path__, package + ".")]
    return sorted(names)


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_core_modules_have_examples() -> None:
    for name in ("rag.text", "rag.when", "rag.understand", "rag.outlets", "ingest.policy",
                 "rag.evidence", "rag.cite", "ingest.article", "vectorstore.lexical"):
        assert doctest.testmod(importlib.import_module(name)).attempted > 0, name

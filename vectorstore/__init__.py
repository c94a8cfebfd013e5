"""Chroma (embedded or server) with the packaged embedder, plus the lexical index."""

from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalFilter, LexicalIndex
from vectorstore.store import ArticleRecord, Store, StoredChunk, StoreError

__all__ = [
    "ArticleRecord",
    "Embedder",
    "LexicalFilter",
    "LexicalIndex",
    "Store",
    "StoreError",
    "StoredChunk",
]

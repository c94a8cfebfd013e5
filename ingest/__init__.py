"""Loading news articles from files, folders, feeds and URLs, chunking them, and
ingesting them incrementally (unchanged content is never embedded twice)."""

from ingest.article import Article
from ingest.chunking import Chunk, chunk_article
from ingest.loaders.base import Failure, LoadError
from ingest.pipeline import IngestReport, ingest
from ingest.sources import SourceOptions, iter_sources

__all__ = [
    "Article",
    "Chunk",
    "Failure",
    "IngestReport",
    "LoadError",
    "SourceOptions",
    "chunk_article",
    "ingest",
    "iter_sources",
]

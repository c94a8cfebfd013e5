"""One loader per format; each yields :class:`~ingest.article.Article` or
:class:`~ingest.loaders.base.Failure` items."""

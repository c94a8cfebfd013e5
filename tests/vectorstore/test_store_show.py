"""What `newsqa show` and retrieval read back: completeness on every chunk, the update
date, and the stored body (also for records written before bodies were kept)."""

from __future__ import annotations

import json

from ingest.article import TEASER, Article
from ingest.chunking import chunk_article
from ui.show import article_dict, article_text
from vectorstore.store import Store

BODY = (
    "The harbour authority reopened the northern quay on Monday after a week of repairs.\n"
    "Ferries to the islands will resume their normal timetable on Wednesday."
)


def teaser() -> Article:
    return Article(
        id="quay-1",
        title="Quay reopens",
        body=BODY,
        source="Coastal Times",
        url="https://coastal.example/quay",
        published_at="2024-06-14T09:00:00+02:00",
        updated_at="2024-06-15T10:00:00+02:00",
        author="Ana Ruiz",
        origin="feed.xml#entry1",
        completeness=TEASER,
    )


def test_completeness_reaches_every_chunk_and_show(store: Store) -> None:
    article = teaser()
    store.write([(article, chunk_article(article, 80))])
    chunks = store.chunks_of(["quay-1"])
    assert chunks and all(c.meta["completeness"] == TEASER for c in chunks)
    (stored,) = store.stored_articles(["quay-1", "missing"])
    assert stored.body == BODY and stored.completeness == TEASER
    assert stored.updated_at == "2024-06-15T10:00:00+02:00"
    shown = article_text(stored)
    assert "completeness: teaser only" in shown and "updated:      2024-06-15" in shown
    assert shown.endswith(BODY)
    assert json.loads(json.dumps(article_dict(stored)))["outlet"] == "Coastal Times"


def test_records_without_a_stored_body_are_rebuilt_from_chunks(store: Store) -> None:
    article = teaser()
    store.write([(article, chunk_article(article, 80))])
    got = store.articles.get(ids=["quay-1"], include=["metadatas"])
    store.articles.upsert(
        ids=["quay-1"], embeddings=[[1.0]], metadatas=got["metadatas"], documents=[""]
    )
    (stored,) = store.stored_articles(["quay-1"])
    assert stored.body.split() == BODY.split()

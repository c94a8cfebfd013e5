"""The Chroma store: registry, crash-safe write order, chunk reuse, delete, search."""

from __future__ import annotations

from ingest.article import Article
from ingest.chunking import chunk_article
from vectorstore.store import DONE, Store

BODY = (
    "The central bank raised interest rates by half a point on Tuesday. "
    "Officials said inflation remained stubbornly high.\n\n"
    "Markets fell sharply after the announcement. Bond yields rose to a 16-year high."
)


def _article(body: str = BODY, **kw: object) -> Article:
    fields: dict[str, object] = {
        "id": "bank-1",
        "title": "Bank raises rates",
        "body": body,
        "source": "Daily Ledger",
        "published_at": "2023-10-30T09:00:00+00:00",
        "url": "https://ledger.example/rates",
    }
    fields.update(kw)
    return Article(**fields)  # type: ignore[arg-type]


def test_write_registers_article_and_chunks(store: Store) -> None:
    article = _article()
    chunks = chunk_article(article, 200)
    stats = store.write([(article, chunks)])

    assert stats.embedded == len(chunks) and stats.reused == 0
    record = store.record("bank-1")
    assert record is not None
    assert record.status == DONE
    assert record.content_hash == article.content_hash
    assert record.n_chunks == len(chunks)
    stored = store.chunks_of(["bank-1"])
    assert sorted(c.id for c in stored) == sorted(c.id for c in chunks)
    for c in stored:
        assert article.body[c.meta["start"] : c.meta["end"]] == c.text
        assert c.meta["source"] == "Daily Ledger"
        assert c.meta["published_ts"] == article.published_ts


def test_rewrite_reuses_unchanged_embeddings_and_drops_stale_chunks(store: Store) -> None:
    first = _article()
    old_chunks = chunk_article(first, 120)
    store.write([(first, old_chunks)])
    embedded_before = store.embedder.texts_embedded

    edited = _article(body=BODY.replace("16-year high", "record high"))
    new_chunks = chunk_article(edited, 120)
    unchanged = {c.hash for c in old_chunks} & {c.hash for c in new_chunks}
    assert unchanged, "the edit touches only the last chunk"
    stats = store.write([(edited, new_chunks)])

    assert stats.reused == len(unchanged)
    assert stats.embedded == len(new_chunks) - len(unchanged)
    assert store.embedder.texts_embedded - embedded_before == stats.embedded
    stored = {c.id: c.text for c in store.chunks_of(["bank-1"])}
    assert stored == {c.id: c.text for c in new_chunks}

    shorter = _article(body=BODY.split("\n\n")[0])
    store.write([(shorter, chunk_article(shorter, 120))])
    assert sorted(c.id for c in store.chunks_of(["bank-1"])) == ["bank-1:0"]


def test_lookup_find_hashes_and_delete(store: Store) -> None:
    article = _article()
    store.write([(article, chunk_article(article, 200))])

    assert store.lookup(["bank-1", "nope"])["bank-1"].content_hash == article.content_hash
    assert "nope" not in store.lookup(["bank-1", "nope"])
    assert store.find_hashes([article.content_hash]) == {article.content_hash: "bank-1"}

    revision = store.revision()
    assert store.delete("bank-1") is True
    assert store.revision() != revision
    assert store.record("bank-1") is None
    assert store.chunks_of(["bank-1"]) == []
    assert store.delete("bank-1") is False


def test_dense_search_respects_filters(store: Store) -> None:
    a = _article()
    b = _article(id="bank-2", source="Other Post", published_at="2023-12-01T00:00:00+00:00")
    store.write([(a, chunk_article(a, 200)), (b, chunk_article(b, 200))])
    vector = store.embedder.embed_query("interest rates inflation")

    hits = store.dense_search(vector, 10)
    assert {h.article_id for h, _ in hits} == {"bank-1", "bank-2"}
    assert all(-1.0 <= s <= 1.0 for _, s in hits)

    only_other = store.dense_search(vector, 10, {"source": {"$in": ["Other Post"]}})
    assert {h.article_id for h, _ in only_other} == {"bank-2"}


def test_stats_and_langchain_view(store: Store) -> None:
    article = _article()
    store.write([(article, chunk_article(article, 200))])
    stats = store.stats()
    assert stats["articles"] == 1
    assert stats["chunks"] == len(chunk_article(article, 200))
    assert stats["outlets"] == 1

    docs = store.langchain().similarity_search("bond yields", k=1)
    assert "yields" in docs[0].page_content


def test_a_second_store_object_sees_writes(store: Store, make_store: object) -> None:
    article = _article()
    store.write([(article, chunk_article(article, 200))])
    other: Store = make_store()  # type: ignore[operator]
    assert other.record("bank-1") is not None

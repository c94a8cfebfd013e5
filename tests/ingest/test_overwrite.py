"""What may replace a stored article, against the real store (issue: ordinary use must
never lose or corrupt an article). Each test reproduces a red-team finding."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from ingest_helpers import WebServer, long_paragraphs, page
from test_loaders_feed import item, rss

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from newsqa.settings import Settings
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = pytest.mark.slow

FULL_TEXT = long_paragraphs(4, "the ferry strike")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _only_id(store: Store) -> str:
    (record,) = list(store.iter_records())
    return record.id


def test_a_failed_full_text_fetch_never_downgrades_the_stored_article(
    tmp_path: Path, web: WebServer, store: Store, options: SourceOptions
) -> None:
    body = "\n".join(f"<p>{p}</p>" for p in FULL_TEXT)
    link = web.add("/news/ferry", page(canonical=None, paragraphs=FULL_TEXT))
    feed = _write(tmp_path / "f.rss", rss([item("Ferry strike", link, summary="Teaser only.")]))
    first = ingest([str(feed)], store, options)
    assert len(first.added) == 1 and not first.failed
    aid = _only_id(store)
    stored = store.record(aid)
    assert stored is not None and stored.chars > 900
    assert body  # the page served the full text

    web.add("/news/ferry", "down for maintenance", status=503)
    second = ingest([str(feed)], store, options)
    assert not second.updated and len(second.failed) == 1
    reason = second.failed[0].reason
    assert "summary" in reason and f"{stored.chars:,}" in reason and "503" in reason
    after = store.record(aid)
    assert after is not None and after.content_hash == stored.content_hash
    assert after.chars == stored.chars
    assert sum(len(c.text) for c in store.chunks_of([aid])) > 900


def test_a_feed_from_elsewhere_cannot_overwrite_a_stored_page(
    tmp_path: Path, web: WebServer, store: Store, options: SourceOptions
) -> None:
    url = web.add("/news/bridge", page(canonical=None))
    assert ingest([url], store, options).added
    aid = _only_id(store)
    original = store.record(aid)
    assert original is not None

    description = ("The bridge was sold to a private buyer overnight, the mayor said. " * 12)[:770]
    hostile = rss([item("Bridge sold", url + "?utm_source=x#frag", summary=description)], "BBC News")
    feed = _write(tmp_path / "bbc.rss", hostile)
    report = ingest([str(feed)], store, options)
    assert not report.updated and not report.added
    (failure,) = report.failed
    assert url in failure.reason and str(feed.resolve()) in failure.reason
    assert web.hits["/news/bridge"] == 1  # the long description was not even fetched over
    kept = store.record(aid)
    assert kept is not None and kept.content_hash == original.content_hash
    assert kept.source == original.source

    # Accepted on request: the replacement is listed, and the old version can come back.
    forced = ingest([str(feed)], store, options, replace=True)
    assert forced.updated == [aid]
    (replaced,) = forced.replaced
    assert replaced[0] == aid and replaced[2] == original.chars
    assert replaced[3] == len(description.strip())
    assert store.record(aid).source == "BBC News"  # type: ignore[union-attr]
    (version,) = store.history(aid)
    assert version.record.content_hash == original.content_hash
    store.restore(aid)
    restored = store.record(aid)
    assert restored is not None and restored.content_hash == original.content_hash
    assert restored.source == original.source
    assert [v.record.source for v in store.history(aid)] == ["BBC News"]


def test_a_record_claiming_a_stored_id_from_another_file_is_refused(
    tmp_path: Path, store: Store
) -> None:
    body = " ".join(FULL_TEXT)
    ours = _write(tmp_path / "ours.jsonl", json.dumps({"id": "story-1", "title": "Ferry", "body": body}))
    assert ingest([str(ours)], store).added == ["story-1"]
    theirs = _write(
        tmp_path / "theirs.jsonl", json.dumps({"id": "story-1", "title": "Fake", "body": body + " X."})
    )
    report = ingest([str(theirs)], store)
    assert not report.updated and "ours.jsonl" in report.failed[0].reason
    assert store.record("story-1").title == "Ferry"  # type: ignore[union-attr]
    # The file that stored it may still correct it.
    _write(ours, json.dumps({"id": "story-1", "title": "Ferry (corrected)", "body": body}))
    assert ingest([str(ours)], store).updated == ["story-1"]


@pytest.fixture(params=["embedded", "server"])
def any_store(request: pytest.FixtureRequest, store: Store, embedder: Embedder) -> Store:
    """The embedded store, and a store on a real `chroma run` server."""
    if request.param == "embedded":
        return store
    url = request.getfixturevalue("chroma_server")
    home = request.getfixturevalue("tmp_path") / "srv"
    return Store(Settings(home=home, chroma_url=url, collection="meta_" + uuid.uuid4().hex[:8]), embedder)


def test_metadata_removed_on_reingest_is_removed_everywhere(tmp_path: Path, any_store: Store) -> None:
    store = any_store
    body = " ".join(FULL_TEXT)
    full = {
        "id": "story-1",
        "title": "Ferry strike ends",
        "body": body,
        "source": "Reuters",
        "published_at": "2024-01-05",
        "author": "A. Writer",
        "url": "https://www.reuters.com/ferry",
    }
    records = _write(tmp_path / "r.jsonl", json.dumps(full))
    ingest([str(records)], store)
    assert store.dense_search([0.1] * 384, 5, where={"source": "Reuters"})

    bare = {"id": "story-1", "title": "Ferry strike ends", "body": body}
    _write(records, json.dumps(bare))
    assert ingest([str(records)], store).updated == ["story-1"]
    record = store.record("story-1")
    assert record is not None
    assert (record.source, record.published_at, record.author, record.url) == (None,) * 4
    for chunk in store.chunks_of(["story-1"]):
        for key in ("source", "published_at", "published_ts", "url"):
            assert key not in chunk.meta, (key, chunk.meta)
    assert store.dense_search([0.1] * 384, 5, where={"source": "Reuters"}) == []

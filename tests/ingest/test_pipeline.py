"""The ingest pipeline against the real Chroma store and the real MiniLM embedder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ingest_helpers import SEED_FILE, WebServer, long_paragraphs, page

from ingest.article import Article
from ingest.chunking import DEFAULT_CHUNK_CHARS, chunk_article
from ingest.pipeline import IngestReport, Progress, ingest
from ingest.sources import SourceOptions, iter_sources
from vectorstore.store import DONE, Store

SEEDS = SEED_FILE.parent

# Every test here embeds with the real MiniLM model (the first one also loads it).
pytestmark = pytest.mark.slow


def _only_article(path: Path) -> Article:
    (article,) = [a for a in iter_sources([str(path)], SourceOptions()) if isinstance(a, Article)]
    return article


def _stored(store: Store, article_id: str) -> dict[str, str]:
    return {c.id: c.text for c in store.chunks_of([article_id])}


def _assert_store_holds(
    store: Store, article: Article, chunk_chars: int = DEFAULT_CHUNK_CHARS
) -> None:
    """The store has exactly this version's chunks, and its registry agrees."""
    expected = chunk_article(article, chunk_chars)
    stored = store.chunks_of([article.id])
    assert {c.id: c.text for c in stored} == {c.id: c.text for c in expected}
    for chunk in stored:
        start, end = chunk.meta["start"], chunk.meta["end"]
        assert article.body[start:end] == chunk.text
        assert chunk.meta["hash"] == next(c.hash for c in expected if c.id == chunk.id)
    record = store.record(article.id)
    assert record is not None
    assert record.status == DONE
    assert record.content_hash == article.content_hash
    assert record.n_chunks == len(expected)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A private copy of seeds/ (tests edit it; the repository's copy is never touched)."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    return folder


def test_first_and_second_ingest_of_the_seeds(store: Store) -> None:
    seed = _only_article(SEED_FILE)
    first = ingest([str(SEEDS)], store)
    assert first.added == [seed.id]
    assert (first.updated, first.unchanged, first.duplicates, first.failed) == ([], [], [], [])
    assert first.skipped == []  # README.md is not an article and not worth a mention
    n_chunks = len(chunk_article(seed, DEFAULT_CHUNK_CHARS))
    assert first.chunks_written == n_chunks == first.chunks_embedded
    assert first.embedding_batches == 1 and first.ok
    _assert_store_holds(store, seed)
    assert store.stats()["articles"] == 1 and store.stats()["chunks"] == n_chunks

    embedded_before = store.embedder.texts_embedded
    revision = store.revision()
    second = ingest([str(SEEDS)], store)
    assert (second.added, second.updated, second.unchanged) == ([], [], [seed.id])
    assert second.embedding_batches == 0
    assert second.chunks_embedded == 0 and second.chunks_written == 0
    assert store.embedder.texts_embedded == embedded_before
    assert store.revision() == revision  # nothing was written
    assert second.summary().startswith("added 0, updated 0, unchanged 1, failed 0")


def test_edit_replaces_every_chunk(store: Store, seed_copy: Path) -> None:
    path = seed_copy / SEED_FILE.name
    original = _only_article(path)
    assert ingest([str(seed_copy)], store).added == [original.id]
    old_ids = set(_stored(store, original.id))

    # keep the headline, replace the body with two short new paragraphs
    headline = path.read_text(encoding="utf-8").splitlines()[0]
    new_body = long_paragraphs(2, "the ceasefire talks")
    path.write_text(headline + "\n\n" + "\n\n".join(new_body) + "\n", encoding="utf-8")
    edited = _only_article(path)
    assert edited.id == original.id and edited.content_hash != original.content_hash

    report = ingest([str(seed_copy)], store)
    assert (report.added, report.updated, report.unchanged) == ([], [original.id], [])
    _assert_store_holds(store, edited)
    stored = _stored(store, original.id)
    stale = old_ids - set(stored)
    assert stale, "the shorter body has fewer chunks"
    assert store.get_chunks(sorted(stale)) == []  # no stale chunk is left behind
    assert store.stats()["chunks"] == len(stored)
    assert all("Putin" not in text for text in stored.values())
    assert store.stats()["articles"] == 1


def test_partial_edit_reuses_unchanged_embeddings(store: Store, seed_copy: Path) -> None:
    path = seed_copy / SEED_FILE.name
    original = _only_article(path)
    ingest([str(seed_copy)], store)
    old_chunks = chunk_article(original, DEFAULT_CHUNK_CHARS)
    assert len(old_chunks) >= 3

    # change one word in the last paragraph
    text = path.read_text(encoding="utf-8")
    last_word = old_chunks[-1].text.split()[-3]
    position = text.rindex(last_word)
    path.write_text(text[:position] + "CHANGED" + text[position + len(last_word) :], "utf-8")
    edited = _only_article(path)

    embedded_before = store.embedder.texts_embedded
    report = ingest([str(seed_copy)], store)
    assert report.updated == [original.id]
    assert report.chunks_reused > 0
    assert (
        report.chunks_embedded
        < report.chunks_written
        == len(chunk_article(edited, DEFAULT_CHUNK_CHARS))
    )
    assert report.chunks_embedded + report.chunks_reused == report.chunks_written
    assert store.embedder.texts_embedded - embedded_before == report.chunks_embedded
    _assert_store_holds(store, edited)
    assert any("CHANGED" in t for t in _stored(store, original.id).values())


def test_same_content_under_another_id_is_a_duplicate(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    shutil.copy(SEED_FILE, folder / "a.txt")
    shutil.copy(SEED_FILE, folder / "b.txt")
    first, second = (_only_article(folder / name) for name in ("a.txt", "b.txt"))
    assert first.id != second.id and first.content_hash == second.content_hash

    report = ingest([str(folder)], store)
    assert report.added == [first.id]
    assert report.duplicates == [(second.id, first.id)]
    assert store.record(second.id) is None and store.chunks_of([second.id]) == []
    assert store.stats()["articles"] == 1
    assert f"duplicate: {second.id} has the same content as {first.id}" in report.details()

    # in a later run, against what is stored
    shutil.copy(SEED_FILE, folder / "c.txt")
    third = _only_article(folder / "c.txt")
    later = ingest([str(folder / "c.txt")], store)
    assert later.duplicates == [(third.id, first.id)] and later.added == []
    assert store.stats()["articles"] == 1


def test_delete_removes_the_article_and_every_chunk(store: Store, seed_copy: Path) -> None:
    seed = _only_article(seed_copy / SEED_FILE.name)
    ingest([str(seed_copy)], store)
    assert store.chunks_of([seed.id])
    assert store.delete(seed.id) is True
    assert store.record(seed.id) is None
    assert store.chunks_of([seed.id]) == []
    assert store.lookup([seed.id]) == {}
    assert store.stats()["chunks"] == 0 and store.stats()["articles"] == 0
    assert store.delete(seed.id) is False
    # after a delete the article is new again, and not a duplicate of itself
    report = ingest([str(seed_copy)], store)
    assert report.added == [seed.id] and report.duplicates == []
    _assert_store_holds(store, seed)


def test_mixed_batch_ingests_the_good_and_lists_each_failure(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text("Good headline\n" + "\n".join(long_paragraphs(1)), "utf-8")
    (folder / "good.md").write_text("# Markdown headline\n\nA *short* body.", "utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "broken.html").write_text("<html><body><div", "utf-8")
    (folder / "slides.pptx").write_bytes(b"PK")
    records = [{"id": "r1", "title": "Record one", "body": "Body one."}, {"title": "no body"}]
    (folder / "records.json").write_text(json.dumps(records), "utf-8")
    missing = tmp_path / "missing.txt"

    report = ingest([str(folder), str(missing)], store)
    assert len(report.added) == 3 and "r1" in report.added
    assert {store.record(i).title for i in report.added} == {  # type: ignore[union-attr]
        "Good headline",
        "Markdown headline",
        "Record one",
    }
    failures = {Path(f.origin).name: f.reason for f in report.failed}
    assert failures == {
        "empty.txt": "the file is empty",
        "image.txt": "this is a binary file, not text",
        "broken.html": "no article text found in the HTML",
        "records.json[2]": "record has no 'body' or 'text'",
        "missing.txt": "no such file or directory",
    }
    assert [Path(s.origin).name for s in report.skipped] == ["slides.pptx"]
    assert not report.ok
    assert report.summary().startswith("added 3, updated 0, unchanged 0, failed 5, skipped 1")
    details = report.details()
    assert f"failed: {folder / 'empty.txt'}: the file is empty" in details
    assert f"skipped: {folder / 'slides.pptx'}: unsupported file type .pptx" in details
    as_dict = report.to_dict()
    assert len(as_dict["failed"]) == 5  # type: ignore[arg-type]
    json.dumps(as_dict)  # JSON-ready


def test_same_id_with_other_content_in_one_run_is_not_dropped_silently(
    store: Store, tmp_path: Path
) -> None:
    records = [
        {"id": "same", "title": "First", "body": "First body."},
        {"id": "same", "title": "First", "body": "First body."},
        {"id": "same", "title": "Second", "body": "Different body."},
    ]
    path = tmp_path / "clash.json"
    path.write_text(json.dumps(records), "utf-8")
    report = ingest([str(path)], store)
    assert report.added == ["same"] and report.unchanged == ["same"]
    (failure,) = report.failed
    assert failure.origin == f"{path}[3]"
    assert "already used in this run" in failure.reason and f"{path}[1]" in failure.reason
    assert store.record("same").title == "First"  # type: ignore[union-attr]


def test_many_records_across_lookup_and_write_batches(store: Store, tmp_path: Path) -> None:
    records = [
        {"id": f"n{i:03d}", "title": f"Note {i}", "body": f"Short note number {i}."}
        for i in range(70)
    ]
    records.append({"id": "copy", "title": "Note 3", "body": "Short note number 3."})
    path = tmp_path / "notes.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records), "utf-8")
    events: list[Progress] = []
    report = ingest([str(path)], store, on_progress=events.append)
    assert len(report.added) == 70 and report.duplicates == [("copy", "n003")]
    assert [e.done for e in events] == list(range(1, 72))
    assert store.stats()["articles"] == 70 and store.stats()["chunks"] == 70

    again = ingest([str(path)], store)
    assert len(again.unchanged) == 70 and again.duplicates == [("copy", "n003")]
    assert again.embedding_batches == 0


def test_feed_warning_reaches_the_report(
    store: Store, web: WebServer, tmp_path: Path, options: SourceOptions
) -> None:
    good = web.add("/news/bridge", page(canonical=None))
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Coastal Times</title>
<item><title>Bridge reopens</title><link>{good}</link><description>Teaser.</description></item>
<item><title>Gone</title><link>{web.url("/gone")}</link><description>Kept summary.</description>
</item></channel></rss>"""
    path = tmp_path / "feed.rss"
    path.write_text(feed, "utf-8")
    report = ingest([str(path)], store, options)
    assert len(report.added) == 2 and report.failed == []
    ((article_id, warning),) = report.warnings
    assert store.record(article_id).title == "Gone"  # type: ignore[union-attr]
    assert "summary only" in warning and "HTTP 404" in warning
    assert any(line.startswith(f"warning: {article_id}: summary only") for line in report.details())
    bridge_id = next(i for i in report.added if i != article_id)
    record = store.record(bridge_id)
    assert record is not None and record.source == "Coastal Times"
    assert store.chunks_of([bridge_id])[0].text.startswith("The Harbour Bridge reopened")


def test_empty_report() -> None:
    report = IngestReport()
    assert report.ok and report.details() == []
    assert report.summary().startswith("added 0, updated 0, unchanged 0, failed 0 (0 chunks")

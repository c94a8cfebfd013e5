"""Story ids at ingest: a wire story from several outlets is stored once per outlet and
grouped; the signature index persists, follows other processes and forgets deletes."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace

from ingest.article import Article
from ingest.chunking import chunk_article
from ingest.pipeline import ingest
from tests.ingest.ingest_helpers import DEV_ARTICLES
from vectorstore.check import check_store
from vectorstore.store import Store


def corpus(n: int) -> list[Article]:
    out = []
    with DEV_ARTICLES.open(encoding="utf-8") as stream:
        for line in stream:
            row = json.loads(line)
            out.append(
                Article(
                    id=row["id"],
                    title=row["title"],
                    body=row["body"],
                    source=row["source"],
                    published_at=row["published_at"],
                    origin=f"test:{row['id']}",
                )
            )
            if len(out) == n:
                break
    return out


def copy_of(article: Article, outlet: str, day: str) -> Article:
    """The same wire story as another outlet publishes it."""
    paragraphs = [p for p in article.body.split("\n") if p.strip()]
    body = "\n".join(paragraphs[: len(paragraphs) - len(paragraphs) // 6])
    return replace(
        article,
        id=f"{article.id}-{outlet.lower()}",
        title=f"{article.title} (report)",
        body=f"{body}\nThis story was first published by a wire service.",
        source=outlet,
        published_at=f"{day}T10:00:00+00:00",
        origin=f"test:{outlet}",
    )


def write(store: Store, *articles: Article) -> None:
    store.write([(a, chunk_article(a, store.settings.chunk_chars)) for a in articles])


def test_copies_share_the_story_id_in_registry_and_chunks(store: Store) -> None:
    original, other = corpus(2)
    late, early = (
        copy_of(original, "Herald", "2023-12-30"),
        copy_of(original, "Ledger", "2000-01-01"),
    )
    report = ingest([], store, loaded=[original, other, late, early])
    assert len(report.added) == 4  # one stored article per outlet

    records = {r.id: r for r in store.iter_records()}
    assert records[original.id].story_id == original.id
    assert records[late.id].story_id == original.id and records[early.id].story_id == original.id
    assert records[other.id].story_id == other.id
    chunks = store.chunks_of([late.id, other.id])
    assert {c.meta["story_id"] for c in chunks if c.article_id == late.id} == {original.id}
    assert {c.meta["story_id"] for c in chunks if c.article_id == other.id} == {other.id}

    members = store.story_members([original.id, other.id, "no-such-story"])
    assert set(members) == {original.id, other.id}
    # Earliest published first (the original is from 2023-11).
    assert [r.id for r in members[original.id]] == [early.id, original.id, late.id]
    assert [r.source for r in members[other.id]] == [other.source]
    assert check_store(store).ok


def test_an_updated_article_keeps_its_story(store: Store) -> None:
    (original,) = corpus(1)
    copy = copy_of(original, "Herald", "2023-12-30")
    write(store, original, copy)
    edited = replace(copy, body=copy.body + "\nUpdated with a correction.")
    write(store, edited)
    record = store.record(copy.id)
    assert record is not None and record.story_id == original.id


def test_the_index_persists_and_follows_other_processes(
    store: Store, make_store: Callable[..., Store]
) -> None:
    first, second = corpus(2)
    write(store, first)
    other_process = make_store()  # loads the signatures from the collection
    write(other_process, copy_of(first, "Herald", "2023-12-30"), second)
    # The first store's index was loaded before the other process wrote: it catches up.
    write(store, copy_of(second, "Ledger", "2023-12-31"))
    assert store.record(f"{second.id}-ledger").story_id == second.id  # type: ignore[union-attr]
    assert other_process.record(f"{first.id}-herald").story_id == first.id  # type: ignore[union-attr]
    restarted = make_store()
    write(restarted, copy_of(first, "Courier", "2024-01-02"))
    assert restarted.record(f"{first.id}-courier").story_id == first.id  # type: ignore[union-attr]
    assert len(restarted.story_index().matcher) == 5


def test_a_deleted_article_is_forgotten(store: Store, make_store: Callable[..., Store]) -> None:
    (original,) = corpus(1)
    write(store, original)
    assert store.delete(original.id)
    assert store.stories.count() == 0
    copy = copy_of(original, "Herald", "2023-12-30")
    write(make_store(), copy)
    assert store.record(copy.id).story_id == copy.id  # type: ignore[union-attr]


def test_articles_stored_before_story_ids_are_signed_on_first_write(
    store: Store, make_store: Callable[..., Store]
) -> None:
    (legacy,) = corpus(1)
    write(store, legacy)
    # As a store written before story grouping: no signature, no story id in metadata.
    store.stories.delete(ids=[legacy.id])
    meta = store.articles.get(ids=[legacy.id], include=["metadatas"])["metadatas"][0]
    store.articles.update(ids=[legacy.id], metadatas=[{**meta, "story_id": None}])
    assert store.record(legacy.id).story_id == legacy.id  # type: ignore[union-attr]

    upgraded = make_store()
    copy = copy_of(legacy, "Herald", "2023-12-30")
    write(upgraded, copy)
    assert upgraded.record(copy.id).story_id == legacy.id  # type: ignore[union-attr]
    members = upgraded.story_members([legacy.id])
    assert {r.id for r in members[legacy.id]} == {legacy.id, copy.id}

"""``newsqa check``: each kind of damage is found, named, and repaired.

Damage is made by hand in a real embedded store (what a crash, a full disk or a
tampering tool could leave); ``check`` must list it with exit code 1, ``--repair`` must
fix it (exit 0), and a re-ingest must restore what a repair had to drop.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from tests.reliability.rel_corpus import CHUNK_CHARS, articles, rel_settings, write_records
from ui.cli import main
from vectorstore.check import check_store
from vectorstore.embeddings import Embedder
from vectorstore.lexical import LexicalIndex
from vectorstore.store import DELETING, PENDING, Store

pytestmark = pytest.mark.slow  # embeds with the real model


@pytest.fixture
def filled(tmp_path: Path, embedder: Embedder) -> tuple[Store, Path]:
    """A store holding 12 articles of the reliability corpus, and its corpus file."""
    corpus = write_records(tmp_path / "corpus.jsonl", articles()[:12])
    store = Store(rel_settings(tmp_path / "home"), embedder)
    report = ingest([str(corpus)], store, SourceOptions(), CHUNK_CHARS)
    assert len(report.added) == 12
    return store, corpus


def _set_status(store: Store, article_id: str, status: str) -> None:
    got = store.articles.get(ids=[article_id], include=["metadatas"])
    meta = {**got["metadatas"][0], "status": status}
    store.articles.update(ids=[article_id], metadatas=[meta])


def test_a_clean_store_passes(
    filled: tuple[Store, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store, _ = filled
    report = check_store(store)
    assert report.ok and report.problems == [] and report.articles == 12
    assert main(["--home", str(store.settings.home), "check"]) == 0
    assert "ok: no problems found" in capsys.readouterr().out


def test_every_kind_of_damage_is_found_then_repaired(
    filled: tuple[Store, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    store, corpus = filled
    home = str(store.settings.home)
    ids = [f"rel-{n:03d}" for n in range(12)]
    chunks = {c.id: c for c in store.iter_chunks()}
    # orphan: the entry is gone, its chunks stay
    store.articles.delete(ids=[ids[0]])
    # stray: a chunk beyond the article's count
    extra = chunks[f"{ids[1]}:0"]
    vector = store.chunks.get(ids=[extra.id], include=["embeddings"])["embeddings"][0]
    store.chunks.add(
        ids=[f"{ids[1]}:7"], embeddings=[vector], documents=[extra.text], metadatas=[extra.meta]
    )
    _set_status(store, ids[2], DELETING)  # a delete that stopped half-way
    _set_status(store, ids[3], PENDING)  # a write that stopped half-way
    store.chunks.delete(ids=[f"{ids[4]}:1"])  # a finished article missing a chunk
    tampered = f"{ids[5]}:0"  # text changed behind the store's back: hash mismatch
    same = store.chunks.get(ids=[tampered], include=["embeddings"])["embeddings"]
    store.chunks.update(ids=[tampered], documents=["Tampered text."], embeddings=same)
    stale = {**chunks[f"{ids[6]}:0"].meta, "title": "Another title"}
    store.chunks.update(ids=[f"{ids[6]}:0"], metadatas=[stale])
    store._mark_write(open_=True)  # a writer died before publishing its revision

    assert main(["--home", home, "check", "--json"]) == 1
    found = json.loads(capsys.readouterr().out)
    kinds = {(p["kind"], p["article_id"]) for p in found["problems"]}
    assert kinds == {
        ("orphan_chunks", ids[0]),
        ("stray_chunks", ids[1]),
        ("interrupted_delete", ids[2]),
        ("incomplete", ids[3]),
        ("missing_chunks", ids[4]),
        ("hash_mismatch", ids[5]),
        ("stale_metadata", ids[6]),
        ("interrupted_write", None),
    }
    assert not found["ok"]
    # the sources to ingest again are named (origin = file:line)
    assert all(o.startswith(str(corpus)) for o in found["reingest"]) and len(found["reingest"]) == 4

    assert main(["--home", home, "check", "--repair"]) == 0
    out = capsys.readouterr().out
    assert "repaired: dropped the half-written article: ingest its source again" in out
    assert "ingest these sources again:" in out and "ok: the store is consistent now" in out
    after = check_store(store)
    assert after.ok and after.articles == 6  # orphan, deleting, pending, missing, hash, stale
    assert {c.id for c in store.iter_chunks()}.isdisjoint({f"{ids[0]}:0", f"{ids[1]}:7"})

    again = ingest([str(corpus)], store, SourceOptions(), CHUNK_CHARS)
    assert sorted(again.added) == sorted([ids[0], ids[2], ids[3], ids[4], ids[5], ids[6]])
    assert check_store(store).ok and check_store(store).articles == 12


def test_writer_killed_before_publishing_is_seen_by_lexical_readers_after_recovery(
    tmp_path: Path, embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that marked its articles done but died before bumping the revision
    token would stay invisible to every lexical cache; the next writer publishes it."""
    store = Store(rel_settings(tmp_path / "home"), embedder)
    records = articles()[:4]
    ingest(
        [str(write_records(tmp_path / "a.jsonl", records[:2]))], store, SourceOptions(), CHUNK_CHARS
    )
    reader = LexicalIndex(store)
    reader.refresh()
    assert reader.count() > 0
    before = reader.count()

    def die(self: Store) -> None:
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(Store, "_bump_revision", die)
    with pytest.raises(KeyboardInterrupt):
        ingest(
            [str(write_records(tmp_path / "b.jsonl", records[2:]))],
            store,
            SourceOptions(),
            CHUNK_CHARS,
        )
    monkeypatch.undo()
    assert all(r.status == "done" for r in store.iter_records())
    assert reader.refresh() is False and reader.count() == before  # stale: same token
    problems = check_store(store).problems
    assert [p.kind for p in problems] == ["interrupted_write"]
    # the next writer (any ingest, even of nothing new) publishes the revision
    ingest([str(tmp_path / "a.jsonl")], store, SourceOptions(), CHUNK_CHARS)
    assert reader.refresh() is True and reader.count() > before
    assert check_store(store).ok

"""Server mode: a real `chroma run` started by the test, shared by two store objects."""

from __future__ import annotations

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from newsqa.settings import Settings
from rag.retrieve import Retriever
from tests.conftest import SEEDS, free_port
from vectorstore.embeddings import Embedder
from vectorstore.store import Store, StoreError

pytestmark = pytest.mark.slow


def test_ingest_and_retrieve_through_chroma_server(
    chroma_server: str, embedder: Embedder, tmp_path: object
) -> None:
    settings = Settings(home=tmp_path / "a", chroma_url=chroma_server, collection="srv")  # type: ignore[operator]
    writer = Store(settings, embedder)
    report = ingest([str(SEEDS)], writer, SourceOptions())
    assert len(report.added) == 1 and report.ok

    # A second process (own data dir, own lexical cache) sees the same store.
    reader_settings = settings.with_(home=tmp_path / "b")  # type: ignore[operator]
    reader = Retriever(Store(reader_settings, embedder))
    passages = reader.retrieve("G7 loan package for Ukraine", k=3)
    assert any("46 billion" in p.text for p in passages)
    assert reader.store.stats()["articles"] == 1

    again = ingest([str(SEEDS)], Store(reader_settings, embedder), SourceOptions())
    assert again.unchanged == report.added and again.embedding_batches == 0


def test_unreachable_server_names_the_url(embedder: Embedder, tmp_path: object) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    store = Store(Settings(home=tmp_path, chroma_url=url), embedder)  # type: ignore[arg-type]
    with pytest.raises(StoreError) as error:
        store.stats()
    assert url in str(error.value)

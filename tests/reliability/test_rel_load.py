"""Load: 20 simulated users for 2 minutes on the extractive backend, 4 for a minute on
the default local model, against a real ``newsqa chat`` process over loopback.

Zero errors are required; p50/p95 latency and throughput are printed and written as
JSON (``load_results.json`` in the test's temporary directory). The server runs with
``NEWSQA_CONCURRENCY=2`` (two answers at a time on two cores, up to 128 waiting).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from tests.conftest import SEEDS, free_port
from tests.reliability.rel_app import client
from tests.reliability.rel_corpus import CHUNK_CHARS, articles, rel_settings, write_records
from tests.reliability.rel_load import LoadResult, run_load
from tests.ui.ui_helpers import Server, server_env, start_server
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

EXTRACTIVE_USERS, EXTRACTIVE_SECONDS = 20, 120.0
LOCAL_USERS, LOCAL_SECONDS = 4, 60.0
CONCURRENCY = 2
_SENTENCE = re.compile(r"([A-Z]\w+ [A-Z]\w+) said the ([\w ]+?) in ([\w ]+?) would (\w+)")


def _questions() -> list[str]:
    out = ["How large is the G7 loan package for Ukraine?", "Who won the 2022 World Cup?"]
    for record in articles():
        person, thing, place, verb = _SENTENCE.match(record["body"]).groups()  # type: ignore[union-attr]
        out.append(f"How many people would the {thing} in {place} {verb}, says {person}?")
    return out


@pytest.fixture(scope="module")
def load_server(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder, default_gguf_path: Path
) -> Iterator[Server]:
    """``newsqa chat`` over the 100-article corpus and the seed, default model warm."""
    root = tmp_path_factory.mktemp("load")
    home = root / "home"
    store = Store(rel_settings(home), embedder)
    corpus = write_records(root / "corpus.jsonl", articles())
    assert len(ingest([str(corpus), str(SEEDS)], store, SourceOptions(), CHUNK_CHARS).added) == 101
    port = free_port()
    env = server_env(
        home,
        NEWSQA_LLM="local",
        NEWSQA_GGUF=str(default_gguf_path),
        NEWSQA_CONCURRENCY=str(CONCURRENCY),
    )
    server = start_server(
        [sys.executable, "-m", "ui.cli", "chat", "--port", str(port)], home, root / "chat.log", env
    )
    try:
        warm = client(server.url)
        deadline = time.monotonic() + 300
        while "warming up" in str(warm.predict("local", api_name="/while_warming")[0]):
            assert time.monotonic() < deadline, server.output()
            time.sleep(1)
        yield server
    finally:
        server.stop()


def _report(result: LoadResult, out: Path) -> dict[str, Any]:
    data = result.to_dict()
    path = out / "load_results.json"
    existing = json.loads(path.read_text()) if path.exists() else {}
    existing[result.backend] = data
    path.write_text(json.dumps(existing, indent=2))
    print(
        f"\nload {result.backend}: {result.users} users, {result.seconds:.0f} s, "
        f"{result.answers} answers ({result.declined} declined), {len(result.errors)} errors, "
        f"p50 {result.p50:.2f} s, p95 {result.p95:.2f} s, "
        f"{result.throughput:.2f} answers/s -> {path}"
    )
    return data


def test_20_users_for_2_minutes_on_the_extractive_backend(
    load_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_load(
        load_server.url, _questions(), EXTRACTIVE_USERS, EXTRACTIVE_SECONDS, "extractive"
    )
    _report(result, tmp_path_factory.getbasetemp())
    assert result.errors == [], result.errors[:5]
    assert result.answers >= EXTRACTIVE_USERS, "every user got answers"


def test_4_users_for_a_minute_on_the_default_model(
    load_server: Server, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = run_load(
        load_server.url, _questions(), LOCAL_USERS, LOCAL_SECONDS, "local", timeout=600
    )
    _report(result, tmp_path_factory.getbasetemp())
    assert result.errors == [], result.errors[:5]
    assert result.answers >= LOCAL_USERS

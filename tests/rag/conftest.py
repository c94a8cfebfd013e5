"""Fixtures for rag tests: a store holding the seed article, a fake OpenAI server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from newsqa.settings import Settings
from tests.conftest import SEEDS
from vectorstore.embeddings import Embedder
from vectorstore.store import Store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> tuple[Settings, Store]:
    """Settings and store with seeds/ ingested (shared by a test module)."""
    home = tmp_path_factory.mktemp("seeded")
    settings = Settings(home=home, llm="extractive", progress=False)
    store = Store(settings, embedder)
    report = ingest([str(SEEDS)], store, SourceOptions())
    assert report.added
    return settings, store


def store_with(home: Path, embedder: Embedder, articles: list[dict[str, Any]]) -> Store:
    """A store in ``home`` holding ``articles`` (JSON records), all added."""
    records = home / "articles.jsonl"
    records.write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")
    store = Store(Settings(home=home, llm="extractive"), embedder)
    assert len(ingest([str(records)], store).added) == len(articles)
    return store


class FakeOpenAI:
    """A tiny OpenAI-compatible chat server: replies with ``reply`` (streamed or not)."""

    def __init__(self) -> None:
        self.reply = "The G7 agreed a €46 billion loan package for Ukraine."
        self.delay = 0.0
        self.garbage = False
        self.requests: list[dict[str, Any]] = []

    def handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("Authorization")}
                )
                time.sleep(fake.delay)
                if fake.garbage:
                    self._send(200, b"<html>not json</html>", "text/html")
                    return
                if body.get("stream"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for word in fake.reply.split(" "):
                        piece = {
                            "id": "c1",
                            "object": "chat.completion.chunk",
                            "created": 0,
                            "model": body["model"],
                            "choices": [
                                {
                                    "index": 0,
                                    "delta": {"content": word + " "},
                                    "finish_reason": None,
                                }
                            ],
                        }
                        self.wfile.write(f"data: {json.dumps(piece)}\n\n".encode())
                        self.wfile.flush()
                    self.wfile.write(b"data: [DONE]\n\n")
                    return
                out = {
                    "id": "c1",
                    "object": "chat.completion",
                    "created": 0,
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "finish_reason": "stop",
                            "message": {"role": "assistant", "content": fake.reply},
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
                self._send(200, json.dumps(out).encode(), "application/json")

            def _send(self, code: int, data: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler


@pytest.fixture
def fake_openai() -> Iterator[tuple[str, FakeOpenAI]]:
    """``(base_url, fake)`` for a fake OpenAI-compatible server on loopback."""
    fake = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", fake
    finally:
        server.shutdown()
        server.server_close()


def body_of_seed() -> str:
    """The seed article's body as the text loader sees it."""
    from ingest.loaders.text import load_text

    path = next(Path(SEEDS).glob("*.txt"))
    article = next(iter(load_text(path.read_bytes(), str(path))))
    return article.body  # type: ignore[union-attr]

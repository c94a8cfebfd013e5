"""Concurrency: an ingest of new articles runs while 8 threads answer through
``Answerer.answer()`` and 4 clients use the Gradio app, all on one shared store.

Zero errors are allowed, and every citation must point to a chunk that exists once
the ingest is done, quoting exactly the article's text at the cited offsets.
"""

from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from rag.answer import Answerer
from rag.retrieve import Retriever
from tests.reliability.rel_app import ask, client, served_app
from tests.reliability.rel_corpus import CHUNK_CHARS, articles, rel_settings, write_records
from vectorstore.check import check_store
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

ANSWER_THREADS = 8
APP_CLIENTS = 4
MIN_QUESTIONS = 3  # per thread or client, even if the ingest finishes first
_SENTENCE = re.compile(r"([A-Z]\w+ [A-Z]\w+) said the ([\w ]+?) in ([\w ]+?) would (\w+)")


def questions(records: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(article id, question)`` pairs about each article's first sentence."""
    out = []
    for r in records:
        person, thing, place, verb = _SENTENCE.match(r["body"]).groups()  # type: ignore[union-attr]
        out.append(
            (r["id"], f"How many people would the {thing} in {place} {verb}, says {person}?")
        )
    return out


def test_ingest_while_8_threads_and_4_app_clients_ask(tmp_path: Path, embedder: Embedder) -> None:
    records = articles()
    bodies = {r["id"]: r["body"] for r in records}
    old, new = records[:60], records[60:]
    settings = rel_settings(tmp_path / "home", concurrency=APP_CLIENTS)
    store = Store(settings, embedder)
    assert (
        len(
            ingest(
                [str(write_records(tmp_path / "old.jsonl", old))],
                store,
                SourceOptions(),
                CHUNK_CHARS,
            ).added
        )
        == 60
    )
    answerer = Answerer(settings, retriever=Retriever(store))
    asked = questions(records)
    errors: list[str] = []
    cited: list[tuple[str, str, int, int, str]] = []  # chunk, article, start, end, quote
    app_quotes: list[str] = []
    counts = {"answer": 0, "app": 0}
    lock = threading.Lock()
    ingest_done = threading.Event()
    new_corpus = write_records(tmp_path / "new.jsonl", new)

    def ingest_new() -> None:
        try:
            report = ingest([str(new_corpus)], store, SourceOptions(), CHUNK_CHARS)
            if len(report.added) != len(new):
                errors.append(f"ingest: {report.summary()}")
        except Exception as exc:
            errors.append(f"ingest: {type(exc).__name__}: {exc}")
        finally:
            ingest_done.set()

    def keep_asking(name: str, one: Any) -> None:
        rng = random.Random(name)
        done = 0
        while done < MIN_QUESTIONS or not ingest_done.is_set():
            _, question = rng.choice(asked)
            try:
                one(question)
            except Exception as exc:
                with lock:
                    errors.append(f"{name}: {type(exc).__name__}: {exc}")
            done += 1

    def by_answer(question: str) -> None:
        answer = answerer.answer(question)
        with lock:
            counts["answer"] += 1
            cited.extend(
                (c.chunk_id, c.article_id, c.start, c.end, c.quote) for c in answer.citations
            )

    def by_app(gradio: Any) -> Any:
        def one(question: str) -> None:
            reply = ask(gradio, question)
            with lock:
                counts["app"] += 1
                if reply.error:
                    errors.append(f"app: {reply.error}")
                app_quotes.extend(reply.quotes)

        return one

    with served_app(settings, answerer) as url:
        clients = [client(url) for _ in range(APP_CLIENTS)]
        workers = [threading.Thread(target=ingest_new, name="ingest")]
        workers += [
            threading.Thread(target=keep_asking, args=(f"answer-{i}", by_answer))
            for i in range(ANSWER_THREADS)
        ]
        workers += [
            threading.Thread(target=keep_asking, args=(f"app-{i}", by_app(c)))
            for i, c in enumerate(clients)
        ]
        started = time.monotonic()
        for w in workers:
            w.start()
        for w in workers:
            w.join(300)
        took = time.monotonic() - started
        assert not any(w.is_alive() for w in workers), "a worker hung"

    assert errors == [], errors[:5]
    assert counts["answer"] >= ANSWER_THREADS * MIN_QUESTIONS
    assert counts["app"] >= APP_CLIENTS * MIN_QUESTIONS
    assert cited and app_quotes, "the questions should get cited answers"
    existing = {c.id: c for c in store.get_chunks(sorted({c[0] for c in cited}))}
    for chunk_id, article_id, start, end, quote in cited:
        assert chunk_id in existing, f"cited chunk {chunk_id} does not exist"
        assert bodies[article_id][start:end] == quote, chunk_id
        assert quote in existing[chunk_id].text
    for quote in app_quotes:
        assert any(quote in body for body in bodies.values()), quote
    assert check_store(store).ok and store.stats()["articles"] == len(records)
    print(
        f"\nconcurrency: {counts['answer']} answers from {ANSWER_THREADS} threads and "
        f"{counts['app']} from {APP_CLIENTS} app clients during a {len(new)}-article ingest "
        f"({took:.0f} s): 0 errors, {len(cited) + len(app_quotes)} citations all valid"
    )

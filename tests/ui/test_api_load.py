"""A short load test: 20 API clients at once for a minute against a real ``newsqa
serve`` (extractive backend), mixing streamed and plain completions, answers and
searches. Every request must succeed with the right answer: answers queue for the
``NEWSQA_CONCURRENCY`` slots, none is refused or fails.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from typing import Any

import httpx
import pytest

from tests.ui.ui_helpers import Server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
CLIENTS = 20
SECONDS = 60.0  # the issue asks for a minute of 20 clients
G7 = "How large is the G7 loan package for Ukraine?"


def one_request(http: httpx.Client, turn: int) -> str | None:
    """Send the ``turn``-th kind of request; the problem, or ``None`` when all is right."""
    kind = turn % 4
    chat = {"model": "newsqa", "messages": [{"role": "user", "content": G7}]}
    if kind == 0:
        got = http.post("/v1/chat/completions", json=chat)
        text = got.json()["choices"][0]["message"]["content"] if got.status_code == 200 else ""
    elif kind == 1:
        with http.stream("POST", "/v1/chat/completions", json={**chat, "stream": True}) as got:
            lines = [line for line in got.iter_lines() if line]
        if got.status_code != 200 or lines[-1:] != ["data: [DONE]"]:
            return f"stream {got.status_code}: {lines[-2:]}"
        chunks = [json.loads(line[6:]) for line in lines[:-1]]
        text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    elif kind == 2:
        got = http.post("/v1/answer", json={"question": G7})
        text = got.json().get("text", "") if got.status_code == 200 else ""
    else:
        got = http.get("/v1/search", params={"q": "G7 loan for Ukraine", "k": 3})
        text = json.dumps(got.json()) if got.status_code == 200 else ""
    if got.status_code != 200:
        return f"kind {kind}: HTTP {got.status_code}"
    if "46 billion" not in text:
        return f"kind {kind}: no '46 billion' in {text[:200]!r}"
    return None


def test_twenty_clients_for_a_minute(api_server: Server) -> None:
    with httpx.Client(base_url=api_server.url, timeout=60) as warm:
        assert one_request(warm, 0) is None  # the embedder is loaded before the clock starts
    deadline = time.monotonic() + SECONDS
    problems: list[str] = []
    latencies: list[float] = []
    counts = [0] * CLIENTS
    lock = threading.Lock()

    def client(index: int) -> None:
        with httpx.Client(base_url=api_server.url, timeout=60) as http:
            turn = index
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    problem = one_request(http, turn)
                except Exception as exc:
                    problem = f"{type(exc).__name__}: {exc}"
                with lock:
                    latencies.append(time.perf_counter() - began)
                    counts[index] += 1
                    if problem:
                        problems.append(problem)
                turn += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 90)
    assert not any(t.is_alive() for t in threads), "a client hung"
    total = sum(counts)
    p50 = statistics.median(latencies)
    print(f"{total} requests by {CLIENTS} clients in {SECONDS:.0f} s; p50 {p50 * 1000:.0f} ms")
    assert problems == [], problems[:5]
    assert min(counts) >= 1, counts
    # still answering at once afterwards
    began = time.perf_counter()
    assert httpx.get(f"{api_server.url}v1/models", timeout=10).status_code == 200
    assert time.perf_counter() - began < 2.0


def test_the_event_loop_is_free_while_answers_run(api_server: Server) -> None:
    """Answers run in the thread pool: the model list answers at once while 10
    answers are queued."""
    results: list[Any] = []

    def ask() -> None:
        with httpx.Client(base_url=api_server.url, timeout=60) as http:
            results.append(one_request(http, 2))

    askers = [threading.Thread(target=ask, daemon=True) for _ in range(10)]
    for thread in askers:
        thread.start()
    time.sleep(0.2)
    waits = []
    for _ in range(5):
        began = time.perf_counter()
        assert httpx.get(f"{api_server.url}v1/models", timeout=10).status_code == 200
        waits.append(time.perf_counter() - began)
    for thread in askers:
        thread.join(timeout=90)
    assert results == [None] * 10
    assert statistics.median(waits) < 0.5, waits

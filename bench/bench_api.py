"""What the HTTP API adds to an answer (issue 11): ``POST /v1/answer`` against a
``newsqa serve`` on loopback versus ``rag.answer()`` in this process, on the same
questions, in the same run, with the extractive backend (no model: what is left is
retrieval, citing and the API's own work).

Both sides are warmed up first (embedder, index, one pass over the questions); then
each question is asked in process and over HTTP, alternately, for several rounds.
The overhead is p50(API) - p50(in process); the median of the per-question
differences is reported beside it. Writes ``bench/results/api.json``.

    .venv/bin/python bench/bench_api.py [--questions 20] [--rounds 3]

Data: MultiHop-RAG (Tang & Yang, COLM 2024), ODC-BY 1.0 (the seed article without it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CREDIT,
    DEV_ARTICLES,
    DEV_QUESTIONS,
    NEWSQA,
    ROOT,
    WORK,
    child_env,
    ensure_store,
    ms,
    percentile,
    write_result,
)

TARGET_MS = 20.0
SEED_QUESTIONS = [
    "How large is the G7 loan package for Ukraine?",
    "What did Putin offer Ukraine?",
    "What does Ukraine want from NATO?",
    "Who rejected Putin's offer?",
]


def questions(limit: int) -> list[str]:
    """The first ``limit`` dev questions (the seed's own without the data set)."""
    if not DEV_QUESTIONS.exists():
        return SEED_QUESTIONS[:limit]
    with DEV_QUESTIONS.open() as stream:
        rows = [json.loads(line) for line in stream if line.strip()]
    return [row["question"] for row in rows[:limit]]


def free_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """``newsqa serve`` on ``port``; returns once it answers."""
    import httpx

    args = [NEWSQA, "--home", str(home), "serve", "--port", str(port), "--llm", "extractive"]
    proc = subprocess.Popen(
        args, env=child_env(NEWSQA_LLM="extractive"), stdout=subprocess.DEVNULL, cwd=ROOT
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"newsqa serve exited with {proc.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1).raise_for_status()
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise TimeoutError("newsqa serve did not start in 120 s")


def main(argv: list[str] | None = None) -> int:
    """Measure and write ``bench/results/api.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--home", type=Path, default=WORK / "api" / "home")
    args = parser.parse_args(argv)

    import httpx

    from newsqa.settings import Settings
    from rag.answer import answer

    articles = DEV_ARTICLES if DEV_ARTICLES.exists() else ROOT / "seeds"
    ensure_store(args.home, articles)
    asked = questions(args.questions)
    settings = Settings.from_env({}, home=args.home, llm="extractive", progress=False)
    port = free_port()
    server = start_server(args.home, port)
    inproc: list[float] = []
    api: list[float] = []
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:

            def over_http(question: str) -> float:
                began = time.perf_counter()
                got = http.post("/v1/answer", json={"question": question})
                got.raise_for_status()
                got.json()
                return time.perf_counter() - began

            def in_process(question: str) -> float:
                began = time.perf_counter()
                answer(question, settings=settings).to_dict()
                return time.perf_counter() - began

            for question in asked:  # warm-up: loads, caches, the first connection
                in_process(question)
                over_http(question)
            for round_ in range(args.rounds):
                for question in asked:
                    pair = (in_process, over_http) if round_ % 2 == 0 else (over_http, in_process)
                    first, second = (f(question) for f in pair)
                    inproc.append(first if pair[0] is in_process else second)
                    api.append(second if pair[0] is in_process else first)
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()

    p50_in, p50_api = percentile(inproc, 0.5), percentile(api, 0.5)
    paired = statistics.median(a - b for a, b in zip(api, inproc, strict=True))
    overhead = ms(p50_api - p50_in)
    result: dict[str, Any] = {
        "what": "POST /v1/answer on loopback minus rag.answer() in process, same questions",
        "backend": "extractive",
        "articles": str(articles.relative_to(ROOT.parent)),
        "questions": len(asked),
        "rounds": args.rounds,
        "in_process_ms": {"p50": ms(p50_in), "p90": ms(percentile(inproc, 0.9))},
        "api_ms": {"p50": ms(p50_api), "p90": ms(percentile(api, 0.9))},
        "overhead_p50_ms": overhead,
        "overhead_paired_median_ms": ms(paired),
        "target_ms": TARGET_MS,
        "meets_target": overhead <= TARGET_MS,
        "data": CREDIT if DEV_ARTICLES.exists() else "seeds/",
    }
    write_result("api", result)
    print(
        f"in process p50 {ms(p50_in)} ms, API p50 {ms(p50_api)} ms: overhead {overhead} ms "
        f"(paired median {ms(paired)} ms; target <= {TARGET_MS:g} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

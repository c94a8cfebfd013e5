"""A bounded load test of a running ``newsqa chat`` server over loopback.

Each simulated user is a ``gradio_client`` that asks a question through the app's
``/respond`` endpoint (as the browser does), waits for the final answer, thinks for a
moment and asks again, until the time is up. Latency is measured per answer (queue
wait included); throughput is answers per second over the whole run.

    .venv/bin/python tests/reliability/rel_load.py http://127.0.0.1:7860/ \\
        --users 20 --seconds 120 --backend extractive
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.reliability.rel_app import ask, client  # noqa: E402


@dataclass
class LoadResult:
    """What a load run measured."""

    backend: str
    users: int
    seconds: float
    answers: int = 0
    declined: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    @property
    def p50(self) -> float:
        """Median seconds per answer."""
        return statistics.median(self.latencies) if self.latencies else 0.0

    @property
    def p95(self) -> float:
        """95th percentile of seconds per answer."""
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=20, method="inclusive")[-1]

    @property
    def throughput(self) -> float:
        """Answers per second over the run."""
        return self.answers / self.seconds if self.seconds else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (latencies reduced to percentiles)."""
        data = asdict(self)
        data.pop("latencies")
        data["errors"] = self.errors[:10]
        data["error_count"] = len(self.errors)
        data.update(
            p50_s=round(self.p50, 3),
            p95_s=round(self.p95, 3),
            max_s=round(max(self.latencies, default=0.0), 3),
            throughput_per_s=round(self.throughput, 3),
            seconds=round(self.seconds, 1),
        )
        return data


def run_load(
    url: str,
    questions: list[str],
    users: int,
    seconds: float,
    backend: str = "extractive",
    think: float = 0.5,
    timeout: float = 300.0,
    seed: int = 7,
) -> LoadResult:
    """``users`` simulated users ask ``questions`` for ``seconds``; returns the numbers.

    An answer started before the time is up is waited for (up to ``timeout``), so every
    request is counted; the run's length is measured to the last answer.
    """
    result = LoadResult(backend, users, seconds)
    lock = threading.Lock()
    clients = [client(url) for _ in range(users)]
    started = time.monotonic()
    deadline = started + seconds

    def user(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        time.sleep(rng.uniform(0, min(think, 1.0)))  # users do not all click at once
        while time.monotonic() < deadline:
            question = rng.choice(questions)
            try:
                reply = ask(clients[n], question, backend, timeout=timeout)
            except Exception as exc:
                with lock:
                    result.errors.append(f"user {n}: {type(exc).__name__}: {exc}"[:300])
                continue
            with lock:
                if reply.error:
                    result.errors.append(f"user {n}: {reply.error}"[:300])
                    continue
                result.answers += 1
                result.declined += "Not covered" in reply.answer_html
                result.latencies.append(reply.seconds)
            time.sleep(rng.uniform(0.5, 1.5) * think)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + timeout + 30)
    result.seconds = time.monotonic() - started
    if any(t.is_alive() for t in threads):
        result.errors.append("a simulated user did not finish in time")
    return result


def main(argv: list[str] | None = None) -> int:
    """Run a load test against a server that is already up; print JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--backend", default="extractive")
    parser.add_argument("--question", action="append", help="repeatable; default: seeds")
    args = parser.parse_args(argv)
    questions = args.question or ["How large is the G7 loan package for Ukraine?"]
    result = run_load(args.url, questions, args.users, args.seconds, args.backend)
    print(json.dumps(result.to_dict(), indent=2))
    return 0 if not result.errors else 1


if __name__ == "__main__":
    sys.exit(main())

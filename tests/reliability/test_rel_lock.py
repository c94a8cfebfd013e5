"""Two ingests at once: one writer per store, the other waits or fails naming it.

Embedded stores use a file lock (``HOME/ingest.lock``); stores on a Chroma server a
lease in ``{name}_meta``. Both are tested with real processes (forked ``newsqa``
children, see ``rel_driver.py``), plus threads sharing one ``Store`` in one process.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from tests.reliability.rel_corpus import (
    CHUNK_CHARS,
    articles,
    rel_settings,
    write_records,
)
from tests.reliability.rel_procs import Run, Zygote, child_env
from vectorstore.check import check_store
from vectorstore.embeddings import Embedder
from vectorstore.store import Store, StoreBusy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """The forking CLI driver for this module."""
    driver = Zygote(tmp_path_factory.mktemp("lock-driver"))
    yield driver
    driver.close()


def _halves(tmp_path: Path, n: int = 40) -> tuple[Path, Path]:
    records = articles()[:n]
    half = n // 2
    return (
        write_records(tmp_path / "a.jsonl", records[:half]),
        write_records(tmp_path / "b.jsonl", records[half:]),
    )


def _holding(zygote: Zygote, env: dict[str, str], corpus: Path, **options: object) -> Run:
    """Start an ingest that writes slowly, and return once it holds the lock."""
    run = zygote.start(
        ["ingest", "--no-progress", str(corpus)],
        env,
        markers=True,
        batch_chunks=8,
        slow_writes=0.5,
        **options,
    )
    assert zygote.follow(run, until_op="_articles.upsert", timeout=120), run.errors
    return run


def test_second_embedded_ingest_fails_fast_or_waits_naming_the_first(
    zygote: Zygote, tmp_path: Path
) -> None:
    first, second = _halves(tmp_path)
    home = tmp_path / "home"
    env = child_env(home, NEWSQA_CHUNK_CHARS=str(CHUNK_CHARS))
    holder = _holding(zygote, env, first)

    refused = zygote.run(["ingest", "--wait", "0", str(second)], env)
    assert refused.code == 1
    message = refused.errors.strip()
    assert f"an ingest (pid {holder.pid}, running for" in message, message
    assert f"is writing to {home / 'chroma'}" in message and "Traceback" not in message
    assert "Try again when it has finished" in message

    waiter = zygote.start(["ingest", "--no-progress", "--wait", "300", str(second)], env)
    deadline = time.monotonic() + 60
    while "waiting for" not in waiter.errors and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"waiting for an ingest (pid {holder.pid}" in waiter.errors
    assert zygote.finish(holder).code == 0, holder.errors
    assert zygote.finish(waiter).code == 0, waiter.errors
    assert "added 20" in waiter.output

    check = zygote.run(["check"], env)
    assert check.code == 0, check.output
    assert "40 articles" in check.output


def test_threads_sharing_one_store_take_turns(tmp_path: Path, embedder: Embedder) -> None:
    first, second = _halves(tmp_path, 12)
    store = Store(rel_settings(tmp_path / "home"), embedder)
    inside = threading.Event()
    order: list[str] = []
    errors: list[BaseException] = []

    def slow_progress(event: object) -> None:
        inside.set()
        time.sleep(0.05)

    def run(name: str, corpus: Path, **kw: object) -> None:
        try:
            report = ingest([str(corpus)], store, SourceOptions(), CHUNK_CHARS, **kw)  # type: ignore[arg-type]
            order.append(f"{name}:{len(report.added)}")
        except BaseException as exc:
            errors.append(exc)

    a = threading.Thread(target=run, args=("a", first), kwargs={"on_progress": slow_progress})
    a.start()
    assert inside.wait(60)
    heard: list[str] = []
    b = threading.Thread(target=run, args=("b", second), kwargs={"on_wait": heard.append})
    b.start()
    with pytest.raises(StoreBusy, match=r"an ingest \(pid \d+, running for"):
        ingest([str(second)], store, SourceOptions(), CHUNK_CHARS, wait=0)
    a.join(120)
    b.join(120)
    assert not errors, errors
    assert order == ["a:6", "b:6"]
    assert heard and heard[0].startswith("waiting for an ingest (pid ")
    assert check_store(store).ok


def test_server_lease_fails_fast_then_is_taken_over_after_its_holder_dies(
    zygote: Zygote, tmp_path: Path, chroma_server: str
) -> None:
    first, second = _halves(tmp_path)
    collection = f"lease{uuid.uuid4().hex[:8]}"

    def env(name: str) -> dict[str, str]:
        return child_env(
            tmp_path / name,
            NEWSQA_CHROMA_URL=chroma_server,
            NEWSQA_COLLECTION=collection,
            NEWSQA_CHUNK_CHARS=str(CHUNK_CHARS),
        )

    ttl = 3.0
    holder = _holding(zygote, env("a"), first, lease_ttl=ttl)
    refused = zygote.run(["ingest", "--wait", "0", str(second)], env("b"), lease_ttl=ttl)
    assert refused.code == 1
    assert f"an ingest (pid {holder.pid}, running for" in refused.errors
    assert f"is writing to {chroma_server} (collection {collection})" in refused.errors

    zygote.kill(holder)  # dies holding the lease: nobody renews it any more
    started = time.monotonic()
    taker = zygote.run(
        ["ingest", "--no-progress", "--wait", "60", str(second)], env("b"), lease_ttl=ttl
    )
    assert taker.code == 0, taker.errors
    assert f"waiting for an ingest (pid {holder.pid}" in taker.errors
    took = time.monotonic() - started
    assert took < 60, "the expired lease was taken over"

    # The killed ingest left half-written entries: check sees them, a re-run finishes.
    check = zygote.run(["check"], env("c"))
    resumed = zygote.run(["ingest", "--no-progress", str(first)], env("a"))
    assert resumed.code == 0, resumed.errors
    final = zygote.run(["check", "--json"], env("c"))
    assert final.code == 0, final.output
    print(
        f"\nlease: taken over {took:.1f} s after its holder was killed (ttl {ttl:g} s); "
        f"check after the kill exited {check.code}"
    )

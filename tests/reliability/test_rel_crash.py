"""Crash-safe ingest: ``kill -9`` at 20 random points, then re-ingest converges.

Each kill lands in a real ``newsqa ingest`` process (forked from a warm driver, see
``rel_driver.py``) after a random number of Chroma calls plus a random delay of up to
50 ms, so kills fall before, between and inside Chroma writes and while embedding.
Kills are chained: the run after a kill resumes the same store and may be killed in
turn (crashes during recovery count too). After every kill ``newsqa check`` must find
nothing worse than half-written entries (never an article marked done without all of
its chunks); after each chain a plain re-ingest must leave a store identical to a clean
ingest (same articles, chunk ids, texts, metadata, embeddings) that ``check`` passes.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.rel_corpus import (
    CHUNK_CHARS,
    N_ARTICLES,
    assert_same_store,
    rel_settings,
    snapshot,
    write_corpus,
)
from tests.reliability.rel_procs import Run, Zygote, child_env
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SEED = 6_2024
CHAINS = 5
KILLS_PER_CHAIN = 4
# A small write batch: the 100 articles take ~9 batches, so kills find many writes.
BATCH_CHUNKS = 24
MAX_DELAY = 0.05
# One kill in four waits longer, to land while a batch is being embedded.
LONG_DELAY, LONG_SHARE = 1.5, 0.25
# Chroma calls a run makes before its first write (open, recover, look up).
STARTUP_OPS = 8
_WRITES = (".upsert", ".delete", ".add", ".update")
# What a crash may leave (and the next ingest finishes): nothing else, ever.
ALLOWED_AFTER_KILL = {"incomplete", "interrupted_write"}


@dataclass
class Kill:
    """Where one kill landed."""

    chain: int
    op_index: int
    last_op: str
    inside: bool  # the kill hit while that Chroma call was running

    @property
    def mid_write(self) -> bool:
        """Killed inside a Chroma write (upsert, delete ...)."""
        return self.inside and self.last_op.endswith(_WRITES)


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """The forking CLI driver for this module."""
    driver = Zygote(tmp_path_factory.mktemp("driver"))
    yield driver
    driver.close()


def _env(home: Path) -> dict[str, str]:
    return child_env(home, NEWSQA_CHUNK_CHARS=str(CHUNK_CHARS))


def _ingest(zygote: Zygote, home: Path, corpus: Path) -> Run:
    return zygote.start(
        ["ingest", "--no-progress", str(corpus)],
        _env(home),
        batch_chunks=BATCH_CHUNKS,
        markers=True,
    )


def _check(zygote: Zygote, home: Path, repair: bool = False) -> tuple[int, dict[str, object]]:
    run = zygote.run(["check", "--json", *(["--repair"] if repair else [])], _env(home))
    assert run.code is not None
    return run.code, json.loads(run.output)


def _landing(run: Run, chain: int, index: int) -> Kill:
    markers = [line for line in run.lines if line.startswith(("@op ", "@end "))]
    last = markers[-1] if markers else "@end 0 (start-up)"
    return Kill(chain, index, last.split(" ", 2)[2], last.startswith("@op "))


def test_kill_9_at_20_points_then_reingest_converges(
    zygote: Zygote, tmp_path: Path, embedder: Embedder
) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    corpus = tmp_path / "corpus.jsonl"
    # Version 1 in a store of its own: the update chains start from a copy of it.
    write_corpus(corpus, version=1)
    v1 = tmp_path / "v1"
    assert zygote.finish(_ingest(zygote, v1, corpus)).code == 0
    write_corpus(corpus, version=2)  # same path, so article origins match
    reference_home = tmp_path / "reference"
    clean = zygote.finish(_ingest(zygote, reference_home, corpus))
    assert clean.code == 0, clean.output
    update_home = tmp_path / "clean-update"
    shutil.copytree(v1, update_home)
    clean_update = zygote.finish(_ingest(zygote, update_home, corpus))
    assert clean_update.code == 0, clean_update.output
    ops = {False: len(clean.ops), True: len(clean_update.ops)}

    kills: list[Kill] = []
    homes = []
    found_incomplete = 0
    for chain in range(CHAINS):
        update = chain % 2 == 1
        home = tmp_path / f"chain-{chain}"
        if update:
            shutil.copytree(v1, home)
        remaining = ops[update]
        while sum(k.chain == chain for k in kills) < KILLS_PER_CHAIN:
            at = rng.randint(1, max(2, remaining))
            run = _ingest(zygote, home, corpus)
            if zygote.follow(run, until=at):
                long = rng.random() < LONG_SHARE
                time.sleep(rng.uniform(0, LONG_DELAY if long else MAX_DELAY))
                zygote.kill(run)
            if run.code == -9:
                kills.append(_landing(run, chain, at))
                remaining = max(STARTUP_OPS + 2, remaining - at + STARTUP_OPS)
            else:  # it finished first: the next run starts from a complete store
                assert run.code == 0, run.errors
                remaining = STARTUP_OPS + 2
            code, report = _check(zygote, home)
            kinds = {p["kind"] for p in report["problems"]}  # type: ignore[attr-defined]
            assert kinds <= ALLOWED_AFTER_KILL, f"chain {chain} kill {kills[-1]}: {report}"
            found_incomplete += "incomplete" in kinds
            assert code == (1 if kinds else 0)
            if chain in (1, 2) and sum(k.chain == chain for k in kills) == 2:
                code, report = _check(zygote, home, repair=True)  # repair, then resume
                assert code == 0 and report["ok"], report
        final = zygote.finish(_ingest(zygote, home, corpus))
        assert final.code == 0, final.output
        code, report = _check(zygote, home)
        assert code == 0 and report["ok"] and report["articles"] == N_ARTICLES, report
        homes.append(home)

    # Only now open the stores in this process (a Chroma client caches index state).
    reference = snapshot(Store(rel_settings(reference_home), embedder))
    assert len(reference["records"]) == N_ARTICLES
    assert_same_store(snapshot(Store(rel_settings(update_home), embedder)), reference, "update")
    for chain, home in enumerate(homes):
        assert_same_store(
            snapshot(Store(rel_settings(home), embedder)), reference, f"chain {chain}"
        )

    assert len(kills) == CHAINS * KILLS_PER_CHAIN
    mid_write = [k for k in kills if k.mid_write]
    landed = sorted({k.last_op for k in kills})
    print(
        f"\ncrash test: {len(kills)} kills, {len(mid_write)} inside a Chroma write, "
        f"{sum(k.inside for k in kills)} inside any Chroma call; landed in/after {landed}; "
        f"check found half-written entries after {found_incomplete} kills; "
        f"{CHAINS}/{CHAINS} stores converged to the clean store "
        f"({len(reference['chunks'])} chunks) in {time.monotonic() - started:.0f} s"
    )
    assert len(mid_write) >= 3, f"too few kills landed mid-write: {kills}"
    assert found_incomplete >= 3, "the kills should leave half-written entries to recover"

